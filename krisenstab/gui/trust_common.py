"""Shared pieces of the trust screens: seams for tests, background jobs, busy feedback.

Everything here is small and has one reason to exist:

- ``account_service(db)``: the one place the GUI builds an `AccountService`,
  so that tests can swap in a cheap password hasher (argon2id with the real
  parameters costs ~0.1 s a call).
- ``choose_folder`` / ``choose_new_file``: file dialogs block a headless run,
  so they sit behind functions the tests replace (like `dialogs`).
- ``BackgroundJob``: runs a function in a Python thread and delivers its
  result in the GUI thread through a queued signal. The function opens its
  own `Database` (sessions never cross threads) and never touches a widget.
- ``run_with_progress``: the same, for the few jobs the user has to wait for
  (a restore): a small progress dialog and a local event loop, so the window
  keeps painting.
"""

from __future__ import annotations

import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QApplication, QFileDialog, QProgressDialog, QWidget

from krisenstab.services.context import ServiceError
from krisenstab.store.database import Database
from krisenstab.store.errors import StoreError

if TYPE_CHECKING:
    from krisenstab.services.accounts import AccountService

# Colours of the trust states, shared by banners and status labels.
WARN_STYLE = "color: #5C4400; background-color: #FFF4CE; border: 1px solid #B78A00;"
ERROR_STYLE = "color: #7A1010; background-color: #FDE2E1; border: 1px solid #C62828;"
INFO_STYLE = "color: #0D3C61; background-color: #E3F2FD; border: 1px solid #1E88E5;"


def tr(text: str) -> str:
    """Translate a text of the trust screens (context "trust")."""
    return QCoreApplication.translate("trust", text)


def account_service(db: Database) -> AccountService:
    """The account service the GUI uses (tests replace this for a fast hasher)."""
    from krisenstab.services.accounts import AccountService

    return AccountService(db)


def open_mode(db: Database) -> bool:
    """True while the file has no accounts; cheap enough for start-up (no argon2 import)."""
    from krisenstab.services.permissions import accounts_enabled

    with db.session() as session:
        return not accounts_enabled(session)


def looks_like_backup_copy(path: Path) -> bool:
    """A file written as a backup (it has its manifest beside it and the copy mark).

    The manifest is looked for first: a stat, so that ordinary start-ups do not
    import the backup code.
    """
    try:
        if not path.with_name(path.name + ".json").is_file():
            return False
    except OSError:
        return False
    from krisenstab.store.backup import is_backup_copy

    return is_backup_copy(path)


# Login names of the accounts logged in through this process, by account id:
# an Actor carries the account id only, and changing one's own password or
# waiting out a throttled unlock needs the name.
_LOGINS: dict[str, str] = {}


def remember_login(account_id: str | None, login: str) -> None:
    if account_id:
        _LOGINS[account_id] = login.strip().casefold()


def login_of(account_id: str | None) -> str:
    """The login name of an account logged in here, or "" when unknown."""
    return _LOGINS.get(account_id or "", "")


def choose_folder(parent: QWidget | None, title: str, start: str) -> str | None:
    """A folder, or None when cancelled."""
    folder = QFileDialog.getExistingDirectory(parent, title, start)
    return folder or None


def choose_new_file(parent: QWidget | None, title: str, suggested: str) -> str | None:
    """A file name for a new database, or None when cancelled.

    The native dialog's overwrite question is switched off: the callers refuse
    existing files themselves (a restore never overwrites).
    """
    name, _filter = QFileDialog.getSaveFileName(
        parent,
        title,
        suggested,
        tr("Krisenstab-Datenbank (*.db)"),
        "",
        QFileDialog.Option.DontConfirmOverwrite,
    )
    return name or None


@contextmanager
def busy() -> Iterator[None]:
    """A wait cursor for the short blocking steps (password hashing, opening a file)."""
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QApplication.restoreOverrideCursor()


def error_text(exc: BaseException) -> str:
    """The German sentence of a known error; a short note for anything else."""
    if isinstance(exc, ServiceError | StoreError):
        return str(exc)
    if isinstance(exc, OSError):
        return tr("Dateifehler: {0}").format(exc)
    return tr("Interner Fehler ({0}): {1}").format(exc.__class__.__name__, exc)


class _Relay(QObject):
    """Lives in the GUI thread; the worker thread only emits its signal."""

    delivered = Signal(bool, object)

    def __init__(
        self, on_done: Callable[[Any], None], on_error: Callable[[BaseException], None]
    ) -> None:
        super().__init__()
        self._on_done = on_done
        self._on_error = on_error
        # Queued explicitly: the emitting thread is a plain Python thread.
        self.delivered.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    @Slot(bool, object)
    def _deliver(self, ok: bool, value: object) -> None:
        if ok:
            self._on_done(value)
        else:
            assert isinstance(value, BaseException)
            self._on_error(value)


class BackgroundJob:
    """``fn()`` in a worker thread; ``on_done(result)`` / ``on_error(exc)`` in the GUI thread.

    Known refusals (ServiceError, StoreError, OSError) arrive quietly at
    ``on_error``; anything else is a bug: it arrives there too (nobody must
    wait forever) and its traceback goes to stderr.
    """

    def __init__(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
        *,
        name: str = "krisenstab-job",
    ) -> None:
        self._fn = fn
        self._relay = _Relay(self._finish_ok(on_done), self._finish_error(on_error))
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.finished = False

    def _finish_ok(self, on_done: Callable[[Any], None]) -> Callable[[Any], None]:
        def done(value: Any) -> None:
            self.finished = True
            on_done(value)

        return done

    def _finish_error(
        self, on_error: Callable[[BaseException], None]
    ) -> Callable[[BaseException], None]:
        def failed(exc: BaseException) -> None:
            self.finished = True
            on_error(exc)

        return failed

    def start(self) -> BackgroundJob:
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            result = self._fn()
        except BaseException as exc:  # delivered to the GUI thread, never lost
            if not isinstance(exc, ServiceError | StoreError | OSError):
                traceback.print_exception(exc, file=sys.stderr)
            self._relay.delivered.emit(False, exc)
            return
        self._relay.delivered.emit(True, result)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the thread ended (its result is still delivered by the event loop)."""
        if self._thread.ident is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()


def run_with_progress(parent: QWidget | None, title: str, label: str, fn: Callable[[], Any]) -> Any:
    """Run ``fn`` in a worker while a small modal progress dialog is shown; return or raise."""
    outcome: dict[str, Any] = {}
    loop = QEventLoop()

    def done(value: Any) -> None:
        outcome["value"] = value
        loop.quit()

    def failed(exc: BaseException) -> None:
        outcome["error"] = exc
        loop.quit()

    progress = QProgressDialog(label, "", 0, 0, parent)
    progress.setWindowTitle(title)
    progress.setCancelButton(None)
    progress.setWindowModality(Qt.WindowModality.ApplicationModal)
    progress.setMinimumDuration(300)
    progress.setAutoClose(False)
    progress.setValue(0)
    job = BackgroundJob(fn, done, failed, name="krisenstab-progress")
    job.start()
    if not job.finished:
        loop.exec()
    progress.close()
    progress.deleteLater()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")
