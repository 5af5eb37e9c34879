"""Messages on the Nachrichtenvordruck ("Vierfachvordruck") and their distribution.

The thirteen fields of the paper form (DOMAIN.md §3), in the form's order:

 (1) Aufnahmevermerk      intake_channel, intake_at, intake_by
 (2) Annahmevermerk       accepted_at, accepted_by
 (3) Beförderungsvermerk  transmitted_at, transmitted_by, transmitted_via
 (4) Nachweisungs-Nr.     direction (E/A) + seq  → "E-12"
 (5) Spruchkopf           header
 (6) Vorrangstufe         priority
 (7) Anschrift            addressee (as written) + the recipients (functions)
 (8) Gesprächsnotiz       conversation_note
 (9) Inhalt               content
(10) Abfassungszeit       composed_at
(11) Absender             sender
(12) Zeichen/Funktion     sender_sign, sender_function
(13) Quittung             per recipient: acknowledged_at/_by (MessageRecipient)

Numbers run per incident and direction without gaps; the service assigns
them under the write lock of the recording transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from krisenstab.domain.base import UTCDateTime, new_id

CONTENT_MAX = 20_000
COPY_FUNCTION = "S2"  # one copy of every message goes to S2 (DOMAIN.md §3)


class Direction(StrEnum):
    INCOMING = "E"
    OUTGOING = "A"

    @property
    def label(self) -> str:
        return "Eingang" if self is Direction.INCOMING else "Ausgang"


class MessagePriority(StrEnum):
    """Vorrangstufen; stored lower case as typed on the command line."""

    EINFACH = "einfach"
    SOFORT = "sofort"
    BLITZ = "blitz"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def order(self) -> int:
        """Sort key: most urgent first (Blitz 0, Sofort 1, Einfach 2)."""
        return _PRIORITY_ORDER[self]


_PRIORITY_ORDER = {MessagePriority.BLITZ: 0, MessagePriority.SOFORT: 1, MessagePriority.EINFACH: 2}

CHANNELS: tuple[str, ...] = (
    "Funk",
    "Digitalfunk",
    "Telefon",
    "Fax",
    "E-Mail",
    "Melder",
    "persönlich",
    "Warnsystem (CAP)",
    "Sonstiges",
)


class Message(SQLModel, table=True):
    __tablename__ = "message"
    __table_args__ = (
        UniqueConstraint("incident_id", "direction", "seq", name="uq_message_number"),
        Index("ix_message_triage", "incident_id", "direction", "triaged_at"),
        Index("ix_message_external_ref", "external_ref"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    incident_id: str = Field(foreign_key="incident.id", max_length=36)
    # (4) Nachweisungs-Nr.
    direction: str = Field(max_length=1)
    seq: int
    # (1) Aufnahmevermerk
    intake_channel: str = Field(max_length=60)
    intake_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    intake_by: str = Field(max_length=120)
    # (2) Annahmevermerk
    accepted_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    accepted_by: str | None = Field(default=None, max_length=120)
    # (3) Beförderungsvermerk
    transmitted_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    transmitted_by: str | None = Field(default=None, max_length=120)
    transmitted_via: str | None = Field(default=None, max_length=60)
    # (5)–(12)
    header: str | None = Field(default=None, max_length=500)
    priority: str = Field(max_length=10)
    addressee: str = Field(max_length=500)
    conversation_note: bool = False
    content: str
    composed_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    sender: str = Field(max_length=200)
    sender_sign: str | None = Field(default=None, max_length=60)
    sender_function: str | None = Field(default=None, max_length=120)
    # Sichtung
    triaged_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    triaged_by: str | None = Field(default=None, max_length=120)
    # Links: the message this one answers; an outside id (CAP identifier).
    reply_to_id: str | None = Field(default=None, foreign_key="message.id", max_length=36)
    external_ref: str | None = Field(default=None, max_length=300)
    recorded_by: str = Field(max_length=120)
    recorded_by_function: str = Field(max_length=60)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    workstation_id: str = Field(max_length=36)


class MessageRecipient(SQLModel, table=True):
    """One addressed function of a message and its acknowledgement (Quittung).

    Incident, direction, urgency and number are copied from the message, so
    that a function's inbox is read from one index without touching messages.
    """

    __tablename__ = "message_recipient"
    __table_args__ = (
        UniqueConstraint("message_id", "function", name="uq_message_recipient"),
        Index(
            "ix_message_recipient_inbox",
            "incident_id",
            "function",
            "direction",
            "acknowledged",
            "priority_order",
            "seq",
        ),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    message_id: str = Field(foreign_key="message.id", max_length=36)
    incident_id: str = Field(max_length=36)
    direction: str = Field(max_length=1)
    seq: int
    priority_order: int
    function: str = Field(max_length=120)
    routed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    routed_by: str = Field(max_length=120)
    acknowledged: bool = False
    acknowledged_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    acknowledged_by: str | None = Field(default=None, max_length=120)
    acknowledged_by_function: str | None = Field(default=None, max_length=60)


# -- pure rules ------------------------------------------------------------------
_NUMBER = re.compile(r"^\s*([EeAa])\s*-?\s*(\d{1,9})\s*$")


def format_number(direction: str, seq: int) -> str:
    return f"{direction}-{seq}"


def parse_number(text: str) -> tuple[Direction, int]:
    """``E-12``, ``e12``, ``A 3`` → (direction, seq); German error otherwise."""
    match = _NUMBER.match(text)
    if not match:
        raise ValueError(
            f"„{text}“ ist keine Nachweisungs-Nummer (Form E-12 für Eingang, A-3 für Ausgang)."
        )
    return Direction(match.group(1).upper()), int(match.group(2))


def parse_priority(value: str) -> MessagePriority:
    key = value.strip().casefold()
    for priority in MessagePriority:
        if priority.value == key:
            return priority
    raise ValueError(f"Unbekannte Vorrangstufe „{value}“ (erlaubt: einfach, sofort, blitz).")


def clean_content(value: str) -> str:
    cleaned = value.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").strip()
    if not cleaned:
        raise ValueError("Der Inhalt der Nachricht ist leer.")
    if len(cleaned) > CONTENT_MAX:
        raise ValueError(f"Der Inhalt ist zu lang (höchstens {CONTENT_MAX:,} Zeichen).")
    return cleaned


def split_functions(value: str | tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """``"S3, S4"`` or ("S3", "S4") → ("S3", "S4"), blanks collapsed, duplicates dropped."""
    items = value.split(",") if isinstance(value, str) else list(value)
    seen: dict[str, str] = {}
    for item in items:
        name = " ".join(str(item).split())
        if name and name.casefold() not in seen:
            seen[name.casefold()] = name
    return tuple(seen.values())


def excerpt(text: str, length: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[: length - 1] + "…"


# -- views -----------------------------------------------------------------------
@dataclass(frozen=True)
class RecipientView:
    function: str
    routed_at: datetime
    routed_by: str
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    acknowledged_by_function: str | None

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_at is not None


@dataclass(frozen=True)
class MessageView:
    """A whole message with its recipients (detached)."""

    id: str
    incident_id: str
    direction: str
    seq: int
    intake_channel: str
    intake_at: datetime
    intake_by: str
    accepted_at: datetime | None
    accepted_by: str | None
    transmitted_at: datetime | None
    transmitted_by: str | None
    transmitted_via: str | None
    header: str | None
    priority: str
    addressee: str
    conversation_note: bool
    content: str
    composed_at: datetime | None
    sender: str
    sender_sign: str | None
    sender_function: str | None
    triaged_at: datetime | None
    triaged_by: str | None
    reply_to_id: str | None
    reply_to_number: str | None
    external_ref: str | None
    recorded_by: str
    recorded_by_function: str
    created_at: datetime
    recipients: tuple[RecipientView, ...] = ()
    task_ids: tuple[str, ...] = ()
    reply_numbers: tuple[str, ...] = ()

    @property
    def number(self) -> str:
        return format_number(self.direction, self.seq)

    @property
    def to(self) -> tuple[str, ...]:
        return tuple(r.function for r in self.recipients)

    @property
    def acknowledged_by(self) -> tuple[str, ...]:
        """The functions that have acknowledged."""
        return tuple(r.function for r in self.recipients if r.acknowledged)

    @property
    def unacknowledged(self) -> tuple[str, ...]:
        return tuple(r.function for r in self.recipients if not r.acknowledged)

    @property
    def fully_acknowledged(self) -> bool:
        return bool(self.recipients) and not self.unacknowledged


@dataclass(frozen=True)
class InboxRow:
    """One line of a function's inbox or of the register (no content body)."""

    message_id: str
    number: str
    direction: str
    seq: int
    priority: str
    intake_at: datetime
    intake_channel: str
    sender: str
    addressee: str
    excerpt: str
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    # In the register and the triage queue: every recipient and who acknowledged.
    to: tuple[str, ...] = ()
    acknowledged_functions: tuple[str, ...] = ()
    triaged: bool = True
    reply_to_id: str | None = None


@dataclass(frozen=True)
class InboxPage:
    """A page of an inbox plus the counts the tab shows in its header."""

    function: str
    rows: list[InboxRow]
    offset: int
    total: int
    unacknowledged: int
    unacknowledged_by_priority: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class RegisterPage:
    """A page of the Ein-/Ausgangsnachweisung or of the triage queue."""

    rows: list[InboxRow]
    offset: int
    total: int
