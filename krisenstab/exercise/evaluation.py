"""Evaluation (Auswertung): reaction per inject, objectives, timeline, replay.

Pure: the service collects deliveries, reactions, ratings and the clock log
from the exercise database; everything computed from them lives here, so
the console, the after-action report and the CSV agree.

* The first reaction to an inject is the earliest acknowledgement, journal
  entry, task or outgoing message that references the message the inject
  arrived as. Its reaction time is given in scenario time (what the staff
  experienced) and in real time.
* An objective is met, partly met or not met: the observer's rating of the
  objective if there is one; otherwise derived from its injects (each by the
  observer's rating, or, unrated, "met" when the players reacted and "not
  met" when they did not) and marked as derived.
* Real moments are turned into scenario moments through the clock log (each
  start, pause, speed change and jump), so a reaction typed while the clock
  ran at 5× is placed correctly.
"""

from __future__ import annotations

import bisect
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from krisenstab.domain.exercise import ClockStatus, DeliveryOutcome, Rating
from krisenstab.exercise.scenario import Inject


class ReactionKind(StrEnum):
    ACK = "Quittung"
    JOURNAL = "ETB-Eintrag"
    TASK = "Auftrag"
    OUTGOING = "Ausgangsnachricht"


class InjectState(StrEnum):
    PLANNED = "geplant"
    DELIVERED = "zugestellt"
    ANSWERED = "beantwortet"
    SKIPPED = "entfallen"


@dataclass(frozen=True, slots=True)
class ClockPoint:
    """The clock right after a logged event."""

    real_at: datetime
    offset_s: float
    speed: float
    status: str


class ClockMap:
    """Real moment → scenario seconds, from the clock log."""

    def __init__(self, points: Iterable[ClockPoint]) -> None:
        self._points = sorted(points, key=lambda p: p.real_at)
        self._times = [p.real_at for p in self._points]

    def offset_at(self, moment: datetime) -> float | None:
        index = bisect.bisect_right(self._times, moment) - 1
        if index < 0:
            return None
        point = self._points[index]
        if point.status == ClockStatus.RUNNING.value:
            return point.offset_s + (moment - point.real_at).total_seconds() * point.speed
        return point.offset_s


@dataclass(frozen=True, slots=True)
class Reaction:
    kind: ReactionKind
    message_id: str
    real_at: datetime
    function: str
    person: str
    label: str
    scenario_offset_s: float | None = None


@dataclass(frozen=True, slots=True)
class Delivery:
    inject_id: str
    outcome: str
    real_at: datetime
    scenario_offset_s: float
    due_offset_s: float
    message_id: str | None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class RatingEntry:
    rating: str
    actual: str | None
    author: str
    rated_at: datetime


@dataclass(frozen=True)
class InjectResult:
    inject: Inject
    state: InjectState
    delivery: Delivery | None
    first_reaction: Reaction | None
    reactions: tuple[Reaction, ...]
    reaction_time_s: float | None
    reaction_time_real_s: float | None
    rating: RatingEntry | None
    notes: tuple[str, ...] = ()

    @property
    def number(self) -> int:
        return self.inject.number

    @property
    def lateness_s(self) -> float | None:
        if self.delivery is None or not DeliveryOutcome(self.delivery.outcome).delivered:
            return None
        return self.delivery.scenario_offset_s - self.delivery.due_offset_s


@dataclass(frozen=True)
class ObjectiveResult:
    objective: str
    inject_numbers: tuple[int, ...]
    rating: Rating | None
    derived: bool
    counts: dict[str, int] = field(default_factory=dict)
    actual: str | None = None


@dataclass(frozen=True, slots=True)
class TimelineItem:
    offset_s: float | None
    real_at: datetime | None
    kind: str
    label: str
    storyline: str | None = None
    inject_number: int | None = None


@dataclass(frozen=True, slots=True)
class ReplayStep:
    """One journal entry in scenario order (what the replay steps through)."""

    offset_s: float | None
    number: int
    recorded_at: datetime
    function: str
    author: str
    kind: str
    text: str
    corrects: int | None
    inject_number: int | None


@dataclass(frozen=True)
class Summary:
    planned: int
    delivered: int
    skipped: int
    ad_hoc: int
    answered: int
    unanswered: tuple[int, ...]
    median_reaction_s: float | None
    max_reaction_s: float | None
    objectives_met: int
    objectives_partly: int
    objectives_not_met: int


@dataclass(frozen=True)
class Evaluation:
    injects: tuple[InjectResult, ...]
    objectives: tuple[ObjectiveResult, ...]
    summary: Summary
    timeline: tuple[TimelineItem, ...] = ()


def evaluate_injects(
    injects: Sequence[Inject],
    deliveries: Mapping[str, Delivery],
    reactions: Iterable[Reaction],
    ratings: Mapping[str, RatingEntry],
    clock: ClockMap,
) -> list[InjectResult]:
    """One result per inject, in scenario order (``deliveries``/``ratings`` keyed by inject id)."""
    by_message: dict[str, list[Reaction]] = {}
    for reaction in reactions:
        by_message.setdefault(reaction.message_id, []).append(reaction)
    results: list[InjectResult] = []
    for inject in sorted(injects, key=lambda i: (i.offset_s, i.number)):
        delivery = deliveries.get(inject.id or "")
        rating = ratings.get(inject.id or "")
        if delivery is None:
            results.append(
                InjectResult(inject, InjectState.PLANNED, None, None, (), None, None, rating)
            )
            continue
        if not DeliveryOutcome(delivery.outcome).delivered:
            results.append(
                InjectResult(inject, InjectState.SKIPPED, delivery, None, (), None, None, rating)
            )
            continue
        own = [
            _placed(r, clock)
            for r in by_message.get(delivery.message_id or "", [])
            if r.real_at >= delivery.real_at
        ]
        own.sort(key=lambda r: (r.real_at, r.kind.value))
        first = own[0] if own else None
        reaction_s = real_s = None
        if first is not None:
            real_s = (first.real_at - delivery.real_at).total_seconds()
            if first.scenario_offset_s is not None:
                reaction_s = max(0.0, first.scenario_offset_s - delivery.scenario_offset_s)
        results.append(
            InjectResult(
                inject,
                InjectState.ANSWERED if first else InjectState.DELIVERED,
                delivery,
                first,
                tuple(own),
                reaction_s,
                real_s,
                rating,
            )
        )
    return results


def _placed(reaction: Reaction, clock: ClockMap) -> Reaction:
    if reaction.scenario_offset_s is not None:
        return reaction
    offset = clock.offset_at(reaction.real_at)
    return Reaction(
        reaction.kind,
        reaction.message_id,
        reaction.real_at,
        reaction.function,
        reaction.person,
        reaction.label,
        offset,
    )


def _inject_verdict(result: InjectResult) -> Rating | None:
    if result.rating is not None:
        return Rating(result.rating.rating)
    if result.state is InjectState.ANSWERED:
        return Rating.MET
    if result.state is InjectState.DELIVERED:
        return Rating.NOT_MET
    return None  # planned or skipped: says nothing about the players


def evaluate_objectives(
    results: Sequence[InjectResult], ratings: Mapping[str, RatingEntry]
) -> list[ObjectiveResult]:
    """Objectives in the order they first appear; explicit rating before derived one."""
    grouped: dict[str, list[InjectResult]] = {}
    for result in results:
        if result.inject.objective:
            grouped.setdefault(result.inject.objective, []).append(result)
    for objective in ratings:
        grouped.setdefault(objective, [])
    out: list[ObjectiveResult] = []
    for objective, items in grouped.items():
        verdicts = [v for v in (_inject_verdict(r) for r in items) if v is not None]
        counts = {r.value: sum(1 for v in verdicts if v is r) for r in Rating}
        explicit = ratings.get(objective)
        numbers = tuple(r.number for r in items)
        if explicit is not None:
            out.append(
                ObjectiveResult(
                    objective, numbers, Rating(explicit.rating), False, counts, explicit.actual
                )
            )
            continue
        if not verdicts:
            out.append(ObjectiveResult(objective, numbers, None, True, counts))
            continue
        if all(v is Rating.MET for v in verdicts):
            derived = Rating.MET
        elif all(v is Rating.NOT_MET for v in verdicts):
            derived = Rating.NOT_MET
        else:
            derived = Rating.PARTLY
        out.append(ObjectiveResult(objective, numbers, derived, True, counts))
    return out


def summarize(results: Sequence[InjectResult], objectives: Sequence[ObjectiveResult]) -> Summary:
    delivered = [r for r in results if r.state in (InjectState.DELIVERED, InjectState.ANSWERED)]
    times = [r.reaction_time_s for r in delivered if r.reaction_time_s is not None]
    return Summary(
        planned=sum(1 for r in results if not r.inject.ad_hoc),
        delivered=len(delivered),
        skipped=sum(1 for r in results if r.state is InjectState.SKIPPED),
        ad_hoc=sum(1 for r in results if r.inject.ad_hoc),
        answered=sum(1 for r in delivered if r.state is InjectState.ANSWERED),
        unanswered=tuple(r.number for r in delivered if r.state is InjectState.DELIVERED),
        median_reaction_s=statistics.median(times) if times else None,
        max_reaction_s=max(times) if times else None,
        objectives_met=sum(1 for o in objectives if o.rating is Rating.MET),
        objectives_partly=sum(1 for o in objectives if o.rating is Rating.PARTLY),
        objectives_not_met=sum(1 for o in objectives if o.rating is Rating.NOT_MET),
    )


def build_timeline(
    results: Sequence[InjectResult], events: Iterable[TimelineItem]
) -> list[TimelineItem]:
    """Deliveries, first reactions and clock events, by scenario time."""
    items = list(events)
    for result in results:
        inject = result.inject
        if result.delivery is not None and result.state is not InjectState.SKIPPED:
            items.append(
                TimelineItem(
                    result.delivery.scenario_offset_s,
                    result.delivery.real_at,
                    result.delivery.outcome,
                    f"Nr. {inject.number} an {inject.addressee}: {_short(inject.content)}",
                    inject.storyline,
                    inject.number,
                )
            )
        if result.first_reaction is not None:
            reaction = result.first_reaction
            items.append(
                TimelineItem(
                    reaction.scenario_offset_s,
                    reaction.real_at,
                    "erste Reaktion",
                    f"Nr. {inject.number}: {reaction.kind.value} {reaction.label} ({reaction.function})",
                    inject.storyline,
                    inject.number,
                )
            )
    items.sort(
        key=lambda i: (
            i.offset_s if i.offset_s is not None else -1.0,
            i.real_at.timestamp() if i.real_at else 0.0,
        )
    )
    return items


def replay_steps(
    entries: Iterable[object],
    inject_by_message: Mapping[str, int],
    clock: ClockMap,
    start: datetime,
) -> list[ReplayStep]:
    """Journal entries (EntryView-like) ordered by scenario time for stepping through.

    An entry's own scenario time counts; one without (written outside the
    clock) is placed by its real time through the clock log.
    """
    steps: list[ReplayStep] = []
    for entry in entries:
        recorded = entry.recorded_at  # type: ignore[attr-defined]
        scenario_time = entry.scenario_time  # type: ignore[attr-defined]
        if scenario_time is not None:
            offset: float | None = (scenario_time - start).total_seconds()
        else:
            offset = clock.offset_at(recorded)
        steps.append(
            ReplayStep(
                offset,
                entry.number,  # type: ignore[attr-defined]
                recorded,
                entry.function,  # type: ignore[attr-defined]
                entry.author,  # type: ignore[attr-defined]
                entry.kind,  # type: ignore[attr-defined]
                entry.text,  # type: ignore[attr-defined]
                entry.corrects,  # type: ignore[attr-defined]
                inject_by_message.get(entry.message_id or ""),  # type: ignore[attr-defined]
            )
        )
    steps.sort(key=lambda s: (s.offset_s if s.offset_s is not None else -1.0, s.number))
    return steps


def evaluate(
    injects: Sequence[Inject],
    deliveries: Mapping[str, Delivery],
    reactions: Iterable[Reaction],
    inject_ratings: Mapping[str, RatingEntry],
    objective_ratings: Mapping[str, RatingEntry],
    clock: ClockMap,
    events: Iterable[TimelineItem] = (),
) -> Evaluation:
    results = evaluate_injects(injects, deliveries, reactions, inject_ratings, clock)
    objectives = evaluate_objectives(results, objective_ratings)
    return Evaluation(
        injects=tuple(results),
        objectives=tuple(objectives),
        summary=summarize(results, objectives),
        timeline=tuple(build_timeline(results, events)),
    )


def _short(text: str, length: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[: length - 1] + "…"
