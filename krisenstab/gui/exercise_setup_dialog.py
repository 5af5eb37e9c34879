"""„Übung vorbereiten“: a new exercise database from real master data, with a scenario.

Reachable from Datei → „Übung vorbereiten …“ in every window and from the
controller console. The shortest path to a playable exercise is the
default: the demo master data (a fictional Kreis) and the demo scenario
„Hochwasser an der Rur“ – one click on „Übung anlegen“, and the new file
opens in its own window with the Übungsleitung in front.

The copy (master data only: no incidents, journal or messages) and the
scenario import run in the thread pool; the real database is only read.
The suggested file name starts with "UEBUNG" so the file is never taken
for a real one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QCheckBox,
    QDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from krisenstab.domain.exercise import CONTROL_FUNCTION
from krisenstab.domain.filenames import exercise_filename
from krisenstab.gui import dialogs, exercise_files
from krisenstab.gui.exercise_tick import run_in_background
from krisenstab.gui.widgets import ExerciseBanner, MessageBar
from krisenstab.services.context import Actor, ServiceError
from krisenstab.settings import data_dir, default_db_path, demo_db_path
from krisenstab.store.errors import StoreError

SOURCE_DEMO = "demo"
SOURCE_FILE = "file"
SCENARIO_DEMO = "demo"
SCENARIO_FILE = "file"
SCENARIO_NONE = "none"

# Windows opened for new exercise files; kept referenced while they are open.
_OPEN_WINDOWS: list[Any] = []


@dataclass(frozen=True)
class SetupRequest:
    source: Path
    source_is_demo: bool
    target: Path
    scenario: str  # SCENARIO_DEMO, SCENARIO_FILE or SCENARIO_NONE
    scenario_file: Path | None
    keep_status: bool
    workstation_id: str
    person: str


@dataclass(frozen=True)
class SetupResult:
    path: Path
    summary: str
    injects: int = 0
    scenario_title: str = ""
    warnings: tuple[str, ...] = ()
    scenario_error: str | None = None


def suggested_target(source: Path | None, *, now: datetime | None = None) -> Path:
    """``UEBUNG_<source>_<date>_<time>.db`` next to the source (or in the data folder)."""
    moment = (now or datetime.now()).strftime("%Y-%m-%d_%H%M")
    stem = source.stem if source is not None else "Krisenstab"
    folder = source.parent if source is not None else data_dir()
    return folder / exercise_filename(f"{stem}_{moment}", ".db")


def prepare_exercise(request: SetupRequest) -> SetupResult:
    """The work of the dialog (runs in a pool thread; no widgets)."""
    from krisenstab.services.demo import build_demo
    from krisenstab.services.exercise import ExerciseService, ScenarioImportError, control_actor
    from krisenstab.services.exercise_demo import demo_scenario_path
    from krisenstab.services.exercise_setup import create_exercise_db
    from krisenstab.store.database import Database

    if request.source_is_demo:
        demo = Database.open(request.source)
        try:
            build_demo(demo, request.workstation_id)
        finally:
            demo.close()
    copy = create_exercise_db(request.source, request.target, keep_status=request.keep_status)
    if request.scenario == SCENARIO_NONE:
        return SetupResult(copy.path, copy.summary)
    scenario_path = (
        demo_scenario_path() if request.scenario == SCENARIO_DEMO else request.scenario_file
    )
    if scenario_path is None:
        return SetupResult(copy.path, copy.summary, scenario_error="Keine Drehbuch-Datei gewählt.")
    db = Database.open(copy.path)
    try:
        service = ExerciseService(db, control_actor(request.workstation_id, request.person))
        try:
            report = service.import_scenario(scenario_path)
        except ScenarioImportError as exc:
            return SetupResult(copy.path, copy.summary, scenario_error=str(exc))
        except (ServiceError, OSError, ValueError) as exc:
            return SetupResult(copy.path, copy.summary, scenario_error=str(exc))
    finally:
        db.close()
    return SetupResult(
        copy.path,
        copy.summary,
        report.injects,
        report.scenario.title,
        tuple(report.warnings),
    )


def open_exercise_window(path: str | Path, settings: Any, person: str) -> Any:
    """Open the exercise file in a new main window, with the Übungsleitung in front."""
    from krisenstab.gui.main_window import MainWindow
    from krisenstab.gui.shared import Shared
    from krisenstab.store.database import Database

    db = Database.open(path)
    actor = Actor(
        person=person or CONTROL_FUNCTION,
        function=CONTROL_FUNCTION,
        workstation_id=settings.workstation_id,
    )
    shared = Shared(db, settings, actor)
    shared.set_incident(shared.most_recent_open_incident())
    window = MainWindow(shared)
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    _OPEN_WINDOWS.append(window)

    def forget(*_args: object) -> None:
        if window in _OPEN_WINDOWS:
            _OPEN_WINDOWS.remove(window)
        db.close()

    window.destroyed.connect(forget)
    window.resize(1366, 768)
    window.show()
    window.show_tab("exercise_control")
    return window


def open_windows() -> list[Any]:
    return list(_OPEN_WINDOWS)


class ExerciseSetupDialog(QDialog):
    """Creates an exercise database and loads a scenario (non-modal; work in the background)."""

    created = Signal(object)  # SetupResult

    def __init__(self, shared: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("exerciseSetupDialog")
        self.setWindowTitle(self.tr("ÜBUNG – Übung vorbereiten"))
        self.shared = shared
        self.result_: SetupResult | None = None
        self.window_: Any = None
        self._jobs: list[Any] = []
        self._busy = False

        banner = ExerciseBanner(self)
        banner.setText(self.tr("ÜBUNG VORBEREITEN"))
        intro = QLabel(
            self.tr(
                "Legt eine neue Übungsdatenbank an. Kopiert werden die Stammdaten (KRITIS-Objekte, "
                "Abhängigkeiten, Personen, Besetzung, Kontakte, Zuständigkeiten) – keine Ereignisse, "
                "kein Einsatztagebuch, keine Nachrichten. Die echte Datenbank wird nur gelesen."
            ),
            self,
        )
        intro.setWordWrap(True)

        # Master data.
        source_box = QGroupBox(self.tr("Stammdaten aus"), self)
        self.source_demo = QRadioButton(
            self.tr("Demo-Stammdaten (fiktiver Muster-Kreis mit 67 KRITIS-Objekten)"), source_box
        )
        self.source_demo.setObjectName("sourceDemo")
        self.source_file = QRadioButton(self.tr("Echte Datenbank:"), source_box)
        self.source_file.setObjectName("sourceFile")
        self.source_edit = QLineEdit(source_box)
        self.source_edit.setObjectName("sourcePath")
        self.source_choose = QPushButton(self.tr("Wählen …"), source_box)
        self.source_choose.clicked.connect(self.choose_source)
        self.source_group = QButtonGroup(self)
        self.source_group.addButton(self.source_demo)
        self.source_group.addButton(self.source_file)
        grid = QGridLayout(source_box)
        grid.addWidget(self.source_demo, 0, 0, 1, 3)
        grid.addWidget(self.source_file, 1, 0)
        grid.addWidget(self.source_edit, 1, 1)
        grid.addWidget(self.source_choose, 1, 2)
        grid.setColumnStretch(1, 1)

        # Scenario.
        scenario_box = QGroupBox(self.tr("Drehbuch"), self)
        self.scenario_demo = QRadioButton(
            self.tr(
                "Demo-Szenario verwenden: „Hochwasser an der Rur“ (40 Einlagen, 8 Stunden "
                "Szenariozeit ab Samstag 03:00, Stromausfall-Kaskade, Blitz-Meldung)"
            ),
            scenario_box,
        )
        self.scenario_demo.setObjectName("scenarioDemo")
        self.scenario_file = QRadioButton(self.tr("Drehbuch-Datei (CSV/XLSX):"), scenario_box)
        self.scenario_file.setObjectName("scenarioFile")
        self.scenario_edit = QLineEdit(scenario_box)
        self.scenario_edit.setObjectName("scenarioPath")
        self.scenario_choose = QPushButton(self.tr("Wählen …"), scenario_box)
        self.scenario_choose.clicked.connect(self.choose_scenario)
        self.scenario_none = QRadioButton(
            self.tr("Ohne Drehbuch (später im Drehbuch-Editor der Übungsleitung)"), scenario_box
        )
        self.scenario_none.setObjectName("scenarioNone")
        self.scenario_group = QButtonGroup(self)
        for button in (self.scenario_demo, self.scenario_file, self.scenario_none):
            self.scenario_group.addButton(button)
        sgrid = QGridLayout(scenario_box)
        sgrid.addWidget(self.scenario_demo, 0, 0, 1, 3)
        sgrid.addWidget(self.scenario_file, 1, 0)
        sgrid.addWidget(self.scenario_edit, 1, 1)
        sgrid.addWidget(self.scenario_choose, 1, 2)
        sgrid.addWidget(self.scenario_none, 2, 0, 1, 3)
        sgrid.setColumnStretch(1, 1)

        # Target.
        target_box = QGroupBox(self.tr("Neue Übungsdatenbank"), self)
        self.target_edit = QLineEdit(target_box)
        self.target_edit.setObjectName("targetPath")
        self.target_choose = QPushButton(self.tr("Ändern …"), target_box)
        self.target_choose.clicked.connect(self.choose_target)
        self.keep_status = QCheckBox(
            self.tr("Heutigen Status der KRITIS-Objekte übernehmen (sonst alle betriebsbereit)"),
            target_box,
        )
        self.open_after = QCheckBox(self.tr("Danach in einem neuen Fenster öffnen"), target_box)
        self.open_after.setObjectName("openAfter")
        self.open_after.setChecked(True)
        tgrid = QGridLayout(target_box)
        tgrid.addWidget(self.target_edit, 0, 0)
        tgrid.addWidget(self.target_choose, 0, 1)
        tgrid.addWidget(self.keep_status, 1, 0, 1, 2)
        tgrid.addWidget(self.open_after, 2, 0, 1, 2)
        tgrid.setColumnStretch(0, 1)

        self.message = MessageBar(self)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.result_label = QLabel(self)
        self.result_label.setObjectName("setupResult")
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result_label.hide()

        self.create_button = QPushButton(self.tr("Übung &anlegen"), self)
        self.create_button.setObjectName("createExercise")
        self.create_button.setDefault(True)
        self.create_button.clicked.connect(self.create)
        self.open_button = QPushButton(self.tr("In neuem Fenster ö&ffnen"), self)
        self.open_button.setObjectName("openExercise")
        self.open_button.clicked.connect(self.open_result)
        self.open_button.hide()
        self.close_button = QPushButton(self.tr("Schließen"), self)
        self.close_button.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.create_button)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(banner)
        layout.addWidget(intro)
        layout.addWidget(source_box)
        layout.addWidget(scenario_box)
        layout.addWidget(target_box)
        layout.addWidget(self.message)
        layout.addWidget(self.progress)
        layout.addWidget(self.result_label)
        layout.addStretch(1)
        layout.addLayout(buttons)

        self._set_defaults()
        for button in (self.source_demo, self.source_file, self.scenario_demo, self.scenario_file):
            button.toggled.connect(self._update_enabled)
        self.source_demo.toggled.connect(lambda _on: self._suggest_target())
        self.source_edit.editingFinished.connect(self._suggest_target)
        self._update_enabled()
        self.resize(max(self.sizeHint().width(), 760), self.sizeHint().height())

    # -- defaults -------------------------------------------------------------------
    def _set_defaults(self) -> None:
        db = self.shared.db
        real = None
        if not db.is_exercise and Path(db.path) != demo_db_path():
            real = Path(db.path)
        elif default_db_path().exists():
            real = default_db_path()
        if real is not None:
            self.source_edit.setText(str(real))
        # The demo is the default: playable within minutes, nothing real involved.
        self.source_demo.setChecked(True)
        self.scenario_demo.setChecked(True)
        self._suggest_target()

    def _source_path(self) -> Path | None:
        if self.source_demo.isChecked():
            return demo_db_path()
        text = self.source_edit.text().strip()
        return Path(text) if text else None

    def _suggest_target(self) -> None:
        if self._busy:
            return
        source = self._source_path()
        if self.source_demo.isChecked():
            target = data_dir() / exercise_filename(
                f"Hochwasser_Rur_{datetime.now():%Y-%m-%d_%H%M}", ".db"
            )
        else:
            target = suggested_target(source)
        self.target_edit.setText(str(target))

    def _update_enabled(self) -> None:
        from_file = self.source_file.isChecked()
        self.source_edit.setEnabled(from_file)
        self.source_choose.setEnabled(from_file)
        scenario_file = self.scenario_file.isChecked()
        self.scenario_edit.setEnabled(scenario_file)
        self.scenario_choose.setEnabled(scenario_file)

    # -- choosers ---------------------------------------------------------------------
    def choose_source(self) -> None:
        path = exercise_files.choose_source_database(self, self.source_edit.text())
        if path:
            self.source_file.setChecked(True)
            self.source_edit.setText(path)
            self._suggest_target()

    def choose_scenario(self) -> None:
        path = exercise_files.choose_scenario_file(self)
        if path:
            self.scenario_file.setChecked(True)
            self.scenario_edit.setText(path)

    def choose_target(self) -> None:
        path = exercise_files.choose_exercise_target(self, self.target_edit.text())
        if path:
            self.target_edit.setText(path)

    # -- work ---------------------------------------------------------------------------
    def request(self) -> SetupRequest | None:
        """The form as a request, or None with the reason shown."""
        source = self._source_path()
        if source is None:
            self.message.show_error(self.tr("Bitte die echte Datenbank wählen."))
            return None
        if not self.source_demo.isChecked() and not source.exists():
            self.message.show_error(self.tr("Die Datenbank {0} gibt es nicht.").format(source))
            return None
        target_text = self.target_edit.text().strip()
        if not target_text:
            self.message.show_error(
                self.tr("Bitte angeben, wo die Übungsdatenbank entstehen soll.")
            )
            return None
        target = Path(target_text)
        if target.exists():
            self.message.show_error(
                self.tr("{0} gibt es schon; bitte einen neuen Dateinamen wählen.").format(target)
            )
            return None
        if source.exists() and target.resolve() == source.resolve():
            self.message.show_error(self.tr("Quelle und Ziel dürfen nicht dieselbe Datei sein."))
            return None
        scenario = SCENARIO_NONE
        scenario_file = None
        if self.scenario_demo.isChecked():
            scenario = SCENARIO_DEMO
        elif self.scenario_file.isChecked():
            scenario = SCENARIO_FILE
            text = self.scenario_edit.text().strip()
            if not text or not Path(text).is_file():
                self.message.show_error(self.tr("Bitte eine vorhandene Drehbuch-Datei wählen."))
                return None
            scenario_file = Path(text)
        actor = self.shared.actor
        return SetupRequest(
            source=source,
            source_is_demo=self.source_demo.isChecked(),
            target=target,
            scenario=scenario,
            scenario_file=scenario_file,
            keep_status=self.keep_status.isChecked(),
            workstation_id=self.shared.settings.workstation_id,
            person=actor.person,
        )

    @property
    def busy(self) -> bool:
        return self._busy

    def create(self) -> bool:
        request = self.request()
        if request is None:
            return False
        self.message.dismiss()
        self._set_busy(True)
        self.result_label.setText(self.tr("Die Übungsdatenbank wird angelegt …"))
        self.result_label.show()
        run_in_background(lambda: prepare_exercise(request), self._done, self._failed, self._jobs)
        return True

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.progress.setVisible(busy)
        self.create_button.setEnabled(not busy)
        for widget in (self.source_demo, self.source_file, self.scenario_demo):
            widget.setEnabled(not busy)

    def _done(self, result: SetupResult) -> None:
        self._set_busy(False)
        self.result_ = result
        lines = [result.summary]
        if result.injects:
            lines.append(
                self.tr("Drehbuch „{0}“ mit {1} Einlagen geladen.").format(
                    result.scenario_title, result.injects
                )
            )
        if result.warnings:
            lines.append(self.tr("Hinweise: {0}").format("; ".join(result.warnings[:5])))
        lines.append(
            self.tr(
                "Die Spielerplätze öffnen dieselbe Datei (im Netzlaufwerk) mit: "
                'krisenstab --db "{0}"'
            ).format(result.path)
        )
        self.result_label.setText("\n".join(lines))
        self.open_button.show()
        self.create_button.hide()
        if result.scenario_error:
            self.message.show_message(
                self.tr(
                    "Die Übungsdatenbank ist angelegt, das Drehbuch aber nicht geladen:\n{0}"
                ).format(result.scenario_error),
                "warning",
            )
        else:
            self.message.show_message(self.tr("Die Übung ist vorbereitet."), "info")
        self.shared.signals.status_message.emit(result.summary)
        self.created.emit(result)
        if self.open_after.isChecked():
            self.open_result()

    def _failed(self, message: str) -> None:
        self._set_busy(False)
        self.result_label.hide()
        self.message.show_error(self.tr("Die Übung wurde nicht angelegt: {0}").format(message))

    def open_result(self) -> Any:
        if self.result_ is None:
            return None
        try:
            self.window_ = open_exercise_window(
                self.result_.path, self.shared.settings, self.shared.actor.person
            )
        except (StoreError, ServiceError, OSError) as exc:
            dialogs.show_error(
                self,
                self.tr("ÜBUNG – Öffnen"),
                self.tr("Die Übungsdatenbank kann nicht geöffnet werden: {0}").format(exc),
            )
            return None
        self.close()
        return self.window_

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._busy:
            self.message.show_message(
                self.tr("Bitte warten, bis die Übungsdatenbank angelegt ist."), "warning"
            )
            event.ignore()
            return
        event.accept()

    def reject(self) -> None:
        self.close()

    def wait_done(self, timeout_s: float = 60.0) -> bool:
        """Process events until the background work has answered (tests)."""
        import time

        deadline = time.monotonic() + timeout_s
        while self._busy and time.monotonic() < deadline:
            QApplication.processEvents()
            time.sleep(0.01)
        return not self._busy
