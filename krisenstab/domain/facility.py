"""KRITIS facilities: the register, its catalogue, contacts, dependencies, status, history.

Tables (SQLModel, dialect-neutral) and pure rules. The services layer reads and
writes them; the GUI, the command line and the exchange formats only ever see
the detached views defined at the end of this module.

* ``facility``: current state of one object (master data, position in WGS84,
  emergency power, current status with since-time, source and note).
* ``facility_catalogue``: KRITIS sectors and branches (DOMAIN.md §6) plus the
  locally critical objects; seeded, extendable by the user.
* ``facility_municipality``: the municipalities of the Kreis (Kreis Düren's
  15 preset) with a centre point; their box, widened, is the area in which
  positions are accepted.
* ``facility_contact``: several contacts per facility, each with a role.
* ``facility_dependency``: dependent → supplier, with kind and tolerance.
* ``facility_status_change``: the status history (each change also has its
  journal entry; the entry number is kept here).
* ``facility_change``: who changed which field when, from which workstation,
  old and new value. Plain facility id, no foreign key: the history outlives
  a deleted facility.
* ``facility_meta``: a revision counter that every write increments, so that
  a cached cascade graph knows when it is stale.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Connection, ForeignKey, Index, String, UniqueConstraint, event
from sqlmodel import Field, SQLModel

from krisenstab.domain.base import UTCDateTime, new_id
from krisenstab.domain.cascade import DependencyKind, parse_kind
from krisenstab.domain.geo import Area, CoordinateError, Position
from krisenstab.domain.power import (
    FacilityStatus,
    effective_autonomy_hours,
    format_remaining,
    remaining_hours,
)

NAME_MAX = 200
BUILTIN_WORKSTATION = "vorgabe"

# --------------------------------------------------------------------------
# Catalogue and municipalities (data, seeded into every new file)
# --------------------------------------------------------------------------

LOCAL_SECTOR = "Lokal kritische Einrichtungen"

# (sector, KRITIS by law, branches). BSI-KritisV / KRITIS-Dachgesetz, plus the
# objects a municipality protects without a statutory duty (DOMAIN.md §6).
SECTOR_CATALOGUE: tuple[tuple[str, bool, tuple[str, ...]], ...] = (
    ("Energie", True, ("Strom", "Gas", "Mineralöl", "Fernwärme")),
    ("Wasser", True, ("Trinkwasser", "Abwasser")),
    ("Ernährung", True, ("Lebensmittelproduktion", "Lebensmittelhandel")),
    (
        "Informationstechnik und Telekommunikation",
        True,
        ("Telekommunikation", "Informationstechnik"),
    ),
    ("Gesundheit", True, ("Medizinische Versorgung", "Arzneimittel", "Laboratoriumsdiagnostik")),
    ("Finanz- und Versicherungswesen", True, ("Bargeldversorgung", "Zahlungsverkehr", "Versicherungen")),
    ("Transport und Verkehr", True, ("Straße", "Schiene", "Luftfahrt", "Binnenschifffahrt", "ÖPNV", "Logistik")),
    ("Staat und Verwaltung", True, ("Regierung und Verwaltung", "Notfall- und Rettungswesen", "Justiz")),
    ("Medien und Kultur", True, ("Rundfunk", "Presse", "Kulturgut")),
    ("Siedlungsabfallentsorgung", True, ("Abfallentsorgung",)),
    ("Weltraum", True, ("Weltraum",)),
    ("Sozialleistungen", True, ("Sozialversicherung", "Grundsicherung")),
    (LOCAL_SECTOR, False, ("Schule/Notunterkunft", "Pflegeeinrichtung", "Feuerwehrhaus", "Kindertagesstätte", "Sonstige")),
)  # fmt: skip

# Kreis Düren (05358): the 15 municipalities with an approximate centre.
DEFAULT_MUNICIPALITIES: tuple[tuple[str, float, float], ...] = (
    ("Aldenhoven", 50.8960, 6.2830),
    ("Düren", 50.8040, 6.4830),
    ("Heimbach", 50.6360, 6.4760),
    ("Hürtgenwald", 50.7170, 6.3720),
    ("Inden", 50.8570, 6.3630),
    ("Jülich", 50.9220, 6.3580),
    ("Kreuzau", 50.7470, 6.4900),
    ("Langerwehe", 50.8180, 6.3530),
    ("Linnich", 50.9790, 6.2680),
    ("Merzenich", 50.8280, 6.5320),
    ("Nideggen", 50.6900, 6.4840),
    ("Niederzier", 50.8820, 6.4670),
    ("Nörvenich", 50.8060, 6.6380),
    ("Titz", 50.9990, 6.4250),
    ("Vettweiß", 50.7340, 6.5980),
)

# Positions are accepted within the box of the municipality centres widened by
# about 20 km: a neighbouring town's waterworks may supply the Kreis, a typo
# that puts an object into another Land is refused.
AREA_MARGIN_LAT = 0.2
AREA_MARGIN_LON = 0.3


def area_around(centres: list[tuple[float, float]], name: str = "Kreisgebiet") -> Area | None:
    """The accepted area for the given municipality centres (None if none is known)."""
    if not centres:
        return None
    lats = [c[0] for c in centres]
    lons = [c[1] for c in centres]
    return Area(
        south=min(lats) - AREA_MARGIN_LAT,
        west=min(lons) - AREA_MARGIN_LON,
        north=max(lats) + AREA_MARGIN_LAT,
        east=max(lons) + AREA_MARGIN_LON,
        name=name,
    )


# Which kind of supply a supplier provides, when an import names it without one.
_KIND_BY_BRANCH = {
    ("Energie", "Strom"): DependencyKind.POWER,
    ("Energie", "Mineralöl"): DependencyKind.FUEL,
    ("Wasser", "Trinkwasser"): DependencyKind.WATER,
}
_KIND_BY_SECTOR = {
    "Energie": DependencyKind.POWER,
    "Wasser": DependencyKind.WATER,
    "Informationstechnik und Telekommunikation": DependencyKind.TELECOM_IT,
    "Transport und Verkehr": DependencyKind.TRANSPORT,
}


def default_kind(sector: str | None, branch: str | None) -> DependencyKind:
    """The kind of supply a facility of this sector/branch typically provides."""
    if sector is None:
        return DependencyKind.OTHER
    kind = _KIND_BY_BRANCH.get((sector, branch or ""))
    if kind is not None:
        return kind
    if sector == "Energie" and branch:
        return DependencyKind.OTHER  # gas, district heating: no rule of their own
    return _KIND_BY_SECTOR.get(sector, DependencyKind.OTHER)


_KIND_WORDS: dict[str, DependencyKind] = {
    "strom": DependencyKind.POWER,
    "energie": DependencyKind.POWER,
    "elektrizität": DependencyKind.POWER,
    "power": DependencyKind.POWER,
    "wasser": DependencyKind.WATER,
    "trinkwasser": DependencyKind.WATER,
    "water": DependencyKind.WATER,
    "telekommunikation/it": DependencyKind.TELECOM_IT,
    "telekommunikation": DependencyKind.TELECOM_IT,
    "it": DependencyKind.TELECOM_IT,
    "tk": DependencyKind.TELECOM_IT,
    "tk/it": DependencyKind.TELECOM_IT,
    "it/tk": DependencyKind.TELECOM_IT,
    "kommunikation": DependencyKind.TELECOM_IT,
    "kraftstoff": DependencyKind.FUEL,
    "treibstoff": DependencyKind.FUEL,
    "diesel": DependencyKind.FUEL,
    "fuel": DependencyKind.FUEL,
    "verkehr": DependencyKind.TRANSPORT,
    "transport": DependencyKind.TRANSPORT,
    "sonstiges": DependencyKind.OTHER,
    "sonstige": DependencyKind.OTHER,
    "andere": DependencyKind.OTHER,
}


def kind_from_text(text: str) -> DependencyKind | None:
    """A dependency kind as people write it (``Strom``, ``TK``, ``IT``), or None."""
    key = " ".join(text.split()).casefold().replace(" / ", "/")
    return _KIND_WORDS.get(key)


# --------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------


class Facility(SQLModel, table=True):
    __tablename__ = "facility"
    __table_args__ = (
        UniqueConstraint("name", "municipality", name="uq_facility_name_municipality"),
        Index("ix_facility_municipality", "municipality"),
        Index("ix_facility_status", "status"),
        Index("ix_facility_sector", "sector"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    name: str = Field(max_length=NAME_MAX)
    sector: str = Field(max_length=80)
    branch: str | None = Field(default=None, max_length=80)
    locally_critical: bool = False
    municipality: str = Field(max_length=80)
    street: str | None = Field(default=None, max_length=200)
    postcode: str | None = Field(default=None, max_length=10)
    city: str | None = Field(default=None, max_length=100)
    lat: float | None = None
    lon: float | None = None
    # The position as the user typed it (shown next to UTMREF).
    position_text: str | None = Field(default=None, max_length=120)
    operator: str | None = Field(default=None, max_length=200)
    emergency_power: bool = False
    autonomy_h: float | None = None
    fuel_stock_l: float | None = None
    consumption_l_per_h: float | None = None
    persons_supplied: int = 0
    sensitive_consumers: str | None = None
    redundancy: str | None = None
    notes: str | None = None
    status: str = Field(default=FacilityStatus.OPERATIONAL.value, max_length=20)
    status_since: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    status_source: str | None = Field(default=None, max_length=120)
    status_note: str | None = None
    # Generator start, or its last refuelling: the reference for remaining hours.
    power_since: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    created_by: str = Field(max_length=120)
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_by: str = Field(max_length=120)
    workstation_id: str = Field(max_length=36)
    # Raised on every change: a form saved over a newer state is refused.
    version: int = 1


class FacilityCatalogueEntry(SQLModel, table=True):
    __tablename__ = "facility_catalogue"
    __table_args__ = (UniqueConstraint("sector", "branch", name="uq_facility_catalogue"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    sector: str = Field(max_length=80)
    branch: str = Field(default="", max_length=80)  # "" = the sector itself
    statutory: bool = True
    sort_order: int = 0
    builtin: bool = False
    workstation_id: str = Field(max_length=36)


class Municipality(SQLModel, table=True):
    __tablename__ = "facility_municipality"
    __table_args__ = (UniqueConstraint("name", name="uq_facility_municipality_name"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    name: str = Field(max_length=80)
    lat: float | None = None
    lon: float | None = None
    sort_order: int = 0
    builtin: bool = False
    workstation_id: str = Field(max_length=36)


class FacilityContact(SQLModel, table=True):
    __tablename__ = "facility_contact"
    __table_args__ = (Index("ix_facility_contact_facility", "facility_id", "sort_order"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    facility_id: str = Field(
        sa_column=Column(String(36), ForeignKey("facility.id", ondelete="CASCADE"), nullable=False)
    )
    role: str = Field(max_length=80)
    name: str | None = Field(default=None, max_length=120)
    phone: str | None = Field(default=None, max_length=60)
    phone_alt: str | None = Field(default=None, max_length=60)
    email: str | None = Field(default=None, max_length=120)
    available_24_7: bool = False
    notes: str | None = None
    sort_order: int = 0
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    workstation_id: str = Field(max_length=36)


class FacilityDependency(SQLModel, table=True):
    __tablename__ = "facility_dependency"
    __table_args__ = (
        UniqueConstraint("dependent_id", "supplier_id", "kind", name="uq_facility_dependency"),
        Index("ix_facility_dependency_supplier", "supplier_id"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    dependent_id: str = Field(
        sa_column=Column(String(36), ForeignKey("facility.id", ondelete="CASCADE"), nullable=False)
    )
    supplier_id: str = Field(
        sa_column=Column(String(36), ForeignKey("facility.id", ondelete="CASCADE"), nullable=False)
    )
    kind: str = Field(max_length=30)
    tolerance_h: float = 0.0
    note: str | None = None
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    workstation_id: str = Field(max_length=36)


class FacilityStatusChange(SQLModel, table=True):
    __tablename__ = "facility_status_change"
    __table_args__ = (Index("ix_facility_status_change_facility", "facility_id", "since"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    facility_id: str = Field(
        sa_column=Column(String(36), ForeignKey("facility.id", ondelete="CASCADE"), nullable=False)
    )
    # "Status", "Betankung" or "Ersterfassung".
    event: str = Field(max_length=20)
    status: str = Field(max_length=20)
    previous_status: str | None = Field(default=None, max_length=20)
    since: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    recorded_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    source: str | None = Field(default=None, max_length=120)
    note: str | None = None
    author: str = Field(max_length=120)
    function: str = Field(max_length=60)
    workstation_id: str = Field(max_length=36)
    incident_id: str | None = Field(default=None, max_length=36)
    journal_number: int | None = None


class FacilityChange(SQLModel, table=True):
    __tablename__ = "facility_change"
    __table_args__ = (Index("ix_facility_change_facility", "facility_id", "changed_at"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    facility_id: str = Field(max_length=36)
    facility_name: str = Field(max_length=NAME_MAX)
    changed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    person: str = Field(max_length=120)
    function: str = Field(max_length=60)
    workstation_id: str = Field(max_length=36)
    # "angelegt", "geändert", "gelöscht", "Import".
    action: str = Field(max_length=20)
    field_name: str = Field(default="", max_length=60)
    old_value: str | None = None
    new_value: str | None = None


class FacilityMeta(SQLModel, table=True):
    __tablename__ = "facility_meta"

    key: str = Field(primary_key=True, max_length=60)
    value: str


REVISION_KEY = "revision"
# Raised only when dependencies change: the cascade then reloads them too.
DEPENDENCY_REVISION_KEY = "dependency_revision"


def seed_rows() -> dict[str, list[dict[str, Any]]]:
    """The rows every new file starts with, per table."""
    catalogue: list[dict[str, Any]] = []
    order = 0
    for sector, statutory, branches in SECTOR_CATALOGUE:
        for branch in branches:
            order += 10
            catalogue.append(
                {
                    "id": new_id(),
                    "sector": sector,
                    "branch": branch,
                    "statutory": statutory,
                    "sort_order": order,
                    "builtin": True,
                    "workstation_id": BUILTIN_WORKSTATION,
                }
            )
    municipalities = [
        {
            "id": new_id(),
            "name": name,
            "lat": lat,
            "lon": lon,
            "sort_order": (i + 1) * 10,
            "builtin": True,
            "workstation_id": BUILTIN_WORKSTATION,
        }
        for i, (name, lat, lon) in enumerate(DEFAULT_MUNICIPALITIES)
    ]
    return {
        "facility_catalogue": catalogue,
        "facility_municipality": municipalities,
        "facility_meta": [
            {"key": REVISION_KEY, "value": "0"},
            {"key": DEPENDENCY_REVISION_KEY, "value": "0"},
        ],
    }


def seed(conn: Connection, table_name: str) -> None:
    """Insert the seed rows of one table (used by create_all and by the migration)."""
    rows = seed_rows().get(table_name)
    if rows:
        table = SQLModel.metadata.tables[table_name]
        conn.execute(table.insert(), rows)


def _seed_after_create(target: Any, connection: Connection, **_kw: Any) -> None:
    seed(connection, target.name)


for _table in (FacilityCatalogueEntry, Municipality, FacilityMeta):
    event.listen(_table.__table__, "after_create", _seed_after_create)


# --------------------------------------------------------------------------
# Field rules
# --------------------------------------------------------------------------

# Editable master-data fields, in the order of forms and history, with labels.
FIELD_LABELS: dict[str, str] = {
    "name": "Name",
    "sector": "Sektor",
    "branch": "Branche",
    "locally_critical": "Lokal kritisch",
    "municipality": "Gemeinde",
    "street": "Straße",
    "postcode": "PLZ",
    "city": "Ort",
    "position": "Position",
    "operator": "Betreiber",
    "emergency_power": "Notstrom",
    "autonomy_h": "Autarkie (h)",
    "fuel_stock_l": "Kraftstoff (l)",
    "consumption_l_per_h": "Verbrauch (l/h)",
    "persons_supplied": "Versorgte Personen",
    "sensitive_consumers": "Empfindliche Verbraucher",
    "redundancy": "Redundanz",
    "notes": "Bemerkungen",
}
EDITABLE_FIELDS = tuple(FIELD_LABELS)
TEXT_LIMITS = {
    "name": NAME_MAX,
    "sector": 80,
    "branch": 80,
    "municipality": 80,
    "street": 200,
    "postcode": 10,
    "city": 100,
    "operator": 200,
    "sensitive_consumers": 2000,
    "redundancy": 2000,
    "notes": 10000,
}
NUMBER_FIELDS = ("autonomy_h", "fuel_stock_l", "consumption_l_per_h")
# Positions are kept to 6 decimals (about 0.1 m): enough for any object, and
# a value written to a file and read back is the same number.
POSITION_DECIMALS = 6


class FacilityRuleError(ValueError):
    """Facility values break rules; the message is German.

    ``problems`` lists (field, German reason) for every broken rule, so an
    import can name each column; ``str(err)`` joins them.
    """

    def __init__(self, message: str, field_name: str | None = None) -> None:
        super().__init__(message)
        self.problems: list[tuple[str | None, str]] = [(field_name, message)]

    @classmethod
    def collected(cls, problems: list[tuple[str | None, str]]) -> FacilityRuleError:
        err = cls("; ".join(message for _, message in problems))
        err.problems = list(problems)
        return err


def clean_text(value: str | None, field_name: str) -> str | None:
    """Trim and collapse a one-line text; empty → None; refuse oversized text."""
    if value is None:
        return None
    if not isinstance(value, str):
        value = str(value)
    multiline = field_name in ("sensitive_consumers", "redundancy", "notes")
    if multiline:
        cleaned = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    else:
        cleaned = " ".join(value.split())
    cleaned = cleaned.replace("\x00", "")
    if not cleaned:
        return None
    limit = TEXT_LIMITS.get(field_name)
    if limit is not None and len(cleaned) > limit:
        raise FacilityRuleError(
            f"{FIELD_LABELS.get(field_name, field_name)} ist zu lang (höchstens {limit} Zeichen)."
        )
    return cleaned


def clean_name(name: str | None) -> str:
    cleaned = clean_text(name, "name")
    if cleaned is None:
        raise FacilityRuleError("Der Name des Objekts darf nicht leer sein.")
    if "|" in cleaned:
        # "|" separates suppliers in the "Abhängig von" column of the exchange files.
        raise FacilityRuleError(f"Der Name „{cleaned}“ darf kein „|“ enthalten.")
    return cleaned


def check_number(value: float | None, field_name: str) -> float | None:
    if value is None:
        return None
    label = FIELD_LABELS.get(field_name, field_name)
    if isinstance(value, bool):
        raise FacilityRuleError(f"{label}: „{value}“ ist keine Zahl.")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise FacilityRuleError(f"{label}: „{value}“ ist keine Zahl.") from None
    if not math.isfinite(number) or number < 0:
        raise FacilityRuleError(f"{label} muss eine Zahl ≥ 0 sein, nicht {fmt_number(number)}.")
    return number


def check_persons(value: int | None) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise FacilityRuleError(f"Versorgte Personen: „{value}“ ist keine ganze Zahl.")
    if value < 0:
        raise FacilityRuleError(f"Versorgte Personen dürfen nicht negativ sein ({value}).")
    if value > 100_000_000:
        raise FacilityRuleError(f"Versorgte Personen: {value} ist unplausibel groß.")
    return value


def check_tolerance(value: float | None) -> float:
    if value is None:
        return 0.0
    if isinstance(value, bool):
        raise FacilityRuleError("Die Toleranz muss eine Zahl von Stunden ≥ 0 sein.")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise FacilityRuleError(f"Toleranz: „{value}“ ist keine Zahl.") from None
    if not math.isfinite(number) or number < 0:
        raise FacilityRuleError(f"Die Toleranz muss ≥ 0 h sein, nicht {fmt_number(number)}.")
    return number


def check_dependency_kind(kind: str | DependencyKind) -> DependencyKind:
    if isinstance(kind, DependencyKind):
        return kind
    found = kind_from_text(str(kind))
    if found is not None:
        return found
    try:
        return parse_kind(kind)
    except ValueError as exc:
        raise FacilityRuleError(str(exc)) from None


def round_position(pos: Position) -> Position:
    return Position(round(pos.lat, POSITION_DECIMALS), round(pos.lon, POSITION_DECIMALS))


def match_key(name: str, municipality: str) -> tuple[str, str]:
    """How the import recognises a facility without an ID: name + municipality."""
    return (" ".join(name.split()).casefold(), " ".join(municipality.split()).casefold())


def name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def fmt_number(value: float) -> str:
    """German number text without needless zeros: 12,5 · 18 · 0,25."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value)).replace(".", ",")


def history_text(field_name: str, value: Any) -> str | None:
    """A field value as the history shows it (German)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, Position):
        return f"{value.lat:.6f}, {value.lon:.6f}"
    if isinstance(value, float):
        return fmt_number(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


# --------------------------------------------------------------------------
# Views handed out by the services (detached, immutable)
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FacilityView:
    id: str
    name: str
    sector: str
    branch: str | None
    locally_critical: bool
    municipality: str
    street: str | None
    postcode: str | None
    city: str | None
    lat: float | None
    lon: float | None
    position_text: str | None
    operator: str | None
    emergency_power: bool
    autonomy_h: float | None
    fuel_stock_l: float | None
    consumption_l_per_h: float | None
    persons_supplied: int
    sensitive_consumers: str | None
    redundancy: str | None
    notes: str | None
    status: str
    status_since: datetime
    status_source: str | None
    status_note: str | None
    power_since: datetime | None
    created_at: datetime
    updated_at: datetime
    updated_by: str
    workstation_id: str
    version: int
    phone_24_7: str | None = None

    @property
    def position(self) -> Position | None:
        if self.lat is None or self.lon is None:
            return None
        return Position(self.lat, self.lon)

    @property
    def autonomy_hours(self) -> float | None:
        """Effective hours of a full generator run (None: no generator or unknown)."""
        if not self.emergency_power:
            return None
        return effective_autonomy_hours(
            self.autonomy_h, self.fuel_stock_l, self.consumption_l_per_h
        )

    @property
    def on_emergency_power(self) -> bool:
        return self.status == FacilityStatus.EMERGENCY_POWER.value

    @property
    def generator_since(self) -> datetime | None:
        """When the present generator run started (or the tank was last filled)."""
        if not self.on_emergency_power:
            return None
        return self.power_since or self.status_since

    def remaining_hours(self, now: datetime) -> float | None:
        """Hours of emergency power left at ``now`` (None: not on generator or unknown)."""
        since = self.generator_since
        autonomy = self.autonomy_hours
        if since is None or autonomy is None:
            return None
        return remaining_hours(since, autonomy, now)

    def remaining_text(self, now: datetime) -> str:
        if not self.on_emergency_power:
            return ""
        return format_remaining(self.remaining_hours(now))

    @property
    def address(self) -> str:
        town = " ".join(p for p in (self.postcode, self.city) if p)
        return ", ".join(p for p in (self.street, town) if p)

    def utmref(self, digits: int = 4) -> str | None:
        """UTMREF of the position (computed on demand: mgrs costs time per call)."""
        from krisenstab.domain.geo import format_utmref

        pos = self.position
        return format_utmref(pos, digits) if pos is not None else None

    def field_value(self, field_name: str) -> Any:
        """An editable field's value as the history compares it."""
        if field_name == "position":
            return self.position
        return getattr(self, field_name)


@dataclass(frozen=True)
class FacilityDraft:
    """The editable fields of a facility, as a form or an import row holds them.

    ``position`` is text in any form geo.parse_position reads (UTMREF, decimal,
    DMS, UTM zone 32) or a Position; None leaves the object without position.
    """

    name: str
    sector: str
    municipality: str
    branch: str | None = None
    locally_critical: bool = False
    street: str | None = None
    postcode: str | None = None
    city: str | None = None
    position: str | Position | None = None
    operator: str | None = None
    emergency_power: bool = False
    autonomy_h: float | None = None
    fuel_stock_l: float | None = None
    consumption_l_per_h: float | None = None
    persons_supplied: int = 0
    sensitive_consumers: str | None = None
    redundancy: str | None = None
    notes: str | None = None

    @classmethod
    def from_view(cls, view: FacilityView) -> FacilityDraft:
        """A draft holding a stored facility's values (position as text typed)."""
        pos = view.position
        position: str | Position | None = pos
        if pos is not None and view.position_text:
            position = view.position_text
        return cls(
            name=view.name,
            sector=view.sector,
            municipality=view.municipality,
            branch=view.branch,
            locally_critical=view.locally_critical,
            street=view.street,
            postcode=view.postcode,
            city=view.city,
            position=position,
            operator=view.operator,
            emergency_power=view.emergency_power,
            autonomy_h=view.autonomy_h,
            fuel_stock_l=view.fuel_stock_l,
            consumption_l_per_h=view.consumption_l_per_h,
            persons_supplied=view.persons_supplied,
            sensitive_consumers=view.sensitive_consumers,
            redundancy=view.redundancy,
            notes=view.notes,
        )


@dataclass(frozen=True)
class CleanFacility:
    """Validated field values, ready for the store (position resolved)."""

    values: Mapping[str, Any]
    position: Position | None
    position_text: str | None


def validate_values(
    values: Mapping[str, Any],
    *,
    sectors: Mapping[str, set[str]],
    municipalities: Mapping[str, str],
    area: Area | None,
) -> CleanFacility:
    """Check and normalise a full set of editable fields (a draft's dict).

    ``sectors``: sector → its branches; ``municipalities``: casefolded name →
    name as configured. Every broken rule is collected; raises one
    FacilityRuleError listing them all (German).
    """
    out: dict[str, Any] = {}
    problems: list[tuple[str | None, str]] = []

    def attempt(field_name: str, fn: Any, *args: Any) -> Any:
        try:
            return fn(*args)
        except FacilityRuleError as exc:
            problems.append((field_name, str(exc)))
            return None

    out["name"] = attempt("name", clean_name, values.get("name"))
    sector = attempt("sector", clean_text, values.get("sector"), "sector")
    if sector is None:
        if not any(f == "sector" for f, _ in problems):
            problems.append(("sector", "Bitte einen Sektor angeben."))
        out["sector"] = None
    else:
        out["sector"] = attempt("sector", canonical_sector, sector, sectors)
    branch = attempt("branch", clean_text, values.get("branch"), "branch")
    out["branch"] = None
    if branch is not None and out["sector"] is not None:
        out["branch"] = attempt("branch", canonical_branch, branch, out["sector"], sectors)
    municipality = attempt("municipality", clean_text, values.get("municipality"), "municipality")
    if municipality is None:
        if not any(f == "municipality" for f, _ in problems):
            problems.append(("municipality", "Bitte eine Gemeinde angeben."))
        out["municipality"] = None
    else:
        out["municipality"] = attempt(
            "municipality", canonical_municipality, municipality, municipalities
        )
    for key in (
        "street",
        "postcode",
        "city",
        "operator",
        "sensitive_consumers",
        "redundancy",
        "notes",
    ):
        out[key] = attempt(key, clean_text, values.get(key), key)
    out["locally_critical"] = bool(values.get("locally_critical") or False)
    for key in NUMBER_FIELDS:
        out[key] = attempt(key, check_number, values.get(key), key)
    persons = attempt("persons_supplied", check_persons, values.get("persons_supplied"))
    out["persons_supplied"] = persons if persons is not None else 0
    emergency = bool(values.get("emergency_power") or False)
    if not emergency and any(out[k] is not None for k in NUMBER_FIELDS):
        problems.append(
            (
                "emergency_power",
                "Autarkie, Kraftstoff oder Verbrauch sind angegeben, aber kein Notstrom; "
                "bitte „Notstrom“ auf ja setzen oder die Werte leeren.",
            )
        )
    out["emergency_power"] = emergency
    position, position_text = None, None
    try:
        position, position_text = resolve_position(values.get("position"), area)
    except FacilityRuleError as exc:
        problems.append(("position", str(exc)))
    if problems:
        raise FacilityRuleError.collected(problems)
    return CleanFacility(out, position, position_text)


def resolve_position(raw: Any, area: Area | None) -> tuple[Position | None, str | None]:
    """(WGS84 position rounded to storage precision, the text as typed)."""
    from krisenstab.domain.geo import check_area, parse_position

    if raw is None:
        return None, None
    if isinstance(raw, Position):
        pos = raw
        text = None
    else:
        text = " ".join(str(raw).split())
        if not text:
            return None, None
        if len(text) > 120:
            raise FacilityRuleError("Die Positionsangabe ist zu lang.")
        try:
            pos = parse_position(text, area=None)
        except CoordinateError as exc:
            raise FacilityRuleError(str(exc)) from None
    if area is not None:
        try:
            check_area(pos, area)
        except CoordinateError as exc:
            raise FacilityRuleError(f"{exc} – erlaubt ist {area.name}.") from None
    return round_position(pos), text


def canonical_sector(sector: str, sectors: Mapping[str, set[str]]) -> str:
    for known in sectors:
        if known.casefold() == sector.casefold():
            return known
    shown = ", ".join(sectors)
    raise FacilityRuleError(f"Unbekannter Sektor „{sector}“ (Katalog: {shown}).")


def canonical_branch(
    branch: str | None, sector: str, sectors: Mapping[str, set[str]]
) -> str | None:
    if branch is None:
        return None
    for known in sectors.get(sector, ()):
        if known.casefold() == branch.casefold():
            return known
    shown = ", ".join(sorted(b for b in sectors.get(sector, ()) if b)) or "keine"
    raise FacilityRuleError(
        f"Die Branche „{branch}“ gehört nicht zum Sektor „{sector}“ (Branchen: {shown})."
    )


def canonical_municipality(name: str, municipalities: Mapping[str, str]) -> str:
    found = municipalities.get(" ".join(name.split()).casefold())
    if found is None:
        shown = ", ".join(municipalities.values())
        raise FacilityRuleError(f"Unbekannte Gemeinde „{name}“ (bekannt: {shown}).")
    return found


@dataclass(frozen=True, slots=True)
class ContactDraft:
    role: str
    name: str | None = None
    phone: str | None = None
    phone_alt: str | None = None
    email: str | None = None
    available_24_7: bool = False
    notes: str | None = None


_PHONE_RE = re.compile(r"[0-9+()/\-\s.]*(?:\s*(?:Durchwahl|DW|App\.?|x)\s*[0-9]+)?", re.IGNORECASE)


def clean_contact(draft: ContactDraft) -> dict[str, Any]:
    role = " ".join((draft.role or "").split())
    if not role:
        raise FacilityRuleError("Bitte die Rolle des Kontakts angeben (z. B. Bereitschaft 24/7).")
    if len(role) > 80:
        raise FacilityRuleError("Die Rolle ist zu lang (höchstens 80 Zeichen).")
    out: dict[str, Any] = {"role": role}
    for key, limit in (("name", 120), ("phone", 60), ("phone_alt", 60), ("email", 120)):
        value = getattr(draft, key)
        value = " ".join(value.split()) if value else None
        if value and len(value) > limit:
            raise FacilityRuleError(f"Kontakt: {key} ist zu lang (höchstens {limit} Zeichen).")
        out[key] = value or None
    for key in ("phone", "phone_alt"):
        if out[key] and (
            not _PHONE_RE.fullmatch(out[key]) or not any(c.isdigit() for c in out[key])
        ):
            raise FacilityRuleError(f"„{out[key]}“ ist keine Telefonnummer.")
    if out["email"] and "@" not in out["email"]:
        raise FacilityRuleError(f"„{out['email']}“ ist keine E-Mail-Adresse.")
    if not (out["phone"] or out["phone_alt"] or out["email"]):
        raise FacilityRuleError("Ein Kontakt braucht eine Telefonnummer oder E-Mail-Adresse.")
    out["available_24_7"] = bool(draft.available_24_7)
    out["notes"] = (draft.notes or "").strip() or None
    return out


@dataclass(frozen=True, slots=True)
class ContactView:
    id: str
    facility_id: str
    role: str
    name: str | None
    phone: str | None
    phone_alt: str | None
    email: str | None
    available_24_7: bool
    notes: str | None
    sort_order: int

    @property
    def label(self) -> str:
        parts = [self.role]
        if self.name:
            parts.append(self.name)
        return ": ".join(parts)


@dataclass(frozen=True, slots=True)
class DependencyLink:
    """One stored dependency with both names, for lists and the detail panel."""

    id: str
    dependent_id: str
    dependent_name: str
    supplier_id: str
    supplier_name: str
    kind: str
    tolerance_h: float
    note: str | None
    dependent_municipality: str = ""
    supplier_municipality: str = ""


@dataclass(frozen=True, slots=True)
class StatusChangeView:
    id: str
    facility_id: str
    event: str
    status: str
    previous_status: str | None
    since: datetime
    recorded_at: datetime
    source: str | None
    note: str | None
    author: str
    function: str
    workstation_id: str
    incident_id: str | None
    journal_number: int | None


@dataclass(frozen=True, slots=True)
class FacilityChangeView:
    id: str
    facility_id: str
    facility_name: str
    changed_at: datetime
    person: str
    function: str
    workstation_id: str
    action: str
    field_name: str
    old_value: str | None
    new_value: str | None

    @property
    def field_label(self) -> str:
        return FIELD_LABELS.get(self.field_name, self.field_name)


@dataclass(frozen=True, slots=True)
class CatalogueEntry:
    id: str
    sector: str
    branch: str
    statutory: bool
    builtin: bool
    sort_order: int


@dataclass(frozen=True, slots=True)
class MunicipalityView:
    id: str
    name: str
    lat: float | None
    lon: float | None
    builtin: bool
    sort_order: int
    facilities: int = 0


@dataclass(frozen=True)
class FacilityFilter:
    """What the facilities tab and ``facility list`` narrow the register down to."""

    text: str = ""
    sectors: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    municipalities: tuple[str, ...] = ()
    emergency_power_only: bool = False

    @property
    def is_empty(self) -> bool:
        return not (
            self.text.strip()
            or self.sectors
            or self.statuses
            or self.municipalities
            or self.emergency_power_only
        )

    def matches(self, view: FacilityView) -> bool:
        if self.sectors and view.sector not in self.sectors:
            return False
        if self.statuses and view.status not in self.statuses:
            return False
        if self.municipalities and view.municipality not in self.municipalities:
            return False
        if self.emergency_power_only and not view.emergency_power:
            return False
        words = self.text.casefold().split()
        if words:
            hay = " ".join(
                p
                for p in (
                    view.name,
                    view.sector,
                    view.branch,
                    view.municipality,
                    view.street,
                    view.city,
                    view.operator,
                    view.notes,
                    view.id,
                )
                if p
            ).casefold()
            return all(w in hay for w in words)
        return True


@dataclass(frozen=True)
class FacilityDetail:
    """Everything the detail panel shows about one facility."""

    facility: FacilityView
    contacts: tuple[ContactView, ...]
    suppliers: tuple[DependencyLink, ...]
    dependents: tuple[DependencyLink, ...]
    status_history: tuple[StatusChangeView, ...] = field(default=())
