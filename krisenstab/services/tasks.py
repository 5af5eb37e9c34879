"""Use cases of tasks (Aufträge): issue, follow up, close, and keep the staff told.

Creation, every status change, every edit and every feedback writes a
journal entry of kind Auftrag that references the task, in the same
transaction. Overdue tasks are found by query (``overdue``); the GUI asks
``became_overdue(since)`` on its timer and announces the new ones without a
modal dialog.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlmodel import Session

from krisenstab.domain.journal import EntryKind, EntryView, JournalEntry
from krisenstab.domain.message import Message, format_number
from krisenstab.domain.task import (
    ACTIVE_STATUSES,
    CLOSED_STATUSES,
    Task,
    TaskFilter,
    TaskPriority,
    TaskStatus,
    TaskView,
    check_transition,
    clean_text,
    clean_title,
    parse_priority,
    parse_status,
)
from krisenstab.domain.timefmt import ensure_utc, format_dtg, utcnow
from krisenstab.services.acting import ActingService
from krisenstab.services.context import Actor, ServiceError
from krisenstab.services.permissions import Permission, require
from krisenstab.services.staff import canonical_function_name
from krisenstab.store.search import normalize


@dataclass(frozen=True)
class TaskCounts:
    """For the tab title and the status bar."""

    open: int
    in_progress: int
    overdue: int
    done: int
    not_done: int
    cancelled: int

    @property
    def active(self) -> int:
        return self.open + self.in_progress


def _clean(value: str | None, what: str) -> str | None:
    try:
        return clean_text(value, what)
    except ValueError as exc:
        raise ServiceError(str(exc)) from None


def _who(task: Task) -> str:
    return task.assigned_function + (f" ({task.assigned_person})" if task.assigned_person else "")


class TaskService(ActingService):
    # -- writing ---------------------------------------------------------------------
    def create(
        self,
        incident_id: str,
        title: str,
        *,
        assigned_function: str,
        assigned_person: str | None = None,
        due_at: datetime | None = None,
        description: str | None = None,
        priority: str = TaskPriority.NORMAL,
        intended_effect: str | None = None,
        source_message_id: str | None = None,
        actor: Actor | None = None,
    ) -> TaskView:
        who = self._actor(actor)
        require(who, Permission.TASK_WRITE)
        with self.db.write() as session:
            return self.create_in(
                session,
                incident_id,
                title,
                who,
                assigned_function=assigned_function,
                assigned_person=assigned_person,
                due_at=due_at,
                description=description,
                priority=priority,
                intended_effect=intended_effect,
                source_message_id=source_message_id,
            )

    def create_in(
        self,
        session: Session,
        incident_id: str,
        title: str,
        who: Actor,
        *,
        assigned_function: str,
        assigned_person: str | None = None,
        due_at: datetime | None = None,
        description: str | None = None,
        priority: str = TaskPriority.NORMAL,
        intended_effect: str | None = None,
        source_message_id: str | None = None,
    ) -> TaskView:
        """Create inside the caller's transaction (used for "task from message")."""
        try:
            clean = clean_title(title)
            prio = parse_priority(str(priority))
        except ValueError as exc:
            raise ServiceError(str(exc)) from None
        function = canonical_function_name(session, assigned_function)
        if len(function) > 60:
            raise ServiceError("Die Funktion ist zu lang (höchstens 60 Zeichen).")
        person = " ".join((assigned_person or "").split())[:120] or None
        body = _clean(description, "Die Beschreibung")
        effect = _clean(intended_effect, "Die beabsichtigte Wirkung")
        source_number = None
        if source_message_id is not None:
            message = session.get(Message, source_message_id)
            if message is None or message.incident_id != incident_id:
                raise ServiceError("Die Nachricht, aus der der Auftrag entsteht, gibt es nicht.")
            source_number = format_number(message.direction, message.seq)
        number = (
            session.execute(
                select(func.max(Task.number)).where(Task.incident_id == incident_id)
            ).scalar_one()
            or 0
        ) + 1
        now = utcnow()
        due = ensure_utc(due_at) if due_at is not None else None
        row = Task(
            incident_id=incident_id,
            number=number,
            title=clean,
            description=body,
            issued_by_person=who.person.strip(),
            issued_by_function=who.function.strip()[:60],
            assigned_function=function,
            assigned_person=person,
            due_at=due,
            priority=prio.value,
            intended_effect=effect,
            status=TaskStatus.OPEN.value,
            source_message_id=source_message_id,
            created_at=now,
            updated_at=now,
            workstation_id=who.workstation_id,
        )
        session.add(row)
        session.flush()
        text = f"Auftrag Nr. {number} an {_who(row)}: {clean}."
        if due is not None:
            text += f" Frist: {format_dtg(due)}."
        if prio is not TaskPriority.NORMAL:
            text += f" Priorität: {prio.value}."
        if effect:
            text += f" Beabsichtigte Wirkung: {effect}"
        if source_number:
            text += f" (aus Nachricht {source_number})"
        self._write_entry(session, incident_id, who, text, kind=EntryKind.AUFTRAG, task_id=row.id)
        return TaskView.from_row(row, now, source_number)

    def _row(self, session: Session, task_id: str) -> Task:
        row = session.get(Task, task_id)
        if row is None:
            raise ServiceError(f"Den Auftrag {task_id} gibt es nicht.")
        return row

    @staticmethod
    def _check_revision(row: Task, expected_revision: int | None) -> None:
        if expected_revision is not None and row.revision != expected_revision:
            raise ServiceError(
                f"Auftrag Nr. {row.number} wurde inzwischen an anderer Stelle geändert; "
                "bitte neu laden und die Änderung wiederholen."
            )

    def set_status(
        self,
        task_id: str,
        status: str,
        *,
        feedback: str | None = None,
        expected_revision: int | None = None,
        actor: Actor | None = None,
    ) -> TaskView:
        who = self._actor(actor)
        require(who, Permission.TASK_WRITE)
        try:
            new = parse_status(status)
        except ValueError as exc:
            raise ServiceError(str(exc)) from None
        note = _clean(feedback, "Die Rückmeldung")
        with self.db.write() as session:
            row = self._row(session, task_id)
            self._check_revision(row, expected_revision)
            try:
                check_transition(row.status, new.value)
            except ValueError as exc:
                raise ServiceError(f"Auftrag Nr. {row.number}: {exc}") from None
            old = row.status
            now = utcnow()
            row.status = new.value
            row.closed_at = now if new.value in CLOSED_STATUSES else None
            if note:
                row.feedback = note
            row.updated_at = now
            row.revision += 1
            session.add(row)
            session.flush()
            text = f"Auftrag Nr. {row.number} ({row.title}): Status {old} → {new.value}."
            if note:
                text += f" Rückmeldung: {note}"
            self._write_entry(
                session, row.incident_id, who, text, kind=EntryKind.AUFTRAG, task_id=row.id
            )
            return self._view_in(session, row, now)

    def add_feedback(self, task_id: str, feedback: str, *, actor: Actor | None = None) -> TaskView:
        """Feedback (Rückmeldung) without a status change."""
        who = self._actor(actor)
        require(who, Permission.TASK_WRITE)
        note = _clean(feedback, "Die Rückmeldung")
        if not note:
            raise ServiceError("Die Rückmeldung ist leer.")
        with self.db.write() as session:
            row = self._row(session, task_id)
            now = utcnow()
            row.feedback = note
            row.updated_at = now
            row.revision += 1
            session.add(row)
            session.flush()
            self._write_entry(
                session,
                row.incident_id,
                who,
                f"Auftrag Nr. {row.number} ({row.title}): Rückmeldung: {note}",
                kind=EntryKind.AUFTRAG,
                task_id=row.id,
            )
            return self._view_in(session, row, now)

    _UNSET = object()

    def update(
        self,
        task_id: str,
        *,
        expected_revision: int | None = None,
        title: str | None = None,
        description: str | object | None = _UNSET,
        assigned_function: str | None = None,
        assigned_person: str | object | None = _UNSET,
        due_at: datetime | object | None = _UNSET,
        priority: str | None = None,
        intended_effect: str | object | None = _UNSET,
        actor: Actor | None = None,
    ) -> TaskView:
        """Edit a task; the journal entry lists every change (old → new)."""
        who = self._actor(actor)
        require(who, Permission.TASK_WRITE)
        unset = self._UNSET
        with self.db.write() as session:
            row = self._row(session, task_id)
            self._check_revision(row, expected_revision)
            changes: list[str] = []

            def change(label: str, attr: str, new: object, shown: str | None = None) -> None:
                old = getattr(row, attr)
                if old == new:
                    return
                setattr(row, attr, new)
                old_text = format_dtg(old) if isinstance(old, datetime) else (old or "–")
                new_text = shown if shown is not None else (new or "–")
                changes.append(f"{label} {old_text} → {new_text}")

            try:
                if title is not None:
                    change("Titel", "title", clean_title(title))
                if priority is not None:
                    change("Priorität", "priority", parse_priority(priority).value)
            except ValueError as exc:
                raise ServiceError(str(exc)) from None
            if description is not unset:
                change("Beschreibung", "description", _clean(description, "Die Beschreibung"))  # type: ignore[arg-type]
            if intended_effect is not unset:
                change(
                    "Beabsichtigte Wirkung",
                    "intended_effect",
                    _clean(intended_effect, "Die beabsichtigte Wirkung"),  # type: ignore[arg-type]
                )
            if assigned_function is not None:
                change(
                    "Ausführende Funktion",
                    "assigned_function",
                    canonical_function_name(session, assigned_function)[:60],
                )
            if assigned_person is not unset:
                person = " ".join(str(assigned_person or "").split())[:120] or None
                change("Ausführende Person", "assigned_person", person)
            if due_at is not unset:
                due = ensure_utc(due_at) if isinstance(due_at, datetime) else None
                change("Frist", "due_at", due, format_dtg(due) if due else "keine")
            now = utcnow()
            if changes:
                row.updated_at = now
                row.revision += 1
                session.add(row)
                session.flush()
                self._write_entry(
                    session,
                    row.incident_id,
                    who,
                    f"Auftrag Nr. {row.number} geändert: " + "; ".join(changes) + ".",
                    kind=EntryKind.AUFTRAG,
                    task_id=row.id,
                )
            return self._view_in(session, row, now)

    # -- reading -----------------------------------------------------------------------
    def _view_in(self, session: Session, row: Task, now: datetime) -> TaskView:
        number = None
        if row.source_message_id:
            message = session.get(Message, row.source_message_id)
            if message is not None:
                number = format_number(message.direction, message.seq)
        return TaskView.from_row(row, now, number)

    def _views(self, session: Session, rows: list[Task], now: datetime) -> list[TaskView]:
        ids = {r.source_message_id for r in rows if r.source_message_id}
        numbers: dict[str, str] = {}
        if ids:
            for mid, direction, seq in session.execute(
                select(Message.id, Message.direction, Message.seq).where(Message.id.in_(ids))
            ):
                numbers[mid] = format_number(direction, seq)
        return [TaskView.from_row(r, now, numbers.get(r.source_message_id or "")) for r in rows]

    def get(self, task_id: str, *, now: datetime | None = None) -> TaskView:
        with self.db.session() as session:
            return self._view_in(session, self._row(session, task_id), now or utcnow())

    def resolve(self, incident_id: str | None, ref: str) -> TaskView:
        """A task by id, unique id prefix, or (all digits) its number in the incident."""
        ref = ref.strip().lstrip("#")
        with self.db.session() as session:
            row = session.get(Task, ref)
            if row is None and ref.isdigit() and incident_id:
                row = session.execute(
                    select(Task).where(Task.incident_id == incident_id, Task.number == int(ref))
                ).scalar_one_or_none()
            if row is None and len(ref) >= 4 and not ref.isdigit():
                query = select(Task).where(Task.id.startswith(ref, autoescape=True))
                if incident_id:
                    query = query.where(Task.incident_id == incident_id)
                matches = list(session.execute(query.limit(2)).scalars())
                if len(matches) > 1:
                    raise ServiceError(f"„{ref}“ ist nicht eindeutig; bitte die volle ID angeben.")
                row = matches[0] if matches else None
            if row is None:
                raise ServiceError(f"Den Auftrag „{ref}“ gibt es nicht.")
            return self._view_in(session, row, utcnow())

    def list(
        self,
        incident_id: str,
        flt: TaskFilter | None = None,
        *,
        now: datetime | None = None,
    ) -> list[TaskView]:
        """Active tasks first (earliest deadline first, none last), then closed ones (latest first)."""
        flt = flt or TaskFilter()
        when = ensure_utc(now) if now is not None else utcnow()
        with self.db.session() as session:
            query = select(Task).where(Task.incident_id == incident_id)
            if flt.function:
                name = canonical_function_name(session, flt.function)
                query = query.where(Task.assigned_function == name)
            if flt.statuses:
                query = query.where(Task.status.in_(list(flt.statuses)))
            if flt.active_only or flt.overdue_only:
                query = query.where(Task.status.in_(ACTIVE_STATUSES))
            if flt.overdue_only:
                query = query.where(Task.due_at.is_not(None), Task.due_at < when)
            active_first = case((Task.status.in_(ACTIVE_STATUSES), 0), else_=1)
            query = query.order_by(
                active_first,
                case((Task.due_at.is_(None), 1), else_=0),
                Task.due_at,
                Task.closed_at.desc(),
                Task.number,
            )
            rows = list(session.execute(query).scalars())
            views = self._views(session, rows, when)
        words = normalize(flt.text).split()
        if words:
            views = [v for v in views if _matches(v, words)]
        return views

    def overdue(self, incident_id: str, now: datetime | None = None) -> list[TaskView]:
        return self.list(incident_id, TaskFilter(overdue_only=True), now=now)

    def became_overdue(
        self, incident_id: str, since: datetime, now: datetime | None = None
    ) -> list[TaskView]:
        """Active tasks whose deadline passed in [since, now): what to announce since the last look."""
        when = ensure_utc(now) if now is not None else utcnow()
        start = ensure_utc(since)
        with self.db.session() as session:
            rows = list(
                session.execute(
                    select(Task)
                    .where(
                        Task.incident_id == incident_id,
                        Task.status.in_(ACTIVE_STATUSES),
                        Task.due_at >= start,
                        Task.due_at < when,
                    )
                    .order_by(Task.due_at, Task.number)
                ).scalars()
            )
            return self._views(session, rows, when)

    def next_deadline(self, incident_id: str, now: datetime | None = None) -> datetime | None:
        """When the next active task becomes overdue (for the GUI's timer), or None."""
        when = ensure_utc(now) if now is not None else utcnow()
        with self.db.session() as session:
            return session.execute(
                select(func.min(Task.due_at)).where(
                    Task.incident_id == incident_id,
                    Task.status.in_(ACTIVE_STATUSES),
                    Task.due_at >= when,
                )
            ).scalar_one()

    def counts(
        self, incident_id: str, *, function: str | None = None, now: datetime | None = None
    ) -> TaskCounts:
        when = ensure_utc(now) if now is not None else utcnow()
        with self.db.session() as session:
            query = select(Task.status, func.count()).where(Task.incident_id == incident_id)
            overdue_q = select(func.count()).where(
                Task.incident_id == incident_id,
                Task.status.in_(ACTIVE_STATUSES),
                Task.due_at.is_not(None),
                Task.due_at < when,
            )
            if function:
                name = canonical_function_name(session, function)
                query = query.where(Task.assigned_function == name)
                overdue_q = overdue_q.where(Task.assigned_function == name)
            by_status = dict(session.execute(query.group_by(Task.status)).all())
            overdue = session.execute(overdue_q).scalar_one()
        return TaskCounts(
            open=by_status.get(TaskStatus.OPEN.value, 0),
            in_progress=by_status.get(TaskStatus.IN_PROGRESS.value, 0),
            overdue=overdue,
            done=by_status.get(TaskStatus.DONE.value, 0),
            not_done=by_status.get(TaskStatus.NOT_DONE.value, 0),
            cancelled=by_status.get(TaskStatus.CANCELLED.value, 0),
        )

    def history(self, task_id: str) -> list[EntryView]:
        """The journal entries about this task, oldest first (creation, changes, feedback)."""
        with self.db.session() as session:
            rows = session.execute(
                select(JournalEntry)
                .where(JournalEntry.task_id == task_id)
                .order_by(JournalEntry.number)
            ).scalars()
            return [EntryView.from_row(r) for r in rows]

    def state_stamp(self, incident_id: str) -> tuple[int, str]:
        """Cheap fingerprint for the GUI's polling: (count, latest change)."""
        with self.db.session() as session:
            count, latest = session.execute(
                select(func.count(), func.max(Task.updated_at)).where(
                    Task.incident_id == incident_id
                )
            ).one()
            return count, latest.isoformat() if latest else ""


def _matches(view: TaskView, words: list[str]) -> bool:
    haystack = normalize(
        " ".join(
            filter(
                None,
                (
                    str(view.number),
                    view.title,
                    view.description,
                    view.assigned_function,
                    view.assigned_person,
                    view.issued_by_function,
                    view.issued_by_person,
                    view.intended_effect,
                    view.feedback,
                ),
            )
        )
    )
    return all(w in haystack for w in words)
