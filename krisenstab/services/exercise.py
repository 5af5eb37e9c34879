"""Use cases of an exercise: scenario, shared clock, inject delivery, notes, evaluation.

Only ever on an exercise database: every call refuses a real one. The state
(clock, incident, Realereignis flag) lives in the exercise file, so every
workstation shows the same scenario time; the controller console drives
delivery with :meth:`ExerciseService.tick` (a QTimer, or the headless
runner), player windows only read :meth:`ExerciseService.state`.

Delivery goes through the message flow: an inject arrives as an incoming
message (E-number, journal entry "Eingang") at the addressed functions, with
the header „ÜBUNG“ and ``external_ref`` = ``uebung-einlage:<inject id>``. The
inject is claimed first (a row in ``exercise_delivery``, unique per inject,
under the write lock), so two controller workstations never deliver it
twice; if recording the message fails, the claim is withdrawn again.

Effects run through the KRITIS service (status + journal entry in the
exercise database). Permissions: controlling needs „Übungen steuern“; the
Realereignis may be called by anyone who may write the journal.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import case, delete, func, insert, select, update
from sqlmodel import Session

from krisenstab.domain.base import new_id
from krisenstab.domain.exercise import (
    CONTROL_FUNCTION,
    STATE_KEY,
    ClockStatus,
    DeliveryOutcome,
    EventKind,
    ExerciseDelivery,
    ExerciseEvent,
    ExerciseInject,
    ExerciseNote,
    ExerciseRating,
    ExerciseScenario,
    ExerciseState,
    NoteKind,
    Rating,
    parse_rating,
)
from krisenstab.domain.incident import STATUS_CLOSED, Incident, validate_title
from krisenstab.domain.journal import EntryKind, JournalEntry
from krisenstab.domain.message import (
    Direction,
    Message,
    MessageRecipient,
    format_number,
    parse_number,
)
from krisenstab.domain.staff import DEFAULT_FUNCTIONS, StaffFunction, function_key
from krisenstab.domain.task import Task
from krisenstab.domain.timefmt import utcnow
from krisenstab.exercise.clock import (
    HEADLESS_MAX_SPEED,
    USER_MAX_SPEED,
    ClockError,
    ClockSnapshot,
    ExerciseClock,
    check_speed,
)
from krisenstab.exercise.evaluation import (
    ClockMap,
    ClockPoint,
    Delivery,
    Evaluation,
    InjectState,
    RatingEntry,
    Reaction,
    ReactionKind,
    ReplayStep,
    TimelineItem,
    evaluate,
    replay_steps,
)
from krisenstab.exercise.msel import ScenarioReadResult, read_scenario, write_scenario
from krisenstab.exercise.scenario import (
    CONTENT_MAX,
    FIELD_MAX,
    Effect,
    Inject,
    InjectDraft,
    Scenario,
    check_injects,
    clean_block,
    clean_line,
    format_effects,
    parse_channel,
    parse_effects,
    parse_priority,
    sorted_injects,
)
from krisenstab.exercise.scheduler import (
    Action,
    Decided,
    Decision,
    decide,
    next_due,
    pending_contingency_parents,
)
from krisenstab.exercise.times import (
    ScenarioTimeError,
    format_offset,
    format_scenario,
    parse_start,
    scenario_moment,
)
from krisenstab.services.context import Actor, ServiceError
from krisenstab.services.exercise_state import (
    NOT_PREPARED,
    ClockView,
    WallClock,
    clock_of,
    clock_view,
    load_state,
    wall_datetime,
)
from krisenstab.services.journal import write_entry
from krisenstab.services.permissions import Permission, authorize
from krisenstab.services.staff import canonical_function_names
from krisenstab.store.database import Database

EXTERNAL_REF_PREFIX = "uebung-einlage:"
# A claim older than this without its message is taken as abandoned.
CLAIM_TIMEOUT_S = 60.0
MESSAGE_HEADER = "ÜBUNG"
_CHUNK = 500
# The message flow writes these entries itself; they mirror an acknowledgement
# or the desk's handling, not a reaction of the addressed function.
_FLOW_WORDS = (" gesichtet", " quittiert", " befördert")


class ExerciseError(ServiceError):
    """A refused exercise operation (German message)."""


class ScenarioImportError(ExerciseError):
    """The scenario file has errors; nothing was imported. ``result`` lists them all."""

    def __init__(self, message: str, result: ScenarioReadResult) -> None:
        super().__init__(message)
        self.result = result


def control_actor(workstation_id: str, person: str = CONTROL_FUNCTION) -> Actor:
    """The actor the Übungsleitung acts as when no person is named (command line)."""
    return Actor(person=person, function=CONTROL_FUNCTION, workstation_id=workstation_id)


# -- views ---------------------------------------------------------------------------
@dataclass(frozen=True)
class InjectView:
    """One inject on the controller console (contains the controller note)."""

    id: str
    number: int
    offset_s: int
    time_text: str
    sender: str
    addressee: str
    channel: str
    priority: str
    content: str
    expected_reaction: str | None
    objective: str | None
    controller_note: str | None
    storyline: str | None
    contingency_of: int | None
    deadline_text: str | None
    effects: str
    ad_hoc: bool
    state: InjectState
    outcome: str | None = None
    delivered_real: datetime | None = None
    delivered_offset_s: float | None = None
    due_offset_s: float | None = None
    message_id: str | None = None
    message_number: str | None = None
    reason: str | None = None
    first_reaction: Reaction | None = None
    acknowledged: tuple[str, ...] = ()
    unacknowledged: tuple[str, ...] = ()
    reaction_observed: bool = False

    @property
    def time_label(self) -> str:
        return format_offset(self.offset_s)

    @property
    def is_blitz(self) -> bool:
        return self.priority == "blitz"


@dataclass(frozen=True)
class TickResult:
    view: ClockView
    delivered: list[InjectView] = field(default_factory=list)
    skipped: list[InjectView] = field(default_factory=list)
    next_due_s: float | None = None
    problems: list[str] = field(default_factory=list)
    remaining: int = 0

    def real_seconds_to_next(self) -> float | None:
        """Real seconds until the next inject falls due (None: none left or clock stopped)."""
        if self.next_due_s is None or not self.view.running:
            return None
        return max(0.0, (self.next_due_s - self.view.offset_s) / self.view.speed)


@dataclass(frozen=True)
class ImportReport:
    scenario: Scenario
    injects: int
    warnings: list[str]
    start: datetime


@dataclass(frozen=True)
class FunctionActivity:
    function: str
    injects_delivered: int = 0
    injects_answered: int = 0
    messages_received: int = 0
    acknowledged: int = 0
    unacknowledged: int = 0
    journal_entries: int = 0
    tasks_issued: int = 0
    tasks_assigned: int = 0
    outgoing: int = 0
    last_real_at: datetime | None = None
    last_offset_s: float | None = None


@dataclass(frozen=True)
class NoteView:
    id: str
    kind: str
    real_at: datetime
    offset_s: float | None
    text: str
    author: str
    function: str
    journal_number: int | None
    message_id: str | None
    message_number: str | None
    inject_number: int | None

    @property
    def offset_label(self) -> str:
        return format_offset(self.offset_s) if self.offset_s is not None else "vor Beginn"


@dataclass(frozen=True)
class EventView:
    seq: int
    kind: str
    real_at: datetime
    offset_s: float
    speed: float
    status: str
    detail: str | None
    by_person: str
    inject_number: int | None


@dataclass(frozen=True)
class EvaluationData:
    """Everything the after-action report prints."""

    title: str
    start: datetime
    start_label: str
    incident_title: str
    evaluation: Evaluation
    notes: tuple[NoteView, ...]
    events: tuple[EventView, ...]
    created_at: datetime
    db_id: str
    chain_head: str | None
    real_started: datetime | None
    real_ended: datetime | None
    end_offset_s: float
    include_controller_notes: bool = False


# -- helpers ---------------------------------------------------------------------------
def _inject_from_row(row: ExerciseInject) -> Inject:
    try:
        effects = parse_effects(row.effects)
    except ValueError:
        effects = ()
    return Inject(
        number=row.number,
        offset_s=row.offset_s,
        sender=row.sender,
        addressee=row.addressee,
        content=row.content,
        channel=row.channel,
        priority=row.priority,
        expected_reaction=row.expected_reaction,
        objective=row.objective,
        controller_note=row.controller_note,
        storyline=row.storyline,
        contingency_of=row.contingency_of,
        deadline_s=row.deadline_s,
        deadline_relative=row.deadline_relative,
        deadline_text=row.deadline_text,
        effects=effects,
        time_text=row.time_text,
        ad_hoc=row.ad_hoc,
        id=row.id,
    )


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _is_flow_entry(text: str, number: str) -> bool:
    return any(text.startswith(number + word) for word in _FLOW_WORDS)


class ExerciseService:
    """The exercise of one exercise database (see the module docstring)."""

    def __init__(
        self, db: Database, actor: Actor | None = None, *, wall: WallClock = time.time
    ) -> None:
        self.db = db
        self.actor = actor
        self._wall = wall
        self._inject_cache: tuple[tuple[str, int], list[Inject]] | None = None

    # -- basics --------------------------------------------------------------------------
    def _require_exercise(self) -> None:
        if not self.db.is_exercise:
            raise ExerciseError(
                f"{self.db.path.name} ist keine Übungsdatenbank; Übungsfunktionen sind dort "
                "gesperrt."
            )

    def _who(self, actor: Actor | None) -> Actor:
        who = actor or self.actor
        if who is None:
            raise ServiceError("Bitte zuerst angeben, wer Sie sind und welche Funktion Sie haben.")
        return who

    def _now(self) -> float:
        return self._wall()

    def _state_row(self, session: Session) -> ExerciseState:
        state = load_state(session)
        if state is None:
            raise ExerciseError(
                "Es ist noch keine Übung vorbereitet; bitte zuerst ein Drehbuch einlesen."
            )
        return state

    def _title(self, session: Session, state: ExerciseState | None) -> str:
        if state is None or state.scenario_id is None:
            return ""
        scenario = session.get(ExerciseScenario, state.scenario_id)
        return scenario.title if scenario else ""

    def _authorized(self, actor: Actor | None, permission: Permission) -> Actor:
        who = self._who(actor)
        with self.db.session() as session:
            return authorize(session, who, permission)

    def _event(
        self,
        session: Session,
        kind: EventKind,
        who: Actor,
        snap: ClockSnapshot,
        *,
        at: float | None = None,
        detail: str | None = None,
        inject_id: str | None = None,
        offset: float | None = None,
    ) -> None:
        seq = (session.execute(select(func.max(ExerciseEvent.seq))).scalar_one() or 0) + 1
        moment = at if at is not None else self._now()
        session.execute(
            insert(ExerciseEvent.__table__),
            [
                {
                    "id": new_id(),
                    "seq": seq,
                    "kind": kind.value,
                    "real_at": wall_datetime(moment),
                    "scenario_offset_s": offset if offset is not None else snap.offset_at(moment),
                    "speed": snap.speed,
                    "status": snap.status.value,
                    "inject_id": inject_id,
                    "detail": detail,
                    "by_person": who.person.strip()[:120],
                    "by_function": who.function.strip()[:60],
                    "workstation_id": who.workstation_id,
                }
            ],
        )

    def _store(
        self, session: Session, state: ExerciseState, snap: ClockSnapshot, who: Actor, **extra: Any
    ) -> None:
        values = {
            "status": snap.status.value,
            "speed": snap.speed,
            "anchor_wall": wall_datetime(snap.anchor_t),
            "anchor_offset_s": snap.anchor_offset,
            "revision": state.revision + 1,
            "updated_at": utcnow(),
            "updated_by": who.person.strip()[:120],
            "workstation_id": who.workstation_id,
            **extra,
        }
        session.execute(
            update(ExerciseState.__table__)
            .where(ExerciseState.__table__.c.key == STATE_KEY)
            .values(**values)
        )

    def _bump(self, session: Session) -> None:
        table = ExerciseState.__table__
        session.execute(
            update(table).where(table.c.key == STATE_KEY).values(revision=table.c.revision + 1)
        )

    def _journal(
        self,
        session: Session,
        state: ExerciseState,
        who: Actor,
        text: str,
        offset: float,
        *,
        kind: str = EntryKind.SYSTEM,
        tolerant: bool = False,
    ) -> None:
        if state.incident_id is None:
            return
        scenario_time = scenario_moment(state.scenario_start, offset)
        if not tolerant:
            write_entry(
                session, state.incident_id, who, text, kind=kind, scenario_time=scenario_time
            )
            return
        # The Realereignis must be recorded even if the journal refuses (closed incident).
        try:
            with session.begin_nested():
                write_entry(
                    session, state.incident_id, who, text, kind=kind, scenario_time=scenario_time
                )
        except ServiceError:
            pass

    # -- clock: reading --------------------------------------------------------------------
    def state(self) -> ClockView:
        """The clock for every window (cheap; no permission needed)."""
        self._require_exercise()
        with self.db.session() as session:
            state = load_state(session)
            return clock_view(state, self._title(session, state), self._wall)

    def state_stamp(self) -> int:
        """The state's revision: changes with every clock change, delivery and stop."""
        self._require_exercise()
        with self.db.session() as session:
            state = load_state(session)
            return state.revision if state is not None else 0

    def scenario_clock(self) -> datetime | None:
        """The hook other services call for an entry's scenario time (None before start)."""
        if not self.db.is_exercise:
            return None
        view = self.state()
        return view.scenario_time

    def attach(self, *services: object) -> None:
        """Give every service that has a ``scenario_clock`` hook this exercise's clock."""
        for service in services:
            if hasattr(service, "scenario_clock"):
                service.scenario_clock = self.scenario_clock  # type: ignore[attr-defined]

    # -- scenario ------------------------------------------------------------------------------
    def read_scenario_file(
        self,
        source: bytes | str | os.PathLike[str] | IO[bytes],
        *,
        filename: str | None = None,
        title: str | None = None,
        start_label: str | None = None,
        reference: datetime | None = None,
    ) -> ScenarioReadResult:
        """Check a file without storing anything (the editor's and the import's first step)."""
        return read_scenario(
            source, filename=filename, title=title, start_label=start_label, reference=reference
        )

    def import_scenario(
        self,
        source: bytes | str | os.PathLike[str] | IO[bytes],
        *,
        filename: str | None = None,
        title: str | None = None,
        start_label: str | None = None,
        actor: Actor | None = None,
        reference: datetime | None = None,
    ) -> ImportReport:
        """Read a scenario file and make it this exercise's script (all or nothing).

        Allowed until the exercise has started; a later import replaces the
        scenario. Raises ScenarioImportError with every line error.
        """
        self._require_exercise()
        who = self._authorized(actor, Permission.EXERCISE_CONTROL)
        with self.db.session() as session:
            self._check_replaceable(session)
        result = read_scenario(
            source, filename=filename, title=title, start_label=start_label, reference=reference
        )
        if not result.ok or result.scenario is None:
            count = len(result.errors)
            raise ScenarioImportError(
                f"Das Drehbuch enthält {count} Fehler; es wurde nichts übernommen.\n"
                + result.error_text(),
                result,
            )
        return self.install_scenario(
            result.scenario, actor=who, reference=reference, warnings=result.warnings
        )

    def install_scenario(
        self,
        scenario: Scenario,
        *,
        actor: Actor | None = None,
        reference: datetime | None = None,
        warnings: Sequence[str] = (),
    ) -> ImportReport:
        """Store a checked scenario (from a file or the editor) as this exercise's script."""
        self._require_exercise()
        who = self._who(actor)
        try:
            start = parse_start(scenario.start_label, reference)
        except ScenarioTimeError as exc:
            raise ExerciseError(str(exc)) from None
        if not scenario.injects:
            raise ExerciseError("Das Drehbuch enthält keine Einlagen.")
        problems = check_injects(scenario.injects)
        if problems:
            raise ExerciseError(
                "Das Drehbuch ist nicht stimmig; es wurde nichts übernommen.\n"
                + "\n".join(f"Nr. {p.number}: {p.reason}" for p in problems[:50])
            )
        notes = list(warnings) + self._world_warnings(scenario)
        now = utcnow()
        with self.db.write() as session:
            authorize(session, who, Permission.EXERCISE_CONTROL)
            self._check_replaceable(session)
            state = load_state(session)
            if state is not None and state.scenario_id is not None:
                session.execute(
                    delete(ExerciseInject.__table__).where(
                        ExerciseInject.__table__.c.scenario_id == state.scenario_id
                    )
                )
                session.execute(
                    delete(ExerciseScenario.__table__).where(
                        ExerciseScenario.__table__.c.id == state.scenario_id
                    )
                )
            scenario_id = new_id()
            session.execute(
                insert(ExerciseScenario.__table__),
                [
                    {
                        "id": scenario_id,
                        "title": scenario.title[:200],
                        "start_label": scenario.start_label[:60],
                        "source_name": (scenario.source_name or "")[:255] or None,
                        "imported_at": now,
                        "imported_by": who.person.strip()[:120],
                        "workstation_id": who.workstation_id,
                    }
                ],
            )
            rows = [self._inject_row(i, scenario_id, who, now) for i in scenario.injects]
            for start_index in range(0, len(rows), _CHUNK):
                session.execute(
                    insert(ExerciseInject.__table__), rows[start_index : start_index + _CHUNK]
                )
            incident_id = self._ensure_incident(session, state, scenario.title, who)
            wall = self._now()
            values = {
                "scenario_id": scenario_id,
                "incident_id": incident_id,
                "scenario_start": start,
                "start_label": scenario.start_label[:60],
                "status": ClockStatus.READY.value,
                "speed": state.speed if state is not None else 1.0,
                "anchor_wall": wall_datetime(wall),
                "anchor_offset_s": 0.0,
                "real_event": False,
                "real_event_at": None,
                "real_event_by": None,
                "real_event_text": None,
                "updated_at": now,
                "updated_by": who.person.strip()[:120],
                "workstation_id": who.workstation_id,
            }
            if state is None:
                session.execute(
                    insert(ExerciseState.__table__),
                    [{"key": STATE_KEY, "revision": 1, **values}],
                )
            else:
                values["revision"] = state.revision + 1
                session.execute(
                    update(ExerciseState.__table__)
                    .where(ExerciseState.__table__.c.key == STATE_KEY)
                    .values(**values)
                )
            snap = ClockSnapshot(ClockStatus.READY, float(values["speed"]), wall, 0.0)
            self._event(
                session,
                EventKind.PREPARED,
                who,
                snap,
                at=wall,
                detail=f"Drehbuch „{scenario.title}“ mit {len(rows)} Einlagen, Beginn "
                f"{scenario.start_label}",
            )
        self._inject_cache = None
        return ImportReport(scenario, len(rows), notes, start)

    def _check_replaceable(self, session: Session) -> None:
        state = load_state(session)
        if state is None:
            return
        started = state.status != ClockStatus.READY.value
        delivered = session.execute(select(func.count()).select_from(ExerciseDelivery)).scalar_one()
        if started or delivered:
            raise ExerciseError(
                "Die Übung hat bereits begonnen; das Drehbuch kann nicht mehr ersetzt werden. "
                "Für einen neuen Durchgang bitte eine neue Übungsdatenbank anlegen."
            )

    @staticmethod
    def _inject_row(inject: Inject, scenario_id: str, who: Actor, now: datetime) -> dict[str, Any]:
        return {
            "id": new_id(),
            "scenario_id": scenario_id,
            "number": inject.number,
            "offset_s": int(inject.offset_s),
            "time_text": (inject.time_text or format_offset(inject.offset_s))[:60],
            "sender": inject.sender,
            "addressee": inject.addressee,
            "channel": inject.channel,
            "priority": inject.priority,
            "content": inject.content,
            "expected_reaction": inject.expected_reaction,
            "objective": inject.objective,
            "controller_note": inject.controller_note,
            "storyline": inject.storyline,
            "contingency_of": inject.contingency_of,
            "deadline_s": inject.deadline_s,
            "deadline_relative": inject.deadline_relative,
            "deadline_text": inject.deadline_text,
            "effects": format_effects(inject.effects) or None,
            "ad_hoc": inject.ad_hoc,
            "created_at": now,
            "created_by": who.person.strip()[:120],
            "workstation_id": who.workstation_id,
        }

    def _ensure_incident(
        self, session: Session, state: ExerciseState | None, title: str, who: Actor
    ) -> str:
        if state is not None and state.incident_id is not None:
            incident = session.get(Incident, state.incident_id)
            if incident is not None and incident.status != STATUS_CLOSED:
                return incident.id
        # The controller sets up the exercise incident; the incident permission
        # of the staff is not needed for that.
        clean = validate_title(f"ÜBUNG: {title}"[:200])
        incident = Incident(
            title=clean,
            created_at=utcnow(),
            created_by=who.person,
            workstation_id=who.workstation_id,
        )
        session.add(incident)
        session.flush()
        write_entry(
            session,
            incident.id,
            who,
            f"Übungsereignis „{clean}“ eröffnet. Einsatztagebuch der Übung begonnen.",
            kind=EntryKind.SYSTEM,
        )
        return incident.id

    def _world_warnings(self, scenario: Scenario) -> list[str]:
        """Names the exercise world does not know: effects on unknown facilities, unknown functions."""
        from krisenstab.services.facilities import FacilityService

        warnings: list[str] = []
        targets = sorted({e.target for i in scenario.injects for e in i.effects})
        if targets:
            facilities = FacilityService(self.db)
            for target in targets:
                try:
                    facilities.resolve(target)
                except ServiceError as exc:
                    warnings.append(f"Auswirkung auf „{target}“: {exc}")
        with self.db.session() as session:
            named = canonical_function_names(
                session, [r for i in scenario.injects for r in i.recipients]
            )
            catalogue = {function_key(seed.name) for seed in DEFAULT_FUNCTIONS}
            catalogue.update(
                function_key(n) for n in session.execute(select(StaffFunction.name)).scalars()
            )
        unknown = sorted({n for n in named if function_key(n) not in catalogue}, key=str.casefold)
        if unknown:
            warnings.append(
                "Empfänger, die keine Stabsfunktion des Katalogs sind: " + ", ".join(unknown)
            )
        return warnings

    def scenario(self, actor: Actor | None = None) -> Scenario:
        """The script with controller notes (Übungsleitung only)."""
        self._require_exercise()
        self._authorized(actor, Permission.EXERCISE_CONTROL)
        with self.db.session() as session:
            state = self._state_row(session)
            row = session.get(ExerciseScenario, state.scenario_id)
            injects = self._injects(session, state)
            return Scenario(
                title=row.title if row else "",
                start_label=state.start_label,
                injects=sorted_injects(injects),
                source_name=row.source_name if row else None,
            )

    def export_scenario(
        self,
        target: str | os.PathLike[str] | IO[bytes],
        *,
        fmt: str | None = None,
        english: bool = False,
        include_ad_hoc: bool = True,
        actor: Actor | None = None,
    ) -> int:
        scenario = self.scenario(actor)
        if not include_ad_hoc:
            scenario = Scenario(
                scenario.title,
                scenario.start_label,
                tuple(i for i in scenario.injects if not i.ad_hoc),
                scenario.source_name,
            )
        return write_scenario(target, scenario, fmt=fmt, english=english)

    def _injects(self, session: Session, state: ExerciseState) -> list[Inject]:
        if state.scenario_id is None:
            return []
        count = session.execute(
            select(func.count())
            .select_from(ExerciseInject)
            .where(ExerciseInject.scenario_id == state.scenario_id)
        ).scalar_one()
        key = (state.scenario_id, count)
        if self._inject_cache is not None and self._inject_cache[0] == key:
            return self._inject_cache[1]
        rows = session.execute(
            select(ExerciseInject).where(ExerciseInject.scenario_id == state.scenario_id)
        ).scalars()
        injects = sorted((_inject_from_row(r) for r in rows), key=lambda i: (i.offset_s, i.number))
        self._inject_cache = (key, injects)
        return injects

    # -- clock: controlling ------------------------------------------------------------------
    def _clock_op(
        self,
        actor: Actor | None,
        apply: Callable[[ExerciseClock, ExerciseState], ClockSnapshot],
        kind: EventKind,
        journal: Callable[[ExerciseState, ClockSnapshot], str | None] | None = None,
        *,
        detail: Callable[[ClockSnapshot], str | None] | None = None,
        permission: Permission = Permission.EXERCISE_CONTROL,
        extra: Callable[[ExerciseState, ClockSnapshot], dict[str, Any]] | None = None,
        tolerant_journal: bool = False,
    ) -> ClockView:
        self._require_exercise()
        who = self._who(actor)
        with self.db.write() as session:
            who = authorize(session, who, permission)
            state = self._state_row(session)
            clock = clock_of(state, self._wall)
            try:
                snap = apply(clock, state)
            except ClockError as exc:
                raise ExerciseError(str(exc)) from None
            more = extra(state, snap) if extra else {}
            self._store(session, state, snap, who, **more)
            self._event(
                session,
                kind,
                who,
                snap,
                at=snap.anchor_t,
                offset=snap.anchor_offset,
                detail=detail(snap) if detail else None,
            )
            if journal is not None:
                text = journal(state, snap)
                if text:
                    self._journal(
                        session,
                        state,
                        who,
                        text,
                        snap.anchor_offset,
                        kind=EntryKind.ENTSCHEIDUNG if tolerant_journal else EntryKind.SYSTEM,
                        tolerant=tolerant_journal,
                    )
        return self.state()

    def start(
        self, actor: Actor | None = None, *, speed: float | None = None, headless: bool = False
    ) -> ClockView:
        """T+00:00: the clock starts (optionally at ``speed``)."""
        max_speed = HEADLESS_MAX_SPEED if headless else USER_MAX_SPEED
        if speed is not None:
            try:
                speed = check_speed(speed, max_speed)
            except ClockError as exc:
                raise ExerciseError(str(exc)) from None

        def apply(clock: ExerciseClock, state: ExerciseState) -> ClockSnapshot:
            if state.scenario_id is None:
                raise ClockError("Ohne Drehbuch kann die Übung nicht beginnen.")
            clock.max_speed = max_speed
            if speed is not None:
                clock.set_speed(speed)
            return clock.start()

        def text(state: ExerciseState, snap: ClockSnapshot) -> str:
            return (
                f"ÜBUNG begonnen. Szenariozeit {format_scenario(state.scenario_start, 0)}, "
                f"Tempo {snap.speed:g}×."
            )

        return self._clock_op(
            actor,
            apply,
            EventKind.START,
            text,
            detail=lambda s: f"Übungsbeginn, Tempo {s.speed:g}×",
        )

    def pause(self, actor: Actor | None = None, *, at_offset: float | None = None) -> ClockView:
        """Freeze the clock (``at_offset``: pin it to that moment, e.g. the end of a run)."""
        return self._clock_op(
            actor,
            lambda clock, _s: clock.pause(at_offset=at_offset),
            EventKind.PAUSE,
            lambda state, snap: (
                f"ÜBUNG angehalten bei {format_scenario(state.scenario_start, snap.anchor_offset)}."
            ),
            detail=lambda _s: "Übung angehalten",
        )

    def resume(self, actor: Actor | None = None, *, after_real_event: bool = False) -> ClockView:
        """Let the clock run again; after a Realereignis only when asked explicitly."""

        def apply(clock: ExerciseClock, state: ExerciseState) -> ClockSnapshot:
            if state.real_event and not after_real_event:
                raise ClockError(
                    "Die Übung wurde wegen eines Realereignisses abgebrochen; sie wird nur "
                    "ausdrücklich fortgesetzt (Fortsetzen nach Realereignis)."
                )
            return clock.resume()

        def text(state: ExerciseState, snap: ClockSnapshot) -> str:
            prefix = (
                "ÜBUNG nach Realereignis fortgesetzt" if state.real_event else "ÜBUNG fortgesetzt"
            )
            return f"{prefix} bei {format_scenario(state.scenario_start, snap.anchor_offset)}."

        return self._clock_op(
            actor,
            apply,
            EventKind.RESUME,
            text,
            detail=lambda _s: "Übung fortgesetzt",
            extra=lambda state, _snap: {"real_event": False} if state.real_event else {},
        )

    def set_speed(
        self, speed: float, actor: Actor | None = None, *, headless: bool = False
    ) -> ClockView:
        """1× to 10× (headless runs and tests up to 1000×)."""
        max_speed = HEADLESS_MAX_SPEED if headless else USER_MAX_SPEED

        def apply(clock: ExerciseClock, _state: ExerciseState) -> ClockSnapshot:
            clock.max_speed = max_speed
            return clock.set_speed(speed)

        return self._clock_op(actor, apply, EventKind.SPEED, detail=lambda s: f"Tempo {s.speed:g}×")

    def jump_to(self, offset_s: float, actor: Actor | None = None) -> ClockView:
        """Move the scenario forward to ``offset_s`` (never back)."""
        before: list[float] = []

        def apply(clock: ExerciseClock, _state: ExerciseState) -> ClockSnapshot:
            before.append(clock.offset())
            return clock.jump_to(offset_s)

        return self._clock_op(
            actor,
            apply,
            EventKind.JUMP,
            lambda state, snap: (
                f"Zeitsprung der Übung von {format_offset(before[0])} auf "
                f"{format_scenario(state.scenario_start, snap.anchor_offset)}."
            ),
            detail=lambda s: f"von {format_offset(before[0])} auf {format_offset(s.anchor_offset)}",
        )

    def jump_by(self, seconds: float, actor: Actor | None = None) -> ClockView:
        if seconds <= 0:
            raise ExerciseError("Ein Zeitsprung geht nur vorwärts (mehr als 0 Minuten).")
        return self.jump_to(self.state().offset_s + seconds, actor)

    def finish(self, actor: Actor | None = None) -> ClockView:
        """Übungsende: the clock stops for good; evaluation follows."""
        return self._clock_op(
            actor,
            lambda clock, _s: clock.finish(),
            EventKind.FINISH,
            lambda state, snap: (
                f"ÜBUNG beendet bei {format_scenario(state.scenario_start, snap.anchor_offset)}."
            ),
            detail=lambda _s: "Übungsende",
        )

    def real_event(self, text: str | None = None, actor: Actor | None = None) -> ClockView:
        """Realereignis: play stops at once, the stop is recorded, every window sees the flag."""
        reason = " ".join((text or "").split())[:2000] or None
        who = self._who(actor)

        def apply(clock: ExerciseClock, _state: ExerciseState) -> ClockSnapshot:
            if clock.status is ClockStatus.FINISHED:
                return dataclasses.replace(clock.snapshot, anchor_t=self._now())
            return clock.stop()

        def journal(state: ExerciseState, snap: ClockSnapshot) -> str:
            line = (
                "REALEREIGNIS – ÜBUNG SOFORT ABGEBROCHEN bei "
                f"{format_scenario(state.scenario_start, snap.anchor_offset)}."
            )
            return f"{line} {reason}" if reason else line

        return self._clock_op(
            who,
            apply,
            EventKind.REAL_EVENT,
            journal,
            detail=lambda _s: f"Realereignis: {reason}" if reason else "Realereignis",
            permission=Permission.JOURNAL_WRITE,
            extra=lambda _state, snap: {
                "real_event": True,
                "real_event_at": wall_datetime(snap.anchor_t),
                "real_event_by": f"{who.person.strip()} ({who.function.strip()})"[:120],
                "real_event_text": reason,
            },
            tolerant_journal=True,
        )

    # -- delivery ------------------------------------------------------------------------------
    def _decided(self, session: Session) -> dict[int, Decided]:
        rows = session.execute(
            select(
                ExerciseInject.number, ExerciseDelivery.outcome, ExerciseDelivery.scenario_offset_s
            ).join(ExerciseDelivery, ExerciseDelivery.inject_id == ExerciseInject.id)
        ).all()
        return {
            number: Decided(DeliveryOutcome(outcome).delivered, offset)
            for number, outcome, offset in rows
        }

    def _substantive(self, session: Session, numbers: set[int]) -> set[int]:
        """Of these delivered injects, those whose expected reaction has happened."""
        if not numbers:
            return set()
        rows = session.execute(
            select(ExerciseInject.number, ExerciseInject.id, ExerciseDelivery.message_id)
            .join(ExerciseDelivery, ExerciseDelivery.inject_id == ExerciseInject.id)
            .where(ExerciseInject.number.in_(sorted(numbers)))
        ).all()
        by_message = {m: n for n, _i, m in rows if m}
        by_inject = {i: n for n, i, _m in rows}
        reacted = {
            by_inject[i]
            for (i,) in session.execute(
                select(ExerciseEvent.inject_id).where(
                    ExerciseEvent.kind == EventKind.REACTION.value,
                    ExerciseEvent.inject_id.in_(list(by_inject)),
                )
            )
            if i in by_inject
        }
        for reaction in self._reactions(session, list(by_message)):
            if reaction.kind is not ReactionKind.ACK:
                reacted.add(by_message[reaction.message_id])
        return reacted

    def _reactions(self, session: Session, message_ids: Sequence[str]) -> list[Reaction]:
        """Acknowledgements, journal entries, tasks and replies referencing these messages."""
        reactions: list[Reaction] = []
        numbers: dict[str, str] = {}
        for chunk in _chunks(list(message_ids)):
            for mid, direction, seq in session.execute(
                select(Message.id, Message.direction, Message.seq).where(Message.id.in_(chunk))
            ):
                numbers[mid] = format_number(direction, seq)
            for mid, function, at, by in session.execute(
                select(
                    MessageRecipient.message_id,
                    MessageRecipient.function,
                    MessageRecipient.acknowledged_at,
                    MessageRecipient.acknowledged_by,
                ).where(
                    MessageRecipient.message_id.in_(chunk),
                    MessageRecipient.acknowledged_at.is_not(None),
                )
            ):
                reactions.append(
                    Reaction(ReactionKind.ACK, mid, at, function, by or "", numbers.get(mid, ""))
                )
            for mid, number, title, function, person, at in session.execute(
                select(
                    Task.source_message_id,
                    Task.number,
                    Task.title,
                    Task.issued_by_function,
                    Task.issued_by_person,
                    Task.created_at,
                ).where(Task.source_message_id.in_(chunk))
            ):
                reactions.append(
                    Reaction(
                        ReactionKind.TASK,
                        mid,
                        at,
                        function,
                        person,
                        f"Nr. {number}: {title}",
                    )
                )
            for mid, direction, seq, function, person, at in session.execute(
                select(
                    Message.reply_to_id,
                    Message.direction,
                    Message.seq,
                    Message.recorded_by_function,
                    Message.recorded_by,
                    Message.created_at,
                ).where(
                    Message.reply_to_id.in_(chunk), Message.direction == Direction.OUTGOING.value
                )
            ):
                reactions.append(
                    Reaction(
                        ReactionKind.OUTGOING,
                        mid,
                        at,
                        function,
                        person,
                        format_number(direction, seq),
                    )
                )
            intake_seen: set[str] = set()
            for mid, number, function, author, at, text in session.execute(
                select(
                    JournalEntry.message_id,
                    JournalEntry.number,
                    JournalEntry.function,
                    JournalEntry.author,
                    JournalEntry.recorded_at,
                    JournalEntry.text,
                )
                .where(JournalEntry.message_id.in_(chunk))
                .order_by(JournalEntry.number)
            ):
                if mid not in intake_seen:
                    intake_seen.add(mid)  # the intake entry written by the delivery itself
                    continue
                if function == CONTROL_FUNCTION or _is_flow_entry(text, numbers.get(mid, "?")):
                    continue
                reactions.append(
                    Reaction(ReactionKind.JOURNAL, mid, at, function, author, f"Nr. {number}")
                )
        return [r for r in reactions if r.function != CONTROL_FUNCTION]

    def tick(self, actor: Actor | None = None, *, until_offset: float | None = None) -> TickResult:
        """Deliver what is due now (the console's timer, the headless runner).

        ``until_offset`` caps the scenario time considered (the end of a run).
        """
        self._require_exercise()
        who = self._who(actor)
        with self.db.session() as session:
            state = load_state(session)
            if state is None:
                return TickResult(NOT_PREPARED)
            title = self._title(session, state)
            injects = self._injects(session, state)
            decided = self._decided(session)
            view = clock_view(state, title, self._wall)
            if state.status != ClockStatus.RUNNING.value:
                return TickResult(
                    view,
                    next_due_s=next_due(injects, decided),
                    remaining=len(injects) - len(decided),
                )
            now = view.offset_s if until_offset is None else min(view.offset_s, until_offset)
            reacted = self._substantive(session, pending_contingency_parents(injects, decided))
            dangling = session.execute(
                select(ExerciseDelivery.id).where(
                    ExerciseDelivery.message_id.is_(None),
                    ExerciseDelivery.outcome != DeliveryOutcome.SKIPPED.value,
                )
            ).first()
        if dangling is not None:
            self._repair_claims(who)
            with self.db.session() as session:
                decided = self._decided(session)
        decisions = decide(injects, decided, reacted, now)
        delivered: list[InjectView] = []
        skipped: list[InjectView] = []
        problems: list[str] = []
        for decision in decisions:
            try:
                done = self._carry_out(
                    decision,
                    who,
                    DeliveryOutcome.DELIVERED,
                    require_running=True,
                    cap=until_offset,
                    problems=problems,
                )
            except ServiceError as exc:
                problems.append(f"Einlage Nr. {decision.inject.number}: {exc}")
                break
            if done is None:
                continue
            (delivered if decision.action is Action.DELIVER else skipped).append(done)
        with self.db.session() as session:
            state = load_state(session)
            decided = self._decided(session)
            view = clock_view(state, title, self._wall)
        return TickResult(
            view,
            delivered,
            skipped,
            next_due(injects, decided),
            problems,
            remaining=len(injects) - len(decided),
        )

    def _repair_claims(self, who: Actor) -> None:
        """Claims whose workstation stopped between claim and message (power cut, crash).

        The message may have been recorded after all (found by its external
        reference): then it is linked. A claim without message older than
        CLAIM_TIMEOUT_S is withdrawn, so the inject goes out on the next tick.
        """
        cutoff = wall_datetime(self._now() - CLAIM_TIMEOUT_S)
        with self.db.write() as session:
            who = authorize(session, who, Permission.EXERCISE_CONTROL)
            state = self._state_row(session)
            snap = clock_of(state, self._wall).snapshot
            rows = session.execute(
                select(ExerciseDelivery).where(
                    ExerciseDelivery.message_id.is_(None),
                    ExerciseDelivery.outcome != DeliveryOutcome.SKIPPED.value,
                )
            ).scalars()
            table = ExerciseDelivery.__table__
            for row in list(rows):
                found = session.execute(
                    select(Message.id).where(
                        Message.external_ref == f"{EXTERNAL_REF_PREFIX}{row.inject_id}"
                    )
                ).scalar_one_or_none()
                if found is not None:
                    session.execute(
                        update(table).where(table.c.id == row.id).values(message_id=found)
                    )
                elif row.real_at < cutoff:
                    session.execute(delete(table).where(table.c.id == row.id))
                    self._event(
                        session,
                        EventKind.DELIVERY_FAILED,
                        who,
                        snap,
                        inject_id=row.inject_id,
                        detail="Zustellung unterbrochen; die Einlage wird erneut zugestellt",
                    )
            self._bump(session)

    def _carry_out(
        self,
        decision: Decision,
        who: Actor,
        outcome: DeliveryOutcome,
        *,
        require_running: bool,
        cap: float | None = None,
        problems: list[str] | None = None,
    ) -> InjectView | None:
        inject = decision.inject
        skip = decision.action is Action.SKIP
        with self.db.write() as session:
            who = authorize(session, who, Permission.EXERCISE_CONTROL)
            state = self._state_row(session)
            if require_running and state.status != ClockStatus.RUNNING.value:
                return None
            if state.status == ClockStatus.FINISHED.value or (
                not skip and state.status == ClockStatus.READY.value
            ):
                raise ExerciseError(
                    "Einlagen werden nur in einer begonnenen, nicht beendeten Übung zugestellt."
                )
            if state.real_event and not skip:
                raise ExerciseError(
                    "Die Übung ist wegen eines Realereignisses abgebrochen; es wird nichts zugestellt."
                )
            exists = session.execute(
                select(ExerciseDelivery.id).where(ExerciseDelivery.inject_id == inject.id)
            ).first()
            if exists is not None:
                return None  # another controller workstation was quicker
            clock = clock_of(state, self._wall)
            wall = self._now()
            offset = clock.snapshot.offset_at(wall)
            if cap is not None:
                offset = min(offset, cap)
            delivery_id = new_id()
            session.execute(
                insert(ExerciseDelivery.__table__),
                [
                    {
                        "id": delivery_id,
                        "inject_id": inject.id,
                        "outcome": DeliveryOutcome.SKIPPED.value if skip else outcome.value,
                        "real_at": wall_datetime(wall),
                        "scenario_offset_s": offset,
                        "due_offset_s": decision.due_offset_s,
                        "message_id": None,
                        "incident_id": state.incident_id,
                        "reason": decision.reason,
                        "by_person": who.person.strip()[:120],
                        "by_function": who.function.strip()[:60],
                        "workstation_id": who.workstation_id,
                    }
                ],
            )
            if skip:
                self._event(
                    session,
                    EventKind.SKIP,
                    who,
                    clock.snapshot,
                    at=wall,
                    offset=offset,
                    inject_id=inject.id,
                    detail=f"Nr. {inject.number} entfällt: {decision.reason}",
                )
                self._bump(session)
            incident_id = state.incident_id
            start = state.scenario_start
            snap = clock.snapshot
        if skip:
            return self.inject(inject.number, who)
        try:
            message = self._record_message(inject, incident_id, who, start, offset)
        except Exception as exc:
            with self.db.write() as session:
                session.execute(
                    delete(ExerciseDelivery.__table__).where(
                        ExerciseDelivery.__table__.c.id == delivery_id
                    )
                )
                self._event(
                    session,
                    EventKind.DELIVERY_FAILED,
                    who,
                    snap,
                    offset=offset,
                    inject_id=inject.id,
                    detail=f"Nr. {inject.number}: {exc}",
                )
            raise
        with self.db.write() as session:
            table = ExerciseDelivery.__table__
            session.execute(
                update(table).where(table.c.id == delivery_id).values(message_id=message.id)
            )
            detail = f"Nr. {inject.number} als {message.number} an {inject.addressee}"
            if outcome is not DeliveryOutcome.DELIVERED:
                detail += f" ({outcome.value})"
            if decision.reason:
                detail += f"; {decision.reason}"
            self._event(
                session,
                EventKind.DELIVERY,
                who,
                snap,
                offset=offset,
                inject_id=inject.id,
                detail=detail,
            )
            self._bump(session)
        for effect in inject.effects:
            failure = self._apply_effect(effect, inject, incident_id, who, snap)
            if failure and problems is not None:
                problems.append(failure)
        return self.inject(inject.number, who)

    def _record_message(
        self, inject: Inject, incident_id: str | None, who: Actor, start: datetime, offset: float
    ) -> Any:
        from krisenstab.services.messages import MessageService

        if incident_id is None:
            raise ExerciseError("Die Übung hat kein Ereignis, in dem Nachrichten eingehen können.")
        service = MessageService(self.db, who)
        if hasattr(service, "scenario_clock"):
            service.scenario_clock = lambda: scenario_moment(start, offset)  # type: ignore[attr-defined]
        return service.record_incoming(
            incident_id,
            sender=inject.sender,
            content=inject.content,
            to_functions=inject.recipients,
            priority=inject.priority,
            channel=inject.channel,
            header=MESSAGE_HEADER,
            external_ref=f"{EXTERNAL_REF_PREFIX}{inject.id}",
        )

    def _apply_effect(
        self,
        effect: Effect,
        inject: Inject,
        incident_id: str | None,
        who: Actor,
        snap: ClockSnapshot,
    ) -> str | None:
        from krisenstab.services.facilities import FacilityService

        service = FacilityService(self.db, who)
        self.attach(service)
        kind = EventKind.EFFECT
        try:
            facility = service.resolve(effect.target)
            service.set_status(
                facility.id,
                effect.status,
                who,
                incident_id=incident_id,
                note=f"Übungseinlage Nr. {inject.number}",
                source=inject.sender[:120],
            )
            detail = f"Nr. {inject.number}: {facility.name} → {effect.status}"
            failure = None
        except ServiceError as exc:
            kind = EventKind.EFFECT_FAILED
            detail = f"Nr. {inject.number}: {effect} – {exc}"
            failure = f"Auswirkung „{effect}“ nicht umgesetzt: {exc}"
        with self.db.write() as session:
            self._event(session, kind, who, snap, inject_id=inject.id, detail=detail)
            self._bump(session)
        return failure

    def _undecided(self, number: int, actor: Actor | None) -> tuple[Inject, Actor, float]:
        self._require_exercise()
        who = self._authorized(actor, Permission.EXERCISE_CONTROL)
        with self.db.session() as session:
            state = self._state_row(session)
            injects = {i.number: i for i in self._injects(session, state)}
            if number not in injects:
                raise ExerciseError(f"Einlage Nr. {number} gibt es in diesem Drehbuch nicht.")
            if number in self._decided(session):
                raise ExerciseError(f"Einlage Nr. {number} ist bereits zugestellt oder entfallen.")
            offset = clock_of(state, self._wall).offset()
        return injects[number], who, offset

    def send_now(self, number: int, actor: Actor | None = None) -> InjectView:
        """Deliver a planned inject now (before its time: „vorzeitig“)."""
        inject, who, offset = self._undecided(number, actor)
        early = offset < inject.offset_s
        outcome = DeliveryOutcome.EARLY if early else DeliveryOutcome.DELIVERED
        reason = "von der Übungsleitung vorgezogen" if early else "von der Übungsleitung ausgelöst"
        view = self._carry_out(
            Decision(inject, Action.DELIVER, float(inject.offset_s), reason),
            who,
            outcome,
            require_running=False,
        )
        if view is None:
            raise ExerciseError(f"Einlage Nr. {number} wurde soeben anderweitig zugestellt.")
        return view

    def drop(self, number: int, reason: str, actor: Actor | None = None) -> InjectView:
        """The Übungsleitung leaves a planned inject out."""
        inject, who, _offset = self._undecided(number, actor)
        text = " ".join(reason.split()) or "von der Übungsleitung gestrichen"
        view = self._carry_out(
            Decision(inject, Action.SKIP, float(inject.offset_s), text[:500]),
            who,
            DeliveryOutcome.SKIPPED,
            require_running=False,
        )
        if view is None:
            raise ExerciseError(f"Einlage Nr. {number} wurde soeben anderweitig entschieden.")
        return view

    def add_ad_hoc(
        self,
        draft: InjectDraft,
        actor: Actor | None = None,
        *,
        at_offset: float | None = None,
    ) -> InjectView:
        """An inject typed on the spot: sent now, or planned for ``at_offset`` (scenario seconds)."""
        self._require_exercise()
        try:
            sender = clean_line(draft.sender, "Der Absender", 200, required=True)
            addressee = clean_line(draft.addressee, "Der Empfänger", 500, required=True)
            content = clean_block(draft.content, "Der Inhalt", CONTENT_MAX, required=True)
            channel = parse_channel(draft.channel)
            priority = parse_priority(draft.priority).value
            expected = clean_block(draft.expected_reaction, "Die erwartete Reaktion", FIELD_MAX)
            objective = clean_line(draft.objective, "Das Übungsziel", 500)
            note = clean_block(draft.controller_note, "Der Hinweis", FIELD_MAX)
            storyline = clean_line(draft.storyline, "Der Handlungsstrang", 120)
            effects = parse_effects(draft.effects)
        except ValueError as exc:
            raise ExerciseError(str(exc)) from None
        who = self._who(actor)
        with self.db.write() as session:
            who = authorize(session, who, Permission.EXERCISE_CONTROL)
            state = self._state_row(session)
            if state.scenario_id is None:
                raise ExerciseError("Ohne Drehbuch gibt es keine Einlagen.")
            if state.status == ClockStatus.FINISHED.value:
                raise ExerciseError("Die Übung ist beendet.")
            now_offset = clock_of(state, self._wall).offset()
            planned = at_offset is not None and at_offset > now_offset
            if not planned and state.status not in (
                ClockStatus.RUNNING.value,
                ClockStatus.PAUSED.value,
            ):
                raise ExerciseError(
                    "Eine Einlage wird nur in einer laufenden oder angehaltenen Übung sofort "
                    "zugestellt; sonst bitte eine Szenariozeit angeben."
                )
            number = (
                session.execute(
                    select(func.max(ExerciseInject.number)).where(
                        ExerciseInject.scenario_id == state.scenario_id
                    )
                ).scalar_one()
                or 0
            ) + 1
            offset = int(at_offset if planned else now_offset)
            inject = Inject(
                number=number,
                offset_s=offset,
                sender=sender or "",
                addressee=addressee or "",
                content=content or "",
                channel=channel,
                priority=priority,
                expected_reaction=expected,
                objective=objective,
                controller_note=note,
                storyline=storyline,
                effects=effects,
                time_text="ad hoc" if not planned else format_offset(offset),
                ad_hoc=True,
            )
            row = self._inject_row(inject, state.scenario_id, who, utcnow())
            session.execute(insert(ExerciseInject.__table__), [row])
            self._bump(session)
        self._inject_cache = None
        stored = dataclasses.replace(inject, id=row["id"])
        if planned:
            return self.inject(number, who)
        view = self._carry_out(
            Decision(stored, Action.DELIVER, float(offset), None),
            who,
            DeliveryOutcome.AD_HOC,
            require_running=False,
        )
        assert view is not None
        return view

    def mark_reaction(
        self, number: int, note: str | None = None, actor: Actor | None = None
    ) -> None:
        """The Übungsleitung saw the expected reaction to inject ``number`` (contingencies stay out)."""
        self._require_exercise()
        who = self._who(actor)
        with self.db.write() as session:
            who = authorize(session, who, Permission.EXERCISE_CONTROL)
            state = self._state_row(session)
            row = session.execute(
                select(ExerciseInject).where(
                    ExerciseInject.scenario_id == state.scenario_id, ExerciseInject.number == number
                )
            ).scalar_one_or_none()
            if row is None:
                raise ExerciseError(f"Einlage Nr. {number} gibt es in diesem Drehbuch nicht.")
            clock = clock_of(state, self._wall)
            text = f"Nr. {number}: erwartete Reaktion festgestellt"
            if note and note.strip():
                text += f" – {' '.join(note.split())[:500]}"
            self._event(
                session, EventKind.REACTION, who, clock.snapshot, inject_id=row.id, detail=text
            )
            self._bump(session)

    # -- console ---------------------------------------------------------------------------------
    def inject(self, number: int, actor: Actor | None = None) -> InjectView:
        self._require_exercise()
        self._authorized(actor, Permission.EXERCISE_CONTROL)
        with self.db.session() as session:
            state = self._state_row(session)
            views = self._views(session, state, {number})
        if not views:
            raise ExerciseError(f"Einlage Nr. {number} gibt es in diesem Drehbuch nicht.")
        return views[0]

    def injects(self, actor: Actor | None = None) -> list[InjectView]:
        """Every inject with its state, delivery and first reaction (Übungsleitung only)."""
        self._require_exercise()
        self._authorized(actor, Permission.EXERCISE_CONTROL)
        with self.db.session() as session:
            state = load_state(session)
            if state is None:
                return []
            return self._views(session, state, None)

    def _views(
        self, session: Session, state: ExerciseState, only: set[int] | None
    ) -> list[InjectView]:
        from krisenstab.exercise.scheduler import due_offset

        injects = self._injects(session, state)
        decided = self._decided(session)
        if only is not None:
            injects = [i for i in injects if i.number in only]
        ids = [i.id for i in injects if i.id]
        deliveries: dict[str, ExerciseDelivery] = {}
        for chunk in _chunks(ids):
            for d in session.execute(
                select(ExerciseDelivery).where(ExerciseDelivery.inject_id.in_(chunk))
            ).scalars():
                deliveries[d.inject_id] = d
        message_ids = [d.message_id for d in deliveries.values() if d.message_id]
        reactions: dict[str, list[Reaction]] = {}
        for reaction in self._reactions(session, message_ids):
            reactions.setdefault(reaction.message_id, []).append(reaction)
        numbers: dict[str, str] = {}
        recipients: dict[str, list[tuple[str, bool]]] = {}
        for chunk in _chunks(message_ids):
            for mid, direction, seq in session.execute(
                select(Message.id, Message.direction, Message.seq).where(Message.id.in_(chunk))
            ):
                numbers[mid] = format_number(direction, seq)
            for mid, function, acknowledged in session.execute(
                select(
                    MessageRecipient.message_id,
                    MessageRecipient.function,
                    MessageRecipient.acknowledged,
                ).where(MessageRecipient.message_id.in_(chunk))
            ):
                recipients.setdefault(mid, []).append((function, bool(acknowledged)))
        observed = set(
            session.execute(
                select(ExerciseEvent.inject_id).where(
                    ExerciseEvent.kind == EventKind.REACTION.value
                )
            ).scalars()
        )
        views: list[InjectView] = []
        for inject in injects:
            delivery = deliveries.get(inject.id or "")
            first = None
            state_value = InjectState.PLANNED
            acked: tuple[str, ...] = ()
            open_: tuple[str, ...] = ()
            if delivery is not None:
                if not DeliveryOutcome(delivery.outcome).delivered:
                    state_value = InjectState.SKIPPED
                else:
                    own = sorted(
                        reactions.get(delivery.message_id or "", []),
                        key=lambda r: (r.real_at, r.kind.value),
                    )
                    first = own[0] if own else None
                    state_value = InjectState.ANSWERED if first else InjectState.DELIVERED
                    routed = recipients.get(delivery.message_id or "", [])
                    acked = tuple(f for f, ack in routed if ack)
                    open_ = tuple(f for f, ack in routed if not ack)
            views.append(
                InjectView(
                    id=inject.id or "",
                    number=inject.number,
                    offset_s=inject.offset_s,
                    time_text=inject.time_text,
                    sender=inject.sender,
                    addressee=inject.addressee,
                    channel=inject.channel,
                    priority=inject.priority,
                    content=inject.content,
                    expected_reaction=inject.expected_reaction,
                    objective=inject.objective,
                    controller_note=inject.controller_note,
                    storyline=inject.storyline,
                    contingency_of=inject.contingency_of,
                    deadline_text=inject.deadline_text,
                    effects=format_effects(inject.effects),
                    ad_hoc=inject.ad_hoc,
                    state=state_value,
                    outcome=delivery.outcome if delivery else None,
                    delivered_real=delivery.real_at if delivery else None,
                    delivered_offset_s=delivery.scenario_offset_s if delivery else None,
                    due_offset_s=delivery.due_offset_s if delivery else due_offset(inject, decided),
                    message_id=delivery.message_id if delivery else None,
                    message_number=numbers.get(delivery.message_id or "") if delivery else None,
                    reason=delivery.reason if delivery else None,
                    first_reaction=first,
                    acknowledged=acked,
                    unacknowledged=open_,
                    reaction_observed=(inject.id in observed),
                )
            )
        return views

    def upcoming(self, limit: int | None = None, actor: Actor | None = None) -> list[InjectView]:
        """Planned injects in the order they fall due (waiting contingencies last)."""
        items = [v for v in self.injects(actor) if v.state is InjectState.PLANNED]
        items.sort(key=lambda v: (v.due_offset_s is None, v.due_offset_s or v.offset_s, v.number))
        return items[:limit] if limit is not None else items

    def delivered(self, actor: Actor | None = None) -> list[InjectView]:
        """Delivered, not yet answered: the injects the Übungsleitung watches."""
        return [v for v in self.injects(actor) if v.state is InjectState.DELIVERED]

    def answered(self, actor: Actor | None = None) -> list[InjectView]:
        return [v for v in self.injects(actor) if v.state is InjectState.ANSWERED]

    def activity(self, actor: Actor | None = None) -> list[FunctionActivity]:
        """What each function did in the exercise incident (for the console's overview)."""
        self._require_exercise()
        views = self.injects(actor)
        with self.db.session() as session:
            state = load_state(session)
            if state is None or state.incident_id is None:
                return []
            incident = state.incident_id
            clock_map = self._clock_map(session)
            data: dict[str, dict[str, Any]] = {}

            def slot(name: str) -> dict[str, Any]:
                return data.setdefault(name, {"last": None})

            def seen(name: str, at: datetime | None) -> None:
                entry = slot(name)
                if at is not None and (entry["last"] is None or at > entry["last"]):
                    entry["last"] = at

            for function, acknowledged, total, last_ack, _last_routed in session.execute(
                select(
                    MessageRecipient.function,
                    func.sum(case((MessageRecipient.acknowledged.is_(True), 1), else_=0)),
                    func.count(),
                    func.max(MessageRecipient.acknowledged_at),
                    func.max(MessageRecipient.routed_at),
                )
                .where(
                    MessageRecipient.incident_id == incident,
                    MessageRecipient.direction == Direction.INCOMING.value,
                )
                .group_by(MessageRecipient.function)
            ):
                entry = slot(function)
                entry["received"] = int(total)
                entry["acknowledged"] = int(acknowledged or 0)
                seen(function, last_ack)
            for function, count, last in session.execute(
                select(JournalEntry.function, func.count(), func.max(JournalEntry.recorded_at))
                .where(JournalEntry.incident_id == incident)
                .group_by(JournalEntry.function)
            ):
                slot(function)["journal"] = int(count)
                seen(function, last)
            for function, count, last in session.execute(
                select(Task.issued_by_function, func.count(), func.max(Task.created_at))
                .where(Task.incident_id == incident)
                .group_by(Task.issued_by_function)
            ):
                slot(function)["issued"] = int(count)
                seen(function, last)
            for function, count in session.execute(
                select(Task.assigned_function, func.count())
                .where(Task.incident_id == incident)
                .group_by(Task.assigned_function)
            ):
                slot(function)["assigned"] = int(count)
            for function, count, last in session.execute(
                select(Message.recorded_by_function, func.count(), func.max(Message.created_at))
                .where(
                    Message.incident_id == incident, Message.direction == Direction.OUTGOING.value
                )
                .group_by(Message.recorded_by_function)
            ):
                slot(function)["outgoing"] = int(count)
                seen(function, last)
        for view in views:
            if view.state in (InjectState.DELIVERED, InjectState.ANSWERED):
                for function in view.acknowledged + view.unacknowledged:
                    entry = slot(function)
                    entry["injects"] = entry.get("injects", 0) + 1
                    if view.state is InjectState.ANSWERED:
                        entry["answered"] = entry.get("answered", 0) + 1
        data.pop(CONTROL_FUNCTION, None)
        result = []
        for function, entry in sorted(data.items(), key=lambda kv: kv[0].casefold()):
            received = entry.get("received", 0)
            acknowledged = entry.get("acknowledged", 0)
            last = entry["last"]
            result.append(
                FunctionActivity(
                    function=function,
                    injects_delivered=entry.get("injects", 0),
                    injects_answered=entry.get("answered", 0),
                    messages_received=received,
                    acknowledged=acknowledged,
                    unacknowledged=received - acknowledged,
                    journal_entries=entry.get("journal", 0),
                    tasks_issued=entry.get("issued", 0),
                    tasks_assigned=entry.get("assigned", 0),
                    outgoing=entry.get("outgoing", 0),
                    last_real_at=last,
                    last_offset_s=clock_map.offset_at(last) if last else None,
                )
            )
        return result

    # -- notes and ratings ------------------------------------------------------------------------
    def add_note(
        self,
        text: str,
        *,
        kind: NoteKind | str = NoteKind.OBSERVER,
        journal_number: int | None = None,
        message: str | None = None,
        inject_number: int | None = None,
        actor: Actor | None = None,
    ) -> NoteView:
        """An observer or controller note, at the current scenario time.

        ``message`` is a message number (``E-12``) or id of the exercise incident.
        """
        self._require_exercise()
        try:
            note_kind = NoteKind(kind)
            body = clean_block(text, "Die Notiz", FIELD_MAX, required=True)
        except ValueError as exc:
            raise ExerciseError(str(exc)) from None
        who = self._who(actor)
        with self.db.write() as session:
            who = authorize(session, who, Permission.EXERCISE_CONTROL)
            state = self._state_row(session)
            message_id = self._message_ref(session, state, message) if message else None
            if journal_number is not None:
                found = session.execute(
                    select(JournalEntry.id).where(
                        JournalEntry.incident_id == state.incident_id,
                        JournalEntry.number == journal_number,
                    )
                ).first()
                if found is None:
                    raise ExerciseError(
                        f"ETB-Eintrag Nr. {journal_number} gibt es im Übungsereignis nicht."
                    )
            inject_id = None
            if inject_number is not None:
                inject_id = session.execute(
                    select(ExerciseInject.id).where(
                        ExerciseInject.scenario_id == state.scenario_id,
                        ExerciseInject.number == inject_number,
                    )
                ).scalar_one_or_none()
                if inject_id is None:
                    raise ExerciseError(
                        f"Einlage Nr. {inject_number} gibt es in diesem Drehbuch nicht."
                    )
            clock = clock_of(state, self._wall)
            offset = None if state.status == ClockStatus.READY.value else clock.offset()
            note_id = new_id()
            session.execute(
                insert(ExerciseNote.__table__),
                [
                    {
                        "id": note_id,
                        "kind": note_kind.value,
                        "real_at": utcnow(),
                        "scenario_offset_s": offset,
                        "text": body,
                        "incident_id": state.incident_id,
                        "journal_number": journal_number,
                        "message_id": message_id,
                        "inject_id": inject_id,
                        "author": who.person.strip()[:120],
                        "function": who.function.strip()[:60],
                        "workstation_id": who.workstation_id,
                    }
                ],
            )
            self._bump(session)
        for note in self.notes(actor=who):
            if note.id == note_id:
                return note
        raise AssertionError("note just written is missing")

    def _message_ref(self, session: Session, state: ExerciseState, ref: str) -> str:
        text = ref.strip()
        row = session.get(Message, text)
        if row is not None and row.incident_id == state.incident_id:
            return row.id
        try:
            direction, seq = parse_number(text)
        except ValueError as exc:
            raise ExerciseError(str(exc)) from None
        found = session.execute(
            select(Message.id).where(
                Message.incident_id == state.incident_id,
                Message.direction == direction.value,
                Message.seq == seq,
            )
        ).scalar_one_or_none()
        if found is None:
            raise ExerciseError(f"Nachricht {text} gibt es im Übungsereignis nicht.")
        return found

    def notes(
        self, kind: NoteKind | str | None = None, actor: Actor | None = None
    ) -> list[NoteView]:
        """Observer and controller notes (Übungsleitung only: players never see them)."""
        self._require_exercise()
        self._authorized(actor, Permission.EXERCISE_CONTROL)
        with self.db.session() as session:
            query = select(ExerciseNote).order_by(ExerciseNote.real_at)
            if kind is not None:
                query = query.where(ExerciseNote.kind == NoteKind(kind).value)
            rows = list(session.execute(query).scalars())
            numbers = {
                mid: format_number(d, s)
                for mid, d, s in session.execute(
                    select(Message.id, Message.direction, Message.seq).where(
                        Message.id.in_([r.message_id for r in rows if r.message_id])
                    )
                )
            }
            inject_numbers = dict(
                session.execute(
                    select(ExerciseInject.id, ExerciseInject.number).where(
                        ExerciseInject.id.in_([r.inject_id for r in rows if r.inject_id])
                    )
                ).all()
            )
        return [
            NoteView(
                id=r.id,
                kind=r.kind,
                real_at=r.real_at,
                offset_s=r.scenario_offset_s,
                text=r.text,
                author=r.author,
                function=r.function,
                journal_number=r.journal_number,
                message_id=r.message_id,
                message_number=numbers.get(r.message_id or ""),
                inject_number=inject_numbers.get(r.inject_id or ""),
            )
            for r in rows
        ]

    def rate_inject(
        self,
        number: int,
        rating: Rating | str,
        actual: str | None = None,
        actor: Actor | None = None,
    ) -> None:
        """The observer's verdict on an inject: expected against actual reaction."""
        self._rate(rating, actual, actor, inject_number=number)

    def rate_objective(
        self,
        objective: str,
        rating: Rating | str,
        actual: str | None = None,
        actor: Actor | None = None,
    ) -> None:
        """Met, partly met or not met for one exercise objective of the scenario."""
        self._rate(rating, actual, actor, objective=objective)

    def _rate(
        self,
        rating: Rating | str,
        actual: str | None,
        actor: Actor | None,
        *,
        inject_number: int | None = None,
        objective: str | None = None,
    ) -> None:
        self._require_exercise()
        try:
            value = rating if isinstance(rating, Rating) else parse_rating(rating)
            observed = clean_block(actual, "Die tatsächliche Reaktion", FIELD_MAX)
        except ValueError as exc:
            raise ExerciseError(str(exc)) from None
        who = self._who(actor)
        with self.db.write() as session:
            who = authorize(session, who, Permission.EXERCISE_CONTROL)
            state = self._state_row(session)
            inject_id = None
            target = None
            if inject_number is not None:
                inject_id = session.execute(
                    select(ExerciseInject.id).where(
                        ExerciseInject.scenario_id == state.scenario_id,
                        ExerciseInject.number == inject_number,
                    )
                ).scalar_one_or_none()
                if inject_id is None:
                    raise ExerciseError(
                        f"Einlage Nr. {inject_number} gibt es in diesem Drehbuch nicht."
                    )
            else:
                wanted = " ".join((objective or "").split()).casefold()
                known = session.execute(
                    select(ExerciseInject.objective)
                    .where(
                        ExerciseInject.scenario_id == state.scenario_id,
                        ExerciseInject.objective.is_not(None),
                    )
                    .distinct()
                ).scalars()
                target = next((o for o in known if o.casefold() == wanted), None)
                if target is None:
                    raise ExerciseError(f"Das Übungsziel „{objective}“ steht nicht im Drehbuch.")
            session.execute(
                insert(ExerciseRating.__table__),
                [
                    {
                        "id": new_id(),
                        "inject_id": inject_id,
                        "objective": target,
                        "rating": value.value,
                        "actual": observed,
                        "rated_at": utcnow(),
                        "author": who.person.strip()[:120],
                        "function": who.function.strip()[:60],
                        "workstation_id": who.workstation_id,
                    }
                ],
            )
            self._bump(session)

    # -- evaluation ------------------------------------------------------------------------------
    def _clock_map(self, session: Session) -> ClockMap:
        rows = session.execute(
            select(
                ExerciseEvent.real_at,
                ExerciseEvent.scenario_offset_s,
                ExerciseEvent.speed,
                ExerciseEvent.status,
            )
            .where(
                ExerciseEvent.kind.in_(
                    [
                        EventKind.START.value,
                        EventKind.PAUSE.value,
                        EventKind.RESUME.value,
                        EventKind.SPEED.value,
                        EventKind.JUMP.value,
                        EventKind.REAL_EVENT.value,
                        EventKind.FINISH.value,
                    ]
                )
            )
            .order_by(ExerciseEvent.seq)
        ).all()
        return ClockMap(ClockPoint(r[0], r[1], r[2], r[3]) for r in rows)

    def events(self, actor: Actor | None = None) -> list[EventView]:
        """The controller log (Übungsleitung only)."""
        self._require_exercise()
        self._authorized(actor, Permission.EXERCISE_CONTROL)
        with self.db.session() as session:
            numbers = dict(session.execute(select(ExerciseInject.id, ExerciseInject.number)).all())
            return [
                EventView(
                    e.seq,
                    e.kind,
                    e.real_at,
                    e.scenario_offset_s,
                    e.speed,
                    e.status,
                    e.detail,
                    e.by_person,
                    numbers.get(e.inject_id or ""),
                )
                for e in session.execute(
                    select(ExerciseEvent).order_by(ExerciseEvent.seq)
                ).scalars()
            ]

    def evaluation(self, actor: Actor | None = None) -> Evaluation:
        """Reaction per inject, objectives, summary and timeline (Übungsleitung only)."""
        self._require_exercise()
        self._authorized(actor, Permission.EXERCISE_CONTROL)
        with self.db.session() as session:
            state = load_state(session)
            if state is None:
                raise ExerciseError("Es ist noch keine Übung vorbereitet.")
            injects = self._injects(session, state)
            deliveries = {
                d.inject_id: Delivery(
                    d.inject_id,
                    d.outcome,
                    d.real_at,
                    d.scenario_offset_s,
                    d.due_offset_s,
                    d.message_id,
                    d.reason,
                )
                for d in session.execute(select(ExerciseDelivery)).scalars()
            }
            reactions = self._reactions(
                session, [d.message_id for d in deliveries.values() if d.message_id]
            )
            inject_ratings: dict[str, RatingEntry] = {}
            objective_ratings: dict[str, RatingEntry] = {}
            for r in session.execute(
                select(ExerciseRating).order_by(ExerciseRating.rated_at)
            ).scalars():
                entry = RatingEntry(r.rating, r.actual, r.author, r.rated_at)
                if r.inject_id:
                    inject_ratings[r.inject_id] = entry
                elif r.objective:
                    objective_ratings[r.objective] = entry
            clock_map = self._clock_map(session)
            clock_events = [
                TimelineItem(e.scenario_offset_s, e.real_at, e.kind, e.detail or e.kind)
                for e in session.execute(
                    select(ExerciseEvent)
                    .where(
                        ExerciseEvent.kind.in_(
                            [
                                EventKind.START.value,
                                EventKind.PAUSE.value,
                                EventKind.RESUME.value,
                                EventKind.JUMP.value,
                                EventKind.SPEED.value,
                                EventKind.REAL_EVENT.value,
                                EventKind.FINISH.value,
                                EventKind.EFFECT.value,
                                EventKind.EFFECT_FAILED.value,
                                EventKind.SKIP.value,
                                EventKind.REACTION.value,
                            ]
                        )
                    )
                    .order_by(ExerciseEvent.seq)
                ).scalars()
            ]
        return evaluate(
            injects,
            deliveries,
            reactions,
            inject_ratings,
            objective_ratings,
            clock_map,
            clock_events,
        )

    def timeline(self, actor: Actor | None = None) -> list[TimelineItem]:
        return list(self.evaluation(actor).timeline)

    def replay(self, actor: Actor | None = None) -> list[ReplayStep]:
        """The exercise journal in scenario order, for stepping through afterwards."""
        self._require_exercise()
        self._authorized(actor, Permission.EXERCISE_CONTROL)
        from krisenstab.services.journal import JournalService

        with self.db.session() as session:
            state = self._state_row(session)
            clock_map = self._clock_map(session)
            inject_by_message = {
                m: n
                for m, n in session.execute(
                    select(ExerciseDelivery.message_id, ExerciseInject.number)
                    .join(ExerciseInject, ExerciseInject.id == ExerciseDelivery.inject_id)
                    .where(ExerciseDelivery.message_id.is_not(None))
                )
            }
        if state.incident_id is None:
            return []
        entries = JournalService(self.db).list(state.incident_id)
        return replay_steps(entries, inject_by_message, clock_map, state.scenario_start)

    def evaluation_data(
        self,
        actor: Actor | None = None,
        *,
        include_controller_notes: bool = False,
        created_at: datetime | None = None,
    ) -> EvaluationData:
        """What the after-action report needs, gathered in one go."""
        evaluation = self.evaluation(actor)
        notes = [
            n
            for n in self.notes(actor=actor)
            if include_controller_notes or n.kind == NoteKind.OBSERVER.value
        ]
        events = self.events(actor)
        with self.db.session() as session:
            state = self._state_row(session)
            title = self._title(session, state)
            incident = session.get(Incident, state.incident_id) if state.incident_id else None
            head = None
            if state.incident_id:
                head = session.execute(
                    select(JournalEntry.hash)
                    .where(JournalEntry.incident_id == state.incident_id)
                    .order_by(JournalEntry.number.desc())
                    .limit(1)
                ).scalar_one_or_none()
            clock = clock_of(state, self._wall)
            end_offset = clock.offset()
        starts = [e.real_at for e in events if e.kind == EventKind.START.value]
        stops = [
            e.real_at
            for e in events
            if e.kind in (EventKind.FINISH.value, EventKind.REAL_EVENT.value, EventKind.PAUSE.value)
        ]
        return EvaluationData(
            title=title,
            start=state.scenario_start,
            start_label=state.start_label,
            incident_title=incident.title if incident else "",
            evaluation=evaluation,
            notes=tuple(notes),
            events=tuple(events),
            created_at=created_at or utcnow(),
            db_id=self.db.db_id,
            chain_head=head,
            real_started=starts[0] if starts else None,
            real_ended=stops[-1] if stops else None,
            end_offset_s=end_offset,
            include_controller_notes=include_controller_notes,
        )

    def export_evaluation(
        self,
        pdf_path: str | os.PathLike[str] | None = None,
        csv_path: str | os.PathLike[str] | None = None,
        *,
        actor: Actor | None = None,
        staff_name: str = "Krisenstab",
        include_controller_notes: bool = False,
        created_at: datetime | None = None,
    ) -> EvaluationData:
        """Write the after-action report (PDF, marked ÜBUNG) and/or the CSV."""
        from krisenstab.reports.evaluation import build_evaluation_pdf, write_evaluation_csv

        data = self.evaluation_data(
            actor, include_controller_notes=include_controller_notes, created_at=created_at
        )
        if pdf_path is not None:
            _write_atomic(Path(pdf_path), build_evaluation_pdf(data, staff_name=staff_name))
        if csv_path is not None:
            write_evaluation_csv(csv_path, data)
        return data


def _write_atomic(path: Path, payload: bytes) -> None:
    temp = path.with_name(f".{path.name}.tmp")
    with temp.open("wb") as handle:
        handle.write(payload)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, path)
