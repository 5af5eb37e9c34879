"""Long lists (thousands of rows) laid out in time linear in the number of rows.

ReportLab's ``LongTable`` copies all remaining rows each time it splits at a
page end, so a 10,000-entry journal costs quadratic time (measured: 17 s for
10,000 rows, against 1.5 s for 2,000), and its generic cell handling and the
Paragraph line breaker cost most of the rest. :func:`windowed_table` returns a
:class:`RowList` instead: it measures rows only until a page is full and draws
each page's rows itself, with the look of :func:`~krisenstab.reports.tables.data_table`
(fonts, paddings, header background and repeated header row, grid, box,
zebra rows, per-cell colours). A row taller than a page is split inside.

Cells are :class:`FastText`: plain user text, cleaned like all text (see
text.clean_text), broken into lines with cached word widths, never parsed as
markup. They are built once, when their row is first measured.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import NamedTuple

from reportlab.lib import colors
from reportlab.lib.colors import Color
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

from krisenstab.reports import fonts
from krisenstab.reports.tables import (
    GRID_COLOR,
    HEADER_BACKGROUND,
    ZEBRA_BACKGROUND,
    Cell,
    CellStyle,
    CellValue,
)
from krisenstab.reports.template import styles
from krisenstab.reports.text import clean_text

__all__ = [
    "FastText",
    "RowList",
    "Stack",
    "cell_flowable",
    "fast_text",
    "variant",
    "windowed_table",
]

_BEYOND_ANY_PAGE = 100_000.0
# Cell paddings of data_table (tables.py), so long and short lists look alike.
_PAD_LEFT = 3.0
_PAD_X = 6.0
_PAD_TOP = 2.0
_PAD_BOTTOM = 3.0


@lru_cache(maxsize=131_072)
def _width(word: str, font: str, size: float) -> float:
    return stringWidth(word, font, size)


class _Run(NamedTuple):
    x: float
    text: str
    segment: int
    width: float


class FastText(Flowable):
    """Plain text set in lines, for the cells of long lists: no markup at all.

    A Paragraph parses markup, builds fragments and breaks lines in pure
    Python; for a journal of 10,000 entries that was most of the build time.
    This flowable takes text segments (each with its font, colour and
    strike-through), cleans them like all user text (text.clean_text: control
    characters dropped, missing glyphs shown as [U+XXXX], right-to-left runs in
    visual order, per source line), breaks lines greedily at spaces (a word
    wider than the column is cut where the column ends) and draws each line
    with one text object. Word widths are cached across the document. Being
    markup-free, nothing in the text can make ReportLab load a file or URL.
    """

    def __init__(
        self,
        segments: Sequence[tuple[object, str, bool, Color | None]],
        style: ParagraphStyle,
        *,
        _tokens: list[tuple[str, int] | None] | None = None,
    ) -> None:
        super().__init__()
        self.style = style
        self.size = float(style.fontSize)
        self.leading = float(style.leading)
        self.fonts = [font for _text, font, _strike, _color in segments]
        self.strikes = [strike for _text, _font, strike, _color in segments]
        self.colors = [color or style.textColor for _text, _font, _strike, color in segments]
        self.tokens = _tokens if _tokens is not None else self._tokenize(segments)
        self._memo_width: float | None = None
        self.lines: list[list[_Run]] = []

    @staticmethod
    def _tokenize(
        segments: Sequence[tuple[object, str, bool, Color | None]],
    ) -> list[tuple[str, int] | None]:
        """Words with their segment; None is a line break."""
        tokens: list[tuple[str, int] | None] = []
        for index, (text, font, _strike, _color) in enumerate(segments):
            if text is None:
                continue
            raw = text if isinstance(text, str) else str(text)
            lines = raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")
            for number, line in enumerate(lines):
                if number:
                    tokens.append(None)
                cleaned = clean_text(line, font)
                tokens.extend((word, index) for word in cleaned.split(" ") if word)
        while tokens and tokens[-1] is None:
            tokens.pop()
        return tokens

    def _layout(self, width: float) -> list[list[tuple[str, int]]]:
        size = self.size
        lines: list[list[tuple[str, int]]] = []
        current: list[tuple[str, int]] = []
        x = 0.0
        for token in self.tokens:
            if token is None:
                lines.append(current)
                current, x = [], 0.0
                continue
            word, segment = token
            font = self.fonts[segment]
            w = _width(word, font, size)
            gap = _width(" ", font, size) if current else 0.0
            if x + gap + w <= width:
                current.append(token)
                x += gap + w
                continue
            if w <= width:
                lines.append(current)
                current, x = [token], w
                continue
            # A word wider than the column: cut it where the column ends.
            if current:
                lines.append(current)
                current, x = [], 0.0
            rest = word
            while rest:
                cut = self._fit(rest, font, width)
                piece, rest = rest[:cut], rest[cut:]
                if rest:
                    lines.append([(piece, segment)])
                else:
                    current, x = [(piece, segment)], _width(piece, font, size)
        if current or not lines:
            lines.append(current)
        if lines and not lines[-1] and len(lines) == 1:
            return []
        return lines

    def _fit(self, word: str, font: str, width: float) -> int:
        lo, hi = 1, len(word)
        while lo < hi:  # longest prefix that fits (at least one character)
            mid = (lo + hi + 1) // 2
            if stringWidth(word[:mid], font, self.size) <= width:
                lo = mid
            else:
                hi = mid - 1
        return lo

    def _runs(self, line: list[tuple[str, int]]) -> list[_Run]:
        runs: list[_Run] = []
        x = 0.0
        words: list[str] = []
        segment = -1
        start = 0.0
        width = 0.0
        for word, seg in line:
            font = self.fonts[seg]
            if words and seg == segment:
                gap = _width(" ", font, self.size)
                words.append(word)
                width += gap + _width(word, font, self.size)
                continue
            if words:
                runs.append(_Run(start, " ".join(words), segment, width))
                x = start + width + _width(" ", self.fonts[segment], self.size)
            words, segment, start = [word], seg, x
            width = _width(word, font, self.size)
        if words:
            runs.append(_Run(start, " ".join(words), segment, width))
        return runs

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        if self._memo_width != aw:
            self.lines = [self._runs(line) for line in self._layout(aw)]
            self._memo_width = aw
        self.width = aw
        self.height = len(self.lines) * self.leading
        return aw, self.height

    def split(self, aw: float, ah: float) -> list[Flowable]:
        # A ReportLab Table measures a cell at its inner width but asks it to
        # split at the full column width: keep the lines it measured.
        if self._memo_width is None or aw < self._memo_width:
            self.wrap(aw, ah)
        fit = int(ah // self.leading)
        if fit < 1:
            return []
        if fit >= len(self.lines):
            return [self]
        head = self._part(self.lines[:fit])
        tail = self._part(self.lines[fit:])
        return [head, tail]

    def _part(self, lines: list[list[_Run]]) -> FastText:
        tokens: list[tuple[str, int] | None] = []
        for number, line in enumerate(lines):
            if number:
                tokens.append(None)
            tokens.extend((word, run.segment) for run in line for word in run.text.split(" "))
        segments = [
            ("", font, strike, color)
            for font, strike, color in zip(self.fonts, self.strikes, self.colors, strict=True)
        ]
        part = FastText(segments, self.style, _tokens=tokens)
        part.lines = lines
        part._memo_width = self._memo_width
        return part

    def emit(self, text: object, x0: float, top: float, state: _TextState) -> None:
        """Add this text to a shared text object, its top-left corner at (x0, top)."""
        size = self.size
        y = top - size
        for line in self.lines:
            for run in line:
                font = self.fonts[run.segment]
                color = self.colors[run.segment]
                if font != state.font or size != state.size:
                    text.setFont(font, size)  # type: ignore[attr-defined]
                    state.font, state.size = font, size
                if color != state.color:
                    text.setFillColor(color)  # type: ignore[attr-defined]
                    state.color = color
                text.setTextOrigin(x0 + run.x, y)  # type: ignore[attr-defined]
                text.textOut(run.text)  # type: ignore[attr-defined]
                if self.strikes[run.segment]:
                    state.strikes.append((x0 + run.x, y + size * 0.3, run.width, color))
            y -= self.leading

    def draw(self) -> None:
        state = _TextState()
        text = self.canv.beginText()
        self.emit(text, 0.0, self.height, state)
        self.canv.drawText(text)
        state.draw_strikes(self.canv, getattr(self.style, "strikeWidth", 0.6) or 0.6)


class _TextState:
    """Font and colour already set in a shared text object; strike lines to draw after it."""

    __slots__ = ("color", "font", "size", "strikes")

    def __init__(self) -> None:
        self.font: str | None = None
        self.size: float | None = None
        self.color: Color | None = None
        self.strikes: list[tuple[float, float, float, Color]] = []

    def draw_strikes(self, canvas: object, width: float = 0.6) -> None:
        if not self.strikes:
            return
        canvas.saveState()  # type: ignore[attr-defined]
        canvas.setLineWidth(width)  # type: ignore[attr-defined]
        for x, line_y, length, color in self.strikes:
            canvas.setStrokeColor(color)  # type: ignore[attr-defined]
            canvas.line(x, line_y, x + length, line_y)  # type: ignore[attr-defined]
        canvas.restoreState()  # type: ignore[attr-defined]


def fast_text(
    text: object,
    style: ParagraphStyle,
    *,
    strike: bool = False,
    label: str | None = None,
    note: str | None = None,
) -> FastText:
    """User text for long lists: optional bold ``label`` and regular ``note`` in front.

    Only the text itself is struck through (a corrected journal entry); the
    lead-in stays plain so the reference to the correction reads clearly.
    """
    segments: list[tuple[object, str, bool, Color | None]] = []
    if label:
        segments.append((label, fonts.bold_face(style.fontName), False, None))
    if note:
        segments.append((note, style.fontName, False, None))
    segments.append((text, style.fontName, strike, None))
    return FastText(segments, style)


@lru_cache(maxsize=256)
def _variant(base: ParagraphStyle, bold: bool, color_hex: str | None) -> ParagraphStyle:
    if not bold and color_hex is None:
        return base
    return ParagraphStyle(
        f"{base.name}-w{'b' if bold else 'r'}-{color_hex or 'k'}",
        parent=base,
        fontName=fonts.bold_face(base.fontName) if bold else base.fontName,
        textColor=colors.HexColor(color_hex) if color_hex else base.textColor,
    )


def variant(base: ParagraphStyle, style: CellStyle | None) -> ParagraphStyle:
    """``base`` in the bold face and text colour a CellStyle asks for."""
    if style is None:
        return base
    color = style.text_color.hexval() if style.text_color is not None else None
    return _variant(base, style.bold, color)


def cell_flowable(
    value: CellValue, row_style: CellStyle | None, base: ParagraphStyle
) -> tuple[Flowable, CellStyle | None]:
    """One cell as a safe paragraph (or the given flowable) and its effective style."""
    style = row_style
    if isinstance(value, Cell):
        style = value.style.over(row_style) if value.style else row_style
        value = value.text
    if isinstance(value, Flowable):
        return value, style
    effective = style or CellStyle()
    color = effective.text_color.hexval() if effective.text_color is not None else None
    cell = fast_text(value, _variant(base, effective.bold, color), strike=effective.strike)
    return cell, style


class Stack(Flowable):
    """Several flowables of one cell stacked (rare: a remainder of mixed content)."""

    def __init__(self, parts: list[Flowable]) -> None:
        super().__init__()
        self.parts = parts

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        height = 0.0
        width = 0.0
        for part in self.parts:
            w, h = part.wrap(aw, ah)
            width = max(width, w)
            height += h
        self.width, self.height = width, height
        return width, height

    def draw(self) -> None:
        y = self.height
        for part in self.parts:
            y -= part.height
            part.drawOn(self.canv, 0, y)

    def split(self, aw: float, ah: float) -> list[Flowable]:
        used = 0.0
        for index, part in enumerate(self.parts):
            _w, h = part.wrap(aw, ah)
            if used + h > ah:
                pieces = part.split(aw, ah - used)
                head = self.parts[:index] + (pieces[:1] if pieces else [])
                tail = (pieces[1:] if pieces else [part]) + self.parts[index + 1 :]
                if not head:
                    return []
                return [Stack(head), Stack(tail)]
            used += h
        return [self]


class _Source:
    """The rows of one long list, their ready cells and measured heights."""

    def __init__(
        self,
        headers: Sequence[str],
        rows: Sequence[Sequence[CellValue]],
        col_widths: Sequence[float],
        row_styles: Sequence[CellStyle | None] | dict[int, CellStyle] | None,
        condensed: bool,
        zebra: bool,
    ) -> None:
        if len(col_widths) != len(headers):
            raise ValueError(
                f"{len(headers)} Spaltenköpfe, aber {len(col_widths)} Spaltenbreiten angegeben."
            )
        shared = styles()
        self.base = shared.table_cell_condensed if condensed else shared.table_cell
        head_style = shared.table_header_condensed if condensed else shared.table_header
        self.header = [fast_text(h, head_style) for h in headers]
        self.rows = rows
        self.col_widths = [float(w) for w in col_widths]
        self.row_styles = row_styles
        self.zebra = zebra
        self.cache: dict[int, tuple[list[Flowable], list[Color | None]]] = {}
        self.heights: dict[int, float] = {}
        self.width_measured: float | None = None
        self.tallest = 0.0  # the largest space the list was asked to fill: a full page

    def style_of(self, index: int) -> CellStyle | None:
        if self.row_styles is None:
            return None
        if isinstance(self.row_styles, dict):
            return self.row_styles.get(index)
        return self.row_styles[index] if index < len(self.row_styles) else None

    def cells(self, index: int) -> tuple[list[Flowable], list[Color | None]]:
        """Row ``index`` as flowables, with each cell's background (None: zebra/white)."""
        found = self.cache.get(index)
        if found is not None:
            return found
        row = self.rows[index]
        if len(row) != len(self.header):
            raise ValueError(
                f"Zeile {index + 1} hat {len(row)} Zellen, erwartet werden {len(self.header)}."
            )
        row_style = self.style_of(index)
        flowables: list[Flowable] = []
        backgrounds: list[Color | None] = []
        for value in row:
            flowable, effective = cell_flowable(value, row_style, self.base)
            flowables.append(flowable)
            backgrounds.append(effective.background if effective is not None else None)
        self.cache[index] = (flowables, backgrounds)
        return flowables, backgrounds

    def forget_before(self, index: int) -> None:
        for key in [k for k in self.cache if k < index]:
            del self.cache[key]
            self.heights.pop(key, None)

    def zebra_color(self, index: int) -> Color | None:
        return ZEBRA_BACKGROUND if self.zebra and index % 2 else None


def _cell_height(cell: Flowable, width: float) -> float:
    return cell.wrap(width - _PAD_X, _BEYOND_ANY_PAGE)[1]


def _row_height(cells: Sequence[Flowable | None], widths: Sequence[float]) -> float:
    tallest = 0.0
    for cell, width in zip(cells, widths, strict=True):
        if cell is not None:
            tallest = max(tallest, _cell_height(cell, width))
    return tallest + _PAD_TOP + _PAD_BOTTOM


class _Row(NamedTuple):
    cells: list[Flowable | None]
    backgrounds: list[Color | None]
    zebra: Color | None
    height: float


class _PageRows(Flowable):
    """One page's share of a long list: header row plus body rows, drawn directly.

    Drawn like :func:`~krisenstab.reports.tables.data_table` (same fonts,
    paddings, header background, grid, box and zebra), without a ReportLab
    Table: measuring and drawing cost only what the cells themselves cost.
    """

    def __init__(self, source: _Source, rows: list[_Row]) -> None:
        super().__init__()
        self.source = source
        self.rows = rows
        widths = source.col_widths
        self.header_height = _row_height(source.header, widths)
        self.width = sum(widths)
        self.height = self.header_height + sum(r.height for r in rows)

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        return self.width, self.height

    def split(self, aw: float, ah: float) -> list[Flowable]:
        return []

    def draw(self) -> None:
        canvas = self.canv
        widths = self.source.col_widths
        xs = [0.0]
        for w in widths:
            xs.append(xs[-1] + w)
        total = xs[-1]
        canvas.saveState()
        # Backgrounds first: header, zebra, then cell colours on top.
        top = self.height
        canvas.setFillColor(HEADER_BACKGROUND)
        canvas.rect(0, top - self.header_height, total, self.header_height, stroke=0, fill=1)
        y = top - self.header_height
        for row in self.rows:
            if row.zebra is not None:
                canvas.setFillColor(row.zebra)
                canvas.rect(0, y - row.height, total, row.height, stroke=0, fill=1)
            for column, background in enumerate(row.backgrounds):
                if background is not None:
                    canvas.setFillColor(background)
                    canvas.rect(xs[column], y - row.height, widths[column], row.height, 0, 1)
            y -= row.height
        # Cell contents, top aligned, all plain text of the page in one text object.
        text = canvas.beginText()
        state = _TextState()
        others: list[tuple[Flowable, float, float]] = []
        self._place(self.source.header, top, xs, text, state, others)
        y = top - self.header_height
        for row in self.rows:
            self._place(row.cells, y, xs, text, state, others)
            y -= row.height
        canvas.drawText(text)
        state.draw_strikes(canvas)
        for cell, x, cell_top in others:
            cell.drawOn(canvas, x, cell_top - cell.height)
        # Grid: inner lines, the rule under the header, the box.
        canvas.setStrokeColor(GRID_COLOR)
        canvas.setLineWidth(0.35)
        path = canvas.beginPath()
        y = top - self.header_height
        for row in self.rows[:-1]:
            y -= row.height
            path.moveTo(0, y)
            path.lineTo(total, y)
        for x in xs[1:-1]:
            path.moveTo(x, 0)
            path.lineTo(x, top)
        canvas.drawPath(path, stroke=1, fill=0)
        canvas.setStrokeColor(colors.black)
        canvas.setLineWidth(0.9)
        canvas.line(0, top - self.header_height, total, top - self.header_height)
        canvas.setLineWidth(0.6)
        canvas.rect(0, 0, total, top, stroke=1, fill=0)
        canvas.restoreState()

    def _place(
        self,
        cells: Sequence[Flowable | None],
        row_top: float,
        xs: list[float],
        text: object,
        state: _TextState,
        others: list[tuple[Flowable, float, float]],
    ) -> None:
        widths = self.source.col_widths
        for column, cell in enumerate(cells):
            if cell is None:
                continue
            cell.wrap(widths[column] - _PAD_X, _BEYOND_ANY_PAGE)
            x = xs[column] + _PAD_LEFT
            cell_top = row_top - _PAD_TOP
            parts = cell.parts if isinstance(cell, Stack) else [cell]
            if all(isinstance(p, FastText) for p in parts):
                for part in parts:
                    part.emit(text, x, cell_top, state)  # type: ignore[union-attr]
                    cell_top -= part.height
            else:
                others.append((cell, x, cell_top))


class RowList(Flowable):
    """The rows from ``start`` on (plus a carried remainder) of a long list.

    Asked to fill a space, it measures rows until the space is full and hands
    the frame one :class:`_PageRows` and the rest of itself. A row that does
    not fit moves to the next page, unless it is taller than a full page: then
    it is split inside (each cell continues on the next page).
    """

    def __init__(
        self, source: _Source, start: int = 0, carry: _Row | None = None, carry_index: int = -1
    ) -> None:
        super().__init__()
        self.source = source
        self.start = start
        self.carry = carry
        self.carry_index = carry_index
        self._fits_all: bool | None = None

    def _height(self, index: int, aw: float) -> float:
        source = self.source
        if source.width_measured != aw:
            source.heights.clear()
            source.width_measured = aw
        found = source.heights.get(index)
        if found is None:
            cells, _backgrounds = source.cells(index)
            found = _row_height(cells, source.col_widths)
            source.heights[index] = found
        return found

    def _row(self, index: int, aw: float) -> _Row:
        cells, backgrounds = self.source.cells(index)
        return _Row(
            list(cells), backgrounds, self.source.zebra_color(index), self._height(index, aw)
        )

    def _header_height(self) -> float:
        return _row_height(self.source.header, self.source.col_widths)

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        source = self.source
        source.tallest = max(source.tallest, ah)
        height = self._header_height() + (self.carry.height if self.carry else 0.0)
        for index in range(self.start, len(source.rows)):
            height += self._height(index, aw)
            if height > ah:
                # More than fits: "taller than any page", so that a KeepTogether
                # (keepWithNext of a heading) does not move the list to the next
                # page and leave this one empty.
                self._fits_all = False
                self.width, self.height = sum(source.col_widths), _BEYOND_ANY_PAGE
                return self.width, self.height
        self._fits_all = True
        self.width, self.height = sum(source.col_widths), height
        return self.width, self.height

    def draw(self) -> None:
        # Reached only when everything left fits in the frame.
        rows = ([self.carry] if self.carry else []) + [
            self._row(i, self.width) for i in range(self.start, len(self.source.rows))
        ]
        page = _PageRows(self.source, rows)
        page.wrap(self.width, self.height)
        page.drawOn(self.canv, 0, 0)

    def split(self, aw: float, ah: float) -> list[Flowable]:
        source = self.source
        source.tallest = max(source.tallest, ah)
        space = ah - self._header_height()
        rows: list[_Row] = []
        index = self.start
        if self.carry is not None:
            if self.carry.height <= space:
                rows.append(self.carry)
                space -= self.carry.height
            else:
                return self._split_row(self.carry, self.carry_index, space, aw, [], index)
        while index < len(source.rows):
            row = self._row(index, aw)
            if row.height > space:
                break
            rows.append(row)
            space -= row.height
            index += 1
        if index >= len(source.rows):
            return [_PageRows(source, rows)]
        row = self._row(index, aw)
        full_page_space = source.tallest - self._header_height()
        if rows and row.height <= full_page_space:
            source.forget_before(index)
            return [_PageRows(source, rows), RowList(source, index)]
        if not rows and row.height <= full_page_space and space < full_page_space:
            return []  # the row fits on the next page: move it there whole
        return self._split_row(row, index, space, aw, rows, index + 1)

    def _split_row(
        self, row: _Row, index: int, space: float, aw: float, before: list[_Row], after: int
    ) -> list[Flowable]:
        """Split a row taller than a page: what fits here, the rest carried on."""
        room = space - _PAD_TOP - _PAD_BOTTOM
        widths = self.source.col_widths
        heads: list[Flowable | None] = []
        tails: list[Flowable | None] = []
        progress = False
        for cell, width in zip(row.cells, widths, strict=True):
            if cell is None:
                heads.append(None)
                tails.append(None)
                continue
            if _cell_height(cell, width) <= room:
                heads.append(cell)
                tails.append(None)
                progress = True
                continue
            parts = cell.split(width - _PAD_X, room) if room > 0 else []
            if len(parts) >= 2:
                heads.append(parts[0])
                tails.append(parts[1] if len(parts) == 2 else Stack(list(parts[1:])))
                progress = True
            else:
                heads.append(None)
                tails.append(cell)
        if not progress:
            if before:
                self.source.forget_before(index)
                return [_PageRows(self.source, before), RowList(self.source, index)]
            return []
        head_row = _Row(heads, row.backgrounds, row.zebra, _row_height(heads, widths))
        tail_row = _Row(tails, row.backgrounds, row.zebra, _row_height(tails, widths))
        self.source.forget_before(after)
        rest = RowList(self.source, after, carry=tail_row, carry_index=index)
        return [_PageRows(self.source, [*before, head_row]), rest]


def windowed_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[CellValue]],
    col_widths: Sequence[float],
    *,
    row_styles: Sequence[CellStyle | None] | dict[int, CellStyle] | None = None,
    condensed: bool = False,
    zebra: bool = True,
) -> Flowable:
    """Like :func:`~krisenstab.reports.tables.data_table`, linear in the number of rows.

    Used for short lists too: a ReportLab LongTable whose row is taller than
    the rest of a page repeats its header row in the middle of that page.
    """
    return RowList(_Source(headers, rows, col_widths, row_styles, condensed, zebra))
