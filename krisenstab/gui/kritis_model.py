"""Table models of the KRITIS tab: the facility register and small record lists.

`FacilityTableModel` holds the facility views the service hands out (5,000
are a few hundred kilobytes) and formats a row only when a view asks for it.
Sorting happens in the source model with precomputed Python keys; the
`FacilityFilterProxy` on top only filters. A QSortFilterProxyModel that
sorted itself would call back into Python for every comparison: 0.4 s for
5,000 rows with an overridden lessThan, several seconds with the default
one, against a few milliseconds for ``list.sort``.

Status and power warnings are shown by colour *and* by text and icon shape,
never by colour alone.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    QPointF,
    QRectF,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QGuiApplication,
    QIcon,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
)

from krisenstab.domain.facility import FacilityFilter, FacilityView
from krisenstab.domain.power import (
    DEFAULT_THRESHOLDS,
    FacilityStatus,
    PowerThresholds,
    PowerWarning,
    format_remaining,
    hours_until_dry,
    power_warning,
    runs_dry_at,
)
from krisenstab.domain.timefmt import format_dtg, format_local, to_local, utcnow

_ModelIndex = QModelIndex | QPersistentModelIndex

FACILITY_ROLE = Qt.ItemDataRole.UserRole + 1
"""The `FacilityView` of a row."""
ID_ROLE = Qt.ItemDataRole.UserRole + 2
"""The facility id (str) of a row."""
STATUS_ROLE = Qt.ItemDataRole.UserRole + 3
"""The status value (str) of a row."""
ROW_ROLE = Qt.ItemDataRole.UserRole + 10
"""The raw record of a `RecordTableModel` row."""

# Keys 1–5 in the table report these, in this order.
STATUS_KEYS: tuple[FacilityStatus, ...] = (
    FacilityStatus.OPERATIONAL,
    FacilityStatus.RESTRICTED,
    FacilityStatus.EMERGENCY_POWER,
    FacilityStatus.FAILED,
    FacilityStatus.UNKNOWN,
)
_STATUS_RANK = {s.value: i for i, s in enumerate(STATUS_KEYS)}


@dataclass(frozen=True)
class Style:
    """A light background for the cell, a strong accent for the icon."""

    background: str
    accent: str
    foreground: str = "#1A1A1A"


STATUS_STYLES: dict[str, Style] = {
    FacilityStatus.OPERATIONAL.value: Style("#E3F1E0", "#2E7D32"),
    FacilityStatus.RESTRICTED.value: Style("#FFF1C1", "#B58100"),
    FacilityStatus.EMERGENCY_POWER.value: Style("#FFE0BD", "#D84B00"),
    FacilityStatus.FAILED.value: Style("#F8D3D1", "#C62828"),
    FacilityStatus.UNKNOWN.value: Style("#E4E4E4", "#5F5F5F"),
}

WARNING_STYLES: dict[PowerWarning, Style] = {
    PowerWarning.NONE: Style("#E3F1E0", "#2E7D32"),
    PowerWarning.LOW: Style("#FFF1C1", "#B58100"),
    PowerWarning.CRITICAL: Style("#F8D3D1", "#C62828"),
    PowerWarning.EMPTY: Style("#F1B5B2", "#8E0000"),
    PowerWarning.UNKNOWN: Style("#E4E4E4", "#5F5F5F"),
}

_ALIGN_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_ALIGN_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren


def _tr(text: str) -> str:
    return QCoreApplication.translate("KritisModel", text)


# -- formatting -----------------------------------------------------------------


def fmt_int(value: int) -> str:
    """``25.000``: German thousands separator."""
    return f"{value:,}".replace(",", ".")


def fmt_hours(value: float | None) -> str:
    """``12 h``, ``1,5 h``; empty for None."""
    if value is None or math.isnan(value):
        return ""
    if math.isinf(value):
        return _tr("unbegrenzt")
    text = f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")
    return f"{text} h"


def fmt_when(value: datetime | None, now: datetime | None = None) -> str:
    """``14:35`` today, ``27.11. 14:35`` this year, else the full date (local time)."""
    if value is None:
        return ""
    local = to_local(value)
    today = to_local(now or utcnow())
    if local.date() == today.date():
        return local.strftime("%H:%M")
    if local.year == today.year:
        return local.strftime("%d.%m. %H:%M")
    return local.strftime("%d.%m.%Y %H:%M")


def fmt_when_long(value: datetime | None) -> str:
    """``27.11.2026 14:35 (271435nov26)``."""
    if value is None:
        return ""
    return f"{format_local(value)} ({format_dtg(value)})"


def status_label(status: str) -> str:
    """The status with its key: ``4 ausgefallen``."""
    rank = _STATUS_RANK.get(status)
    return f"{rank + 1} {status}" if rank is not None else status


def warning_label(warning: PowerWarning) -> str:
    return {
        PowerWarning.NONE: _tr("ausreichend"),
        PowerWarning.LOW: _tr("knapp"),
        PowerWarning.CRITICAL: _tr("kritisch"),
        PowerWarning.EMPTY: _tr("leer"),
        PowerWarning.UNKNOWN: _tr("Reserve unbekannt"),
    }[warning]


# -- icons ------------------------------------------------------------------------

_ICONS: dict[tuple[str, int], QIcon] = {}


def _pixmap(size: int) -> tuple[QPixmap, QPainter]:
    pixmap = QPixmap(size * 2, size * 2)
    pixmap.setDevicePixelRatio(2.0)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    return pixmap, painter


def _draw_glyph(painter: QPainter, rect: QRectF, text: str) -> None:
    font = QFont(painter.font())
    font.setBold(True)
    font.setPixelSize(max(6, int(rect.height() * 0.7)))
    painter.setFont(font)
    painter.setPen(QColor("#FFFFFF"))
    painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), text)


def _paint_shape(painter: QPainter, shape: str, color: QColor, size: int) -> None:
    """Distinct shapes, so a status is recognisable without its colour."""
    s = float(size)
    rect = QRectF(1, 1, s - 2, s - 2)
    white = QPen(QColor("#FFFFFF"), max(1.5, s / 8))
    white.setCapStyle(Qt.PenCapStyle.RoundCap)
    white.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QBrush(color))
    if shape == "check":  # filled circle with a tick
        painter.drawEllipse(rect)
        painter.setPen(white)
        path = QPainterPath(QPointF(s * 0.28, s * 0.52))
        path.lineTo(QPointF(s * 0.44, s * 0.68))
        path.lineTo(QPointF(s * 0.73, s * 0.34))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(path)
    elif shape == "triangle":  # warning triangle with "!"
        path = QPainterPath(QPointF(s / 2, 1))
        path.lineTo(QPointF(s - 1, s - 1.5))
        path.lineTo(QPointF(1, s - 1.5))
        path.closeSubpath()
        painter.drawPath(path)
        _draw_glyph(painter, QRectF(0, s * 0.25, s, s * 0.7), "!")
    elif shape == "bolt":  # rounded square with a lightning bolt
        painter.drawRoundedRect(rect, s / 5, s / 5)
        bolt = QPainterPath(QPointF(s * 0.58, s * 0.12))
        for x, y in ((0.26, 0.56), (0.47, 0.56), (0.40, 0.88), (0.74, 0.42), (0.53, 0.42)):
            bolt.lineTo(QPointF(s * x, s * y))
        bolt.closeSubpath()
        painter.setBrush(QColor("#FFFFFF"))
        painter.drawPath(bolt)
    elif shape == "cross":  # octagon (stop sign) with an X
        path = QPainterPath()
        for i in range(8):
            angle = math.pi / 8 + i * math.pi / 4
            point = QPointF(
                s / 2 + (s / 2 - 1) * math.cos(angle), s / 2 + (s / 2 - 1) * math.sin(angle)
            )
            if i == 0:
                path.moveTo(point)
            else:
                path.lineTo(point)
        path.closeSubpath()
        painter.drawPath(path)
        painter.setPen(white)
        painter.drawLine(QPointF(s * 0.32, s * 0.32), QPointF(s * 0.68, s * 0.68))
        painter.drawLine(QPointF(s * 0.68, s * 0.32), QPointF(s * 0.32, s * 0.68))
    elif shape == "question":  # circle with "?"
        painter.drawEllipse(rect)
        _draw_glyph(painter, rect, "?")
    elif shape == "clock":  # circle with hands: time is running out
        painter.drawEllipse(rect)
        painter.setPen(white)
        painter.drawLine(QPointF(s / 2, s / 2), QPointF(s / 2, s * 0.22))
        painter.drawLine(QPointF(s / 2, s / 2), QPointF(s * 0.72, s * 0.6))
    elif shape == "copy":  # two sheets: "copy to the clipboard"
        painter.setBrush(Qt.BrushStyle.NoBrush)
        pen = QPen(color, max(1.2, s / 12))
        painter.setPen(pen)
        painter.drawRoundedRect(QRectF(s * 0.12, s * 0.12, s * 0.5, s * 0.56), 1.5, 1.5)
        painter.setBrush(QColor("#FFFFFF"))
        painter.drawRoundedRect(QRectF(s * 0.36, s * 0.32, s * 0.5, s * 0.56), 1.5, 1.5)
    elif shape == "empty":  # square with a bar: the tank is empty
        painter.drawRect(rect)
        painter.setPen(white)
        painter.drawLine(QPointF(s * 0.25, s / 2), QPointF(s * 0.75, s / 2))


_STATUS_SHAPES = {
    FacilityStatus.OPERATIONAL.value: "check",
    FacilityStatus.RESTRICTED.value: "triangle",
    FacilityStatus.EMERGENCY_POWER.value: "bolt",
    FacilityStatus.FAILED.value: "cross",
    FacilityStatus.UNKNOWN.value: "question",
}
_WARNING_SHAPES = {
    PowerWarning.NONE: "check",
    PowerWarning.LOW: "clock",
    PowerWarning.CRITICAL: "triangle",
    PowerWarning.EMPTY: "empty",
    PowerWarning.UNKNOWN: "question",
}


def shape_icon(shape: str, color: str, size: int = 16) -> QIcon:
    key = (f"{shape}:{color}", size)
    icon = _ICONS.get(key)
    if icon is None:
        if QGuiApplication.instance() is None:
            return QIcon()  # a pixmap without a GUI application aborts the process
        pixmap, painter = _pixmap(size)
        _paint_shape(painter, shape, QColor(color), size)
        painter.end()
        icon = _ICONS[key] = QIcon(pixmap)
    return icon


def status_icon(status: str, size: int = 16) -> QIcon:
    style = STATUS_STYLES.get(status, STATUS_STYLES[FacilityStatus.UNKNOWN.value])
    return shape_icon(_STATUS_SHAPES.get(status, "question"), style.accent, size)


def warning_icon(warning: PowerWarning, size: int = 16) -> QIcon:
    return shape_icon(_WARNING_SHAPES[warning], WARNING_STYLES[warning].accent, size)


# -- the facility register ------------------------------------------------------------


class FacilityColumn(IntEnum):
    STATUS = 0
    NAME = 1
    MUNICIPALITY = 2
    SECTOR = 3
    PERSONS = 4
    POWER = 5
    SINCE = 6
    PHONE = 7


COLUMN_TITLES: dict[FacilityColumn, str] = {
    FacilityColumn.STATUS: QT_TRANSLATE_NOOP("KritisModel", "Status"),
    FacilityColumn.NAME: QT_TRANSLATE_NOOP("KritisModel", "Objekt"),
    FacilityColumn.MUNICIPALITY: QT_TRANSLATE_NOOP("KritisModel", "Gemeinde"),
    FacilityColumn.SECTOR: QT_TRANSLATE_NOOP("KritisModel", "Branche"),
    FacilityColumn.PERSONS: QT_TRANSLATE_NOOP("KritisModel", "Versorgte"),
    FacilityColumn.POWER: QT_TRANSLATE_NOOP("KritisModel", "Notstrom"),
    FacilityColumn.SINCE: QT_TRANSLATE_NOOP("KritisModel", "Status seit"),
    FacilityColumn.PHONE: QT_TRANSLATE_NOOP("KritisModel", "Telefon 24/7"),
}
COLUMN_TOOLTIPS: dict[FacilityColumn, str] = {
    FacilityColumn.STATUS: QT_TRANSLATE_NOOP(
        "KritisModel", "Betriebszustand; Tasten 1–5 in der Liste melden einen neuen Status"
    ),
    FacilityColumn.NAME: QT_TRANSLATE_NOOP("KritisModel", "Name des KRITIS-Objekts"),
    FacilityColumn.MUNICIPALITY: QT_TRANSLATE_NOOP("KritisModel", "Gemeinde im Kreis"),
    FacilityColumn.SECTOR: QT_TRANSLATE_NOOP(
        "KritisModel", "Branche (oder Sektor) nach KRITIS-Katalog"
    ),
    FacilityColumn.PERSONS: QT_TRANSLATE_NOOP("KritisModel", "Versorgte Personen"),
    FacilityColumn.POWER: QT_TRANSLATE_NOOP(
        "KritisModel", "Im Notstrombetrieb: Restlaufzeit; sonst Autarkie des Aggregats"
    ),
    FacilityColumn.SINCE: QT_TRANSLATE_NOOP("KritisModel", "Seit wann der Status gilt"),
    FacilityColumn.PHONE: QT_TRANSLATE_NOOP(
        "KritisModel", "Erste rund um die Uhr erreichbare Nummer"
    ),
}

_COLUMN_COUNT = len(FacilityColumn)
_STATUS_COL = int(FacilityColumn.STATUS)
_POWER_COL = int(FacilityColumn.POWER)
_PERSONS_COL = int(FacilityColumn.PERSONS)
_EMERGENCY = FacilityStatus.EMERGENCY_POWER.value


def _sort_key(column: FacilityColumn, now: datetime) -> Callable[[FacilityView], Any]:
    """A key per column; ties fall back to municipality and name, as the service orders."""

    def base(v: FacilityView) -> tuple[str, str]:
        return (v.municipality.casefold(), v.name.casefold())

    if column == FacilityColumn.STATUS:
        return lambda v: (_STATUS_RANK.get(v.status, 9), base(v))
    if column == FacilityColumn.NAME:
        return lambda v: (v.name.casefold(), v.municipality.casefold())
    if column == FacilityColumn.MUNICIPALITY:
        return base
    if column == FacilityColumn.SECTOR:
        return lambda v: ((v.branch or v.sector).casefold(), v.sector.casefold(), base(v))
    if column == FacilityColumn.PERSONS:
        return lambda v: (v.persons_supplied, base(v))
    if column == FacilityColumn.POWER:

        def power(v: FacilityView) -> tuple[int, float, tuple[str, str]]:
            if v.on_emergency_power:
                left = v.remaining_hours(now)
                return (0, left if left is not None else math.inf, base(v))
            autonomy = v.autonomy_hours
            if autonomy is not None:
                return (1, autonomy, base(v))
            return (2 if v.emergency_power else 3, 0.0, base(v))

        return power
    if column == FacilityColumn.SINCE:
        return lambda v: (v.status_since.timestamp(), base(v))
    return lambda v: ((v.phone_24_7 or "\uffff"), base(v))


class FacilityTableModel(QAbstractTableModel):
    """The facility register as a table; rows are `FacilityView`s."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._views: list[FacilityView] = []
        self._row_of: dict[str, int] = {}
        self._texts: dict[int, tuple[str, ...]] = {}
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self._now = utcnow()
        self._bold = QFont()
        self._bold.setBold(True)
        self._backgrounds = {s: QColor(style.background) for s, style in STATUS_STYLES.items()}
        self._warning_backgrounds = {w: QColor(s.background) for w, s in WARNING_STYLES.items()}
        self._thresholds: PowerThresholds = DEFAULT_THRESHOLDS

    # -- content -----------------------------------------------------------------
    @property
    def views(self) -> Sequence[FacilityView]:
        return self._views

    @property
    def now(self) -> datetime:
        return self._now

    def set_thresholds(self, thresholds: PowerThresholds) -> None:
        """The power warning thresholds for the Notstrom cell (from the Settings)."""
        self._thresholds = thresholds

    def set_views(self, views: Sequence[FacilityView], now: datetime | None = None) -> None:
        """Show ``views`` (in the current sort order); keeps the rows when only values changed."""
        if now is not None:
            self._now = now
        ordered = list(views)
        if self._sort is not None:
            column, order = self._sort
            ordered.sort(
                key=_sort_key(FacilityColumn(column), self._now),
                reverse=order == Qt.SortOrder.DescendingOrder,
            )
        same_rows = len(ordered) == len(self._views) and all(
            a.id == b.id for a, b in zip(ordered, self._views, strict=True)
        )
        if same_rows:
            self._views = ordered
            self._texts.clear()
            if ordered:
                self.dataChanged.emit(
                    self.index(0, 0), self.index(len(ordered) - 1, _COLUMN_COUNT - 1)
                )
            return
        self.beginResetModel()
        self._views = ordered
        self._row_of = {v.id: i for i, v in enumerate(ordered)}
        self._texts.clear()
        self.endResetModel()

    def update_view(self, view: FacilityView) -> bool:
        """Replace one facility (after a status change); False if it is not shown."""
        row = self._row_of.get(view.id)
        if row is None:
            return False
        self._views[row] = view
        self._texts.pop(row, None)
        self.dataChanged.emit(self.index(row, 0), self.index(row, _COLUMN_COUNT - 1))
        return True

    def set_now(self, now: datetime) -> None:
        """Move the clock: the remaining generator time of running generators changes."""
        self._now = now
        for row, view in enumerate(self._views):
            if view.status == _EMERGENCY:
                index = self.index(row, _POWER_COL)
                self.dataChanged.emit(index, index)

    def view(self, row: int) -> FacilityView | None:
        if 0 <= row < len(self._views):
            return self._views[row]
        return None

    def row_of(self, facility_id: str) -> int | None:
        return self._row_of.get(facility_id)

    def facility(self, facility_id: str) -> FacilityView | None:
        row = self._row_of.get(facility_id)
        return self._views[row] if row is not None else None

    # -- sorting (here, not in the proxy: see the module docstring) ---------------
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < _COLUMN_COUNT:
            return
        self._sort = (column, order)
        key = _sort_key(FacilityColumn(column), self._now)
        self.layoutAboutToBeChanged.emit()
        old_rows = {v.id: i for i, v in enumerate(self._views)}
        self._views.sort(key=key, reverse=order == Qt.SortOrder.DescendingOrder)
        self._row_of = {v.id: i for i, v in enumerate(self._views)}
        new_row = [0] * len(self._views)
        for fid, old in old_rows.items():
            new_row[old] = self._row_of[fid]
        self._texts.clear()
        persistent = self.persistentIndexList()
        self.changePersistentIndexList(
            persistent,
            [
                self.index(new_row[p.row()], p.column()) if 0 <= p.row() < len(new_row) else p
                for p in persistent
            ],
        )
        self.layoutChanged.emit()

    def assume_sorted(self, column: int, order: Qt.SortOrder) -> None:
        """The views will arrive in this order already (no sorting needed now)."""
        self._sort = (column, order)

    @property
    def sort_state(self) -> tuple[int, Qt.SortOrder] | None:
        return self._sort

    # -- QAbstractTableModel ------------------------------------------------------
    def rowCount(self, parent: _ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._views)

    def columnCount(self, parent: _ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else _COLUMN_COUNT

    def flags(self, index: _ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _FLAGS

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < _COLUMN_COUNT:
            return None
        column = FacilityColumn(section)
        if role == Qt.ItemDataRole.DisplayRole:
            return _tr(COLUMN_TITLES[column])
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tr(COLUMN_TOOLTIPS[column])
        return None

    def data(self, index: _ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        if not 0 <= row < len(self._views) or not 0 <= column < _COLUMN_COUNT:
            return None
        view = self._views[row]
        if role == Qt.ItemDataRole.DisplayRole or role == Qt.ItemDataRole.AccessibleTextRole:
            if column == _POWER_COL:
                return self._power_text(view)
            return self._row_texts(row, view)[column]
        if role == FACILITY_ROLE:
            return view
        if role == ID_ROLE:
            return view.id
        if role == STATUS_ROLE:
            return view.status
        if role == Qt.ItemDataRole.DecorationRole:
            if column == _STATUS_COL:
                return status_icon(view.status)
            if column == _POWER_COL and view.status == _EMERGENCY:
                return warning_icon(self._warning(view))
            return None
        if role == Qt.ItemDataRole.BackgroundRole:
            if column == _STATUS_COL:
                return self._backgrounds.get(view.status)
            if column == _POWER_COL and view.status == _EMERGENCY:
                warning = self._warning(view)
                if warning is not PowerWarning.NONE:
                    return self._warning_backgrounds[warning]
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == _STATUS_COL or (column == _POWER_COL and view.status == _EMERGENCY):
                return QColor("#1A1A1A")
            return None
        if role == Qt.ItemDataRole.FontRole:
            if column == _STATUS_COL and view.status == FacilityStatus.FAILED.value:
                return self._bold
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _ALIGN_RIGHT if column == _PERSONS_COL else _ALIGN_LEFT
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(view, column)
        return None

    # -- formatting ---------------------------------------------------------------
    def _row_texts(self, row: int, view: FacilityView) -> tuple[str, ...]:
        texts = self._texts.get(row)
        if texts is None:
            texts = (
                view.status,
                view.name,
                view.municipality,
                view.branch or view.sector,
                fmt_int(view.persons_supplied) if view.persons_supplied else "",
                "",  # time-dependent, see _power_text
                fmt_when(view.status_since, self._now),
                view.phone_24_7 or "",
            )
            self._texts[row] = texts
        return texts

    def _left(self, view: FacilityView) -> float | None:
        """Signed hours of generator time left (negative: empty since then)."""
        since, autonomy = view.generator_since, view.autonomy_hours
        if since is None or autonomy is None:
            return None
        return hours_until_dry(since, autonomy, self._now)

    def _warning(self, view: FacilityView) -> PowerWarning:
        return power_warning(self._left(view), self._thresholds)

    def _power_text(self, view: FacilityView) -> str:
        if view.status == _EMERGENCY:
            return format_remaining(self._left(view))
        if not view.emergency_power:
            return _tr("kein")
        autonomy = view.autonomy_hours
        return fmt_hours(autonomy) if autonomy is not None else _tr("ja, Autarkie ?")

    def _tooltip(self, view: FacilityView, column: int) -> str:
        if column == _STATUS_COL or column == int(FacilityColumn.SINCE):
            lines = [_tr("{0} seit {1}").format(view.status, fmt_when_long(view.status_since))]
            if view.status_source:
                lines.append(_tr("Quelle: {0}").format(view.status_source))
            if view.status_note:
                lines.append(view.status_note)
            return "\n".join(lines)
        if column == int(FacilityColumn.SECTOR):
            text = view.sector + (f" – {view.branch}" if view.branch else "")
            if view.locally_critical:
                text += _tr(" (lokal kritisch)")
            return text
        if column == _POWER_COL:
            if view.status == _EMERGENCY:
                since = view.generator_since
                autonomy = view.autonomy_hours
                text = _tr("Notstrombetrieb seit {0}").format(fmt_when_long(since))
                if autonomy is not None and since is not None:
                    text += "\n" + _tr("Autarkie {0}, reicht bis {1} – {2}").format(
                        fmt_hours(autonomy),
                        fmt_when_long(runs_dry_at(since, autonomy)),
                        warning_label(self._warning(view)),
                    )
                return text
            return self._power_text(view)
        if column == int(FacilityColumn.PERSONS):
            return _tr("{0} versorgte Personen").format(fmt_int(view.persons_supplied))
        return f"{view.name} ({view.municipality})"


class FacilityFilterProxy(QSortFilterProxyModel):
    """Filters the register by sector, status, municipality and text.

    Sorting is passed on to the source model (see the module docstring), so
    this proxy always shows the source order.
    """

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._filter = FacilityFilter()
        self._empty = True

    @property
    def facility_filter(self) -> FacilityFilter:
        return self._filter

    def set_filter(self, flt: FacilityFilter) -> None:
        if flt == self._filter:
            return
        self.beginFilterChange()
        self._filter = flt
        self._empty = flt.is_empty
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: _ModelIndex) -> bool:
        if self._empty:
            return True
        model = self.sourceModel()
        view = model.view(source_row) if isinstance(model, FacilityTableModel) else None
        return view is not None and self._filter.matches(view)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        model = self.sourceModel()
        if model is not None:
            model.sort(column, order)

    def view(self, row: int) -> FacilityView | None:
        index = self.index(row, 0)
        return index.data(FACILITY_ROLE) if index.isValid() else None

    def row_of(self, facility_id: str) -> int | None:
        model = self.sourceModel()
        if not isinstance(model, FacilityTableModel):
            return None
        source_row = model.row_of(facility_id)
        if source_row is None:
            return None
        index = self.mapFromSource(model.index(source_row, 0))
        return index.row() if index.isValid() else None


# -- small record lists ----------------------------------------------------------------


@dataclass(frozen=True)
class RecordColumn:
    """One column of a `RecordTableModel`: a title and how to show a record."""

    title: str
    text: Callable[[Any], str]
    tooltip: Callable[[Any], str | None] | None = None
    icon: Callable[[Any], QIcon | None] | None = None
    background: Callable[[Any], QColor | None] | None = None
    right: bool = False
    header_tip: str | None = None


class RecordTableModel(QAbstractTableModel):
    """A read-only table over a list of records (contacts, history, timeline, …).

    Column texts are computed when a view asks; `refresh_cells` repaints
    them after something they depend on (the clock) has moved.
    """

    def __init__(
        self,
        columns: Sequence[RecordColumn],
        parent: Any = None,
        *,
        row_tooltip: Callable[[Any], str | None] | None = None,
    ) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        self._rows: list[Any] = []
        # The whole record, for cells without a tooltip of their own: narrow
        # panels cut long rows off.
        self._row_tooltip = row_tooltip

    @property
    def rows(self) -> Sequence[Any]:
        return self._rows

    @property
    def columns(self) -> Sequence[RecordColumn]:
        return self._columns

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def record(self, row: int) -> Any:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def refresh_cells(self) -> None:
        if self._rows:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._rows) - 1, len(self._columns) - 1)
            )

    def rowCount(self, parent: _ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def flags(self, index: _ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _FLAGS

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._columns):
            return None
        column = self._columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.title
        if role == Qt.ItemDataRole.ToolTipRole:
            return column.header_tip
        return None

    def data(self, index: _ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        if not 0 <= row < len(self._rows) or not 0 <= col < len(self._columns):
            return None
        record = self._rows[row]
        column = self._columns[col]
        if role == Qt.ItemDataRole.DisplayRole or role == Qt.ItemDataRole.AccessibleTextRole:
            return column.text(record)
        if role == ROW_ROLE:
            return record
        if role == Qt.ItemDataRole.ToolTipRole:
            if column.tooltip is not None:
                return column.tooltip(record)
            if self._row_tooltip is not None:
                return self._row_tooltip(record)
            return column.text(record) or None
        if role == Qt.ItemDataRole.DecorationRole and column.icon is not None:
            return column.icon(record)
        if role == Qt.ItemDataRole.BackgroundRole and column.background is not None:
            return column.background(record)
        if role == Qt.ItemDataRole.ForegroundRole and column.background is not None:
            return QColor("#1A1A1A") if column.background(record) is not None else None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _ALIGN_RIGHT if column.right else _ALIGN_LEFT
        return None
