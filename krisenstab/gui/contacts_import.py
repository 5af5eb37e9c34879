"""The contacts import: choose a CSV/XLSX file, see the dry run, then take it over.

All or nothing: the dialog always runs a dry run first and lists every
problem with line, column and reason; „Übernehmen“ is enabled only when the
file has none. The file is read once, so what is stored is exactly what the
dry run showed. Both runs happen in a worker thread.

The file chooser sits behind `choose_import_file`, which tests replace.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from krisenstab.gui import workers
from krisenstab.gui.shared import Shared
from krisenstab.services.contacts import ContactService, ImportReport

# A broken file can have thousands of problems; the first ones are enough to
# fix it, the count says how many there are.
MAX_LISTED = 2000


def choose_import_file(parent: QWidget | None) -> Path | None:
    """Ask for the file to import (the seam tests replace)."""
    name, _filter = QFileDialog.getOpenFileName(
        parent,
        parent.tr("Kontakte importieren") if parent else "Kontakte importieren",
        "",
        "Tabellen (*.csv *.txt *.xlsx *.xlsm);;Alle Dateien (*)",
    )
    return Path(name) if name else None


class ContactImportDialog(QDialog):
    """Dry run, error list (line/column/reason), then all-or-nothing import."""

    # The import was stored; the argument is the report.
    imported = Signal(object)
    # A run (dry or real) finished; for tests and the status line.
    run_finished = Signal(object)

    def __init__(self, shared: Shared, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("contactImportDialog")
        self.setWindowTitle(self.tr("Kontakte importieren"))
        self.shared = shared
        self.path: Path | None = None
        self._data: bytes | None = None
        self.report: ImportReport | None = None
        self._worker: workers.Worker | None = None

        self.file_edit = QLineEdit(self)
        self.file_edit.setReadOnly(True)
        self.file_edit.setPlaceholderText(self.tr("Keine Datei gewählt"))
        self.file_edit.setAccessibleName(self.tr("Importdatei"))
        self.choose_button = QPushButton(self.tr("&Datei wählen …"), self)
        self.choose_button.clicked.connect(self.choose)
        file_row = QHBoxLayout()
        file_row.addWidget(self.file_edit, 1)
        file_row.addWidget(self.choose_button)

        self.summary_label = QLabel(self)
        self.summary_label.setObjectName("importSummary")
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextFormat(Qt.TextFormat.PlainText)
        self.details_label = QLabel(self)
        self.details_label.setObjectName("importDetails")
        self.details_label.setWordWrap(True)
        self.details_label.setTextFormat(Qt.TextFormat.PlainText)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)
        self.progress.hide()

        self.errors_table = self._make_table(
            [self.tr("Zeile"), self.tr("Spalte"), self.tr("Grund")], "importErrors"
        )
        self.lines_table = self._make_table(
            [self.tr("Zeile"), self.tr("Aktion"), self.tr("Zuständigkeit")], "importLines"
        )
        self.pages = QTabWidget(self)
        self.pages.addTab(self.errors_table, self.tr("Fehler"))
        self.pages.addTab(self.lines_table, self.tr("Zeilen"))

        self.buttons = QDialogButtonBox(self)
        self.apply_button = self.buttons.addButton(
            self.tr("Ü&bernehmen"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.apply_button.setEnabled(False)
        self.apply_button.setToolTip(
            self.tr("Erst möglich, wenn der Probelauf keine Fehler gefunden hat")
        )
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.close_button.setText(self.tr("Schließen"))
        self.apply_button.clicked.connect(self.apply)
        self.close_button.clicked.connect(self.reject)

        intro = QLabel(
            self.tr(
                "CSV (Semikolon oder Komma; UTF-8, Windows-1252 oder ISO-8859-1) oder XLSX. "
                "Spalten: Zuständigkeit (Pflicht), Schlüssel, Gemeinde, Organisation, Funktion, "
                "Ansprechpartner, Telefon, 24/7, Mobil, E-Mail, Vertretung … "
                "Vorhandene Einträge werden aktualisiert. Mit einem einzigen Fehler wird nichts "
                "übernommen."
            ),
            self,
        )
        intro.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(file_row)
        layout.addWidget(self.progress)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.details_label)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.buttons)
        line = self.fontMetrics().lineSpacing()
        self.resize(line * 50, line * 28)

    def _make_table(self, headers: list[str], name: str) -> QTableWidget:
        table = QTableWidget(0, len(headers), self)
        table.setObjectName(name)
        table.setHorizontalHeaderLabels(headers)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.verticalHeader().hide()
        table.setWordWrap(False)
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        return table

    # -- steps ---------------------------------------------------------------------
    def choose(self) -> bool:
        path = choose_import_file(self)
        if path is None:
            return False
        return self.load(path)

    def load(self, path: Path) -> bool:
        """Read ``path`` and start the dry run."""
        try:
            data = path.read_bytes()
        except OSError as exc:
            self._show_failure(self.tr("Die Datei kann nicht gelesen werden: {0}").format(exc))
            return False
        self.path = path
        self._data = data
        self.file_edit.setText(str(path))
        self._run(dry_run=True)
        return True

    def apply(self) -> None:
        if self.report is None or not self.report.ok or self._data is None:
            return
        self._run(dry_run=False)

    @property
    def busy(self) -> bool:
        return self._worker is not None

    def _run(self, *, dry_run: bool) -> None:
        data, name = self._data, self.path.name if self.path else None
        db, actor = self.shared.db, self.shared.actor

        def job(_progress: workers.Progress) -> ImportReport:
            # Its own service (and sessions) in the worker thread.
            return ContactService(db, actor).import_file(data, filename=name, dry_run=dry_run)

        self.report = None
        self.apply_button.setEnabled(False)
        self.choose_button.setEnabled(False)
        self.progress.show()
        self.summary_label.setText(
            self.tr("Probelauf läuft …") if dry_run else self.tr("Import läuft …")
        )
        worker = workers.Worker(job, name="contact-import")
        worker.signals.finished.connect(self._on_finished)
        worker.signals.failed.connect(self._show_failure)
        worker.signals.done.connect(self._on_done)
        self._worker = worker
        workers.start(worker)

    def _on_done(self) -> None:
        self._worker = None
        self.progress.hide()
        self.choose_button.setEnabled(True)

    def _show_failure(self, text: str) -> None:
        self.report = None
        self.apply_button.setEnabled(False)
        self.summary_label.setText(self.tr("Import nicht möglich: {0}").format(text))
        self.summary_label.setStyleSheet("QLabel#importSummary { color: #7A1010; }")
        self.run_finished.emit(None)

    def _on_finished(self, report: ImportReport) -> None:
        self.report = report
        self.summary_label.setText(report.summary())
        colour = "#7A1010" if report.errors else "#1B5E20"
        self.summary_label.setStyleSheet(f"QLabel#importSummary {{ color: {colour}; }}")
        details = [
            self.tr("Format: {0}").format(report.format.upper()),
        ]
        if report.encoding:
            details.append(self.tr("Zeichensatz: {0}").format(report.encoding))
        if report.delimiter:
            shown = {";": "Semikolon", ",": "Komma", "\t": "Tabulator"}.get(
                report.delimiter, report.delimiter
            )
            details.append(self.tr("Trennzeichen: {0}").format(shown))
        if report.unknown_columns:
            details.append(
                self.tr("Nicht verwendete Spalten: {0}").format(", ".join(report.unknown_columns))
            )
        self.details_label.setText(" · ".join(details))
        self._fill(
            self.errors_table,
            [(str(e.line), e.column or "–", e.reason) for e in report.errors],
        )
        self._fill(self.lines_table, [(str(n), a, s) for n, a, s in report.lines])
        self.pages.setTabText(0, self.tr("Fehler ({0})").format(len(report.errors)))
        self.pages.setTabText(1, self.tr("Zeilen ({0})").format(len(report.lines)))
        self.pages.setCurrentIndex(0 if report.errors else 1)
        can_apply = report.dry_run and report.ok and report.record_count > 0
        self.apply_button.setEnabled(can_apply)
        if can_apply:
            self.apply_button.setDefault(True)
        if report.applied:
            self.imported.emit(report)
        self.run_finished.emit(report)

    def _fill(self, table: QTableWidget, rows: list[tuple[str, str, str]]) -> None:
        shown = rows[:MAX_LISTED]
        table.setRowCount(len(shown) + (1 if len(rows) > MAX_LISTED else 0))
        for r, values in enumerate(shown):
            for c, value in enumerate(values):
                table.setItem(r, c, QTableWidgetItem(value))
        if len(rows) > MAX_LISTED:
            more = QTableWidgetItem(self.tr("… und {0} weitere").format(len(rows) - MAX_LISTED))
            table.setItem(len(shown), 2, more)

    def reject(self) -> None:
        if self._worker is not None:
            # A running import finishes by itself (all or nothing); the dialog
            # stays until then so its result is not lost.
            return
        super().reject()
