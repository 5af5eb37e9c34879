"""Every printable document, built from the database as PDF bytes.

One entry point for the GUI's print menu, its preview and the command line:
:meth:`DocumentService.build` takes a :class:`DocumentRequest` and returns a
:class:`PrintableDocument` (title, suggested file name, bytes), which the GUI
shows in its QtPdf preview and hands to a :class:`~krisenstab.services.printing.Printer`.
Building opens no network connection and no file other than the database
and the shipped fonts; it is safe on a worker thread (own sessions).

In an exercise database every document carries ÜBUNG (header tag, diagonal
watermark, PDF title) and its suggested file name starts with ``UEBUNG_``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from krisenstab.domain.filenames import exercise_filename, safe_filename
from krisenstab.domain.incident import Incident
from krisenstab.domain.journal import EntryView, JournalFilter
from krisenstab.domain.timefmt import ensure_utc, format_dtg, utcnow
from krisenstab.services import report_data
from krisenstab.services.context import ServiceError
from krisenstab.services.journal import JournalService
from krisenstab.services.reports import ReportService, chain_state
from krisenstab.store.database import Database

__all__ = ["DocumentKind", "DocumentRequest", "DocumentService", "PrintableDocument"]


class DocumentKind(StrEnum):
    SITUATION_REPORT = "Lagebericht"
    JOURNAL = "Einsatztagebuch"
    MESSAGE_FORM = "Nachrichtenvordruck"
    CONTACT_LIST = "Erreichbarkeitsliste"
    FACILITY_LIST = "KRITIS-Statusliste"


@dataclass(frozen=True)
class DocumentRequest:
    """What to print. ``incident_id`` for report, journal and message form;
    ``report_number`` None prints the current draft; ``message_number`` like "E-12";
    ``since``/``until`` limit the journal printout (time of recording)."""

    kind: DocumentKind
    incident_id: str | None = None
    report_number: int | None = None
    message_number: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    keeper: str | None = None
    printed_by: str = ""


@dataclass(frozen=True)
class PrintableDocument:
    title: str
    filename: str
    pdf: bytes
    exercise: bool


class DocumentService:
    """Builds documents; ``clock`` replaces "now" (tests, exercise time)."""

    def __init__(self, db: Database, *, clock: Callable[[], datetime] | None = None) -> None:
        self.db = db
        self.clock = clock or utcnow

    def _now(self) -> datetime:
        return ensure_utc(self.clock())

    def _incident(self, incident_id: str | None) -> Incident:
        if not incident_id:
            raise ServiceError("Bitte ein Ereignis wählen.")
        with self.db.session() as session:
            incident = session.get(Incident, incident_id)
        if incident is None:
            raise ServiceError(f"Ereignis {incident_id} gibt es nicht.")
        return incident

    def _filename(self, title: str, at: datetime) -> str:
        stem = f"{title}_{format_dtg(at)}"
        if self.db.is_exercise:
            return exercise_filename(stem, ".pdf")
        return safe_filename(stem, ".pdf")

    # -- one entry point -------------------------------------------------------------
    def build(self, request: DocumentRequest) -> PrintableDocument:
        kind = DocumentKind(request.kind)
        now = self._now()
        if kind is DocumentKind.SITUATION_REPORT:
            incident = self._incident(request.incident_id)
            service = ReportService(self.db, clock=self.clock)
            report = service.resolve(incident.id, request.report_number)
            pdf = service.pdf(incident.id, request.report_number)
            title = report.title if report.is_released else f"ENTWURF {report.title}"
            stamp = report.released_at or now
            return PrintableDocument(title, self._filename(title, stamp), pdf, self.db.is_exercise)
        if kind is DocumentKind.JOURNAL:
            pdf = self.journal(
                request.incident_id or "",
                since=request.since,
                until=request.until,
                keeper=request.keeper,
                printed_by=request.printed_by,
            )
            title = "Einsatztagebuch"
        elif kind is DocumentKind.MESSAGE_FORM:
            if not request.message_number:
                raise ServiceError(
                    "Bitte die Nachweisungs-Nummer der Nachricht angeben (z. B. E-12)."
                )
            pdf = self.message_form(request.incident_id or "", request.message_number)
            title = f"Nachricht {request.message_number}"
        elif kind is DocumentKind.CONTACT_LIST:
            pdf = self.contact_list()
            title = "Erreichbarkeitsliste"
        else:
            pdf = self.facility_list()
            title = "KRITIS-Statusliste"
        return PrintableDocument(title, self._filename(title, now), pdf, self.db.is_exercise)

    # -- the documents ----------------------------------------------------------------
    def journal_document(
        self,
        incident_id: str,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        keeper: str | None = None,
        printed_by: str = "",
    ):  # type: ignore[no-untyped-def]
        """The data of the ETB printout (see reports.journal_print.JournalDocument)."""
        from krisenstab.reports.journal_print import JournalDocument

        incident = self._incident(incident_id)
        if since is not None and until is not None and ensure_utc(since) > ensure_utc(until):
            raise ServiceError("Der Zeitraum beginnt nach seinem Ende.")
        now = self._now()
        journal = JournalService(self.db)
        flt = JournalFilter(
            since=ensure_utc(since) if since else None, until=ensure_utc(until) if until else None
        )
        entries = journal.list(incident_id, flt)
        wanted = sorted({e.corrects for e in entries if e.corrects is not None})
        originals: dict[int, EntryView] = {e.number: e for e in journal.fetch(incident_id, wanted)}
        head_number, head = chain_state(self.db, incident_id)
        return JournalDocument(
            staff_name=report_data.staff_name(self.db),
            incident_id=incident.id,
            incident_title=incident.title,
            entries=entries,
            printed_at=now,
            printed_by=printed_by,
            originals=originals,
            period_from=flt.since,
            period_to=flt.until,
            keeper=keeper or report_data.journal_keeper(self.db, now),
            chain_head=head,
            chain_number=head_number,
            total_entries=head_number,
            exercise=self.db.is_exercise,
        )

    def journal(
        self,
        incident_id: str,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        keeper: str | None = None,
        printed_by: str = "",
    ) -> bytes:
        """The ETB printout ("Blatt x von y", corrections struck through, signature block)."""
        from krisenstab.reports.journal_print import build_journal_pdf

        return build_journal_pdf(
            self.journal_document(
                incident_id, since=since, until=until, keeper=keeper, printed_by=printed_by
            )
        )

    def message_form(self, incident_id: str, number: str) -> bytes:
        """The A5 Nachrichtenvordruck of message ``number`` (E-12, A-3)."""
        from krisenstab.reports.message_form import MessageForm, build_message_form

        incident = self._incident(incident_id)
        module = report_data.service_module("messages")
        if module is None or not hasattr(module, "MessageService"):
            raise ServiceError("Nachrichten sind in dieser Installation nicht verfügbar.")
        view = module.MessageService(self.db).by_number(incident_id, number)
        head_number, head = chain_state(self.db, incident_id)
        del head_number
        return build_message_form(
            MessageForm.from_view(view),
            staff_name=report_data.staff_name(self.db),
            incident_title=incident.title,
            exercise=self.db.is_exercise,
            chain_head=head,
        )

    def contact_list(self) -> bytes:
        """The Erreichbarkeitsliste (roster and responsibilities, numbers)."""
        from krisenstab.reports.contact_list import ContactListDocument, build_contact_list

        now = self._now()
        sheet = report_data.contact_sheet(self.db, now)
        return build_contact_list(
            ContactListDocument(
                staff_name=report_data.staff_name(self.db),
                at=now,
                roster=sheet.roster,
                roster_available=sheet.roster_available,
                responsibilities=sheet.responsibilities,
                responsibilities_available=sheet.responsibilities_available,
                warnings=sheet.warnings,
                exercise=self.db.is_exercise,
            )
        )

    def facility_list(self) -> bytes:
        """The KRITIS status list."""
        from krisenstab.reports.facility_list import FacilityListDocument, build_facility_list

        now = self._now()
        available, lines = report_data.facility_lines(self.db, now)
        return build_facility_list(
            FacilityListDocument(
                staff_name=report_data.staff_name(self.db),
                at=now,
                facilities=lines,
                available=available,
                exercise=self.db.is_exercise,
            )
        )
