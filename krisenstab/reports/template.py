"""The page frame shared by every printed document.

``build_pdf(meta, flowables)`` lays out the flowables on A4 or A5, portrait
or landscape, and stamps every page with

- a header: classification (if any, centred on top as the VSA asks), staff
  name, date-time group, title, "ÜBUNG" tag in exercises, incident, number;
- a footer: document id, "Kette: <12 hex>" (the journal chain head, so paper
  and file can be compared), "Seite x von y" (label configurable, e.g.
  "Blatt"), title and number (so a loose sheet can be put back), and the
  classification again at the bottom;
- in exercises: a large, semi-transparent diagonal "ÜBUNG" drawn over the
  content, so no table background can hide it.

Page decorations are drawn after the last page is laid out (a canvas that
keeps each finished page until ``save``), so the total page count is known
without laying the story out twice; flowables are consumed once.

The output is deterministic: ReportLab's invariant mode, the creation date
taken from ``meta.created_at``, fixed fonts. Same inputs, same bytes, which is
what the SHA-256 of a released report relies on. (A different ReportLab or zlib
version may change the bytes, so keep the released file, do not regenerate it.)
"""

from __future__ import annotations

import io
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache, partial

from reportlab.lib import colors
from reportlab.lib.colors import Color
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, A5
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Spacer

from krisenstab.reports import fonts
from krisenstab.reports.text import clean_text

__all__ = [
    "A4",
    "A5",
    "EXERCISE_COLOR",
    "EXERCISE_WORD",
    "VS_NFD",
    "DocumentMeta",
    "Styles",
    "build_pdf",
    "content_width",
    "styles",
]

# Reserved for exercise marking; no other document element uses this colour,
# so violet on a page always means "exercise". It prints as mid grey in black
# and white, still distinct from black text.
EXERCISE_COLOR: Color = colors.HexColor("#7B1FA2")
EXERCISE_WORD = "ÜBUNG"
# Marking wording of the Verschlusssachenanweisung (VSA).
VS_NFD = "VS – NUR FÜR DEN DIENSTGEBRAUCH"

_RULE_COLOR = colors.HexColor("#555555")
_HASH_CHARS = 12


@dataclass(frozen=True, slots=True, kw_only=True)
class DocumentMeta:
    """What the header and footer of every page say about the document.

    ``dtg`` is preformatted (``271530nov26``, see krisenstab.domain.timefmt).
    ``chain_head`` is the hex SHA-256 head of the journal chain the document
    was built from; None for documents not tied to the journal.
    ``created_at`` (timezone-aware) becomes the PDF creation date; take it
    from the data (release time), never from "now", or reprints differ.
    """

    title: str
    staff_name: str
    doc_id: str
    dtg: str
    created_at: datetime
    incident: str = ""
    doc_number: str = ""
    classification: str | None = None
    chain_head: str | None = None
    exercise: bool = False
    page_label: str = "Seite"

    def __post_init__(self) -> None:
        if self.created_at.tzinfo is None or self.created_at.utcoffset() is None:
            raise ValueError("DocumentMeta.created_at braucht eine Zeitzone (UTC empfohlen).")


# --------------------------------------------------------------------------- styles


@dataclass(frozen=True, slots=True)
class Styles:
    """The shared paragraph styles; derive others with ``ParagraphStyle(name, parent=...)``.

    Deriving keeps the embedded fonts: a style built from scratch defaults to
    Helvetica, a non-embedded standard font.
    """

    title: ParagraphStyle
    heading: ParagraphStyle
    subheading: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle
    table_cell: ParagraphStyle
    table_header: ParagraphStyle
    table_cell_condensed: ParagraphStyle
    table_header_condensed: ParagraphStyle
    mono: ParagraphStyle
    centered: ParagraphStyle


@cache
def styles() -> Styles:
    """The shared styles (built once; ParagraphStyle objects are not mutated)."""
    fonts.register_fonts()
    base = ParagraphStyle(
        "ks-base",
        fontName=fonts.SANS,
        bulletFontName=fonts.SANS,
        fontSize=10,
        leading=13,
        textColor=colors.black,
        splitLongWords=1,
        strikeWidth=0.6,
        allowWidows=0,
        allowOrphans=0,
    )
    body = ParagraphStyle("ks-body", parent=base, spaceAfter=4)
    table_cell = ParagraphStyle("ks-cell", parent=base, fontSize=8.5, leading=10.5)
    table_cell_condensed = ParagraphStyle(
        "ks-cell-condensed",
        parent=table_cell,
        fontName=fonts.CONDENSED,
        bulletFontName=fonts.CONDENSED,
    )
    return Styles(
        title=ParagraphStyle(
            "ks-title",
            parent=base,
            fontName=fonts.SANS_BOLD,
            fontSize=15,
            leading=19,
            spaceAfter=6,
        ),
        heading=ParagraphStyle(
            "ks-heading",
            parent=base,
            fontName=fonts.SANS_BOLD,
            fontSize=12,
            leading=15,
            spaceBefore=8,
            spaceAfter=4,
            keepWithNext=1,
        ),
        subheading=ParagraphStyle(
            "ks-subheading",
            parent=base,
            fontName=fonts.SANS_BOLD,
            fontSize=10,
            leading=13,
            spaceBefore=6,
            spaceAfter=2,
            keepWithNext=1,
        ),
        body=body,
        small=ParagraphStyle("ks-small", parent=base, fontSize=8, leading=10),
        table_cell=table_cell,
        table_header=ParagraphStyle("ks-header-cell", parent=table_cell, fontName=fonts.SANS_BOLD),
        table_cell_condensed=table_cell_condensed,
        table_header_condensed=ParagraphStyle(
            "ks-header-cell-condensed",
            parent=table_cell_condensed,
            fontName=fonts.CONDENSED_BOLD,
        ),
        mono=ParagraphStyle(
            "ks-mono", parent=base, fontName=fonts.MONO, bulletFontName=fonts.MONO, fontSize=8.5
        ),
        centered=ParagraphStyle("ks-centered", parent=body, alignment=TA_CENTER),
    )


# --------------------------------------------------------------------------- geometry


@dataclass(frozen=True, slots=True)
class _Geometry:
    """Page size, margins and band heights of one document (points)."""

    width: float
    height: float
    left: float
    right: float
    top: float
    bottom: float
    scale: float
    header_height: float
    footer_height: float

    @property
    def frame_x(self) -> float:
        return self.left

    @property
    def frame_y(self) -> float:
        return self.bottom + self.footer_height

    @property
    def frame_width(self) -> float:
        return self.width - self.left - self.right

    @property
    def frame_height(self) -> float:
        return self.height - self.top - self.header_height - self.frame_y


def _sheet(pagesize: tuple[float, float], landscape: bool) -> tuple[float, float, float]:
    """(width, height, scale) of the sheet in the requested orientation."""
    short, long_ = sorted(pagesize)
    # A5 and smaller get smaller header/footer type so the bands stay in proportion.
    scale = 1.0 if short >= A4[0] - 1 else 0.88
    return (long_, short, scale) if landscape else (short, long_, scale)


def _margins(width: float, height: float, landscape: bool) -> tuple[float, float, float, float]:
    """(left, right, top, bottom). The punched edge keeps clear of filing holes.

    Sheets are filed in ring binders: portrait pages are punched on the left
    edge, landscape pages on the top edge (holes reach about 15 mm in).
    """
    small = min(width, height) < A4[0] - 1
    punched = (18 if small else 22) * mm
    edge = (9 if small else 12) * mm
    outer = (8 if small else 10) * mm
    if landscape:
        return edge, edge, punched, outer
    return punched, edge, outer, outer


def _line_heights(scale: float) -> dict[str, float]:
    return {
        "meta": 11 * scale,
        "title": 18 * scale,
        "foot": 9.5 * scale,
        "rule_gap": 5 * scale,
    }


def _geometry(meta: DocumentMeta, pagesize: tuple[float, float], landscape: bool) -> _Geometry:
    width, height, scale = _sheet(pagesize, landscape)
    left, right, top, bottom = _margins(width, height, landscape)
    lines = _line_heights(scale)
    classified = bool(meta.classification)
    header = (
        (lines["meta"] if classified else 0)
        + lines["meta"]  # staff name / DTG
        + lines["title"]
        + lines["meta"]  # incident / number
        + 2 * lines["rule_gap"]
    )
    footer = 2 * lines["rule_gap"] + 2 * lines["foot"] + (lines["foot"] if classified else 0)
    return _Geometry(width, height, left, right, top, bottom, scale, header, footer)


def content_width(pagesize: tuple[float, float] = A4, landscape: bool = False) -> float:
    """Usable width between the margins, for column widths."""
    width, height, _scale = _sheet(pagesize, landscape)
    left, right, _top, _bottom = _margins(width, height, landscape)
    return width - left - right


# --------------------------------------------------------------------------- drawing


def _fit(text: str, font: str, size: float, max_width: float) -> str:
    """Shorten ``text`` with an ellipsis until it fits; header lines cannot wrap."""
    if max_width <= 0:
        return ""
    if stringWidth(text, font, size) <= max_width:
        return text
    lo, hi = 0, len(text)
    while lo < hi:  # longest prefix that fits together with the ellipsis
        mid = (lo + hi + 1) // 2
        if stringWidth(text[:mid] + "…", font, size) <= max_width:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo].rstrip() + "…" if lo else ""


def _left_right(
    canvas: Canvas,
    y: float,
    geo: _Geometry,
    left: tuple[str, str, float],
    right: tuple[str, str, float],
    right_reserved: float = 0.0,
) -> None:
    """Draw a left and a right text on one line; the left one yields space."""
    r_text, r_font, r_size = right
    l_text, l_font, l_size = left
    x0 = geo.left
    x1 = geo.width - geo.right
    r_text = _fit(r_text, r_font, r_size, (x1 - x0) * 0.6)
    r_width = stringWidth(r_text, r_font, r_size) if r_text else 0.0
    gap = 8 * geo.scale
    available = x1 - x0 - max(r_width, right_reserved) - (gap if r_width or right_reserved else 0)
    l_text = _fit(l_text, l_font, l_size, available)
    if l_text:
        canvas.setFont(l_font, l_size)
        canvas.drawString(x0, y, l_text)
    if r_text:
        canvas.setFont(r_font, r_size)
        canvas.drawRightString(x1, y, r_text)


@dataclass(frozen=True, slots=True)
class _Texts:
    """Header/footer strings, cleaned once per document instead of per page."""

    staff_name: str
    title: str
    incident: str
    doc_number: str
    doc_id: str
    dtg: str
    classification: str
    chain: str
    page_label: str

    @classmethod
    def of(cls, meta: DocumentMeta) -> _Texts:
        chain = clean_text(meta.chain_head or "", fonts.MONO)[:_HASH_CHARS]
        return cls(
            staff_name=clean_text(meta.staff_name, fonts.SANS_BOLD),
            title=clean_text(meta.title, fonts.SANS_BOLD),
            incident=clean_text(meta.incident),
            doc_number=clean_text(meta.doc_number),
            doc_id=clean_text(meta.doc_id),
            dtg=clean_text(meta.dtg),
            classification=clean_text(meta.classification or "", fonts.SANS_BOLD),
            chain=chain,
            page_label=clean_text(meta.page_label, fonts.SANS_BOLD) or "Seite",
        )


def _draw_header(canvas: Canvas, geo: _Geometry, texts: _Texts, exercise: bool) -> None:
    s = geo.scale
    lines = _line_heights(s)
    x0, x1 = geo.left, geo.width - geo.right
    y = geo.height - geo.top
    canvas.setFillColor(colors.black)
    if texts.classification:
        y -= lines["meta"]
        canvas.setFont(fonts.SANS_BOLD, 8.5 * s)
        canvas.drawCentredString(
            (x0 + x1) / 2, y + 2 * s, _fit(texts.classification, fonts.SANS_BOLD, 8.5 * s, x1 - x0)
        )
    y -= lines["meta"]
    _left_right(
        canvas,
        y + 2 * s,
        geo,
        (texts.staff_name, fonts.SANS_BOLD, 8 * s),
        (f"Stand: {texts.dtg}" if texts.dtg else "", fonts.SANS, 8 * s),
    )
    y -= lines["title"]
    tag_width = 0.0
    if exercise:
        size = 10 * s
        pad = 4 * s
        tag_width = stringWidth(EXERCISE_WORD, fonts.SANS_BOLD, size) + 2 * pad
        canvas.saveState()
        canvas.setFillColor(EXERCISE_COLOR)
        canvas.rect(x1 - tag_width, y + 1 * s, tag_width, 14 * s, stroke=0, fill=1)
        canvas.setFillColor(colors.white)
        canvas.setFont(fonts.SANS_BOLD, size)
        canvas.drawCentredString(x1 - tag_width / 2, y + 4.5 * s, EXERCISE_WORD)
        canvas.restoreState()
    _left_right(
        canvas,
        y + 4 * s,
        geo,
        (texts.title, fonts.SANS_BOLD, 13 * s),
        ("", fonts.SANS, 8 * s),
        right_reserved=tag_width,
    )
    y -= lines["meta"]
    _left_right(
        canvas,
        y + 1 * s,
        geo,
        (f"Ereignis: {texts.incident}" if texts.incident else "", fonts.SANS, 8 * s),
        (f"Nr. {texts.doc_number}" if texts.doc_number else "", fonts.SANS_BOLD, 8 * s),
    )
    y -= lines["rule_gap"]
    canvas.setStrokeColor(EXERCISE_COLOR if exercise else _RULE_COLOR)
    canvas.setLineWidth((1.2 if exercise else 0.6) * s)
    canvas.line(x0, y, x1, y)


def _draw_footer(
    canvas: Canvas, geo: _Geometry, texts: _Texts, page: int, total: int, exercise: bool
) -> None:
    s = geo.scale
    lines = _line_heights(s)
    x0, x1 = geo.left, geo.width - geo.right
    y = geo.bottom
    canvas.setFillColor(colors.black)
    if texts.classification:
        canvas.setFont(fonts.SANS_BOLD, 8 * s)
        canvas.drawCentredString(
            (x0 + x1) / 2, y + 2 * s, _fit(texts.classification, fonts.SANS_BOLD, 8 * s, x1 - x0)
        )
        y += lines["foot"]
    number = f"Nr. {texts.doc_number}" if texts.doc_number else ""
    identity = " · ".join(part for part in (texts.title, number) if part)
    _left_right(
        canvas,
        y + 2 * s,
        geo,
        (f"Kette: {texts.chain}" if texts.chain else "", fonts.MONO, 7 * s),
        (identity, fonts.SANS, 7 * s),
    )
    y += lines["foot"]
    _left_right(
        canvas,
        y + 2 * s,
        geo,
        (f"Dok.-ID: {texts.doc_id}", fonts.SANS, 7 * s),
        (f"{texts.page_label} {page} von {total}", fonts.SANS_BOLD, 8.5 * s),
    )
    y += lines["foot"] + lines["rule_gap"] - 2 * s
    canvas.setStrokeColor(EXERCISE_COLOR if exercise else _RULE_COLOR)
    canvas.setLineWidth((1.2 if exercise else 0.6) * s)
    canvas.line(x0, y, x1, y)


def _draw_watermark(canvas: Canvas, geo: _Geometry) -> None:
    """Diagonal ÜBUNG over the whole page, translucent so the text stays legible."""
    angle = math.degrees(math.atan2(geo.height, geo.width))
    diagonal = math.hypot(geo.width, geo.height)
    size = 0.5 * diagonal / stringWidth(EXERCISE_WORD, fonts.SANS_BOLD, 1)
    canvas.saveState()
    canvas.translate(geo.width / 2, geo.height / 2)
    canvas.rotate(angle)
    canvas.setFillColor(EXERCISE_COLOR, alpha=0.10)
    canvas.setStrokeColor(EXERCISE_COLOR, alpha=0.35)
    canvas.setLineWidth(1.5 * geo.scale)
    text = canvas.beginText()
    text.setTextRenderMode(2)  # fill and stroke: a solid outline survives grey printers
    text.setFont(fonts.SANS_BOLD, size)
    width = stringWidth(EXERCISE_WORD, fonts.SANS_BOLD, size)
    text.setTextOrigin(-width / 2, -size * 0.35)
    text.textOut(EXERCISE_WORD)
    canvas.drawText(text)
    canvas.restoreState()


def _decorate(
    meta: DocumentMeta, geo: _Geometry, texts: _Texts, canvas: Canvas, page: int, total: int
) -> None:
    canvas.saveState()
    _draw_header(canvas, geo, texts, meta.exercise)
    _draw_footer(canvas, geo, texts, page, total, meta.exercise)
    if meta.exercise:
        _draw_watermark(canvas, geo)
    canvas.restoreState()


# --------------------------------------------------------------------------- canvas + build


class _FixedTimeStamp:
    """Stands in for reportlab.lib.utils.TimeStamp with the document's own time."""

    def __init__(self, moment: datetime) -> None:
        utc = moment.astimezone(UTC)
        self.t = utc.timestamp()
        self.lt = time.gmtime(int(self.t))
        self.YMDhms = tuple(self.lt)[:6]
        self.dhh = 0
        self.dmm = 0
        self.tzname = "UTC"

    @property
    def datetime(self) -> datetime:
        return datetime.fromtimestamp(self.t, UTC)


class _DecoratingCanvas(Canvas):
    """Holds finished pages back until ``save`` so decorations know the total.

    The usual ReportLab "NumberedCanvas" pattern: ``showPage`` stores the page
    state and starts a fresh page; ``save`` replays each stored page, draws
    header, footer and watermark on top of it and emits it.
    """

    def __init__(
        self,
        *args: object,
        decorate: Callable[[Canvas, int, int], None],
        created_at: datetime,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._ks_decorate = decorate
        self._ks_pages: list[dict[str, object]] = []
        self._doc._timeStamp = _FixedTimeStamp(created_at)

    def showPage(self) -> None:
        self._ks_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        pages = self._ks_pages
        total = len(pages)
        for number, state in enumerate(pages, start=1):
            self.__dict__.update(state)
            self._ks_decorate(self, number, total)
            super().showPage()
        super().save()


def build_pdf(
    meta: DocumentMeta,
    flowables: Iterable[Flowable],
    pagesize: tuple[float, float] = A4,
    landscape: bool = False,
) -> bytes:
    """Lay out ``flowables`` under the shared page frame and return the PDF.

    ``pagesize`` is the sheet (A4 or A5) in either orientation; ``landscape``
    decides the orientation. Flowables carry layout state: build each
    document from fresh ones.
    """
    fonts.register_fonts()
    geo = _geometry(meta, pagesize, landscape)
    texts = _Texts.of(meta)
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=(geo.width, geo.height),
        leftMargin=geo.left,
        rightMargin=geo.right,
        topMargin=geo.top + geo.header_height,
        bottomMargin=geo.frame_y,
        invariant=1,
        pageCompression=1,
        initialFontName=fonts.SANS,
        lang="de-DE",
        # Viewers and file dialogs show the title: mark exercises there too.
        title=f"{EXERCISE_WORD} – {texts.title}" if meta.exercise else texts.title,
        author=texts.staff_name,
        subject=texts.incident,
        keywords=" ".join(k for k in (texts.doc_id, EXERCISE_WORD if meta.exercise else "") if k),
        creator="Krisenstab",
    )
    frame = Frame(
        geo.frame_x,
        geo.frame_y,
        geo.frame_width,
        geo.frame_height,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    story = list(flowables) or [Spacer(0, 0)]
    canvasmaker = partial(
        _DecoratingCanvas,
        decorate=partial(_decorate, meta, geo, texts),
        created_at=meta.created_at,
    )
    doc.build(story, canvasmaker=canvasmaker)
    return buffer.getvalue()
