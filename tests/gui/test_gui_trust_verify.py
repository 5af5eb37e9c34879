"""Datei → Prüfen …: runs in a worker and says in German what it found."""

from __future__ import annotations

import sqlite3
import threading

from krisenstab.gui import trust_verify
from krisenstab.gui.trust_verify import VerifyDialog, describe, run_verification
from krisenstab.services.backup import BackupService
from krisenstab.store.database import Database


def run_dialog(qtbot, window) -> VerifyDialog:  # type: ignore[no-untyped-def]
    dialog = window.trust.show_verify_dialog()
    qtbot.waitUntil(lambda: not dialog.running, timeout=15000)
    return dialog


def test_an_intact_file_passes_and_names_its_anchors(
    qtbot, window, db, incident_id, tmp_path, monkeypatch
) -> None:
    window.shared.settings.backup_dir = str(tmp_path / "stick")
    BackupService(db, settings=window.shared.settings).backup_now()
    threads: list[str] = []
    real = trust_verify.run_verification

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        threads.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(trust_verify, "run_verification", spy)
    dialog = run_dialog(qtbot, window)
    assert threads == ["krisenstab-verify"]
    assert dialog.outcome is not None and dialog.outcome.ok
    text = dialog.result_view.toPlainText()
    assert "Prüfung bestanden" in text
    assert "Muster-Hochwasser" in text and "intakt" in text
    assert "vollständig vorhanden" in text
    assert "Sicherung" in text and "Kettenstände verglichen" in text
    assert dialog.again_button.isEnabled()
    dialog.close()


def test_an_edited_entry_is_named_with_its_number(qtbot, window, db, incident_id) -> None:
    conn = sqlite3.connect(db.path, isolation_level=None)
    try:
        conn.execute("DROP TRIGGER IF EXISTS journal_entry_no_update")
        conn.execute(
            "UPDATE journal_entry SET text = 'Pegel Düren 0,50 m' WHERE incident_id = ? "
            "AND number = 4",
            (incident_id,),
        )
    finally:
        conn.close()
    dialog = run_dialog(qtbot, window)
    assert dialog.outcome is not None and not dialog.outcome.ok
    text = dialog.result_view.toPlainText()
    assert "Prüfung NICHT bestanden" in text
    assert "Erster veränderter Eintrag: Nr. 4." in text
    assert "VERÄNDERT ab Nr. 4" in text
    assert "Es fehlen: journal_entry_no_update" in text
    dialog.close()


def test_markup_in_titles_is_shown_as_text(tmp_path, actor, journal_filler) -> None:
    db = Database.open(tmp_path / "stab.db")
    journal_filler(db, actor, title="<b>Muster</b> & <img src=x>")
    outcome = run_verification(db.path, [], read_only=False)
    db.close()
    html = describe(outcome)
    assert "&lt;b&gt;Muster&lt;/b&gt; &amp; &lt;img src=x&gt;" in html
    assert "<img" not in html
    assert "Keine Kettenstände außerhalb der Datei" in html or "Kettenstände verglichen" in html
