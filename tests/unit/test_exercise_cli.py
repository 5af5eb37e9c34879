"""The exercise commands: a whole exercise headless, refusal on real databases, import safety."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from krisenstab.cli import main
from krisenstab.domain.exercise import ExerciseInject, ExerciseScenario
from krisenstab.exchange.tabular import TableFormatError
from krisenstab.services import kritis_demo
from krisenstab.services.context import Actor
from krisenstab.services.exercise import ExerciseService, ScenarioImportError, control_actor
from krisenstab.services.exercise_setup import create_exercise_db
from krisenstab.services.incidents import IncidentService
from krisenstab.store.database import Database


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def real_template(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("echt")
    db = Database.open(folder / "echt.db")
    incident = IncidentService(db).create("Lage (Test)", Actor("Max Mustermann", "S2", "ws")).id
    kritis_demo.build(db, "ws", incident)
    db.close()
    return folder / "echt.db"


@pytest.fixture
def real(real_template, tmp_path) -> Path:
    path = tmp_path / "echt.db"
    shutil.copy(real_template, path)
    return path


def test_a_whole_exercise_from_the_command_line(capsys, real, tmp_path):
    ex = tmp_path / "uebung.db"
    code, out, _ = run(capsys, "exercise", "new", "--from", real, "--out", ex)
    assert code == 0 and "67 KRITIS-Objekte" in out
    code, out, err = run(capsys, "--db", ex, "scenario", "import", "--demo")
    assert code == 0, err
    assert "„Hochwasser an der Rur“ eingelesen: 40 Einlagen" in out
    code, out, _ = run(capsys, "--db", ex, "exercise", "status", "--json")
    status = json.loads(out)
    assert (status["status"], status["offset"], status["injects"]) == (
        "bereit",
        "T+00:00",
        {"geplant": 40},
    )

    code, out, err = run(
        capsys, "--db", ex, "exercise", "run", "--speed", "1000", "--until", "T+00:30"
    )
    assert code == 0, err
    lines = out.splitlines()
    assert [line.split()[0] for line in lines[:-1]] == ["T+00:00", "T+00:10", "T+00:20", "T+00:30"]
    assert "Nr.   1 → Leiter des Stabes (Telefon, Sofort) E-1:" in lines[0]
    assert lines[-1].startswith("Übung angehalten (Zielzeit erreicht): 4 Einlagen zugestellt")
    code, out, _ = run(capsys, "--db", ex, "exercise", "status", "--json")
    status = json.loads(out)
    assert status["status"] == "angehalten" and status["offset_s"] == 1800
    assert status["injects"] == {"zugestellt": 4, "geplant": 36}

    code, out, _ = run(
        capsys, "--db", ex, "exercise", "note", "Stab arbeitet ruhig", "--message", "E-1",
        "--inject", "1", "--author", "Beobachter Muster",
    )  # fmt: skip
    assert code == 0 and out.startswith("Beobachtung notiert (T+00:30)")
    code, out, _ = run(capsys, "--db", ex, "exercise", "rate", "1", "teilweise", "--actual", "spät")
    assert code == 0
    code, out, _ = run(capsys, "--db", ex, "exercise", "injects", "--json")
    injects = json.loads(out)
    assert [i["message"] for i in injects[:4]] == ["E-1", "E-2", "E-3", "E-4"]

    code, out, _ = run(
        capsys, "--db", ex, "exercise", "stop", "--real", "--reason", "Realer Brand",
        "--author", "Erika Musterfrau", "--function", "Leiter des Stabes",
    )  # fmt: skip
    assert code == 0 and out.startswith("REALEREIGNIS")
    code, out, _ = run(capsys, "--db", ex, "exercise", "status")
    assert (
        "REALEREIGNIS: Übung abgebrochen (Erika Musterfrau (Leiter des Stabes): Realer Brand)"
        in out
    )
    code, _, err = run(
        capsys, "--db", ex, "exercise", "run", "--speed", "1000", "--until", "T+01:00"
    )
    assert code == 1 and "--after-real-event" in err

    pdf, csv = tmp_path / "UEBUNG_Auswertung.pdf", tmp_path / "UEBUNG_Auswertung.csv"
    code, out, err = run(capsys, "--db", ex, "exercise", "evaluate", "--out", pdf, "--csv", csv)
    assert code == 0, err
    assert pdf.read_bytes()[:4] == b"%PDF"
    rows = csv.read_text(encoding="utf-8-sig").splitlines()
    assert len(rows) == 41 and rows[1].startswith("ÜBUNG;1;T+00:00;")

    export = tmp_path / "drehbuch.xlsx"
    code, out, _ = run(capsys, "--db", ex, "scenario", "export", "--out", export)
    assert code == 0 and out.startswith("40 Einlagen")
    code, out, _ = run(capsys, "scenario", "check", export)
    assert code == 0 and "40 Einlagen bis T+08:00" in out


def test_more_clock_commands(capsys, real, tmp_path):
    ex = tmp_path / "uebung.db"
    run(capsys, "exercise", "new", "--from", real, "--out", ex)
    run(capsys, "--db", ex, "scenario", "import", "--demo")
    code, out, _ = run(capsys, "--db", ex, "exercise", "send", "40")
    assert code == 1  # not started yet
    run(capsys, "--db", ex, "exercise", "run", "--speed", "1000", "--until", "T+00:05")
    assert run(capsys, "--db", ex, "exercise", "jump", "T+02:00")[0] == 0
    code, out, _ = run(capsys, "--db", ex, "exercise", "send", "40")
    assert code == 0 and "Nr.  40" in out
    code, out, _ = run(capsys, "--db", ex, "exercise", "drop", "39", "--reason", "gestrichen")
    assert code == 0 and "entfällt: gestrichen" in out
    code, out, _ = run(
        capsys, "--db", ex, "exercise", "adhoc", "--to", "S5", "--from", "Presse (Muster)",
        "--text", "Bitte um Stellungnahme", "--priority", "sofort",
    )  # fmt: skip
    assert code == 0 and "Nr.  41 → S5" in out
    assert run(capsys, "--db", ex, "exercise", "resume")[0] == 0
    code, out, _ = run(capsys, "--db", ex, "exercise", "speed", "12")
    assert code == 1
    assert run(capsys, "--db", ex, "exercise", "speed", "10")[0] == 0
    assert run(capsys, "--db", ex, "exercise", "pause")[0] == 0
    code, _, err = run(capsys, "--db", ex, "exercise", "jump", "T+01:00")
    assert code == 1 and "nur vorwärts" in err
    code, _, err = run(capsys, "--db", ex, "exercise", "jump", "gleich")
    assert code == 2
    code, out, _ = run(capsys, "--db", ex, "exercise", "stop")
    assert code == 0 and out.startswith("Übung beendet")


def test_exercise_commands_on_a_real_database_change_nothing(capsys, real, tmp_path):
    before = real.read_bytes()
    files = sorted(p.name for p in tmp_path.iterdir())
    commands = [
        ("exercise", "status"),
        ("exercise", "run", "--speed", "1000", "--until", "T+00:30"),
        ("exercise", "evaluate", "--out", tmp_path / "x.pdf"),
        ("exercise", "note", "Beobachtung"),
        ("exercise", "stop", "--real"),
        ("exercise", "injects"),
        ("scenario", "import", "--demo"),
        ("scenario", "export", "--out", tmp_path / "x.csv"),
    ]
    for command in commands:
        code, out, err = run(capsys, "--db", real, *command)
        assert code == 1, command
        assert out == ""
        assert err.count("\n") == 1 and "keine Übungsdatenbank" in err, command
    assert real.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == files


def test_exercise_new_refusals(capsys, real, tmp_path):
    ex = tmp_path / "uebung.db"
    assert run(capsys, "exercise", "new", "--from", real, "--out", ex)[0] == 0
    code, _, err = run(capsys, "exercise", "new", "--from", ex, "--out", tmp_path / "b.db")
    assert code == 1 and "selbst eine Übungsdatenbank" in err
    code, _, err = run(capsys, "exercise", "new", "--from", real, "--out", ex)
    assert code == 1 and "gibt es schon" in err


def test_bad_scenario_file_is_refused_with_its_lines(capsys, real, tmp_path):
    ex = tmp_path / "uebung.db"
    run(capsys, "exercise", "new", "--from", real, "--out", ex)
    bad = tmp_path / "kaputt.csv"
    bad.write_text("Nr;Zeit;Von;An;Inhalt\n1;T+00:00;A;S2;x\n2;bald;A;S2;y\n3;T+1:00;;S2;z\n")
    code, out, err = run(capsys, "--db", ex, "scenario", "import", bad)
    assert code == 1 and out == ""
    assert "kaputt.csv: Zeile 3, Spalte „Zeit“" in err
    assert "kaputt.csv: Zeile 4, Spalte „Von“: Pflichtangabe fehlt" in err
    assert "2 Fehler; es wurde nichts übernommen" in err
    code, out, _ = run(capsys, "--db", ex, "exercise", "status")
    assert "noch kein Drehbuch" in out
    code, _, err = run(capsys, "scenario", "check", bad)
    assert code == 1 and "2 Fehler" in err
    code, _, err = run(capsys, "--db", ex, "scenario", "import")
    assert code == 2


@pytest.fixture(scope="module")
def import_target(real_template, tmp_path_factory):
    folder = tmp_path_factory.mktemp("ziel")
    create_exercise_db(real_template, folder / "uebung.db")
    db = Database.open(folder / "uebung.db")
    yield ExerciseService(db, control_actor("ws")), db
    db.close()


def _stored(db: Database) -> tuple[int, int]:
    with db.session() as session:
        return (
            session.execute(select(func.count()).select_from(ExerciseScenario)).scalar_one(),
            session.execute(select(func.count()).select_from(ExerciseInject)).scalar_one(),
        )


_TIMES = st.sampled_from(["T+00:00", "T+00:10", "T+1:30", "04:30", "So 02:00", "bald", "", "T+9"])
_NUMBERS = st.sampled_from(["1", "2", "3", "4", "x", "", "0", "2"])
_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=15)
_ROW = st.tuples(
    _NUMBERS,
    _TIMES,
    st.one_of(st.just("Leitstelle"), _TEXT),
    st.sampled_from(["S2", "S3, S4", "", "Leiter des Stabes"]),
    st.sampled_from(["Funk", "Fax", "Rauch", ""]),
    st.sampled_from(["einfach", "Blitz", "eilig", ""]),
    st.one_of(st.just("Inhalt"), _TEXT),
    st.sampled_from(["", "Reaktion"]),
    st.sampled_from(["", "1", "2", "9", "x"]),
    st.sampled_from(["", "30 min", "T+00:05", "bald"]),
    st.sampled_from(["", "Umspannwerk Kreuzau (Muster): ausgefallen", "A: kaputt"]),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(rows=st.lists(_ROW, max_size=6), start=st.sampled_from(["Samstag 03:00", ""]))
def test_scenario_import_never_crashes_and_never_stores_a_part(import_target, rows, start):
    service, db = import_target
    header = (
        "Nr;Zeit;Von;An;Kanal;Vorrang;Inhalt;Erwartete Reaktion;Bedingt durch;Frist;"
        "Auswirkungen;Übungsbeginn"
    )
    lines = [header]
    for index, row in enumerate(rows):
        cells = [*row, start if index == 0 else ""]
        lines.append(";".join('"' + c.replace('"', '""') + '"' for c in cells))
    data = "\n".join(lines).encode("utf-8")
    before = _stored(db)
    try:
        report = service.import_scenario(data, filename="zufall.csv")
    except (ScenarioImportError, TableFormatError) as exc:
        assert str(exc)
        assert _stored(db) == before
        return
    assert _stored(db) == (1, report.injects)
    assert report.injects == len(rows)


def test_demo_exercise_is_ready_to_play(tmp_path):
    from krisenstab.services.exercise_demo import prepare_demo_exercise

    demo = prepare_demo_exercise(tmp_path / "UEBUNG_Demo.db", "ws", source=tmp_path / "demo.db")
    assert demo.scenario.injects == 40
    assert demo.scenario.warnings == []  # every facility and function of the script exists
    assert demo.copy.counts["facility"] == len(kritis_demo.FACILITIES)
    db = Database.open(tmp_path / "UEBUNG_Demo.db")
    view = ExerciseService(db).state()
    assert view.prepared and view.title == "Hochwasser an der Rur"
    assert view.label.startswith("Sa 03:00")
