"""Messages (Vierfachvordruck): numbering, triage, acknowledgement, inbox, register, links."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import timedelta

import pytest
from helpers import S2, journal, new_db, new_incident

from krisenstab.domain.message import parse_number
from krisenstab.domain.timefmt import utcnow
from krisenstab.services.context import Actor, PermissionDenied, ServiceError
from krisenstab.services.incidents import IncidentService
from krisenstab.services.messages import MessageService

READER = Actor("Rita Leserin", "S2", "ws-test", account="leserin", roles=("Nur-Lesen",))
DESK = Actor("Ben Musterberg", "Fernmelder", "ws-test")
S3 = Actor("Jonas Beispiel", "S3", "ws-test")
S4 = Actor("Tim Muster", "S4", "ws-test")


@pytest.fixture
def db(tmp_path):
    return new_db(tmp_path)


@pytest.fixture
def inc(db):
    return new_incident(db)


@pytest.fixture
def desk(db):
    return MessageService(db, DESK)


def incoming(desk, inc, text="Keller voll", **kw):
    kw.setdefault("sender", "Leitstelle (Muster)")
    return desk.record_incoming(inc, content=text, **kw)


def test_all_thirteen_fields_are_kept(desk, inc):
    received = utcnow() - timedelta(minutes=10)
    view = desk.record_incoming(
        inc,
        sender="Feuerwehr Heimbach (Muster)",
        content="Uferstraße überflutet.\nSandsäcke benötigt.",
        to_functions="S3, s4",
        priority="sofort",
        channel="Telefon",
        addressee="Krisenstab Kreis Düren, S3",
        header="Florian Heimbach 1 an Florian Düren 1",
        composed_at=received - timedelta(minutes=2),
        received_at=received,
        sender_sign="HB",
        sender_function="Einsatzleiter",
        conversation_note=True,
    )
    assert (view.intake_channel, view.intake_at, view.intake_by) == (
        "Telefon",
        received,
        DESK.person,
    )  # (1)
    assert view.number == "E-1" and view.direction == "E"  # (4)
    assert view.header == "Florian Heimbach 1 an Florian Düren 1"  # (5)
    assert view.priority == "sofort"  # (6)
    assert view.addressee == "Krisenstab Kreis Düren, S3" and view.to == ("S3", "S4")  # (7)
    assert view.conversation_note is True  # (8)
    assert view.content == "Uferstraße überflutet.\nSandsäcke benötigt."  # (9)
    assert view.composed_at == received - timedelta(minutes=2)  # (10)
    assert view.sender == "Feuerwehr Heimbach (Muster)"  # (11)
    assert (view.sender_sign, view.sender_function) == ("HB", "Einsatzleiter")  # (12)
    assert not view.acknowledged_by  # (13) nobody yet
    out = desk.record_outgoing(
        inc, content="Sandsäcke kommen", to="Feuerwehr Heimbach (Muster)", transmitted_via="Funk",
        transmitted_at=utcnow(),
    )  # fmt: skip
    assert out.accepted_by == DESK.person and out.accepted_at is not None  # (2)
    assert out.transmitted_via == "Funk" and out.transmitted_by == DESK.person  # (3)


def test_numbers_run_per_incident_and_direction(db, desk, inc):
    other = new_incident(db, "Stromausfall (Test)")
    numbers = [
        incoming(desk, inc).number,
        desk.record_outgoing(inc, content="Antwort", to="S3").number,
        incoming(desk, inc).number,
        incoming(desk, other).number,
        desk.record_outgoing(inc, content="Antwort 2", to="S3").number,
        desk.record_outgoing(other, content="Antwort", to="S3").number,
    ]
    assert numbers == ["E-1", "A-1", "E-2", "E-1", "A-2", "A-1"]
    assert desk.by_number(inc, "e2").number == "E-2"
    assert desk.by_number(other, "A 1").content == "Antwort"
    with pytest.raises(ServiceError, match="keine Nachweisungs-Nummer"):
        desk.by_number(inc, "X-1")
    assert parse_number(" a-12 ") == ("A", 12)


WRITER = textwrap.dedent(
    """
    import sys
    from krisenstab.services.context import Actor
    from krisenstab.services.messages import MessageService
    from krisenstab.store.database import Database

    path, incident, name, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    db = Database.open(path, quick_check=False)
    service = MessageService(db, Actor(person=name, function="Fernmelder", workstation_id=name))
    for i in range(count):
        if i % 3 == 2:
            view = service.record_outgoing(incident, content=f"{name} {i}", to="S3")
        else:
            view = service.record_incoming(
                incident, sender=name, content=f"{name} {i}", to_functions="S3"
            )
        print(view.number, flush=True)
    """
)


@pytest.mark.slow
def test_concurrent_desks_number_without_gaps_or_duplicates(tmp_path):
    db = new_db(tmp_path)
    inc = new_incident(db)
    db.close()
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(tmp_path / "stab.db"), inc, f"Platz{i}", "30"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(3)
    ]
    reported: list[str] = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        reported.extend(out.split())
    assert len(reported) == len(set(reported)) == 90
    db = new_db(tmp_path)
    desk = MessageService(db)
    for direction, expected in (("E", 60), ("A", 30)):
        page = desk.register(inc, direction=direction, limit=1000)
        assert [r.seq for r in page.rows] == list(range(1, expected + 1))
        assert sorted(int(n[2:]) for n in reported if n[0] == direction) == list(
            range(1, expected + 1)
        )
    # Every message has its journal entry, and the chain holds.
    entries = journal(db).list(inc)
    assert sum(1 for e in entries if e.message_id) == 90
    assert journal(db).verify().ok


def test_recording_writes_an_entry_referencing_the_message(db, desk, inc):
    view = incoming(desk, inc, to_functions="S3", priority="blitz")
    entry = journal(db).list(inc)[-1]
    assert entry.kind == "Eingang" and entry.message_id == view.id
    assert entry.text.startswith("E-1 (Blitz) über Funk von Leitstelle (Muster) an S3: Keller voll")
    out = desk.record_outgoing(inc, content="Lagemeldung", to="Bezirksregierung (Muster)")
    entry = journal(db).list(inc)[-1]
    assert entry.kind == "Ausgang" and entry.message_id == out.id


def test_acknowledgement_writes_an_entry_referencing_the_message(db, desk, inc):
    view = incoming(desk, inc, to_functions="S3,S4")
    acked = MessageService(db, S3).acknowledge(view.id)
    assert acked.acknowledged_by == ("S3",) and acked.unacknowledged == ("S4",)
    receipt = acked.recipients[0]
    assert receipt.acknowledged_by == S3.person and receipt.acknowledged_at is not None
    entry = journal(db).list(inc)[-1]
    assert entry.kind == "Eingang" and entry.message_id == view.id
    assert entry.text == "E-1 quittiert durch S3 (Jonas Beispiel)."
    assert entry.function == "S3" and entry.author == S3.person
    with pytest.raises(ServiceError, match="bereits quittiert"):
        MessageService(db, S3).acknowledge(view.id)
    with pytest.raises(ServiceError, match="nicht an S5 gerichtet"):
        MessageService(db, Actor("Anna Beispielhaft", "S5", "w")).acknowledge(view.id)
    # The desk records a recipient's receipt on its behalf; the entry says who did.
    desk.acknowledge(view.id, function="s4")
    assert "(Ben Musterberg, Fernmelder)" in journal(db).list(inc)[-1].text
    assert desk.get(view.id).fully_acknowledged
    assert [e.message_id for e in desk.journal_entries(view.id)] == [view.id] * 3


def test_triage_queue_and_routing(db, desk, inc):
    plain = incoming(desk, inc, "Anfrage Bürger")
    assert plain.to == () and plain.triaged_at is None
    urgent = incoming(desk, inc, "Deich", priority="blitz")
    routed = incoming(desk, inc, "Pegel", to_functions="S2")
    queue = desk.triage_queue(inc)
    assert [r.number for r in queue.rows] == ["E-2", "E-1"]  # Blitz first
    assert queue.total == 2 and routed.triaged_at is not None
    sichter = MessageService(db, Actor("Mia Beispielgut", "Sichter", "w"))
    view = sichter.triage(urgent.id, ["S3", "Leiter des Stabes"])
    assert set(view.to) == {"S3", "Leiter des Stabes"} and view.triaged_by == "Mia Beispielgut"
    assert journal(db).list(inc)[-1].text == "E-2 gesichtet: zuständig S3, Leiter des Stabes."
    MessageService(db, S3).acknowledge(urgent.id)
    view = sichter.triage(urgent.id, ["S4"], replace=True)
    # The acknowledged S3 stays, the unacknowledged Leiter is withdrawn, S4 is added.
    assert set(view.to) == {"S3", "S4"}
    assert "Nicht mehr zuständig: Leiter des Stabes" in journal(db).list(inc)[-1].text
    assert [r.number for r in desk.triage_queue(inc).rows] == ["E-1"]
    with pytest.raises(ServiceError, match="mindestens eine Funktion"):
        sichter.triage(plain.id, [])


def test_recorder_without_triage_right_leaves_the_message_in_the_queue(db, inc):
    member = Actor("Stefan Beispiel", "S3", "w", account="sb", roles=("Stabsmitglied",))
    view = MessageService(db, member).record_incoming(
        inc, sender="Bürger", content="Hinweis", to_functions="S3"
    )
    assert view.to == ("S3",) and view.triaged_at is None
    assert [r.number for r in MessageService(db).triage_queue(inc).rows] == ["E-1"]


def test_blitz_stays_until_acknowledged(db, desk, inc):
    blitz = incoming(desk, inc, "Deichbruch droht", to_functions="S3,S2", priority="blitz")
    incoming(desk, inc, "Routine", to_functions="S3")
    assert [r.number for r in desk.unacknowledged_blitz(inc, "S3")] == ["E-1"]
    assert [r.number for r in desk.unacknowledged_blitz(inc)] == ["E-1"]
    MessageService(db, S2).acknowledge(blitz.id)
    assert [r.number for r in desk.unacknowledged_blitz(inc, "S3")] == ["E-1"]
    assert desk.unacknowledged_blitz(inc, "S2") == []
    MessageService(db, S3).acknowledge(blitz.id)
    assert desk.unacknowledged_blitz(inc, "S3") == []
    assert desk.unacknowledged_blitz(inc) == []


def test_inbox_order_counts_and_paging(db, desk, inc):
    for text, prio in (("e1", "einfach"), ("s1", "sofort"), ("e2", "einfach"), ("b1", "blitz")):
        incoming(desk, inc, text, to_functions="S3", priority=prio)
    incoming(desk, inc, "nicht für S3", to_functions="S4")
    s3 = MessageService(db, S3)
    s3.acknowledge(desk.by_number(inc, "E-1").id)
    page = s3.inbox(inc, "s3")
    assert page.function == "S3"
    assert [r.number for r in page.rows] == ["E-4", "E-2", "E-3", "E-1"]
    assert (page.total, page.unacknowledged) == (4, 3)
    assert page.unacknowledged_by_priority == {"blitz": 1, "sofort": 1, "einfach": 1}
    assert page.rows[-1].acknowledged_by == S3.person and page.rows[0].acknowledged_at is None
    assert [r.number for r in s3.inbox(inc, "S3", offset=2, limit=1).rows] == ["E-3"]
    assert [r.number for r in s3.inbox(inc, "S3", offset=3, limit=5).rows] == ["E-1"]
    assert s3.inbox(inc, "S5").rows == []


def test_register_lists_every_message_with_recipients(db, desk, inc):
    incoming(desk, inc, "eins", to_functions="S3")
    desk.record_outgoing(inc, content="zwei", to=["S3", "THW (Muster)"])
    incoming(desk, inc, "drei")
    page = desk.register(inc)
    assert [r.number for r in page.rows] == ["E-1", "E-2", "A-1"] and page.total == 3
    assert page.rows[2].to == ("S3", "THW (Muster)")
    assert not page.rows[1].triaged
    assert [r.number for r in desk.register(inc, direction="A").rows] == ["A-1"]
    views = desk.views(inc, function="S3")
    assert [v.number for v in views] == ["E-1", "A-1"]
    assert [v.number for v in desk.views(inc, unacknowledged_only=True)] == ["E-1", "A-1"]


def test_task_and_reply_from_a_message(db, desk, inc):
    question = incoming(desk, inc, "Bitte 500 Sandsäcke nach Kreuzau", to_functions="S4")
    s4 = MessageService(db, S4)
    task = s4.create_task_from(question.id, assigned_function="S4", due_at=utcnow())
    assert task.source_message_id == question.id and task.source_message_number == "E-1"
    assert task.title == "Bitte 500 Sandsäcke nach Kreuzau"
    assert "(aus Nachricht E-1)" in journal(db).list(inc)[-1].text
    answer = s4.reply_to(question.id, "500 Sandsäcke unterwegs")
    assert answer.number == "A-1" and answer.to == ("Leitstelle (Muster)",)
    assert answer.reply_to_number == "E-1" and answer.priority == question.priority
    again = desk.get(question.id)
    assert again.task_ids == (task.id,) and again.reply_numbers == ("A-1",)
    assert "(Antwort auf E-1)" in journal(db).list(inc)[-1].text


def test_outside_alerts_can_be_recorded_once(desk, inc):
    view = desk.record_incoming(
        inc,
        sender="Warnsystem (Muster)",
        channel="Warnsystem (CAP)",
        content="Unwetterwarnung Stufe 3",
        priority="sofort",
        to_functions=["S2"],
        external_ref="urn:oid:2.49.0.1.276.0.DWD.PVW.1",
    )
    assert desk.find_by_external_ref(inc, "urn:oid:2.49.0.1.276.0.DWD.PVW.1").id == view.id
    assert desk.find_by_external_ref(inc, "anders") is None


def test_transmission_note(db, desk, inc):
    out = desk.record_outgoing(inc, content="Lagemeldung", to="Bezirksregierung (Muster)")
    sent = desk.mark_transmitted(out.id, via="Fax")
    assert sent.transmitted_via == "Fax" and sent.transmitted_by == DESK.person
    assert journal(db).list(inc)[-1].text == "A-1 befördert über Fax."
    with pytest.raises(ServiceError, match="bereits befördert"):
        desk.mark_transmitted(out.id)


def test_read_only_actor_is_refused(db, desk, inc):
    view = incoming(desk, inc, to_functions="S2")
    reader = MessageService(db, READER)
    with pytest.raises(PermissionDenied, match="Nachrichten aufnehmen"):
        reader.record_incoming(inc, sender="x", content="y")
    with pytest.raises(PermissionDenied, match="Nachrichten aufnehmen"):
        reader.record_outgoing(inc, content="y", to="S3")
    with pytest.raises(PermissionDenied, match="sichten"):
        reader.triage(view.id, ["S3"])
    with pytest.raises(PermissionDenied, match="quittieren"):
        reader.acknowledge(view.id)
    with pytest.raises(PermissionDenied, match="Aufträge"):
        reader.create_task_from(view.id, assigned_function="S3")
    with pytest.raises(PermissionDenied):
        reader.reply_to(view.id, "x")
    assert reader.inbox(inc, "S2").total == 1  # reading stays possible


def test_validation_and_closed_incident(db, desk, inc):
    with pytest.raises(ServiceError, match="Inhalt der Nachricht ist leer"):
        incoming(desk, inc, "   ")
    with pytest.raises(ServiceError, match="Unbekannte Vorrangstufe"):
        incoming(desk, inc, priority="eilig")
    with pytest.raises(ServiceError, match="Absender fehlt"):
        desk.record_incoming(inc, sender=" ", content="x")
    with pytest.raises(ServiceError, match="an wen"):
        desk.record_outgoing(inc, content="x", to="")
    IncidentService(db).close(inc, S2)
    with pytest.raises(ServiceError, match="abgeschlossen"):
        incoming(desk, inc)
    assert desk.register(inc).total == 0  # nothing half-written, no number used up


def test_exercise_clock_stamps_the_scenario_time(db, desk, inc):
    scenario = utcnow() - timedelta(days=300)
    desk.scenario_clock = lambda: scenario
    view = incoming(desk, inc, to_functions="S3")
    task = desk.create_task_from(view.id, assigned_function="S3")
    entries = journal(db).list(inc)[-2:]
    assert [e.scenario_time for e in entries] == [scenario, scenario]
    assert entries[-1].task_id == task.id
