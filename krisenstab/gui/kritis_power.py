"""Emergency power board (Notstrom): live countdown, warnings, S4's refuelling order.

The tab's clock calls `PowerBoard.tick` every 30 s; remaining hours and
warning levels are recomputed from the generator start and the autonomy
the service reported, without a database query. The `PowerWarningStrip`
shows the warnings at the top of the tab, so nobody has to open a facility
(or this page) to see that a generator is about to run dry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from krisenstab.domain.facility import FacilityView
from krisenstab.domain.power import (
    DEFAULT_THRESHOLDS,
    EmergencyPowerSite,
    FacilityStatus,
    FuelPriority,
    PowerThresholds,
    PowerWarning,
    format_remaining,
    fuel_priority_list,
    hours_until_dry,
    power_warning,
    runs_dry_at,
)
from krisenstab.domain.timefmt import utcnow
from krisenstab.gui.kritis_detail import fit_columns, make_table
from krisenstab.gui.kritis_model import (
    ROW_ROLE,
    WARNING_STYLES,
    RecordColumn,
    RecordTableModel,
    fmt_hours,
    fmt_int,
    fmt_when,
    fmt_when_long,
    warning_icon,
    warning_label,
)
from krisenstab.services.facilities import PowerBoardRow

TICK_MS = 30_000
_EMERGENCY = FacilityStatus.EMERGENCY_POWER.value
# Warnings shown by name in the strip; the rest are counted.
STRIP_NAMES = 3


@dataclass(frozen=True)
class GeneratorState:
    """A generator as of the board's clock."""

    facility_id: str
    name: str
    municipality: str
    persons_supplied: int
    remaining_h: float | None  # negative: empty for that long
    warning: PowerWarning


def _remaining(since: datetime | None, autonomy_h: float | None, now: datetime) -> float | None:
    """Signed: negative once the tank is empty, so the board can say since when."""
    if since is None or autonomy_h is None:
        return None
    return hours_until_dry(since, autonomy_h, now)


def board_rows(
    views: Sequence[FacilityView], now: datetime, thresholds: PowerThresholds
) -> list[PowerBoardRow]:
    """The board from views already loaded (as FacilityService.power_board orders it).

    The tab has just read the whole register; asking the service again would
    read it twice more (board and fuel list), a third of the opening time
    with 5,000 objects.
    """
    rows = []
    for v in views:
        if v.status != _EMERGENCY:
            continue
        since = v.generator_since
        if since is None:
            continue
        autonomy = v.autonomy_hours
        remaining = v.remaining_hours(now)
        rows.append(
            PowerBoardRow(
                facility=v,
                since=since,
                autonomy_h=autonomy,
                remaining_h=remaining,
                runs_dry_at=runs_dry_at(since, autonomy) if autonomy is not None else None,
                warning=power_warning(remaining, thresholds),
            )
        )
    rows.sort(
        key=lambda r: (
            r.runs_dry_at is None,
            r.runs_dry_at.timestamp() if r.runs_dry_at else 0.0,
            -r.facility.persons_supplied,
            r.facility.name.casefold(),
        )
    )
    return rows


def fuel_rows(
    board: Sequence[PowerBoardRow],
    now: datetime,
    extend_by_h: float,
    thresholds: PowerThresholds,
) -> list[FuelPriority]:
    """S4's refuelling order for the generators on the board (domain rule)."""
    sites = [
        EmergencyPowerSite(
            facility_id=r.facility.id,
            name=r.facility.name,
            since=r.since,
            autonomy_h=r.autonomy_h,
            persons_supplied=r.facility.persons_supplied,
            consumption_l_per_h=r.facility.consumption_l_per_h,
            municipality=r.facility.municipality,
        )
        for r in board
    ]
    return fuel_priority_list(sites, now, extend_by_h, thresholds)


class PowerBoard(QWidget):
    """Every facility on its generator, the one running dry first on top."""

    facility_requested = Signal(str)
    refuel_requested = Signal(str)
    extend_changed = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("powerBoard")
        self.now = utcnow()
        self.thresholds = DEFAULT_THRESHOLDS
        self.board_model = RecordTableModel(self._board_columns(), self)
        self.fuel_model = RecordTableModel(self._fuel_columns(), self)

        self.stand_label = QLabel(self)
        self.stand_label.setObjectName("powerStand")
        self.stand_label.setWordWrap(True)
        self.board_table = make_table(self, self.board_model, "powerBoardTable", stretch=1)
        self.board_table.setAccessibleName(self.tr("Objekte im Notstrombetrieb"))
        fit_columns(
            self.board_table,
            (
                "Reserve unbekannt",
                "Gesamtschule Kreuzau – Notunterkunft (Muster)",
                "Hürtgenwald",
                "noch 88 h 88 min",
                "88.88. 88:88",
                "88,5 h",
                "88.88. 88:88",
                "888.888",
            ),
        )
        self.board_label = QLabel(self.tr("Notstromaggregate in Betrieb:"), self)
        self.board_label.setBuddy(self.board_table)

        self.fuel_table = make_table(self, self.fuel_model, "fuelPriorityTable", stretch=1)
        self.fuel_table.setAccessibleName(self.tr("Betankungsreihenfolge"))
        fit_columns(
            self.fuel_table,
            (
                "88",
                "Gesamtschule Kreuzau – Notunterkunft (Muster)",
                "Hürtgenwald",
                "noch 88 h 88 min",
                "88.88. 88:88",
                "888.888",
                "88.888 l",
            ),
        )
        self.fuel_label = QLabel(self)
        self.fuel_label.setWordWrap(True)
        self.fuel_label.setBuddy(self.fuel_table)
        self.extend_spin = QSpinBox(self)
        self.extend_spin.setObjectName("extendHours")
        self.extend_spin.setRange(1, 168)
        self.extend_spin.setValue(24)
        self.extend_spin.setSuffix(" h")
        self.extend_spin.setAccessibleName(self.tr("Betankung reicht für weitere Stunden"))
        self.extend_spin.valueChanged.connect(lambda value: self.extend_changed.emit(float(value)))
        extend_label = QLabel(self.tr("Kraftstoffbedarf für weitere"), self)
        extend_label.setBuddy(self.extend_spin)

        self.refuel_button = QPushButton(self.tr("Betankung melden … (Strg+T)"), self)
        self.refuel_button.setObjectName("refuelButton")
        self.refuel_button.setToolTip(
            self.tr("Für das ausgewählte Aggregat eine Betankung melden (schreibt ins ETB)")
        )
        self.refuel_button.clicked.connect(self._request_refuel)

        for table in (self.board_table, self.fuel_table):
            table.activated.connect(self._on_activated)
            table.doubleClicked.connect(self._on_activated)

        top = QWidget(self)
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.setSpacing(2)
        head = QHBoxLayout()
        head.addWidget(self.board_label)
        head.addStretch(1)
        head.addWidget(self.refuel_button)
        top_layout.addLayout(head)
        top_layout.addWidget(self.board_table, 1)

        bottom = QWidget(self)
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.setSpacing(2)
        fuel_head = QHBoxLayout()
        fuel_head.addWidget(self.fuel_label, 1)
        fuel_head.addWidget(extend_label)
        fuel_head.addWidget(self.extend_spin)
        bottom_layout.addLayout(fuel_head)
        bottom_layout.addWidget(self.fuel_table, 1)

        split = QSplitter(Qt.Orientation.Vertical, self)
        split.setChildrenCollapsible(False)
        split.addWidget(top)
        split.addWidget(bottom)
        self.splitter = split

        layout = QVBoxLayout(self)
        margin = max(2, self.fontMetrics().height() // 4)
        layout.setContentsMargins(margin, margin, margin, margin)
        layout.addWidget(self.stand_label)
        layout.addWidget(split, 1)
        self._update_labels()

    # -- columns -------------------------------------------------------------------
    def _state_of_board(self, row: PowerBoardRow) -> tuple[float | None, PowerWarning]:
        remaining = _remaining(row.since, row.autonomy_h, self.now)
        return remaining, power_warning(remaining, self.thresholds)

    def _state_of_fuel(self, row: FuelPriority) -> tuple[float | None, PowerWarning]:
        if row.runs_dry_at is None:
            return None, PowerWarning.UNKNOWN
        left = (row.runs_dry_at - self.now).total_seconds() / 3600.0
        return left, power_warning(left, self.thresholds)

    def _warning_background(self, warning: PowerWarning) -> QColor | None:
        if warning is PowerWarning.NONE:
            return None
        return QColor(WARNING_STYLES[warning].background)

    def _board_columns(self) -> list[RecordColumn]:
        def warn(r: PowerBoardRow) -> PowerWarning:
            return self._state_of_board(r)[1]

        return [
            RecordColumn(
                self.tr("Warnung"),
                lambda r: warning_label(warn(r)),
                icon=lambda r: warning_icon(warn(r)),
                background=lambda r: self._warning_background(warn(r)),
            ),
            RecordColumn(self.tr("Objekt"), lambda r: r.facility.name),
            RecordColumn(self.tr("Gemeinde"), lambda r: r.facility.municipality),
            RecordColumn(
                self.tr("Restzeit"),
                lambda r: format_remaining(self._state_of_board(r)[0]),
                background=lambda r: self._warning_background(warn(r)),
                header_tip=self.tr("Wird alle 30 Sekunden neu berechnet"),
            ),
            RecordColumn(
                self.tr("läuft leer"),
                lambda r: fmt_when(r.runs_dry_at, self.now) if r.runs_dry_at else "?",
                tooltip=lambda r: fmt_when_long(r.runs_dry_at) if r.runs_dry_at else None,
            ),
            RecordColumn(
                self.tr("Autarkie"),
                lambda r: fmt_hours(r.autonomy_h) if r.autonomy_h is not None else "?",
                right=True,
            ),
            RecordColumn(
                self.tr("seit"),
                lambda r: fmt_when(r.since, self.now),
                tooltip=lambda r: self.tr("Aggregat läuft (oder zuletzt betankt) seit {0}").format(
                    fmt_when_long(r.since)
                ),
            ),
            RecordColumn(
                self.tr("Versorgte"),
                lambda r: fmt_int(r.facility.persons_supplied),
                right=True,
            ),
        ]

    def _fuel_columns(self) -> list[RecordColumn]:
        def warn(r: FuelPriority) -> PowerWarning:
            return self._state_of_fuel(r)[1]

        return [
            RecordColumn(self.tr("Rang"), lambda r: str(r.rank), right=True),
            RecordColumn(
                self.tr("Objekt"),
                lambda r: r.name,
                icon=lambda r: warning_icon(warn(r)),
                tooltip=lambda r: f"{r.name} – {warning_label(warn(r))}",
            ),
            RecordColumn(self.tr("Gemeinde"), lambda r: r.municipality or ""),
            RecordColumn(
                self.tr("Restzeit"),
                lambda r: format_remaining(self._state_of_fuel(r)[0]),
                background=lambda r: self._warning_background(warn(r)),
            ),
            RecordColumn(
                self.tr("läuft leer"),
                lambda r: fmt_when(r.runs_dry_at, self.now) if r.runs_dry_at else "?",
                tooltip=lambda r: fmt_when_long(r.runs_dry_at) if r.runs_dry_at else None,
            ),
            RecordColumn(self.tr("Versorgte"), lambda r: fmt_int(r.persons_supplied), right=True),
            RecordColumn(
                self.tr("Kraftstoff"),
                lambda r: (
                    self.tr("{0} l").format(fmt_int(round(r.fuel_needed_l)))
                    if r.fuel_needed_l is not None
                    else self.tr("Verbrauch ?")
                ),
                right=True,
                header_tip=self.tr("Kraftstoff für die eingestellte Zahl weiterer Stunden"),
            ),
        ]

    # -- content -------------------------------------------------------------------
    def set_data(
        self,
        board: Sequence[PowerBoardRow],
        fuel: Sequence[FuelPriority],
        *,
        thresholds: PowerThresholds = DEFAULT_THRESHOLDS,
        now: datetime | None = None,
    ) -> None:
        self.thresholds = thresholds
        self.now = now or utcnow()
        keep = self.selected_facility_id()
        self.board_model.set_rows(list(board))
        self.fuel_model.set_rows(list(fuel))
        if keep is not None:
            self.select_facility(keep)
        self._update_labels()

    def tick(self, now: datetime | None = None) -> None:
        """Recompute remaining times and warnings for ``now`` (no database access)."""
        self.now = now or utcnow()
        self.board_model.refresh_cells()
        self.fuel_model.refresh_cells()
        self._update_labels()

    def generators(self) -> list[GeneratorState]:
        """Every running generator as of the board's clock, in board order."""
        out = []
        for row in self.board_model.rows:
            remaining, warning = self._state_of_board(row)
            out.append(
                GeneratorState(
                    row.facility.id,
                    row.facility.name,
                    row.facility.municipality,
                    row.facility.persons_supplied,
                    remaining,
                    warning,
                )
            )
        return out

    def warnings(self) -> list[GeneratorState]:
        return [g for g in self.generators() if g.warning is not PowerWarning.NONE]

    def selected_facility_id(self) -> str | None:
        tables = (self.board_table, self.fuel_table)
        if self.fuel_table.hasFocus():
            tables = (self.fuel_table, self.board_table)
        for table in tables:
            index = table.currentIndex()
            if index.isValid() and table.selectionModel().isRowSelected(index.row()):
                record = index.data(ROW_ROLE)
                if isinstance(record, PowerBoardRow):
                    return record.facility.id
                if isinstance(record, FuelPriority):
                    return record.facility_id
        return None

    def select_facility(self, facility_id: str) -> bool:
        for row, record in enumerate(self.board_model.rows):
            if record.facility.id == facility_id:
                self.board_table.selectRow(row)
                return True
        return False

    def focus_board(self) -> None:
        if self.board_model.rowCount() and not self.board_table.currentIndex().isValid():
            self.board_table.selectRow(0)
        self.board_table.setFocus(Qt.FocusReason.ShortcutFocusReason)

    # -- internals -----------------------------------------------------------------
    def _update_labels(self) -> None:
        count = self.board_model.rowCount()
        self.board_label.setText(
            self.tr("Notstromaggregate in Betrieb: {0}").format(count)
            if count
            else self.tr("Kein Objekt im Notstrombetrieb.")
        )
        self.stand_label.setText(
            self.tr(
                "Stand {0} · Restzeiten werden alle 30 s neu berechnet · Warnschwellen: "
                "{1} knapp, {2} kritisch (Einstellungen)"
            ).format(
                fmt_when(self.now, self.now),
                fmt_hours(self.thresholds.low_h),
                fmt_hours(self.thresholds.critical_h),
            )
        )
        self.fuel_label.setText(
            self.tr(
                "Betankungsreihenfolge für S4: wer zuerst leer läuft, zuerst; bei gleicher "
                "Zeit das Objekt mit mehr versorgten Personen."
            )
        )
        self.refuel_button.setEnabled(count > 0)

    def _on_activated(self, index: QModelIndex) -> None:
        record = index.data(ROW_ROLE)
        if isinstance(record, PowerBoardRow):
            self.facility_requested.emit(record.facility.id)
        elif isinstance(record, FuelPriority):
            self.facility_requested.emit(record.facility_id)

    def _request_refuel(self) -> None:
        facility_id = self.selected_facility_id()
        if facility_id is None and self.board_model.rowCount():
            facility_id = self.board_model.rows[0].facility.id
            self.board_table.selectRow(0)
        if facility_id is not None:
            self.refuel_requested.emit(facility_id)


class PowerWarningStrip(QFrame):
    """A band at the top of the tab naming the generators about to run dry."""

    show_board = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("powerWarningStrip")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.icon = QLabel(self)
        self.label = QLabel(self)
        self.label.setObjectName("powerWarningText")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        font = QFont(self.label.font())
        font.setBold(True)
        self.label.setFont(font)
        self.button = QPushButton(self.tr("Notstromübersicht (Alt+2)"), self)
        self.button.setObjectName("powerWarningButton")
        self.button.clicked.connect(self.show_board)
        layout = QHBoxLayout(self)
        margin = max(3, self.fontMetrics().height() // 3)
        layout.setContentsMargins(margin, margin // 2, margin, margin // 2)
        layout.addWidget(self.icon)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.button)
        self.level = PowerWarning.NONE
        self.hide()

    @property
    def text(self) -> str:
        return self.label.text()

    def set_warnings(self, warnings: Sequence[GeneratorState]) -> None:
        if not warnings:
            self.level = PowerWarning.NONE
            self.label.clear()
            self.setAccessibleDescription("")
            self.hide()
            return
        urgent = [w for w in warnings if w.warning in (PowerWarning.CRITICAL, PowerWarning.EMPTY)]
        self.level = max((w.warning for w in warnings), key=_severity)
        parts = []
        for item in warnings[:STRIP_NAMES]:
            if item.warning is PowerWarning.UNKNOWN:
                parts.append(self.tr("{0}: Reserve unbekannt").format(item.name))
            else:
                parts.append(
                    f"{item.name}: {format_remaining(item.remaining_h)} ({warning_label(item.warning)})"
                )
        more = len(warnings) - STRIP_NAMES
        if more > 0:
            parts.append(self.tr("und {0} weitere").format(more))
        head = (
            self.tr("Notstrom – {0} Aggregat(e) kritisch oder leer:").format(len(urgent))
            if urgent
            else self.tr("Notstrom – {0} Warnung(en):").format(len(warnings))
        )
        text = f"{head} " + " · ".join(parts)
        self.label.setText(text)
        self.setAccessibleDescription(text)
        style = WARNING_STYLES[self.level]
        self.icon.setPixmap(warning_icon(self.level).pixmap(20, 20))
        self.setStyleSheet(
            f"QFrame#powerWarningStrip {{ background-color: {style.background};"
            f" border: 1px solid {style.accent}; border-radius: 3px; }}"
            f" QLabel#powerWarningText {{ color: {style.foreground}; }}"
        )
        self.show()


def _severity(warning: PowerWarning) -> int:
    # UNKNOWN is numerically the highest, but an empty tank is worse.
    return {
        PowerWarning.NONE: 0,
        PowerWarning.UNKNOWN: 1,
        PowerWarning.LOW: 2,
        PowerWarning.CRITICAL: 3,
        PowerWarning.EMPTY: 4,
    }[warning]
