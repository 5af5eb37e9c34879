"""Tamper evidence: the chain shows edits, deletions, reordering and dropped triggers;
heads kept outside the file show a chain that was recomputed after an edit."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from argon2 import PasswordHasher, profiles
from helpers import journal, new_db, new_incident
from sqlalchemy import select, text

from krisenstab.cli import main
from krisenstab.domain.journal import GENESIS_HASH, HASHED_FIELDS, JournalEntry, chain_hash
from krisenstab.services.accounts import AccountService
from krisenstab.services.backup import BackupService
from krisenstab.services.verification import verify_database
from krisenstab.store.anchors import AnchorLog, anchor_path, current_heads, record_anchor
from krisenstab.store.database import Database
from krisenstab.store.schema import install_sqlite_extras

N = 12


@pytest.fixture
def stab(tmp_path):
    db = new_db(tmp_path)
    inc = new_incident(db)
    jr = journal(db)
    for i in range(N - 1):
        jr.add(inc, f"Meldung {i}: Pegel Muster {i / 10:.1f} m")
    path = tmp_path / "stab.db"
    db.close()
    return path, inc


def raw(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("DROP TRIGGER IF EXISTS journal_entry_no_update")
    conn.execute("DROP TRIGGER IF EXISTS journal_entry_no_delete")
    return conn


def restore_triggers(path: Path) -> None:
    """What a careful forger does after editing: put the guards back."""
    db = Database.open(path, quick_check=False)
    with db.write() as session:
        install_sqlite_extras(session.connection())
    db.close()


def recompute_after_edit(path: Path, incident_id: str, number: int, new_text: str) -> None:
    """Edit one entry and recompute every hash after it with the program's own functions."""
    conn = raw(path)
    conn.execute(
        "UPDATE journal_entry SET text = ? WHERE incident_id = ? AND number = ?",
        (new_text, incident_id, number),
    )
    conn.close()
    db = Database.open(path, quick_check=False)
    with db.session() as session:
        rows = session.execute(
            select(JournalEntry)
            .where(JournalEntry.incident_id == incident_id)
            .order_by(JournalEntry.number)
        ).scalars()
        fixed = []
        prev = GENESIS_HASH
        for row in rows:
            values = {name: getattr(row, name) for name in HASHED_FIELDS}
            digest = chain_hash(prev, values)
            fixed.append((prev, digest, row.id))
            prev = digest
    db.close()
    conn = raw(path)
    conn.executemany("UPDATE journal_entry SET prev_hash = ?, hash = ? WHERE id = ?", fixed)
    conn.close()
    restore_triggers(path)


def check(path: Path, **kw):
    db = Database.open(path, quick_check=False)
    try:
        return verify_database(db, **kw)
    finally:
        db.close()


def test_untouched_file_passes_against_its_anchors(stab):
    path, _inc = stab
    report = check(path)
    assert report.ok and report.anchors_checked == N
    assert "Ankerprotokoll" in report.anchor_sources[0]


def test_edited_text_is_found_by_the_chain(stab):
    path, _inc = stab
    raw(path).execute("UPDATE journal_entry SET text = 'gefälscht' WHERE number = 5")
    restore_triggers(path)
    report = check(path, use_anchor_log=False)
    assert not report.ok and report.first_bad == 5
    assert "verändert" in report.chains[0].reason


def test_deleted_row_is_found_by_the_chain(stab):
    path, _inc = stab
    raw(path).execute("DELETE FROM journal_entry WHERE number = 7")
    restore_triggers(path)
    report = check(path, use_anchor_log=False)
    assert not report.ok and report.first_bad == 7
    assert "fehlt" in report.chains[0].reason


def test_reordered_rows_are_found_by_the_chain(stab):
    path, _inc = stab
    conn = raw(path)
    conn.execute("UPDATE journal_entry SET number = -1 WHERE number = 4")
    conn.execute("UPDATE journal_entry SET number = 4 WHERE number = 6")
    conn.execute("UPDATE journal_entry SET number = 6 WHERE number = -1")
    conn.close()
    restore_triggers(path)
    report = check(path, use_anchor_log=False)
    assert not report.ok and report.first_bad == 4


def test_dropped_triggers_are_reported(stab):
    path, _ = stab
    conn = raw(path)
    conn.execute("DROP TRIGGER account_event_no_delete")
    conn.close()
    report = check(path)
    assert not report.ok
    assert set(report.missing_triggers) == {
        "journal_entry_no_update",
        "journal_entry_no_delete",
        "account_event_no_delete",
    }


def test_recomputed_chain_is_caught_only_by_the_anchors(stab):
    path, inc = stab
    recompute_after_edit(path, inc, 5, "Pegel Muster 1,0 m (geschönt)")
    # On its own the chain looks perfect, and every trigger is back.
    alone = check(path, use_anchor_log=False)
    assert alone.ok and alone.anchors_checked == 0
    # The workstation's anchor log knows the old heads.
    report = check(path)
    assert not report.ok
    assert report.first_bad == 5
    assert "neu berechnet" in report.chains[0].reason and "Nr. 5" in report.chains[0].reason
    assert report.findings[0].mismatches == N - 4


def test_recomputed_chain_against_backup_manifests(stab, tmp_path):
    path, inc = stab
    db = Database.open(path)
    BackupService(db, folder=tmp_path / "stick").backup_now()
    for i in range(3):
        journal(db).add(inc, f"nach der Sicherung {i}")
    db.close()
    recompute_after_edit(path, inc, 3, "nachträglich geändert")
    report = check(path, use_anchor_log=False, against=[tmp_path / "stick"])
    assert not report.ok
    assert report.first_bad == 1  # only the backup's head is known: somewhere in 1..12
    assert "zwischen Nr. 1 und Nr. 12" in report.chains[0].reason
    assert "Sicherung" in report.anchor_sources[0]
    # The CLI form.
    code = main(["--db", str(path), "verify", "--no-anchors", "--against", str(tmp_path / "stick")])
    assert code == 1


def test_cut_off_tail_is_caught_by_the_anchors(stab):
    path, _inc = stab
    conn = raw(path)
    conn.execute("DELETE FROM journal_entry WHERE number > 9")
    conn.close()
    restore_triggers(path)
    assert check(path, use_anchor_log=False).ok
    report = check(path)
    assert not report.ok and report.first_bad == 10
    assert "fehlt in der Datei" in report.chains[0].reason


def test_heads_of_released_reports_are_anchors(stab, tmp_path, monkeypatch):
    path, inc = stab
    db = Database.open(path)
    with db.session() as session:
        number, head = current_heads(session)[inc]
    db_id = db.db_id
    db.close()
    # The report colleague records the head printed on a released report.
    folder = tmp_path / "berichte"
    record_anchor(db_id, inc, number, head, "Lagebericht Nr. 1", folder=folder)
    anchor_path(db_id).unlink()  # the workstation's own log is gone
    recompute_after_edit(path, inc, 2, "anders")
    report = check(path, against=[folder])
    assert not report.ok and report.first_bad == 1
    assert "Lagebericht Nr. 1" in report.chains[0].reason
    # Or handed in directly as extra anchors.
    anchors, _ = AnchorLog.for_db(db_id, folder).read()
    assert not check(path, use_anchor_log=False, extra_anchors=anchors).ok


def test_removed_accounts_are_noticed(stab):
    path, _ = stab
    db = Database.open(path)
    AccountService(db, hasher=PasswordHasher.from_parameters(profiles.CHEAPEST)).create_first_admin(
        "admin", "Erika Beispiel", "Muster-Passwort-1", workstation_id="ws"
    )
    db.close()
    conn = sqlite3.connect(path, isolation_level=None)
    for trigger in ("meta_accounts_no_delete", "account_no_delete"):
        conn.execute(f"DROP TRIGGER {trigger}")
    conn.execute("DELETE FROM account")
    conn.execute("DELETE FROM meta WHERE key = 'accounts'")
    conn.close()
    restore_triggers(path)
    db = Database.open(path)
    assert AccountService(db).open_mode()  # the file alone would let anyone in again
    db.close()
    report = check(path)
    assert not report.ok
    assert any("Benutzerkonten" in p for p in report.problems)


def test_garbled_anchor_log_is_reported_not_fatal(stab):
    path, _ = stab
    db = Database.open(path)
    log = anchor_path(db.db_id)
    db.close()
    with log.open("a", encoding="utf-8") as fh:
        fh.write('{"v":1,"k":"head","i":"x","n":"keine Zahl"\n')
    report = check(path)
    assert not report.ok and "unlesbar" in report.problems[0]


def test_verify_json_names_the_sources(stab, capsys):
    path, _ = stab
    code = main(["--db", str(path), "verify", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["anchors_checked"] == N and out["ok"] is True


def test_anchor_writes_follow_commits_only(tmp_path):
    db = new_db(tmp_path)
    inc = new_incident(db)
    with pytest.raises(RuntimeError), db.write() as session:
        from helpers import S2

        from krisenstab.services.journal import write_entry

        write_entry(session, inc, S2, "wird zurückgerollt")
        raise RuntimeError("abgebrochen")
    anchors, _ = AnchorLog.for_db(db.db_id).read()
    assert [a.number for a in anchors] == [1]
    with db.session() as session:
        assert session.execute(text("SELECT count(*) FROM journal_entry")).scalar() == 1
