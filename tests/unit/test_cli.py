"""The command line forms that scripts rely on."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from krisenstab.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def dbfile(tmp_path):
    return str(tmp_path / "stab.db")


def test_incident_journal_verify_roundtrip(capsys, dbfile):
    code, out, _ = run(capsys, "--db", dbfile, "incident", "new", "Hochwasser Rur")
    assert code == 0
    incident_id = out.strip()
    assert len(incident_id) == 36
    code, out, _ = run(
        capsys, "--db", dbfile, "journal", "add", "--author", "Max Mustermann", "--function", "S2",
        "--kind", "Lage", "--observed", "2026-11-27 15:30", "Pegel Düren 3,20 m",
    )  # fmt: skip
    assert (code, out) == (0, "2\n")
    code, out, _ = run(
        capsys, "--db", dbfile, "journal", "correct", "--incident", incident_id, "--entry", "2",
        "--author", "Max Mustermann", "--function", "S2", "Pegel Düren 3,40 m",
    )  # fmt: skip
    assert (code, out) == (0, "3\n")
    code, out, _ = run(capsys, "--db", dbfile, "journal", "list", "--json")
    entries = json.loads(out)
    assert [e["number"] for e in entries] == [1, 2, 3]
    for key in (
        "number",
        "recorded_at",
        "observed_at",
        "author",
        "function",
        "kind",
        "text",
        "corrects",
    ):
        assert key in entries[1]
    assert entries[1]["observed_at"].startswith("2026-11-27T14:30:00")
    assert entries[2]["corrects"] == 2 and entries[1]["corrected_by"] == [3]
    code, out, _ = run(capsys, "--db", dbfile, "journal", "list", "--search", "pegel", "--json")
    assert [e["number"] for e in json.loads(out)] == [2, 3]
    code, out, _ = run(capsys, "--db", dbfile, "incident", "list", "--json")
    assert json.loads(out)[0]["entries"] == 3
    code, out, _ = run(capsys, "--db", dbfile, "verify", "--json")
    assert code == 0
    result = json.loads(out)
    assert result["ok"] is True and result["first_bad"] is None


def test_verify_exit_1_names_first_bad_entry(capsys, dbfile):
    import sqlite3

    run(capsys, "--db", dbfile, "incident", "new", "Test")
    for i in range(4):
        run(capsys, "--db", dbfile, "journal", "add", "--author", "A", "--function", "S2", f"e{i}")
    with sqlite3.connect(dbfile) as conn:
        conn.execute("DROP TRIGGER journal_entry_no_update")
        conn.execute("UPDATE journal_entry SET text = 'x' WHERE number = 3")
    code, out, _ = run(capsys, "--db", dbfile, "verify", "--json")
    assert code == 1
    assert json.loads(out)["first_bad"] == 3
    code, out, _ = run(capsys, "--db", dbfile, "verify")
    assert code == 1 and "ab Nr. 3" in out


def test_usage_errors_exit_2_with_one_line(capsys, dbfile):
    with pytest.raises(SystemExit) as exc:
        main(["--db", dbfile, "journal", "add", "--author", "A", "text"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--function" in err and "fehlen" in err


def test_refusals_exit_1_with_one_line(capsys, dbfile, tmp_path):
    code, _, err = run(
        capsys, "--db", dbfile, "journal", "add", "--author", "A", "--function", "S2", "x"
    )
    assert code == 1 and "kein offenes Ereignis" in err and err.count("\n") == 1
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"\x00\x01garbage" * 100)
    code, _, err = run(capsys, "--db", str(junk), "incident", "list")
    assert code == 1 and "keine Krisenstab-Datenbank" in err and "Traceback" not in err
    run(capsys, "--db", dbfile, "incident", "new", "A")
    run(capsys, "--db", dbfile, "incident", "new", "B")
    code, _, err = run(
        capsys, "--db", dbfile, "journal", "add", "--author", "A", "--function", "S2", "x"
    )
    assert code == 1 and "--incident" in err
    code, _, err = run(
        capsys,
        "--db",
        dbfile,
        "journal",
        "add",
        "--incident",
        "nope",
        "--author",
        "A",
        "--function",
        "S2",
        "x",
    )
    assert code == 1 and "gibt es nicht" in err


def test_bad_observed_time_is_a_usage_error(capsys, dbfile):
    run(capsys, "--db", dbfile, "incident", "new", "A")
    code, _, err = run(
        capsys,
        "--db",
        dbfile,
        "journal",
        "add",
        "--author",
        "A",
        "--function",
        "S2",
        "--observed",
        "gestern",
        "x",
    )
    assert code == 2 and "keine gültige Zeitangabe" in err


def test_demo_database_is_created_once(capsys):
    code, out, _ = run(capsys, "--demo", "journal", "list", "--json")
    assert code == 0
    entries = json.loads(out)
    assert 180 <= len(entries) <= 500  # the ETB story plus the entries of tasks, messages, KRITIS
    assert any(e["corrects"] for e in entries)
    assert len({e["function"] for e in entries}) >= 8
    code, out, _ = run(capsys, "--demo", "incident", "list", "--json")
    assert len(json.loads(out)) == 1


def test_python_dash_m_entry_point(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "krisenstab",
            "--db",
            str(tmp_path / "x.db"),
            "incident",
            "new",
            "Test",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.strip()) == 36
