"""Tasks (Aufträge): issue, status, feedback, overdue, journal entries of kind Auftrag."""

from __future__ import annotations

from datetime import timedelta

import pytest
from helpers import S2, journal, new_db, new_incident

from krisenstab.domain.task import TaskFilter, is_overdue
from krisenstab.domain.timefmt import utcnow
from krisenstab.services.context import Actor, PermissionDenied, ServiceError
from krisenstab.services.incidents import IncidentService
from krisenstab.services.tasks import TaskService

READER = Actor("Rita Leserin", "S2", "ws-test", account="leserin", roles=("Nur-Lesen",))
S4 = Actor("Tim Muster", "S4", "ws-test")


@pytest.fixture
def db(tmp_path):
    return new_db(tmp_path)


@pytest.fixture
def inc(db):
    return new_incident(db)


@pytest.fixture
def tasks(db):
    return TaskService(db, S2)


def test_creation_writes_an_auftrag_entry_that_references_the_task(db, inc, tasks):
    due = utcnow() + timedelta(hours=2)
    task = tasks.create(
        inc,
        "Sandsäcke nach Heimbach",
        assigned_function="s 4",
        assigned_person="Tim Muster",
        due_at=due,
        intended_effect="Uferstraße gesichert",
        priority="hoch",
    )
    assert (task.number, task.assigned_function, task.status) == (1, "S4", "offen")
    assert (task.issued_by_person, task.issued_by_function) == (S2.person, "S2")
    assert task.due_at == due and not task.overdue
    entry = journal(db).list(inc)[-1]
    assert entry.kind == "Auftrag" and entry.task_id == task.id
    assert "Auftrag Nr. 1 an S4 (Tim Muster): Sandsäcke nach Heimbach." in entry.text
    assert "Beabsichtigte Wirkung: Uferstraße gesichert" in entry.text
    assert tasks.create(inc, "Zweiter", assigned_function="S3").number == 2


def test_each_status_change_and_feedback_writes_its_entry(db, inc, tasks):
    task = tasks.create(inc, "Pumpen anfordern", assigned_function="S4")
    doer = TaskService(db, S4)
    doer.set_status(task.id, "in Arbeit")
    doer.add_feedback(task.id, "THW angefragt")
    done = doer.set_status(task.id, "erledigt", feedback="Zwei Pumpen vor Ort")
    assert done.status == "erledigt" and done.closed_at is not None
    assert done.feedback == "Zwei Pumpen vor Ort"
    assert done.revision == 4
    history = tasks.history(task.id)
    assert [e.kind for e in history] == ["Auftrag"] * 4
    assert [e.function for e in history] == ["S2", "S4", "S4", "S4"]
    assert "Status offen → in Arbeit" in history[1].text
    assert "Rückmeldung: THW angefragt" in history[2].text
    assert "Status in Arbeit → erledigt. Rückmeldung: Zwei Pumpen vor Ort" in history[3].text
    assert journal(db).verify().ok


def test_transitions_are_checked(inc, tasks):
    task = tasks.create(inc, "Lagekarte drucken", assigned_function="S2")
    tasks.set_status(task.id, "storniert")
    with pytest.raises(ServiceError, match="kann nicht „in Arbeit“ werden"):
        tasks.set_status(task.id, "in Arbeit")
    other = tasks.create(inc, "Funkplan", assigned_function="S6")
    with pytest.raises(ServiceError, match="bereits den Status"):
        tasks.set_status(other.id, "offen")
    with pytest.raises(ServiceError, match="Unbekannter Status"):
        tasks.set_status(other.id, "fertig")
    tasks.set_status(other.id, "done")
    assert tasks.set_status(other.id, "in_arbeit").closed_at is None  # taken up again


def test_overdue_is_deadline_passed_while_open_or_in_progress(inc, tasks):
    now = utcnow()
    late = tasks.create(inc, "Spät", assigned_function="S4", due_at=now - timedelta(minutes=5))
    running = tasks.create(inc, "Läuft", assigned_function="S4", due_at=now - timedelta(hours=1))
    tasks.set_status(running.id, "in Arbeit")
    done = tasks.create(inc, "Fertig", assigned_function="S4", due_at=now - timedelta(hours=1))
    tasks.set_status(done.id, "erledigt")
    tasks.create(inc, "Später", assigned_function="S4", due_at=now + timedelta(hours=1))
    tasks.create(inc, "Ohne Frist", assigned_function="S4")
    overdue = tasks.overdue(inc, now)
    assert {t.title for t in overdue} == {"Spät", "Läuft"}
    assert all(t.overdue for t in overdue)
    assert tasks.get(late.id, now=now).overdue
    assert not tasks.get(late.id, now=now - timedelta(hours=1)).overdue
    assert tasks.counts(inc, now=now).overdue == 2
    assert not is_overdue(now - timedelta(hours=1), "erledigt", now)


def test_became_overdue_announces_each_task_once(inc, tasks):
    now = utcnow()
    tasks.create(inc, "A", assigned_function="S3", due_at=now + timedelta(minutes=1))
    tasks.create(inc, "B", assigned_function="S3", due_at=now + timedelta(minutes=3))
    assert tasks.next_deadline(inc, now) == now + timedelta(minutes=1)
    # The GUI's timer looks every two minutes and announces what is new since.
    first = tasks.became_overdue(inc, since=now, now=now + timedelta(minutes=2))
    second = tasks.became_overdue(
        inc, since=now + timedelta(minutes=2), now=now + timedelta(minutes=4)
    )
    third = tasks.became_overdue(
        inc, since=now + timedelta(minutes=4), now=now + timedelta(minutes=6)
    )
    assert [t.title for t in first] == ["A"]
    assert [t.title for t in second] == ["B"]
    assert third == []


def test_list_order_and_filters(inc, tasks):
    now = utcnow()
    tasks.create(inc, "S4 spät", assigned_function="S4", due_at=now + timedelta(hours=3))
    tasks.create(inc, "S3 früh", assigned_function="S3", due_at=now + timedelta(hours=1))
    tasks.create(inc, "S4 ohne Frist", assigned_function="S4")
    closed = tasks.create(inc, "S4 erledigt", assigned_function="S4", due_at=now)
    tasks.set_status(closed.id, "erledigt")
    assert [t.title for t in tasks.list(inc, now=now)] == [
        "S3 früh",
        "S4 spät",
        "S4 ohne Frist",
        "S4 erledigt",
    ]
    mine = tasks.list(inc, TaskFilter(function="s4", active_only=True), now=now)
    assert [t.title for t in mine] == ["S4 spät", "S4 ohne Frist"]
    assert [t.title for t in tasks.list(inc, TaskFilter(text="erledig"))] == ["S4 erledigt"]
    counts = tasks.counts(inc, function="S4", now=now)
    assert (counts.open, counts.done, counts.active) == (2, 1, 2)


def test_edit_lists_changes_and_detects_concurrent_edits(db, inc, tasks):
    task = tasks.create(inc, "Pressemitteilung", assigned_function="S5")
    due = utcnow() + timedelta(hours=1)
    edited = tasks.update(task.id, expected_revision=1, due_at=due, assigned_function="BuMA")
    assert edited.revision == 2 and edited.assigned_function == "BuMA"
    text = journal(db).list(inc)[-1].text
    assert text.startswith("Auftrag Nr. 1 geändert:")
    assert "Ausführende Funktion S5 → BuMA" in text and "Frist – →" in text
    with pytest.raises(ServiceError, match="inzwischen an anderer Stelle geändert"):
        tasks.update(task.id, expected_revision=1, title="Neu")
    count = journal(db).count(inc)
    tasks.update(task.id, title="Pressemitteilung")  # no change, no entry
    assert journal(db).count(inc) == count


def test_resolve_by_id_prefix_and_number(inc, tasks):
    task = tasks.create(inc, "Funkplan", assigned_function="S6")
    assert tasks.resolve(inc, task.id).id == task.id
    assert tasks.resolve(inc, task.id[:8]).id == task.id
    assert tasks.resolve(inc, "1").id == task.id
    assert tasks.resolve(inc, "#1").id == task.id
    with pytest.raises(ServiceError, match="gibt es nicht"):
        tasks.resolve(inc, "99")


def test_refused_without_permission_and_on_closed_incident(db, inc, tasks):
    reader = TaskService(db, READER)
    with pytest.raises(PermissionDenied, match="Aufträge"):
        reader.create(inc, "Nichts", assigned_function="S4")
    task = tasks.create(inc, "Etwas", assigned_function="S4")
    with pytest.raises(PermissionDenied):
        reader.set_status(task.id, "erledigt")
    with pytest.raises(PermissionDenied):
        reader.add_feedback(task.id, "x")
    assert reader.list(inc)[0].title == "Etwas"
    IncidentService(db).close(inc, S2)
    with pytest.raises(ServiceError, match="abgeschlossen"):
        tasks.create(inc, "Nach Abschluss", assigned_function="S4")
    assert [t.title for t in tasks.list(inc)] == ["Etwas"]  # nothing half-written


def test_validation_messages_are_german(inc, tasks):
    with pytest.raises(ServiceError, match="braucht einen Titel"):
        tasks.create(inc, "  ", assigned_function="S4")
    with pytest.raises(ServiceError, match="Unbekannte Priorität"):
        tasks.create(inc, "X", assigned_function="S4", priority="wichtig")
    with pytest.raises(ServiceError, match="Stabsfunktion angeben"):
        tasks.create(inc, "X", assigned_function=" ")
