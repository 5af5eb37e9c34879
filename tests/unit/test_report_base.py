"""The shared base of all printed documents: fonts, safe text, page frame, tables."""

from __future__ import annotations

import builtins
import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, A5
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import PageBreak, Paragraph
from unit.netguard import NetworkAccessError, no_network  # noqa: F401

from krisenstab.assets import resource_path
from krisenstab.reports import fonts
from krisenstab.reports.tables import (
    CORRECTED,
    Cell,
    CellStyle,
    column_widths,
    data_table,
    key_value_table,
)
from krisenstab.reports.template import (
    EXERCISE_WORD,
    VS_NFD,
    DocumentMeta,
    build_pdf,
    content_width,
    styles,
)
from krisenstab.reports.text import clean_text, para, safe_markup, struck_para

pytestmark = pytest.mark.usefixtures("no_network")

CHAIN = "a3f1c9e07b2d4e5f60718293a4b5c6d7e8f90112233445566778899aabbccddee"
HOSTILE = (
    'Anfang <img src="http://x/"> <font face="/etc/passwd">F</font> '
    '<a href="http://x/">L</a> <para> &amp; &#60; &lt; </b> ]]> '
    "\x00\x07\x1b[31m\u202eumgedreht\u202c \ufeff\u00ad Ende"
)
EMOJI = "\U0001f9ef"  # fire extinguisher: not in DejaVu Sans
HEBREW = "שלום עולם"
ARABIC = "مرحبا"


def meta(**overrides: object) -> DocumentMeta:
    values: dict[str, object] = {
        "title": "Lagebericht Nr. 4",
        "staff_name": "Krisenstab Kreis Düren (Muster)",
        "incident": "Hochwasser Rur (Beispiel)",
        "doc_number": "LB-2026-004",
        "doc_id": "3f2a9c1e-0b7d-4c55-9e61-5a0f3c2d1b7e",
        "dtg": "271530nov26",
        "classification": None,
        "chain_head": CHAIN,
        "exercise": False,
        "created_at": datetime(2026, 11, 27, 14, 30, tzinfo=UTC),
    }
    values.update(overrides)
    return DocumentMeta(**values)  # type: ignore[arg-type]


def journal_rows(count: int) -> list[list[str]]:
    return [
        [
            str(i),
            "27.11.2026",
            f"15:{i % 60:02d}",
            f"Meldung {i}: Pegel Düren steigt. Maßnahme: Sandsäcke (Beispiel). " * (1 + i % 3),
        ]
        for i in range(1, count + 1)
    ]


def journal_story(count: int = 80) -> list:
    width = content_width()
    return [
        para("Einsatztagebuch", styles().title),
        data_table(
            ["Lfd. Nr.", "Datum", "Uhrzeit", "Darstellung der Ereignisse"],
            journal_rows(count),
            column_widths(width, 1, 2, 1.5, 12),
            row_styles={2: CORRECTED},
        ),
    ]


def need(binary: str) -> str:
    path = shutil.which(binary)
    if path is None:
        pytest.skip(f"{binary} fehlt (Debian-Paket poppler-utils); Prüfung übersprungen")
    return path


def pdftotext_pages(pdf: bytes, tmp_path: Path, *, raw: bool = False) -> list[str]:
    exe = need("pdftotext")
    source = tmp_path / "doc.pdf"
    source.write_bytes(pdf)
    args = [exe, "-enc", "UTF-8", *(["-raw"] if raw else ["-layout"]), str(source), "-"]
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    pages = out.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b", pdf))


# --------------------------------------------------------------------------- netguard


def test_no_network_fixture_refuses_connect_and_lookup() -> None:
    with pytest.raises(NetworkAccessError):
        socket.getaddrinfo("example.org", 80)
    with pytest.raises(NetworkAccessError):
        socket.create_connection(("127.0.0.1", 9), timeout=0.1)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        with pytest.raises(NetworkAccessError):
            sock.connect(("127.0.0.1", 9))
    finally:
        sock.close()


# --------------------------------------------------------------------------- fonts


def test_shipped_fonts_are_the_recorded_files_with_licences() -> None:
    for name, (filename, sha256) in fonts.FONT_FILES.items():
        path = resource_path("fonts", filename)
        assert fonts.font_path(name) == path
        assert hashlib.sha256(path.read_bytes()).hexdigest() == sha256, filename
    assert resource_path("fonts", "dejavu-license.txt").is_file()
    assert resource_path("fonts", "bitstream-vera-license.txt").is_file()


def test_fonts_register_once_and_repeat_calls_are_cheap() -> None:
    fonts.register_fonts()
    registered = set(pdfmetrics.getRegisteredFontNames())
    assert set(fonts.FONT_FILES) <= registered
    before = pdfmetrics.getFont(fonts.SANS)
    start = time.perf_counter()
    for _ in range(1000):
        fonts.register_fonts()
    assert time.perf_counter() - start < 0.05
    assert pdfmetrics.getFont(fonts.SANS) is before


def test_font_coverage_and_bold_face() -> None:
    sans = fonts.glyph_set(fonts.SANS)
    for char in "ÄÖÜäöüß€–„“" + HEBREW.replace(" ", "") + ARABIC + "Привет":
        assert ord(char) in sans, char
    assert ord(EMOJI) not in sans
    assert ord("ش") not in fonts.glyph_set(fonts.SANS_ITALIC)
    assert fonts.bold_face(fonts.SANS) == fonts.SANS_BOLD
    assert fonts.bold_face(fonts.SANS_ITALIC) == fonts.SANS_BOLD_ITALIC
    assert fonts.bold_face(fonts.CONDENSED) == fonts.CONDENSED_BOLD


# --------------------------------------------------------------------------- text


def test_safe_markup_escapes_all_markup() -> None:
    out = safe_markup('<img src="http://x/"> & <font face="/etc/passwd">')
    assert out == '&lt;img src="http://x/"&gt; &amp; &lt;font face="/etc/passwd"&gt;'
    assert safe_markup("&amp;") == "&amp;amp;"
    assert safe_markup(None) == ""
    assert safe_markup(42) == "42"


def test_control_and_invisible_characters_are_dropped_line_breaks_kept() -> None:
    text = "a\x00b\x07c\x1bd\te\u202ef\ufeffg\u00adh\u200bi"
    assert safe_markup(text) == "abcd efghi"
    assert safe_markup("eins\r\nzwei\rdrei\u2028vier\x0bfünf") == (
        "eins<br/>zwei<br/>drei<br/>vier<br/>fünf"
    )
    assert clean_text("  eins\nzwei  ") == "eins zwei"


def test_missing_glyphs_get_a_visible_code_point() -> None:
    assert safe_markup(f"Lösch{EMOJI}er") == "Lösch[U+1F9EF]er"
    # the emoji presentation selector prints nothing and is dropped silently
    assert safe_markup("\u2764\ufe0f") == "\u2764"
    assert safe_markup("\ue000") == "[U+E000]"  # private use: not in the font
    assert safe_markup("a\udcff") == "a[U+DCFF]"  # lone surrogate (surrogateescape input)
    # coverage is checked against the face actually used
    assert safe_markup(ARABIC, fonts.SANS_ITALIC).count("[U+") == len(ARABIC)
    assert "[U+" not in safe_markup(ARABIC, fonts.SANS)


def test_decomposed_umlauts_are_composed() -> None:
    assert safe_markup("Du\u0308ren") == "Düren"


def test_right_to_left_runs_are_put_in_visual_order() -> None:
    assert clean_text(f"Kontakt: {HEBREW} Ende") == "Kontakt: םלוע םולש Ende"
    # numbers inside a right-to-left run keep their own order
    assert clean_text("שלום 112 עולם") == "םלוע 112 םולש"
    assert clean_text("(שלום)") == "(םולש)"
    assert clean_text("Straße 5") == "Straße 5"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_any_text_becomes_markup_free_paragraph(text: str) -> None:
    markup = safe_markup(text)
    assert "<" not in markup.replace("<br/>", "")
    assert ">" not in markup.replace("<br/>", "")
    assert re.fullmatch(r"(?:[^&]|&(?:amp|lt|gt);)*", markup)
    # every character left is one the font can draw (or a plain space)
    drawable = fonts.glyph_set(fonts.SANS)
    plain = Paragraph(markup, styles().body).getPlainText()
    assert all(ord(c) in drawable or c == " " for c in plain.replace("\n", ""))


def test_para_keeps_hostile_markup_literal() -> None:
    paragraph = para(HOSTILE, styles().body)
    assert "<img" not in paragraph.text and "&lt;img" in paragraph.text
    plain = paragraph.getPlainText()
    assert '<img src="http://x/">' in plain
    assert '<font face="/etc/passwd">F</font>' in plain
    assert "\u202e" not in plain and "\x00" not in plain


def test_struck_para_and_label() -> None:
    paragraph = struck_para("alter <Text>", styles().body, label="Berichtigt durch 17 & 18:")
    assert paragraph.text == (
        "<b>Berichtigt durch 17 &amp; 18:</b> <strike>alter &lt;Text&gt;</strike>"
    )
    assert para("", styles().body, strike=True).text == ""


# --------------------------------------------------------------------------- building


def test_hostile_text_builds_without_network_or_file_access(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fonts.register_fonts()
    styles()
    width = content_width()
    giant = "W" * 10_000
    story = [
        para(HOSTILE, styles().body),
        para(f"{EMOJI} {HEBREW} {ARABIC} Привет ∑ → ✓", styles().body),
        para(giant, styles().body),
        data_table(
            ["Nr.", "Text", "Hinweis"],
            [
                [giant, HOSTILE, giant],
                ["2", f"{EMOJI}{HEBREW}", "Lorem ipsum " * 900],
            ],
            column_widths(width, 1, 4, 3),
        ),
    ]
    opened: list[object] = []

    def no_open(file: object, *args: object, **kwargs: object) -> object:
        opened.append(file)
        raise AssertionError(f"Datei geöffnet während des Aufbaus: {file!r}")

    hostile_meta = meta(title=HOSTILE, incident=f"{HEBREW} {EMOJI}", exercise=True)
    with monkeypatch.context() as patch:
        patch.setattr(builtins, "open", no_open)
        pdf = build_pdf(hostile_meta, story)
    assert opened == []
    assert pdf.startswith(b"%PDF-")
    text = "".join(pdftotext_pages(pdf, tmp_path, raw=True))
    assert '<img src="http://x/">' in text
    assert '<font face="/etc/passwd">F</font>' in text
    assert "[U+1F9EF]" in text


@pytest.mark.parametrize(
    ("pagesize", "landscape", "expected"),
    [(A4, False, (595.28, 841.89)), (A4, True, (841.89, 595.28)), (A5, False, (419.53, 595.28))],
)
def test_page_sizes(pagesize: tuple[float, float], landscape: bool, expected: tuple) -> None:
    pdf = build_pdf(meta(), journal_story(10), pagesize=pagesize, landscape=landscape)
    boxes = {
        tuple(round(float(v), 2) for v in m.split()[2:])
        for m in re.findall(rb"/MediaBox \[([^\]]+)\]", pdf)
    }
    assert boxes == {expected}


def test_long_words_wrap_in_narrow_table_cells_on_a5() -> None:
    width = content_width(A5)
    table = data_table(
        ["Nr.", "Text"],
        [["X" * 10_000, "Y" * 10_000], ["2", "kurz"]],
        column_widths(width, 1, 5),
    )
    pdf = build_pdf(meta(), [table], pagesize=A5)
    assert page_count(pdf) > 5


def test_every_font_is_embedded_and_no_standard_font_is_used(tmp_path: Path) -> None:
    story = [*journal_story(30), para(f"{HEBREW} Привет {EMOJI}", styles().mono)]
    pdf = build_pdf(meta(exercise=True, classification=VS_NFD), story, pagesize=A5)
    # ReportLab-free check that always runs: only embedded TrueType subsets.
    assert b"/Type1" not in pdf
    assert b"/FontFile2" in pdf
    exe = need("pdffonts")
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    out = subprocess.run([exe, str(path)], check=True, capture_output=True, text=True).stdout
    rows = out.splitlines()[2:]
    assert rows, out
    for row in rows:
        columns = row.split()
        assert columns[-5] == "yes", row  # emb
        assert "DejaVu" in columns[0], row


def test_multi_page_table_repeats_header_and_numbers_pages(tmp_path: Path) -> None:
    pdf = build_pdf(meta(page_label="Blatt"), journal_story(120))
    pages = pdftotext_pages(pdf, tmp_path)
    total = len(pages)
    assert total >= 3
    for number, page in enumerate(pages, start=1):
        assert "Darstellung der Ereignisse" in page, number
        assert f"Blatt {number} von {total}" in page
        assert "Kette: a3f1c9e07b2d" in page and "a3f1c9e07b2d4" not in page
        assert "Dok.-ID: 3f2a9c1e-0b7d-4c55-9e61-5a0f3c2d1b7e" in page
    # every row printed once, in order
    text = "\n".join(pages)
    positions = [text.index(f"Meldung {i}:") for i in range(1, 121)]
    assert positions == sorted(positions)


def test_three_pages_say_seite_2_von_3(tmp_path: Path) -> None:
    body = styles().body
    story = [para("Eins", body), PageBreak(), para("Zwei", body), PageBreak(), para("Drei", body)]
    pdf = build_pdf(meta(), story)
    pages = pdftotext_pages(pdf, tmp_path)
    assert len(pages) == 3
    assert "Seite 2 von 3" in pages[1]
    assert "Zwei" in pages[1]


def test_header_and_footer_content(tmp_path: Path) -> None:
    pdf = build_pdf(meta(classification=VS_NFD, exercise=True), [para("Inhalt", styles().body)])
    (page,) = pdftotext_pages(pdf, tmp_path)
    for expected in (
        "Krisenstab Kreis Düren (Muster)",
        "Lagebericht Nr. 4",
        "Ereignis: Hochwasser Rur (Beispiel)",
        "Nr. LB-2026-004",
        "Stand: 271530nov26",
        "Seite 1 von 1",
    ):
        assert expected in page
    # VSA: the marking on top and at the bottom of the page
    assert page.count(VS_NFD) == 2
    lines = [line for line in page.splitlines() if line.strip()]
    assert VS_NFD in lines[0] and VS_NFD in lines[-1]


def test_no_chain_and_no_classification_are_left_out(tmp_path: Path) -> None:
    pdf = build_pdf(meta(chain_head=None, incident="", doc_number=""), [para("x", styles().body)])
    (page,) = pdftotext_pages(pdf, tmp_path)
    assert "Kette" not in page and "Ereignis:" not in page and "VS" not in page


def test_overlong_header_values_are_shortened_not_overflowing(tmp_path: Path) -> None:
    long_title = "Sehr langer Titel " * 40
    pdf = build_pdf(meta(title=long_title, incident="Ereignis " * 60), [], pagesize=A5)
    (page,) = pdftotext_pages(pdf, tmp_path)
    assert "…" in page
    assert long_title.strip() not in page


def test_exercise_watermark_on_every_page(tmp_path: Path) -> None:
    pdf = build_pdf(meta(exercise=True), journal_story(120))
    pages = pdftotext_pages(pdf, tmp_path, raw=True)
    assert len(pages) >= 3
    for page in pages:
        # header tag plus the diagonal watermark (extracted letter by letter)
        assert re.sub(r"\s+", "", page).count(EXERCISE_WORD) >= 2
    real = build_pdf(meta(exercise=False), journal_story(120))
    for page in pdftotext_pages(real, tmp_path, raw=True):
        assert EXERCISE_WORD not in re.sub(r"\s+", "", page)
    # the watermark is translucent (an alpha graphics state on every page)
    assert b"/ca .1" in pdf


def test_rebuild_is_byte_identical_and_dated_from_meta() -> None:
    first = build_pdf(meta(exercise=True, classification=VS_NFD), journal_story())
    second = build_pdf(meta(exercise=True, classification=VS_NFD), journal_story())
    assert first == second
    assert b"D:20261127143000+00'00'" in first
    later = build_pdf(
        meta(exercise=True, classification=VS_NFD, created_at=datetime(2026, 11, 28, tzinfo=UTC)),
        journal_story(),
    )
    assert later != first


def test_rebuild_in_another_process_is_byte_identical(tmp_path: Path) -> None:
    # Same import world as this process (installed package or checkout), but
    # a different hash seed: nothing may depend on set or dict-of-str order.
    script = (
        "import hashlib, importlib, json, sys\n"
        "sys.path[:0] = json.loads(sys.argv[1])\n"
        "m = importlib.import_module(sys.argv[2])\n"
        "print(hashlib.sha256(m.build_pdf(m.meta(exercise=True), m.journal_story())).hexdigest())\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", script, json.dumps(sys.path), __name__],
        check=True,
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    ).stdout.strip()
    local = hashlib.sha256(build_pdf(meta(exercise=True), journal_story())).hexdigest()
    assert out == local


def test_parallel_builds_match_serial_build() -> None:
    expected = build_pdf(meta(), journal_story(40))
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: build_pdf(meta(), journal_story(40)), range(8)))
    assert all(result == expected for result in results)


def test_empty_story_gives_one_page() -> None:
    assert page_count(build_pdf(meta(), [])) == 1


def test_meta_needs_timezone() -> None:
    with pytest.raises(ValueError, match="Zeitzone"):
        meta(created_at=datetime(2026, 11, 27, 14, 30))


# --------------------------------------------------------------------------- tables


def test_data_table_validates_shape() -> None:
    with pytest.raises(ValueError, match="Spaltenbreiten"):
        data_table(["A", "B"], [], [10.0])
    with pytest.raises(ValueError, match="Zeile 2"):
        data_table(["A", "B"], [["1", "2"], ["3"]], [10.0, 10.0])
    with pytest.raises(ValueError):
        column_widths(100.0, 1, 0)


def test_data_table_styles_rows_and_cells() -> None:
    red = colors.HexColor("#FFCDD2")
    rows = [
        ["1", "alt"],
        ["2", Cell("kritisch", CellStyle(background=red, bold=True))],
        ["3", None],
    ]
    table = data_table(["Nr.", "Text"], rows, [40.0, 200.0], row_styles=[CORRECTED, None])
    cells = table._cellvalues
    assert [c.text for c in cells[0]] == ["Nr.", "Text"]
    assert cells[1][1].text == "<strike>alt</strike>"
    assert cells[1][1].style.textColor == CORRECTED.text_color
    assert cells[2][1].style.fontName == fonts.SANS_BOLD
    assert cells[3][1].text == ""
    assert table.repeatRows == 1
    backgrounds = [c for c in table._bkgrndcmds if c[0] == "BACKGROUND" and c[3] == red]
    assert backgrounds == [("BACKGROUND", (1, 2), (1, 2), red)]
    # a cell style adds to the row style
    merged = data_table(
        ["T"], [[Cell("x", CellStyle(bold=True))]], [50.0], row_styles={0: CORRECTED}
    )
    cell = merged._cellvalues[1][0]
    assert cell.text == "<strike>x</strike>" and cell.style.fontName == fonts.SANS_BOLD


def test_condensed_table_and_key_value_table_build(tmp_path: Path) -> None:
    width = content_width(A4, landscape=True)
    table = data_table(
        ["Name", "Funktion", "Telefon", "E-Mail"],
        [["Muster, Erika", "S2", "+49 2421 000000", "s2@beispiel.invalid"]] * 5,
        column_widths(width, 3, 2, 2, 3),
        condensed=True,
    )
    fields = key_value_table(
        [("Vorrangstufe", "Sofort"), ("Inhalt", HOSTILE), ("Leer", None)],
        column_widths(content_width(A5), 1, 3),
    )
    assert isinstance(fields._cellvalues[1][1], Paragraph)
    pdf = build_pdf(meta(), [table, fields], pagesize=A4, landscape=True)
    (page,) = pdftotext_pages(pdf, tmp_path)
    assert "Muster, Erika" in page and "Vorrangstufe" in page
    assert '<img src="http://x/">' in page
