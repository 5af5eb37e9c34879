"""The KRITIS register: master data with history, status with journal, power, cascade."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from helpers import S2, new_db, new_incident

from krisenstab.domain.facility import ContactDraft, FacilityDraft, FacilityFilter
from krisenstab.domain.power import PowerThresholds, PowerWarning
from krisenstab.services import facilities as fs
from krisenstab.services.context import Actor, PermissionDenied, ServiceError
from krisenstab.services.facilities import FacilityService
from krisenstab.services.incidents import IncidentService
from krisenstab.services.journal import JournalService

S4 = Actor(person="Tim Muster", function="S4", workstation_id="ws-s4")


@pytest.fixture
def db(tmp_path):
    database = new_db(tmp_path)
    yield database
    database.close()


@pytest.fixture
def svc(db):
    return FacilityService(db, S2)


def draft(name: str, **kw) -> FacilityDraft:
    values = {"sector": "Energie", "branch": "Strom", "municipality": "Düren"}
    if "sector" in kw:
        values["branch"] = None
    values.update(kw)
    return FacilityDraft(name=name, **values)


def test_new_file_has_catalogue_and_kreis_dueren(svc):
    sectors = svc.sectors()
    for sector in (
        "Energie",
        "Wasser",
        "Ernährung",
        "Informationstechnik und Telekommunikation",
        "Gesundheit",
        "Finanz- und Versicherungswesen",
        "Transport und Verkehr",
        "Staat und Verwaltung",
        "Medien und Kultur",
        "Siedlungsabfallentsorgung",
    ):
        assert sector in sectors
    assert svc.branches("Wasser") == ["Trinkwasser", "Abwasser"]
    local = [e for e in svc.catalogue() if not e.statutory]
    assert {e.branch for e in local} >= {
        "Schule/Notunterkunft",
        "Pflegeeinrichtung",
        "Feuerwehrhaus",
    }
    names = svc.municipality_names()
    assert len(names) == 15 and names[0] == "Aldenhoven" and "Nörvenich" in names


def test_catalogue_and_municipalities_are_extendable(svc):
    entry = svc.add_catalogue_entry("Energie", "Wasserstoff")
    assert entry.sector == "Energie" and not entry.builtin
    assert "Wasserstoff" in svc.branches("Energie")
    with pytest.raises(ServiceError, match="steht bereits im Katalog"):
        svc.add_catalogue_entry("energie", "wasserstoff")
    svc.add_catalogue_entry("Bildung")
    created = svc.create(draft("Tankstelle Muster", branch="Wasserstoff"))
    assert created.branch == "Wasserstoff"
    svc.create(draft("Schule Muster", sector="bildung", branch=None))

    svc.add_municipality("Musterstadt", lat=50.9, lon=6.5)
    assert "Musterstadt" in svc.municipality_names()
    with pytest.raises(ServiceError, match="bereits erfasst"):
        svc.add_municipality("musterstadt")
    with pytest.raises(ServiceError, match="Objekte erfasst"):
        svc.remove_municipality("Düren")
    svc.remove_municipality("Musterstadt")
    assert "Musterstadt" not in svc.municipality_names()


def test_create_validates_everything_in_german(svc):
    with pytest.raises(ServiceError) as err:
        svc.create(
            draft(
                "",
                sector="Raumfahrt",
                municipality="Köln",
                persons_supplied=-3,
                autonomy_h=-1,
            )
        )
    message = str(err.value)
    for part in (
        "Name des Objekts darf nicht leer",
        "Unbekannter Sektor „Raumfahrt“",
        "Unbekannte Gemeinde „Köln“",
        "nicht negativ",
        "Autarkie (h) muss eine Zahl ≥ 0",
    ):
        assert part in message
    with pytest.raises(ServiceError, match="gehört nicht zum Sektor"):
        svc.create(draft("Werk", branch="Trinkwasser"))
    with pytest.raises(ServiceError, match="aber kein Notstrom"):
        svc.create(draft("Werk", autonomy_h=5))
    with pytest.raises(ServiceError, match=r"„\|“"):
        svc.create(draft("Werk | Nord"))
    svc.create(draft("Umspannwerk Nord (Muster)"))
    with pytest.raises(ServiceError, match="gibt es in Düren bereits"):
        svc.create(draft("umspannwerk  nord (muster)"))
    # Same name elsewhere is another object.
    svc.create(draft("Umspannwerk Nord (Muster)", municipality="Jülich"))


@pytest.mark.parametrize(
    "typed",
    [
        "32U LB 2264 3108",
        "50.8043, 6.4829",
        "50,8043 6,4829",
        "50°48'15.5\"N 6°28'58.4\"E",
        "32U 322645 5631082",
    ],
)
def test_positions_in_every_form_are_stored_as_wgs84(svc, typed):
    view = svc.create(draft("Umspannwerk Muster", position=typed))
    assert view.lat == pytest.approx(50.8043, abs=2e-4)
    assert view.lon == pytest.approx(6.4829, abs=2e-4)
    assert view.position_text == " ".join(typed.split())
    assert view.utmref().startswith("32U LB 22")


def test_invalid_or_out_of_area_positions_are_refused(svc):
    with pytest.raises(ServiceError, match="keine erkennbare Positionsangabe"):
        svc.create(draft("Werk", position="irgendwo am Rhein"))
    # Munich: a real position, but not in Kreis Düren.
    with pytest.raises(ServiceError, match=r"außerhalb des Einsatzgebiets.*Kreisgebiet"):
        svc.create(draft("Werk", position="48.137, 11.575"))
    with pytest.raises(ServiceError, match="UTMREF"):
        svc.create(draft("Werk", position="32U LB 2264 310"))
    # The same check for a form that validates while the user types.
    assert svc.parse_position("32U LB 2264 3108").lat == pytest.approx(50.804, abs=1e-3)
    with pytest.raises(ServiceError, match="außerhalb des Einsatzgebiets"):
        svc.parse_position("52.52, 13.40")
    assert svc.list() == []


def test_autonomy_is_derived_from_fuel_and_consumption(svc):
    view = svc.create(
        draft("Wasserwerk", sector="Wasser", branch="Trinkwasser", emergency_power=True,
              fuel_stock_l=3600, consumption_l_per_h=200)
    )  # fmt: skip
    assert view.autonomy_hours == 18
    both = svc.update(view.id, {"autonomy_h": 24})
    assert both.autonomy_hours == 18  # the worse of the two counts
    none = svc.create(draft("Trafo", emergency_power=True))
    assert none.autonomy_hours is None
    assert svc.create(draft("Ohne")).autonomy_hours is None


def test_update_writes_one_history_row_per_field(svc, db):
    view = svc.create(draft("Umspannwerk Süd (Muster)", persons_supplied=100))
    s4 = FacilityService(db, S4)
    changed = s4.update(
        view.id, {"persons_supplied": 250, "operator": "Netz (Muster)", "position": "50.80, 6.48"}
    )
    assert changed.version == 2 and changed.persons_supplied == 250
    history = svc.change_history(view.id)
    rows = {h.field_name: h for h in history if h.action == "geändert"}
    assert set(rows) == {"persons_supplied", "operator", "position"}
    assert rows["persons_supplied"].old_value == "100"
    assert rows["persons_supplied"].new_value == "250"
    assert rows["persons_supplied"].person == "Tim Muster"
    assert rows["persons_supplied"].workstation_id == "ws-s4"
    assert rows["operator"].field_label == "Betreiber"
    assert rows["position"].old_value is None
    assert rows["position"].new_value == "50.800000, 6.480000"
    assert history[-1].action == "angelegt"
    # Saving the same values again changes nothing and writes nothing.
    again = svc.update(view.id, FacilityDraft.from_view(changed))
    assert again.version == 2
    assert len(svc.change_history(view.id)) == len(history)
    # A form based on version 1 is refused: someone else saved in between.
    with pytest.raises(ServiceError, match="inzwischen von Tim Muster geändert"):
        svc.update(view.id, {"notes": "alt"}, expected_version=1)
    with pytest.raises(ServiceError, match="Unbekannte Felder: status"):
        svc.update(view.id, {"status": "ausgefallen"})


def test_contacts_several_with_roles_and_history(svc):
    view = svc.create(draft("Klinik", sector="Gesundheit", branch="Medizinische Versorgung"))
    first = svc.add_contact(
        view.id,
        ContactDraft(
            "Bereitschaft 24/7", "Leitwarte (Muster)", "02421 000-100", available_24_7=True
        ),
    )
    svc.add_contact(
        view.id,
        ContactDraft(
            "Betriebsleitung", "Erika Musterfrau", "02421 000-200", email="b@beispiel.invalid"
        ),
    )
    contacts = svc.contacts(view.id)
    assert [c.role for c in contacts] == ["Bereitschaft 24/7", "Betriebsleitung"]
    assert svc.get(view.id).phone_24_7 == "02421 000-100"
    svc.update_contact(
        first.id,
        ContactDraft(
            "Bereitschaft 24/7", "Leitwarte (Muster)", "02421 000-101", available_24_7=True
        ),
    )
    assert svc.get(view.id).phone_24_7 == "02421 000-101"
    svc.remove_contact(first.id)
    assert svc.get(view.id).phone_24_7 is None
    kinds = [
        h.new_value or h.old_value for h in svc.change_history(view.id) if h.field_name == "contact"
    ]
    assert len(kinds) == 4
    with pytest.raises(ServiceError, match="keine Telefonnummer"):
        svc.add_contact(view.id, ContactDraft("Notruf", phone="bitte anrufen"))
    with pytest.raises(ServiceError, match="Telefonnummer oder E-Mail"):
        svc.add_contact(view.id, ContactDraft("Notruf"))


def test_dependencies_cycles_allowed_self_and_duplicates_refused(svc):
    a = svc.create(draft("A (Muster)"))
    b = svc.create(
        draft(
            "B (Muster)",
            sector="Informationstechnik und Telekommunikation",
            branch="Telekommunikation",
        )
    )
    link = svc.add_dependency(b.id, a.id, "Strom", 2)
    svc.add_dependency(a.id, b.id, "TK", 24)  # a cycle, written the short way
    suppliers, dependents = svc.dependencies(a.id)
    assert [(d.supplier_name, d.kind, d.tolerance_h) for d in suppliers] == [
        ("B (Muster)", "Telekommunikation/IT", 24.0)
    ]
    assert [d.dependent_name for d in dependents] == ["B (Muster)"]
    view = svc.dependency_view(a.id)
    assert view.on_cycle and view.transitive_dependents == (b.id,)
    # The cascade over a cycle terminates.
    result = svc.cascade([a.id])
    assert [(e.name, e.hours) for e in result.timeline] == [("A (Muster)", 0), ("B (Muster)", 2)]
    with pytest.raises(ServiceError, match="von sich selbst"):
        svc.add_dependency(a.id, a.id, "Strom")
    with pytest.raises(ServiceError, match="hängt bereits"):
        svc.add_dependency(b.id, a.id, "strom")
    with pytest.raises(ServiceError, match="Unbekannte Abhängigkeitsart"):
        svc.add_dependency(b.id, a.id, "Gas")
    with pytest.raises(ServiceError, match="Toleranz"):
        svc.add_dependency(b.id, a.id, "Wasser", -1)
    updated = svc.update_dependency(link.id, tolerance_h=4)
    assert updated.tolerance_h == 4
    svc.remove_dependency(link.id)
    assert svc.dependencies(b.id)[0] == []
    history = [h for h in svc.change_history(b.id) if h.field_name == "depends_on"]
    assert [(h.old_value, h.new_value) for h in reversed(history)] == [
        (None, "A (Muster) (Strom, 2 h)"),
        ("A (Muster) (Strom, 2 h)", "A (Muster) (Strom, 4 h)"),
        ("A (Muster) (Strom, 4 h)", None),
    ]


def test_delete_keeps_a_record_and_removes_dependencies(svc):
    a = svc.create(draft("A (Muster)"))
    b = svc.create(draft("B (Muster)"))
    svc.add_dependency(b.id, a.id, "Strom")
    svc.delete(a.id)
    with pytest.raises(ServiceError, match="gibt es nicht"):
        svc.get(a.id)
    assert svc.dependencies(b.id) == ([], [])
    record = svc.change_history(a.id)[0]
    assert record.action == "gelöscht" and "Name: A (Muster)" in record.old_value
    assert svc.change_history(b.id)[0].old_value == "A (Muster) (Strom)"


def test_status_change_writes_journal_and_history_together(svc, db):
    incident = new_incident(db)
    view = svc.create(
        draft("Wasserwerk Ost (Muster)", sector="Wasser", branch="Trinkwasser", emergency_power=True,
              autonomy_h=18, persons_supplied=25000)
    )  # fmt: skip
    since = datetime.now(UTC) - timedelta(hours=2)
    after = svc.set_status(
        view.id, "Notstrombetrieb", note="Aggregat läuft", source="Betreiber", since=since
    )
    assert after.status == "Notstrombetrieb" and after.status_since == since
    assert after.power_since == since and after.status_source == "Betreiber"
    assert after.remaining_hours(datetime.now(UTC)) == pytest.approx(16, abs=0.01)
    entries = JournalService(db).list(incident)
    entry = entries[-1]
    assert entry.kind == "Lage" and entry.facility_id == view.id
    assert entry.source_quality == "Dritte"
    assert entry.observed_at == since
    assert "Wasserwerk Ost (Muster), Düren: betriebsbereit → Notstrombetrieb" in entry.text
    assert "Autarkie 18 h" in entry.text and "Aggregat läuft" in entry.text
    history = svc.status_history(view.id)
    assert [h.status for h in history] == ["Notstrombetrieb", "betriebsbereit"]
    assert history[0].journal_number == entry.number and history[0].incident_id == incident
    assert history[0].previous_status == "betriebsbereit" and history[1].event == "Ersterfassung"

    with pytest.raises(ServiceError, match="bereits „Notstrombetrieb“"):
        svc.set_status(view.id, "Notstrombetrieb")
    with pytest.raises(ServiceError, match="Unbekannter Status „kaputt“"):
        svc.set_status(view.id, "kaputt")
    with pytest.raises(ServiceError, match="in der Zukunft"):
        svc.set_status(view.id, "ausgefallen", since=datetime.now(UTC) + timedelta(hours=1))
    with pytest.raises(ServiceError, match="vor der letzten Statusänderung"):
        svc.set_status(view.id, "ausgefallen", since=since - timedelta(minutes=5))
    assert len(JournalService(db).list(incident)) == len(entries)


def test_status_change_failing_midway_stores_neither(svc, db, monkeypatch):
    incident = new_incident(db)
    view = svc.create(draft("Umspannwerk (Muster)"))
    journal_before = JournalService(db).count(incident)
    revision = svc.revision()
    real = fs.write_entry

    def entry_then_crash(*args, **kwargs):
        real(*args, **kwargs)  # the entry is inserted in the transaction …
        raise RuntimeError("Festplatte voll (simuliert)")  # … then something fails

    monkeypatch.setattr(fs, "write_entry", entry_then_crash)
    with pytest.raises(RuntimeError):
        svc.set_status(view.id, "ausgefallen")
    assert JournalService(db).count(incident) == journal_before
    assert svc.get(view.id).status == "betriebsbereit"
    assert [h.event for h in svc.status_history(view.id)] == ["Ersterfassung"]
    assert svc.revision() == revision


def test_status_change_needs_one_open_incident(svc, db):
    view = svc.create(draft("Umspannwerk (Muster)"))
    with pytest.raises(ServiceError, match="kein offenes Ereignis"):
        svc.set_status(view.id, "ausgefallen")
    first = new_incident(db, "Hochwasser (Test)")
    new_incident(db, "Sturm (Test)")
    with pytest.raises(ServiceError, match="2 Ereignisse offen"):
        svc.set_status(view.id, "ausgefallen")
    IncidentService(db).close(first, S2)
    with pytest.raises(ServiceError, match="abgeschlossen"):
        svc.set_status(view.id, "ausgefallen", incident_id=first)
    assert svc.get(view.id).status == "betriebsbereit"


def test_permissions_are_enforced(db):
    reader = Actor("Gisela Gast", "Gast", "ws", account="g", roles=("Nur-Lesen",))
    desk = Actor("Fritz Funk", "Sichter", "ws", account="f", roles=("Sichter/Fernmelder",))
    staff = Actor("Sabine Stab", "S2", "ws", account="s", roles=("Stabsmitglied",))
    with pytest.raises(PermissionDenied, match="Stammdaten pflegen"):
        FacilityService(db, reader).create(draft("Werk"))
    admin = Actor("Anna Admin", "S1", "ws", account="a", roles=("Administrator",))
    view = FacilityService(db, admin).create(draft("Werk"))
    new_incident(db)
    with pytest.raises(PermissionDenied, match="Status von KRITIS-Objekten"):
        FacilityService(db, desk).set_status(view.id, "ausgefallen")
    with pytest.raises(PermissionDenied):
        FacilityService(db, staff).update(view.id, {"notes": "x"})
    assert FacilityService(db, staff).set_status(view.id, "ausgefallen").status == "ausgefallen"


def test_power_board_warnings_refuelling_and_fuel_priority(svc, db):
    new_incident(db)
    now = datetime.now(UTC)
    specs = [
        ("Feuerwehrhaus (Muster)", 24, 20, 0, 22.5),  # 1.5 h left: critical
        ("Pflegeheim (Muster)", 8, 50, 95, 3),  # 5 h left: low
        ("Wasserwerk (Muster)", 18, 200, 25000, 2),  # 16 h left
    ]
    ids = {}
    for name, autonomy, consumption, persons, hours_ago in specs:
        v = svc.create(
            draft(name, sector="Wasser", branch="Trinkwasser", emergency_power=True, autonomy_h=autonomy,
                  consumption_l_per_h=consumption, persons_supplied=persons)
        )  # fmt: skip
        svc.set_status(v.id, "Notstrombetrieb", since=now - timedelta(hours=hours_ago))
        ids[name] = v.id
    unknown = svc.create(draft("Trafo (Muster)", emergency_power=True))
    svc.set_status(unknown.id, "Notstrombetrieb")
    board = svc.power_board(now)
    assert [r.facility.name for r in board] == [
        "Feuerwehrhaus (Muster)",
        "Pflegeheim (Muster)",
        "Wasserwerk (Muster)",
        "Trafo (Muster)",
    ]
    assert [r.warning for r in board] == [
        PowerWarning.CRITICAL,
        PowerWarning.LOW,
        PowerWarning.NONE,
        PowerWarning.UNKNOWN,
    ]
    assert board[0].remaining_text == "noch 1 h 30 min"
    assert [r.facility.name for r in svc.power_warnings(now)] == [
        "Feuerwehrhaus (Muster)",
        "Pflegeheim (Muster)",
        "Trafo (Muster)",
    ]
    strict = FacilityService(db, S2, thresholds=PowerThresholds(low_h=20, critical_h=6))
    assert [r.warning for r in strict.power_board(now)][:3] == [PowerWarning.CRITICAL] * 2 + [
        PowerWarning.LOW
    ]
    priority = svc.fuel_priority(now)
    assert [p.rank for p in priority] == [1, 2, 3, 4]
    assert priority[2].fuel_needed_l == 200 * 24 and priority[2].persons_supplied == 25000
    assert priority[3].runs_dry_at is None

    refuelled = svc.record_refuelling(ids["Feuerwehrhaus (Muster)"], litres=400)
    assert refuelled.remaining_hours(datetime.now(UTC)) == pytest.approx(24, abs=0.01)
    assert svc.status_history(refuelled.id)[0].event == "Betankung"
    assert svc.power_board()[0].facility.name == "Pflegeheim (Muster)"
    other = svc.create(draft("Ohne Aggregat"))
    with pytest.raises(ServiceError, match="nicht im Notstrombetrieb"):
        svc.record_refuelling(other.id)
    summary = svc.summary(now)
    assert summary.on_emergency_power == 4 and summary.by_status["Notstrombetrieb"] == 4


def _chain(svc):
    """Umspannwerk → Wasserwerk (generator 10 h) → Hochbehälter (6 h buffer) → Klinik."""
    uw = svc.create(draft("Umspannwerk (Muster)", persons_supplied=9000))
    ww = svc.create(
        draft("Wasserwerk (Muster)", sector="Wasser", branch="Trinkwasser", emergency_power=True,
              autonomy_h=10, persons_supplied=20000)
    )  # fmt: skip
    hb = svc.create(
        draft("Hochbehälter (Muster)", sector="Wasser", branch="Trinkwasser", persons_supplied=5000)
    )
    kl = svc.create(
        draft("Klinik (Muster)", sector="Gesundheit", municipality="Kreuzau", persons_supplied=300)
    )
    svc.add_dependency(ww.id, uw.id, "Strom")
    svc.add_dependency(hb.id, ww.id, "Wasser", 6)
    svc.add_dependency(kl.id, hb.id, "Wasser", 2)
    svc.add_dependency(kl.id, uw.id, "Strom")
    return uw, ww, hb, kl


def test_what_if_cascade_never_changes_stored_state(svc, db):
    new_incident(db)
    uw, _ww, _hb, kl = _chain(svc)
    before = svc.list()
    revision = svc.revision()
    result = svc.cascade([uw.id])
    assert [(e.name, e.hours) for e in result.timeline] == [
        ("Umspannwerk (Muster)", 0.0),
        ("Klinik (Muster)", 0.0),
        ("Wasserwerk (Muster)", 10.0),
        ("Hochbehälter (Muster)", 16.0),
    ]
    assert result.timeline[-1].persons_cumulative == 9000 + 300 + 20000 + 5000
    area = svc.cascade(areas=["kreuzau"])
    assert [e.name for e in area.timeline] == ["Klinik (Muster)"]
    with pytest.raises(ServiceError, match="Unbekannte Gemeinde „Köln“"):
        svc.cascade(areas=["Köln"])
    with pytest.raises(ServiceError, match="Unbekannte Einrichtung"):
        svc.cascade(["gibt-es-nicht"])
    assert svc.list() == before
    assert svc.revision() == revision
    # A new dependency is seen by the next cascade (the cached graph is stale),
    # also by another service on the same database.
    svc.add_dependency(uw.id, kl.id, "Sonstiges", 1)
    other = FacilityService(db, S2)
    assert [e.name for e in other.cascade([kl.id]).timeline] == [
        "Klinik (Muster)",
        "Umspannwerk (Muster)",
        "Wasserwerk (Muster)",
        "Hochbehälter (Muster)",
    ]


def test_cascade_from_stored_state_and_forecast(svc, db):
    new_incident(db)
    uw, ww, hb, _kl = _chain(svc)
    now = datetime.now(UTC).replace(microsecond=0)
    svc.set_status(uw.id, "ausgefallen", since=now - timedelta(hours=3))
    svc.set_status(ww.id, "Notstrombetrieb", since=now - timedelta(hours=3))
    result = svc.cascade(now=now)
    assert [(e.name, round(e.hours, 6)) for e in result.timeline] == [
        ("Umspannwerk (Muster)", -3.0),
        ("Klinik (Muster)", -3.0),
        ("Wasserwerk (Muster)", 7.0),
        ("Hochbehälter (Muster)", 13.0),
    ]
    points = svc.forecast(now)
    assert [p.hours for p in points] == [12, 24, 48, 72]
    assert [len(p.failed_ids) for p in points] == [3, 4, 4, 4]
    assert points[1].persons_affected == 34300
    # Ignoring the stored state, nothing fails without a what-if.
    assert svc.cascade(now=now, use_stored_state=False).timeline == ()
    # The graph is cached per revision and time; a write makes it stale.
    graph = svc.cascade_graph(now)
    assert svc.cascade_graph(now) is graph
    svc.update(hb.id, {"persons_supplied": 6000})
    assert svc.cascade_graph(now) is not graph


def test_list_filters_and_resolve(svc):
    svc.create(draft("Umspannwerk Kreuzau (Muster)", municipality="Kreuzau"))
    svc.create(
        draft(
            "Wasserwerk Kreuzau (Muster)",
            sector="Wasser",
            branch="Trinkwasser",
            municipality="Kreuzau",
            operator="Wasserverband (Muster)",
        )
    )
    svc.create(
        draft(
            "Wasserwerk Jülich (Muster)",
            sector="Wasser",
            branch="Trinkwasser",
            municipality="Jülich",
        )
    )
    svc.create(draft("Pumpwerk (Muster)", sector="Wasser", municipality="Jülich"))
    svc.create(draft("Pumpwerk (Muster)", sector="Wasser", municipality="Linnich"))
    assert [
        v.name for v in svc.list(FacilityFilter(sectors=("Wasser",), municipalities=("Kreuzau",)))
    ] == ["Wasserwerk Kreuzau (Muster)"]
    assert len(svc.list(FacilityFilter(text="WASSERVERBAND"))) == 1
    assert len(svc.list(FacilityFilter(text="wasserwerk muster"))) == 2
    assert [v.municipality for v in svc.list()] == [
        "Jülich",
        "Jülich",
        "Kreuzau",
        "Kreuzau",
        "Linnich",
    ]
    target = svc.list(FacilityFilter(text="Umspannwerk"))[0]
    assert svc.resolve(target.id).id == target.id
    assert svc.resolve(target.id[:8]).id == target.id
    assert svc.resolve("umspannwerk kreuzau (muster)").id == target.id
    assert svc.resolve("Umspannwerk Kreuzau").id == target.id  # unique by its words
    assert svc.resolve("Pumpwerk (Muster) [Linnich]").municipality == "Linnich"
    with pytest.raises(ServiceError, match=r"nicht eindeutig.*Jülich.*Linnich"):
        svc.resolve("Pumpwerk (Muster)")
    with pytest.raises(ServiceError, match="nicht eindeutig"):
        svc.resolve("Wasserwerk")
    with pytest.raises(ServiceError, match="gibt es nicht"):
        svc.resolve("Kernkraftwerk")


def test_views_are_detached_and_immutable(svc):
    view = svc.create(draft("Werk (Muster)"))
    detail = svc.detail(view.id)
    svc.db.close()
    assert detail.facility.name == "Werk (Muster)"
    with pytest.raises(AttributeError):
        detail.facility.name = "anders"  # type: ignore[misc]
