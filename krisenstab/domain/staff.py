"""The staff: function catalogue, people, the roster, and who is responsible for what.

Pure declarations and rules (no I/O). A staff function is named by the short
form the staff writes everywhere ("S2", "Leiter des Stabes"); that name is
what the journal, tasks and messages carry, so it is limited to the width of
the journal's function column.

Roster rule (FwDV 100 Anlage 2): a function is held by at most one person at
a time; one person may hold several functions. Among the operational
functions S1–S6 only these merges are foreseen: S1+S4, S2+S3, S5 into S2, S6
into S3. A combination is regarded as foreseen when the functions one person
holds are connected through those pairs (so S2+S3+S5+S6 is, S5+S6 alone is
not); any other combination is refused unless the user explicitly overrides,
in which case the override is written into the journal entry of the handover.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, text
from sqlmodel import Field, SQLModel

from krisenstab.domain.base import UTCDateTime, new_id

FUNCTION_NAME_MAX = 60  # = journal_entry.function
ETB_KEEPER = "ETB-Führer"


class FunctionGroup(StrEnum):
    LEAD = "Leitung"
    COORDINATION = "Koordinierung"
    OPERATIONAL = "Sachgebiet"
    MEMBER = "Stabsmitglied"
    EXPERT = "Fachberater"
    LIAISON = "Verbindungsperson"
    MESSAGE_DESK = "Meldestelle"


@dataclass(frozen=True)
class FunctionSeed:
    name: str
    title: str
    category: FunctionGroup


# Seeded into every new catalogue; the staff edits it afterwards.
DEFAULT_FUNCTIONS: tuple[FunctionSeed, ...] = (
    FunctionSeed("Leiter des Stabes", "Leiter des Stabes", FunctionGroup.LEAD),
    FunctionSeed("KGS", "Koordinierungsgruppe des Stabes", FunctionGroup.COORDINATION),
    FunctionSeed("S1", "Personal/Innerer Dienst", FunctionGroup.OPERATIONAL),
    FunctionSeed("S2", "Lage", FunctionGroup.OPERATIONAL),
    FunctionSeed("S3", "Einsatz", FunctionGroup.OPERATIONAL),
    FunctionSeed("S4", "Versorgung", FunctionGroup.OPERATIONAL),
    FunctionSeed("S5", "Presse- und Medienarbeit", FunctionGroup.OPERATIONAL),
    FunctionSeed("S6", "Information und Kommunikation", FunctionGroup.OPERATIONAL),
    FunctionSeed("BuMA", "Bürgerinformation und Medienarbeit", FunctionGroup.MEMBER),
    FunctionSeed("Fachberater Wasserwirtschaft", "Fachberater Wasserwirtschaft", FunctionGroup.EXPERT),
    FunctionSeed("Fachberater Gesundheit", "Fachberater Gesundheit", FunctionGroup.EXPERT),
    FunctionSeed("Fachberater Energie", "Fachberater Energieversorgung", FunctionGroup.EXPERT),
    FunctionSeed("Fachberater ABC", "Fachberater ABC-Gefahren", FunctionGroup.EXPERT),
    FunctionSeed("Verbindungsperson THW", "Verbindungsperson Technisches Hilfswerk", FunctionGroup.LIAISON),
    FunctionSeed("Verbindungsperson Polizei", "Verbindungsperson Polizei", FunctionGroup.LIAISON),
    FunctionSeed("Verbindungsperson Bundeswehr", "Verbindungsperson Bundeswehr", FunctionGroup.LIAISON),
    FunctionSeed("Verbindungsperson Hilfsorganisationen", "Verbindungsperson Hilfsorganisationen", FunctionGroup.LIAISON),
    FunctionSeed("Sichter", "Sichter (Sichtung eingehender Nachrichten)", FunctionGroup.MESSAGE_DESK),
    FunctionSeed("Fernmelder", "Fernmelder (Nachrichtenannahme und -beförderung)", FunctionGroup.MESSAGE_DESK),
    FunctionSeed(ETB_KEEPER, "Einsatztagebuchführer (Tagebuchführer)", FunctionGroup.MESSAGE_DESK),
)  # fmt: skip

# FwDV 100 Anlage 2: the merges foreseen among S1–S6 (unordered pairs).
ALLOWED_MERGES: frozenset[frozenset[str]] = frozenset(
    {
        frozenset({"S1", "S4"}),
        frozenset({"S2", "S3"}),
        frozenset({"S2", "S5"}),
        frozenset({"S3", "S6"}),
    }
)
OPERATIONAL_FUNCTIONS = ("S1", "S2", "S3", "S4", "S5", "S6")


def merge_problem(functions: set[str] | frozenset[str]) -> str | None:
    """Why one person may not hold these functions together (German), or None.

    Only S1–S6 are ruled; the others (Leiter, Fachberater …) combine freely.
    """
    ops = sorted(f for f in functions if f in OPERATIONAL_FUNCTIONS)
    if len(ops) < 2:
        return None
    # Connected through foreseen pairs?
    reached = {ops[0]}
    frontier = [ops[0]]
    while frontier:
        current = frontier.pop()
        for other in ops:
            if other not in reached and frozenset({current, other}) in ALLOWED_MERGES:
                reached.add(other)
                frontier.append(other)
    if len(reached) == len(ops):
        return None
    return (
        f"Die Zusammenlegung {' + '.join(ops)} ist nach FwDV 100 nicht vorgesehen "
        "(vorgesehen: S1+S4, S2+S3, S5 in S2, S6 in S3)."
    )


# KRITIS sectors and branches (BSI-KritisV / KRITIS-Dachgesetz), offered as
# choices; the store accepts any text so that local categories fit as well.
KRITIS_SECTORS: dict[str, tuple[str, ...]] = {
    "Energie": ("Strom", "Gas", "Mineralöl", "Fernwärme"),
    "Wasser": ("Trinkwasser", "Abwasser"),
    "Ernährung": ("Lebensmittelversorgung", "Lebensmittelhandel"),
    "Informationstechnik und Telekommunikation": ("Telekommunikation", "Informationstechnik"),
    "Gesundheit": ("Stationäre Versorgung", "Arzneimittel", "Labore", "Rettungsdienst"),
    "Finanz- und Versicherungswesen": ("Zahlungsverkehr", "Bargeldversorgung"),
    "Transport und Verkehr": ("Straße", "Schiene", "Luftfahrt", "Binnenschifffahrt", "ÖPNV"),
    "Staat und Verwaltung": ("Verwaltung", "Gefahrenabwehr", "Justiz"),
    "Medien und Kultur": ("Rundfunk", "Presse", "Kulturgut"),
    "Siedlungsabfallentsorgung": ("Abfallentsorgung",),
    "Weltraum": (),
    "Sozialleistungen": ("Pflege", "Soziale Einrichtungen"),
}


# -- tables ------------------------------------------------------------------
class StaffFunction(SQLModel, table=True):
    __tablename__ = "staff_function"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    name: str = Field(max_length=FUNCTION_NAME_MAX, unique=True)
    title: str = Field(max_length=200)
    category: str = Field(max_length=40)
    sort_order: int = 0
    active: bool = True
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    workstation_id: str = Field(max_length=36)


class Person(SQLModel, table=True):
    __tablename__ = "person"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    name: str = Field(max_length=120, index=True)
    organisation: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=60)
    mobile: str | None = Field(default=None, max_length=60)
    radio_call_sign: str | None = Field(default=None, max_length=60)
    email: str | None = Field(default=None, max_length=200)
    deputy_id: str | None = Field(default=None, foreign_key="person.id", max_length=36)
    notes: str | None = None
    active: bool = True
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    workstation_id: str = Field(max_length=36)


class RosterAssignment(SQLModel, table=True):
    """Who holds a function from when to when (``ends_at`` None: still holds it)."""

    __tablename__ = "roster_assignment"
    __table_args__ = (
        # The store itself refuses a second open-ended holder of a function.
        Index(
            "uq_roster_open_function",
            "function_id",
            unique=True,
            sqlite_where=text("ends_at IS NULL"),
            postgresql_where=text("ends_at IS NULL"),
        ),
        Index("ix_roster_assignment_function_time", "function_id", "starts_at"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    function_id: str = Field(foreign_key="staff_function.id", max_length=36)
    person_id: str = Field(foreign_key="person.id", max_length=36, index=True)
    starts_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    ends_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    incident_id: str | None = Field(default=None, max_length=36)
    note: str | None = None
    assigned_by: str = Field(max_length=120)
    assigned_by_function: str = Field(max_length=FUNCTION_NAME_MAX)
    ended_by: str | None = Field(default=None, max_length=120)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    workstation_id: str = Field(max_length=36)


class Responsibility(SQLModel, table=True):
    """One line of the responsibility matrix: a subject and whom to call."""

    __tablename__ = "responsibility"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    # The key of an imported line (column "Schlüssel"), so re-imports update it.
    import_key: str | None = Field(default=None, max_length=120, unique=True)
    subject: str = Field(max_length=200)
    keywords: str | None = Field(default=None, max_length=500)
    sector: str | None = Field(default=None, max_length=100)
    branch: str | None = Field(default=None, max_length=100)
    facility_id: str | None = Field(default=None, max_length=36)
    facility_label: str | None = Field(default=None, max_length=200)
    municipality: str | None = Field(default=None, max_length=100)
    organisation: str | None = Field(default=None, max_length=200)
    function: str | None = Field(default=None, max_length=120)
    contact_person: str | None = Field(default=None, max_length=120)
    person_id: str | None = Field(default=None, foreign_key="person.id", max_length=36)
    phone: str | None = Field(default=None, max_length=60)
    phone_24h: str | None = Field(default=None, max_length=60)
    mobile: str | None = Field(default=None, max_length=60)
    email: str | None = Field(default=None, max_length=200)
    radio_call_sign: str | None = Field(default=None, max_length=60)
    deputy: str | None = Field(default=None, max_length=120)
    deputy_phone: str | None = Field(default=None, max_length=60)
    notes: str | None = None
    active: bool = True
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    workstation_id: str = Field(max_length=36)


class ResponsibilityToken(SQLModel, table=True):
    """Search words of a responsibility (folded, with weights), kept by the service.

    A plain table rather than a full-text index, so that the same prefix
    lookup runs on SQLite and PostgreSQL alike.
    """

    __tablename__ = "responsibility_token"
    __table_args__ = (
        Index("ix_responsibility_token_lookup", "token", "responsibility_id", "weight"),
    )

    responsibility_id: str = Field(foreign_key="responsibility.id", primary_key=True, max_length=36)
    token: str = Field(primary_key=True, max_length=80)
    weight: int


class MasterDataChange(SQLModel, table=True):
    """Attributable history of master data: one row per changed field."""

    __tablename__ = "master_data_change"
    __table_args__ = (Index("ix_master_data_change_entity", "entity", "entity_id", "changed_at"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    entity: str = Field(max_length=40)
    entity_id: str = Field(max_length=36)
    action: str = Field(max_length=20)
    field: str | None = Field(default=None, max_length=60)
    old_value: str | None = None
    new_value: str | None = None
    changed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    changed_by: str = Field(max_length=120)
    changed_by_function: str = Field(max_length=FUNCTION_NAME_MAX)
    workstation_id: str = Field(max_length=36)


class ChangeAction(StrEnum):
    CREATED = "angelegt"
    CHANGED = "geändert"
    DEACTIVATED = "deaktiviert"
    REACTIVATED = "reaktiviert"
    IMPORTED = "importiert"


class Entity(StrEnum):
    FUNCTION = "Stabsfunktion"
    PERSON = "Person"
    RESPONSIBILITY = "Zuständigkeit"


# -- validation ------------------------------------------------------------------
_PHONE = re.compile(r"^\+?[0-9 ()/\-.]{3,40}(?:\s*(?:[xX]|[dD]w\.?|-)\s*[0-9]{1,6})?$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def clean_line(
    value: str | None, what: str, max_length: int, *, required: bool = False
) -> str | None:
    """One line of text: blanks collapsed; None when empty (German error if required)."""
    cleaned = "" if value is None else " ".join(str(value).replace("\x00", "").split())
    if not cleaned:
        if required:
            raise ValueError(f"{what} darf nicht leer sein.")
        return None
    if len(cleaned) > max_length:
        raise ValueError(f"{what} ist zu lang (höchstens {max_length} Zeichen).")
    return cleaned


def clean_phone(value: str | None, what: str = "Telefonnummer") -> str | None:
    cleaned = clean_line(value, what, 60)
    if cleaned is not None and not _PHONE.match(cleaned):
        raise ValueError(
            f"{what} „{cleaned}“ ist keine Rufnummer (Ziffern, Leerzeichen, + / - ( ) erlaubt)."
        )
    return cleaned


def clean_email(value: str | None) -> str | None:
    cleaned = clean_line(value, "E-Mail-Adresse", 200)
    if cleaned is not None and not _EMAIL.match(cleaned):
        raise ValueError(f"„{cleaned}“ ist keine E-Mail-Adresse.")
    return cleaned


def clean_function_name(value: str | None) -> str:
    cleaned = clean_line(value, "Der Name der Stabsfunktion", FUNCTION_NAME_MAX, required=True)
    assert cleaned is not None
    return cleaned


def function_key(name: str) -> str:
    """Comparison key for function names: "s 2", "S2" and "s2" are the same."""
    return "".join(name.casefold().split())
