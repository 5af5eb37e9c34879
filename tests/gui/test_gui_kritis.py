"""The KRITIS tab used from the keyboard: filter, report a status, details, cascade, power board."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication
from test_gui_kritis_support import by_name, facility_service

from krisenstab.domain.power import PowerWarning
from krisenstab.domain.timefmt import BERLIN, utcnow
from krisenstab.gui.kritis_cascade import CascadeView
from krisenstab.gui.kritis_detail import CopyButton, FacilityDetailPanel
from krisenstab.gui.kritis_model import FacilityColumn
from krisenstab.gui.kritis_power import TICK_MS
from krisenstab.gui.kritis_view import (
    DISTURBED,
    PAGE_CASCADE,
    PAGE_FACILITIES,
    PAGE_POWER,
    SEARCH_DEBOUNCE_MS,
)
from krisenstab.services.context import Actor
from krisenstab.services.facilities import FacilityService
from krisenstab.services.journal import JournalService

# The demo register fixtures (kritis_db, kritis_shared, kritis).
pytest_plugins = ["test_gui_kritis_support"]

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def select(qtbot, tab, prefix: str):  # type: ignore[no-untyped-def]
    view = by_name(tab, prefix)
    assert tab.select_facility(view.id)
    tab.show_detail_now()
    tab.table.setFocus()
    qtbot.waitUntil(tab.table.hasFocus)
    return view


def entries(tab):  # type: ignore[no-untyped-def]
    return JournalService(tab.shared.db).list(tab.shared.incident_id)


# -- list, filters ---------------------------------------------------------------------


def test_tab_shows_the_register_with_power_warnings(kritis) -> None:
    assert kritis.model.rowCount() == facility_service(kritis.shared.db).count() > 50
    assert kritis.hits_label.text() == f"{kritis.model.rowCount()} Objekte"
    # Visible without opening anything: the strip names the generators about to run dry.
    strip = kritis.warning_strip
    assert strip.isVisible()
    assert "Feuerwehrhaus Kreuzau (Muster)" in strip.text and "(kritisch)" in strip.text
    assert "Seniorenzentrum Kreuzau (Muster)" in strip.text and "(knapp)" in strip.text
    assert strip.level is PowerWarning.CRITICAL
    assert kritis.clock.interval() == TICK_MS == 30_000 and kritis.clock.isActive()


def test_filters_narrow_the_list(qtbot, kritis) -> None:
    total = kritis.model.rowCount()
    kritis.municipality_combo.setCurrentIndex(kritis.municipality_combo.findData("Kreuzau"))
    in_kreuzau = kritis.proxy.rowCount()
    assert 5 < in_kreuzau < total
    assert kritis.hits_label.text() == f"{in_kreuzau} von {total}"
    kritis.status_combo.setCurrentIndex(kritis.status_combo.findData("Notstrombetrieb"))
    assert kritis.proxy.rowCount() == 5
    kritis.status_combo.setCurrentIndex(kritis.status_combo.findData(DISTURBED))
    disturbed = kritis.proxy.rowCount()
    assert disturbed > 5
    for row in range(disturbed):
        assert kritis.proxy.index(row, FacilityColumn.STATUS).data() != "betriebsbereit"
    kritis.sector_combo.setCurrentIndex(kritis.sector_combo.findData("Wasser"))
    assert 0 < kritis.proxy.rowCount() < disturbed
    kritis.reset_filters()
    assert kritis.proxy.rowCount() == total


def test_search_as_you_type_and_escape(qtbot, kritis) -> None:
    kritis.focus_search()
    assert QApplication.focusWidget() is kritis.search_edit
    qtbot.keyClicks(kritis.search_edit, "wasserwerk")
    qtbot.wait(SEARCH_DEBOUNCE_MS + 50)
    shown = [kritis.proxy.view(r).name for r in range(kritis.proxy.rowCount())]
    assert shown and all("Wasserwerk" in name for name in shown)
    # Digits typed into the search field are text, never a status report.
    before = len(entries(kritis))
    qtbot.keyClicks(kritis.search_edit, " 4")
    assert len(entries(kritis)) == before
    qtbot.keyClick(kritis.search_edit, Qt.Key.Key_Escape)
    assert kritis.search_edit.text() == ""
    assert kritis.proxy.rowCount() == kritis.model.rowCount()
    qtbot.keyClick(kritis.search_edit, Qt.Key.Key_Down)
    assert kritis.table.hasFocus()


# -- status in two keystrokes -------------------------------------------------------------


def test_status_change_by_keystroke_writes_status_and_journal(qtbot, kritis) -> None:
    view = select(qtbot, kritis, "Wasserwerk Jülich")
    before = len(entries(kritis))
    with qtbot.waitSignal(kritis.shared.signals.journal_changed) as changed:
        qtbot.keyClick(kritis.table, Qt.Key.Key_4)
    assert changed.args == [kritis.shared.incident_id]
    stored = facility_service(kritis.shared.db).get(view.id)
    assert stored.status == "ausgefallen"
    new = entries(kritis)
    assert len(new) == before + 1
    entry = new[-1]
    assert entry.kind == "Lage" and entry.facility_id == view.id
    assert "Wasserwerk Jülich (Muster)" in entry.text and "ausgefallen" in entry.text
    assert (entry.author, entry.function) == ("Max Mustermann", "S2")
    # The list shows it at once, and the row stays selected for the next key.
    row = kritis.proxy.row_of(view.id)
    assert kritis.proxy.index(row, FacilityColumn.STATUS).data() == "ausgefallen"
    assert kritis.selected_facility_id() == view.id
    assert kritis.detail.status_model.record(0).journal_number == entry.number
    qtbot.keyClick(kritis.table, Qt.Key.Key_1)
    assert facility_service(kritis.shared.db).get(view.id).status == "betriebsbereit"
    assert len(entries(kritis)) == before + 2


def test_every_status_key_is_mapped(qtbot, kritis) -> None:
    view = select(qtbot, kritis, "Gymnasium Jülich")
    service = facility_service(kritis.shared.db)
    for key, status in (
        (Qt.Key.Key_2, "eingeschränkt"),
        (Qt.Key.Key_3, "Notstrombetrieb"),
        (Qt.Key.Key_5, "unbekannt"),
        (Qt.Key.Key_4, "ausgefallen"),
        (Qt.Key.Key_1, "betriebsbereit"),
    ):
        qtbot.keyClick(kritis.table, key)
        assert service.get(view.id).status == status


def test_status_message_goes_to_the_status_bar(qtbot, kritis) -> None:
    select(qtbot, kritis, "Bankfiliale Jülich")
    with qtbot.waitSignal(kritis.shared.signals.status_message) as message:
        qtbot.keyClick(kritis.table, Qt.Key.Key_2)
    assert message.args[0].startswith("Status gemeldet: Bankfiliale Jülich")
    assert "ETB Nr." in message.args[0]


def test_same_status_again_is_refused_without_writing(qtbot, kritis) -> None:
    select(qtbot, kritis, "Altenheim Jülich")
    before = len(entries(kritis))
    qtbot.keyClick(kritis.table, Qt.Key.Key_1)
    assert kritis.message_bar.isVisible() and "bereits" in kritis.message_bar.text
    assert len(entries(kritis)) == before


def test_no_incident_no_status_change(qtbot, kritis) -> None:
    view = select(qtbot, kritis, "Altenheim Jülich")
    kritis.shared.set_incident(None)
    assert not kritis.status_actions[3].isEnabled()
    kritis.report_status("ausgefallen")
    assert "Kein Ereignis geöffnet" in kritis.message_bar.text
    assert facility_service(kritis.shared.db).get(view.id).status == "betriebsbereit"


def test_status_panel_with_source_note_and_time(qtbot, kritis, typer) -> None:
    view = select(qtbot, kritis, "Krankenhaus Jülich")
    qtbot.keyClick(kritis.table, Qt.Key.Key_S, CTRL_SHIFT)
    panel = kritis.status_panel
    assert panel.isVisible() and panel.facility_id == view.id
    assert QApplication.focusWidget() is panel.combo
    panel.combo.setCurrentIndex(panel.combo.findData("Notstrombetrieb"))
    since = (utcnow() - timedelta(minutes=20)).astimezone(BERLIN).strftime("%H:%M")
    typer(panel.since_edit, since)
    typer(panel.source_edit, "Betreiber (Muster)")
    typer(panel.note_edit, "Netzausfall, Aggregat läuft.")
    assert kritis.unsaved_work() is not None
    qtbot.keyClick(panel.note_edit, Qt.Key.Key_Return)
    stored = facility_service(kritis.shared.db).get(view.id)
    assert stored.status == "Notstrombetrieb"
    assert stored.status_source == "Betreiber (Muster)"
    assert stored.status_note == "Netzausfall, Aggregat läuft."
    assert 15 <= (utcnow() - stored.status_since).total_seconds() / 60 <= 21
    entry = entries(kritis)[-1]
    assert "Quelle: Betreiber (Muster)" in entry.text and "Aggregat läuft" in entry.text
    assert not panel.isVisible() and kritis.table.hasFocus()
    # The new generator appears on the board.
    assert any(r.facility.id == view.id for r in kritis.power.board_model.rows)


def test_status_panel_refuses_a_bad_time_and_escape_cancels(qtbot, kritis, typer) -> None:
    view = select(qtbot, kritis, "Krankenhaus Jülich")
    kritis.open_status_panel()
    panel = kritis.status_panel
    typer(panel.since_edit, "25:99")
    qtbot.keyClick(panel.since_edit, Qt.Key.Key_Return)
    assert panel.isVisible() and "Uhrzeit" in kritis.message_bar.text
    assert facility_service(kritis.shared.db).get(view.id).status == "betriebsbereit"
    qtbot.keyClick(panel.since_edit, Qt.Key.Key_Escape)
    assert not panel.isVisible()


# -- details ---------------------------------------------------------------------------


def test_detail_panel_shows_contacts_position_power_and_histories(qtbot, kritis) -> None:
    view = select(qtbot, kritis, "Wasserwerk Kreuzau")
    detail: FacilityDetailPanel = kritis.detail
    assert detail.facility_id == view.id
    assert detail.title_label.text() == "Wasserwerk Kreuzau (Muster)"
    assert "Notstrombetrieb seit" in detail.status_label.text()
    text = detail.overview.toPlainText()
    assert "32U LB" in text and "(UTMREF)" in text and "Breite, Länge" in text
    assert "Kraftstoff 3.600 l" in text and "noch 7 h" in text
    assert "25.000" in text
    assert detail.pages.tabText(detail.PAGE_CONTACTS) == f"Kontakte ({len(detail.contacts)})"
    statuses = [r.status for r in detail.status_model.rows]
    assert statuses[-1] == "betriebsbereit" and "Notstrombetrieb" in statuses


def test_phone_number_copied_with_one_click(qtbot, kritis) -> None:
    select(qtbot, kritis, "Wasserwerk Kreuzau")
    kritis.detail.show_page(kritis.detail.PAGE_CONTACTS)
    buttons = [b for b in kritis.detail.contacts_widget.findChildren(CopyButton) if b.isVisible()]
    assert buttons
    button = buttons[0]
    with qtbot.waitSignal(kritis.shared.signals.status_message) as message:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert QApplication.clipboard().text() == button.value
    assert "in die Zwischenablage kopiert" in message.args[0] and button.value in message.args[0]


def test_copy_24_7_number_from_the_keyboard(qtbot, kritis) -> None:
    view = select(qtbot, kritis, "Wasserwerk Kreuzau")
    QApplication.clipboard().clear()
    qtbot.keyClick(kritis.table, Qt.Key.Key_C, CTRL_SHIFT)
    assert QApplication.clipboard().text() == view.phone_24_7


def test_dependency_view_and_jump_to_a_supplier(qtbot, kritis) -> None:
    view = select(qtbot, kritis, "Wasserwerk Kreuzau")
    detail = kritis.detail
    assert "insgesamt" not in detail.dependency_summary.text()  # computed when shown
    detail.show_page(detail.PAGE_DEPENDENCIES)
    suppliers = [r.name for r in detail.suppliers_model.rows]
    dependents = [r.name for r in detail.dependents_model.rows]
    assert "Umspannwerk Kreuzau (Muster)" in suppliers
    assert "Hochbehälter Nideggen (Muster)" in dependents
    assert detail.suppliers_model.rows[0].status == "eingeschränkt"
    assert "insgesamt" in detail.dependency_summary.text()
    row = suppliers.index("Umspannwerk Kreuzau (Muster)")
    with qtbot.waitSignal(detail.facility_requested) as requested:
        detail.suppliers_table.doubleClicked.emit(detail.suppliers_model.index(row, 0))
    supplier_id = requested.args[0]
    assert kritis.selected_facility_id() == supplier_id != view.id
    assert kritis.detail.title_label.text() == "Umspannwerk Kreuzau (Muster)"


def test_jump_to_a_facility_hidden_by_the_filter_resets_it(kritis) -> None:
    target = by_name(kritis, "Wasserwerk Jülich")
    kritis.municipality_combo.setCurrentIndex(kritis.municipality_combo.findData("Kreuzau"))
    assert kritis.proxy.row_of(target.id) is None
    assert kritis.show_facility(target.id)
    assert kritis.selected_facility_id() == target.id
    assert kritis.municipality_combo.currentIndex() == 0


# -- cascade ----------------------------------------------------------------------------


def test_cascade_page_shows_the_demo_cascade(qtbot, kritis) -> None:
    qtbot.keyClick(kritis.table, Qt.Key.Key_3, Qt.KeyboardModifier.AltModifier)
    assert kritis.pages.currentIndex() == PAGE_CASCADE
    cascade: CascadeView = kritis.cascade
    result = cascade.result
    assert result is not None and not result.scenario.fail_ids
    names = [e.name for e in result.timeline]
    # Already failed before the start, then the generators in Kreuzau run dry,
    # then the waterworks' customers downstream.
    assert "Apotheke am Markt Kreuzau (Muster)" in names
    assert names.index("Wasserwerk Kreuzau (Muster)") < names.index(
        "Hochbehälter Nideggen (Muster)"
    )
    water = next(e for e in result.timeline if e.name == "Wasserwerk Kreuzau (Muster)")
    assert 7.5 < water.hours < 8.5
    assert cascade.timeline_model.rowCount() == len(result.timeline)
    assert len(cascade.chart.markers) == sum(1 for e in result.timeline if e.hours >= 0)
    assert cascade.chart.baseline > 0  # failed before the start
    assert "Aktueller Stand" in cascade.summary.text()
    assert f"{len(result.timeline)} Objekte ausgefallen bis 72 h" in cascade.summary.text()
    # Selecting a row highlights its marker.
    row = names.index("Wasserwerk Kreuzau (Muster)")
    cascade.select_event(row)
    assert cascade.chart.highlight == row


def test_what_if_area_outage_never_changes_stored_status(qtbot, kritis) -> None:
    before = {v.id: v.status for v in facility_service(kritis.shared.db).list()}
    kritis.show_page(PAGE_CASCADE)
    current = len(kritis.cascade.result.timeline)
    cascade = kritis.cascade
    cascade.what_if_radio.setChecked(True)
    cascade.set_areas(["Kreuzau"])
    qtbot.keyClick(cascade.compute_button, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    result = cascade.result
    assert result.scenario.area_outages == frozenset({"Kreuzau"})
    assert len(result.timeline) > current
    substation = next(e for e in result.timeline if e.name == "Umspannwerk Kreuzau (Muster)")
    assert substation.hours == 0 and substation.cause_text == "Flächenstromausfall Kreuzau"
    assert "Flächenstromausfall in Kreuzau" in cascade.summary.text()
    after = {v.id: v.status for v in facility_service(kritis.shared.db).list()}
    assert after == before


def test_what_if_for_the_selected_facility(qtbot, kritis) -> None:
    view = select(qtbot, kritis, "Umspannwerk Jülich")
    qtbot.keyClick(kritis.table, Qt.Key.Key_A, CTRL_SHIFT)
    assert kritis.pages.currentIndex() == PAGE_CASCADE
    result = kritis.cascade.result
    assert result.scenario.fail_ids == frozenset({view.id})
    first_new = next(e for e in result.timeline if e.hours >= 0)
    assert first_new.facility_id == view.id and first_new.cause_text.startswith("Annahme")
    assert kritis.cascade.failing_ids() == [view.id]


def test_what_if_facility_chooser(qtbot, kritis, typer) -> None:
    kritis.show_page(PAGE_CASCADE)
    cascade = kritis.cascade
    cascade.what_if_radio.setChecked(True)
    cascade.fail_list.clear()
    typer(cascade.facility_edit, "Umspannwerk Jülich (Muster) [Jülich]")
    qtbot.keyClick(cascade.facility_edit, Qt.Key.Key_Return)
    assert cascade.failing_ids() == [by_name(kritis, "Umspannwerk Jülich").id]
    typer(cascade.facility_edit, "Muster")
    qtbot.keyClick(cascade.facility_edit, Qt.Key.Key_Return)
    assert "kein eindeutiges Objekt" in cascade.message_bar.text
    cascade.fail_list.setCurrentRow(0)
    cascade.fail_list.setFocus()
    qtbot.keyClick(cascade.fail_list, Qt.Key.Key_Delete)
    assert cascade.failing_ids() == []
    assert cascade.compute() is None  # nothing assumed: explained, not computed
    assert "mindestens ein" in cascade.message_bar.text


# -- emergency power ---------------------------------------------------------------------


def test_power_board_lists_generators_running_dry_first(kritis) -> None:
    rows = kritis.power.board_model.rows
    assert [r.facility.name for r in rows[:2]] == [
        "Feuerwehrhaus Kreuzau (Muster)",
        "Seniorenzentrum Kreuzau (Muster)",
    ]
    assert len(rows) == 5
    fuel = kritis.power.fuel_model.rows
    assert [f.rank for f in fuel] == [1, 2, 3, 4, 5]
    assert fuel[2].name == "Wasserwerk Kreuzau (Muster)" and fuel[2].fuel_needed_l == 4800
    restzeit = kritis.power.board_model.index(0, 3).data()
    assert restzeit.startswith("noch 1 h 5")


def test_countdown_and_warnings_follow_the_clock(qtbot, kritis, window_factory) -> None:
    power = kritis.power
    later = utcnow() + timedelta(hours=2, minutes=5)
    kritis.tick(later)
    states = {g.name: g for g in power.generators()}
    assert states["Feuerwehrhaus Kreuzau (Muster)"].warning is PowerWarning.EMPTY
    assert states["Seniorenzentrum Kreuzau (Muster)"].warning is PowerWarning.CRITICAL
    assert power.board_model.index(0, 3).data() == "leer seit 5 min"
    assert "leer" in kritis.warning_strip.text
    assert kritis.warning_strip.level is PowerWarning.EMPTY
    # The list's power column counts down with the same clock.
    row = kritis.model.row_of(by_name(kritis, "Wasserwerk Kreuzau").id)
    assert kritis.model.index(row, FacilityColumn.POWER).data().startswith("noch 5 h 5")
    kritis.tick(utcnow() + timedelta(hours=20))
    assert len(power.warnings()) == 5


def test_thresholds_come_from_the_settings(qtbot, kritis_db, settings, actor) -> None:
    from krisenstab.gui.kritis_view import KritisTab
    from krisenstab.gui.shared import Shared

    settings.power_warn_hours = 10.0
    settings.power_critical_hours = 4.5
    state = Shared(kritis_db, settings, actor)
    tab = KritisTab(state)
    qtbot.addWidget(tab)
    levels = {g.name: g.warning for g in tab.power.generators()}
    assert levels["Seniorenzentrum Kreuzau (Muster)"] is PowerWarning.CRITICAL
    assert levels["Wasserwerk Kreuzau (Muster)"] is PowerWarning.LOW
    assert levels["Rettungswache Kreuzau (Muster)"] is PowerWarning.NONE
    assert "10 h knapp, 4,5 h kritisch" in tab.power.stand_label.text()
    tab.clock.stop()


def test_refuelling_from_the_board(qtbot, kritis, fake_dialogs) -> None:
    qtbot.keyClick(kritis.table, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
    assert kritis.pages.currentIndex() == PAGE_POWER
    assert kritis.power.board_table.hasFocus()
    station = kritis.power.board_model.rows[0].facility
    before = len(entries(kritis))
    fake_dialogs.texts.append("480")
    qtbot.keyClick(kritis.power.board_table, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert fake_dialogs.asked and "Feuerwehrhaus Kreuzau" in fake_dialogs.asked[0][1]
    assert len(entries(kritis)) == before + 1
    assert "Betankung Feuerwehrhaus Kreuzau (Muster)" in entries(kritis)[-1].text
    refreshed = next(r for r in kritis.power.board_model.rows if r.facility.id == station.id)
    assert refreshed.remaining_h > 23
    assert "Feuerwehrhaus Kreuzau" not in kritis.warning_strip.text


def test_changes_from_another_workstation_arrive_with_the_clock(kritis, actor) -> None:
    other = Actor("Erika Musterfrau", "S4", "other-ws")
    target = by_name(kritis, "Umspannwerk Jülich")
    FacilityService(kritis.shared.db, other).set_status(target.id, "ausgefallen")
    assert kritis.model.facility(target.id).status == "betriebsbereit"
    kritis.tick()
    assert kritis.model.facility(target.id).status == "ausgefallen"


# -- in the main window ------------------------------------------------------------------


def test_tab_in_the_main_window_with_badge_and_menu(qtbot, kritis_db, window_factory) -> None:
    window = window_factory(kritis_db)
    tab = window.show_tab("kritis")
    # A tab added to a shown window is shown by the event loop.
    qtbot.waitUntil(tab.isVisible)
    index = window.tabs.currentIndex()
    assert window.tabs.tabText(index) == "KRITIS (2)"
    assert "Feuerwehrhaus Kreuzau" in window.tabs.tabToolTip(index)
    assert not window.tabs.tabIcon(index).isNull()
    menus = [a.text() for a in window.menuBar().actions()]
    assert "K&RITIS" in menus
    # Ctrl+F searches in the shown tab.
    window.focus_search()
    assert QApplication.focusWidget() is tab.search_edit
    tab.focus_table()
    view = select(qtbot, tab, "Abfallumschlaganlage Inden")
    qtbot.keyClick(tab.table, Qt.Key.Key_5)
    assert (
        "Status gemeldet: Abfallumschlaganlage Inden (Muster)"
        in window.statusBar().currentMessage()
    )
    # The ETB tab shows the new entry.
    journal = window.show_tab("journal")
    last = journal.model.entry(journal.model.rowCount() - 1)
    assert last.facility_id == view.id
    tab.clock.stop()
    assert window.show_tab("kritis") is tab
    assert tab.pages.currentIndex() == PAGE_FACILITIES


def test_clicking_a_column_header_sorts(qtbot, kritis) -> None:
    header = kritis.table.horizontalHeader()
    assert header.sortIndicatorSection() == FacilityColumn.MUNICIPALITY
    x = header.sectionViewportPosition(FacilityColumn.PERSONS) + 5
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    assert header.sortIndicatorSection() == FacilityColumn.PERSONS
    persons = [kritis.proxy.view(r).persons_supplied for r in range(kritis.proxy.rowCount())]
    ascending = header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder
    assert persons == sorted(persons, reverse=not ascending)
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    persons = [kritis.proxy.view(r).persons_supplied for r in range(kritis.proxy.rowCount())]
    assert persons == sorted(persons, reverse=ascending)


def test_refuelling_amount_for_more_hours(kritis) -> None:
    water = next(f for f in kritis.power.fuel_model.rows if f.name.startswith("Wasserwerk Kreuzau"))
    assert water.fuel_needed_l == 4800  # 200 l/h for 24 h
    kritis.power.extend_spin.setValue(48)
    water = next(f for f in kritis.power.fuel_model.rows if f.name.startswith("Wasserwerk Kreuzau"))
    assert water.fuel_needed_l == 9600


def test_exercise_file_reports_status_with_its_journal(qtbot, exercise_db, settings, actor) -> None:
    from krisenstab.domain.facility import FacilityDraft
    from krisenstab.gui.kritis_view import KritisTab
    from krisenstab.gui.shared import Shared
    from krisenstab.services.incidents import IncidentService

    IncidentService(exercise_db).create("Muster-Übung Stromausfall", actor)
    created = FacilityService(exercise_db, actor).create(
        FacilityDraft(name="Wasserwerk Übung (Muster)", sector="Wasser", municipality="Titz")
    )
    state = Shared(exercise_db, settings, actor)
    state.set_incident(state.most_recent_open_incident())
    tab = KritisTab(state)
    qtbot.addWidget(tab)
    tab.show()
    qtbot.waitExposed(tab)
    assert not tab.warning_strip.isVisible()  # no generator running
    assert tab.select_facility(created.id)
    tab.table.setFocus()
    qtbot.waitUntil(tab.table.hasFocus)
    qtbot.keyClick(tab.table, Qt.Key.Key_4)
    assert FacilityService(exercise_db).get(created.id).status == "ausgefallen"
    assert JournalService(exercise_db).list(state.incident_id)[-1].facility_id == created.id
    tab.clock.stop()
