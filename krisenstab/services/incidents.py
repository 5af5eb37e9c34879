"""Use cases for incidents (Ereignisse)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from krisenstab.domain.incident import STATUS_CLOSED, STATUS_OPEN, Incident, validate_title
from krisenstab.domain.journal import EntryKind, JournalEntry
from krisenstab.domain.timefmt import utcnow
from krisenstab.services.context import Actor, ServiceError
from krisenstab.services.journal import write_entry
from krisenstab.services.permissions import Permission, authorize
from krisenstab.store.database import Database


@dataclass(frozen=True)
class IncidentView:
    id: str
    title: str
    status: str
    created_at: datetime
    created_by: str
    closed_at: datetime | None
    entries: int

    @property
    def is_closed(self) -> bool:
        return self.status == STATUS_CLOSED


def _view(incident: Incident, entries: int) -> IncidentView:
    return IncidentView(
        id=incident.id,
        title=incident.title,
        status=incident.status,
        created_at=incident.created_at,
        created_by=incident.created_by,
        closed_at=incident.closed_at,
        entries=entries,
    )


class IncidentService:
    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, title: str, actor: Actor) -> IncidentView:
        try:
            clean = validate_title(title)
        except ValueError as exc:
            raise ServiceError(str(exc)) from None
        with self.db.write() as session:
            authorize(session, actor, Permission.INCIDENT_MANAGE)
            incident = Incident(
                title=clean,
                created_at=utcnow(),
                created_by=actor.person,
                workstation_id=actor.workstation_id,
            )
            session.add(incident)
            session.flush()
            write_entry(
                session,
                incident.id,
                actor,
                f"Ereignis „{clean}“ eröffnet. Einsatztagebuch begonnen.",
                kind=EntryKind.SYSTEM,
            )
            view = _view(incident, 1)
        return view

    def list(self, include_closed: bool = True) -> list[IncidentView]:
        with self.db.session() as session:
            # Numbers are gapless, so the highest number is the count; read per
            # incident from the (incident_id, number) index, not by a full scan.
            last = (
                select(func.max(JournalEntry.number))
                .where(JournalEntry.incident_id == Incident.id)
                .scalar_subquery()
            )
            query = select(Incident, last).order_by(Incident.created_at.desc())
            if not include_closed:
                query = query.where(Incident.status == STATUS_OPEN)
            return [_view(i, n or 0) for i, n in session.execute(query).all()]

    def get(self, incident_id: str) -> IncidentView:
        with self.db.session() as session:
            incident = session.get(Incident, incident_id)
            if incident is None:
                raise ServiceError(f"Ereignis {incident_id} gibt es nicht.")
            entries = (
                session.execute(
                    select(func.max(JournalEntry.number)).where(
                        JournalEntry.incident_id == incident_id
                    )
                ).scalar_one()
                or 0
            )
            return _view(incident, entries)

    def resolve(self, incident_id: str | None) -> IncidentView:
        """The incident meant: the given id (or unique id prefix), or the only open one."""
        incidents = self.list()
        if incident_id:
            matches = [i for i in incidents if i.id == incident_id] or [
                i for i in incidents if i.id.startswith(incident_id)
            ]
            if len(matches) == 1:
                return matches[0]
            if not matches:
                raise ServiceError(f"Ereignis „{incident_id}“ gibt es nicht.")
            raise ServiceError(f"„{incident_id}“ ist nicht eindeutig; bitte die volle ID angeben.")
        open_ones = [i for i in incidents if not i.is_closed]
        if len(open_ones) == 1:
            return open_ones[0]
        if not open_ones:
            raise ServiceError("Es gibt kein offenes Ereignis; bitte zuerst eines anlegen.")
        raise ServiceError(
            f"Es sind {len(open_ones)} Ereignisse offen; bitte mit --incident ID eines wählen."
        )

    def rename(self, incident_id: str, title: str, actor: Actor) -> IncidentView:
        try:
            clean = validate_title(title)
        except ValueError as exc:
            raise ServiceError(str(exc)) from None
        with self.db.write() as session:
            authorize(session, actor, Permission.INCIDENT_MANAGE)
            incident = session.get(Incident, incident_id)
            if incident is None:
                raise ServiceError(f"Ereignis {incident_id} gibt es nicht.")
            if incident.is_closed:
                raise ServiceError("Ein abgeschlossenes Ereignis kann nicht umbenannt werden.")
            old = incident.title
            if old == clean:
                return self.get(incident_id)
            write_entry(
                session,
                incident_id,
                actor,
                f"Ereignis umbenannt: „{old}“ → „{clean}“.",
                kind=EntryKind.SYSTEM,
            )
            incident.title = clean
            session.add(incident)
        return self.get(incident_id)

    def close(self, incident_id: str, actor: Actor) -> IncidentView:
        with self.db.write() as session:
            authorize(session, actor, Permission.INCIDENT_MANAGE)
            incident = session.get(Incident, incident_id)
            if incident is None:
                raise ServiceError(f"Ereignis {incident_id} gibt es nicht.")
            if incident.is_closed:
                raise ServiceError("Das Ereignis ist bereits abgeschlossen.")
            write_entry(
                session,
                incident_id,
                actor,
                f"Ereignis „{incident.title}“ abgeschlossen. Einsatztagebuch geschlossen.",
                kind=EntryKind.SYSTEM,
            )
            incident.status = STATUS_CLOSED
            incident.closed_at = utcnow()
            session.add(incident)
        return self.get(incident_id)
