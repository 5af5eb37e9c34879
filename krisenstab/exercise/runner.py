"""The headless exercise run: the clock runs, injects go out as it passes them.

Used by ``krisenstab exercise run`` and the tests; the GUI console does the
same with a QTimer calling ``ExerciseService.tick``. The loop sleeps until
the next inject is due, but never longer than ``poll_s``, so a pause, a
speed change or a Realereignis from another workstation is noticed at once.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from krisenstab.domain.exercise import ClockStatus
from krisenstab.exercise.times import format_offset

if TYPE_CHECKING:
    from krisenstab.services.context import Actor
    from krisenstab.services.exercise import ExerciseService, InjectView, TickResult
    from krisenstab.services.exercise_state import ClockView

END_UNTIL = "Zielzeit erreicht"
END_ALL_DONE = "alle Einlagen abgearbeitet"
END_REAL_EVENT = "Realereignis"
END_STOPPED = "von der Übungsleitung angehalten"


@dataclass
class RunOutcome:
    end: ClockView
    reason: str
    delivered: list[InjectView] = field(default_factory=list)
    skipped: list[InjectView] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def real_event(self) -> bool:
        return self.reason == END_REAL_EVENT


def _prepare(
    service: ExerciseService,
    actor: Actor,
    speed: float | None,
    after_real_event: bool,
) -> ClockView:
    from krisenstab.services.exercise import ExerciseError

    view = service.state()
    if not view.prepared:
        raise ExerciseError(
            "Es ist noch keine Übung vorbereitet; bitte zuerst ein Drehbuch einlesen."
        )
    status = view.status
    if status is ClockStatus.FINISHED:
        raise ExerciseError("Die Übung ist beendet; sie kann nicht weiterlaufen.")
    if status is ClockStatus.READY:
        return service.start(actor, speed=speed, headless=True)
    if speed is not None and speed != view.speed:
        service.set_speed(speed, actor, headless=True)
    if status is ClockStatus.STOPPED:
        if view.real_event and not after_real_event:
            raise ExerciseError(
                "Die Übung wurde wegen eines Realereignisses abgebrochen; sie läuft nur "
                "ausdrücklich weiter (--after-real-event)."
            )
        return service.resume(actor, after_real_event=True)
    if status is ClockStatus.PAUSED:
        return service.resume(actor)
    return service.state()


def run_exercise(
    service: ExerciseService,
    actor: Actor,
    *,
    speed: float | None = None,
    until_s: float | None = None,
    after_real_event: bool = False,
    poll_s: float = 0.25,
    sleep: Callable[[float], None] = time.sleep,
    on_tick: Callable[[TickResult], None] | None = None,
) -> RunOutcome:
    """Run the clock until ``until_s`` (scenario seconds) or until nothing is left.

    The clock is started, resumed or sped up as needed and paused at the end
    (pinned to ``until_s``). A pause or Realereignis from elsewhere ends the run.
    """
    from krisenstab.services.exercise import ExerciseError

    current = service.state()
    if until_s is not None and current.prepared and until_s <= current.offset_s:
        raise ExerciseError(
            f"Die Zielzeit {format_offset(until_s)} ist schon erreicht "
            f"(Szenariozeit {format_offset(current.offset_s)})."
        )
    _prepare(service, actor, speed, after_real_event)
    outcome: RunOutcome | None = None
    delivered: list[InjectView] = []
    skipped: list[InjectView] = []
    problems: list[str] = []
    try:
        while True:
            result = service.tick(actor, until_offset=until_s)
            delivered.extend(result.delivered)
            skipped.extend(result.skipped)
            problems.extend(result.problems)
            if on_tick is not None:
                on_tick(result)
            view = result.view
            if view.status is not ClockStatus.RUNNING:
                reason = END_REAL_EVENT if view.real_event else END_STOPPED
                outcome = RunOutcome(view, reason)
                break
            if until_s is not None and view.offset_s >= until_s:
                outcome = RunOutcome(service.pause(actor, at_offset=until_s), END_UNTIL)
                break
            if result.next_due_s is None and result.remaining == 0:
                outcome = RunOutcome(service.pause(actor), END_ALL_DONE)
                break
            wait = poll_s
            to_next = result.real_seconds_to_next()
            if to_next is not None:
                wait = min(wait, to_next)
            if until_s is not None:
                wait = min(wait, max(0.0, (until_s - view.offset_s) / view.speed))
            if math.isfinite(wait) and wait > 0:
                sleep(wait)
    except KeyboardInterrupt:
        if service.state().running:
            service.pause(actor)
        raise
    outcome.delivered = delivered
    outcome.skipped = skipped
    outcome.problems = problems
    return outcome
