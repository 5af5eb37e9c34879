"""The exercise clock: start, pause, resume, speed, jump forward.

Pure: the time source is injected (``time.monotonic`` for one process, a fake
in tests, the wall clock where several workstations share the state). The
clock only ever moves forward; the trainer may make it run faster (1× to
10×; headless runs and tests up to 1000×) or jump ahead, never back.

The whole state is four numbers and a status (:class:`ClockSnapshot`), so it
can be stored in the exercise database and rebuilt on every workstation.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from krisenstab.domain.exercise import ClockStatus
from krisenstab.exercise.times import format_offset, format_scenario, scenario_moment

TimeSource = Callable[[], float]

MIN_SPEED = 1.0
USER_MAX_SPEED = 10.0
HEADLESS_MAX_SPEED = 1000.0


class ClockError(ValueError):
    """A refused clock operation (German message)."""


def check_speed(speed: float, max_speed: float = USER_MAX_SPEED) -> float:
    try:
        value = float(speed)
    except (TypeError, ValueError):
        raise ClockError(f"„{speed}“ ist kein Tempo (erwartet eine Zahl wie 2 oder 1,5).") from None
    if not math.isfinite(value) or value < MIN_SPEED or value > max_speed:
        raise ClockError(
            f"Das Tempo muss zwischen {MIN_SPEED:g}× und {max_speed:g}× liegen, nicht {value:g}×."
        )
    return value


@dataclass(frozen=True, slots=True)
class ClockSnapshot:
    """Everything the clock is: ``offset`` = anchor_offset + (t − anchor_t) × speed while running."""

    status: ClockStatus
    speed: float
    anchor_t: float
    anchor_offset: float

    def offset_at(self, t: float) -> float:
        if self.status is ClockStatus.RUNNING:
            # A time source that steps back (a corrected wall clock) must not
            # turn the scenario back either.
            return self.anchor_offset + max(0.0, t - self.anchor_t) * self.speed
        return self.anchor_offset


class ExerciseClock:
    """Scenario seconds since T0, driven by an injectable time source."""

    def __init__(
        self,
        start: datetime,
        *,
        speed: float = 1.0,
        time_source: TimeSource = time.monotonic,
        max_speed: float = USER_MAX_SPEED,
        snapshot: ClockSnapshot | None = None,
    ) -> None:
        if start.tzinfo is None:
            raise ValueError("scenario start must be timezone-aware")
        self.start_at = start
        self.max_speed = max_speed
        self._now = time_source
        if snapshot is None:
            snapshot = ClockSnapshot(ClockStatus.READY, check_speed(speed, max_speed), 0.0, 0.0)
        self._snap = snapshot

    # -- reading ----------------------------------------------------------------
    @property
    def snapshot(self) -> ClockSnapshot:
        return self._snap

    @property
    def status(self) -> ClockStatus:
        return self._snap.status

    @property
    def speed(self) -> float:
        return self._snap.speed

    @property
    def running(self) -> bool:
        return self._snap.status is ClockStatus.RUNNING

    def offset(self) -> float:
        """Scenario seconds since T0, now."""
        return self._snap.offset_at(self._now())

    def now(self) -> datetime:
        """The scenario moment, now (aware UTC)."""
        return scenario_moment(self.start_at, self.offset())

    def label(self) -> str:
        return format_scenario(self.start_at, self.offset())

    def offset_label(self) -> str:
        return format_offset(self.offset())

    def real_seconds_until(self, offset: float) -> float:
        """Real seconds until the clock shows ``offset``; inf while not running."""
        remaining = offset - self.offset()
        if remaining <= 0:
            return 0.0
        if not self.running:
            return math.inf
        return remaining / self._snap.speed

    # -- changing ---------------------------------------------------------------
    def _anchor(self, **changes: object) -> ClockSnapshot:
        t = self._now()
        current = self._snap.offset_at(t)
        self._snap = replace(self._snap, anchor_t=t, anchor_offset=current, **changes)
        return self._snap

    def start(self, at_offset: float = 0.0) -> ClockSnapshot:
        if self._snap.status is not ClockStatus.READY:
            raise ClockError(f"Die Übung wurde bereits gestartet (Status: {self.status.value}).")
        if at_offset < 0:
            raise ClockError("Die Übung kann nicht vor T+00:00 beginnen.")
        self._snap = ClockSnapshot(ClockStatus.RUNNING, self._snap.speed, self._now(), at_offset)
        return self._snap

    def pause(self, *, at_offset: float | None = None) -> ClockSnapshot:
        """Freeze the clock; ``at_offset`` pins it to a moment already passed (end of a run)."""
        if self._snap.status is not ClockStatus.RUNNING:
            raise ClockError(f"Die Übungsuhr läuft nicht (Status: {self.status.value}).")
        snap = self._anchor(status=ClockStatus.PAUSED)
        if at_offset is not None and self._snap.anchor_offset > at_offset >= 0:
            snap = self._snap = replace(snap, anchor_offset=float(at_offset))
        return snap

    def resume(self) -> ClockSnapshot:
        if self._snap.status not in (ClockStatus.PAUSED, ClockStatus.STOPPED):
            raise ClockError(
                f"Die Übungsuhr kann nicht fortgesetzt werden (Status: {self.status.value})."
            )
        self._snap = replace(self._snap, status=ClockStatus.RUNNING, anchor_t=self._now())
        return self._snap

    def set_speed(self, speed: float) -> ClockSnapshot:
        if self._snap.status is ClockStatus.FINISHED:
            raise ClockError("Die Übung ist beendet.")
        return self._anchor(speed=check_speed(speed, self.max_speed))

    def jump_to(self, offset: float) -> ClockSnapshot:
        """Set the scenario forward to ``offset`` (running or paused)."""
        if self._snap.status in (ClockStatus.READY, ClockStatus.FINISHED):
            raise ClockError(
                "Ein Zeitsprung ist nur in einer laufenden oder angehaltenen Übung möglich."
            )
        current = self.offset()
        if offset < current:
            raise ClockError(
                f"Die Übungszeit läuft nur vorwärts ({format_offset(offset)} liegt vor "
                f"{format_offset(current)})."
            )
        self._snap = replace(self._snap, anchor_t=self._now(), anchor_offset=float(offset))
        return self._snap

    def jump_by(self, seconds: float) -> ClockSnapshot:
        if seconds <= 0:
            raise ClockError("Ein Zeitsprung geht nur vorwärts (mehr als 0 Minuten).")
        return self.jump_to(self.offset() + seconds)

    def stop(self) -> ClockSnapshot:
        """Realereignis: play stops at once (the scenario time is frozen)."""
        if self._snap.status is ClockStatus.FINISHED:
            raise ClockError("Die Übung ist bereits beendet.")
        return self._anchor(status=ClockStatus.STOPPED)

    def finish(self) -> ClockSnapshot:
        if self._snap.status is ClockStatus.FINISHED:
            raise ClockError("Die Übung ist bereits beendet.")
        return self._anchor(status=ClockStatus.FINISHED)
