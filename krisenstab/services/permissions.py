"""Who may do what. Enforced in the services, so the command line obeys too.

A database without any account runs in the open single-workstation mode:
every actor may do everything (shown as such in the GUI). Once accounts
exist, an Actor carries the roles of its account.
"""

from __future__ import annotations

from enum import StrEnum

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
    Role.ADMIN: frozenset(Permission),
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
