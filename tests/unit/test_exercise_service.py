"""Exercise databases and the exercise service: copy, scenario, clock, delivery, evaluation."""

from __future__ import annotations

import shutil
import sqlite3
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher, profiles
from sqlalchemy import func, select
from sqlmodel import SQLModel

from krisenstab.domain.exercise import (
    META_SOURCE_KEY,
    ClockStatus,
    EventKind,
    ExerciseDelivery,
    ExerciseInject,
    NoteKind,
    Rating,
)
from krisenstab.domain.facility import Facility
from krisenstab.domain.incident import Incident
from krisenstab.domain.journal import JournalEntry
from krisenstab.domain.message import Message
from krisenstab.domain.staff import RosterAssignment
from krisenstab.exercise.evaluation import InjectState, ReactionKind
from krisenstab.exercise.scenario import InjectDraft
from krisenstab.services import kritis_demo, staff_demo
from krisenstab.services.accounts import AccountService
from krisenstab.services.context import Actor, PermissionDenied, ServiceError
from krisenstab.services.exercise import (
    EXTERNAL_REF_PREFIX,
    ExerciseError,
    ExerciseService,
    ScenarioImportError,
    control_actor,
)
from krisenstab.services.exercise_guard import (
    ExerciseLeakError,
    exercise_origin,
    refuse_exercise_import,
    refuse_exercise_source,
)
from krisenstab.services.exercise_setup import MASTER_TABLES, NOT_COPIED, create_exercise_db
from krisenstab.services.facilities import FacilityService
from krisenstab.services.incidents import IncidentService
from krisenstab.services.journal import JournalService
from krisenstab.services.messages import MessageService
from krisenstab.store.database import Database

CONTROL = control_actor("ws-leitung")
S2 = Actor("Max Mustermann", "S2", "ws-s2")
S3 = Actor("Jonas Beispiel", "S3", "ws-s3")
S4 = Actor("Tim Muster", "S4", "ws-s4")

SCENARIO = (
    "Nr;Zeit;Von;An;Kanal;Vorrang;Inhalt;Erwartete Reaktion;Übungsziel;Hinweis Übungsleitung;"
    "Bedingt durch;Frist;Handlungsstrang;Auswirkungen;Übung;Übungsbeginn\n"
    "1;T+00:00;Leitstelle (Muster);S2;Telefon;sofort;Starkregen im Kreis;Lagebild;Lagebild;"
    "geheim;;;Hochwasser;;Probe;Samstag 03:00\n"
    "2;T+00:10;Netzgesellschaft (Muster);S4;Telefon;Blitz;Umspannwerk Kreuzau vom Netz;"
    "Betankung planen;Strom;;;;Strom;Umspannwerk Kreuzau (Muster): ausgefallen;;\n"
    "3;T+00:30;Netzgesellschaft (Muster);S4;Telefon;sofort;Noch keine Betankung?;Betankung;"
    "Strom;;2;15 min;Strom;;;\n"
    "4;T+01:00;Leitstelle (Muster);S2, S3;Funk;einfach;Pegel steigt;Lage fortschreiben;Lagebild;;"
    ";;Hochwasser;Wasserwerk Nirgendwo (Muster): ausgefallen;;\n"
    "5;T+01:30;Leitstelle (Muster);S2;Telefon;sofort;Nachfrage Pegel;Meldung;Lagebild;;4;T+01:30;"
    "Hochwasser;;;\n"
    "6;T+02:00;Leitstelle (Muster);S3;Funk;einfach;Letzte Einlage;;;;;;;;;\n"
).encode()


@pytest.fixture(scope="module")
def real_source(tmp_path_factory) -> Path:
    """A real database with the demo register and staff (built once per module)."""
    folder = tmp_path_factory.mktemp("echt")
    db = Database.open(folder / "echt.db")
    incident = IncidentService(db).create("Hochwasser (Test)", S2).id
    kritis_demo.build(db, "ws-test", incident)
    staff_demo.build(db, "ws-test", incident)
    db.close()
    return folder / "echt.db"


@pytest.fixture
def real_db(real_source, tmp_path) -> Path:
    target = tmp_path / "echt.db"
    shutil.copy(real_source, target)
    return target


@pytest.fixture
def exercise_db(real_db, tmp_path) -> Database:
    create_exercise_db(real_db, tmp_path / "uebung.db")
    db = Database.open(tmp_path / "uebung.db")
    yield db
    db.close()


@pytest.fixture
def service(exercise_db) -> ExerciseService:
    svc = ExerciseService(exercise_db, CONTROL)
    svc.import_scenario(SCENARIO, filename="probe.csv")
    return svc


def count(db: Database, model) -> int:
    with db.session() as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


# -- exercise database --------------------------------------------------------------------
def test_exercise_db_copies_master_data_only(real_db, tmp_path):
    copy = create_exercise_db(real_db, tmp_path / "uebung.db")
    assert copy.counts["facility"] == len(kritis_demo.FACILITIES)
    assert copy.counts["person"] > 5 and copy.counts["responsibility"] > 10
    assert "67 KRITIS-Objekte" in copy.summary
    real = Database.open(real_db)
    ex = Database.open(tmp_path / "uebung.db")
    assert ex.is_exercise and not real.is_exercise
    for table in MASTER_TABLES:
        model = SQLModel.metadata.tables[table]
        with real.session() as a, ex.session() as b:
            assert a.execute(select(func.count()).select_from(model)).scalar_one() == (
                b.execute(select(func.count()).select_from(model)).scalar_one()
            ), table
    for model in (Incident, JournalEntry, Message):
        assert count(real, model) > 0 or model is Message
        assert count(ex, model) == 0
    with ex.session() as session:
        statuses = set(session.execute(select(Facility.status)).scalars())
        assert statuses == {"betriebsbereit"}
        assert set(session.execute(select(RosterAssignment.incident_id)).scalars()) == {None}
    with sqlite3.connect(tmp_path / "uebung.db") as conn:
        source_id = conn.execute("SELECT value FROM meta WHERE key = ?", (META_SOURCE_KEY,))
        assert source_id.fetchone()[0] == real.db_id
    # The register keeps working in the copy (dependencies, contacts, cascade).
    assert FacilityService(ex).resolve("Umspannwerk Kreuzau (Muster)").municipality == "Kreuzau"
    kept = create_exercise_db(real_db, tmp_path / "uebung2.db", keep_status=True)
    other = Database.open(kept.path)
    with other.session() as session:
        assert "ausgefallen" in set(session.execute(select(Facility.status)).scalars())


def test_every_table_is_either_copied_or_deliberately_left_out():
    exercise_tables = {t for t in SQLModel.metadata.tables if t.startswith("exercise_")}
    classified = set(MASTER_TABLES) | set(NOT_COPIED) | exercise_tables
    missing = set(SQLModel.metadata.tables) - classified
    assert missing == set(), (
        f"Neue Tabellen {sorted(missing)}: bitte in services/exercise_setup.py als "
        "Stammdaten (MASTER_TABLES) oder als nicht kopiert (NOT_COPIED) eintragen."
    )


def test_exercise_db_is_refused_from_an_exercise_or_onto_an_existing_file(real_db, tmp_path):
    create_exercise_db(real_db, tmp_path / "a.db")
    with pytest.raises(ServiceError, match="selbst eine Übungsdatenbank"):
        create_exercise_db(tmp_path / "a.db", tmp_path / "b.db")
    assert not (tmp_path / "b.db").exists()
    before = real_db.read_bytes()
    with pytest.raises(ServiceError, match="gibt es schon"):
        create_exercise_db(real_db, real_db)
    with pytest.raises(ServiceError, match="gibt es schon"):
        create_exercise_db(real_db, tmp_path / "a.db")
    with pytest.raises(ServiceError, match="gibt es nicht"):
        create_exercise_db(tmp_path / "fehlt.db", tmp_path / "c.db")
    assert real_db.read_bytes() == before


def test_nothing_from_an_exercise_may_be_imported_into_a_real_database(real_db, tmp_path):
    create_exercise_db(real_db, tmp_path / "uebung.db")
    real = Database.open(real_db)
    ex = Database.open(tmp_path / "uebung.db")
    assert "Übungsdatenbank" in exercise_origin(tmp_path / "uebung.db")
    assert exercise_origin(real_db) is None
    with pytest.raises(ExerciseLeakError, match="nie in eine echte"):
        refuse_exercise_import(real, tmp_path / "uebung.db")
    marked = tmp_path / "UEBUNG_Objekte.csv"
    marked.write_text("Name;Gemeinde\n", encoding="utf-8")
    with pytest.raises(ExerciseLeakError, match="UEBUNG"):
        refuse_exercise_import(real, marked)
    cap = tmp_path / "alarm.xml"
    cap.write_text(
        '<?xml version="1.0"?><alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">'
        "<identifier>x</identifier><status>Exercise</status></alert>",
        encoding="utf-8",
    )
    with pytest.raises(ExerciseLeakError, match="Exercise"):
        refuse_exercise_import(real, cap)
    with pytest.raises(ExerciseLeakError):
        refuse_exercise_import(real, None, from_exercise=True)
    plain = tmp_path / "objekte.csv"
    plain.write_text("Name;Gemeinde\n", encoding="utf-8")
    refuse_exercise_import(real, plain)  # an ordinary file passes
    refuse_exercise_import(ex, tmp_path / "uebung.db")  # into an exercise: fine
    with pytest.raises(ExerciseLeakError):
        refuse_exercise_source(real, ex)
    refuse_exercise_source(ex, real)


def test_exercise_functions_refuse_a_real_database(real_db):
    real = Database.open(real_db)
    service = ExerciseService(real, CONTROL)
    for call in (
        lambda: service.import_scenario(SCENARIO, filename="x.csv"),
        service.state,
        service.tick,
        lambda: service.add_note("x"),
        service.start,
    ):
        with pytest.raises(ExerciseError, match="keine Übungsdatenbank"):
            call()
    assert service.scenario_clock() is None
    assert count(real, ExerciseInject) == 0


# -- scenario -----------------------------------------------------------------------------
def test_scenario_import_is_all_or_nothing(exercise_db):
    service = ExerciseService(exercise_db, CONTROL)
    report = service.import_scenario(SCENARIO, filename="probe.csv")
    assert report.injects == 6 and report.scenario.title == "Probe"
    assert any("Wasserwerk Nirgendwo" in w for w in report.warnings)
    bad = SCENARIO.replace(b"T+01:00", b"morgen").replace(b";15 min;", b";bald;")
    with pytest.raises(ScenarioImportError) as caught:
        service.import_scenario(bad, filename="kaputt.csv")
    assert {e.column for e in caught.value.result.errors} == {"Zeit", "Frist"}
    assert "nichts übernommen" in str(caught.value)
    assert count(exercise_db, ExerciseInject) == 6
    # Before the start a new file replaces the script; the incident stays.
    incident = service.state().incident_id
    service.import_scenario(SCENARIO.replace(b"Probe", b"Probe 2"), filename="p2.csv")
    view = service.state()
    assert view.title == "Probe 2" and view.incident_id == incident
    assert count(exercise_db, ExerciseInject) == 6
    scenario = service.scenario()
    assert scenario.injects[0].controller_note == "geheim"
    service.start()
    with pytest.raises(ExerciseError, match="bereits begonnen"):
        service.import_scenario(SCENARIO, filename="x.csv")


# -- clock and delivery ---------------------------------------------------------------------
def test_injects_arrive_as_incoming_messages_at_the_addressed_function(service, exercise_db):
    assert service.state().status is ClockStatus.READY
    assert service.scenario_clock() is None
    view = service.start()
    assert view.status is ClockStatus.RUNNING and view.incident_id
    result = service.tick()
    assert [i.number for i in result.delivered] == [1]
    first = result.delivered[0]
    assert first.state is InjectState.DELIVERED and first.message_number == "E-1"
    message = MessageService(exercise_db).get(first.message_id)
    assert message.header == "ÜBUNG" and message.to == ("S2",)
    assert message.priority == "sofort" and message.intake_channel == "Telefon"
    assert message.sender == "Leitstelle (Muster)"
    assert message.external_ref == EXTERNAL_REF_PREFIX + first.id
    assert "geheim" not in message.content  # the controller note stays with the controller
    inbox = MessageService(exercise_db).inbox(view.incident_id, "S2")
    assert [row.number for row in inbox.rows] == ["E-1"]
    # Nothing else is due yet; the next one at T+00:10.
    again = service.tick()
    assert again.delivered == [] and again.next_due_s == 600
    assert 0 < again.real_seconds_to_next() <= 600
    entries = JournalService(exercise_db).list(view.incident_id)
    start_entry = next(e for e in entries if e.text.startswith("ÜBUNG begonnen"))
    assert start_entry.scenario_time == view.start
    # Entries written by the message flow carry the scenario time too.
    flow = [e for e in entries if e.message_id == first.message_id]
    assert flow and all(e.scenario_time is not None for e in flow)


def test_clock_controls_are_logged_and_shared_between_workstations(service, exercise_db):
    other = ExerciseService(Database.open(exercise_db.path), S2)
    stamp = other.state_stamp()
    service.start()
    service.set_speed(5)
    assert other.state().speed == 5 and other.state_stamp() > stamp
    with pytest.raises(ExerciseError, match="zwischen 1× und 10×"):
        service.set_speed(50)
    service.set_speed(50, headless=True)
    service.pause()
    paused = other.state()
    assert paused.status is ClockStatus.PAUSED
    service.jump_to(3600)
    assert other.state().offset_s == 3600
    assert other.state().label.startswith("Sa 04:00")
    with pytest.raises(ExerciseError, match="nur vorwärts"):
        service.jump_to(60)
    service.resume()
    service.finish()
    with pytest.raises(ExerciseError):
        service.resume()
    kinds = [e.kind for e in service.events()]
    assert kinds == [
        EventKind.PREPARED.value,
        EventKind.START.value,
        EventKind.SPEED.value,
        EventKind.SPEED.value,
        EventKind.PAUSE.value,
        EventKind.JUMP.value,
        EventKind.RESUME.value,
        EventKind.FINISH.value,
    ]


def test_contingency_is_dropped_when_the_players_react(service, exercise_db):
    service.start()
    service.jump_to(600)
    result = service.tick()
    assert [i.number for i in result.delivered] == [1, 2]
    blitz = result.delivered[1]
    # S4 acknowledges (not enough) and then issues a task from the message.
    MessageService(exercise_db, S4).acknowledge(blitz.message_id)
    assert service.tick().skipped == []
    MessageService(exercise_db, S4).create_task_from(
        blitz.message_id, assigned_function="S4", title="Betankung Wasserwerk planen"
    )
    result = service.tick()
    assert [(i.number, i.state) for i in result.skipped] == [(3, InjectState.SKIPPED)]
    assert "Reaktion auf Nr. 2" in result.skipped[0].reason
    answered = service.inject(2)
    assert answered.state is InjectState.ANSWERED
    assert answered.first_reaction.kind is ReactionKind.ACK
    assert answered.acknowledged == ("S4",)


def test_contingency_goes_out_without_reaction_and_effects_change_the_world(service, exercise_db):
    service.start()
    service.jump_to(600)
    service.tick()
    facility = FacilityService(exercise_db).resolve("Umspannwerk Kreuzau (Muster)")
    assert facility.status == "ausgefallen"
    incident = service.state().incident_id
    entry = next(
        e for e in JournalService(exercise_db).list(incident) if e.facility_id == facility.id
    )
    assert entry.kind == "Lage" and "Übungseinlage Nr. 2" in entry.text
    assert entry.scenario_time is not None
    assert abs((entry.scenario_time - service.state().start).total_seconds() - 600) < 5
    delivered_at = service.inject(2).delivered_offset_s
    service.jump_to(delivered_at + 15 * 60)
    result = service.tick()
    assert [i.number for i in result.delivered] == [3]
    assert "keine erwartete Reaktion auf Nr. 2" in result.delivered[0].reason
    # An effect on an unknown facility is reported, the inject still goes out.
    service.jump_to(3600)
    result = service.tick()
    assert [i.number for i in result.delivered] == [4]
    assert any("Wasserwerk Nirgendwo" in p for p in result.problems)
    assert EventKind.EFFECT_FAILED.value in {e.kind for e in service.events()}
    # No. 5 waits for no. 4 until T+01:30 (absolute deadline).
    service.mark_reaction(4, "S2 hat den Pegel in die Lage übernommen")
    service.jump_to(5400)
    assert [i.number for i in service.tick().skipped] == [5]


def test_controller_sends_early_adds_ad_hoc_and_drops(service, exercise_db):
    with pytest.raises(ExerciseError, match="begonnenen"):
        service.send_now(6)
    service.start()
    early = service.send_now(6)
    assert early.outcome == "vorzeitig zugestellt" and early.state is InjectState.DELIVERED
    with pytest.raises(ExerciseError, match="bereits zugestellt"):
        service.send_now(6)
    ad_hoc = service.add_ad_hoc(
        InjectDraft(
            sender="Bürgermeister (Muster)",
            addressee="Leiter des Stabes",
            content="Bitte um Rückruf zur Lage in Kreuzau.",
            priority="Blitz",
            channel="Telefon",
        )
    )
    assert ad_hoc.ad_hoc and ad_hoc.number == 7 and ad_hoc.outcome == "ad hoc zugestellt"
    assert ad_hoc.message_number and ad_hoc.is_blitz
    planned = service.add_ad_hoc(
        InjectDraft(sender="Polizei", addressee="S3", content="Sperrung aufgehoben"),
        at_offset=7200,
    )
    assert planned.state is InjectState.PLANNED and planned.offset_s == 7200
    dropped = service.drop(4, "Zeit reicht nicht")
    assert dropped.state is InjectState.SKIPPED and dropped.reason == "Zeit reicht nicht"
    with pytest.raises(ExerciseError, match="Übermittlungsweg"):
        service.add_ad_hoc(InjectDraft(sender="A", addressee="S2", content="x", channel="Rauch"))
    upcoming = [i.number for i in service.upcoming()]
    assert upcoming[0] == 1 and 8 in upcoming and 4 not in upcoming
    assert service.export_scenario(Path(exercise_db.path).with_name("mit.csv")) == 8
    assert (
        service.export_scenario(Path(exercise_db.path).with_name("ohne.csv"), include_ad_hoc=False)
        == 6
    )


def test_real_event_stops_play_at_once_and_every_window_sees_it(service, exercise_db):
    player = ExerciseService(Database.open(exercise_db.path), S3)
    service.start()
    service.tick()
    view = player.real_event("Großbrand im Kreishaus – alle Kräfte in den Einsatz", S3)
    assert view.status is ClockStatus.STOPPED and view.real_event
    seen = service.state()
    assert seen.real_event and "Großbrand" in seen.real_event_text
    assert seen.real_event_by == "Jonas Beispiel (S3)"
    frozen = seen.offset_s
    assert service.tick().delivered == []
    assert service.state().offset_s == frozen
    with pytest.raises(ExerciseError, match="Realereignis"):
        service.send_now(6)
    with pytest.raises(ExerciseError, match="ausdrücklich"):
        service.resume()
    entry = JournalService(exercise_db).list(seen.incident_id)[-1]
    assert entry.text.startswith("REALEREIGNIS – ÜBUNG SOFORT ABGEBROCHEN")
    assert entry.author == "Jonas Beispiel" and entry.scenario_time is not None
    resumed = service.resume(after_real_event=True)
    assert resumed.running and not resumed.real_event
    assert [e.kind for e in service.events()].count(EventKind.REAL_EVENT.value) == 1


def test_two_controller_workstations_deliver_each_inject_once(service, exercise_db):
    service.start()
    service.jump_to(7200)
    errors: list[BaseException] = []

    def workstation(n: int) -> None:
        db = Database.open(exercise_db.path)
        try:
            ExerciseService(db, control_actor(f"ws-{n}")).tick()
        except BaseException as exc:
            errors.append(exc)
        finally:
            db.close()

    threads = [threading.Thread(target=workstation, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    # 1, 2, 4, 5 and 6 fall due at T+02:00; no. 3 waits 15 min after no. 2.
    assert count(exercise_db, ExerciseDelivery) == 5
    with exercise_db.session() as session:
        refs = list(session.execute(select(Message.external_ref)).scalars())
    assert len(refs) == len(set(refs)) == count(exercise_db, Message)


def test_journal_entries_in_an_exercise_carry_the_scenario_time(service, exercise_db):
    journal = JournalService(exercise_db, S2)
    service.attach(journal)
    incident = service.state().incident_id
    before = journal.add(incident, "Vor dem Start")
    assert before.scenario_time is None
    service.start()
    service.jump_to(1800)
    entry = journal.add(incident, "Lage: Pegel Obermaubach 3,10 m")
    offset = (entry.scenario_time - service.state().start).total_seconds()
    assert 1800 <= offset < 1810


# -- notes, ratings, evaluation ------------------------------------------------------------
def test_notes_ratings_and_the_after_action_report(service, exercise_db, tmp_path):
    service.start()
    first = service.tick().delivered[0]
    MessageService(exercise_db, S2).acknowledge(first.message_id)
    MessageService(exercise_db, S2).reply_to(first.message_id, "Lage wird erfasst.")
    note = service.add_note("S2 reagiert schnell", message="E-1", inject_number=1)
    assert note.message_number == "E-1" and note.inject_number == 1
    assert note.offset_label.startswith("T+00:0")
    service.add_note("Einlage 3 ggf. streichen", kind=NoteKind.CONTROLLER)
    with pytest.raises(ExerciseError, match=r"ETB-Eintrag Nr\. 999"):
        service.add_note("x", journal_number=999)
    with pytest.raises(ExerciseError, match="E-99"):
        service.add_note("x", message="E-99")
    service.rate_inject(1, "erfüllt", "Lage binnen Minuten erfasst")
    service.rate_objective("strom", Rating.NOT_MET, "keine Betankung")
    with pytest.raises(ExerciseError, match="nicht im Drehbuch"):
        service.rate_objective("Unbekanntes Ziel", "erfüllt")
    with pytest.raises(ExerciseError, match="Bewertung"):
        service.rate_inject(1, "prima")
    service.jump_to(600)
    service.tick()
    service.pause()
    evaluation = service.evaluation()
    by_no = {r.number: r for r in evaluation.injects}
    assert by_no[1].state is InjectState.ANSWERED and by_no[1].reaction_time_s is not None
    assert {r.kind for r in by_no[1].reactions} == {ReactionKind.ACK, ReactionKind.OUTGOING}
    objectives = {o.objective: o for o in evaluation.objectives}
    assert objectives["Strom"].rating is Rating.NOT_MET and not objectives["Strom"].derived
    # No. 1 answered and rated met; nos. 4 and 5 are not sent yet and say nothing.
    assert objectives["Lagebild"].rating is Rating.MET and objectives["Lagebild"].derived
    assert [n.kind for n in service.notes()] == ["Beobachtung", "Übungsleitung"]
    pdf = tmp_path / "auswertung.pdf"
    csv = tmp_path / "auswertung.csv"
    data = service.export_evaluation(pdf, csv)
    assert pdf.read_bytes().startswith(b"%PDF")
    assert [n.kind for n in data.notes] == ["Beobachtung"]  # controller notes stay out
    lines = csv.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("Kennzeichnung;Nr;")
    assert len(lines) == 7 and all(line.startswith("ÜBUNG;") for line in lines[1:])
    assert "Lage binnen Minuten erfasst" in csv.read_text(encoding="utf-8-sig")
    with_notes = service.evaluation_data(include_controller_notes=True)
    assert len(with_notes.notes) == 2
    steps = service.replay()
    offsets = [s.offset_s for s in steps if s.offset_s is not None]
    assert offsets == sorted(offsets)
    assert any(s.inject_number == 1 for s in steps)
    activity = {a.function: a for a in service.activity()}
    assert activity["S2"].acknowledged == 1 and activity["S2"].outgoing == 1
    assert activity["S2"].injects_answered == 1
    assert "Übungsleitung" not in activity


def test_players_never_see_controller_data(service, exercise_db):
    accounts = AccountService(exercise_db, hasher=PasswordHasher.from_parameters(profiles.CHEAPEST))
    accounts.create_first_admin("admin", "Erika Beispiel", "Muster-Passwort-1", workstation_id="w")
    admin = accounts.authenticate("admin", "Muster-Passwort-1", workstation_id="w")
    accounts.add(
        admin, "s2", "Moritz Muster", "Muster-Passwort-1", ["Stabsmitglied"], functions="S2"
    )
    accounts.add(admin, "uebung", "Ute Übung", "Muster-Passwort-1", ["Übungsleitung"])
    player = accounts.authenticate("s2", "Muster-Passwort-1", workstation_id="w")
    control = accounts.authenticate(
        "uebung", "Muster-Passwort-1", workstation_id="w", function="Übungsleitung"
    )
    as_player = ExerciseService(exercise_db, player)
    for call in (
        as_player.injects,
        as_player.notes,
        as_player.scenario,
        as_player.start,
        as_player.evaluation,
        lambda: as_player.add_note("x"),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert as_player.state().prepared  # the clock is for everyone
    as_control = ExerciseService(exercise_db, control)
    as_control.start()
    assert [i.number for i in as_control.tick().delivered] == [1]
    assert as_control.injects()[0].controller_note == "geheim"
    # In an emergency any player stops the exercise.
    assert as_player.real_event("Realer Einsatz").real_event


def test_scenario_time_moves_on_the_shared_wall_clock(exercise_db):
    now = [1_800_000_000.0]
    service = ExerciseService(exercise_db, CONTROL, wall=lambda: now[0])
    service.import_scenario(SCENARIO, filename="probe.csv")
    service.start(speed=4)
    now[0] += 150
    view = service.state()
    assert view.offset_s == 600 and view.offset_at(now[0] + 15) == 660
    assert view.scenario_time == view.start + timedelta(seconds=600)
    assert [i.number for i in service.tick().delivered] == [1, 2]


def test_an_interrupted_delivery_is_repaired_on_the_next_tick(service, exercise_db):
    from sqlalchemy import update

    from krisenstab.domain.base import new_id
    from krisenstab.services.exercise_state import wall_datetime

    service.start()
    first = service.tick().delivered[0]
    table = ExerciseDelivery.__table__
    with exercise_db.write() as session:
        # The message was recorded, but the workstation died before linking it.
        session.execute(update(table).values(message_id=None))
        # And no. 2 was claimed two minutes ago by a workstation that never came back.
        inject_id = session.execute(
            select(ExerciseInject.id).where(ExerciseInject.number == 2)
        ).scalar_one()
        session.execute(
            table.insert(),
            [
                {
                    "id": new_id(),
                    "inject_id": inject_id,
                    "outcome": "zugestellt",
                    "real_at": wall_datetime(time.time() - 120),
                    "scenario_offset_s": 600.0,
                    "due_offset_s": 600.0,
                    "message_id": None,
                    "incident_id": None,
                    "reason": None,
                    "by_person": "Übungsleitung",
                    "by_function": "Übungsleitung",
                    "workstation_id": "ws-weg",
                }
            ],
        )
    service.jump_to(600)
    result = service.tick()
    assert [i.number for i in result.delivered] == [2]
    assert service.inject(1).message_id == first.message_id
    assert count(exercise_db, Message) == 2
    failed = [e for e in service.events() if e.kind == EventKind.DELIVERY_FAILED.value]
    assert [e.inject_number for e in failed] == [2]


def test_a_scenario_from_the_editor_is_checked_before_it_is_stored(exercise_db):
    from krisenstab.exercise.scenario import Inject, Scenario

    service = ExerciseService(exercise_db, CONTROL)
    broken = Scenario(
        "Editor",
        "Samstag 03:00",
        (Inject(1, 0, "A", "S2", "x"), Inject(2, 60, "A", "S2", "y", contingency_of=7)),
    )
    with pytest.raises(ExerciseError, match=r"Nr\. 2: Einlage Nr\. 7 gibt es"):
        service.install_scenario(broken)
    assert count(exercise_db, ExerciseInject) == 0
    with pytest.raises(ExerciseError, match="keine Einlagen"):
        service.install_scenario(Scenario("Leer", "Samstag 03:00"))
    fixed = Scenario("Editor", "Samstag 03:00", broken.injects[:1])
    assert service.install_scenario(fixed).injects == 1
