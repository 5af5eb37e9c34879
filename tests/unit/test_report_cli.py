"""The command line forms of issue 5 §6, as scripts use them."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from lxml import etree
from unit.netguard import no_network  # noqa: F401
from unit.test_reports_fixtures import (  # noqa: F401
    ORACLES,
    demo_templates,
    oracle,
    pdf_text,
)

from krisenstab.cli import build_parser, main
from krisenstab.store.database import backup_copy

pytestmark = pytest.mark.usefixtures("no_network")

S2 = ("--author", "Max Mustermann", "--function", "S2")
LEAD = ("--author", "Erika Musterfrau", "--function", "Leiter des Stabes")


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def dbfile(tmp_path):
    return str(tmp_path / "stab.db")


@pytest.fixture
def incident(capsys, dbfile):
    code, out, _ = run(capsys, "--db", dbfile, "incident", "new", "Hochwasser (Muster)")
    assert code == 0
    return out.strip()


def test_report_new_release_list_pdf(capsys, dbfile, incident, tmp_path):
    db = ("--db", dbfile)
    assert run(capsys, *db, "journal", "add", *S2, "--kind", "Entscheidung", "Räumung")[0] == 0
    code, out, _ = run(capsys, *db, "report", "new", *S2)
    assert (code, out) == (0, "1\n")
    code, out, err = run(capsys, *db, "report", "new", *S2)
    assert code == 1 and "bereits einen Entwurf" in err and err.count("\n") == 1
    draft_pdf = tmp_path / "entwurf.pdf"
    code, _, _ = run(capsys, *db, "report", "pdf", "--out", draft_pdf)
    assert code == 0 and draft_pdf.read_bytes().startswith(b"%PDF-")
    code, out, _ = run(capsys, *db, "report", "list", "--json")
    (listed,) = json.loads(out)
    assert listed["status"] == "Entwurf" and listed["number"] == 1
    assert "Prognose" in listed["empty_sections"]
    code, out, err = run(capsys, *db, "report", "release", "1", *LEAD)
    assert code == 0
    assert "leere Abschnitte" in err  # warned, released anyway
    assert out.startswith("Lagebericht Nr. 1 freigegeben; SHA-256 des PDF ")
    sha = out.split()[-1]
    code, out, _ = run(capsys, *db, "report", "list", "--json")
    (listed,) = json.loads(out)
    assert listed["status"] == "freigegeben" and listed["pdf_sha256"] == sha
    assert listed["released_by"] == "Erika Musterfrau" and listed["release_entry"] == 3
    for key in ("incident_id", "kind", "period_from", "period_to", "chain_head", "classification"):
        assert key in listed
    first, second = tmp_path / "a.pdf", tmp_path / "b.pdf"
    assert run(capsys, *db, "report", "pdf", "--number", "1", "--out", first)[0] == 0
    assert (
        run(capsys, *db, "report", "pdf", "--incident", incident, "--number", 1, "--out", second)[0]
        == 0
    )
    assert first.read_bytes() == second.read_bytes()
    assert hashlib.sha256(first.read_bytes()).hexdigest() == sha
    code, out, _ = run(capsys, *db, "report", "verify", "1")
    assert code == 0 and "Prüfung bestanden" in out
    code, out, _ = run(capsys, *db, "report", "list")
    assert "Nr.   1" in out and "freigegeben" in out
    code, _, err = run(capsys, *db, "report", "pdf", "--out", tmp_path / "c.pdf")
    assert code == 1 and "keinen Entwurf" in err
    code, _, err = run(capsys, *db, "report", "release", "7", *LEAD)
    assert code == 1 and "Lagebericht Nr. 7 gibt es" in err


def test_printouts_of_the_demo(capsys, request, tmp_path):
    source, incident = request.getfixturevalue("demo_templates")["exercise"]
    dbfile = tmp_path / "demo.db"
    backup_copy(source, dbfile)
    db = ("--db", dbfile)
    for argv, name in (
        (("journal", "pdf", "--incident", incident), "etb.pdf"),
        (
            ("journal", "pdf", "--since", "2000-01-01 00:00", "--until", "2099-01-01 00:00"),
            "etb2.pdf",
        ),
        (("contacts", "pdf"), "kontakte.pdf"),
        (("facility", "pdf"), "kritis.pdf"),
        (("message", "pdf", "E-1"), "nachricht.pdf"),
    ):
        out_file = tmp_path / name
        code, _out, err = run(capsys, *db, *argv, "--out", out_file)
        assert (code, err) == (0, ""), argv
        assert out_file.read_bytes().startswith(b"%PDF-")
        assert "ÜBUNG" in pdf_text(out_file.read_bytes(), tmp_path)[0]
    code, _, err = run(
        capsys, *db, "journal", "pdf", "--since", "gestern", "--out", tmp_path / "x.pdf"
    )
    assert code == 2 and "keine gültige Zeitangabe" in err


def test_existing_journal_and_facility_commands_still_work(capsys, dbfile, incident):
    db = ("--db", dbfile)
    assert run(capsys, *db, "journal", "add", *S2, "Pegel 3,20 m") == (0, "2\n", "")
    _code, out, _ = run(capsys, *db, "journal", "list", "--json")
    assert [e["number"] for e in json.loads(out)] == [1, 2]
    assert run(capsys, *db, "facility", "list", "--json")[0] == 0
    parser = build_parser()
    assert parser.parse_args(["journal", "pdf", "--out", "x.pdf"]).handler.__name__ == "journal_pdf"
    assert (
        parser.parse_args(["facility", "pdf", "--out", "x.pdf"]).handler.__name__ == "facility_pdf"
    )
    assert (
        parser.parse_args(["contacts", "pdf", "--out", "x.pdf"]).handler.__name__ == "contacts_pdf"
    )
    args = parser.parse_args(["export", "cap", "--out", "x.xml"])
    assert args.handler.__name__ == "export_cap"
    args = parser.parse_args(["import", "cap", "a.cap"])
    assert args.handler.__name__ == "import_cap"


def test_import_cap_and_exports(capsys, dbfile, incident, tmp_path):
    db = ("--db", dbfile)
    code, out, err = run(capsys, *db, "import", "cap", oracle("thunderstorm.cap"))
    assert code == 0 and out.startswith("Übernommen als E-1 (sofort)")
    code, out, _ = run(capsys, *db, "import", "cap", oracle("thunderstorm.cap"))
    assert code == 0 and out.startswith("Bereits übernommen als E-1")
    for name in ("invalid.cap", "canada_errors.cap", "noaa_errors.cap", "xee.cap"):
        code, out, err = run(capsys, *db, "import", "cap", oracle(name))
        assert code == 1 and out == ""
        assert err.startswith(f"krisenstab: Die CAP-Datei ‚{name}‘ kann nicht übernommen werden")
        assert err.count("\n") == 1  # one clear line
    code, _, err = run(capsys, *db, "import", "cap", tmp_path / "fehlt.cap")
    assert code == 1 and "gibt es nicht" in err
    code, out, _ = run(capsys, *db, "message", "list", "--json")
    assert [m["number"] for m in json.loads(out)] == ["E-1"]
    # exports
    code, _, err = run(capsys, *db, "export", "sitrep", "1", "--out", tmp_path / "s.xml")
    assert code == 1 and "Lagebericht Nr. 1 gibt es" in err
    run(capsys, *db, "report", "new", *S2)
    run(capsys, *db, "report", "release", "1", *LEAD)
    cap_file, sitrep_file = tmp_path / "lage.xml", tmp_path / "sitrep.xml"
    assert run(capsys, *db, "export", "cap", "--out", cap_file)[0] == 0
    assert (
        run(capsys, *db, "export", "sitrep", "1", "--incident", incident, "--out", sitrep_file)[0]
        == 0
    )
    schema = etree.XMLSchema(etree.parse(str(oracle("cap12.xsd"))))
    assert schema.validate(etree.parse(str(cap_file)))
    assert etree.parse(str(sitrep_file)).getroot().tag.endswith("sitRep")


def test_exercise_cap_export_from_the_command_line(capsys, tmp_path):
    dbfile = tmp_path / "uebung.db"
    from krisenstab.store.database import Database

    Database.open(dbfile, kind="exercise").close()
    db = ("--db", dbfile)
    run(capsys, *db, "incident", "new", "Übung Hochwasser (Muster)")
    run(capsys, *db, "report", "new", *S2)
    run(capsys, *db, "report", "release", "1", *LEAD)
    out_file = tmp_path / "uebung.xml"
    assert run(capsys, *db, "export", "cap", "--out", out_file)[0] == 0
    root = etree.parse(str(out_file)).getroot()
    assert root.findtext("{urn:oasis:names:tc:emergency:cap:1.2}status") == "Exercise"
    schema_path = ORACLES / "cap12.xsd"
    if schema_path.exists():
        assert etree.XMLSchema(etree.parse(str(schema_path))).validate(root)
    Path(out_file).unlink()
