"""Opening what is broken: a damaged file offers its newest good backup, restored as a new file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from test_gui_trust_support import ADMIN_LOGIN, ADMIN_PW, use_fast_accounts, with_accounts

from krisenstab.gui import app as gui_app
from krisenstab.gui import trust_startup
from krisenstab.gui.start_dialog import StartDialog
from krisenstab.gui.trust_login import LoginDialog
from krisenstab.gui.trust_startup import DamagedFileDialog, open_for_gui
from krisenstab.services.backup import BackupService
from krisenstab.services.incidents import IncidentService
from krisenstab.services.journal import JournalService
from krisenstab.store.database import Database


@pytest.fixture(autouse=True)
def fast_accounts(monkeypatch):
    use_fast_accounts(monkeypatch)


@pytest.fixture
def answers(monkeypatch):  # type: ignore[no-untyped-def]
    """Answers for DamagedFileDialog; what each one showed is recorded."""
    shown: list[dict[str, str | None]] = []
    queue: list[int] = []

    def ask(dialog: DamagedFileDialog) -> int:
        shown.append(
            {
                "restore": dialog.restore_button.text() if dialog.restore_button else None,
                "earlier": dialog.earlier_button.text() if dialog.earlier_button else None,
                "body": dialog.findChild(trust_startup.QLabel, "damagedBody").text(),
            }
        )
        return queue.pop(0) if queue else 0

    monkeypatch.setattr(trust_startup, "_ask", ask)
    return shown, queue


def file_with_backup(tmp_path: Path, settings, actor, journal_filler):  # type: ignore[no-untyped-def]
    """A file with 40 entries, a backup of it on the „stick“, one entry after it."""
    path = tmp_path / "stab.db"
    settings.backup_dir = str(tmp_path / "stick")
    settings.save()
    db = Database.open(path)
    incident = journal_filler(db, actor, entries=40)
    info = BackupService(db, settings=settings).backup_now()
    JournalService(db, actor).add(incident, "nach der Sicherung geschrieben")
    db.close()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path, incident, info


def damage(path: Path) -> bytes:
    """Overwrite pages in the middle of the file (a dying disk); returns the new bytes."""
    data = bytearray(path.read_bytes())
    data[8192 : 8192 + 4096] = b"\xa5" * 4096
    path.write_bytes(bytes(data))
    return bytes(data)


def test_damaged_file_offers_the_newest_good_backup_and_opens_the_new_file(
    qtbot, tmp_path, settings, actor, journal_filler, answers, fake_dialogs
) -> None:
    shown, queue = answers
    path, incident, info = file_with_backup(tmp_path, settings, actor, journal_filler)
    damaged_bytes = damage(path)
    queue.append(DamagedFileDialog.RESTORE)
    opened = open_for_gui(path, settings, quick_check=True)
    [dialog] = shown
    text = dialog["restore"]
    assert text is not None and text.startswith("Neueste gute Sicherung vom ")
    assert text.endswith(" wiederherstellen (als neue Datei)")
    assert "beschädigt" in dialog["body"] and "40 Einträge" in dialog["body"]
    assert opened is not None
    try:
        new = opened.db.path
        assert new.parent == path.parent and new.name.startswith("stab-wiederhergestellt-")
        texts = [e.text for e in JournalService(opened.db).list(incident)]
        assert len(texts) == 41
        assert "nach der Sicherung geschrieben" not in texts
        assert info.path.name in texts[-1]
        assert opened.restored_from == path
    finally:
        opened.db.close()
    # The damaged file stays as it was, for examination.
    assert path.read_bytes() == damaged_bytes
    assert "bleibt unverändert" in fake_dialogs.infos[-1][1]

    # Next start on the damaged file: the restored copy is offered to be opened.
    queue.append(DamagedFileDialog.OPEN_EARLIER)
    again = open_for_gui(path, settings, quick_check=True)
    assert again is not None and again.db.path == new
    assert shown[-1]["earlier"] == "Zuletzt wiederhergestellte Datei öffnen"
    again.db.close()


def test_cancelling_the_offer_opens_nothing(
    qtbot, tmp_path, settings, actor, journal_filler, answers
) -> None:
    path, _incident, _info = file_with_backup(tmp_path, settings, actor, journal_filler)
    damage(path)
    assert open_for_gui(path, settings, quick_check=True) is None
    assert list(path.parent.glob("*wiederhergestellt*")) == []


def test_destroyed_file_at_program_start_is_restored_and_opened(
    qtbot, tmp_path, settings, actor, journal_filler, answers, monkeypatch
) -> None:
    shown, queue = answers
    path, _incident, _info = file_with_backup(tmp_path, settings, actor, journal_filler)
    # Overwritten with zeros: not even a SQLite file any more, but backups of it exist.
    path.write_bytes(b"\x00" * 65536)
    queue.append(DamagedFileDialog.RESTORE)

    def accept(dialog: StartDialog) -> int:
        dialog.person_edit.setText("Max Mustermann")
        dialog.function_combo.setEditText("S2")
        dialog.accept()
        return StartDialog.DialogCode.Accepted

    seen = {}

    def fake_exec(self) -> int:  # type: ignore[no-untyped-def]
        window = next(w for w in QApplication.topLevelWidgets() if w.objectName() == "mainWindow")
        seen["path"] = window.shared.db.path
        seen["entries"] = window.shared.incident.entries
        return 0

    monkeypatch.setattr(StartDialog, "exec", accept)
    monkeypatch.setattr(QApplication, "exec", fake_exec)
    assert gui_app.run_gui(path) == 0
    assert len(shown) == 1
    assert seen["path"].name.startswith("stab-wiederhergestellt-")
    assert seen["entries"] == 41


def test_backup_with_accounts_asks_for_a_login_of_the_backup(
    qtbot, tmp_path, settings, actor, journal_filler, answers, monkeypatch
) -> None:
    _shown, queue = answers
    path = tmp_path / "konten.db"
    settings.backup_dir = str(tmp_path / "stick")
    db = Database.open(path)
    journal_filler(db, actor, entries=5)
    with_accounts(db, settings.workstation_id)
    BackupService(db, settings=settings).backup_now()
    db.close()
    path.write_bytes(b"\x00" * 65536)
    intros: list[str] = []

    def login(dialog: LoginDialog) -> int:
        intros.append(dialog.findChildren(trust_startup.QLabel)[0].text())
        dialog.login_edit.setText(ADMIN_LOGIN)
        dialog.password_edit.setText(ADMIN_PW)
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(LoginDialog, "exec", login)
    queue.append(DamagedFileDialog.RESTORE)
    opened = open_for_gui(path, settings)
    assert opened is not None
    try:
        # The login on the new file is pre-filled with the name just used.
        assert opened.login == ADMIN_LOGIN
        assert "Sicherung hat Benutzerkonten" in intros[0]
        incident = IncidentService(opened.db).list()[0]
        last = JournalService(opened.db).list(incident.id)[-1]
        assert last.author == "Erika Musteradmin" and "wiederhergestellt" in last.text
    finally:
        opened.db.close()


def test_foreign_file_gets_a_clear_message_and_no_offer(
    qtbot, tmp_path, settings, answers, fake_dialogs
) -> None:
    shown, _queue = answers
    path = tmp_path / "kunden.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE kunden (name TEXT)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    assert open_for_gui(path, settings) is None
    assert shown == []
    title, text = fake_dialogs.errors[-1]
    assert "Datenbank" in title
    assert "keine Krisenstab-Datenbank" in text and "nicht verändert" in text
    assert path.read_bytes() == before


def test_damage_found_after_start_offers_the_backup_and_reopens(
    qtbot, tmp_path, settings, actor, journal_filler, window_factory, answers, monkeypatch
) -> None:
    _shown, queue = answers
    path, _incident, _info = file_with_backup(tmp_path, settings, actor, journal_filler)
    db = Database.open(path)
    try:
        window = window_factory(db)
        # The quick check in the background finds damage (simulated: the file is fine).
        monkeypatch.setattr(db, "quick_check", lambda: ["*** in database main ***"])
        queue.append(DamagedFileDialog.RESTORE)
        gui_app._check_in_background(window, db)
        qtbot.waitUntil(lambda: window.trust.reopen_path is not None, timeout=15000)
        assert window.trust.reopen_path.name.startswith("stab-wiederhergestellt-")
        assert window.trust.reopen_path.exists()
        assert not window.isVisible()
    finally:
        window.shared.stop_polling()
        db.close()
