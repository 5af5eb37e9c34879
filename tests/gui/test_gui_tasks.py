"""Aufgaben tab: keyboard flows, overdue highlight and announcement (fake clock), filters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from krisenstab.domain.journal import EntryKind
from krisenstab.domain.task import TaskStatus
from krisenstab.gui.staff_widgets import parse_deadline
from krisenstab.gui.tasks_model import (
    OVERDUE_BACKGROUND,
    OVERDUE_ROLE,
    TaskColumn,
    TaskTableModel,
)
from krisenstab.services.context import Actor
from krisenstab.services.journal import JournalService
from krisenstab.services.tasks import TaskService


def _service(db, actor, function: str = "S2") -> TaskService:
    who = Actor(person=f"Muster {function}", function=function, workstation_id=actor.workstation_id)
    return TaskService(db, who)


def _tasks_tab(qtbot, window):
    tab = window.show_tab("tasks")
    qtbot.waitUntil(lambda: tab.isVisible())
    return tab


def test_model_passes_qt_model_tester_and_marks_overdue_in_colour_and_words(
    qtmodeltester, db, actor, incident_id
) -> None:
    now = datetime(2026, 11, 27, 14, 0, tzinfo=UTC)
    service = _service(db, actor)
    late = service.create(
        incident_id,
        "Sandsäcke nach Nideggen",
        assigned_function="S4",
        due_at=now - timedelta(hours=2),
    )
    service.create(
        incident_id,
        "Lagekarte aktualisieren",
        assigned_function="S2",
        due_at=now + timedelta(hours=1),
    )
    service.create(incident_id, "Pressemitteilung", assigned_function="S5")
    model = TaskTableModel()
    model.set_tasks(service.list(incident_id, now=now), now)
    qtmodeltester.check(model)

    row = model.row_of(late.id)
    assert row is not None
    status = model.index(row, TaskColumn.STATUS)
    assert status.data(OVERDUE_ROLE) is True
    assert "ÜBERFÄLLIG" in status.data()  # words, not only colour
    assert status.data(Qt.ItemDataRole.BackgroundRole).color() == QColor(OVERDUE_BACKGROUND)
    assert "seit 2 h" in model.index(row, TaskColumn.DUE).data()
    assert (
        model.index(row, TaskColumn.TITLE)
        .data(Qt.ItemDataRole.AccessibleTextRole)
        .startswith("überfällig")
    )
    other = model.index(model.row_of(model.tasks[1].id), TaskColumn.STATUS)
    assert other.data(Qt.ItemDataRole.BackgroundRole) is None
    assert "noch 1 h" in model.index(other.row(), TaskColumn.DUE).data()
    assert model.overdue_count() == 1


def test_create_a_task_with_the_keyboard_only(qtbot, window, db, typer) -> None:
    tab = _tasks_tab(qtbot, window)
    tab.table.setFocus()
    qtbot.keyClick(tab.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert tab.editor.title_edit.hasFocus()
    typer(tab.editor.title_edit, "Pumpen für Kreuzau anfordern")
    qtbot.keyClick(tab.editor.title_edit, Qt.Key.Key_Tab)
    focused = window.focusWidget()
    typer(focused, "S4")
    qtbot.keyClick(focused, Qt.Key.Key_Tab)  # person stays empty
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Tab)
    assert window.focusWidget() is tab.editor.due_edit
    typer(tab.editor.due_edit, "+45")
    qtbot.keyClick(tab.editor.due_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    tasks = TaskService(db).list(window.shared.incident_id)
    assert [t.title for t in tasks] == ["Pumpen für Kreuzau anfordern"]
    task = tasks[0]
    assert task.assigned_function == "S4" and task.issued_by_function == "S2"
    assert task.due_at is not None
    assert timedelta(minutes=43) < task.due_at - datetime.now(UTC) < timedelta(minutes=46)
    assert tab.model.rowCount() == 1
    entries = JournalService(db).fetch(window.shared.incident_id, [11])
    assert entries[0].kind == EntryKind.AUFTRAG and entries[0].task_id == task.id
    assert "Auftrag Nr. 1" in window.statusBar().currentMessage()
    # Ready for the next one.
    assert tab.editor.title_edit.hasFocus() and tab.editor.title_edit.text() == ""


def test_missing_title_is_refused_without_a_dialog(qtbot, window, fake_dialogs) -> None:
    tab = _tasks_tab(qtbot, window)
    tab.new_task()
    qtbot.keyClick(tab.editor.title_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert tab.message_bar.isVisible() and "Titel" in tab.message_bar.text
    assert not fake_dialogs.errors
    assert tab.model.rowCount() == 0


def test_status_change_with_feedback_by_keyboard(qtbot, window, db, actor, typer) -> None:
    incident = window.shared.incident_id
    task = _service(db, actor).create(incident, "Notunterkunft öffnen", assigned_function="S2")
    tab = _tasks_tab(qtbot, window)
    tab.reload()
    assert tab.select_task(task.id)
    tab.table.setFocus()
    qtbot.keyClick(
        tab.table,
        Qt.Key.Key_A,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert TaskService(db).get(task.id).status == TaskStatus.IN_PROGRESS

    tab.table.setFocus()
    qtbot.keyClick(
        tab.table,
        Qt.Key.Key_E,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert tab.editor.feedback_edit.hasFocus()
    typer(tab.editor.feedback_edit, "Schule Kreuzau offen, 80 Plätze.")
    qtbot.keyClick(tab.editor.feedback_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    done = TaskService(db).get(task.id)
    assert done.status == TaskStatus.DONE
    assert done.feedback == "Schule Kreuzau offen, 80 Plätze."
    history = TaskService(db).history(task.id)
    assert len(history) == 3  # created, in Arbeit, erledigt with feedback
    assert "Rückmeldung: Schule Kreuzau" in history[-1].text


def test_filter_tasks_of_my_function(qtbot, window, db, actor) -> None:
    incident = window.shared.incident_id
    service = _service(db, actor)
    mine = service.create(incident, "Lagekarte", assigned_function="S2")
    service.create(incident, "Verpflegung", assigned_function="S4")
    tab = _tasks_tab(qtbot, window)
    tab.reload()
    assert tab.model.rowCount() == 2
    tab.table.setFocus()
    qtbot.keyClick(tab.table, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    assert tab.mine_check.isChecked()
    assert [t.id for t in tab.model.tasks] == [mine.id]
    assert "S2" in tab.mine_check.text()


def test_task_becoming_overdue_is_announced_without_a_dialog(
    qtbot, window, db, actor, fake_dialogs
) -> None:
    incident = window.shared.incident_id
    window.start_watchers()
    announcer = window.overdue_announcer
    start = datetime.now(UTC)
    clock = {"now": start}
    announcer.clock = lambda: clock["now"]
    task = _service(db, actor).create(
        incident,
        "Deich Linnich kontrollieren",
        assigned_function="S3",
        due_at=start + timedelta(minutes=10),
    )
    assert announcer.check() == []
    index = next(i for i in range(window.tabs.count()) if window.tabs.widget(i).spec.key == "tasks")
    assert window.tabs.tabText(index) == "Aufgaben"
    assert not announcer.marker.isVisible()

    with qtbot.waitSignal(announcer.became_overdue) as signal:
        clock["now"] = start + timedelta(minutes=11)
        announced = announcer.check()
    assert [t.id for t in announced] == [task.id]
    assert [t.id for t in signal.args[0]] == [task.id]
    assert window.tabs.tabText(index) == "Aufgaben (1 überfällig)"
    message = window.statusBar().currentMessage()
    assert "Auftrag Nr. 1" in message and "überfällig" in message
    assert announcer.marker.isVisible() and "1 Auftrag überfällig" in announcer.marker.text()
    # Announced once, not again on the next look.
    clock["now"] = start + timedelta(minutes=12)
    assert announcer.check() == []
    assert not fake_dialogs.errors and not fake_dialogs.infos and not fake_dialogs.confirmed

    # Done: the badge and the marker go away.
    _service(db, actor, "S3").set_status(task.id, "erledigt")
    window.shared.signals.journal_changed.emit(incident)
    assert window.tabs.tabText(index) == "Aufgaben"
    assert not announcer.marker.isVisible()


def test_tab_highlights_overdue_rows_with_its_clock(qtbot, window, db, actor) -> None:
    incident = window.shared.incident_id
    start = datetime.now(UTC)
    task = _service(db, actor).create(
        incident,
        "Stromaggregat betanken",
        assigned_function="S4",
        due_at=start + timedelta(minutes=5),
    )
    tab = _tasks_tab(qtbot, window)
    tab.clock = lambda: start
    tab.reload()
    row = tab.model.row_of(task.id)
    assert tab.model.index(row, TaskColumn.STATUS).data(OVERDUE_ROLE) is False
    tab.clock = lambda: start + timedelta(minutes=6)
    tab.reload()
    row = tab.model.row_of(task.id)
    assert tab.model.index(row, TaskColumn.STATUS).data(OVERDUE_ROLE) is True
    assert "⚠ 1 überfällig" in tab.counts_label.text()
    image = tab.table.viewport().grab().toImage()
    rect = tab.table.visualRect(tab.model.index(row, TaskColumn.PRIORITY))
    ratio = image.devicePixelRatio()
    colour = image.pixelColor(int((rect.right() - 3) * ratio), int(rect.center().y() * ratio))
    assert colour == QColor(OVERDUE_BACKGROUND)


def test_closed_incident_makes_the_editor_read_only(qtbot, window, db, actor) -> None:
    from krisenstab.services.incidents import IncidentService

    tab = _tasks_tab(qtbot, window)
    closed = IncidentService(db).close(window.shared.incident_id, actor)
    window.shared.update_incident(closed)
    assert tab.editor.is_read_only
    assert not tab.editor.save_button.isEnabled()
    assert not tab.new_action.isEnabled()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", None),
        ("+30", datetime(2026, 11, 27, 14, 30, tzinfo=UTC)),
        ("+2h", datetime(2026, 11, 27, 16, 0, tzinfo=UTC)),
        ("16:30", datetime(2026, 11, 27, 15, 30, tzinfo=UTC)),  # 16:30 Berlin, later today
        ("14:00", datetime(2026, 11, 28, 13, 0, tzinfo=UTC)),  # already past: tomorrow
        ("281200nov26", datetime(2026, 11, 28, 11, 0, tzinfo=UTC)),
    ],
)
def test_deadlines_are_read_as_future_times(text, expected) -> None:
    now = datetime(2026, 11, 27, 14, 0, tzinfo=UTC)  # 15:00 in Berlin
    assert parse_deadline(text, now) == expected


def test_bad_deadline_has_a_german_message() -> None:
    with pytest.raises(ValueError, match="Uhrzeit"):
        parse_deadline("25:99")
