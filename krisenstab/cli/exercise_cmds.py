"""Commands for exercises: exercise database, scenario files, headless run, evaluation.

Stable forms (scripts and tests rely on them):

* ``exercise new --from ECHT.db --out UEBUNG.db [--keep-status]``
* ``scenario import DATEI [--title T] [--start "Samstag 03:00"]`` / ``scenario import --demo``
* ``scenario export --out DATEI [--english]`` (CSV or XLSX by suffix)
* ``scenario check DATEI`` (no database needed)
* ``exercise run [--speed N] [--until T+hh:mm]``
* ``exercise evaluate --out DATEI.pdf [--csv DATEI]``
* ``exercise status [--json]``, ``exercise stop --real [--reason TEXT]``,
  ``exercise stop`` (end of exercise), ``exercise note TEXT``

Extras: ``exercise injects``, ``exercise send NR``, ``exercise drop NR``,
``exercise pause``, ``exercise resume``, ``exercise speed N``,
``exercise jump T+hh:mm``, ``exercise rate``, ``exercise adhoc``.

Everything but ``exercise new`` and ``scenario check`` works on an exercise
database only (``--db``); on a real one it exits 1 with one German line and
leaves the file untouched (it is not even migrated).
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path
from typing import Any

from krisenstab.cli.common import CliError, db_path, iso, print_json

CONTROL = "Übungsleitung"


def _actor_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--author", default=CONTROL, help=f"wer handelt (Vorgabe: {CONTROL})")
    parser.add_argument("--function", default=CONTROL, help=f"Funktion (Vorgabe: {CONTROL})")


def register(sub: argparse._SubParsersAction) -> None:
    ex = sub.add_parser("exercise", help="Übungen: anlegen, laufen lassen, auswerten")
    ex_sub = ex.add_subparsers(dest="action", required=True)

    p = ex_sub.add_parser("new", help="Übungsdatenbank aus einer echten Datenbank anlegen")
    p.add_argument("--from", dest="source", required=True, metavar="ECHT.db")
    p.add_argument("--out", required=True, metavar="UEBUNG.db")
    p.add_argument(
        "--keep-status",
        action="store_true",
        help="Status der KRITIS-Objekte übernehmen (Vorgabe: alle betriebsbereit)",
    )
    p.set_defaults(handler=exercise_new)

    p = ex_sub.add_parser("status", help="Übungsuhr, Einlagen, Realereignis")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=exercise_status)

    p = ex_sub.add_parser("run", help="Übungsuhr ohne Oberfläche laufen lassen, Einlagen zustellen")
    p.add_argument("--speed", type=float, help="Tempo 1 bis 1000 (Vorgabe: wie eingestellt)")
    p.add_argument("--until", metavar="T+hh:mm", help="bis zu dieser Szenariozeit")
    p.add_argument(
        "--after-real-event", action="store_true", help="nach einem Realereignis fortsetzen"
    )
    p.add_argument("--quiet", action="store_true", help="nur die Schlusszeile ausgeben")
    _actor_args(p)
    p.set_defaults(handler=exercise_run)

    p = ex_sub.add_parser("pause", help="Übungsuhr anhalten")
    _actor_args(p)
    p.set_defaults(handler=exercise_pause)
    p = ex_sub.add_parser("resume", help="Übungsuhr weiterlaufen lassen")
    p.add_argument("--after-real-event", action="store_true")
    _actor_args(p)
    p.set_defaults(handler=exercise_resume)
    p = ex_sub.add_parser("speed", help="Tempo 1 bis 10")
    p.add_argument("speed", type=float)
    _actor_args(p)
    p.set_defaults(handler=exercise_speed)
    p = ex_sub.add_parser("jump", help="Zeitsprung vorwärts")
    p.add_argument("to", metavar="T+hh:mm")
    _actor_args(p)
    p.set_defaults(handler=exercise_jump)

    p = ex_sub.add_parser("stop", help="Übung beenden; mit --real: Realereignis, sofort abbrechen")
    p.add_argument("--real", action="store_true", help="Realereignis: Übung sofort abbrechen")
    p.add_argument("--reason", help="Begründung (wird im Einsatztagebuch vermerkt)")
    _actor_args(p)
    p.set_defaults(handler=exercise_stop)

    p = ex_sub.add_parser("note", help="Beobachtung (oder mit --controller: Hinweis) notieren")
    p.add_argument("text")
    p.add_argument("--controller", action="store_true", help="Hinweis der Übungsleitung")
    p.add_argument("--entry", type=int, help="Bezug: ETB-Eintrag Nr.")
    p.add_argument("--message", help="Bezug: Nachricht, z. B. E-12")
    p.add_argument("--inject", type=int, help="Bezug: Einlage Nr.")
    _actor_args(p)
    p.set_defaults(handler=exercise_note)

    p = ex_sub.add_parser("injects", help="Einlagen mit Zustand und erster Reaktion")
    p.add_argument("--json", action="store_true")
    _actor_args(p)
    p.set_defaults(handler=exercise_injects)

    p = ex_sub.add_parser("send", help="geplante Einlage jetzt zustellen (vorziehen)")
    p.add_argument("number", type=int)
    _actor_args(p)
    p.set_defaults(handler=exercise_send)
    p = ex_sub.add_parser("drop", help="geplante Einlage streichen")
    p.add_argument("number", type=int)
    p.add_argument("--reason", default="von der Übungsleitung gestrichen")
    _actor_args(p)
    p.set_defaults(handler=exercise_drop)

    p = ex_sub.add_parser("adhoc", help="Einlage spontan eingeben und zustellen")
    p.add_argument("--to", required=True, help='Empfänger, z. B. S3 oder "S3, S4"')
    p.add_argument("--from", dest="sender", required=True, help="simulierter Absender")
    p.add_argument("--text", required=True)
    p.add_argument("--priority", default="einfach")
    p.add_argument("--channel", default="Telefon")
    p.add_argument("--expected", help="erwartete Reaktion")
    p.add_argument("--objective", help="Übungsziel")
    _actor_args(p)
    p.set_defaults(handler=exercise_adhoc)

    p = ex_sub.add_parser("rate", help="Einlage oder Übungsziel bewerten")
    p.add_argument("target", help="Nr. der Einlage, oder mit --objective der Text des Ziels")
    p.add_argument("rating", help="erfüllt, teilweise, nicht erfüllt")
    p.add_argument("--objective", action="store_true", help="TARGET ist ein Übungsziel")
    p.add_argument("--actual", help="tatsächliche Reaktion")
    _actor_args(p)
    p.set_defaults(handler=exercise_rate)

    p = ex_sub.add_parser("evaluate", help="Auswertung als PDF (und CSV) schreiben")
    p.add_argument("--out", required=True, metavar="DATEI.pdf")
    p.add_argument("--csv", metavar="DATEI.csv")
    p.add_argument(
        "--with-controller-notes",
        action="store_true",
        help="Hinweise der Übungsleitung aufnehmen (nicht für die Übenden)",
    )
    p.add_argument("--staff", default="Krisenstab", help="Name des Stabes im Kopf")
    _actor_args(p)
    p.set_defaults(handler=exercise_evaluate)

    sc = sub.add_parser("scenario", help="Drehbücher (MSEL): einlesen, ausgeben, prüfen")
    sc_sub = sc.add_subparsers(dest="action", required=True)
    p = sc_sub.add_parser("import", help="Drehbuch (CSV/XLSX) in die Übungsdatenbank einlesen")
    p.add_argument("file", nargs="?", metavar="DATEI")
    p.add_argument("--demo", action="store_true", help="das mitgelieferte Demo-Drehbuch")
    p.add_argument("--title", help="Titel der Übung (Vorgabe: aus der Datei)")
    p.add_argument("--start", help='Übungsbeginn, z. B. "Samstag 03:00" (Vorgabe: aus der Datei)')
    _actor_args(p)
    p.set_defaults(handler=scenario_import)
    p = sc_sub.add_parser("export", help="Drehbuch der Übungsdatenbank ausgeben")
    p.add_argument("--out", required=True, metavar="DATEI")
    p.add_argument("--english", action="store_true", help="englische Spaltenköpfe")
    p.add_argument("--without-ad-hoc", action="store_true", help="ohne spontane Einlagen")
    _actor_args(p)
    p.set_defaults(handler=scenario_export)
    p = sc_sub.add_parser("check", help="Drehbuch prüfen, ohne etwas zu speichern")
    p.add_argument("file", metavar="DATEI")
    p.add_argument("--start", help="Übungsbeginn für Uhrzeiten")
    p.set_defaults(handler=scenario_check)


# -- opening --------------------------------------------------------------------------
def _peek_kind(path: Path) -> str | None:
    """The file's kind without opening it as a database (nothing is changed or migrated)."""
    try:
        with path.open("rb") as handle:
            if handle.read(16) != b"SQLite format 3\x00":
                return None
        # The kind is written before a new file switches to WAL, so it is in the
        # main file; immutable=1 reads it without creating -wal/-shm files.
        uri = path.resolve().as_uri().replace("file://", "file:", 1) + "?mode=ro&immutable=1"
        conn = sqlite3.connect(uri, uri=True)
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = 'kind'").fetchone()
        finally:
            conn.close()
    except (OSError, sqlite3.Error):
        return None
    return row[0] if row else None


def _open_exercise(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from krisenstab.domain.meta import KIND_EXERCISE
    from krisenstab.store.database import Database

    path = db_path(args)
    if not path.exists():
        raise CliError(f"Die Datenbank {path} gibt es nicht.")
    kind = _peek_kind(path)
    if kind is not None and kind != KIND_EXERCISE:
        raise CliError(
            f"{path.name} ist keine Übungsdatenbank; Übungsbefehle sind dort gesperrt. "
            "Eine Übung beginnt mit: krisenstab exercise new --from ECHT.db --out UEBUNG.db"
        )
    db = Database.open(path, create=False, expect_kind=KIND_EXERCISE)
    args._opened_db = db
    return db


def _service(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from krisenstab.cli.common import actor
    from krisenstab.services.exercise import ExerciseService

    db = _open_exercise(args)
    who = actor(args, db) if hasattr(args, "author") else None
    return ExerciseService(db, who), who


def _offset_arg(text: str) -> int:
    from krisenstab.exercise.times import ScenarioTimeError, parse_offset

    try:
        return parse_offset(text)
    except ScenarioTimeError as exc:
        raise CliError(f"Aufruffehler: {exc}", code=2) from None


# -- handlers ---------------------------------------------------------------------------
def exercise_new(args: argparse.Namespace) -> int:
    from krisenstab.services.exercise_setup import create_exercise_db

    copy = create_exercise_db(args.source, args.out, keep_status=args.keep_status)
    print(copy.summary)
    return 0


def _view_json(view: Any) -> dict[str, Any]:
    return {
        "prepared": view.prepared,
        "title": view.title,
        "status": view.status.value,
        "speed": view.speed,
        "offset_s": round(view.offset_s, 3),
        "offset": view.offset_label,
        "scenario_time": iso(view.scenario_time),
        "label": view.label,
        "start": iso(view.start),
        "start_label": view.start_label,
        "incident_id": view.incident_id,
        "real_event": view.real_event,
        "real_event_at": iso(view.real_event_at),
        "real_event_by": view.real_event_by,
        "real_event_text": view.real_event_text,
    }


def exercise_status(args: argparse.Namespace) -> int:
    from krisenstab.services.context import ServiceError
    from krisenstab.services.exercise import ExerciseService

    db = _open_exercise(args)
    service = ExerciseService(db)
    view = service.state()
    counts: dict[str, int] = {}
    if view.prepared:
        from krisenstab.services.exercise import control_actor
        from krisenstab.settings import Settings

        try:
            for item in service.injects(control_actor(Settings.load().workstation_id)):
                counts[item.state.value] = counts.get(item.state.value, 0) + 1
        except ServiceError:  # accounts mode: the counts need the controller's login
            counts = {}
    if args.json:
        print_json({**_view_json(view), "injects": counts})
        return 0
    if not view.prepared:
        print("ÜBUNG: noch kein Drehbuch eingelesen.")
        return 0
    print(f"ÜBUNG „{view.title}“: {view.status.value}, {view.label}, Tempo {view.speed:g}×")
    if counts:
        print("Einlagen: " + ", ".join(f"{n} {state}" for state, n in counts.items()))
    if view.real_event:
        print(
            f"REALEREIGNIS: Übung abgebrochen ({view.real_event_by}"
            + (f": {view.real_event_text}" if view.real_event_text else "")
            + ")"
        )
    return 0


def _line(item: Any) -> str:
    from krisenstab.domain.message import MessagePriority, excerpt
    from krisenstab.exercise.times import format_offset

    priority = MessagePriority(item.priority).label if item.priority else ""
    offset = item.delivered_offset_s if item.delivered_offset_s is not None else item.offset_s
    text = (
        f"{format_offset(offset)}  Nr. {item.number:>3} → {item.addressee} "
        f"({item.channel}, {priority})"
    )
    if item.message_number:
        text += f" {item.message_number}"
    return f"{text}: {excerpt(item.content, 70)}"


def exercise_run(args: argparse.Namespace) -> int:
    from krisenstab.exercise.runner import run_exercise

    until = _offset_arg(args.until) if args.until else None
    service, who = _service(args)
    quiet = args.quiet

    def show(result: Any) -> None:
        if quiet:
            return
        for item in result.delivered:
            print(_line(item), flush=True)
        for item in result.skipped:
            print(f"             Nr. {item.number:>3} entfällt: {item.reason}", flush=True)
        for problem in result.problems:
            print(f"krisenstab: Warnung: {problem}", file=sys.stderr, flush=True)

    outcome = run_exercise(
        service,
        who,
        speed=args.speed,
        until_s=until,
        after_real_event=args.after_real_event,
        on_tick=show,
    )
    end = outcome.end
    summary = (
        f"{len(outcome.delivered)} Einlagen zugestellt, {len(outcome.skipped)} entfallen; "
        f"Szenariozeit {end.label}."
    )
    if outcome.real_event:
        print(f"krisenstab: REALEREIGNIS – Übung abgebrochen. {summary}", file=sys.stderr)
        return 1
    print(f"Übung angehalten ({outcome.reason}): {summary}")
    return 0


def exercise_pause(args: argparse.Namespace) -> int:
    service, who = _service(args)
    print(f"Übung angehalten bei {service.pause(who).label}.")
    return 0


def exercise_resume(args: argparse.Namespace) -> int:
    service, who = _service(args)
    view = service.resume(who, after_real_event=args.after_real_event)
    print(f"Übung läuft bei {view.label}.")
    return 0


def exercise_speed(args: argparse.Namespace) -> int:
    service, who = _service(args)
    view = service.set_speed(args.speed, who)
    print(f"Tempo {view.speed:g}×.")
    return 0


def exercise_jump(args: argparse.Namespace) -> int:
    target = _offset_arg(args.to)
    service, who = _service(args)
    print(f"Szenariozeit jetzt {service.jump_to(target, who).label}.")
    return 0


def exercise_stop(args: argparse.Namespace) -> int:
    service, who = _service(args)
    if args.real:
        view = service.real_event(args.reason, who)
        print(f"REALEREIGNIS: Übung sofort abgebrochen bei {view.label}.")
        return 0
    view = service.finish(who)
    print(f"Übung beendet bei {view.label}.")
    return 0


def exercise_note(args: argparse.Namespace) -> int:
    from krisenstab.domain.exercise import NoteKind

    service, who = _service(args)
    note = service.add_note(
        args.text,
        kind=NoteKind.CONTROLLER if args.controller else NoteKind.OBSERVER,
        journal_number=args.entry,
        message=args.message,
        inject_number=args.inject,
        actor=who,
    )
    print(f"{note.kind} notiert ({note.offset_label}).")
    return 0


def exercise_injects(args: argparse.Namespace) -> int:
    service, who = _service(args)
    items = service.injects(who)
    if args.json:
        print_json(
            [
                {
                    "number": i.number,
                    "time": i.time_label,
                    "state": i.state.value,
                    "outcome": i.outcome,
                    "to": i.addressee,
                    "priority": i.priority,
                    "channel": i.channel,
                    "message": i.message_number,
                    "delivered_offset_s": i.delivered_offset_s,
                    "due_offset_s": i.due_offset_s,
                    "first_reaction": i.first_reaction.label if i.first_reaction else None,
                    "reason": i.reason,
                    "contingency_of": i.contingency_of,
                }
                for i in items
            ]
        )
        return 0
    for item in items:
        print(f"{item.state.value:<12} {_line(item)}")
    return 0


def exercise_send(args: argparse.Namespace) -> int:
    service, who = _service(args)
    print(_line(service.send_now(args.number, who)))
    return 0


def exercise_drop(args: argparse.Namespace) -> int:
    service, who = _service(args)
    item = service.drop(args.number, args.reason, who)
    print(f"Nr. {item.number} entfällt: {item.reason}")
    return 0


def exercise_adhoc(args: argparse.Namespace) -> int:
    from krisenstab.exercise.scenario import InjectDraft

    service, who = _service(args)
    item = service.add_ad_hoc(
        InjectDraft(
            sender=args.sender,
            addressee=args.to,
            content=args.text,
            channel=args.channel,
            priority=args.priority,
            expected_reaction=args.expected,
            objective=args.objective,
        ),
        who,
    )
    print(_line(item))
    return 0


def exercise_rate(args: argparse.Namespace) -> int:
    service, who = _service(args)
    if args.objective:
        service.rate_objective(args.target, args.rating, args.actual, who)
    else:
        try:
            number = int(args.target)
        except ValueError:
            raise CliError(
                f"Aufruffehler: „{args.target}“ ist keine Einlagen-Nummer "
                "(für ein Übungsziel --objective angeben).",
                code=2,
            ) from None
        service.rate_inject(number, args.rating, args.actual, who)
    print("Bewertung gespeichert.")
    return 0


def exercise_evaluate(args: argparse.Namespace) -> int:
    service, who = _service(args)
    data = service.export_evaluation(
        args.out,
        args.csv,
        actor=who,
        staff_name=args.staff,
        include_controller_notes=args.with_controller_notes,
    )
    s = data.evaluation.summary
    print(
        f"Auswertung geschrieben: {args.out}"
        + (f", {args.csv}" if args.csv else "")
        + f" ({s.delivered} zugestellt, {s.answered} beantwortet)."
    )
    return 0


# -- scenario ----------------------------------------------------------------------------
def _scenario_source(args: argparse.Namespace) -> Path:
    from krisenstab.services.exercise_demo import demo_scenario_path

    if args.demo:
        if args.file:
            raise CliError("Aufruffehler: entweder DATEI oder --demo angeben.", code=2)
        return demo_scenario_path()
    if not args.file:
        raise CliError("Aufruffehler: bitte die Drehbuch-Datei angeben (oder --demo).", code=2)
    return Path(args.file)


def scenario_import(args: argparse.Namespace) -> int:
    from krisenstab.exchange.tabular import TableFormatError
    from krisenstab.services.exercise import ScenarioImportError

    source = _scenario_source(args)
    service, who = _service(args)
    try:
        report = service.import_scenario(
            source, title=args.title, start_label=args.start, actor=who
        )
    except TableFormatError as exc:
        raise CliError(f"{source.name}: {exc}") from None
    except ScenarioImportError as exc:
        for error in exc.result.errors:
            print(f"{source.name}: {error}", file=sys.stderr)
        raise CliError(
            f"{source.name}: {len(exc.result.errors)} Fehler; es wurde nichts übernommen."
        ) from None
    for warning in report.warnings:
        print(f"krisenstab: Hinweis: {warning}", file=sys.stderr)
    print(
        f"Drehbuch „{report.scenario.title}“ eingelesen: {report.injects} Einlagen, "
        f"Beginn {report.scenario.start_label}."
    )
    return 0


def scenario_export(args: argparse.Namespace) -> int:
    service, who = _service(args)
    count = service.export_scenario(
        args.out, english=args.english, include_ad_hoc=not args.without_ad_hoc, actor=who
    )
    print(f"{count} Einlagen nach {args.out} geschrieben.")
    return 0


def scenario_check(args: argparse.Namespace) -> int:
    from krisenstab.exchange.tabular import TableFormatError
    from krisenstab.exercise.msel import read_scenario

    path = Path(args.file)
    try:
        result = read_scenario(path, start_label=args.start)
    except TableFormatError as exc:
        raise CliError(f"{path.name}: {exc}") from None
    for warning in result.warnings:
        print(f"krisenstab: Hinweis: {warning}", file=sys.stderr)
    if not result.ok or result.scenario is None:
        for error in result.errors:
            print(f"{path.name}: {error}", file=sys.stderr)
        raise CliError(f"{path.name}: {len(result.errors)} Fehler.")
    scenario = result.scenario
    from krisenstab.exercise.times import format_offset

    print(
        f"Drehbuch „{scenario.title}“ in Ordnung: {len(scenario.injects)} Einlagen bis "
        f"{format_offset(scenario.duration_s)}, {len(scenario.storylines)} Handlungsstränge, "
        f"{len(scenario.objectives)} Übungsziele."
    )
    return 0
