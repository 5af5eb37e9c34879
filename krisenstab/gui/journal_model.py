"""The ETB as a lazy table model.

The model holds only the list of matching entry numbers. Rows are fetched in
pages when a view asks for them, and a small LRU cache keeps the pages around
the visible area, so 100,000 entries scroll as smoothly as 100.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Sequence
from enum import IntEnum
from typing import Any, Protocol

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont

from krisenstab.domain.journal import EntryKind, EntryView, JournalFilter
from krisenstab.domain.timefmt import format_dtg, format_local, to_local
from krisenstab.store.errors import StoreError

PAGE_SIZE = 200
MAX_PAGES = 24
# A cell shows at most this much of an entry; the tooltip and the detail
# pane show more. Painting a 100,000-character string per cell is slow.
DISPLAY_CHARS = 400
TOOLTIP_CHARS = 1500

ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1
"""The raw `EntryView` of a row."""
NUMBER_ROLE = Qt.ItemDataRole.UserRole + 2
"""The entry number (int) of a row."""

# Corrected entries stay readable: dark grey, not light grey.
CORRECTED_COLOR = QColor(0x55, 0x55, 0x55)
CORRECTION_HINT_COLOR = QColor(0x8A, 0x2A, 0x00)

_ModelIndex = QModelIndex | QPersistentModelIndex

# Computed once: data() and flags() run thousands of times per repaint.
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
_ALIGN_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_ALIGN_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)


class JournalColumn(IntEnum):
    NUMBER = 0
    RECORDED = 1
    OBSERVED = 2
    FUNCTION = 3
    AUTHOR = 4
    KIND = 5
    SOURCE = 6
    TEXT = 7
    CORRECTION = 8


_COLUMN_COUNT = len(JournalColumn)

COLUMN_TITLES: dict[JournalColumn, str] = {
    JournalColumn.NUMBER: QT_TRANSLATE_NOOP("JournalTableModel", "Nr."),
    JournalColumn.RECORDED: QT_TRANSLATE_NOOP("JournalTableModel", "Datum/Uhrzeit"),
    JournalColumn.OBSERVED: QT_TRANSLATE_NOOP("JournalTableModel", "beobachtet"),
    JournalColumn.FUNCTION: QT_TRANSLATE_NOOP("JournalTableModel", "Funktion"),
    JournalColumn.AUTHOR: QT_TRANSLATE_NOOP("JournalTableModel", "Verfasser"),
    JournalColumn.KIND: QT_TRANSLATE_NOOP("JournalTableModel", "Art"),
    JournalColumn.SOURCE: QT_TRANSLATE_NOOP("JournalTableModel", "Quelle"),
    JournalColumn.TEXT: QT_TRANSLATE_NOOP("JournalTableModel", "Darstellung der Ereignisse"),
    JournalColumn.CORRECTION: QT_TRANSLATE_NOOP("JournalTableModel", "Berichtigung"),
}

COLUMN_TOOLTIPS: dict[JournalColumn, str] = {
    JournalColumn.NUMBER: QT_TRANSLATE_NOOP(
        "JournalTableModel", "Laufende Nummer im Einsatztagebuch"
    ),
    JournalColumn.RECORDED: QT_TRANSLATE_NOOP(
        "JournalTableModel", "Zeitpunkt der Eintragung (Ortszeit und Datum-Zeit-Gruppe)"
    ),
    JournalColumn.OBSERVED: QT_TRANSLATE_NOOP(
        "JournalTableModel", "Zeitpunkt, zu dem das Ereignis beobachtet wurde (FwDV 100)"
    ),
    JournalColumn.FUNCTION: QT_TRANSLATE_NOOP("JournalTableModel", "Stabsfunktion des Verfassers"),
    JournalColumn.AUTHOR: QT_TRANSLATE_NOOP("JournalTableModel", "Wer den Eintrag geschrieben hat"),
    JournalColumn.KIND: QT_TRANSLATE_NOOP("JournalTableModel", "Art des Eintrags"),
    JournalColumn.SOURCE: QT_TRANSLATE_NOOP(
        "JournalTableModel", "Worauf die Meldung beruht: eigene Beobachtung, Dritte, Annahme"
    ),
    JournalColumn.TEXT: QT_TRANSLATE_NOOP(
        "JournalTableModel", "Ereignisse, Maßnahmen, Überlegungen"
    ),
    JournalColumn.CORRECTION: QT_TRANSLATE_NOOP(
        "JournalTableModel", "Berichtigt durch Nr. … / Berichtigung zu Nr. …"
    ),
}

# Columns that are struck through when the entry has been corrected. The
# number and the correction hint stay plain so the reader can follow them.
_STRUCK_COLUMNS = frozenset(JournalColumn) - {JournalColumn.NUMBER, JournalColumn.CORRECTION}


class JournalSource(Protocol):
    """What the model needs from the journal service (tests pass a fake)."""

    def numbers(self, incident_id: str, flt: JournalFilter | None = None) -> list[int]: ...

    def fetch(self, incident_id: str, numbers: Sequence[int]) -> list[EntryView]: ...


def _tr(text: str) -> str:
    return QCoreApplication.translate("JournalTableModel", text)


def format_recorded(entry: EntryView) -> str:
    return f"{format_local(entry.recorded_at)}  ({format_dtg(entry.recorded_at)})"


def format_observed(entry: EntryView) -> str:
    """The observation time, short: the date only when it differs from the entry's."""
    observed = to_local(entry.observed_at)
    recorded = to_local(entry.recorded_at)
    if observed.date() == recorded.date():
        return observed.strftime("%H:%M")
    if observed.year == recorded.year:
        return observed.strftime("%d.%m. %H:%M")
    return format_local(entry.observed_at)


def correction_hint(entry: EntryView) -> str:
    parts = []
    if entry.corrects is not None:
        parts.append(_tr("Berichtigung zu Nr. {0}").format(entry.corrects))
    if entry.corrected_by:
        numbers = ", ".join(str(n) for n in entry.corrected_by)
        parts.append(_tr("berichtigt durch Nr. {0}").format(numbers))
    return "; ".join(parts)


def one_line(text: str, limit: int = DISPLAY_CHARS) -> str:
    flat = " ⏎ ".join(line.strip() for line in text[: limit + 200].splitlines() if line.strip())
    if len(flat) > limit or len(text) > limit + 200:
        return flat[:limit].rstrip() + " …"
    return flat


def entry_tooltip(entry: EntryView) -> str:
    text = entry.text
    if len(text) > TOOLTIP_CHARS:
        text = text[:TOOLTIP_CHARS].rstrip() + " …"
    head = _tr("Nr. {0} · {1} · {2} ({3})").format(
        entry.number, format_recorded(entry), entry.author, entry.function
    )
    lines = [head]
    hint = correction_hint(entry)
    if hint:
        lines.append(hint)
    lines.append("")
    lines.append(text)
    return "\n".join(lines)


class JournalTableModel(QAbstractTableModel):
    """Entries of one incident that match a filter, fetched lazily in pages."""

    # A page could not be read (German message); emitted once until a fetch
    # succeeds again, because views ask for the same rows on every repaint.
    fetch_failed = Signal(str)

    def __init__(self, source: JournalSource, parent: Any = None) -> None:
        super().__init__(parent)
        self._source = source
        self._incident_id = ""
        self._filter = JournalFilter()
        self._numbers: list[int] = []
        self._pages: OrderedDict[int, dict[int, EntryView]] = OrderedDict()
        self._texts: dict[int, tuple[str, ...]] = {}
        self._failing = False
        self._struck_font = QFont()
        self._struck_font.setStrikeOut(True)
        self._system_font = QFont()
        self._system_font.setItalic(True)
        self._hint_font = QFont()
        self._hint_font.setBold(True)

    # -- what is shown -----------------------------------------------------
    @property
    def incident_id(self) -> str:
        return self._incident_id

    @property
    def journal_filter(self) -> JournalFilter:
        return self._filter

    @property
    def numbers(self) -> Sequence[int]:
        return self._numbers

    def set_source(self, source: JournalSource) -> None:
        self._source = source
        self._drop_cache()

    def load(self, incident_id: str, flt: JournalFilter | None = None) -> None:
        """Show the entries of `incident_id` matching `flt` (a full reset)."""
        self.beginResetModel()
        self._incident_id = incident_id
        self._filter = flt or JournalFilter()
        self._drop_cache()
        self._numbers = self._source.numbers(incident_id, self._filter) if incident_id else []
        self.endResetModel()

    def set_filter(self, flt: JournalFilter) -> None:
        self.load(self._incident_id, flt)

    def clear(self) -> None:
        self.load("")

    def refresh(self) -> bool:
        """Pick up new entries without a reset, so selection and scroll stay.

        Returns True when something changed.
        """
        if not self._incident_id:
            return False
        new = self._source.numbers(self._incident_id, self._filter)
        old = self._numbers
        if new == old:
            # A new correction changes how an old entry looks even when the
            # filter hides the correction itself.
            self._invalidate_cached()
            return False
        if len(new) > len(old) and new[: len(old)] == old:
            first = len(old)
            self.beginInsertRows(QModelIndex(), first, len(new) - 1)
            self._numbers = new
            self.endInsertRows()
            self._invalidate_cached()
            return True
        self.beginResetModel()
        self._numbers = new
        self._drop_cache()
        self.endResetModel()
        return True

    def _drop_cache(self) -> None:
        self._pages.clear()
        self._texts.clear()

    def _invalidate_cached(self) -> None:
        if not self._pages or not self._numbers:
            self._drop_cache()
            return
        self._drop_cache()
        self.dataChanged.emit(
            self.index(0, 0), self.index(len(self._numbers) - 1, len(JournalColumn) - 1)
        )

    # -- lookups -----------------------------------------------------------
    def entry(self, row: int) -> EntryView | None:
        """The entry shown in `row`, fetching its page if needed."""
        if not 0 <= row < len(self._numbers):
            return None
        page_no = row // PAGE_SIZE
        page = self._pages.get(page_no)
        if page is None:
            wanted = self._numbers[page_no * PAGE_SIZE : (page_no + 1) * PAGE_SIZE]
            try:
                fetched = self._source.fetch(self._incident_id, wanted)
            except StoreError as exc:
                if not self._failing:
                    self._failing = True
                    self.fetch_failed.emit(str(exc))
                return None
            self._failing = False
            page = {e.number: e for e in fetched}
            self._pages[page_no] = page
            while len(self._pages) > MAX_PAGES:
                _old, evicted = self._pages.popitem(last=False)
                for number in evicted:
                    self._texts.pop(number, None)
        else:
            self._pages.move_to_end(page_no)
        return page.get(self._numbers[row])

    def row_of(self, number: int) -> int | None:
        """The row showing entry `number`, or None if the filter hides it."""
        pos = bisect_left(self._numbers, number)
        if pos < len(self._numbers) and self._numbers[pos] == number:
            return pos
        return None

    def cached_pages(self) -> int:
        return len(self._pages)

    # -- QAbstractTableModel -----------------------------------------------
    def rowCount(self, parent: _ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._numbers)

    def columnCount(self, parent: _ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(JournalColumn)

    def flags(self, index: _ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _FLAGS

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(JournalColumn):
            return None
        column = JournalColumn(section)
        if role == Qt.ItemDataRole.DisplayRole:
            return _tr(COLUMN_TITLES[column])
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tr(COLUMN_TOOLTIPS[column])
        return None

    def data(self, index: _ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.parent().isValid():
            return None
        row, column = index.row(), index.column()
        if not 0 <= row < len(self._numbers) or not 0 <= column < _COLUMN_COUNT:
            return None
        if role == NUMBER_ROLE:
            return self._numbers[row]
        if role not in _HANDLED_ROLES:
            return None
        entry = self.entry(row)
        if entry is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display_row(entry)[column]
        if role == ENTRY_ROLE:
            return entry
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == JournalColumn.RECORDED:
                return format_local(entry.recorded_at, seconds=True)
            if column == JournalColumn.OBSERVED:
                return f"{format_local(entry.observed_at)}  ({format_dtg(entry.observed_at)})"
            return entry_tooltip(entry)
        if role == Qt.ItemDataRole.FontRole:
            if entry.is_corrected and column in _STRUCK_COLUMNS:
                return self._struck_font
            if column == JournalColumn.CORRECTION and entry.corrects is not None:
                return self._hint_font
            if entry.kind == EntryKind.SYSTEM and column == JournalColumn.TEXT:
                return self._system_font
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if entry.is_corrected and column in _STRUCK_COLUMNS:
                return CORRECTED_COLOR
            if column == JournalColumn.CORRECTION:
                return CORRECTION_HINT_COLOR
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _ALIGN_RIGHT if column == JournalColumn.NUMBER else _ALIGN_LEFT
        if role == Qt.ItemDataRole.AccessibleTextRole:
            text = self._display_row(entry)[column]
            if entry.is_corrected and column == JournalColumn.TEXT:
                return _tr("berichtigt: {0}").format(text)
            return text
        return None

    def _display_row(self, entry: EntryView) -> tuple[str, ...]:
        """The cell texts of an entry, formatted once while its page is cached."""
        texts = self._texts.get(entry.number)
        if texts is None:
            texts = (
                str(entry.number),
                format_recorded(entry),
                format_observed(entry),
                entry.function,
                entry.author,
                entry.kind,
                entry.source_quality,
                one_line(entry.text),
                correction_hint(entry),
            )
            self._texts[entry.number] = texts
        return texts


_HANDLED_ROLES = frozenset(
    {
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.FontRole,
        Qt.ItemDataRole.ForegroundRole,
        Qt.ItemDataRole.TextAlignmentRole,
        Qt.ItemDataRole.AccessibleTextRole,
        ENTRY_ROLE,
    }
)
