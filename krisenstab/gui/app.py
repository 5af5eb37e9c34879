"""Starting the desktop program: application, database, „Wer sind Sie?“, main window.

Importing this module is cheap; Qt widgets, the store and the main window
are imported inside `run_gui`, so that the command line stays quick.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from krisenstab.gui.main_window import MainWindow
    from krisenstab.gui.trust_startup import Opened
    from krisenstab.services.context import Actor
    from krisenstab.settings import Settings
    from krisenstab.store.database import Database

# Taken as early as this module is imported; callers that import it late
# (or want process start) pass their own t0 to run_gui.
_IMPORT_T0 = time.perf_counter()

APP_NAME = "Krisenstab"
ORGANIZATION_NAME = "Krisenstab"
ORGANIZATION_DOMAIN = "krisenstab.invalid"
SMOKE_PERSON = "Demo"
SMOKE_FUNCTION = "S2"
SMOKE_PAINT_TIMEOUT_S = 10.0

# Kept referenced for the life of the process: Qt does not own translators.
_translators: list[object] = []


def _tr(text: str) -> str:
    from PySide6.QtCore import QCoreApplication

    return QCoreApplication.translate("app", text)


def has_display() -> bool:
    """Whether Qt can open a window here (on Linux without X11/Wayland it aborts)."""
    if os.environ.get("QT_QPA_PLATFORM"):
        return True
    if not sys.platform.startswith("linux"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def create_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication (reused when one exists), named, German, translated."""
    from PySide6.QtCore import QLocale
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        app = QApplication(argv if argv is not None else sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORGANIZATION_NAME)
    app.setOrganizationDomain(ORGANIZATION_DOMAIN)
    QLocale.setDefault(QLocale(QLocale.Language.German, QLocale.Country.Germany))
    install_translators(app)
    return app


def install_translators(app: QApplication) -> int:
    """Qt's own German texts (buttons, dialogs) and ours, where present.

    Returns how many translators are installed; a second call adds none.
    """
    if _translators:
        return len(_translators)
    from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator

    from krisenstab.assets import resource

    locale = QLocale()
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    qt_translator = QTranslator(app)
    if qt_translator.load(locale, "qtbase", "_", qt_dir):
        app.installTranslator(qt_translator)
        _translators.append(qt_translator)
    ours = resource("translations", f"krisenstab_{locale.name().split('_')[0]}.qm")
    if ours.is_file():
        own_translator = QTranslator(app)
        if own_translator.load(str(ours)):
            app.installTranslator(own_translator)
            _translators.append(own_translator)
    return len(_translators)


def open_database(
    db_path: Path, *, quick_check: bool = True, settings: Settings | None = None
) -> Database | None:
    """Open the file, or show the German reason and return None.

    A damaged file offers its newest good backup (restored as a new file,
    which is then returned); see `krisenstab.gui.trust_startup`.
    """
    opened = _open_for_gui(db_path, quick_check=quick_check, settings=settings)
    return opened.db if opened is not None else None


def _open_for_gui(db_path: Path, *, quick_check: bool, settings: Settings | None) -> Opened | None:
    from krisenstab.gui.trust_startup import open_for_gui
    from krisenstab.settings import Settings

    return open_for_gui(Path(db_path), settings or Settings.load(), quick_check=quick_check)


def ask_actor(settings: Settings, db: Database, *, login: str = "") -> Actor | None:
    """A login when the file has accounts, else „Wer sind Sie?“ – None when cancelled."""
    from krisenstab.gui.trust_login import ask_start_actor

    return ask_start_actor(settings, db, login=login)


def smoke_actor(settings: Settings) -> Actor:
    from krisenstab.services.context import Actor

    return Actor(
        person=settings.last_person.strip() or SMOKE_PERSON,
        function=settings.last_function.strip() or SMOKE_FUNCTION,
        workstation_id=settings.workstation_id,
    )


def _build_demo(db: Database, settings: Settings) -> None:
    from krisenstab.gui import dialogs
    from krisenstab.services.demo import build_demo
    from krisenstab.store.errors import StoreError

    if db.read_only:
        return
    try:
        build_demo(db, settings.workstation_id)
    except StoreError as exc:
        dialogs.show_error(
            None, _tr("Krisenstab – Demo"), _tr("Die Demodaten fehlen: {0}").format(exc)
        )


def _place_window(app: QApplication, window: MainWindow) -> None:
    screen = app.primaryScreen()
    if screen is None:
        window.show()
        return
    area = screen.availableGeometry()
    # Small screens (1366×768 laptops in the staff room) get every pixel.
    if area.width() < 1600 or area.height() < 950:
        window.showMaximized()
        return
    window.resize(int(area.width() * 0.8), int(area.height() * 0.85))
    frame = window.frameGeometry()
    frame.moveCenter(area.center())
    window.move(frame.topLeft())
    window.show()


def wait_for_first_paint(app: QApplication, window: MainWindow) -> None:
    """Process events until any widget of `window` has been painted."""
    from PySide6.QtCore import QEvent, QEventLoop, QObject

    class _PaintWatch(QObject):
        painted = False

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                self.painted = True
            return False

    watch = _PaintWatch()
    window.installEventFilter(watch)
    window.show()
    deadline = time.perf_counter() + SMOKE_PAINT_TIMEOUT_S
    while not watch.painted and time.perf_counter() < deadline:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
    if not watch.painted:
        # A platform that never exposes the window still renders into a pixmap.
        window.grab()
    window.removeEventFilter(watch)


def _check_in_background(window: MainWindow, db: Database) -> None:
    """Run SQLite's quick check off the GUI thread; a damaged file is reported at once."""
    import threading

    import shiboken6
    from PySide6.QtCore import QTimer

    from krisenstab.gui.trust_startup import report_damage
    from krisenstab.services.backup import backup_folders, newest_good_backup

    result: list[list[str]] = []
    offer: list[object] = []
    folders = backup_folders(window.shared.settings)

    def work() -> None:
        try:
            result.append(db.quick_check())
        except Exception as exc:  # a broken file may fail the check itself
            result.append([str(exc)])
        if result[0]:
            # Verifying the backups takes a while too: still off the GUI thread.
            try:
                offer.append(newest_good_backup(db.path, folders))
            except Exception:  # no offer is better than no message
                offer.append(None)

    thread = threading.Thread(target=work, name="quick-check", daemon=True)
    thread.start()

    def report() -> None:
        if not shiboken6.isValid(window) or not window.isVisible():
            return  # closed meanwhile
        if thread.is_alive():
            QTimer.singleShot(200, report)
            return
        problems = result[0] if result else []
        if problems:
            candidate = offer[0] if offer else None
            restored = report_damage(window, problems, candidate)  # type: ignore[arg-type]
            if restored is not None:
                window.trust.request_reopen(restored)

    QTimer.singleShot(200, report)


def run_gui(
    db_path: Path,
    *,
    smoke: bool = False,
    demo: bool = False,
    t0: float | None = None,
) -> int:
    """Run the desktop program on `db_path`; return the exit code.

    smoke: no dialogs, open the most recent open incident, paint the main
    window once, print the milliseconds from `t0` to the first paint on
    stdout and return 0.
    """
    start = _IMPORT_T0 if t0 is None else t0
    if not has_display():
        if not smoke:
            # No QApplication can exist yet, so no translator either.
            print(
                "Krisenstab: keine grafische Oberfläche gefunden (DISPLAY ist nicht gesetzt). "
                "Ohne Bildschirm bitte die Kommandozeile verwenden: krisenstab-cli --help",
                file=sys.stderr,
            )
            return 1
        # A smoke run on a headless machine (CI) paints offscreen.
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    app = create_application()

    from krisenstab.settings import Settings

    settings = Settings.load()
    path = Path(db_path)
    while True:
        # The integrity check of a large file takes a noticeable moment; it runs
        # in the background once the window is up (see _check_in_background).
        opened = _open_for_gui(path, quick_check=False, settings=settings)
        if opened is None:
            return 1
        code, reopen = _run_window(
            app, opened.db, settings, smoke=smoke, demo=demo, start=start, login=opened.login
        )
        if reopen is None:
            return code
        # A backup was restored into a new file: the program continues there.
        path, demo = reopen, False


def _run_window(
    app: QApplication,
    db: Database,
    settings: Settings,
    *,
    smoke: bool,
    demo: bool,
    start: float,
    login: str = "",
) -> tuple[int, Path | None]:
    """One main window on `db` until it closes: (exit code, file to open next or None)."""
    from krisenstab.gui import dialogs
    from krisenstab.gui.main_window import MainWindow
    from krisenstab.gui.shared import Shared
    from krisenstab.store.errors import StoreError

    window: MainWindow | None = None
    try:
        if demo:
            _build_demo(db, settings)
        actor = smoke_actor(settings) if smoke else ask_actor(settings, db, login=login)
        if actor is None:
            return 0, None
        shared = Shared(db, settings, actor)
        try:
            shared.set_incident(shared.most_recent_open_incident())
        except StoreError as exc:
            dialogs.show_error(None, _tr("Krisenstab"), str(exc))
            return 1, None
        window = MainWindow(shared)
        if smoke:
            wait_for_first_paint(app, window)
            elapsed_ms = (time.perf_counter() - start) * 1000.0
            print(f"{elapsed_ms:.0f}", flush=True)
            return 0, None
        _place_window(app, window)
        _check_in_background(window, db)
        if shared.incident is None and not db.read_only:
            window.incident_bar.create_incident()
        window.journal.focus_editor()
        code = app.exec()
        return code, window.trust.reopen_path
    finally:
        if window is not None:
            window.shared.stop_polling()
            window.hide()
            # Logout, and a last backup when the file changed (not for a smoke run).
            window.trust.shutdown(final_backup=not smoke)
            window.deleteLater()
            from PySide6.QtCore import QCoreApplication, QEvent

            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        db.close()
