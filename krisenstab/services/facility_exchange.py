"""Import and export of the facility register (the store side of exchange.facility_io).

The import reads the whole file, plans every row against the stored state
and applies the plan in one writing transaction, or nothing when any row is
bad. Planning and applying happen under the same write lock, so another
workstation cannot change the register between the check and the write.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from typing import IO, TYPE_CHECKING, Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from krisenstab.domain.base import new_id
from krisenstab.domain.facility import EDITABLE_FIELDS
from krisenstab.domain.power import FacilityStatus
from krisenstab.domain.timefmt import utcnow
from krisenstab.exchange.facility_io import (
    ImportPlan,
    RegisterState,
    plan_import,
    read_facility_table,
    write_facilities_csv,
    write_facilities_xlsx,
    write_geojson,
)
from krisenstab.exchange.tabular import TableFormatError
from krisenstab.services import facilities as fs
from krisenstab.services.context import Actor, ServiceError
from krisenstab.store.database import Database

if TYPE_CHECKING:
    from krisenstab.services.facilities import FacilityService

Progress = Callable[[int, int], None]
CHUNK = 500
EXPORT_FORMATS = ("csv", "xlsx", "geojson")

_T = fs._T
_DEP = fs._DEP
_CONTACT = fs._CONTACT
_STATUS = fs._STATUS

_UPDATE_COLUMNS = [k for k in EDITABLE_FIELDS if k != "position"] + ["lat", "lon", "position_text"]
_UPDATE_FACILITY = (
    update(_T)
    .where(_T.c.id == bindparam("b_id"))
    .values(
        {c: bindparam(f"b_{c}") for c in _UPDATE_COLUMNS}
        | {
            "updated_at": bindparam("b_updated_at"),
            "updated_by": bindparam("b_updated_by"),
            "version": _T.c.version + 1,
        }
    )
)
_UPDATE_PHONE = (
    update(_CONTACT).where(_CONTACT.c.id == bindparam("b_id")).values(phone=bindparam("b_phone"))
)
_UPDATE_TOLERANCE = (
    update(_DEP).where(_DEP.c.id == bindparam("b_id")).values(tolerance_h=bindparam("b_tol"))
)


def register_state(session: Session) -> RegisterState:
    return RegisterState(
        facilities=fs._all_views(session),
        dependencies=fs._links(session, None),
        sectors=fs.sector_map(session),
        municipalities=fs.municipality_map(session),
        area=fs._area(session),
    )


def import_facilities(
    db: Database,
    who: Actor,
    source: bytes | str | os.PathLike[str] | IO[bytes],
    *,
    filename: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportPlan:
    try:
        table = read_facility_table(source, filename=filename)
    except TableFormatError as exc:
        raise ServiceError(str(exc)) from None
    rows = len(table.rows)
    total = rows if dry_run else rows * 2

    def planning(done: int, _total: int) -> None:
        if progress is not None:
            progress(done, total)

    if progress is not None:
        progress(0, total)
    if dry_run:
        with db.session() as session:
            return plan_import(table, register_state(session), progress=planning)
    try:
        with db.write() as session:
            plan = plan_import(table, register_state(session), progress=planning)
            if not plan.ok:
                return plan
            _apply(
                session, plan, who, lambda done: progress(rows + done, total) if progress else None
            )
            plan.applied = True
    except IntegrityError as exc:
        # The plan checks what the constraints check; this is a safety net
        # (e.g. another workstation wrote the same object in between).
        raise ServiceError(
            f"Der Import wurde abgebrochen, es wurde nichts gespeichert ({exc.orig})."
        ) from exc
    if progress is not None:
        progress(total, total)
    return plan


def _apply(session: Session, plan: ImportPlan, who: Actor, step: Callable[[int], Any]) -> None:
    now = utcnow()
    new_rows: list[dict[str, Any]] = []
    status_rows: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for item in plan.facilities:
        if item.is_new:
            new_rows.append(
                fs._new_row(
                    item.id,
                    item.values,
                    item.position,
                    item.position_text,
                    who,
                    now,
                    FacilityStatus.OPERATIONAL.value,
                    "Import",
                )
            )
            status_rows.append(
                fs._initial_status(item.id, FacilityStatus.OPERATIONAL.value, now, who, "Import")
            )
            history.append(
                fs._history_row(item.id, item.name, who, now, fs.ACTION_IMPORT, "", None, item.name)
            )
            continue
        if not item.changes:
            continue
        for change in item.changes:
            history.append(
                fs._history_row(
                    item.id,
                    item.name,
                    who,
                    now,
                    fs.ACTION_IMPORT,
                    change.field_name,
                    change.old,
                    change.new,
                )
            )
        if any(c.field_name in EDITABLE_FIELDS for c in item.changes):
            values = {f"b_{k}": item.values[k] for k in EDITABLE_FIELDS if k != "position"}
            pos = item.position
            values.update(
                b_id=item.id,
                b_lat=pos.lat if pos is not None else None,
                b_lon=pos.lon if pos is not None else None,
                b_position_text=item.position_text if pos is not None else None,
                b_updated_at=now,
                b_updated_by=who.person,
            )
            updates.append(values)

    done = 0
    for start in range(0, len(new_rows), CHUNK):
        chunk = new_rows[start : start + CHUNK]
        session.execute(insert(_T), chunk)
        done += len(chunk)
        step(done)
    if status_rows:
        session.execute(insert(_STATUS), status_rows)
    for start in range(0, len(updates), CHUNK):
        chunk = updates[start : start + CHUNK]
        session.execute(_UPDATE_FACILITY, chunk)
        done += len(chunk)
        step(done)
    fs._write_history(session, history)
    _apply_phones(session, plan, who, now)
    _apply_dependencies(session, plan, who, now)
    fs.bump_revision(
        session,
        dependencies=bool(
            plan.dependency_adds or plan.dependency_updates or plan.dependency_removals
        ),
    )


def _apply_phones(session: Session, plan: ImportPlan, who: Actor, now: datetime) -> None:
    wanted = {f.id: f.phone_24_7 for f in plan.facilities if f.phone_24_7}
    if not wanted:
        return
    first: dict[str, tuple[str, str | None]] = {}
    for cid, fid, phone in session.execute(
        select(_CONTACT.c.id, _CONTACT.c.facility_id, _CONTACT.c.phone)
        .where(_CONTACT.c.available_24_7.is_(True))
        .order_by(_CONTACT.c.facility_id, _CONTACT.c.sort_order, _CONTACT.c.created_at)
    ):
        first.setdefault(fid, (cid, phone))
    inserts = []
    changes = []
    for fid, phone in wanted.items():
        existing = first.get(fid)
        if existing is None:
            inserts.append(
                {
                    "id": new_id(),
                    "facility_id": fid,
                    "role": fs.DEFAULT_24_7_ROLE,
                    "name": None,
                    "phone": phone,
                    "phone_alt": None,
                    "email": None,
                    "available_24_7": True,
                    "notes": None,
                    "sort_order": 10,
                    "created_at": now,
                    "workstation_id": who.workstation_id,
                }
            )
        elif existing[1] != phone:
            changes.append({"b_id": existing[0], "b_phone": phone})
    if inserts:
        session.execute(insert(_CONTACT), inserts)
    if changes:
        session.execute(_UPDATE_PHONE, changes)


def _apply_dependencies(session: Session, plan: ImportPlan, who: Actor, now: datetime) -> None:
    if plan.dependency_removals:
        ids = [link.id for link in plan.dependency_removals]
        for start in range(0, len(ids), CHUNK):
            session.execute(delete(_DEP).where(_DEP.c.id.in_(ids[start : start + CHUNK])))
    if plan.dependency_updates:
        session.execute(
            _UPDATE_TOLERANCE, [{"b_id": lid, "b_tol": tol} for lid, tol in plan.dependency_updates]
        )
    if plan.dependency_adds:
        session.execute(
            insert(_DEP),
            [
                {
                    "id": new_id(),
                    "dependent_id": dependent,
                    "supplier_id": dep.supplier_id,
                    "kind": dep.kind,
                    "tolerance_h": dep.tolerance_h,
                    "note": None,
                    "created_at": now,
                    "workstation_id": who.workstation_id,
                }
                for dependent, dep in plan.dependency_adds
            ],
        )


def export_facilities(
    service: FacilityService,
    target: str | os.PathLike[str] | IO[bytes],
    fmt: str = "csv",
    *,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> int:
    kind = (fmt or "").strip().casefold()
    if kind not in EXPORT_FORMATS:
        raise ServiceError(
            f"Unbekanntes Exportformat „{fmt}“ (erlaubt: {', '.join(EXPORT_FORMATS)})."
        )
    facilities = service.list()
    dependencies = service.all_dependencies()
    try:
        if kind == "csv":
            return write_facilities_csv(target, facilities, dependencies, progress=progress)
        if kind == "xlsx":
            return write_facilities_xlsx(target, facilities, dependencies, progress=progress)
        count = write_geojson(target, facilities, dependencies, now=now or utcnow())
        if progress is not None:
            progress(count, count)
        return count
    except OSError as exc:
        raise ServiceError(
            f"Die Datei kann nicht geschrieben werden: {exc.strerror or exc}"
        ) from None
