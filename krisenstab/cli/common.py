"""Shared pieces of the command line: errors, output, opening the database."""

from __future__ import annotations

import argparse
import getpass
import json
import os
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
    # actor() logs in against the database the command works on.
    args._opened_db = db
    return db


PASSWORD_ENV = "KRISENSTAB_PASSWORD"
NEW_PASSWORD_ENV = "KRISENSTAB_NEW_PASSWORD"


def read_password(prompt: str, env: str = PASSWORD_ENV) -> str:
    """From the environment (scripts) or typed without echo; never from a plain pipe."""
    value = os.environ.get(env)
    if value is not None:
        return value
    if not sys.stdin or not sys.stdin.isatty():
        raise CliError(f"Kein Passwort: bitte {env} setzen oder im Terminal eingeben.")
    try:
        return getpass.getpass(prompt)
    except (EOFError, OSError):
        raise CliError("Die Passworteingabe wurde abgebrochen.") from None


def read_new_password(login: str) -> str:
    if os.environ.get(NEW_PASSWORD_ENV) is not None:
        return os.environ[NEW_PASSWORD_ENV]
    first = read_password(f"Neues Passwort für {login}: ", NEW_PASSWORD_ENV)
    second = read_password("Neues Passwort wiederholen: ", NEW_PASSWORD_ENV)
    if first != second:
        raise CliError("Die beiden Passworteingaben stimmen nicht überein.")
    return first


def login(db, args: argparse.Namespace, function: str | None = None):  # type: ignore[no-untyped-def]
    """The Actor of the account named by --user (password from env or prompt)."""
    from krisenstab.services.accounts import SOURCE_CLI, AccountService
    from krisenstab.services.context import PermissionDenied

    user = getattr(args, "user", None)
    if not user:
        raise CliError(
            "Diese Datenbank hat Benutzerkonten: bitte mit --user NAME anmelden "
            f"(Passwort über {PASSWORD_ENV} oder Eingabe)."
        )
    password = read_password(f"Passwort für {user}: ")
    try:
        return AccountService(db).authenticate(
            user,
            password,
            workstation_id=Settings.load().workstation_id,
            function=function,
            source=SOURCE_CLI,
        )
    except PermissionDenied as exc:
        raise CliError(str(exc)) from None


def is_open_mode(db) -> bool:  # type: ignore[no-untyped-def]
    from krisenstab.services.accounts import AccountService

    return AccountService(db).open_mode()


def actor(args: argparse.Namespace, db=None):  # type: ignore[no-untyped-def]
    """Who acts: the logged-in account, or (open mode) --author/--function."""
    from krisenstab.services.context import Actor

    db = db or getattr(args, "_opened_db", None) or open_db(args)
    function = getattr(args, "function", None)
    if not is_open_mode(db):
        return login(db, args, function)
    if getattr(args, "user", None):
        print(
            "krisenstab: Hinweis: Diese Datenbank hat keine Benutzerkonten "
            "(offener Einzelplatzbetrieb); --user wird nicht gebraucht.",
            file=sys.stderr,
        )
    author = getattr(args, "author", None)
    if not author:
        raise CliError("Aufruffehler: bitte mit --author angeben, wer handelt.", code=2)
    return Actor(
        person=author,
        function=function or "",
        workstation_id=Settings.load().workstation_id,
    )


def add_actor_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--author", help="wer handelt (Name; entfällt bei Anmeldung mit --user)")
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
