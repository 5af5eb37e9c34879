"""The command line: the same services as the GUI; the forms are stable for scripts.

``krisenstab`` alone starts the GUI; ``krisenstab --demo`` the GUI on the demo
database. Errors are one German line on stderr: exit 1 for refused work,
exit 2 for usage errors.
"""

from __future__ import annotations

import importlib
import sys
import time

from krisenstab.cli.common import CliError, GermanArgumentParser, db_path

# Each module has register(subparsers); capabilities add theirs here.
COMMAND_MODULES = (
    "krisenstab.cli.journal_cmds",
    "krisenstab.cli.kritis_cmds",
    "krisenstab.cli.staff_cmds",
    "krisenstab.cli.trust_cmds",
)


def build_parser() -> GermanArgumentParser:
    parser = GermanArgumentParser(
        prog="krisenstab",
        description="Krisenstab: Einsatztagebuch, KRITIS-Lage, Zuständigkeiten, Lageberichte, Übungen.",
    )
    parser.add_argument(
        "--db", metavar="DATEI", help="Datenbankdatei (Vorgabe: Benutzerdatenordner)"
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="Demo-Datenbank (fiktive Lage) öffnen, beim ersten Mal anlegen",
    )
    parser.add_argument("--version", action="version", version="krisenstab 0.1.0")
    sub = parser.add_subparsers(dest="command", parser_class=GermanArgumentParser)
    gui = sub.add_parser("gui", help="die Oberfläche starten")
    gui.add_argument(
        "--smoke", action="store_true", help="einmal zeichnen, Millisekunden ausgeben, beenden"
    )
    gui.set_defaults(handler=None)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def _run_gui(args, t0: float) -> int:  # type: ignore[no-untyped-def]
    from krisenstab.gui.app import run_gui

    return run_gui(
        db_path(args),
        smoke=getattr(args, "smoke", False),
        demo=bool(args.demo and not args.db),
        t0=t0,
    )


def main(argv: list[str] | None = None) -> int:
    t0 = time.perf_counter()
    parser = build_parser()
    args = parser.parse_args(argv)
    from krisenstab.services.context import ServiceError
    from krisenstab.store.errors import StoreError

    try:
        if args.command is None or args.command == "gui":
            return _run_gui(args, t0)
        return args.handler(args)
    except CliError as exc:
        print(f"krisenstab: {exc}", file=sys.stderr)
        return exc.code
    except (StoreError, ServiceError) as exc:
        print(f"krisenstab: Fehler: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("krisenstab: abgebrochen", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
