"""Kontakte/Zuständigkeiten tab: lookup as you type, copying numbers, the import dialog."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from krisenstab.gui import contacts_import
from krisenstab.gui.contacts_model import HIT_ROLE, ContactColumn, ContactHitModel
from krisenstab.gui.staff_widgets import COPY_ROLE
from krisenstab.services.contacts import ContactService
from krisenstab.services.context import Actor


@pytest.fixture
def contacts(db, actor) -> ContactService:  # type: ignore[no-untyped-def]
    service = ContactService(db, Actor("Lena Beispiel", "S1", actor.workstation_id))
    for place, org, number in (
        ("Jülich", "Wasserversorger Jülich (Muster)", 300),
        ("Düren", "Stadtwerke Düren (Muster)", 303),
        ("Linnich", "Wasserversorger Jülich (Muster)", 306),
    ):
        service.add(
            "Trinkwasserversorgung",
            municipality=place,
            sector="Wasser",
            branch="Trinkwasser",
            organisation=org,
            function="Bereitschaftsdienst Wasserwerk",
            phone=f"0221 4710 {number:03d}",
            phone_24h=f"0221 4710 {number + 1:03d}",
            deputy="Vertretung im Bereitschaftsplan",
            deputy_phone=f"0221 4710 {number + 2:03d}",
        )
    service.add(
        "Umspannwerk",
        municipality="Kreuzau",
        sector="Energie",
        organisation="Netzbetreiber Rur-Eifel (Muster)",
        phone="0221 4710 320",
    )
    return service


def _contacts_tab(qtbot, window):  # type: ignore[no-untyped-def]
    tab = window.show_tab("contacts")
    qtbot.waitUntil(lambda: tab.isVisible())
    return tab


def test_search_as_you_type_finds_who_to_call(qtbot, window, contacts, typer) -> None:
    tab = _contacts_tab(qtbot, window)
    assert tab.search_edit.hasFocus()  # the tab opens ready to type
    assert "4 Zuständigkeiten" in tab.hits_label.text()
    typer(tab.search_edit, "Trinkwasser Jül")
    # Debounced: nothing yet right after the keystrokes, then the hits.
    assert tab.model.rowCount() == 0
    qtbot.waitUntil(lambda: tab.model.rowCount() > 0, timeout=2000)
    first = tab.model.hit(0)
    assert first is not None and first.municipality == "Jülich"
    assert first.phone_24h == "0221 4710 301"
    assert tab.model.index(0, ContactColumn.WHO).data().startswith("Wasserversorger Jülich")
    assert tab.model.index(0, ContactColumn.DEPUTY).data() == (
        "Vertretung im Bereitschaftsplan (0221 4710 302)"
    )
    # The detail pane has a copy button for every number.
    values = [b.value for b in tab.detail.copy_buttons]
    assert values[0] == "0221 4710 301" and "0221 4710 302" in values

    # Down into the hits, Enter copies the 24/7 number.
    qtbot.keyClick(tab.search_edit, Qt.Key.Key_Down)
    assert tab.table.hasFocus()
    QGuiApplication.clipboard().clear()
    qtbot.keyClick(tab.table, Qt.Key.Key_Return)
    assert QGuiApplication.clipboard().text() == "0221 4710 301"
    assert "kopiert" in window.statusBar().currentMessage()

    # Umlauts folded, as typed in a hurry.
    tab.search_edit.clear()
    typer(tab.search_edit, "wasser juelich")
    qtbot.waitUntil(lambda: tab.model.rowCount() > 0 and tab.model.hit(0).municipality == "Jülich")
    tab.search_edit.setText("gibtesnicht")
    qtbot.waitUntil(lambda: tab.hits_label.text() == "Keine Treffer", timeout=2000)


def test_one_click_on_a_number_copies_it(qtbot, window, contacts) -> None:
    tab = _contacts_tab(qtbot, window)
    tab.search_edit.setText("Umspannwerk Kreuzau")
    tab.search()
    assert tab.model.rowCount() == 1
    index = tab.model.index(0, ContactColumn.REACH)
    assert index.data(COPY_ROLE) == "0221 4710 320"
    QGuiApplication.clipboard().clear()
    rect = tab.table.visualRect(index)
    qtbot.mouseClick(tab.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert QGuiApplication.clipboard().text() == "0221 4710 320"
    tab.detail.copy_buttons[0].click()
    assert QGuiApplication.clipboard().text() == "0221 4710 320"


def test_hit_model_passes_qt_model_tester(qtmodeltester, db, contacts) -> None:
    model = ContactHitModel()
    model.set_hits(ContactService(db).find("Trinkwasser"))
    assert model.rowCount() == 3
    qtmodeltester.check(model)
    assert model.index(0, 0).data(HIT_ROLE).title == "Trinkwasserversorgung"


BROKEN_CSV = (
    "Zuständigkeit;Gemeinde;Organisation;Telefon;24/7\n"
    "Trinkwasserversorgung;Titz;Wasserwerk Titz (Muster);0221 4710 400;0221 4710 401\n"
    ";Inden;Gemeinde Inden (Muster);0221 4710 410;\n"
    "Abwasser;Inden;Abwasserverband (Muster);bitte anrufen;\n"
)
GOOD_CSV = (
    "Zuständigkeit;Gemeinde;Organisation;Telefon;24/7\n"
    "Trinkwasserversorgung;Titz;Wasserwerk Titz (Muster);0221 4710 400;0221 4710 401\n"
    "Abwasser;Inden;Abwasserverband (Muster);0221 4710 410;\n"
)


def _run_import(qtbot, window, monkeypatch, path: Path):  # type: ignore[no-untyped-def]
    tab = _contacts_tab(qtbot, window)
    monkeypatch.setattr(contacts_import, "choose_import_file", lambda parent: path)
    tab.setFocus()
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    dialog = tab.import_dialog
    assert dialog is not None and dialog.isVisible()
    with qtbot.waitSignal(dialog.run_finished, timeout=10_000):
        assert dialog.choose()
    return tab, dialog


def test_import_of_a_broken_csv_lists_the_errors_and_stores_nothing(
    qtbot, window, db, contacts, monkeypatch, tmp_path
) -> None:
    before = ContactService(db).count()
    path = tmp_path / "kontakte.csv"
    path.write_bytes(BROKEN_CSV.encode("cp1252"))  # as Excel on Windows saves it
    _tab, dialog = _run_import(qtbot, window, monkeypatch, path)
    report = dialog.report
    assert report is not None and report.dry_run and not report.ok
    rows = dialog.errors_table.rowCount()
    assert rows == len(report.errors) >= 2
    cells = [tuple(dialog.errors_table.item(r, c).text() for c in range(3)) for r in range(rows)]
    assert any(line == "3" and column == "Zuständigkeit" for line, column, _ in cells)
    assert any(
        line == "4" and column == "Telefon" and "Rufnummer" in reason
        for line, column, reason in cells
    )
    assert not dialog.apply_button.isEnabled()
    assert "nichts wurde übernommen" in dialog.summary_label.text()
    assert dialog.pages.tabText(0) == f"Fehler ({rows})"
    # Clicking anyway changes nothing.
    dialog.apply()
    assert ContactService(db).count() == before
    dialog.reject()
    assert not dialog.isVisible()


def test_import_dry_run_then_take_over(qtbot, window, db, contacts, monkeypatch, tmp_path) -> None:
    before = ContactService(db).count()
    path = tmp_path / "kontakte.csv"
    path.write_text(GOOD_CSV, encoding="utf-8")
    tab, dialog = _run_import(qtbot, window, monkeypatch, path)
    report = dialog.report
    assert report is not None and report.ok and report.dry_run and not report.applied
    assert ContactService(db).count() == before  # a dry run stores nothing
    assert dialog.lines_table.rowCount() == 2
    assert dialog.lines_table.item(0, 1).text() == "neu"
    assert dialog.apply_button.isEnabled()
    with qtbot.waitSignal(dialog.imported, timeout=10_000):
        dialog.apply_button.click()
    assert ContactService(db).count() == before + 2
    assert "Import gespeichert" in window.statusBar().currentMessage()
    tab.search_edit.setText("Abwasser Inden")
    tab.search()
    assert tab.model.hit(0).title == "Abwasser"


def test_cancelled_file_choice_changes_nothing(qtbot, window, contacts, monkeypatch) -> None:
    tab = _contacts_tab(qtbot, window)
    monkeypatch.setattr(contacts_import, "choose_import_file", lambda parent: None)
    dialog = tab.import_contacts()
    assert dialog.choose() is False
    assert dialog.report is None and not dialog.apply_button.isEnabled()
    dialog.reject()
