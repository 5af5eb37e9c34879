"""The Lagebericht as a printed A4 document.

:func:`build_situation_report` is a pure function of a
:class:`~krisenstab.domain.report.ReportDocument`: no database, no clock.
The released report's stored document therefore rebuilds the stored PDF
byte for byte (same program and font versions), and the PDF's creation date
is the release time.

Order of the sections (DOMAIN §5, issue §1): Übersicht with weather,
Schadenlage, Lage KRITIS (failed and impaired objects with since-time,
emergency power remaining, cascade forecast 12/24/48/72 h), Eigene Lage
(forces, measures, staff, open and overdue tasks), significant journal
entries, Prognose, Entscheidungsbedarf/Anregungen, Ressourcenbedarf
12/24/48/72 h, next Lagebesprechung, Verteiler. A section without content
prints "keine Angaben", so the reader sees it was not forgotten by the printer.
"""

from __future__ import annotations

from datetime import timedelta

from reportlab.lib import colors
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from krisenstab.domain.power import format_remaining
from krisenstab.domain.report import (
    CONFIDENCE_LABELS,
    HORIZONS,
    SEVERITY_LABELS,
    ReportConfidence,
    ReportDocument,
    Section,
)
from krisenstab.domain.timefmt import format_dtg
from krisenstab.reports import fonts
from krisenstab.reports.blocks import (
    OVERDUE,
    empty_note,
    extra_styles,
    heading,
    persons,
    signature_block,
    status_style,
    when,
    when_short,
)
from krisenstab.reports.paging import fast_text, variant, windowed_table
from krisenstab.reports.tables import CORRECTED, Cell, CellStyle, column_widths, key_value_table
from krisenstab.reports.template import A4, DocumentMeta, build_pdf, content_width, styles
from krisenstab.reports.text import para

__all__ = ["DRAFT_MARK", "build_situation_report", "report_meta"]

DRAFT_MARK = "ENTWURF"
# The meta cells of a corrected entry: grey, not struck (only its text is).
SUPERSEDED = CellStyle(text_color=CORRECTED.text_color)


def report_meta(document: ReportDocument) -> DocumentMeta:
    title = document.title
    if document.is_draft:
        title = f"{DRAFT_MARK} – {title}"
    return DocumentMeta(
        title=title,
        staff_name=document.staff_name,
        doc_id=document.report_id,
        dtg=format_dtg(document.stamp),
        created_at=document.stamp,
        incident=document.incident_title,
        doc_number=str(document.number),
        classification=document.classification,
        chain_head=document.chain_head,
        exercise=document.exercise,
    )


def _text_block(text: str) -> list[Flowable]:
    if not text.strip():
        return [empty_note()]
    return [para(text, styles().body)]


def _heading(number: int, section: Section) -> list[Flowable]:
    return heading(f"{number}. {section.value}")


def _sub(text: str) -> list[Flowable]:
    return heading(text, level=2)


def _head_table(document: ReportDocument, width: float) -> Flowable:
    content = document.content
    released = (
        f"{document.released_by} ({document.released_function}), {when(document.released_at)}"
        if document.released_at
        else f"– nicht freigegeben ({DRAFT_MARK}) –"
    )
    confidence = CONFIDENCE_LABELS.get(
        ReportConfidence(content.confidence)
        if content.confidence in {c.value for c in ReportConfidence}
        else ReportConfidence.SOMEWHAT_CONFIDENT,
        content.confidence,
    )
    pairs: list[tuple[str, str | None]] = [
        ("Ereignis", document.incident_title),
        ("Meldung", f"Lagebericht Nr. {document.number} – {document.kind}"),
        ("Berichtszeitraum", f"{when(document.period_from)} bis {when(document.period_to)}"),
        (
            "Erstellt",
            f"{document.prepared_by} ({document.prepared_function}), {when(document.prepared_at)}",
        ),
        ("Freigegeben", released),
        ("Einstufung", document.classification or "keine"),
        ("Datenstand", when(content.data_as_of) if content.data_as_of else "nicht übernommen"),
        (
            "Lagebeurteilung",
            f"Schwere: {SEVERITY_LABELS.get(content.severity, content.severity)} · "
            f"Verlässlichkeit: {confidence}",
        ),
    ]
    if content.location:
        pairs.append(("Standort des Stabes", content.location))
    return key_value_table(pairs, column_widths(width, 1, 4))


def _kritis(document: ReportDocument, width: float) -> list[Flowable]:
    content = document.content
    kritis = content.kritis
    shared = styles()
    out: list[Flowable] = []
    if not kritis.available:
        out.append(empty_note("keine Daten aus dem KRITIS-Register übernommen"))
    else:
        counts: dict[str, int] = {}
        for line in kritis.affected:
            counts[line.status] = counts.get(line.status, 0) + 1
        summary = (
            f"Erfasste Objekte: {kritis.facility_count}; ausgefallen: "
            f"{counts.get('ausgefallen', 0)}; Notstrombetrieb: {counts.get('Notstrombetrieb', 0)}; "
            f"eingeschränkt: {counts.get('eingeschränkt', 0)}; Status unbekannt: "
            f"{counts.get('unbekannt', 0)}."
        )
        out.append(para(summary, shared.body))
        stamp = content.data_as_of or document.stamp
        out.extend(_sub("Ausgefallene und beeinträchtigte Objekte"))
        if kritis.affected:
            rows = []
            for line in kritis.affected:
                rows.append(
                    [
                        line.name,
                        line.sector,
                        line.municipality,
                        Cell(line.status, status_style(line.status)),
                        when_short(line.since),
                        line.power_text,
                        persons(line.persons_supplied),
                    ]
                )
            out.append(
                windowed_table(
                    ["Objekt", "Sektor", "Gemeinde", "Status", "seit", "Notstrom", "Versorgte"],
                    rows,
                    column_widths(width, 3.9, 2.6, 1.9, 2.8, 2.2, 2.8, 1.9),
                    condensed=True,
                )
            )
        else:
            out.append(para("Keine Ausfälle und keine Beeinträchtigungen gemeldet.", shared.body))
        out.extend(_sub("Notstromversorgung: verbleibende Laufzeit"))
        if kritis.emergency_power:
            rows = []
            styles_by_row: dict[int, CellStyle] = {}
            for index, line in enumerate(kritis.emergency_power):
                remaining = format_remaining(line.remaining_h)
                dry = (
                    when_short(stamp + timedelta(hours=line.remaining_h))
                    if line.remaining_h is not None and line.remaining_h > 0
                    else ""
                )
                if line.remaining_h is not None and line.remaining_h <= 6:
                    styles_by_row[index] = OVERDUE
                rows.append(
                    [
                        line.name,
                        line.municipality,
                        when_short(line.since),
                        remaining,
                        dry,
                        persons(line.persons_supplied),
                    ]
                )
            out.append(
                windowed_table(
                    ["Objekt", "Gemeinde", "Notstrom seit", "Restlaufzeit", "leer um", "Versorgte"],
                    rows,
                    column_widths(width, 5, 2.4, 2.4, 2.8, 2.4, 1.9),
                    row_styles=styles_by_row,
                    condensed=True,
                )
            )
        else:
            out.append(para("Kein Objekt im Notstrombetrieb.", shared.body))
        out.extend(_sub("Prognose der Ausfallkaskade (ohne Gegenmaßnahmen)"))
        if kritis.forecast:
            rows = []
            for point in kritis.forecast:
                names = ", ".join(point.newly_failed) if point.newly_failed else "–"
                rows.append(
                    [
                        f"+{point.hours} h ({when_short(stamp + timedelta(hours=point.hours))})",
                        str(point.failed_total),
                        names,
                        persons(point.persons_affected) or "0",
                    ]
                )
            out.append(
                windowed_table(
                    ["Zeitpunkt", "Ausfälle gesamt", "neu hinzukommend", "betroffene Personen"],
                    rows,
                    column_widths(width, 3.4, 1.6, 7.4, 2),
                )
            )
        else:
            out.append(empty_note("keine Prognose verfügbar"))
        for note in kritis.notes:
            out.append(para(note, extra_styles()["note"]))
    if content.kritis_remarks:
        out.extend(_sub("Bewertung"))
        out.append(para(content.kritis_remarks, shared.body))
    return out


def _own(document: ReportDocument, width: float) -> list[Flowable]:
    content = document.content
    shared = styles()
    out: list[Flowable] = [*_sub("Kräfte")]
    out.extend(_text_block(content.forces))
    out.extend(_sub("Maßnahmen"))
    out.extend(_text_block(content.measures))
    if content.roster:
        out.extend(_sub("Besetzung des Stabes"))
        out.append(
            windowed_table(
                ["Funktion", "besetzt durch", "seit"],
                [
                    [r.function, r.person or "unbesetzt", when_short(r.since)]
                    for r in content.roster
                ],
                column_widths(width, 4, 5, 2),
            )
        )
    out.extend(_sub("Aufträge: offen und überfällig"))
    tasks = content.tasks
    if not tasks.available:
        out.append(empty_note("keine Auftragsdaten übernommen"))
    elif not tasks.tasks:
        out.append(para("Keine offenen Aufträge.", shared.body))
    else:
        out.append(
            para(
                f"Offen oder in Arbeit: {len(tasks.tasks)}, davon überfällig: "
                f"{tasks.overdue_count}.",
                shared.body,
            )
        )
        rows = []
        row_styles: dict[int, CellStyle] = {}
        for index, task in enumerate(tasks.tasks):
            if task.overdue:
                row_styles[index] = OVERDUE
            rows.append(
                [
                    str(task.number),
                    task.title,
                    task.assigned_to,
                    when_short(task.due),
                    "überfällig" if task.overdue else task.status,
                ]
            )
        out.append(
            windowed_table(
                ["Nr.", "Auftrag", "an", "Frist", "Status"],
                rows,
                column_widths(width, 0.8, 6.4, 2.6, 2.4, 2.0),
                row_styles=row_styles,
            )
        )
    return out


def _journal(document: ReportDocument, width: float) -> list[Flowable]:
    entries = document.content.entries
    if not entries:
        return [empty_note("keine Einträge ausgewählt")]
    cell = styles().table_cell
    rows = []
    for entry in entries:
        corrected = bool(entry.corrected_by)
        label = entry.kind
        if entry.corrects:
            label += f" – Berichtigung zu Nr. {entry.corrects}"
        if corrected:
            label += f" – berichtigt durch Nr. {', '.join(map(str, entry.corrected_by))}"
        rows.append(
            [
                str(entry.number),
                when_short(entry.recorded_at),
                entry.function,
                fast_text(
                    entry.text,
                    variant(cell, CORRECTED) if corrected else cell,
                    strike=corrected,
                    label=f"{label}:",
                ),
            ]
        )
    return [
        windowed_table(
            ["Nr.", "Zeit", "Funktion", "Eintrag"],
            rows,
            column_widths(width, 1.0, 2.5, 3.0, 9.7),
            row_styles={i: SUPERSEDED for i, e in enumerate(entries) if e.corrected_by},
        )
    ]


def _resources(document: ReportDocument, width: float) -> list[Flowable]:
    content = document.content
    if not any(content.resource(h) for h in HORIZONS):
        return [empty_note()]
    stamp = document.stamp
    rows = [
        [
            f"in {h} h (bis {when_short(stamp + timedelta(hours=h))})",
            content.resource(h) or "–",
        ]
        for h in HORIZONS
    ]
    return [windowed_table(["Zeitraum", "Bedarf"], rows, column_widths(width, 1, 3), zebra=False)]


def _meeting(document: ReportDocument) -> list[Flowable]:
    content = document.content
    if content.next_meeting_at is None:
        return [empty_note("nicht festgelegt")]
    text = when(content.next_meeting_at)
    if content.next_meeting_place:
        text += f", {content.next_meeting_place}"
    return [para(text, styles().body)]


def _distribution(document: ReportDocument, width: float) -> list[Flowable]:
    recipients = document.content.distribution
    if not recipients:
        return [empty_note()]
    cell = styles().table_cell
    columns = 2 if len(recipients) > 4 else 1
    per_column = -(-len(recipients) // columns)
    grid = []
    for row in range(per_column):
        line = []
        for column in range(columns):
            index = column * per_column + row
            line.append(
                para(f"• {recipients[index]}", cell) if index < len(recipients) else para("", cell)
            )
        grid.append(line)
    return [
        Table(
            grid,
            colWidths=[width / columns] * columns,
            hAlign="LEFT",
            style=TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), fonts.SANS),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), 1),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ]
            ),
        )
    ]


def _draft_banner(document: ReportDocument, width: float) -> Flowable:
    text = (
        f"{DRAFT_MARK} – nicht freigegeben. Stand {when(document.period_to)}. "
        "Nur zur Abstimmung im Stab; gilt erst nach Freigabe durch die Leitung."
    )
    return Table(
        [[para(text, extra_styles()["draft"])]],
        colWidths=[width],
        hAlign="LEFT",
        style=TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), fonts.SANS),
                ("BOX", (0, 0), (-1, -1), 1.2, colors.HexColor("#B00000")),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        ),
    )


def situation_report_story(document: ReportDocument) -> list[Flowable]:
    width = content_width(A4)
    content = document.content
    story: list[Flowable] = []
    if document.is_draft:
        story += [_draft_banner(document, width), Spacer(0, 6)]
    story += [_head_table(document, width), Spacer(0, 4)]
    story.extend(_heading(1, Section.OVERVIEW))
    story.extend(_text_block(content.overview))
    story.extend(_sub("Wetter"))
    story.extend(_text_block(content.weather))
    story.extend(_heading(2, Section.DAMAGE))
    story.extend(_text_block(content.damage))
    story.extend(_heading(3, Section.KRITIS))
    story.extend(_kritis(document, width))
    story.extend(_heading(4, Section.OWN))
    story.extend(_own(document, width))
    story.extend(_heading(5, Section.JOURNAL))
    story.append(
        para(
            f"Ausgewählt aus dem Zeitraum seit {when(document.period_from)}.",
            extra_styles()["lead"],
        )
    )
    story.extend(_journal(document, width))
    story.extend(_heading(6, Section.PROGNOSIS))
    story.extend(_text_block(content.prognosis))
    story.extend(_heading(7, Section.DECISIONS))
    story.extend(_text_block(content.decisions))
    story.extend(_heading(8, Section.RESOURCES))
    story.extend(_resources(document, width))
    story.extend(_heading(9, Section.MEETING))
    story.extend(_meeting(document))
    story.extend(_heading(10, Section.DISTRIBUTION))
    story.extend(_distribution(document, width))
    released = (
        f"{document.released_by} ({document.released_function})\n{when(document.released_at)}"
        if document.released_at
        else f"– {DRAFT_MARK}: noch nicht freigegeben –"
    )
    closing = signature_block(
        [
            (
                "Erstellt (S2 – Lage)",
                f"{document.prepared_by} ({document.prepared_function})\n"
                f"{when(document.prepared_at)}",
            ),
            ("Freigegeben (Leitung)", released),
        ],
        width,
        lines=False,
    )
    if not document.is_draft:
        closing += [
            Spacer(0, 4),
            para(
                "Im Programm freigegeben. Die SHA-256-Summe dieses PDF steht im "
                "Freigabevermerk des Einsatztagebuchs; die Kette in der Fußzeile ist der "
                f"Stand des Einsatztagebuchs bis Eintrag Nr. {document.chain_number}.",
                extra_styles()["note"],
            ),
        ]
    story.append(KeepTogether(closing))
    return story


def build_situation_report(document: ReportDocument) -> bytes:
    """The PDF of a report (draft marked ENTWURF; exercise marked ÜBUNG)."""
    return build_pdf(report_meta(document), situation_report_story(document), A4)
