"""Staff functions, people, roster and handovers, "Wer ist wer"."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from itertools import pairwise

import pytest
from helpers import S2, journal, new_db, new_incident

from krisenstab.domain.staff import DEFAULT_FUNCTIONS, Entity, merge_problem
from krisenstab.domain.timefmt import utcnow
from krisenstab.services.context import Actor, PermissionDenied, ServiceError
from krisenstab.services.staff import MergeNotForeseen, StaffService

READER = Actor("Rita Leserin", "S2", "ws-test", account="leserin", roles=("Nur-Lesen",))


@pytest.fixture
def db(tmp_path):
    return new_db(tmp_path)


@pytest.fixture
def staff(db):
    service = StaffService(db, S2)
    service.add_person("Max Mustermann", phone="0221 4710 120", mobile="0221 4710 121")
    service.add_person("Lena Beispiel", phone="0221 4710 110")
    service.add_person("Tim Muster", phone="0221 4710 140")
    return service


# -- pure rules ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "held",
    [{"S1", "S4"}, {"S2", "S3"}, {"S2", "S5"}, {"S3", "S6"}, {"S2", "S3", "S5", "S6"}, {"S2"}],
)
def test_foreseen_merges_are_accepted(held):
    assert merge_problem(held) is None


@pytest.mark.parametrize("held", [{"S1", "S2"}, {"S5", "S6"}, {"S1", "S4", "S2"}, {"S4", "S6"}])
def test_other_merges_are_named(held):
    problem = merge_problem(held)
    assert problem is not None and "nicht vorgesehen" in problem


def test_non_operational_functions_combine_freely():
    assert merge_problem({"Leiter des Stabes", "S2", "Fachberater Wasserwirtschaft"}) is None


# -- catalogue ------------------------------------------------------------------------------
def test_catalogue_is_seeded_once_and_editable(db):
    service = StaffService(db, S2)
    names = [f.name for f in service.functions()]
    assert names == [seed.name for seed in DEFAULT_FUNCTIONS]
    for needed in ("Leiter des Stabes", "KGS", "S1", "S6", "BuMA", "Sichter", "ETB-Führer"):
        assert needed in names
    assert service.ensure_catalogue() == 0
    added = service.add_function("Fachberater Polizei", "Fachberatung Polizei", "Fachberater")
    assert added.name in [f.name for f in service.functions()]
    with pytest.raises(ServiceError, match="gibt es bereits"):
        service.add_function("fachberater  polizei")
    service.update_function("Fachberater Polizei", active=False)
    assert "Fachberater Polizei" not in [f.name for f in service.functions()]
    assert "Fachberater Polizei" in [f.name for f in service.functions(include_inactive=True)]
    changes = service.history(Entity.FUNCTION, added.id)
    assert [(c.action, c.field) for c in changes] == [("angelegt", None), ("geändert", "active")]
    assert changes[1].changed_by == S2.person and changes[1].workstation_id == "ws-test"


def test_function_names_are_matched_without_case_and_blanks(staff):
    assert staff.function("s 2").name == "S2"
    with pytest.raises(ServiceError, match="gibt es im Funktionskatalog nicht"):
        staff.function("S9")


# -- people and history ----------------------------------------------------------------------
def test_person_changes_are_recorded_field_by_field(staff):
    lena = staff.find_person("lena  beispiel")
    assert lena is not None
    max_ = staff.find_person("Max Mustermann")
    updated = staff.update_person(lena.id, phone="0221 4710 999", deputy_id=max_.id)
    assert updated.deputy_name == "Max Mustermann"
    history = staff.history(Entity.PERSON, lena.id)
    changed = {c.field: (c.old_value, c.new_value) for c in history if c.action == "geändert"}
    assert changed["phone"] == ("0221 4710 110", "0221 4710 999")
    assert changed["deputy_id"] == (None, max_.id)
    with pytest.raises(ServiceError, match="eigene Vertretung"):
        staff.update_person(lena.id, deputy_id=lena.id)


def test_person_contact_data_is_validated(staff):
    with pytest.raises(ServiceError, match="keine Rufnummer"):
        staff.add_person("Karl Beispiel", phone="ruf mich an")
    with pytest.raises(ServiceError, match="keine E-Mail-Adresse"):
        staff.add_person("Karl Beispiel", email="karl at example")
    with pytest.raises(ServiceError, match="Name darf nicht leer"):
        staff.add_person("   ")


# -- roster ------------------------------------------------------------------------------------
def test_handover_closes_previous_assignment_and_writes_journal_entry(db, staff):
    inc = new_incident(db)
    t0 = utcnow() - timedelta(hours=3)
    first = staff.assign("S2", "Max Mustermann", at=t0)
    assert first.previous is None
    assert [n for _, n in first.journal_entries] == [2]
    t1 = t0 + timedelta(hours=2)
    second = staff.assign("S2", "Lena Beispiel", at=t1, note="Schichtwechsel")
    assert second.previous is not None
    assert second.previous.person == "Max Mustermann" and second.previous.ends_at == t1
    entry = journal(db).entry(inc, second.journal_entries[0][1])
    assert entry.kind == "System"
    assert "Übergabe S2 (Lage): Max Mustermann → Lena Beispiel" in entry.text
    assert "Schichtwechsel" in entry.text
    assert entry.observed_at == t1
    roster = staff.roster("S2")
    assert [(a.person, a.ends_at) for a in roster] == [
        ("Max Mustermann", t1),
        ("Lena Beispiel", None),
    ]
    assert staff.holder("S2").name == "Lena Beispiel"
    assert staff.holder("S2", at=t0 + timedelta(hours=1)).name == "Max Mustermann"
    assert journal(db).verify().ok


def test_etb_keeper_handover_is_named_as_such(db, staff):
    inc = new_incident(db)
    staff.assign("ETB-Führer", "Tim Muster", at=utcnow() - timedelta(hours=1))
    result = staff.assign("etb-führer", "Lena Beispiel")
    entry = journal(db).entry(inc, result.journal_entries[0][1])
    assert "Übergabe der Einsatztagebuchführung: Tim Muster → Lena Beispiel" in entry.text


def test_a_function_has_one_holder_at_a_time(db, staff):
    now = utcnow()
    staff.assign("S3", "Tim Muster", at=now - timedelta(hours=4), until=now - timedelta(hours=2))
    # Overlapping the closed shift is refused …
    with pytest.raises(ServiceError, match="bereits mit Tim Muster besetzt"):
        staff.assign("S3", "Lena Beispiel", at=now - timedelta(hours=3))
    # … a shift after it is fine, and a later planned holder blocks an open-ended one.
    staff.assign("S3", "Lena Beispiel", at=now + timedelta(hours=1), until=now + timedelta(hours=8))
    with pytest.raises(ServiceError, match="bereits mit Lena Beispiel besetzt"):
        staff.assign("S3", "Max Mustermann", at=now)
    staff.assign("S3", "Max Mustermann", at=now, until=now + timedelta(hours=1))
    holders = [(a.person, a.starts_at, a.ends_at) for a in staff.roster("S3")]
    for (_, _, end), (_, start, _) in pairwise(holders):
        assert end <= start
    with pytest.raises(ServiceError, match="Ende der Besetzung"):
        staff.assign("S4", "Tim Muster", at=now, until=now)


def test_the_store_refuses_two_open_holders(db, staff):
    staff.assign("S4", "Tim Muster")
    function_id = staff.function("S4").id
    person_id = staff.find_person("Lena Beispiel").id
    db.close()
    with sqlite3.connect(db.path) as conn, pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        conn.execute(
            "INSERT INTO roster_assignment (id, function_id, person_id, starts_at, assigned_by,"
            " assigned_by_function, created_at, workstation_id) VALUES ('x', ?, ?,"
            " '2026-11-27 10:00:00.000000', 'a', 'S1', '2026-11-27 10:00:00.000000', 'w')",
            (function_id, person_id),
        )


def test_one_person_may_hold_foreseen_merges_only_unless_overridden(db, staff):
    inc = new_incident(db)
    staff.assign("S2", "Lena Beispiel")
    staff.assign("S3", "Lena Beispiel")  # S2+S3 is foreseen
    assert staff.functions_of("Lena Beispiel") == ("S2", "S3")
    assert any("nicht vorgesehen" in w for w in staff.assignment_warnings("S1", "Lena Beispiel"))
    with pytest.raises(MergeNotForeseen, match="S1 \\+ S2 \\+ S3"):
        staff.assign("S1", "Lena Beispiel")
    assert staff.holder("S1") is None
    result = staff.assign("S1", "Lena Beispiel", allow_unusual_merge=True)
    assert result.warnings
    assert "Bewusst so festgelegt" in journal(db).entry(inc, result.journal_entries[0][1]).text
    board = staff.board()
    assert any("Lena Beispiel" in w for w in board.warnings)


def test_board_shows_holders_reach_and_deputies(staff):
    lena = staff.find_person("Lena Beispiel")
    max_ = staff.find_person("Max Mustermann")
    staff.update_person(max_.id, deputy_id=lena.id)
    staff.assign("Leiter des Stabes", "Max Mustermann")
    staff.assign("S2", "Max Mustermann")
    board = staff.board()
    rows = {r.function.name: r for r in board.rows}
    assert rows["KGS"].vacant
    lead = rows["Leiter des Stabes"]
    assert lead.holder.name == "Max Mustermann"
    assert ("Mobil", "0221 4710 121") in lead.holder.reach()
    assert lead.deputy.name == "Lena Beispiel"
    assert lead.also_holds == ("S2",)
    past = staff.board(utcnow() - timedelta(days=1))
    assert all(r.vacant for r in past.rows)


def test_release_ends_the_assignment_with_entry(db, staff):
    inc = new_incident(db)
    staff.assign("S5", "Tim Muster", at=utcnow() - timedelta(minutes=30))
    staff.release("S5")
    assert staff.holder("S5") is None
    assert (
        "S5 (Presse- und Medienarbeit) nicht mehr besetzt (bisher Tim Muster)"
        in journal(db).list(inc)[-1].text
    )
    with pytest.raises(ServiceError, match="nicht besetzt"):
        staff.release("S5")


def test_handover_goes_into_every_open_incident_or_the_one_given(db, staff):
    a = new_incident(db, "Hochwasser (Test)")
    b = new_incident(db, "Stromausfall (Test)")
    both = staff.assign("S6", "Tim Muster")
    assert {i for i, _ in both.journal_entries} == {a, b}
    one = staff.assign("S6", "Max Mustermann", incident_id=b)
    assert [i for i, _ in one.journal_entries] == [b]


def test_held_function_and_person_cannot_be_deactivated(staff):
    staff.assign("S1", "Tim Muster")
    with pytest.raises(ServiceError, match="besetzt"):
        staff.update_function("S1", active=False)
    with pytest.raises(ServiceError, match="hält noch eine Stabsfunktion"):
        staff.update_person(staff.find_person("Tim Muster").id, active=False)


def test_read_only_actor_is_refused(db, staff):
    service = StaffService(db, READER)
    with pytest.raises(PermissionDenied, match="Funktionsbesetzung"):
        service.assign("S2", "Max Mustermann")
    with pytest.raises(PermissionDenied, match="Stammdaten"):
        service.add_person("Karl Beispiel")
    with pytest.raises(PermissionDenied, match="Stammdaten"):
        service.add_function("Fachberater Polizei")
    with pytest.raises(PermissionDenied):
        service.release("S2")
    # Reading is allowed.
    assert service.board().rows
    assert staff.holder("S2") is None


def test_staff_member_role_may_assign_but_not_edit_master_data(db, staff):
    member = Actor("Stefan Beispiel", "S1", "ws", account="sb", roles=("Stabsmitglied",))
    StaffService(db, member).assign("S1", "Tim Muster")
    with pytest.raises(PermissionDenied):
        StaffService(db, member).add_person("Karl Beispiel")
