"""The Einsatztagebuch: numbering, corrections, search, hash chain, tamper detection."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest
from helpers import S2, journal, new_db, new_incident
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from krisenstab.domain.journal import JournalFilter, canonical_form, clean_text
from krisenstab.domain.timefmt import format_dtg, parse_dtg, parse_local
from krisenstab.services.context import Actor, ServiceError
from krisenstab.services.incidents import IncidentService
from krisenstab.services.journal import JournalService


@pytest.fixture
def db(tmp_path):
    database = new_db(tmp_path)
    yield database
    database.close()


def test_numbers_are_gapless_per_incident(db):
    a = new_incident(db, "A")
    b = new_incident(db, "B")
    jr = journal(db)
    got_a = [jr.add(a, f"a{i}").number for i in range(5)]
    got_b = [jr.add(b, f"b{i}").number for i in range(3)]
    assert got_a == [2, 3, 4, 5, 6]  # 1 is the opening entry
    assert got_b == [2, 3, 4]


def test_entry_fields_and_defaults(db):
    inc = new_incident(db)
    observed = parse_local("2026-11-27 14:05")
    e = journal(db).add(
        inc,
        "  Deich bricht bei Linnich  ",
        kind="Lage",
        source_quality="Dritte",
        observed_at=observed,
    )
    assert e.text == "Deich bricht bei Linnich"
    assert e.kind == "Lage" and e.source_quality == "Dritte"
    assert e.observed_at == observed
    assert e.recorded_at.tzinfo is not None
    assert e.author == "Max Mustermann" and e.function == "S2"
    assert e.workstation_id == "ws-test"
    plain = journal(db).add(inc, "ohne Beobachtungszeit")
    assert plain.observed_at == plain.recorded_at


def test_bad_input_is_refused_in_german(db):
    inc = new_incident(db)
    jr = journal(db)
    with pytest.raises(ServiceError, match="leer"):
        jr.add(inc, "   ")
    with pytest.raises(ServiceError, match="Eintragsart"):
        jr.add(inc, "x", kind="Quatsch")
    with pytest.raises(ServiceError, match="Quelle"):
        jr.add(inc, "x", source_quality="Gerücht")
    with pytest.raises(ServiceError, match="gibt es in diesem Ereignis nicht"):
        jr.correct(inc, 99, "x")
    with pytest.raises(ServiceError, match="Name"):
        Actor(person=" ", function="S2", workstation_id="w")


def test_correction_keeps_original_and_links_both(db):
    inc = new_incident(db)
    jr = journal(db)
    original = jr.add(inc, "Pegel Düren 3,20 m")
    fix = jr.correct(inc, original.number, "Pegel Düren 3,40 m")
    assert fix.corrects == original.number
    again = jr.entry(inc, original.number)
    assert again.text == "Pegel Düren 3,20 m"
    assert again.corrected_by == (fix.number,)
    assert jr.verify().ok


def test_closed_incident_is_read_only(db):
    inc = new_incident(db)
    IncidentService(db).close(inc, S2)
    with pytest.raises(ServiceError, match="abgeschlossen"):
        journal(db).add(inc, "zu spät")
    with pytest.raises(ServiceError, match="abgeschlossen"):
        IncidentService(db).rename(inc, "Neu", S2)
    # The trigger refuses it too, for anyone going around the services.
    with (
        sqlite3.connect(db.path) as conn,
        pytest.raises(sqlite3.DatabaseError, match="abgeschlossen"),
    ):
        conn.execute(
            "INSERT INTO journal_entry (id, incident_id, number, recorded_at, observed_at, author,"
            " function, kind, source_quality, text, workstation_id, prev_hash, hash)"
            " VALUES ('x', ?, 99, '2026-01-01', '2026-01-01', 'a', 'S2', 'Vermerk', 'Dritte', 't',"
            " 'w', '', '')",
            (inc,),
        )


def test_rename_writes_entry(db):
    inc = new_incident(db, "Alt")
    IncidentService(db).rename(inc, "Neu", S2)
    assert IncidentService(db).get(inc).title == "Neu"
    assert "„Alt“ → „Neu“" in journal(db).list(inc)[-1].text


def test_resolve_picks_the_only_open_incident(db):
    service = IncidentService(db)
    with pytest.raises(ServiceError, match="kein offenes"):
        service.resolve(None)
    a = new_incident(db, "A")
    assert service.resolve(None).id == a
    new_incident(db, "B")
    with pytest.raises(ServiceError, match="2 Ereignisse offen"):
        service.resolve(None)
    assert service.resolve(a[:8]).id == a


def test_search_prefix_umlauts_and_filters(db):
    inc = new_incident(db)
    jr = journal(db)
    jr.add(inc, "Pegelstand Düren steigt")
    jr.add(inc, "Straße nach Nörvenich gesperrt", kind="Lage")
    JournalService(db, Actor("Erika Musterfrau", "S3", "w")).add(
        inc, "Pumpen in Jülich", kind="Auftrag"
    )
    numbers = jr.numbers
    assert numbers(inc, JournalFilter(text="Pegel")) == [2]
    assert numbers(inc, JournalFilter(text="pegelst düren")) == [2]
    assert numbers(inc, JournalFilter(text="duren")) == []  # ü folds to ue
    assert numbers(inc, JournalFilter(text="dueren")) == [2]
    assert numbers(inc, JournalFilter(text="Strasse")) == [3]
    assert numbers(inc, JournalFilter(text="Norvenich")) == []
    assert numbers(inc, JournalFilter(text="Nörv")) == [3]
    assert numbers(inc, JournalFilter(functions=("S3",))) == [4]
    assert numbers(inc, JournalFilter(kinds=("Lage", "Auftrag"))) == [3, 4]
    assert numbers(inc, JournalFilter(text='"<script>*')) == []
    assert numbers(inc, JournalFilter(text="*** OR NOT")) == []
    first = jr.entry(inc, 2).recorded_at
    assert numbers(inc, JournalFilter(since=first, until=first)) == [2]


def test_dtg_format():
    moment = datetime(2026, 11, 27, 14, 30, tzinfo=UTC)  # 15:30 in Berlin (CET)
    assert format_dtg(moment) == "271530nov26"
    assert parse_dtg("271530nov26") == moment
    summer = datetime(2026, 3, 29, 12, 0, tzinfo=UTC)  # 14:00 CEST
    assert format_dtg(summer) == "291400mrz26"
    with pytest.raises(ValueError, match="Monatsabkürzung"):
        parse_dtg("271530xyz26")


def _tamper(path, sql, *params):
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TRIGGER journal_entry_no_update")
        conn.execute("DROP TRIGGER journal_entry_no_delete")
        conn.execute(sql, params)


@pytest.fixture
def ten(db):
    inc = new_incident(db)
    jr = journal(db)
    for i in range(9):
        jr.add(inc, f"Meldung {i}")
    return inc


def test_verify_intact(db, ten):
    report = journal(db).verify()
    assert report.ok and report.first_bad is None
    assert report.chains[0].entries == 10


def test_verify_detects_edited_text(db, ten):
    _tamper(db.path, "UPDATE journal_entry SET text = 'gefälscht' WHERE number = 6")
    report = journal(db).verify()
    assert not report.ok
    assert report.first_bad == 6
    assert "verändert" in report.chains[0].reason
    assert set(report.missing_triggers) == {"journal_entry_no_update", "journal_entry_no_delete"}


def test_verify_detects_deleted_row(db, ten):
    _tamper(db.path, "DELETE FROM journal_entry WHERE number = 4")
    report = journal(db).verify()
    assert report.first_bad == 4 and "fehlt" in report.chains[0].reason


def test_verify_detects_reordered_rows(db, ten):
    _tamper(db.path, "UPDATE journal_entry SET number = -1 WHERE number = 3")
    with sqlite3.connect(db.path) as conn:
        conn.execute("UPDATE journal_entry SET number = 3 WHERE number = 7")
        conn.execute("UPDATE journal_entry SET number = 7 WHERE number = -1")
    assert journal(db).verify().first_bad == 3


def test_verify_detects_changed_time(db, ten):
    _tamper(
        db.path,
        "UPDATE journal_entry SET observed_at = '2020-01-01 00:00:00.000000' WHERE number = 9",
    )
    assert journal(db).verify().first_bad == 9


def test_verify_only_triggers_dropped(db, ten):
    with sqlite3.connect(db.path) as conn:
        conn.execute("DROP TRIGGER journal_entry_no_delete")
    report = journal(db).verify()
    assert not report.ok and report.first_bad is None
    assert report.missing_triggers == ["journal_entry_no_delete"]


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(min_size=1, max_size=300).filter(lambda t: t.strip("\x00").strip()))
def test_any_text_is_stored_verbatim_and_chain_verifies(text, tmp_path_factory):
    global _hyp_db
    if _hyp_db is None:
        _hyp_db = new_db(tmp_path_factory.mktemp("hyp"))
        _hyp_db.incident = new_incident(_hyp_db)
    db = _hyp_db
    entry = journal(db).add(db.incident, text)
    assert journal(db).entry(db.incident, entry.number).text == clean_text(text)
    values = {"id": "x", "number": 1, "text": text, "recorded_at": datetime(2026, 1, 1, tzinfo=UTC)}
    assert canonical_form(values) == canonical_form(dict(reversed(list(values.items()))))
    assert journal(db).verify().ok


_hyp_db = None


def test_functions_used_lists_each_function_once_sorted(db):
    inc = new_incident(db)
    for function in ("S3", "S1", "S3", "Leiter des Stabes"):
        JournalService(db, Actor("Erika Musterfrau", function, "w")).add(inc, "Meldung")
    other = new_incident(db, "Anderes Ereignis")
    JournalService(db, Actor("Erika Musterfrau", "S6", "w")).add(other, "anderswo")
    assert journal(db).functions_used(inc) == ["Leiter des Stabes", "S1", "S2", "S3"]
