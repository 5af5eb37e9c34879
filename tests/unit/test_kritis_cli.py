"""The KRITIS command forms scripts rely on, and the demo register."""

from __future__ import annotations

import json

import pytest

from krisenstab.cli import main

CSV = (
    "Name;Sektor;Branche;Gemeinde;Notstrom;Autarkie (h);Versorgte Personen;Abhängig von\r\n"
    "Umspannwerk Nord (Muster);Energie;Strom;Düren;;;20000;\r\n"
    "Wasserwerk Ost (Muster);Wasser;Trinkwasser;Düren;ja;10;15000;Umspannwerk Nord (Muster)\r\n"
    "Hochbehälter, Süd (Muster);Wasser;Trinkwasser;Düren;;;5000;Wasserwerk Ost (Muster) (Wasser, 6 h)\r\n"
    "Klinik (Muster);Gesundheit;;Kreuzau;;;300;Hochbehälter, Süd (Muster) (Wasser, 2 h)\r\n"
).encode("cp1252")

ACTOR = ("--author", "Max Mustermann", "--function", "S2")


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def dbfile(tmp_path, capsys):
    path = str(tmp_path / "stab.db")
    source = tmp_path / "kritis.csv"
    source.write_bytes(CSV)
    code, out, err = run(capsys, "--db", path, "import", "facilities", str(source))
    assert code == 0, err
    assert "4 neu" in out
    return path


def listing(capsys, dbfile):
    code, out, _ = run(capsys, "--db", dbfile, "facility", "list", "--json")
    assert code == 0
    return json.loads(out)


def test_facility_list_json_shape(capsys, dbfile):
    items = listing(capsys, dbfile)
    assert [i["name"] for i in items] == [
        "Hochbehälter, Süd (Muster)",
        "Umspannwerk Nord (Muster)",
        "Wasserwerk Ost (Muster)",
        "Klinik (Muster)",
    ]
    for item in items:
        for key in (
            "id",
            "name",
            "sector",
            "municipality",
            "status",
            "persons_supplied",
            "autonomy_hours",
        ):
            assert key in item
    ww = items[2]
    assert (ww["sector"], ww["municipality"], ww["status"]) == ("Wasser", "Düren", "betriebsbereit")
    assert (ww["persons_supplied"], ww["autonomy_hours"]) == (15000, 10)
    assert items[0]["autonomy_hours"] is None
    code, out, _ = run(
        capsys, "--db", dbfile, "facility", "list", "--json", "--sector", "Gesundheit"
    )
    assert [i["name"] for i in json.loads(out)] == ["Klinik (Muster)"]
    code, out, _ = run(capsys, "--db", dbfile, "facility", "list")
    assert code == 0 and "Wasserwerk Ost (Muster)  [Düren]" in out


def test_facility_status_writes_the_journal(capsys, dbfile):
    code, out, err = run(
        capsys,
        "--db",
        dbfile,
        "facility",
        "status",
        "Wasserwerk Ost (Muster)",
        "Notstrombetrieb",
        *ACTOR,
    )
    assert code == 1 and "kein offenes Ereignis" in err
    code, _incident, _ = run(capsys, "--db", dbfile, "incident", "new", "Stromausfall (Test)")
    code, out, err = run(
        capsys, "--db", dbfile, "facility", "status", "Wasserwerk Ost (Muster)", "Notstrombetrieb",
        "--note", "Aggregat läuft", *ACTOR,
    )  # fmt: skip
    assert code == 0, err
    assert out == "Wasserwerk Ost (Muster): betriebsbereit → Notstrombetrieb (ETB Nr. 2)\n"
    code, out, _ = run(capsys, "--db", dbfile, "journal", "list", "--json")
    entry = json.loads(out)[-1]
    assert entry["kind"] == "Lage" and entry["function"] == "S2"
    assert "Notstrombetrieb" in entry["text"] and "Aggregat läuft" in entry["text"]
    ww = next(i for i in listing(capsys, dbfile) if i["name"].startswith("Wasserwerk"))
    assert entry["facility_id"] == ww["id"] and ww["status"] == "Notstrombetrieb"
    assert ww["remaining_hours"] == pytest.approx(10, abs=0.01)
    code, out, _ = run(capsys, "--db", dbfile, "facility", "show", ww["id"][:8], "--json")
    shown = json.loads(out)
    assert [s["status"] for s in shown["status_history"]] == ["Notstrombetrieb", "betriebsbereit"]
    assert shown["status_history"][0]["journal_number"] == 2
    assert [d["name"] for d in shown["depends_on"]] == ["Umspannwerk Nord (Muster)"]
    code, out, _ = run(capsys, "--db", dbfile, "facility", "power", "--json")
    assert [(p["rank"], p["name"]) for p in json.loads(out)] == [(1, "Wasserwerk Ost (Muster)")]
    # Refused work: one German line, exit 1; usage errors exit 2.
    code, _, err = run(capsys, "--db", dbfile, "facility", "status", "Wasserwerk", "kaputt", *ACTOR)
    assert code == 1 and err.startswith("krisenstab: Fehler: Unbekannter Status „kaputt“")
    assert len(err.strip().splitlines()) == 1
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", dbfile, "facility", "status", "Wasserwerk", "ausgefallen"])
    assert exit_info.value.code == 2 and "Aufruffehler" in capsys.readouterr().err
    code, _, err = run(
        capsys, "--db", dbfile, "facility", "status", "Kernkraftwerk", "ausgefallen", *ACTOR
    )
    assert code == 1 and "„Kernkraftwerk“ gibt es nicht" in err


def test_import_bad_file_exits_1_and_stores_nothing(capsys, tmp_path):
    path = str(tmp_path / "leer.db")
    bad = tmp_path / "schlecht.csv"
    bad.write_bytes(
        "Name;Sektor;Gemeinde;Versorgte Personen;Abhängig von;Farbe\r\n"
        "Werk A (Muster);Energie;Düren;viele;;\r\n"
        "Werk B (Muster);Energie;Atlantis;10;;\r\n"
        "Werk C (Muster);Energie;Düren;10;Werk Z (Strom);\r\n"
        "Werk D (Muster);Energie;Düren;10;;rot\r\n".encode()
    )
    code, out, err = run(capsys, "--db", path, "import", "facilities", str(bad))
    assert code == 1
    assert "Unbekannte Spalten (ignoriert): „Farbe“" in out
    lines = err.rstrip().splitlines()
    assert lines[0].startswith("  Zeile 2, Spalte „Versorgte Personen“: „viele“")
    assert lines[1].startswith("  Zeile 3, Spalte „Gemeinde“: unbekannte Gemeinde „Atlantis“")
    assert lines[2].startswith("  Zeile 4, Spalte „Abhängig von“: Versorger „Werk Z“")
    assert lines[-1] == "krisenstab: 3 Fehler in 3 Zeilen – es wurde nichts übernommen."
    assert listing(capsys, path) == []
    code, out, _ = run(capsys, "--db", path, "import", "facilities", str(bad), "--json")
    report = json.loads(out)
    assert code == 1 and not report["ok"] and [e["line"] for e in report["errors"]] == [2, 3, 4]
    code, _, err = run(capsys, "--db", path, "import", "facilities", str(tmp_path / "fehlt.csv"))
    assert code == 1 and "gibt es nicht" in err


def test_dry_run_stores_nothing(capsys, tmp_path):
    path = str(tmp_path / "leer.db")
    source = tmp_path / "kritis.csv"
    source.write_bytes(CSV)
    code, out, _ = run(capsys, "--db", path, "import", "facilities", str(source), "--dry-run")
    assert code == 0
    assert "neu:      Zeile 2: Umspannwerk Nord (Muster) [Düren]" in out
    assert out.strip().endswith(
        "4 Zeilen würden übernommen: 4 neu, 0 geändert, 0 unverändert; Abhängigkeiten: 3 neu, 0 geändert, 0 entfernt."
    )
    assert listing(capsys, path) == []


def test_export_csv_geojson_and_reimport(capsys, dbfile, tmp_path):
    out_csv = tmp_path / "export.csv"
    code, out, _ = run(
        capsys, "--db", dbfile, "export", "facilities", "--format", "csv", "--out", str(out_csv)
    )
    assert code == 0 and out.startswith("4 Objekte")
    code, out, _ = run(capsys, "--db", dbfile, "import", "facilities", str(out_csv), "--dry-run")
    assert code == 0 and "0 neu, 0 geändert, 4 unverändert" in out
    out_geo = tmp_path / "export.geojson"
    code, out, _ = run(
        capsys, "--db", dbfile, "export", "facilities", "--format", "geojson", "--out", str(out_geo)
    )
    data = json.loads(out_geo.read_text(encoding="utf-8"))
    assert code == 0 and len(data["features"]) == 4
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", dbfile, "export", "facilities", "--format", "pdf", "--out", "x"])
    assert exit_info.value.code == 2 and "ungültige Wahl" in capsys.readouterr().err


def test_cascade_json_ordered_by_time(capsys, dbfile):
    code, out, err = run(
        capsys, "--db", dbfile, "cascade", "--fail", "Umspannwerk Nord (Muster)", "--json"
    )
    assert code == 0, err
    timeline = json.loads(out)
    assert [(e["name"], e["hours"], e["persons_supplied"]) for e in timeline] == [
        ("Umspannwerk Nord (Muster)", 0, 20000),
        ("Wasserwerk Ost (Muster)", 10, 15000),
        ("Hochbehälter, Süd (Muster)", 16, 5000),
        ("Klinik (Muster)", 18, 300),
    ]
    assert timeline[-1]["persons_cumulative"] == 40300
    assert [e["hours"] for e in timeline] == sorted(e["hours"] for e in timeline)
    # Names with commas, several failures, and the what-if never changes the register.
    code, out, _ = run(
        capsys,
        "--db",
        dbfile,
        "cascade",
        "--fail",
        "Hochbehälter, Süd (Muster),Klinik (Muster)",
        "--json",
    )
    assert [(e["name"], e["hours"]) for e in json.loads(out)] == [
        ("Hochbehälter, Süd (Muster)", 0),
        ("Klinik (Muster)", 0),
    ]
    assert {i["status"] for i in listing(capsys, dbfile)} == {"betriebsbereit"}
    code, out, _ = run(capsys, "--db", dbfile, "cascade", "--area", "Kreuzau")
    assert code == 0 and "Klinik (Muster) [Kreuzau]" in out and "Flächenstromausfall Kreuzau" in out
    code, _, err = run(capsys, "--db", dbfile, "cascade", "--fail", "Atomkraftwerk")
    assert code == 1 and "„Atomkraftwerk“ gibt es nicht" in err
    code, out, _ = run(capsys, "--db", dbfile, "cascade", "--json")
    assert json.loads(out) == []


def test_demo_register_shows_a_real_cascade(capsys):
    code, out, err = run(capsys, "--demo", "facility", "list", "--json")
    assert code == 0, err
    items = json.loads(out)
    assert 55 <= len(items) <= 75
    municipalities = {i["municipality"] for i in items}
    assert len(municipalities) == 15
    assert all("(Muster)" in i["name"] for i in items)
    assert all(50.4 < i["lat"] < 51.2 and 6.0 < i["lon"] < 7.0 for i in items)
    statuses = {i["name"]: i["status"] for i in items}
    assert statuses["Umspannwerk Kreuzau (Muster)"] == "eingeschränkt"
    assert statuses["Wasserwerk Kreuzau (Muster)"] == "Notstrombetrieb"
    assert statuses["Mobilfunkstandort Kreuzau-Winden (Muster)"] == "ausgefallen"
    kinds = " ".join(i["name"] for i in items)
    for word in ("Umspannwerk", "Wasserwerk", "Hochbehälter", "Krankenhaus", "Pflegeheim",
                 "Kraftstofflager", "Feuerwehrhaus", "Mobilfunkstandort", "Notunterkunft"):  # fmt: skip
        assert word in kinds
    code, out, _ = run(capsys, "--demo", "cascade", "--json")
    timeline = json.loads(out)
    future = [e for e in timeline if e["hours"] > 0]
    assert [e["name"] for e in future[:3]] == [
        "Feuerwehrhaus Kreuzau (Muster)",
        "Seniorenzentrum Kreuzau (Muster)",
        "Wasserwerk Kreuzau (Muster)",
    ]
    assert any(e["cause"] == "Versorgung ausgefallen" for e in future)
    code, out, _ = run(capsys, "--demo", "facility", "power", "--json")
    power = json.loads(out)
    assert (
        power[0]["name"] == "Feuerwehrhaus Kreuzau (Muster)" and power[0]["warning"] == "kritisch"
    )
    code, out, _ = run(capsys, "--demo", "cascade", "--fail", "Umspannwerk Düren-Nord", "--json")
    assert len(json.loads(out)) > 30
