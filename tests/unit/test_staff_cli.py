"""The command line forms of tasks, messages, contacts and staff that scripts rely on."""

from __future__ import annotations

import json

import pytest

from krisenstab.cli import main

ACT = ("--author", "Max Mustermann", "--function", "S2")


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def dbfile(tmp_path, capsys):
    path = str(tmp_path / "stab.db")
    code, _, _ = run(capsys, "--db", path, "incident", "new", "Hochwasser Rur")
    assert code == 0
    return path


def test_task_add_list_done(capsys, dbfile):
    code, out, _ = run(
        capsys, "--db", dbfile, "task", "add", "--to", "S4", "--person", "Tim Muster",
        "--due", "2020-01-01 10:00", *ACT, "Sandsäcke nach Heimbach",
    )  # fmt: skip
    assert code == 0
    task_id = out.strip()
    assert len(task_id) == 36
    code, out, _ = run(
        capsys, "--db", dbfile, "task", "add", "--to", "s3", "--due", "2099-01-01 10:00", *ACT,
        "Pumpen anfordern",
    )  # fmt: skip
    assert code == 0
    code, out, _ = run(capsys, "--db", dbfile, "task", "list", "--json")
    tasks = json.loads(out)
    assert [t["title"] for t in tasks] == ["Sandsäcke nach Heimbach", "Pumpen anfordern"]
    first = tasks[0]
    for key in ("id", "title", "assigned_function", "due", "status", "overdue"):
        assert key in first
    assert first["id"] == task_id and first["assigned_function"] == "S4"
    assert first["due"] == "2020-01-01T09:00:00+00:00"
    assert (first["status"], first["overdue"]) == ("offen", True)
    assert (tasks[1]["assigned_function"], tasks[1]["overdue"]) == ("S3", False)
    code, out, _ = run(
        capsys, "--db", dbfile, "task", "done", task_id, "--author", "Tim Muster", "--function",
        "S4", "--feedback", "geliefert",
    )  # fmt: skip
    assert (code, out) == (0, "")
    code, out, _ = run(capsys, "--db", dbfile, "task", "list", "--json")
    done = next(t for t in json.loads(out) if t["id"] == task_id)
    assert (done["status"], done["overdue"], done["feedback"]) == ("erledigt", False, "geliefert")
    code, out, _ = run(capsys, "--db", dbfile, "task", "status", "2", "in Arbeit", *ACT)
    assert code == 0
    code, out, _ = run(capsys, "--db", dbfile, "task", "list", "--for", "S3")
    assert "in Arbeit" in out and "Pumpen anfordern" in out and "Sandsäcke" not in out
    code, out, _ = run(capsys, "--db", dbfile, "journal", "list", "--kind", "Auftrag", "--json")
    entries = json.loads(out)
    assert len(entries) == 4 and all(e["task_id"] for e in entries)


def test_task_errors_are_german_with_exit_codes(capsys, dbfile):
    code, _, err = run(
        capsys, "--db", dbfile, "task", "add", "--to", "S4", "--due", "morgen", *ACT, "x"
    )
    assert code == 2 and "keine gültige Zeitangabe" in err
    code, _, err = run(capsys, "--db", dbfile, "task", "done", "77", *ACT)
    assert code == 1 and "Den Auftrag „77“ gibt es nicht" in err
    with pytest.raises(SystemExit) as exc:
        main(["--db", dbfile, "task", "add", "--to", "S4", "x"])
    assert exc.value.code == 2 and "--function" in capsys.readouterr().err


def test_message_in_out_ack_list(capsys, dbfile):
    code, out, _ = run(
        capsys, "--db", dbfile, "message", "in", "--sender", "Leitstelle (Muster)", "--to",
        "S3,S4", "--priority", "blitz", "--author", "Ben Musterberg", "--function", "Fernmelder",
        "Deichbruch droht in Linnich",
    )  # fmt: skip
    assert (code, out) == (0, "E-1\n")
    code, out, _ = run(
        capsys, "--db", dbfile, "message", "out", "--to", "Bezirksregierung (Muster)",
        "--priority", "sofort", *ACT, "Lagemeldung Nr. 1",
    )  # fmt: skip
    assert (code, out) == (0, "A-1\n")
    code, out, _ = run(
        capsys, "--db", dbfile, "message", "in", "--sender", "Bürger", "--to", "S5",
        "--priority", "einfach", *ACT, "Frage",
    )  # fmt: skip
    assert out == "E-2\n"
    code, out, _ = run(
        capsys, "--db", dbfile, "message", "ack", "E-1", "--author", "Jonas Beispiel",
        "--function", "S3",
    )  # fmt: skip
    assert (code, out) == (0, "")
    code, _, err = run(
        capsys, "--db", dbfile, "message", "ack", "E-1", "--author", "Jonas Beispiel",
        "--function", "S3",
    )  # fmt: skip
    assert code == 1 and "bereits quittiert" in err
    code, out, _ = run(capsys, "--db", dbfile, "message", "list", "--json")
    messages = json.loads(out)
    assert [m["number"] for m in messages] == ["E-1", "E-2", "A-1"]
    first = messages[0]
    for key in ("number", "direction", "priority", "to", "acknowledged_by"):
        assert key in first
    assert (first["direction"], first["priority"], first["to"]) == ("E", "blitz", ["S3", "S4"])
    assert first["acknowledged_by"] == ["S3"]
    assert first["acknowledgements"][0]["person"] == "Jonas Beispiel"
    assert messages[2]["direction"] == "A" and messages[2]["to"] == ["Bezirksregierung (Muster)"]
    code, out, _ = run(capsys, "--db", dbfile, "message", "list", "--open", "--for", "S4")
    assert out.startswith("E-1") and "offen: S4" in out
    code, out, _ = run(capsys, "--db", dbfile, "message", "show", "E-1")
    assert "(6) Vorrangstufe:       Blitz" in out and "S3: Jonas Beispiel" in out
    code, out, _ = run(capsys, "--db", dbfile, "journal", "list", "--json")
    kinds = [(e["kind"], e["message_id"] is not None) for e in json.loads(out)[1:]]
    assert kinds == [("Eingang", True), ("Ausgang", True), ("Eingang", True), ("Eingang", True)]


def test_message_without_functions_goes_to_triage(capsys, dbfile):
    run(capsys, "--db", dbfile, "message", "in", "--sender", "Bürger", *ACT, "Hinweis")
    code, out, _ = run(capsys, "--db", dbfile, "message", "list")
    assert "ungesichtet" in out
    code, _, _ = run(
        capsys, "--db", dbfile, "message", "triage", "E-1", "--to", "S5",
        "--author", "Mia Beispielgut", "--function", "Sichter",
    )  # fmt: skip
    assert code == 0
    code, out, _ = run(capsys, "--db", dbfile, "message", "list", "--json")
    assert json.loads(out)[0]["to"] == ["S5"] and json.loads(out)[0]["triaged"] is True


def test_contacts_import_find_export(capsys, dbfile, tmp_path):
    csv = tmp_path / "kontakte.csv"
    csv.write_bytes(
        "Zuständigkeit;Gemeinde;Organisation;24/7\n"
        "Trinkwasserversorgung;Jülich;Wasserversorger Jülich (Muster);0221 4710 301\n"
        "Stromversorgung;Jülich;Netzbetreiber (Muster);0221 4710 321\n".encode("cp1252")
    )
    code, out, err = run(capsys, "--db", dbfile, "import", "contacts", str(csv), "--dry-run")
    assert code == 0 and "Probelauf" in out and "2 neu" in out
    code, out, _ = run(capsys, "--db", dbfile, "contact", "find", "Trinkwasser", "Jülich")
    assert code == 1
    code, out, _ = run(capsys, "--db", dbfile, "import", "contacts", str(csv), *ACT)
    assert code == 0 and "2 neu" in out
    code, out, _ = run(capsys, "--db", dbfile, "contact", "find", "Trinkwasser Jülich")
    assert code == 0
    assert out.splitlines()[0] == "Trinkwasserversorgung – Jülich"
    assert "24/7: 0221 4710 301" in out and "Wasserversorger Jülich (Muster)" in out
    assert "Stromversorgung" not in out
    code, out, _ = run(capsys, "--db", dbfile, "contact", "find", "strom", "--json")
    hits = json.loads(out)
    assert hits[0]["title"] == "Stromversorgung" and hits[0]["phone_24h"] == "0221 4710 321"
    bad = tmp_path / "kaputt.csv"
    bad.write_text("Zuständigkeit;Telefon\nGas;abc\n;0221 4710 1\n", encoding="utf-8")
    code, out, err = run(capsys, "--db", dbfile, "import", "contacts", str(bad), *ACT)
    assert code == 1 and "Zeile 2" in err and "Zeile 3" in err and "abgelehnt" in out
    target = tmp_path / "export.xlsx"
    code, out, _ = run(capsys, "--db", dbfile, "export", "contacts", str(target))
    assert code == 0 and target.exists() and out.startswith("2 Zuständigkeiten")


def test_staff_people_assign_board(capsys, dbfile):
    code, out, _ = run(
        capsys, "--db", dbfile, "staff", "add-person", "Lena Beispiel", "--phone", "0221 4710 110",
        *ACT,
    )  # fmt: skip
    assert code == 0 and len(out.strip()) == 36
    run(capsys, "--db", dbfile, "staff", "add-person", "Max Mustermann", "--mobile",
        "0221 4710 121", "--deputy", "Lena Beispiel", *ACT)  # fmt: skip
    code, out, _ = run(capsys, "--db", dbfile, "staff", "assign", "S2", "Max Mustermann", *ACT)
    assert code == 0 and out.startswith("S2: Max Mustermann ab ")
    code, out, _ = run(
        capsys, "--db", dbfile, "staff", "assign", "S2", "Lena Beispiel", "--note", "Schicht", *ACT
    )
    assert "Übergabe von Max Mustermann" in out
    code, out, err = run(capsys, "--db", dbfile, "staff", "assign", "S1", "Lena Beispiel", *ACT)
    assert code == 1 and "nicht vorgesehen" in err
    code, out, err = run(
        capsys, "--db", dbfile, "staff", "assign", "S1", "Lena Beispiel", "--allow-merge", *ACT
    )
    assert code == 0 and "nicht vorgesehen" in err
    code, out, _ = run(capsys, "--db", dbfile, "staff", "board", "--json")
    board = json.loads(out)
    rows = {r["function"]: r for r in board["functions"]}
    assert rows["S2"]["holder"]["name"] == "Lena Beispiel"
    assert rows["S2"]["also_holds"] == ["S1"]
    assert rows["S3"]["holder"] is None
    assert board["warnings"]
    code, out, _ = run(capsys, "--db", dbfile, "staff", "board")
    assert "Wer ist wer" in out and "Lena Beispiel" in out and "– unbesetzt –" in out
    code, out, _ = run(capsys, "--db", dbfile, "staff", "roster", "--of", "S2", "--json")
    assert [(r["person"], r["to"] is None) for r in json.loads(out)] == [
        ("Max Mustermann", False),
        ("Lena Beispiel", True),
    ]
    code, out, _ = run(capsys, "--db", dbfile, "journal", "list", "--json")
    assert "Übergabe S2 (Lage): Max Mustermann → Lena Beispiel" in out
    code, out, _ = run(capsys, "--db", dbfile, "contact", "find", "Lena")
    assert "Lena Beispiel" in out and "S2" in out


def test_demo_has_staff_contacts_tasks_and_messages(tmp_path):
    from helpers import new_db

    from krisenstab.services.contacts import ContactService
    from krisenstab.services.demo import build_demo
    from krisenstab.services.journal import JournalService
    from krisenstab.services.messages import MessageService
    from krisenstab.services.staff import StaffService
    from krisenstab.services.tasks import TaskService

    db = new_db(tmp_path)
    inc = build_demo(db, "ws-demo")
    staff = StaffService(db)
    board = {r.function.name: r for r in staff.board().rows}
    assert board["S2"].holder.name == "Max Mustermann"
    assert board["ETB-Führer"].holder.name == "Ole Musterstein"
    assert len(staff.roster("ETB-Führer")) == 2  # one handover
    contacts = ContactService(db)
    assert 40 <= contacts.count() <= 60
    assert contacts.find("Trinkwasser Jülich")[0].municipality == "Jülich"
    tasks = TaskService(db).list(inc)
    assert 15 <= len(tasks) <= 20
    assert any(t.overdue for t in tasks) and any(t.status == "erledigt" for t in tasks)
    messages = MessageService(db)
    assert 28 <= messages.register(inc).total <= 35
    assert len(messages.unacknowledged_blitz(inc)) == 1
    assert messages.triage_queue(inc).total >= 1
    assert JournalService(db).verify().ok
