"""Inject scheduling and evaluation, pure: due injects, contingencies, reaction times, objectives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from krisenstab.domain.exercise import ClockStatus, DeliveryOutcome, Rating
from krisenstab.exercise.evaluation import (
    ClockMap,
    ClockPoint,
    Delivery,
    InjectState,
    RatingEntry,
    Reaction,
    ReactionKind,
    evaluate,
    replay_steps,
)
from krisenstab.exercise.scenario import Inject
from krisenstab.exercise.scheduler import (
    Action,
    Decided,
    decide,
    next_due,
    pending_contingency_parents,
)


def inject(number, offset, parent=None, deadline=None, relative=True, objective=None, **kw):
    return Inject(
        number, offset, "Leitstelle (Muster)", "S2", f"Inhalt {number}",
        expected_reaction="Meldung an S2", contingency_of=parent, deadline_s=deadline,
        deadline_relative=relative, objective=objective, id=f"i{number}", **kw,
    )  # fmt: skip


PLAN = [
    inject(1, 0),
    inject(2, 600),
    inject(3, 1800, parent=1, deadline=900),  # 15 min after no. 1 was delivered
    inject(4, 3600, parent=3),  # a contingency of a contingency, at its own time
    inject(5, 2400, parent=2, deadline=2000, relative=False),
]


def test_planned_injects_fall_due_at_their_time():
    decisions = decide(PLAN, {}, set(), 0)
    assert [(d.inject.number, d.action) for d in decisions] == [(1, Action.DELIVER)]
    decisions = decide(PLAN, {}, set(), 700)
    assert [d.inject.number for d in decisions] == [1, 2]
    assert next_due(PLAN, {}) == 0
    assert next_due(PLAN, {1: Decided(True, 0)}) == 600


def test_contingency_goes_out_after_its_deadline_without_reaction():
    decided = {1: Decided(True, 60), 2: Decided(True, 600)}
    assert decide(PLAN, decided, set(), 900) == []
    # Deadline = delivery of no. 1 (T+00:01) + 15 min.
    assert next_due(PLAN, decided) == 960
    decisions = decide(PLAN, decided, set(), 960)
    assert [(d.inject.number, d.action) for d in decisions] == [(3, Action.DELIVER)]
    assert "keine erwartete Reaktion auf Nr. 1" in decisions[0].reason
    # Absolute deadline for no. 5; no. 4 follows no. 3 at its own time.
    decisions = decide(PLAN, decided, set(), 3600)
    assert [(d.inject.number, d.action) for d in decisions] == [
        (3, Action.DELIVER),
        (5, Action.DELIVER),
        (4, Action.DELIVER),
    ]


def test_contingency_is_dropped_once_the_reaction_happened():
    decided = {1: Decided(True, 0), 2: Decided(True, 600)}
    assert pending_contingency_parents(PLAN, decided) == {1, 2}
    decisions = decide(PLAN, decided, {1}, 100)
    assert [(d.inject.number, d.action) for d in decisions] == [(3, Action.SKIP), (4, Action.SKIP)]
    assert "Reaktion auf Nr. 1 ist erfolgt" in decisions[0].reason
    assert "Bezugseinlage Nr. 3 ist entfallen" in decisions[1].reason


def test_contingency_of_a_dropped_inject_is_dropped():
    decided = {1: Decided(True, 0), 2: Decided(False, 500)}
    decisions = decide(PLAN, decided, set(), 600)
    assert (decisions[0].inject.number, decisions[0].action) == (5, Action.SKIP)


def test_waiting_contingencies_wake_the_runner_at_their_parents_time():
    plan = [inject(1, 600), inject(2, 1200, parent=1)]
    assert next_due(plan, {}) == 600
    assert next_due(plan, {1: Decided(True, 600)}) == 1200
    assert next_due(plan, {1: Decided(True, 600), 2: Decided(False, 700)}) is None


T0 = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_clock_map_follows_pauses_speed_and_jumps():
    clock = ClockMap(
        [
            ClockPoint(at(0), 0, 1, ClockStatus.RUNNING.value),
            ClockPoint(at(600), 600, 1, ClockStatus.PAUSED.value),
            ClockPoint(at(900), 600, 5, ClockStatus.RUNNING.value),
            ClockPoint(at(1000), 3600, 5, ClockStatus.RUNNING.value),  # jump
        ]
    )
    assert clock.offset_at(at(-1)) is None
    assert clock.offset_at(at(300)) == 300
    assert clock.offset_at(at(800)) == 600
    assert clock.offset_at(at(950)) == 850
    assert clock.offset_at(at(1010)) == 3650


def test_evaluation_finds_the_first_reaction_and_rates_objectives():
    plan = [
        inject(1, 0, objective="Lagebild"),
        inject(2, 600, objective="Lagebild"),
        inject(3, 1200, objective="Warnung"),
        inject(4, 1800, objective="Warnung"),
        inject(5, 2400, parent=1),
    ]
    clock = ClockMap([ClockPoint(at(0), 0, 2, ClockStatus.RUNNING.value)])
    deliveries = {
        "i1": Delivery("i1", DeliveryOutcome.DELIVERED, at(0), 0, 0, "m1"),
        "i2": Delivery("i2", DeliveryOutcome.DELIVERED, at(300), 600, 600, "m2"),
        "i3": Delivery("i3", DeliveryOutcome.EARLY, at(500), 1000, 1200, "m3"),
        "i5": Delivery("i5", DeliveryOutcome.SKIPPED, at(60), 120, 2400, None, "Reaktion"),
    }
    reactions = [
        Reaction(ReactionKind.TASK, "m1", at(90), "S3", "Jonas", "Auftrag Nr. 1"),
        Reaction(ReactionKind.ACK, "m1", at(30), "S2", "Max", "E-1 quittiert"),
        Reaction(ReactionKind.OUTGOING, "m2", at(400), "S5", "Anna", "A-1"),
        Reaction(ReactionKind.JOURNAL, "m2", at(200), "S5", "Anna", "vor der Zustellung"),
    ]
    rated = {"i2": RatingEntry(Rating.PARTLY.value, "zu knapp", "Beobachter", at(900))}
    result = evaluate(plan, deliveries, reactions, rated, {}, clock)
    by_no = {r.number: r for r in result.injects}
    first = by_no[1]
    assert first.state is InjectState.ANSWERED
    assert first.first_reaction.kind is ReactionKind.ACK
    assert first.reaction_time_real_s == 30 and first.reaction_time_s == 60  # clock at 2×
    assert len(first.reactions) == 2
    second = by_no[2]
    assert second.first_reaction.label == "A-1"  # the entry before delivery does not count
    assert second.reaction_time_s == 200
    assert by_no[3].state is InjectState.DELIVERED and by_no[3].first_reaction is None
    assert by_no[3].lateness_s == -200  # sent early
    assert by_no[4].state is InjectState.PLANNED
    assert by_no[5].state is InjectState.SKIPPED
    objectives = {o.objective: o for o in result.objectives}
    # Lagebild: no. 1 answered (met), no. 2 rated partly → partly.
    assert objectives["Lagebild"].rating is Rating.PARTLY and objectives["Lagebild"].derived
    # Warnung: no. 3 unanswered, no. 4 never delivered → not met.
    assert objectives["Warnung"].rating is Rating.NOT_MET
    summary = result.summary
    assert (summary.delivered, summary.answered, summary.skipped) == (3, 2, 1)
    assert summary.unanswered == (3,)
    assert summary.median_reaction_s == 130
    # An explicit rating of the objective wins.
    explicit = {"Warnung": RatingEntry(Rating.MET.value, "gut gelöst", "Beobachter", at(999))}
    again = evaluate(plan, deliveries, reactions, rated, explicit, clock)
    warnung = next(o for o in again.objectives if o.objective == "Warnung")
    assert warnung.rating is Rating.MET and not warnung.derived and warnung.actual == "gut gelöst"
    kinds = [item.kind for item in result.timeline]
    assert kinds.count("erste Reaktion") == 2


def test_replay_orders_entries_by_scenario_time():
    class Entry:
        def __init__(self, number, recorded, scenario=None, message_id=None):
            self.number = number
            self.recorded_at = recorded
            self.scenario_time = scenario
            self.function = "S2"
            self.author = "Max"
            self.kind = "Vermerk"
            self.text = f"Eintrag {number}"
            self.corrects = None
            self.message_id = message_id

    clock = ClockMap(
        [
            ClockPoint(at(0), 0, 1, ClockStatus.RUNNING.value),
            ClockPoint(at(100), 3600, 1, ClockStatus.RUNNING.value),
        ]
    )
    entries = [
        Entry(1, at(5)),
        Entry(2, at(150), message_id="m9"),  # placed by the clock log: T+01:00:50
        Entry(3, at(120), scenario=at(60)),  # its own scenario time: T+00:01
    ]
    steps = replay_steps(entries, {"m9": 7}, clock, T0)
    assert [s.number for s in steps] == [1, 3, 2]
    assert steps[2].offset_s == 3650 and steps[2].inject_number == 7
