"""The Einsatztagebuch (ETB): entries, their canonical form and the hash chain.

An entry is never changed after it is written. Each entry stores the SHA-256
over the previous entry's hash and a canonical serialisation of its own
fields, so that any later change to the file breaks the chain at that entry.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from krisenstab.domain.base import UTCDateTime, new_id

GENESIS_HASH = "0" * 64
MAX_TEXT_LENGTH = 100_000


class EntryKind(StrEnum):
    EINGANG = "Eingang"
    AUSGANG = "Ausgang"
    VERMERK = "Vermerk"
    LAGE = "Lage"
    ENTSCHEIDUNG = "Entscheidung"
    AUFTRAG = "Auftrag"
    SYSTEM = "System"


class SourceQuality(StrEnum):
    """FwDV 100 3.3.1.3: on what a report rests."""

    OWN = "eigene Beobachtung"
    THIRD_PARTY = "Dritte"
    ESTIMATE = "Annahme/Schätzung"


class JournalEntry(SQLModel, table=True):
    __tablename__ = "journal_entry"
    __table_args__ = (
        UniqueConstraint("incident_id", "number", name="uq_journal_number"),
        # Finding the corrections of the entries on screen must not scan the ETB.
        Index("ix_journal_entry_corrects", "incident_id", "corrects"),
        # What the ETB says about a task or message (history, exercise reactions).
        Index("ix_journal_entry_task", "task_id"),
        Index("ix_journal_entry_message", "message_id"),
        Index("ix_journal_entry_facility", "facility_id"),
        Index("ix_journal_entry_function", "incident_id", "function"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    incident_id: str = Field(foreign_key="incident.id", max_length=36, index=True)
    number: int
    recorded_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    observed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    author: str = Field(max_length=120)
    function: str = Field(max_length=60)
    kind: str = Field(max_length=20)
    source_quality: str = Field(max_length=30)
    text: str
    workstation_id: str = Field(max_length=36)
    corrects: int | None = None
    # References to other records (filled by later capabilities); plain ids,
    # no foreign keys, because the entry must outlive any master-data change.
    facility_id: str | None = Field(default=None, max_length=36)
    task_id: str | None = Field(default=None, max_length=36)
    message_id: str | None = Field(default=None, max_length=36)
    # In an exercise: the scenario time at which the entry was written.
    scenario_time: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


# The fields that the hash covers, in the canonical order. Adding a field here
# would invalidate every existing chain, so it never changes.
HASHED_FIELDS = (
    "id",
    "incident_id",
    "number",
    "recorded_at",
    "observed_at",
    "author",
    "function",
    "kind",
    "source_quality",
    "text",
    "workstation_id",
    "corrects",
    "facility_id",
    "task_id",
    "message_id",
    "scenario_time",
)


def _canonical_value(value: object) -> object:
    if isinstance(value, datetime):
        # The store keeps microseconds in UTC; so does the canonical form.
        return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value


def canonical_form(values: dict[str, object]) -> str:
    """A stable serialisation of an entry's hashed fields."""
    payload = {name: _canonical_value(values.get(name)) for name in HASHED_FIELDS}
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def chain_hash(prev_hash: str, values: dict[str, object]) -> str:
    digest = hashlib.sha256()
    digest.update(prev_hash.encode("ascii"))
    digest.update(b"\n")
    digest.update(canonical_form(values).encode("utf-8"))
    return digest.hexdigest()


def clean_text(text: str) -> str:
    """Trim an entry text; refuse an empty or oversized one."""
    cleaned = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not cleaned:
        raise ValueError("Der Eintrag ist leer.")
    if len(cleaned) > MAX_TEXT_LENGTH:
        raise ValueError(f"Der Eintrag ist zu lang (höchstens {MAX_TEXT_LENGTH:,} Zeichen).")
    if "\x00" in cleaned:
        cleaned = cleaned.replace("\x00", "")
    # Lone surrogates (undecodable bytes from a terminal or file) cannot be
    # stored or hashed as UTF-8; they become U+FFFD.
    return _SURROGATES.sub("\ufffd", cleaned)


_SURROGATES = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class EntryView:
    """An entry handed to the GUI, the printouts and the command line (detached)."""

    id: str
    incident_id: str
    number: int
    recorded_at: datetime
    observed_at: datetime
    author: str
    function: str
    kind: str
    source_quality: str
    text: str
    workstation_id: str
    corrects: int | None
    facility_id: str | None
    task_id: str | None
    message_id: str | None
    scenario_time: datetime | None
    hash: str
    corrected_by: tuple[int, ...] = field(default=())

    @property
    def is_corrected(self) -> bool:
        return bool(self.corrected_by)

    @classmethod
    def from_row(cls, row: JournalEntry, corrected_by: tuple[int, ...] = ()) -> EntryView:
        return cls(
            id=row.id,
            incident_id=row.incident_id,
            number=row.number,
            recorded_at=row.recorded_at,
            observed_at=row.observed_at,
            author=row.author,
            function=row.function,
            kind=row.kind,
            source_quality=row.source_quality,
            text=row.text,
            workstation_id=row.workstation_id,
            corrects=row.corrects,
            facility_id=row.facility_id,
            task_id=row.task_id,
            message_id=row.message_id,
            scenario_time=row.scenario_time,
            hash=row.hash,
            corrected_by=corrected_by,
        )


@dataclass(frozen=True)
class JournalFilter:
    """What the ETB view and `journal list` narrow the entries down to."""

    text: str = ""
    functions: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.text.strip() or self.functions or self.kinds or self.since or self.until)
