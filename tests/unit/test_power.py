"""Emergency power rules: autonomy, remaining time, warnings, refuelling order, texts."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from krisenstab.domain.power import (
    DEFAULT_THRESHOLDS,
    EmergencyPowerSite,
    FacilityStatus,
    PowerThresholds,
    PowerWarning,
    effective_autonomy_hours,
    format_duration,
    format_remaining,
    fuel_priority_list,
    hours_until_dry,
    parse_status,
    power_warning,
    remaining_hours,
    runs_dry_at,
)

BERLIN = ZoneInfo("Europe/Berlin")
T0 = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)


# --- autonomy -------------------------------------------------------------------------


def test_autonomy_given_directly() -> None:
    assert effective_autonomy_hours(autonomy_h=72) == 72.0


def test_autonomy_derived_from_fuel_stock_and_consumption() -> None:
    # 1,000 l diesel, 40 l/h: the classic 25 h of a mid-sized waterworks generator.
    assert effective_autonomy_hours(fuel_stock_l=1000, consumption_l_per_h=40) == 25.0


def test_autonomy_takes_the_smaller_of_rating_and_actual_stock() -> None:
    # Rated for 72 h with a full tank, but the tank is only half full today.
    assert effective_autonomy_hours(72, fuel_stock_l=1800, consumption_l_per_h=50) == 36.0
    # Stock would last longer than the rating (e.g. an extra tank): the rating limits.
    assert effective_autonomy_hours(8, fuel_stock_l=1000, consumption_l_per_h=50) == 8.0


def test_autonomy_unknown() -> None:
    assert effective_autonomy_hours() is None
    assert effective_autonomy_hours(fuel_stock_l=500) is None
    assert effective_autonomy_hours(consumption_l_per_h=20) is None
    # A consumption of zero cannot turn a stock into hours.
    assert effective_autonomy_hours(fuel_stock_l=500, consumption_l_per_h=0) is None


def test_autonomy_rejects_negative_values_in_german() -> None:
    with pytest.raises(ValueError, match="Autarkiezeit"):
        effective_autonomy_hours(autonomy_h=-1)
    with pytest.raises(ValueError, match="Kraftstoffvorrat"):
        effective_autonomy_hours(fuel_stock_l=-5, consumption_l_per_h=1)
    with pytest.raises(ValueError, match="Verbrauch"):
        effective_autonomy_hours(fuel_stock_l=5, consumption_l_per_h=math.nan)


# --- remaining time ---------------------------------------------------------------------


def test_remaining_hours_and_run_dry_moment() -> None:
    now = T0 + timedelta(hours=5, minutes=30)
    assert remaining_hours(T0, 8.0, now) == pytest.approx(2.5)
    assert runs_dry_at(T0, 8.0) == T0 + timedelta(hours=8)


def test_remaining_hours_never_negative_but_signed_variant_is() -> None:
    now = T0 + timedelta(hours=9, minutes=10)
    assert remaining_hours(T0, 8.0, now) == 0.0
    assert hours_until_dry(T0, 8.0, now) == pytest.approx(-70 / 60)


def test_start_in_the_future_counts_as_just_started() -> None:
    assert remaining_hours(T0 + timedelta(hours=1), 8.0, T0) == 8.0


def test_time_zones_are_compared_as_instants() -> None:
    # 07:00 Berlin in November is 06:00 UTC: the generator started exactly at T0.
    since = datetime(2026, 11, 27, 7, 0, tzinfo=BERLIN)
    assert remaining_hours(since, 8.0, T0 + timedelta(hours=2)) == pytest.approx(6.0)


def test_across_the_clock_change_real_hours_count() -> None:
    # Night of 25 Oct 2026: 02:00–03:00 happens twice in Berlin. Started 01:30 CEST,
    # read at 03:30 CET: three real hours have passed, not two.
    since = datetime(2026, 10, 25, 1, 30, tzinfo=BERLIN)
    now = datetime(2026, 10, 25, 3, 30, tzinfo=BERLIN)
    assert remaining_hours(since, 8.0, now) == pytest.approx(5.0)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="Zeitzone"):
        remaining_hours(datetime(2026, 11, 27, 6, 0), 8.0, T0)
    with pytest.raises(ValueError, match="Zeitzone"):
        runs_dry_at(datetime(2026, 11, 27, 6, 0), 8.0)
    with pytest.raises(ValueError, match="Zeitzone"):
        fuel_priority_list([], datetime(2026, 11, 27, 6, 0))


@given(
    autonomy=st.floats(0, 500, allow_nan=False),
    a=st.integers(-10_000, 2_000_000),
    b=st.integers(0, 2_000_000),
)
def test_remaining_is_never_negative_never_above_autonomy_and_never_grows(
    autonomy: float, a: int, b: int
) -> None:
    earlier = T0 + timedelta(seconds=a)
    later = earlier + timedelta(seconds=b)
    r1 = remaining_hours(T0, autonomy, earlier)
    r2 = remaining_hours(T0, autonomy, later)
    assert 0.0 <= r2 <= r1 <= autonomy


# --- warnings ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "expected"),
    [
        (24.0, PowerWarning.NONE),
        (6.01, PowerWarning.NONE),
        (6.0, PowerWarning.LOW),
        (2.01, PowerWarning.LOW),
        (2.0, PowerWarning.CRITICAL),
        (0.1, PowerWarning.CRITICAL),
        (0.0, PowerWarning.EMPTY),
        (None, PowerWarning.UNKNOWN),
    ],
)
def test_default_warning_levels(hours: float | None, expected: PowerWarning) -> None:
    assert power_warning(hours) is expected


def test_configurable_thresholds() -> None:
    strict = PowerThresholds(low_h=12.0, critical_h=4.0)
    assert power_warning(10.0, strict) is PowerWarning.LOW
    assert power_warning(10.0) is PowerWarning.NONE
    assert power_warning(3.0, strict) is PowerWarning.CRITICAL
    assert PowerThresholds(6.0, 2.0) == DEFAULT_THRESHOLDS


def test_thresholds_must_be_ordered() -> None:
    with pytest.raises(ValueError, match="kritisch"):
        PowerThresholds(low_h=2.0, critical_h=6.0)
    with pytest.raises(ValueError, match="≥ 0"):
        PowerThresholds(low_h=-1.0, critical_h=-2.0)


def test_warning_levels_are_ordered_and_have_german_labels() -> None:
    levels = [PowerWarning.NONE, PowerWarning.LOW, PowerWarning.CRITICAL, PowerWarning.EMPTY]
    assert [w.value for w in levels] == sorted(w.value for w in levels)
    assert [w.label for w in PowerWarning] == [
        "ausreichend",
        "knapp",
        "kritisch",
        "leer",
        "unbekannt",
    ]


# --- refuelling plan --------------------------------------------------------------------


def _site(ident: str, since_h_ago: float, autonomy: float | None, persons: int = 0, **kw):
    return EmergencyPowerSite(
        facility_id=ident,
        name=f"Musterobjekt {ident}",
        since=T0 - timedelta(hours=since_h_ago),
        autonomy_h=autonomy,
        persons_supplied=persons,
        **kw,
    )


def test_fuel_priority_orders_by_run_dry_moment() -> None:
    sites = [
        _site("wasserwerk", since_h_ago=2, autonomy=24, persons=20_000),  # dry in 22 h
        _site("klinik", since_h_ago=2, autonomy=8, persons=300),  # dry in 6 h
        _site("pflegeheim", since_h_ago=5, autonomy=6, persons=80),  # dry in 1 h
    ]
    plan = fuel_priority_list(sites, T0)
    assert [r.facility_id for r in plan] == ["pflegeheim", "klinik", "wasserwerk"]
    assert [r.rank for r in plan] == [1, 2, 3]
    assert [r.remaining_h for r in plan] == pytest.approx([1.0, 6.0, 22.0])
    assert [r.warning for r in plan] == [
        PowerWarning.CRITICAL,
        PowerWarning.LOW,
        PowerWarning.NONE,
    ]
    assert plan[0].runs_dry_at == T0 + timedelta(hours=1)


def test_fuel_priority_ties_go_to_more_persons() -> None:
    sites = [
        _site("feuerwache", since_h_ago=0, autonomy=10, persons=40),
        _site("wasserwerk", since_h_ago=0, autonomy=10, persons=20_000),
        _site("schule", since_h_ago=0, autonomy=10, persons=600),
    ]
    plan = fuel_priority_list(sites, T0)
    assert [r.facility_id for r in plan] == ["wasserwerk", "schule", "feuerwache"]


def test_fuel_priority_empty_sites_first_and_unknown_last() -> None:
    sites = [
        _site("unbekannt", since_h_ago=1, autonomy=None, persons=99_999),
        _site("leer", since_h_ago=12, autonomy=8, persons=10),
        _site("voll", since_h_ago=0, autonomy=48, persons=10),
    ]
    plan = fuel_priority_list(sites, T0)
    assert [r.facility_id for r in plan] == ["leer", "voll", "unbekannt"]
    assert plan[0].warning is PowerWarning.EMPTY
    assert plan[0].remaining_h == 0.0
    assert plan[2].warning is PowerWarning.UNKNOWN
    assert plan[2].remaining_h is None
    assert plan[2].runs_dry_at is None


def test_fuel_needed_to_extend_where_consumption_is_known() -> None:
    sites = [
        _site("a", since_h_ago=0, autonomy=8, consumption_l_per_h=35.0),
        _site("b", since_h_ago=0, autonomy=9),
    ]
    plan = fuel_priority_list(sites, T0, extend_by_h=12)
    assert plan[0].fuel_needed_l == pytest.approx(420.0)
    assert plan[0].extend_by_h == 12
    assert plan[1].fuel_needed_l is None


def test_fuel_priority_uses_custom_thresholds() -> None:
    plan = fuel_priority_list(
        [_site("a", since_h_ago=0, autonomy=10)], T0, thresholds=PowerThresholds(12, 3)
    )
    assert plan[0].warning is PowerWarning.LOW


# --- texts ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "text"),
    [
        (3 + 25 / 60, "3 h 25 min"),
        (0.75, "45 min"),
        (72.0, "72 h"),
        (0.0, "0 min"),
        (1 + 59.9 / 60, "1 h 59 min"),  # rounded down, never promise time that is not there
        (205 / 60, "3 h 25 min"),  # 3.41666… must not become 3 h 24 min
    ],
)
def test_format_duration(hours: float, text: str) -> None:
    assert format_duration(hours) == text


@pytest.mark.parametrize(
    ("hours", "text"),
    [
        (3 + 25 / 60, "noch 3 h 25 min"),
        (0.75, "noch 45 min"),
        (0.005, "noch unter 1 min"),
        (0.0, "leer"),
        (-(1 + 10 / 60), "leer seit 1 h 10 min"),
        (-0.5, "leer seit 30 min"),
        (None, "unbekannt"),
    ],
)
def test_format_remaining(hours: float | None, text: str) -> None:
    assert format_remaining(hours) == text


def test_format_remaining_from_real_times() -> None:
    now = T0 + timedelta(hours=9, minutes=10)
    assert format_remaining(hours_until_dry(T0, 8.0, now)) == "leer seit 1 h 10 min"
    assert format_remaining(hours_until_dry(T0, 8.0, T0 + timedelta(minutes=95))) == (
        "noch 6 h 25 min"
    )


def test_format_duration_refuses_infinity() -> None:
    with pytest.raises(ValueError, match="endlich"):
        format_duration(math.inf)


# --- statuses ---------------------------------------------------------------------------


def test_status_values_are_the_german_ones_of_store_and_ui() -> None:
    assert [s.value for s in FacilityStatus] == [
        "betriebsbereit",
        "eingeschränkt",
        "Notstrombetrieb",
        "ausgefallen",
        "unbekannt",
    ]
    assert parse_status("Notstrombetrieb") is FacilityStatus.EMERGENCY_POWER
    with pytest.raises(ValueError, match="Unbekannter Status „kaputt“"):
        parse_status("kaputt")


def test_run_dry_moment_across_the_clock_change() -> None:
    # 8 h from 22:00 CEST on 24 Oct are 05:00 CET (04:00 UTC), not 06:00.
    since = datetime(2026, 10, 24, 22, 0, tzinfo=BERLIN)
    assert runs_dry_at(since, 8.0) == datetime(2026, 10, 25, 5, 0, tzinfo=BERLIN)
    assert runs_dry_at(since, 8.0).astimezone(BERLIN).hour == 5
