"""The fonts of every printed document, shipped in resources/fonts/.

Choice: DejaVu Sans (a Bitstream Vera derivative, same look and metrics for
Latin text) instead of the Vera files ReportLab ships. Vera covers German and €
but little else; a journal entry or a contact name may well contain Cyrillic,
Greek, Hebrew, Arabic, arrows or other symbols, and with Vera those would print
as empty boxes. DejaVu Sans covers all of these in regular and bold (the
oblique faces lack Arabic; text.py checks coverage per face and prints a
visible code instead of a missing glyph). The condensed faces serve wide lists
in landscape, the mono face hashes and identifiers.

Never use one of the 14 standard PDF fonts (Helvetica etc.): they are not
embedded, so the printout would depend on the viewer's substitutes. Every style
and canvas call in reports/ uses the names below.

The exact font bytes are part of the output: a released report is reproduced
byte for byte only with the same files, hence the recorded SHA-256 sums.
"""

from __future__ import annotations

import threading
from functools import cache
from pathlib import Path

from reportlab.lib.fonts import ps2tt, tt2ps
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from krisenstab.assets import resource_path

SANS = "DejaVuSans"
SANS_BOLD = "DejaVuSans-Bold"
SANS_ITALIC = "DejaVuSans-Oblique"
SANS_BOLD_ITALIC = "DejaVuSans-BoldOblique"
CONDENSED = "DejaVuSansCondensed"
CONDENSED_BOLD = "DejaVuSansCondensed-Bold"
MONO = "DejaVuSansMono"

# Registered name -> (file in resources/fonts/, SHA-256 of the file).
FONT_FILES: dict[str, tuple[str, str]] = {
    SANS: (
        "DejaVuSans.ttf",
        "abdc775b21b1bc470d50c97e790d276f2054b7504e56e5bd3e64f48d68582322",
    ),
    SANS_BOLD: (
        "DejaVuSans-Bold.ttf",
        "0d977336a6d5fba34eab8e3199eb218327161b5143749f802982c2bc34df0c96",
    ),
    SANS_ITALIC: (
        "DejaVuSans-Oblique.ttf",
        "eef1a593cc0a4654f147fd1aa9a11e7d327eb8be6f3a35099182db6aeb5d28fe",
    ),
    SANS_BOLD_ITALIC: (
        "DejaVuSans-BoldOblique.ttf",
        "b7479266f14d71a019f79cb0ccc23acb6b130483317f7fff16182a0784031c9b",
    ),
    CONDENSED: (
        "DejaVuSansCondensed.ttf",
        "2d8aa290adcf1ebcbb35f63e57cf32941b012eaab4b65096b904112cf3bac972",
    ),
    CONDENSED_BOLD: (
        "DejaVuSansCondensed-Bold.ttf",
        "6d2f2481e2aae944e8411cc5be515c69503ff7f5db52f2c67bcbe5d4de6bec13",
    ),
    MONO: (
        "DejaVuSansMono.ttf",
        "0f5db4f1749979d961019838b160bec74abdf7f9eca69553fe1aa856bbff49a4",
    ),
}

# Family -> faces for <b>/<i> inside paragraphs. Families without a real face
# for a variant fall back to an existing face of ours, never to a standard font.
_FAMILIES: dict[str, tuple[str, str, str, str]] = {
    SANS: (SANS, SANS_BOLD, SANS_ITALIC, SANS_BOLD_ITALIC),
    CONDENSED: (CONDENSED, CONDENSED_BOLD, CONDENSED, CONDENSED_BOLD),
    MONO: (MONO, MONO, MONO, MONO),
}

_lock = threading.Lock()
_registered = False


def font_path(font_name: str) -> Path:
    """The file behind a registered font name."""
    return resource_path("fonts", FONT_FILES[font_name][0])


def register_fonts() -> None:
    """Register all fonts with ReportLab; later calls cost one flag check.

    The lock matters because reports are built on worker threads and two
    first builds may start at the same time.
    """
    global _registered
    if _registered:
        return
    with _lock:
        if _registered:
            return
        for name in FONT_FILES:
            path = font_path(name)
            if not path.is_file():
                raise FileNotFoundError(
                    f"Schriftdatei fehlt: {path}. Die Installation ist unvollständig."
                )
            # asciiReadable keeps ASCII text searchable in the raw PDF;
            # shapable=False because uharfbuzz is not a dependency.
            pdfmetrics.registerFont(TTFont(name, str(path), asciiReadable=True, shapable=False))
        for family, (normal, bold, italic, bold_italic) in _FAMILIES.items():
            pdfmetrics.registerFontFamily(
                family, normal=normal, bold=bold, italic=italic, boldItalic=bold_italic
            )
        _registered = True


@cache
def glyph_set(font_name: str) -> frozenset[int]:
    """Code points the font can draw (cached; one font has a few thousand)."""
    register_fonts()
    font = pdfmetrics.getFont(font_name)
    return frozenset(font.face.charToGlyph)


def bold_face(font_name: str) -> str:
    """The bold face of the family a registered font belongs to."""
    register_fonts()
    family, _bold, italic = ps2tt(font_name)
    return tt2ps(family, 1, italic)
