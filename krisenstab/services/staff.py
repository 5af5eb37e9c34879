"""Use cases of the staff: function catalogue, people, roster and handovers, "Wer ist wer".

Rules kept here:

* A function has at most one holder at a time. A new assignment that starts
  while someone holds the function open-ended is a handover: the previous
  assignment ends at that moment. Every other overlap is refused. The store
  backs this with a unique index over the open-ended assignment of a function.
* Every handover (the ETB keeper's included) and every release writes a
  journal entry (kind System) in the same transaction – into the incident
  given, or, without one, into every open incident (the staff serves them all).
* One person may hold several functions; among S1–S6 only the merges of
  FwDV 100 are accepted (domain.staff.merge_problem). Another combination is
  refused with :class:`MergeNotForeseen` unless ``allow_unusual_merge`` is set,
  and the journal entry then says so.
* Master data changes (functions, people) are recorded field by field with
  who, when and which workstation (``master_data_change``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlmodel import Session

from krisenstab.domain.incident import STATUS_OPEN, Incident
from krisenstab.domain.journal import EntryKind
from krisenstab.domain.staff import (
    DEFAULT_FUNCTIONS,
    ETB_KEEPER,
    ChangeAction,
    Entity,
    FunctionGroup,
    MasterDataChange,
    Person,
    RosterAssignment,
    StaffFunction,
    clean_email,
    clean_function_name,
    clean_line,
    clean_phone,
    function_key,
    merge_problem,
)
from krisenstab.domain.timefmt import ensure_utc, format_dtg, utcnow
from krisenstab.services.acting import ActingService
from krisenstab.services.context import Actor, ServiceError
from krisenstab.services.permissions import Permission, require
from krisenstab.store.database import Database

SYSTEM_ACTOR_NAME = "Krisenstab (Vorgabe)"


class MergeNotForeseen(ServiceError):
    """The assignment would give one person a combination FwDV 100 does not foresee.

    The GUI asks for confirmation and repeats the call with
    ``allow_unusual_merge=True``.
    """


# -- views -----------------------------------------------------------------------
@dataclass(frozen=True)
class FunctionView:
    id: str
    name: str
    title: str
    category: str
    sort_order: int
    active: bool

    @property
    def label(self) -> str:
        """ "S2 – Lage"; just the name where the title repeats it."""
        return self.name if self.title in ("", self.name) else f"{self.name} – {self.title}"


@dataclass(frozen=True)
class PersonView:
    id: str
    name: str
    organisation: str | None
    phone: str | None
    mobile: str | None
    radio_call_sign: str | None
    email: str | None
    deputy_id: str | None
    deputy_name: str | None
    notes: str | None
    active: bool

    def reach(self) -> tuple[tuple[str, str], ...]:
        """(label, value) pairs for how to reach the person, most direct first."""
        pairs = (
            ("Mobil", self.mobile),
            ("Telefon", self.phone),
            ("Funk", self.radio_call_sign),
            ("E-Mail", self.email),
        )
        return tuple((label, value) for label, value in pairs if value)


@dataclass(frozen=True)
class AssignmentView:
    id: str
    function_id: str
    function: str
    person_id: str
    person: str
    starts_at: datetime
    ends_at: datetime | None
    note: str | None
    assigned_by: str
    assigned_by_function: str
    ended_by: str | None
    incident_id: str | None

    def is_current(self, now: datetime) -> bool:
        return self.starts_at <= now and (self.ends_at is None or now < self.ends_at)


@dataclass(frozen=True)
class BoardRow:
    """One line of "Wer ist wer": a function, its holder now and how to reach them."""

    function: FunctionView
    holder: PersonView | None
    since: datetime | None
    until: datetime | None
    deputy: PersonView | None
    also_holds: tuple[str, ...]

    @property
    def vacant(self) -> bool:
        return self.holder is None


@dataclass(frozen=True)
class Board:
    at: datetime
    rows: list[BoardRow]
    warnings: list[str]


@dataclass(frozen=True)
class HandoverResult:
    assignment: AssignmentView
    previous: AssignmentView | None
    journal_entries: tuple[tuple[str, int], ...]  # (incident_id, entry number)
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class ChangeView:
    entity: str
    entity_id: str
    action: str
    field: str | None
    old_value: str | None
    new_value: str | None
    changed_at: datetime
    changed_by: str
    changed_by_function: str
    workstation_id: str


# -- helpers shared with the other staff services ----------------------------------
def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def record_changes(
    session: Session,
    entity: str,
    entity_id: str,
    actor: Actor,
    changes: Iterable[tuple[str, object, object]],
    *,
    action: str = ChangeAction.CHANGED,
    at: datetime | None = None,
) -> int:
    """Write one history row per (field, old, new) that really differs."""
    when = at or utcnow()
    count = 0
    for field_name, old, new in changes:
        old_text, new_text = _text(old), _text(new)
        if old_text == new_text:
            continue
        session.add(
            MasterDataChange(
                entity=str(entity),
                entity_id=entity_id,
                action=str(action),
                field=field_name,
                old_value=old_text,
                new_value=new_text,
                changed_at=when,
                changed_by=actor.person.strip(),
                changed_by_function=actor.function.strip()[:60],
                workstation_id=actor.workstation_id,
            )
        )
        count += 1
    return count


def record_event(
    session: Session,
    entity: str,
    entity_id: str,
    actor: Actor,
    action: str,
    *,
    summary: str | None = None,
    at: datetime | None = None,
) -> None:
    session.add(
        MasterDataChange(
            entity=str(entity),
            entity_id=entity_id,
            action=str(action),
            field=None,
            old_value=None,
            new_value=summary,
            changed_at=at or utcnow(),
            changed_by=actor.person.strip(),
            changed_by_function=actor.function.strip()[:60],
            workstation_id=actor.workstation_id,
        )
    )


def change_history(db: Database, entity: str, entity_id: str) -> list[ChangeView]:
    with db.session() as session:
        rows = session.execute(
            select(MasterDataChange)
            .where(MasterDataChange.entity == str(entity), MasterDataChange.entity_id == entity_id)
            .order_by(MasterDataChange.changed_at, MasterDataChange.id)
        ).scalars()
        return [
            ChangeView(
                entity=r.entity,
                entity_id=r.entity_id,
                action=r.action,
                field=r.field,
                old_value=r.old_value,
                new_value=r.new_value,
                changed_at=r.changed_at,
                changed_by=r.changed_by,
                changed_by_function=r.changed_by_function,
                workstation_id=r.workstation_id,
            )
            for r in rows
        ]


def _catalogue_spellings(session: Session) -> dict[str, str]:
    # The seeded names count even before the catalogue is first opened.
    spellings = {function_key(seed.name): seed.name for seed in DEFAULT_FUNCTIONS}
    spellings.update({function_key(n): n for (n,) in session.execute(select(StaffFunction.name))})
    return spellings


def canonical_function_name(session: Session, name: str) -> str:
    """The catalogue's spelling of a function ("s 3" → "S3"); other names as typed."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise ServiceError("Bitte eine Stabsfunktion angeben.")
    return _catalogue_spellings(session).get(function_key(cleaned), cleaned)


def canonical_function_names(session: Session, names: Sequence[str]) -> tuple[str, ...]:
    catalogue = _catalogue_spellings(session)
    result: dict[str, str] = {}
    for name in names:
        cleaned = " ".join(name.split())
        if not cleaned:
            continue
        canonical = catalogue.get(function_key(cleaned), cleaned)
        result.setdefault(function_key(canonical), canonical)
    return tuple(result.values())


def open_incident_ids(session: Session) -> list[str]:
    return list(
        session.execute(
            select(Incident.id).where(Incident.status == STATUS_OPEN).order_by(Incident.created_at)
        ).scalars()
    )


def _value_error(exc: ValueError) -> ServiceError:
    return ServiceError(str(exc))


def _function_view(row: StaffFunction) -> FunctionView:
    return FunctionView(
        id=row.id,
        name=row.name,
        title=row.title,
        category=row.category,
        sort_order=row.sort_order,
        active=row.active,
    )


def _person_view(row: Person, deputy_name: str | None) -> PersonView:
    return PersonView(
        id=row.id,
        name=row.name,
        organisation=row.organisation,
        phone=row.phone,
        mobile=row.mobile,
        radio_call_sign=row.radio_call_sign,
        email=row.email,
        deputy_id=row.deputy_id,
        deputy_name=deputy_name,
        notes=row.notes,
        active=row.active,
    )


_PERSON_FIELDS = (
    "name",
    "organisation",
    "phone",
    "mobile",
    "radio_call_sign",
    "email",
    "deputy_id",
    "notes",
)


def _clean_person_fields(values: dict[str, object]) -> dict[str, object]:
    cleaned: dict[str, object] = {}
    try:
        for key, value in values.items():
            text = None if value is None else str(value)
            if key == "name":
                cleaned[key] = clean_line(text, "Der Name", 120, required=True)
            elif key == "organisation":
                cleaned[key] = clean_line(text, "Die Organisation", 200)
            elif key == "phone":
                cleaned[key] = clean_phone(text, "Telefon")
            elif key == "mobile":
                cleaned[key] = clean_phone(text, "Mobil")
            elif key == "radio_call_sign":
                cleaned[key] = clean_line(text, "Der Funkrufname", 60)
            elif key == "email":
                cleaned[key] = clean_email(text)
            elif key == "deputy_id":
                cleaned[key] = text or None
            elif key == "notes":
                cleaned[key] = (text or "").strip() or None
            else:
                raise ServiceError(f"Unbekanntes Feld „{key}“.")
    except ValueError as exc:
        raise _value_error(exc) from None
    return cleaned


class StaffService(ActingService):
    # -- catalogue ---------------------------------------------------------------
    def ensure_catalogue(self) -> int:
        """Seed the default functions into an empty catalogue; returns how many."""
        if self.db.read_only:
            return 0
        with self.db.session() as session:
            if session.execute(select(func.count()).select_from(StaffFunction)).scalar_one():
                return 0
        system = Actor(person=SYSTEM_ACTOR_NAME, function="System", workstation_id="system")
        with self.db.write() as session:
            # Checked again under the write lock: two workstations may start at once.
            if session.execute(select(func.count()).select_from(StaffFunction)).scalar_one():
                return 0
            now = utcnow()
            for order, seed in enumerate(DEFAULT_FUNCTIONS):
                row = StaffFunction(
                    name=seed.name,
                    title=seed.title,
                    category=seed.category.value,
                    sort_order=(order + 1) * 10,
                    created_at=now,
                    updated_at=now,
                    workstation_id=(self.actor.workstation_id if self.actor else "system"),
                )
                session.add(row)
                session.flush()
                record_event(
                    session,
                    Entity.FUNCTION,
                    row.id,
                    system,
                    ChangeAction.CREATED,
                    summary=seed.name,
                    at=now,
                )
            return len(DEFAULT_FUNCTIONS)

    def functions(self, include_inactive: bool = False) -> list[FunctionView]:
        self.ensure_catalogue()
        with self.db.session() as session:
            query = select(StaffFunction).order_by(StaffFunction.sort_order, StaffFunction.name)
            if not include_inactive:
                query = query.where(StaffFunction.active.is_(True))
            return [_function_view(r) for r in session.execute(query).scalars()]

    def function(self, name: str) -> FunctionView:
        self.ensure_catalogue()
        with self.db.session() as session:
            return _function_view(self._function_row(session, name))

    @staticmethod
    def _function_row(session: Session, name_or_id: str) -> StaffFunction:
        row = session.get(StaffFunction, name_or_id)
        if row is not None:
            return row
        key = function_key(name_or_id)
        for candidate in session.execute(select(StaffFunction)).scalars():
            if function_key(candidate.name) == key:
                return candidate
        raise ServiceError(f"Die Stabsfunktion „{name_or_id}“ gibt es im Funktionskatalog nicht.")

    def add_function(
        self,
        name: str,
        title: str | None = None,
        category: str = FunctionGroup.MEMBER,
        *,
        sort_order: int | None = None,
        actor: Actor | None = None,
    ) -> FunctionView:
        who = self._actor(actor)
        require(who, Permission.MASTER_DATA)
        self.ensure_catalogue()
        try:
            clean_name = clean_function_name(name)
            clean_title = clean_line(title, "Die Bezeichnung", 200) or clean_name
            clean_category = clean_line(str(category), "Die Gruppe", 40, required=True)
        except ValueError as exc:
            raise _value_error(exc) from None
        with self.db.write() as session:
            key = function_key(clean_name)
            for existing in session.execute(select(StaffFunction.name)).scalars():
                if function_key(existing) == key:
                    raise ServiceError(f"Die Stabsfunktion „{existing}“ gibt es bereits.")
            if sort_order is None:
                highest = session.execute(select(func.max(StaffFunction.sort_order))).scalar_one()
                sort_order = (highest or 0) + 10
            now = utcnow()
            row = StaffFunction(
                name=clean_name,
                title=clean_title,
                category=clean_category or FunctionGroup.MEMBER.value,
                sort_order=sort_order,
                created_at=now,
                updated_at=now,
                workstation_id=who.workstation_id,
            )
            session.add(row)
            session.flush()
            record_event(
                session,
                Entity.FUNCTION,
                row.id,
                who,
                ChangeAction.CREATED,
                summary=clean_name,
                at=now,
            )
            return _function_view(row)

    def update_function(
        self,
        function: str,
        *,
        name: str | None = None,
        title: str | None = None,
        category: str | None = None,
        sort_order: int | None = None,
        active: bool | None = None,
        actor: Actor | None = None,
    ) -> FunctionView:
        """Edit a catalogue entry; a held function cannot be deactivated."""
        who = self._actor(actor)
        require(who, Permission.MASTER_DATA)
        with self.db.write() as session:
            row = self._function_row(session, function)
            changes: list[tuple[str, object, object]] = []
            try:
                if name is not None:
                    new_name = clean_function_name(name)
                    key = function_key(new_name)
                    for other in session.execute(
                        select(StaffFunction.name).where(StaffFunction.id != row.id)
                    ).scalars():
                        if function_key(other) == key:
                            raise ServiceError(f"Die Stabsfunktion „{other}“ gibt es bereits.")
                    changes.append(("name", row.name, new_name))
                    row.name = new_name
                if title is not None:
                    new_title = clean_line(title, "Die Bezeichnung", 200) or row.name
                    changes.append(("title", row.title, new_title))
                    row.title = new_title
                if category is not None:
                    new_category = clean_line(str(category), "Die Gruppe", 40, required=True)
                    changes.append(("category", row.category, new_category))
                    row.category = new_category or row.category
            except ValueError as exc:
                raise _value_error(exc) from None
            if sort_order is not None:
                changes.append(("sort_order", row.sort_order, sort_order))
                row.sort_order = sort_order
            if active is not None and active != row.active:
                if not active:
                    held = session.execute(
                        select(func.count()).where(
                            RosterAssignment.function_id == row.id,
                            RosterAssignment.ends_at.is_(None),
                        )
                    ).scalar_one()
                    if held:
                        raise ServiceError(
                            f"„{row.name}“ ist besetzt; bitte die Funktion zuerst abgeben."
                        )
                changes.append(("active", row.active, active))
                row.active = active
            now = utcnow()
            if record_changes(session, Entity.FUNCTION, row.id, who, changes, at=now):
                row.updated_at = now
                session.add(row)
            return _function_view(row)

    # -- people ----------------------------------------------------------------------
    def people(self, include_inactive: bool = False) -> list[PersonView]:
        with self.db.session() as session:
            query = select(Person).order_by(Person.name)
            if not include_inactive:
                query = query.where(Person.active.is_(True))
            rows = list(session.execute(query).scalars())
            names = dict(session.execute(select(Person.id, Person.name)).all())
            return [_person_view(r, names.get(r.deputy_id) if r.deputy_id else None) for r in rows]

    def person(self, person_id: str) -> PersonView:
        with self.db.session() as session:
            row = session.get(Person, person_id)
            if row is None:
                raise ServiceError(f"Die Person {person_id} gibt es nicht.")
            return self._person_view_in(session, row)

    @staticmethod
    def _person_view_in(session: Session, row: Person) -> PersonView:
        deputy = session.get(Person, row.deputy_id) if row.deputy_id else None
        return _person_view(row, deputy.name if deputy else None)

    def find_person(self, name: str) -> PersonView | None:
        """The person with exactly this name (case and blanks ignored), or None."""
        with self.db.session() as session:
            row = self._person_by_name(session, name, required=False)
            return self._person_view_in(session, row) if row is not None else None

    @staticmethod
    def _person_by_name(session: Session, name: str, *, required: bool = True) -> Person | None:
        key = " ".join(name.split()).casefold()
        matches = [
            p
            for p in session.execute(select(Person).where(Person.active.is_(True))).scalars()
            if " ".join(p.name.split()).casefold() == key
        ]
        if len(matches) > 1:
            raise ServiceError(
                f"Es gibt {len(matches)} Personen namens „{name}“; bitte die Personen-ID angeben."
            )
        if not matches:
            if required:
                raise ServiceError(f"Die Person „{name}“ ist nicht erfasst.")
            return None
        return matches[0]

    def _resolve_person(self, session: Session, person: str) -> Person:
        row = session.get(Person, person)
        if row is not None:
            return row
        found = self._person_by_name(session, person)
        assert found is not None
        return found

    def add_person(
        self,
        name: str,
        *,
        organisation: str | None = None,
        phone: str | None = None,
        mobile: str | None = None,
        radio_call_sign: str | None = None,
        email: str | None = None,
        deputy_id: str | None = None,
        notes: str | None = None,
        actor: Actor | None = None,
    ) -> PersonView:
        who = self._actor(actor)
        require(who, Permission.MASTER_DATA)
        values = _clean_person_fields(
            {
                "name": name,
                "organisation": organisation,
                "phone": phone,
                "mobile": mobile,
                "radio_call_sign": radio_call_sign,
                "email": email,
                "deputy_id": deputy_id,
                "notes": notes,
            }
        )
        with self.db.write() as session:
            if values["deputy_id"] and session.get(Person, values["deputy_id"]) is None:
                raise ServiceError("Die angegebene Vertretung ist nicht erfasst.")
            now = utcnow()
            row = Person(
                **values, created_at=now, updated_at=now, workstation_id=who.workstation_id
            )  # type: ignore[arg-type]
            session.add(row)
            session.flush()
            record_changes(
                session,
                Entity.PERSON,
                row.id,
                who,
                [(k, None, v) for k, v in values.items()],
                action=ChangeAction.CREATED,
                at=now,
            )
            return self._person_view_in(session, row)

    def update_person(
        self, person_id: str, *, actor: Actor | None = None, **changes: object
    ) -> PersonView:
        """Change fields of a person (name, organisation, phone, mobile,
        radio_call_sign, email, deputy_id, notes, active); history is written."""
        who = self._actor(actor)
        require(who, Permission.MASTER_DATA)
        active = changes.pop("active", None)
        values = _clean_person_fields(changes)
        with self.db.write() as session:
            row = session.get(Person, person_id)
            if row is None:
                raise ServiceError(f"Die Person {person_id} gibt es nicht.")
            if values.get("deputy_id"):
                if values["deputy_id"] == row.id:
                    raise ServiceError("Eine Person kann nicht ihre eigene Vertretung sein.")
                if session.get(Person, values["deputy_id"]) is None:
                    raise ServiceError("Die angegebene Vertretung ist nicht erfasst.")
            diff: list[tuple[str, object, object]] = []
            for key, value in values.items():
                diff.append((key, getattr(row, key), value))
                setattr(row, key, value)
            action = ChangeAction.CHANGED
            if active is not None and bool(active) != row.active:
                if not active:
                    held = session.execute(
                        select(func.count()).where(
                            RosterAssignment.person_id == row.id,
                            RosterAssignment.ends_at.is_(None),
                        )
                    ).scalar_one()
                    if held:
                        raise ServiceError(
                            f"{row.name} hält noch eine Stabsfunktion; bitte zuerst übergeben."
                        )
                diff.append(("active", row.active, bool(active)))
                row.active = bool(active)
                action = ChangeAction.CHANGED
            now = utcnow()
            if record_changes(session, Entity.PERSON, row.id, who, diff, action=action, at=now):
                row.updated_at = now
                session.add(row)
            return self._person_view_in(session, row)

    def history(self, entity: str, entity_id: str) -> list[ChangeView]:
        return change_history(self.db, entity, entity_id)

    # -- roster ------------------------------------------------------------------------
    def _assignments_of_function(
        self, session: Session, function_id: str
    ) -> list[RosterAssignment]:
        return list(
            session.execute(
                select(RosterAssignment)
                .where(RosterAssignment.function_id == function_id)
                .order_by(RosterAssignment.starts_at)
            ).scalars()
        )

    @staticmethod
    def _overlaps(
        a_start: datetime, a_end: datetime | None, b_start: datetime, b_end: datetime | None
    ) -> bool:
        return (b_end is None or a_start < b_end) and (a_end is None or b_start < a_end)

    def _held_during(
        self,
        session: Session,
        person_id: str,
        start: datetime,
        end: datetime | None,
        exclude_function_id: str,
    ) -> set[str]:
        held: set[str] = set()
        rows = session.execute(
            select(RosterAssignment, StaffFunction.name)
            .join(StaffFunction, StaffFunction.id == RosterAssignment.function_id)
            .where(
                RosterAssignment.person_id == person_id,
                RosterAssignment.function_id != exclude_function_id,
                or_(RosterAssignment.ends_at.is_(None), RosterAssignment.ends_at > start),
            )
        ).all()
        for assignment, name in rows:
            if self._overlaps(assignment.starts_at, assignment.ends_at, start, end):
                held.add(name)
        return held

    def assignment_warnings(
        self, function: str, person: str, at: datetime | None = None
    ) -> list[str]:
        """What the GUI should say before an assignment (handover, merges); no change."""
        start = ensure_utc(at) if at is not None else utcnow()
        with self.db.session() as session:
            frow = self._function_row(session, function)
            prow = self._resolve_person(session, person)
            warnings = []
            for a in self._assignments_of_function(session, frow.id):
                if a.ends_at is None and a.starts_at <= start and a.person_id != prow.id:
                    holder = session.get(Person, a.person_id)
                    warnings.append(
                        f"{frow.name} wird von {holder.name if holder else '?'} übernommen (Übergabe)."
                    )
            held = self._held_during(session, prow.id, start, None, frow.id)
            problem = merge_problem(held | {frow.name})
            if problem:
                warnings.append(problem)
            return warnings

    def assign(
        self,
        function: str,
        person: str,
        *,
        at: datetime | None = None,
        until: datetime | None = None,
        note: str | None = None,
        incident_id: str | None = None,
        allow_unusual_merge: bool = False,
        actor: Actor | None = None,
    ) -> HandoverResult:
        """``person`` takes ``function`` from ``at`` (default now) until ``until`` (open).

        ``function`` is a catalogue name or id, ``person`` a person id or exact name.
        """
        who = self._actor(actor)
        require(who, Permission.ROSTER)
        self.ensure_catalogue()
        start = ensure_utc(at) if at is not None else utcnow()
        end = ensure_utc(until) if until is not None else None
        if end is not None and end <= start:
            raise ServiceError("Das Ende der Besetzung muss nach ihrem Beginn liegen.")
        clean_note = (note or "").strip() or None
        with self.db.write() as session:
            frow = self._function_row(session, function)
            if not frow.active:
                raise ServiceError(f"Die Stabsfunktion „{frow.name}“ ist deaktiviert.")
            prow = self._resolve_person(session, person)
            if not prow.active:
                raise ServiceError(f"{prow.name} ist als inaktiv markiert.")
            previous: RosterAssignment | None = None
            for a in self._assignments_of_function(session, frow.id):
                if not self._overlaps(a.starts_at, a.ends_at, start, end):
                    continue
                if a.ends_at is None and a.starts_at < start:
                    if a.person_id == prow.id and end is None:
                        raise ServiceError(f"{prow.name} hält {frow.name} bereits.")
                    previous = a
                    continue
                other = session.get(Person, a.person_id)
                span = f"ab {format_dtg(a.starts_at)}" + (
                    f" bis {format_dtg(a.ends_at)}" if a.ends_at else ""
                )
                raise ServiceError(
                    f"{frow.name} ist {span} bereits mit {other.name if other else '?'} besetzt; "
                    "eine Funktion hat immer nur eine Inhaberin oder einen Inhaber."
                )
            held = self._held_during(session, prow.id, start, end, frow.id)
            problem = merge_problem(held | {frow.name})
            if problem and not allow_unusual_merge:
                raise MergeNotForeseen(
                    f"{prow.name} hält bereits {', '.join(sorted(held))}. {problem} "
                    "Bitte bestätigen, wenn die Besetzung trotzdem so gewollt ist."
                )
            now = utcnow()
            previous_view = None
            previous_name = None
            if previous is not None:
                previous.ends_at = start
                previous.ended_by = who.person.strip()
                session.add(previous)
                session.flush()
                prev_person = session.get(Person, previous.person_id)
                previous_name = prev_person.name if prev_person else "?"
                previous_view = self._assignment_view(previous, frow.name, previous_name)
            row = RosterAssignment(
                function_id=frow.id,
                person_id=prow.id,
                starts_at=start,
                ends_at=end,
                incident_id=incident_id,
                note=clean_note,
                assigned_by=who.person.strip(),
                assigned_by_function=who.function.strip()[:60],
                created_at=now,
                workstation_id=who.workstation_id,
            )
            session.add(row)
            session.flush()
            text = _handover_text(frow, previous_name, prow.name, start, end)
            if clean_note:
                text += f" Bemerkung: {clean_note}"
            warnings: tuple[str, ...] = ()
            if problem:
                text += f" Hinweis: {problem} Bewusst so festgelegt."
                warnings = (problem,)
            entries = self._journal(session, who, text, incident_id, observed_at=start)
            return HandoverResult(
                assignment=self._assignment_view(row, frow.name, prow.name),
                previous=previous_view,
                journal_entries=entries,
                warnings=warnings,
            )

    def release(
        self,
        function: str,
        *,
        at: datetime | None = None,
        note: str | None = None,
        incident_id: str | None = None,
        actor: Actor | None = None,
    ) -> AssignmentView:
        """The current holder gives the function up without a successor."""
        who = self._actor(actor)
        require(who, Permission.ROSTER)
        end = ensure_utc(at) if at is not None else utcnow()
        with self.db.write() as session:
            frow = self._function_row(session, function)
            current = session.execute(
                select(RosterAssignment).where(
                    RosterAssignment.function_id == frow.id, RosterAssignment.ends_at.is_(None)
                )
            ).scalar_one_or_none()
            if current is None:
                raise ServiceError(f"{frow.name} ist derzeit nicht besetzt.")
            if end <= current.starts_at:
                raise ServiceError("Die Abgabe muss nach dem Beginn der Besetzung liegen.")
            current.ends_at = end
            current.ended_by = who.person.strip()
            session.add(current)
            holder = session.get(Person, current.person_id)
            holder_name = holder.name if holder else "?"
            text = f"{_function_label(frow)} nicht mehr besetzt (bisher {holder_name}), ab {format_dtg(end)}."
            clean_note = (note or "").strip()
            if clean_note:
                text += f" Bemerkung: {clean_note}"
            self._journal(session, who, text, incident_id, observed_at=end)
            return self._assignment_view(current, frow.name, holder_name)

    def _journal(
        self,
        session: Session,
        who: Actor,
        text: str,
        incident_id: str | None,
        *,
        observed_at: datetime,
    ) -> tuple[tuple[str, int], ...]:
        targets = [incident_id] if incident_id else open_incident_ids(session)
        entries = []
        for target in targets:
            entry = self._write_entry(
                session, target, who, text, kind=EntryKind.SYSTEM, observed_at=observed_at
            )
            entries.append((target, entry.number))
        return tuple(entries)

    @staticmethod
    def _assignment_view(row: RosterAssignment, function: str, person: str) -> AssignmentView:
        return AssignmentView(
            id=row.id,
            function_id=row.function_id,
            function=function,
            person_id=row.person_id,
            person=person,
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            note=row.note,
            assigned_by=row.assigned_by,
            assigned_by_function=row.assigned_by_function,
            ended_by=row.ended_by,
            incident_id=row.incident_id,
        )

    def roster(
        self, function: str | None = None, *, since: datetime | None = None
    ) -> list[AssignmentView]:
        """Assignments (the roster and its history), oldest first."""
        with self.db.session() as session:
            query = (
                select(RosterAssignment, StaffFunction.name, Person.name)
                .join(StaffFunction, StaffFunction.id == RosterAssignment.function_id)
                .join(Person, Person.id == RosterAssignment.person_id)
                .order_by(RosterAssignment.starts_at, StaffFunction.sort_order)
            )
            if function is not None:
                query = query.where(
                    RosterAssignment.function_id == self._function_row(session, function).id
                )
            if since is not None:
                since_utc = ensure_utc(since)
                query = query.where(
                    or_(RosterAssignment.ends_at.is_(None), RosterAssignment.ends_at > since_utc)
                )
            return [
                self._assignment_view(a, fname, pname)
                for a, fname, pname in session.execute(query).all()
            ]

    def holder(self, function: str, at: datetime | None = None) -> PersonView | None:
        when = ensure_utc(at) if at is not None else utcnow()
        with self.db.session() as session:
            frow = self._function_row(session, function)
            for a in self._assignments_of_function(session, frow.id):
                if a.starts_at <= when and (a.ends_at is None or when < a.ends_at):
                    person = session.get(Person, a.person_id)
                    return self._person_view_in(session, person) if person else None
            return None

    def functions_of(self, person: str, at: datetime | None = None) -> tuple[str, ...]:
        when = ensure_utc(at) if at is not None else utcnow()
        with self.db.session() as session:
            prow = self._resolve_person(session, person)
            rows = session.execute(
                select(StaffFunction.name, RosterAssignment.starts_at, RosterAssignment.ends_at)
                .join(StaffFunction, StaffFunction.id == RosterAssignment.function_id)
                .where(RosterAssignment.person_id == prow.id)
                .order_by(StaffFunction.sort_order)
            ).all()
            return tuple(n for n, s, e in rows if s <= when and (e is None or when < e))

    def board(self, now: datetime | None = None, *, include_vacant: bool = True) -> Board:
        """ "Wer ist wer": every active function with its holder at ``now``."""
        when = ensure_utc(now) if now is not None else utcnow()
        self.ensure_catalogue()
        with self.db.session() as session:
            functions = list(
                session.execute(
                    select(StaffFunction)
                    .where(StaffFunction.active.is_(True))
                    .order_by(StaffFunction.sort_order, StaffFunction.name)
                ).scalars()
            )
            current = session.execute(
                select(RosterAssignment).where(
                    RosterAssignment.starts_at <= when,
                    or_(RosterAssignment.ends_at.is_(None), RosterAssignment.ends_at > when),
                )
            ).scalars()
            by_function = {a.function_id: a for a in current}
            people = {p.id: p for p in session.execute(select(Person)).scalars()}
            names = {f.id: f.name for f in functions}
            held_by: dict[str, list[str]] = {}
            for fid, a in by_function.items():
                if fid in names:
                    held_by.setdefault(a.person_id, []).append(names[fid])

            def view(person_id: str | None) -> PersonView | None:
                if person_id is None or person_id not in people:
                    return None
                p = people[person_id]
                deputy = people.get(p.deputy_id) if p.deputy_id else None
                return _person_view(p, deputy.name if deputy else None)

            rows: list[BoardRow] = []
            for f in functions:
                a = by_function.get(f.id)
                if a is None and not include_vacant:
                    continue
                holder = view(a.person_id) if a else None
                rows.append(
                    BoardRow(
                        function=_function_view(f),
                        holder=holder,
                        since=a.starts_at if a else None,
                        until=a.ends_at if a else None,
                        deputy=view(holder.deputy_id) if holder and holder.deputy_id else None,
                        also_holds=tuple(n for n in held_by.get(a.person_id, []) if n != f.name)
                        if a
                        else (),
                    )
                )
            warnings = []
            for person_id, held in held_by.items():
                problem = merge_problem(set(held))
                if problem:
                    warnings.append(f"{people[person_id].name}: {problem}")
            return Board(at=when, rows=rows, warnings=warnings)

    def state_stamp(self) -> tuple[int, int, str]:
        """Cheap fingerprint of roster and master data, for the GUI's polling."""
        with self.db.session() as session:
            count = session.execute(select(func.count()).select_from(RosterAssignment)).scalar_one()
            ended = session.execute(
                select(func.count()).where(RosterAssignment.ends_at.is_not(None))
            ).scalar_one()
            latest = session.execute(select(func.max(MasterDataChange.changed_at))).scalar_one()
            return count, ended, latest.isoformat() if latest else ""


def _function_label(row: StaffFunction) -> str:
    return row.name if row.title in ("", row.name) else f"{row.name} ({row.title})"


def _handover_text(
    frow: StaffFunction,
    previous: str | None,
    new: str,
    start: datetime,
    end: datetime | None,
) -> str:
    span = f"ab {format_dtg(start)}" + (f" bis {format_dtg(end)}" if end else "")
    if frow.name == ETB_KEEPER:
        if previous:
            return f"Übergabe der Einsatztagebuchführung: {previous} → {new}, {span}."
        return f"Einsatztagebuchführung übernommen durch {new}, {span}."
    if previous:
        return f"Übergabe {_function_label(frow)}: {previous} → {new}, {span}."
    return f"{_function_label(frow)} besetzt mit {new}, {span}."
