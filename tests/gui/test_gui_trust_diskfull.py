"""A full disk while writing: the entry stays in the editor, the message says why, retry works."""

from __future__ import annotations

from PySide6.QtCore import Qt
from sqlalchemy import event

from krisenstab.services.journal import JournalService
from krisenstab.store.errors import DiskFullError, translate_operational_error

BIG = "Lagemeldung Muster: " + "Sandsäcke, Pumpen, Pegel Düren. " * 300


def save(qtbot, editor) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClick(editor.text_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)


def test_disk_full_from_the_service_keeps_the_entry_for_a_retry(
    qtbot, window, db, incident_id, typer, monkeypatch
) -> None:
    tab = window.journal
    editor = tab.editor
    typer(editor.text_edit, "Pegel Jülich 1,95 m, steigend")
    editor.observed_edit.setText("14:05")
    before = JournalService(db).count(incident_id)
    real_add = JournalService.add
    full = translate_operational_error(Exception("database or disk is full"))
    assert isinstance(full, DiskFullError)

    def no_space(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise full

    monkeypatch.setattr(JournalService, "add", no_space)
    save(qtbot, editor)
    assert tab.message_bar.isVisible() and tab.message_bar.level == "error"
    assert "Datenträger ist voll" in tab.message_bar.text
    assert "bleibt im Editor" in tab.message_bar.text
    assert editor.text() == "Pegel Jülich 1,95 m, steigend"
    assert editor.observed_edit.text() == "14:05"
    assert editor.text_edit.hasFocus()
    assert JournalService(db).count(incident_id) == before

    # Space was freed: the same keys save it.
    monkeypatch.setattr(JournalService, "add", real_add)
    save(qtbot, editor)
    assert not tab.message_bar.isVisible()
    assert editor.text() == ""
    last = JournalService(db).list(incident_id)[-1]
    assert last.text == "Pegel Jülich 1,95 m, steigend" and last.number == before + 1


def test_a_really_full_file_keeps_the_entry_and_numbers_stay_gapless(
    qtbot, window, db, incident_id, typer
) -> None:
    tab = window.journal
    editor = tab.editor
    with db.session() as session:
        pages = session.connection().exec_driver_sql("PRAGMA page_count").scalar()

    def cap(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        # SQLite answers SQLITE_FULL beyond this size, as on a full disk.
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages + 2}")

    db.engine.dispose()
    event.listen(db.engine, "connect", cap)
    try:
        before = JournalService(db).count(incident_id)
        editor.text_edit.setPlainText(BIG)
        save(qtbot, editor)
        assert "Datenträger ist voll" in tab.message_bar.text
        assert editor.text() == BIG
        assert JournalService(db).count(incident_id) == before
    finally:
        event.remove(db.engine, "connect", cap)
        db.engine.dispose()
    save(qtbot, editor)
    assert editor.text() == "" and not tab.message_bar.isVisible()
    numbers = JournalService(db).numbers(incident_id)
    assert numbers == list(range(1, before + 2))
    assert JournalService(db).verify().ok
