"""The scenario editor: table, timeline, checks with line numbers, file import/export, saving."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from test_gui_exercise_support import exercise_service

from krisenstab.exercise.msel import read_scenario
from krisenstab.gui import exercise_files
from krisenstab.gui.exercise_scenario_editor import (
    COL_CONTENT,
    COL_NOTE,
    COL_NUMBER,
    COL_STORYLINE,
    COL_TIME,
    COL_TO,
    ScenarioEditorDialog,
)

# The demo exercise fixtures (exercise_path, demo_exercise_db, control, ...).
pytest_plugins = ["test_gui_exercise_support"]

BROKEN = (
    "Nr;Zeit;Von;An;Inhalt\n"
    "1;T+00:00;Leitstelle (Muster);S2;Beginn\n"
    "2;gleich;Leitstelle (Muster);S2;Zu früh\n"
    "3;T+00:20;;S2;Ohne Absender\n"
).encode()


@pytest.fixture
def editor_shared(demo_exercise_db: Any, settings: Any, control: Any) -> Any:
    from krisenstab.gui.shared import Shared

    return Shared(demo_exercise_db, settings, control)


@pytest.fixture
def dialog(qtbot: Any, editor_shared: Any) -> Any:
    dlg = ScenarioEditorDialog(editor_shared)
    qtbot.addWidget(dlg)
    dlg.resize(1366, 768)
    assert dlg.editor.load_from_exercise()
    dlg.show()
    qtbot.waitExposed(dlg)
    return dlg


def test_the_editor_shows_the_scenario_as_table_and_timeline(qtbot, dialog):
    editor = dialog.editor
    assert dialog.windowTitle().startswith("ÜBUNG")
    assert editor.title_edit.text() == "Hochwasser an der Rur"
    assert editor.start_edit.text() == "Samstag 03:00"
    assert editor.model.rowCount() == 40
    assert "40 Einlagen · 5 Handlungsstränge · bis T+08:00" in editor.summary_label.text()
    markers = editor.timeline.markers()
    assert len(markers) == 40
    assert editor.timeline.rows()[0] == "Hochwasser Rur"
    contingencies = {m.number: m.contingency_of for m in markers if m.contingency_of}
    assert contingencies[14] == 6
    blitz = [m.number for m in markers if m.priority == "blitz"]
    assert len(blitz) == 5
    # A click on a marker selects its row.
    qtbot.waitUntil(lambda: editor.timeline.marker_position(19) is not None)
    point = editor.timeline.marker_position(19).toPoint()
    qtbot.mouseClick(editor.timeline, Qt.MouseButton.LeftButton, pos=point)
    row = editor.table.currentIndex().row()
    assert editor.model.value(row, COL_NUMBER) == "19"
    assert "Einlage Nr. 19" in editor.detail_label.text()
    assert editor.content_edit.toPlainText().startswith("BLITZ")


def test_edits_are_checked_and_saved_into_the_exercise(qtbot, dialog, demo_exercise_db, control):
    editor = dialog.editor
    editor.select_number(3)
    editor.content_edit.setPlainText("Die Talsperre läuft über.\nAbgabe 80 m³/s.")
    row = editor.add_inject()
    assert editor.model.value(row, COL_NUMBER) == "41"
    editor.model.set_value(row, COL_TIME, "T+08:30")
    editor.model.set_value(row, 2, "Leitstelle (Muster)")
    editor.model.set_value(row, COL_TO, "S2, S3")
    editor.model.set_value(row, COL_CONTENT, "Übungsende in Sicht.")
    editor.model.set_value(row, COL_NOTE, "Abschluss")
    editor.model.set_value(row, COL_STORYLINE, "Abschluss")
    assert editor.dirty and editor.unsaved_work()
    assert "6 Handlungsstränge" in editor.summary_label.text()
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert not editor.dirty, editor.message.text
    assert "41 Einlagen" in editor.message.text
    scenario = exercise_service(demo_exercise_db, control).scenario()
    by_number = scenario.by_number()
    assert len(scenario.injects) == 41
    assert by_number[3].content == "Die Talsperre läuft über.\nAbgabe 80 m³/s."
    assert by_number[41].offset_s == 8.5 * 3600 and by_number[41].recipients == ("S2", "S3")
    # Removing an inject that others depend on is refused with the line.
    editor.select_number(6)
    assert editor.remove_selected() == 1
    assert editor.save() is None
    assert any("Einlage Nr. 6 gibt es in diesem Drehbuch nicht" in e for e in _errors(editor))


def _errors(editor: Any) -> list[str]:
    return [editor.error_list.item(i).text() for i in range(editor.error_list.count())]


def test_errors_name_the_table_row_even_after_multi_line_texts(dialog):
    editor = dialog.editor
    model = editor.model
    # Row 2 has three lines of content: the CSV lines no longer match the rows.
    model.set_value(1, COL_CONTENT, "Zeile eins\nZeile zwei\nZeile drei")
    model.set_value(2, COL_TIME, "T+xx")
    model.set_value(4, COL_TO, "")
    assert editor.check() is None
    errors = _errors(editor)
    assert any(
        e.startswith("Zeile 3 (Nr. 3), Spalte „Zeit“: „T+xx“ ist keine Szenariozeit")
        for e in errors
    )
    assert any(e.startswith("Zeile 5 (Nr. 5), Spalte „An“: Pflichtangabe fehlt") for e in errors)
    assert "2 Fehler" in editor.message.text
    assert set(model.errors()) == {2, 4}
    assert model.data(model.index(2, 0), Qt.ItemDataRole.BackgroundRole) is not None
    # The first wrong row is selected; a click on an error selects its row.
    assert editor.table.currentIndex().row() == 2
    editor.error_list.itemClicked.emit(editor.error_list.item(1))
    assert editor.table.currentIndex().row() == 4
    editor.start_edit.setText("irgendwann")
    assert editor.check() is None
    assert editor.message.text.startswith("Übungsbeginn:")


def test_import_and_export_through_the_file_chooser(qtbot, dialog, tmp_path, monkeypatch):
    editor = dialog.editor
    broken = tmp_path / "kaputt.csv"
    broken.write_bytes(BROKEN)
    monkeypatch.setattr(exercise_files, "choose_scenario_file", lambda parent: str(broken))
    assert editor.choose_and_import() is False
    errors = _errors(editor)
    assert "Zeilennummern der Datei" in editor.message.text
    assert any(e.startswith("Zeile 3, Spalte „Zeit“") for e in errors)
    assert any(e.startswith("Zeile 4, Spalte „Von“") for e in errors)
    assert editor.model.rowCount() == 40  # all or nothing: the table is unchanged

    suggested: list[str] = []

    def choose_target(parent: Any, name: str) -> str:
        suggested.append(name)
        return str(tmp_path / "drehbuch.xlsx")

    monkeypatch.setattr(exercise_files, "choose_scenario_target", choose_target)
    assert editor.choose_and_export() == str(tmp_path / "drehbuch.xlsx")
    assert suggested == ["UEBUNG_Drehbuch_Hochwasser_an_der_Rur.csv"]
    result = read_scenario(tmp_path / "drehbuch.xlsx")
    assert result.ok and len(result.scenario.injects) == 40
    assert result.scenario.title == "Hochwasser an der Rur"

    editor.model.set_scenario(None)
    editor.dirty = False
    monkeypatch.setattr(
        exercise_files, "choose_scenario_file", lambda parent: str(tmp_path / "drehbuch.xlsx")
    )
    assert editor.choose_and_import()
    assert editor.model.rowCount() == 40 and editor.dirty
    assert "noch nicht gespeichert" in editor.message.text


def test_after_the_start_the_scenario_can_no_longer_be_replaced(dialog, demo_exercise_db, control):
    exercise_service(demo_exercise_db, control).start()
    assert dialog.editor.save() is None
    assert "bereits begonnen" in dialog.editor.message.text


def test_closing_with_unsaved_edits_asks_first(qtbot, dialog, fake_dialogs):
    dialog.editor.model.set_value(0, COL_CONTENT, "geändert")
    fake_dialogs.confirms.append(False)
    dialog.close()
    assert dialog.isVisible()
    fake_dialogs.confirms.append(True)
    dialog.close()
    assert not dialog.isVisible()


def test_an_empty_exercise_starts_an_empty_editor_and_loads_the_demo(
    qtbot, tmp_path, settings, control, real_template
):
    from krisenstab.gui.shared import Shared
    from krisenstab.services.exercise_setup import create_exercise_db
    from krisenstab.store.database import Database

    path: Path = tmp_path / "UEBUNG_leer.db"
    create_exercise_db(real_template, path)
    db = Database.open(path)
    try:
        dlg = ScenarioEditorDialog(Shared(db, settings, control))
        qtbot.addWidget(dlg)
        assert dlg.editor.load_from_exercise() is False
        assert dlg.editor.model.rowCount() == 0
        assert dlg.editor.check() is None and "keine Einlagen" in dlg.editor.message.text
        assert dlg.editor.load_demo()
        report = dlg.editor.save()
        assert report is not None and report.injects == 40
        assert exercise_service(db, control).state().title == "Hochwasser an der Rur"
    finally:
        db.close()
