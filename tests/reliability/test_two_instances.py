"""Two program instances on one file (two windows, or a script beside the GUI):
reading, writing, logging in and backing up at once never shows "database is locked"."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading

import pytest
from argon2 import PasswordHasher, profiles
from helpers import new_db, new_incident

from krisenstab.services.accounts import AccountService
from krisenstab.services.backup import BackupService
from krisenstab.services.context import Actor
from krisenstab.services.journal import JournalService
from krisenstab.services.verification import verify_database
from krisenstab.store.backup import verify_backup
from krisenstab.store.database import Database

SCRIPT = textwrap.dedent(
    """
    import sys
    from argon2 import PasswordHasher, profiles
    from krisenstab.services.accounts import AccountService
    from krisenstab.services.journal import JournalService
    from krisenstab.store.database import Database

    path, incident, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    db = Database.open(path)
    fast = PasswordHasher.from_parameters(profiles.CHEAPEST)
    who = AccountService(db, hasher=fast).authenticate(
        "skript", "Muster-Passwort-1", workstation_id="skript"
    )
    jr = JournalService(db, who)
    for i in range(count):
        jr.add(incident, f"Skript-Meldung {i}")
        if i % 50 == 0:
            jr.list(incident)
    print("fertig", flush=True)
    """
)

PER_WRITER = 300
FAST = PasswordHasher.from_parameters(profiles.CHEAPEST)


@pytest.mark.slow
def test_two_instances_and_a_script_on_one_file(tmp_path):
    path = tmp_path / "stab.db"
    first = new_db(tmp_path)
    # Both instances are opened before either holds a connection: see
    # test_opening_a_file_this_process_has_open_keeps_its_locks below.
    second = Database.open(path)  # the second window
    incident = new_incident(first)
    AccountService(second, hasher=FAST).create_first_admin(
        "admin", "Erika Beispiel", "Muster-Passwort-1", workstation_id="fenster-2"
    )
    accounts = AccountService(second, hasher=FAST)
    admin = accounts.authenticate("admin", "Muster-Passwort-1", workstation_id="fenster-2")
    accounts.add(admin, "s2", "Moritz Muster", "Muster-Passwort-1", ["Stabsmitglied"], "S2")
    accounts.add(admin, "skript", "Skript Muster", "Muster-Passwort-1", ["Stabsmitglied"], "S6")
    script = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(path), incident, str(PER_WRITER)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    errors: list[BaseException] = []

    def guarded(fn):  # type: ignore[no-untyped-def]
        def run() -> None:
            try:
                fn()
            except BaseException as exc:  # collected and asserted below
                errors.append(exc)

        return run

    @guarded
    def window_one() -> None:
        jr = JournalService(first)
        s2 = AccountService(first, hasher=FAST).authenticate(
            "s2", "Muster-Passwort-1", workstation_id="fenster-1"
        )
        for i in range(PER_WRITER):
            jr.add(incident, f"Fenster 1 Meldung {i}", actor=s2)

    @guarded
    def window_two() -> None:
        jr = JournalService(second, admin)
        backups = BackupService(second, folder=tmp_path / "stick", keep_last=50)
        for i in range(PER_WRITER):
            jr.add(incident, f"Fenster 2 Meldung {i}")
            if i % 20 == 0:
                numbers = jr.numbers(incident)
                jr.fetch(incident, numbers[-50:])
            if i % 100 == 0:
                backups.backup_now(reason="Intervall")
                accounts.authenticate("s2", "Muster-Passwort-1", workstation_id="fenster-2")

    @guarded
    def reader() -> None:
        jr = JournalService(first)
        for _ in range(30):
            jr.list(incident)
            jr.verify()

    threads = [threading.Thread(target=t) for t in (window_one, window_two, reader)]
    for t in threads:
        t.start()
    out, err = script.communicate(timeout=300)
    for t in threads:
        t.join(timeout=300)
    assert errors == []
    assert script.returncode == 0, err
    assert "locked" not in err.lower() and "fertig" in out
    jr = JournalService(first)
    assert jr.numbers(incident) == list(range(1, 3 * PER_WRITER + 2))
    report = verify_database(first, against=[tmp_path / "stick"])
    assert report.ok, report
    for info in BackupService(second, folder=tmp_path / "stick").list_backups():
        assert verify_backup(info).ok
    authors = {e.author for e in jr.list(incident)}
    assert authors == {"Max Mustermann", "Moritz Muster", "Erika Beispiel", "Skript Muster"}
    first.close()
    second.close()


def test_open_mode_script_is_refused_once_accounts_exist(tmp_path):
    """A script without login cannot slip past the accounts another instance created."""
    first = new_db(tmp_path)
    incident = new_incident(first)
    other = Database.open(tmp_path / "stab.db")
    jr = JournalService(first, Actor("Skript Muster", "S6", "skript"))
    jr.add(incident, "noch offen")
    AccountService(other, hasher=FAST).create_first_admin(
        "admin", "Erika Beispiel", "Muster-Passwort-1", workstation_id="w"
    )
    with pytest.raises(Exception, match="anmelden"):
        jr.add(incident, "jetzt nicht mehr")


def test_opening_a_file_this_process_has_open_keeps_its_locks(tmp_path):
    import os

    first = new_db(tmp_path)
    incident = new_incident(first)
    JournalService(first, Actor("Max Mustermann", "S2", "w")).add(incident, "offen")
    second = Database.open(tmp_path / "stab.db")  # a second window in the same process
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]);"
            " c.execute('SELECT count(*) FROM journal_entry').fetchone(); c.close()",
            str(tmp_path / "stab.db"),
        ],
        check=True,
    )
    # The other process must have seen that the file is still in use.
    assert os.path.exists(str(tmp_path / "stab.db") + "-wal")
    first.close()
    second.close()
