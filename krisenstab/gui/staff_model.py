"""Table models of the Stab tab: the board „Wer ist wer“ and the roster.

Both hold a few dozen rows (one per staff function, one per assignment), so
they keep the whole list and are reloaded when the service's state stamp
changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor, QFont

from krisenstab.domain.timefmt import format_dtg, format_local, to_local
from krisenstab.gui.staff_widgets import COPY_ROLE
from krisenstab.services.staff import AssignmentView, BoardRow, FunctionView

_ModelIndex = QModelIndex | QPersistentModelIndex

BOARD_ROW_ROLE = Qt.ItemDataRole.UserRole + 1
"""The `BoardRow` of a line of the board."""
ASSIGNMENT_ROLE = Qt.ItemDataRole.UserRole + 2
"""The `AssignmentView` of a line of the roster."""
SORT_ROLE = Qt.ItemDataRole.UserRole + 3

VACANT_COLOR = QColor(0x6B, 0x6B, 0x6B)
ENDED_COLOR = QColor(0x55, 0x55, 0x55)
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren


def _tr(context: str, text: str) -> str:
    return QCoreApplication.translate(context, text)


def format_time(value: datetime | None) -> str:
    return f"{format_local(value)} ({format_dtg(value)})" if value is not None else ""


def format_short(value: datetime | None) -> str:
    """ "26.11. 06:07": the board is read across a room; the tooltip has the rest."""
    return f"{to_local(value):%d.%m. %H:%M}" if value is not None else ""


def function_label(function: FunctionView) -> str:
    """Abbreviations get their meaning ("S2 – Lage"); long names stand alone."""
    if len(function.name) <= 5 and function.title not in ("", function.name):
        return f"{function.name} – {function.title}"
    return function.name


class BoardColumn(IntEnum):
    FUNCTION = 0
    HOLDER = 1
    SINCE = 2
    PHONE = 3
    MOBILE = 4
    RADIO = 5
    EMAIL = 6
    DEPUTY = 7


BOARD_TITLES: dict[BoardColumn, str] = {
    BoardColumn.FUNCTION: QT_TRANSLATE_NOOP("BoardModel", "Funktion"),
    BoardColumn.HOLDER: QT_TRANSLATE_NOOP("BoardModel", "Inhaber/in"),
    BoardColumn.SINCE: QT_TRANSLATE_NOOP("BoardModel", "seit"),
    BoardColumn.PHONE: QT_TRANSLATE_NOOP("BoardModel", "Telefon"),
    BoardColumn.MOBILE: QT_TRANSLATE_NOOP("BoardModel", "Mobil"),
    BoardColumn.RADIO: QT_TRANSLATE_NOOP("BoardModel", "Funkrufname"),
    BoardColumn.EMAIL: QT_TRANSLATE_NOOP("BoardModel", "E-Mail"),
    BoardColumn.DEPUTY: QT_TRANSLATE_NOOP("BoardModel", "Vertretung"),
}
COPY_COLUMNS = frozenset(
    {BoardColumn.PHONE, BoardColumn.MOBILE, BoardColumn.RADIO, BoardColumn.EMAIL}
)


class BoardModel(QAbstractTableModel):
    """„Wer ist wer“: every active function, its holder now and how to reach them."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[BoardRow] = []
        self._bold = QFont()
        self._bold.setBold(True)
        self._italic = QFont()
        self._italic.setItalic(True)

    @property
    def rows(self) -> Sequence[BoardRow]:
        return self._rows

    def set_rows(self, rows: Sequence[BoardRow]) -> None:
        new = list(rows)
        if [r.function.id for r in new] == [r.function.id for r in self._rows]:
            # Same functions: repaint in place so that selection and scroll stay.
            self._rows = new
            if new:
                self.dataChanged.emit(
                    self.index(0, 0), self.index(len(new) - 1, len(BoardColumn) - 1)
                )
            return
        self.beginResetModel()
        self._rows = new
        self.endResetModel()

    def row_of(self, function_name: str) -> int | None:
        for i, row in enumerate(self._rows):
            if row.function.name == function_name:
                return i
        return None

    def rowCount(self, parent: _ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(BoardColumn)

    def flags(self, index: _ModelIndex) -> Qt.ItemFlag:
        return _FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(BoardColumn):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return _tr("BoardModel", BOARD_TITLES[BoardColumn(section)])
        return None

    def cell_text(self, row: BoardRow, column: BoardColumn) -> str:
        holder = row.holder
        if column == BoardColumn.FUNCTION:
            return function_label(row.function)
        if holder is None:
            return _tr("BoardModel", "– unbesetzt –") if column == BoardColumn.HOLDER else ""
        if column == BoardColumn.HOLDER:
            if row.also_holds:
                return _tr("BoardModel", "{0} (auch {1})").format(
                    holder.name, ", ".join(row.also_holds)
                )
            return holder.name
        if column == BoardColumn.SINCE:
            return format_short(row.since)
        if column == BoardColumn.PHONE:
            return holder.phone or ""
        if column == BoardColumn.MOBILE:
            return holder.mobile or ""
        if column == BoardColumn.RADIO:
            return holder.radio_call_sign or ""
        if column == BoardColumn.EMAIL:
            return holder.email or ""
        if column == BoardColumn.DEPUTY:
            deputy = row.deputy
            if deputy is None:
                return holder.deputy_name or ""
            reach = deputy.mobile or deputy.phone
            return f"{deputy.name} ({reach})" if reach else deputy.name
        return ""

    def data(self, index: _ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if not 0 <= index.column() < len(BoardColumn):
            return None
        row = self._rows[index.row()]
        column = BoardColumn(index.column())
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self.cell_text(row, column)
        if role == BOARD_ROW_ROLE:
            return row
        if role == COPY_ROLE:
            if column in COPY_COLUMNS:
                return self.cell_text(row, column) or None
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            if column in COPY_COLUMNS and self.cell_text(row, column):
                return _tr("BoardModel", "Klicken (oder Strg+C) kopiert „{0}“").format(
                    self.cell_text(row, column)
                )
            if column == BoardColumn.FUNCTION:
                return f"{row.function.title} ({row.function.category})"
            if column == BoardColumn.SINCE and row.since is not None:
                text = _tr("BoardModel", "seit {0}").format(format_time(row.since))
                if row.until is not None:
                    text += "\n" + _tr("BoardModel", "bis {0}").format(format_time(row.until))
                return text
            return None
        if role == Qt.ItemDataRole.FontRole:
            if column == BoardColumn.FUNCTION:
                return self._bold
            if row.vacant and column == BoardColumn.HOLDER:
                return self._italic
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            return VACANT_COLOR if row.vacant else None
        return None


class RosterColumn(IntEnum):
    FUNCTION = 0
    PERSON = 1
    STARTS = 2
    ENDS = 3
    ASSIGNED_BY = 4
    NOTE = 5


ROSTER_TITLES: dict[RosterColumn, str] = {
    RosterColumn.FUNCTION: QT_TRANSLATE_NOOP("RosterModel", "Funktion"),
    RosterColumn.PERSON: QT_TRANSLATE_NOOP("RosterModel", "Person"),
    RosterColumn.STARTS: QT_TRANSLATE_NOOP("RosterModel", "von"),
    RosterColumn.ENDS: QT_TRANSLATE_NOOP("RosterModel", "bis"),
    RosterColumn.ASSIGNED_BY: QT_TRANSLATE_NOOP("RosterModel", "eingetragen von"),
    RosterColumn.NOTE: QT_TRANSLATE_NOOP("RosterModel", "Bemerkung"),
}


class RosterModel(QAbstractTableModel):
    """Every assignment: who held which function from when to when."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[AssignmentView] = []
        self._now: datetime | None = None
        self._bold = QFont()
        self._bold.setBold(True)

    @property
    def rows(self) -> Sequence[AssignmentView]:
        return self._rows

    def set_rows(self, rows: Sequence[AssignmentView], now: datetime) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._now = now
        self.endResetModel()

    def rowCount(self, parent: _ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(RosterColumn)

    def flags(self, index: _ModelIndex) -> Qt.ItemFlag:
        return _FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(RosterColumn):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return _tr("RosterModel", ROSTER_TITLES[RosterColumn(section)])
        return None

    def _current(self, row: AssignmentView) -> bool:
        return self._now is not None and row.is_current(self._now)

    def data(self, index: _ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if not 0 <= index.column() < len(RosterColumn):
            return None
        row = self._rows[index.row()]
        column = RosterColumn(index.column())
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if column == RosterColumn.FUNCTION:
                return row.function
            if column == RosterColumn.PERSON:
                return row.person
            if column == RosterColumn.STARTS:
                return format_short(row.starts_at)
            if column == RosterColumn.ENDS:
                if row.ends_at is None:
                    return _tr("RosterModel", "– hält sie –")
                return format_short(row.ends_at)
            if column == RosterColumn.ASSIGNED_BY:
                return f"{row.assigned_by} ({row.assigned_by_function})"
            if column == RosterColumn.NOTE:
                return " ".join((row.note or "").split())
        if role == SORT_ROLE:
            if column == RosterColumn.STARTS:
                return row.starts_at.timestamp()
            if column == RosterColumn.ENDS:
                return row.ends_at.timestamp() if row.ends_at else float("inf")
            return self.data(index, Qt.ItemDataRole.DisplayRole)
        if role == ASSIGNMENT_ROLE:
            return row
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == RosterColumn.NOTE and row.note:
                return row.note
            if column == RosterColumn.STARTS:
                return format_time(row.starts_at)
            if column == RosterColumn.ENDS and row.ends_at is not None:
                return format_time(row.ends_at)
            return None
        if role == Qt.ItemDataRole.FontRole and self._current(row):
            return self._bold
        if role == Qt.ItemDataRole.ForegroundRole and not self._current(row):
            return ENDED_COLOR
        return None
