"""Accounts and permissions: the open mode ends for good, roles are enforced in the services."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher, profiles
from helpers import S2, journal, new_db, new_incident

from krisenstab.domain.account import (
    Throttle,
    failure_delay,
    parse_functions,
    throttle_from_events,
    validate_login,
    validate_password,
)
from krisenstab.services.accounts import (
    AccountService,
    LoginFailed,
    LoginThrottled,
    parse_role,
)
from krisenstab.services.context import Actor, PermissionDenied, ServiceError
from krisenstab.services.incidents import IncidentService
from krisenstab.services.journal import JournalService
from krisenstab.services.permissions import (
    ROLE_PERMISSIONS,
    Permission,
    Role,
    allowed,
    require,
)
from krisenstab.store.database import Database

FAST = PasswordHasher.from_parameters(profiles.CHEAPEST)
PW = "Muster-Passwort-1"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 27, 14, 30, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def db(tmp_path):
    return new_db(tmp_path)


def service(db: Database, clock=None) -> AccountService:
    return AccountService(db, hasher=FAST, clock=clock or Clock())


def staffed(db: Database, clock=None) -> tuple[AccountService, Actor]:
    """A file with an administrator and a few accounts; returns the admin's Actor."""
    acc = service(db, clock)
    acc.create_first_admin("admin", "Erika Beispiel", PW, workstation_id="ws-1")
    admin = acc.authenticate("admin", PW, workstation_id="ws-1", function="Administrator")
    acc.add(admin, "leitung", "Max Mustermann", PW, ["Leitung"])
    acc.add(admin, "s2", "Moritz Muster", PW, ["Stabsmitglied"], functions="S2")
    acc.add(admin, "s3", "Paula Probe", PW, ["Stabsmitglied"], functions=["S3", "S6"])
    acc.add(admin, "gast", "Gisela Gast", PW, ["Nur-Lesen"])
    acc.add(admin, "funk", "Felix Funk", PW, ["Sichter/Fernmelder"], functions="Fernmelder")
    return acc, admin


# -- pure rules -------------------------------------------------------------------
def test_login_names_and_passwords_are_checked():
    assert validate_login("  M.Mustermann ") == "m.mustermann"
    assert validate_login("müller-2") == "müller-2"
    for bad in ("", "a", "x y", "../etc", "a/b", "x" * 61, ".start"):
        with pytest.raises(ValueError, match="Anmeldename"):
            validate_login(bad)
    with pytest.raises(ValueError, match="mindestens 8"):
        validate_password("kurz")
    with pytest.raises(ValueError, match="nicht der Anmeldename"):
        validate_password("mustermann", "Mustermann")
    assert parse_functions(" S2, S3 ,S2,, ") == ("S2", "S3")


def test_failure_delay_grows_and_is_capped():
    assert failure_delay(4) == timedelta(0)
    assert failure_delay(5) == timedelta(seconds=30)
    assert failure_delay(6) == timedelta(seconds=60)
    assert failure_delay(50) == timedelta(minutes=15)
    t = datetime(2026, 1, 1, tzinfo=UTC)
    events = [(t - timedelta(seconds=i), "Fehlversuch") for i in range(5)]
    state = throttle_from_events([*events, (t - timedelta(hours=1), "Anmeldung")])
    assert state == Throttle(5, t + timedelta(seconds=30))
    # A successful login in between starts counting again.
    mixed = [*events[:2], (t - timedelta(seconds=3), "Anmeldung"), *events[3:]]
    assert throttle_from_events(mixed).failures == 2


def test_role_names_are_tolerant():
    assert parse_role("uebungsleitung") is Role.EXERCISE_CONTROL
    assert parse_role("Nur-Lesen") is Role.READ_ONLY
    assert parse_role(" administrator ") is Role.ADMIN
    with pytest.raises(ServiceError, match="Unbekannte Rolle"):
        parse_role("Chef")


def test_permission_catalogue_follows_the_issue():
    holders = {p: {r for r, perms in ROLE_PERMISSIONS.items() if p in perms} for p in Permission}
    assert holders[Permission.REPORT_RELEASE] == {Role.LEAD}
    assert holders[Permission.ACCOUNTS] == {Role.ADMIN}
    assert holders[Permission.MASTER_DATA] == {Role.ADMIN}
    assert ROLE_PERMISSIONS[Role.READ_ONLY] == frozenset()
    lead = Actor("Max Mustermann", "Leiter des Stabes", "ws", account="a", roles=("Leitung",))
    reader = Actor("Gisela Gast", "Gast", "ws", account="b", roles=("Nur-Lesen",))
    open_mode = Actor("Max Mustermann", "S2", "ws")
    assert allowed(lead, Permission.REPORT_RELEASE)
    assert allowed(open_mode, Permission.ACCOUNTS)
    for permission in Permission:
        assert not allowed(reader, permission)
    with pytest.raises(PermissionDenied, match="Lageberichte freigeben"):
        require(
            Actor("A", "S2", "ws", account="c", roles=("Stabsmitglied",)), Permission.REPORT_RELEASE
        )


# -- the open mode -----------------------------------------------------------------
def test_open_mode_until_the_first_admin_and_never_again(db, tmp_path):
    acc = service(db)
    assert acc.open_mode()
    inc = new_incident(db)
    assert journal(db).add(inc, "offener Betrieb").number == 2
    with pytest.raises(ServiceError, match="Administrator"):
        acc.add(S2, "moritz", "Moritz Muster", PW, ["Stabsmitglied"], functions="S2")
    view = acc.add(S2, "Admin", "Erika Beispiel", PW, ["Administrator"])
    assert view.login == "admin" and view.roles == ("Administrator",)
    assert not acc.open_mode()
    with pytest.raises(ServiceError, match="bereits Benutzerkonten"):
        acc.create_first_admin("zweiter", "Zweiter Admin", PW, workstation_id="ws")
    # The old open-mode actor is refused from now on, in every service.
    with pytest.raises(PermissionDenied, match="bitte zuerst anmelden"):
        journal(db).add(inc, "ohne Anmeldung")
    with pytest.raises(PermissionDenied, match="anmelden"):
        IncidentService(db).create("Neues Ereignis", S2)
    assert journal(db).count(inc) == 2
    db.close()
    # Raw SQL cannot switch the open mode back on, nor delete an account.
    with sqlite3.connect(tmp_path / "stab.db") as conn:
        for statement in (
            "DELETE FROM meta WHERE key = 'accounts'",
            "UPDATE meta SET value = 'aus' WHERE key = 'accounts'",
            "UPDATE meta SET key = 'x' WHERE key = 'accounts'",
            "DELETE FROM account",
            "UPDATE account_event SET event = 'x'",
            "DELETE FROM account_event",
        ):
            with pytest.raises(sqlite3.DatabaseError):
                conn.execute(statement)
    reopened = Database.open(tmp_path / "stab.db")
    assert not service(reopened).open_mode()


def test_accounts_cannot_be_smuggled_in_without_the_flag(db, tmp_path):
    db.close()
    with (
        sqlite3.connect(tmp_path / "stab.db") as conn,
        pytest.raises(sqlite3.DatabaseError, match="Kontenverwaltung"),
    ):
        conn.execute(
            "INSERT INTO account VALUES ('x', 'x', 'x', 'h', '[]', '[]', 1,"
            " '2026-01-01', 'x', '2026-01-01', 'x', 'w')"
        )


# -- roles in the services ------------------------------------------------------------
def test_roles_are_enforced_by_the_services(db):
    acc, _admin = staffed(db)
    lead = acc.authenticate("leitung", PW, workstation_id="ws-2", function="Leiter des Stabes")
    s2 = acc.authenticate("s2", PW, workstation_id="ws-3")
    reader = acc.authenticate("gast", PW, workstation_id="ws-4", function="Gast")
    assert s2.function == "S2" and s2.roles == ("Stabsmitglied",) and s2.person == "Moritz Muster"
    inc = IncidentService(db).create("Hochwasser (Übung Muster)", lead).id
    with pytest.raises(PermissionDenied, match="Ereignisse anlegen"):
        IncidentService(db).create("Noch eins", s2)
    jr = JournalService(db)
    assert jr.add(inc, "Pegel Muster 3,20 m", actor=s2).author == "Moritz Muster"
    with pytest.raises(PermissionDenied, match="Einsatztagebuch schreiben"):
        jr.add(inc, "darf nicht", actor=reader)
    with pytest.raises(PermissionDenied):
        jr.correct(inc, 2, "auch nicht", actor=reader)
    with pytest.raises(PermissionDenied, match="Benutzerkonten verwalten"):
        acc.add(lead, "neu", "Neue Person", PW, ["Stabsmitglied"], functions="S1")
    with pytest.raises(PermissionDenied):
        acc.list(s2)
    assert jr.count(inc) == 2  # Nur-Lesen wrote nothing
    # A Stabsmitglied acts only in its functions.
    with pytest.raises(PermissionDenied, match="Funktion „S3“"):
        acc.authenticate("s2", PW, workstation_id="ws-3", function="S3")
    forged = Actor("Moritz Muster", "S3", "ws-3", account=s2.account, roles=s2.roles)
    with pytest.raises(PermissionDenied, match="Funktion „S3“"):
        jr.add(inc, "in fremder Funktion", actor=forged)
    s3 = acc.authenticate("s3", PW, workstation_id="ws-5", function="s6")
    assert jr.add(inc, "S6 meldet Funkausfall", actor=s3).function == "s6"


def test_disabled_account_and_changed_roles_take_effect_at_once(db):
    acc, admin = staffed(db)
    lead = acc.authenticate("leitung", PW, workstation_id="ws", function="Leiter des Stabes")
    inc = IncidentService(db).create("Lage Muster", lead).id
    s2 = acc.authenticate("s2", PW, workstation_id="ws")
    JournalService(db).add(inc, "vor der Deaktivierung", actor=s2)
    acc.disable(admin, "s2")
    with pytest.raises(PermissionDenied, match="deaktiviert"):
        JournalService(db).add(inc, "nach der Deaktivierung", actor=s2)
    with pytest.raises(LoginFailed, match="deaktiviert"):
        acc.authenticate("s2", PW, workstation_id="ws")
    acc.enable(admin, "s2")
    acc.set_roles(admin, "s2", ["Nur-Lesen"])
    with pytest.raises(PermissionDenied, match="Einsatztagebuch schreiben"):
        JournalService(db).add(inc, "jetzt nur lesend", actor=s2)
    # The last administrator stays.
    with pytest.raises(ServiceError, match="letzte aktive Administratorkonto"):
        acc.disable(admin, "admin")
    with pytest.raises(ServiceError, match="letzten aktiven Administratorkonto"):
        acc.set_roles(admin, "admin", ["Leitung"])
    acc.set_roles(admin, "leitung", ["Leitung", "Administrator"])
    acc.disable(admin, "admin")
    assert [a.login for a in acc.list(lead) if not a.active] == ["admin"]


def test_roles_need_functions_for_staff_members(db):
    acc, admin = staffed(db)
    with pytest.raises(ServiceError, match="Stabsfunktionen angeben"):
        acc.add(admin, "ohne", "Ohne Funktion", PW, ["Stabsmitglied"])
    with pytest.raises(ServiceError, match="nicht mit anderen Rollen"):
        acc.add(admin, "mix", "Misch Muster", PW, ["Nur-Lesen", "Leitung"])
    with pytest.raises(ServiceError, match="gibt es schon"):
        acc.add(admin, "S2", "Doppelt", PW, ["Leitung"])


# -- logging in -----------------------------------------------------------------------
def test_login_failures_are_recorded_and_throttled(db, clock):
    acc, admin = staffed(db, clock)
    for _ in range(4):
        with pytest.raises(LoginFailed, match="Anmeldename oder Passwort falsch"):
            acc.authenticate("s2", "falsch-falsch", workstation_id="ws-9")
        clock.advance(1)
    with pytest.raises(LoginFailed, match="Nächster Versuch in 30 Sekunden"):
        acc.authenticate("s2", "falsch-falsch", workstation_id="ws-9")
    # Even the right password waits now.
    with pytest.raises(LoginThrottled, match="30 Sekunden") as exc:
        acc.authenticate("s2", PW, workstation_id="ws-9")
    assert exc.value.retry_after_s == 30
    clock.advance(10)
    with pytest.raises(LoginThrottled, match="20 Sekunden"):
        acc.authenticate("s2", PW, workstation_id="ws-9")
    clock.advance(21)
    with pytest.raises(LoginFailed):
        acc.authenticate("s2", "wieder-falsch", workstation_id="ws-9")
    with pytest.raises(LoginThrottled, match="60 Sekunden"):
        acc.authenticate("s2", PW, workstation_id="ws-9")
    clock.advance(61)
    actor = acc.authenticate("s2", PW, workstation_id="ws-9")
    assert acc.throttle("s2").failures == 0
    # Unknown names are throttled the same way and the message does not tell them apart.
    for _ in range(5):
        with pytest.raises(LoginFailed, match="Anmeldename oder Passwort falsch"):
            acc.authenticate("niemand", PW, workstation_id="ws-9")
    with pytest.raises(LoginThrottled):
        acc.authenticate("niemand", PW, workstation_id="ws-9")
    acc.logout(actor)
    log = acc.events(admin, login="s2")
    events = [e.event for e in reversed(log)]
    assert events.count("Fehlversuch") == 6
    assert "Anmeldung gesperrt" in events
    assert events[-2:] == ["Anmeldung", "Abmeldung"]
    assert all(e.workstation_id == "ws-9" for e in log if e.event != "Konto angelegt")
    assert log[0].at == clock.now


def test_lock_unlock_and_password_change(db, clock):
    acc, admin = staffed(db, clock)
    s2 = acc.authenticate("s2", PW, workstation_id="ws")
    acc.lock(s2)
    with pytest.raises(LoginFailed, match="Passwort ist falsch"):
        acc.unlock(s2, "daneben-daneben")
    again = acc.unlock(s2, PW)
    assert again.account == s2.account and again.function == "S2"
    with pytest.raises(ServiceError, match="bisherige Passwort angeben"):
        acc.change_password(s2, "s2", "Neues-Muster-2")
    with pytest.raises(LoginFailed, match="bisherige Passwort stimmt nicht"):
        acc.change_password(s2, "s2", "Neues-Muster-2", current_password="falsch-falsch")
    acc.change_password(s2, "s2", "Neues-Muster-2", current_password=PW)
    with pytest.raises(LoginFailed):
        acc.authenticate("s2", PW, workstation_id="ws")
    acc.authenticate("s2", "Neues-Muster-2", workstation_id="ws")
    # Someone else's password only as administrator.
    with pytest.raises(PermissionDenied):
        acc.change_password(s2, "s3", "Fremdes-Muster-3")
    acc.change_password(admin, "s3", "Fremdes-Muster-3")
    acc.authenticate("s3", "Fremdes-Muster-3", workstation_id="ws")
    kinds = [e.event for e in acc.events(admin)]
    assert {"Bildschirm gesperrt", "Entsperrt", "Passwort geändert"} <= set(kinds)


def test_passwords_are_argon2id_and_rehashed_when_parameters_change(db):
    acc = AccountService(db, hasher=FAST)
    acc.create_first_admin("admin", "Erika Beispiel", PW, workstation_id="ws")
    with db.session() as s:
        stored = s.connection().exec_driver_sql("SELECT password_hash FROM account").scalar()
    assert stored.startswith("$argon2id$") and PW not in stored
    stronger = PasswordHasher(time_cost=2, memory_cost=1024, parallelism=1)
    AccountService(db, hasher=stronger).authenticate("admin", PW, workstation_id="ws")
    with db.session() as s:
        rehashed = s.connection().exec_driver_sql("SELECT password_hash FROM account").scalar()
    assert "m=1024,t=2" in rehashed


def test_read_only_file_lets_people_log_in_without_writing(db, tmp_path):
    _acc, _ = staffed(db)
    db.close()
    ro = Database.open(tmp_path / "stab.db", read_only=True)
    actor = service(ro).authenticate("s2", PW, workstation_id="ws")
    assert actor.account is not None
