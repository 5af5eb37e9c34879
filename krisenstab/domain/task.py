"""Tasks (Aufträge): what, issued by whom, carried out by whom, until when, to what effect.

FwDV 100 "Kontrolle": the staff checks what was done against what was
intended, so every task keeps its intended effect and the feedback. Overdue
= the deadline has passed while the task is still open or in progress.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from krisenstab.domain.base import UTCDateTime, new_id

TITLE_MAX = 200
TEXT_MAX = 20_000


class TaskStatus(StrEnum):
    OPEN = "offen"
    IN_PROGRESS = "in Arbeit"
    DONE = "erledigt"
    NOT_DONE = "nicht erledigt"
    CANCELLED = "storniert"


ACTIVE_STATUSES: tuple[str, ...] = (TaskStatus.OPEN.value, TaskStatus.IN_PROGRESS.value)
CLOSED_STATUSES: tuple[str, ...] = (
    TaskStatus.DONE.value,
    TaskStatus.NOT_DONE.value,
    TaskStatus.CANCELLED.value,
)

# Which status may follow which. A cancelled task stays cancelled (a new task
# is issued instead); a finished one can be taken up again.
TRANSITIONS: dict[str, frozenset[str]] = {
    TaskStatus.OPEN: frozenset(
        {TaskStatus.IN_PROGRESS, TaskStatus.DONE, TaskStatus.NOT_DONE, TaskStatus.CANCELLED}
    ),
    TaskStatus.IN_PROGRESS: frozenset(
        {TaskStatus.OPEN, TaskStatus.DONE, TaskStatus.NOT_DONE, TaskStatus.CANCELLED}
    ),
    TaskStatus.DONE: frozenset({TaskStatus.IN_PROGRESS}),
    TaskStatus.NOT_DONE: frozenset({TaskStatus.OPEN, TaskStatus.IN_PROGRESS}),
    TaskStatus.CANCELLED: frozenset(),
}


class TaskPriority(StrEnum):
    LOW = "niedrig"
    NORMAL = "normal"
    HIGH = "hoch"


class Task(SQLModel, table=True):
    __tablename__ = "task"
    __table_args__ = (
        UniqueConstraint("incident_id", "number", name="uq_task_number"),
        Index("ix_task_incident_status_due", "incident_id", "status", "due_at"),
        Index("ix_task_incident_function", "incident_id", "assigned_function"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    incident_id: str = Field(foreign_key="incident.id", max_length=36)
    # Running number per incident ("Auftrag 7"), as the staff says it aloud.
    number: int
    title: str = Field(max_length=TITLE_MAX)
    description: str | None = None
    issued_by_person: str = Field(max_length=120)
    issued_by_function: str = Field(max_length=60)
    assigned_function: str = Field(max_length=60)
    assigned_person: str | None = Field(default=None, max_length=120)
    due_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    priority: str = Field(default=TaskPriority.NORMAL.value, max_length=20)
    intended_effect: str | None = None
    status: str = Field(default=TaskStatus.OPEN.value, max_length=20)
    feedback: str | None = None
    source_message_id: str | None = Field(default=None, foreign_key="message.id", max_length=36)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    # Raised with every change, so that an editor notices a change made
    # elsewhere since it loaded the task.
    revision: int = 1
    workstation_id: str = Field(max_length=36)


def parse_status(value: str) -> TaskStatus:
    """``in Arbeit``, ``in_arbeit``, ``In-Arbeit``, ``done`` … → TaskStatus (German error)."""
    key = "".join(ch for ch in value.casefold() if ch.isalnum())
    aliases = {
        "offen": TaskStatus.OPEN,
        "open": TaskStatus.OPEN,
        "inarbeit": TaskStatus.IN_PROGRESS,
        "inprogress": TaskStatus.IN_PROGRESS,
        "erledigt": TaskStatus.DONE,
        "done": TaskStatus.DONE,
        "nichterledigt": TaskStatus.NOT_DONE,
        "notdone": TaskStatus.NOT_DONE,
        "storniert": TaskStatus.CANCELLED,
        "cancelled": TaskStatus.CANCELLED,
    }
    try:
        return aliases[key]
    except KeyError:
        allowed = ", ".join(s.value for s in TaskStatus)
        raise ValueError(f"Unbekannter Status „{value}“ (erlaubt: {allowed}).") from None


def parse_priority(value: str) -> TaskPriority:
    key = value.strip().casefold()
    for priority in TaskPriority:
        if priority.value == key:
            return priority
    allowed = ", ".join(p.value for p in TaskPriority)
    raise ValueError(f"Unbekannte Priorität „{value}“ (erlaubt: {allowed}).")


def check_transition(current: str, new: str) -> None:
    if current == new:
        raise ValueError(f"Der Auftrag hat bereits den Status „{new}“.")
    if new not in TRANSITIONS.get(current, frozenset()):
        raise ValueError(f"Ein Auftrag mit Status „{current}“ kann nicht „{new}“ werden.")


def is_overdue(due_at: datetime | None, status: str, now: datetime) -> bool:
    return due_at is not None and status in ACTIVE_STATUSES and due_at < now


def clean_title(value: str) -> str:
    cleaned = " ".join(value.replace("\x00", "").split())
    if not cleaned:
        raise ValueError("Der Auftrag braucht einen Titel (was ist zu tun?).")
    if len(cleaned) > TITLE_MAX:
        raise ValueError(f"Der Titel ist zu lang (höchstens {TITLE_MAX} Zeichen).")
    return cleaned


def clean_text(value: str | None, what: str) -> str | None:
    if value is None:
        return None
    cleaned = value.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").strip()
    if not cleaned:
        return None
    if len(cleaned) > TEXT_MAX:
        raise ValueError(f"{what} ist zu lang (höchstens {TEXT_MAX:,} Zeichen).".replace(",", "."))
    return cleaned


@dataclass(frozen=True)
class TaskView:
    """A task handed to the GUI, printouts and the command line (detached)."""

    id: str
    incident_id: str
    number: int
    title: str
    description: str | None
    issued_by_person: str
    issued_by_function: str
    assigned_function: str
    assigned_person: str | None
    due_at: datetime | None
    priority: str
    intended_effect: str | None
    status: str
    feedback: str | None
    source_message_id: str | None
    source_message_number: str | None
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    revision: int
    overdue: bool

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @classmethod
    def from_row(cls, row: Task, now: datetime, source_number: str | None = None) -> TaskView:
        return cls(
            id=row.id,
            incident_id=row.incident_id,
            number=row.number,
            title=row.title,
            description=row.description,
            issued_by_person=row.issued_by_person,
            issued_by_function=row.issued_by_function,
            assigned_function=row.assigned_function,
            assigned_person=row.assigned_person,
            due_at=row.due_at,
            priority=row.priority,
            intended_effect=row.intended_effect,
            status=row.status,
            feedback=row.feedback,
            source_message_id=row.source_message_id,
            source_message_number=source_number,
            created_at=row.created_at,
            updated_at=row.updated_at,
            closed_at=row.closed_at,
            revision=row.revision,
            overdue=is_overdue(row.due_at, row.status, now),
        )


@dataclass(frozen=True)
class TaskFilter:
    """What the task list narrows down to; ``function`` = "tasks of my function"."""

    function: str | None = None
    statuses: tuple[str, ...] = ()
    overdue_only: bool = False
    active_only: bool = False
    text: str = ""
