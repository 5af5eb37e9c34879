"""Contacts import (CSV/XLSX): German files, all-or-nothing, line errors, dry run, re-import."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pytest
from helpers import S2, new_db
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from krisenstab.exchange.contact_io import EXPORT_HEADERS, read_contacts
from krisenstab.exchange.tabular import write_xlsx
from krisenstab.services.contacts import ContactService
from krisenstab.services.context import Actor, PermissionDenied, ServiceError

READER = Actor("Rita Leserin", "S2", "ws-test", account="leserin", roles=("Nur-Lesen",))

GOOD_CSV = (
    "Zuständigkeit;Gemeinde;KRITIS-Sektor;Organisation;Telefon;24/7;Bemerkung\r\n"
    "Trinkwasserversorgung;Jülich;Wasser;Wasserversorger Jülich (Muster);0221 4710 300;0221 4710 301;Hochbehälter\r\n"
    "Trinkwasserversorgung;Düren;Wasser;Stadtwerke Düren (Muster);0221 4710 310;;\r\n"
    "Stromversorgung;Jülich;Energie;Netzbetreiber (Muster);;0221 4710 321;\r\n"
)


@pytest.fixture
def db(tmp_path):
    return new_db(tmp_path)


@pytest.fixture
def contacts(db):
    return ContactService(db, S2)


def test_german_csv_in_windows_encoding_is_imported(contacts):
    report = contacts.import_file(GOOD_CSV.encode("cp1252"), filename="kontakte.csv")
    assert report.ok and report.applied
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    assert report.delimiter == ";"
    assert contacts.count() == 3
    hit = contacts.find("Trinkwasser Jülich")[0]
    assert hit.municipality == "Jülich" and hit.phone_24h == "0221 4710 301"
    assert "Import gespeichert" in report.summary()
    assert [c.action for c in contacts.history(hit.id)] == ["importiert"]


def test_comma_separated_utf8_with_english_headers(contacts):
    data = b"Subject,Ort,Firma,Mobil\nGasversorgung,Kreuzau,Gasnetz (Muster),0221 4710 400\n"
    report = contacts.import_file(data, filename="x.csv")
    assert report.ok and report.created == 1
    assert contacts.find("gas kreuzau")[0].reach == (("Mobil", "0221 4710 400"),)


def test_any_error_rejects_the_whole_file_with_line_numbers(contacts):
    bad = GOOD_CSV + (
        "Gasversorgung;Kreuzau;Energie;Gasnetz (Muster);ruf an;;\r\n"  # line 5: bad phone
        ";Linnich;;Amt (Muster);0221 4710 500;;\r\n"  # line 6: no subject
        "Abwasser;Linnich;Wasser;Verband (Muster);;;\r\n"  # line 7: no way to reach
    )
    report = contacts.import_file(bad.encode("utf-8"), filename="k.csv")
    assert not report.ok and not report.applied
    assert [e.line for e in report.errors] == [5, 6, 7]
    assert "keine Rufnummer" in str(report.errors[0]) and "Zeile 5" in str(report.errors[0])
    assert "Pflichtangabe fehlt" in str(report.errors[1])
    assert "keine Erreichbarkeit" in str(report.errors[2])
    assert contacts.count() == 0  # the three good lines were not stored either
    assert "nichts wurde übernommen" in report.summary()


def test_dry_run_reports_without_storing(contacts):
    report = contacts.import_file(GOOD_CSV.encode(), filename="k.csv", dry_run=True)
    assert report.ok and not report.applied and report.created == 3
    assert contacts.count() == 0
    assert "Probelauf" in report.summary()


def test_reimport_updates_in_place_and_keeps_other_columns(contacts):
    contacts.import_file(GOOD_CSV.encode(), filename="k.csv")
    target = contacts.find("Strom Jülich")[0]
    contacts.update(target.id, notes="Schlüssel beim Pförtner", email="netz@beispiel.example")
    changed = GOOD_CSV.replace("0221 4710 321", "0221 4710 329")
    report = contacts.import_file(changed.encode(), filename="k.csv")
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    view = contacts.get(target.id)
    assert view.phone_24h == "0221 4710 329"
    # "Bemerkung" is in the file (empty for this line) and is taken over; e-mail is not.
    assert view.notes is None
    assert view.email == "netz@beispiel.example"
    imported = [c for c in contacts.history(target.id) if c.action == "importiert"]
    assert {(c.field, c.old_value, c.new_value) for c in imported} >= {
        ("phone_24h", "0221 4710 321", "0221 4710 329")
    }
    assert contacts.count() == 3


def test_key_column_matches_even_when_the_subject_changes(contacts):
    first = "Schlüssel;Zuständigkeit;Telefon\nW-01;Trinkwasser Jülich;0221 4710 300\n"
    contacts.import_file(first.encode(), filename="k.csv")
    second = "Schlüssel;Zuständigkeit;Telefon\nw-01;Trinkwasserversorgung Jülich;0221 4710 300\n"
    report = contacts.import_file(second.encode(), filename="k.csv")
    assert (report.created, report.updated) == (0, 1)
    assert [h.title for h in contacts.find("trinkwasser")] == ["Trinkwasserversorgung Jülich"]


def test_duplicate_keys_and_lines_in_one_file_are_errors(contacts):
    dup_key = "Schlüssel;Zuständigkeit;Telefon\nA;Gas;0221 4710 1\nA;Strom;0221 4710 2\n"
    report = contacts.import_file(dup_key.encode(), filename="k.csv")
    assert [e.line for e in report.errors] == [3] and "doppelt" in str(report.errors[0])
    dup_line = "Zuständigkeit;Gemeinde;Telefon\nGas;Titz;0221 4710 1\ngas;TITZ;0221 4710 2\n"
    report = contacts.import_file(dup_line.encode(), filename="k.csv")
    assert [e.line for e in report.errors] == [3]
    assert contacts.count() == 0


def test_export_and_reimport_round_trip_unchanged(tmp_path, contacts):
    contacts.import_file(GOOD_CSV.encode(), filename="k.csv")
    contacts.add("Sandsacklager", municipality="Düren", phone="0221 4710 600", notes="=1+1")
    for name in ("kontakte.csv", "kontakte.xlsx"):
        path = tmp_path / name
        assert contacts.export_file(path) == 4
        report = contacts.import_file(path)
        assert report.ok, report.errors
        assert (report.created, report.updated, report.unchanged) == (0, 0, 4)
    parsed = read_contacts(tmp_path / "kontakte.csv")
    assert {r.notes for r in parsed.records} >= {"=1+1"}  # formula text survives, defused


def test_xlsx_import(tmp_path, contacts):
    path = tmp_path / "liste.xlsx"
    write_xlsx(
        path,
        ["Zuständigkeit", "Gemeinde", "Rufbereitschaft"],
        [["Brücken", "Nideggen", "0221 4710 700"], ["Schulen", "Titz", "0221 4710 701"]],
    )
    report = contacts.import_file(path)
    assert report.ok and report.created == 2 and report.format == "xlsx"
    assert contacts.find("Brücken Nideggen")[0].phone_24h == "0221 4710 700"


def test_unusable_file_is_refused_in_german(contacts):
    with pytest.raises(ServiceError, match="PDF"):
        contacts.import_file(b"%PDF-1.4 ...", filename="k.pdf")
    with pytest.raises(ServiceError, match="leer"):
        contacts.import_file(b"", filename="k.csv")


def test_read_only_actor_cannot_import(db):
    with pytest.raises(PermissionDenied, match="Stammdaten"):
        ContactService(db, READER).import_file(GOOD_CSV.encode(), filename="k.csv")


def test_export_headers_are_the_import_headers():
    assert EXPORT_HEADERS[:2] == ("Schlüssel", "Zuständigkeit")
    assert "24/7" in EXPORT_HEADERS


# -- property: whatever the file, no crash and never a partial import -----------------------
_cell = st.one_of(
    st.sampled_from(
        ["", "Jülich", "Düren", "Gas (Muster)", "0221 4710 123", "x;y", '"q"', "ä ö ü ß"]
    ),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12),
)
_phone = st.one_of(st.sampled_from(["", "0221 4710 1", "+49 221 4710 2", "abc", "12"]), _cell)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    rows=st.lists(st.tuples(_cell, _cell, _phone, _phone), min_size=0, max_size=6),
    delimiter=st.sampled_from([";", ",", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16"]),
    header=st.sampled_from(
        [
            ("Zuständigkeit", "Gemeinde", "Telefon", "24/7"),
            ("Thema", "Ort", "Tel", "Rufbereitschaft"),
            ("Zuständigkeit", "Gemeinde", "Telefon", "Unbekannt"),
        ]
    ),
)
def test_random_files_never_crash_and_never_import_partly(rows, delimiter, encoding, header):
    with tempfile.TemporaryDirectory() as folder:
        db = new_db(Path(folder))
        contacts = ContactService(db, S2)
        contacts.import_file(GOOD_CSV.encode(), filename="k.csv")
        before = {(v.id, v.phone, v.phone_24h, v.subject) for v in contacts.list()}
        buffer = io.StringIO()
        buffer.write(delimiter.join(header) + "\r\n")
        for row in rows:
            cells = ['"' + c.replace('"', '""') + '"' for c in row]
            buffer.write(delimiter.join(cells) + "\r\n")
        try:
            data = buffer.getvalue().encode(encoding)
        except UnicodeEncodeError:
            data = buffer.getvalue().encode("utf-8")
        try:
            report = contacts.import_file(data, filename="zufall.csv")
        except ServiceError:
            report = None  # the file as a whole was refused (German message)
        after = {(v.id, v.phone, v.phone_24h, v.subject) for v in contacts.list()}
        if report is None or not report.ok:
            assert after == before
        else:
            assert report.applied
            assert report.created + report.updated + report.unchanged == len(report.lines)
            assert len(after) == len(before) + report.created
        db.close()
