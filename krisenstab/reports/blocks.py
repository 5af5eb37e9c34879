"""Small building blocks shared by the documents of this package.

Status colours of KRITIS objects, the "keine Angaben" line of an empty
section, time as the staff reads it (local time and date-time group), and the
signature block. All text passes the safe paragraph functions of text.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache

from reportlab.lib import colors
from reportlab.lib.colors import Color
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    HRFlowable,
    Spacer,
    Table,
    TableStyle,
)

from krisenstab.domain.timefmt import format_dtg, format_local
from krisenstab.reports import fonts
from krisenstab.reports.tables import GRID_COLOR, CellStyle
from krisenstab.reports.template import styles
from krisenstab.reports.text import para

__all__ = [
    "OVERDUE",
    "STATUS_STYLES",
    "empty_note",
    "extra_styles",
    "heading",
    "persons",
    "signature_block",
    "status_style",
    "when",
    "when_short",
]

# Status colours: light enough for black text and a black-and-white copier;
# violet stays reserved for the exercise marking.
STATUS_COLORS: dict[str, Color] = {
    "ausgefallen": colors.HexColor("#F4B6B0"),
    "Notstrombetrieb": colors.HexColor("#FFD39A"),
    "eingeschränkt": colors.HexColor("#FBEBA0"),
    "unbekannt": colors.HexColor("#D9D9D9"),
    "betriebsbereit": colors.HexColor("#CDEBC8"),
}
STATUS_STYLES: dict[str, CellStyle] = {
    status: CellStyle(background=color, bold=status == "ausgefallen")
    for status, color in STATUS_COLORS.items()
}
OVERDUE = CellStyle(bold=True, text_color=colors.HexColor("#B00000"))


def status_style(status: str) -> CellStyle | None:
    return STATUS_STYLES.get(status)


@cache
def extra_styles() -> dict[str, ParagraphStyle]:
    """Derived styles (from the shared ones, so the fonts stay embedded)."""
    shared = styles()
    return {
        "empty": ParagraphStyle(
            "ks-empty", parent=shared.body, fontName=fonts.SANS_ITALIC, textColor=colors.grey
        ),
        "note": ParagraphStyle(
            "ks-note", parent=shared.small, fontName=fonts.SANS_ITALIC, textColor=colors.black
        ),
        # Headings that may stay at the foot of a page above a long table;
        # keepWithNext would push the whole table to the next page and leave
        # the rest of this one empty. heading() adds a conditional break instead.
        "heading": ParagraphStyle("ks-heading-free", parent=shared.heading, keepWithNext=0),
        "subheading": ParagraphStyle(
            "ks-subheading-free", parent=shared.subheading, keepWithNext=0
        ),
        "lead": ParagraphStyle(
            "ks-lead",
            parent=shared.small,
            fontName=fonts.SANS_ITALIC,
            spaceAfter=2,
        ),
        "draft": ParagraphStyle(
            "ks-draft",
            parent=shared.body,
            fontName=fonts.SANS_BOLD,
            textColor=colors.HexColor("#B00000"),
        ),
        "label": ParagraphStyle("ks-label", parent=shared.small, fontName=fonts.SANS_BOLD),
        "signature": ParagraphStyle("ks-signature", parent=shared.small, leading=11),
    }


def when(value: datetime | None) -> str:
    """``27.11.2026 15:30 (271530nov26)``; a dash for no time."""
    if value is None:
        return "–"
    return f"{format_local(value)} ({format_dtg(value)})"


def persons(count: int) -> str:
    """``12.500``: German thousands separator, independent of the machine's locale."""
    return f"{count:,}".replace(",", ".") if count else ""


def when_short(value: datetime | None) -> str:
    return format_dtg(value) if value is not None else "–"


def heading(text: str, *, level: int = 1) -> list[Flowable]:
    """A heading that starts a new page only when less than a few lines remain."""
    extra = extra_styles()
    style = extra["heading"] if level == 1 else extra["subheading"]
    room = (32 if level == 1 else 24) * mm
    return [CondPageBreak(room), para(text, style)]


def empty_note(text: str = "keine Angaben") -> Flowable:
    return para(f"– {text} –", extra_styles()["empty"])


def signature_block(
    fields: Sequence[tuple[str, str]], width: float, *, lines: bool = True
) -> list[Flowable]:
    """Boxes side by side: a heading, a pre-filled text and a line to sign on.

    A list, not a KeepTogether: callers keep it together with what precedes
    it (a nested KeepTogether reports an endless height and forces a page break).
    """
    extra = extra_styles()
    cells = []
    for heading, text in fields:
        parts: list[Flowable] = [para(heading, extra["label"]), para(text, extra["signature"])]
        if lines:
            parts.append(Spacer(0, 20))
            parts.append(HRFlowable(width="90%", thickness=0.5, color=colors.black, hAlign="LEFT"))
            parts.append(para("Datum, Unterschrift", extra["note"]))
        cells.append(parts)
    count = max(1, len(cells))
    table = Table(
        [cells],
        colWidths=[width / count] * count,
        hAlign="LEFT",
        style=TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), fonts.SANS),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BOX", (0, 0), (-1, -1), 0.6, colors.black),
                ("INNERGRID", (0, 0), (-1, -1), 0.35, GRID_COLOR),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        ),
    )
    return [Spacer(0, 8), table]
