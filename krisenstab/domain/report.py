"""The situation report (Lagebericht) and the record of imported CAP alerts.

A report is numbered per incident and goes from draft (Entwurf) to released
(freigegeben). Its content is one JSON document (:class:`ReportContent`):
free text where judgement is needed, and data sections that the services
pre-draft from what the program already knows (KRITIS, tasks, roster, the
journal). On release, the whole report as printed — header facts and content
— is frozen as :class:`ReportDocument` JSON, together with the PDF bytes and
their SHA-256; the PDF is a pure function of that document, so the stored
bytes can always be reproduced and checked.

Pure module: tables, dataclasses and rules; no I/O.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from krisenstab.domain.base import UTCDateTime, new_id

DOCUMENT_VERSION = 1
HORIZONS: tuple[int, ...] = (12, 24, 48, 72)
CLASSIFICATION_MAX = 80
STAFF_NAME_MAX = 200
TEXT_MAX = 50_000
DISTRIBUTION_MAX = 100
DEFAULT_STAFF_NAME = "Krisenstab"
# Offered in the editor; any other short marking may be typed.
CLASSIFICATIONS: tuple[str, ...] = (
    "",
    "VS – NUR FÜR DEN DIENSTGEBRAUCH",
    "Nur für den internen Gebrauch",
)


class ReportKind(StrEnum):
    """Report version (ICS 209: Initial / Update / Final)."""

    INITIAL = "Erstmeldung"
    UPDATE = "Folgemeldung"
    FINAL = "Abschlussmeldung"


class ReportStatus(StrEnum):
    DRAFT = "Entwurf"
    RELEASED = "freigegeben"


class ReportConfidence(StrEnum):
    """How sure the staff is of the report as a whole; values as EDXL-SitRep writes them."""

    HIGHLY_CONFIDENT = "HighlyConfident"
    SOMEWHAT_CONFIDENT = "SomewhatConfident"
    UNSURE = "Unsure"
    NO_CONFIDENCE = "NoConfidence"


CONFIDENCE_LABELS = {
    ReportConfidence.HIGHLY_CONFIDENT: "gesichert",
    ReportConfidence.SOMEWHAT_CONFIDENT: "überwiegend gesichert",
    ReportConfidence.UNSURE: "unsicher",
    ReportConfidence.NO_CONFIDENCE: "nicht gesichert",
}
SEVERITIES = ("Extreme", "Severe", "Moderate", "Minor", "Unknown")
SEVERITY_LABELS = {
    "Extreme": "extrem",
    "Severe": "schwer",
    "Moderate": "mäßig",
    "Minor": "gering",
    "Unknown": "unbekannt",
}


# --------------------------------------------------------------------------- tables


class SituationReport(SQLModel, table=True):
    """One Lagebericht: a draft (editable) or a released, frozen report."""

    __tablename__ = "situation_report"
    __table_args__ = (UniqueConstraint("incident_id", "number", name="uq_situation_report_number"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    incident_id: str = Field(foreign_key="incident.id", max_length=36, index=True)
    number: int
    kind: str = Field(max_length=20)
    status: str = Field(default=ReportStatus.DRAFT.value, max_length=20)
    classification: str | None = Field(default=None, max_length=CLASSIFICATION_MAX)
    staff_name: str = Field(max_length=STAFF_NAME_MAX)
    period_from: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    period_to: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    prepared_by: str = Field(max_length=120)
    prepared_function: str = Field(max_length=60)
    prepared_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    released_by: str | None = Field(default=None, max_length=120)
    released_function: str | None = Field(default=None, max_length=60)
    released_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    # Draft: the editable content (ReportContent JSON). Released: the frozen
    # ReportDocument JSON the PDF was built from.
    content: str = Field(sa_column=Column(Text(), nullable=False))
    pdf: bytes | None = Field(default=None, sa_column=Column(LargeBinary(), nullable=True))
    pdf_sha256: str | None = Field(default=None, max_length=64)
    content_sha256: str | None = Field(default=None, max_length=64)
    # The journal chain head the released report was built from (printed in
    # its footer), the number of that entry, and the release entry itself.
    chain_head: str | None = Field(default=None, max_length=64)
    chain_number: int | None = None
    release_entry: int | None = None
    # Raised with every change of a draft, so an editor notices a change made
    # elsewhere and a release never freezes content nobody has seen.
    revision: int = 1
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    workstation_id: str = Field(max_length=36)


class CapImport(SQLModel, table=True):
    """An imported CAP alert: keeps a watched folder from importing it twice."""

    __tablename__ = "cap_import"
    __table_args__ = (
        UniqueConstraint(
            "incident_id", "sender", "identifier", "sent_text", name="uq_cap_import_alert"
        ),
        Index("ix_cap_import_sha256", "sha256"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    incident_id: str = Field(foreign_key="incident.id", max_length=36)
    sender: str = Field(max_length=300)
    identifier: str = Field(max_length=300)
    sent_text: str = Field(max_length=40)
    sent_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    status: str = Field(max_length=20)
    msg_type: str = Field(max_length=20)
    title: str = Field(max_length=500)
    categories: str = Field(default="", max_length=200)
    priority: str = Field(max_length=10)
    sha256: str = Field(max_length=64)
    source_name: str | None = Field(default=None, max_length=500)
    message_id: str | None = Field(default=None, max_length=36)
    message_number: str | None = Field(default=None, max_length=20)
    journal_number: int | None = None
    imported_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    imported_by: str = Field(max_length=120)
    workstation_id: str = Field(max_length=36)


# --------------------------------------------------------------------------- JSON helpers


def _time_out(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime in a report")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _time_in(value: object) -> datetime | None:
    if value in (None, ""):
        return None
    text = str(value)
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _opt_float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def _strs(values: object) -> tuple[str, ...]:
    if not values:
        return ()
    return tuple(str(v) for v in values)  # type: ignore[union-attr]


def canonical_json(data: Mapping[str, Any]) -> str:
    """The one serialisation whose SHA-256 is stored (sorted keys, no spaces)."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def sha256_hex(data: bytes | str) -> str:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return hashlib.sha256(raw).hexdigest()


# --------------------------------------------------------------------------- data rows


@dataclass(frozen=True)
class FacilityLine:
    """A facility as the report and the KRITIS list print it."""

    facility_id: str
    name: str
    sector: str = ""
    municipality: str = ""
    status: str = ""
    since: datetime | None = None
    remaining_h: float | None = None
    power_text: str = ""
    persons_supplied: int = 0
    note: str = ""
    contact: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "facility_id": self.facility_id,
            "name": self.name,
            "sector": self.sector,
            "municipality": self.municipality,
            "status": self.status,
            "since": _time_out(self.since),
            "remaining_h": self.remaining_h,
            "power_text": self.power_text,
            "persons_supplied": self.persons_supplied,
            "note": self.note,
            "contact": self.contact,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FacilityLine:
        return cls(
            facility_id=_text(data.get("facility_id")),
            name=_text(data.get("name")),
            sector=_text(data.get("sector")),
            municipality=_text(data.get("municipality")),
            status=_text(data.get("status")),
            since=_time_in(data.get("since")),
            remaining_h=_opt_float(data.get("remaining_h")),
            power_text=_text(data.get("power_text")),
            persons_supplied=int(data.get("persons_supplied") or 0),
            note=_text(data.get("note")),
            contact=_text(data.get("contact")),
        )


@dataclass(frozen=True)
class ForecastLine:
    """The cascade forecast at one horizon (12/24/48/72 h after the data time)."""

    hours: int
    failed_total: int
    newly_failed: tuple[str, ...] = ()
    persons_affected: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "hours": self.hours,
            "failed_total": self.failed_total,
            "newly_failed": list(self.newly_failed),
            "persons_affected": self.persons_affected,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ForecastLine:
        return cls(
            hours=int(data.get("hours") or 0),
            failed_total=int(data.get("failed_total") or 0),
            newly_failed=_strs(data.get("newly_failed")),
            persons_affected=int(data.get("persons_affected") or 0),
        )


@dataclass(frozen=True)
class KritisData:
    """Lage KRITIS as pre-drafted: ``available`` False when nothing could be read."""

    available: bool = False
    facility_count: int = 0
    affected: tuple[FacilityLine, ...] = ()
    emergency_power: tuple[FacilityLine, ...] = ()
    forecast: tuple[ForecastLine, ...] = ()
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "available": self.available,
            "facility_count": self.facility_count,
            "affected": [f.to_dict() for f in self.affected],
            "emergency_power": [f.to_dict() for f in self.emergency_power],
            "forecast": [f.to_dict() for f in self.forecast],
            "notes": list(self.notes),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> KritisData:
        if not data:
            return cls()
        return cls(
            available=bool(data.get("available")),
            facility_count=int(data.get("facility_count") or 0),
            affected=tuple(FacilityLine.from_dict(f) for f in data.get("affected") or ()),
            emergency_power=tuple(
                FacilityLine.from_dict(f) for f in data.get("emergency_power") or ()
            ),
            forecast=tuple(ForecastLine.from_dict(f) for f in data.get("forecast") or ()),
            notes=_strs(data.get("notes")),
        )


@dataclass(frozen=True)
class TaskLine:
    task_id: str
    number: int
    title: str
    assigned_to: str = ""
    due: datetime | None = None
    status: str = ""
    overdue: bool = False
    issued_by: str = ""
    priority: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "task_id": self.task_id,
            "number": self.number,
            "title": self.title,
            "assigned_to": self.assigned_to,
            "due": _time_out(self.due),
            "status": self.status,
            "overdue": self.overdue,
            "issued_by": self.issued_by,
            "priority": self.priority,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TaskLine:
        return cls(
            task_id=_text(data.get("task_id")),
            number=int(data.get("number") or 0),
            title=_text(data.get("title")),
            assigned_to=_text(data.get("assigned_to")),
            due=_time_in(data.get("due")),
            status=_text(data.get("status")),
            overdue=bool(data.get("overdue")),
            issued_by=_text(data.get("issued_by")),
            priority=_text(data.get("priority")),
        )


@dataclass(frozen=True)
class TaskData:
    available: bool = False
    tasks: tuple[TaskLine, ...] = ()

    @property
    def overdue_count(self) -> int:
        return sum(1 for t in self.tasks if t.overdue)

    def to_dict(self) -> dict[str, Any]:
        return {"available": self.available, "tasks": [t.to_dict() for t in self.tasks]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> TaskData:
        if not data:
            return cls()
        return cls(
            available=bool(data.get("available")),
            tasks=tuple(TaskLine.from_dict(t) for t in data.get("tasks") or ()),
        )


@dataclass(frozen=True)
class RosterLine:
    """Who holds a staff function now (Eigene Lage, Erreichbarkeitsliste)."""

    function: str
    person: str = ""
    since: datetime | None = None
    reach: str = ""
    deputy: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "function": self.function,
            "person": self.person,
            "since": _time_out(self.since),
            "reach": self.reach,
            "deputy": self.deputy,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RosterLine:
        return cls(
            function=_text(data.get("function")),
            person=_text(data.get("person")),
            since=_time_in(data.get("since")),
            reach=_text(data.get("reach")),
            deputy=_text(data.get("deputy")),
        )


@dataclass(frozen=True)
class EntryLine:
    """A journal entry as quoted in the report (frozen with the report)."""

    number: int
    recorded_at: datetime
    function: str
    author: str
    kind: str
    text: str
    corrects: int | None = None
    corrected_by: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "recorded_at": _time_out(self.recorded_at),
            "function": self.function,
            "author": self.author,
            "kind": self.kind,
            "text": self.text,
            "corrects": self.corrects,
            "corrected_by": list(self.corrected_by),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EntryLine:
        recorded = _time_in(data.get("recorded_at"))
        return cls(
            number=int(data.get("number") or 0),
            recorded_at=recorded or datetime(1970, 1, 1, tzinfo=UTC),
            function=_text(data.get("function")),
            author=_text(data.get("author")),
            kind=_text(data.get("kind")),
            text=_text(data.get("text")),
            corrects=None if data.get("corrects") is None else int(data["corrects"]),
            corrected_by=tuple(int(n) for n in data.get("corrected_by") or ()),
        )


# --------------------------------------------------------------------------- content


_TEXT_FIELDS = (
    "overview",
    "weather",
    "damage",
    "kritis_remarks",
    "forces",
    "measures",
    "prognosis",
    "decisions",
    "next_meeting_place",
    "location",
)


@dataclass(frozen=True)
class ReportContent:
    """Everything a Lagebericht says, in the order of DOMAIN §5 / the issue.

    Free text: ``overview`` (Übersicht/allgemeine Lage), ``weather``,
    ``damage`` (Schadenlage), ``kritis_remarks``, ``forces`` and ``measures``
    (Eigene Lage), ``prognosis``, ``decisions`` (Entscheidungsbedarf /
    Anregungen), ``resources`` (need at 12/24/48/72 h), the next
    Lagebesprechung, ``distribution`` (Verteiler).
    Data (pre-drafted): ``kritis``, ``tasks``, ``roster``, the journal entries
    S2 chose (``significant_entries``; their text is copied into ``entries``
    when the report is printed or released), ``data_as_of``.
    """

    overview: str = ""
    weather: str = ""
    damage: str = ""
    kritis_remarks: str = ""
    forces: str = ""
    measures: str = ""
    prognosis: str = ""
    decisions: str = ""
    resources: Mapping[int, str] = field(default_factory=dict)
    next_meeting_at: datetime | None = None
    next_meeting_place: str = ""
    distribution: tuple[str, ...] = ()
    significant_entries: tuple[int, ...] = ()
    entries: tuple[EntryLine, ...] = ()
    kritis: KritisData = field(default_factory=KritisData)
    tasks: TaskData = field(default_factory=TaskData)
    roster: tuple[RosterLine, ...] = ()
    data_as_of: datetime | None = None
    severity: str = "Unknown"
    confidence: str = ReportConfidence.SOMEWHAT_CONFIDENT.value
    location: str = ""

    def resource(self, hours: int) -> str:
        return self.resources.get(hours, "")

    def to_dict(self) -> dict[str, Any]:
        return {
            **{name: getattr(self, name) for name in _TEXT_FIELDS},
            "resources": {str(h): self.resources.get(h, "") for h in HORIZONS},
            "next_meeting_at": _time_out(self.next_meeting_at),
            "distribution": list(self.distribution),
            "significant_entries": list(self.significant_entries),
            "entries": [e.to_dict() for e in self.entries],
            "kritis": self.kritis.to_dict(),
            "tasks": self.tasks.to_dict(),
            "roster": [r.to_dict() for r in self.roster],
            "data_as_of": _time_out(self.data_as_of),
            "severity": self.severity,
            "confidence": self.confidence,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> ReportContent:
        data = data or {}
        raw_resources = data.get("resources") or {}
        resources = {h: _text(raw_resources.get(str(h))) for h in HORIZONS}
        return cls(
            **{name: _text(data.get(name)) for name in _TEXT_FIELDS},
            resources={h: v for h, v in resources.items() if v},
            next_meeting_at=_time_in(data.get("next_meeting_at")),
            distribution=_strs(data.get("distribution")),
            significant_entries=tuple(int(n) for n in data.get("significant_entries") or ()),
            entries=tuple(EntryLine.from_dict(e) for e in data.get("entries") or ()),
            kritis=KritisData.from_dict(data.get("kritis")),
            tasks=TaskData.from_dict(data.get("tasks")),
            roster=tuple(RosterLine.from_dict(r) for r in data.get("roster") or ()),
            data_as_of=_time_in(data.get("data_as_of")),
            severity=_text(data.get("severity")) or "Unknown",
            confidence=_text(data.get("confidence")) or ReportConfidence.SOMEWHAT_CONFIDENT.value,
        )

    def to_json(self) -> str:
        return canonical_json(self.to_dict())

    @classmethod
    def from_json(cls, text: str) -> ReportContent:
        return cls.from_dict(json.loads(text) if text else {})

    def with_free_text(self, **changes: Any) -> ReportContent:
        """A copy with some fields changed (unknown names raise TypeError)."""
        known = {f.name for f in fields(self)}
        unknown = set(changes) - known
        if unknown:
            raise TypeError(f"unknown report fields: {sorted(unknown)}")
        return replace(self, **changes)


def clean_content(content: ReportContent) -> ReportContent:
    """Normalise and check user input; ValueError with a German message."""
    changes: dict[str, Any] = {}
    for name in _TEXT_FIELDS:
        value = getattr(content, name)
        cleaned = (value or "").replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
        cleaned = cleaned.strip()
        if len(cleaned) > TEXT_MAX:
            raise ValueError(
                f"Abschnitt „{FIELD_LABELS[name]}“ ist zu lang "
                f"(höchstens {TEXT_MAX:,} Zeichen).".replace(",", ".")
            )
        changes[name] = cleaned
    resources: dict[int, str] = {}
    for hours, value in dict(content.resources).items():
        try:
            key = int(hours)
        except (TypeError, ValueError):
            raise ValueError(f"Ressourcenbedarf: „{hours}“ ist kein Zeitraum in Stunden.") from None
        if key not in HORIZONS:
            raise ValueError(
                f"Ressourcenbedarf gibt es für {', '.join(map(str, HORIZONS))} h, nicht für {key} h."
            )
        text = (value or "").replace("\x00", "").strip()
        if len(text) > TEXT_MAX:
            raise ValueError("Ressourcenbedarf: Text zu lang.")
        if text:
            resources[key] = text
    changes["resources"] = resources
    distribution: list[str] = []
    for line in content.distribution:
        item = " ".join(str(line).replace("\x00", "").split())
        if item and item not in distribution:
            distribution.append(item[:300])
    if len(distribution) > DISTRIBUTION_MAX:
        raise ValueError(f"Der Verteiler hat mehr als {DISTRIBUTION_MAX} Empfänger.")
    changes["distribution"] = tuple(distribution)
    numbers = sorted({int(n) for n in content.significant_entries})
    if any(n < 1 for n in numbers):
        raise ValueError("Einträge des Einsatztagebuchs haben Nummern ab 1.")
    changes["significant_entries"] = tuple(numbers)
    if content.severity not in SEVERITIES:
        raise ValueError(
            f"Unbekannte Schwere „{content.severity}“ (erlaubt: {', '.join(SEVERITIES)})."
        )
    if content.confidence not in {c.value for c in ReportConfidence}:
        raise ValueError(f"Unbekannte Verlässlichkeit „{content.confidence}“.")
    if content.next_meeting_at is not None and content.next_meeting_at.tzinfo is None:
        raise ValueError("Die Zeit der nächsten Lagebesprechung braucht eine Zeitzone.")
    return replace(content, **changes)


FIELD_LABELS = {
    "overview": "Übersicht / allgemeine Lage",
    "weather": "Wetter",
    "damage": "Schadenlage",
    "kritis_remarks": "Lage KRITIS (Bewertung)",
    "forces": "Eigene Lage: Kräfte",
    "measures": "Eigene Lage: Maßnahmen",
    "prognosis": "Prognose",
    "decisions": "Entscheidungsbedarf / Anregungen",
    "next_meeting_place": "Ort der nächsten Lagebesprechung",
    "location": "Standort des Stabes",
}


class Section(StrEnum):
    """The sections of the printed report, in print order; values are the headings."""

    OVERVIEW = "Übersicht / allgemeine Lage"
    DAMAGE = "Schadenlage"
    KRITIS = "Lage KRITIS"
    OWN = "Eigene Lage"
    JOURNAL = "Bedeutsame Einträge im Einsatztagebuch"
    PROGNOSIS = "Prognose"
    DECISIONS = "Entscheidungsbedarf / Anregungen"
    RESOURCES = "Ressourcenbedarf"
    MEETING = "Nächste Lagebesprechung"
    DISTRIBUTION = "Verteiler"


def empty_sections(content: ReportContent) -> list[str]:
    """Headings (German) of the sections that would print without content.

    Weather is part of the Übersicht but is asked for on its own, because a
    report without weather misses a Lagebild factor (DOMAIN §5).
    """
    empty: list[str] = []
    if not content.overview:
        empty.append(Section.OVERVIEW.value)
    if not content.weather:
        empty.append("Wetter (in der Übersicht)")
    if not content.damage:
        empty.append(Section.DAMAGE.value)
    if not content.kritis.available and not content.kritis_remarks:
        empty.append(Section.KRITIS.value)
    if not (content.forces or content.measures or content.tasks.available or content.roster):
        empty.append(Section.OWN.value)
    if not content.significant_entries:
        empty.append(Section.JOURNAL.value)
    if not content.prognosis:
        empty.append(Section.PROGNOSIS.value)
    if not content.decisions:
        empty.append(Section.DECISIONS.value)
    if not any(content.resources.get(h) for h in HORIZONS):
        empty.append(Section.RESOURCES.value)
    if content.next_meeting_at is None:
        empty.append(Section.MEETING.value)
    if not content.distribution:
        empty.append(Section.DISTRIBUTION.value)
    return empty


def default_kind(number: int, previous_kinds: Iterable[str]) -> ReportKind:
    """Erstmeldung for the first report of an incident, Folgemeldung after that."""
    del previous_kinds
    return ReportKind.INITIAL if number == 1 else ReportKind.UPDATE


def parse_kind(value: str) -> ReportKind:
    key = value.strip().casefold()
    aliases = {
        "erstmeldung": ReportKind.INITIAL,
        "initial": ReportKind.INITIAL,
        "folgemeldung": ReportKind.UPDATE,
        "update": ReportKind.UPDATE,
        "abschlussmeldung": ReportKind.FINAL,
        "final": ReportKind.FINAL,
    }
    try:
        return aliases[key]
    except KeyError:
        raise ValueError(
            f"Unbekannte Meldungsart „{value}“ (erlaubt: Erstmeldung, Folgemeldung, "
            "Abschlussmeldung)."
        ) from None


def clean_classification(value: str | None) -> str | None:
    """One line, at most 80 characters; empty means unclassified."""
    if value is None:
        return None
    cleaned = " ".join(value.replace("\x00", "").split())
    if not cleaned:
        return None
    if len(cleaned) > CLASSIFICATION_MAX:
        raise ValueError(f"Die Einstufung ist zu lang (höchstens {CLASSIFICATION_MAX} Zeichen).")
    return cleaned


def clean_staff_name(value: str | None) -> str:
    cleaned = " ".join((value or "").replace("\x00", "").split())
    if not cleaned:
        return DEFAULT_STAFF_NAME
    if len(cleaned) > STAFF_NAME_MAX:
        raise ValueError(f"Der Name des Stabes ist zu lang (höchstens {STAFF_NAME_MAX} Zeichen).")
    return cleaned


# --------------------------------------------------------------------------- the frozen document


@dataclass(frozen=True)
class ReportDocument:
    """A report exactly as printed: header facts plus content.

    The PDF is built from this alone (no database access), so the released
    document stored as JSON reproduces the stored PDF byte for byte.
    """

    report_id: str
    incident_id: str
    incident_title: str
    staff_name: str
    number: int
    kind: str
    status: str
    classification: str | None
    period_from: datetime
    period_to: datetime
    prepared_by: str
    prepared_function: str
    prepared_at: datetime
    released_by: str | None
    released_function: str | None
    released_at: datetime | None
    chain_head: str | None
    chain_number: int | None
    exercise: bool
    content: ReportContent
    version: int = DOCUMENT_VERSION

    @property
    def is_draft(self) -> bool:
        return self.status != ReportStatus.RELEASED.value

    @property
    def title(self) -> str:
        return f"Lagebericht Nr. {self.number} – {self.kind}"

    @property
    def stamp(self) -> datetime:
        """The time the document speaks for: release, else end of period."""
        return self.released_at or self.period_to

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "report_id": self.report_id,
            "incident_id": self.incident_id,
            "incident_title": self.incident_title,
            "staff_name": self.staff_name,
            "number": self.number,
            "kind": self.kind,
            "status": self.status,
            "classification": self.classification,
            "period_from": _time_out(self.period_from),
            "period_to": _time_out(self.period_to),
            "prepared_by": self.prepared_by,
            "prepared_function": self.prepared_function,
            "prepared_at": _time_out(self.prepared_at),
            "released_by": self.released_by,
            "released_function": self.released_function,
            "released_at": _time_out(self.released_at),
            "chain_head": self.chain_head,
            "chain_number": self.chain_number,
            "exercise": self.exercise,
            "content": self.content.to_dict(),
        }

    def to_json(self) -> str:
        return canonical_json(self.to_dict())

    @classmethod
    def from_json(cls, text: str) -> ReportDocument:
        data = json.loads(text)
        period_from = _time_in(data.get("period_from"))
        period_to = _time_in(data.get("period_to"))
        prepared_at = _time_in(data.get("prepared_at"))
        if period_from is None or period_to is None or prepared_at is None:
            raise ValueError("Lagebericht-Dokument unvollständig (Zeiten fehlen).")
        return cls(
            version=int(data.get("version") or DOCUMENT_VERSION),
            report_id=_text(data.get("report_id")),
            incident_id=_text(data.get("incident_id")),
            incident_title=_text(data.get("incident_title")),
            staff_name=_text(data.get("staff_name")),
            number=int(data.get("number") or 0),
            kind=_text(data.get("kind")),
            status=_text(data.get("status")),
            classification=data.get("classification") or None,
            period_from=period_from,
            period_to=period_to,
            prepared_by=_text(data.get("prepared_by")),
            prepared_function=_text(data.get("prepared_function")),
            prepared_at=prepared_at,
            released_by=data.get("released_by") or None,
            released_function=data.get("released_function") or None,
            released_at=_time_in(data.get("released_at")),
            chain_head=data.get("chain_head") or None,
            chain_number=None if data.get("chain_number") is None else int(data["chain_number"]),
            exercise=bool(data.get("exercise")),
            content=ReportContent.from_dict(data.get("content")),
        )


def summary_lines(document: ReportDocument, limit: int = 1200) -> list[str]:
    """Short German summary of a report (CAP description, exports)."""
    content = document.content
    lines: list[str] = []
    for label, text in (
        ("Lage", content.overview),
        ("Wetter", content.weather),
        ("Schadenlage", content.damage),
        ("KRITIS", content.kritis_remarks),
        ("Prognose", content.prognosis),
    ):
        if text:
            lines.append(f"{label}: {_shorten(text, limit)}")
    kritis = content.kritis
    if kritis.available:
        failed = sum(1 for f in kritis.affected if f.status == "ausgefallen")
        lines.append(
            f"KRITIS: {failed} Objekte ausgefallen, {len(kritis.affected) - failed} beeinträchtigt, "
            f"{len(kritis.emergency_power)} im Notstrombetrieb."
        )
    return lines


def _shorten(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def entry_lines(entries: Sequence[Any]) -> tuple[EntryLine, ...]:
    """EntryLine copies of journal EntryViews (duck-typed: any object with the fields)."""
    return tuple(
        EntryLine(
            number=e.number,
            recorded_at=e.recorded_at,
            function=e.function,
            author=e.author,
            kind=e.kind,
            text=e.text,
            corrects=e.corrects,
            corrected_by=tuple(e.corrected_by),
        )
        for e in entries
    )
