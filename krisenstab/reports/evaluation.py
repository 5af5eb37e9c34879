"""The after-action report of an exercise (Auswertung): PDF marked ÜBUNG, and CSV.

A4 landscape: the wide inject table needs the room. Contents, in the order
a hot wash goes through them: key figures, objectives (met / partly / not
met), every inject with delivery, first reaction, reaction time and the
observer's verdict, the timeline, the observers' notes. Controller notes
(the Übungsleitung's own hints) appear only when asked for, because the
report is handed to the players.

Every page carries the ÜBUNG watermark and tag (DocumentMeta.exercise); the
CSV has a „Kennzeichnung“ column saying ÜBUNG in every row.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import IO, Any, Protocol

from reportlab.lib import colors
from reportlab.lib.colors import Color
from reportlab.platypus import Flowable, Paragraph, Spacer

from krisenstab.domain.exercise import EXERCISE_MARK_TEXT, Rating
from krisenstab.domain.message import MessagePriority
from krisenstab.domain.timefmt import format_dtg, format_local
from krisenstab.exchange.tabular import write_csv
from krisenstab.exercise.evaluation import InjectResult, InjectState, ObjectiveResult
from krisenstab.exercise.times import format_clock, format_duration, format_offset
from krisenstab.reports.paging import windowed_table
from krisenstab.reports.tables import Cell, CellStyle, column_widths, data_table, key_value_table
from krisenstab.reports.template import A4, DocumentMeta, build_pdf, content_width, styles
from krisenstab.reports.text import para

__all__ = ["CSV_HEADERS", "build_evaluation_pdf", "evaluation_rows", "write_evaluation_csv"]

# Light backgrounds for the three verdicts; no violet (reserved for ÜBUNG).
_RATING_BACKGROUND: dict[Rating, Color] = {
    Rating.MET: colors.HexColor("#D8EFD3"),
    Rating.PARTLY: colors.HexColor("#FBEBC5"),
    Rating.NOT_MET: colors.HexColor("#F6D3D0"),
}
_UNANSWERED: Color = colors.HexColor("#9B1C1C")
_STATE_LABEL = {
    InjectState.PLANNED: "nicht zugestellt",
    InjectState.DELIVERED: "ohne Reaktion",
    InjectState.ANSWERED: "beantwortet",
    InjectState.SKIPPED: "entfallen",
}


class _Data(Protocol):
    """The fields of services.exercise.EvaluationData this module reads."""

    title: Any
    start: Any
    start_label: Any
    incident_title: Any
    evaluation: Any
    notes: Any
    events: Any
    created_at: Any
    db_id: Any
    chain_head: Any
    real_started: Any
    real_ended: Any
    end_offset_s: Any
    include_controller_notes: Any


def _minutes(seconds: float | None) -> str:
    if seconds is None:
        return ""
    return f"{seconds / 60:.1f}".replace(".", ",")


def _rating_cell(rating: Rating | None, suffix: str = "") -> Cell | str:
    if rating is None:
        return "nicht bewertbar"
    return Cell(
        f"{rating.value}{suffix}", CellStyle(bold=True, background=_RATING_BACKGROUND[rating])
    )


def _scenario(data: _Data, offset: float | None) -> str:
    if offset is None:
        return ""
    return f"{format_offset(offset)}\n{format_clock(data.start, offset)}"


def _priority(value: str) -> str:
    try:
        return MessagePriority(value).label
    except ValueError:
        return value


def _meta(data: _Data, staff_name: str) -> DocumentMeta:
    return DocumentMeta(
        title=f"Übungsauswertung: {data.title}" if data.title else "Übungsauswertung",
        staff_name=staff_name,
        doc_id=f"AUSW-{data.db_id[:8].upper()}" if data.db_id else "AUSW",
        dtg=format_dtg(data.created_at),
        created_at=data.created_at,
        incident=data.incident_title,
        chain_head=data.chain_head,
        exercise=True,
    )


def _summary(data: _Data) -> Flowable:
    s = data.evaluation.summary
    real = ""
    if data.real_started is not None:
        real = format_local(data.real_started)
        if data.real_ended is not None:
            real += f" bis {format_local(data.real_ended)}"
    answered = f"{s.answered} von {s.delivered}"
    if s.unanswered:
        shown = ", ".join(str(n) for n in s.unanswered[:30])
        if len(s.unanswered) > 30:
            shown += ", …"
        answered += f" (ohne Reaktion: Nr. {shown})"
    pairs: list[tuple[str, Any]] = [
        ("Übung", data.title),
        ("Übungsereignis", data.incident_title),
        ("Szenariobeginn", f"{data.start_label} ({format_clock(data.start, 0)}, T+00:00)"),
        (
            "Gespielt bis",
            f"{format_offset(data.end_offset_s)} ({format_clock(data.start, data.end_offset_s)})",
        ),
        ("Realzeit", real or "–"),
        (
            "Einlagen",
            f"{s.planned} geplant, {s.delivered} zugestellt, {s.skipped} entfallen, "
            f"{s.ad_hoc} ad hoc",
        ),
        ("Beantwortet", answered),
        (
            "Reaktionszeit (Szenario)",
            f"Median {format_duration(s.median_reaction_s) or '–'}, "
            f"längste {format_duration(s.max_reaction_s) or '–'}",
        ),
        (
            "Übungsziele",
            f"{s.objectives_met} erfüllt, {s.objectives_partly} teilweise erfüllt, "
            f"{s.objectives_not_met} nicht erfüllt",
        ),
    ]
    real_events = [e for e in data.events if e.kind == "Realereignis"]
    if real_events:
        pairs.append(
            (
                "Realereignis",
                "; ".join(
                    f"{format_local(e.real_at)} bei {format_offset(e.offset_s)}"
                    + (f" ({e.by_person})" if e.by_person else "")
                    + (
                        f": {e.detail.removeprefix('Realereignis: ')}"
                        if e.detail and e.detail != "Realereignis"
                        else ""
                    )
                    for e in real_events
                ),
            )
        )
    width = content_width(A4, landscape=True)
    return key_value_table(pairs, column_widths(width, 1.2, 5))


def _objectives(data: _Data) -> list[Flowable]:
    objectives: Sequence[ObjectiveResult] = data.evaluation.objectives
    shared = styles()
    if not objectives:
        return [para("Das Drehbuch nennt keine Übungsziele.", shared.body)]
    width = content_width(A4, landscape=True)
    rows = []
    for o in objectives:
        counts = ", ".join(f"{n}× {label}" for label, n in o.counts.items() if n)
        basis = "Bewertung der Beobachter" if not o.derived else "abgeleitet aus den Einlagen"
        if o.derived and counts:
            basis += f" ({counts})"
        rows.append(
            [
                o.objective,
                ", ".join(str(n) for n in o.inject_numbers) or "–",
                _rating_cell(o.rating),
                basis,
                o.actual or "",
            ]
        )
    return [
        data_table(
            ["Übungsziel", "Einlagen", "Bewertung", "Grundlage", "Anmerkung"],
            rows,
            column_widths(width, 5, 1.6, 1.8, 3.2, 4.4),
        )
    ]


def _reaction_text(result: InjectResult) -> str:
    reaction = result.first_reaction
    if reaction is None:
        return _STATE_LABEL[result.state] if result.state is not InjectState.ANSWERED else ""
    text = f"{reaction.kind.value} {reaction.label} ({reaction.function}"
    if reaction.person:
        text += f", {reaction.person}"
    text += ")"
    others = len(result.reactions) - 1
    if others > 0:
        text += f"\n+ {others} weitere"
    return text


def _reaction_cell(result: InjectResult) -> Cell | str:
    text = _reaction_text(result)
    if result.state is InjectState.DELIVERED:
        # Delivered and unanswered: what the hot wash has to talk about.
        return Cell(text, CellStyle(bold=True, text_color=_UNANSWERED))
    return text


def _verdict(result: InjectResult) -> Cell | str:
    if result.rating is not None:
        rating = Rating(result.rating.rating)
        text = rating.value
        if result.rating.actual:
            text += f"\n{result.rating.actual}"
        return Cell(text, CellStyle(background=_RATING_BACKGROUND[rating]))
    if result.state is InjectState.SKIPPED:
        return result.delivery.reason or "" if result.delivery else ""
    return "nicht bewertet"


def _injects(data: _Data) -> Flowable:
    width = content_width(A4, landscape=True)
    rows = []
    for r in data.evaluation.injects:
        inject = r.inject
        delivered = ""
        if r.delivery is not None and r.state is not InjectState.SKIPPED:
            delivered = _scenario(data, r.delivery.scenario_offset_s)
            if r.delivery.outcome != "zugestellt":
                delivered += f"\n{r.delivery.outcome}"
        elif r.state is InjectState.SKIPPED:
            delivered = "entfallen"
        head = f"{inject.number}"
        if inject.ad_hoc:
            head += "\nad hoc"
        if inject.contingency_of is not None:
            head += f"\nbed. {inject.contingency_of}"
        reaction_time = ""
        if r.reaction_time_s is not None:
            reaction_time = format_duration(r.reaction_time_s)
            if (
                r.reaction_time_real_s is not None
                and abs(r.reaction_time_real_s - r.reaction_time_s) >= 30
            ):
                reaction_time += f"\n(real {format_duration(r.reaction_time_real_s)})"
        rows.append(
            [
                head,
                format_offset(inject.offset_s),
                delivered,
                Cell(
                    f"{inject.addressee}\n{_priority(inject.priority)}, {inject.channel}",
                    CellStyle(bold=inject.priority == MessagePriority.BLITZ.value),
                ),
                f"{inject.sender}: {inject.content}",
                inject.expected_reaction or "",
                _reaction_cell(r),
                reaction_time,
                _verdict(r),
            ]
        )
    return windowed_table(
        [
            "Nr",
            "Plan",
            "Zugestellt",
            "An / Vorrang",
            "Inhalt",
            "Erwartete Reaktion",
            "Erste Reaktion",
            "Reaktions-zeit",
            "Bewertung / tatsächlich",
        ],
        rows,
        column_widths(width, 0.8, 1.1, 1.6, 2.0, 5.2, 3.4, 3.2, 1.5, 2.6),
        condensed=True,
    )


def _timeline(data: _Data) -> Flowable:
    width = content_width(A4, landscape=True)
    rows = [
        [
            format_offset(item.offset_s) if item.offset_s is not None else "",
            format_clock(data.start, item.offset_s) if item.offset_s is not None else "",
            format_local(item.real_at) if item.real_at is not None else "",
            item.kind,
            item.label,
            item.storyline or "",
        ]
        for item in data.evaluation.timeline
    ]
    return windowed_table(
        [
            "Szenariozeit",
            "Uhrzeit (Szenario)",
            "Realzeit",
            "Ereignis",
            "Beschreibung",
            "Handlungsstrang",
        ],
        rows,
        column_widths(width, 1.3, 1.4, 1.9, 1.9, 8, 2.2),
        condensed=True,
    )


def _notes(data: _Data) -> list[Flowable]:
    shared = styles()
    if not data.notes:
        return [para("Keine Beobachtungen erfasst.", shared.body)]
    width = content_width(A4, landscape=True)
    rows = []
    for note in data.notes:
        refs = []
        if note.inject_number is not None:
            refs.append(f"Einlage {note.inject_number}")
        if note.message_number:
            refs.append(note.message_number)
        if note.journal_number is not None:
            refs.append(f"ETB {note.journal_number}")
        rows.append(
            [
                note.offset_label if note.offset_s is None else _scenario(data, note.offset_s),
                note.author if note.author == note.function else f"{note.author}\n{note.function}",
                note.kind,
                ", ".join(refs),
                note.text,
            ]
        )
    return [
        data_table(
            ["Szenariozeit", "Von", "Art", "Bezug", "Notiz"],
            rows,
            column_widths(width, 1.8, 2.4, 1.5, 1.8, 10),
        )
    ]


def build_evaluation_pdf(data: _Data, *, staff_name: str = "Krisenstab") -> bytes:
    """The after-action report as PDF (A4 landscape, marked ÜBUNG on every page)."""
    shared = styles()
    story: list[Flowable] = [
        Paragraph("Auswertung der Übung", shared.title),
        para(
            "Erwartete und tatsächliche Reaktion je Einlage, Reaktionszeiten in Szenariozeit "
            "(bei abweichender Realzeit in Klammern), Übungsziele und Zeitleiste. "
            + EXERCISE_MARK_TEXT,
            shared.small,
        ),
        Spacer(0, 4),
        _summary(data),
        Paragraph("Übungsziele", shared.heading),
        *_objectives(data),
        Paragraph("Einlagen", shared.heading),
        _injects(data),
        Paragraph("Zeitleiste", shared.heading),
        _timeline(data),
        Paragraph(
            "Beobachtungen und Hinweise der Übungsleitung"
            if data.include_controller_notes
            else "Beobachtungen",
            shared.heading,
        ),
        *_notes(data),
    ]
    return build_pdf(_meta(data, staff_name), story, A4, landscape=True)


CSV_HEADERS: tuple[str, ...] = (
    "Kennzeichnung",
    "Nr",
    "Zeit (Plan)",
    "Zugestellt (Szenario)",
    "Zugestellt (Realzeit)",
    "Status",
    "Art der Zustellung",
    "Von",
    "An",
    "Kanal",
    "Vorrang",
    "Inhalt",
    "Erwartete Reaktion",
    "Übungsziel",
    "Handlungsstrang",
    "Erste Reaktion",
    "Reaktion durch",
    "Reaktion um (Szenario)",
    "Reaktionszeit Szenario (min)",
    "Reaktionszeit real (min)",
    "Bewertung",
    "Tatsächliche Reaktion",
)


def evaluation_rows(data: _Data) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for r in data.evaluation.injects:
        inject = r.inject
        delivery = r.delivery
        reaction = r.first_reaction
        rows.append(
            [
                "ÜBUNG",
                inject.number,
                format_offset(inject.offset_s),
                format_offset(delivery.scenario_offset_s)
                if delivery is not None and r.state is not InjectState.SKIPPED
                else None,
                format_local(delivery.real_at, seconds=True)
                if delivery is not None and r.state is not InjectState.SKIPPED
                else None,
                _STATE_LABEL[r.state],
                delivery.outcome if delivery is not None else None,
                inject.sender,
                inject.addressee,
                inject.channel,
                _priority(inject.priority),
                inject.content,
                inject.expected_reaction,
                inject.objective,
                inject.storyline,
                f"{reaction.kind.value} {reaction.label}" if reaction else None,
                f"{reaction.function} ({reaction.person})" if reaction else None,
                format_offset(reaction.scenario_offset_s)
                if reaction is not None and reaction.scenario_offset_s is not None
                else None,
                _minutes(r.reaction_time_s) or None,
                _minutes(r.reaction_time_real_s) or None,
                r.rating.rating if r.rating else None,
                r.rating.actual if r.rating else None,
            ]
        )
    return rows


def write_evaluation_csv(target: str | os.PathLike[str] | IO[bytes], data: _Data) -> int:
    """One row per inject (``;``, UTF-8 with BOM), each marked ÜBUNG."""
    return write_csv(target, CSV_HEADERS, evaluation_rows(data))
