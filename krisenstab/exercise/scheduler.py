"""Which injects are due: planned ones at their time, contingencies after their deadline.

Pure. The service hands in the scenario, what has been decided so far (a
delivery or a skip per inject number), the numbers of delivered injects
whose expected reaction has happened, and the scenario time; it gets back
the decisions to carry out, in order.

A contingency inject C "bedingt durch" P:

* waits while P is undecided;
* is dropped when P was dropped, or as soon as P's expected reaction has
  happened (the trainer's mark or a substantive reaction by the players);
* goes out at its deadline otherwise: the „Frist“ after P's delivery, an
  absolute „Frist“, or without one its own „Zeit“.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from krisenstab.exercise.scenario import Inject
from krisenstab.exercise.times import format_offset


class Action(StrEnum):
    DELIVER = "deliver"
    SKIP = "skip"


@dataclass(frozen=True, slots=True)
class Decided:
    """What became of an inject so far (from the delivery table)."""

    delivered: bool
    scenario_offset_s: float


@dataclass(frozen=True, slots=True)
class Decision:
    inject: Inject
    action: Action
    due_offset_s: float
    reason: str | None = None


def due_offset(inject: Inject, decided: Mapping[int, Decided]) -> float | None:
    """When the inject falls due; None while it waits for its parent."""
    if inject.contingency_of is None:
        return float(inject.offset_s)
    parent = decided.get(inject.contingency_of)
    if parent is None:
        return None
    if not parent.delivered:
        return float(inject.offset_s)
    return inject.deadline_offset(parent.scenario_offset_s)


def decide(
    injects: Iterable[Inject],
    decided: Mapping[int, Decided],
    reacted: set[int] | frozenset[int],
    now_offset: float,
) -> list[Decision]:
    """Everything to do at ``now_offset``, ordered by due time then number.

    A decision may unlock another (a contingency of a contingency), so the
    pass repeats until nothing changes.
    """
    state = dict(decided)
    pending = [i for i in injects if i.number not in state]
    decisions: list[Decision] = []
    changed = True
    while changed and pending:
        changed = False
        ready: list[Decision] = []
        for inject in pending:
            due = due_offset(inject, state)
            if due is None:
                continue
            parent_no = inject.contingency_of
            if parent_no is not None:
                parent = state[parent_no]
                if not parent.delivered:
                    ready.append(
                        Decision(
                            inject, Action.SKIP, due, f"Bezugseinlage Nr. {parent_no} ist entfallen"
                        )
                    )
                    continue
                if parent_no in reacted:
                    ready.append(
                        Decision(
                            inject,
                            Action.SKIP,
                            due,
                            f"erwartete Reaktion auf Nr. {parent_no} ist erfolgt",
                        )
                    )
                    continue
            if due <= now_offset:
                reason = None
                if parent_no is not None:
                    reason = (
                        f"keine erwartete Reaktion auf Nr. {parent_no} bis {format_offset(due)}"
                    )
                ready.append(Decision(inject, Action.DELIVER, due, reason))
        if ready:
            ready.sort(key=lambda d: (d.due_offset_s, d.inject.number))
            for decision in ready:
                state[decision.inject.number] = Decided(
                    decision.action is Action.DELIVER,
                    max(now_offset, decision.due_offset_s)
                    if decision.action is Action.DELIVER
                    else now_offset,
                )
            decisions.extend(ready)
            done = {d.inject.number for d in ready}
            pending = [i for i in pending if i.number not in done]
            changed = True
    return decisions


def next_due(injects: Iterable[Inject], decided: Mapping[int, Decided]) -> float | None:
    """The earliest scenario moment at which something is due (None: nothing left).

    Contingencies that wait for an undecided parent count with their parent's
    time, so the caller wakes up when the parent falls due.
    """
    items = list(injects)
    by_number = {i.number: i for i in items}
    best: float | None = None
    for inject in items:
        if inject.number in decided:
            continue
        due = due_offset(inject, decided)
        if due is None:
            parent = by_number.get(inject.contingency_of or -1)
            if parent is None:
                continue
            due = float(parent.offset_s)
        if best is None or due < best:
            best = due
    return best


def pending_contingency_parents(
    injects: Iterable[Inject], decided: Mapping[int, Decided]
) -> set[int]:
    """Delivered parents whose reaction decides a still pending contingency."""
    parents: set[int] = set()
    for inject in injects:
        if inject.number in decided or inject.contingency_of is None:
            continue
        parent = decided.get(inject.contingency_of)
        if parent is not None and parent.delivered:
            parents.add(inject.contingency_of)
    return parents
