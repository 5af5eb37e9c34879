"""The Erreichbarkeitsliste: who holds which staff function now, who is responsible
for what, and how to reach them — on paper, for the night the screens are dark.

A4 landscape, condensed type: the numbers must fit on one line each.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from reportlab.platypus import Flowable, Spacer

from krisenstab.domain.report import RosterLine
from krisenstab.domain.timefmt import format_dtg
from krisenstab.reports.blocks import empty_note, extra_styles, heading, when, when_short
from krisenstab.reports.paging import windowed_table
from krisenstab.reports.tables import CellStyle, column_widths
from krisenstab.reports.template import A4, DocumentMeta, build_pdf, content_width
from krisenstab.reports.text import para

__all__ = ["ContactListDocument", "ResponsibilityRow", "build_contact_list"]

_NAMESPACE = uuid.UUID("0b8f6d52-2c3e-4c1a-9f0e-6a7d5e4c3b21")
_VACANT = CellStyle(bold=True)


@dataclass(frozen=True)
class ResponsibilityRow:
    subject: str
    responsible: str
    phone_24h: str = ""
    reach: str = ""
    deputy: str = ""
    scope: str = ""


@dataclass(frozen=True)
class ContactListDocument:
    staff_name: str
    at: datetime
    roster: Sequence[RosterLine] = ()
    roster_available: bool = True
    responsibilities: Sequence[ResponsibilityRow] = ()
    responsibilities_available: bool = True
    warnings: Sequence[str] = field(default_factory=tuple)
    exercise: bool = False
    classification: str | None = None
    incident_title: str = ""

    @property
    def doc_id(self) -> str:
        return str(uuid.uuid5(_NAMESPACE, f"kontakte|{self.at.isoformat()}|{len(self.roster)}"))


def contact_list_story(document: ContactListDocument) -> list[Flowable]:
    width = content_width(A4, landscape=True)
    story: list[Flowable] = [
        para(f"Stand: {when(document.at)}", extra_styles()["note"]),
        *heading("1. Besetzung des Stabes (Wer ist wer)"),
    ]
    if not document.roster_available:
        story.append(empty_note("Funktionsbesetzung in dieser Installation nicht verfügbar"))
    elif not document.roster:
        story.append(empty_note("keine Funktionen angelegt"))
    else:
        rows = []
        row_styles: dict[int, CellStyle] = {}
        for index, line in enumerate(document.roster):
            if not line.person:
                row_styles[index] = _VACANT
            rows.append(
                [
                    line.function,
                    line.person or "unbesetzt",
                    when_short(line.since) if line.person else "",
                    line.reach,
                    line.deputy,
                ]
            )
        story.append(
            windowed_table(
                ["Funktion", "besetzt durch", "seit", "Erreichbarkeit", "Vertretung"],
                rows,
                column_widths(width, 3.2, 3.2, 1.6, 6, 4),
                row_styles=row_styles,
                condensed=True,
            )
        )
    for warning in document.warnings:
        story.append(para(f"Hinweis: {warning}", extra_styles()["note"]))
    story += [Spacer(0, 6), *heading("2. Zuständigkeiten und Ansprechstellen")]
    if not document.responsibilities_available:
        story.append(empty_note("Zuständigkeiten in dieser Installation nicht verfügbar"))
    elif not document.responsibilities:
        story.append(empty_note("keine Zuständigkeiten erfasst"))
    else:
        story.append(
            windowed_table(
                ["Thema", "Bereich", "zuständig", "24/7", "Erreichbarkeit", "Vertretung"],
                [
                    [r.subject, r.scope, r.responsible, r.phone_24h, r.reach, r.deputy]
                    for r in document.responsibilities
                ],
                column_widths(width, 3.2, 2.6, 3.4, 2, 4.2, 2.8),
                condensed=True,
            )
        )
    return story


def build_contact_list(document: ContactListDocument) -> bytes:
    """The Erreichbarkeitsliste as PDF (A4 landscape)."""
    meta = DocumentMeta(
        title="Erreichbarkeitsliste",
        staff_name=document.staff_name,
        doc_id=document.doc_id,
        dtg=format_dtg(document.at),
        created_at=document.at,
        incident=document.incident_title,
        classification=document.classification,
        exercise=document.exercise,
    )
    return build_pdf(meta, contact_list_story(document), A4, landscape=True)
