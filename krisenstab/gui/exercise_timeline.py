"""A scenario drawn as a timeline: injects as markers over T+0 … T+end, one row per storyline.

Used by the scenario editor (the plan) and the controller console (the plan
with each inject's state and a line at the current scenario time). Drawn
with QPainter, sized from the font, so it holds at any DPI:

* a circle per inject, coloured by priority (blue einfach, orange sofort),
  a diamond for Blitz – shape and colour, never colour alone;
* a contingency inject hollow, joined to the inject it depends on by a
  dashed line;
* in the console: delivered injects with a dark ring, answered ones with a
  check mark, dropped ones grey and crossed out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetrics,
    QHelpEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import QToolTip, QWidget

from krisenstab.exercise.times import format_offset

NO_STORYLINE = "(ohne Handlungsstrang)"
PRIORITY_COLORS = {"blitz": "#C62828", "sofort": "#EF6C00", "einfach": "#1565C0"}
SKIPPED_COLOR = "#9E9E9E"
NOW_COLOR = "#8B008B"  # the exercise colour: "now" in the scenario
_TICK_STEPS_MIN = (5, 10, 15, 30, 60, 120, 180, 240, 360, 720, 1440)


@dataclass(frozen=True, slots=True)
class TimelineMarker:
    """One inject on the timeline."""

    number: int
    offset_s: float
    storyline: str | None
    priority: str = "einfach"
    contingency_of: int | None = None
    state: str | None = None  # geplant, zugestellt, beantwortet, entfallen (None: plan only)
    tooltip: str = ""


class ScenarioTimeline(QWidget):
    """The timeline widget; click a marker to select its inject."""

    marker_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scenarioTimeline")
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.setAccessibleName(self.tr("Zeitleiste des Drehbuchs"))
        self._markers: list[TimelineMarker] = []
        self._rows: list[str] = []
        self._end_s = 3600.0
        self._now: float | None = None
        self._selected: int | None = None
        self._positions: dict[int, QPointF] = {}

    # -- contents --------------------------------------------------------------
    def set_markers(self, markers: Sequence[TimelineMarker], end_s: float | None = None) -> None:
        self._markers = sorted(markers, key=lambda m: (m.offset_s, m.number))
        rows: list[str] = []
        for marker in self._markers:
            name = marker.storyline or NO_STORYLINE
            if name not in rows:
                rows.append(name)
        self._rows = rows
        latest = max((m.offset_s for m in self._markers), default=0.0)
        if self._now is not None:
            latest = max(latest, self._now)
        self._end_s = max(end_s or 0.0, latest, 1800.0)
        self.updateGeometry()
        self.update()

    def markers(self) -> list[TimelineMarker]:
        return list(self._markers)

    def rows(self) -> list[str]:
        return list(self._rows)

    def set_now(self, offset_s: float | None) -> None:
        if offset_s is not None and offset_s > self._end_s:
            self._end_s = offset_s
        if offset_s != self._now:
            self._now = offset_s
            self.update()

    def set_selected(self, number: int | None) -> None:
        if number != self._selected:
            self._selected = number
            self.update()

    @property
    def selected(self) -> int | None:
        return self._selected

    # -- geometry ---------------------------------------------------------------
    def _base(self) -> tuple[QFontMetrics, int, int]:
        fm = QFontMetrics(self.font())
        return fm, max(22, int(fm.height() * 2.0)), fm.height() + 10

    def _legend_items(self) -> list[tuple[TimelineMarker | None, str]]:
        """The legend: sample markers and their words (None: the dashed link)."""
        entries: list[tuple[TimelineMarker | None, str]] = [
            (TimelineMarker(0, 0, None, "einfach"), self.tr("einfach")),
            (TimelineMarker(0, 0, None, "sofort"), self.tr("sofort")),
            (TimelineMarker(0, 0, None, "blitz"), self.tr("Blitz")),
            (TimelineMarker(0, 0, None, "einfach", contingency_of=1), self.tr("bedingte Einlage")),
        ]
        if any(m.state for m in self._markers):
            entries += [
                (TimelineMarker(0, 0, None, "einfach", state="zugestellt"), self.tr("zugestellt")),
                (
                    TimelineMarker(0, 0, None, "einfach", state="beantwortet"),
                    self.tr("beantwortet"),
                ),
                (TimelineMarker(0, 0, None, "einfach", state="entfallen"), self.tr("entfallen")),
            ]
        entries.append((None, self.tr("bedingt durch")))
        return entries

    def _legend_layout(self, fm: QFontMetrics, left: float) -> list[tuple[float, int]]:
        """(x, line) of each legend entry, wrapped to the widget's width."""
        radius = max(4.0, fm.height() * 0.32)
        width = max(self.width(), 300)
        x, line = left, 0
        placed = []
        for marker, label in self._legend_items():
            symbol = 30.0 if marker is None else 2 * radius + 10
            needed = symbol + fm.horizontalAdvance(label) + 18
            if x + needed > width and x > left:
                x, line = left, line + 1
            placed.append((x, line))
            x += needed
        return placed

    def _metrics(self) -> tuple[QFontMetrics, int, int, int]:
        fm, base_row, axis_h = self._base()
        lines = 1 + max(
            (line for _x, line in self._legend_layout(fm, self._label_width(fm))), default=0
        )
        legend_h = lines * (fm.height() + 8) + 4
        rows = max(1, len(self._rows))
        # Rows grow into spare height (up to 1.8× their size): easier to click.
        spare = (self.height() - axis_h - legend_h - fm.height() - 8) / rows
        row_h = int(min(base_row * 1.8, max(base_row, spare)))
        return fm, row_h, axis_h, legend_h

    def _label_width(self, fm: QFontMetrics) -> int:
        widest = max((fm.horizontalAdvance(r) for r in self._rows), default=60)
        return min(max(widest + 16, 80), max(120, self.width() // 5))

    def sizeHint(self) -> QSize:
        fm, base_row, axis_h = self._base()
        _fm, _row, _axis, legend_h = self._metrics()
        return QSize(800, axis_h + max(1, len(self._rows)) * base_row + legend_h + fm.height() + 8)

    def minimumSizeHint(self) -> QSize:
        fm, base_row, axis_h = self._base()
        return QSize(300, axis_h + base_row + 2 * fm.height() + 16)

    def _plot_rect(self) -> QRectF:
        fm, row_h, axis_h, _legend_h = self._metrics()
        left = self._label_width(fm)
        right_pad = fm.horizontalAdvance("T+00:00") // 2 + 6
        height = max(1, len(self._rows)) * row_h
        return QRectF(left, axis_h, max(10.0, self.width() - left - right_pad), height)

    def _x(self, offset_s: float, plot: QRectF) -> float:
        return plot.left() + plot.width() * (max(0.0, offset_s) / self._end_s)

    def _tick_step(self, plot: QRectF, fm: QFontMetrics) -> int:
        minimum_px = fm.horizontalAdvance("T+00:00") + 16
        for minutes in _TICK_STEPS_MIN:
            if plot.width() * (minutes * 60) / self._end_s >= minimum_px:
                return minutes * 60
        return _TICK_STEPS_MIN[-1] * 60

    # -- painting ----------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        painter.fillRect(self.rect(), palette.base())
        fm, row_h, axis_h, legend_h = self._metrics()
        plot = self._plot_rect()
        text_color = palette.text().color()
        grid = QColor(text_color)
        grid.setAlpha(40)

        # Rows (alternating) with their storyline names.
        for index, name in enumerate(self._rows or [NO_STORYLINE]):
            top = plot.top() + index * row_h
            if index % 2:
                shade = QColor(text_color)
                shade.setAlpha(12)
                painter.fillRect(QRectF(0, top, self.width(), row_h), shade)
            painter.setPen(text_color)
            label_rect = QRectF(6, top, plot.left() - 12, row_h)
            painter.drawText(
                label_rect,
                int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
                fm.elidedText(name, Qt.TextElideMode.ElideRight, int(label_rect.width())),
            )

        # Axis with ticks.
        step = self._tick_step(plot, fm)
        painter.setPen(QPen(grid, 1))
        tick = 0
        while tick <= self._end_s + 1:
            x = self._x(tick, plot)
            painter.setPen(QPen(grid, 1))
            painter.drawLine(QPointF(x, plot.top() - 3), QPointF(x, plot.bottom()))
            painter.setPen(text_color)
            label = format_offset(tick)
            width = fm.horizontalAdvance(label)
            painter.drawText(
                QRectF(x - width / 2 - 2, 0, width + 4, axis_h - 4),
                int(Qt.AlignmentFlag.AlignCenter),
                label,
            )
            tick += step

        # Positions first: contingency lines are drawn under the markers.
        self._positions = self._compute_positions()
        row_of = {name: i for i, name in enumerate(self._rows)}
        radius = max(4.0, fm.height() * 0.32)
        link_pen = QPen(QColor("#6D6D6D"), 1.2, Qt.PenStyle.DashLine)
        painter.setPen(link_pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for marker in self._markers:
            if marker.contingency_of is None:
                continue
            start = self._positions.get(marker.contingency_of)
            end = self._positions.get(marker.number)
            if start is None or end is None:
                continue
            path = QPainterPath(start)
            middle_y = min(start.y(), end.y()) - row_h * 0.45
            path.cubicTo(
                QPointF(start.x(), middle_y), QPointF(end.x(), middle_y), QPointF(end.x(), end.y())
            )
            painter.drawPath(path)

        small = QFont(self.font())
        small.setPointSizeF(max(6.5, small.pointSizeF() * 0.8))
        small_fm = QFontMetrics(small)
        last_label_end: dict[int, float] = {}
        for marker in self._markers:
            center = self._positions[marker.number]
            self._draw_marker(painter, marker, center, radius)
            # Numbers above the markers where there is room.
            row = row_of.get(marker.storyline or NO_STORYLINE, 0)
            label = str(marker.number)
            width = small_fm.horizontalAdvance(label)
            left = center.x() - width / 2
            if left > last_label_end.get(row, -1e9) + 2:
                painter.setFont(small)
                painter.setPen(text_color)
                painter.drawText(
                    QRectF(
                        left, center.y() - radius - small_fm.height() - 1, width, small_fm.height()
                    ),
                    int(Qt.AlignmentFlag.AlignCenter),
                    label,
                )
                painter.setFont(self.font())
                last_label_end[row] = left + width

        if self._now is not None:
            x = self._x(self._now, plot)
            painter.setPen(QPen(QColor(NOW_COLOR), 2))
            painter.drawLine(QPointF(x, plot.top() - 2), QPointF(x, plot.bottom() + 2))
            tag = self.tr("jetzt {0}").format(format_offset(self._now))
            width = fm.horizontalAdvance(tag) + 8
            tag_x = min(max(plot.left(), x - width / 2), self.width() - width - 2)
            rect = QRectF(tag_x, plot.bottom() + 2, width, fm.height() + 2)
            painter.fillRect(rect, QColor(NOW_COLOR))
            painter.setPen(QColor("#FFFFFF"))
            painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), tag)

        self._draw_legend(painter, fm, plot, radius, legend_h)
        painter.end()

    def _draw_marker(
        self, painter: QPainter, marker: TimelineMarker, center: QPointF, radius: float
    ) -> None:
        skipped = marker.state == "entfallen"
        color = QColor(
            SKIPPED_COLOR if skipped else PRIORITY_COLORS.get(marker.priority, "#1565C0")
        )
        hollow = marker.contingency_of is not None and marker.state in (None, "geplant")
        fill = QBrush(QColor("#FFFFFF")) if hollow or skipped else QBrush(color)
        painter.setPen(QPen(color, 2))
        painter.setBrush(fill)
        if marker.priority == "blitz":
            r = radius * 1.25
            painter.drawPolygon(
                QPolygonF(
                    [
                        QPointF(center.x(), center.y() - r),
                        QPointF(center.x() + r, center.y()),
                        QPointF(center.x(), center.y() + r),
                        QPointF(center.x() - r, center.y()),
                    ]
                )
            )
        else:
            painter.drawEllipse(center, radius, radius)
        if marker.state in ("zugestellt", "beantwortet"):
            painter.setPen(QPen(QColor("#212121"), 1.5))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(center, radius + 3, radius + 3)
        if marker.state == "beantwortet":
            painter.setPen(QPen(QColor("#FFFFFF"), 2))
            painter.drawPolyline(
                QPolygonF(
                    [
                        QPointF(center.x() - radius * 0.5, center.y()),
                        QPointF(center.x() - radius * 0.1, center.y() + radius * 0.45),
                        QPointF(center.x() + radius * 0.55, center.y() - radius * 0.45),
                    ]
                )
            )
        if skipped:
            painter.setPen(QPen(QColor(SKIPPED_COLOR), 1.5))
            painter.drawLine(
                QPointF(center.x() - radius, center.y() - radius),
                QPointF(center.x() + radius, center.y() + radius),
            )
        if marker.number == self._selected:
            painter.setPen(QPen(QColor(NOW_COLOR), 2.5))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(
                QRectF(
                    center.x() - radius - 5,
                    center.y() - radius - 5,
                    2 * radius + 10,
                    2 * radius + 10,
                )
            )

    def _draw_legend(
        self, painter: QPainter, fm: QFontMetrics, plot: QRectF, radius: float, legend_h: int
    ) -> None:
        top = plot.bottom() + fm.height() + 8
        line_h = fm.height() + 8
        text_color = self.palette().text().color()
        for (marker, label), (x, line) in zip(
            self._legend_items(), self._legend_layout(fm, plot.left()), strict=True
        ):
            y = top + line * line_h
            center_y = y + line_h / 2
            if marker is None:
                painter.setPen(QPen(QColor("#6D6D6D"), 1.2, Qt.PenStyle.DashLine))
                painter.drawLine(QPointF(x, center_y), QPointF(x + 24, center_y))
                x += 30
            else:
                self._draw_marker(painter, marker, QPointF(x + radius + 3, center_y), radius)
                x += 2 * radius + 10
            painter.setPen(text_color)
            painter.drawText(
                QRectF(x, y, fm.horizontalAdvance(label) + 4, line_h),
                int(Qt.AlignmentFlag.AlignVCenter),
                label,
            )

    def _compute_positions(self) -> dict[int, QPointF]:
        _fm, row_h, _axis, _legend = self._metrics()
        plot = self._plot_rect()
        row_of = {name: i for i, name in enumerate(self._rows)}
        positions: dict[int, QPointF] = {}
        for marker in self._markers:
            row = row_of.get(marker.storyline or NO_STORYLINE, 0)
            positions[marker.number] = QPointF(
                self._x(marker.offset_s, plot), plot.top() + row * row_h + row_h * 0.58
            )
        return positions

    # -- interaction -------------------------------------------------------------
    def marker_at(self, point: QPointF) -> TimelineMarker | None:
        self._positions = self._compute_positions()
        fm, _row_h, _axis, _legend = self._metrics()
        reach = max(8.0, fm.height() * 0.6)
        best: tuple[float, TimelineMarker] | None = None
        for marker in self._markers:
            center = self._positions.get(marker.number)
            if center is None:
                continue
            distance = ((center.x() - point.x()) ** 2 + (center.y() - point.y()) ** 2) ** 0.5
            if distance <= reach and (best is None or distance < best[0]):
                best = (distance, marker)
        return best[1] if best else None

    def marker_position(self, number: int) -> QPointF | None:
        """Where a marker is drawn (tests click there)."""
        return self._compute_positions().get(number)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        marker = self.marker_at(event.position())
        if marker is not None and event.button() == Qt.MouseButton.LeftButton:
            self.set_selected(marker.number)
            self.marker_clicked.emit(marker.number)
            event.accept()
            return
        super().mousePressEvent(event)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            marker = self.marker_at(QPointF(event.pos()))
            if marker is not None:
                text = marker.tooltip or self.tr("Einlage Nr. {0}, {1}").format(
                    marker.number, format_offset(marker.offset_s)
                )
                QToolTip.showText(event.globalPos(), text, self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)
