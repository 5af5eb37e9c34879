"""Turn user text into something ReportLab prints faithfully and safely.

ReportLab's ``Paragraph`` parses its input as markup: ``<img src=...>`` would
load a file or URL, ``<font face=...>`` would open a font file, a stray ``&``
or ``<`` breaks the build. Every piece of user text therefore passes
:func:`safe_markup` (for paragraphs) or :func:`clean_text` (for strings drawn
directly on the canvas). Both:

- drop control and invisible format characters (bidi overrides included, so
  text cannot be visually disguised), keep line breaks, turn tabs into spaces;
- replace every character the chosen font cannot draw with a visible
  ``[U+XXXX]``: an emoji in an evidence document must neither vanish nor turn
  into an anonymous box, and the code point keeps the information;
- put right-to-left runs (Hebrew, Arabic) into visual order, because ReportLab
  without the optional rlbidi package lays out every line left to right.
  This is a simplified bidi: right for the usual case of names and short
  phrases inside German text; a right-to-left run that wraps over two lines
  reads in the wrong line order, and Arabic letters print unjoined (isolated
  forms; joining needs uharfbuzz, which is not a dependency).

Very long words need no treatment here: the shared paragraph styles set
``splitLongWords`` and tables split rows across pages (see tables.py).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph

from krisenstab.reports import fonts

# Line separators other than "\n" that users paste (from Word, web pages, SMS).
_LINE_BREAKS = frozenset("\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
# Combining grapheme joiner and variation selectors are category Mn, not Cf,
# but print nothing; the emoji selector U+FE0F would otherwise become a code.
_INVISIBLE = frozenset(
    [0x034F, *range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0), 0x115F, 0x1160, 0x3164, 0xFFA0]
)
_RTL_CLASSES = frozenset({"R", "AL"})
_LTR_CLASSES = frozenset({"L"})
_NUMBER_CLASSES = frozenset({"EN", "AN"})
_NUMBER_GLUE_CLASSES = frozenset({"CS", "ES"})
# Every strong right-to-left character lies in these blocks; a cheap prefilter
# so German text skips the per-character bidi lookup.
_RTL_BLOCKS = re.compile(
    "[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefe\U00010800-\U00010fff\U0001e800-\U0001efff]"
)
_MIRROR = {
    "(": ")",
    ")": "(",
    "[": "]",
    "]": "[",
    "{": "}",
    "}": "{",
    "<": ">",
    ">": "<",
    "«": "»",
    "»": "«",
    "‹": "›",
    "›": "‹",
}


def substitute(char: str) -> str:
    """The visible stand-in for a character the font cannot draw."""
    return f"[U+{ord(char):04X}]"


@lru_cache(maxsize=4096)
def _mapping_for(char: str, font_name: str) -> str | None:
    """What one character becomes: itself, "\n", "", a space or a stand-in.

    Cached per (character, font): a long journal has only a few hundred
    distinct characters, so sanitising costs a set() and a str.translate().
    """
    if char in _LINE_BREAKS:
        return "\n"
    if char == "\t":
        return " "
    code = ord(char)
    category = unicodedata.category(char)
    if category in ("Cc", "Cf") or code in _INVISIBLE:
        return ""
    if char == " " or (category != "Cs" and code in fonts.glyph_set(font_name)):
        return None  # unchanged
    return substitute(char)


def _translate(text: str, font_name: str) -> str:
    table: dict[int, str] = {}
    for char in set(text):
        replacement = _mapping_for(char, font_name)
        if replacement is not None:
            table[ord(char)] = replacement
    return text.translate(table) if table else text


def _tokens(run: str) -> Iterable[str]:
    """Split a right-to-left run into units that keep their inner order.

    A unit is a base character with its combining marks, or a number such as
    "112" or "27.11.2026": digits stay left to right inside RTL text.
    """
    i = 0
    n = len(run)
    while i < n:
        j = i + 1
        if unicodedata.bidirectional(run[i]) in _NUMBER_CLASSES:
            while j < n:
                cls = unicodedata.bidirectional(run[j])
                if cls in _NUMBER_CLASSES:
                    j += 1
                elif (
                    cls in _NUMBER_GLUE_CLASSES
                    and j + 1 < n
                    and unicodedata.bidirectional(run[j + 1]) in _NUMBER_CLASSES
                ):
                    j += 2
                else:
                    break
        else:
            while j < n and unicodedata.combining(run[j]):
                j += 1
        yield run[i:j]
        i = j


def _visual_line(line: str) -> str:
    """Reverse each right-to-left run of one line (a paragraph stays LTR).

    A run reaches from the first to the last strong RTL character with no
    strong LTR character between them; neutrals at its edges stay outside.
    """
    if not _RTL_BLOCKS.search(line):
        return line
    classes = [unicodedata.bidirectional(ch) for ch in line]
    out: list[str] = []
    i = 0
    n = len(line)
    while i < n:
        if classes[i] not in _RTL_CLASSES:
            out.append(line[i])
            i += 1
            continue
        last_rtl = i
        j = i + 1
        while j < n and classes[j] not in _LTR_CLASSES:
            if classes[j] in _RTL_CLASSES:
                last_rtl = j
            j += 1
        run = line[i : last_rtl + 1]
        for token in reversed(list(_tokens(run))):
            out.append(_MIRROR.get(token, token))
        i = last_rtl + 1
    return "".join(out)


def _clean_lines(text: object, font_name: str) -> list[str]:
    if text is None:
        return [""]
    raw = text if isinstance(text, str) else str(text)
    raw = unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\r", "\n"))
    lines = _translate(raw, font_name).split("\n")
    if not _RTL_BLOCKS.search(raw):
        return lines
    return [_visual_line(line) for line in lines]


def clean_text(text: object, font_name: str = fonts.SANS) -> str:
    """User text for plain-string use (canvas drawString, PDF metadata).

    Line breaks become spaces: a header line cannot wrap.
    """
    return " ".join(line.strip() for line in _clean_lines(text, font_name)).strip()


def escape_markup(text: str) -> str:
    """Escape the three characters Paragraph markup reacts to."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def safe_markup(text: object, font_name: str = fonts.SANS) -> str:
    """User text as a Paragraph markup fragment that contains no markup.

    The result may be embedded in trusted markup built by code, e.g.
    ``f"<b>Lage:</b> {safe_markup(user_text)}"``.
    """
    return "<br/>".join(escape_markup(line) for line in _clean_lines(text, font_name))


def para(
    text: object,
    style: ParagraphStyle,
    *,
    strike: bool = False,
    label: str | None = None,
) -> Paragraph:
    """A paragraph of user text, never interpreted as markup.

    ``label`` is a short lead-in printed in bold (e.g. "Berichtigung zu 17:");
    it is escaped too. ``strike`` draws a line through the text but leaves it
    readable, as required for corrected journal entries.
    """
    body = safe_markup(text, style.fontName)
    if strike and body:
        body = f"<strike>{body}</strike>"
    if label:
        body = f"<b>{safe_markup(label, fonts.bold_face(style.fontName))}</b> {body}"
    return Paragraph(body, style)


def struck_para(text: object, style: ParagraphStyle, *, label: str | None = None) -> Paragraph:
    """Like :func:`para`, struck through (the corrected original of an entry)."""
    return para(text, style, strike=True, label=label)
