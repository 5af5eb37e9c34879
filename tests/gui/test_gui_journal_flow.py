"""The ETB screen used from the keyboard: write, correct, search, recover from errors."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from krisenstab.domain.timefmt import BERLIN, utcnow
from krisenstab.gui.journal_model import JournalColumn
from krisenstab.gui.journal_view import SEARCH_DEBOUNCE_MS
from krisenstab.services.context import Actor
from krisenstab.services.journal import JournalService
from krisenstab.store.errors import DiskFullError

CTRL = Qt.KeyboardModifier.ControlModifier


def _service(window):  # type: ignore[no-untyped-def]
    return JournalService(window.shared.db)


def _entries(window):  # type: ignore[no-untyped-def]
    return _service(window).list(window.shared.incident_id)


def test_focus_starts_in_the_text_field(window) -> None:
    assert QApplication.focusWidget() is window.journal.editor.text_edit


@pytest.mark.parametrize(
    ("key", "modifiers"),
    [
        (Qt.Key.Key_Return, CTRL),
        (Qt.Key.Key_Enter, CTRL | Qt.KeyboardModifier.KeypadModifier),
    ],
)
def test_type_and_save_with_ctrl_enter(qtbot, window, key, modifiers, typer) -> None:
    tab = window.journal
    text_edit = tab.editor.text_edit
    before = len(_entries(window))
    typer(text_edit, "Pegel Düren 2,45 m, steigend.")
    qtbot.keyClick(text_edit, key, modifiers)

    entries = _entries(window)
    assert len(entries) == before + 1
    saved = entries[-1]
    assert saved.text == "Pegel Düren 2,45 m, steigend."
    assert (saved.author, saved.function) == ("Max Mustermann", "S2")
    assert saved.kind == "Vermerk" and saved.source_quality == "eigene Beobachtung"
    # Ready for the next entry at once.
    assert text_edit.toPlainText() == ""
    assert QApplication.focusWidget() is text_edit
    assert tab.model.rowCount() == before + 1
    assert tab.selected_entry().number == saved.number
    assert "gespeichert" in window.statusBar().currentMessage()


def test_plain_return_makes_a_new_line(qtbot, window) -> None:
    text_edit = window.journal.editor.text_edit
    before = len(_entries(window))
    qtbot.keyClicks(text_edit, "Zeile eins")
    qtbot.keyClick(text_edit, Qt.Key.Key_Return)
    qtbot.keyClicks(text_edit, "Zeile zwei")
    assert len(_entries(window)) == before
    qtbot.keyClick(text_edit, Qt.Key.Key_Return, CTRL)
    assert _entries(window)[-1].text == "Zeile eins\nZeile zwei"


def test_kind_source_and_observed_time_are_stored(qtbot, window) -> None:
    editor = window.journal.editor
    editor.kind_combo.setCurrentText("Eingang")
    editor.source_combo.setCurrentText("Dritte")
    observed = (utcnow() - timedelta(minutes=30)).astimezone(BERLIN)
    editor.observed_edit.setText(observed.strftime("%H:%M"))
    qtbot.keyClicks(editor.text_edit, "Leitstelle meldet Keller voll in Kreuzau.")
    qtbot.keyClick(editor.text_edit, Qt.Key.Key_Return, CTRL)

    saved = _entries(window)[-1]
    assert saved.kind == "Eingang" and saved.source_quality == "Dritte"
    local = saved.observed_at.astimezone(BERLIN)
    assert (local.hour, local.minute) == (observed.hour, observed.minute)
    assert saved.observed_at < saved.recorded_at
    # The fields go back to their defaults for the next entry.
    assert editor.kind_combo.currentText() == "Vermerk"
    assert editor.source_combo.currentText() == "eigene Beobachtung"
    assert editor.observed_edit.text() == ""


def test_bad_observed_time_keeps_the_text(qtbot, window) -> None:
    tab = window.journal
    editor = tab.editor
    before = len(_entries(window))
    editor.observed_edit.setText("gestern irgendwann")
    qtbot.keyClicks(editor.text_edit, "Meldung mit falscher Zeit")
    qtbot.keyClick(editor.text_edit, Qt.Key.Key_Return, CTRL)
    assert len(_entries(window)) == before
    assert editor.text() == "Meldung mit falscher Zeit"
    assert tab.message_bar.isVisible()
    assert "beobachtet" in tab.message_bar.text
    assert QApplication.focusWidget() is editor.observed_edit


def test_empty_entry_is_refused_with_a_message(qtbot, window) -> None:
    tab = window.journal
    before = len(_entries(window))
    qtbot.keyClicks(tab.editor.text_edit, "   ")
    qtbot.keyClick(tab.editor.text_edit, Qt.Key.Key_Return, CTRL)
    assert len(_entries(window)) == before
    assert tab.message_bar.text == "Der Eintrag ist leer."


def test_store_error_keeps_text_and_allows_retry(qtbot, window, monkeypatch, typer) -> None:
    tab = window.journal
    text_edit = tab.editor.text_edit
    before = len(_entries(window))
    real_add = JournalService.add

    def disk_full(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise DiskFullError(
            "Der Datenträger ist voll. Der Eintrag wurde nicht gespeichert und bleibt im "
            "Editor; bitte Platz schaffen und erneut speichern."
        )

    monkeypatch.setattr(JournalService, "add", disk_full)
    typer(text_edit, "Wichtige Meldung: Deich Linnich hält.")
    qtbot.keyClick(text_edit, Qt.Key.Key_Return, CTRL)
    assert len(_entries(window)) == before
    assert text_edit.toPlainText() == "Wichtige Meldung: Deich Linnich hält."
    assert tab.message_bar.isVisible() and tab.message_bar.level == "error"
    assert "nicht gespeichert" in tab.message_bar.text
    assert "Datenträger ist voll" in tab.message_bar.text
    assert QApplication.focusWidget() is text_edit

    monkeypatch.setattr(JournalService, "add", real_add)
    qtbot.keyClick(text_edit, Qt.Key.Key_Return, CTRL)
    assert _entries(window)[-1].text == "Wichtige Meldung: Deich Linnich hält."
    assert not tab.message_bar.isVisible()
    assert text_edit.toPlainText() == ""


def test_correction_with_the_shortcut(qtbot, window, typer) -> None:
    tab = window.journal
    editor = tab.editor
    original = _entries(window)[2]
    assert tab.select_number(original.number)
    qtbot.keyClick(editor.text_edit, Qt.Key.Key_K, CTRL)
    assert editor.correcting == original.number
    assert editor.correction_label.isVisible()
    assert f"Berichtigung zu Nr. {original.number}" in editor.correction_label.text()
    assert not editor.kind_combo.isEnabled()
    assert QApplication.focusWidget() is editor.text_edit

    typer(editor.text_edit, "Richtig ist: Pegel Düren 2,15 m.")
    qtbot.keyClick(editor.text_edit, Qt.Key.Key_Return, CTRL)

    correction = _entries(window)[-1]
    assert correction.corrects == original.number
    assert correction.kind == original.kind
    assert correction.observed_at == original.observed_at
    assert editor.correcting is None
    assert not editor.correction_label.isVisible()
    row = tab.model.row_of(original.number)
    font = tab.model.index(row, JournalColumn.TEXT).data(Qt.ItemDataRole.FontRole)
    assert font.strikeOut()
    assert tab.model.index(row, JournalColumn.CORRECTION).data() == (
        f"berichtigt durch Nr. {correction.number}"
    )


def test_escape_cancels_a_correction(qtbot, window) -> None:
    tab = window.journal
    editor = tab.editor
    before = len(_entries(window))
    tab.select_number(2)
    qtbot.keyClick(editor.text_edit, Qt.Key.Key_K, CTRL)
    assert editor.correcting == 2
    qtbot.keyClicks(editor.text_edit, "doch nicht")
    qtbot.keyClick(editor.text_edit, Qt.Key.Key_Escape)
    assert editor.correcting is None
    assert not editor.correction_label.isVisible()
    assert editor.kind_combo.isEnabled()
    # The typed text stays: Esc only leaves the correction mode.
    assert editor.text() == "doch nicht"
    assert len(_entries(window)) == before


def test_correction_needs_a_selection(qtbot, window) -> None:
    tab = window.journal
    tab.table.clearSelection()
    tab.table.setCurrentIndex(tab.model.index(-1, -1))
    qtbot.keyClick(tab.editor.text_edit, Qt.Key.Key_K, CTRL)
    assert tab.editor.correcting is None
    assert "auswählen" in tab.message_bar.text


def test_shortcut_is_shown_in_menu_and_tooltip(window) -> None:
    tab = window.journal
    assert tab.correct_action.shortcut().toString() == "Ctrl+K"
    assert "Ctrl+K" in tab.correct_action.toolTip() or "Strg+K" in tab.correct_action.toolTip()
    button = tab.editor.correct_button
    assert button.isVisible() and button.defaultAction() is tab.correct_action
    menu = window._tab_menus["journal"]
    assert tab.correct_action in menu.actions()
    assert tab.editor.save_action in menu.actions()


def test_f6_moves_between_list_and_editor(qtbot, window) -> None:
    tab = window.journal
    qtbot.keyClick(tab.editor.text_edit, Qt.Key.Key_F6)
    assert QApplication.focusWidget() is tab.table
    assert tab.selected_entry() is not None
    qtbot.keyClick(tab.table, Qt.Key.Key_Up)
    chosen = tab.selected_entry().number
    assert chosen == tab.model.rowCount() - 1  # the newest but one
    qtbot.keyClick(tab.table, Qt.Key.Key_F6)
    assert QApplication.focusWidget() is tab.editor.text_edit
    # Ctrl+K straight from the list: the correction starts in the text field.
    qtbot.keyClick(tab.editor.text_edit, Qt.Key.Key_F6)
    qtbot.keyClick(tab.table, Qt.Key.Key_K, CTRL)
    assert tab.editor.correcting == chosen
    assert QApplication.focusWidget() is tab.editor.text_edit


def test_search_filters_as_you_type(qtbot, window, typer) -> None:
    tab = window.journal
    total = tab.model.rowCount()
    qtbot.keyClick(tab.editor.text_edit, Qt.Key.Key_F, CTRL)
    assert QApplication.focusWidget() is tab.search_edit
    qtbot.keyClicks(tab.search_edit, "pege")
    # Debounced: nothing happens at once, then the list narrows.
    assert tab.model.rowCount() == total
    qtbot.waitUntil(lambda: tab.model.rowCount() == 3, timeout=SEARCH_DEBOUNCE_MS * 10)
    assert all("Pegel" in e.text for e in (tab.model.entry(r) for r in range(3)))
    assert "3 von 10" in tab.hits_label.text()
    typer(tab.search_edit, "l jülich")
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1, timeout=SEARCH_DEBOUNCE_MS * 10)
    qtbot.keyClick(tab.search_edit, Qt.Key.Key_Escape)
    assert tab.search_edit.text() == ""
    assert tab.model.rowCount() == total


def test_function_kind_and_period_filters(qtbot, window) -> None:
    tab = window.journal
    index = tab.function_combo.findData("S3")
    assert index > 0
    tab.function_combo.setCurrentIndex(index)
    tab.function_combo.activated.emit(index)
    assert tab.model.rowCount() == 2
    assert {tab.model.entry(r).function for r in range(2)} == {"S3"}

    tab.function_combo.setCurrentIndex(0)
    tab.function_combo.activated.emit(0)
    kind = tab.kind_filter_combo.findData("Entscheidung")
    tab.kind_filter_combo.setCurrentIndex(kind)
    tab.kind_filter_combo.activated.emit(kind)
    assert {tab.model.entry(r).kind for r in range(tab.model.rowCount())} == {"Entscheidung"}

    tab.reset_filters()
    assert tab.model.rowCount() == 10
    custom = tab.period_combo.findData(-1)
    tab.period_combo.setCurrentIndex(custom)
    assert tab.since_edit.isVisible() and tab.until_edit.isVisible()
    future = (utcnow() + timedelta(days=1)).astimezone(BERLIN).strftime("%d.%m.%Y %H:%M")
    tab.since_edit.setText(future)
    tab.apply_filter()
    assert tab.model.rowCount() == 0
    tab.since_edit.setText("kein Datum")
    tab.apply_filter()
    assert tab.model.rowCount() == 10
    assert "border" in tab.since_edit.styleSheet()


def test_entries_from_another_workstation_appear(qtbot, window, settings) -> None:
    tab = window.journal
    tab.select_number(4)
    other = Actor("Erika Musterfrau", "Leiter des Stabes", "anderer-platz")
    JournalService(window.shared.db, other).add(
        window.shared.incident_id, "Entscheidung vom Nachbarplatz."
    )
    with qtbot.waitSignal(window.shared.signals.journal_changed, timeout=5000):
        window.shared.poll()
    assert tab.model.rowCount() == 11
    assert tab.selected_entry().number == 4
    assert tab.model.entry(10).author == "Erika Musterfrau"
    assert tab.function_combo.findData("Leiter des Stabes") > 0


def test_poller_runs_on_a_timer(qtbot, window) -> None:
    JournalService(window.shared.db, window.shared.actor).add(
        window.shared.incident_id, "Meldung aus einem zweiten Programm."
    )
    qtbot.waitUntil(lambda: window.journal.model.rowCount() == 11, timeout=5000)


def test_detail_pane_shows_the_full_entry(qtbot, window) -> None:
    tab = window.journal
    long_text = "Erste Zeile <b>kein HTML</b>\n" + "Fortsetzung " * 60
    JournalService(window.shared.db, window.shared.actor).add(window.shared.incident_id, long_text)
    window.shared.poll()
    tab.select_number(11)
    shown = tab.detail.toPlainText()
    assert "Nr. 11" in shown
    assert "<b>kein HTML</b>" in shown
    assert shown.count("Fortsetzung") == 60


def test_unsaved_text_asks_before_closing(qtbot, window, fake_dialogs) -> None:
    qtbot.keyClicks(window.journal.editor.text_edit, "noch nicht gespeichert")
    fake_dialogs.confirms.append(False)
    window.close()
    assert window.isVisible()
    assert "nicht gespeichert" in fake_dialogs.confirmed[-1][1]
    fake_dialogs.confirms.append(True)
    window.close()
    assert not window.isVisible()
