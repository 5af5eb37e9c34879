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
    "krisenstab.cli.report_cmds",
    "krisenstab.cli.exercise_cmds",
)


_GLOBAL_WITH_VALUE = ("--db", "--user")


def _wants_gui(argv: list[str]) -> bool:
    """True when no subcommand other than `gui` is named (help and version excluded)."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg in _GLOBAL_WITH_VALUE:
            skip = True
            continue
        if arg.startswith("-"):
            if arg in ("-h", "--help", "--version"):
                return False
            continue
        return arg == "gui"
    return True


def build_parser(with_commands: bool = True) -> GermanArgumentParser:
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
    parser.add_argument(
        "--user",
        metavar="NAME",
        help="anmelden als NAME (Passwort aus KRISENSTAB_PASSWORD oder Eingabe)",
    )
    parser.add_argument("--version", action="version", version="krisenstab 0.1.0")
    sub = parser.add_subparsers(dest="command", parser_class=GermanArgumentParser)
    gui = sub.add_parser("gui", help="die Oberfläche starten")
    gui.add_argument(
        "--smoke", action="store_true", help="einmal zeichnen, Millisekunden ausgeben, beenden"
    )
    gui.set_defaults(handler=None)
    if with_commands:
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


def _clean_arg(arg: str) -> str:
    """Bytes that were not UTF-8 reach Python as lone surrogates, which no file
    or hash can hold: turn them back into bytes and decode with U+FFFD."""
    try:
        arg.encode("utf-8")
        return arg
    except UnicodeEncodeError:
        pass
    try:
        return arg.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:
        return "".join("\ufffd" if 0xD800 <= ord(ch) <= 0xDFFF else ch for ch in arg)


def main(argv: list[str] | None = None) -> int:
    t0 = time.perf_counter()
    argv = [_clean_arg(a) for a in (sys.argv[1:] if argv is None else argv)]
    # Starting the GUI need not build (and import) every command's parser.
    parser = build_parser(with_commands=not _wants_gui(argv))
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
