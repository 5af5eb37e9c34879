"""Stab tab: the board „Wer ist wer“, copying numbers, handovers through the form."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from krisenstab.domain.journal import EntryKind
from krisenstab.gui.staff_model import BoardColumn, BoardModel, RosterModel
from krisenstab.gui.staff_widgets import COPY_ROLE
from krisenstab.services.context import Actor
from krisenstab.services.journal import JournalService
from krisenstab.services.staff import StaffService

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def staff(db, actor) -> StaffService:  # type: ignore[no-untyped-def]
    service = StaffService(db, Actor("Lena Beispiel", "S1", actor.workstation_id))
    service.add_person(
        "Max Mustermann",
        phone="0221 4710 120",
        mobile="0221 4710 121",
        radio_call_sign="Florian Düren 1/S2",
        email="max.mustermann@kreis-dueren.example",
    )
    service.add_person("Jonas Beispiel", phone="0221 4710 130", mobile="0221 4710 131")
    service.add_person("Tim Muster", phone="0221 4710 140")
    service.assign("S2", "Max Mustermann")
    service.assign("S3", "Jonas Beispiel")
    return service


def _staff_tab(qtbot, window):  # type: ignore[no-untyped-def]
    tab = window.show_tab("staff")
    qtbot.waitUntil(lambda: tab.isVisible())
    tab.reload()
    return tab


def _board_index(tab, function: str, column: BoardColumn):  # type: ignore[no-untyped-def]
    row = tab.board_model.row_of(function)
    assert row is not None
    return tab.board_proxy.mapFromSource(tab.board_model.index(row, column))


def test_board_shows_holders_and_one_click_copies_a_number(qtbot, window, staff) -> None:
    tab = _staff_tab(qtbot, window)
    holder = _board_index(tab, "S2", BoardColumn.HOLDER)
    assert holder.data() == "Max Mustermann"
    assert _board_index(tab, "S2", BoardColumn.FUNCTION).data() == "S2 – Lage"
    assert _board_index(tab, "S2", BoardColumn.RADIO).data() == "Florian Düren 1/S2"
    assert _board_index(tab, "S4", BoardColumn.HOLDER).data() == "– unbesetzt –"
    assert "2 von" in tab.board_info.text()

    mobile = _board_index(tab, "S2", BoardColumn.MOBILE)
    assert mobile.data(COPY_ROLE) == "0221 4710 121"
    QGuiApplication.clipboard().clear()
    rect = tab.board.visualRect(mobile)
    qtbot.mouseClick(tab.board.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert QGuiApplication.clipboard().text() == "0221 4710 121"
    assert "0221 4710 121" in window.statusBar().currentMessage()

    # Strg+C on a holder's cell copies the most direct number.
    tab.board.setCurrentIndex(_board_index(tab, "S3", BoardColumn.HOLDER))
    tab.board.setFocus()
    qtbot.keyClick(tab.board, Qt.Key.Key_C, CTRL)
    assert QGuiApplication.clipboard().text() == "0221 4710 131"


def test_board_filter_as_you_type(qtbot, window, staff, typer) -> None:
    tab = _staff_tab(qtbot, window)
    window.focus_search()
    assert tab.filter_edit.hasFocus()
    typer(tab.filter_edit, "Jonas")
    qtbot.waitUntil(lambda: tab.board_proxy.rowCount() == 1, timeout=2000)
    assert tab.board_proxy.index(0, BoardColumn.FUNCTION).data() == "S3 – Einsatz"


def test_handover_with_the_keyboard_writes_the_journal(qtbot, window, db, staff, typer) -> None:
    incident = window.shared.incident_id
    tab = _staff_tab(qtbot, window)
    tab.board.setCurrentIndex(_board_index(tab, "S2", BoardColumn.HOLDER))
    tab.board.setFocus()
    qtbot.keyClick(tab.board, Qt.Key.Key_Return)  # Enter on a row: hand it over
    form = tab.form
    assert tab.pages.currentIndex() == 1
    assert form.function_combo.currentData() == "S2"
    assert form.person_combo.lineEdit().hasFocus()
    typer(form.person_combo.lineEdit(), "Tim Muster")
    form.update_hint()
    assert "übernommen (Übergabe)" in form.hint_label.text()
    qtbot.keyClick(form.person_combo.lineEdit(), Qt.Key.Key_Return, CTRL)

    holder = StaffService(db).holder("S2")
    assert holder is not None and holder.name == "Tim Muster"
    last = JournalService(db).fetch(incident, [JournalService(db).count(incident)])[0]
    assert last.kind == EntryKind.SYSTEM
    assert "Übergabe S2 (Lage): Max Mustermann → Tim Muster" in last.text
    assert last.author == "Max Mustermann" and last.function == "S2"
    assert "Übergabe S2" in window.statusBar().currentMessage()
    assert _board_index(tab, "S2", BoardColumn.HOLDER).data() == "Tim Muster"
    assert tab.roster_model.rowCount() == 3
    assert form.person_combo.currentText() == ""


def test_a_new_person_is_created_with_contact_data(qtbot, window, db, staff, typer) -> None:
    tab = _staff_tab(qtbot, window)
    tab.start_handover()
    form = tab.form
    form.select_function("ETB-Führer")
    typer(form.person_combo.lineEdit(), "Julia Beispielfeld")
    form.update_hint()
    assert form.new_person_box.isVisible()
    assert "neu angelegt" in form.hint_label.text()
    form.mobile_edit.setText("0221 4710 231")
    assert tab.unsaved_work() is not None
    assert tab.assign_from_form()
    person = StaffService(db).find_person("Julia Beispielfeld")
    assert person is not None and person.mobile == "0221 4710 231"
    entries = JournalService(db).fetch(
        window.shared.incident_id, [JournalService(db).count(window.shared.incident_id)]
    )
    assert "Einsatztagebuchführung übernommen durch Julia Beispielfeld" in entries[0].text
    assert _board_index(tab, "ETB-Führer", BoardColumn.MOBILE).data() == "0221 4710 231"


def test_unusual_merge_asks_and_a_no_changes_nothing(
    qtbot, window, db, staff, fake_dialogs
) -> None:
    tab = _staff_tab(qtbot, window)
    form = tab.form
    form.select_function("S5")  # S3 + S5 is not a foreseen merge
    form.person_combo.setEditText("Jonas Beispiel")
    fake_dialogs.confirms.append(False)
    assert not tab.assign_from_form()
    assert "nicht vorgesehen" in fake_dialogs.confirmed[-1][1]
    assert StaffService(db).holder("S5") is None

    fake_dialogs.confirms.append(True)
    form.select_function("S5")
    form.person_combo.setEditText("Jonas Beispiel")
    assert tab.assign_from_form()
    holder = StaffService(db).holder("S5")
    assert holder is not None and holder.name == "Jonas Beispiel"
    assert tab.board_warning.isVisible()


def test_bad_input_stays_in_the_form(qtbot, window, db, staff, fake_dialogs) -> None:
    tab = _staff_tab(qtbot, window)
    form = tab.form
    form.select_function("S4")
    form.person_combo.setEditText("Neue Person")
    form.email_edit.setText("keine-adresse")
    assert not tab.assign_from_form()
    assert "E-Mail" in tab.message_bar.text
    assert StaffService(db).find_person("Neue Person") is None
    assert form.person_combo.currentText() == "Neue Person"
    assert not fake_dialogs.errors


def test_release_a_function(qtbot, window, db, staff, fake_dialogs) -> None:
    tab = _staff_tab(qtbot, window)
    fake_dialogs.confirms.append(True)
    assert tab.release_function("S3")
    assert StaffService(db).holder("S3") is None
    assert _board_index(tab, "S3", BoardColumn.HOLDER).data() == "– unbesetzt –"


def test_changes_from_another_workstation_are_polled(qtbot, window, db, staff, actor) -> None:
    tab = _staff_tab(qtbot, window)
    StaffService(db, Actor("Lena Beispiel", "S1", "andere-station")).assign("S4", "Tim Muster")
    qtbot.waitUntil(
        lambda: _board_index(tab, "S4", BoardColumn.HOLDER).data() == "Tim Muster", timeout=5000
    )


def test_models_pass_qt_model_tester(qtmodeltester, db, staff) -> None:
    from krisenstab.domain.timefmt import utcnow

    board = BoardModel()
    board.set_rows(StaffService(db).board().rows)
    qtmodeltester.check(board)
    roster = RosterModel()
    roster.set_rows(StaffService(db).roster(), utcnow())
    qtmodeltester.check(roster)
    assert roster.rowCount() == 2
