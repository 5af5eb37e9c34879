"""Use cases of the KRITIS register: facilities, status, emergency power, cascade.

One transaction per use case. Every master-data change writes its history
rows (who, when, workstation, field, old, new) in the same transaction; every
status change writes its journal entry (kind Lage, referencing the facility)
and its status history row in the same transaction, or nothing at all.

Everything handed out is a detached, immutable view (domain.facility), so the
GUI needs no SQL and may keep the objects after the session is closed. Long
work (import, export) takes a ``progress(done, total)`` callback and opens its
own sessions, so the GUI can run it in a worker thread (a Database may be
shared between threads; sessions are not).
"""

from __future__ import annotations

import math
import os
import threading
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from typing import IO, TYPE_CHECKING, Any

from sqlalchemy import Integer, String, cast, delete, func, insert, select, update
from sqlmodel import Session

from krisenstab.domain.base import new_id
from krisenstab.domain.cascade import (
    DEFAULT_CHECKPOINTS,
    CascadeDependency,
    CascadeGraph,
    CascadeNode,
    CascadeResult,
    DependencyKind,
    DependencyView,
    ForecastPoint,
    Scenario,
    compute_cascade,
    dependency_view,
)
from krisenstab.domain.facility import (
    DEPENDENCY_REVISION_KEY,
    EDITABLE_FIELDS,
    FIELD_LABELS,
    REVISION_KEY,
    CatalogueEntry,
    ContactDraft,
    ContactView,
    DependencyLink,
    Facility,
    FacilityCatalogueEntry,
    FacilityChange,
    FacilityChangeView,
    FacilityContact,
    FacilityDependency,
    FacilityDetail,
    FacilityDraft,
    FacilityFilter,
    FacilityMeta,
    FacilityRuleError,
    FacilityStatusChange,
    FacilityView,
    Municipality,
    MunicipalityView,
    StatusChangeView,
    area_around,
    check_dependency_kind,
    check_tolerance,
    clean_contact,
    fmt_number,
    history_text,
    match_key,
    name_key,
    resolve_position,
    validate_values,
)
from krisenstab.domain.geo import Area, Position
from krisenstab.domain.journal import EntryKind, SourceQuality
from krisenstab.domain.power import (
    DEFAULT_THRESHOLDS,
    EmergencyPowerSite,
    FacilityStatus,
    FuelPriority,
    PowerThresholds,
    PowerWarning,
    format_duration,
    format_remaining,
    fuel_priority_list,
    parse_status,
    power_warning,
    runs_dry_at,
)
from krisenstab.domain.timefmt import ensure_utc, format_dtg, format_local, utcnow
from krisenstab.services.context import Actor, ServiceError
from krisenstab.services.journal import write_entry
from krisenstab.services.permissions import Permission, require
from krisenstab.store.database import Database

if TYPE_CHECKING:
    from krisenstab.exchange.facility_io import ImportPlan

Progress = Callable[[int, int], None]

ACTION_CREATED = "angelegt"
ACTION_CHANGED = "geändert"
ACTION_DELETED = "gelöscht"
ACTION_IMPORT = "Import"
EVENT_STATUS = "Status"
EVENT_REFUEL = "Betankung"
EVENT_INITIAL = "Ersterfassung"
DEFAULT_24_7_ROLE = "Bereitschaft 24/7"

STATUSES: tuple[str, ...] = tuple(s.value for s in FacilityStatus)
DEPENDENCY_KINDS: tuple[str, ...] = tuple(k.value for k in DependencyKind)
# A status reported for a moment this far in the future is a typing error.
FUTURE_SLACK = timedelta(minutes=5)

_T = Facility.__table__
_DEP = FacilityDependency.__table__
_CONTACT = FacilityContact.__table__
_HISTORY = FacilityChange.__table__
_STATUS = FacilityStatusChange.__table__
_META = FacilityMeta.__table__

# Columns in FacilityView order (all but the 24/7 phone, added from the contacts).
_VIEW_FIELDS = [f.name for f in fields(FacilityView) if f.name != "phone_24_7"]
_VIEW_COLUMNS = [_T.c[name] for name in _VIEW_FIELDS]
_SELECT_VIEWS = select(*_VIEW_COLUMNS)
_PHONES = (
    select(_CONTACT.c.facility_id, _CONTACT.c.phone, _CONTACT.c.phone_alt)
    .where(_CONTACT.c.available_24_7.is_(True))
    .order_by(_CONTACT.c.facility_id, _CONTACT.c.sort_order, _CONTACT.c.created_at)
)
_BUMP = (
    update(_META)
    .where(_META.c.key == REVISION_KEY)
    .values(value=cast(cast(_META.c.value, Integer) + 1, String))
)
_BUMP_BOTH = (
    update(_META)
    .where(_META.c.key.in_((REVISION_KEY, DEPENDENCY_REVISION_KEY)))
    .values(value=cast(cast(_META.c.value, Integer) + 1, String))
)


def thresholds_from_settings(settings: Any) -> PowerThresholds:
    """The warning thresholds configured on this workstation (default 6 h / 2 h)."""
    try:
        return PowerThresholds(
            float(settings.power_warn_hours), float(settings.power_critical_hours)
        )
    except (AttributeError, TypeError, ValueError):
        return DEFAULT_THRESHOLDS


@dataclass(frozen=True, slots=True)
class PowerBoardRow:
    """One facility on its generator, as the emergency power board shows it."""

    facility: FacilityView
    since: datetime
    autonomy_h: float | None
    remaining_h: float | None
    runs_dry_at: datetime | None
    warning: PowerWarning

    @property
    def remaining_text(self) -> str:
        return format_remaining(self.remaining_h)


@dataclass(frozen=True)
class RegisterSummary:
    """Counts for a status bar or the situation report."""

    total: int
    by_status: Mapping[str, int]
    persons_affected: int  # supplied by facilities ausgefallen or eingeschränkt
    on_emergency_power: int
    power_warnings: int


def _facility_view(row: Any, phones: Mapping[str, str]) -> FacilityView:
    values = tuple(row)
    return FacilityView(*values, phone_24_7=phones.get(values[0]))


class FacilityService:
    """The KRITIS register and everything computed from it."""

    def __init__(
        self,
        db: Database,
        actor: Actor | None = None,
        *,
        thresholds: PowerThresholds | None = None,
    ) -> None:
        self.db = db
        self.actor = actor
        self.thresholds = thresholds or DEFAULT_THRESHOLDS
        self.scenario_clock: Callable[[], datetime | None] | None = None  # set in exercises

    def _actor(self, actor: Actor | None) -> Actor:
        actor = actor or self.actor
        if actor is None:
            raise ServiceError("Bitte zuerst angeben, wer Sie sind und welche Funktion Sie haben.")
        return actor

    # -- reference data -------------------------------------------------------
    def catalogue(self) -> list[CatalogueEntry]:
        with self.db.session() as session:
            return _catalogue(session)

    def sectors(self) -> list[str]:
        """Sector names in catalogue order."""
        return list(dict.fromkeys(e.sector for e in self.catalogue()))

    def branches(self, sector: str) -> list[str]:
        return [e.branch for e in self.catalogue() if e.sector == sector and e.branch]

    def add_catalogue_entry(
        self, sector: str, branch: str = "", *, statutory: bool = False, actor: Actor | None = None
    ) -> CatalogueEntry:
        """Extend the catalogue by a sector or a branch (never removed: objects refer to it)."""
        who = self._actor(actor)
        require(who, Permission.MASTER_DATA)
        sector_clean = " ".join((sector or "").split())
        branch_clean = " ".join((branch or "").split())
        if not sector_clean:
            raise ServiceError("Bitte einen Sektor angeben.")
        if len(sector_clean) > 80 or len(branch_clean) > 80:
            raise ServiceError("Sektor und Branche haben höchstens 80 Zeichen.")
        with self.db.write() as session:
            entries = _catalogue(session)
            for e in entries:
                if e.sector.casefold() == sector_clean.casefold():
                    sector_clean = e.sector  # keep the catalogue's spelling
                    if e.branch.casefold() == branch_clean.casefold():
                        shown = f"{e.sector} / {e.branch}" if e.branch else e.sector
                        raise ServiceError(f"„{shown}“ steht bereits im Katalog.")
            order = max((e.sort_order for e in entries), default=0) + 10
            row = FacilityCatalogueEntry(
                sector=sector_clean,
                branch=branch_clean,
                statutory=statutory,
                sort_order=order,
                builtin=False,
                workstation_id=who.workstation_id,
            )
            session.add(row)
            session.flush()
            return CatalogueEntry(
                row.id, row.sector, row.branch, row.statutory, row.builtin, row.sort_order
            )

    def municipalities(self) -> list[MunicipalityView]:
        with self.db.session() as session:
            counts = dict(
                session.execute(
                    select(_T.c.municipality, func.count()).group_by(_T.c.municipality)
                ).all()
            )
            return [
                MunicipalityView(
                    m.id, m.name, m.lat, m.lon, m.builtin, m.sort_order, counts.get(m.name, 0)
                )
                for m in _municipalities(session)
            ]

    def municipality_names(self) -> list[str]:
        with self.db.session() as session:
            return [m.name for m in _municipalities(session)]

    def add_municipality(
        self,
        name: str,
        *,
        lat: float | None = None,
        lon: float | None = None,
        actor: Actor | None = None,
    ) -> MunicipalityView:
        who = self._actor(actor)
        require(who, Permission.MASTER_DATA)
        clean = " ".join((name or "").split())
        if not clean or len(clean) > 80:
            raise ServiceError("Der Name der Gemeinde muss 1 bis 80 Zeichen haben.")
        if (lat is None) != (lon is None):
            raise ServiceError("Für den Mittelpunkt bitte Breite und Länge angeben.")
        if lat is not None and lon is not None:
            from krisenstab.domain.geo import CoordinateError, Position

            try:
                Position(lat, lon)
            except CoordinateError as exc:
                raise ServiceError(str(exc)) from None
        with self.db.write() as session:
            existing = _municipalities(session)
            if any(m.name.casefold() == clean.casefold() for m in existing):
                raise ServiceError(f"Die Gemeinde „{clean}“ ist bereits erfasst.")
            order = max((m.sort_order for m in existing), default=0) + 10
            row = Municipality(
                name=clean,
                lat=lat,
                lon=lon,
                sort_order=order,
                builtin=False,
                workstation_id=who.workstation_id,
            )
            session.add(row)
            session.execute(_BUMP)
            session.flush()
            return MunicipalityView(row.id, row.name, row.lat, row.lon, False, order, 0)

    def remove_municipality(self, name: str, *, actor: Actor | None = None) -> None:
        """Remove a municipality from the list; refused while objects lie in it."""
        who = self._actor(actor)
        require(who, Permission.MASTER_DATA)
        with self.db.write() as session:
            row = next(
                (
                    m
                    for m in _municipalities(session)
                    if m.name.casefold() == name.strip().casefold()
                ),
                None,
            )
            if row is None:
                raise ServiceError(f"Die Gemeinde „{name}“ gibt es nicht.")
            used = session.execute(
                select(func.count()).where(_T.c.municipality == row.name)
            ).scalar_one()
            if used:
                raise ServiceError(
                    f"In „{row.name}“ sind {used} Objekte erfasst; bitte diese zuerst umziehen."
                )
            session.delete(row)
            session.execute(_BUMP)

    def parse_position(self, text: str) -> Position:
        """A typed position (UTMREF, decimal, DMS, UTM32) checked against the area.

        For live checking in a form; ServiceError with the German reason.
        """
        try:
            with self.db.session() as session:
                position, _typed = resolve_position(text, _area(session))
        except FacilityRuleError as exc:
            raise ServiceError(str(exc)) from None
        if position is None:
            raise ServiceError("Keine Position angegeben.")
        return position

    def area(self) -> Area | None:
        """The box in which positions are accepted (municipality centres ± ~20 km)."""
        with self.db.session() as session:
            return _area(session)

    # -- reading --------------------------------------------------------------
    def revision(self) -> int:
        """Raised by every write to the register (a cheap "has anything changed?")."""
        with self.db.session() as session:
            return _revision(session) or 0

    def count(self) -> int:
        with self.db.session() as session:
            return session.execute(select(func.count()).select_from(_T)).scalar_one()

    def list(self, flt: FacilityFilter | None = None) -> list[FacilityView]:
        """Facilities matching ``flt``, ordered by municipality and name."""
        flt = flt or FacilityFilter()
        query = _SELECT_VIEWS
        if flt.sectors:
            query = query.where(_T.c.sector.in_(flt.sectors))
        if flt.statuses:
            query = query.where(_T.c.status.in_(flt.statuses))
        if flt.municipalities:
            query = query.where(_T.c.municipality.in_(flt.municipalities))
        if flt.emergency_power_only:
            query = query.where(_T.c.emergency_power.is_(True))
        with self.db.session() as session:
            if query is _SELECT_VIEWS:
                views = _all_views(session)
            else:
                phones = _phones(session)
                views = [_facility_view(r, phones) for r in session.execute(query).all()]
        if flt.text.strip():
            views = [v for v in views if flt.matches(v)]
        views.sort(key=lambda v: (v.municipality.casefold(), v.name.casefold()))
        return views

    def get(self, facility_id: str) -> FacilityView:
        with self.db.session() as session:
            return _get_view(session, facility_id)

    def detail(self, facility_id: str) -> FacilityDetail:
        with self.db.session() as session:
            view = _get_view(session, facility_id)
            return FacilityDetail(
                facility=view,
                contacts=tuple(_contacts(session, facility_id)),
                suppliers=tuple(_links(session, _DEP.c.dependent_id == facility_id)),
                dependents=tuple(_links(session, _DEP.c.supplier_id == facility_id)),
                status_history=tuple(_status_history(session, facility_id)),
            )

    def contacts(self, facility_id: str) -> list[ContactView]:
        with self.db.session() as session:
            _get_view(session, facility_id)
            return _contacts(session, facility_id)

    def dependencies(self, facility_id: str) -> tuple[list[DependencyLink], list[DependencyLink]]:
        """(what it depends on, what depends on it)."""
        with self.db.session() as session:
            _get_view(session, facility_id)
            return (
                _links(session, _DEP.c.dependent_id == facility_id),
                _links(session, _DEP.c.supplier_id == facility_id),
            )

    def all_dependencies(self) -> list[DependencyLink]:
        with self.db.session() as session:
            return _links(session, None)

    def status_history(self, facility_id: str) -> list[StatusChangeView]:
        """In the order recorded, newest first (each row says since when)."""
        with self.db.session() as session:
            _get_view(session, facility_id)
            return _status_history(session, facility_id)

    def change_history(self, facility_id: str) -> list[FacilityChangeView]:
        """Every recorded change, newest first (also of a deleted facility)."""
        with self.db.session() as session:
            rows = session.execute(
                select(FacilityChange)
                .where(FacilityChange.facility_id == facility_id)
                .order_by(FacilityChange.changed_at.desc(), FacilityChange.field_name)
            ).scalars()
            return [
                FacilityChangeView(
                    r.id,
                    r.facility_id,
                    r.facility_name,
                    r.changed_at,
                    r.person,
                    r.function,
                    r.workstation_id,
                    r.action,
                    r.field_name,
                    r.old_value,
                    r.new_value,
                )
                for r in rows
            ]

    def resolve(self, name_or_id: str) -> FacilityView:
        """The facility meant by an ID (or unique ID prefix), a name, or ``Name [Gemeinde]``.

        A name that matches no facility exactly may match one uniquely by its
        words (``Wasserwerk Kreuzau`` for ``Wasserwerk Kreuzau (Muster)``).
        """
        query = " ".join((name_or_id or "").split())
        if not query:
            raise ServiceError("Bitte ein Objekt (Name oder ID) angeben.")
        views = self.list()
        return _resolve_in(views, query)

    def resolve_many(self, names_or_ids: Iterable[str]) -> list[FacilityView]:
        views = self.list()
        return [_resolve_in(views, " ".join(q.split())) for q in names_or_ids if q.strip()]

    def summary(self, now: datetime | None = None) -> RegisterSummary:
        now = ensure_utc(now) if now is not None else utcnow()
        views = self.list()
        by_status = {s: 0 for s in STATUSES}
        for v in views:
            by_status[v.status] = by_status.get(v.status, 0) + 1
        board = self._board(views, now)
        return RegisterSummary(
            total=len(views),
            by_status=by_status,
            persons_affected=sum(
                v.persons_supplied
                for v in views
                if v.status in (FacilityStatus.FAILED.value, FacilityStatus.RESTRICTED.value)
            ),
            on_emergency_power=len(board),
            power_warnings=sum(1 for r in board if r.warning is not PowerWarning.NONE),
        )

    # -- master data ----------------------------------------------------------
    def create(
        self,
        draft: FacilityDraft,
        actor: Actor | None = None,
        *,
        status: str = FacilityStatus.OPERATIONAL.value,
        facility_id: str | None = None,
    ) -> FacilityView:
        """A new facility (status: the starting state, not a reported change)."""
        who = self._actor(actor)
        require(who, Permission.MASTER_DATA)
        try:
            initial = parse_status(status).value
        except ValueError as exc:
            raise ServiceError(str(exc)) from None
        now = utcnow()
        with self.db.write() as session:
            clean = _validate(session, _draft_values(draft))
            _check_unique(session, clean.values["name"], clean.values["municipality"], None)
            fid = facility_id or new_id()
            if session.get(Facility, fid) is not None:
                raise ServiceError(f"Die ID {fid} ist bereits vergeben.")
            session.execute(
                insert(_T),
                [
                    _new_row(
                        fid,
                        clean.values,
                        clean.position,
                        clean.position_text,
                        who,
                        now,
                        initial,
                        None,
                    )
                ],
            )
            session.execute(
                insert(_STATUS),
                [_initial_status(fid, initial, now, who, "Ersterfassung")],
            )
            _write_history(
                session,
                [
                    _history_row(
                        fid,
                        clean.values["name"],
                        who,
                        now,
                        ACTION_CREATED,
                        "",
                        None,
                        clean.values["name"],
                    )
                ],
            )
            session.execute(_BUMP)
            return _get_view(session, fid)

    def update(
        self,
        facility_id: str,
        changes: FacilityDraft | Mapping[str, Any],
        actor: Actor | None = None,
        *,
        expected_version: int | None = None,
    ) -> FacilityView:
        """Change master data; a history row per changed field. Unchanged: no write.

        ``changes`` is a full draft or a mapping of some editable fields (see
        domain.facility.EDITABLE_FIELDS). With ``expected_version`` a form
        saved over a newer state (another workstation) is refused.
        """
        who = self._actor(actor)
        require(who, Permission.MASTER_DATA)
        if isinstance(changes, FacilityDraft):
            given = _draft_values(changes)
        else:
            unknown = [k for k in changes if k not in EDITABLE_FIELDS]
            if unknown:
                raise ServiceError(f"Unbekannte Felder: {', '.join(unknown)}.")
            given = dict(changes)
        now = utcnow()
        with self.db.write() as session:
            current = _get_view(session, facility_id)
            if expected_version is not None and expected_version != current.version:
                raise ServiceError(
                    f"„{current.name}“ wurde inzwischen von {current.updated_by} geändert "
                    f"({format_local(current.updated_at)}); bitte neu laden."
                )
            old = {k: current.field_value(k) for k in EDITABLE_FIELDS}
            merged = {**old, **given}
            position_changed = "position" in given and not _same_position(
                given["position"], current
            )
            if not position_changed:
                merged["position"] = None
            clean = _validate(session, merged)
            new_values = dict(clean.values)
            position, position_text = (
                (clean.position, clean.position_text)
                if position_changed
                else (current.position, current.position_text)
            )
            if position_changed and position == current.position:
                position_changed = False
                position_text = current.position_text
            new_values["position"] = position
            diffs = [(k, old[k], new_values[k]) for k in EDITABLE_FIELDS if old[k] != new_values[k]]
            if not diffs:
                return current
            if "name" in given or "municipality" in given:
                _check_unique(session, new_values["name"], new_values["municipality"], facility_id)
            row: dict[str, Any] = {k: new_values[k] for k in EDITABLE_FIELDS if k != "position"}
            row.update(
                lat=position.lat if position else None,
                lon=position.lon if position else None,
                position_text=position_text if position else None,
                updated_at=now,
                updated_by=who.person,
                version=current.version + 1,
            )
            session.execute(update(_T).where(_T.c.id == facility_id).values(**row))
            _write_history(
                session,
                [
                    _history_row(
                        facility_id,
                        new_values["name"],
                        who,
                        now,
                        ACTION_CHANGED,
                        k,
                        history_text(k, a),
                        history_text(k, b),
                    )
                    for k, a, b in diffs
                ],
            )
            session.execute(_BUMP)
            return _get_view(session, facility_id)

    def delete(self, facility_id: str, actor: Actor | None = None) -> None:
        """Remove a facility with its contacts, dependencies and status history.

        The change history keeps a record of the deletion with the last values;
        journal entries that name the facility stay as they are.
        """
        who = self._actor(actor)
        require(who, Permission.MASTER_DATA)
        now = utcnow()
        with self.db.write() as session:
            current = _get_view(session, facility_id)
            snapshot = "; ".join(
                f"{FIELD_LABELS[k]}: {history_text(k, current.field_value(k))}"
                for k in EDITABLE_FIELDS
                if current.field_value(k) not in (None, "", False, 0)
            )
            _write_history(
                session,
                [
                    _history_row(
                        facility_id, current.name, who, now, ACTION_DELETED, "", snapshot, None
                    )
                ],
            )
            # Dependents lose this supplier: note it in their history too.
            rows = []
            for link in _links(session, _DEP.c.supplier_id == facility_id):
                rows.append(
                    _history_row(
                        link.dependent_id,
                        link.dependent_name,
                        who,
                        now,
                        ACTION_CHANGED,
                        "depends_on",
                        _link_text(link),
                        None,
                    )
                )
            _write_history(session, rows)
            session.execute(delete(_T).where(_T.c.id == facility_id))
            session.execute(_BUMP_BOTH)

    # -- contacts -------------------------------------------------------------
    def add_contact(
        self, facility_id: str, contact: ContactDraft, actor: Actor | None = None
    ) -> ContactView:
        who = self._actor(actor)
        require(who, Permission.MASTER_DATA)
        values = _clean_contact(contact)
        now = utcnow()
        with self.db.write() as session:
            facility = _get_view(session, facility_id)
            order = (
                session.execute(
                    select(func.max(_CONTACT.c.sort_order)).where(
                        _CONTACT.c.facility_id == facility_id
                    )
                ).scalar_one()
                or 0
            ) + 10
            cid = new_id()
            session.execute(
                insert(_CONTACT),
                [
                    {
                        "id": cid,
                        "facility_id": facility_id,
                        **values,
                        "sort_order": order,
                        "created_at": now,
                        "workstation_id": who.workstation_id,
                    }
                ],
            )
            _write_history(
                session,
                [
                    _history_row(
                        facility_id,
                        facility.name,
                        who,
                        now,
                        ACTION_CHANGED,
                        "contact",
                        None,
                        _contact_text(values),
                    )
                ],
            )
            return _contact(session, cid)

    def update_contact(
        self, contact_id: str, contact: ContactDraft, actor: Actor | None = None
    ) -> ContactView:
        who = self._actor(actor)
        require(who, Permission.MASTER_DATA)
        values = _clean_contact(contact)
        now = utcnow()
        with self.db.write() as session:
            old = _contact(session, contact_id)
            facility = _get_view(session, old.facility_id)
            old_values = {k: getattr(old, k) for k in values}
            if old_values == values:
                return old
            session.execute(update(_CONTACT).where(_CONTACT.c.id == contact_id).values(**values))
            _write_history(
                session,
                [
                    _history_row(
                        facility.id,
                        facility.name,
                        who,
                        now,
                        ACTION_CHANGED,
                        "contact",
                        _contact_text(old_values),
                        _contact_text(values),
                    )
                ],
            )
            return _contact(session, contact_id)

    def remove_contact(self, contact_id: str, actor: Actor | None = None) -> None:
        who = self._actor(actor)
        require(who, Permission.MASTER_DATA)
        now = utcnow()
        with self.db.write() as session:
            old = _contact(session, contact_id)
            facility = _get_view(session, old.facility_id)
            session.execute(delete(_CONTACT).where(_CONTACT.c.id == contact_id))
            _write_history(
                session,
                [
                    _history_row(
                        facility.id,
                        facility.name,
                        who,
                        now,
                        ACTION_CHANGED,
                        "contact",
                        _contact_text(
                            {
                                k: getattr(old, k)
                                for k in ("role", "name", "phone", "phone_alt", "email")
                            }
                        ),
                        None,
                    )
                ],
            )

    # -- dependencies ---------------------------------------------------------
    def add_dependency(
        self,
        dependent_id: str,
        supplier_id: str,
        kind: str,
        tolerance_h: float | None = 0.0,
        actor: Actor | None = None,
        *,
        note: str | None = None,
    ) -> DependencyLink:
        """``dependent_id`` needs ``kind`` from ``supplier_id``. Cycles are allowed."""
        who = self._actor(actor)
        require(who, Permission.MASTER_DATA)
        try:
            kind_value = check_dependency_kind(kind).value
            tolerance = check_tolerance(tolerance_h)
        except FacilityRuleError as exc:
            raise ServiceError(str(exc)) from None
        if dependent_id == supplier_id:
            raise ServiceError("Ein Objekt kann nicht von sich selbst abhängen.")
        now = utcnow()
        with self.db.write() as session:
            dependent = _get_view(session, dependent_id)
            supplier = _get_view(session, supplier_id)
            exists = session.execute(
                select(_DEP.c.id).where(
                    _DEP.c.dependent_id == dependent_id,
                    _DEP.c.supplier_id == supplier_id,
                    _DEP.c.kind == kind_value,
                )
            ).first()
            if exists:
                raise ServiceError(
                    f"„{dependent.name}“ hängt bereits bei {kind_value} von „{supplier.name}“ ab."
                )
            did = new_id()
            session.execute(
                insert(_DEP),
                [
                    {
                        "id": did,
                        "dependent_id": dependent_id,
                        "supplier_id": supplier_id,
                        "kind": kind_value,
                        "tolerance_h": tolerance,
                        "note": (note or "").strip() or None,
                        "created_at": now,
                        "workstation_id": who.workstation_id,
                    }
                ],
            )
            link = _links(session, _DEP.c.id == did)[0]
            _write_history(
                session,
                [
                    _history_row(
                        dependent_id,
                        dependent.name,
                        who,
                        now,
                        ACTION_CHANGED,
                        "depends_on",
                        None,
                        _link_text(link),
                    )
                ],
            )
            session.execute(_BUMP_BOTH)
            return link

    def update_dependency(
        self,
        dependency_id: str,
        *,
        tolerance_h: float | None = None,
        note: str | None = None,
        actor: Actor | None = None,
    ) -> DependencyLink:
        who = self._actor(actor)
        require(who, Permission.MASTER_DATA)
        now = utcnow()
        with self.db.write() as session:
            old = _link(session, dependency_id)
            values: dict[str, Any] = {}
            if tolerance_h is not None:
                try:
                    values["tolerance_h"] = check_tolerance(tolerance_h)
                except FacilityRuleError as exc:
                    raise ServiceError(str(exc)) from None
            if note is not None:
                values["note"] = note.strip() or None
            values = {k: v for k, v in values.items() if getattr(old, k) != v}
            if not values:
                return old
            session.execute(update(_DEP).where(_DEP.c.id == dependency_id).values(**values))
            new = _link(session, dependency_id)
            _write_history(
                session,
                [
                    _history_row(
                        old.dependent_id,
                        old.dependent_name,
                        who,
                        now,
                        ACTION_CHANGED,
                        "depends_on",
                        _link_text(old),
                        _link_text(new),
                    )
                ],
            )
            session.execute(_BUMP_BOTH)
            return new

    def remove_dependency(self, dependency_id: str, actor: Actor | None = None) -> None:
        who = self._actor(actor)
        require(who, Permission.MASTER_DATA)
        now = utcnow()
        with self.db.write() as session:
            old = _link(session, dependency_id)
            session.execute(delete(_DEP).where(_DEP.c.id == dependency_id))
            _write_history(
                session,
                [
                    _history_row(
                        old.dependent_id,
                        old.dependent_name,
                        who,
                        now,
                        ACTION_CHANGED,
                        "depends_on",
                        _link_text(old),
                        None,
                    )
                ],
            )
            session.execute(_BUMP_BOTH)

    # -- status ---------------------------------------------------------------
    def set_status(
        self,
        facility_id: str,
        status: str,
        actor: Actor | None = None,
        *,
        incident_id: str | None = None,
        note: str | None = None,
        source: str | None = None,
        since: datetime | None = None,
        source_quality: str | None = None,
    ) -> FacilityView:
        """Report a new status; journal entry (kind Lage) + history row, one transaction.

        ``incident_id`` None: the only open incident. ``since`` (default now)
        is when the state began; for Notstrombetrieb also when the generator
        started. Refused: the same status again, a time in the future or
        before the last change.
        """
        who = self._actor(actor)
        require(who, Permission.FACILITY_STATUS)
        try:
            new_status = parse_status(status).value
        except ValueError as exc:
            raise ServiceError(str(exc)) from None
        note_clean = (note or "").strip() or None
        source_clean = " ".join((source or "").split()) or None
        if source_clean and len(source_clean) > 120:
            raise ServiceError("Die Quelle ist zu lang (höchstens 120 Zeichen).")
        incident = self._incident(incident_id)
        now = utcnow()
        at = ensure_utc(since) if since is not None else now
        if at > now + FUTURE_SLACK:
            raise ServiceError(f"Der Zeitpunkt {format_local(at)} liegt in der Zukunft.")
        quality = source_quality or (
            SourceQuality.THIRD_PARTY.value if source_clean else SourceQuality.OWN.value
        )
        scenario = self.scenario_clock() if self.scenario_clock else None
        with self.db.write() as session:
            current = _get_view(session, facility_id)
            if current.status == new_status:
                raise ServiceError(f"„{current.name}“ ist bereits „{new_status}“.")
            if (
                at < current.status_since
                and _last_status_event(session, facility_id) != EVENT_INITIAL
            ):
                raise ServiceError(
                    f"Der Zeitpunkt {format_local(at)} liegt vor der letzten Statusänderung von "
                    f"„{current.name}“ ({format_local(current.status_since)})."
                )
            text = _status_text(current, new_status, at, now, source_clean, note_clean)
            entry = write_entry(
                session,
                incident,
                who,
                text,
                kind=EntryKind.LAGE,
                source_quality=quality,
                observed_at=at,
                facility_id=facility_id,
                scenario_time=scenario,
            )
            session.execute(
                update(_T)
                .where(_T.c.id == facility_id)
                .values(
                    status=new_status,
                    status_since=at,
                    status_source=source_clean,
                    status_note=note_clean,
                    power_since=at if new_status == FacilityStatus.EMERGENCY_POWER.value else None,
                )
            )
            session.execute(
                insert(_STATUS),
                [
                    {
                        "id": new_id(),
                        "facility_id": facility_id,
                        "event": EVENT_STATUS,
                        "status": new_status,
                        "previous_status": current.status,
                        "since": at,
                        "recorded_at": now,
                        "source": source_clean,
                        "note": note_clean,
                        "author": who.person,
                        "function": who.function,
                        "workstation_id": who.workstation_id,
                        "incident_id": incident,
                        "journal_number": entry.number,
                    }
                ],
            )
            session.execute(_BUMP)
            return _get_view(session, facility_id)

    def record_refuelling(
        self,
        facility_id: str,
        actor: Actor | None = None,
        *,
        incident_id: str | None = None,
        at: datetime | None = None,
        litres: float | None = None,
        note: str | None = None,
    ) -> FacilityView:
        """The generator's tank was filled up at ``at``: its run counts from there."""
        who = self._actor(actor)
        require(who, Permission.FACILITY_STATUS)
        if litres is not None and (not math.isfinite(litres) or litres <= 0):
            raise ServiceError("Die getankte Menge muss größer als 0 Liter sein.")
        incident = self._incident(incident_id)
        now = utcnow()
        when = ensure_utc(at) if at is not None else now
        if when > now + FUTURE_SLACK:
            raise ServiceError(f"Der Zeitpunkt {format_local(when)} liegt in der Zukunft.")
        note_clean = (note or "").strip() or None
        scenario = self.scenario_clock() if self.scenario_clock else None
        with self.db.write() as session:
            current = _get_view(session, facility_id)
            if not current.on_emergency_power:
                raise ServiceError(
                    f"„{current.name}“ ist nicht im Notstrombetrieb ({current.status})."
                )
            since = current.generator_since
            if since is not None and when < since:
                raise ServiceError(
                    f"Der Zeitpunkt liegt vor dem Beginn des Notstrombetriebs ({format_local(since)})."
                )
            parts = [
                f"Betankung {current.name}, {current.municipality}: Notstromaggregat aufgefüllt"
            ]
            if litres is not None:
                parts[0] += f" ({fmt_number(litres)} l)"
            parts[0] += "."
            autonomy = current.autonomy_hours
            if autonomy is not None:
                parts.append(f"Reicht bis {format_dtg(runs_dry_at(when, autonomy))}.")
            if note_clean:
                parts.append(note_clean)
            entry = write_entry(
                session,
                incident,
                who,
                " ".join(parts),
                kind=EntryKind.LAGE,
                observed_at=when,
                facility_id=facility_id,
                scenario_time=scenario,
            )
            session.execute(update(_T).where(_T.c.id == facility_id).values(power_since=when))
            session.execute(
                insert(_STATUS),
                [
                    {
                        "id": new_id(),
                        "facility_id": facility_id,
                        "event": EVENT_REFUEL,
                        "status": current.status,
                        "previous_status": current.status,
                        "since": when,
                        "recorded_at": now,
                        "source": None,
                        "note": " ".join(parts),
                        "author": who.person,
                        "function": who.function,
                        "workstation_id": who.workstation_id,
                        "incident_id": incident,
                        "journal_number": entry.number,
                    }
                ],
            )
            session.execute(_BUMP)
            return _get_view(session, facility_id)

    def _incident(self, incident_id: str | None) -> str:
        from krisenstab.services.incidents import IncidentService

        incident = IncidentService(self.db).resolve(incident_id)
        if incident.is_closed:
            raise ServiceError(
                f"Das Ereignis „{incident.title}“ ist abgeschlossen; es ist nur lesbar."
            )
        return incident.id

    # -- emergency power ------------------------------------------------------
    def power_board(self, now: datetime | None = None) -> list[PowerBoardRow]:
        """Every facility on its generator, the one running dry first on top."""
        now = ensure_utc(now) if now is not None else utcnow()
        views = self.list(FacilityFilter(statuses=(FacilityStatus.EMERGENCY_POWER.value,)))
        return self._board(views, now)

    def _board(self, views: Sequence[FacilityView], now: datetime) -> list[PowerBoardRow]:
        rows = []
        for v in views:
            since = v.generator_since
            if since is None:
                continue
            autonomy = v.autonomy_hours
            remaining = v.remaining_hours(now)
            rows.append(
                PowerBoardRow(
                    facility=v,
                    since=since,
                    autonomy_h=autonomy,
                    remaining_h=remaining,
                    runs_dry_at=runs_dry_at(since, autonomy) if autonomy is not None else None,
                    warning=power_warning(remaining, self.thresholds),
                )
            )
        rows.sort(
            key=lambda r: (
                r.runs_dry_at is None,
                r.runs_dry_at.timestamp() if r.runs_dry_at else 0.0,
                -r.facility.persons_supplied,
                r.facility.name.casefold(),
            )
        )
        return rows

    def power_warnings(self, now: datetime | None = None) -> list[PowerBoardRow]:
        """Generators at or below a threshold, empty, or of unknown reserve."""
        return [r for r in self.power_board(now) if r.warning is not PowerWarning.NONE]

    def fuel_priority(
        self, now: datetime | None = None, extend_by_h: float = 24.0
    ) -> list[FuelPriority]:
        """S4's refuelling order: who runs dry first, with persons supplied and litres needed."""
        now = ensure_utc(now) if now is not None else utcnow()
        sites = []
        for v in self.list(FacilityFilter(statuses=(FacilityStatus.EMERGENCY_POWER.value,))):
            since = v.generator_since
            if since is None:
                continue
            sites.append(
                EmergencyPowerSite(
                    facility_id=v.id,
                    name=v.name,
                    since=since,
                    autonomy_h=v.autonomy_hours,
                    persons_supplied=v.persons_supplied,
                    consumption_l_per_h=v.consumption_l_per_h,
                    municipality=v.municipality,
                )
            )
        try:
            return fuel_priority_list(sites, now, extend_by_h, self.thresholds)
        except ValueError as exc:
            raise ServiceError(str(exc)) from None

    # -- cascade --------------------------------------------------------------
    def cascade_graph(self, now: datetime | None = None) -> CascadeGraph:
        """The compiled graph of the stored register at ``now``.

        Cached per database: the facilities as read (per revision), the
        dependencies (per dependency revision, so a status change does not
        reload 20,000 of them) and the compiled graph (per revision and
        ``now``). Without ``now`` the current minute is used, so repeated
        what-ifs reuse one graph.
        """
        at = ensure_utc(now) if now is not None else _minute(utcnow())
        cache = _cache_for(self.db)
        with self.db.session() as session:
            revision = _revision(session)
            dep_revision = _revision(session, DEPENDENCY_REVISION_KEY)
            with cache.lock:
                graph = cache.graph
                if (
                    revision is not None
                    and graph is not None
                    and graph[0] == revision
                    and graph[1] == at
                ):
                    return graph[2]
                register = cache.register
                deps = cache.deps
            if revision is None or register is None or register[0] != revision:
                register = (revision, *_facility_input(session))
            if dep_revision is None or deps is None or deps[0] != dep_revision:
                deps = (dep_revision, _dependency_input(session))
        with cache.lock:
            cache.register, cache.deps = register, deps
        _rev, base, timed = register
        try:
            compiled = CascadeGraph(_nodes_at(base, timed, at), deps[1])
        except ValueError as exc:
            raise ServiceError(str(exc)) from None
        with cache.lock:
            cache.graph = (revision, at, compiled)
        return compiled

    def cascade(
        self,
        fail: Iterable[str] = (),
        areas: Iterable[str] = (),
        *,
        now: datetime | None = None,
        horizon_h: float = 72.0,
        use_stored_state: bool = True,
    ) -> CascadeResult:
        """Timeline of what fails when, from the stored state plus a what-if.

        ``fail``: facility ids assumed to fail at the start; ``areas``:
        municipalities losing public power at the start. Only computes:
        nothing is written, the stored status stays as it is.
        """
        names = self.municipality_names()
        lookup = {n.casefold(): n for n in names}
        canonical = []
        for area in areas:
            found = lookup.get(" ".join(area.split()).casefold())
            if found is None:
                raise ServiceError(f"Unbekannte Gemeinde „{area}“ (bekannt: {', '.join(names)}).")
            canonical.append(found)
        graph = self.cascade_graph(now)
        try:
            scenario = Scenario(
                fail_ids=frozenset(fail),
                area_outages=frozenset(canonical),
                horizon_h=horizon_h,
                use_stored_state=use_stored_state,
            )
            return compute_cascade(graph, scenario)
        except ValueError as exc:
            raise ServiceError(str(exc)) from None

    def forecast(
        self, now: datetime | None = None, checkpoints: Sequence[float] = DEFAULT_CHECKPOINTS
    ) -> list[ForecastPoint]:
        """Facilities down and persons affected at 12/24/48/72 h from the stored state."""
        from krisenstab.domain.cascade import forecast

        horizon = max(checkpoints) if checkpoints else 72.0
        result = self.cascade(now=now, horizon_h=horizon)
        return forecast(result, checkpoints)

    def dependency_view(self, facility_id: str) -> DependencyView:
        """Direct and transitive suppliers and dependents of one facility."""
        graph = self.cascade_graph()
        if facility_id not in graph:
            self.get(facility_id)  # raises the German "gibt es nicht"
        return dependency_view(graph, facility_id)

    # -- exchange -------------------------------------------------------------
    def import_file(
        self,
        source: bytes | str | os.PathLike[str] | IO[bytes],
        actor: Actor | None = None,
        *,
        filename: str | None = None,
        dry_run: bool = False,
        progress: Progress | None = None,
    ) -> ImportPlan:
        """Import CSV/XLSX: all rows or none. Returns the plan (``applied`` when stored)."""
        from krisenstab.services.facility_exchange import import_facilities

        who = self._actor(actor)
        require(who, Permission.MASTER_DATA)
        return import_facilities(
            self.db, who, source, filename=filename, dry_run=dry_run, progress=progress
        )

    def export(
        self,
        target: str | os.PathLike[str] | IO[bytes],
        fmt: str = "csv",
        *,
        progress: Progress | None = None,
        now: datetime | None = None,
    ) -> int:
        """Write the register as ``csv``, ``xlsx`` or ``geojson``; returns the object count."""
        from krisenstab.services.facility_exchange import export_facilities

        return export_facilities(self, target, fmt, progress=progress, now=now)


# --------------------------------------------------------------------------
# helpers (inside a session)
# --------------------------------------------------------------------------


def _minute(value: datetime) -> datetime:
    return value.replace(second=0, microsecond=0)


def _revision(session: Session, key: str = REVISION_KEY) -> int | None:
    value = session.execute(select(_META.c.value).where(_META.c.key == key)).scalar()
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def bump_revision(session: Session, *, dependencies: bool = False) -> None:
    """Mark the register as changed (every write to facility tables must call this)."""
    session.execute(_BUMP_BOTH if dependencies else _BUMP)


def _catalogue(session: Session) -> list[CatalogueEntry]:
    rows = session.execute(
        select(FacilityCatalogueEntry).order_by(
            FacilityCatalogueEntry.sort_order, FacilityCatalogueEntry.sector
        )
    ).scalars()
    return [
        CatalogueEntry(r.id, r.sector, r.branch, r.statutory, r.builtin, r.sort_order) for r in rows
    ]


def sector_map(session: Session) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for e in _catalogue(session):
        branches = out.setdefault(e.sector, set())
        if e.branch:
            branches.add(e.branch)
    return out


def _municipalities(session: Session) -> list[Municipality]:
    return list(
        session.execute(
            select(Municipality).order_by(Municipality.sort_order, Municipality.name)
        ).scalars()
    )


def municipality_map(session: Session) -> dict[str, str]:
    return {m.name.casefold(): m.name for m in _municipalities(session)}


def _area(session: Session) -> Area | None:
    centres = [
        (m.lat, m.lon) for m in _municipalities(session) if m.lat is not None and m.lon is not None
    ]
    return area_around(centres, "das Kreisgebiet mit etwa 20 km Umkreis")  # type: ignore[arg-type]


def _validate(session: Session, values: Mapping[str, Any]):  # type: ignore[no-untyped-def]
    try:
        return validate_values(
            values,
            sectors=sector_map(session),
            municipalities=municipality_map(session),
            area=_area(session),
        )
    except FacilityRuleError as exc:
        raise ServiceError(str(exc)) from None


def _draft_values(draft: FacilityDraft) -> dict[str, Any]:
    return {k: getattr(draft, k) for k in EDITABLE_FIELDS}


def _same_position(raw: Any, current: FacilityView) -> bool:
    from krisenstab.domain.geo import Position

    if raw is None:
        return current.position is None
    if isinstance(raw, Position):
        return current.position is not None and raw == current.position
    text = " ".join(str(raw).split())
    if not text:
        return current.position is None
    return text == (current.position_text or "") and current.position is not None


def _check_unique(session: Session, name: str, municipality: str, own_id: str | None) -> None:
    key = match_key(name, municipality)
    for fid, other_name, other_muni in session.execute(
        select(_T.c.id, _T.c.name, _T.c.municipality).where(_T.c.municipality == municipality)
    ):
        if fid != own_id and match_key(other_name, other_muni) == key:
            raise ServiceError(f"„{other_name}“ gibt es in {other_muni} bereits.")


def _new_row(
    fid: str,
    values: Mapping[str, Any],
    position: Any,
    position_text: str | None,
    who: Actor,
    now: datetime,
    status: str,
    source: str | None,
) -> dict[str, Any]:
    row = {k: values[k] for k in EDITABLE_FIELDS if k != "position"}
    row.update(
        id=fid,
        lat=position.lat if position is not None else None,
        lon=position.lon if position is not None else None,
        position_text=position_text if position is not None else None,
        status=status,
        status_since=now,
        status_source=source,
        status_note=None,
        power_since=now if status == FacilityStatus.EMERGENCY_POWER.value else None,
        created_at=now,
        created_by=who.person,
        updated_at=now,
        updated_by=who.person,
        workstation_id=who.workstation_id,
        version=1,
    )
    return row


def _initial_status(
    fid: str, status: str, now: datetime, who: Actor, source: str
) -> dict[str, Any]:
    return {
        "id": new_id(),
        "facility_id": fid,
        "event": EVENT_INITIAL,
        "status": status,
        "previous_status": None,
        "since": now,
        "recorded_at": now,
        "source": source,
        "note": None,
        "author": who.person,
        "function": who.function,
        "workstation_id": who.workstation_id,
        "incident_id": None,
        "journal_number": None,
    }


def _history_row(
    facility_id: str,
    facility_name: str,
    who: Actor,
    at: datetime,
    action: str,
    field_name: str,
    old: str | None,
    new: str | None,
) -> dict[str, Any]:
    return {
        "id": new_id(),
        "facility_id": facility_id,
        "facility_name": facility_name,
        "changed_at": at,
        "person": who.person,
        "function": who.function,
        "workstation_id": who.workstation_id,
        "action": action,
        "field_name": field_name,
        "old_value": old,
        "new_value": new,
    }


def _write_history(session: Session, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(_HISTORY), rows)


def _phones(session: Session, facility_id: str | None = None) -> dict[str, str]:
    query = _PHONES
    if facility_id is not None:
        query = query.where(_CONTACT.c.facility_id == facility_id)
    phones: dict[str, str] = {}
    for fid, phone, alt in session.execute(query):
        number = phone or alt
        if number and fid not in phones:
            phones[fid] = number
    return phones


def _get_view(session: Session, facility_id: str) -> FacilityView:
    row = session.execute(_SELECT_VIEWS.where(_T.c.id == facility_id)).first()
    if row is None:
        raise ServiceError(f"Das Objekt {facility_id} gibt es nicht.")
    return _facility_view(row, _phones(session, facility_id))


def _contacts(session: Session, facility_id: str) -> list[ContactView]:
    rows = session.execute(
        select(FacilityContact)
        .where(FacilityContact.facility_id == facility_id)
        .order_by(FacilityContact.sort_order, FacilityContact.created_at)
    ).scalars()
    return [_contact_view(r) for r in rows]


def _contact_view(r: FacilityContact) -> ContactView:
    return ContactView(
        r.id,
        r.facility_id,
        r.role,
        r.name,
        r.phone,
        r.phone_alt,
        r.email,
        r.available_24_7,
        r.notes,
        r.sort_order,
    )


def _contact(session: Session, contact_id: str) -> ContactView:
    row = session.get(FacilityContact, contact_id)
    if row is None:
        raise ServiceError(f"Den Kontakt {contact_id} gibt es nicht.")
    return _contact_view(row)


def _clean_contact(contact: ContactDraft) -> dict[str, Any]:
    try:
        return clean_contact(contact)
    except FacilityRuleError as exc:
        raise ServiceError(str(exc)) from None


def _contact_text(values: Mapping[str, Any]) -> str:
    parts = [values.get("role") or ""]
    if values.get("name"):
        parts[0] += f": {values['name']}"
    for key in ("phone", "phone_alt", "email"):
        if values.get(key):
            parts.append(str(values[key]))
    return ", ".join(parts)


def _links(session: Session, condition: Any) -> list[DependencyLink]:
    dependent = _T.alias("dependent")
    supplier = _T.alias("supplier")
    query = (
        select(
            _DEP.c.id,
            _DEP.c.dependent_id,
            dependent.c.name,
            _DEP.c.supplier_id,
            supplier.c.name,
            _DEP.c.kind,
            _DEP.c.tolerance_h,
            _DEP.c.note,
            dependent.c.municipality,
            supplier.c.municipality,
        )
        .join(dependent, dependent.c.id == _DEP.c.dependent_id)
        .join(supplier, supplier.c.id == _DEP.c.supplier_id)
        .order_by(_DEP.c.kind, supplier.c.name, dependent.c.name)
    )
    if condition is not None:
        query = query.where(condition)
    return [DependencyLink(*row) for row in session.execute(query)]


def _link(session: Session, dependency_id: str) -> DependencyLink:
    found = _links(session, _DEP.c.id == dependency_id)
    if not found:
        raise ServiceError(f"Die Abhängigkeit {dependency_id} gibt es nicht.")
    return found[0]


def _link_text(link: DependencyLink) -> str:
    text = f"{link.supplier_name} ({link.kind}"
    if link.tolerance_h:
        text += f", {fmt_number(link.tolerance_h)} h"
    return text + ")"


def _status_history(session: Session, facility_id: str) -> list[StatusChangeView]:
    rows = session.execute(
        select(FacilityStatusChange)
        .where(FacilityStatusChange.facility_id == facility_id)
        .order_by(FacilityStatusChange.recorded_at.desc(), FacilityStatusChange.since.desc())
    ).scalars()
    return [
        StatusChangeView(
            r.id,
            r.facility_id,
            r.event,
            r.status,
            r.previous_status,
            r.since,
            r.recorded_at,
            r.source,
            r.note,
            r.author,
            r.function,
            r.workstation_id,
            r.incident_id,
            r.journal_number,
        )
        for r in rows
    ]


def _last_status_event(session: Session, facility_id: str) -> str | None:
    """The kind of the newest status record (the starting state is no reported fact)."""
    return session.execute(
        select(_STATUS.c.event)
        .where(_STATUS.c.facility_id == facility_id, _STATUS.c.event != EVENT_REFUEL)
        .order_by(_STATUS.c.recorded_at.desc(), _STATUS.c.since.desc())
        .limit(1)
    ).scalar_one_or_none()


def _status_text(
    current: FacilityView,
    new_status: str,
    at: datetime,
    now: datetime,
    source: str | None,
    note: str | None,
) -> str:
    text = f"Status {current.name}, {current.municipality}: {current.status} → {new_status}"
    if abs((now - at).total_seconds()) > 60:
        text += f", seit {format_dtg(at)}"
    text += "."
    if new_status == FacilityStatus.EMERGENCY_POWER.value:
        autonomy = current.autonomy_hours
        if autonomy is None:
            text += " Notstrom: Autarkie unbekannt – bitte beim Betreiber erfragen."
        else:
            text += (
                f" Notstrom: Autarkie {format_duration(autonomy)}, reicht bis "
                f"{format_dtg(runs_dry_at(at, autonomy))}."
            )
    if current.persons_supplied and new_status in (
        FacilityStatus.FAILED.value,
        FacilityStatus.RESTRICTED.value,
    ):
        text += f" Versorgte Personen: {current.persons_supplied:,}".replace(",", ".") + "."
    if source:
        text += f" Quelle: {source}."
    if note:
        text += f" {note}"
    return text


def _raw_rows(session: Session, sql: str) -> list[tuple[Any, ...]]:
    """Plain rows through the DBAPI cursor: bulk reads without per-row type processing.

    Portable SQL only; datetimes come back as the driver gives them (see _utc).
    """
    cursor = session.connection().connection.cursor()
    try:
        cursor.execute(sql)
        return cursor.fetchall()
    finally:
        cursor.close()


def _utc(value: Any) -> datetime | None:
    """A stored UTCDateTime read raw: SQLite gives text, other drivers naive datetimes."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


_VIEW_SQL = "SELECT " + ", ".join(_VIEW_FIELDS) + " FROM facility"
_VIEW_DATETIMES = [i for i, name in enumerate(_VIEW_FIELDS) if name in (
    "status_since", "power_since", "created_at", "updated_at"
)]  # fmt: skip
_VIEW_BOOLS = [
    i for i, name in enumerate(_VIEW_FIELDS) if name in ("locally_critical", "emergency_power")
]


def _all_views(session: Session) -> list[FacilityView]:
    """Every facility as a view, read in bulk (the 5,000-row tab opens on this)."""
    phones = _phones(session)
    views = []
    dts, bools = _VIEW_DATETIMES, _VIEW_BOOLS
    for raw in _raw_rows(session, _VIEW_SQL):
        row = list(raw)
        for i in dts:
            row[i] = _utc(row[i])
        for i in bools:
            row[i] = bool(row[i])
        views.append(FacilityView(*row, phone_24_7=phones.get(row[0])))
    return views


_Timed = tuple[int, str, float | None, Any, Any]


class _CascadeCache:
    """Per open database: facilities and dependencies as the cascade reads them, the last graph."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.register: tuple[int | None, list[CascadeNode], list[_Timed]] | None = None
        self.deps: tuple[int | None, list[CascadeDependency]] | None = None
        self.graph: tuple[int | None, datetime, CascadeGraph] | None = None


_CACHES: weakref.WeakKeyDictionary[Database, _CascadeCache] = weakref.WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()


def _cache_for(db: Database) -> _CascadeCache:
    # Shared by every FacilityService on the same Database (the GUI, the
    # report builder and the CAP export each make their own service).
    with _CACHES_LOCK:
        cache = _CACHES.get(db)
        if cache is None:
            cache = _CACHES[db] = _CascadeCache()
        return cache


def _facility_input(session: Session) -> tuple[list[CascadeNode], list[_Timed]]:
    """Nodes without the time-dependent figures, and which nodes need them."""
    from krisenstab.domain.power import effective_autonomy_hours

    emergency = FacilityStatus.EMERGENCY_POWER.value
    failed = FacilityStatus.FAILED.value
    nodes: list[CascadeNode] = []
    timed: list[_Timed] = []
    for (
        fid,
        name,
        persons,
        status,
        has_power,
        autonomy_h,
        fuel,
        consumption,
        status_since,
        power_since,
        municipality,
        sector,
    ) in _raw_rows(
        session,
        "SELECT id, name, persons_supplied, status, emergency_power, autonomy_h, fuel_stock_l, "
        "consumption_l_per_h, status_since, power_since, municipality, sector FROM facility",
    ):
        autonomy = effective_autonomy_hours(autonomy_h, fuel, consumption) if has_power else None
        if status in (emergency, failed):
            timed.append((len(nodes), status, autonomy, status_since, power_since))
        nodes.append(
            CascadeNode(fid, name, persons, status, autonomy, None, None, municipality, sector)
        )
    return nodes, timed


def _dependency_input(session: Session) -> list[CascadeDependency]:
    return [
        CascadeDependency(d, s, k, t)
        for d, s, k, t in _raw_rows(
            session,
            "SELECT dependent_id, supplier_id, kind, tolerance_h FROM facility_dependency",
        )
    ]


def _nodes_at(base: list[CascadeNode], timed: list[_Timed], now: datetime) -> list[CascadeNode]:
    """The nodes with remaining generator hours and failure ages as of ``now``."""
    from dataclasses import replace

    from krisenstab.domain.power import remaining_hours

    nodes = list(base)
    for index, status, autonomy, status_since, power_since in timed:
        if status == FacilityStatus.FAILED.value:
            since = _utc(status_since)
            age = max(0.0, (now - since).total_seconds() / 3600.0)  # type: ignore[operator]
            nodes[index] = replace(base[index], failed_since_h=age)
        elif autonomy is not None:
            since = _utc(power_since) or _utc(status_since)
            left = remaining_hours(since, autonomy, now)  # type: ignore[arg-type]
            nodes[index] = replace(base[index], generator_remaining_h=left)
    return nodes


def _resolve_in(views: Sequence[FacilityView], query: str) -> FacilityView:
    for v in views:
        if v.id == query:
            return v
    if len(query) >= 6:
        prefix = [v for v in views if v.id.startswith(query)]
        if len(prefix) == 1:
            return prefix[0]
    import re

    municipality = None
    name = query
    match = re.fullmatch(r"(.*?)\s*\[([^\[\]]+)\]", query)
    if match:
        name, municipality = match.group(1), match.group(2).strip().casefold()
    candidates = [
        v
        for v in views
        if name_key(v.name) == name_key(name)
        and (municipality is None or v.municipality.casefold() == municipality)
    ]
    if not candidates:
        words = name.casefold().split()
        candidates = [
            v
            for v in views
            if all(w in v.name.casefold() for w in words)
            and (municipality is None or v.municipality.casefold() == municipality)
        ]
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise ServiceError(f"Ein Objekt „{query}“ gibt es nicht.")
    shown = "; ".join(f"{v.name} [{v.municipality}] ({v.id[:8]})" for v in candidates[:8])
    more = f" und {len(candidates) - 8} weitere" if len(candidates) > 8 else ""
    raise ServiceError(
        f"„{query}“ ist nicht eindeutig: {shown}{more}. Bitte „Name [Gemeinde]“ oder die ID angeben."
    )
