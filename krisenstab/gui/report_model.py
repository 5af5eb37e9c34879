"""Table models of the Lage tab: the reports of an incident, and the ETB entries to choose from."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import IntEnum
from typing import Any, Protocol

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont

from krisenstab.domain.timefmt import format_dtg, format_local
from krisenstab.services.reports import ReportView

REPORT_ROLE = Qt.ItemDataRole.UserRole + 1
ENTRY_NUMBER_ROLE = Qt.ItemDataRole.UserRole + 2
ENTRY_TEXT_ROLE = Qt.ItemDataRole.UserRole + 3
# Rows handed to the view at a time: a period can hold thousands of entries.
FETCH_BATCH = 200
TEXT_CHARS = 240

_Index = QModelIndex | QPersistentModelIndex


def _tr(text: str) -> str:
    return QCoreApplication.translate("ReportModels", text)


class ReportColumn(IntEnum):
    NUMBER = 0
    KIND = 1
    STATUS = 2
    RELEASED_AT = 3
    RELEASED_BY = 4


_REPORT_HEADERS = {
    ReportColumn.NUMBER: "Nr.",
    ReportColumn.KIND: "Art",
    ReportColumn.STATUS: "Status",
    ReportColumn.RELEASED_AT: "Freigegeben",
    ReportColumn.RELEASED_BY: "durch",
}


class ReportListModel(QAbstractTableModel):
    """The reports of one incident, newest first (the draft, if any, on top)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[ReportView] = []

    def set_reports(self, reports: Iterable[ReportView]) -> None:
        self.beginResetModel()
        self._rows = sorted(reports, key=lambda r: r.number, reverse=True)
        self.endResetModel()

    def report(self, row: int) -> ReportView | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, number: int) -> int | None:
        for row, report in enumerate(self._rows):
            if report.number == number:
                return row
        return None

    @property
    def reports(self) -> list[ReportView]:
        return list(self._rows)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(ReportColumn)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(ReportColumn)
        ):
            return _tr(_REPORT_HEADERS[ReportColumn(section)])
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        report = self._rows[index.row()]
        column = ReportColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(report, column)
        if role == REPORT_ROLE:
            return report
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(report)
        if role == Qt.ItemDataRole.FontRole and report.is_draft:
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and column == ReportColumn.NUMBER:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{self._display(report, column)}"
        return None

    @staticmethod
    def _display(report: ReportView, column: ReportColumn) -> str:
        if column == ReportColumn.NUMBER:
            return str(report.number)
        if column == ReportColumn.KIND:
            return report.kind
        if column == ReportColumn.STATUS:
            return _tr("freigegeben") if report.is_released else _tr("Entwurf")
        if column == ReportColumn.RELEASED_AT:
            return format_dtg(report.released_at) if report.released_at else "—"
        # The function is in the tooltip: the list is narrow.
        return report.released_by or "—"

    @staticmethod
    def _tooltip(report: ReportView) -> str:
        lines = [report.title]
        lines.append(
            _tr("erstellt von {0} ({1})").format(report.prepared_by, report.prepared_function)
        )
        if report.released_at:
            lines.append(
                _tr("freigegeben {0} durch {1} ({2})").format(
                    format_local(report.released_at),
                    report.released_by or "",
                    report.released_function or "",
                )
            )
        else:
            lines.append(
                _tr("Entwurf, zuletzt geändert {0}").format(format_local(report.updated_at))
            )
        if report.classification:
            lines.append(report.classification)
        return "\n".join(lines)


class EntryLike(Protocol):
    """What the choice list reads of an entry (EntryView and the frozen EntryLine)."""

    number: int
    recorded_at: Any
    function: str
    author: str
    kind: str
    text: str
    corrected_by: tuple[int, ...]


class EntryColumn(IntEnum):
    CHOSEN = 0
    NUMBER = 1
    TIME = 2
    FUNCTION = 3
    KIND = 4
    TEXT = 5


_ENTRY_HEADERS = {
    EntryColumn.CHOSEN: "Bedeutsam",
    EntryColumn.NUMBER: "Nr.",
    EntryColumn.TIME: "Zeit",
    EntryColumn.FUNCTION: "Funktion",
    EntryColumn.KIND: "Art",
    EntryColumn.TEXT: "Text",
}


def _one_line(text: str, limit: int = TEXT_CHARS) -> str:
    flat = " ".join(text[: limit * 2].split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class EntryChoiceModel(QAbstractTableModel):
    """ETB entries of the reporting period with a checkbox each: S2 picks the significant ones.

    Rows reach the view in batches (`fetchMore`). Read-only for a released
    report (its frozen entries, all chosen).
    """

    chosen_changed = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._entries: list[EntryLike] = []
        self._shown = 0
        self._chosen: set[int] = set()
        self._editable = True

    # -- content -----------------------------------------------------------------------
    def set_entries(
        self, entries: Sequence[EntryLike], chosen: Iterable[int], *, editable: bool = True
    ) -> None:
        self.beginResetModel()
        self._entries = list(entries)
        self._chosen = set(chosen)
        self._editable = editable
        self._shown = min(len(self._entries), FETCH_BATCH)
        self.endResetModel()
        self.chosen_changed.emit()

    def chosen(self) -> tuple[int, ...]:
        """Numbers of the chosen entries, ascending (only entries of this list)."""
        known = {e.number for e in self._entries}
        return tuple(sorted(n for n in self._chosen if n in known))

    def chosen_all(self) -> tuple[int, ...]:
        """Every chosen number, including ones no longer listed (kept, never lost silently)."""
        return tuple(sorted(self._chosen))

    def entry(self, row: int) -> EntryLike | None:
        return self._entries[row] if 0 <= row < self._shown else None

    @property
    def editable(self) -> bool:
        return self._editable

    @property
    def total(self) -> int:
        return len(self._entries)

    def set_chosen(self, number: int, chosen: bool) -> bool:
        if not self._editable:
            return False
        if chosen == (number in self._chosen):
            return False
        if chosen:
            self._chosen.add(number)
        else:
            self._chosen.discard(number)
        for row in range(self._shown):
            if self._entries[row].number == number:
                index = self.index(row, EntryColumn.CHOSEN)
                self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
                break
        self.chosen_changed.emit()
        return True

    def toggle_row(self, row: int) -> bool:
        entry = self.entry(row)
        if entry is None:
            return False
        return self.set_chosen(entry.number, entry.number not in self._chosen)

    # -- lazy rows ---------------------------------------------------------------------
    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._shown < len(self._entries)

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._shown >= len(self._entries):
            return
        more = min(FETCH_BATCH, len(self._entries) - self._shown)
        self.beginInsertRows(QModelIndex(), self._shown, self._shown + more - 1)
        self._shown += more
        self.endInsertRows()

    def fetch_all(self) -> None:
        while self.canFetchMore():
            self.fetchMore()

    # -- Qt model ----------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._shown

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(EntryColumn)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(EntryColumn)
        ):
            return _tr(_ENTRY_HEADERS[EntryColumn(section)])
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == EntryColumn.CHOSEN and self._editable:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < self._shown:
            return None
        entry = self._entries[index.row()]
        column = EntryColumn(index.column())
        if role == Qt.ItemDataRole.CheckStateRole and column == EntryColumn.CHOSEN:
            return (
                Qt.CheckState.Checked if entry.number in self._chosen else Qt.CheckState.Unchecked
            )
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(entry, column)
        if role == ENTRY_NUMBER_ROLE:
            return entry.number
        if role == ENTRY_TEXT_ROLE:
            return entry.text
        if role == Qt.ItemDataRole.ToolTipRole and column == EntryColumn.TEXT:
            return entry.text[:2000]
        if role == Qt.ItemDataRole.FontRole and entry.corrected_by:
            font = QFont()
            font.setStrikeOut(True)
            return font
        if role == Qt.ItemDataRole.AccessibleTextRole and column == EntryColumn.CHOSEN:
            state = _tr("gewählt") if entry.number in self._chosen else _tr("nicht gewählt")
            return _tr("Eintrag Nr. {0}, {1}").format(entry.number, state)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == EntryColumn.NUMBER:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if (
            not index.isValid()
            or role != Qt.ItemDataRole.CheckStateRole
            or index.column() != EntryColumn.CHOSEN
            or not 0 <= index.row() < self._shown
        ):
            return False
        state = value.value if hasattr(value, "value") else value
        entry = self._entries[index.row()]
        return self.set_chosen(entry.number, int(state) == Qt.CheckState.Checked.value)

    @staticmethod
    def _display(entry: EntryLike, column: EntryColumn) -> str | None:
        if column == EntryColumn.CHOSEN:
            return None
        if column == EntryColumn.NUMBER:
            return str(entry.number)
        if column == EntryColumn.TIME:
            return format_dtg(entry.recorded_at)
        if column == EntryColumn.FUNCTION:
            return entry.function
        if column == EntryColumn.KIND:
            return entry.kind
        text = _one_line(entry.text)
        if entry.corrected_by:
            numbers = ", ".join(str(n) for n in entry.corrected_by)
            text = _tr("{0} [berichtigt durch Nr. {1}]").format(text, numbers)
        return text
