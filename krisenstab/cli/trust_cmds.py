"""Commands for accounts, the login log, backups and restore.

``account add NAME --role R [--role R] [--functions S2,S3] [--name "Anzeigename"]``
``account list [--json]`` · ``account disable|enable NAME`` · ``account passwd NAME``
``account roles NAME --role R [--functions …]`` · ``login-log [--json]``
``backup [--to DIR] [--json]`` · ``backup-list [--dir DIR] [--json]``
``restore FILE --out NEW.db [--force] [--json]``

New passwords come from ``KRISENSTAB_NEW_PASSWORD`` or are typed twice; the
password of the acting account (``--user``) from ``KRISENSTAB_PASSWORD``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from krisenstab.cli.common import (
    CliError,
    is_open_mode,
    iso,
    login,
    open_db,
    print_json,
    read_new_password,
    read_password,
)


def register(sub: argparse._SubParsersAction) -> None:
    acc = sub.add_parser("account", help="Benutzerkonten verwalten (Administrator)")
    acc_sub = acc.add_subparsers(dest="action", required=True)
    p = acc_sub.add_parser(
        "add",
        help="Konto anlegen (Passwort aus KRISENSTAB_NEW_PASSWORD oder Eingabe); "
        "das erste Konto (Administrator) beendet den offenen Betrieb",
    )
    p.add_argument("login", metavar="NAME", help="Anmeldename")
    p.add_argument(
        "--role",
        action="append",
        required=True,
        help="Administrator, Leitung, Stabsmitglied, Sichter/Fernmelder, Übungsleitung, Nur-Lesen",
    )
    p.add_argument("--functions", default="", help="Stabsfunktionen, z. B. S2,S3")
    p.add_argument("--name", dest="display_name", default="", help="Name der Person")
    p.set_defaults(handler=account_add)
    p = acc_sub.add_parser("list", help="Konten auflisten")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=account_list)
    p = acc_sub.add_parser("disable", help="Konto deaktivieren (wird nie gelöscht)")
    p.add_argument("login", metavar="NAME")
    p.set_defaults(handler=account_disable)
    p = acc_sub.add_parser("enable", help="deaktiviertes Konto wieder aktivieren")
    p.add_argument("login", metavar="NAME")
    p.set_defaults(handler=account_enable)
    p = acc_sub.add_parser(
        "passwd",
        help="Passwort ändern (eigenes, oder als Administrator); neues Passwort aus "
        "KRISENSTAB_NEW_PASSWORD oder Eingabe",
    )
    p.add_argument("login", metavar="NAME")
    p.set_defaults(handler=account_passwd)
    p = acc_sub.add_parser("roles", help="Rollen und Funktionen eines Kontos ändern")
    p.add_argument("login", metavar="NAME")
    p.add_argument("--role", action="append", required=True)
    p.add_argument("--functions", default=None, help="Stabsfunktionen, z. B. S2,S3")
    p.set_defaults(handler=account_roles)

    p = sub.add_parser("login-log", help="Anmeldeprotokoll (Administrator)")
    p.add_argument("--login", dest="filter_login", help="nur dieser Anmeldename")
    p.add_argument("--limit", type=int, default=200)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=login_log)

    p = sub.add_parser("backup", help="Sicherung anlegen und prüfen; gibt den Dateinamen aus")
    p.add_argument("--to", metavar="ORDNER", help="Sicherungsordner (Vorgabe: Einstellungen)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=backup)
    p = sub.add_parser("backup-list", help="Sicherungen dieser Datenbank auflisten")
    p.add_argument("--dir", metavar="ORDNER", help="Sicherungsordner (Vorgabe: Einstellungen)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=backup_list)
    p = sub.add_parser(
        "restore", help="Sicherung in eine NEUE Datei zurückspielen (überschreibt nie still)"
    )
    p.add_argument("file", metavar="SICHERUNG")
    p.add_argument("--out", required=True, metavar="NEU.db", help="Zieldatei")
    p.add_argument(
        "--force",
        action="store_true",
        help="vorhandene Zieldatei beiseitelegen (umbenennen, nie löschen)",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=restore)


def _settings():  # type: ignore[no-untyped-def]
    from krisenstab.settings import Settings

    return Settings.load()


def _admin(args: argparse.Namespace, db):  # type: ignore[no-untyped-def]
    """The logged-in actor (accounts), or the open-mode actor of the command line."""
    from krisenstab.services.context import Actor

    if is_open_mode(db):
        return Actor("Kommandozeile", "Administrator", _settings().workstation_id)
    return login(db, args)


def _accounts(db):  # type: ignore[no-untyped-def]
    from krisenstab.services.accounts import AccountService

    return AccountService(db)


def account_add(args: argparse.Namespace) -> int:
    from krisenstab.services.context import Actor

    db = open_db(args)
    service = _accounts(db)
    if service.open_mode():
        who = Actor(args.display_name or args.login, "Administrator", _settings().workstation_id)
    else:
        who = login(db, args)
    password = read_new_password(args.login)
    view = service.add(
        who, args.login, args.display_name, password, args.role, functions=args.functions
    )
    print(view.login)
    return 0


def _account_json(a) -> dict:  # type: ignore[no-untyped-def]
    return {
        "login": a.login,
        "display_name": a.display_name,
        "roles": list(a.roles),
        "functions": list(a.functions),
        "active": a.active,
        "created_at": iso(a.created_at),
        "created_by": a.created_by,
        "changed_at": iso(a.changed_at),
        "changed_by": a.changed_by,
    }


def account_list(args: argparse.Namespace) -> int:
    db = open_db(args, create=False)
    service = _accounts(db)
    if service.open_mode():
        if args.json:
            print_json([])
        else:
            print("Keine Benutzerkonten: offener Einzelplatzbetrieb.")
        return 0
    accounts = service.list(login(db, args))
    if args.json:
        print_json([_account_json(a) for a in accounts])
        return 0
    for a in accounts:
        state = "aktiv" if a.active else "deaktiviert"
        funcs = ", ".join(a.functions) or "alle Funktionen"
        print(f"{a.login:<20} {state:<11} {a.display_name:<28} {', '.join(a.roles)} ({funcs})")
    return 0


def _set_active(args: argparse.Namespace, active: bool) -> int:
    db = open_db(args, create=False)
    service = _accounts(db)
    if service.open_mode():
        raise CliError("Diese Datenbank hat keine Benutzerkonten (offener Einzelplatzbetrieb).")
    view = service.set_active(login(db, args), args.login, active)
    print(f"{view.login}: {'aktiv' if view.active else 'deaktiviert'}")
    return 0


def account_disable(args: argparse.Namespace) -> int:
    return _set_active(args, False)


def account_enable(args: argparse.Namespace) -> int:
    return _set_active(args, True)


def account_passwd(args: argparse.Namespace) -> int:
    from krisenstab.domain.account import normalize_login

    db = open_db(args, create=False)
    service = _accounts(db)
    if service.open_mode():
        raise CliError("Diese Datenbank hat keine Benutzerkonten (offener Einzelplatzbetrieb).")
    who = login(db, args)
    own = normalize_login(args.user or "") == normalize_login(args.login)
    current = read_password(f"Passwort für {args.user}: ") if own else None
    service.change_password(
        who, args.login, read_new_password(args.login), current_password=current
    )
    print(f"{normalize_login(args.login)}: Passwort geändert")
    return 0


def account_roles(args: argparse.Namespace) -> int:
    db = open_db(args, create=False)
    service = _accounts(db)
    if service.open_mode():
        raise CliError("Diese Datenbank hat keine Benutzerkonten (offener Einzelplatzbetrieb).")
    view = service.set_roles(login(db, args), args.login, args.role, args.functions)
    print(f"{view.login}: {', '.join(view.roles)}")
    return 0


def login_log(args: argparse.Namespace) -> int:
    from krisenstab.domain.timefmt import format_local

    db = open_db(args, create=False)
    service = _accounts(db)
    if service.open_mode():
        if args.json:
            print_json([])
        else:
            print("Keine Benutzerkonten: offener Einzelplatzbetrieb, kein Anmeldeprotokoll.")
        return 0
    events = service.events(login(db, args), limit=args.limit, login=args.filter_login)
    if args.json:
        print_json(
            [
                {
                    "at": iso(e.at),
                    "login": e.login,
                    "event": e.event,
                    "workstation_id": e.workstation_id,
                    "actor": e.actor,
                    "detail": e.detail,
                }
                for e in events
            ]
        )
        return 0
    for e in events:
        by = f" durch {e.actor}" if e.actor else ""
        detail = f" ({e.detail})" if e.detail else ""
        print(
            f"{format_local(e.at, seconds=True)}  {e.login:<20} {e.event}{by}{detail}"
            f"  [Platz {e.workstation_id[:8]}]"
        )
    return 0


def _backup_json(info) -> dict:  # type: ignore[no-untyped-def]
    m = info.manifest
    return {
        "file": str(info.path),
        "manifest": str(info.manifest_path),
        "created_at": iso(m.created_at),
        "db_id": m.db_id,
        "size": m.size,
        "sha256": m.sha256,
        "reason": m.reason,
        "seconds": m.duration_s,
        "problems": m.problems,
        "heads": {k: {"number": h.number, "hash": h.hash} for k, h in m.heads.items()},
    }


def backup(args: argparse.Namespace) -> int:
    from krisenstab.services.backup import REASON_MANUAL, BackupService

    db = open_db(args, create=False)
    who = _admin(args, db)
    service = BackupService(db, folder=args.to, settings=_settings())
    info = service.backup_now(who, reason=REASON_MANUAL)
    assert info is not None
    if args.json:
        print_json(_backup_json(info))
    else:
        print(info.path)
        if info.manifest.problems:
            print(
                "Achtung: die Datenbank selbst hat Prüfungsfehler: "
                + "; ".join(info.manifest.problems)
            )
    return 0


def backup_list(args: argparse.Namespace) -> int:
    from krisenstab.domain.timefmt import format_local
    from krisenstab.services.backup import BackupService

    db = open_db(args, create=False)
    infos = BackupService(db, folder=args.dir, settings=_settings()).list_backups()
    if args.json:
        print_json([_backup_json(i) for i in infos])
        return 0
    if not infos:
        print("Keine Sicherungen dieser Datenbank im Ordner.")
    for i in infos:
        size = i.manifest.size / 1_000_000
        print(f"{format_local(i.created_at, seconds=True)}  {size:8.1f} MB  {i.path}")
    return 0


def restore(args: argparse.Namespace) -> int:
    from krisenstab.services.backup import restore_backup
    from krisenstab.services.context import Actor

    workstation = _settings().workstation_id

    def who(db):  # type: ignore[no-untyped-def]
        # Log in against the restored copy: it has the accounts of the backup.
        if is_open_mode(db):
            return Actor("Kommandozeile", "System", workstation)
        return login(db, args)

    result = restore_backup(
        Path(args.file), Path(args.out), force=args.force, who=who, workstation_id=workstation
    )
    if args.json:
        print_json(
            {
                "file": str(result.path),
                "moved_aside": str(result.moved_aside) if result.moved_aside else None,
                "db_id": result.db_id,
                "restored_from": result.restored_from,
                "heads": result.heads,
                "seconds": round(result.seconds, 3),
            }
        )
        return 0
    print(result.path)
    if result.moved_aside:
        print(f"Die bisherige Datei liegt jetzt unter {result.moved_aside}")
    return 0
