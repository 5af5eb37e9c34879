"""The Nachrichtenvordruck ("Vierfachvordruck") of one message, on A5.

The 13 fields stand where the paper form has them (DOMAIN §3): the three
notes of the message desk and the Nachweisungs-Nr. across the top, Spruchkopf
and Vorrangstufe below, then Anschrift with the Gesprächsnotiz box, the
Inhalt as the large middle field, Abfassungszeit, Absender and
Zeichen/Funktion at the foot, and the Quittung of every addressed function
last. The Sichtung (triage) note stands beside the Quittung, as the
Sichter writes it on the S2 copy.

A content longer than the sheet continues on the next sheet; the form's
head and foot are not repeated there, the page header names the message.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, LongTable, Table, TableStyle

from krisenstab.domain.timefmt import format_dtg, format_local
from krisenstab.reports import fonts
from krisenstab.reports.paging import Stack, fast_text
from krisenstab.reports.template import A5, DocumentMeta, build_pdf, content_width, styles
from krisenstab.reports.text import para

__all__ = ["Acknowledgement", "MessageForm", "build_message_form", "message_form_story"]

_BOX = colors.black
_GRID = colors.HexColor("#808080")
_FIELD_BG = colors.HexColor("#F3F3F3")
PRIORITIES = (("blitz", "Blitz"), ("sofort", "Sofort"), ("einfach", "einfach"))
CHECKED = "☒"
UNCHECKED = "☐"


@dataclass(frozen=True)
class Acknowledgement:
    """Field 13 for one addressed function."""

    function: str
    routed_at: datetime | None = None
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None


@dataclass(frozen=True)
class MessageForm:
    """The 13 fields of one message (plus triage), as plain values."""

    number: str  # (4) "E-12"
    direction: str  # "E" or "A"
    intake_channel: str  # (1)
    intake_at: datetime
    intake_by: str
    priority: str  # (6) einfach / sofort / blitz
    addressee: str  # (7)
    content: str  # (9)
    sender: str  # (11)
    created_at: datetime
    accepted_at: datetime | None = None  # (2)
    accepted_by: str | None = None
    transmitted_at: datetime | None = None  # (3)
    transmitted_by: str | None = None
    transmitted_via: str | None = None
    header: str | None = None  # (5)
    conversation_note: bool = False  # (8)
    composed_at: datetime | None = None  # (10)
    sender_sign: str | None = None  # (12)
    sender_function: str | None = None
    acknowledgements: Sequence[Acknowledgement] = field(default_factory=tuple)  # (13)
    triaged_at: datetime | None = None
    triaged_by: str | None = None
    message_id: str = ""
    external_ref: str | None = None
    reply_to_number: str | None = None

    @classmethod
    def from_view(cls, view: Any) -> MessageForm:
        """From the responsibilities capability's MessageView (duck-typed)."""
        return cls(
            number=view.number,
            direction=view.direction,
            intake_channel=view.intake_channel,
            intake_at=view.intake_at,
            intake_by=view.intake_by,
            priority=view.priority,
            addressee=view.addressee,
            content=view.content,
            sender=view.sender,
            created_at=view.created_at,
            accepted_at=view.accepted_at,
            accepted_by=view.accepted_by,
            transmitted_at=view.transmitted_at,
            transmitted_by=view.transmitted_by,
            transmitted_via=view.transmitted_via,
            header=view.header,
            conversation_note=bool(view.conversation_note),
            composed_at=view.composed_at,
            sender_sign=view.sender_sign,
            sender_function=view.sender_function,
            acknowledgements=tuple(
                Acknowledgement(
                    function=r.function,
                    routed_at=r.routed_at,
                    acknowledged_at=r.acknowledged_at,
                    acknowledged_by=(
                        f"{r.acknowledged_by} ({r.acknowledged_by_function})"
                        if r.acknowledged_by and r.acknowledged_by_function
                        else r.acknowledged_by
                    ),
                )
                for r in view.recipients
            ),
            triaged_at=view.triaged_at,
            triaged_by=view.triaged_by,
            message_id=view.id,
            external_ref=view.external_ref,
            reply_to_number=getattr(view, "reply_to_number", None),
        )


@cache
def _styles() -> dict[str, ParagraphStyle]:
    shared = styles()
    label = ParagraphStyle(
        "ks-form-label", parent=shared.table_cell, fontName=fonts.SANS_BOLD, fontSize=6.5, leading=8
    )
    value = ParagraphStyle("ks-form-value", parent=shared.table_cell, fontSize=8, leading=10)
    big = ParagraphStyle(
        "ks-form-big", parent=value, fontName=fonts.SANS_BOLD, fontSize=13, leading=16
    )
    content = ParagraphStyle("ks-form-content", parent=value, fontSize=9, leading=11.5)
    return {"label": label, "value": value, "big": big, "content": content}


def _time(value: datetime | None) -> str:
    return f"{format_local(value)} ({format_dtg(value)})" if value is not None else ""


def _field(label: str, *lines: str | None, big: bool = False) -> Stack:
    st = _styles()
    parts: list[Flowable] = [para(label, st["label"])]
    for line in lines:
        if line:
            parts.append(para(line, st["big" if big else "value"]))
    return Stack(parts)


def _form_table(data: list[list[object]], widths: list[float], extra: list[tuple] = ()) -> Table:
    commands = [
        ("FONTNAME", (0, 0), (-1, -1), fonts.SANS),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BOX", (0, 0), (-1, -1), 0.9, _BOX),
        ("INNERGRID", (0, 0), (-1, -1), 0.4, _GRID),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        *extra,
    ]
    return Table(data, colWidths=widths, hAlign="LEFT", style=TableStyle(commands))


def _priority_boxes(priority: str) -> str:
    key = priority.strip().casefold()
    return "   ".join(f"{CHECKED if key == k else UNCHECKED} {label}" for k, label in PRIORITIES)


def message_form_story(form: MessageForm) -> list[Flowable]:
    width = content_width(A5)
    st = _styles()
    direction = "Eingang (E)" if form.direction.upper() == "E" else "Ausgang (A)"
    quarter = width / 4
    top = _form_table(
        [
            [
                _field(
                    "(1) Aufnahmevermerk",
                    form.intake_channel,
                    _time(form.intake_at),
                    f"durch {form.intake_by}" if form.intake_by else None,
                ),
                _field(
                    "(2) Annahmevermerk",
                    _time(form.accepted_at),
                    f"durch {form.accepted_by}" if form.accepted_by else None,
                ),
                _field(
                    "(3) Beförderungsvermerk",
                    form.transmitted_via,
                    _time(form.transmitted_at),
                    f"durch {form.transmitted_by}" if form.transmitted_by else None,
                ),
                Stack(
                    [
                        para("(4) Nachweisungs-Nr.", st["label"]),
                        para(direction, st["value"]),
                        para(form.number, st["big"]),
                    ]
                ),
            ]
        ],
        [quarter * 1.05, quarter * 0.95, quarter * 1.1, quarter * 0.9],
        [("BACKGROUND", (3, 0), (3, 0), _FIELD_BG)],
    )
    middle = _form_table(
        [
            [
                _field("(5) Spruchkopf", form.header or ""),
                _field("(6) Vorrangstufe", _priority_boxes(form.priority)),
            ],
            [
                _field(
                    "(7) Anschrift",
                    form.addressee,
                    "Verteilt an: " + ", ".join(a.function for a in form.acknowledgements)
                    if form.acknowledgements
                    else None,
                ),
                _field(
                    "(8) Gesprächsnotiz",
                    f"{CHECKED if form.conversation_note else UNCHECKED} Gesprächsnotiz",
                ),
            ],
        ],
        [width * 0.62, width * 0.38],
    )
    reference = []
    if form.reply_to_number:
        reference.append(f"Antwort auf {form.reply_to_number}")
    if form.external_ref:
        reference.append(f"Kennung: {form.external_ref}")
    content_parts: list[Flowable] = [para("(9) Inhalt", st["label"])]
    content_parts.append(fast_text(form.content, st["content"]))
    if reference:
        content_parts.append(para(" · ".join(reference), st["label"]))
    inhalt = LongTable(
        [[part] for part in content_parts],
        colWidths=[width],
        hAlign="LEFT",
        splitInRow=1,
        minRowHeights=[0, 120] + [0] * (len(content_parts) - 2),
        style=TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), fonts.SANS),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BOX", (0, 0), (-1, -1), 0.9, _BOX),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        ),
    )
    sign = " / ".join(p for p in (form.sender_sign, form.sender_function) if p)
    foot = _form_table(
        [
            [
                _field("(10) Abfassungszeit", _time(form.composed_at)),
                _field("(11) Absender", form.sender),
                _field("(12) Zeichen / Funktion", sign),
            ]
        ],
        [width * 0.3, width * 0.42, width * 0.28],
    )
    receipts: list[Flowable] = [para("(13) Quittung", st["label"])]
    if form.acknowledgements:
        for ack in form.acknowledgements:
            if ack.acknowledged_at is not None:
                line = f"{ack.function}: {CHECKED} {ack.acknowledged_by or ''}, {_time(ack.acknowledged_at)}"
            else:
                line = f"{ack.function}: {UNCHECKED} offen"
            receipts.append(para(line, st["value"]))
    else:
        receipts.append(para("noch an keine Funktion verteilt", st["value"]))
    triage: list[Flowable] = [para("Sichtung", st["label"])]
    if form.triaged_at is not None:
        triage.append(para(f"{_time(form.triaged_at)}", st["value"]))
        if form.triaged_by:
            triage.append(para(f"durch {form.triaged_by}", st["value"]))
    else:
        triage.append(para("nicht gesichtet", st["value"]))
    triage.append(para("Eine Ausfertigung an S2", st["label"]))
    bottom = _form_table([[Stack(receipts), Stack(triage)]], [width * 0.66, width * 0.34])
    return [top, middle, inhalt, foot, bottom]


def form_meta(
    form: MessageForm,
    *,
    staff_name: str,
    incident_title: str,
    exercise: bool,
    chain_head: str | None = None,
    classification: str | None = None,
) -> DocumentMeta:
    return DocumentMeta(
        title=f"Nachricht {form.number}",
        staff_name=staff_name,
        doc_id=form.message_id or form.number,
        dtg=format_dtg(form.intake_at),
        created_at=form.created_at,
        incident=incident_title,
        doc_number=form.number,
        classification=classification,
        chain_head=chain_head,
        exercise=exercise,
    )


def build_message_form(
    form: MessageForm,
    *,
    staff_name: str,
    incident_title: str,
    exercise: bool,
    chain_head: str | None = None,
    classification: str | None = None,
) -> bytes:
    """The Nachrichtenvordruck of one message as an A5 PDF."""
    meta = form_meta(
        form,
        staff_name=staff_name,
        incident_title=incident_title,
        exercise=exercise,
        chain_head=chain_head,
        classification=classification,
    )
    return build_pdf(meta, message_form_story(form), A5)
