"""The exercise screens: banner with scenario time, Realereignis, controller console, delivery."""

from __future__ import annotations

from PySide6.QtCore import Qt
from test_gui_exercise_support import (
    exercise_service,
    player,
    refresh_and_wait,
    stop_runners,
    wait_idle,
)

from krisenstab.domain.exercise import ClockStatus, NoteKind
from krisenstab.exercise.evaluation import InjectState
from krisenstab.services.journal import JournalService
from krisenstab.services.messages import MessageService
from krisenstab.store.database import Database

# The demo exercise fixtures (exercise_path, demo_exercise_db, control, control_window, console).
pytest_plugins = ["test_gui_exercise_support"]


def test_only_exercise_windows_have_the_console_and_every_window_can_prepare_one(
    window, window_factory, demo_exercise_db, control
):
    assert window.tab("exercise_control") is None
    assert window.banner is None
    assert window.exercise_hooks.prepare_action.text().replace("&", "") == "Übung vorbereiten …"
    file_menu = window.menuBar().actions()[0].menu()
    assert window.exercise_hooks.prepare_action in file_menu.actions()
    exercise = window_factory(demo_exercise_db, control)
    assert exercise.tab("exercise_control") is not None
    assert "Übungsleitung" in [exercise.tabs.tabText(i) for i in range(exercise.tabs.count())]
    stop_runners()


def test_banner_shows_the_scenario_time_and_pace(qtbot, control_window, demo_exercise_db, control):
    hooks = control_window.exercise_hooks
    banner = control_window.banner
    assert banner.text() == "ÜBUNG – Szenariobeginn Sa 03:00 – noch nicht begonnen"
    service = exercise_service(demo_exercise_db, control)
    service.start(speed=4)
    service.jump_to(42 * 60)
    hooks.watcher.poll()
    qtbot.waitUntil(lambda: "T+00:4" in banner.text())
    assert banner.text().startswith("ÜBUNG – Szenariozeit Sa 03:4")
    assert banner.text().endswith("– läuft 4×")
    service.pause()
    hooks.watcher.poll()
    assert banner.text().endswith("– angehalten")
    # The title bar says ÜBUNG as well.
    assert control_window.windowTitle().startswith("ÜBUNG")


def test_entries_typed_by_players_carry_the_scenario_time(
    qtbot, window_factory, demo_exercise_db, control, settings
):
    exercise_service(demo_exercise_db, control).start()
    window = window_factory(demo_exercise_db, player(settings))
    service = window.shared.journal()
    assert service.scenario_clock is not None
    entry = service.add(window.shared.incident_id, "Lagebild an den Leiter übergeben.")
    assert entry.scenario_time is not None
    # The player's window never delivers injects and does not show the console.
    console = window.tab("exercise_control")
    assert console.stack.currentWidget() is console.cover
    assert console.runner is None


def test_the_console_stays_covered_for_players_until_they_say_they_run_the_exercise(
    qtbot, window_factory, demo_exercise_db, settings, fake_dialogs
):
    window = window_factory(demo_exercise_db, player(settings))
    console = window.show_tab("exercise_control")
    assert not console.console_visible
    assert "Übungsleitung" in console.cover.label.text()
    fake_dialogs.confirms.append(False)
    assert console.reveal() is False
    assert not console.console_visible
    fake_dialogs.confirms.append(True)
    qtbot.mouseClick(console.cover.reveal_button, Qt.MouseButton.LeftButton)
    assert console.console_visible
    qtbot.waitUntil(lambda: len(console.views) == 40, timeout=10_000)
    stop_runners()


def test_clock_controls_change_the_shared_state(qtbot, console, demo_exercise_db, control):
    other = exercise_service(Database.open(demo_exercise_db.path), control)
    assert other.state().status is ClockStatus.READY
    assert console.start_button.isEnabled() and not console.pause_button.isEnabled()
    console.speed_combo.setCurrentIndex(console.speed_combo.findData(3))
    qtbot.mouseClick(console.start_button, Qt.MouseButton.LeftButton)
    state = other.state()
    assert state.status is ClockStatus.RUNNING and state.speed == 3
    assert console.runner.running
    console.speed_combo.setCurrentIndex(console.speed_combo.findData(5))
    console.speed_combo.activated.emit(console.speed_combo.currentIndex())
    assert other.state().speed == 5
    qtbot.mouseClick(console.pause_button, Qt.MouseButton.LeftButton)
    assert other.state().status is ClockStatus.PAUSED
    assert not console.runner.running and console.resume_button.isEnabled()
    qtbot.keyClicks(console.jump_edit, "T+01:00")
    qtbot.mouseClick(console.jump_button, Qt.MouseButton.LeftButton)
    assert other.state().offset_s == 3600
    assert console.clock.time_label.text().startswith("Sa 04:00:00")
    console.jump_edit.setText("30 min")
    console.jump_from_edit()
    assert other.state().offset_s == 5400
    console.jump_edit.setText("T+00:10")
    assert console.jump_from_edit() is None
    assert "nur vorwärts" in console.message.text
    console.jump_edit.setText("morgen")
    assert console.jump_from_edit() is None and "keine Frist" in console.message.text
    qtbot.mouseClick(console.resume_button, Qt.MouseButton.LeftButton)
    assert other.state().status is ClockStatus.RUNNING
    qtbot.mouseClick(console.finish_button, Qt.MouseButton.LeftButton)
    assert other.state().status is ClockStatus.FINISHED
    assert console.inner.currentWidget() is console.evaluation
    wait_idle(qtbot, console)
    other.db.close()


def test_the_worker_delivers_injects_as_the_clock_passes(qtbot, console, demo_exercise_db, control):
    console.start()
    # Faster than a user may set it: the worker must keep up.
    exercise_service(demo_exercise_db, control).set_speed(1000, headless=True)
    console.watcher.poll()
    qtbot.waitUntil(lambda: {1, 2, 3, 4} <= set(console.delivered_log), timeout=20_000)
    console.pause()
    wait_idle(qtbot, console)
    refresh_and_wait(qtbot, console)
    delivered = {v.number for v in console.views if v.state is not InjectState.PLANNED}
    assert {1, 2, 3, 4} <= delivered
    incident = console.watcher.view.incident_id
    inbox = MessageService(demo_exercise_db).inbox(incident, "S2")
    assert {"E-2", "E-4"} <= {row.number for row in inbox.rows}
    # Lists and counts follow.
    assert console.inner.tabText(0).startswith("Anstehend (")
    assert console.models["delivered"].rowCount() >= 4
    assert console.timeline.markers()


def test_jump_to_the_next_inject_delivers_it(qtbot, console):
    console.start()
    wait_idle(qtbot, console)
    qtbot.waitUntil(lambda: 1 in console.delivered_log, timeout=10_000)
    refresh_and_wait(qtbot, console)
    assert console.next_due() == 600
    assert "Nr. 2 an S2" in console.next_label.text()
    console.jump_to_next()
    qtbot.waitUntil(lambda: 2 in console.delivered_log, timeout=10_000)
    console.pause()
    wait_idle(qtbot, console)


def test_send_early_and_drop_a_planned_inject(qtbot, console, fake_dialogs):
    console.start()
    console.pause()
    wait_idle(qtbot, console)
    refresh_and_wait(qtbot, console)
    assert console.select_inject(7)
    assert console.send_button.isEnabled()
    qtbot.mouseClick(console.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: 7 in console.delivered_log, timeout=10_000)
    wait_idle(qtbot, console)
    refresh_and_wait(qtbot, console)
    sent = console.view_of(7)
    assert sent.state is InjectState.DELIVERED and sent.outcome == "vorzeitig zugestellt"
    assert "vorzeitig" in console.message.text
    assert console.models["delivered"].row_of(7) >= 0
    fake_dialogs.texts.append("Lage hat sich anders entwickelt")
    console.select_inject(9)
    assert console.drop_selected()
    refresh_and_wait(qtbot, console)
    dropped = console.view_of(9)
    assert dropped.state is InjectState.SKIPPED and "anders entwickelt" in dropped.reason
    assert "entfallen" in console.inner.tabText(1)
    # Cancelling the question drops nothing.
    fake_dialogs.texts.append(None)
    console.select_inject(5)
    assert console.drop_selected() is False
    assert console.view_of(5).state is InjectState.PLANNED


def test_an_ad_hoc_inject_typed_on_the_spot_reaches_the_function(
    qtbot, console, demo_exercise_db, typer
):
    console.start()
    console.pause()
    wait_idle(qtbot, console)
    console.show_adhoc()
    assert console.inner.currentWidget() is console.adhoc_page
    typer(console.adhoc_from, "Bürgertelefon (Muster)")
    console.adhoc_to.setCurrentText("S3")
    console.adhoc_channel.setCurrentText("Funk")
    console.adhoc_priority.setCurrentIndex(console.adhoc_priority.findData("sofort"))
    typer(console.adhoc_content, "Anrufer meldet Keller unter Wasser in Kreuzau-Üdingen.")
    typer(console.adhoc_expected, "S3 prüft Kräfte.")
    typer(console.adhoc_note, "Nur wenn S3 untätig ist.")
    qtbot.mouseClick(console.adhoc_send, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: console.adhoc_send.isEnabled(), timeout=10_000)
    assert "Ad-hoc-Einlage Nr. 41" in console.message.text
    wait_idle(qtbot, console)
    refresh_and_wait(qtbot, console)
    view = console.view_of(41)
    assert (
        view.ad_hoc and view.state is InjectState.DELIVERED and view.outcome == "ad hoc zugestellt"
    )
    message = MessageService(demo_exercise_db).get(view.message_id)
    assert message.to == ("S3",) and message.priority == "sofort"
    assert "Kreuzau-Üdingen" in message.content
    assert "untätig" not in message.content  # the controller note stays here
    assert console.adhoc_content.toPlainText() == ""
    # Planned for later: waits in the upcoming list.
    console.adhoc_time.setText("T+07:55")
    console.adhoc_from.setText("Leitstelle (Muster)")
    console.adhoc_to.setCurrentText("S2")
    console.adhoc_content.setPlainText("Späte Nachfrage.")
    console.send_adhoc()
    qtbot.waitUntil(lambda: console.adhoc_send.isEnabled(), timeout=10_000)
    wait_idle(qtbot, console)
    refresh_and_wait(qtbot, console)
    assert console.view_of(42).state is InjectState.PLANNED
    assert console.models["upcoming"].row_of(42) >= 0


def test_the_ad_hoc_form_says_what_is_missing(qtbot, console):
    console.start()
    console.show_adhoc()
    assert console.send_adhoc() is False
    assert "Absender" in console.message.text
    console.adhoc_from.setText("Leitstelle (Muster)")
    console.adhoc_to.setCurrentText("S2")
    console.adhoc_content.setPlainText("Text")
    console.adhoc_time.setText("gleich")
    assert console.send_adhoc() is False
    assert console.message.text.startswith("Zeit:")
    # Unsaved input is noticed when the window closes.
    assert "Ad-hoc-Einlage" in console.unsaved_work()
    console.pause()
    wait_idle(qtbot, console)


def test_realereignis_shows_at_once_in_every_players_window(
    qtbot, console, control_window, window_factory, demo_exercise_db, settings, fake_dialogs
):
    console.start()
    wait_idle(qtbot, console)
    other_db = Database.open(demo_exercise_db.path)
    try:
        player_window = window_factory(other_db, player(settings, "S4", "Tim Muster"))
        bar = player_window.exercise_hooks.real_event_bar
        assert not bar.isVisible()
        fake_dialogs.confirms.append(False)
        assert console.call_real_event() is None
        assert exercise_service(other_db, None).state().status is ClockStatus.RUNNING
        qtbot.mouseClick(console.real_event_button, Qt.MouseButton.LeftButton)
        assert fake_dialogs.confirmed[-1][0] == "REALEREIGNIS"
        assert not console.runner.running
        # The other window polls the shared file and raises the alarm, non-modal.
        qtbot.waitUntil(bar.isVisible, timeout=6_000)
        assert "REALEREIGNIS – Übung abgebrochen" in bar.text
        assert CONTROL_NAME in bar.text
        assert player_window.banner.text().startswith("ÜBUNG ABGEBROCHEN – REALEREIGNIS")
        assert control_window.exercise_hooks.real_event_bar.isVisible()
        assert not console.real_event_button.isEnabled()
        # The player keeps working: nothing modal, the editor still takes text.
        assert player_window.isEnabled()
        # Only an explicit resume lifts the alarm.
        assert "Realereignis" in console.resume_button.text()
        console.resume()
        player_window.exercise_hooks.watcher.poll()
        assert not bar.isVisible()
        console.pause()
        wait_idle(qtbot, console)
    finally:
        stop_runners()
        other_db.close()


CONTROL_NAME = "Erika Muster (Übungsleitung)"


def test_notes_and_ratings_are_kept_with_the_scenario_time(qtbot, console, demo_exercise_db):
    console.start()
    qtbot.waitUntil(lambda: 1 in console.delivered_log, timeout=10_000)
    console.pause()
    wait_idle(qtbot, console)
    refresh_and_wait(qtbot, console)
    console.select_inject(1)
    qtbot.mouseClick(console.note_button, Qt.MouseButton.LeftButton)
    assert console.inner.currentWidget() is console.notes_page
    assert console.note_inject.text() == "1" and console.note_message.text() == "E-1"
    console.note_text.setPlainText("Leiter des Stabes beruft sofort ein.")
    console.note_journal.setText("1")
    assert console.save_note()
    console.note_kind.setCurrentIndex(console.note_kind.findData(NoteKind.CONTROLLER.value))
    console.note_text.setPlainText("Nächstes Mal früher eskalieren.")
    assert console.save_note()
    console.note_journal.setText("x")
    console.note_text.setPlainText("Falsch")
    assert not console.save_note() and "ETB-Nr." in console.message.text
    console.note_journal.clear()
    refresh_and_wait(qtbot, console)
    notes = console.notes.records()
    assert [n.kind for n in notes] == ["Beobachtung", "Übungsleitung"]
    assert notes[0].inject_number == 1 and notes[0].journal_number == 1
    assert notes[0].message_number == "E-1" and notes[0].offset_s is not None
    console.inner.setCurrentIndex(0)
    console.select_inject(1)
    console.rating_combo.setCurrentText("teilweise erfüllt")
    console.actual_edit.setText("Einberufung erst nach Rückfrage")
    assert console.rate_selected()
    evaluation = exercise_service(demo_exercise_db, console.shared.actor).evaluation()
    first = next(r for r in evaluation.injects if r.number == 1)
    assert first.rating.rating == "teilweise erfüllt"
    assert first.rating.actual == "Einberufung erst nach Rückfrage"


def test_a_controller_returning_to_a_running_exercise_gets_the_console_at_once(
    qtbot, window_factory, demo_exercise_db, control
):
    exercise_service(demo_exercise_db, control).start()
    window = window_factory(demo_exercise_db, control)
    slot = window._slots["exercise_control"]
    qtbot.waitUntil(lambda: slot.widget is not None, timeout=5_000)
    assert slot.widget.runner is not None and slot.widget.runner.running
    slot.widget.pause()
    wait_idle(qtbot, slot.widget)
    stop_runners()


def test_controller_data_never_reaches_the_players_message(qtbot, console, demo_exercise_db):
    console.start()
    qtbot.waitUntil(lambda: 1 in console.delivered_log, timeout=10_000)
    console.pause()
    wait_idle(qtbot, console)
    refresh_and_wait(qtbot, console)
    view = console.view_of(1)
    console.select_inject(1)
    assert "Hinweis Übungsleitung (nur hier sichtbar)" in console.detail.toHtml()
    assert view.controller_note.split(".")[0] in console.detail.toPlainText()
    message = MessageService(demo_exercise_db).get(view.message_id)
    assert view.controller_note not in message.content
    entries = JournalService(demo_exercise_db).list(console.watcher.view.incident_id)
    assert all(view.controller_note not in e.text for e in entries)


def test_activity_per_function_lists_who_did_what(qtbot, console, demo_exercise_db, settings):
    console.start()
    console.jump_edit.setText("T+00:30")
    console.jump_from_edit()
    qtbot.waitUntil(lambda: {1, 2, 3, 4} <= set(console.delivered_log), timeout=10_000)
    console.pause()
    wait_idle(qtbot, console)
    messages = MessageService(demo_exercise_db, player(settings))
    incident = console.watcher.view.incident_id
    messages.acknowledge(messages.by_number(incident, "E-2").id)
    refresh_and_wait(qtbot, console)
    rows = {a.function: a for a in console.activity.records()}
    assert rows["S2"].injects_delivered == 2 and rows["S2"].acknowledged == 1
    assert rows["S2"].unacknowledged == 1
    assert "Übungsleitung" not in rows
    answered = console.models["answered"].records()
    assert [v.number for v in answered] == [2]
    assert console.inner.tabText(2) == "Beantwortet (1)"
