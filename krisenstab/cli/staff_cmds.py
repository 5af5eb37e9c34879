"""Commands for the staff, contacts, tasks and messages (same services as the GUI).

Stable forms for scripts:

  task add [--incident ID] --to FUNCTION [--person NAME] --due "YYYY-MM-DD HH:MM"
           --author NAME --function F TITLE                    → prints the task id
  task list [--json]                   (id, title, assigned_function, due, status, overdue …)
  task done ID --author NAME --function F [--feedback TEXT]
  message in [--incident ID] --sender TEXT --to F[,F…] --priority einfach|sofort|blitz
             --author NAME --function F TEXT                    → prints E-1
  message out …  the same                                       → prints A-1
  message ack NUMBER --author NAME --function F
  message list [--json]                (number, direction, priority, to, acknowledged_by …)
  contact find TEXT                    who is responsible and how to reach them
"""

from __future__ import annotations

import argparse
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
    resolve_incident,
)


def _group(
    sub: argparse._SubParsersAction, name: str, help_text: str
) -> argparse._SubParsersAction:
    """The sub-commands of ``name``, shared with other capabilities (import, export)."""
    parser = sub.choices.get(name)
    if parser is None:
        parser = sub.add_parser(name, help=help_text)
        return parser.add_subparsers(
            dest="action", required=True, parser_class=GermanArgumentParser
        )
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    return parser.add_subparsers(dest="action", required=True, parser_class=GermanArgumentParser)


def _optional_actor_args(parser: argparse.ArgumentParser, function: str) -> None:
    parser.add_argument("--author", default="Kommandozeile", help="wer handelt (Name)")
    parser.add_argument("--function", default=function, help="Stabsfunktion")


def _time(text: str | None):  # type: ignore[no-untyped-def]
    if not text:
        return None
    from krisenstab.domain.timefmt import parse_local

    try:
        return parse_local(text)
    except ValueError as exc:
        raise CliError(str(exc), code=2) from None


def register(sub: argparse._SubParsersAction) -> None:
    _register_tasks(sub)
    _register_messages(sub)
    _register_contacts(sub)
    _register_staff(sub)


# -- tasks ----------------------------------------------------------------------------
def _register_tasks(sub: argparse._SubParsersAction) -> None:
    task = sub.add_parser("task", help="Aufträge erteilen, verfolgen, abschließen")
    ts = task.add_subparsers(dest="action", required=True, parser_class=GermanArgumentParser)
    p = ts.add_parser("add", help="Auftrag erteilen; gibt die Auftrags-ID aus")
    add_incident_arg(p)
    p.add_argument("--to", required=True, metavar="FUNKTION", help="ausführende Stabsfunktion")
    p.add_argument("--person", help="ausführende Person")
    p.add_argument("--due", metavar="ZEIT", help='Frist "JJJJ-MM-TT hh:mm" (Ortszeit)')
    p.add_argument("--priority", default="normal", choices=("niedrig", "normal", "hoch"))
    p.add_argument("--description", help="Beschreibung")
    p.add_argument("--effect", help="beabsichtigte Wirkung")
    add_actor_args(p)
    p.add_argument("title", metavar="TITEL")
    p.set_defaults(handler=task_add)

    p = ts.add_parser("list", help="Aufträge auflisten (aktive zuerst, nach Frist)")
    add_incident_arg(p)
    p.add_argument(
        "--for", dest="for_function", metavar="FUNKTION", help="nur Aufträge dieser Funktion"
    )
    p.add_argument("--open", action="store_true", help="nur offene und in Arbeit")
    p.add_argument("--overdue", action="store_true", help="nur überfällige")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=task_list)

    p = ts.add_parser("done", help="Auftrag als erledigt melden")
    add_incident_arg(p)
    p.add_argument("id", metavar="ID", help="Auftrags-ID (oder ihr Anfang, oder die Nummer)")
    p.add_argument("--feedback", help="Rückmeldung")
    add_actor_args(p)
    p.set_defaults(handler=task_done)

    p = ts.add_parser(
        "status", help="Status setzen: offen, in Arbeit, erledigt, nicht erledigt, storniert"
    )
    add_incident_arg(p)
    p.add_argument("id", metavar="ID")
    p.add_argument("status", metavar="STATUS")
    p.add_argument("--feedback", help="Rückmeldung")
    add_actor_args(p)
    p.set_defaults(handler=task_status)

    p = ts.add_parser("feedback", help="Rückmeldung zu einem Auftrag festhalten")
    add_incident_arg(p)
    p.add_argument("id", metavar="ID")
    p.add_argument("text", metavar="TEXT")
    add_actor_args(p)
    p.set_defaults(handler=task_feedback)


def task_json(t: Any) -> dict[str, Any]:
    from krisenstab.domain.timefmt import format_dtg

    return {
        "id": t.id,
        "number": t.number,
        "title": t.title,
        "description": t.description,
        "assigned_function": t.assigned_function,
        "assigned_person": t.assigned_person,
        "issued_by_function": t.issued_by_function,
        "issued_by_person": t.issued_by_person,
        "due": iso(t.due_at),
        "due_dtg": format_dtg(t.due_at) if t.due_at else None,
        "priority": t.priority,
        "intended_effect": t.intended_effect,
        "status": t.status,
        "feedback": t.feedback,
        "overdue": t.overdue,
        "source_message": t.source_message_number,
        "created_at": iso(t.created_at),
        "updated_at": iso(t.updated_at),
        "closed_at": iso(t.closed_at),
    }


def task_add(args: argparse.Namespace) -> int:
    from krisenstab.services.tasks import TaskService

    due = _time(args.due)
    db = open_db(args)
    inc = resolve_incident(db, args.incident)
    view = TaskService(db, actor(args)).create(
        inc.id,
        args.title,
        assigned_function=args.to,
        assigned_person=args.person,
        due_at=due,
        description=args.description,
        priority=args.priority,
        intended_effect=args.effect,
    )
    print(view.id)
    return 0


def task_list(args: argparse.Namespace) -> int:
    from krisenstab.domain.task import TaskFilter
    from krisenstab.domain.timefmt import format_dtg
    from krisenstab.services.tasks import TaskService

    db = open_db(args)
    inc = resolve_incident(db, args.incident)
    flt = TaskFilter(function=args.for_function, active_only=args.open, overdue_only=args.overdue)
    tasks = TaskService(db).list(inc.id, flt)
    if args.json:
        print_json([task_json(t) for t in tasks])
        return 0
    if not tasks:
        print("Keine Aufträge.")
    for t in tasks:
        due = format_dtg(t.due_at) if t.due_at else "–"
        who = t.assigned_function + (f" ({t.assigned_person})" if t.assigned_person else "")
        mark = "  ÜBERFÄLLIG" if t.overdue else ""
        print(f"{t.number:>4}  {t.status:<14} Frist {due:<11}  {who:<24} {t.title}{mark}")
    return 0


def _task_ref(db, args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from krisenstab.services.tasks import TaskService

    incident_id = None
    if args.id.strip().lstrip("#").isdigit() or args.incident:
        incident_id = resolve_incident(db, args.incident).id
    return TaskService(db, actor(args)).resolve(incident_id, args.id)


def task_done(args: argparse.Namespace) -> int:
    from krisenstab.services.tasks import TaskService

    db = open_db(args)
    task = _task_ref(db, args)
    TaskService(db, actor(args)).set_status(task.id, "erledigt", feedback=args.feedback)
    return 0


def task_status(args: argparse.Namespace) -> int:
    from krisenstab.services.tasks import TaskService

    db = open_db(args)
    task = _task_ref(db, args)
    TaskService(db, actor(args)).set_status(task.id, args.status, feedback=args.feedback)
    return 0


def task_feedback(args: argparse.Namespace) -> int:
    from krisenstab.services.tasks import TaskService

    db = open_db(args)
    task = _task_ref(db, args)
    TaskService(db, actor(args)).add_feedback(task.id, args.text)
    return 0


# -- messages -------------------------------------------------------------------------
def _message_form(p: argparse.ArgumentParser, *, outgoing: bool) -> None:
    add_incident_arg(p)
    p.add_argument(
        "--sender",
        required=not outgoing,
        help="Absender" + (" (Vorgabe: eigene Funktion)" if outgoing else ""),
    )
    p.add_argument(
        "--to",
        required=outgoing,
        metavar="FUNKTION[,FUNKTION…]",
        help="Empfänger" if outgoing else "zuständige Funktionen (ohne: zur Sichtung)",
    )
    p.add_argument(
        "--priority", default="einfach", choices=("einfach", "sofort", "blitz"), help="Vorrangstufe"
    )
    p.add_argument(
        "--channel", default="Funk", help="Übermittlungsweg (Funk, Telefon, Fax, E-Mail …)"
    )
    p.add_argument("--header", help="Spruchkopf")
    p.add_argument("--addressee", help="Anschrift, wie auf dem Vordruck (Vorgabe: die Empfänger)")
    p.add_argument("--sign", help="Zeichen des Absenders")
    p.add_argument("--composed", metavar="ZEIT", help='Abfassungszeit "JJJJ-MM-TT hh:mm"')
    p.add_argument("--note", action="store_true", help="Gesprächsnotiz")
    add_actor_args(p)
    p.add_argument("text", metavar="TEXT", help="Inhalt")


def _register_messages(sub: argparse._SubParsersAction) -> None:
    msg = sub.add_parser(
        "message", help="Nachrichten (Vierfachvordruck): aufnehmen, sichten, quittieren"
    )
    ms = msg.add_subparsers(dest="action", required=True, parser_class=GermanArgumentParser)
    p = ms.add_parser("in", help="eingehende Nachricht aufnehmen; gibt die Nummer aus (E-1)")
    _message_form(p, outgoing=False)
    p.add_argument(
        "--received", metavar="ZEIT", help='Aufnahmezeit "JJJJ-MM-TT hh:mm" (Vorgabe: jetzt)'
    )
    p.set_defaults(handler=message_in)
    p = ms.add_parser("out", help="ausgehende Nachricht annehmen; gibt die Nummer aus (A-1)")
    _message_form(p, outgoing=True)
    p.set_defaults(handler=message_out)

    p = ms.add_parser("ack", help="Nachricht quittieren (für die eigene Funktion)")
    add_incident_arg(p)
    p.add_argument("number", metavar="NUMMER", help="z. B. E-12")
    p.add_argument(
        "--for",
        dest="for_function",
        metavar="FUNKTION",
        help="für diese Funktion (Vorgabe: --function)",
    )
    add_actor_args(p)
    p.set_defaults(handler=message_ack)

    p = ms.add_parser("triage", help="Nachricht sichten: zuständige Funktionen festlegen")
    add_incident_arg(p)
    p.add_argument("number", metavar="NUMMER")
    p.add_argument("--to", required=True, metavar="FUNKTION[,FUNKTION…]")
    p.add_argument(
        "--replace", action="store_true", help="andere (unquittierte) Funktionen entfernen"
    )
    add_actor_args(p)
    p.set_defaults(handler=message_triage)

    p = ms.add_parser("list", help="Ein-/Ausgangsnachweisung")
    add_incident_arg(p)
    p.add_argument(
        "--direction", choices=("E", "A"), type=str.upper, help="nur Eingang (E) oder Ausgang (A)"
    )
    p.add_argument("--for", dest="for_function", metavar="FUNKTION", help="nur an diese Funktion")
    p.add_argument("--open", action="store_true", help="nur mit fehlender Quittung")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=message_list)

    p = ms.add_parser("show", help="eine Nachricht mit allen Feldern des Vordrucks")
    add_incident_arg(p)
    p.add_argument("number", metavar="NUMMER")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=message_show)


def message_json(m: Any) -> dict[str, Any]:
    from krisenstab.domain.timefmt import format_dtg

    return {
        "id": m.id,
        "number": m.number,
        "direction": m.direction,
        "seq": m.seq,
        "priority": m.priority,
        "to": list(m.to),
        "acknowledged_by": list(m.acknowledged_by),
        "acknowledgements": [
            {
                "function": r.function,
                "person": r.acknowledged_by,
                "acting_function": r.acknowledged_by_function,
                "at": iso(r.acknowledged_at),
            }
            for r in m.recipients
            if r.acknowledged
        ],
        "channel": m.intake_channel,
        "intake_at": iso(m.intake_at),
        "dtg": format_dtg(m.intake_at),
        "intake_by": m.intake_by,
        "accepted_at": iso(m.accepted_at),
        "accepted_by": m.accepted_by,
        "transmitted_at": iso(m.transmitted_at),
        "transmitted_by": m.transmitted_by,
        "transmitted_via": m.transmitted_via,
        "header": m.header,
        "addressee": m.addressee,
        "conversation_note": m.conversation_note,
        "content": m.content,
        "composed_at": iso(m.composed_at),
        "sender": m.sender,
        "sender_sign": m.sender_sign,
        "sender_function": m.sender_function,
        "triaged": m.triaged_at is not None,
        "triaged_by": m.triaged_by,
        "reply_to": m.reply_to_number,
        "replies": list(m.reply_numbers),
        "tasks": list(m.task_ids),
        "external_ref": m.external_ref,
    }


def _record(args: argparse.Namespace, outgoing: bool) -> int:
    from krisenstab.services.messages import MessageService

    composed = _time(args.composed)
    received = _time(getattr(args, "received", None))
    db = open_db(args)
    inc = resolve_incident(db, args.incident)
    service = MessageService(db, actor(args))
    common = {
        "content": args.text,
        "priority": args.priority,
        "channel": args.channel,
        "header": args.header,
        "addressee": args.addressee,
        "sender_sign": args.sign,
        "composed_at": composed,
        "conversation_note": args.note,
    }
    if outgoing:
        view = service.record_outgoing(inc.id, to=args.to, sender=args.sender, **common)
    else:
        view = service.record_incoming(
            inc.id, sender=args.sender, to_functions=args.to or (), received_at=received, **common
        )
    print(view.number)
    return 0


def message_in(args: argparse.Namespace) -> int:
    return _record(args, outgoing=False)


def message_out(args: argparse.Namespace) -> int:
    return _record(args, outgoing=True)


def message_ack(args: argparse.Namespace) -> int:
    from krisenstab.services.messages import MessageService

    db = open_db(args)
    inc = resolve_incident(db, args.incident)
    service = MessageService(db, actor(args))
    message = service.by_number(inc.id, args.number)
    service.acknowledge(message.id, function=args.for_function)
    return 0


def message_triage(args: argparse.Namespace) -> int:
    from krisenstab.services.messages import MessageService

    db = open_db(args)
    inc = resolve_incident(db, args.incident)
    service = MessageService(db, actor(args))
    message = service.by_number(inc.id, args.number)
    service.triage(message.id, args.to, replace=args.replace)
    return 0


def message_list(args: argparse.Namespace) -> int:
    from krisenstab.domain.message import MessagePriority
    from krisenstab.domain.timefmt import format_dtg
    from krisenstab.services.messages import MessageService

    db = open_db(args)
    inc = resolve_incident(db, args.incident)
    messages = MessageService(db).views(
        inc.id,
        direction=args.direction,
        function=args.for_function,
        unacknowledged_only=args.open,
    )
    if args.json:
        print_json([message_json(m) for m in messages])
        return 0
    if not messages:
        print("Keine Nachrichten.")
    for m in messages:
        prio = MessagePriority(m.priority).label
        party = f"von {m.sender}" if m.direction == "E" else f"an {', '.join(m.to)}"
        missing = m.unacknowledged
        state = (
            f"  offen: {', '.join(missing)}"
            if missing
            else ("  quittiert" if m.recipients else "  ungesichtet")
        )
        print(
            f"{m.number:<7} {format_dtg(m.intake_at)}  {prio:<8} {party}: {m.content[:60]}{state}"
        )
    return 0


def message_show(args: argparse.Namespace) -> int:
    from krisenstab.domain.message import MessagePriority
    from krisenstab.domain.timefmt import format_dtg
    from krisenstab.services.messages import MessageService

    db = open_db(args)
    inc = resolve_incident(db, args.incident)
    m = MessageService(db).by_number(inc.id, args.number)
    if args.json:
        print_json(message_json(m))
        return 0

    def dtg(value):  # type: ignore[no-untyped-def]
        return format_dtg(value) if value else "–"

    lines = [
        f"(1) Aufnahmevermerk:    {m.intake_channel}, {dtg(m.intake_at)}, {m.intake_by}",
        f"(2) Annahmevermerk:     {dtg(m.accepted_at)} {m.accepted_by or ''}".rstrip(),
        f"(3) Beförderungsvermerk: {dtg(m.transmitted_at)} {m.transmitted_via or ''} {m.transmitted_by or ''}".rstrip(),
        f"(4) Nachweisungs-Nr.:   {m.number}",
        f"(5) Spruchkopf:         {m.header or '–'}",
        f"(6) Vorrangstufe:       {MessagePriority(m.priority).label}",
        f"(7) Anschrift:          {m.addressee}",
        f"(8) Gesprächsnotiz:     {'ja' if m.conversation_note else 'nein'}",
        f"(9) Inhalt:             {m.content}",
        f"(10) Abfassungszeit:    {dtg(m.composed_at)}",
        f"(11) Absender:          {m.sender}",
        f"(12) Zeichen/Funktion:  {m.sender_sign or '–'} / {m.sender_function or '–'}",
        "(13) Quittung:",
    ]
    for r in m.recipients:
        state = f"{r.acknowledged_by}, {dtg(r.acknowledged_at)}" if r.acknowledged else "offen"
        lines.append(f"     {r.function}: {state}")
    print("\n".join(lines))
    return 0


# -- contacts -----------------------------------------------------------------------------
def _register_contacts(sub: argparse._SubParsersAction) -> None:
    contact = sub.add_parser("contact", help="Zuständigkeiten und Erreichbarkeiten")
    cs = contact.add_subparsers(dest="action", required=True, parser_class=GermanArgumentParser)
    p = cs.add_parser("find", help="wer ist zuständig, wie erreichbar (z. B. „Trinkwasser Jülich“)")
    p.add_argument("text", nargs="+", metavar="TEXT")
    p.add_argument("--limit", type=int, default=10)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=contact_find)

    imp = _group(sub, "import", "Daten einlesen (CSV/XLSX)")
    p = imp.add_parser(
        "contacts", help="Zuständigkeiten einlesen: alles oder nichts, Fehler je Zeile"
    )
    p.add_argument("file", metavar="DATEI")
    p.add_argument("--dry-run", action="store_true", help="nur prüfen, nichts speichern")
    _optional_actor_args(p, "Stammdaten")
    p.set_defaults(handler=import_contacts)

    exp = _group(sub, "export", "Daten ausgeben (CSV/XLSX)")
    p = exp.add_parser("contacts", help="Zuständigkeiten als CSV oder XLSX (nach Dateiendung)")
    p.add_argument("file", metavar="DATEI")
    p.set_defaults(handler=export_contacts)


def contact_find(args: argparse.Namespace) -> int:
    from krisenstab.services.contacts import ContactService

    text = " ".join(args.text)
    db = open_db(args, create=False)
    hits = ContactService(db).find(text, limit=args.limit)
    if args.json:
        print_json(
            [
                {
                    "kind": h.kind,
                    "id": h.id,
                    "title": h.title,
                    "who": h.who,
                    "municipality": h.municipality,
                    "sector": h.sector,
                    "branch": h.branch,
                    "facility": h.facility_label,
                    "reach": [{"label": label, "value": value} for label, value in h.reach],
                    "phone_24h": h.phone_24h,
                    "deputy": h.deputy,
                    "deputy_reach": [
                        {"label": label, "value": value} for label, value in h.deputy_reach
                    ],
                    "functions": list(h.functions),
                    "notes": h.notes,
                    "score": h.score,
                }
                for h in hits
            ]
        )
        return 0 if hits else 1
    if not hits:
        print(f"Nichts gefunden zu „{text}“.", file=sys.stderr)
        return 1
    for h in hits:
        place = ", ".join(p for p in (h.municipality, h.facility_label) if p)
        area = "/".join(p for p in (h.sector, h.branch) if p)
        head = h.title + (f" – {place}" if place else "") + (f" [{area}]" if area else "")
        print(head)
        if h.who:
            print(f"  {h.who}")
        if h.reach:
            print("  " + " | ".join(f"{label}: {value}" for label, value in h.reach))
        if h.deputy:
            reach = " | ".join(f"{label}: {value}" for label, value in h.deputy_reach)
            print(f"  Vertretung: {h.deputy}" + (f" ({reach})" if reach else ""))
        if h.notes:
            print(f"  Hinweis: {h.notes}")
    return 0


def import_contacts(args: argparse.Namespace) -> int:
    from krisenstab.services.contacts import ContactService

    db = open_db(args)
    report = ContactService(db, actor(args)).import_file(args.file, dry_run=args.dry_run)
    for error in report.errors:
        print(str(error), file=sys.stderr)
    if report.unknown_columns:
        print(f"Nicht verwendete Spalten: {', '.join(report.unknown_columns)}", file=sys.stderr)
    print(report.summary())
    return 0 if report.ok else 1


def export_contacts(args: argparse.Namespace) -> int:
    from krisenstab.services.contacts import ContactService

    db = open_db(args, create=False)
    count = ContactService(db).export_file(args.file)
    print(f"{count} Zuständigkeiten geschrieben: {args.file}")
    return 0


# -- staff --------------------------------------------------------------------------------
def _register_staff(sub: argparse._SubParsersAction) -> None:
    staff = sub.add_parser("staff", help="Stabsfunktionen, Personen, Besetzung, „Wer ist wer“")
    ss = staff.add_subparsers(dest="action", required=True, parser_class=GermanArgumentParser)
    p = ss.add_parser(
        "assign", help="Funktion besetzen oder übergeben (schreibt einen ETB-Eintrag)"
    )
    p.add_argument(
        "staff_function", metavar="FUNKTION", help="die zu besetzende Funktion, z. B. S2"
    )
    p.add_argument("person", metavar="PERSON", help="Name der erfassten Person")
    p.add_argument("--at", metavar="ZEIT", help='ab "JJJJ-MM-TT hh:mm" (Vorgabe: jetzt)')
    p.add_argument("--until", metavar="ZEIT", help='bis "JJJJ-MM-TT hh:mm" (Vorgabe: offen)')
    p.add_argument("--note", help="Bemerkung zur Übergabe")
    p.add_argument("--incident", help="nur in das ETB dieses Ereignisses (Vorgabe: alle offenen)")
    p.add_argument(
        "--allow-merge",
        action="store_true",
        help="eine nach FwDV 100 nicht vorgesehene Zusammenlegung bewusst zulassen",
    )
    add_actor_args(p)
    p.set_defaults(handler=staff_assign)

    p = ss.add_parser("release", help="Funktion ohne Nachfolge abgeben")
    p.add_argument("staff_function", metavar="FUNKTION")
    p.add_argument("--at", metavar="ZEIT")
    p.add_argument("--note")
    p.add_argument("--incident")
    add_actor_args(p)
    p.set_defaults(handler=staff_release)

    p = ss.add_parser("board", help="Wer ist wer: aktuelle Besetzung und Erreichbarkeit")
    p.add_argument("--at", metavar="ZEIT", help="Stand zu diesem Zeitpunkt")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=staff_board)

    p = ss.add_parser("roster", help="Besetzungen und Übergaben (Verlauf)")
    p.add_argument("--of", dest="of_function", metavar="FUNKTION")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=staff_roster)

    p = ss.add_parser("functions", help="Funktionskatalog")
    p.add_argument("--all", action="store_true", help="auch deaktivierte")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=staff_functions)

    p = ss.add_parser("add-function", help="Stabsfunktion in den Katalog aufnehmen")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--title", help="Bezeichnung")
    p.add_argument(
        "--group", default="Stabsmitglied", help="Gruppe (Leitung, Sachgebiet, Fachberater …)"
    )
    add_actor_args(p)
    p.set_defaults(handler=staff_add_function)

    p = ss.add_parser("people", help="erfasste Personen")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=staff_people)

    p = ss.add_parser("add-person", help="Person mit Erreichbarkeit erfassen; gibt die ID aus")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--organisation")
    p.add_argument("--phone")
    p.add_argument("--mobile")
    p.add_argument("--radio", help="Funkrufname")
    p.add_argument("--email")
    p.add_argument("--deputy", metavar="NAME", help="Vertretung (erfasste Person)")
    add_actor_args(p)
    p.set_defaults(handler=staff_add_person)


def staff_assign(args: argparse.Namespace) -> int:
    from krisenstab.domain.timefmt import format_dtg
    from krisenstab.services.staff import StaffService

    at, until = _time(args.at), _time(args.until)
    db = open_db(args)
    incident_id = resolve_incident(db, args.incident).id if args.incident else None
    result = StaffService(db, actor(args)).assign(
        args.staff_function,
        args.person,
        at=at,
        until=until,
        note=args.note,
        incident_id=incident_id,
        allow_unusual_merge=args.allow_merge,
    )
    a = result.assignment
    previous = f" (Übergabe von {result.previous.person})" if result.previous else ""
    print(f"{a.function}: {a.person} ab {format_dtg(a.starts_at)}{previous}")
    for warning in result.warnings:
        print(f"Hinweis: {warning}", file=sys.stderr)
    return 0


def staff_release(args: argparse.Namespace) -> int:
    from krisenstab.services.staff import StaffService

    at = _time(args.at)
    db = open_db(args)
    incident_id = resolve_incident(db, args.incident).id if args.incident else None
    StaffService(db, actor(args)).release(
        args.staff_function, at=at, note=args.note, incident_id=incident_id
    )
    return 0


def _person_json(p: Any) -> dict[str, Any] | None:
    if p is None:
        return None
    return {
        "id": p.id,
        "name": p.name,
        "organisation": p.organisation,
        "phone": p.phone,
        "mobile": p.mobile,
        "radio_call_sign": p.radio_call_sign,
        "email": p.email,
        "deputy": p.deputy_name,
    }


def staff_board(args: argparse.Namespace) -> int:
    from krisenstab.domain.timefmt import format_dtg
    from krisenstab.services.staff import StaffService

    at = _time(args.at)
    db = open_db(args)
    board = StaffService(db).board(at)
    if args.json:
        print_json(
            {
                "at": iso(board.at),
                "warnings": board.warnings,
                "functions": [
                    {
                        "function": r.function.name,
                        "title": r.function.title,
                        "group": r.function.category,
                        "holder": _person_json(r.holder),
                        "since": iso(r.since),
                        "until": iso(r.until),
                        "deputy": _person_json(r.deputy),
                        "also_holds": list(r.also_holds),
                    }
                    for r in board.rows
                ],
            }
        )
        return 0
    print(f"Wer ist wer – Stand {format_dtg(board.at)}")
    for r in board.rows:
        label = r.function.name
        if r.holder is None:
            print(f"  {label:<38} – unbesetzt –")
            continue
        reach = " | ".join(f"{k}: {v}" for k, v in r.holder.reach())
        extra = f" (auch {', '.join(r.also_holds)})" if r.also_holds else ""
        since = f"  seit {format_dtg(r.since)}" if r.since else ""
        print(f"  {label:<38} {r.holder.name}{extra}{since}")
        if reach:
            print(f"  {'':<38} {reach}")
        if r.deputy is not None:
            dreach = " | ".join(f"{k}: {v}" for k, v in r.deputy.reach())
            print(f"  {'':<38} Vertretung: {r.deputy.name}" + (f" ({dreach})" if dreach else ""))
    for warning in board.warnings:
        print(f"Hinweis: {warning}")
    return 0


def staff_roster(args: argparse.Namespace) -> int:
    from krisenstab.domain.timefmt import format_dtg
    from krisenstab.services.staff import StaffService

    db = open_db(args)
    rows = StaffService(db).roster(args.of_function)
    if args.json:
        print_json(
            [
                {
                    "function": a.function,
                    "person": a.person,
                    "from": iso(a.starts_at),
                    "to": iso(a.ends_at),
                    "note": a.note,
                    "assigned_by": a.assigned_by,
                    "assigned_by_function": a.assigned_by_function,
                }
                for a in rows
            ]
        )
        return 0
    for a in rows:
        until = format_dtg(a.ends_at) if a.ends_at else "offen"
        print(f"{a.function:<30} {a.person:<28} {format_dtg(a.starts_at)} – {until}")
    return 0


def staff_functions(args: argparse.Namespace) -> int:
    from krisenstab.services.staff import StaffService

    db = open_db(args)
    functions = StaffService(db).functions(include_inactive=args.all)
    if args.json:
        print_json(
            [
                {"name": f.name, "title": f.title, "group": f.category, "active": f.active}
                for f in functions
            ]
        )
        return 0
    for f in functions:
        print(f"{f.name:<38} {f.category:<18} {f.title}{'' if f.active else '  (deaktiviert)'}")
    return 0


def staff_add_function(args: argparse.Namespace) -> int:
    from krisenstab.services.staff import StaffService

    db = open_db(args)
    view = StaffService(db, actor(args)).add_function(args.name, args.title, args.group)
    print(view.name)
    return 0


def staff_people(args: argparse.Namespace) -> int:
    from krisenstab.services.staff import StaffService

    db = open_db(args)
    people = StaffService(db).people()
    if args.json:
        print_json([_person_json(p) for p in people])
        return 0
    for p in people:
        reach = " | ".join(f"{k}: {v}" for k, v in p.reach())
        print(f"{p.name:<30} {p.organisation or '':<30} {reach}")
    return 0


def staff_add_person(args: argparse.Namespace) -> int:
    from krisenstab.services.staff import StaffService

    db = open_db(args)
    service = StaffService(db, actor(args))
    deputy_id = None
    if args.deputy:
        deputy = service.find_person(args.deputy)
        if deputy is None:
            raise CliError(f"Die Vertretung „{args.deputy}“ ist nicht erfasst.")
        deputy_id = deputy.id
    view = service.add_person(
        args.name,
        organisation=args.organisation,
        phone=args.phone,
        mobile=args.mobile,
        radio_call_sign=args.radio,
        email=args.email,
        deputy_id=deputy_id,
    )
    print(view.id)
    return 0
