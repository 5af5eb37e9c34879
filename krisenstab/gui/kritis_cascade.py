"""The cascade view: what fails next, when, and how many people it hits.

From the stored state, or from a what-if (facilities failing now, an area
power outage in some municipalities). A what-if only computes; no status is
written. The timeline is shown as a table and as a step chart of the
persons affected over the hours, drawn here with QPainter (QtCharts is not
part of PySide6-Essentials).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QModelIndex,
    QPointF,
    QRectF,
    QSize,
    QStringListModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QColor,
    QFont,
    QFontMetrics,
    QHelpEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QCompleter,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QSplitter,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from krisenstab.domain.cascade import CascadeResult, TimelineEvent
from krisenstab.domain.facility import FacilityView
from krisenstab.domain.power import format_duration
from krisenstab.domain.timefmt import utcnow
from krisenstab.gui.kritis_detail import fit_columns, make_table
from krisenstab.gui.kritis_model import (
    ROW_ROLE,
    RecordColumn,
    RecordTableModel,
    fmt_int,
    fmt_when,
    fmt_when_long,
)
from krisenstab.gui.widgets import MessageBar
from krisenstab.services.context import ServiceError
from krisenstab.store.errors import StoreError

DEFAULT_HORIZON_H = 72
LINE_COLOR = "#1E5AA8"
FILL_COLOR = QColor(30, 90, 168, 38)
MARKER_COLOR = "#C62828"
HIGHLIGHT_COLOR = "#D84B00"
GRID_COLOR = "#D8D8D8"
AXIS_COLOR = "#555555"
ID_ROLE = Qt.ItemDataRole.UserRole + 1


def fmt_after(hours: float) -> str:
    """``sofort``, ``2 h``, ``7 h 30 min``, ``bereits (vor 22 h)``."""
    if hours < 0:
        return QCoreApplication.translate("CascadeView", "bereits (vor {0})").format(
            format_duration(-hours)
        )
    if hours * 60 < 1:
        return QCoreApplication.translate("CascadeView", "sofort")
    return format_duration(hours)


def nice_step(span: float, target_ticks: int = 5) -> float:
    """A 1-2-5 step that divides ``span`` into about ``target_ticks`` parts."""
    if span <= 0:
        return 1.0
    raw = span / target_ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


@dataclass(frozen=True)
class ChartMarker:
    index: int  # row in the timeline
    hours: float
    cumulative: int
    name: str
    persons: int


class CascadeChart(QWidget):
    """Step line of cumulative persons affected over 0 … horizon hours, with markers."""

    marker_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cascadeChart")
        self.setAccessibleName(self.tr("Verlauf der betroffenen Personen über die Stunden"))
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setAutoFillBackground(True)
        self.horizon_h = float(DEFAULT_HORIZON_H)
        self.baseline = 0
        self.before_count = 0
        self.markers: list[ChartMarker] = []
        self.highlight: int | None = None
        self.empty_text = self.tr("Noch keine Berechnung.")

    def sizeHint(self) -> QSize:
        line = self.fontMetrics().lineSpacing()
        return QSize(line * 40, line * 14)

    def minimumSizeHint(self) -> QSize:
        line = self.fontMetrics().lineSpacing()
        return QSize(line * 20, line * 9)

    def set_timeline(self, events: Sequence[TimelineEvent], horizon_h: float) -> None:
        self.horizon_h = max(1.0, float(horizon_h))
        before = [e for e in events if e.hours < 0]
        self.before_count = len(before)
        self.baseline = before[-1].persons_cumulative if before else 0
        self.markers = [
            ChartMarker(i, max(0.0, e.hours), e.persons_cumulative, e.name, e.persons_supplied)
            for i, e in enumerate(events)
            if e.hours >= 0
        ]
        self.highlight = None
        self.empty_text = self.tr("Kein Ausfall innerhalb von {0} h.").format(
            fmt_int(round(self.horizon_h))
        )
        top = self.markers[-1].cumulative if self.markers else self.baseline
        self.setAccessibleDescription(
            self.tr("{0} Ausfälle in {1} h; betroffen am Ende {2} Personen.").format(
                len(self.markers), fmt_int(round(self.horizon_h)), fmt_int(top)
            )
        )
        self.update()

    def set_highlight(self, timeline_index: int | None) -> None:
        self.highlight = timeline_index
        self.update()

    # -- geometry --------------------------------------------------------------------
    def _y_max(self) -> tuple[float, float]:
        top = max([self.baseline] + [m.cumulative for m in self.markers])
        if top <= 0:
            return 1.0, 1.0
        step = nice_step(top, 4)
        return step * math.ceil(top / step), step

    def _plot_rect(self, fm: QFontMetrics, y_max: float) -> QRectF:
        label_w = fm.horizontalAdvance(fmt_int(int(y_max))) + fm.horizontalAdvance("  ")
        top = fm.lineSpacing() * 1.6
        bottom = fm.lineSpacing() * 2.4
        return QRectF(
            label_w + 6,
            top,
            max(10.0, self.width() - label_w - 6 - 16),
            self.height() - top - bottom,
        )

    def _point(self, plot: QRectF, hours: float, persons: float, y_max: float) -> QPointF:
        x = plot.left() + plot.width() * min(max(hours, 0.0), self.horizon_h) / self.horizon_h
        y = plot.bottom() - plot.height() * persons / y_max
        return QPointF(x, y)

    def marker_at(self, pos: QPointF, radius: float = 7.0) -> ChartMarker | None:
        fm = self.fontMetrics()
        y_max, _step = self._y_max()
        plot = self._plot_rect(fm, y_max)
        best, best_d = None, radius
        for marker in self.markers:
            p = self._point(plot, marker.hours, marker.cumulative, y_max)
            d = math.hypot(p.x() - pos.x(), p.y() - pos.y())
            if d <= best_d:
                best, best_d = marker, d
        return best

    # -- painting --------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("#FFFFFF"))
        fm = self.fontMetrics()
        y_max, y_step = self._y_max()
        plot = self._plot_rect(fm, y_max)
        self._paint_axes(painter, fm, plot, y_max, y_step)
        if not self.markers and self.baseline == 0:
            painter.setPen(QColor(AXIS_COLOR))
            painter.drawText(plot, int(Qt.AlignmentFlag.AlignCenter), self.empty_text)
            painter.end()
            return
        self._paint_line(painter, plot, y_max)
        self._paint_markers(painter, fm, plot, y_max)
        painter.end()

    def _paint_axes(
        self, painter: QPainter, fm: QFontMetrics, plot: QRectF, y_max: float, y_step: float
    ) -> None:
        grid = QPen(QColor(GRID_COLOR), 1)
        axis = QPen(QColor(AXIS_COLOR), 1)
        # y: persons
        value = 0.0
        while value <= y_max + 1e-9:
            p = self._point(plot, 0, value, y_max)
            painter.setPen(grid)
            painter.drawLine(QPointF(plot.left(), p.y()), QPointF(plot.right(), p.y()))
            painter.setPen(axis)
            text = fmt_int(round(value))
            painter.drawText(
                QRectF(0, p.y() - fm.height() / 2, plot.left() - 6, fm.height()),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                text,
            )
            value += y_step
        # x: hours, a step that leaves room for the labels
        label_w = fm.horizontalAdvance("888 h") * 1.6
        x_step = 1.0
        for candidate in (1, 2, 3, 6, 12, 24, 48, 96):
            x_step = float(candidate)
            if plot.width() * candidate / self.horizon_h >= label_w:
                break
        hours = 0.0
        while hours <= self.horizon_h + 1e-9:
            p = self._point(plot, hours, 0, y_max)
            painter.setPen(grid)
            painter.drawLine(QPointF(p.x(), plot.top()), QPointF(p.x(), plot.bottom()))
            painter.setPen(axis)
            painter.drawText(
                QRectF(p.x() - label_w / 2, plot.bottom() + 2, label_w, fm.height()),
                int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop),
                f"{int(hours)} h",
            )
            hours += x_step
        painter.setPen(axis)
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())
        painter.drawLine(plot.bottomLeft(), plot.topLeft())
        painter.drawText(
            QRectF(0, 0, self.width(), fm.lineSpacing() * 1.4),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            self.tr("Betroffene Personen (kumuliert)"),
        )
        painter.drawText(
            QRectF(
                plot.left(), plot.bottom() + fm.lineSpacing(), plot.width(), fm.lineSpacing() * 1.3
            ),
            int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter),
            self.tr("Stunden ab Beginn"),
        )

    def _paint_line(self, painter: QPainter, plot: QRectF, y_max: float) -> None:
        path = QPainterPath(self._point(plot, 0, self.baseline, y_max))
        level = self.baseline
        for marker in self.markers:
            path.lineTo(self._point(plot, marker.hours, level, y_max))
            level = marker.cumulative
            path.lineTo(self._point(plot, marker.hours, level, y_max))
        path.lineTo(self._point(plot, self.horizon_h, level, y_max))
        fill = QPainterPath(path)
        fill.lineTo(self._point(plot, self.horizon_h, 0, y_max))
        fill.lineTo(self._point(plot, 0, 0, y_max))
        fill.closeSubpath()
        painter.fillPath(fill, FILL_COLOR)
        pen = QPen(QColor(LINE_COLOR), 2.2)
        pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(path)

    def _paint_markers(
        self, painter: QPainter, fm: QFontMetrics, plot: QRectF, y_max: float
    ) -> None:
        if self.before_count:
            # Failed before the start: one square on the axis.
            p = self._point(plot, 0, self.baseline, y_max)
            painter.setPen(QPen(QColor(MARKER_COLOR), 1.5))
            painter.setBrush(QColor("#FFFFFF"))
            painter.drawRect(QRectF(p.x() - 4, p.y() - 4, 8, 8))
        selected: ChartMarker | None = None
        for marker in self.markers:
            p = self._point(plot, marker.hours, marker.cumulative, y_max)
            if marker.index == self.highlight:
                selected = marker
                continue
            painter.setPen(QPen(QColor(MARKER_COLOR), 1.5))
            painter.setBrush(QColor(MARKER_COLOR) if marker.persons else QColor("#FFFFFF"))
            painter.drawEllipse(p, 3.5, 3.5)
        if selected is not None:
            p = self._point(plot, selected.hours, selected.cumulative, y_max)
            painter.setPen(QPen(QColor(HIGHLIGHT_COLOR), 1, Qt.PenStyle.DashLine))
            painter.drawLine(QPointF(p.x(), plot.top()), QPointF(p.x(), plot.bottom()))
            painter.setPen(QPen(QColor("#FFFFFF"), 2))
            painter.setBrush(QColor(HIGHLIGHT_COLOR))
            painter.drawEllipse(p, 6.5, 6.5)
            text = f"{selected.name} ({fmt_after(selected.hours)})"
            font = QFont(painter.font())
            font.setBold(True)
            painter.setFont(font)
            bold = QFontMetrics(font)
            width = bold.horizontalAdvance(text) + 8
            x = min(max(plot.left(), p.x() + 8), plot.right() - width)
            y = p.y() - bold.height() - 6
            if y < plot.top():
                y = p.y() + 8
            box = QRectF(x, y, width, bold.height() + 2)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(255, 255, 255, 230))
            painter.drawRect(box)
            painter.setPen(QColor("#1A1A1A"))
            painter.drawText(box, int(Qt.AlignmentFlag.AlignCenter), text)

    # -- interaction -----------------------------------------------------------------
    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            marker = self.marker_at(QPointF(event.pos()))
            if marker is None:
                QToolTip.hideText()
                event.ignore()
            else:
                QToolTip.showText(
                    event.globalPos(),
                    self.tr("nach {0}: {1}\n{2} Personen, kumuliert {3}").format(
                        fmt_after(marker.hours),
                        marker.name,
                        fmt_int(marker.persons),
                        fmt_int(marker.cumulative),
                    ),
                    self,
                )
            return True
        return super().event(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        marker = self.marker_at(event.position())
        if marker is not None:
            self.marker_clicked.emit(marker.index)
            event.accept()
            return
        super().mousePressEvent(event)


class CascadeView(QWidget):
    """What-if controls, summary, chart and timeline table."""

    facility_requested = Signal(str)

    def __init__(
        self,
        compute: Callable[..., CascadeResult],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("cascadeView")
        self._compute = compute
        self._ids_by_label: dict[str, str] = {}
        self._labels_by_id: dict[str, str] = {}
        self._views: Sequence[FacilityView] = ()
        self._indexed = True
        self.result: CascadeResult | None = None
        self.started_at: datetime | None = None
        self.message_bar = MessageBar(self)
        self._build_controls()
        self._build_results()

        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.setChildrenCollapsible(False)
        split.addWidget(self.controls)
        split.addWidget(self.results)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        line = self.fontMetrics().lineSpacing()
        split.setSizes([line * 18, line * 60])
        self.splitter = split
        layout = QVBoxLayout(self)
        margin = max(2, self.fontMetrics().height() // 4)
        layout.setContentsMargins(margin, margin, margin, margin)
        layout.addWidget(self.message_bar)
        layout.addWidget(split, 1)
        self._on_mode_changed()

    # -- construction --------------------------------------------------------------------
    def _build_controls(self) -> None:
        self.controls = QFrame(self)
        self.controls.setObjectName("cascadeControls")
        mode_box = QGroupBox(self.tr("Ausgangslage"), self.controls)
        self.current_radio = QRadioButton(
            self.tr("Aktueller Stand (gespeicherter Status)"), mode_box
        )
        self.current_radio.setObjectName("cascadeCurrent")
        self.what_if_radio = QRadioButton(self.tr("Was wäre, wenn … (ab jetzt)"), mode_box)
        self.what_if_radio.setObjectName("cascadeWhatIf")
        self.current_radio.setChecked(True)
        self.current_radio.toggled.connect(self._on_mode_changed)
        mode_layout = QVBoxLayout(mode_box)
        mode_layout.addWidget(self.current_radio)
        mode_layout.addWidget(self.what_if_radio)

        self.what_if_box = QGroupBox(self.tr("Annahmen"), self.controls)
        self.facility_edit = QLineEdit(self.what_if_box)
        self.facility_edit.setObjectName("cascadeFacilityEdit")
        self.facility_edit.setPlaceholderText(self.tr("Objekt suchen, Eingabe fügt hinzu"))
        self.facility_edit.setAccessibleName(self.tr("Ausfallendes Objekt hinzufügen"))
        self._completion = QStringListModel(self)
        completer = QCompleter(self._completion, self.facility_edit)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setMaxVisibleItems(12)
        completer.activated.connect(self._add_from_text)
        self.facility_edit.setCompleter(completer)
        self.facility_edit.returnPressed.connect(
            lambda: self._add_from_text(self.facility_edit.text())
        )
        fail_label = QLabel(self.tr("Objekte fallen aus:"), self.what_if_box)
        fail_label.setBuddy(self.facility_edit)
        self.fail_list = QListWidget(self.what_if_box)
        self.fail_list.setObjectName("cascadeFailList")
        self.fail_list.setAccessibleName(self.tr("Angenommene Ausfälle (Entf entfernt)"))
        self.fail_list.setToolTip(self.tr("Entf entfernt das ausgewählte Objekt"))
        remove = QAction(self.tr("Entfernen"), self.fail_list)
        remove.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        remove.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        remove.triggered.connect(self._remove_selected)
        self.fail_list.addAction(remove)
        line = self.fontMetrics().lineSpacing()
        self.fail_list.setMaximumHeight(line * 5)

        area_label = QLabel(self.tr("Flächenstromausfall in:"), self.what_if_box)
        self.area_list = QListWidget(self.what_if_box)
        self.area_list.setObjectName("cascadeAreaList")
        self.area_list.setAccessibleName(self.tr("Gemeinden mit Flächenstromausfall (Leertaste)"))
        area_label.setBuddy(self.area_list)
        self.stored_check = QCheckBox(self.tr("Gespeicherten Status einbeziehen"), self.what_if_box)
        self.stored_check.setObjectName("cascadeUseStored")
        self.stored_check.setToolTip(
            self.tr(
                "Ausgefallene Objekte und laufende Notstromaggregate aus dem gespeicherten "
                "Stand mitrechnen; sonst gilt alles als betriebsbereit."
            )
        )
        self.stored_check.setChecked(True)
        box_layout = QVBoxLayout(self.what_if_box)
        box_layout.addWidget(fail_label)
        box_layout.addWidget(self.facility_edit)
        box_layout.addWidget(self.fail_list)
        box_layout.addWidget(area_label)
        box_layout.addWidget(self.area_list, 1)
        box_layout.addWidget(self.stored_check)

        self.horizon_spin = QSpinBox(self.controls)
        self.horizon_spin.setObjectName("cascadeHorizon")
        self.horizon_spin.setRange(1, 336)
        self.horizon_spin.setValue(DEFAULT_HORIZON_H)
        self.horizon_spin.setSuffix(" h")
        horizon_label = QLabel(self.tr("Prognose über"), self.controls)
        horizon_label.setBuddy(self.horizon_spin)
        self.compute_button = QPushButton(self.tr("Berechnen (Strg+Eingabe)"), self.controls)
        self.compute_button.setObjectName("cascadeCompute")
        self.compute_button.clicked.connect(self.compute)
        compute_action = QAction(self.tr("Kaskade berechnen"), self)
        compute_action.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        compute_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        compute_action.triggered.connect(self.compute)
        self.addAction(compute_action)
        self.compute_action = compute_action
        note = QLabel(
            self.tr("Eine Was-wäre-wenn-Rechnung ändert keinen gespeicherten Status."),
            self.controls,
        )
        note.setWordWrap(True)
        note.setStyleSheet("color: #555;")

        horizon_row = QHBoxLayout()
        horizon_row.addWidget(horizon_label)
        horizon_row.addWidget(self.horizon_spin)
        horizon_row.addStretch(1)
        layout = QVBoxLayout(self.controls)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(mode_box)
        layout.addWidget(self.what_if_box, 1)
        layout.addLayout(horizon_row)
        layout.addWidget(self.compute_button)
        layout.addWidget(note)

    def _build_results(self) -> None:
        self.results = QWidget(self)
        self.summary = QLabel(self.results)
        self.summary.setObjectName("cascadeSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.chart = CascadeChart(self.results)
        self.chart.marker_clicked.connect(self.select_event)
        self.timeline_model = RecordTableModel(self._timeline_columns(), self)
        self.timeline_table = make_table(self.results, self.timeline_model, "cascadeTimeline")
        self.timeline_table.setAccessibleName(self.tr("Zeitlicher Ablauf der Ausfälle"))
        self.timeline_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        fit_columns(
            self.timeline_table,
            (
                "bereits (vor 88 h 88 min)",
                "88.88. 88:88",
                "Hochbehälter Kreuzau-Süd (Muster)",
                "Hürtgenwald",
                "888.888",
                "8.888.888",
            ),
        )
        self.timeline_table.selectionModel().currentRowChanged.connect(self._on_row_changed)
        self.timeline_table.activated.connect(self._on_activated)
        split = QSplitter(Qt.Orientation.Vertical, self.results)
        split.setChildrenCollapsible(False)
        split.addWidget(self.chart)
        split.addWidget(self.timeline_table)
        line = self.fontMetrics().lineSpacing()
        split.setSizes([line * 14, line * 12])
        layout = QVBoxLayout(self.results)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(split, 1)

    def _timeline_columns(self) -> list[RecordColumn]:
        def when(e: TimelineEvent) -> str:
            if self.started_at is None:
                return ""
            return fmt_when(self.started_at + timedelta(hours=e.hours), self.started_at)

        return [
            RecordColumn(self.tr("nach"), lambda e: fmt_after(e.hours)),
            RecordColumn(
                self.tr("Zeitpunkt"),
                when,
                tooltip=lambda e: (
                    fmt_when_long(self.started_at + timedelta(hours=e.hours))
                    if self.started_at
                    else None
                ),
            ),
            RecordColumn(self.tr("Objekt"), lambda e: e.name),
            RecordColumn(self.tr("Gemeinde"), lambda e: e.municipality or ""),
            RecordColumn(self.tr("Personen"), lambda e: fmt_int(e.persons_supplied), right=True),
            RecordColumn(
                self.tr("kumuliert"),
                lambda e: fmt_int(e.persons_cumulative),
                right=True,
                header_tip=self.tr(
                    "Summe der versorgten Personen aller bis dahin ausgefallenen Objekte; "
                    "dieselben Menschen können mehrfach gezählt sein (Strom und Wasser)."
                ),
            ),
            RecordColumn(self.tr("Ursache"), lambda e: e.cause_text),
        ]

    # -- inputs ----------------------------------------------------------------------------
    def set_facilities(self, views: Sequence[FacilityView]) -> None:
        """The facilities the what-if can name (indexed when first needed)."""
        self._views = views
        self._indexed = False
        if self.isVisible():
            self._index_facilities()

    def _index_facilities(self) -> None:
        if self._indexed:
            return
        self._indexed = True
        self._ids_by_label = {}
        self._labels_by_id = {}
        for view in self._views:
            label = f"{view.name} [{view.municipality}]"
            self._ids_by_label[label.casefold()] = view.id
            self._labels_by_id[view.id] = label
        self._completion.setStringList(sorted(self._labels_by_id.values(), key=str.casefold))

    def showEvent(self, event: QShowEvent) -> None:
        self._index_facilities()
        super().showEvent(event)

    def set_municipalities(self, names: Sequence[str]) -> None:
        checked = set(self.areas())
        self.area_list.clear()
        for name in names:
            item = QListWidgetItem(name, self.area_list)
            item.setFlags(
                Qt.ItemFlag.ItemIsEnabled
                | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemIsUserCheckable
            )
            item.setCheckState(
                Qt.CheckState.Checked if name in checked else Qt.CheckState.Unchecked
            )

    def failing_ids(self) -> list[str]:
        return [self.fail_list.item(i).data(ID_ROLE) for i in range(self.fail_list.count())]

    def areas(self) -> list[str]:
        return [
            self.area_list.item(i).text()
            for i in range(self.area_list.count())
            if self.area_list.item(i).checkState() == Qt.CheckState.Checked
        ]

    def add_failing(self, facility_id: str) -> bool:
        self._index_facilities()
        if facility_id in self.failing_ids():
            return False
        label = self._labels_by_id.get(facility_id, facility_id)
        item = QListWidgetItem(label, self.fail_list)
        item.setData(ID_ROLE, facility_id)
        return True

    def set_areas(self, names: Sequence[str]) -> None:
        wanted = {n.casefold() for n in names}
        for i in range(self.area_list.count()):
            item = self.area_list.item(i)
            item.setCheckState(
                Qt.CheckState.Checked
                if item.text().casefold() in wanted
                else Qt.CheckState.Unchecked
            )

    def what_if(
        self,
        facility_ids: Sequence[str] = (),
        areas: Sequence[str] = (),
        *,
        use_stored_state: bool = True,
    ) -> CascadeResult | None:
        """Set up a what-if and compute it."""
        self.what_if_radio.setChecked(True)
        self.fail_list.clear()
        for fid in facility_ids:
            self.add_failing(fid)
        self.set_areas(areas)
        self.stored_check.setChecked(use_stored_state)
        return self.compute()

    def current_state(self) -> CascadeResult | None:
        self.current_radio.setChecked(True)
        return self.compute()

    def ensure_computed(self) -> None:
        if self.result is None:
            self.compute()

    # -- computing ---------------------------------------------------------------------------
    def compute(self) -> CascadeResult | None:
        what_if = self.what_if_radio.isChecked()
        fail = self.failing_ids() if what_if else []
        areas = self.areas() if what_if else []
        use_stored = self.stored_check.isChecked() if what_if else True
        if what_if and not fail and not areas:
            self.message_bar.show_message(
                self.tr(
                    "Für „Was wäre, wenn“ bitte mindestens ein ausfallendes Objekt oder eine "
                    "Gemeinde mit Flächenstromausfall wählen."
                ),
                "info",
            )
            return None
        horizon = float(self.horizon_spin.value())
        started = utcnow().replace(second=0, microsecond=0)
        try:
            result = self._compute(
                fail=fail, areas=areas, use_stored_state=use_stored, horizon_h=horizon
            )
        except (ServiceError, StoreError) as exc:
            self.message_bar.show_error(str(exc))
            return None
        self.message_bar.dismiss()
        self.result = result
        self.started_at = started
        self.timeline_model.set_rows(list(result.timeline))
        self.chart.set_timeline(result.timeline, horizon)
        self.summary.setText(self._summary_text(result, what_if, fail, areas, horizon))
        return result

    def _summary_text(
        self,
        result: CascadeResult,
        what_if: bool,
        fail: Sequence[str],
        areas: Sequence[str],
        horizon: float,
    ) -> str:
        start = fmt_when_long(self.started_at) if self.started_at else ""
        self._index_facilities()
        if what_if:
            assumed = [self._labels_by_id.get(fid, fid) for fid in fail]
            parts = []
            if assumed:
                parts.append(self.tr("Ausfall von {0}").format(", ".join(assumed)))
            if areas:
                parts.append(self.tr("Flächenstromausfall in {0}").format(", ".join(areas)))
            head = self.tr("Was wäre, wenn: {0} – ab {1}").format("; ".join(parts), start)
            if not result.scenario.use_stored_state:
                head += self.tr(" (ohne gespeicherten Status)")
        else:
            head = self.tr("Aktueller Stand ab {0}").format(start)
        timeline = result.timeline
        before = sum(1 for e in timeline if e.hours < 0)
        total_persons = timeline[-1].persons_cumulative if timeline else 0
        hours = fmt_int(round(horizon))
        lines = [head + "."]
        if timeline:
            line = self.tr("{0} Objekte ausgefallen bis {1} h").format(len(timeline), hours)
            if before:
                line += self.tr(" (davon {0} schon vor Beginn)").format(before)
            line += self.tr(
                "; betroffen: {0} Personen (Summe der Versorgten, Mehrfachzählung möglich)."
            ).format(fmt_int(total_persons))
            lines.append(line)
        else:
            lines.append(self.tr("Kein Objekt fällt innerhalb von {0} h aus.").format(hours))
        notes = []
        if result.status_unknown:
            notes.append(
                self.tr(
                    "{0} Objekt(e) mit Status „unbekannt“ als betriebsbereit angenommen"
                ).format(len(result.status_unknown))
            )
        if result.reserve_unknown:
            notes.append(
                self.tr(
                    "{0} Aggregat(e) mit unbekannter Reserve laufen in der Rechnung weiter"
                ).format(len(result.reserve_unknown))
            )
        if result.reserve_assumed_full:
            notes.append(
                self.tr("{0} Aggregat(e) mit vollem Tank angenommen").format(
                    len(result.reserve_assumed_full)
                )
            )
        if result.unmatched_municipalities:
            notes.append(
                self.tr("keine Objekte in: {0}").format(", ".join(result.unmatched_municipalities))
            )
        if notes:
            lines.append(self.tr("Annahmen: {0}.").format("; ".join(notes)))
        return "\n".join(lines)

    # -- reactions -----------------------------------------------------------------------
    def _on_mode_changed(self, *_args: object) -> None:
        self.what_if_box.setEnabled(self.what_if_radio.isChecked())

    def _add_from_text(self, text: str) -> None:
        self._index_facilities()
        key = " ".join(text.split()).casefold()
        if not key:
            return
        facility_id = self._ids_by_label.get(key)
        if facility_id is None:
            matches = [fid for label, fid in self._ids_by_label.items() if key in label]
            if len(matches) == 1:
                facility_id = matches[0]
            else:
                self.message_bar.show_message(
                    self.tr("„{0}“ ist kein eindeutiges Objekt ({1} Treffer).").format(
                        text, len(matches)
                    ),
                    "warning",
                )
                return
        self.message_bar.dismiss()
        self.what_if_radio.setChecked(True)
        self.add_failing(facility_id)
        # The completer sets the text after `activated`; clear it afterwards.
        QTimer.singleShot(0, self.facility_edit.clear)

    def _remove_selected(self) -> None:
        for item in self.fail_list.selectedItems():
            self.fail_list.takeItem(self.fail_list.row(item))

    def select_event(self, timeline_index: int) -> None:
        if 0 <= timeline_index < self.timeline_model.rowCount():
            self.timeline_table.selectRow(timeline_index)
            self.timeline_table.scrollTo(self.timeline_model.index(timeline_index, 0))

    def _on_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.chart.set_highlight(current.row() if current.isValid() else None)

    def _on_activated(self, index: QModelIndex) -> None:
        event = index.data(ROW_ROLE)
        if isinstance(event, TimelineEvent):
            self.facility_requested.emit(event.facility_id)
