"""What the printed documents need from the other capabilities, as plain rows.

The situation report, the Erreichbarkeitsliste, the KRITIS list and the
message form read the KRITIS register, the roster, the responsibility matrix,
tasks and messages through the services that own them. This module is the
one place that knows those services; it turns their views into the small
frozen rows of :mod:`krisenstab.domain.report` that the report builders and
the frozen report JSON use.

A capability that is not installed yields ``available=False`` (or an empty
list) instead of an error, so every document still builds and says what it
could not know.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from types import ModuleType
from typing import Any

from sqlalchemy import select

from krisenstab.domain.report import (
    DEFAULT_STAFF_NAME,
    HORIZONS,
    FacilityLine,
    ForecastLine,
    KritisData,
    RosterLine,
    SituationReport,
    TaskData,
    TaskLine,
)
from krisenstab.reports.contact_list import ResponsibilityRow
from krisenstab.services.context import ServiceError
from krisenstab.store.database import Database

STAFF_NAME_META_KEY = "staff_name"
STATUS_FAILED = "ausgefallen"
STATUS_RESTRICTED = "eingeschränkt"
STATUS_EMERGENCY_POWER = "Notstrombetrieb"
STATUS_UNKNOWN = "unbekannt"
_AFFECTED = (STATUS_FAILED, STATUS_EMERGENCY_POWER, STATUS_RESTRICTED, STATUS_UNKNOWN)
_STATUS_ORDER = {s: i for i, s in enumerate(_AFFECTED)}


def service_module(name: str) -> ModuleType | None:
    """The module of another capability's service, or None while it is not installed."""
    try:
        return importlib.import_module(f"krisenstab.services.{name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"krisenstab.services.{name}":
            return None
        raise


# --------------------------------------------------------------------------- staff name


def staff_name(db: Database) -> str:
    """The staff's name for page headers: the file's setting, else the last report's."""
    from krisenstab.domain.meta import Meta

    with db.session() as session:
        value = session.execute(
            select(Meta.value).where(Meta.key == STAFF_NAME_META_KEY)
        ).scalar_one_or_none()
        if value and value.strip():
            return value.strip()
        last = session.execute(
            select(SituationReport.staff_name).order_by(SituationReport.prepared_at.desc()).limit(1)
        ).scalar_one_or_none()
    return last or DEFAULT_STAFF_NAME


# --------------------------------------------------------------------------- KRITIS


def _facility_views(db: Database) -> list[Any] | None:
    module = service_module("facilities")
    if module is None or not hasattr(module, "FacilityService"):
        return None
    return list(module.FacilityService(db).list())


def _line(view: Any, now: datetime) -> FacilityLine:
    remaining = view.remaining_hours(now) if view.on_emergency_power else None
    if remaining is not None and not math.isfinite(remaining):
        remaining = None
    return FacilityLine(
        facility_id=view.id,
        name=view.name,
        sector=view.sector or "",
        municipality=view.municipality or "",
        status=view.status,
        since=view.status_since,
        remaining_h=remaining,
        power_text=_power_text(view, now),
        persons_supplied=int(view.persons_supplied or 0),
        note=view.status_note or "",
        contact=getattr(view, "phone_24_7", None) or "",
    )


def _power_text(view: Any, now: datetime) -> str:
    if view.on_emergency_power:
        return view.remaining_text(now)
    if not view.emergency_power:
        return "kein Notstrom"
    autonomy = view.autonomy_hours
    if autonomy is None:
        return "Notstrom vorhanden, Autarkie unbekannt"
    return f"Notstrom vorhanden, {_hours(autonomy)} h Autarkie"


def _hours(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def _forecast(
    db: Database, now: datetime, names: dict[str, str], failed_now: set[str]
) -> list[ForecastLine] | None:
    """12/24/48/72 h forecast from the KRITIS service (None: not available).

    ``newly_failed`` lists what fails after ``now``: objects already down are
    counted in the totals but not named again as new.
    """
    module = service_module("facilities")
    if module is None or not hasattr(module.FacilityService, "forecast"):
        return None
    points = module.FacilityService(db).forecast(now)
    lines: list[ForecastLine] = []
    for point in points:
        if int(point.hours) not in HORIZONS:
            continue
        lines.append(
            ForecastLine(
                hours=int(point.hours),
                failed_total=len(point.failed_ids),
                newly_failed=tuple(
                    names.get(i, i) for i in point.newly_failed_ids if i not in failed_now
                ),
                persons_affected=int(point.persons_affected),
            )
        )
    return lines


def kritis_data(db: Database, now: datetime) -> KritisData:
    """Lage KRITIS: failed and impaired facilities, generators, the cascade forecast."""
    views = _facility_views(db)
    if views is None:
        return KritisData(
            available=False,
            notes=("Das KRITIS-Register ist in dieser Installation nicht verfügbar.",),
        )
    lines = [_line(v, now) for v in views]
    affected = sorted(
        (line for line in lines if line.status in _AFFECTED),
        key=lambda f: (_STATUS_ORDER[f.status], f.since or now, f.name.casefold()),
    )
    generators = sorted(
        (line for line in lines if line.status == STATUS_EMERGENCY_POWER),
        key=lambda f: (f.remaining_h is None, f.remaining_h or 0.0, f.name.casefold()),
    )
    names = {v.id: v.name for v in views}
    notes: list[str] = []
    failed_now = {v.id for v in views if v.status == STATUS_FAILED}
    forecast = _forecast(db, now, names, failed_now)
    if forecast is None:
        notes.append("Die Ausfallprognose ist in dieser Installation nicht verfügbar.")
        forecast = []
    unknown = sum(1 for line in lines if line.status == STATUS_UNKNOWN)
    if unknown:
        notes.append(
            f"{unknown} Objekte mit unbekanntem Status wurden in der Prognose als "
            "betriebsbereit angenommen."
        )
    return KritisData(
        available=True,
        facility_count=len(lines),
        affected=tuple(affected),
        emergency_power=tuple(generators),
        forecast=tuple(forecast),
        notes=tuple(notes),
    )


def facility_lines(db: Database, now: datetime) -> tuple[bool, list[FacilityLine]]:
    """Every facility for the KRITIS status list, sorted by sector, municipality, name."""
    views = _facility_views(db)
    if views is None:
        return False, []
    lines = [_line(v, now) for v in views]
    lines.sort(key=lambda f: (f.sector.casefold(), f.municipality.casefold(), f.name.casefold()))
    return True, lines


# --------------------------------------------------------------------------- tasks


def task_data(db: Database, incident_id: str, now: datetime) -> TaskData:
    """Open and in-progress tasks of the incident, overdue ones first."""
    module = service_module("tasks")
    if module is None or not hasattr(module, "TaskService"):
        return TaskData(available=False)
    from krisenstab.domain.task import TaskFilter

    views = module.TaskService(db).list(incident_id, TaskFilter(active_only=True), now=now)
    lines = [
        TaskLine(
            task_id=v.id,
            number=v.number,
            title=v.title,
            assigned_to=v.assigned_function
            + (f" ({v.assigned_person})" if v.assigned_person else ""),
            due=v.due_at,
            status=v.status,
            overdue=bool(v.overdue),
            issued_by=v.issued_by_function,
            priority=v.priority,
        )
        for v in views
        if v.is_active
    ]
    lines.sort(key=lambda t: (not t.overdue, t.due is None, t.due or now, t.number))
    return TaskData(available=True, tasks=tuple(lines))


# --------------------------------------------------------------------------- roster and contacts


def _reach(person: Any) -> str:
    if person is None:
        return ""
    return " · ".join(f"{label} {value}" for label, value in person.reach())


def roster_lines(db: Database, now: datetime, *, include_vacant: bool = False) -> list[RosterLine]:
    """Who holds which staff function now ("Wer ist wer")."""
    module = service_module("staff")
    if module is None or not hasattr(module, "StaffService"):
        return []
    board = module.StaffService(db).board(now, include_vacant=include_vacant)
    lines: list[RosterLine] = []
    for row in board.rows:
        holder = row.holder
        deputy = row.deputy
        lines.append(
            RosterLine(
                function=row.function.label,
                person=holder.name if holder else "",
                since=row.since,
                reach=_reach(holder),
                deputy=(deputy.name + (f" ({_reach(deputy)})" if _reach(deputy) else ""))
                if deputy
                else "",
            )
        )
    return lines


@dataclass(frozen=True)
class ContactSheet:
    """Everything the Erreichbarkeitsliste prints."""

    at: datetime
    roster: list[RosterLine] = field(default_factory=list)
    roster_available: bool = False
    responsibilities: list[ResponsibilityRow] = field(default_factory=list)
    responsibilities_available: bool = False
    warnings: list[str] = field(default_factory=list)


def _join(parts: Iterable[str | None], sep: str = " · ") -> str:
    return sep.join(p for p in parts if p)


def _responsibility_line(row: Any) -> ResponsibilityRow:
    who = _join(
        (
            getattr(row, "organisation", None),
            getattr(row, "function", None),
            getattr(row, "contact_person", None) or getattr(row, "person_name", None),
        ),
        ", ",
    )
    scope = _join(
        (
            getattr(row, "sector", None),
            getattr(row, "branch", None),
            getattr(row, "municipality", None),
            getattr(row, "facility_label", None),
        ),
        ", ",
    )
    reach = _join(
        (
            f"Tel. {row.phone}" if getattr(row, "phone", None) else None,
            f"Mobil {row.mobile}" if getattr(row, "mobile", None) else None,
            f"Funk {row.radio_call_sign}" if getattr(row, "radio_call_sign", None) else None,
            getattr(row, "email", None),
        )
    )
    deputy = _join(
        (
            getattr(row, "deputy", None),
            getattr(row, "deputy_phone", None),
        ),
        ", ",
    )
    return ResponsibilityRow(
        subject=row.subject,
        responsible=who,
        phone_24h=getattr(row, "phone_24h", None) or "",
        reach=reach,
        deputy=deputy,
        scope=scope,
    )


def contact_sheet(db: Database, now: datetime) -> ContactSheet:
    """Roster and responsibility matrix for the Erreichbarkeitsliste."""
    module = service_module("staff")
    roster_ok = module is not None and hasattr(module, "StaffService")
    roster = roster_lines(db, now, include_vacant=True) if roster_ok else []
    warnings: list[str] = []
    if roster_ok:
        warnings = list(module.StaffService(db).board(now).warnings)  # type: ignore[union-attr]
    contacts = service_module("contacts")
    rows: list[ResponsibilityRow] = []
    available = False
    if contacts is not None and hasattr(contacts, "ContactService"):
        service = contacts.ContactService(db)
        listing = getattr(service, "responsibilities", None) or getattr(service, "list", None)
        if listing is not None:
            available = True
            rows = [_responsibility_line(r) for r in listing()]
            rows.sort(key=lambda r: (r.subject.casefold(), r.scope.casefold()))
    return ContactSheet(
        at=now,
        roster=roster,
        roster_available=roster_ok,
        responsibilities=rows,
        responsibilities_available=available,
        warnings=warnings,
    )


def journal_keeper(db: Database, at: datetime) -> str | None:
    """The ETB keeper (Tagebuchführer) at ``at``, if the roster knows one."""
    module = service_module("staff")
    if module is None or not hasattr(module, "StaffService"):
        return None
    service = module.StaffService(db)
    for name in ("Tagebuchführer", "ETB-Führer", "Tagebuchführung"):
        try:
            person = service.holder(name, at)
        except ServiceError:  # the catalogue has no such function
            continue
        if person is not None:
            return f"{person.name} ({name})"
    return None
