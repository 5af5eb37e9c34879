"""The exercise clock (pure, fake time source) and scenario time parsing/formatting."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta

import pytest

from krisenstab.domain.exercise import ClockStatus
from krisenstab.domain.timefmt import BERLIN
from krisenstab.exercise.clock import (
    HEADLESS_MAX_SPEED,
    ClockError,
    ClockSnapshot,
    ExerciseClock,
    check_speed,
)
from krisenstab.exercise.times import (
    ScenarioTimeError,
    format_clock,
    format_duration,
    format_offset,
    format_scenario,
    parse_deadline,
    parse_offset,
    parse_start,
)

# Saturday 28 Nov 2026, 03:00 in Düren.
START = datetime(2026, 11, 28, 3, 0, tzinfo=BERLIN).astimezone(UTC)


class FakeTime:
    def __init__(self, t: float = 1000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


@pytest.fixture
def fake() -> FakeTime:
    return FakeTime()


def test_clock_starts_pauses_resumes_and_shows_the_scenario_time(fake):
    clock = ExerciseClock(START, time_source=fake)
    assert clock.status is ClockStatus.READY
    assert clock.offset() == 0
    fake.advance(100)
    assert clock.offset() == 0  # nothing runs before the start
    clock.start()
    fake.advance(90 * 60)
    assert clock.offset() == 5400
    assert clock.label() == "Sa 04:30 (T+01:30)"
    clock.pause()
    fake.advance(3600)
    assert clock.offset() == 5400
    assert clock.real_seconds_until(6000) == math.inf
    clock.resume()
    fake.advance(60)
    assert clock.offset() == 5460
    assert clock.now() == START + timedelta(seconds=5460)


def test_speed_changes_keep_the_time_already_passed(fake):
    clock = ExerciseClock(START, time_source=fake)
    clock.start()
    fake.advance(600)
    clock.set_speed(10)
    assert clock.offset() == 600
    fake.advance(60)
    assert clock.offset() == 1200
    assert clock.real_seconds_until(1800) == pytest.approx(60)
    assert clock.real_seconds_until(100) == 0
    clock.set_speed(2.5)
    fake.advance(4)
    assert clock.offset() == pytest.approx(1210)


def test_speed_is_bounded_for_users_and_wider_for_headless_runs(fake):
    clock = ExerciseClock(START, time_source=fake)
    for bad in (0.5, 0, -1, 11, math.nan, math.inf, "schnell"):
        with pytest.raises(ClockError, match="Tempo"):
            clock.set_speed(bad)  # type: ignore[arg-type]
    fast = ExerciseClock(START, time_source=fake, max_speed=HEADLESS_MAX_SPEED)
    fast.start()
    fast.set_speed(1000)
    fake.advance(1.5)
    assert fast.offset() == pytest.approx(1500)
    assert check_speed("7") == 7.0


def test_jumps_go_forward_only(fake):
    clock = ExerciseClock(START, time_source=fake)
    with pytest.raises(ClockError, match="Zeitsprung"):
        clock.jump_to(600)
    clock.start()
    fake.advance(60)
    clock.jump_to(3600)
    assert clock.offset() == 3600
    fake.advance(10)
    assert clock.offset() == 3610
    with pytest.raises(ClockError, match="nur vorwärts"):
        clock.jump_to(3000)
    with pytest.raises(ClockError, match="nur vorwärts"):
        clock.jump_by(0)
    clock.pause()
    clock.jump_by(1800)  # a jump while paused stays paused
    assert clock.status is ClockStatus.PAUSED
    assert clock.offset() == 5410


def test_stop_and_finish(fake):
    clock = ExerciseClock(START, time_source=fake)
    clock.start()
    fake.advance(120)
    clock.stop()
    assert clock.status is ClockStatus.STOPPED
    fake.advance(999)
    assert clock.offset() == 120
    clock.resume()
    fake.advance(30)
    clock.finish()
    assert clock.offset() == 150
    for operation in (clock.finish, clock.stop, clock.resume, clock.pause):
        with pytest.raises(ClockError):
            operation()
    with pytest.raises(ClockError, match="bereits gestartet"):
        clock.start()


def test_pause_can_be_pinned_to_a_moment_already_passed(fake):
    clock = ExerciseClock(START, time_source=fake, speed=10)
    clock.start()
    fake.advance(200)
    clock.pause(at_offset=1800)
    assert clock.offset() == 1800
    clock.resume()
    fake.advance(1)
    clock.pause(at_offset=99999)  # never forward
    assert clock.offset() == 1810


def test_a_time_source_stepping_back_does_not_turn_the_scenario_back():
    snap = ClockSnapshot(ClockStatus.RUNNING, 2.0, 100.0, 50.0)
    assert snap.offset_at(90.0) == 50.0
    assert snap.offset_at(110.0) == 70.0


def test_snapshot_restores_the_same_clock(fake):
    clock = ExerciseClock(START, time_source=fake, speed=3)
    clock.start()
    fake.advance(10)
    copy = ExerciseClock(START, time_source=fake, snapshot=clock.snapshot)
    fake.advance(5)
    assert copy.offset() == clock.offset() == 45


# -- scenario time ----------------------------------------------------------------------
def test_inject_times_in_every_accepted_form():
    assert parse_offset("T+01:30") == 5400
    assert parse_offset("t + 1:30:15") == 5415
    assert parse_offset("+00:05") == 300
    assert parse_offset("T+26:00") == 26 * 3600
    assert parse_offset("T+1d 02:00") == 26 * 3600
    assert parse_offset("T+90") == 5400
    assert parse_offset("T+0") == 0
    assert parse_offset(timedelta(hours=2)) == 7200
    # Clock times and weekdays count from the start, at or after it.
    assert parse_offset("04:30", START) == 5400
    assert parse_offset("4.30 Uhr", START) == 5400
    assert parse_offset("03:00", START) == 0
    assert parse_offset("02:00", START) == 23 * 3600  # Sunday 02:00
    assert parse_offset("So 02:00", START) == 23 * 3600
    assert parse_offset("Samstag 05:00", START) == 7200
    assert parse_offset(time(5, 0), START) == 7200
    assert parse_offset("28.11.2026 06:00", START) == 3 * 3600
    assert parse_offset(datetime(2026, 11, 28, 6, 0), START) == 3 * 3600
    assert parse_offset("2026-11-28T07:00+01:00", START) == 4 * 3600


@pytest.mark.parametrize(
    ("text", "start", "message"),
    [
        ("morgen", START, "keine Szenariozeit"),
        ("04:30", None, "Übungsbeginn"),
        ("T+01:75", None, "bis 59"),
        ("25:00", START, "keine gültige Uhrzeit"),
        ("27.11.2026 05:00", START, "vor dem Übungsbeginn"),
        ("Freitag 28.11.2026 05:00", START, "ist ein Samstag"),
        ("Blumentag 05:00", START, "kein Wochentag"),
        ("T+400:00", None, "14 Tage"),
        ("", None, "fehlt"),
    ],
)
def test_bad_inject_times_are_explained(text, start, message):
    with pytest.raises(ScenarioTimeError, match=message):
        parse_offset(text, start)


def test_deadlines_are_durations_or_scenario_moments():
    assert parse_deadline("30 min") == (1800, True)
    assert parse_deadline("+45 Minuten") == (2700, True)
    assert parse_deadline("1 h") == (3600, True)
    assert parse_deadline("1,5 h") == (5400, True)
    assert parse_deadline("0:45") == (2700, True)
    assert parse_deadline("20") == (1200, True)
    assert parse_deadline(time(0, 30)) == (1800, True)
    assert parse_deadline("T+02:00") == (7200, False)
    with pytest.raises(ScenarioTimeError, match="keine Frist"):
        parse_deadline("bald")


def test_start_names_a_weekday_from_the_reference_day():
    friday = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    assert parse_start("Samstag 03:00", friday) == START
    assert parse_start("Sa, 03:00 Uhr", friday) == START
    saturday_noon = datetime(2026, 11, 28, 11, 0, tzinfo=UTC)
    assert parse_start("Samstag 03:00", saturday_noon) == START  # the same day
    assert parse_start("28.11.2026 03:00") == START
    assert parse_start("03:00", friday).astimezone(BERLIN).date() == date(2026, 11, 27)
    with pytest.raises(ScenarioTimeError, match="Übungsbeginn"):
        parse_start("irgendwann")


def test_formats():
    assert format_offset(5400) == "T+01:30"
    assert format_offset(93784, with_seconds=True) == "T+26:03:04"
    assert format_clock(START, 5400) == "Sa 04:30"
    assert format_scenario(START, 23 * 3600) == "So 02:00 (T+23:00)"
    assert format_duration(None) == ""
    assert format_duration(42) == "42 s"
    assert format_duration(720) == "12 min"
    assert format_duration(3900) == "1 h 05 min"
