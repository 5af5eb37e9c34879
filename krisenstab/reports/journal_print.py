"""The Einsatztagebuch (ETB) printout, as on the classic form.

Columns of the paper form (DOMAIN §2): laufende Nummer, Datum, Uhrzeit,
"Darstellung der Ereignisse, Maßnahmen, Überlegungen"; who wrote an entry,
its kind and its source stand in front of the text. Pages are counted
"Blatt x von y"; the printout ends with the keeper's signature block.

Nothing is erased: a corrected entry prints struck through (still legible)
with the number of its correction, and each correction prints the corrected
text struck through right beneath the new one, so a page shows both side by
side even when the original lies outside the printed period.

The printout may be limited to a period (by the time of recording). Long
journals are laid out page by page (see paging.py): 10,000 entries build in
a few seconds.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from reportlab.platypus import Flowable, KeepTogether, Spacer

from krisenstab.domain.journal import EntryView
from krisenstab.domain.timefmt import format_dtg, format_local, to_local
from krisenstab.reports.blocks import extra_styles, signature_block, when
from krisenstab.reports.paging import Stack, fast_text, variant, windowed_table
from krisenstab.reports.tables import CORRECTED, CellStyle, column_widths, key_value_table
from krisenstab.reports.template import A4, DocumentMeta, build_pdf, content_width, styles
from krisenstab.reports.text import para

__all__ = ["JournalDocument", "build_journal_pdf", "journal_story"]

_NAMESPACE = uuid.UUID("5d0c3a8e-7f1b-4e55-9a51-3c1f0e8b2d47")
# Meta cells of a corrected entry: grey, not struck (only the text is).
_SUPERSEDED = CellStyle(text_color=CORRECTED.text_color)


@dataclass(frozen=True)
class JournalDocument:
    """Everything the printout shows; the service fills it from the database.

    ``entries``: the entries of the period, ascending. ``originals``: entries
    that corrections in ``entries`` refer to (whether inside the period or
    not), by number. ``chain_head``/``chain_number``: the head of the whole
    chain at print time (footer).
    """

    staff_name: str
    incident_id: str
    incident_title: str
    entries: Sequence[EntryView]
    printed_at: datetime
    printed_by: str = ""
    originals: Mapping[int, EntryView] = field(default_factory=dict)
    period_from: datetime | None = None
    period_to: datetime | None = None
    keeper: str | None = None
    chain_head: str | None = None
    chain_number: int | None = None
    total_entries: int | None = None
    exercise: bool = False
    classification: str | None = None

    @property
    def doc_id(self) -> str:
        """Same journal state and period, same id (a reprint is recognisable)."""
        key = "|".join(
            (
                "etb",
                self.incident_id,
                self.period_from.isoformat() if self.period_from else "",
                self.period_to.isoformat() if self.period_to else "",
                self.chain_head or "",
                str(len(self.entries)),
            )
        )
        return str(uuid.uuid5(_NAMESPACE, key))


def journal_meta(document: JournalDocument) -> DocumentMeta:
    return DocumentMeta(
        title="Einsatztagebuch",
        staff_name=document.staff_name,
        doc_id=document.doc_id,
        dtg=format_dtg(document.printed_at),
        created_at=document.printed_at,
        incident=document.incident_title,
        doc_number=f"ETB {document.incident_id[:8]}",
        classification=document.classification,
        chain_head=document.chain_head,
        exercise=document.exercise,
        page_label="Blatt",
    )


def _lead(entry: EntryView) -> str:
    """Author, source and references in front of the text (FwDV 100 3.3.1.3)."""
    parts = [f"{entry.function} ({entry.author})", f"Quelle: {entry.source_quality}"]
    if abs((entry.observed_at - entry.recorded_at).total_seconds()) >= 60:
        parts.append(f"beobachtet {format_local(entry.observed_at)}")
    if entry.scenario_time is not None:
        parts.append(f"Szenariozeit {format_local(entry.scenario_time)}")
    return "· " + " · ".join(parts) + ":"


def _label(entry: EntryView) -> str:
    """Kind and the correction links, in bold: they must catch the eye."""
    parts = [entry.kind]
    if entry.corrects:
        parts.append(f"Berichtigung zu Nr. {entry.corrects}")
    if entry.corrected_by:
        parts.append(f"berichtigt durch Nr. {', '.join(map(str, entry.corrected_by))}")
    return " – ".join(parts)


def _text_cell(entry: EntryView, originals: Mapping[int, EntryView]) -> Flowable:
    cell = styles().table_cell
    corrected = bool(entry.corrected_by)
    body = fast_text(
        entry.text,
        variant(cell, CORRECTED) if corrected else cell,
        strike=corrected,
        label=_label(entry),
        note=_lead(entry),
    )
    if entry.corrects is None:
        return body
    original = originals.get(entry.corrects)
    if original is None:
        return body
    # The superseded wording beside its correction, struck through but legible.
    before = fast_text(
        original.text,
        variant(cell, CORRECTED),
        strike=True,
        label=f"bisher (Nr. {original.number}):",
    )
    return Stack([body, before])


def _rows(document: JournalDocument) -> tuple[list[list[object]], dict[int, CellStyle]]:
    cell = styles().table_cell
    grey = variant(cell, _SUPERSEDED)
    rows: list[list[object]] = []
    row_styles: dict[int, CellStyle] = {}
    for index, entry in enumerate(document.entries):
        local = to_local(entry.recorded_at)
        meta_style = grey if entry.corrected_by else cell
        if entry.corrected_by:
            row_styles[index] = _SUPERSEDED
        rows.append(
            [
                fast_text(str(entry.number), meta_style),
                fast_text(f"{local:%d.%m.%Y}", meta_style),
                fast_text(f"{local:%H:%M}", meta_style),
                _text_cell(entry, document.originals),
            ]
        )
    return rows, row_styles


def _period_text(document: JournalDocument) -> str:
    if document.period_from is None and document.period_to is None:
        return "vollständig (ohne Zeitraumfilter)"
    start = when(document.period_from) if document.period_from else "Beginn"
    end = when(document.period_to) if document.period_to else "Ausdruck"
    return f"{start} bis {end}"


def journal_story(document: JournalDocument) -> list[Flowable]:
    width = content_width(A4)
    shared = styles()
    entries = document.entries
    numbers = [e.number for e in entries]
    span = f"Nr. {numbers[0]} bis Nr. {numbers[-1]}" if numbers else "keine"
    total = document.total_entries
    count_text = f"{len(entries)} Einträge ({span})"
    if total is not None and total != len(entries):
        count_text += f" von insgesamt {total}"
    corrections = sum(1 for e in entries if e.corrects)
    info = [
        ("Ereignis", document.incident_title),
        ("Zeitraum", _period_text(document)),
        ("Umfang", count_text + (f"; davon {corrections} Berichtigungen" if corrections else "")),
        (
            "Ausgedruckt",
            when(document.printed_at)
            + (f" durch {document.printed_by}" if document.printed_by else ""),
        ),
    ]
    if document.keeper:
        info.append(("Tagebuchführer", document.keeper))
    story: list[Flowable] = [key_value_table(info, column_widths(width, 1, 4)), Spacer(0, 6)]
    if entries:
        rows, row_styles = _rows(document)
        story.append(
            windowed_table(
                [
                    "Lfd. Nr.",
                    "Datum",
                    "Uhrzeit",
                    "Darstellung der Ereignisse, Maßnahmen, Überlegungen",
                ],
                rows,
                column_widths(width, 1.35, 1.9, 1.4, 11.35),
                row_styles=row_styles,
            )
        )
    else:
        story.append(para("Im gewählten Zeitraum gibt es keine Einträge.", shared.body))
    story.append(_closing(document, width))
    return story


def _closing(document: JournalDocument, width: float) -> Flowable:
    extra = extra_styles()
    entries = document.entries
    last = entries[-1] if entries else None
    parts: list[Flowable] = [Spacer(0, 8), para("Abschluss", extra["subheading"])]
    if last is not None:
        text = (
            f"Abgeschlossen mit Eintrag Nr. {last.number} vom {format_local(last.recorded_at)} "
            f"({format_dtg(last.recorded_at)}); Hash dieses Eintrags: {last.hash}."
        )
    else:
        text = "Keine Einträge im gewählten Zeitraum."
    parts.append(para(text, extra["signature"]))
    if document.chain_head and (last is None or document.chain_head != last.hash):
        head_number = f" (Eintrag Nr. {document.chain_number})" if document.chain_number else ""
        parts.append(
            para(
                f"Stand der Hash-Kette beim Ausdruck{head_number}: {document.chain_head}",
                extra["signature"],
            )
        )
    parts.extend(
        signature_block(
            [
                ("Tagebuchführer", document.keeper or "Name, Funktion:"),
                ("Gesehen (S2 / Leitung)", "Name, Funktion:"),
            ],
            width,
        )
    )
    return KeepTogether(parts)


def build_journal_pdf(document: JournalDocument) -> bytes:
    """The ETB printout as PDF (A4 portrait, "Blatt x von y")."""
    return build_pdf(journal_meta(document), journal_story(document), A4)
