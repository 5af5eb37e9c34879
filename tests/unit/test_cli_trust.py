"""Command line: --user login, account management, login log, backup and restore."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
from argon2 import PasswordHasher, profiles

from krisenstab.cli import main

PW = "Muster-Passwort-1"


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch):
    monkeypatch.setattr(
        "krisenstab.services.accounts.default_hasher",
        lambda: PasswordHasher.from_parameters(profiles.CHEAPEST),
    )


@pytest.fixture
def dbfile(tmp_path):
    return str(tmp_path / "stab.db")


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def with_admin(capsys, monkeypatch, dbfile, incident=True):
    if incident:
        run(capsys, "--db", dbfile, "incident", "new", "Hochwasser Muster")
    monkeypatch.setenv("KRISENSTAB_NEW_PASSWORD", PW)
    code, out, err = run(
        capsys, "--db", dbfile, "account", "add", "admin", "--role", "Administrator",
        "--name", "Erika Beispiel",
    )  # fmt: skip
    assert (code, out) == (0, "admin\n"), err
    monkeypatch.setenv("KRISENSTAB_PASSWORD", PW)


def test_first_admin_ends_the_open_mode_on_the_command_line(capsys, monkeypatch, dbfile):
    run(capsys, "--db", dbfile, "incident", "new", "Hochwasser Muster")
    code, out, _ = run(capsys, "--db", dbfile, "account", "list")
    assert code == 0 and "offener Einzelplatzbetrieb" in out
    monkeypatch.setenv("KRISENSTAB_NEW_PASSWORD", PW)
    code, _, err = run(capsys, "--db", dbfile, "account", "add", "moritz", "--role", "Leitung")
    assert code == 1 and "erste Konto muss ein Administrator" in err
    with_admin(capsys, monkeypatch, dbfile, incident=False)
    monkeypatch.delenv("KRISENSTAB_PASSWORD")
    # From now on: no login, no entry.
    code, _, err = run(
        capsys, "--db", dbfile, "journal", "add", "--author", "A", "--function", "S2", "x"
    )
    assert code == 1 and "--user" in err and err.count("\n") == 1
    monkeypatch.setenv("KRISENSTAB_PASSWORD", "falsch-falsch")
    code, _, err = run(
        capsys, "--db", dbfile, "--user", "admin", "journal", "add", "--function", "S2", "x"
    )
    assert code == 1 and "Anmeldename oder Passwort falsch" in err
    monkeypatch.setenv("KRISENSTAB_PASSWORD", PW)
    code, out, err = run(
        capsys, "--db", dbfile, "--user", "admin", "journal", "add", "--function", "S2",
        "Pegel Muster 3,20 m",
    )  # fmt: skip
    assert (code, out) == (0, "2\n"), err
    code, out, _ = run(capsys, "--db", dbfile, "journal", "list", "--json")
    assert json.loads(out)[1]["author"] == "Erika Beispiel"


def test_password_is_never_read_from_a_pipe(capsys, monkeypatch, dbfile):
    with_admin(capsys, monkeypatch, dbfile)
    monkeypatch.delenv("KRISENSTAB_PASSWORD")
    monkeypatch.setattr("sys.stdin.isatty", lambda: False, raising=False)
    code, _, err = run(capsys, "--db", dbfile, "--user", "admin", "account", "list")
    assert code == 1 and "KRISENSTAB_PASSWORD" in err


def test_accounts_and_login_log(capsys, monkeypatch, dbfile):
    with_admin(capsys, monkeypatch, dbfile)
    admin = ("--db", dbfile, "--user", "admin")
    code, _, err = run(
        capsys, *admin, "account", "add", "s2", "--role", "Stabsmitglied", "--functions", "S2,S3",
        "--name", "Moritz Muster",
    )  # fmt: skip
    assert code == 0, err
    code, _, _ = run(capsys, *admin, "account", "add", "gast", "--role", "nur-lesen")
    assert code == 0
    code, out, _ = run(capsys, *admin, "account", "list", "--json")
    accounts = {a["login"]: a for a in json.loads(out)}
    assert accounts["s2"]["functions"] == ["S2", "S3"]
    assert accounts["gast"]["roles"] == ["Nur-Lesen"]
    # Nur-Lesen writes nothing, a Stabsmitglied only in its functions.
    code, _, err = run(
        capsys, "--db", dbfile, "--user", "gast", "journal", "add", "--function", "S2", "x"
    )
    assert code == 1 and "Keine Berechtigung" in err
    code, _, err = run(
        capsys, "--db", dbfile, "--user", "s2", "journal", "add", "--function", "S4", "x"
    )
    assert code == 1 and "Funktion „S4“" in err
    code, _, err = run(capsys, "--db", dbfile, "--user", "s2", "account", "list")
    assert code == 1 and "Benutzerkonten verwalten" in err
    code, out, _ = run(capsys, *admin, "account", "disable", "s2")
    assert (code, out) == (0, "s2: deaktiviert\n")
    code, _, err = run(
        capsys, "--db", dbfile, "--user", "s2", "journal", "add", "--function", "S2", "x"
    )
    assert code == 1 and "deaktiviert" in err
    run(capsys, *admin, "account", "enable", "s2")
    # Own password: the current one is the login password.
    monkeypatch.setenv("KRISENSTAB_NEW_PASSWORD", "Neues-Muster-2")
    code, out, err = run(capsys, "--db", dbfile, "--user", "s2", "account", "passwd", "s2")
    assert code == 0, err
    code, _, _ = run(
        capsys, "--db", dbfile, "--user", "s2", "journal", "add", "--function", "S2", "x"
    )
    assert code == 1
    monkeypatch.setenv("KRISENSTAB_PASSWORD", "Neues-Muster-2")
    code, out, _ = run(
        capsys, "--db", dbfile, "--user", "s2", "journal", "add", "--function", "S3", "Lage"
    )
    assert (code, out) == (0, "2\n")
    monkeypatch.setenv("KRISENSTAB_PASSWORD", PW)
    code, out, _ = run(capsys, *admin, "login-log", "--json", "--login", "s2")
    events = [e["event"] for e in json.loads(out)]
    assert "Fehlversuch" in events and "Anmeldung" in events and "Passwort geändert" in events
    assert all(e["workstation_id"] for e in json.loads(out))
    code, out, _ = run(capsys, *admin, "login-log")
    assert code == 0 and "Konto deaktiviert durch Erika Beispiel" in out


def test_backup_restore_and_verify_against(capsys, monkeypatch, dbfile, tmp_path):
    run(capsys, "--db", dbfile, "incident", "new", "Hochwasser Muster")
    for i in range(5):
        run(capsys, "--db", dbfile, "journal", "add", "--author", "A", "--function", "S2", f"m{i}")
    stick = tmp_path / "stick"
    code, out, err = run(capsys, "--db", dbfile, "backup", "--to", str(stick), "--json")
    assert code == 0, err
    backup = json.loads(out)
    assert backup["file"].startswith(str(stick)) and backup["problems"] == []
    code, out, _ = run(capsys, "--db", dbfile, "backup-list", "--dir", str(stick))
    assert backup["file"] in out
    code, out, _ = run(capsys, "--db", dbfile, "verify", "--against", str(stick))
    assert code == 0 and "Sicherung" in out and "bestanden" in out
    # Checking the backup itself leaves it byte for byte as its manifest says.
    run(capsys, "--db", dbfile, "journal", "add", "--author", "A", "--function", "S2", "später")
    code, out, _ = run(capsys, "--db", backup["file"], "verify")
    assert code == 0 and "Sicherungskopie" in out
    assert hashlib.sha256(Path(backup["file"]).read_bytes()).hexdigest() == backup["sha256"]
    new = tmp_path / "neu.db"
    code, out, err = run(capsys, "restore", backup["file"], "--out", str(new), "--json")
    assert code == 0, err
    assert json.loads(out)["heads"]
    before = new.read_bytes()
    code, _, err = run(capsys, "restore", backup["file"], "--out", str(new))
    assert code == 1 and "gibt es schon" in err and err.count("\n") == 1
    assert new.read_bytes() == before
    code, out, _ = run(capsys, "restore", backup["file"], "--out", str(new), "--force")
    assert code == 0 and "bisherige Datei liegt jetzt unter" in out
    code, out, _ = run(capsys, "--db", str(new), "journal", "list", "--json")
    assert "wiederhergestellt" in json.loads(out)[-1]["text"]
    # The edited file is caught against the stick even when the chain was recomputed.
    with sqlite3.connect(dbfile) as conn:
        conn.execute("DROP TRIGGER journal_entry_no_update")
        conn.execute("UPDATE journal_entry SET text = 'x' WHERE number = 3")
    code, out, _ = run(capsys, "--db", dbfile, "verify", "--against", str(stick))
    assert code == 1 and "NICHT bestanden" in out
    code, _, err = run(capsys, "--db", dbfile, "verify", "--against", str(tmp_path / "fehlt"))
    assert code == 1 and "gibt es nicht" in err


def test_restore_with_accounts_needs_a_login(capsys, monkeypatch, dbfile, tmp_path):
    with_admin(capsys, monkeypatch, dbfile)
    stick = tmp_path / "stick"
    code, out, err = run(capsys, "--db", dbfile, "--user", "admin", "backup", "--to", str(stick))
    assert code == 0, err
    code, _, err = run(capsys, "restore", out.strip(), "--out", str(tmp_path / "neu.db"))
    assert code == 1 and "--user" in err
    assert not (tmp_path / "neu.db").exists()
    code, _, err = run(
        capsys, "--user", "admin", "restore", out.strip(), "--out", str(tmp_path / "neu.db")
    )
    assert code == 0, err
