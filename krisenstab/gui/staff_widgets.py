"""Small pieces shared by the Stab, Kontakte, Aufgaben and Nachrichten tabs.

- `tab_action`: a keyboard action that only fires inside its tab, so that
  Ctrl+N means "new task" in Aufgaben and "new message" in Nachrichten.
- `copy_text`: one place that puts a number on the clipboard and says so.
- `CopyDelegate`: paints a small copy mark in cells whose text one click
  copies (phone numbers on the board and in the contact results).
- `CopyButton`: the same as a real button, for detail panes.
- `parse_deadline`: deadlines are typed as future times ("14:30" is the next
  14:30, "+30" is in half an hour), unlike observation times.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QCoreApplication, QModelIndex, QPersistentModelIndex, QRect, QRectF, Qt
from PySide6.QtGui import (
    QAction,
    QColor,
    QGuiApplication,
    QIcon,
    QKeySequence,
    QPainter,
    QPalette,
    QPen,
    QPixmap,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QToolButton,
    QWidget,
)

from krisenstab.domain.timefmt import BERLIN, utcnow
from krisenstab.gui.timeinput import parse_user_time

COPY_ROLE = Qt.ItemDataRole.UserRole + 40
"""The text a click on a cell copies (None: the cell copies nothing)."""

_ModelIndex = QModelIndex | QPersistentModelIndex


def _tr(text: str) -> str:
    return QCoreApplication.translate("StaffWidgets", text)


def tab_action(
    widget: QWidget,
    text: str,
    shortcut: str | QKeySequence | None,
    slot: Callable[[], object],
    tip: str,
) -> QAction:
    """An action of one tab: shortcut only while the focus is inside ``widget``."""
    act = QAction(text, widget)
    if shortcut:
        sequence = QKeySequence(shortcut)
        act.setShortcut(sequence)
        act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shown = sequence.toString(QKeySequence.SequenceFormat.NativeText)
        act.setToolTip(f"{tip} ({shown})")
    else:
        act.setToolTip(tip)
    act.setStatusTip(tip)
    act.triggered.connect(lambda _checked=False: slot())
    widget.addAction(act)
    return act


def copy_text(text: str, notify: Callable[[str], object] | None = None) -> bool:
    """Put ``text`` on the clipboard; ``notify`` gets a German confirmation."""
    value = text.strip()
    if not value:
        return False
    QGuiApplication.clipboard().setText(value)
    if notify is not None:
        notify(_tr("„{0}“ in die Zwischenablage kopiert.").format(value))
    return True


def paint_copy_mark(painter: QPainter, rect: QRect, color: QColor) -> None:
    """Two overlapping sheets, drawn (not a font glyph, which many fonts lack)."""
    side = max(6, min(rect.width(), rect.height()) * 5 // 8)
    step = max(2, side // 3)
    x = rect.x() + (rect.width() - side - step) // 2
    y = rect.y() + (rect.height() - side - step) // 2
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    pen = QPen(color)
    pen.setWidthF(max(1.0, side / 9))
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRoundedRect(QRectF(x + step, y, side, side), 1.5, 1.5)
    back = painter.brush()
    painter.setBrush(painter.background())
    painter.fillRect(QRectF(x, y + step, side, side), painter.background())
    painter.setBrush(back)
    painter.drawRoundedRect(QRectF(x, y + step, side, side), 1.5, 1.5)
    painter.restore()


def copy_icon(size: int = 16, color: QColor | None = None) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setBackground(QColor(Qt.GlobalColor.white))
    paint_copy_mark(painter, QRect(0, 0, size, size), color or QColor(0x1E, 0x5A, 0x9E))
    painter.end()
    return QIcon(pixmap)


class CopyDelegate(QStyledItemDelegate):
    """Draws a copy mark at the right edge of cells that carry `COPY_ROLE`."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _ModelIndex) -> None:
        super().paint(painter, option, index)
        if not index.data(COPY_ROLE):
            return
        rect: QRect = option.rect  # type: ignore[attr-defined]
        side = rect.height()
        mark = QRect(rect.right() - side, rect.top(), side, side)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)  # type: ignore[attr-defined]
        palette = option.palette  # type: ignore[attr-defined]
        colour_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Link
        background_role = QPalette.ColorRole.Highlight if selected else QPalette.ColorRole.Base
        painter.save()
        painter.setBackground(palette.color(background_role))
        paint_copy_mark(painter, mark.adjusted(2, 3, -2, -3), palette.color(colour_role))
        painter.restore()

    def initStyleOption(self, option: QStyleOptionViewItem, index: _ModelIndex) -> None:
        super().initStyleOption(option, index)
        if index.data(COPY_ROLE):
            # Room for the mark, so the number is never painted under it.
            extra = option.rect.height()  # type: ignore[attr-defined]
            option.rect = option.rect.adjusted(0, 0, -extra, 0)  # type: ignore[attr-defined]


class CopyButton(QToolButton):
    """A small button that copies one value (a number, an address)."""

    def __init__(
        self,
        value: str,
        notify: Callable[[str], object] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.value = value
        self._notify = notify
        self.setText(_tr("Kopieren"))
        self.setIcon(copy_icon(self.fontMetrics().height()))
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.setAutoRaise(True)
        self.setToolTip(_tr("„{0}“ kopieren").format(value))
        self.setAccessibleName(_tr("{0} kopieren").format(value))
        self.clicked.connect(self.copy)

    def copy(self) -> None:
        copy_text(self.value, self._notify)


# -- deadlines ---------------------------------------------------------------------
_TIME_ONLY = re.compile(r"^(\d{1,2})[:.]?(\d{2})$")
_RELATIVE = re.compile(r"^\+\s*(\d{1,4})\s*(m|min|h|std)?$", re.IGNORECASE)


def parse_deadline(text: str, now: datetime | None = None) -> datetime | None:
    """A deadline typed by a user, as aware UTC; empty means "no deadline" (None).

    ``hh:mm`` is the next such moment (later today, else tomorrow), ``+30`` /
    ``+30m`` is in 30 minutes, ``+2h`` in two hours; every form of
    `parse_user_time` (dates, date-time groups) works as well. Raises
    ValueError with a German message.
    """
    raw = text.strip()
    if not raw:
        return None
    now = now or utcnow()
    relative = _RELATIVE.match(raw)
    if relative:
        amount = int(relative.group(1))
        unit = (relative.group(2) or "m").casefold()
        delta = timedelta(hours=amount) if unit in ("h", "std") else timedelta(minutes=amount)
        return (now + delta).replace(second=0, microsecond=0)
    match = _TIME_ONLY.match(raw)
    if match:
        hour, minute = int(match.group(1)), int(match.group(2))
        if hour > 23 or minute > 59:
            raise ValueError(_tr("„{0}“ ist keine gültige Uhrzeit.").format(text))
        local_now = now.astimezone(BERLIN)
        naive = local_now.replace(tzinfo=None, hour=hour, minute=minute, second=0, microsecond=0)
        if naive <= local_now.replace(tzinfo=None):
            naive += timedelta(days=1)
        return naive.replace(tzinfo=BERLIN).astimezone(UTC)
    return parse_user_time(raw, now)


# -- the main window's tab titles --------------------------------------------------------
def tab_index(window: QWidget, key: str) -> int:
    """Index of the tab registered as ``key`` in the main window (-1 if none)."""
    tabs = getattr(window, "tabs", None)
    if tabs is None:
        return -1
    for index in range(tabs.count()):
        spec = getattr(tabs.widget(index), "spec", None)
        if spec is not None and spec.key == key:
            return int(index)
    return -1


def set_tab_badge(window: QWidget, key: str, badge: str | None, alarm: bool = False) -> None:
    """Show ``badge`` after the title of tab ``key``: „Aufgaben (2 überfällig)“.

    ``alarm`` paints the title red as well (colour is never the only sign:
    the badge text says it).
    """
    index = tab_index(window, key)
    if index < 0:
        return
    tabs = window.tabs  # type: ignore[attr-defined]
    spec = tabs.widget(index).spec
    title = QCoreApplication.translate("Tabs", spec.title)
    tabs.setTabText(index, f"{title} ({badge})" if badge else title)
    bar = tabs.tabBar()
    bar.setTabTextColor(index, QColor(0xB7, 0x1C, 0x1C) if alarm else QColor())


class FittedTableView(QTableView):
    """A read-only list whose column widths come from sample texts in the current font.

    One column stretches and keeps at least ``stretch_share`` of the width;
    when the window is narrow (1366×768) the columns marked shrinkable give
    up width first, down to their header title. Copy columns get room for
    the copy mark.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._samples: dict[int, tuple[str, bool]] = {}
        self._stretch = -1
        self._share = 0.3
        self._copy_columns: frozenset[int] = frozenset()
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setWordWrap(False)
        self.setTabKeyNavigation(False)
        self.setCornerButtonEnabled(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        vheader = self.verticalHeader()
        vheader.hide()
        # Uniform rows: the view never measures thousands of them.
        vheader.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vheader.setDefaultSectionSize(int(self.fontMetrics().lineSpacing() * 1.55) + 2)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)

    def set_columns(
        self,
        samples: dict[int, tuple[str, bool]],
        stretch: int,
        *,
        share: float = 0.3,
        copy_columns: frozenset[int] = frozenset(),
    ) -> None:
        """Per column (sample text, may shrink); ``stretch`` takes the rest."""
        self._samples = dict(samples)
        self._stretch = stretch
        self._share = share
        self._copy_columns = copy_columns
        self.horizontalHeader().setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
        self.fit_columns()

    def _width(self, text: str) -> int:
        fm = self.fontMetrics()
        return fm.horizontalAdvance(text) + fm.horizontalAdvance("M") + fm.height() // 2

    def fit_columns(self) -> None:
        model = self.model()
        if model is None or not self._samples:
            return
        header = self.horizontalHeader()
        ideal: dict[int, int] = {}
        minimum: dict[int, int] = {}
        for column, (sample, shrinkable) in self._samples.items():
            if self.isColumnHidden(column):
                continue
            title = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
            title_width = header.fontMetrics().horizontalAdvance(title) + self._width("")
            extra = (
                self.verticalHeader().defaultSectionSize() if column in self._copy_columns else 0
            )
            ideal[column] = max(self._width(sample) + extra, title_width)
            minimum[column] = title_width if shrinkable else ideal[column]
        available = self.viewport().width()
        stretch_min = max(int(available * self._share), self._width("M" * 10))
        excess = sum(ideal.values()) + stretch_min - available
        slack = sum(ideal[c] - minimum[c] for c in ideal)
        for column, width in ideal.items():
            if excess > 0 and slack > 0:
                give = (ideal[column] - minimum[column]) * min(1.0, excess / slack)
                width = int(ideal[column] - give)
            header.resizeSection(column, width)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_columns()
