"""Shared pieces of the command line: errors, output, opening the database."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from krisenstab.settings import Settings, default_db_path, demo_db_path


class CliError(Exception):
    """One clear German line on stderr, exit code 1 (or ``code``)."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


class GermanArgumentParser(argparse.ArgumentParser):
    """Usage errors as one line, exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        for english, german in _ARGPARSE_GERMAN:
            message = message.replace(english, german)
        self.exit(2, f"{self.prog}: Aufruffehler: {message} (Hilfe: --help)\n")


# argparse speaks English; the few messages a user meets, in German.
_ARGPARSE_GERMAN = (
    ("the following arguments are required:", "diese Angaben fehlen:"),
    ("unrecognized arguments:", "unbekannte Angaben:"),
    ("invalid choice:", "ungültige Wahl:"),
    ("choose from", "erlaubt sind"),
    ("invalid int value:", "keine ganze Zahl:"),
    ("invalid float value:", "keine Zahl:"),
    ("expected one argument", "erwartet einen Wert"),
    ("argument ", "Angabe "),
)


def db_path(args: argparse.Namespace) -> Path:
    if getattr(args, "db", None):
        return Path(args.db)
    if getattr(args, "demo", False):
        return demo_db_path()
    return default_db_path()


def open_db(args: argparse.Namespace, *, create: bool = True, expect_kind: str | None = None):  # type: ignore[no-untyped-def]
    """Open the database named on the command line (creating the demo on first use)."""
    from krisenstab.store.database import Database

    path = db_path(args)
    db = Database.open(path, create=create, expect_kind=expect_kind)
    if getattr(args, "demo", False) and not getattr(args, "db", None):
        from krisenstab.services.demo import build_demo

        build_demo(db, Settings.load().workstation_id)
    return db


def actor(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from krisenstab.services.context import Actor

    return Actor(
        person=args.author,
        function=args.function,
        workstation_id=Settings.load().workstation_id,
    )


def add_actor_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--author", required=True, help="wer handelt (Name)")
    parser.add_argument("--function", required=True, help="Stabsfunktion, z. B. S2")


def add_incident_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--incident", help="Ereignis-ID (entfällt, wenn genau ein Ereignis offen ist)"
    )


def resolve_incident(db, incident: str | None):  # type: ignore[no-untyped-def]
    from krisenstab.services.incidents import IncidentService

    return IncidentService(db).resolve(incident)


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
