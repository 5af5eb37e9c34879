"""The KRITIS status list: every facility with its status, since when, its
emergency power and whom to call, worst status first.

A4 landscape, condensed type; status cells coloured as on screen.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from reportlab.platypus import Flowable

from krisenstab.domain.report import FacilityLine
from krisenstab.domain.timefmt import format_dtg
from krisenstab.reports.blocks import (
    STATUS_COLORS,
    empty_note,
    extra_styles,
    persons,
    status_style,
    when,
    when_short,
)
from krisenstab.reports.paging import windowed_table
from krisenstab.reports.tables import Cell, column_widths
from krisenstab.reports.template import A4, DocumentMeta, build_pdf, content_width, styles
from krisenstab.reports.text import para

__all__ = ["FacilityListDocument", "build_facility_list", "status_order"]

_NAMESPACE = uuid.UUID("7e1d9c40-58b2-4f7a-8d3e-2b6c1a0f9e35")
_ORDER = ("ausgefallen", "Notstrombetrieb", "eingeschränkt", "unbekannt", "betriebsbereit")


def status_order(status: str) -> int:
    return _ORDER.index(status) if status in _ORDER else len(_ORDER)


@dataclass(frozen=True)
class FacilityListDocument:
    staff_name: str
    at: datetime
    facilities: Sequence[FacilityLine] = ()
    available: bool = True
    exercise: bool = False
    classification: str | None = None
    incident_title: str = ""

    @property
    def doc_id(self) -> str:
        return str(uuid.uuid5(_NAMESPACE, f"kritis|{self.at.isoformat()}|{len(self.facilities)}"))


def facility_list_story(document: FacilityListDocument) -> list[Flowable]:
    width = content_width(A4, landscape=True)
    shared = styles()
    story: list[Flowable] = [para(f"Stand: {when(document.at)}", extra_styles()["note"])]
    if not document.available:
        story.append(empty_note("das KRITIS-Register ist in dieser Installation nicht verfügbar"))
        return story
    if not document.facilities:
        story.append(empty_note("keine Objekte erfasst"))
        return story
    counts: dict[str, int] = {}
    affected_persons = 0
    for line in document.facilities:
        counts[line.status] = counts.get(line.status, 0) + 1
        if line.status in ("ausgefallen", "eingeschränkt"):
            affected_persons += line.persons_supplied
    summary = "; ".join(
        f"{status}: {counts.get(status, 0)}" for status in _ORDER if status in STATUS_COLORS
    )
    story.append(
        para(
            f"{len(document.facilities)} Objekte – {summary}. Versorgte Personen bei "
            f"ausgefallenen oder eingeschränkten Objekten: {persons(affected_persons) or '0'}.",
            shared.body,
        )
    )
    ordered = sorted(
        document.facilities,
        key=lambda f: (
            status_order(f.status),
            f.sector.casefold(),
            f.municipality.casefold(),
            f.name.casefold(),
        ),
    )
    rows = [
        [
            line.name,
            line.sector,
            line.municipality,
            Cell(line.status, status_style(line.status)),
            when_short(line.since),
            line.power_text,
            persons(line.persons_supplied),
            line.contact,
            line.note,
        ]
        for line in ordered
    ]
    story.append(
        windowed_table(
            [
                "Objekt",
                "Sektor",
                "Gemeinde",
                "Status",
                "seit",
                "Notstrom",
                "Versorgte",
                "Telefon 24/7",
                "Bemerkung",
            ],
            rows,
            column_widths(width, 4.0, 2.6, 2.0, 2.2, 2.05, 3.0, 1.8, 2.5, 3.85),
            condensed=True,
        )
    )
    return story


def build_facility_list(document: FacilityListDocument) -> bytes:
    """The KRITIS status list as PDF (A4 landscape)."""
    meta = DocumentMeta(
        title="KRITIS-Statusliste",
        staff_name=document.staff_name,
        doc_id=document.doc_id,
        dtg=format_dtg(document.at),
        created_at=document.at,
        incident=document.incident_title,
        classification=document.classification,
        exercise=document.exercise,
    )
    return build_pdf(meta, facility_list_story(document), A4, landscape=True)
