"""Facility import/export: German office files, all-or-nothing, round trips, GeoJSON."""

from __future__ import annotations

import itertools
import json

import openpyxl
import pytest
from helpers import S2, new_db
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from krisenstab.domain.cascade import DependencyKind
from krisenstab.domain.facility import FacilityChange, FacilityDraft
from krisenstab.exchange.facility_io import (
    EXPORT_HEADERS,
    SupplierRef,
    format_supplier,
    parse_supplier_list,
)
from krisenstab.exchange.tabular import CellError
from krisenstab.services.context import ServiceError
from krisenstab.services.facilities import FacilityService

HEADER = (
    "Name;Sektor;Branche;Gemeinde;Straße;PLZ;Ort;Breite;Länge;UTMREF;Betreiber;Telefon 24/7;"
    "Notstrom;Autarkie (h);Kraftstoff (l);Verbrauch (l/h);Versorgte Personen;Abhängig von"
)
GOOD_ROWS = [
    "Wasserwerk Kreuzau (Muster);Wasser;Trinkwasser;Kreuzau;Am Wasserwerk 4;52372;Kreuzau;"
    "50,7471;6,4912;;Wasserverband (Muster);02421 000-101;ja;;3600;200;25.000;"
    "Umspannwerk Kreuzau (Muster) | Vermittlungsstelle (Muster) [Düren] (TK, 12 h)",
    "Umspannwerk Kreuzau (Muster);Energie;Strom;Kreuzau;;;;;;32U LB 22 21;Netz (Muster);;nein;;;;9.000;",
    "Vermittlungsstelle (Muster);Informationstechnik und Telekommunikation;Telekommunikation;"
    "Düren;;;;;;;;;;;;;50000;Umspannwerk Kreuzau (Muster) (Strom, 1,5 h)",
    "Hochbehälter Süd (Muster);wasser;trinkwasser;KREUZAU;;;;;;;;;;;;;8000;Wasserwerk Kreuzau (Muster)",
]


def csv_file(rows: list[str], header: str = HEADER, encoding: str = "cp1252") -> bytes:
    return ("\r\n".join([header, *rows]) + "\r\n").encode(encoding)


@pytest.fixture
def db(tmp_path):
    database = new_db(tmp_path)
    yield database
    database.close()


@pytest.fixture
def svc(db):
    return FacilityService(db, S2)


def history_count(db) -> int:
    with db.session() as session:
        return session.execute(select(func.count()).select_from(FacilityChange)).scalar_one()


def by_name(svc) -> dict:
    return {v.name: v for v in svc.list()}


# -- supplier references ---------------------------------------------------------


def test_supplier_list_syntax():
    assert parse_supplier_list("Umspannwerk Nord (Strom) | Wasserwerk Ost (Wasser)") == [
        SupplierRef("Umspannwerk Nord", None, DependencyKind.POWER, None),
        SupplierRef("Wasserwerk Ost", None, DependencyKind.WATER, None),
    ]
    assert parse_supplier_list("Umspannwerk Kreuzau (Muster)") == [
        SupplierRef("Umspannwerk Kreuzau (Muster)", None, None, None, "Muster")
    ]
    assert parse_supplier_list(
        "Werk (Muster) [Düren] (Kraftstoff, 2,5 h)|Tank (tk; Toleranz 4)"
    ) == [
        SupplierRef("Werk (Muster)", "Düren", DependencyKind.FUEL, 2.5),
        SupplierRef("Tank", None, DependencyKind.TELECOM_IT, 4.0),
    ]
    assert parse_supplier_list(None) == [] and parse_supplier_list("  ") == []
    with pytest.raises(CellError, match="leerer Eintrag"):
        parse_supplier_list("A | | B")
    with pytest.raises(CellError, match="Name des Versorgers fehlt"):
        parse_supplier_list("(Strom)")
    for name, kind, tol, muni in [
        ("Werk (Muster)", "Strom", 0.0, None),
        ("Werk", "Telekommunikation/IT", 1.5, "Düren"),
    ]:
        text = format_supplier(name, kind, tol, muni)
        (ref,) = parse_supplier_list(text)
        assert (ref.name, ref.kind.value, ref.tolerance_h or 0.0, ref.municipality) == (
            name,
            kind,
            tol,
            muni,
        )


# -- import ------------------------------------------------------------------------


def test_german_csv_imports_with_suppliers_later_in_the_file(svc, db):
    data = csv_file(GOOD_ROWS)
    plan = svc.import_file(data, filename="kritis.csv")
    assert plan.ok and plan.applied, plan.errors
    assert plan.encoding == "cp1252" and plan.delimiter == ";"
    assert plan.summary() == (
        "4 Zeilen übernommen: 4 neu, 0 geändert, 0 unverändert; "
        "Abhängigkeiten: 4 neu, 0 geändert, 0 entfernt."
    )
    found = by_name(svc)
    ww = found["Wasserwerk Kreuzau (Muster)"]
    assert (ww.fuel_stock_l, ww.consumption_l_per_h, ww.autonomy_hours) == (3600, 200, 18)
    assert ww.persons_supplied == 25000 and ww.phone_24_7 == "02421 000-101"
    assert (ww.lat, ww.lon, ww.position_text) == (50.7471, 6.4912, None)
    uw = found["Umspannwerk Kreuzau (Muster)"]
    assert uw.position_text == "32U LB 22 21" and uw.lat == pytest.approx(50.718, abs=0.01)
    hb = found["Hochbehälter Süd (Muster)"]
    assert (hb.sector, hb.branch, hb.municipality) == ("Wasser", "Trinkwasser", "Kreuzau")
    deps = {
        (d.dependent_name, d.supplier_name): (d.kind, d.tolerance_h) for d in svc.all_dependencies()
    }
    assert deps == {
        # kind from the supplier's sector when the file names none
        ("Wasserwerk Kreuzau (Muster)", "Umspannwerk Kreuzau (Muster)"): ("Strom", 0.0),
        ("Wasserwerk Kreuzau (Muster)", "Vermittlungsstelle (Muster)"): (
            "Telekommunikation/IT",
            12.0,
        ),
        ("Vermittlungsstelle (Muster)", "Umspannwerk Kreuzau (Muster)"): ("Strom", 1.5),
        ("Hochbehälter Süd (Muster)", "Wasserwerk Kreuzau (Muster)"): ("Wasser", 0.0),
    }
    history = svc.change_history(ww.id)
    assert [(h.action, h.person) for h in history] == [("Import", "Max Mustermann")]
    assert [h.source for h in svc.status_history(ww.id)] == ["Import"]


def test_reimport_updates_instead_of_duplicating(svc, db):
    svc.import_file(csv_file(GOOD_ROWS), filename="a.csv")
    history = history_count(db)
    again = svc.import_file(csv_file(GOOD_ROWS), filename="a.csv")
    assert again.ok and len(again.unchanged) == 4 and not again.added and not again.changed
    assert history_count(db) == history
    assert len(svc.list()) == 4

    changed_rows = list(GOOD_ROWS)
    changed_rows[3] = (
        changed_rows[3]
        .replace(";8000;", ";8500;")
        .replace("Wasserwerk Kreuzau (Muster)", "Wasserwerk Kreuzau (Muster) (Wasser, 6 h)")
    )
    plan = svc.import_file(csv_file(changed_rows), filename="a.csv", dry_run=True)
    assert [f.name for f in plan.changed] == ["Hochbehälter Süd (Muster)"]
    assert [(c.label, c.old, c.new) for c in plan.changed[0].changes] == [
        ("Versorgte Personen", "8000", "8500"),
        (
            "Abhängig von",
            "Wasserwerk Kreuzau (Muster) (Wasser)",
            "Wasserwerk Kreuzau (Muster) (Wasser, 6 h)",
        ),
    ]
    assert by_name(svc)["Hochbehälter Süd (Muster)"].persons_supplied == 8000  # dry run
    svc.import_file(csv_file(changed_rows), filename="a.csv")
    hb = by_name(svc)["Hochbehälter Süd (Muster)"]
    assert hb.persons_supplied == 8500 and hb.version == 2
    assert [d.tolerance_h for d in svc.dependencies(hb.id)[0]] == [6.0]
    fields = {
        h.field_name for h in svc.change_history(hb.id) if h.action == "Import" and h.field_name
    }
    assert fields == {"persons_supplied", "depends_on"}
    # Without a tolerance in the file the stored one stays.
    svc.import_file(csv_file(GOOD_ROWS), filename="a.csv")
    hb = by_name(svc)["Hochbehälter Süd (Muster)"]
    assert [d.tolerance_h for d in svc.dependencies(hb.id)[0]] == [6.0]


def test_id_column_is_the_key_and_allows_renames(svc):
    svc.import_file(csv_file(GOOD_ROWS), filename="a.csv")
    uw = by_name(svc)["Umspannwerk Kreuzau (Muster)"]
    rows = [f"{uw.id};Umspannwerk Kreuzau-Nord (Muster);Energie;Kreuzau"]
    plan = svc.import_file(csv_file(rows, "ID;Name;Sektor;Gemeinde"), filename="b.csv")
    assert plan.ok and [c.field_name for c in plan.changed[0].changes] == ["name"]
    renamed = svc.get(uw.id)
    assert renamed.name == "Umspannwerk Kreuzau-Nord (Muster)"
    # Absent columns keep their values; the position is still there.
    assert renamed.persons_supplied == 9000 and renamed.position_text == "32U LB 22 21"
    # An unknown ID creates the object with that ID (a register moved between files).
    new = svc.import_file(
        csv_file(["abc-123;Neu (Muster);Energie;Titz"], "ID;Name;Sektor;Gemeinde"), filename="c.csv"
    )
    assert new.ok and svc.get("abc-123").name == "Neu (Muster)"
    taken = svc.import_file(
        csv_file([f"{uw.id};Neu (Muster);Energie;Titz"], "ID;Name;Sektor;Gemeinde"),
        filename="e.csv",
    )
    assert len(taken.errors) == 1
    assert str(taken.errors[0]).startswith(
        "Zeile 2, Spalte „Name“: „Neu (Muster)“ gibt es in Titz bereits"
    )
    clash = svc.import_file(
        csv_file(["xyz-999;Neu (Muster);Energie;Titz"], "ID;Name;Sektor;Gemeinde"), filename="d.csv"
    )
    assert [str(e) for e in clash.errors] == [
        "Zeile 2, Spalte „ID“: „Neu (Muster)“ in Titz ist unter der ID abc-123 erfasst, nicht unter xyz-999"
    ]


def test_hostile_csv_imports_nothing_and_lists_every_bad_row(svc, db):
    rows = [
        GOOD_ROWS[1],  # line 2: fine
        "Werk A (Muster);Energie;Strom;Kreuzau;;;;;;;;;;zwölf;;;;",  # 3: bad number
        "Werk B (Muster);Energie;Strom;Kreuzau;;;;;;;;;;;;;-5;",  # 4: negative persons
        "Werk C (Muster);Energie;Strom;Kreuzau;;;;;;;;;;;;;1.2.3;",  # 5: garbled number
        "Werk D (Muster);Energie;Strom;Kreuzau;;;;;;;;;;;;;;;;zu;viele",  # 6: ragged
        "Werk E (Muster);Energie;Strom",  # 7: ragged (too few)
        "Werk F (Muster);Energie;Strom;Kreuzau;;;;;;;;;;;;;;Gibt es nicht (Strom)",  # 8: supplier
        "Umspannwerk Kreuzau (Muster);Energie;Strom;Kreuzau;;;;;;;;;;;;;;",  # 9: duplicate of 2
        "Werk G (Muster);Raumfahrt;;Köln;;;;;;;;;;;;;;",  # 10: sector + municipality
        "Werk H (Muster);Energie;Strom;Kreuzau;;;;48,137;11,575;;;;;;;;;",  # 11: out of area
        "Werk I (Muster);Energie;Strom;Kreuzau;;;;50,75;;;;;;;;;;",  # 12: Breite without Länge
        "Werk J (Muster);Energie;Strom;Kreuzau;;;;50,75;6,49;32U LB 50 50;;;;;;;;",  # 13: mismatch
        "Werk K (Muster);Energie;Strom;Kreuzau;;;;;;;;;nein;5;;;;",  # 14: figures, no Notstrom
        "Werk L (Muster);Energie;Strom;Kreuzau;;;;;;;;;vielleicht;;;;;",  # 15: not yes/no
        "Werk M (Muster);Energie;Strom;Kreuzau;;;;;;;;;;;;;;Werk M (Muster)",  # 16: self
        "Werk N (Muster);Energie;Strom;Kreuzau;;;;;;;;;;;;;;Werk A (Muster) (Stom)",  # 17: kind typo
        ";Energie;Strom;Kreuzau;;;;;;;;;;;;;;",  # 18: no name
    ]
    # The extra column "Mein Kommentar" needs one more value in the regular rows.
    data = csv_file(
        [r + ";" if r.count(";") == 17 else r for r in rows], HEADER + ";Mein Kommentar"
    )
    plan = svc.import_file(data, filename="feindlich.csv")
    assert not plan.ok and not plan.applied
    lines = sorted({e.line for e in plan.errors})
    assert lines == list(range(3, 19))
    text = "\n".join(str(e) for e in plan.errors)
    for expected in (
        "Zeile 3, Spalte „Autarkie (h)“: „zwölf“ ist keine Zahl",
        "Zeile 4, Spalte „Versorgte Personen“: Versorgte Personen dürfen nicht negativ sein (-5).",
        "Zeile 5, Spalte „Versorgte Personen“: „1.2.3“ ist keine ganze Zahl",
        "Zeile 6: die Zeile hat",
        "Zeile 7: die Zeile hat nur 3 Werte",
        "Zeile 8, Spalte „Abhängig von“: Versorger „Gibt es nicht“ gibt es weder in der Datei noch im Bestand",
        "Zeile 9, Spalte „Name“: doppelt: „Umspannwerk Kreuzau (Muster)“ in Kreuzau steht schon in Zeile 2",
        "Zeile 10, Spalte „Gemeinde“: unbekannte Gemeinde „Köln“",
        "Zeile 11, Spalte „UTMREF“: Position liegt außerhalb des Einsatzgebiets",
        "Zeile 12, Spalte „Länge“: Breite und Länge gehören zusammen",
        "Zeile 13, Spalte „UTMREF“: „32U LB 50 50“ liegt",
        "Zeile 14, Spalte „Notstrom“: Autarkie, Kraftstoff oder Verbrauch sind angegeben, aber kein Notstrom",
        "Zeile 15, Spalte „Notstrom“: „vielleicht“ ist kein Ja/Nein-Wert",
        "Zeile 16, Spalte „Abhängig von“: „Werk M (Muster)“ kann nicht von sich selbst abhängen",
        "Zeile 17, Spalte „Abhängig von“: Versorger „Werk A (Muster) (Stom)“",
        "Zeile 18, Spalte „Name“: Pflichtangabe fehlt",
    ):
        assert expected in text, expected
    assert plan.unknown_columns == ["Mein Kommentar"]
    assert svc.list() == [] and history_count(db) == 0 and svc.all_dependencies() == []
    assert plan.summary().endswith("es wurde nichts übernommen.")


def test_unknown_sector_and_branch_name_the_column(svc):
    rows = ["Werk (Muster);Raumfahrt;;Düren", "Werk 2 (Muster);Wasser;Strom;Düren"]
    plan = svc.import_file(csv_file(rows, "Name;Sektor;Branche;Gemeinde"), filename="x.csv")
    assert [str(e).split(":")[0] for e in plan.errors] == [
        "Zeile 2, Spalte „Sektor“",
        "Zeile 3, Spalte „Branche“",
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"Name;Gemeinde\r\nWerk;D\x81ren\r\n", "Zeichenkodierung"),
        (b"", "leer"),
        (b"%PDF-1.4 binary", "PDF"),
        ("Sektor;Gemeinde\r\nEnergie;Düren\r\n".encode(), None),
    ],
)
def test_unusable_files_are_refused_as_a_whole(svc, data, message):
    if message is None:
        plan = svc.import_file(data, filename="x.csv")
        assert [str(e)[:35] for e in plan.errors] == ["Zeile 1: Pflichtspalte „Name“ fehlt"]
        assert not plan.applied and svc.list() == []
        return
    with pytest.raises(ServiceError, match=message):
        svc.import_file(data, filename="x.csv")
    assert svc.list() == []


def test_encodings_delimiters_and_header_spelling(svc):
    text = (
        "name , SEKTOR,branche,gemeinde,versorgte personen,notstrom,AUTARKIE(H)\r\n"
        'Kläranlage Süd (Muster),Wasser,Abwasser,Nörvenich,"1.500",x,"12,5"\r\n'
    )
    for encoding in ("utf-8", "utf-8-sig", "cp1252"):
        plan = svc.import_file(text.encode(encoding), filename="x.csv", dry_run=True)
        assert plan.ok and plan.delimiter == ","
        (item,) = plan.added
        assert item.name == "Kläranlage Süd (Muster)"
        assert item.values["persons_supplied"] == 1500 and item.values["autonomy_h"] == 12.5
        assert item.values["emergency_power"] is True
    assert svc.list() == []


def test_xlsx_import(svc, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(
        ["Name", "Sektor", "Gemeinde", "Breite", "Länge", "Versorgte Personen", "Autarkie (h)"]
    )
    ws.append(["Wasserwerk X (Muster)", "Wasser", "Jülich", 50.92, 6.36, 32000, 24])
    ws.append(["Umspannwerk X (Muster)", "Energie", "Jülich", None, None, 1000.0, None])
    path = tmp_path / "kritis.xlsx"
    wb.save(path)
    plan = svc.import_file(path)
    assert plan.ok and plan.format == "xlsx"
    found = by_name(svc)
    assert found["Wasserwerk X (Muster)"].autonomy_hours == 24
    assert found["Umspannwerk X (Muster)"].persons_supplied == 1000


def test_progress_is_reported_for_a_worker_thread(svc):
    seen: list[tuple[int, int]] = []
    rows = [f"Werk {i} (Muster);Energie;Düren" for i in range(300)]
    svc.import_file(
        csv_file(rows, "Name;Sektor;Gemeinde"),
        filename="x.csv",
        progress=lambda d, t: seen.append((d, t)),
    )
    assert seen[0] == (0, 600) and seen[-1] == (600, 600)
    assert all(a[0] <= b[0] for a, b in itertools.pairwise(seen))
    assert all(t == 600 for _, t in seen)


# -- export -----------------------------------------------------------------------


def _rich_register(svc):
    from krisenstab.domain.facility import ContactDraft

    a = svc.create(
        FacilityDraft(
            name="Pflegeheim St. Muster, Haus 2", sector="Lokal kritische Einrichtungen",
            branch="Pflegeeinrichtung", municipality="Nideggen", locally_critical=True,
            street="Am Markt 1", postcode="52385", city="Nideggen", position="32U LB 2280 1970",
            operator="=SUMME(A1) Träger (Muster)", emergency_power=True, autonomy_h=8.5,
            fuel_stock_l=400, consumption_l_per_h=50, persons_supplied=95,
            sensitive_consumers="12 beatmete Bewohner; \"Intensiv\"", redundancy="keine",
            notes="Zeile 1\nZeile 2; mit Semikolon",
        )
    )  # fmt: skip
    b = svc.create(
        FacilityDraft(
            name="Umspannwerk (Muster)",
            sector="Energie",
            branch="Strom",
            municipality="Nideggen",
            position="50.690123, 6.484567",
        )
    )
    c = svc.create(
        FacilityDraft(
            name="Umspannwerk (Muster)", sector="Energie", branch="Strom", municipality="Heimbach"
        )
    )
    d = svc.create(
        FacilityDraft(
            name="Hochbehälter (Muster)",
            sector="Wasser",
            branch="Trinkwasser",
            municipality="Nideggen",
            persons_supplied=7000,
        )
    )
    svc.add_contact(
        a.id,
        ContactDraft(
            "Bereitschaft 24/7", "Heimleitung (Muster)", "02421 000-111", available_24_7=True
        ),
    )
    svc.add_dependency(a.id, b.id, "Strom", 1.5)
    svc.add_dependency(a.id, d.id, "Wasser", 6)
    svc.add_dependency(d.id, c.id, "Strom")
    svc.add_dependency(b.id, a.id, "Sonstiges")  # a cycle
    return [a, b, c, d]


def _without_status(rows):
    return [{k: v for k, v in r.items() if not k.startswith("Status")} for r in rows]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_changes_nothing(svc, db, tmp_path, fmt):
    _rich_register(svc)
    before = svc.list()
    deps_before = svc.all_dependencies()
    history = history_count(db)
    path = tmp_path / f"kritis.{fmt}"
    assert svc.export(path, fmt) == 4
    plan = svc.import_file(path, dry_run=True)
    assert plan.ok, plan.errors
    assert not plan.added and not plan.changed, [(f.name, f.changes) for f in plan.changed]
    assert not plan.dependency_adds and not plan.dependency_removals
    assert plan.unknown_columns == [] and plan.ignored_columns == ["Status", "Status seit"]
    svc.import_file(path)
    assert svc.list() == before and svc.all_dependencies() == deps_before
    assert history_count(db) == history


def test_export_into_a_fresh_database_reproduces_the_register(svc, tmp_path):
    from helpers import new_db as make

    _rich_register(svc)
    first = tmp_path / "a.csv"
    svc.export(first, "csv")
    other = FacilityService(make(tmp_path, "zweite.db"), S2)
    plan = other.import_file(first)
    assert plan.ok and len(plan.added) == 4
    second = tmp_path / "b.csv"
    other.export(second, "csv")
    from krisenstab.exchange.facility_io import IMPORT_COLUMNS
    from krisenstab.exchange.tabular import read_table

    a = read_table(first, IMPORT_COLUMNS).rows
    b = read_table(second, IMPORT_COLUMNS).rows
    strip = lambda rows: [{k: v for k, v in r.items() if "status" not in k} for r in rows]  # noqa: E731
    assert strip(a) == strip(b)
    text = first.read_bytes().decode("utf-8-sig")
    assert text.splitlines()[0] == ";".join(EXPORT_HEADERS)
    assert "'=SUMME(A1) Träger (Muster)" in text  # formula injection defused
    assert "Umspannwerk (Muster) [Nideggen] (Strom, 1,5 h)" in text  # ambiguous name


def test_geojson_export(svc, tmp_path):
    a, b, c, _d = _rich_register(svc)
    path = tmp_path / "kritis.geojson"
    assert svc.export(path, "geojson") == 4
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection"
    features = {f["id"]: f for f in data["features"]}
    assert features[b.id]["geometry"] == {"type": "Point", "coordinates": [6.484567, 50.690123]}
    assert features[c.id]["geometry"] is None
    props = features[a.id]["properties"]
    assert props["name"] == "Pflegeheim St. Muster, Haus 2" and props["status"] == "betriebsbereit"
    assert props["autonomy_hours"] == 8 and props["persons_supplied"] == 95
    assert props["utmref"].startswith("32U LB")
    assert {d["kind"] for d in props["depends_on"]} == {"Strom", "Wasser"}
    with pytest.raises(ServiceError, match="Unbekanntes Exportformat"):
        svc.export(tmp_path / "x.pdf", "pdf")


# -- hypothesis: no crash, no partial import ------------------------------------

_NAMES = st.sampled_from(["Werk A", "Werk B", "Werk C", "Werk D", "Umspannwerk (Muster)", ""])
_CELLS = st.one_of(
    st.sampled_from(["", "12", "12,5", "1.234", "-3", "zwölf", "ja", "nein", "x", "1.2.3", "∞"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12),
)
_ROW = st.tuples(
    _NAMES,
    st.sampled_from(["Energie", "Wasser", "wasser", "Raumfahrt", ""]),
    st.sampled_from(["Düren", "Kreuzau", "Köln", ""]),
    _CELLS,  # Autarkie
    _CELLS,  # Versorgte Personen
    st.sampled_from(["", "ja", "nein", "?"]),
    st.sampled_from(
        ["", "Werk A", "Werk B (Wasser)", "Werk C (Strom, 2 h) | Werk A", "Nirgendwo", "|"]
    ),
    st.sampled_from(["", "50,8;6,48", "48,1;11,5", "50,8;", "abc;def"]),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    rows=st.lists(_ROW, max_size=8),
    delimiter=st.sampled_from([";", ","]),
    encoding=st.sampled_from(["utf-8", "cp1252", "utf-8-sig"]),
    garbage=st.one_of(st.none(), st.binary(max_size=40)),
)
def test_importer_never_crashes_and_never_imports_partially(
    svc, db, rows, delimiter, encoding, garbage
):
    header = [
        "Name",
        "Sektor",
        "Gemeinde",
        "Autarkie (h)",
        "Versorgte Personen",
        "Notstrom",
        "Abhängig von",
        "Breite",
        "Länge",
    ]
    lines = [delimiter.join(header)]
    for name, sector, muni, autonomy, persons, power, deps, position in rows:
        cells = [name, sector, muni, autonomy, persons, power, deps, *position.split(";")]
        lines.append(delimiter.join('"' + c.replace('"', '""') + '"' for c in cells))
    data = "\r\n".join(lines).encode(encoding, errors="replace")
    if garbage is not None:
        data += garbage
    count_before = len(svc.list())
    history_before = history_count(db)
    revision_before = svc.revision()
    try:
        plan = svc.import_file(data, filename="zufall.csv")
    except ServiceError as exc:
        assert str(exc)  # a German sentence about the file as a whole
        plan = None
    after = len(svc.list())
    event("refused as a whole" if plan is None else "imported" if plan.ok else "row errors")
    if plan is None or not plan.ok:
        assert after == count_before
        assert history_count(db) == history_before
        assert svc.revision() == revision_before
        if plan is not None:
            assert all(e.reason for e in plan.errors)
    else:
        assert plan.applied
        assert after == count_before + len(plan.added)
        # Importing the very same file again changes nothing.
        again = svc.import_file(data, filename="zufall.csv", dry_run=True)
        assert again.ok and not again.added and not again.changed
