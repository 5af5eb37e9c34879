"""The scenario editor (Drehbuch): inject table, timeline, file import/export, checks, saving.

The table holds every inject as the strings of the MSEL columns. Checking
writes these rows into an in-memory CSV and reads it back with the file
import (`read_scenario`), so the editor applies exactly the rules of a file
import – German messages, every error at once, nothing stored while one
remains – and reports them by the table row (Zeile) they belong to.

Saving stores the scenario with `ExerciseService.install_scenario` (until the
exercise has started; afterwards the Übungsleitung adds ad-hoc injects in
the console instead).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QBrush, QCloseEvent, QColor, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from krisenstab.exchange.tabular import RowError, TableFormatError, write_csv
from krisenstab.exercise.msel import (
    GERMAN_HEADERS,
    ScenarioReadResult,
    read_scenario,
    scenario_rows,
)
from krisenstab.exercise.scenario import CHANNELS, Scenario, parse_priority
from krisenstab.exercise.times import (
    ScenarioTimeError,
    format_offset,
    parse_offset,
    parse_start,
)
from krisenstab.gui import dialogs, exercise_files
from krisenstab.gui.exercise_timeline import ScenarioTimeline, TimelineMarker
from krisenstab.gui.widgets import ExerciseBanner, MessageBar
from krisenstab.services.context import ServiceError
from krisenstab.services.exercise import ExerciseService, ImportReport
from krisenstab.store.errors import StoreError

_ModelIndex = QModelIndex | QPersistentModelIndex

# The editable columns: the MSEL columns without title and start (own fields).
EDIT_HEADERS: tuple[str, ...] = GERMAN_HEADERS[:14]
COL_NUMBER, COL_TIME, COL_FROM, COL_TO, COL_CHANNEL, COL_PRIORITY, COL_CONTENT = range(7)
COL_EXPECTED, COL_OBJECTIVE, COL_NOTE, COL_CONTINGENCY, COL_DEADLINE = range(7, 12)
COL_STORYLINE, COL_EFFECTS = 12, 13
LONG_COLUMNS = (COL_CONTENT, COL_EXPECTED, COL_NOTE)
PRIORITY_LABELS = ("Einfach", "Sofort", "Blitz")
ERROR_BACKGROUND = "#F8D3D1"
CELL_CHARS = 120


def _normalise(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


class ScenarioEditModel(QAbstractTableModel):
    """The injects of the editor as editable strings, one row per inject."""

    changed = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[list[str]] = []
        self._errors: dict[int, list[str]] = {}

    # -- contents ------------------------------------------------------------------
    def set_scenario(self, scenario: Scenario | None) -> None:
        self.beginResetModel()
        self._rows = []
        if scenario is not None:
            for values in scenario_rows(scenario):
                self._rows.append(
                    ["" if v is None else _normalise(str(v)) for v in values[: len(EDIT_HEADERS)]]
                )
        self._errors = {}
        self.endResetModel()
        self.changed.emit()

    def rows(self) -> list[list[str]]:
        return [list(r) for r in self._rows]

    def value(self, row: int, column: int) -> str:
        return self._rows[row][column]

    def set_value(self, row: int, column: int, text: str) -> None:
        self.setData(self.index(row, column), text)

    def next_number(self) -> int:
        numbers = [int(r[COL_NUMBER]) for r in self._rows if r[COL_NUMBER].strip().isdigit()]
        return max(numbers, default=0) + 1

    def add_row(self, after: int | None = None, values: Sequence[str] | None = None) -> int:
        """A new inject below ``after`` (at the end when None); returns its row."""
        row = len(self._rows) if after is None else min(after + 1, len(self._rows))
        if values is None:
            previous = self._rows[row - 1] if row > 0 else None
            new = [""] * len(EDIT_HEADERS)
            new[COL_NUMBER] = str(self.next_number())
            new[COL_TIME] = previous[COL_TIME] if previous else "T+00:00"
            new[COL_CHANNEL] = "Telefon"
            new[COL_PRIORITY] = "Einfach"
            if previous:
                new[COL_STORYLINE] = previous[COL_STORYLINE]
        else:
            new = [_normalise(str(v)) for v in values][: len(EDIT_HEADERS)]
            new += [""] * (len(EDIT_HEADERS) - len(new))
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.insert(row, new)
        self.endInsertRows()
        self._errors = {}
        self.changed.emit()
        return row

    def remove_rows(self, rows: Sequence[int]) -> None:
        for row in sorted(set(rows), reverse=True):
            if 0 <= row < len(self._rows):
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._rows[row]
                self.endRemoveRows()
        self._errors = {}
        self.changed.emit()

    def row_of_number(self, number: int) -> int:
        for row, values in enumerate(self._rows):
            if values[COL_NUMBER].strip() == str(number):
                return row
        return -1

    def set_errors(self, errors: dict[int, list[str]]) -> None:
        self._errors = dict(errors)
        if self._rows:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._rows) - 1, len(EDIT_HEADERS) - 1)
            )

    def errors(self) -> dict[int, list[str]]:
        return dict(self._errors)

    # -- checking ----------------------------------------------------------------------
    def as_csv(self, title: str, start_label: str) -> tuple[bytes, dict[int, int]]:
        """The rows as an MSEL file, and which file line each row starts at."""
        out = io.BytesIO()
        lines: dict[int, int] = {}
        line = 2  # the header is line 1
        rows: list[list[str]] = []
        for index, values in enumerate(self._rows):
            lines[line] = index
            line += 1 + sum(v.count("\n") for v in values)
            first = index == 0
            rows.append([*list(values), title if first else "", start_label if first else ""])
        write_csv(out, GERMAN_HEADERS, rows)
        return out.getvalue(), lines

    def markers(self, start_label: str) -> list[TimelineMarker]:
        """The rows that can be placed, for the timeline (unreadable rows are left out)."""
        try:
            start = parse_start(start_label)
        except ScenarioTimeError:
            start = None
        markers = []
        for values in self._rows:
            number = values[COL_NUMBER].strip()
            if not number.isdigit():
                continue
            try:
                offset = parse_offset(values[COL_TIME], start)
            except ScenarioTimeError:
                continue
            try:
                priority = parse_priority(values[COL_PRIORITY] or "einfach").value
            except ValueError:
                priority = "einfach"
            contingency = values[COL_CONTINGENCY].strip().lstrip("Nr. ").strip()
            content = " ".join(values[COL_CONTENT].split())
            markers.append(
                TimelineMarker(
                    int(number),
                    float(offset),
                    values[COL_STORYLINE].strip() or None,
                    priority,
                    int(contingency) if contingency.isdigit() else None,
                    None,
                    f"Nr. {number} – {format_offset(offset)} – an {values[COL_TO]}\n"
                    f"{content[:300]}",
                )
            )
        return markers

    # -- Qt ------------------------------------------------------------------------
    def rowCount(self, parent: _ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(EDIT_HEADERS)

    def flags(self, index: _ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemIsEditable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return EDIT_HEADERS[section] if 0 <= section < len(EDIT_HEADERS) else None
        return str(section + 1) if 0 <= section < len(self._rows) else None

    def data(self, index: _ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        if not (0 <= row < len(self._rows) and 0 <= col < len(EDIT_HEADERS)):
            return None
        text = self._rows[row][col]
        if role == Qt.ItemDataRole.DisplayRole:
            flat = " ".join(text.split())
            return flat if len(flat) <= CELL_CHARS else flat[: CELL_CHARS - 1] + "…"
        if role == Qt.ItemDataRole.EditRole:
            return text
        if role == Qt.ItemDataRole.ToolTipRole:
            problems = self._errors.get(row)
            if problems:
                return "\n".join(problems)
            return text if len(text) > 40 else None
        if role == Qt.ItemDataRole.BackgroundRole and row in self._errors:
            return QBrush(QColor(ERROR_BACKGROUND))
        return None

    def setData(self, index: _ModelIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        row, col = index.row(), index.column()
        if not (0 <= row < len(self._rows) and 0 <= col < len(EDIT_HEADERS)):
            return False
        text = _normalise("" if value is None else str(value))
        if col not in LONG_COLUMNS:
            text = " ".join(text.split())
        if self._rows[row][col] == text:
            return True
        self._rows[row][col] = text
        self.dataChanged.emit(index, index)
        self.changed.emit()
        return True


class _ChoiceDelegate(QStyledItemDelegate):
    """An editable combo box for Kanal and Vorrang (any other value may still be typed)."""

    def __init__(self, choices: Sequence[str], parent: Any = None) -> None:
        super().__init__(parent)
        self.choices = list(choices)

    def createEditor(
        self, parent: QWidget, option: QStyleOptionViewItem, index: _ModelIndex
    ) -> QWidget:
        combo = QComboBox(parent)
        combo.setEditable(True)
        combo.addItems(self.choices)
        return combo

    def setEditorData(self, editor: QWidget, index: _ModelIndex) -> None:
        if isinstance(editor, QComboBox):
            editor.setCurrentText(str(index.data(Qt.ItemDataRole.EditRole) or ""))

    def setModelData(self, editor: QWidget, model: Any, index: _ModelIndex) -> None:
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentText(), Qt.ItemDataRole.EditRole)


class ScenarioEditor(QWidget):
    """Title, start, the inject table with its timeline, and the long texts of one inject."""

    saved = Signal(object)  # ImportReport

    def __init__(self, shared: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scenarioEditor")
        self.shared = shared
        self.service = ExerciseService(shared.db, shared.actor)
        self.dirty = False
        self.last_result: ScenarioReadResult | None = None
        self._loading = False
        self.model = ScenarioEditModel(self)

        self.title_edit = QLineEdit(self)
        self.title_edit.setObjectName("scenarioTitle")
        self.title_edit.setMaxLength(200)
        self.title_edit.setPlaceholderText(self.tr("z. B. Hochwasser an der Rur"))
        self.start_edit = QLineEdit(self)
        self.start_edit.setObjectName("scenarioStart")
        self.start_edit.setMaxLength(60)
        self.start_edit.setPlaceholderText(self.tr("z. B. Samstag 03:00"))
        self.start_edit.setToolTip(
            self.tr("Szenariobeginn: „Samstag 03:00“, „Sa 03:00“ oder „14.11.2026 03:00“")
        )
        self.summary_label = QLabel(self)
        self.summary_label.setObjectName("scenarioSummary")

        self.add_button = QPushButton(self.tr("Einlage &hinzufügen"), self)
        self.remove_button = QPushButton(self.tr("Einlage &entfernen"), self)
        self.import_button = QPushButton(self.tr("Datei &einlesen …"), self)
        self.demo_button = QPushButton(self.tr("&Demo-Drehbuch"), self)
        self.demo_button.setToolTip(self.tr("Das Demo-Szenario „Hochwasser an der Rur“ laden"))
        self.export_button = QPushButton(self.tr("E&xportieren …"), self)
        self.check_button = QPushButton(self.tr("&Prüfen"), self)
        self.save_button = QPushButton(self.tr("In die Übung &übernehmen"), self)
        self.save_button.setObjectName("scenarioSave")
        self.save_button.setDefault(True)
        self.add_button.clicked.connect(self.add_inject)
        self.remove_button.clicked.connect(self.remove_selected)
        self.import_button.clicked.connect(self.choose_and_import)
        self.demo_button.clicked.connect(self.load_demo)
        self.export_button.clicked.connect(self.choose_and_export)
        self.check_button.clicked.connect(self.check)
        self.save_button.clicked.connect(self.save)

        self.message = MessageBar(self)
        self.error_list = QListWidget(self)
        self.error_list.setObjectName("scenarioErrors")
        self.error_list.itemActivated.connect(self._error_activated)
        self.error_list.itemClicked.connect(self._error_activated)
        self.error_list.hide()

        self.timeline = ScenarioTimeline(self)
        self.timeline.marker_clicked.connect(self.select_number)
        timeline_scroll = QScrollArea(self)
        timeline_scroll.setWidget(self.timeline)
        timeline_scroll.setWidgetResizable(True)
        timeline_scroll.setFrameShape(QScrollArea.Shape.StyledPanel)
        timeline_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        self.table = QTableView(self)
        self.table.setObjectName("scenarioTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.setItemDelegateForColumn(COL_CHANNEL, _ChoiceDelegate(CHANNELS, self.table))
        self.table.setItemDelegateForColumn(
            COL_PRIORITY, _ChoiceDelegate(PRIORITY_LABELS, self.table)
        )
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        em = self.fontMetrics().horizontalAdvance("M")
        widths = {
            COL_NUMBER: 4,
            COL_TIME: 6,
            COL_FROM: 14,
            COL_TO: 10,
            COL_CHANNEL: 7,
            COL_PRIORITY: 6,
            COL_CONTENT: 26,
            COL_EXPECTED: 16,
            COL_OBJECTIVE: 14,
            COL_NOTE: 15,
            COL_CONTINGENCY: 9,
            COL_DEADLINE: 6,
            COL_STORYLINE: 12,
            COL_EFFECTS: 16,
        }
        for column, width in widths.items():
            self.table.setColumnWidth(column, width * em)
        self.table.selectionModel().currentRowChanged.connect(self._current_row_changed)

        self.content_edit = QPlainTextEdit(self)
        self.content_edit.setObjectName("injectContent")
        self.expected_edit = QPlainTextEdit(self)
        self.expected_edit.setObjectName("injectExpected")
        self.note_edit = QPlainTextEdit(self)
        self.note_edit.setObjectName("injectNote")
        self.note_edit.setToolTip(self.tr("Nur für die Übungsleitung; Spieler sehen ihn nie."))
        self._long_edits = {
            COL_CONTENT: self.content_edit,
            COL_EXPECTED: self.expected_edit,
            COL_NOTE: self.note_edit,
        }
        for column, edit in self._long_edits.items():
            edit.setTabChangesFocus(True)
            edit.textChanged.connect(lambda c=column: self._long_text_changed(c))
        self.detail_label = QLabel(self)
        detail = QWidget(self)
        grid = QGridLayout(detail)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.detail_label, 0, 0, 1, 3)
        for col, (label, edit) in enumerate(
            (
                (self.tr("Inhalt (so erhalten ihn die Spieler)"), self.content_edit),
                (self.tr("Erwartete Reaktion"), self.expected_edit),
                (self.tr("Hinweis Übungsleitung (nur hier sichtbar)"), self.note_edit),
            )
        ):
            caption = QLabel(label, detail)
            caption.setBuddy(edit)
            grid.addWidget(caption, 1, col)
            grid.addWidget(edit, 2, col)
            grid.setColumnStretch(col, 2 if col == 0 else 1)

        form = QFormLayout()
        form.addRow(self.tr("&Titel:"), self.title_edit)
        form.addRow(self.tr("Übungs&beginn:"), self.start_edit)
        top = QHBoxLayout()
        top.addLayout(form, 2)
        top.addWidget(self.summary_label, 1)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addSpacing(em)
        for button in (self.import_button, self.demo_button, self.export_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.check_button)
        buttons.addWidget(self.save_button)

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.setObjectName("scenarioSplitter")
        splitter.addWidget(timeline_scroll)
        splitter.addWidget(self.table)
        splitter.addWidget(detail)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setStretchFactor(2, 1)
        self.splitter = splitter

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addWidget(self.error_list)
        layout.addWidget(splitter, 1)

        self.model.changed.connect(self._model_changed)
        self.title_edit.textEdited.connect(lambda _t: self._mark_dirty())
        self.start_edit.textEdited.connect(lambda _t: self._start_changed())

        delete = QAction(self.tr("Einlage entfernen"), self)
        delete.setShortcut(QKeySequence("Ctrl+Del"))
        delete.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        delete.triggered.connect(self.remove_selected)
        self.addAction(delete)
        add = QAction(self.tr("Einlage hinzufügen"), self)
        add.setShortcut(QKeySequence("Ctrl+N"))
        add.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        add.triggered.connect(self.add_inject)
        self.addAction(add)
        self._show_detail(-1)

    # -- loading ----------------------------------------------------------------------
    def load_from_exercise(self) -> bool:
        """The scenario stored in the exercise (False when there is none yet)."""
        try:
            scenario = self.service.scenario(self.shared.actor)
        except (ServiceError, StoreError):
            self.load_scenario(None)
            return False
        self.load_scenario(scenario)
        return True

    def load_scenario(self, scenario: Scenario | None, *, dirty: bool = False) -> None:
        self._loading = True
        self.title_edit.setText(scenario.title if scenario else "")
        self.start_edit.setText(scenario.start_label if scenario else "Samstag 08:00")
        self.model.set_scenario(scenario)
        self._loading = False
        self.dirty = dirty
        self._clear_errors()
        self._refresh_timeline()
        if self.model.rowCount():
            self.select_row(0)

    def load_demo(self) -> bool:
        from krisenstab.services.exercise_demo import demo_scenario_path

        return self.import_file(str(demo_scenario_path()))

    def choose_and_import(self) -> bool:
        path = exercise_files.choose_scenario_file(self)
        return self.import_file(path) if path else False

    def import_file(self, path: str) -> bool:
        """Read a CSV/XLSX scenario into the editor (all or nothing); not yet saved."""
        if self.dirty and not dialogs.confirm(
            self,
            self.tr("ÜBUNG – Drehbuch einlesen"),
            self.tr("Die Änderungen im Editor gehen verloren. Trotzdem einlesen?"),
        ):
            return False
        try:
            result = self.service.read_scenario_file(path)
        except (TableFormatError, OSError, ValueError) as exc:
            self.message.show_error(self.tr("Die Datei kann nicht gelesen werden: {0}").format(exc))
            return False
        self.last_result = result
        if not result.ok or result.scenario is None:
            self._show_errors(
                self.tr(
                    "Die Datei enthält {0} Fehler; es wurde nichts übernommen "
                    "(Zeilennummern der Datei):"
                ).format(len(result.errors)),
                [(str(e), None) for e in result.errors],
            )
            return False
        self.load_scenario(result.scenario, dirty=True)
        note = self.tr("{0} Einlagen aus {1} eingelesen – noch nicht gespeichert.").format(
            len(result.scenario.injects), result.scenario.source_name or path
        )
        if result.warnings:
            note += "\n" + "\n".join(result.warnings)
        self.message.show_message(note, "warning" if result.warnings else "info")
        return True

    # -- editing -----------------------------------------------------------------------
    def add_inject(self) -> int:
        current = self.table.currentIndex()
        row = self.model.add_row(current.row() if current.isValid() else None)
        self.select_row(row)
        self.table.setFocus()
        return row

    def remove_selected(self) -> int:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        if not rows and self.table.currentIndex().isValid():
            rows = [self.table.currentIndex().row()]
        if not rows:
            return 0
        self.model.remove_rows(rows)
        if self.model.rowCount():
            self.select_row(min(rows[0], self.model.rowCount() - 1))
        else:
            self._show_detail(-1)
        return len(rows)

    def select_row(self, row: int) -> None:
        if not 0 <= row < self.model.rowCount():
            return
        index = self.model.index(row, COL_NUMBER)
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(index)

    def select_number(self, number: int) -> None:
        self.select_row(self.model.row_of_number(number))

    def _current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_detail(current.row() if current.isValid() else -1)

    def _show_detail(self, row: int) -> None:
        self._loading = True
        valid = 0 <= row < self.model.rowCount()
        for column, edit in self._long_edits.items():
            edit.setEnabled(valid)
            edit.setPlainText(self.model.value(row, column) if valid else "")
        if valid:
            number = self.model.value(row, COL_NUMBER)
            self.detail_label.setText(
                self.tr("<b>Zeile {0} – Einlage Nr. {1}</b>, {2}, an {3}").format(
                    row + 1,
                    number or "?",
                    self.model.value(row, COL_TIME) or "?",
                    self.model.value(row, COL_TO) or "?",
                )
            )
            self.timeline.set_selected(int(number) if number.isdigit() else None)
        else:
            self.detail_label.setText(self.tr("Keine Einlage gewählt."))
        self._loading = False

    def _long_text_changed(self, column: int) -> None:
        if self._loading:
            return
        row = self.table.currentIndex().row()
        if 0 <= row < self.model.rowCount():
            self.model.set_value(row, column, self._long_edits[column].toPlainText())

    def _mark_dirty(self) -> None:
        if not self._loading:
            self.dirty = True

    def _start_changed(self) -> None:
        self._mark_dirty()
        self._refresh_timeline()

    def _model_changed(self) -> None:
        self._mark_dirty()
        self._refresh_timeline()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self._fit_splitter()

    def _fit_splitter(self) -> None:
        """The timeline as tall as its storylines need (up to half the editor)."""
        total = sum(self.splitter.sizes())
        if total <= 0:
            return
        wanted = min(self.timeline.sizeHint().height() + 6, total // 2)
        detail = min(max(self.fontMetrics().height() * 7, total // 5), total // 3)
        self.splitter.setSizes([wanted, max(50, total - wanted - detail), detail])

    def _refresh_timeline(self) -> None:
        markers = self.model.markers(self.start_edit.text())
        rows_before = len(self.timeline.rows())
        self.timeline.set_markers(markers)
        if len(self.timeline.rows()) != rows_before and self.isVisible():
            self._fit_splitter()
        end = max((m.offset_s for m in markers), default=0)
        storylines = len(self.timeline.rows())
        self.summary_label.setText(
            self.tr("{0} Einlagen · {1} Handlungsstränge · bis {2}").format(
                self.model.rowCount(), storylines, format_offset(end)
            )
        )

    # -- checking and saving ------------------------------------------------------------------
    def _clear_errors(self) -> None:
        self.model.set_errors({})
        self.error_list.clear()
        self.error_list.hide()
        self.message.dismiss()

    def _show_errors(self, headline: str, items: list[tuple[str, int | None]]) -> None:
        self.message.show_error(headline)
        self.error_list.clear()
        for text, row in items[:500]:
            item = QListWidgetItem(text, self.error_list)
            item.setData(Qt.ItemDataRole.UserRole, row)
        self.error_list.setMaximumHeight(self.fontMetrics().height() * 7)
        self.error_list.show()

    def _error_activated(self, item: QListWidgetItem) -> None:
        row = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(row, int):
            self.select_row(row)
            self.table.setFocus()

    def _row_error_text(self, error: RowError, row: int | None) -> str:
        if row is None:
            return str(error)
        number = self.model.value(row, COL_NUMBER) or "?"
        where = self.tr("Zeile {0} (Nr. {1})").format(row + 1, number)
        if error.column:
            return self.tr("{0}, Spalte „{1}“: {2}").format(where, error.column, error.reason)
        return f"{where}: {error.reason}"

    def check(self) -> Scenario | None:
        """The scenario in the table, checked by the rules of the file import; None on errors."""
        self._clear_errors()
        if not self.model.rowCount():
            self.message.show_error(self.tr("Das Drehbuch enthält keine Einlagen."))
            return None
        title = " ".join(self.title_edit.text().split())
        start = " ".join(self.start_edit.text().split())
        if not title:
            self.message.show_error(self.tr("Bitte einen Titel für das Drehbuch angeben."))
            self.title_edit.setFocus()
            return None
        try:
            parse_start(start)
        except ScenarioTimeError as exc:
            self.message.show_error(self.tr("Übungsbeginn: {0}").format(exc))
            self.start_edit.setFocus()
            return None
        payload, lines = self.model.as_csv(title, start)
        try:
            result = read_scenario(payload, filename="Editor.csv", title=title, start_label=start)
        except TableFormatError as exc:
            self.message.show_error(str(exc))
            return None
        self.last_result = result
        if result.ok and result.scenario is not None:
            self.message.show_message(
                self.tr("Geprüft: {0} Einlagen, keine Fehler.").format(
                    len(result.scenario.injects)
                ),
                "info",
            )
            return result.scenario
        by_row: dict[int, list[str]] = {}
        items: list[tuple[str, int | None]] = []
        for error in result.errors:
            row = lines.get(error.line)
            text = self._row_error_text(error, row)
            items.append((text, row))
            if row is not None:
                by_row.setdefault(row, []).append(text)
        self.model.set_errors(by_row)
        self._show_errors(
            self.tr("Das Drehbuch enthält {0} Fehler; es wurde nichts gespeichert:").format(
                len(result.errors)
            ),
            items,
        )
        first = next((row for _t, row in items if row is not None), None)
        if first is not None:
            self.select_row(first)
        return None

    def save(self) -> ImportReport | None:
        """Check and store the scenario in the exercise (replaces the one there)."""
        scenario = self.check()
        if scenario is None:
            return None
        try:
            report = self.service.install_scenario(scenario, actor=self.shared.actor)
        except (ServiceError, StoreError) as exc:
            self.message.show_error(str(exc))
            return None
        self.dirty = False
        text = self.tr("Drehbuch „{0}“ mit {1} Einlagen in die Übung übernommen.").format(
            scenario.title, report.injects
        )
        if report.warnings:
            text += "\n" + "\n".join(report.warnings[:10])
        self.message.show_message(text, "warning" if report.warnings else "info")
        self.shared.signals.status_message.emit(text.split("\n")[0])
        self.saved.emit(report)
        return report

    def choose_and_export(self) -> str | None:
        scenario = self.check()
        if scenario is None:
            return None
        suggested = exercise_files.suggested_name(f"Drehbuch {scenario.title}", ".csv")
        path = exercise_files.choose_scenario_target(self, suggested)
        if not path:
            return None
        return path if self.export_to(path, scenario) else None

    def export_to(self, path: str, scenario: Scenario | None = None) -> bool:
        from krisenstab.exercise.msel import write_scenario

        scenario = scenario or self.check()
        if scenario is None:
            return False
        try:
            count = write_scenario(path, scenario)
        except (OSError, ValueError) as exc:
            self.message.show_error(self.tr("Export fehlgeschlagen: {0}").format(exc))
            return False
        self.message.show_message(
            self.tr("{0} Einlagen nach {1} exportiert.").format(count, path), "info"
        )
        return True

    def unsaved_work(self) -> str | None:
        return self.tr("Das Drehbuch im Editor ist nicht gespeichert.") if self.dirty else None


class ScenarioEditorDialog(QDialog):
    """The editor in its own window (non-modal: the console stays usable)."""

    def __init__(self, shared: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scenarioEditorDialog")
        self.setWindowTitle(self.tr("ÜBUNG – Drehbuch bearbeiten"))
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.banner = ExerciseBanner(self)
        self.banner.setText(self.tr("ÜBUNG – Drehbuch"))
        self.editor = ScenarioEditor(shared, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(self.editor, 1)
        self.resize(1280, 720)

    def closeEvent(self, event: QCloseEvent) -> None:
        note = self.editor.unsaved_work()
        if note and not dialogs.confirm(
            self, self.tr("ÜBUNG – Drehbuch"), self.tr("{0}\n\nTrotzdem schließen?").format(note)
        ):
            event.ignore()
            return
        event.accept()

    def reject(self) -> None:
        # Escape goes through the same question as the close button.
        self.close()


__all__ = [
    "EDIT_HEADERS",
    "ScenarioEditModel",
    "ScenarioEditor",
    "ScenarioEditorDialog",
]
