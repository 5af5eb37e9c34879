"""Evaluation view, „Übung vorbereiten“, and the models of the exercise screens."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from test_gui_exercise_support import (
    exercise_service,
    player,
    refresh_and_wait,
    stop_runners,
    wait_idle,
)

from krisenstab.gui import exercise_files
from krisenstab.gui.exercise_scenario_editor import ScenarioEditModel
from krisenstab.services.messages import MessageService
from krisenstab.store.database import Database

# The demo exercise fixtures (exercise_path, demo_exercise_db, control, control_window, console).
pytest_plugins = ["test_gui_exercise_support"]


@pytest.fixture
def played(qtbot: Any, console: Any, demo_exercise_db: Any, settings: Any) -> Any:
    """The first 30 minutes played: four injects out, S2 acknowledged one and made a task."""
    console.start()
    console.jump_edit.setText("T+00:30")
    console.jump_from_edit()
    qtbot.waitUntil(lambda: {1, 2, 3, 4} <= set(console.delivered_log), timeout=10_000)
    console.pause()
    wait_idle(qtbot, console)
    messages = MessageService(demo_exercise_db, player(settings))
    incident = console.watcher.view.incident_id
    messages.acknowledge(messages.by_number(incident, "E-2").id)
    messages.create_task_from(
        messages.by_number(incident, "E-4").id,
        assigned_function="S2",
        title="Prognose beim Fachberater anfordern",
    )
    refresh_and_wait(qtbot, console)
    return console


def test_the_evaluation_lists_reaction_times_per_inject(qtbot, played):
    played.show_evaluation()
    view = played.evaluation
    model = view.inject_model
    assert model.rowCount() == 40
    row = model.row_of(2)
    cells = {
        model.headerData(c, Qt.Orientation.Horizontal): model.data(model.index(row, c))
        for c in range(model.columnCount())
    }
    assert cells["geplant"] == "T+00:10" and cells["zugestellt"] == "T+00:30"
    assert cells["erste Reaktion"].startswith("Quittung E-2 (S2)")
    assert cells["Stand"] == "beantwortet"
    assert cells["Reaktionszeit"]  # a duration, e.g. "12 s"
    task_row = model.row_of(4)
    assert model.data(model.index(task_row, 4)).startswith("Auftrag")
    # Unanswered injects are named in the summary.
    assert "ohne Reaktion: Nr. 1, 3" in view.summary_label.text()
    assert "beantwortet" in view.summary_label.text()
    objectives = {o.objective: o for o in view.objective_model.records()}
    assert objectives["Lagebild Hochwasser erstellen und fortschreiben"].rating is not None


def test_objectives_are_rated_and_the_replay_steps_by_scenario_time(qtbot, played):
    played.show_evaluation()
    view = played.evaluation
    row = view.objective_model.row_of("Meldewege und Stabsarbeit einhalten")
    view.objective_table.setCurrentIndex(view.objective_model.index(row, 0))
    view.objective_rating.setCurrentText("erfüllt")
    view.objective_actual.setText("Stab binnen 20 Minuten arbeitsfähig")
    assert view.rate_selected_objective()
    result = view.objective_model.record(
        view.objective_model.row_of("Meldewege und Stabsarbeit einhalten")
    )
    assert result.rating.value == "erfüllt" and not result.derived
    assert result.actual == "Stab binnen 20 Minuten arbeitsfähig"
    # Replay: one step per journal entry, in scenario order.
    steps = view.steps
    assert len(steps) >= 6
    offsets = [s.offset_s if s.offset_s is not None else -1 for s in steps]
    assert offsets == sorted(offsets)
    assert view.slider.maximum() == len(steps) - 1
    view.slider.setValue(2)
    assert view.step_label.text().startswith(f"Schritt 3 von {len(steps)}")
    assert view.replay_table.currentIndex().row() == 2
    assert steps[2].text.split()[0] in view.step_text.toPlainText()
    qtbot.mouseClick(view.next_button, Qt.MouseButton.LeftButton)
    assert view.slider.value() == 3


def test_the_report_is_saved_as_pdf_and_csv_through_the_file_chooser(
    qtbot, played, tmp_path, monkeypatch
):
    played.show_evaluation()
    view = played.evaluation
    suggested: list[str] = []

    def choose(parent: Any, name: str, kind: str) -> str:
        suggested.append(name)
        return str(tmp_path / f"auswertung.{kind}")

    monkeypatch.setattr(exercise_files, "choose_evaluation_target", choose)
    qtbot.mouseClick(view.pdf_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.last_export is not None, timeout=30_000)
    pdf = tmp_path / "auswertung.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    view.last_export = None
    view.choose_and_export("csv")
    qtbot.waitUntil(lambda: view.last_export is not None, timeout=30_000)
    text = (tmp_path / "auswertung.csv").read_text(encoding="utf-8-sig")
    assert "ÜBUNG" in text or "UEBUNG" in text
    assert suggested == [
        "UEBUNG_Auswertung_Hochwasser_an_der_Rur.pdf",
        "UEBUNG_Auswertung_Hochwasser_an_der_Rur.csv",
    ]
    assert "Auswertung gespeichert" in view.message.text
    # A folder that cannot be written is reported, not crashed on.
    view.last_export = None
    view.export(pdf=str(tmp_path / "fehlt" / "x.pdf"))
    qtbot.waitUntil(lambda: view.pdf_button.isEnabled(), timeout=30_000)
    assert "nicht gespeichert" in view.message.text


def test_every_exercise_model_passes_the_model_tester(qtmodeltester, played):
    played.show_evaluation()
    wait_idle_models = [
        played.models["upcoming"],
        played.models["delivered"],
        played.models["answered"],
        played.activity,
        played.evaluation.inject_model,
        played.evaluation.objective_model,
        played.evaluation.replay_model,
    ]
    played.note_text.setPlainText("Beobachtung für den Modelltest")
    assert played.save_note()
    played.refresh()
    played.runner.wait_idle()
    wait_idle_models.append(played.notes)
    for model in wait_idle_models:
        assert model.rowCount() > 0, model
        qtmodeltester.check(model)
    editor_model = ScenarioEditModel()
    editor_model.set_scenario(exercise_service(played.shared.db, played.shared.actor).scenario())
    qtmodeltester.check(editor_model)


def test_sorting_a_list_keeps_the_selected_inject(qtbot, played):
    table = played.tables["upcoming"]
    model = played.models["upcoming"]
    played.select_inject(20)
    model.sort(0, Qt.SortOrder.DescendingOrder)
    numbers = [r.number for r in model.records()]
    assert numbers == sorted(numbers, reverse=True)
    assert model.record(table.currentIndex().row()).number == 20


# -- „Übung vorbereiten“ ---------------------------------------------------------------------


def test_prepare_the_demo_exercise_from_the_file_menu_and_open_it(
    qtbot, window, tmp_path, krisenstab_home
):
    from krisenstab.gui.exercise_setup_dialog import open_windows

    dialog = window.exercise_hooks.prepare_exercise()
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "ÜBUNG – Übung vorbereiten"
    assert dialog.source_demo.isChecked() and dialog.scenario_demo.isChecked()
    suggested = Path(dialog.target_edit.text())
    assert suggested.name.startswith("UEBUNG_Hochwasser_Rur_") and suggested.suffix == ".db"
    target = tmp_path / "UEBUNG_Demo.db"
    dialog.target_edit.setText(str(target))
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    assert dialog.wait_done(120)
    assert target.exists(), dialog.message.text
    new_windows = [w for w in open_windows() if Path(w.shared.db.path) == target]
    assert len(new_windows) == 1
    opened = new_windows[0]
    try:
        assert opened.shared.db.is_exercise
        assert opened.shared.actor.function == "Übungsleitung"
        console = opened.current_tab()
        assert console is opened.tab("exercise_control") and console.console_visible
        qtbot.waitUntil(lambda: len(console.views) == 40, timeout=10_000)
        assert opened.banner.text().startswith("ÜBUNG – Szenariobeginn Sa 03:00")
        assert "Übungsdatenbank UEBUNG_Demo.db angelegt" in dialog.result_.summary
        assert dialog.result_.injects == 40
    finally:
        stop_runners()
        opened.close()
        qtbot.waitUntil(lambda: not open_windows(), timeout=5_000)


def test_prepare_from_a_real_database_with_a_scenario_file(
    qtbot, window, tmp_path, monkeypatch, fake_dialogs
):
    from krisenstab.gui.exercise_setup_dialog import ExerciseSetupDialog

    scenario = tmp_path / "probe.csv"
    scenario.write_text(
        "Nr;Zeit;Von;An;Inhalt;Übung;Übungsbeginn\n"
        "1;T+00:00;Leitstelle (Muster);S2;Beginn;Probe;Samstag 08:00\n"
        "2;T+00:30;Leitstelle (Muster);S3;Lage;;\n",
        encoding="utf-8",
    )
    dialog = ExerciseSetupDialog(window.shared, window)
    qtbot.addWidget(dialog)
    monkeypatch.setattr(
        exercise_files, "choose_source_database", lambda parent, start: str(window.shared.db.path)
    )
    monkeypatch.setattr(exercise_files, "choose_scenario_file", lambda parent: str(scenario))
    dialog.choose_source()
    dialog.choose_scenario()
    assert dialog.source_file.isChecked() and dialog.scenario_file.isChecked()
    assert Path(dialog.target_edit.text()).name.startswith("UEBUNG_etb_")
    dialog.open_after.setChecked(False)
    dialog.target_edit.setText(str(window.shared.db.path))
    assert dialog.create() is False and "gibt es schon" in dialog.message.text
    target = tmp_path / "UEBUNG_probe.db"
    dialog.target_edit.setText(str(target))
    assert dialog.create()
    assert dialog.wait_done(60)
    assert dialog.result_ is not None and dialog.result_.injects == 2
    assert not dialog.open_button.isHidden()
    assert "krisenstab --db" in dialog.result_label.text()
    db = Database.open(target)
    try:
        assert db.is_exercise
        state = exercise_service(db, None).state()
        assert state.title == "Probe" and state.start_label == "Samstag 08:00"
    finally:
        db.close()
    # The real database is untouched and still real.
    assert not window.shared.db.is_exercise


def test_a_broken_scenario_file_still_leaves_a_usable_exercise_database(qtbot, window, tmp_path):
    from krisenstab.gui.exercise_setup_dialog import ExerciseSetupDialog

    scenario = tmp_path / "kaputt.csv"
    scenario.write_text("Nr;Zeit;Von;An;Inhalt\n1;gleich;A;S2;x\n", encoding="utf-8")
    dialog = ExerciseSetupDialog(window.shared, window)
    qtbot.addWidget(dialog)
    dialog.source_file.setChecked(True)
    dialog.source_edit.setText(str(window.shared.db.path))
    dialog.scenario_file.setChecked(True)
    dialog.scenario_edit.setText(str(scenario))
    dialog.open_after.setChecked(False)
    dialog.target_edit.setText(str(tmp_path / "UEBUNG_x.db"))
    assert dialog.create() and dialog.wait_done(60)
    assert dialog.message.level == "warning"
    assert "Zeile 2" in dialog.message.text and "nicht geladen" in dialog.message.text
    assert (tmp_path / "UEBUNG_x.db").exists()
