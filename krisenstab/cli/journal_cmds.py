"""Commands for incidents, the Einsatztagebuch and its verification."""

from __future__ import annotations

import argparse

from krisenstab.cli.common import (
    CliError,
    actor,
    add_actor_args,
    add_incident_arg,
    iso,
    open_db,
    print_json,
    resolve_incident,
)


def register(sub: argparse._SubParsersAction) -> None:
    inc = sub.add_parser("incident", help="Ereignisse anlegen, auflisten, umbenennen, abschließen")
    inc_sub = inc.add_subparsers(dest="action", required=True)
    p = inc_sub.add_parser("new", help="neues Ereignis; gibt die ID aus")
    p.add_argument("title")
    p.add_argument("--author", default="Kommandozeile")
    p.add_argument("--function", default="S2")
    p.set_defaults(handler=incident_new)
    p = inc_sub.add_parser("list", help="Ereignisse auflisten")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=incident_list)
    p = inc_sub.add_parser("rename", help="Ereignis umbenennen")
    add_incident_arg(p)
    p.add_argument("title")
    add_actor_args(p)
    p.set_defaults(handler=incident_rename)
    p = inc_sub.add_parser("close", help="Ereignis abschließen (danach nur lesbar)")
    add_incident_arg(p)
    add_actor_args(p)
    p.set_defaults(handler=incident_close)

    jr = sub.add_parser("journal", help="Einsatztagebuch: schreiben, berichtigen, auflisten")
    jr_sub = jr.add_subparsers(dest="action", required=True)
    p = jr_sub.add_parser("add", help="Eintrag schreiben; gibt die laufende Nummer aus")
    add_incident_arg(p)
    add_actor_args(p)
    p.add_argument("--kind", default="Vermerk", help="Eingang, Ausgang, Vermerk, Lage, …")
    p.add_argument(
        "--source",
        default="eigene Beobachtung",
        help="eigene Beobachtung, Dritte, Annahme/Schätzung",
    )
    p.add_argument("--observed", help='Zeitpunkt der Beobachtung "JJJJ-MM-TT hh:mm" (Ortszeit)')
    p.add_argument("text")
    p.set_defaults(handler=journal_add)
    p = jr_sub.add_parser("correct", help="Eintrag berichtigen; gibt die neue Nummer aus")
    add_incident_arg(p)
    p.add_argument("--entry", type=int, required=True, help="Nummer des berichtigten Eintrags")
    add_actor_args(p)
    p.add_argument("text")
    p.set_defaults(handler=journal_correct)
    p = jr_sub.add_parser("list", help="Einträge auflisten")
    add_incident_arg(p)
    p.add_argument("--search", help="Volltextsuche (Wortanfänge)")
    p.add_argument("--function", dest="filter_function", help="nur diese Funktion")
    p.add_argument("--kind", help="nur diese Eintragsart")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=journal_list)

    p = sub.add_parser(
        "verify",
        help="Hash-Ketten, Schutz-Trigger und Abgleich mit Ankern außerhalb der Datei prüfen",
    )
    p.add_argument(
        "--against",
        action="append",
        default=[],
        metavar="ORDNER",
        help="auch mit den Kettenständen dieser Sicherungen/Ankerprotokolle abgleichen",
    )
    p.add_argument(
        "--no-anchors",
        action="store_true",
        help="das Ankerprotokoll dieses Arbeitsplatzes nicht heranziehen",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=verify)


def incident_new(args: argparse.Namespace) -> int:
    from krisenstab.services.incidents import IncidentService

    db = open_db(args)
    view = IncidentService(db).create(args.title, actor(args))
    print(view.id)
    return 0


def incident_list(args: argparse.Namespace) -> int:
    from krisenstab.services.incidents import IncidentService

    db = open_db(args)
    incidents = IncidentService(db).list()
    if args.json:
        print_json(
            [
                {
                    "id": i.id,
                    "title": i.title,
                    "status": i.status,
                    "created_at": iso(i.created_at),
                    "closed_at": iso(i.closed_at),
                    "entries": i.entries,
                }
                for i in incidents
            ]
        )
        return 0
    if not incidents:
        print("Keine Ereignisse.")
    for i in incidents:
        print(f"{i.id}  {i.status:<13}  {i.entries:>6} Einträge  {i.title}")
    return 0


def incident_rename(args: argparse.Namespace) -> int:
    from krisenstab.services.incidents import IncidentService

    db = open_db(args)
    inc = resolve_incident(db, args.incident)
    IncidentService(db).rename(inc.id, args.title, actor(args))
    return 0


def incident_close(args: argparse.Namespace) -> int:
    from krisenstab.services.incidents import IncidentService

    db = open_db(args)
    inc = resolve_incident(db, args.incident)
    IncidentService(db).close(inc.id, actor(args))
    return 0


def journal_add(args: argparse.Namespace) -> int:
    from krisenstab.domain.timefmt import parse_local
    from krisenstab.services.journal import JournalService

    observed = None
    if args.observed:
        try:
            observed = parse_local(args.observed)
        except ValueError as exc:
            raise CliError(str(exc), code=2) from None
    db = open_db(args)
    inc = resolve_incident(db, args.incident)
    entry = JournalService(db, actor(args)).add(
        inc.id, args.text, kind=args.kind, source_quality=args.source, observed_at=observed
    )
    print(entry.number)
    return 0


def journal_correct(args: argparse.Namespace) -> int:
    from krisenstab.services.journal import JournalService

    db = open_db(args)
    inc = resolve_incident(db, args.incident)
    entry = JournalService(db, actor(args)).correct(inc.id, args.entry, args.text)
    print(entry.number)
    return 0


def entry_json(e) -> dict:  # type: ignore[no-untyped-def]
    from krisenstab.domain.timefmt import format_dtg

    return {
        "number": e.number,
        "recorded_at": iso(e.recorded_at),
        "observed_at": iso(e.observed_at),
        "dtg": format_dtg(e.recorded_at),
        "author": e.author,
        "function": e.function,
        "kind": e.kind,
        "source_quality": e.source_quality,
        "text": e.text,
        "corrects": e.corrects,
        "corrected_by": list(e.corrected_by),
        "scenario_time": iso(e.scenario_time),
        "facility_id": e.facility_id,
        "task_id": e.task_id,
        "message_id": e.message_id,
        "hash": e.hash,
    }


def journal_list(args: argparse.Namespace) -> int:
    from krisenstab.domain.journal import JournalFilter
    from krisenstab.domain.timefmt import format_dtg
    from krisenstab.services.journal import JournalService

    db = open_db(args)
    inc = resolve_incident(db, args.incident)
    flt = JournalFilter(
        text=args.search or "",
        functions=(args.filter_function,) if args.filter_function else (),
        kinds=(args.kind,) if args.kind else (),
    )
    entries = JournalService(db).list(inc.id, flt)
    if args.json:
        print_json([entry_json(e) for e in entries])
        return 0
    for e in entries:
        mark = ""
        if e.corrects:
            mark = f" [Berichtigung zu Nr. {e.corrects}]"
        if e.corrected_by:
            mark += f" [berichtigt durch Nr. {', '.join(map(str, e.corrected_by))}]"
        print(
            f"{e.number:>5}  {format_dtg(e.recorded_at)}  {e.function:<8} {e.kind:<12} {e.text}{mark}"
        )
    return 0


def verify(args: argparse.Namespace) -> int:
    from pathlib import Path

    from krisenstab.cli.common import db_path
    from krisenstab.services.verification import verify_database
    from krisenstab.store.backup import is_backup_copy
    from krisenstab.store.database import Database

    for place in args.against:
        if not Path(place).exists():
            raise CliError(f"{place} gibt es nicht.")
    path = db_path(args)
    if is_backup_copy(path):
        # Checking a backup must not change it (opening it writable would).
        db = Database.open(path, create=False, read_only=True)
    else:
        db = open_db(args, create=False)
    report = verify_database(
        db, against=[Path(p) for p in args.against], use_anchor_log=not args.no_anchors
    )
    if args.json:
        print_json(
            {
                "ok": report.ok,
                "first_bad": report.first_bad,
                "missing_triggers": report.missing_triggers,
                "problems": report.problems,
                "anchors_checked": report.anchors_checked,
                "anchor_sources": report.anchor_sources,
                "incidents": [
                    {
                        "incident_id": c.incident_id,
                        "title": c.title,
                        "ok": c.ok,
                        "entries": c.entries,
                        "first_bad": c.first_bad,
                        "reason": c.reason,
                        "head": c.head,
                    }
                    for c in report.chains
                ],
            }
        )
    else:
        for c in report.chains:
            state = "in Ordnung" if c.ok else f"VERÄNDERT ab Nr. {c.first_bad}: {c.reason}"
            print(f"{c.title}: {c.entries} Einträge, Kette {c.head[:12]} – {state}")
        for name in report.missing_triggers:
            print(f"Schutz-Trigger fehlt: {name}")
        for problem in report.problems:
            print(problem)
        if report.anchor_sources:
            print(
                f"Abgleich mit {report.anchors_checked} Kettenständen außerhalb der Datei: "
                + "; ".join(report.anchor_sources)
            )
        else:
            print("Keine Kettenstände außerhalb der Datei gefunden (nur die Kette selbst geprüft).")
        print("Prüfung bestanden." if report.ok else "Prüfung NICHT bestanden.")
    return 0 if report.ok else 1
