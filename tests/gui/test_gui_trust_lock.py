"""The screen lock: covers the window, keeps a half-written entry, unlocks with the password."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QObject, QPoint, Qt, Signal
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QVBoxLayout
from test_gui_trust_support import (
    STAFF_LOGIN,
    STAFF_PW,
    events,
    staff_actor,
    use_fast_accounts,
    with_accounts,
)

from krisenstab.gui import trust_common
from krisenstab.gui.trust_lock import LockCover, LockPrompt
from krisenstab.services.journal import JournalService


@pytest.fixture(autouse=True)
def fast_accounts(monkeypatch):
    use_fast_accounts(monkeypatch)


@pytest.fixture
def staff_window(db, settings, incident_id, window_factory):  # type: ignore[no-untyped-def]
    admin = with_accounts(db, settings.workstation_id)
    window = window_factory(db, staff_actor(db, settings.workstation_id))
    window.admin = admin
    return window


def covers(window) -> list[LockCover]:  # type: ignore[no-untyped-def]
    return [c for c in window.findChildren(LockCover) if c.isVisible()]


def test_lock_keeps_the_half_written_entry_and_unlocks(
    qtbot, staff_window, db, incident_id, typer
) -> None:
    window = staff_window
    lock = window.trust.lock
    editor = window.journal.editor
    typer(editor.text_edit, "Pegel Düren 2,40 m, steigt weiter")
    entries = JournalService(db).count(incident_id)
    window.trust.lock_action.trigger()
    assert lock.locked
    [cover] = covers(window)
    # The whole window, menu and status bar included, is covered; nothing was closed.
    assert cover.geometry() == window.rect()
    assert editor.isVisible() and editor.text() == "Pegel Düren 2,40 m, steigt weiter"
    panel = cover.panel
    assert panel is not None and not panel.open_mode
    assert panel.password_edit.hasFocus()
    assert "Max Beispiel (S2)" in panel.info_label.text()

    # Typing blind reaches nothing below, and Ctrl+Return saves nothing.
    qtbot.keyClicks(editor.text_edit, "xyz")
    qtbot.keyClick(editor.text_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert editor.text() == "Pegel Düren 2,40 m, steigt weiter"
    assert JournalService(db).count(incident_id) == entries
    # Nor do window shortcuts (Ctrl+2: another tab).
    tab = window.tabs.currentIndex()
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentIndex() == tab
    # Tab stays inside the form.
    for _ in range(3):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        assert QApplication.focusWidget() in (panel.password_edit, panel.unlock_button)

    panel.password_edit.setFocus()
    qtbot.keyClicks(panel.password_edit, "falsch-falsch")
    qtbot.keyClick(panel.password_edit, Qt.Key.Key_Return)
    assert lock.locked and "Passwort ist falsch" in panel.message_label.text()
    assert panel.password_edit.text() == ""

    qtbot.keyClicks(panel.password_edit, STAFF_PW)
    qtbot.keyClick(panel.password_edit, Qt.Key.Key_Return)
    assert not lock.locked
    assert covers(window) == []
    assert editor.text() == "Pegel Düren 2,40 m, steigt weiter"
    qtbot.waitUntil(lambda: editor.text_edit.hasFocus())
    # The entry is still the user's to finish and save.
    qtbot.keyClick(editor.text_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert JournalService(db).count(incident_id) == entries + 1
    log = [e for _login, e in events(db, window.admin)]
    assert log[-3:] == ["Bildschirm gesperrt", "Fehlversuch", "Entsperrt"]


def test_inactivity_locks_and_input_postpones_it(qtbot, staff_window) -> None:
    window = staff_window
    lock = window.trust.lock
    assert lock.timeout_ms == 15 * 60_000 and lock.armed
    lock.set_timeout_ms(400)
    editor = window.journal.editor.text_edit
    for _ in range(6):
        qtbot.wait(150)
        qtbot.keyClick(editor, Qt.Key.Key_A)
    assert not lock.locked
    qtbot.waitUntil(lambda: lock.locked, timeout=3000)
    assert covers(window)


def test_zero_minutes_switch_the_timer_off(qtbot, staff_window) -> None:
    lock = staff_window.trust.lock
    lock.set_timeout_minutes(0)
    assert not lock.armed
    qtbot.keyClick(staff_window.journal.editor.text_edit, Qt.Key.Key_A)
    assert not lock.armed and not lock.locked


def test_throttled_unlock_counts_down(qtbot, staff_window) -> None:
    # Logged in through the login dialog: the name is known, the fifth failure counts down.
    trust_common.remember_login(staff_window.shared.actor.account, STAFF_LOGIN)
    lock = staff_window.trust.lock
    lock.lock()
    panel = covers(staff_window)[0].panel
    for _ in range(4):
        assert not lock.try_unlock("falsch-falsch")
        assert not panel.countdown.active
    assert not lock.try_unlock("falsch-falsch")
    assert panel.countdown.active and lock.locked
    assert not panel.unlock_button.isEnabled() and not panel.password_edit.isEnabled()
    assert "Nächster Versuch in" in panel.message_label.text()


def test_throttled_unlock_of_an_unknown_name_counts_down_on_the_next_try(
    qtbot, staff_window
) -> None:
    lock = staff_window.trust.lock
    lock.lock()
    panel = covers(staff_window)[0].panel
    for _ in range(5):
        lock.try_unlock("falsch-falsch")
        assert not panel.countdown.active
    # Even the right password is refused while the service makes the name wait.
    assert not lock.try_unlock(STAFF_PW)
    assert panel.countdown.active and lock.locked


def test_open_mode_only_covers_the_screen(qtbot, db, incident_id, window_factory, typer) -> None:
    window = window_factory(db)
    assert window.trust.open_mode
    typer(window.journal.editor.text_edit, "Vermerk in Arbeit")
    window.trust.lock.lock()
    [cover] = covers(window)
    assert cover.panel.open_mode and not cover.panel.password_edit.isVisible()
    assert "schützt das nicht" in cover.panel.info_label.text()
    qtbot.mouseClick(cover, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    assert not window.trust.lock.locked
    assert window.journal.editor.text() == "Vermerk in Arbeit"
    # Enter works as well.
    window.trust.lock.lock()
    panel = covers(window)[0].panel
    assert panel.unlock_button.hasFocus()
    qtbot.keyClick(panel.unlock_button, Qt.Key.Key_Space)
    assert not window.trust.lock.locked


def test_a_modal_dialog_gets_covered_and_the_form_comes_on_top(qtbot, staff_window) -> None:
    window = staff_window
    dialog = QDialog(window)
    dialog.setModal(True)
    field = QLineEdit("halb geschrieben", dialog)
    QVBoxLayout(dialog).addWidget(field)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert QApplication.activeModalWidget() is dialog
    window.trust.lock.lock()
    prompt = window.findChild(LockPrompt) or dialog.findChild(LockPrompt)
    assert prompt is not None and prompt.isVisible()
    assert [c for c in dialog.findChildren(LockCover) if c.isVisible()]
    assert covers(window)[0].panel is None
    # Esc does not unlock.
    qtbot.keyClick(prompt.panel.password_edit, Qt.Key.Key_Escape)
    assert window.trust.lock.locked and prompt.isVisible()
    prompt.panel.password_edit.setText(STAFF_PW)
    qtbot.keyClick(prompt.panel.password_edit, Qt.Key.Key_Return)
    assert not window.trust.lock.locked
    assert dialog.isVisible() and field.text() == "halb geschrieben"
    assert not [c for c in dialog.findChildren(LockCover) if c.isVisible()]
    dialog.reject()


class FakeBlitz(QObject):
    """Stands in for the Blitz banner of the messages tab (same signal, same list)."""

    blitz_changed = Signal(list)

    def __init__(self) -> None:
        super().__init__()
        self.pending: list[object] = []


def test_a_waiting_blitz_is_named_on_the_lock_but_not_shown(qtbot, staff_window) -> None:
    window = staff_window
    window.blitz_overlay = FakeBlitz()
    window.blitz_overlay.pending = ["E-7"]
    window.trust.lock.lock()
    panel = covers(window)[0].panel
    assert panel.blitz_label.isVisible()
    assert "BLITZ" in panel.blitz_label.text() and "E-7" not in panel.blitz_label.text()
    window.blitz_overlay.blitz_changed.emit([])
    assert not panel.blitz_label.isVisible()
    window.blitz_overlay.blitz_changed.emit(["E-8"])
    assert panel.blitz_label.isVisible()
    window.trust.lock.try_unlock(STAFF_PW)
    # Unlocked: the lock no longer listens.
    window.blitz_overlay.blitz_changed.emit(["E-9"])
    assert not window.trust.lock.locked
