"""Commands for situation reports, printouts and CAP/EDXL exchange.

The forms are relied on by scripts:

- ``report new [--incident ID] --author NAME --function F``: prints the number
- ``report release NUMBER --author NAME --function F``
- ``report list [--json]``
- ``report pdf [--incident ID] [--number N] --out FILE.pdf``
- ``journal pdf [--incident ID] --out FILE.pdf``, ``contacts pdf --out FILE.pdf``,
  ``facility pdf --out FILE.pdf`` (and ``message pdf NUMBER --out FILE.pdf``)
- ``export cap [--incident ID] --out FILE.xml``, ``export sitrep NUMBER --out FILE.xml``
- ``import cap FILE``: exit 1 with one clear line on a refused file

``journal``, ``facility``, ``message``, ``import`` and ``export`` are command
groups of other capabilities: :func:`subcommands` finds an existing group and
adds to it (or creates it when its owner is not installed), so the order of
``COMMAND_MODULES`` decides nothing but the help order.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime

from krisenstab.cli.common import (
    CliError,
    GermanArgumentParser,
    actor,
    add_actor_args,
    add_incident_arg,
    iso,
    open_db,
    print_json,
    resolve_incident,
)


def subcommands(
    sub: argparse._SubParsersAction, name: str, help_text: str
) -> argparse._SubParsersAction:
    """The sub-parsers of top-level command ``name``, shared between capabilities."""
    parser = sub.choices.get(name)
    if parser is None:
        parser = sub.add_parser(name, help=help_text)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    return parser.add_subparsers(dest="action", required=True, parser_class=GermanArgumentParser)


def _out_arg(parser: argparse.ArgumentParser, what: str = "PDF") -> None:
    parser.add_argument("--out", required=True, metavar="DATEI", help=f"Zieldatei ({what})")


def register(sub: argparse._SubParsersAction) -> None:
    rep = subcommands(sub, "report", "Lageberichte: entwerfen, freigeben, auflisten, drucken")
    p = rep.add_parser("new", help="Entwurf des nächsten Lageberichts anlegen; gibt die Nummer aus")
    add_incident_arg(p)
    add_actor_args(p)
    p.add_argument("--kind", help="Erstmeldung, Folgemeldung oder Abschlussmeldung")
    p.add_argument("--classification", help="Einstufung, z. B. „VS – NUR FÜR DEN DIENSTGEBRAUCH“")
    p.add_argument("--staff-name", dest="staff_name", help="Name des Stabes im Kopf")
    p.set_defaults(handler=report_new)
    p = rep.add_parser("release", help="Lagebericht freigeben (Leitung); danach unveränderlich")
    p.add_argument("number", type=int)
    add_incident_arg(p)
    add_actor_args(p)
    p.set_defaults(handler=report_release)
    p = rep.add_parser("list", help="Lageberichte auflisten")
    add_incident_arg(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=report_list)
    p = rep.add_parser(
        "pdf", help="freigegebenen Lagebericht (oder ohne --number den Entwurf) als PDF"
    )
    add_incident_arg(p)
    p.add_argument("--number", type=int, help="Nummer des Lageberichts (ohne: aktueller Entwurf)")
    _out_arg(p)
    p.set_defaults(handler=report_pdf)
    p = rep.add_parser("verify", help="freigegebenen Lagebericht gegen seine SHA-256-Summen prüfen")
    p.add_argument("number", type=int)
    add_incident_arg(p)
    p.set_defaults(handler=report_verify)

    jr = subcommands(sub, "journal", "Einsatztagebuch: schreiben, berichtigen, auflisten")
    p = jr.add_parser("pdf", help="Einsatztagebuch drucken (PDF, „Blatt x von y“)")
    add_incident_arg(p)
    p.add_argument("--since", help='ab "JJJJ-MM-TT hh:mm" (Ortszeit) oder Datum-Zeit-Gruppe')
    p.add_argument("--until", help='bis "JJJJ-MM-TT hh:mm" (Ortszeit) oder Datum-Zeit-Gruppe')
    p.add_argument("--keeper", help="Tagebuchführer für den Abschlussvermerk")
    _out_arg(p)
    p.set_defaults(handler=journal_pdf)

    ct = subcommands(sub, "contacts", "Erreichbarkeitsliste")
    p = ct.add_parser("pdf", help="Erreichbarkeitsliste drucken (PDF)")
    _out_arg(p)
    p.set_defaults(handler=contacts_pdf)

    fac = subcommands(sub, "facility", "KRITIS-Objekte")
    p = fac.add_parser("pdf", help="KRITIS-Statusliste drucken (PDF)")
    _out_arg(p)
    p.set_defaults(handler=facility_pdf)

    msg = subcommands(sub, "message", "Nachrichten")
    p = msg.add_parser("pdf", help="Nachrichtenvordruck einer Nachricht (A5-PDF)")
    p.add_argument("number", help="Nachweisungs-Nr., z. B. E-12")
    add_incident_arg(p)
    _out_arg(p)
    p.set_defaults(handler=message_pdf)

    exp = subcommands(sub, "export", "Daten ausgeben")
    p = exp.add_parser("cap", help="Lagebericht-Zusammenfassung und KRITIS-Warnungen als CAP 1.2")
    add_incident_arg(p)
    _out_arg(p, "XML")
    p.set_defaults(handler=export_cap)
    p = exp.add_parser("sitrep", help="freigegebenen Lagebericht als EDXL-SitRep 1.0")
    p.add_argument("number", type=int)
    add_incident_arg(p)
    _out_arg(p, "XML")
    p.set_defaults(handler=export_sitrep)

    imp = subcommands(sub, "import", "Daten übernehmen")
    p = imp.add_parser("cap", help="CAP-Warnung als eingehende Nachricht übernehmen")
    p.add_argument("file", metavar="DATEI")
    add_incident_arg(p)
    p.add_argument("--to", help="Funktionen, an die die Nachricht geht (sonst: Sichtung)")
    p.add_argument("--author", default="CAP-Import", help="wer übernimmt (Name)")
    p.add_argument("--function", default="Fernmelder", help="Stabsfunktion")
    p.set_defaults(handler=import_cap)


# -- helpers -----------------------------------------------------------------------------


def _write(data: bytes, out: str) -> None:
    from krisenstab.services.printing import write_pdf

    try:
        write_pdf(data, out)
    except OSError as exc:
        raise CliError(f"Die Datei {out} kann nicht geschrieben werden: {exc}") from None


def _time(value: str | None) -> datetime | None:
    from krisenstab.domain.timefmt import parse_local

    if not value:
        return None
    try:
        return parse_local(value)
    except ValueError as exc:
        raise CliError(str(exc), code=2) from None


def _report_json(report, empty: list[str]) -> dict:  # type: ignore[no-untyped-def]
    return {
        "incident_id": report.incident_id,
        "number": report.number,
        "kind": report.kind,
        "status": report.status,
        "classification": report.classification,
        "staff_name": report.staff_name,
        "period_from": iso(report.period_from),
        "period_to": iso(report.period_to),
        "prepared_by": report.prepared_by,
        "prepared_function": report.prepared_function,
        "prepared_at": iso(report.prepared_at),
        "released_by": report.released_by,
        "released_function": report.released_function,
        "released_at": iso(report.released_at),
        "pdf_sha256": report.pdf_sha256,
        "chain_head": report.chain_head,
        "chain_number": report.chain_number,
        "release_entry": report.release_entry,
        "empty_sections": empty,
    }


# -- reports -----------------------------------------------------------------------------


def report_new(args: argparse.Namespace) -> int:
    from krisenstab.services.reports import ReportService

    db = open_db(args)
    inc = resolve_incident(db, args.incident)
    kwargs = {}
    if args.classification is not None:
        kwargs["classification"] = args.classification
    report = ReportService(db, actor(args)).create_draft(
        inc.id, kind=args.kind, staff_name=args.staff_name, **kwargs
    )
    print(report.number)
    return 0


def report_release(args: argparse.Namespace) -> int:
    from krisenstab.services.reports import ReportService

    db = open_db(args)
    inc = resolve_incident(db, args.incident)
    service = ReportService(db, actor(args))
    empty = service.empty_sections(inc.id, args.number)
    if empty:
        # Scripts release anyway (as the form promises); the warning goes to stderr.
        print(
            f"krisenstab: Hinweis: leere Abschnitte in Lagebericht Nr. {args.number}: "
            + ", ".join(empty),
            file=sys.stderr,
        )
    report = service.release(inc.id, args.number, allow_empty=True)
    print(f"Lagebericht Nr. {report.number} freigegeben; SHA-256 des PDF {report.pdf_sha256}")
    return 0


def report_list(args: argparse.Namespace) -> int:
    from krisenstab.domain.report import empty_sections
    from krisenstab.domain.timefmt import format_dtg
    from krisenstab.services.reports import ReportService

    db = open_db(args)
    incident_id = resolve_incident(db, args.incident).id if args.incident else None
    reports = ReportService(db).list(incident_id)
    if args.json:
        print_json([_report_json(r, empty_sections(r.content)) for r in reports])
        return 0
    if not reports:
        print("Keine Lageberichte.")
    for r in reports:
        when = format_dtg(r.released_at) if r.released_at else "–"
        released = f"{r.released_by} ({r.released_function})" if r.released_by else ""
        print(
            f"{r.incident_id[:8]}  Nr. {r.number:>3}  {r.kind:<16} {r.status:<11} {when:<11} "
            f"{released}"
        )
    return 0


def report_pdf(args: argparse.Namespace) -> int:
    from krisenstab.services.reports import ReportService

    db = open_db(args)
    inc = resolve_incident(db, args.incident)
    _write(ReportService(db).pdf(inc.id, args.number), args.out)
    return 0


def report_verify(args: argparse.Namespace) -> int:
    from krisenstab.services.reports import ReportService

    db = open_db(args, create=False)
    inc = resolve_incident(db, args.incident)
    check = ReportService(db).verify(inc.id, args.number)
    for problem in check.problems:
        print(problem)
    print(
        f"Lagebericht Nr. {args.number}: Prüfung bestanden."
        if check.ok
        else f"Lagebericht Nr. {args.number}: Prüfung NICHT bestanden."
    )
    return 0 if check.ok else 1


# -- printouts ----------------------------------------------------------------------------


def journal_pdf(args: argparse.Namespace) -> int:
    from krisenstab.services.documents import DocumentService

    since, until = _time(args.since), _time(args.until)
    db = open_db(args)
    inc = resolve_incident(db, args.incident)
    pdf = DocumentService(db).journal(inc.id, since=since, until=until, keeper=args.keeper)
    _write(pdf, args.out)
    return 0


def contacts_pdf(args: argparse.Namespace) -> int:
    from krisenstab.services.documents import DocumentService

    db = open_db(args)
    _write(DocumentService(db).contact_list(), args.out)
    return 0


def facility_pdf(args: argparse.Namespace) -> int:
    from krisenstab.services.documents import DocumentService

    db = open_db(args)
    _write(DocumentService(db).facility_list(), args.out)
    return 0


def message_pdf(args: argparse.Namespace) -> int:
    from krisenstab.services.documents import DocumentService

    db = open_db(args)
    inc = resolve_incident(db, args.incident)
    _write(DocumentService(db).message_form(inc.id, args.number), args.out)
    return 0


# -- exchange ---------------------------------------------------------------------------


def export_cap(args: argparse.Namespace) -> int:
    from krisenstab.services.exchange import ExchangeService

    db = open_db(args)
    inc = resolve_incident(db, args.incident)
    _write(ExchangeService(db).export_cap(inc.id), args.out)
    return 0


def export_sitrep(args: argparse.Namespace) -> int:
    from krisenstab.services.exchange import ExchangeService

    db = open_db(args)
    inc = resolve_incident(db, args.incident)
    _write(ExchangeService(db).export_sitrep(inc.id, args.number), args.out)
    return 0


def import_cap(args: argparse.Namespace) -> int:
    from krisenstab.domain.message import split_functions
    from krisenstab.services.exchange import CapImportRefused, ExchangeService

    db = open_db(args)
    inc = resolve_incident(db, args.incident)
    service = ExchangeService(db, actor(args))
    try:
        result = service.import_cap_file(
            inc.id, args.file, to_functions=split_functions(args.to or "")
        )
    except CapImportRefused as exc:
        # One line, whatever the file contained.
        raise CliError(" ".join(str(exc).split())) from None
    print(result.describe())
    for warning in result.warnings:
        print(f"Hinweis: {warning}", file=sys.stderr)
    return 0
