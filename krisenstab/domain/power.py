"""Emergency power (Notstrom): autonomy, remaining time, warnings, refuelling order.

Pure rules, no I/O. The services layer reads facilities from the store, calls
these functions with timezone-aware datetimes and hands the results to the GUI,
the situation report and S4's refuelling plan.

Hours are floats throughout; datetimes must carry a time zone, because a
generator started at 02:30 in the night of the clock change would otherwise
be off by an hour.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import Enum, StrEnum


class FacilityStatus(StrEnum):
    """Operating status of a facility; the values are what store and UI show."""

    OPERATIONAL = "betriebsbereit"
    RESTRICTED = "eingeschränkt"
    EMERGENCY_POWER = "Notstrombetrieb"
    FAILED = "ausgefallen"
    UNKNOWN = "unbekannt"


def parse_status(value: str | FacilityStatus) -> FacilityStatus:
    """The status for a stored value; a German error for anything unknown."""
    try:
        return FacilityStatus(value)
    except ValueError:
        allowed = ", ".join(s.value for s in FacilityStatus)
        raise ValueError(f"Unbekannter Status „{value}“ (erlaubt: {allowed})") from None


class PowerWarning(Enum):
    """How urgently a generator needs fuel, ordered from harmless to empty."""

    NONE = 0
    LOW = 1
    CRITICAL = 2
    EMPTY = 3
    UNKNOWN = 4

    @property
    def label(self) -> str:
        return _WARNING_LABELS[self]


_WARNING_LABELS = {
    PowerWarning.NONE: "ausreichend",
    PowerWarning.LOW: "knapp",
    PowerWarning.CRITICAL: "kritisch",
    PowerWarning.EMPTY: "leer",
    PowerWarning.UNKNOWN: "unbekannt",
}


def _fmt_num(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def _check_hours(value: float, what: str) -> None:
    if math.isnan(value) or value < 0:
        raise ValueError(f"{what} muss eine Zahl ≥ 0 sein, nicht {value!r}")


def _check_aware(value: datetime, what: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} braucht eine Zeitzone (Zeitpunkt ohne Zeitzone: {value})")


@dataclass(frozen=True, slots=True)
class PowerThresholds:
    """Warning thresholds in hours of remaining autonomy (defaults: 6 h and 2 h)."""

    low_h: float = 6.0
    critical_h: float = 2.0

    def __post_init__(self) -> None:
        _check_hours(self.low_h, "Warnschwelle „knapp“")
        _check_hours(self.critical_h, "Warnschwelle „kritisch“")
        if self.critical_h > self.low_h:
            raise ValueError(
                "Die Warnschwelle „kritisch“ darf nicht über der Schwelle „knapp“ liegen "
                f"({_fmt_num(self.critical_h)} h > {_fmt_num(self.low_h)} h)"
            )


DEFAULT_THRESHOLDS = PowerThresholds()


def effective_autonomy_hours(
    autonomy_h: float | None = None,
    fuel_stock_l: float | None = None,
    consumption_l_per_h: float | None = None,
) -> float | None:
    """Hours a full run of the generator lasts, or None if nothing is known.

    When both the stated autonomy and the fuel figures are known, the smaller
    value wins: the stated hours are often the design value of a full tank,
    while the stock is what is actually in it today, and a crisis staff plans
    with the worse of the two. A consumption of 0 says nothing about
    duration, so it cannot be used to derive hours.
    """
    if autonomy_h is not None:
        _check_hours(autonomy_h, "Autarkiezeit")
    if fuel_stock_l is not None:
        _check_hours(fuel_stock_l, "Kraftstoffvorrat")
    if consumption_l_per_h is not None:
        _check_hours(consumption_l_per_h, "Verbrauch")
    derived: float | None = None
    if fuel_stock_l is not None and consumption_l_per_h:
        derived = fuel_stock_l / consumption_l_per_h
    if autonomy_h is None:
        return derived
    if derived is None:
        return float(autonomy_h)
    return min(float(autonomy_h), derived)


def hours_until_dry(since: datetime, autonomy_h: float, now: datetime) -> float:
    """Signed hours until the generator runs dry: negative once it is empty.

    A start time in the future (a typing error) is treated as "just started";
    a generator cannot hold more than a full tank.
    """
    _check_aware(since, "Beginn des Notstrombetriebs")
    _check_aware(now, "Bezugszeitpunkt")
    _check_hours(autonomy_h, "Autarkiezeit")
    # Subtracting two datetimes of the same tzinfo object is wall-clock arithmetic in
    # Python; in UTC it is real elapsed time, also across the clock change.
    elapsed_h = max(0.0, (now.astimezone(UTC) - since.astimezone(UTC)).total_seconds() / 3600.0)
    return autonomy_h - elapsed_h


def remaining_hours(since: datetime, autonomy_h: float, now: datetime) -> float:
    """Hours of emergency power left at ``now``; never negative."""
    return max(0.0, hours_until_dry(since, autonomy_h, now))


def runs_dry_at(since: datetime, autonomy_h: float) -> datetime:
    """The moment (UTC) the generator, started at ``since``, runs out of fuel."""
    _check_aware(since, "Beginn des Notstrombetriebs")
    _check_hours(autonomy_h, "Autarkiezeit")
    return since.astimezone(UTC) + timedelta(hours=autonomy_h)


def power_warning(
    remaining_h: float | None, thresholds: PowerThresholds = DEFAULT_THRESHOLDS
) -> PowerWarning:
    """Warning level for the given remaining hours (thresholds inclusive)."""
    if remaining_h is None or math.isnan(remaining_h):
        return PowerWarning.UNKNOWN
    if remaining_h <= 0:
        return PowerWarning.EMPTY
    if remaining_h <= thresholds.critical_h:
        return PowerWarning.CRITICAL
    if remaining_h <= thresholds.low_h:
        return PowerWarning.LOW
    return PowerWarning.NONE


@dataclass(frozen=True, slots=True)
class EmergencyPowerSite:
    """A facility currently running on its generator, as S4 needs to see it.

    ``autonomy_h`` is the effective autonomy of a full run (see
    :func:`effective_autonomy_hours`); ``since`` is when the generator took
    over, or when it was last filled up.
    """

    facility_id: str
    name: str
    since: datetime
    autonomy_h: float | None
    persons_supplied: int = 0
    consumption_l_per_h: float | None = None
    municipality: str | None = None


@dataclass(frozen=True, slots=True)
class FuelPriority:
    """One row of the refuelling plan."""

    rank: int
    facility_id: str
    name: str
    persons_supplied: int
    remaining_h: float | None
    runs_dry_at: datetime | None
    warning: PowerWarning
    extend_by_h: float
    fuel_needed_l: float | None
    municipality: str | None = None


def fuel_priority_list(
    sites: Iterable[EmergencyPowerSite],
    now: datetime,
    extend_by_h: float = 24.0,
    thresholds: PowerThresholds = DEFAULT_THRESHOLDS,
) -> list[FuelPriority]:
    """S4's refuelling order: who runs dry first gets fuel first.

    Ties go to the site supplying more persons. Sites with unknown autonomy
    come last (their run-dry moment cannot be placed in time) but carry
    ``PowerWarning.UNKNOWN``, so the plan shows that someone has to ask.
    The fuel needed is what keeps the generator running ``extend_by_h`` more
    hours; it is None where the consumption is not recorded.
    """
    _check_aware(now, "Bezugszeitpunkt")
    _check_hours(extend_by_h, "Verlängerung")
    rows: list[tuple[tuple[int, float, int, str, str], FuelPriority]] = []
    for site in sites:
        if site.autonomy_h is None:
            remaining: float | None = None
            dry_at: datetime | None = None
        else:
            remaining = remaining_hours(site.since, site.autonomy_h, now)
            dry_at = runs_dry_at(site.since, site.autonomy_h)
        fuel = None
        if site.consumption_l_per_h is not None:
            _check_hours(site.consumption_l_per_h, "Verbrauch")
            fuel = site.consumption_l_per_h * extend_by_h
        row = FuelPriority(
            rank=0,
            facility_id=site.facility_id,
            name=site.name,
            persons_supplied=site.persons_supplied,
            remaining_h=remaining,
            runs_dry_at=dry_at,
            warning=power_warning(remaining, thresholds),
            extend_by_h=extend_by_h,
            fuel_needed_l=fuel,
            municipality=site.municipality,
        )
        # Unknown run-dry moments sort last; name and id only make ties reproducible.
        key = (
            1 if dry_at is None else 0,
            dry_at.timestamp() if dry_at is not None else math.inf,
            -site.persons_supplied,
            site.name.casefold(),
            site.facility_id,
        )
        rows.append((key, row))
    rows.sort(key=lambda item: item[0])
    return [replace(row, rank=i) for i, (_, row) in enumerate(rows, start=1)]


def format_duration(hours: float) -> str:
    """``3 h 25 min``, ``45 min``, ``72 h``: a duration in whole minutes.

    Rounded down, because a staff member reading "noch 46 min" when 45.6 are
    left would plan with time that does not exist; a hair of tolerance keeps
    205 minutes computed as 204.9999 from showing as 204.
    """
    if math.isnan(hours) or math.isinf(hours):
        raise ValueError(f"Dauer muss endlich sein, nicht {hours!r}")
    minutes = math.floor(abs(hours) * 60.0 + 1e-6)
    h, m = divmod(minutes, 60)
    if h == 0:
        return f"{m} min"
    if m == 0:
        return f"{h} h"
    return f"{h} h {m} min"


def format_remaining(hours: float | None) -> str:
    """German text for signed remaining hours (negative: empty since then).

    ``noch 3 h 25 min``, ``noch 45 min``, ``noch unter 1 min``, ``leer``,
    ``leer seit 1 h 10 min``, ``unbekannt``.
    """
    if hours is None or math.isnan(hours):
        return "unbekannt"
    if math.isinf(hours):
        return "unbegrenzt" if hours > 0 else "leer"
    if hours > 0:
        if hours * 60.0 < 1.0 - 1e-6:
            return "noch unter 1 min"
        return f"noch {format_duration(hours)}"
    if -hours * 60.0 < 1.0 - 1e-6:
        return "leer"
    return f"leer seit {format_duration(-hours)}"
