"""Import of facilities from CSV/XLSX: dry run first, then all rows or none.

The dialog is not modal: the staff keeps working while a large file is read.
Reading, checking and storing run in a worker thread with their own
service; the dialog only receives progress, the plan and German errors.
File choosers are module functions, so tests replace them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, QThreadPool, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from krisenstab.exchange.facility_io import ImportPlan, PlannedFacility
from krisenstab.exchange.tabular import RowError
from krisenstab.gui import dialogs
from krisenstab.gui.kritis_detail import fit_columns, make_table
from krisenstab.gui.kritis_model import RecordColumn, RecordTableModel
from krisenstab.gui.widgets import MessageBar
from krisenstab.gui.workers import Worker, start

# Preview lines beyond this are summarised, not listed (a 10,000-row file).
PREVIEW_LIMIT = 2000

IDLE = "idle"
CHECKING = "checking"
READY = "ready"
ERRORS = "errors"
NOTHING = "nothing"
IMPORTING = "importing"
DONE = "done"
FAILED = "failed"
BUSY_STATES = (CHECKING, IMPORTING)
_ENCODINGS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 mit BOM",
    "cp1252": "Windows-1252",
    "windows-1252": "Windows-1252",
}


def choose_import_file(parent: QWidget | None) -> str | None:
    """The file to import, or None (seam: tests replace it)."""
    path, _filter = QFileDialog.getOpenFileName(
        parent,
        QCoreApplication.translate("ImportDialog", "KRITIS-Objekte importieren"),
        "",
        QCoreApplication.translate(
            "ImportDialog", "Tabellen (*.csv *.xlsx);;CSV (*.csv);;Excel (*.xlsx);;Alle Dateien (*)"
        ),
    )
    return path or None


def choose_export_file(parent: QWidget | None) -> str | None:
    """Where to export the register, or None (seam: tests replace it)."""
    path, selected = QFileDialog.getSaveFileName(
        parent,
        QCoreApplication.translate("ImportDialog", "KRITIS-Objekte exportieren"),
        "kritis-objekte.csv",
        QCoreApplication.translate(
            "ImportDialog", "CSV (*.csv);;Excel (*.xlsx);;GeoJSON (*.geojson)"
        ),
    )
    if not path:
        return None
    if not Path(path).suffix:
        path += {"Excel": ".xlsx", "GeoJSON": ".geojson"}.get(selected.split(" ")[0], ".csv")
    return path


def export_format(path: str) -> str:
    suffix = Path(path).suffix.casefold()
    return {".xlsx": "xlsx", ".geojson": "geojson", ".json": "geojson"}.get(suffix, "csv")


def _changes_text(item: PlannedFacility) -> str:
    if item.is_new:
        return ""
    return "; ".join(f"{c.label}: {c.old or '–'} → {c.new or '–'}" for c in item.changes)


class ImportDialog(QDialog):
    """Choose a file, see what a dry run would do (or every error), then import."""

    imported = Signal(object)  # the applied ImportPlan

    def __init__(
        self,
        run_import: Callable[..., ImportPlan],
        parent: QWidget | None = None,
        *,
        pool: QThreadPool | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("kritisImportDialog")
        self.setWindowTitle(self.tr("KRITIS-Objekte importieren"))
        self.setModal(False)
        self._run_import = run_import
        self._pool = pool
        self.path: str | None = None
        self.plan: ImportPlan | None = None
        self.state = IDLE
        self.worker: Worker | None = None

        self.file_edit = QLineEdit(self)
        self.file_edit.setObjectName("importFile")
        self.file_edit.setReadOnly(True)
        self.file_edit.setPlaceholderText(self.tr("Keine Datei gewählt"))
        self.file_edit.setAccessibleName(self.tr("Gewählte Datei"))
        self.choose_button = QPushButton(self.tr("Datei wählen … (Strg+O)"), self)
        self.choose_button.setObjectName("importChoose")
        self.choose_button.clicked.connect(self.choose_file)
        self.recheck_button = QPushButton(self.tr("Erneut prüfen (F5)"), self)
        self.recheck_button.setObjectName("importRecheck")
        self.recheck_button.setToolTip(
            self.tr("Die Datei neu einlesen, nachdem sie korrigiert wurde")
        )
        self.recheck_button.clicked.connect(self.check)

        self.phase_label = QLabel(self)
        self.phase_label.setObjectName("importPhase")
        self.progress = QProgressBar(self)
        self.progress.setObjectName("importProgress")
        self.progress.setTextVisible(True)
        self.progress.setFormat(self.tr("%p %"))
        self.summary = QLabel(self)
        self.summary.setObjectName("importSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_bar = MessageBar(self)

        self.error_model = RecordTableModel(
            [
                RecordColumn(self.tr("Zeile"), lambda e: str(e.line), right=True),
                RecordColumn(self.tr("Spalte"), lambda e: e.column or self.tr("(ganze Zeile)")),
                RecordColumn(self.tr("Grund"), lambda e: e.reason, tooltip=lambda e: str(e)),
            ],
            self,
        )
        self.error_table = make_table(self, self.error_model, "importErrors")
        self.error_table.setAccessibleName(self.tr("Fehler in der Datei"))
        fit_columns(self.error_table, ("88888", "Versorgte Personen"))
        self.error_label = QLabel(self.tr("Fehler (Zeile, Spalte, Grund):"), self)
        self.error_label.setBuddy(self.error_table)

        self.preview_model = RecordTableModel(
            [
                RecordColumn(self.tr("Zeile"), lambda f: str(f.line), right=True),
                RecordColumn(
                    self.tr("Aktion"), lambda f: self.tr("neu") if f.is_new else self.tr("geändert")
                ),
                RecordColumn(self.tr("Objekt"), lambda f: f.name),
                RecordColumn(self.tr("Gemeinde"), lambda f: f.municipality),
                RecordColumn(self.tr("Änderungen"), _changes_text),
            ],
            self,
        )
        self.preview_table = make_table(self, self.preview_model, "importPreview")
        self.preview_table.setAccessibleName(self.tr("Was übernommen würde"))
        fit_columns(
            self.preview_table,
            ("88888", "geändert", "Hochbehälter Kreuzau-Süd (Muster)", "Hürtgenwald"),
        )
        self.preview_label = QLabel(self.tr("Neu und geändert:"), self)
        self.preview_label.setBuddy(self.preview_table)

        self.import_button = QPushButton(self.tr("Importieren (Strg+Eingabe)"), self)
        self.import_button.setObjectName("importRun")
        self.import_button.clicked.connect(self.start_import)
        self.close_button = QPushButton(self.tr("Schließen"), self)
        self.close_button.clicked.connect(self.close)

        for text, keys, slot in (
            (self.tr("Datei wählen"), ("Ctrl+O",), self.choose_file),
            (self.tr("Erneut prüfen"), ("F5",), self.check),
            (self.tr("Importieren"), ("Ctrl+Return", "Ctrl+Enter"), self.start_import),
        ):
            action = QAction(text, self)
            action.setShortcuts([QKeySequence(k) for k in keys])
            action.triggered.connect(slot)
            self.addAction(action)

        file_row = QHBoxLayout()
        file_row.addWidget(self.file_edit, 1)
        file_row.addWidget(self.choose_button)
        file_row.addWidget(self.recheck_button)
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.phase_label)
        progress_row.addWidget(self.progress, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(file_row)
        layout.addLayout(progress_row)
        layout.addWidget(self.summary)
        layout.addWidget(self.message_bar)
        layout.addWidget(self.error_label)
        layout.addWidget(self.error_table, 1)
        layout.addWidget(self.preview_label)
        layout.addWidget(self.preview_table, 1)
        layout.addLayout(buttons)
        line = self.fontMetrics().lineSpacing()
        self.resize(line * 58, line * 32)
        self._set_state(IDLE)

    # -- state -------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self.state in BUSY_STATES

    @property
    def errors(self) -> list[RowError]:
        return list(self.error_model.rows)

    def _set_state(self, state: str) -> None:
        self.state = state
        busy = state in BUSY_STATES
        self.choose_button.setEnabled(not busy)
        self.recheck_button.setEnabled(not busy and self.path is not None)
        self.import_button.setEnabled(state == READY)
        self.import_button.setDefault(state == READY)
        self.progress.setVisible(busy or state in (DONE, READY, NOTHING))
        has_errors = state == ERRORS
        self.error_label.setVisible(has_errors)
        self.error_table.setVisible(has_errors)
        show_preview = state in (READY, DONE, NOTHING) and self.preview_model.rowCount() > 0
        self.preview_label.setVisible(show_preview)
        self.preview_table.setVisible(show_preview)
        self.phase_label.setText(
            {
                IDLE: self.tr("Bitte eine CSV- oder XLSX-Datei wählen."),
                CHECKING: self.tr("Prüfe …"),
                READY: self.tr("Geprüft."),
                ERRORS: self.tr("Fehler gefunden."),
                NOTHING: self.tr("Geprüft."),
                IMPORTING: self.tr("Importiere …"),
                DONE: self.tr("Importiert."),
                FAILED: self.tr("Nicht möglich."),
            }[state]
        )

    # -- steps -------------------------------------------------------------------------
    def choose_file(self) -> None:
        if self.busy:
            return
        path = choose_import_file(self)
        if path:
            self.load_file(path)

    def load_file(self, path: str) -> None:
        """Take ``path`` and start the dry run."""
        self.path = str(path)
        self.file_edit.setText(self.path)
        self.check()

    def check(self) -> None:
        """Dry run: read and check every row; nothing is stored."""
        if self.busy or self.path is None:
            return
        path = self.path
        self.plan = None
        self.error_model.set_rows([])
        self.preview_model.set_rows([])
        self.summary.clear()
        self.message_bar.dismiss()
        self._run(
            lambda progress: self._run_import(
                path, filename=Path(path).name, dry_run=True, progress=progress
            ),
            CHECKING,
            self._on_checked,
        )

    def start_import(self) -> None:
        """Store all rows (in one transaction; nothing when any row is bad)."""
        if self.state != READY or self.path is None:
            return
        path = self.path
        self._run(
            lambda progress: self._run_import(
                path, filename=Path(path).name, dry_run=False, progress=progress
            ),
            IMPORTING,
            self._on_imported,
        )

    def _run(
        self, job: Callable[[Any], ImportPlan], state: str, done: Callable[[Any], None]
    ) -> None:
        self.progress.setRange(0, 0)  # busy until the first report
        self.progress.setValue(0)
        worker = Worker(job, name=state)
        worker.signals.progress.connect(self._on_progress)
        worker.signals.finished.connect(done)
        worker.signals.failed.connect(self._on_failed)
        self.worker = worker
        self._set_state(state)
        start(worker, self._pool)

    # -- results (in the GUI thread) ----------------------------------------------------
    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(min(done, max(total, 1)))

    def _show_plan(self, plan: ImportPlan) -> None:
        self.plan = plan
        lines = [plan.summary()]
        lines.extend(plan.notes())
        if plan.encoding or plan.delimiter:
            details = []
            if plan.encoding:
                encoding = _ENCODINGS.get(plan.encoding.casefold(), plan.encoding)
                details.append(self.tr("Zeichensatz {0}").format(encoding))
            if plan.delimiter:
                details.append(self.tr("Trennzeichen „{0}“").format(plan.delimiter))
            lines.append(self.tr("Gelesen als {0}.").format(", ".join(details)))
        self.summary.setText("\n".join(lines))
        self.error_model.set_rows(plan.errors)
        changed = [f for f in plan.facilities if f.changed]
        self.preview_model.set_rows(changed[:PREVIEW_LIMIT])
        self.preview_label.setText(
            self.tr("Neu und geändert ({0}):").format(len(changed))
            if len(changed) <= PREVIEW_LIMIT
            else self.tr("Neu und geändert ({0}, die ersten {1} gezeigt):").format(
                len(changed), PREVIEW_LIMIT
            )
        )

    def _on_checked(self, plan: ImportPlan) -> None:
        self._show_plan(plan)
        if not plan.ok:
            self.message_bar.show_error(
                self.tr(
                    "Die Datei enthält {0} Fehler – es wird nichts übernommen. Bitte die Datei "
                    "korrigieren und erneut prüfen (F5)."
                ).format(len(plan.errors))
            )
            self._set_state(ERRORS)
            self.error_table.setFocus(Qt.FocusReason.OtherFocusReason)
            if self.error_model.rowCount():
                self.error_table.selectRow(0)
            return
        has_work = bool(
            plan.added
            or plan.changed
            or plan.dependency_adds
            or plan.dependency_updates
            or plan.dependency_removals
        )
        if not has_work:
            self.message_bar.show_message(
                self.tr("Die Datei stimmt mit dem gespeicherten Stand überein."), "info"
            )
            self._set_state(NOTHING)
            return
        self._set_state(READY)
        self.import_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_imported(self, plan: ImportPlan) -> None:
        self._show_plan(plan)
        if not plan.applied:
            # Someone changed the register between the check and the import.
            self.message_bar.show_error(
                self.tr("Beim Import traten Fehler auf – es wurde nichts übernommen.")
            )
            self._set_state(ERRORS if plan.errors else FAILED)
            return
        self.message_bar.show_message(
            self.tr("Import abgeschlossen: {0}").format(plan.summary()), "info"
        )
        self._set_state(DONE)
        self.close_button.setFocus(Qt.FocusReason.OtherFocusReason)
        self.imported.emit(plan)

    def _on_failed(self, message: str) -> None:
        self.message_bar.show_error(message)
        self._set_state(FAILED)

    # -- closing -------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        if self.busy:
            if not dialogs.confirm(
                self,
                self.tr("Import abbrechen"),
                self.tr("Die Datei wird noch verarbeitet. Abbrechen? Es wird nichts gespeichert."),
            ):
                event.ignore()
                return
            if self.worker is not None:
                self.worker.cancel()
        event.accept()
