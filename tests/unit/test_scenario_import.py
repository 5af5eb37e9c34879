"""Scenario files (MSEL): German/English headers, encodings, XLSX, line errors, all or nothing."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from krisenstab.exchange.tabular import TableFormatError
from krisenstab.exercise.msel import read_scenario, write_scenario
from krisenstab.exercise.scenario import (
    Effect,
    Inject,
    Scenario,
    check_injects,
    parse_effects,
)
from krisenstab.services.exercise_demo import demo_scenario_path

FRIDAY = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
GERMAN = (
    "Nr;Zeit;Von;An;Kanal;Vorrang;Inhalt;Erwartete Reaktion;Übungsziel;"
    "Hinweis Übungsleitung;Bedingt durch;Frist;Handlungsstrang;Auswirkungen;Übungsbeginn\n"
    "1;T+00:00;Leitstelle (Muster);S2;Telefon;einfach;Starkregen;Lage erfassen;Lagebild;"
    "nur für die Übungsleitung;;;Hochwasser;;Samstag 03:00\n"
    "2;04:30;Netzbetreiber (Muster);S3, S4;Funk;Blitz;Umspannwerk aus;Notstrom prüfen;Strom;;;;"
    'Strom;"Umspannwerk Kreuzau (Muster): ausgefallen | Wasserwerk X [Kreuzau]: Notstrom";\n'
    "3;T+02:00;Leitstelle (Muster);S2;E-Mail;sofort;Nachfrage;;Lagebild;;1;30 min;Hochwasser;;\n"
)


def read(data: bytes | str, **kwargs):
    raw = data.encode("utf-8") if isinstance(data, str) else data
    kwargs.setdefault("reference", FRIDAY)
    return read_scenario(raw, filename=kwargs.pop("filename", "drehbuch.csv"), **kwargs)


def test_german_file_is_read_with_every_column():
    result = read(GERMAN)
    assert result.ok, result.error_text()
    scenario = result.scenario
    assert scenario.title == "drehbuch"
    assert scenario.start_label == "Samstag 03:00"
    first, second, third = scenario.injects
    assert (first.number, first.offset_s, first.controller_note) == (
        1,
        0,
        "nur für die Übungsleitung",
    )
    assert second.number == 2 and second.offset_s == 5400  # 04:30 after Saturday 03:00
    assert second.priority == "blitz" and second.recipients == ("S3", "S4")
    assert second.effects == (
        Effect("Umspannwerk Kreuzau (Muster)", "ausgefallen"),
        Effect("Wasserwerk X", "Notstrombetrieb", "Kreuzau"),
    )
    assert third.contingency_of == 1 and (third.deadline_s, third.deadline_relative) == (1800, True)
    assert scenario.storylines == ["Hochwasser", "Strom"]
    assert scenario.objectives == ["Lagebild", "Strom"]


def test_english_headers_tab_delimiter_and_utf16_from_excel():
    text = (
        "No\tTime\tFrom\tTo\tChannel\tPriority\tContent\tExpected reaction\tObjective\t"
        "Controller note\tContingency of\tDeadline\tStoryline\tEffects\tExercise\n"
        "7\tT+00:15\tPolice (Muster)\tS3\tradio\tflash\tRoad closed\tDivert\tTraffic\tpsst\t\t\t"
        "Roads\t\tFlood drill\n"
    )
    result = read(b"\xff\xfe" + text.encode("utf-16-le"), filename="msel.txt")
    assert result.ok, result.error_text()
    inject = result.scenario.injects[0]
    assert (inject.channel, inject.priority, inject.offset_s) == ("Funk", "blitz", 900)
    assert result.scenario.title == "Flood drill"
    assert result.scenario.start_label == "Samstag 08:00"  # the default when none is given


def test_windows_1252_with_comma_delimiter():
    text = "Nr,Zeit,Von,An,Inhalt\n1,T+00:05,Bürgermeister,S5,Presseanfrage zur Lage in Jülich\n"
    result = read(text.encode("cp1252"))
    assert result.ok and result.encoding == "cp1252"
    assert result.scenario.injects[0].sender == "Bürgermeister"


def test_every_error_of_the_file_is_reported_and_nothing_is_returned():
    text = (
        "Nr;Zeit;Von;An;Kanal;Vorrang;Inhalt;Bedingt durch;Frist\n"
        "1;T+00:00;A;S2;Brieftaube;einfach;x;;\n"
        "2;irgendwann;A;S2;Funk;wichtig;x;;\n"
        "3;T+00:10;;S2;Funk;einfach;;;\n"
        "4;T+00:20;A;S2;Funk;einfach;x;99;\n"
        "5;T+00:30;A;S2;Funk;einfach;x;;30 min\n"
        "5;T+00:40;A;S2;Funk;einfach;x;;\n"
        "0;T+00:50;A;S2;Funk;einfach;x;;\n"
    )
    result = read(text)
    assert result.scenario is None and not result.ok
    found = {(e.line, e.column) for e in result.errors}
    assert {
        (2, "Kanal"),
        (3, "Zeit"),
        (3, "Vorrang"),
        (4, "Von"),
        (4, "Inhalt"),
        (5, "Bedingt durch"),
        (6, "Frist"),
        (7, "Nr"),
        (8, "Nr"),
    } <= found
    assert all(e.reason for e in result.errors)
    assert "Zeile 5, Spalte „Bedingt durch“: Einlage Nr. 99 gibt es" in result.error_text()


def test_contingency_rules_across_rows():
    def inject(number, offset, parent=None, deadline=None, relative=True, expected="x"):
        return Inject(
            number, offset, "A", "S2", "x", expected_reaction=expected,
            contingency_of=parent, deadline_s=deadline, deadline_relative=relative, line=number,
        )  # fmt: skip

    problems = check_injects(
        [
            inject(1, 0, expected=None),
            inject(2, 600, parent=1),  # parent without expected reaction
            inject(3, 600, parent=3),  # itself
            inject(4, 0, parent=5),
            inject(5, 0, parent=4),  # a cycle
            inject(6, 1200, parent=7, deadline=300, relative=False),  # deadline before parent
            inject(7, 1800),
        ]
    )
    reasons = {p.number: p.reason for p in problems}
    assert "keine erwartete Reaktion" in reasons[2]
    assert "von sich selbst" in reasons[3]
    assert "im Kreis" in reasons[4] and "im Kreis" in reasons[5]
    assert "liegt vor der Einlage Nr. 7" in reasons[6]
    assert 1 not in reasons and 7 not in reasons


def test_missing_required_column_and_unknown_columns():
    result = read("Nr;Zeit;An;Inhalt;Farbe\n1;T+00:00;S2;x;rot\n")
    assert not result.ok
    assert any("Pflichtspalte „Von“" in e.reason for e in result.errors)
    assert any("Farbe" in w for w in result.warnings)


def test_clock_times_need_a_start_and_one_start_per_file():
    result = read("Nr;Zeit;Von;An;Inhalt\n1;04:30;A;S2;x\n")
    assert not result.ok and "Übungsbeginn" in result.errors[0].reason
    assert read("Nr;Zeit;Von;An;Inhalt\n1;04:30;A;S2;x\n", start_label="Sa 03:00").ok
    clash = read(
        "Nr;Zeit;Von;An;Inhalt;Übungsbeginn\n1;T+0;A;S2;x;Sa 03:00\n2;T+1:00;A;S2;y;So 03:00\n"
    )
    assert [(e.line, e.column) for e in clash.errors] == [(3, "Übungsbeginn")]


def test_whole_file_problems_raise():
    with pytest.raises(TableFormatError, match="leer"):
        read(b"")
    with pytest.raises(TableFormatError, match="PDF"):
        read(b"%PDF-1.7 something", filename="x.csv")
    with pytest.raises(TableFormatError, match="kein Übungsbeginn"):
        read(GERMAN, start_label="demnächst")
    header_only = read("Nr;Zeit;Von;An;Inhalt\n")
    assert not header_only.ok and "keine Einlagen" in header_only.errors[0].reason


def test_export_and_import_give_the_same_scenario(tmp_path):
    original = read(GERMAN).scenario
    for name, english in (("a.csv", False), ("b.xlsx", False), ("c.csv", True)):
        path = tmp_path / name
        assert write_scenario(path, original, english=english) == 3
        again = read_scenario(path, reference=FRIDAY)
        assert again.ok, again.error_text()
        assert again.scenario.title == original.title
        assert again.scenario.start_label == original.start_label
        for a, b in zip(original.injects, again.scenario.injects, strict=True):
            for field in (
                "number", "offset_s", "sender", "addressee", "content", "channel", "priority",
                "expected_reaction", "objective", "controller_note", "storyline",
                "contingency_of", "deadline_s", "deadline_relative", "effects",
            ):  # fmt: skip
                assert getattr(a, field) == getattr(b, field), (name, field)


def test_xlsx_with_native_time_cells(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(
        ["Nr", "Zeit", "Von", "An", "Inhalt", "Bedingt durch", "Frist", "Erwartete Reaktion"]
    )
    sheet.append([1, datetime(2026, 11, 28, 4, 0), "A", "S2", "x", None, None, "Meldung"])
    sheet.append([2.0, datetime(2026, 11, 28, 5, 0).time(), "A", "S2", "y", 1, 30, None])
    buffer = io.BytesIO()
    book.save(buffer)
    result = read_scenario(buffer.getvalue(), filename="m.xlsx", start_label="28.11.2026 03:00")
    assert result.ok, result.error_text()
    assert [i.offset_s for i in result.scenario.injects] == [3600, 7200]
    assert result.scenario.injects[1].deadline_s == 1800


def test_formula_like_text_survives_the_round_trip(tmp_path):
    scenario = Scenario(
        "Test",
        "Samstag 03:00",
        (Inject(1, 0, '=HYPERLINK("x")', "S2", "-Alarm+"),),
    )
    path = tmp_path / "f.csv"
    write_scenario(path, scenario)
    again = read_scenario(path, reference=FRIDAY).scenario
    assert again.injects[0].sender == '=HYPERLINK("x")'
    assert again.injects[0].content == "-Alarm+"


def test_effects_text():
    assert parse_effects(None) == ()
    assert parse_effects("A: ausgefallen; B [Düren]: Notstrom\nC: wieder in Betrieb") == (
        Effect("A", "ausgefallen"),
        Effect("B", "Notstrombetrieb", "Düren"),
        Effect("C", "betriebsbereit"),
    )
    for bad in ("A ausgefallen", ": ausgefallen", "A: kaputt"):
        with pytest.raises(ValueError):
            parse_effects(bad)


def test_demo_scenario_is_complete_and_uses_demo_facilities():
    from krisenstab.services.kritis_demo import FACILITIES

    result = read_scenario(demo_scenario_path(), reference=FRIDAY)
    assert result.ok, result.error_text()
    scenario = result.scenario
    assert scenario.title == "Hochwasser an der Rur"
    assert scenario.start_label == "Samstag 03:00"
    assert 35 <= len(scenario.injects) <= 45
    assert scenario.duration_s == 8 * 3600
    assert any(i.is_blitz for i in scenario.injects)
    assert len(scenario.storylines) >= 4 and len(scenario.objectives) >= 4
    assert sum(1 for i in scenario.injects if i.is_contingency) >= 3
    names = {f.name for f in FACILITIES}
    effects = [e for i in scenario.injects for e in i.effects]
    assert len(effects) >= 8
    assert {e.facility for e in effects} <= names
    # The blackout cascade: the substation first, then what hangs on it.
    failed = [i for i in scenario.injects for e in i.effects if e.status == "ausgefallen"]
    assert failed[0].effects[0].facility == "Umspannwerk Kreuzau (Muster)"
    text = " ".join(i.content + (i.sender or "") for i in scenario.injects)
    assert "(Muster)" in text


HEADER_CHOICES = (
    "Nr", "Zeit", "Von", "An", "Inhalt", "Kanal", "Vorrang", "Bedingt durch", "Frist",
    "Auswirkungen", "Übungsbeginn", "Time", "Unbekannt",
)  # fmt: skip
_CELLS = st.one_of(
    st.just(""),
    st.sampled_from(["T+00:10", "04:30", "Sa 05:00", "x", "1", "S2", "Blitz", "30 min", "Funk"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    header=st.lists(
        st.sampled_from(HEADER_CHOICES),
        min_size=1,
        max_size=9,
    ),
    rows=st.lists(st.lists(_CELLS, min_size=0, max_size=10), max_size=6),
    delimiter=st.sampled_from([";", ",", "\t"]),
)
def test_any_table_gives_a_whole_scenario_or_only_errors(header, rows, delimiter):
    lines = [delimiter.join(header)] + [
        delimiter.join('"' + c.replace('"', '""') + '"' for c in row) for row in rows
    ]
    data = "\n".join(lines).encode("utf-8")
    try:
        result = read_scenario(data, filename="h.csv", reference=FRIDAY)
    except TableFormatError as exc:
        assert str(exc)
        return
    if result.scenario is None:
        assert result.errors
    else:
        assert not result.errors
        assert len(result.scenario.injects) == result.record_count
        assert not check_injects(result.scenario.injects)
