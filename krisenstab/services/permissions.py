"""Who may do what. Enforced in the services, so the command line obeys too.

A database without any account runs in the open single-workstation mode:
every actor may do everything (shown as such in the GUI). Once accounts
exist, an Actor carries the roles of its account.
"""

from __future__ import annotations

import dataclasses
import weakref
from enum import StrEnum

from sqlalchemy import Engine, bindparam, select
from sqlmodel import Session

from krisenstab.domain.account import ACCOUNTS_META_KEY, Account, decode_list, may_act_in
from krisenstab.services.context import Actor, PermissionDenied


class Role(StrEnum):
    ADMIN = "Administrator"
    LEAD = "Leitung"
    STAFF = "Stabsmitglied"
    MESSAGE_DESK = "Sichter/Fernmelder"
    EXERCISE_CONTROL = "Übungsleitung"
    READ_ONLY = "Nur-Lesen"


class Permission(StrEnum):
    JOURNAL_WRITE = "Einsatztagebuch schreiben"
    INCIDENT_MANAGE = "Ereignisse anlegen und abschließen"
    MASTER_DATA = "Stammdaten pflegen"
    FACILITY_STATUS = "Status von KRITIS-Objekten melden"
    ROSTER = "Funktionsbesetzung und Übergaben"
    TASK_WRITE = "Aufträge erteilen und bearbeiten"
    MESSAGE_RECORD = "Nachrichten aufnehmen"
    MESSAGE_TRIAGE = "Nachrichten sichten"
    MESSAGE_ACK = "Nachrichten quittieren"
    REPORT_DRAFT = "Lageberichte entwerfen"
    REPORT_RELEASE = "Lageberichte freigeben"
    EXERCISE_CONTROL = "Übungen steuern"
    ACCOUNTS = "Benutzerkonten verwalten"
    BACKUP = "Sicherungen anlegen und zurückspielen"


_P = Permission
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    # Everything but releasing reports: that stays with the Leitung (an
    # administrator who leads the staff holds both roles).
    Role.ADMIN: frozenset(Permission) - {_P.REPORT_RELEASE},
    Role.LEAD: frozenset(
        {
            _P.JOURNAL_WRITE,
            _P.INCIDENT_MANAGE,
            _P.FACILITY_STATUS,
            _P.ROSTER,
            _P.TASK_WRITE,
            _P.MESSAGE_RECORD,
            _P.MESSAGE_TRIAGE,
            _P.MESSAGE_ACK,
            _P.REPORT_DRAFT,
            _P.REPORT_RELEASE,
            _P.BACKUP,
        }
    ),
    Role.STAFF: frozenset(
        {
            _P.JOURNAL_WRITE,
            _P.FACILITY_STATUS,
            _P.ROSTER,
            _P.TASK_WRITE,
            _P.MESSAGE_RECORD,
            _P.MESSAGE_ACK,
            _P.REPORT_DRAFT,
            _P.BACKUP,
        }
    ),
    Role.MESSAGE_DESK: frozenset(
        {_P.JOURNAL_WRITE, _P.MESSAGE_RECORD, _P.MESSAGE_TRIAGE, _P.MESSAGE_ACK}
    ),
    Role.EXERCISE_CONTROL: frozenset(
        {_P.JOURNAL_WRITE, _P.EXERCISE_CONTROL, _P.MESSAGE_RECORD, _P.FACILITY_STATUS}
    ),
    Role.READ_ONLY: frozenset(),
}


def is_open_mode(actor: Actor) -> bool:
    return actor.account is None


def allowed(actor: Actor, permission: Permission) -> bool:
    if is_open_mode(actor):
        return True
    for role in actor.roles:
        try:
            if permission in ROLE_PERMISSIONS[Role(role)]:
                return True
        except ValueError:
            continue
    return False


def require(actor: Actor, permission: Permission) -> None:
    """Raise PermissionDenied (German message) unless the actor may do this."""
    if not allowed(actor, permission):
        roles = ", ".join(actor.roles) or "keine Rolle"
        raise PermissionDenied(
            f"Keine Berechtigung: „{permission.value}“ ist für {actor.person} ({roles}) nicht erlaubt."
        )


# -- checks against the database ------------------------------------------------
# Built once on the tables (not the ORM entities): authorize runs inside
# every journal write.
_ACCOUNT = Account.__table__
_ACCOUNTS_FLAG_SQL = f"SELECT 1 FROM meta WHERE key = '{ACCOUNTS_META_KEY}'"
_ACCOUNT_STATE = select(_ACCOUNT.c.active, _ACCOUNT.c.roles, _ACCOUNT.c.functions).where(
    _ACCOUNT.c.id == bindparam("account_id")
)
# Once a file has accounts it has them for good (a trigger guards the flag),
# so a positive answer is remembered per engine and costs nothing afterwards.
_ACCOUNTS_SEEN: weakref.WeakKeyDictionary[Engine, bool] = weakref.WeakKeyDictionary()


def accounts_enabled(session: Session) -> bool:
    """True once the first account was created: the open mode is over."""
    bind = session.get_bind()
    if _ACCOUNTS_SEEN.get(bind):  # type: ignore[arg-type]
        return True
    # A plain DB-API cursor: this runs in every journal write, and through
    # SQLAlchemy the one-row lookup costs twenty times as much.
    cursor = session.connection().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(_ACCOUNTS_FLAG_SQL)
        found = cursor.fetchone() is not None
    finally:
        cursor.close()
    if found:
        _ACCOUNTS_SEEN[bind] = True  # type: ignore[index]
    return found


def authorize(session: Session, actor: Actor, permission: Permission) -> Actor:
    """The check for services that hold a session: roles as stored now.

    An actor without account passes only while the file is in the open mode;
    an account must still be active, and the function acted in must be one
    the account may act in. Returns the actor with its current roles.
    """
    if actor.account is None:
        if accounts_enabled(session):
            raise PermissionDenied("Diese Datenbank hat Benutzerkonten: bitte zuerst anmelden.")
        return actor
    row = session.connection().execute(_ACCOUNT_STATE, {"account_id": actor.account}).first()
    if row is None or not row[0]:
        raise PermissionDenied(
            f"Das Konto von {actor.person} ist deaktiviert oder unbekannt; bitte neu anmelden."
        )
    current = dataclasses.replace(actor, roles=decode_list(row[1]))
    require(current, permission)
    if not may_act_in(decode_list(row[2]), actor.function):
        raise PermissionDenied(
            f"{actor.person} darf nicht in der Funktion „{actor.function}“ handeln "
            f"(erlaubt: {', '.join(decode_list(row[2]))})."
        )
    return current
