"""Tables of user text that repeat their header row on every page.

``data_table(headers, rows, col_widths)`` turns rows of plain strings into a
ReportLab ``LongTable``: every cell becomes a safe paragraph (see text.py),
the header row repeats after each page break, and rows taller than a page
(a 10,000-character entry) are split inside the row instead of failing with
a LayoutError. Per-row or per-cell ``CellStyle`` gives strike-through for
corrected entries, bold, text colour and background (e.g. status colours).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from reportlab.lib import colors
from reportlab.lib.colors import Color
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, LongTable, Table, TableStyle

from krisenstab.reports import fonts
from krisenstab.reports.template import styles
from krisenstab.reports.text import para

HEADER_BACKGROUND: Color = colors.HexColor("#DDDDDD")
ZEBRA_BACKGROUND: Color = colors.HexColor("#F3F3F3")
GRID_COLOR: Color = colors.HexColor("#808080")
# Superseded text stays fully legible: a thin line and a slightly lighter ink.
CORRECTED_TEXT: Color = colors.HexColor("#444444")


@dataclass(frozen=True, slots=True)
class CellStyle:
    """How a row or a single cell is set; unset fields leave the default."""

    strike: bool = False
    bold: bool = False
    text_color: Color | None = None
    background: Color | None = None

    def over(self, base: CellStyle | None) -> CellStyle:
        """This style applied on top of ``base`` (cell over row)."""
        if base is None:
            return self
        return CellStyle(
            strike=self.strike or base.strike,
            bold=self.bold or base.bold,
            text_color=self.text_color or base.text_color,
            background=self.background or base.background,
        )


CORRECTED = CellStyle(strike=True, text_color=CORRECTED_TEXT)


@dataclass(frozen=True, slots=True)
class Cell:
    """A cell value with its own style, for rows otherwise given as strings."""

    text: object
    style: CellStyle | None = None


CellValue = str | None | Cell | Flowable
RowStyles = Sequence[CellStyle | None] | Mapping[int, CellStyle]


def column_widths(total_width: float, *weights: float) -> list[float]:
    """Split ``total_width`` in proportion to ``weights`` (e.g. content_width())."""
    if not weights or any(w <= 0 for w in weights):
        raise ValueError("Spaltengewichte müssen positiv sein.")
    whole = sum(weights)
    return [total_width * w / whole for w in weights]


@lru_cache(maxsize=256)
def _derived(base: ParagraphStyle, bold: bool, color_hex: str | None) -> ParagraphStyle:
    """A cell style variant; cached so a 5,000-row table shares a few objects."""
    if not bold and color_hex is None:
        return base
    font = fonts.bold_face(base.fontName) if bold else base.fontName
    return ParagraphStyle(
        f"{base.name}-{'b' if bold else 'r'}-{color_hex or 'k'}",
        parent=base,
        fontName=font,
        textColor=colors.HexColor(color_hex) if color_hex else base.textColor,
    )


def _cell(value: CellValue, row_style: CellStyle | None, base: ParagraphStyle) -> tuple:
    """(flowable, effective style) of one cell."""
    style = row_style
    if isinstance(value, Cell):
        style = value.style.over(row_style) if value.style else row_style
        value = value.text
    if isinstance(value, Flowable):
        return value, style
    effective = style or CellStyle()
    color = effective.text_color.hexval() if effective.text_color is not None else None
    paragraph_style = _derived(base, effective.bold, color)
    return para(value, paragraph_style, strike=effective.strike), style


def _row_style(row_styles: RowStyles | None, index: int) -> CellStyle | None:
    if row_styles is None:
        return None
    if isinstance(row_styles, Mapping):
        return row_styles.get(index)
    return row_styles[index] if index < len(row_styles) else None


def data_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[CellValue]],
    col_widths: Sequence[float],
    *,
    row_styles: RowStyles | None = None,
    condensed: bool = False,
    zebra: bool = True,
    cell_style: ParagraphStyle | None = None,
    header_style: ParagraphStyle | None = None,
) -> LongTable:
    """A table of user text with a header row repeated on every page.

    ``rows`` hold plain strings (never markup), ``None`` for empty, a
    :class:`Cell` for a styled cell, or a ready flowable. ``row_styles`` is
    aligned with ``rows`` (a sequence) or sparse (a mapping row index ->
    style). ``condensed`` uses the narrow font for wide landscape lists.
    """
    if len(col_widths) != len(headers):
        raise ValueError(
            f"{len(headers)} Spaltenköpfe, aber {len(col_widths)} Spaltenbreiten angegeben."
        )
    shared = styles()
    body_style = cell_style or (shared.table_cell_condensed if condensed else shared.table_cell)
    head_style = header_style or (
        shared.table_header_condensed if condensed else shared.table_header
    )
    data: list[list[Flowable]] = [[para(h, head_style) for h in headers]]
    commands: list[tuple] = [
        ("FONTNAME", (0, 0), (-1, -1), body_style.fontName),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_BACKGROUND),
        ("LINEBELOW", (0, 0), (-1, 0), 0.9, colors.black),
        ("INNERGRID", (0, 0), (-1, -1), 0.35, GRID_COLOR),
        ("BOX", (0, 0), (-1, -1), 0.6, colors.black),
    ]
    if zebra and rows:
        commands.append(("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, ZEBRA_BACKGROUND]))
    columns = len(headers)
    for index, row in enumerate(rows):
        if len(row) != columns:
            raise ValueError(f"Zeile {index + 1} hat {len(row)} Zellen, erwartet werden {columns}.")
        row_style = _row_style(row_styles, index)
        table_row = index + 1
        cells: list[Flowable] = []
        for column, value in enumerate(row):
            flowable, effective = _cell(value, row_style, body_style)
            cells.append(flowable)
            if effective is not None and effective.background is not None:
                commands.append(
                    ("BACKGROUND", (column, table_row), (column, table_row), effective.background)
                )
        data.append(cells)
    return LongTable(
        data,
        colWidths=list(col_widths),
        repeatRows=1,
        splitByRow=1,
        splitInRow=1,
        style=TableStyle(commands),
        hAlign="LEFT",
    )


def key_value_table(
    pairs: Sequence[tuple[str, CellValue]],
    col_widths: Sequence[float],
    *,
    label_style: ParagraphStyle | None = None,
    value_style: ParagraphStyle | None = None,
) -> Table:
    """Two columns "label | value" for form-like blocks (message form, report head).

    Labels are code-supplied but escaped like all text; values are user text.
    """
    if len(col_widths) != 2:
        raise ValueError("Eine Feldtabelle hat genau zwei Spalten.")
    shared = styles()
    label = label_style or shared.table_header
    value = value_style or shared.table_cell
    data = [[para(k, label), _cell(v, None, value)[0]] for k, v in pairs] or [["", ""]]
    return Table(
        data,
        colWidths=list(col_widths),
        splitInRow=1,
        hAlign="LEFT",
        style=TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), value.fontName),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ("BACKGROUND", (0, 0), (0, -1), ZEBRA_BACKGROUND),
                ("INNERGRID", (0, 0), (-1, -1), 0.35, GRID_COLOR),
                ("BOX", (0, 0), (-1, -1), 0.6, colors.black),
            ]
        ),
    )
