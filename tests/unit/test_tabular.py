"""CSV/XLSX reading and writing as German offices produce and expect it."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from krisenstab.exchange import tabular
from krisenstab.exchange.tabular import (
    MAX_FILE_BYTES,
    CellError,
    ColumnSpec,
    RowError,
    TableFormatError,
    csv_bytes,
    format_cell,
    normalize_header,
    parse_bool,
    parse_choice,
    parse_date,
    parse_datetime,
    parse_decimal,
    parse_int,
    parse_text,
    parse_time,
    protect_formula,
    read_table,
    write_csv,
    write_xlsx,
)

FACILITY_COLUMNS = [
    ColumnSpec("name", ("Name", "Bezeichnung"), required=True),
    ColumnSpec("street", ("Straße", "Strasse", "Street")),
    ColumnSpec("autonomy_h", ("Autarkie (h)", "Autonomy (h)"), parse=parse_decimal),
    ColumnSpec("persons", ("Versorgte Personen", "Persons supplied"), parse=parse_int),
    ColumnSpec("emergency_power", ("Notstrom", "Emergency power"), parse=parse_bool),
    ColumnSpec("checked_at", ("Stand", "Checked at"), parse=parse_datetime),
]


def _csv(text: str, encoding: str = "utf-8") -> bytes:
    return text.replace("\n", "\r\n").encode(encoding)


# --------------------------------------------------------------------------
# Value parsers
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.234,5", 1234.5),
        ("1234.5", 1234.5),
        ("1234,5", 1234.5),
        ("12,5", 12.5),
        ("-3,25", -3.25),
        ("\u22123,25", -3.25),
        ("+7", 7.0),
        ("1 234,5", 1234.5),
        ("1\u00a0234,5", 1234.5),
        ("0,5", 0.5),
        (",5", 0.5),
        ("0.500", 0.5),
        ("1.234.567", 1234567.0),
        ("1.234.567,89", 1234567.89),
        ("1,234.5", 1234.5),
        ("1,5E+03", 1500.0),
        ("2e-3", 0.002),
        ("50.8043", 50.8043),
        ("  42  ", 42.0),
    ],
)
def test_parse_decimal_accepts_german_and_english_forms(text: str, expected: float) -> None:
    assert parse_decimal(text) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("zwölf", "„zwölf“ ist keine Zahl"),
        ("1.234", "„1.234“ ist mehrdeutig"),
        ("1,2,3", "keine Zahl"),
        ("12a", "keine Zahl"),
        ("nan", "keine Zahl"),
        ("inf", "keine Zahl"),
        ("1e999", "zu groß"),
        ("--1", "keine Zahl"),
        ("1..2", "keine Zahl"),
        ("1.2.3", "keine Zahl"),
        ("12 5", "keine Zahl"),
        ("5,", "keine Zahl"),
        ("1.234,5.6", "keine Zahl"),
        ("9" * 40, "zu viele Stellen"),
        ("١٢", "keine Zahl"),
    ],
)
def test_parse_decimal_rejects_with_german_reason(text: str, reason: str) -> None:
    with pytest.raises(CellError) as info:
        parse_decimal(text)
    assert reason in str(info.value)


def test_parse_decimal_native_and_empty_values() -> None:
    assert parse_decimal(3) == 3.0
    assert parse_decimal(2.5) == 2.5
    assert parse_decimal(None) is None
    assert parse_decimal("   ") is None
    with pytest.raises(CellError):
        parse_decimal(True)
    with pytest.raises(CellError):
        parse_decimal(float("nan"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.000", 1000),
        ("1.234.567", 1234567),
        ("1 000", 1000),
        ("12", 12),
        ("-3", -3),
        ("+3", 3),
        ("12,0", 12),
        ("12,00", 12),
        ("007", 7),
    ],
)
def test_parse_int_reads_german_thousands(text: str, expected: int) -> None:
    assert parse_int(text) == expected


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("1,5", "„1,5“ ist keine ganze Zahl"),
        ("1.5", "keine ganze Zahl"),
        ("1,000", "mehrdeutig"),
        ("abc", "keine ganze Zahl"),
        ("1e3", "keine ganze Zahl"),
        (12.5, "keine ganze Zahl"),
        (False, "keine ganze Zahl"),
    ],
)
def test_parse_int_rejects(value: object, reason: str) -> None:
    with pytest.raises(CellError) as info:
        parse_int(value)
    assert reason in str(info.value)


def test_parse_int_native_values() -> None:
    assert parse_int(12.0) == 12
    assert parse_int(7) == 7
    assert parse_int("") is None


@pytest.mark.parametrize("word", ["ja", "JA", "j", "x", "X", "yes", "y", "true", "wahr", "1"])
def test_parse_bool_true_words(word: str) -> None:
    assert parse_bool(word) is True


@pytest.mark.parametrize("word", ["nein", "Nein", "n", "no", "false", "falsch", "0", " 0 "])
def test_parse_bool_false_words(word: str) -> None:
    assert parse_bool(word) is False


def test_parse_bool_empty_native_and_invalid() -> None:
    assert parse_bool("") is None
    assert parse_bool(None) is None
    assert parse_bool(True) is True
    assert parse_bool(0) is False
    with pytest.raises(CellError, match="„vielleicht“ ist kein Ja/Nein-Wert"):
        parse_bool("vielleicht")
    with pytest.raises(CellError):
        parse_bool(2)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("27.11.2026 15:30", datetime(2026, 11, 27, 15, 30)),
        ("27.11.26 15:30", datetime(2026, 11, 27, 15, 30)),
        ("1.2.2026 8:05", datetime(2026, 2, 1, 8, 5)),
        ("27.11.2026, 15:30 Uhr", datetime(2026, 11, 27, 15, 30)),
        ("27.11.2026 15.30", datetime(2026, 11, 27, 15, 30)),
        ("27.11.2026 15:30:10", datetime(2026, 11, 27, 15, 30, 10)),
        ("2026-11-27T15:30", datetime(2026, 11, 27, 15, 30)),
        ("2026-11-27 15:30:00", datetime(2026, 11, 27, 15, 30)),
        ("271530nov26", datetime(2026, 11, 27, 15, 30)),
        ("010900DEZ26", datetime(2026, 12, 1, 9, 0)),
        ("150800mrz27", datetime(2027, 3, 15, 8, 0)),
    ],
)
def test_parse_datetime_forms(text: str, expected: datetime) -> None:
    assert parse_datetime(text) == expected


def test_parse_datetime_keeps_an_explicit_offset() -> None:
    value = parse_datetime("2026-11-27T15:30:00+01:00")
    assert value == datetime(2026, 11, 27, 14, 30, tzinfo=UTC)
    assert parse_datetime("2026-11-27T14:30:00Z") == value


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("27.11.2026", "Uhrzeit fehlt"),
        ("2026-11-27", "Uhrzeit fehlt"),
        ("31.02.2026 10:00", "„31.02.2026 10:00“ ist kein gültiges Datum"),
        ("27.11.2026 25:00", "kein gültiges Datum"),
        ("zwölf", "„zwölf“ ist kein Zeitpunkt"),
        ("271530xyz26", "unbekannter Monat"),
        ("2026-13-01T10:00", "kein gültiges Datum"),
    ],
)
def test_parse_datetime_rejects(text: str, reason: str) -> None:
    with pytest.raises(CellError) as info:
        parse_datetime(text)
    assert reason in str(info.value)


def test_parse_date_and_time() -> None:
    assert parse_date("27.11.2026") == date(2026, 11, 27)
    assert parse_date("2026-11-27") == date(2026, 11, 27)
    assert parse_date(datetime(2026, 11, 27, 15, 30)) == date(2026, 11, 27)
    assert parse_date("") is None
    with pytest.raises(CellError, match="kein Datum"):
        parse_date("27.11.2026 15:30")
    with pytest.raises(CellError, match="kein gültiges Datum"):
        parse_date("30.02.2026")
    assert parse_time("15:30") == time(15, 30)
    assert parse_time("8.05 Uhr") == time(8, 5)
    with pytest.raises(CellError, match="keine gültige Uhrzeit"):
        parse_time("24:10")
    with pytest.raises(CellError, match="keine Uhrzeit"):
        parse_time("Mittag")


def test_parse_text_trims_and_renders_native_cells() -> None:
    assert parse_text("  Musterweg 1 ") == "Musterweg 1"
    assert parse_text("   ") is None
    assert parse_text(None) is None
    assert parse_text(52349.0) == "52349"
    assert parse_text(2.5) == "2,5"
    assert parse_text(True) == "ja"
    assert parse_text(datetime(2026, 11, 27, 15, 30)) == "27.11.2026 15:30"
    assert parse_text(date(2026, 11, 27)) == "27.11.2026"


def test_parse_choice_matches_like_headers() -> None:
    parse = parse_choice({"Energie": "energy", "Wasser": "water", "Gesundheit": "health"})
    assert parse(" wasser ") == "water"
    assert parse("GESUNDHEIT") == "health"
    assert parse("") is None
    with pytest.raises(CellError, match="„Luft“ ist nicht zulässig \\(erlaubt: Energie"):
        parse("Luft")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Autarkie (h)", "autarkie(h)"),
        ("  Versorgte   Personen ", "versorgte personen"),
        ("Straße", "STRASSE"),
        ("Höhe", "Hoehe"),
        ("E-Mail", "e_mail"),
        ("Tel.-Nr.", "Tel Nr"),
    ],
)
def test_normalize_header_equivalences(a: str, b: str) -> None:
    assert normalize_header(a) == normalize_header(b)


def test_row_error_text() -> None:
    error = RowError(7, "Autarkie (h)", "„zwölf“ ist keine Zahl")
    assert str(error) == "Zeile 7, Spalte „Autarkie (h)“: „zwölf“ ist keine Zahl"
    assert str(RowError(3, None, "zu wenige Werte")) == "Zeile 3: zu wenige Werte"


# --------------------------------------------------------------------------
# Reading CSV
# --------------------------------------------------------------------------

GERMAN_CSV = (
    "Bezeichnung;Straße;Autarkie (h);Versorgte Personen;Notstrom;Stand\n"
    "Wasserwerk Muster;Musterweg 1;1.234,5;1.000;ja;27.11.2026 15:30\n"
    "Klinik Beispiel;Beispielstraße 2;72;250;nein;01.12.2026 08:00\n"
)


def test_reads_windows_1252_semicolon_file() -> None:
    result = read_table(_csv(GERMAN_CSV, "cp1252"), FACILITY_COLUMNS)
    assert result.ok, result.errors
    assert result.encoding == "cp1252"
    assert result.delimiter == ";"
    assert result.format == "csv"
    assert result.header_line == 1
    assert result.record_count == 2
    first, second = result.rows
    assert first == {
        "name": "Wasserwerk Muster",
        "street": "Musterweg 1",
        "autonomy_h": 1234.5,
        "persons": 1000,
        "emergency_power": True,
        "checked_at": datetime(2026, 11, 27, 15, 30),
    }
    assert first.line == 2
    assert second["street"] == "Beispielstraße 2"
    assert second.line == 3
    assert result.columns["street"] == "Straße"


@pytest.mark.parametrize(
    ("payload", "encoding"),
    [
        (b"\xef\xbb\xbf" + _csv(GERMAN_CSV), "utf-8-sig"),
        (_csv(GERMAN_CSV), "utf-8"),
        (GERMAN_CSV.replace(";", "\t").encode("utf-16"), "utf-16"),
    ],
)
def test_reads_utf_encodings(payload: bytes, encoding: str) -> None:
    result = read_table(payload, FACILITY_COLUMNS)
    assert result.ok, result.errors
    assert result.encoding == encoding
    assert [r["street"] for r in result.rows] == ["Musterweg 1", "Beispielstraße 2"]


@pytest.mark.parametrize(
    ("delimiter", "text"),
    [
        (",", 'Name,Autarkie (h)\nPumpwerk Muster,12.5\nSchule Beispiel,"1,5"\n'),
        ("\t", "Name\tAutarkie (h)\nPumpwerk Muster\t12,5\nSchule Beispiel\t1,5\n"),
        (";", "Name;Autarkie (h)\nPumpwerk Muster;12,5\nSchule Beispiel;1,5\n"),
    ],
)
def test_sniffs_delimiter(delimiter: str, text: str) -> None:
    result = read_table(_csv(text), FACILITY_COLUMNS)
    assert result.ok, result.errors
    assert result.delimiter == delimiter
    assert [r["autonomy_h"] for r in result.rows] == [12.5, 1.5]


def test_sniffing_is_not_fooled_by_commas_in_a_semicolon_header() -> None:
    text = "Name;Autarkie (h), geschätzt\nPumpwerk Muster;12,5\nSchule Beispiel;3\n"
    columns = [ColumnSpec("name", ("Name",)), ColumnSpec("est", ("Autarkie (h), geschätzt",))]
    result = read_table(_csv(text), columns)
    assert result.delimiter == ";"
    assert [r["est"] for r in result.rows] == ["12,5", "3"]


def test_excel_sep_line_names_the_delimiter_and_shifts_lines() -> None:
    text = "sep=,\nName,Autarkie (h)\nPumpwerk Muster,zwölf\n"
    result = read_table(_csv(text), FACILITY_COLUMNS)
    assert result.delimiter == ","
    assert result.header_line == 2
    assert [str(e) for e in result.errors] == [
        "Zeile 3, Spalte „Autarkie (h)“: „zwölf“ ist keine Zahl"
    ]


def test_headers_match_aliases_case_and_spacing() -> None:
    text = "  BEZEICHNUNG ;street;autarkie(h);versorgte  personen;Emergency Power\nA;B;1;2;x\n"
    result = read_table(_csv(text), FACILITY_COLUMNS)
    assert result.ok, result.errors
    assert result.rows[0] == {
        "name": "A",
        "street": "B",
        "autonomy_h": 1.0,
        "persons": 2,
        "emergency_power": True,
        "checked_at": None,
    }
    assert result.columns["name"] == "BEZEICHNUNG"


def test_unknown_columns_are_listed_and_ignored() -> None:
    text = "Name;Bemerkung;Farbe;Bemerkung\nA;egal;rot;auch egal\n"
    result = read_table(_csv(text), FACILITY_COLUMNS)
    assert result.ok
    assert result.unknown_columns == ["Bemerkung", "Farbe"]
    assert result.rows[0]["name"] == "A"


def test_missing_required_column_is_an_error() -> None:
    result = read_table(_csv("Straße;Notstrom\nMusterweg 1;ja\n"), FACILITY_COLUMNS)
    assert not result.ok
    (error,) = result.errors
    assert error.line == 1
    assert error.column is None
    assert "Pflichtspalte „Name“ fehlt" in error.reason
    assert "Bezeichnung" in error.reason


def test_two_headers_for_the_same_field_are_an_error() -> None:
    result = read_table(_csv("Name;Straße;Street\nA;B;C\n"), FACILITY_COLUMNS)
    (error,) = result.errors
    assert error.line == 1
    assert error.column == "Street"
    assert "dasselbe Feld wie die Spalte „Straße“" in error.reason


def test_required_value_must_not_be_empty() -> None:
    result = read_table(_csv("Name;Straße\n;Musterweg 1\n  ;x\n"), FACILITY_COLUMNS)
    assert [str(e) for e in result.errors] == [
        "Zeile 2, Spalte „Name“: Pflichtangabe fehlt",
        "Zeile 3, Spalte „Name“: Pflichtangabe fehlt",
    ]
    assert result.rows == []


def test_allow_empty_overrides_required() -> None:
    columns = [ColumnSpec("note", ("Bemerkung",), required=True, allow_empty=True)]
    result = read_table(_csv("Bemerkung\nx\n\n \n"), columns)
    assert result.ok
    assert [r["note"] for r in result.rows] == ["x"]


def test_collects_every_error_in_the_file() -> None:
    lines = ["Name;Autarkie (h);Versorgte Personen;Notstrom;Stand"]
    lines.append("Wasserwerk Muster;zwölf;1,5;vielleicht;morgen")
    lines.extend(f"Objekt {i};{i},5;{i};ja;27.11.2026 15:30" for i in range(3))
    lines.append(";x;y;z;31.02.2026 10:00")
    result = read_table(_csv("\n".join(lines) + "\n"), FACILITY_COLUMNS)
    assert [str(e) for e in result.errors] == [
        "Zeile 2, Spalte „Autarkie (h)“: „zwölf“ ist keine Zahl",
        "Zeile 2, Spalte „Versorgte Personen“: „1,5“ ist keine ganze Zahl",
        "Zeile 2, Spalte „Notstrom“: „vielleicht“ ist kein Ja/Nein-Wert (erlaubt: ja, nein, x)",
        "Zeile 2, Spalte „Stand“: „morgen“ ist kein Zeitpunkt (erwartet z. B. 27.11.2026 15:30)",
        "Zeile 6, Spalte „Name“: Pflichtangabe fehlt",
        "Zeile 6, Spalte „Autarkie (h)“: „x“ ist keine Zahl",
        "Zeile 6, Spalte „Versorgte Personen“: „y“ ist keine ganze Zahl",
        "Zeile 6, Spalte „Notstrom“: „z“ ist kein Ja/Nein-Wert (erlaubt: ja, nein, x)",
        "Zeile 6, Spalte „Stand“: „31.02.2026 10:00“ ist kein gültiges Datum",
    ]
    assert [r.line for r in result.rows] == [3, 4, 5]
    assert result.record_count == 5


def test_line_numbers_are_physical_lines_with_embedded_newlines() -> None:
    text = (
        "Name;Straße;Autarkie (h)\n"
        '"Wasserwerk\nMuster";"Musterweg 1\nHinterhaus\n";zwölf\n'
        "\n"
        "Schule Beispiel;;elf\n"
    )
    result = read_table(_csv(text), FACILITY_COLUMNS)
    assert [(e.line, e.reason) for e in result.errors] == [
        (2, "„zwölf“ ist keine Zahl"),
        (7, "„elf“ ist keine Zahl"),
    ]
    # Bare LF and old Mac CR line ends count the same way.
    for newline in ("\n", "\r"):
        mixed = read_table(text.replace("\n", newline).encode(), FACILITY_COLUMNS)
        assert [e.line for e in mixed.errors] == [2, 7]


def test_embedded_newline_values_survive() -> None:
    text = 'Name;Straße\n"Muster";"Musterweg 1\r\nHinterhaus"\n'
    result = read_table(text.encode(), FACILITY_COLUMNS)
    assert result.rows[0]["street"] == "Musterweg 1\r\nHinterhaus"


def test_ragged_rows_are_row_errors() -> None:
    text = "Name;Straße;Notstrom\nA;B;ja\nC;D\nE;F;ja;zu viel\nG;H;nein;;\n"
    result = read_table(_csv(text), FACILITY_COLUMNS)
    assert [str(e) for e in result.errors] == [
        "Zeile 3: die Zeile hat nur 2 Werte, die Kopfzeile aber 3 Spalten",
        "Zeile 4: die Zeile hat 4 Werte, die Kopfzeile aber nur 3 Spalten",
    ]
    # Trailing empty cells (a common export artefact) are tolerated.
    assert [r["name"] for r in result.rows] == ["A", "G"]


def test_trailing_empty_header_cells_are_ignored() -> None:
    result = read_table(_csv("Name;Straße;;\nA;B;;\nC;D\n"), FACILITY_COLUMNS)
    assert result.ok, result.errors
    assert [r["name"] for r in result.rows] == ["A", "C"]


def test_broken_quotes_are_row_errors_and_reading_goes_on() -> None:
    text = 'Name;Straße\n"Firma "Muster" GmbH";x\nSchule Beispiel;y\n'
    result = read_table(_csv(text), FACILITY_COLUMNS)
    (error,) = result.errors
    assert error.line == 2
    assert "Anführungszeichen" in error.reason
    assert [r["name"] for r in result.rows] == ["Schule Beispiel"]


def test_broken_header_is_a_table_format_error() -> None:
    with pytest.raises(TableFormatError, match=r"Kopfzeile \(Zeile 1\) kann nicht gelesen"):
        read_table(_csv('"Name"x;Straße\nA;B\n'), FACILITY_COLUMNS)


def test_unclosed_quote_at_end_of_file() -> None:
    result = read_table(_csv('Name;Straße\nA;"Musterweg\nB;C\n'), FACILITY_COLUMNS)
    (error,) = result.errors
    assert error.line == 2
    assert "bis zum Dateiende nicht geschlossen" in error.reason


def test_unescapes_formula_protection_when_reading() -> None:
    text = "Name;Straße\n'=SUMME(A1);'+49 2421 123\n''-x;'Eck\n"
    result = read_table(_csv(text), FACILITY_COLUMNS)
    assert [(r["name"], r["street"]) for r in result.rows] == [
        ("=SUMME(A1)", "+49 2421 123"),
        ("'-x", "'Eck"),
    ]


def test_custom_parser_value_errors_become_row_errors() -> None:
    def parse_even(value: object) -> int:
        number = parse_int(value)
        if number is not None and number % 2:
            raise ValueError(f"{number} ist ungerade")
        return number

    columns = [ColumnSpec("n", ("Zahl",), parse=parse_even)]
    result = read_table(_csv("Zahl\n2\n3\n"), columns)
    assert [str(e) for e in result.errors] == ["Zeile 3, Spalte „Zahl“: 3 ist ungerade"]


def test_custom_parser_bugs_are_not_swallowed() -> None:
    def broken(value: object) -> object:
        raise KeyError("bug")

    with pytest.raises(KeyError):
        read_table(_csv("Zahl\n2\n"), [ColumnSpec("n", ("Zahl",), parse=broken)])


def test_position_parser_plugs_in() -> None:
    from krisenstab.domain.geo import parse_position

    columns = [
        ColumnSpec("name", ("Name",)),
        ColumnSpec("pos", ("Position", "UTMREF"), parse=parse_position),
    ]
    text = "Name;UTMREF\nA;32U LB 2264 3108\nB;40.1, 2.3\nC;32U XX 99\n"
    result = read_table(_csv(text), columns)
    assert result.rows[0]["pos"].lat == pytest.approx(50.8043, abs=1e-3)
    assert [str(e) for e in result.errors] == [
        "Zeile 3, Spalte „UTMREF“: Position liegt außerhalb des Einsatzgebiets (Breite 40.1, Länge 2.3)",
        "Zeile 4, Spalte „UTMREF“: „32U XX 99“ ist keine gültige UTMREF-Angabe",
    ]


def test_header_only_file_has_no_rows() -> None:
    result = read_table(_csv("Name;Straße\n"), FACILITY_COLUMNS)
    assert result.ok
    assert result.rows == []
    assert result.record_count == 0


def test_reads_from_path_and_stream(tmp_path: Path) -> None:
    path = tmp_path / "objekte.csv"
    path.write_bytes(_csv(GERMAN_CSV, "cp1252"))
    from_path = read_table(path, FACILITY_COLUMNS)
    from_stream = read_table(io.BytesIO(path.read_bytes()), FACILITY_COLUMNS)
    assert from_path.rows == from_stream.rows
    assert len(from_path.rows) == 2


def test_conflicting_column_specs_are_a_programming_error() -> None:
    with pytest.raises(ValueError, match="alias"):
        read_table(b"a\n1\n", [ColumnSpec("a", ("X",)), ColumnSpec("b", ("x",))])
    with pytest.raises(ValueError, match="duplicate"):
        read_table(b"a\n1\n", [ColumnSpec("a"), ColumnSpec("a")])


# --------------------------------------------------------------------------
# Hostile input
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"", "Die Datei ist leer."),
        (b"  \r\n\r\n", "Die Datei ist leer."),
        (b"\xef\xbb\xbf", "Die Datei ist leer."),
        (b"Name;x\nA\x00B;c\n", "NUL-Zeichen in Zeile 2"),
        (bytes(range(256)) * 4, "Binärdaten"),
        (b"\x01\x02\x03\x04\x05\x06\x07\x08" * 100, "Steuerzeichen"),
        (b"%PDF-1.7\n...", "PDF-Dokument"),
        (b"\x89PNG\r\n\x1a\n....", "PNG-Bild"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "(.xls) wird nicht unterstützt"),
        (b"Name\n\x81\x8d\x8f\n", "weder UTF-8 noch Windows-1252"),
        (b"\n\n;;;\n", "keine Kopfzeile"),
    ],
)
def test_hostile_files_raise_table_format_error(payload: bytes, message: str) -> None:
    with pytest.raises(TableFormatError) as info:
        read_table(payload, FACILITY_COLUMNS)
    assert message in str(info.value)
    assert isinstance(info.value, ValueError)


def test_refuses_too_large_files(tmp_path: Path) -> None:
    big = tmp_path / "riesig.csv"
    with big.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: costs no disk
    with pytest.raises(TableFormatError, match=r"zu groß \(50,0 MB\); höchstens 50 MB"):
        read_table(big, FACILITY_COLUMNS)
    with pytest.raises(TableFormatError, match="zu groß"):
        read_table(io.BytesIO(b"Name\n" + b"A\n" * 600), FACILITY_COLUMNS, max_bytes=1000)
    with pytest.raises(TableFormatError, match="zu groß"):
        read_table(b"x" * 2000, FACILITY_COLUMNS, max_bytes=1000)


def test_missing_file_is_a_table_format_error(tmp_path: Path) -> None:
    with pytest.raises(TableFormatError, match=r"„fehlt\.csv“ kann nicht gelesen werden"):
        read_table(tmp_path / "fehlt.csv", FACILITY_COLUMNS)


def _xlsx_bytes(rows: list[list[object]], title: str = "Objekte") -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("payload", "filename", "message"),
    [
        (b"PK\x03\x04" + b"\x00" * 50, None, "beschädigt"),
        (_xlsx_bytes([["Name"], ["A"]])[:-200], None, "beschädigt"),
        (_zip({"hallo.txt": b"x"}), None, "keine Excel-Arbeitsmappe"),
        (_zip({"mimetype": b"x", "content.xml": b"<x/>"}), None, ".ods"),
        (_zip({"xl/workbook.xml": b"<kaputt", "[Content_Types].xml": b"<x"}), None, "beschädigt"),
        (b"Name;x\nA;b\n", "objekte.xlsx", "keine gültige Excel-Arbeitsmappe"),
        (b"irrelevant", "alt.xls", "(.xls) wird nicht unterstützt"),
        (b"irrelevant", "tabelle.ods", ".ods"),
    ],
)
def test_corrupt_spreadsheets(payload: bytes, filename: str | None, message: str) -> None:
    with pytest.raises(TableFormatError) as info:
        read_table(payload, FACILITY_COLUMNS, filename=filename)
    assert message in str(info.value)


def test_corrupt_sheet_xml_inside_a_valid_zip() -> None:
    good = _xlsx_bytes([["Name"], ["A"], ["B"]])
    source = zipfile.ZipFile(io.BytesIO(good))
    entries = {name: source.read(name) for name in source.namelist()}
    entries["xl/worksheets/sheet1.xml"] = entries["xl/worksheets/sheet1.xml"][:-40]
    with pytest.raises(TableFormatError, match="beschädigt"):
        read_table(_zip(entries), FACILITY_COLUMNS)


def test_zip_bomb_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    # The real limit is hundreds of MB; shrink it so the test stays fast.
    monkeypatch.setattr(tabular, "MAX_XLSX_UNPACKED_BYTES", 100_000)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", b"<x/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * 200_000)
    assert len(buffer.getvalue()) < 2_000
    with pytest.raises(TableFormatError, match="entpackt zu groß"):
        read_table(buffer.getvalue(), FACILITY_COLUMNS)


# --------------------------------------------------------------------------
# Reading XLSX
# --------------------------------------------------------------------------


def test_reads_xlsx_with_native_cells_and_sheet_row_numbers() -> None:
    payload = _xlsx_bytes(
        [
            [None],
            [
                "Bezeichnung",
                "Straße",
                "Autarkie (h)",
                "Versorgte Personen",
                "Notstrom",
                "Stand",
                "Bemerkung",
            ],
            [
                "Wasserwerk Muster",
                "Musterweg 1",
                12.5,
                1000,
                True,
                datetime(2026, 11, 27, 15, 30),
                "x",
            ],
            [None, None, None, None, None, None, None],
            ["Klinik Beispiel", 52349, "zwölf", "1.000", "ja", "27.11.2026 15:30", None],
            ["Schule Beispiel", None, 3, 2.5, "vielleicht", 42, None],
        ]
    )
    result = read_table(payload, FACILITY_COLUMNS, filename="objekte.xlsx")
    assert result.format == "xlsx"
    assert result.encoding is None and result.delimiter is None
    assert result.header_line == 2
    assert result.unknown_columns == ["Bemerkung"]
    assert result.rows[0] == {
        "name": "Wasserwerk Muster",
        "street": "Musterweg 1",
        "autonomy_h": 12.5,
        "persons": 1000,
        "emergency_power": True,
        "checked_at": datetime(2026, 11, 27, 15, 30),
    }
    assert result.rows[0].line == 3
    assert [str(e) for e in result.errors] == [
        "Zeile 5, Spalte „Autarkie (h)“: „zwölf“ ist keine Zahl",
        "Zeile 6, Spalte „Versorgte Personen“: „2,5“ ist keine ganze Zahl",
        "Zeile 6, Spalte „Notstrom“: „vielleicht“ ist kein Ja/Nein-Wert (erlaubt: ja, nein, x)",
        "Zeile 6, Spalte „Stand“: „42“ ist kein Zeitpunkt (erwartet z. B. 27.11.2026 15:30)",
    ]


def test_xlsx_values_right_of_the_header_are_an_error() -> None:
    payload = _xlsx_bytes([["Name", "Straße"], ["A", "B", "überzählig"], ["C"]])
    result = read_table(payload, FACILITY_COLUMNS)
    assert [str(e) for e in result.errors] == [
        "Zeile 2: die Zeile hat 3 Werte, die Kopfzeile aber nur 2 Spalten"
    ]
    assert [r["name"] for r in result.rows] == ["C"]


def test_xlsx_sheet_selection() -> None:
    workbook = openpyxl.Workbook()
    workbook.active.title = "Hinweise"
    workbook.active.append(["Nur Text"])
    data = workbook.create_sheet("Objekte")
    data.append(["Name"])
    data.append(["Pumpwerk Muster"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = read_table(buffer.getvalue(), FACILITY_COLUMNS, sheet="Objekte")
    assert [r["name"] for r in result.rows] == ["Pumpwerk Muster"]
    with pytest.raises(TableFormatError, match="Tabellenblatt „Daten“ nicht gefunden"):
        read_table(buffer.getvalue(), FACILITY_COLUMNS, sheet="Daten")


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=SUMME(A1:A9)", "'=SUMME(A1:A9)"),
        ("+49 2421 123456", "'+49 2421 123456"),
        ("-Rohrbruch", "'-Rohrbruch"),
        ("@cmd", "'@cmd"),
        ("\t=1", "'\t=1"),
        ("-12,5", "-12,5"),
        ("-3", "-3"),
        ("+1.000,5", "+1.000,5"),
        ("-1e5", "-1e5"),
        ("'=x", "''=x"),
        ("'Eck", "'Eck"),
        ("Musterweg", "Musterweg"),
        ("", ""),
    ],
)
def test_protect_formula(text: str, expected: str) -> None:
    assert protect_formula(text) == expected


def test_write_csv_bytes_are_excel_friendly() -> None:
    payload = csv_bytes(
        ["Name", "Autarkie (h)", "Notstrom", "Stand", "Telefon"],
        [
            ["Wasserwerk Muster", 12.5, True, datetime(2026, 11, 27, 15, 30), "+49 2421 123"],
            ['=HYPERLINK("x")', -3.25, None, date(2026, 12, 1), "a;b"],
        ],
    )
    assert payload.startswith(b"\xef\xbb\xbf")
    lines = payload[3:].decode("utf-8").split("\r\n")
    assert lines[0] == "Name;Autarkie (h);Notstrom;Stand;Telefon"
    assert lines[1] == 'Wasserwerk Muster;"12,5";ja;27.11.2026 15:30;\'+49 2421 123'
    assert lines[2] == '"\'=HYPERLINK(""x"")";"-3,25";;01.12.2026;"a;b"'
    assert lines[3] == ""


def test_format_cell() -> None:
    assert format_cell(None) == ""
    assert format_cell(1234.5) == "1234,5"
    assert format_cell(1000) == "1000"
    assert format_cell(False) == "nein"
    assert format_cell(datetime(2026, 11, 27, 15, 30, 5)) == "27.11.2026 15:30:05"
    aware = datetime(2026, 11, 27, 15, 30, tzinfo=timezone(timedelta(hours=1)))
    assert format_cell(aware) == "2026-11-27T15:30:00+01:00"
    assert format_cell(float("nan")) == ""


def test_write_csv_to_path_replaces_atomically(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("alt")
    count = write_csv(path, ["Name"], [["A"], {"Name": "B"}])
    assert count == 2
    assert path.read_bytes() == b"\xef\xbb\xbfName\r\nA\r\nB\r\n"
    assert [p.name for p in tmp_path.iterdir()] == ["export.csv"]


def test_write_rejects_bad_shapes() -> None:
    with pytest.raises(ValueError):
        csv_bytes([], [])
    with pytest.raises(ValueError):
        csv_bytes(["A", " "], [])
    with pytest.raises(ValueError):
        csv_bytes(["A", "B"], [["nur eins"]])


MIXED_HEADERS = ["Name", "Autarkie (h)", "Versorgte Personen", "Notstrom", "Stand", "Datum"]
MIXED_ROWS = [
    ["Wasserwerk Muster", 1234.5, 1000, True, datetime(2026, 11, 27, 15, 30), date(2026, 11, 27)],
    ["=1+2", -0.25, -3, False, datetime(2026, 1, 2, 3, 4, 5), date(2027, 2, 28)],
    ["Zeile\nzwei", None, None, None, None, None],
]
MIXED_COLUMNS = [
    ColumnSpec("name", ("Name",)),
    ColumnSpec("autonomy_h", ("Autarkie (h)",), parse=parse_decimal),
    ColumnSpec("persons", ("Versorgte Personen",), parse=parse_int),
    ColumnSpec("power", ("Notstrom",), parse=parse_bool),
    ColumnSpec("at", ("Stand",), parse=parse_datetime),
    ColumnSpec("day", ("Datum",), parse=parse_date),
]


def _as_rows(result: object) -> list[list[object]]:
    return [list(row.values()) for row in result.rows]  # type: ignore[attr-defined]


def test_csv_round_trip_of_typed_values(tmp_path: Path) -> None:
    path = tmp_path / "objekte.csv"
    write_csv(path, MIXED_HEADERS, MIXED_ROWS)
    result = read_table(path, MIXED_COLUMNS)
    assert result.ok, result.errors
    assert result.encoding == "utf-8-sig"
    assert _as_rows(result) == MIXED_ROWS


def test_xlsx_round_trip_of_typed_values(tmp_path: Path) -> None:
    path = tmp_path / "objekte.xlsx"
    assert write_xlsx(path, MIXED_HEADERS, MIXED_ROWS) == 3
    result = read_table(path, MIXED_COLUMNS)
    assert result.ok, result.errors
    assert _as_rows(result) == MIXED_ROWS


def test_xlsx_never_writes_formulas(tmp_path: Path) -> None:
    path = tmp_path / "export.xlsx"
    write_xlsx(path, ["Name"], [['=HYPERLINK("http://example.invalid")'], ["@SUMME(1)"]])
    sheet = openpyxl.load_workbook(path).active
    cells = [sheet.cell(row=r, column=1) for r in (2, 3)]
    assert [c.data_type for c in cells] == ["s", "s"]
    assert cells[0].value == '=HYPERLINK("http://example.invalid")'
    assert sheet["A1"].font.bold
    assert sheet.freeze_panes == "A2"


def test_xlsx_drops_characters_excel_cannot_store(tmp_path: Path) -> None:
    path = tmp_path / "export.xlsx"
    write_xlsx(path, ["Name"], [["Muster\x01\x02mann"]])
    result = read_table(path, [ColumnSpec("name", ("Name",))])
    assert result.rows[0]["name"] == "Mustermann"


def test_aware_datetimes_survive_xlsx_as_text(tmp_path: Path) -> None:
    aware = datetime(2026, 11, 27, 15, 30, tzinfo=UTC)
    path = tmp_path / "export.xlsx"
    write_xlsx(path, ["Stand"], [[aware]])
    result = read_table(path, [ColumnSpec("at", ("Stand",), parse=parse_datetime)])
    assert result.rows[0]["at"] == aware


# --------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------

# Text a person can type into a cell: no control characters except tab and
# line breaks, no surrogates.
cell_text = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), whitelist_characters="\t\r\n"),
    max_size=30,
)
header_text = st.text(
    st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=15
).filter(lambda h: h.strip() and normalize_header(h.strip()))


def _unique_headers(headers: list[str]) -> bool:
    keys = [normalize_header(h.strip()) for h in headers]
    return len(set(keys)) == len(keys)


@st.composite
def text_tables(draw: st.DrawFn) -> tuple[list[str], list[list[str]]]:
    headers = draw(st.lists(header_text, min_size=1, max_size=5).filter(_unique_headers))
    rows = draw(
        st.lists(st.lists(cell_text, min_size=len(headers), max_size=len(headers)), max_size=6)
    )
    return headers, rows


def _text_columns(headers: list[str]) -> list[ColumnSpec]:
    return [ColumnSpec(f"c{i}", (h.strip(),)) for i, h in enumerate(headers)]


def _expected_text_rows(rows: list[list[str]]) -> list[list[str | None]]:
    expected = [[cell.strip() or None for cell in row] for row in rows]
    return [row for row in expected if any(v is not None for v in row)]


@given(text_tables())
@settings(max_examples=150, deadline=None)
def test_csv_text_round_trip(table: tuple[list[str], list[list[str]]]) -> None:
    headers, rows = table
    result = read_table(csv_bytes(headers, rows), _text_columns(headers))
    assert result.ok, result.errors
    assert result.delimiter == ";"
    assert result.unknown_columns == []
    assert _as_rows(result) == _expected_text_rows(rows)


@given(text_tables())
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_xlsx_text_round_trip(table: tuple[list[str], list[list[str]]]) -> None:
    headers, rows = table
    buffer = io.BytesIO()
    write_xlsx(buffer, headers, rows)
    result = read_table(buffer.getvalue(), _text_columns(headers))
    assert result.ok, result.errors
    expected = [[(c.replace("\r", "").strip() or None) for c in row] for row in rows]
    expected = [row for row in expected if any(v is not None for v in row)]
    actual = [[None if v is None else v.replace("\r", "") for v in row] for row in _as_rows(result)]
    assert actual == expected


@given(st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1, max_size=20))
@settings(max_examples=100, deadline=None)
def test_csv_float_round_trip(values: list[float]) -> None:
    payload = csv_bytes(["Wert"], [[v] for v in values])
    result = read_table(payload, [ColumnSpec("v", ("Wert",), parse=parse_decimal)])
    assert result.ok, result.errors
    assert [r["v"] for r in result.rows] == values


@given(st.lists(st.integers(min_value=-(10**18), max_value=10**18), min_size=1, max_size=20))
@settings(max_examples=100, deadline=None)
def test_csv_int_round_trip(values: list[int]) -> None:
    payload = csv_bytes(["Anzahl"], [[v] for v in values])
    result = read_table(payload, [ColumnSpec("v", ("Anzahl",), parse=parse_int)])
    assert [r["v"] for r in result.rows] == values


@given(
    st.lists(
        st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2099, 12, 31)).map(
            lambda d: d.replace(microsecond=0)
        ),
        min_size=1,
        max_size=10,
    )
)
@settings(max_examples=100, deadline=None)
def test_csv_datetime_round_trip(values: list[datetime]) -> None:
    payload = csv_bytes(["Stand"], [[v] for v in values])
    result = read_table(payload, [ColumnSpec("v", ("Stand",), parse=parse_datetime)])
    assert [r["v"] for r in result.rows] == values


ALL_PARSERS = [
    parse_text,
    parse_decimal,
    parse_int,
    parse_bool,
    parse_datetime,
    parse_date,
    parse_time,
]


@given(st.text(max_size=40))
@settings(max_examples=300, deadline=None)
def test_parsers_raise_only_cell_errors(text: str) -> None:
    for parse in ALL_PARSERS:
        try:
            parse(text)
        except CellError as exc:
            assert str(exc)


def _read_or_format_error(payload: bytes, filename: str | None = None) -> None:
    columns = [*FACILITY_COLUMNS, ColumnSpec("extra", ("Extra",), parse=parse_date)]
    try:
        result = read_table(payload, columns, filename=filename)
    except TableFormatError as exc:
        assert str(exc)
        return
    for error in result.errors:
        assert str(error).startswith("Zeile ")


@given(st.binary(max_size=400))
@settings(max_examples=300, deadline=None)
def test_arbitrary_bytes_raise_only_table_format_error(payload: bytes) -> None:
    _read_or_format_error(payload)


@given(st.binary(max_size=300))
@settings(max_examples=100, deadline=None)
def test_arbitrary_zip_like_bytes_raise_only_table_format_error(payload: bytes) -> None:
    _read_or_format_error(b"PK\x03\x04" + payload)
    _read_or_format_error(payload, filename="kaputt.xlsx")


@given(st.text(max_size=300), st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
@settings(max_examples=300, deadline=None)
def test_arbitrary_text_raises_only_table_format_error(text: str, encoding: str) -> None:
    try:
        payload = text.encode(encoding)
    except UnicodeEncodeError:
        payload = text.encode("utf-8", errors="replace")
    _read_or_format_error(payload)


@given(
    st.lists(
        st.lists(
            st.sampled_from(["Name", "1,5", "ja", '"', '"x"', ";", "\n", "", "zwölf", " "]),
            max_size=6,
        ),
        max_size=6,
    )
)
@settings(max_examples=300, deadline=None)
def test_csv_like_noise_raises_only_table_format_error(lines: list[list[str]]) -> None:
    _read_or_format_error("\n".join(";".join(cells) for cells in lines).encode())


def test_importing_tabular_does_not_load_openpyxl() -> None:
    code = "import sys, krisenstab.exchange.tabular; print('openpyxl' in sys.modules)"
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert output.strip() == "False"
