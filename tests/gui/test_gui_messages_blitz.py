"""The Blitz banner: in front of the work at once, non-modal, gone after the receipt."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from krisenstab.services.context import Actor
from krisenstab.services.messages import MessageService
from krisenstab.store.database import Database

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def _blitz(db, actor, incident_id: str, to=("S2", "S3")):  # type: ignore[no-untyped-def]
    desk = Actor(person="Ben Musterberg", function="Fernmelder", workstation_id="andere-station")
    return MessageService(db, desk).record_incoming(
        incident_id,
        sender="Leitstelle Kreis Düren (Muster)",
        content="Deichbruch droht in Linnich-Ost (Muster): Evakuierung vorbereiten!",
        to_functions=to,
        priority="blitz",
        channel="Funk",
    )


def test_blitz_appears_over_the_work_and_goes_with_the_receipt(qtbot, window, db, actor) -> None:
    incident = window.shared.incident_id
    window.start_watchers()
    overlay = window.blitz_overlay
    assert not overlay.isVisible()
    editor = window.journal.editor.text_edit
    editor.setFocus()

    message = _blitz(db, actor, incident)
    with qtbot.waitSignal(overlay.blitz_changed, timeout=1000):
        window.shared.signals.journal_changed.emit(incident)
    assert overlay.isVisible()
    assert "BLITZ E-1 an S2" in overlay.title_label.text()
    assert "Deichbruch droht" in overlay.text_label.text()
    # Docked above the tabs: in front of whatever tab is shown.
    top = overlay.mapTo(window, overlay.rect().topLeft()).y()
    assert top < window.tabs.mapTo(window, window.tabs.rect().topLeft()).y()
    window.show_tab("staff")
    assert overlay.isVisible()
    # Not modal, focus never taken: typing goes on.
    assert QApplication.activeModalWidget() is None
    window.show_tab("journal")
    editor.setFocus()
    qtbot.keyClicks(editor, "Weiter")
    assert editor.toPlainText() == "Weiter"
    assert editor.hasFocus()
    # The Nachrichten tab shows it waits.
    index = next(
        i for i in range(window.tabs.count()) if window.tabs.widget(i).spec.key == "messages"
    )
    assert window.tabs.tabText(index) == "Nachrichten (1 offen)"

    qtbot.keyClick(editor, Qt.Key.Key_B, CTRL_SHIFT)
    view = MessageService(db).get(message.id)
    assert view.acknowledged_by == ("S2",)
    assert not overlay.isVisible()
    assert window.tabs.tabText(index) == "Nachrichten"
    assert editor.toPlainText() == "Weiter"  # nothing typed was lost
    assert "Blitz E-1 quittiert" in window.statusBar().currentMessage()


def test_blitz_written_by_another_workstation_is_found_by_polling(
    qtbot, window, db, actor, tmp_path
) -> None:
    incident = window.shared.incident_id
    window.start_watchers()
    overlay = window.blitz_overlay
    # Another program on the same file: a second connection, no signal here.
    other = Database.open(db.path)
    try:
        _blitz(other, actor, incident, to=("S2",))
    finally:
        other.close()
    qtbot.waitUntil(overlay.isVisible, timeout=5000)
    assert overlay.pending and overlay.pending[0].number == "E-1"

    assert overlay.acknowledge()
    assert not overlay.isVisible()


def test_blitz_for_another_function_stays_away_and_follows_the_actor(
    qtbot, window, db, actor
) -> None:
    incident = window.shared.incident_id
    window.start_watchers()
    overlay = window.blitz_overlay
    _blitz(db, actor, incident, to=("S4",))
    overlay.check()
    assert not overlay.isVisible()
    window.shared.set_actor(
        Actor(person="Tim Muster", function="S4", workstation_id=actor.workstation_id)
    )
    assert overlay.isVisible()
    assert "an S4" in overlay.title_label.text()
    assert "Quittieren als S4" in overlay.ack_button.text()
    overlay.ack_button.click()
    assert not overlay.isVisible()


def test_several_blitz_messages_are_shown_one_after_the_other(qtbot, window, db, actor) -> None:
    incident = window.shared.incident_id
    window.start_watchers()
    overlay = window.blitz_overlay
    _blitz(db, actor, incident, to=("S2",))
    _blitz(db, actor, incident, to=("S2",))
    overlay.check()
    assert "E-1" in overlay.title_label.text()
    assert overlay.more_label.isVisible() and "+ 1 weitere" in overlay.more_label.text()
    overlay.acknowledge()
    assert overlay.isVisible() and "E-2" in overlay.title_label.text()
    assert not overlay.more_label.isVisible()
    overlay.open_in_tab()
    tab = window.current_tab()
    assert tab is window.tab("messages")
    assert tab.form.message is not None and tab.form.message.number == "E-2"
    overlay.acknowledge()
    assert not overlay.isVisible()
