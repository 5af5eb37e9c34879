"""Use cases of the Einsatztagebuch: write, correct, find, verify.

There is deliberately no update and no delete. Other services call
`write_entry` inside their own transaction, so that a state change and its
journal entry are stored together or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, func, insert, select
from sqlmodel import Session

from krisenstab.domain.base import new_id
from krisenstab.domain.incident import STATUS_CLOSED, Incident
from krisenstab.domain.journal import (
    GENESIS_HASH,
    EntryKind,
    EntryView,
    JournalEntry,
    JournalFilter,
    SourceQuality,
    chain_hash,
    clean_text,
)
from krisenstab.domain.timefmt import ensure_utc, utcnow
from krisenstab.services.context import Actor, ServiceError
from krisenstab.services.permissions import Permission, authorize
from krisenstab.store import search
from krisenstab.store.anchors import note_head
from krisenstab.store.database import Database, is_exercise_bind
from krisenstab.store.integrity import VerifyReport, verify_all

KINDS = tuple(k.value for k in EntryKind)
SOURCE_QUALITIES = tuple(q.value for q in SourceQuality)


# Built once: constructing statements per call costs more than the durable
# commit itself on a fast disk.
_INCIDENT_STATE = select(Incident.status, Incident.title).where(Incident.id == bindparam("inc"))
_LAST_ENTRY = (
    select(JournalEntry.number, JournalEntry.hash)
    .where(JournalEntry.incident_id == bindparam("inc"))
    .order_by(JournalEntry.number.desc())
    .limit(1)
)
_INSERT_ENTRY = insert(JournalEntry.__table__)


def _check_open(session: Session, incident_id: str) -> None:
    row = session.execute(_INCIDENT_STATE, {"inc": incident_id}).first()
    if row is None:
        raise ServiceError(f"Ereignis {incident_id} gibt es nicht.")
    if row[0] == STATUS_CLOSED:
        raise ServiceError(f"Das Ereignis „{row[1]}“ ist abgeschlossen; es ist nur lesbar.")


def write_entry(
    session: Session,
    incident_id: str,
    actor: Actor,
    text: str,
    *,
    kind: str = EntryKind.VERMERK,
    source_quality: str = SourceQuality.OWN,
    observed_at: datetime | None = None,
    corrects: int | None = None,
    facility_id: str | None = None,
    task_id: str | None = None,
    message_id: str | None = None,
    scenario_time: datetime | None = None,
    recorded_at: datetime | None = None,
) -> EntryView:
    """Append one entry inside the caller's (writing) transaction.

    The running number and the previous hash are read under the write lock
    that the transaction holds, so concurrent writers cannot collide. A Core
    insert (not the ORM unit of work) keeps the durable append cheap.
    """
    _check_open(session, incident_id)
    if kind not in KINDS:
        raise ServiceError(f"Unbekannte Eintragsart „{kind}“ (erlaubt: {', '.join(KINDS)}).")
    if source_quality not in SOURCE_QUALITIES:
        raise ServiceError(
            f"Unbekannte Quelle „{source_quality}“ (erlaubt: {', '.join(SOURCE_QUALITIES)})."
        )
    try:
        body = clean_text(text)
    except ValueError as exc:
        raise ServiceError(str(exc)) from None
    last = session.execute(_LAST_ENTRY, {"inc": incident_id}).first()
    number, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
    if corrects is not None and not 1 <= corrects < number:
        raise ServiceError(f"Eintrag Nr. {corrects} gibt es in diesem Ereignis nicht.")
    now = ensure_utc(recorded_at) if recorded_at is not None else utcnow()
    if scenario_time is None and is_exercise_bind(session):
        # Every entry of an exercise carries the scenario time, whichever
        # service writes it (message flow, tasks, KRITIS status, ...).
        from krisenstab.services.exercise_state import scenario_time_in

        scenario_time = scenario_time_in(session)
    values: dict[str, object] = {
        "id": new_id(),
        "incident_id": incident_id,
        "number": number,
        "recorded_at": now,
        "observed_at": ensure_utc(observed_at) if observed_at is not None else now,
        "author": actor.person.strip(),
        "function": actor.function.strip(),
        "kind": str(kind),
        "source_quality": str(source_quality),
        "text": body,
        "workstation_id": actor.workstation_id,
        "corrects": corrects,
        "facility_id": facility_id,
        "task_id": task_id,
        "message_id": message_id,
        "scenario_time": ensure_utc(scenario_time) if scenario_time is not None else None,
        "prev_hash": prev_hash,
    }
    values["hash"] = chain_hash(prev_hash, values)
    session.execute(_INSERT_ENTRY, values)
    search.index_entry(session, incident_id, number, body)
    # The new head goes to the workstation's anchor log after the commit.
    note_head(session, incident_id, number, values["hash"])
    return EntryView(**{k: v for k, v in values.items() if k != "prev_hash"})


def _views(session: Session, incident_id: str, rows: Sequence[JournalEntry]) -> list[EntryView]:
    if not rows:
        return []
    numbers = [r.number for r in rows]
    corrections: dict[int, list[int]] = {}
    for target, number in session.execute(
        select(JournalEntry.corrects, JournalEntry.number).where(
            JournalEntry.incident_id == incident_id,
            JournalEntry.corrects.in_(numbers),
        )
    ):
        corrections.setdefault(target, []).append(number)
    return [EntryView.from_row(r, tuple(sorted(corrections.get(r.number, ())))) for r in rows]


class JournalService:
    def __init__(self, db: Database, actor: Actor | None = None) -> None:
        self.db = db
        self.actor = actor
        self.scenario_clock = None  # set by the exercise mode: () -> datetime | None

    def _actor(self, actor: Actor | None) -> Actor:
        actor = actor or self.actor
        if actor is None:
            raise ServiceError("Bitte zuerst angeben, wer Sie sind und welche Funktion Sie haben.")
        return actor

    def add(
        self,
        incident_id: str,
        text: str,
        *,
        kind: str = EntryKind.VERMERK,
        source_quality: str = SourceQuality.OWN,
        observed_at: datetime | None = None,
        actor: Actor | None = None,
    ) -> EntryView:
        who = self._actor(actor)
        scenario = self.scenario_clock() if self.scenario_clock else None
        with self.db.write() as session:
            authorize(session, who, Permission.JOURNAL_WRITE)
            return write_entry(
                session,
                incident_id,
                who,
                text,
                kind=kind,
                source_quality=source_quality,
                observed_at=observed_at,
                scenario_time=scenario,
            )

    def correct(
        self,
        incident_id: str,
        number: int,
        text: str,
        *,
        actor: Actor | None = None,
        source_quality: str = SourceQuality.OWN,
    ) -> EntryView:
        """A correction is a new entry that names the entry it corrects."""
        who = self._actor(actor)
        scenario = self.scenario_clock() if self.scenario_clock else None
        with self.db.write() as session:
            authorize(session, who, Permission.JOURNAL_WRITE)
            original = session.execute(
                select(JournalEntry).where(
                    JournalEntry.incident_id == incident_id, JournalEntry.number == number
                )
            ).scalar_one_or_none()
            if original is None:
                raise ServiceError(f"Eintrag Nr. {number} gibt es in diesem Ereignis nicht.")
            return write_entry(
                session,
                incident_id,
                who,
                text,
                kind=original.kind,
                source_quality=source_quality,
                observed_at=original.observed_at,
                corrects=number,
                facility_id=original.facility_id,
                task_id=original.task_id,
                message_id=original.message_id,
                scenario_time=scenario,
            )

    # -- reading -------------------------------------------------------------
    def count(self, incident_id: str) -> int:
        with self.db.session() as session:
            return (
                session.execute(
                    select(func.max(JournalEntry.number)).where(
                        JournalEntry.incident_id == incident_id
                    )
                ).scalar_one()
                or 0
            )

    def numbers(self, incident_id: str, flt: JournalFilter | None = None) -> list[int]:
        """The matching entry numbers, ascending (cheap even for 100,000 entries)."""
        flt = flt or JournalFilter()
        with self.db.session() as session:
            if flt.is_empty:
                total = session.execute(
                    select(func.max(JournalEntry.number)).where(
                        JournalEntry.incident_id == incident_id
                    )
                ).scalar_one()
                return list(range(1, (total or 0) + 1))
            return search.entry_numbers(session, incident_id, flt)

    def fetch(self, incident_id: str, numbers: Sequence[int]) -> list[EntryView]:
        """Entries by number, in the order asked for."""
        if not numbers:
            return []
        with self.db.session() as session:
            found: dict[int, JournalEntry] = {}
            wanted = sorted(set(numbers))
            # Contiguous windows (the common case when scrolling) use a range.
            if wanted[-1] - wanted[0] + 1 == len(wanted):
                cond = JournalEntry.number.between(wanted[0], wanted[-1])
                chunks = [cond]
            else:
                chunks = [
                    JournalEntry.number.in_(wanted[i : i + 500]) for i in range(0, len(wanted), 500)
                ]
            for cond in chunks:
                for row in session.execute(
                    select(JournalEntry).where(JournalEntry.incident_id == incident_id, cond)
                ).scalars():
                    found[row.number] = row
            views = {v.number: v for v in _views(session, incident_id, list(found.values()))}
        return [views[n] for n in numbers if n in views]

    def list(self, incident_id: str, flt: JournalFilter | None = None) -> list[EntryView]:
        return self.fetch(incident_id, self.numbers(incident_id, flt))

    def entry(self, incident_id: str, number: int) -> EntryView:
        found = self.fetch(incident_id, [number])
        if not found:
            raise ServiceError(f"Eintrag Nr. {number} gibt es in diesem Ereignis nicht.")
        return found[0]

    def chain_head(self, incident_id: str) -> str:
        with self.db.session() as session:
            head = session.execute(
                select(JournalEntry.hash)
                .where(JournalEntry.incident_id == incident_id)
                .order_by(JournalEntry.number.desc())
                .limit(1)
            ).scalar_one_or_none()
        return head or GENESIS_HASH

    def functions_used(self, incident_id: str) -> list[str]:
        with self.db.session() as session:
            return search.distinct_functions(session, incident_id)

    def verify(self) -> VerifyReport:
        with self.db.session() as session:
            return verify_all(session)
