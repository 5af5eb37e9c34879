"""Use cases of the message desk: record, triage, distribute, acknowledge, answer.

Flow (DOMAIN.md §3): the message desk records a message and it is numbered
(E-1 …, A-1 … per incident and direction, without gaps, under the write lock
of the recording transaction) → the Sichter assigns the functions that get it
→ each addressed function acknowledges (who, when) → a task or a reply (an
A-message) can be made from it.

Recording, triage, acknowledgement and transmission each write a journal
entry (Eingang or Ausgang, by the message's direction) that references the
message, in the same transaction.

Functions named when an incoming message is recorded are routed at once (so
they can acknowledge); the message counts as triaged when the recorder may
triage, otherwise it also stays in the triage queue for the Sichter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from sqlalchemy import case, func, select
from sqlmodel import Session

from krisenstab.domain.journal import EntryKind, EntryView, JournalEntry
from krisenstab.domain.message import (
    Direction,
    InboxPage,
    InboxRow,
    Message,
    MessagePriority,
    MessageRecipient,
    MessageView,
    RecipientView,
    RegisterPage,
    clean_content,
    excerpt,
    format_number,
    parse_number,
    parse_priority,
    split_functions,
)
from krisenstab.domain.task import Task, TaskPriority, TaskView
from krisenstab.domain.timefmt import ensure_utc, format_dtg, utcnow
from krisenstab.services.acting import ActingService
from krisenstab.services.context import Actor, ServiceError
from krisenstab.services.permissions import Permission, allowed, require
from krisenstab.services.staff import canonical_function_name, canonical_function_names
from krisenstab.services.tasks import TaskService

EXCERPT_LENGTH = 200
_ORDER = {p.value: p.order for p in MessagePriority}


def _kind(direction: str) -> str:
    return EntryKind.EINGANG if direction == Direction.INCOMING else EntryKind.AUSGANG


def _line(value: str | None, what: str, limit: int, *, required: bool = False) -> str | None:
    cleaned = " ".join((value or "").replace("\x00", "").split())
    if not cleaned:
        if required:
            raise ServiceError(f"{what} fehlt.")
        return None
    if len(cleaned) > limit:
        raise ServiceError(f"{what} ist zu lang (höchstens {limit} Zeichen).")
    return cleaned


def _priority(value: str) -> MessagePriority:
    try:
        return parse_priority(str(value))
    except ValueError as exc:
        raise ServiceError(str(exc)) from None


def _recipient_names(session: Session, names: Sequence[str] | str) -> tuple[str, ...]:
    canonical = canonical_function_names(session, split_functions(names))
    for name in canonical:
        if len(name) > 120:
            raise ServiceError(f"Empfänger „{name[:40]}…“ ist zu lang (höchstens 120 Zeichen).")
    return canonical


def _recipient_view(r: MessageRecipient) -> RecipientView:
    return RecipientView(
        function=r.function,
        routed_at=r.routed_at,
        routed_by=r.routed_by,
        acknowledged_at=r.acknowledged_at,
        acknowledged_by=r.acknowledged_by,
        acknowledged_by_function=r.acknowledged_by_function,
    )


def _message_view(
    row: Message,
    recipients: tuple[RecipientView, ...],
    task_ids: tuple[str, ...],
    replies: tuple[str, ...],
    reply_to_number: str | None,
) -> MessageView:
    return MessageView(
        id=row.id,
        incident_id=row.incident_id,
        direction=row.direction,
        seq=row.seq,
        intake_channel=row.intake_channel,
        intake_at=row.intake_at,
        intake_by=row.intake_by,
        accepted_at=row.accepted_at,
        accepted_by=row.accepted_by,
        transmitted_at=row.transmitted_at,
        transmitted_by=row.transmitted_by,
        transmitted_via=row.transmitted_via,
        header=row.header,
        priority=row.priority,
        addressee=row.addressee,
        conversation_note=row.conversation_note,
        content=row.content,
        composed_at=row.composed_at,
        sender=row.sender,
        sender_sign=row.sender_sign,
        sender_function=row.sender_function,
        triaged_at=row.triaged_at,
        triaged_by=row.triaged_by,
        reply_to_id=row.reply_to_id,
        reply_to_number=reply_to_number,
        external_ref=row.external_ref,
        recorded_by=row.recorded_by,
        recorded_by_function=row.recorded_by_function,
        created_at=row.created_at,
        recipients=recipients,
        task_ids=task_ids,
        reply_numbers=replies,
    )


class MessageService(ActingService):
    # -- recording ---------------------------------------------------------------------
    def record_incoming(
        self,
        incident_id: str,
        *,
        sender: str,
        content: str,
        to_functions: Sequence[str] | str = (),
        priority: str = MessagePriority.EINFACH,
        channel: str = "Funk",
        addressee: str | None = None,
        header: str | None = None,
        composed_at: datetime | None = None,
        received_at: datetime | None = None,
        sender_sign: str | None = None,
        sender_function: str | None = None,
        conversation_note: bool = False,
        external_ref: str | None = None,
        actor: Actor | None = None,
    ) -> MessageView:
        """An E-message as taken in by the message desk (fields 1, 4–12 of the form).

        This is also the entry point for alerts from outside (CAP): sender,
        channel ("Warnsystem (CAP)"), content, priority, addressed functions
        and the alert's identifier as ``external_ref``.
        """
        who = self._actor(actor)
        require(who, Permission.MESSAGE_RECORD)
        with self.db.write() as session:
            return self._record(
                session,
                incident_id,
                who,
                direction=Direction.INCOMING,
                sender=sender,
                content=content,
                to=to_functions,
                priority=priority,
                channel=channel,
                addressee=addressee,
                header=header,
                composed_at=composed_at,
                at=received_at,
                sender_sign=sender_sign,
                sender_function=sender_function,
                conversation_note=conversation_note,
                external_ref=external_ref,
            )

    def record_outgoing(
        self,
        incident_id: str,
        *,
        content: str,
        to: Sequence[str] | str,
        priority: str = MessagePriority.EINFACH,
        channel: str = "Funk",
        sender: str | None = None,
        addressee: str | None = None,
        header: str | None = None,
        composed_at: datetime | None = None,
        accepted_at: datetime | None = None,
        sender_sign: str | None = None,
        sender_function: str | None = None,
        conversation_note: bool = False,
        transmitted_at: datetime | None = None,
        transmitted_via: str | None = None,
        reply_to_id: str | None = None,
        external_ref: str | None = None,
        actor: Actor | None = None,
    ) -> MessageView:
        """An A-message accepted by the message desk for transmission (Annahmevermerk).

        ``to`` are the recipients (staff functions or outside addressees); each
        acknowledgement records their Quittung.
        """
        who = self._actor(actor)
        require(who, Permission.MESSAGE_RECORD)
        with self.db.write() as session:
            return self._record(
                session,
                incident_id,
                who,
                direction=Direction.OUTGOING,
                sender=sender or who.function,
                content=content,
                to=to,
                priority=priority,
                channel=channel,
                addressee=addressee,
                header=header,
                composed_at=composed_at,
                at=accepted_at,
                sender_sign=sender_sign,
                sender_function=sender_function or who.function,
                conversation_note=conversation_note,
                external_ref=external_ref,
                transmitted_at=transmitted_at,
                transmitted_via=transmitted_via,
                reply_to_id=reply_to_id,
            )

    def _record(
        self,
        session: Session,
        incident_id: str,
        who: Actor,
        *,
        direction: Direction,
        sender: str,
        content: str,
        to: Sequence[str] | str,
        priority: str,
        channel: str,
        addressee: str | None,
        header: str | None,
        composed_at: datetime | None,
        at: datetime | None,
        sender_sign: str | None,
        sender_function: str | None,
        conversation_note: bool,
        external_ref: str | None,
        transmitted_at: datetime | None = None,
        transmitted_via: str | None = None,
        reply_to_id: str | None = None,
    ) -> MessageView:
        try:
            body = clean_content(content)
        except ValueError as exc:
            raise ServiceError(str(exc)) from None
        prio = _priority(priority)
        clean_sender = _line(sender, "Der Absender", 200, required=True)
        clean_channel = _line(channel, "Der Übermittlungsweg", 60) or "Sonstiges"
        recipients = _recipient_names(session, to)
        if direction is Direction.OUTGOING and not recipients:
            raise ServiceError("Bitte angeben, an wen die Nachricht geht.")
        clean_addressee = _line(addressee, "Die Anschrift", 500) or (
            ", ".join(recipients) if recipients else "Stab"
        )
        original = None
        if reply_to_id is not None:
            original = session.get(Message, reply_to_id)
            if original is None or original.incident_id != incident_id:
                raise ServiceError("Die beantwortete Nachricht gibt es in diesem Ereignis nicht.")
        now = utcnow()
        when = ensure_utc(at) if at is not None else now
        seq = (
            session.execute(
                select(func.max(Message.seq)).where(
                    Message.incident_id == incident_id, Message.direction == direction.value
                )
            ).scalar_one()
            or 0
        ) + 1
        triaged = direction is Direction.OUTGOING or (
            bool(recipients) and allowed(who, Permission.MESSAGE_TRIAGE)
        )
        row = Message(
            incident_id=incident_id,
            direction=direction.value,
            seq=seq,
            intake_channel=clean_channel,
            intake_at=when,
            intake_by=who.person.strip(),
            accepted_at=when if direction is Direction.OUTGOING else None,
            accepted_by=who.person.strip() if direction is Direction.OUTGOING else None,
            transmitted_at=ensure_utc(transmitted_at) if transmitted_at else None,
            transmitted_by=who.person.strip() if transmitted_at else None,
            transmitted_via=_line(transmitted_via, "Der Beförderungsweg", 60),
            header=_line(header, "Der Spruchkopf", 500),
            priority=prio.value,
            addressee=clean_addressee,
            conversation_note=bool(conversation_note),
            content=body,
            composed_at=ensure_utc(composed_at) if composed_at else None,
            sender=clean_sender,
            sender_sign=_line(sender_sign, "Das Zeichen", 60),
            sender_function=_line(sender_function, "Die Funktion des Absenders", 120),
            triaged_at=now if triaged else None,
            triaged_by=who.person.strip() if triaged else None,
            reply_to_id=reply_to_id,
            external_ref=_line(external_ref, "Die externe Kennung", 300),
            recorded_by=who.person.strip(),
            recorded_by_function=who.function.strip()[:60],
            created_at=now,
            workstation_id=who.workstation_id,
        )
        session.add(row)
        session.flush()
        for name in recipients:
            session.add(self._recipient(row, name, who, now))
        session.flush()
        number = format_number(row.direction, seq)
        if direction is Direction.INCOMING:
            text = f"{number} ({prio.label}) über {clean_channel} von {clean_sender}"
            if recipients:
                text += f" an {', '.join(recipients)}"
        else:
            text = f"{number} ({prio.label}) an {', '.join(recipients)} über {clean_channel}"
        if original is not None:
            text += f" (Antwort auf {format_number(original.direction, original.seq)})"
        text += f": {excerpt(body, 400)}"
        self._write_entry(
            session,
            incident_id,
            who,
            text,
            kind=_kind(row.direction),
            observed_at=when,
            message_id=row.id,
        )
        return self._view_in(session, row)

    @staticmethod
    def _recipient(row: Message, name: str, who: Actor, now: datetime) -> MessageRecipient:
        return MessageRecipient(
            message_id=row.id,
            incident_id=row.incident_id,
            direction=row.direction,
            seq=row.seq,
            priority_order=_ORDER[row.priority],
            function=name,
            routed_at=now,
            routed_by=who.person.strip(),
        )

    # -- distribution ------------------------------------------------------------------
    def _row(self, session: Session, message_id: str) -> Message:
        row = session.get(Message, message_id)
        if row is None:
            raise ServiceError(f"Die Nachricht {message_id} gibt es nicht.")
        return row

    def triage(
        self,
        message_id: str,
        functions: Sequence[str] | str,
        *,
        replace: bool = False,
        actor: Actor | None = None,
    ) -> MessageView:
        """The Sichter decides who gets the message: adds these functions (``replace``:
        and withdraws it from unacknowledged others; acknowledged ones stay)."""
        who = self._actor(actor)
        require(who, Permission.MESSAGE_TRIAGE)
        with self.db.write() as session:
            row = self._row(session, message_id)
            wanted = _recipient_names(session, functions)
            existing = {
                r.function: r
                for r in session.execute(
                    select(MessageRecipient).where(MessageRecipient.message_id == row.id)
                ).scalars()
            }
            if not wanted and not existing:
                raise ServiceError("Bitte mindestens eine Funktion zuweisen.")
            now = utcnow()
            added = [name for name in wanted if name not in existing]
            for name in added:
                session.add(self._recipient(row, name, who, now))
            withdrawn = []
            if replace:
                for name, recipient in existing.items():
                    if name not in wanted and not recipient.acknowledged:
                        session.delete(recipient)
                        withdrawn.append(name)
            row.triaged_at = now
            row.triaged_by = who.person.strip()
            session.add(row)
            session.flush()
            current = [n for n in existing if n not in withdrawn] + added
            number = format_number(row.direction, row.seq)
            text = f"{number} gesichtet: zuständig {', '.join(current) or '–'}."
            if withdrawn:
                text += f" Nicht mehr zuständig: {', '.join(withdrawn)}."
            self._write_entry(
                session, row.incident_id, who, text, kind=_kind(row.direction), message_id=row.id
            )
            return self._view_in(session, row)

    def acknowledge(
        self,
        message_id: str,
        *,
        function: str | None = None,
        at: datetime | None = None,
        actor: Actor | None = None,
    ) -> MessageView:
        """``function`` (default: the actor's) acknowledges the message (Quittung)."""
        who = self._actor(actor)
        require(who, Permission.MESSAGE_ACK)
        with self.db.write() as session:
            row = self._row(session, message_id)
            name = canonical_function_name(session, function or who.function)
            number = format_number(row.direction, row.seq)
            recipient = session.execute(
                select(MessageRecipient).where(
                    MessageRecipient.message_id == row.id, MessageRecipient.function == name
                )
            ).scalar_one_or_none()
            if recipient is None:
                addressed = session.execute(
                    select(MessageRecipient.function).where(MessageRecipient.message_id == row.id)
                ).scalars()
                shown = ", ".join(addressed) or "noch niemand (ungesichtet)"
                raise ServiceError(f"{number} ist nicht an {name} gerichtet (an: {shown}).")
            if recipient.acknowledged:
                when = format_dtg(recipient.acknowledged_at) if recipient.acknowledged_at else "?"
                raise ServiceError(
                    f"{number} wurde von {name} bereits quittiert ({recipient.acknowledged_by}, {when})."
                )
            when = ensure_utc(at) if at is not None else utcnow()
            recipient.acknowledged = True
            recipient.acknowledged_at = when
            recipient.acknowledged_by = who.person.strip()
            recipient.acknowledged_by_function = who.function.strip()[:60]
            session.add(recipient)
            session.flush()
            text = f"{number} quittiert durch {name}"
            text += (
                f" ({who.person.strip()})."
                if who.function.strip() == name
                else (f" ({who.person.strip()}, {who.function.strip()}).")
            )
            self._write_entry(
                session,
                row.incident_id,
                who,
                text,
                kind=_kind(row.direction),
                observed_at=when,
                message_id=row.id,
            )
            return self._view_in(session, row)

    def mark_transmitted(
        self,
        message_id: str,
        *,
        via: str | None = None,
        at: datetime | None = None,
        actor: Actor | None = None,
    ) -> MessageView:
        """Beförderungsvermerk: the message went out (or was passed on) at ``at`` via ``via``."""
        who = self._actor(actor)
        require(who, Permission.MESSAGE_RECORD)
        with self.db.write() as session:
            row = self._row(session, message_id)
            if row.transmitted_at is not None:
                raise ServiceError(
                    f"{format_number(row.direction, row.seq)} ist bereits befördert "
                    f"({format_dtg(row.transmitted_at)})."
                )
            when = ensure_utc(at) if at is not None else utcnow()
            row.transmitted_at = when
            row.transmitted_by = who.person.strip()
            row.transmitted_via = _line(via, "Der Beförderungsweg", 60) or row.intake_channel
            session.add(row)
            session.flush()
            self._write_entry(
                session,
                row.incident_id,
                who,
                f"{format_number(row.direction, row.seq)} befördert über {row.transmitted_via}.",
                kind=_kind(row.direction),
                observed_at=when,
                message_id=row.id,
            )
            return self._view_in(session, row)

    def create_task_from(
        self,
        message_id: str,
        *,
        assigned_function: str,
        title: str | None = None,
        assigned_person: str | None = None,
        due_at: datetime | None = None,
        description: str | None = None,
        priority: str = TaskPriority.NORMAL,
        intended_effect: str | None = None,
        actor: Actor | None = None,
    ) -> TaskView:
        """A task arising from this message (the task references it)."""
        who = self._actor(actor)
        require(who, Permission.TASK_WRITE)
        with self.db.write() as session:
            row = self._row(session, message_id)
            tasks = TaskService(self.db)
            tasks.scenario_clock = self.scenario_clock
            return tasks.create_in(
                session,
                row.incident_id,
                title or excerpt(row.content, 120),
                who,
                assigned_function=assigned_function,
                assigned_person=assigned_person,
                due_at=due_at,
                description=description if description is not None else row.content,
                priority=priority,
                intended_effect=intended_effect,
                source_message_id=row.id,
            )

    def reply_to(
        self,
        message_id: str,
        content: str,
        *,
        to: Sequence[str] | str | None = None,
        priority: str | None = None,
        channel: str | None = None,
        at: datetime | None = None,
        actor: Actor | None = None,
    ) -> MessageView:
        """An A-message answering this one; by default to its sender, same priority and channel.

        ``at``: when the desk accepted the answer (default now)."""
        who = self._actor(actor)
        require(who, Permission.MESSAGE_RECORD)
        with self.db.write() as session:
            original = self._row(session, message_id)
            if to is None:
                if original.direction == Direction.INCOMING:
                    to = (original.sender[:120],)
                else:
                    to = tuple(
                        session.execute(
                            select(MessageRecipient.function).where(
                                MessageRecipient.message_id == original.id
                            )
                        ).scalars()
                    )
            return self._record(
                session,
                original.incident_id,
                who,
                direction=Direction.OUTGOING,
                sender=who.function,
                content=content,
                to=to,
                priority=priority or original.priority,
                channel=channel or original.intake_channel,
                addressee=None,
                header=None,
                composed_at=None,
                at=at,
                sender_sign=None,
                sender_function=who.function,
                conversation_note=False,
                external_ref=None,
                reply_to_id=original.id,
            )

    # -- reading -----------------------------------------------------------------------------
    def _view_in(self, session: Session, row: Message) -> MessageView:
        recipients = tuple(
            _recipient_view(r)
            for r in session.execute(
                select(MessageRecipient)
                .where(MessageRecipient.message_id == row.id)
                .order_by(MessageRecipient.routed_at, MessageRecipient.function)
            ).scalars()
        )
        reply_to_number = None
        if row.reply_to_id:
            original = session.get(Message, row.reply_to_id)
            if original is not None:
                reply_to_number = format_number(original.direction, original.seq)
        task_ids = tuple(
            session.execute(
                select(Task.id).where(Task.source_message_id == row.id).order_by(Task.number)
            ).scalars()
        )
        replies = tuple(
            format_number(d, s)
            for d, s in session.execute(
                select(Message.direction, Message.seq)
                .where(Message.reply_to_id == row.id)
                .order_by(Message.seq)
            )
        )
        return _message_view(row, recipients, task_ids, replies, reply_to_number)

    def views(
        self,
        incident_id: str,
        *,
        direction: str | None = None,
        function: str | None = None,
        unacknowledged_only: bool = False,
    ) -> list[MessageView]:
        """Whole messages in register order (E before A, by number), read in bulk.

        ``function``: only those addressed to it; ``unacknowledged_only``: only
        those with an acknowledgement still missing (of ``function``, or anyone's).
        """
        with self.db.session() as session:
            query = select(Message).where(Message.incident_id == incident_id)
            if direction is not None:
                query = query.where(Message.direction == str(Direction(direction)))
            name = canonical_function_name(session, function) if function else None
            if name is not None or unacknowledged_only:
                r = MessageRecipient
                sub = select(r.message_id).where(r.incident_id == incident_id)
                if name is not None:
                    sub = sub.where(r.function == name)
                if unacknowledged_only:
                    sub = sub.where(r.acknowledged.is_(False))
                query = query.where(Message.id.in_(sub))
            rows = list(
                session.execute(query.order_by(Message.direction.desc(), Message.seq)).scalars()
            )
            if not rows:
                return []
            recipients: dict[str, list[RecipientView]] = {}
            tasks: dict[str, list[str]] = {}
            numbers = {m.id: format_number(m.direction, m.seq) for m in rows}
            replies: dict[str, list[str]] = {}
            for r in session.execute(
                select(MessageRecipient)
                .where(MessageRecipient.incident_id == incident_id)
                .order_by(MessageRecipient.routed_at, MessageRecipient.function)
            ).scalars():
                recipients.setdefault(r.message_id, []).append(_recipient_view(r))
            for tid, mid in session.execute(
                select(Task.id, Task.source_message_id)
                .where(Task.incident_id == incident_id, Task.source_message_id.is_not(None))
                .order_by(Task.number)
            ):
                tasks.setdefault(mid, []).append(tid)
            all_numbers = dict(numbers)
            for mid, d, s, reply in session.execute(
                select(Message.id, Message.direction, Message.seq, Message.reply_to_id).where(
                    Message.incident_id == incident_id
                )
            ):
                all_numbers[mid] = format_number(d, s)
                if reply:
                    replies.setdefault(reply, []).append(format_number(d, s))
            return [
                _message_view(
                    m,
                    tuple(recipients.get(m.id, ())),
                    tuple(tasks.get(m.id, ())),
                    tuple(replies.get(m.id, ())),
                    all_numbers.get(m.reply_to_id) if m.reply_to_id else None,
                )
                for m in rows
            ]

    def get(self, message_id: str) -> MessageView:
        with self.db.session() as session:
            return self._view_in(session, self._row(session, message_id))

    def by_number(self, incident_id: str, number: str) -> MessageView:
        """``E-12`` / ``a3`` → the message of this incident."""
        try:
            direction, seq = parse_number(number)
        except ValueError as exc:
            raise ServiceError(str(exc)) from None
        with self.db.session() as session:
            row = session.execute(
                select(Message).where(
                    Message.incident_id == incident_id,
                    Message.direction == direction.value,
                    Message.seq == seq,
                )
            ).scalar_one_or_none()
            if row is None:
                raise ServiceError(
                    f"Die Nachricht {format_number(direction.value, seq)} gibt es nicht."
                )
            return self._view_in(session, row)

    def find_by_external_ref(self, incident_id: str, external_ref: str) -> MessageView | None:
        """The message recorded from this outside id (e.g. a CAP identifier), if any."""
        with self.db.session() as session:
            row = session.execute(
                select(Message)
                .where(Message.external_ref == external_ref, Message.incident_id == incident_id)
                .order_by(Message.created_at)
                .limit(1)
            ).scalar_one_or_none()
            return self._view_in(session, row) if row is not None else None

    _SUMMARY_COLUMNS = (
        Message.id,
        Message.direction,
        Message.seq,
        Message.priority,
        Message.intake_at,
        Message.intake_channel,
        Message.sender,
        Message.addressee,
        func.substr(Message.content, 1, EXCERPT_LENGTH + 40),
        Message.triaged_at,
        Message.reply_to_id,
    )

    @staticmethod
    def _summary(values: Sequence, **extra: object) -> InboxRow:  # type: ignore[type-arg]
        (
            mid,
            direction,
            seq,
            priority,
            intake_at,
            channel,
            sender,
            addressee,
            body,
            triaged_at,
            reply,
        ) = values
        return InboxRow(
            message_id=mid,
            number=format_number(direction, seq),
            direction=direction,
            seq=seq,
            priority=priority,
            intake_at=intake_at,
            intake_channel=channel,
            sender=sender,
            addressee=addressee,
            excerpt=excerpt(body or "", EXCERPT_LENGTH),
            triaged=triaged_at is not None,
            reply_to_id=reply,
            **extra,  # type: ignore[arg-type]
        )

    def inbox(
        self,
        incident_id: str,
        function: str,
        *,
        offset: int = 0,
        limit: int = 50,
        direction: str = Direction.INCOMING,
    ) -> InboxPage:
        """A function's messages: unacknowledged first (Blitz, Sofort, Einfach; each in
        order of arrival), then acknowledged ones (newest first), plus the counts."""
        with self.db.session() as session:
            name = canonical_function_name(session, function)
            r = MessageRecipient
            base = (r.incident_id == incident_id, r.function == name, r.direction == str(direction))
            counts = session.execute(
                select(r.acknowledged, r.priority_order, func.count())
                .where(*base)
                .group_by(r.acknowledged, r.priority_order)
            ).all()
            by_priority: dict[str, int] = {p.value: 0 for p in MessagePriority}
            open_total = 0
            total = 0
            order_to_value = {p.order: p.value for p in MessagePriority}
            for acknowledged, order, count in counts:
                total += count
                if not acknowledged:
                    open_total += count
                    by_priority[order_to_value.get(order, MessagePriority.EINFACH.value)] += count
            rows: list[InboxRow] = []
            columns = (*self._SUMMARY_COLUMNS, r.acknowledged_at, r.acknowledged_by)
            if offset < open_total:
                open_rows = session.execute(
                    select(*columns)
                    .select_from(r)
                    .join(Message, Message.id == r.message_id)
                    .where(*base, r.acknowledged.is_(False))
                    .order_by(r.priority_order, r.seq)
                    .offset(offset)
                    .limit(limit)
                ).all()
                rows.extend(self._inbox_row(v) for v in open_rows)
            remaining = limit - len(rows)
            if remaining > 0 and offset + len(rows) < total:
                done_offset = max(0, offset - open_total)
                done_rows = session.execute(
                    select(*columns)
                    .select_from(r)
                    .join(Message, Message.id == r.message_id)
                    .where(*base, r.acknowledged.is_(True))
                    .order_by(r.seq.desc())
                    .offset(done_offset)
                    .limit(remaining)
                ).all()
                rows.extend(self._inbox_row(v) for v in done_rows)
            return InboxPage(
                function=name,
                rows=rows,
                offset=offset,
                total=total,
                unacknowledged=open_total,
                unacknowledged_by_priority=by_priority,
            )

    def _inbox_row(self, values: Sequence) -> InboxRow:  # type: ignore[type-arg]
        *summary, acknowledged_at, acknowledged_by = values
        return self._summary(
            summary, acknowledged_at=acknowledged_at, acknowledged_by=acknowledged_by
        )

    def _with_recipients(self, session: Session, rows: list[InboxRow]) -> list[InboxRow]:
        if not rows:
            return rows
        to: dict[str, list[str]] = {}
        acked: dict[str, list[str]] = {}
        for mid, name, acknowledged in session.execute(
            select(
                MessageRecipient.message_id,
                MessageRecipient.function,
                MessageRecipient.acknowledged,
            )
            .where(MessageRecipient.message_id.in_([r.message_id for r in rows]))
            .order_by(MessageRecipient.routed_at, MessageRecipient.function)
        ):
            to.setdefault(mid, []).append(name)
            if acknowledged:
                acked.setdefault(mid, []).append(name)
        return [
            replace(
                r,
                to=tuple(to.get(r.message_id, ())),
                acknowledged_functions=tuple(acked.get(r.message_id, ())),
            )
            for r in rows
        ]

    def register(
        self,
        incident_id: str,
        *,
        direction: str | None = None,
        offset: int = 0,
        limit: int = 100,
        newest_first: bool = False,
    ) -> RegisterPage:
        """The Ein-/Ausgangsnachweisung: every message of one direction (or both) by number."""
        with self.db.session() as session:
            conditions = [Message.incident_id == incident_id]
            if direction is not None:
                conditions.append(Message.direction == str(Direction(direction)))
            total = session.execute(select(func.count()).where(*conditions)).scalar_one()
            order = (
                (Message.created_at.desc(), Message.seq.desc())
                if newest_first
                else (Message.direction.desc(), Message.seq)
            )
            if direction is not None:
                order = (Message.seq.desc(),) if newest_first else (Message.seq,)
            values = session.execute(
                select(*self._SUMMARY_COLUMNS)
                .where(*conditions)
                .order_by(*order)
                .offset(offset)
                .limit(limit)
            ).all()
            rows = [self._summary(v, acknowledged_at=None, acknowledged_by=None) for v in values]
            return RegisterPage(
                rows=self._with_recipients(session, rows), offset=offset, total=total
            )

    def triage_queue(self, incident_id: str, *, offset: int = 0, limit: int = 50) -> RegisterPage:
        """Incoming messages not yet triaged: Blitz first, then Sofort, then Einfach, by arrival."""
        with self.db.session() as session:
            conditions = (
                Message.incident_id == incident_id,
                Message.direction == Direction.INCOMING.value,
                Message.triaged_at.is_(None),
            )
            total = session.execute(select(func.count()).where(*conditions)).scalar_one()
            urgency = case(_ORDER, value=Message.priority, else_=9)
            values = session.execute(
                select(*self._SUMMARY_COLUMNS)
                .where(*conditions)
                .order_by(urgency, Message.seq)
                .offset(offset)
                .limit(limit)
            ).all()
            rows = [self._summary(v, acknowledged_at=None, acknowledged_by=None) for v in values]
            return RegisterPage(
                rows=self._with_recipients(session, rows), offset=offset, total=total
            )

    def unacknowledged_blitz(self, incident_id: str, function: str | None = None) -> list[InboxRow]:
        """Blitz messages still waiting for ``function``'s acknowledgement (None: anyone's).

        The GUI shows these in front of the work, non-modal, until acknowledged.
        """
        with self.db.session() as session:
            r = MessageRecipient
            conditions = [
                r.incident_id == incident_id,
                r.acknowledged.is_(False),
                r.priority_order == MessagePriority.BLITZ.order,
            ]
            if function is not None:
                conditions.append(r.function == canonical_function_name(session, function))
            values = session.execute(
                select(*self._SUMMARY_COLUMNS)
                .select_from(r)
                .join(Message, Message.id == r.message_id)
                .where(*conditions)
                .distinct()
                .order_by(Message.direction.desc(), Message.seq)
            ).all()
            rows = [self._summary(v, acknowledged_at=None, acknowledged_by=None) for v in values]
            return self._with_recipients(session, rows)

    def journal_entries(self, message_id: str) -> list[EntryView]:
        """The journal entries about this message (recording, triage, acknowledgements)."""
        with self.db.session() as session:
            rows = session.execute(
                select(JournalEntry)
                .where(JournalEntry.message_id == message_id)
                .order_by(JournalEntry.number)
            ).scalars()
            return [EntryView.from_row(e) for e in rows]

    def state_stamp(self, incident_id: str) -> tuple[int, int, int]:
        """Cheap fingerprint for the GUI's polling: (messages, routings, acknowledgements)."""
        with self.db.session() as session:
            messages = session.execute(
                select(func.count()).where(Message.incident_id == incident_id)
            ).scalar_one()
            routed, acknowledged = session.execute(
                select(
                    func.count(),
                    func.coalesce(
                        func.sum(case((MessageRecipient.acknowledged.is_(True), 1), else_=0)), 0
                    ),
                ).where(MessageRecipient.incident_id == incident_id)
            ).one()
            return messages, routed, int(acknowledged)
