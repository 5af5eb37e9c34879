"""The shared exercise clock as stored in the exercise database (reading only).

Small on purpose, with no dependency on the journal or message services: a
service that writes a journal entry inside its own transaction can ask
:func:`scenario_time_in` for the scenario time to put on the entry (None in
a real database, where the state table is always empty).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session

from krisenstab.domain.exercise import STATE_KEY, ClockStatus, ExerciseState
from krisenstab.exercise.clock import HEADLESS_MAX_SPEED, ClockSnapshot, ExerciseClock
from krisenstab.exercise.times import format_offset, format_scenario, scenario_moment

WallClock = Callable[[], float]


def load_state(session: Session) -> ExerciseState | None:
    return session.get(ExerciseState, STATE_KEY)


def snapshot_of(state: ExerciseState) -> ClockSnapshot:
    return ClockSnapshot(
        ClockStatus(state.status),
        state.speed,
        state.anchor_wall.timestamp(),
        state.anchor_offset_s,
    )


def clock_of(state: ExerciseState, wall: WallClock = time.time) -> ExerciseClock:
    """The clock the state describes, on the wall clock every workstation shares."""
    return ExerciseClock(
        state.scenario_start,
        time_source=wall,
        max_speed=HEADLESS_MAX_SPEED,
        snapshot=snapshot_of(state),
    )


def scenario_time_in(session: Session, wall: WallClock = time.time) -> datetime | None:
    """The scenario moment now, once the exercise has started; otherwise None."""
    state = load_state(session)
    if state is None or state.status == ClockStatus.READY.value:
        return None
    return clock_of(state, wall).now()


@dataclass(frozen=True)
class ClockView:
    """The clock as every exercise window shows it (no controller data in here).

    Between two polls a window may advance the display itself with
    :meth:`offset_at` (wall seconds), without asking the database.
    """

    prepared: bool
    status: ClockStatus
    speed: float
    start: datetime | None
    start_label: str
    anchor_wall: float
    anchor_offset_s: float
    offset_s: float
    title: str
    incident_id: str | None
    real_event: bool
    real_event_at: datetime | None
    real_event_by: str | None
    real_event_text: str | None
    revision: int

    def offset_at(self, wall_seconds: float) -> float:
        return ClockSnapshot(
            self.status, self.speed, self.anchor_wall, self.anchor_offset_s
        ).offset_at(wall_seconds)

    @property
    def running(self) -> bool:
        return self.status is ClockStatus.RUNNING

    @property
    def scenario_time(self) -> datetime | None:
        if self.start is None or self.status is ClockStatus.READY:
            return None
        return scenario_moment(self.start, self.offset_s)

    @property
    def offset_label(self) -> str:
        return format_offset(self.offset_s)

    @property
    def label(self) -> str:
        """``Sa 04:30 (T+01:30)``, or the start while the exercise waits."""
        if self.start is None:
            return "keine Übung vorbereitet"
        return format_scenario(self.start, self.offset_s)

    @property
    def status_text(self) -> str:
        text = f"ÜBUNG {self.status.value}"
        if self.running and self.speed != 1:
            text += f" ({self.speed:g}×)"
        return text


NOT_PREPARED = ClockView(
    prepared=False,
    status=ClockStatus.READY,
    speed=1.0,
    start=None,
    start_label="",
    anchor_wall=0.0,
    anchor_offset_s=0.0,
    offset_s=0.0,
    title="",
    incident_id=None,
    real_event=False,
    real_event_at=None,
    real_event_by=None,
    real_event_text=None,
    revision=0,
)


def clock_view(state: ExerciseState | None, title: str, wall: WallClock = time.time) -> ClockView:
    if state is None:
        return NOT_PREPARED
    snap = snapshot_of(state)
    return ClockView(
        prepared=True,
        status=snap.status,
        speed=state.speed,
        start=state.scenario_start,
        start_label=state.start_label,
        anchor_wall=snap.anchor_t,
        anchor_offset_s=snap.anchor_offset,
        offset_s=snap.offset_at(wall()),
        title=title,
        incident_id=state.incident_id,
        real_event=state.real_event,
        real_event_at=state.real_event_at,
        real_event_by=state.real_event_by,
        real_event_text=state.real_event_text,
        revision=state.revision,
    )


def wall_datetime(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)
