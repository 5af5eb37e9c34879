"""Reading speed of krisenstab.exchange.tabular on a facility-sized file.

Run on demand:  python tests/benchmarks/bench_tabular.py [rows]

Generates a 10,000-row German CSV (Windows-1252, ";", decimal comma,
18 columns), then times, best of several runs each:
  * baseline: decode + plain csv.reader over the same bytes,
  * read_table with 18 typed columns,
  * the same plus a UTMREF position column parsed by geo.parse_position,
  * read_table on the same table as XLSX, stored the way Excel stores it
    (shared strings) and as write_xlsx (openpyxl) writes it (inline strings).
The facility import has a budget of 5 s for 10,000 rows overall.
"""

from __future__ import annotations

import csv
import io
import random
import re
import sys
import time
import zipfile
from collections.abc import Callable
from datetime import datetime, timedelta

import openpyxl

from krisenstab.domain.geo import Position, format_utmref, parse_position
from krisenstab.exchange.tabular import (
    ColumnSpec,
    csv_bytes,
    parse_bool,
    parse_datetime,
    parse_decimal,
    parse_int,
    read_table,
    write_xlsx,
)

MUNICIPALITIES = ["Aldenhoven", "Düren", "Heimbach", "Hürtgenwald", "Inden", "Jülich", "Kreuzau"]
SECTORS = ["Energie", "Wasser", "Gesundheit", "Ernährung", "Staat und Verwaltung"]

COLUMNS = [
    ColumnSpec("name", ("Bezeichnung",), required=True),
    ColumnSpec("sector", ("Sektor",)),
    ColumnSpec("operator", ("Betreiber",)),
    ColumnSpec("street", ("Straße",)),
    ColumnSpec("postcode", ("PLZ",)),
    ColumnSpec("town", ("Ort",)),
    ColumnSpec("phone_24h", ("Telefon 24/7",)),
    ColumnSpec("emergency_power", ("Notstrom",), parse=parse_bool),
    ColumnSpec("autonomy_h", ("Autarkie (h)",), parse=parse_decimal),
    ColumnSpec("fuel_l", ("Kraftstoffvorrat (l)",), parse=parse_decimal),
    ColumnSpec("consumption_lph", ("Verbrauch (l/h)",), parse=parse_decimal),
    ColumnSpec("persons", ("Versorgte Personen",), parse=parse_int),
    ColumnSpec("sensitive", ("Sensible Verbraucher",), parse=parse_int),
    ColumnSpec("redundancy", ("Redundanz",), parse=parse_bool),
    ColumnSpec("status", ("Status",)),
    ColumnSpec("checked_at", ("Stand",), parse=parse_datetime),
    ColumnSpec("lat", ("Breite",), parse=parse_decimal),
    ColumnSpec("lon", ("Länge",), parse=parse_decimal),
]
HEADERS = [spec.aliases[0] for spec in COLUMNS]


def _rows(count: int) -> list[list[object]]:
    rng = random.Random(5358)
    start = datetime(2026, 11, 1, 8, 0)
    rows: list[list[object]] = []
    for index in range(count):
        town = rng.choice(MUNICIPALITIES)
        rows.append(
            [
                f"Musterobjekt {index:05d}",
                rng.choice(SECTORS),
                f"Beispiel-Betreiber {index % 97} GmbH",
                f"Musterstraße {rng.randint(1, 200)}",
                f"52{rng.randint(300, 459)}",
                town,
                f"02421 {rng.randint(100000, 999999)}",
                rng.random() < 0.6,
                round(rng.uniform(2, 96), 1),
                round(rng.uniform(50, 20000), 2),
                round(rng.uniform(1, 80), 2),
                rng.randint(0, 60000),
                rng.randint(0, 300),
                rng.random() < 0.3,
                rng.choice(["in Betrieb", "eingeschränkt", "ausgefallen"]),
                start + timedelta(minutes=rng.randint(0, 40000)),
                round(rng.uniform(50.60, 51.05), 5),
                round(rng.uniform(6.25, 6.75), 5),
            ]
        )
    return rows


def _excel_like(rows: list[list[object]]) -> bytes:
    """The table stored the way Excel stores it.

    openpyxl writes every string inline; Excel and LibreOffice use a shared
    string table and declare the sheet's <dimension> (without it openpyxl's
    read-only mode scans the sheet twice).  A normal openpyxl workbook gets
    the dimension; the strings are then moved into sharedStrings.xml.
    """
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    strings: dict[str, int] = {}

    def shared(match: re.Match[str]) -> str:
        index = strings.setdefault(match.group(2), len(strings))
        return f'<c r="{match.group(1)}" t="s"><v>{index}</v></c>'

    sheet_xml = re.sub(
        r'<c r="([A-Z]+[0-9]+)" t="inlineStr"><is><t>(.*?)</t></is></c>',
        shared,
        source.read("xl/worksheets/sheet1.xml").decode("utf-8"),
    )
    table = "".join(f"<si><t>{text}</t></si>" for text in strings)
    sst = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<sst xmlns="{MAIN_NS}" count="{len(strings)}" uniqueCount="{len(strings)}">{table}</sst>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                data = sheet_xml.encode("utf-8")
            elif name == "[Content_Types].xml":
                data = data.replace(b"</Types>", SST_CONTENT_TYPE + b"</Types>")
            elif name == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", SST_RELATIONSHIP + b"</Relationships>")
            target.writestr(name, data)
        target.writestr("xl/sharedStrings.xml", sst)
    return out.getvalue()


MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SST_CONTENT_TYPE = (
    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
)
SST_RELATIONSHIP = (
    b'<Relationship Id="rIdSharedStrings" Type="http://schemas.openxmlformats.org/'
    b'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
)


def _best(action: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        began = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - began)
    return best


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    rows = _rows(count)
    # The writer produces UTF-8; re-encode as Windows-1252 like an Excel
    # "CSV (Trennzeichen-getrennt)" export from a German Windows.
    payload = csv_bytes(HEADERS, rows).decode("utf-8-sig").encode("cp1252")

    with_position = [*COLUMNS, ColumnSpec("pos", ("UTMREF",), parse=parse_position)]
    position_payload = (
        csv_bytes(
            [*HEADERS, "UTMREF"],
            [[*row, format_utmref(Position(row[16], row[17]))] for row in rows],  # type: ignore[arg-type]
        )
        .decode("utf-8-sig")
        .encode("cp1252")
    )
    xlsx_buffer = io.BytesIO()
    write_xlsx(xlsx_buffer, HEADERS, rows)
    xlsx_payload = xlsx_buffer.getvalue()
    excel_payload = _excel_like(rows)

    def baseline() -> object:
        text = payload.decode("cp1252")
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))

    def typed() -> object:
        result = read_table(payload, COLUMNS)
        assert result.ok and len(result.rows) == count, result.errors[:3]
        assert result.encoding == "cp1252" and result.delimiter == ";"
        return result

    def positions() -> object:
        result = read_table(position_payload, with_position)
        assert result.ok and len(result.rows) == count, result.errors[:3]
        return result

    def xlsx(data: bytes) -> Callable[[], object]:
        def run() -> object:
            result = read_table(data, COLUMNS, filename="objekte.xlsx")
            assert result.ok and len(result.rows) == count, result.errors[:3]
            return result

        return run

    parse_position("32U LB 2264 3108")  # load mgrs/pyproj outside the timing
    base = _best(baseline, 7)
    figures = [
        ("read_table, 18 typed columns", _best(typed, 5)),
        ("  + UTMREF column via parse_position", _best(positions, 3)),
        ("XLSX stored as Excel stores it", _best(xlsx(excel_payload), 2)),
        ("XLSX as written by write_xlsx", _best(xlsx(xlsx_payload), 2)),
    ]
    print(f"rows: {count}, columns: {len(COLUMNS)}, CSV size: {len(payload) / 1e6:.2f} MB (cp1252)")
    print(f"XLSX size: {len(excel_payload) / 1e6:.2f} MB")
    print(f"{'baseline: decode + csv.reader':40s} {base * 1000:8.1f} ms   1.0x")
    for label, seconds in figures:
        print(f"{label:40s} {seconds * 1000:8.1f} ms  {seconds / base:5.1f}x")
    budget = 5.0 * count / 10_000
    worst = max(seconds for _, seconds in figures)
    print(f"slowest path uses {worst / budget:.0%} of the import budget ({budget:.1f} s)")


if __name__ == "__main__":
    main()
