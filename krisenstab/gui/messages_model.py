"""Message lists as lazy table models: a function's inbox, the triage queue, the register.

The service answers in pages (offset, limit) with the total count, so the
model knows its row count at once and fetches the rows a view paints, page
by page, keeping a few pages around the visible area. An inbox of 20,000
messages opens with one count and one page.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from enum import IntEnum, StrEnum
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont

from krisenstab.domain.message import Direction, InboxRow, MessagePriority
from krisenstab.domain.timefmt import format_dtg, to_local
from krisenstab.store.errors import StoreError

PAGE_SIZE = 100
MAX_PAGES = 12

ROW_ROLE = Qt.ItemDataRole.UserRole + 1
"""The `InboxRow` of a line."""
MESSAGE_ID_ROLE = Qt.ItemDataRole.UserRole + 2

BLITZ_BACKGROUND = QColor(0xFD, 0xD0, 0xCE)
BLITZ_FOREGROUND = QColor(0x8B, 0x00, 0x00)
SOFORT_FOREGROUND = QColor(0x8A, 0x4B, 0x00)
DONE_FOREGROUND = QColor(0x55, 0x55, 0x55)
OPEN_MARK = "●"

_ModelIndex = QModelIndex | QPersistentModelIndex
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

# (offset, limit) -> (rows, total)
PageFetcher = Callable[[int, int], tuple[list[InboxRow], int]]


class ListKind(StrEnum):
    INBOX = "inbox"
    TRIAGE = "triage"
    REGISTER = "register"


class MessageColumn(IntEnum):
    NUMBER = 0
    PRIORITY = 1
    TIME = 2
    CHANNEL = 3
    SENDER = 4
    TO = 5
    CONTENT = 6
    STATE = 7


TITLES: dict[MessageColumn, str] = {
    MessageColumn.NUMBER: QT_TRANSLATE_NOOP("MessageListModel", "Nr."),
    MessageColumn.PRIORITY: QT_TRANSLATE_NOOP("MessageListModel", "Vorrang"),
    MessageColumn.TIME: QT_TRANSLATE_NOOP("MessageListModel", "Zeit"),
    MessageColumn.CHANNEL: QT_TRANSLATE_NOOP("MessageListModel", "Weg"),
    MessageColumn.SENDER: QT_TRANSLATE_NOOP("MessageListModel", "Absender"),
    MessageColumn.TO: QT_TRANSLATE_NOOP("MessageListModel", "An"),
    MessageColumn.CONTENT: QT_TRANSLATE_NOOP("MessageListModel", "Inhalt"),
    MessageColumn.STATE: QT_TRANSLATE_NOOP("MessageListModel", "Quittung"),
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("MessageListModel", text)


def priority_label(priority: str) -> str:
    """ "BLITZ" stands out in capitals; the others as the form writes them."""
    if priority == MessagePriority.BLITZ:
        return "BLITZ"
    return priority.capitalize()


def format_when(row: InboxRow) -> str:
    """ "27.11. 17:44"; the tooltip carries the date-time group."""
    return f"{to_local(row.intake_at):%d.%m. %H:%M}"


def state_text(kind: ListKind, row: InboxRow) -> str:
    if kind == ListKind.INBOX:
        if row.acknowledged_at is None:
            return _tr("{0} offen").format(OPEN_MARK)
        who = f" {row.acknowledged_by}" if row.acknowledged_by else ""
        return _tr("✓ {0}{1}").format(to_local(row.acknowledged_at).strftime("%H:%M"), who)
    if kind == ListKind.TRIAGE or (not row.triaged and not row.to):
        return _tr("ungesichtet")
    parts = []
    acked = set(row.acknowledged_functions)
    for name in row.to:
        parts.append(f"{name} ✓" if name in acked else f"{name} {OPEN_MARK}")
    return ", ".join(parts)


def is_open(kind: ListKind, row: InboxRow) -> bool:
    """Still waiting: unacknowledged (inbox), untriaged, or any receipt missing."""
    if kind == ListKind.INBOX:
        return row.acknowledged_at is None
    if kind == ListKind.TRIAGE:
        return True
    return not row.to or set(row.to) - set(row.acknowledged_functions) != set()


class MessageListModel(QAbstractTableModel):
    """One message list, paged from the service."""

    # A page could not be read (German); emitted once until a fetch succeeds.
    fetch_failed = Signal(str)

    def __init__(self, kind: ListKind, parent: Any = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self._fetch: PageFetcher | None = None
        self._total = 0
        self._pages: OrderedDict[int, list[InboxRow]] = OrderedDict()
        self._texts: dict[str, tuple[str, ...]] = {}
        self._failing = False
        self._bold = QFont()
        self._bold.setBold(True)
        self._blitz_brush = QBrush(BLITZ_BACKGROUND)

    # -- content -----------------------------------------------------------------
    @property
    def total(self) -> int:
        return self._total

    def load(self, fetch: PageFetcher | None) -> None:
        """Show the list ``fetch`` pages through (None: empty); a full reset."""
        self.beginResetModel()
        self._fetch = fetch
        self._pages.clear()
        self._texts.clear()
        self._total = 0
        if fetch is not None:
            rows, total = fetch(0, PAGE_SIZE)
            self._total = total
            self._pages[0] = rows
        self.endResetModel()

    def refresh(self) -> None:
        """Read the list again (after a change here or elsewhere)."""
        self.load(self._fetch)

    def row(self, row: int) -> InboxRow | None:
        if not 0 <= row < self._total or self._fetch is None:
            return None
        page_no, offset = divmod(row, PAGE_SIZE)
        page = self._pages.get(page_no)
        if page is None:
            try:
                page, total = self._fetch(page_no * PAGE_SIZE, PAGE_SIZE)
            except StoreError as exc:
                if not self._failing:
                    self._failing = True
                    self.fetch_failed.emit(str(exc))
                return None
            self._failing = False
            del total  # a changed total is picked up by the next refresh
            self._pages[page_no] = page
            while len(self._pages) > MAX_PAGES:
                _number, evicted = self._pages.popitem(last=False)
                for item in evicted:
                    self._texts.pop(item.message_id, None)
        else:
            self._pages.move_to_end(page_no)
        return page[offset] if offset < len(page) else None

    def row_of(self, message_id: str) -> int | None:
        """The row of a message among the pages read so far (None if not read)."""
        for page_no, page in self._pages.items():
            for offset, item in enumerate(page):
                if item.message_id == message_id:
                    return page_no * PAGE_SIZE + offset
        return None

    def cached_pages(self) -> int:
        return len(self._pages)

    # -- QAbstractTableModel -----------------------------------------------------------
    def rowCount(self, parent: _ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._total

    def columnCount(self, parent: _ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(MessageColumn)

    def flags(self, index: _ModelIndex) -> Qt.ItemFlag:
        return _FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(MessageColumn):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            column = MessageColumn(section)
            if column == MessageColumn.STATE and self.kind != ListKind.INBOX:
                return _tr("Verteilt / Quittung")
            return _tr(TITLES[column])
        return None

    def _display(self, item: InboxRow) -> tuple[str, ...]:
        texts = self._texts.get(item.message_id)
        if texts is None:
            to = ", ".join(item.to) if item.to else item.addressee
            texts = (
                item.number,
                priority_label(item.priority),
                format_when(item),
                item.intake_channel,
                item.sender,
                to,
                item.excerpt,
                state_text(self.kind, item),
            )
            self._texts[item.message_id] = texts
        return texts

    def data(self, index: _ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < self._total:
            return None
        column = index.column()
        if not 0 <= column < len(MessageColumn):
            return None
        if role not in _HANDLED_ROLES:
            return None
        item = self.row(index.row())
        if item is None:
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._display(item)[column]
        if role == ROW_ROLE:
            return item
        if role == MESSAGE_ID_ROLE:
            return item.message_id
        blitz = item.priority == MessagePriority.BLITZ
        waiting = is_open(self.kind, item)
        if role == Qt.ItemDataRole.BackgroundRole:
            return self._blitz_brush if blitz and waiting else None
        if role == Qt.ItemDataRole.ForegroundRole:
            if blitz:
                return BLITZ_FOREGROUND
            if item.priority == MessagePriority.SOFORT and column == MessageColumn.PRIORITY:
                return SOFORT_FOREGROUND
            if not waiting and self.kind == ListKind.INBOX:
                return DONE_FOREGROUND
            return None
        if role == Qt.ItemDataRole.FontRole:
            if waiting and self.kind == ListKind.INBOX:
                return self._bold
            if column == MessageColumn.PRIORITY and item.priority != MessagePriority.EINFACH:
                return self._bold
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            direction = Direction(item.direction).label if item.direction in "EA" else ""
            when = format_dtg(item.intake_at)
            return f"{item.number} ({direction}) · {when} · {item.sender}\n{item.excerpt}"
        return None


_HANDLED_ROLES = frozenset(
    {
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.AccessibleTextRole,
        Qt.ItemDataRole.BackgroundRole,
        Qt.ItemDataRole.ForegroundRole,
        Qt.ItemDataRole.FontRole,
        Qt.ItemDataRole.ToolTipRole,
        ROW_ROLE,
        MESSAGE_ID_ROLE,
    }
)
