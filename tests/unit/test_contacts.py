"""The responsibility matrix: who is responsible, how to reach them; lookup as you type."""

from __future__ import annotations

import pytest
from helpers import S2, new_db

from krisenstab.domain.staff import Entity
from krisenstab.services.contacts import ContactService, query_words, tokens_for
from krisenstab.services.context import Actor, PermissionDenied, ServiceError
from krisenstab.services.staff import StaffService

READER = Actor("Rita Leserin", "S2", "ws-test", account="leserin", roles=("Nur-Lesen",))


@pytest.fixture
def db(tmp_path):
    return new_db(tmp_path)


@pytest.fixture
def contacts(db):
    service = ContactService(db, S2)
    service.add(
        "Trinkwasserversorgung",
        municipality="Jülich",
        sector="Wasser",
        branch="Trinkwasser",
        organisation="Wasserversorger Jülich (Muster)",
        function="Bereitschaftsdienst Wasserwerk",
        phone="0221 4710 300",
        phone_24h="0221 4710 301",
        deputy="Herr Beispielquell",
        deputy_phone="0221 4710 302",
    )
    service.add(
        "Trinkwasserversorgung",
        municipality="Düren",
        sector="Wasser",
        branch="Trinkwasser",
        organisation="Stadtwerke Düren (Muster)",
        phone_24h="0221 4710 310",
    )
    service.add(
        "Stromversorgung",
        municipality="Jülich",
        sector="Energie",
        branch="Strom",
        organisation="Netzbetreiber (Muster)",
        phone="0221 4710 320",
    )
    service.add(
        "Ordnungsamt Rufbereitschaft",
        municipality="Jülich",
        organisation="Stadt Jülich (Muster)",
        keywords="Bürgermeister Wasser Notunterkunft",
        phone="0221 4710 330",
    )
    return service


def titles(hits):
    return [(h.title, h.municipality) for h in hits]


def test_trinkwasser_juelich_finds_who_to_call(contacts):
    hits = contacts.find("Trinkwasser Jülich")
    assert titles(hits)[0] == ("Trinkwasserversorgung", "Jülich")
    best = hits[0]
    assert best.reach[0] == ("24/7", "0221 4710 301")
    assert ("Telefon", "0221 4710 300") in best.reach
    assert best.deputy == "Herr Beispielquell"
    assert best.deputy_reach == (("Telefon", "0221 4710 302"),)
    assert "Wasserversorger Jülich (Muster)" in best.who
    # Düren's water supply does not match "Jülich"; Jülich's power supply not "Trinkwasser".
    assert ("Trinkwasserversorgung", "Düren") not in titles(hits)
    assert ("Stromversorgung", "Jülich") not in titles(hits)


@pytest.mark.parametrize(
    "typed", ["trinkwasser julich", "TRINKWASSER JUELICH", "trink jül", "Jülich Trinkw"]
)
def test_lookup_folds_umlauts_both_ways_and_matches_prefixes(contacts, typed):
    assert titles(contacts.find(typed))[0] == ("Trinkwasserversorgung", "Jülich")


def test_compound_parts_and_ranking_by_field(contacts):
    hits = contacts.find("Wasser Jülich")
    # The subject (compound "Trinkwasserversorgung") outranks a keyword match.
    assert titles(hits)[:2] == [
        ("Trinkwasserversorgung", "Jülich"),
        ("Ordnungsamt Rufbereitschaft", "Jülich"),
    ]
    assert hits[0].score > hits[1].score


def test_every_word_must_match(contacts):
    assert contacts.find("Trinkwasser Linnich") == []
    assert contacts.find("   ") == []
    assert contacts.find("!!!") == []


def test_phone_numbers_are_searchable(contacts):
    assert titles(contacts.find("4710 320")) == [("Stromversorgung", "Jülich")]
    assert titles(contacts.find("02214710320")) == [("Stromversorgung", "Jülich")]
    assert len(contacts.find("0221 4710")) == 4


def test_people_are_found_with_the_function_they_hold(db, contacts):
    staff = StaffService(db, S2)
    staff.add_person("Jonas Beispiel", mobile="0221 4710 131", organisation="Feuerwehr (Muster)")
    staff.assign("S3", "Jonas Beispiel")
    hits = contacts.find("S3")
    assert hits[0].kind == "Person" and hits[0].title == "Jonas Beispiel"
    assert hits[0].functions == ("S3",)
    assert hits[0].reach == (("Mobil", "0221 4710 131"),)
    assert contacts.find("jonas feuerwehr")[0].title == "Jonas Beispiel"


def test_deactivated_entries_are_not_found_but_kept(contacts):
    target = contacts.find("Stromversorgung")[0]
    contacts.set_active(target.id, False)
    assert contacts.find("Stromversorgung") == []
    assert contacts.get(target.id).active is False
    assert [c.action for c in contacts.history(target.id)][-1] == "deaktiviert"
    contacts.set_active(target.id, True)
    assert titles(contacts.find("Stromversorgung")) == [("Stromversorgung", "Jülich")]


def test_update_reindexes_and_records_history(contacts):
    target = contacts.find("Stromversorgung Jülich")[0]
    contacts.update(target.id, municipality="Linnich", phone="0221 4710 399")
    assert contacts.find("Stromversorgung Jülich") == []
    assert titles(contacts.find("strom linnich")) == [("Stromversorgung", "Linnich")]
    changes = {
        c.field: (c.old_value, c.new_value)
        for c in contacts.history(target.id)
        if c.action == "geändert"
    }
    assert changes == {
        "municipality": ("Jülich", "Linnich"),
        "phone": ("0221 4710 320", "0221 4710 399"),
    }


def test_an_entry_needs_a_way_to_reach_someone(db, contacts):
    with pytest.raises(ServiceError, match="mindestens eine Erreichbarkeit"):
        contacts.add("Sandsacklager", organisation="Lager (Muster)")
    person = StaffService(db, S2).add_person("Tim Muster", phone="0221 4710 140")
    linked = contacts.add("Sandsacklager", person_id=person.id)
    assert linked.person_name == "Tim Muster"
    hit = contacts.find("Sandsacklager")[0]
    assert ("Telefon (Person)", "0221 4710 140") in hit.reach
    with pytest.raises(ServiceError, match="keine Rufnummer"):
        contacts.add("Gas", phone="abc")


def test_read_only_actor_may_look_up_but_not_change(db, contacts):
    reader = ContactService(db, READER)
    assert reader.find("Trinkwasser Jülich")
    with pytest.raises(PermissionDenied, match="Stammdaten"):
        reader.add("Gas", phone="0221 4710 500")
    target = reader.find("Strom")[0]
    with pytest.raises(PermissionDenied):
        reader.update(target.id, phone="0221 4710 501")
    with pytest.raises(PermissionDenied):
        reader.set_active(target.id, False)


def test_history_names_who_and_where(contacts):
    target = contacts.find("Strom")[0]
    created = contacts.history(target.id)
    assert {c.action for c in created} == {"angelegt"}
    assert {c.changed_by for c in created} == {S2.person}
    assert {c.entity for c in created} == {Entity.RESPONSIBILITY.value}


def test_query_and_token_folding():
    assert query_words("Trink trinkwasser Jülich") == ["trinkwasser", "juelich"]
    tokens = tokens_for({"subject": "Trinkwasserversorgung", "municipality": "Jülich"})
    expected = {"trinkwasserversorgung", "wasser", "wasserversorgung", "versorgung", "juelich"}
    assert expected | {"julich"} <= set(tokens)
    assert tokens["trinkwasserversorgung"] > tokens["wasserversorgung"]


def test_changes_by_another_workstation_are_seen_by_the_next_lookup(tmp_path, contacts):
    assert contacts.prepare() == 4
    assert contacts.find("Gasversorgung") == []
    from krisenstab.store.database import Database

    other = Database.open(tmp_path / "stab.db")  # a second connection, as another process
    ContactService(other, S2).add("Gasversorgung", municipality="Titz", phone="0221 4710 800")
    assert titles(contacts.find("gas titz")) == [("Gasversorgung", "Titz")]
    other.close()
