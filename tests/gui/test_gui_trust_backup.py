"""Backups in the GUI: the worker, the status line, report releases, the dialog, restoring."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from test_gui_trust_support import use_fast_accounts, with_accounts

from krisenstab.gui import trust_backup, trust_common
from krisenstab.gui.trust_backup import BackupDialog, restored_path_for
from krisenstab.gui.trust_startup import open_for_gui
from krisenstab.services.backup import BackupService
from krisenstab.services.journal import JournalService
from krisenstab.store.backup import verify_backup
from krisenstab.store.database import Database


@pytest.fixture(autouse=True)
def fast_accounts(monkeypatch):
    use_fast_accounts(monkeypatch)


@pytest.fixture
def stick(tmp_path: Path) -> Path:
    return tmp_path / "stick"


def wait_idle(qtbot, controller) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: not controller.running, timeout=15000)


def test_backup_now_runs_in_a_worker_and_writes_a_verified_backup(
    qtbot, window, db, incident_id, stick, monkeypatch
) -> None:
    threads: list[str] = []
    real = BackupService.backup_now

    def spy(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        threads.append(threading.current_thread().name)
        # The worker has a Database of its own, never the window's.
        assert self.db is not db
        return real(self, *args, **kwargs)

    monkeypatch.setattr(BackupService, "backup_now", spy)
    monkeypatch.setattr(trust_backup, "same_medium", lambda a, b: False)
    controller = window.trust.backup
    window.shared.settings.backup_dir = str(stick)
    assert controller.backup_now(window.shared.actor)
    assert controller.running
    assert window.trust.backup_label.text() == "Sicherung läuft …"
    wait_idle(qtbot, controller)
    assert threads == ["krisenstab-backup"]
    info = controller.last_info
    assert info is not None and info.path.parent == stick
    assert verify_backup(info).ok
    head = JournalService(db).chain_head(incident_id)
    assert info.manifest.heads[incident_id].hash == head
    assert info.manifest.reason == "von Hand"
    assert window.trust.backup_label.text().startswith("Gesichert ")
    assert window.trust.backup_label.styleSheet() == ""
    assert "Sicherung gespeichert und geprüft" in window.statusBar().currentMessage()
    assert controller.scheduler.seconds_until_due() > 4 * 60


def test_report_release_from_any_thread_triggers_a_backup(
    qtbot, window, db, incident_id, stick
) -> None:
    window.shared.settings.backup_dir = str(stick)
    scheduler = window.backup_scheduler
    assert scheduler.scheduler is window.trust.backup.scheduler
    assert scheduler.seconds_until_due() > 30
    thread = threading.Thread(target=scheduler.report_released)
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: window.trust.backup.last_info is not None, timeout=15000)
    assert window.trust.backup.last_info.manifest.reason == "Lagebericht freigegeben"


def test_same_medium_and_failures_are_shown(qtbot, window, tmp_path) -> None:
    trust = window.trust
    controller = trust.backup
    # No folder chosen: the default lies on the same disk as the database here.
    assert controller.uses_default_folder() and controller.on_same_medium()
    assert "Datenträger!" in trust.backup_label.text()
    assert "#B78A00" in trust.backup_label.styleSheet()
    # A pulled stick: the folder is not usable.
    blocker = tmp_path / "kein-ordner"
    blocker.write_text("eine Datei, kein Ordner", encoding="utf-8")
    window.shared.settings.backup_dir = str(blocker / "sicherungen")
    controller.backup_now()
    wait_idle(qtbot, controller)
    assert controller.scheduler.failures == 1
    assert trust.backup_label.text() == "Sicherung fehlgeschlagen (1×)"
    assert "#C62828" in trust.backup_label.styleSheet()
    assert "Letzter Fehler" in trust.backup_label.toolTip()
    assert "Sicherung fehlgeschlagen" in window.statusBar().currentMessage()
    # It tries again within a minute.
    assert controller.scheduler.seconds_until_due() <= 60


def test_backup_dialog_lists_and_restores_into_a_new_file(
    qtbot, window, db, incident_id, stick, monkeypatch, fake_dialogs
) -> None:
    window.shared.settings.backup_dir = str(stick)
    controller = window.trust.backup
    dialog = window.trust.show_backup_dialog()
    qtbot.waitExposed(dialog)
    assert isinstance(dialog, BackupDialog)
    assert dialog.folder_label.text() == str(stick)
    assert dialog.table.rowCount() == 0 and not dialog.restore_button.isEnabled()
    qtbot.mouseClick(dialog.now_button, Qt.MouseButton.LeftButton)
    assert not dialog.now_button.isEnabled()
    wait_idle(qtbot, controller)
    assert dialog.table.rowCount() == 1
    assert dialog.table.item(0, 1).text() == "von Hand"
    assert dialog.table.item(0, 3).text() == "10"
    assert dialog.restore_button.isEnabled()

    JournalService(db, window.shared.actor).add(incident_id, "nach der Sicherung")
    open_bytes = db.path.stat().st_size
    target = db.path.parent / "zurueck.db"
    offered: list[str] = []

    def choose(parent, title, suggested):  # type: ignore[no-untyped-def]
        offered.append(suggested)
        return str(target)

    monkeypatch.setattr(trust_common, "choose_new_file", choose)
    reopened: list[Path] = []
    dialog.on_open = reopened.append
    fake_dialogs.confirms.append(True)
    dialog.restore_selected()
    assert Path(offered[0]).name.startswith("etb-wiederhergestellt-")
    assert target.exists() and reopened == [target]
    assert "Die neue Datei jetzt öffnen?" in fake_dialogs.confirmed[-1][1]
    restored = Database.open(target, create=False)
    try:
        texts = [e.text for e in JournalService(restored).list(incident_id)]
    finally:
        restored.close()
    assert "nach der Sicherung" not in texts
    assert "wiederhergestellt" in texts[-1]
    # The open file was not touched.
    assert db.path.stat().st_size >= open_bytes
    assert JournalService(db).count(incident_id) == 11

    # Never over the open file, never over an existing one.
    for refused in (db.path, target):
        monkeypatch.setattr(trust_common, "choose_new_file", lambda *a, r=refused: str(r))
        dialog.restore_selected()
        assert "überschrieben" in fake_dialogs.errors[-1][1]
    dialog.close()


def test_restore_then_open_reopens_the_program_on_the_new_file(
    qtbot, window, db, incident_id, stick, monkeypatch, fake_dialogs
) -> None:
    info = BackupService(db, folder=stick).backup_now()
    target = db.path.parent / "neu.db"
    monkeypatch.setattr(trust_common, "choose_new_file", lambda *a: str(target))
    fake_dialogs.confirms.append(True)
    trust_backup.restore_interactively(
        window,
        window.shared.settings,
        info,
        window.shared.actor,
        db.path,
        window.trust.request_reopen,
    )
    assert window.trust.reopen_path == target
    assert not window.isVisible()


def test_restore_of_a_backup_with_accounts_uses_the_current_login(
    qtbot, db, settings, incident_id, window_factory, stick, monkeypatch, fake_dialogs
) -> None:
    admin = with_accounts(db, settings.workstation_id)
    window = window_factory(db, admin)
    info = BackupService(db, folder=stick).backup_now(admin)
    target = db.path.parent / "konten-zurueck.db"
    monkeypatch.setattr(trust_common, "choose_new_file", lambda *a: str(target))
    monkeypatch.setattr(trust_backup.QDialog, "exec", lambda self: pytest.fail("no login expected"))
    result = trust_backup.restore_interactively(window, settings, info, admin, db.path, None)
    assert result is not None and result.path == target
    assert "wiederhergestellt" in fake_dialogs.infos[-1][1]


def test_read_only_medium_opens_read_only_with_a_banner(
    qtbot, tmp_path, actor, settings, journal_filler, window_factory, monkeypatch
) -> None:
    path = tmp_path / "cd" / "nur-lesen.db"
    writable = Database.open(path)
    journal_filler(writable, actor, entries=3)
    writable.close()
    real_access = os.access

    def medium_read_only(p, mode, *args, **kwargs):  # type: ignore[no-untyped-def]
        # A mounted read-only medium: even root cannot write there.
        if mode & os.W_OK and str(p).startswith(str(path.parent)):
            return False
        return real_access(p, mode, *args, **kwargs)

    monkeypatch.setattr(os, "access", medium_read_only)
    opened = open_for_gui(path, settings)
    assert opened is not None and opened.db.read_only
    db = opened.db
    try:
        window = window_factory(db)
        banner = window.trust.banner
        assert banner is not None and banner.isVisible()
        assert banner.text().startswith("Schreibgeschützt – nur Lesen.")
        assert "schreibgeschützten Datenträger" in banner.text()
        assert window.mode_label.isVisible()
        assert "schreibgeschützt" in window.windowTitle()
        assert not window.trust.backup.enabled
        assert window.trust.backup_label.text() == "Keine Sicherung (schreibgeschützt)"
        assert not window.trust.backup.backup_now()
        assert window.journal.editor.is_read_only
        assert window.journal.model.rowCount() == 3
    finally:
        window.shared.stop_polling()
        db.close()


def test_a_backup_copy_opens_read_only_and_says_so(
    qtbot, db, settings, incident_id, stick, window_factory
) -> None:
    info = BackupService(db, folder=stick).backup_now()
    before = info.path.read_bytes()
    opened = open_for_gui(info.path, settings)
    assert opened is not None and opened.db.read_only
    try:
        window = window_factory(opened.db)
        assert "Sicherungskopie" in window.trust.banner.text()
        window.shared.stop_polling()
    finally:
        opened.db.close()
    # Still byte for byte what its manifest describes.
    assert info.path.read_bytes() == before and verify_backup(info).ok


def test_restored_file_names_never_collide(tmp_path) -> None:
    source = tmp_path / "stab.db"
    first = restored_path_for(source)
    first.write_bytes(b"")
    second = restored_path_for(source)
    assert first != second and second.name.startswith("stab-wiederhergestellt-")
    assert trust_backup.earlier_restores(source) == [first]
