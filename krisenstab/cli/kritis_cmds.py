"""Commands for critical infrastructure: the register, status, emergency power, cascade.

Stable forms (scripts rely on them):

* ``facility list [--json]``
* ``facility status NAME_OR_ID STATUS [--note TEXT] --author NAME --function F``
* ``import facilities FILE [--dry-run]``
* ``export facilities --format csv|geojson --out FILE``
* ``cascade --fail NAME_OR_ID[,NAME_OR_ID…] [--json]``

Extras: ``facility show``, ``facility power``, ``facility refuel``,
``facility history``, ``facility depend``, ``cascade --area GEMEINDE``,
``export facilities --format xlsx``.
"""

from __future__ import annotations

import argparse
import math
import sys
from typing import Any

from krisenstab.cli.common import (
    CliError,
    GermanArgumentParser,
    actor,
    add_actor_args,
    add_incident_arg,
    iso,
    open_db,
    print_json,
)


def _subcommands(sub: argparse._SubParsersAction, name: str, help_text: str) -> Any:
    """The sub-parsers of a top-level command other capabilities may share (import, export)."""
    parser = sub.choices.get(name)
    if parser is None:
        parser = sub.add_parser(name, help=help_text)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    return parser.add_subparsers(dest="action", required=True, parser_class=GermanArgumentParser)


def register(sub: argparse._SubParsersAction) -> None:
    fac = sub.add_parser("facility", help="KRITIS-Objekte: auflisten, Status melden, Notstrom")
    fac_sub = fac.add_subparsers(dest="action", required=True)

    p = fac_sub.add_parser("list", help="Objekte auflisten")
    p.add_argument("--json", action="store_true")
    p.add_argument("--sector", action="append", help="nur dieser Sektor (mehrfach möglich)")
    p.add_argument("--status", action="append", help="nur dieser Status (mehrfach möglich)")
    p.add_argument("--municipality", action="append", help="nur diese Gemeinde (mehrfach möglich)")
    p.add_argument("--search", help="Textsuche (Name, Betreiber, Adresse, …)")
    p.set_defaults(handler=facility_list)

    p = fac_sub.add_parser("show", help="ein Objekt mit Kontakten, Abhängigkeiten, Statusverlauf")
    p.add_argument("facility", metavar="NAME_ODER_ID")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=facility_show)

    p = fac_sub.add_parser("status", help="Status melden (mit Eintrag im Einsatztagebuch)")
    p.add_argument("facility", metavar="NAME_ODER_ID")
    p.add_argument(
        "status",
        metavar="STATUS",
        help="betriebsbereit, eingeschränkt, Notstrombetrieb, ausgefallen, unbekannt",
    )
    p.add_argument("--note", help="Bemerkung")
    p.add_argument("--source", help="Quelle der Meldung, z. B. Betreiber")
    p.add_argument("--since", help='seit wann "JJJJ-MM-TT hh:mm" (Ortszeit); Vorgabe: jetzt')
    add_incident_arg(p)
    add_actor_args(p)
    p.set_defaults(handler=facility_status)

    p = fac_sub.add_parser("refuel", help="Betankung eines Notstromaggregats melden")
    p.add_argument("facility", metavar="NAME_ODER_ID")
    p.add_argument("--litres", type=float, help="getankte Menge in Litern")
    p.add_argument("--at", help='Zeitpunkt "JJJJ-MM-TT hh:mm" (Ortszeit); Vorgabe: jetzt')
    p.add_argument("--note", help="Bemerkung")
    add_incident_arg(p)
    add_actor_args(p)
    p.set_defaults(handler=facility_refuel)

    p = fac_sub.add_parser("power", help="Notstromtafel und Betankungsreihenfolge")
    p.add_argument("--json", action="store_true")
    p.add_argument(
        "--extend", type=float, default=24.0, help="Kraftstoffbedarf für so viele Stunden (24)"
    )
    p.set_defaults(handler=facility_power)

    p = fac_sub.add_parser("history", help="Änderungsverlauf eines Objekts")
    p.add_argument("facility", metavar="NAME_ODER_ID")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=facility_history)

    p = fac_sub.add_parser(
        "depend", help="Abhängigkeit erfassen: ABHÄNGIGES hängt von VERSORGER ab"
    )
    p.add_argument("dependent", metavar="ABHÄNGIGES")
    p.add_argument("supplier", metavar="VERSORGER")
    p.add_argument(
        "--kind",
        default="Strom",
        help="Strom, Wasser, Telekommunikation/IT, Kraftstoff, Verkehr, Sonstiges",
    )
    p.add_argument("--tolerance", type=float, default=0.0, help="Überbrückung in Stunden")
    add_actor_args(p)
    p.set_defaults(handler=facility_depend)

    imp = _subcommands(sub, "import", "Daten einlesen (CSV/XLSX)")
    p = imp.add_parser(
        "facilities", help="KRITIS-Objekte aus CSV/XLSX einlesen (alles oder nichts)"
    )
    p.add_argument("file", metavar="DATEI")
    p.add_argument("--dry-run", action="store_true", help="nur prüfen und zeigen, nichts speichern")
    p.add_argument("--json", action="store_true")
    p.add_argument("--author", default="Kommandozeile", help="wer einliest (Name)")
    p.add_argument("--function", default="S2", help="Stabsfunktion")
    p.set_defaults(handler=import_facilities)

    exp = _subcommands(sub, "export", "Daten ausgeben (CSV/XLSX/GeoJSON)")
    p = exp.add_parser("facilities", help="KRITIS-Objekte als CSV, XLSX oder GeoJSON ausgeben")
    p.add_argument("--format", required=True, choices=("csv", "geojson", "xlsx"), dest="fmt")
    p.add_argument("--out", required=True, metavar="DATEI")
    p.set_defaults(handler=export_facilities)

    p = sub.add_parser(
        "cascade", help="Ausfallkaskade: was fällt wann aus (Was-wäre-wenn ab jetzt)"
    )
    p.add_argument(
        "--fail",
        action="append",
        default=[],
        metavar="NAME_ODER_ID[,…]",
        help="angenommener Ausfall ab jetzt (kommagetrennt oder mehrfach)",
    )
    p.add_argument(
        "--area",
        action="append",
        default=[],
        metavar="GEMEINDE[,…]",
        help="Stromausfall in der ganzen Gemeinde ab jetzt",
    )
    p.add_argument("--horizon", type=float, default=72.0, help="Stunden voraus (72)")
    p.add_argument(
        "--ignore-state",
        action="store_true",
        help="gemeldeten Status nicht berücksichtigen (alle Objekte betriebsbereit)",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cascade)


# -- helpers ------------------------------------------------------------------


def _service(args: argparse.Namespace, with_actor: bool = False):  # type: ignore[no-untyped-def]
    from krisenstab.services.facilities import FacilityService, thresholds_from_settings
    from krisenstab.settings import Settings

    db = open_db(args)
    who = actor(args) if with_actor else None
    return FacilityService(db, who, thresholds=thresholds_from_settings(Settings.load()))


def _time(text: str | None):  # type: ignore[no-untyped-def]
    if not text:
        return None
    from krisenstab.domain.timefmt import parse_local

    try:
        return parse_local(text)
    except ValueError as exc:
        raise CliError(str(exc), code=2) from None


def _hours(value: float | None) -> str:
    from krisenstab.domain.power import format_duration

    if value is None:
        return "–"
    if math.isinf(value):
        return "∞"
    return format_duration(value)


def _num(value: float | None) -> str:
    if value is None:
        return "–"
    from krisenstab.domain.facility import fmt_number

    return fmt_number(round(value, 1))


def facility_json(v, now) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    remaining = v.remaining_hours(now)
    return {
        "id": v.id,
        "name": v.name,
        "sector": v.sector,
        "branch": v.branch,
        "locally_critical": v.locally_critical,
        "municipality": v.municipality,
        "address": v.address or None,
        "lat": v.lat,
        "lon": v.lon,
        "utmref": v.utmref(),
        "operator": v.operator,
        "phone_24_7": v.phone_24_7,
        "status": v.status,
        "status_since": iso(v.status_since),
        "status_source": v.status_source,
        "status_note": v.status_note,
        "persons_supplied": v.persons_supplied,
        "emergency_power": v.emergency_power,
        "autonomy_hours": v.autonomy_hours,
        "fuel_stock_l": v.fuel_stock_l,
        "consumption_l_per_h": v.consumption_l_per_h,
        "remaining_hours": remaining,
        "version": v.version,
    }


# -- facility -----------------------------------------------------------------


def facility_list(args: argparse.Namespace) -> int:
    from krisenstab.domain.facility import FacilityFilter
    from krisenstab.domain.timefmt import utcnow
    from krisenstab.services.facilities import STATUSES

    unknown = [s for s in args.status or () if s not in STATUSES]
    if unknown:
        raise CliError(
            f"Unbekannter Status „{unknown[0]}“ (erlaubt: {', '.join(STATUSES)}).", code=2
        )
    service = _service(args)
    flt = FacilityFilter(
        text=args.search or "",
        sectors=tuple(args.sector or ()),
        statuses=tuple(args.status or ()),
        municipalities=tuple(args.municipality or ()),
    )
    views = service.list(flt)
    now = utcnow()
    if args.json:
        print_json([facility_json(v, now) for v in views])
        return 0
    if not views:
        print("Keine Objekte.")
        return 0
    for v in views:
        power = ""
        if v.on_emergency_power:
            power = f"  Notstrom {v.remaining_text(now)}"
        elif v.autonomy_hours is not None:
            power = f"  Autarkie {_hours(v.autonomy_hours)}"
        print(
            f"{v.status:<15} {v.name}  [{v.municipality}]  {v.sector}"
            f"  {v.persons_supplied:>7} Pers.{power}"
        )
    return 0


def facility_show(args: argparse.Namespace) -> int:
    from krisenstab.domain.timefmt import format_local, utcnow

    service = _service(args)
    view = service.resolve(args.facility)
    detail = service.detail(view.id)
    now = utcnow()
    f = detail.facility
    if args.json:
        data = facility_json(f, now)
        data.update(
            position_text=f.position_text,
            sensitive_consumers=f.sensitive_consumers,
            redundancy=f.redundancy,
            notes=f.notes,
            contacts=[
                {
                    "role": c.role,
                    "name": c.name,
                    "phone": c.phone,
                    "phone_alt": c.phone_alt,
                    "email": c.email,
                    "available_24_7": c.available_24_7,
                }
                for c in detail.contacts
            ],
            depends_on=[
                {
                    "id": d.supplier_id,
                    "name": d.supplier_name,
                    "kind": d.kind,
                    "tolerance_hours": d.tolerance_h,
                }
                for d in detail.suppliers
            ],
            dependents=[
                {
                    "id": d.dependent_id,
                    "name": d.dependent_name,
                    "kind": d.kind,
                    "tolerance_hours": d.tolerance_h,
                }
                for d in detail.dependents
            ],
            status_history=[
                {
                    "event": s.event,
                    "status": s.status,
                    "previous_status": s.previous_status,
                    "since": iso(s.since),
                    "source": s.source,
                    "note": s.note,
                    "author": s.author,
                    "function": s.function,
                    "journal_number": s.journal_number,
                }
                for s in detail.status_history
            ],
        )
        print_json(data)
        return 0
    print(f"{f.name}  [{f.municipality}]")
    print(f"  ID:          {f.id}")
    print(f"  Sektor:      {f.sector}{' / ' + f.branch if f.branch else ''}")
    if f.locally_critical:
        print("  Lokal kritisch (kein KRITIS im Sinne des Gesetzes)")
    if f.address:
        print(f"  Adresse:     {f.address}")
    if f.position is not None:
        typed = f"  (eingegeben: {f.position_text})" if f.position_text else ""
        print(f"  Position:    {f.utmref()}  ({f.lat:.5f}, {f.lon:.5f}){typed}")
    if f.operator:
        print(f"  Betreiber:   {f.operator}")
    print(f"  Status:      {f.status} seit {format_local(f.status_since)}")
    if f.status_note or f.status_source:
        print(f"               {f.status_source or ''} {f.status_note or ''}".rstrip())
    print(f"  Versorgt:    {f.persons_supplied} Personen")
    if f.emergency_power:
        figures = []
        if f.autonomy_h is not None:
            figures.append(f"Autarkie {_num(f.autonomy_h)} h")
        if f.fuel_stock_l is not None:
            figures.append(f"Vorrat {_num(f.fuel_stock_l)} l")
        if f.consumption_l_per_h is not None:
            figures.append(f"Verbrauch {_num(f.consumption_l_per_h)} l/h")
        print(f"  Notstrom:    ja ({', '.join(figures) or 'Werte unbekannt'})")
        if f.on_emergency_power:
            print(f"  Notstrom läuft: {f.remaining_text(now)}")
    else:
        print("  Notstrom:    nein")
    for c in detail.contacts:
        numbers = ", ".join(x for x in (c.phone, c.phone_alt, c.email) if x)
        mark = " (24/7)" if c.available_24_7 else ""
        print(f"  Kontakt:     {c.label}{mark}: {numbers}")
    for d in detail.suppliers:
        tol = f", Toleranz {_num(d.tolerance_h)} h" if d.tolerance_h else ""
        print(f"  Abhängig von: {d.supplier_name} [{d.supplier_municipality}] ({d.kind}{tol})")
    for d in detail.dependents:
        print(f"  Versorgt:    {d.dependent_name} [{d.dependent_municipality}] ({d.kind})")
    for s in detail.status_history:
        etb = f", ETB Nr. {s.journal_number}" if s.journal_number else ""
        print(
            f"  Verlauf:     {format_local(s.since)}  {s.event}: {s.status}  ({s.author}, {s.function}{etb})"
        )
    return 0


def facility_status(args: argparse.Namespace) -> int:
    service = _service(args, with_actor=True)
    since = _time(args.since)
    view = service.resolve(args.facility)
    before = view.status
    after = service.set_status(
        view.id,
        args.status,
        incident_id=args.incident,
        note=args.note,
        source=args.source,
        since=since,
    )
    history = service.status_history(view.id)
    number = history[0].journal_number if history else None
    print(f"{after.name}: {before} → {after.status} (ETB Nr. {number})")
    return 0


def facility_refuel(args: argparse.Namespace) -> int:
    service = _service(args, with_actor=True)
    at = _time(args.at)
    view = service.resolve(args.facility)
    after = service.record_refuelling(
        view.id, incident_id=args.incident, at=at, litres=args.litres, note=args.note
    )
    from krisenstab.domain.timefmt import utcnow

    print(f"{after.name}: betankt, Notstrom {after.remaining_text(utcnow())}")
    return 0


def facility_power(args: argparse.Namespace) -> int:
    from krisenstab.domain.timefmt import format_dtg, utcnow

    service = _service(args)
    now = utcnow()
    rows = service.fuel_priority(now, extend_by_h=args.extend)
    if args.json:
        print_json(
            [
                {
                    "rank": r.rank,
                    "id": r.facility_id,
                    "name": r.name,
                    "municipality": r.municipality,
                    "persons_supplied": r.persons_supplied,
                    "remaining_hours": r.remaining_h,
                    "runs_dry_at": iso(r.runs_dry_at),
                    "warning": r.warning.label,
                    "fuel_needed_l": r.fuel_needed_l,
                    "extend_by_hours": r.extend_by_h,
                }
                for r in rows
            ]
        )
        return 0
    if not rows:
        print("Kein Objekt im Notstrombetrieb.")
        return 0
    from krisenstab.domain.power import format_remaining

    print(f"Betankungsreihenfolge (Bedarf für {_num(args.extend)} h), Stand {format_dtg(now)}:")
    for r in rows:
        dry = format_dtg(r.runs_dry_at) if r.runs_dry_at else "unbekannt"
        fuel = f"{_num(r.fuel_needed_l)} l" if r.fuel_needed_l is not None else "Bedarf unbekannt"
        warn = r.warning.label.upper() if r.warning.value else r.warning.label
        print(
            f"{r.rank:>3}. {r.name} [{r.municipality}]  {format_remaining(r.remaining_h)}"
            f"  (leer {dry}, {warn})  {r.persons_supplied} Pers.  {fuel}"
        )
    return 0


def facility_history(args: argparse.Namespace) -> int:
    from krisenstab.domain.timefmt import format_local

    service = _service(args)
    view = service.resolve(args.facility)
    changes = service.change_history(view.id)
    if args.json:
        print_json(
            [
                {
                    "changed_at": iso(c.changed_at),
                    "person": c.person,
                    "function": c.function,
                    "workstation_id": c.workstation_id,
                    "action": c.action,
                    "field": c.field_name,
                    "label": c.field_label,
                    "old": c.old_value,
                    "new": c.new_value,
                }
                for c in changes
            ]
        )
        return 0
    for c in changes:
        what = (
            f"{c.field_label}: {c.old_value or '–'} → {c.new_value or '–'}"
            if c.field_name
            else (c.new_value or c.old_value or "")
        )
        print(f"{format_local(c.changed_at)}  {c.person} ({c.function})  {c.action}  {what}")
    return 0


def facility_depend(args: argparse.Namespace) -> int:
    service = _service(args, with_actor=True)
    dependent = service.resolve(args.dependent)
    supplier = service.resolve(args.supplier)
    link = service.add_dependency(dependent.id, supplier.id, args.kind, args.tolerance)
    print(f"{link.dependent_name} hängt ab von {link.supplier_name} ({link.kind}).")
    return 0


# -- import / export ----------------------------------------------------------


def import_facilities(args: argparse.Namespace) -> int:
    from pathlib import Path

    from krisenstab.services.context import Actor
    from krisenstab.settings import Settings

    path = Path(args.file)
    if not path.is_file():
        raise CliError(f"Die Datei {path} gibt es nicht.")
    service = _service(args)
    who = Actor(
        person=args.author, function=args.function, workstation_id=Settings.load().workstation_id
    )
    plan = service.import_file(path, who, dry_run=args.dry_run)
    if args.json:
        print_json(
            {
                "ok": plan.ok,
                "applied": plan.applied,
                "dry_run": bool(args.dry_run),
                "rows": len(plan.facilities),
                "added": [{"id": f.id, "name": f.name, "line": f.line} for f in plan.added],
                "changed": [
                    {
                        "id": f.id,
                        "name": f.name,
                        "line": f.line,
                        "fields": [
                            {"field": c.label, "old": c.old, "new": c.new} for c in f.changes
                        ],
                    }
                    for f in plan.changed
                ],
                "unchanged": len(plan.unchanged),
                "errors": [
                    {"line": e.line, "column": e.column, "reason": e.reason} for e in plan.errors
                ],
                "unknown_columns": plan.unknown_columns,
            }
        )
        return 0 if plan.ok else 1
    for note in plan.notes():
        print(note)
    if not plan.ok:
        for error in plan.errors:
            print(f"  {error}", file=sys.stderr)
        print(f"krisenstab: {plan.summary()}", file=sys.stderr)
        return 1
    if args.dry_run:
        for f in plan.added:
            print(f"  neu:      Zeile {f.line}: {f.name} [{f.municipality}]")
        for f in plan.changed:
            fields = "; ".join(f"{c.label}: {c.old or '–'} → {c.new or '–'}" for c in f.changes)
            print(f"  geändert: Zeile {f.line}: {f.name} [{f.municipality}]: {fields}")
        print(f"Probelauf – nichts gespeichert. {plan.summary()}")
        return 0
    print(plan.summary())
    return 0


def export_facilities(args: argparse.Namespace) -> int:
    from pathlib import Path

    out = Path(args.out)
    if not out.parent.exists():
        raise CliError(f"Den Ordner {out.parent} gibt es nicht.")
    service = _service(args)
    count = service.export(out, args.fmt)
    print(f"{count} Objekte nach {out} ausgegeben.")
    return 0


# -- cascade ------------------------------------------------------------------


def _split_names(service, values: list[str]) -> list[str]:  # type: ignore[no-untyped-def]
    """Facility ids for ``--fail`` values; names may themselves contain commas."""
    from krisenstab.services.context import ServiceError

    views = service.list()
    ids: list[str] = []
    for value in values:
        parts = value.split(",")
        i = 0
        while i < len(parts):
            if not parts[i].strip():
                i += 1
                continue
            found = None
            error: ServiceError | None = None
            # Longest run of comma-separated parts that names one facility.
            for j in range(len(parts), i, -1):
                candidate = ",".join(parts[i:j]).strip()
                try:
                    found = _resolve(views, candidate)
                except ServiceError as exc:
                    if j == i + 1:
                        error = exc
                    continue
                i = j
                break
            if found is None:
                assert error is not None
                raise error
            if found.id not in ids:
                ids.append(found.id)
    return ids


def _resolve(views, text: str):  # type: ignore[no-untyped-def]
    from krisenstab.services.facilities import _resolve_in

    return _resolve_in(views, " ".join(text.split()))


def cascade(args: argparse.Namespace) -> int:
    from datetime import timedelta

    from krisenstab.domain.timefmt import format_dtg, utcnow

    if args.horizon is not None and (math.isnan(args.horizon) or args.horizon < 0):
        raise CliError("--horizon muss eine Zahl ≥ 0 sein.", code=2)
    service = _service(args)
    fail = _split_names(service, args.fail)
    areas = [a.strip() for value in args.area for a in value.split(",") if a.strip()]
    now = utcnow()
    result = service.cascade(
        fail,
        areas,
        now=now,
        horizon_h=args.horizon,
        use_stored_state=not args.ignore_state,
    )
    if args.json:
        print_json(
            [
                {
                    "hours": e.hours,
                    "at": iso(now + timedelta(hours=e.hours)),
                    "facility_id": e.facility_id,
                    "name": e.name,
                    "municipality": e.municipality,
                    "sector": e.sector,
                    "persons_supplied": e.persons_supplied,
                    "persons_cumulative": e.persons_cumulative,
                    "already_failed": e.hours < 0,
                    "cause": e.cause.kind.value,
                    "cause_text": e.cause_text,
                }
                for e in result.timeline
            ]
        )
        return 0
    what = []
    if fail:
        names = {v.id: v.name for v in service.list()}
        what.append("Ausfall " + ", ".join(names.get(i, i) for i in fail))
    if areas:
        what.append("Stromausfall " + ", ".join(areas))
    title = "; ".join(what) or "gemeldete Lage"
    print(f"Kaskade ab {format_dtg(now)} ({title}), Horizont {_num(args.horizon)} h:")
    if not result.timeline:
        print("  Kein Ausfall im Prognosezeitraum.")
    for e in result.timeline:
        when = f"+{_hours(e.hours)}" if e.hours >= 0 else f"seit {_hours(-e.hours)}"
        print(
            f"  {when:>14}  {format_dtg(now + timedelta(hours=e.hours))}  {e.name} [{e.municipality}]"
            f"  {e.persons_supplied} Pers. (gesamt {e.persons_cumulative})  – {e.cause_text}"
        )
    if result.status_unknown:
        print(
            f"  Hinweis: {len(result.status_unknown)} Objekte mit Status „unbekannt“ als betriebsbereit angenommen."
        )
    if result.reserve_unknown:
        print(
            f"  Hinweis: {len(result.reserve_unknown)} Notstromaggregate mit unbekannter Reserve."
        )
    return 0
