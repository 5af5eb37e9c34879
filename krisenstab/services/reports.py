"""Use cases of the situation report (Lagebericht): draft, pre-draft, release, reprint.

S2 opens a draft (numbered per incident), the program pre-drafts the data
sections, S2 writes the free text and chooses the significant journal
entries, the Leitung releases. Releasing freezes the report: the document
JSON, the PDF and their SHA-256 sums are stored, a journal entry records the
release with the PDF's SHA-256, and the journal chain head the report was
built from is printed in its footer and written to the anchor log. A reprint
is the stored PDF, byte for byte; :meth:`ReportService.verify` rebuilds it
from the stored document and compares.

Only one draft per incident exists at a time. Nothing of a released report
can be changed through this service.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from krisenstab.domain.incident import Incident
from krisenstab.domain.journal import (
    GENESIS_HASH,
    EntryKind,
    EntryView,
    JournalEntry,
    JournalFilter,
)
from krisenstab.domain.report import (
    CapImport,
    ReportContent,
    ReportDocument,
    ReportKind,
    ReportStatus,
    SituationReport,
    clean_classification,
    clean_content,
    clean_staff_name,
    default_kind,
    empty_sections,
    entry_lines,
    parse_kind,
    sha256_hex,
)
from krisenstab.domain.timefmt import ensure_utc, format_dtg, format_local, utcnow
from krisenstab.services import report_data
from krisenstab.services.context import Actor, ServiceError
from krisenstab.services.journal import JournalService, write_entry
from krisenstab.services.permissions import Permission, authorize
from krisenstab.store.database import Database

__all__ = [
    "EmptySectionsError",
    "ReportCheck",
    "ReportService",
    "ReportView",
    "chain_state",
]

_UNCHANGED = object()


class EmptySectionsError(ServiceError):
    """Release refused because sections are empty; the GUI asks "trotzdem freigeben?"."""

    def __init__(self, number: int, sections: list[str]) -> None:
        self.sections = sections
        super().__init__(
            f"Lagebericht Nr. {number} hat leere Abschnitte: {', '.join(sections)}. "
            "Trotzdem freigeben?"
        )


@dataclass(frozen=True)
class ReportView:
    """A report handed to the GUI and the command line (detached, without PDF bytes)."""

    id: str
    incident_id: str
    number: int
    kind: str
    status: str
    classification: str | None
    staff_name: str
    period_from: datetime
    period_to: datetime | None
    prepared_by: str
    prepared_function: str
    prepared_at: datetime
    released_by: str | None
    released_function: str | None
    released_at: datetime | None
    pdf_sha256: str | None
    content_sha256: str | None
    chain_head: str | None
    chain_number: int | None
    release_entry: int | None
    revision: int
    updated_at: datetime
    content: ReportContent

    @property
    def is_released(self) -> bool:
        return self.status == ReportStatus.RELEASED.value

    @property
    def is_draft(self) -> bool:
        return not self.is_released

    @property
    def title(self) -> str:
        return f"Lagebericht Nr. {self.number} – {self.kind}"


@dataclass(frozen=True)
class ReportCheck:
    """Result of re-checking a released report against its stored hashes."""

    number: int
    pdf_ok: bool
    content_ok: bool
    rebuild_identical: bool | None  # None: not attempted (other ReportLab version etc.)
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """The stored bytes are intact (a differing rebuild is reported, not failed)."""
        return self.pdf_ok and self.content_ok


def check_kind(kind: ReportKind, *, has_released: bool) -> None:
    """Erstmeldung exactly once, first; Folge- and Abschlussmeldung only after it."""
    if kind is ReportKind.INITIAL and has_released:
        raise ValueError(
            "Eine Erstmeldung gibt es nur einmal je Ereignis; "
            "bitte Folgemeldung oder Abschlussmeldung wählen."
        )
    if kind is not ReportKind.INITIAL and not has_released:
        raise ValueError(
            f"Eine {kind.value} setzt eine freigegebene Erstmeldung voraus; "
            "der erste Lagebericht eines Ereignisses ist die Erstmeldung."
        )


def chain_state(db: Database, incident_id: str) -> tuple[int, str]:
    """(number, hash) of the newest journal entry of the incident; (0, genesis) if none."""
    with db.session() as session:
        last = session.execute(
            select(JournalEntry.number, JournalEntry.hash)
            .where(JournalEntry.incident_id == incident_id)
            .order_by(JournalEntry.number.desc())
            .limit(1)
        ).first()
    if last is None:
        return 0, GENESIS_HASH
    return int(last[0]), str(last[1])


def _view(row: SituationReport) -> ReportView:
    if row.status == ReportStatus.RELEASED.value:
        content = ReportDocument.from_json(row.content).content
    else:
        content = ReportContent.from_json(row.content)
    return ReportView(
        id=row.id,
        incident_id=row.incident_id,
        number=row.number,
        kind=row.kind,
        status=row.status,
        classification=row.classification,
        staff_name=row.staff_name,
        period_from=row.period_from,
        period_to=row.period_to,
        prepared_by=row.prepared_by,
        prepared_function=row.prepared_function,
        prepared_at=row.prepared_at,
        released_by=row.released_by,
        released_function=row.released_function,
        released_at=row.released_at,
        pdf_sha256=row.pdf_sha256,
        content_sha256=row.content_sha256,
        chain_head=row.chain_head,
        chain_number=row.chain_number,
        release_entry=row.release_entry,
        revision=row.revision,
        updated_at=row.updated_at,
        content=content,
    )


# Every column but the PDF bytes: lists must not drag megabytes along.
_LIGHT_COLUMNS = [c for c in SituationReport.__table__.c if c.name != "pdf"]


def _light_rows(session: Session, *conditions: object) -> list[SituationReport]:
    query = select(*_LIGHT_COLUMNS).where(*conditions)  # type: ignore[arg-type]
    query = query.order_by(SituationReport.incident_id, SituationReport.number)
    return [SituationReport(**dict(row._mapping)) for row in session.execute(query)]


class ReportService:
    """Situation reports of one database; ``clock`` replaces "now" (tests, exercises)."""

    def __init__(
        self,
        db: Database,
        actor: Actor | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.db = db
        self.actor = actor
        self.clock = clock or utcnow
        self.scenario_clock: Callable[[], datetime | None] | None = None

    # -- helpers ---------------------------------------------------------------
    def _actor(self, actor: Actor | None) -> Actor:
        actor = actor or self.actor
        if actor is None:
            raise ServiceError("Bitte zuerst angeben, wer Sie sind und welche Funktion Sie haben.")
        return actor

    def _now(self) -> datetime:
        return ensure_utc(self.clock())

    @staticmethod
    def _incident(session: Session, incident_id: str) -> Incident:
        incident = session.get(Incident, incident_id)
        if incident is None:
            raise ServiceError(f"Ereignis {incident_id} gibt es nicht.")
        return incident

    @staticmethod
    def _row(session: Session, incident_id: str, number: int) -> SituationReport:
        row = session.execute(
            select(SituationReport).where(
                SituationReport.incident_id == incident_id, SituationReport.number == number
            )
        ).scalar_one_or_none()
        if row is None:
            raise ServiceError(f"Lagebericht Nr. {number} gibt es in diesem Ereignis nicht.")
        return row

    @staticmethod
    def _draft_row(session: Session, incident_id: str) -> SituationReport | None:
        return session.execute(
            select(SituationReport).where(
                SituationReport.incident_id == incident_id,
                SituationReport.status == ReportStatus.DRAFT.value,
            )
        ).scalar_one_or_none()

    @staticmethod
    def _last_released(session: Session, incident_id: str) -> SituationReport | None:
        return session.execute(
            select(SituationReport)
            .where(
                SituationReport.incident_id == incident_id,
                SituationReport.status == ReportStatus.RELEASED.value,
            )
            .order_by(SituationReport.number.desc())
            .limit(1)
        ).scalar_one_or_none()

    # -- reading ------------------------------------------------------------------
    def list(self, incident_id: str | None = None) -> list[ReportView]:
        """Reports, per incident in number order (without PDF bytes)."""
        with self.db.session() as session:
            conditions = [] if incident_id is None else [SituationReport.incident_id == incident_id]
            return [_view(r) for r in _light_rows(session, *conditions)]

    def get(self, incident_id: str, number: int) -> ReportView:
        with self.db.session() as session:
            return _view(self._row(session, incident_id, number))

    def draft(self, incident_id: str) -> ReportView | None:
        """The current draft of the incident, if any."""
        with self.db.session() as session:
            row = self._draft_row(session, incident_id)
            return _view(row) if row is not None else None

    def latest_released(self, incident_id: str) -> ReportView | None:
        with self.db.session() as session:
            row = self._last_released(session, incident_id)
            return _view(row) if row is not None else None

    def resolve(self, incident_id: str, number: int | None) -> ReportView:
        """Report ``number``, or the current draft when no number is given."""
        if number is not None:
            return self.get(incident_id, number)
        draft = self.draft(incident_id)
        if draft is None:
            raise ServiceError(
                "Zu diesem Ereignis gibt es keinen Entwurf eines Lageberichts; "
                "bitte eine Nummer angeben oder einen Entwurf anlegen."
            )
        return draft

    # -- drafting -------------------------------------------------------------------
    def create_draft(
        self,
        incident_id: str,
        actor: Actor | None = None,
        *,
        kind: str | None = None,
        classification: str | object | None = _UNCHANGED,
        staff_name: str | None = None,
        prefill: bool = True,
    ) -> ReportView:
        """Open the next report of the incident as a draft (S2), pre-drafted unless told not to.

        Distribution, classification, staff name, place and assessment carry
        over from the last released report; free-text sections start empty so
        that nothing stale is released unnoticed.
        """
        who = self._actor(actor)
        now = self._now()
        # Read before the write transaction: a second session inside it would
        # wait for the write lock this one holds.
        fallback_name = report_data.staff_name(self.db)
        with self.db.write() as session:
            authorize(session, who, Permission.REPORT_DRAFT)
            incident = self._incident(session, incident_id)
            if incident.is_closed:
                raise ServiceError(
                    f"Das Ereignis „{incident.title}“ ist abgeschlossen; "
                    "es kann kein Lagebericht mehr entstehen."
                )
            existing = self._draft_row(session, incident_id)
            if existing is not None:
                raise ServiceError(
                    f"Es gibt bereits einen Entwurf (Lagebericht Nr. {existing.number}); "
                    "bitte diesen bearbeiten, freigeben oder verwerfen."
                )
            last = self._last_released(session, incident_id)
            if last is not None and last.kind == ReportKind.FINAL.value:
                raise ServiceError(
                    f"Zu diesem Ereignis ist die Abschlussmeldung (Nr. {last.number}) "
                    "bereits freigegeben."
                )
            number = (
                session.execute(
                    select(func.max(SituationReport.number)).where(
                        SituationReport.incident_id == incident_id
                    )
                ).scalar_one()
                or 0
            ) + 1
            try:
                report_kind = parse_kind(kind) if kind else default_kind(number, ())
                if classification is _UNCHANGED:
                    marking = last.classification if last is not None else None
                else:
                    marking = clean_classification(classification)  # type: ignore[arg-type]
                name = clean_staff_name(
                    staff_name or (last.staff_name if last is not None else None) or fallback_name
                )
            except ValueError as exc:
                raise ServiceError(str(exc)) from None
            try:
                check_kind(report_kind, has_released=last is not None)
            except ValueError as exc:
                raise ServiceError(str(exc)) from None
            content = ReportContent()
            if last is not None:
                before = ReportDocument.from_json(last.content).content
                content = dataclasses.replace(
                    content,
                    distribution=before.distribution,
                    next_meeting_place=before.next_meeting_place,
                    location=before.location,
                    severity=before.severity,
                    confidence=before.confidence,
                )
            row = SituationReport(
                incident_id=incident_id,
                number=number,
                kind=report_kind.value,
                status=ReportStatus.DRAFT.value,
                classification=marking,
                staff_name=name,
                period_from=last.period_to
                if last is not None and last.period_to
                else incident.created_at,
                prepared_by=who.person.strip(),
                prepared_function=who.function.strip(),
                prepared_at=now,
                content=content.to_json(),
                updated_at=now,
                workstation_id=who.workstation_id,
            )
            session.add(row)
            try:
                session.flush()
            except IntegrityError:
                raise ServiceError(
                    "Gleichzeitig wurde an einem anderen Platz ein Lagebericht angelegt; "
                    "bitte die Liste neu laden."
                ) from None
        if prefill:
            return self.predraft(incident_id, number, actor=who)
        return self.get(incident_id, number)

    def update_draft(
        self,
        incident_id: str,
        number: int,
        *,
        actor: Actor | None = None,
        content: ReportContent | None = None,
        kind: str | None = None,
        classification: str | object | None = _UNCHANGED,
        staff_name: str | None = None,
        expected_revision: int | None = None,
    ) -> ReportView:
        """Save the editor's state of a draft; refused for a released report."""
        who = self._actor(actor)
        now = self._now()
        with self.db.write() as session:
            authorize(session, who, Permission.REPORT_DRAFT)
            row = self._row(session, incident_id, number)
            self._check_editable(row, expected_revision)
            try:
                if content is not None:
                    row.content = clean_content(content).to_json()
                if kind is not None:
                    new_kind = parse_kind(kind)
                    check_kind(
                        new_kind,
                        has_released=self._last_released(session, incident_id) is not None,
                    )
                    row.kind = new_kind.value
                if classification is not _UNCHANGED:
                    row.classification = clean_classification(classification)  # type: ignore[arg-type]
                if staff_name is not None:
                    row.staff_name = clean_staff_name(staff_name)
            except ValueError as exc:
                raise ServiceError(str(exc)) from None
            row.revision += 1
            row.updated_at = now
            session.add(row)
            session.flush()
            return _view(row)

    @staticmethod
    def _check_editable(row: SituationReport, expected_revision: int | None) -> None:
        if row.status == ReportStatus.RELEASED.value:
            raise ServiceError(
                f"Lagebericht Nr. {row.number} ist freigegeben und kann nicht mehr "
                "geändert werden; für Neues bitte eine Folgemeldung anlegen."
            )
        if expected_revision is not None and row.revision != expected_revision:
            raise ServiceError(
                f"Lagebericht Nr. {row.number} wurde inzwischen an einem anderen Platz "
                "geändert; bitte neu laden."
            )

    def journal_candidates(self, incident_id: str, number: int | None = None) -> list[EntryView]:
        """The journal entries of the reporting period, for S2 to choose from."""
        report = self.resolve(incident_id, number)
        until = report.period_to if report.is_released else None
        flt = JournalFilter(since=report.period_from, until=until)
        return JournalService(self.db).list(incident_id, flt)

    def collect(self, incident_id: str, period_from: datetime | None = None) -> ReportContent:
        """The data sections as the program knows them now (nothing is stored)."""
        now = self._now()
        return ReportContent(
            kritis=report_data.kritis_data(self.db, now),
            tasks=report_data.task_data(self.db, incident_id, now),
            roster=tuple(report_data.roster_lines(self.db, now)),
            data_as_of=now,
            weather=self._warning_lines(incident_id, period_from),
        )

    def _warning_lines(self, incident_id: str, since: datetime | None) -> str:
        """Official weather warnings imported as CAP since ``since``, one per line."""
        with self.db.session() as session:
            query = select(CapImport).where(CapImport.incident_id == incident_id)
            if since is not None:
                query = query.where(CapImport.imported_at >= since)
            rows = session.execute(query.order_by(CapImport.sent_at)).scalars().all()
        lines = []
        for row in rows:
            if "Met" not in row.categories.split() or row.msg_type in ("Ack", "Error"):
                continue
            prefix = "Aufhebung: " if row.msg_type == "Cancel" else ""
            number = f" ({row.message_number})" if row.message_number else ""
            lines.append(f"{prefix}{row.title} – {row.sender}, {format_local(row.sent_at)}{number}")
        if not lines:
            return ""
        return "Amtliche Warnungen (CAP):\n" + "\n".join(lines)

    def predraft(self, incident_id: str, number: int, *, actor: Actor | None = None) -> ReportView:
        """Fill the data sections of a draft from the services (S2's "Daten übernehmen").

        Free text stays as written; an empty weather section takes the weather
        warnings imported since the last report; if S2 has not chosen any
        journal entries yet, the decisions (kind Entscheidung) of the period
        are pre-selected. Entries that no longer exist are dropped.
        """
        who = self._actor(actor)
        report = self.get(incident_id, number)
        if report.is_released:
            raise ServiceError(f"Lagebericht Nr. {number} ist freigegeben; nichts zu übernehmen.")
        fresh = self.collect(incident_id, report.period_from)
        content = report.content
        candidates = self.journal_candidates(incident_id, number)
        known = {e.number for e in candidates}
        chosen = tuple(n for n in content.significant_entries if n in known)
        if not chosen:
            chosen = tuple(
                e.number
                for e in candidates
                if e.kind == EntryKind.ENTSCHEIDUNG.value and not e.corrected_by
            )
        updated = dataclasses.replace(
            content,
            kritis=fresh.kritis,
            tasks=fresh.tasks,
            roster=fresh.roster,
            data_as_of=fresh.data_as_of,
            weather=content.weather or fresh.weather,
            significant_entries=chosen,
        )
        return self.update_draft(
            incident_id, number, actor=who, content=updated, expected_revision=report.revision
        )

    def empty_sections(self, incident_id: str, number: int | None = None) -> list[str]:
        """Headings of the empty sections, for the "release anyway?" question."""
        return empty_sections(self.resolve(incident_id, number).content)

    def discard_draft(self, incident_id: str, number: int, actor: Actor | None = None) -> None:
        """Throw a draft away (its number becomes free again); never a released report."""
        who = self._actor(actor)
        with self.db.write() as session:
            authorize(session, who, Permission.REPORT_DRAFT)
            row = self._row(session, incident_id, number)
            self._check_editable(row, None)
            session.delete(row)

    # -- documents -------------------------------------------------------------------
    def document(self, incident_id: str, number: int | None = None) -> ReportDocument:
        """The report as it prints: the frozen document, or the draft as of now."""
        with self.db.session() as session:
            if number is None:
                row = self._draft_row(session, incident_id)
                if row is None:
                    raise ServiceError(
                        "Zu diesem Ereignis gibt es keinen Entwurf eines Lageberichts; "
                        "bitte eine Nummer angeben oder einen Entwurf anlegen."
                    )
            else:
                row = self._row(session, incident_id, number)
            if row.status == ReportStatus.RELEASED.value:
                return ReportDocument.from_json(row.content)
            title = self._incident(session, incident_id).title
        head_number, head = self._chain_state(incident_id)
        return self._draft_document(row, title, self._now(), head, head_number)

    def _chain_state(self, incident_id: str) -> tuple[int, str]:
        return chain_state(self.db, incident_id)

    def _draft_document(
        self,
        row: SituationReport,
        incident_title: str,
        now: datetime,
        chain_head: str,
        chain_number: int,
        *,
        released_by: Actor | None = None,
    ) -> ReportDocument:
        content = ReportContent.from_json(row.content)
        entries = JournalService(self.db).fetch(row.incident_id, list(content.significant_entries))
        content = dataclasses.replace(content, entries=entry_lines(entries))
        return ReportDocument(
            report_id=row.id,
            incident_id=row.incident_id,
            incident_title=incident_title,
            staff_name=row.staff_name,
            number=row.number,
            kind=row.kind,
            status=ReportStatus.RELEASED.value if released_by else ReportStatus.DRAFT.value,
            classification=row.classification,
            period_from=row.period_from,
            period_to=now,
            prepared_by=row.prepared_by,
            prepared_function=row.prepared_function,
            prepared_at=row.prepared_at,
            released_by=released_by.person.strip() if released_by else None,
            released_function=released_by.function.strip() if released_by else None,
            released_at=now if released_by else None,
            chain_head=chain_head,
            chain_number=chain_number,
            exercise=self.db.is_exercise,
            content=content,
        )

    def pdf(self, incident_id: str, number: int | None = None) -> bytes:
        """A released report: its stored PDF (a reprint). A draft: built now, marked ENTWURF."""
        from krisenstab.reports.situation_report import build_situation_report

        with self.db.session() as session:
            if number is not None:
                stored = session.execute(
                    select(SituationReport.status, SituationReport.pdf).where(
                        SituationReport.incident_id == incident_id,
                        SituationReport.number == number,
                    )
                ).first()
                if stored is None:
                    raise ServiceError(
                        f"Lagebericht Nr. {number} gibt es in diesem Ereignis nicht."
                    )
                if stored[0] == ReportStatus.RELEASED.value:
                    if stored[1] is None:
                        raise ServiceError(f"Lagebericht Nr. {number}: das PDF fehlt.")
                    return bytes(stored[1])
        return build_situation_report(self.document(incident_id, number))

    # -- release ------------------------------------------------------------------------
    def release(
        self,
        incident_id: str,
        number: int,
        *,
        actor: Actor | None = None,
        allow_empty: bool = False,
        expected_revision: int | None = None,
    ) -> ReportView:
        """Release (Leitung): freeze document, PDF and hashes; write the journal entry.

        Raises :class:`EmptySectionsError` when sections are empty and
        ``allow_empty`` is False (the GUI asks, then calls again with True).
        """
        from krisenstab.reports.situation_report import build_situation_report

        who = self._actor(actor)
        with self.db.session() as session:
            authorize(session, who, Permission.REPORT_RELEASE)
            row = self._row(session, incident_id, number)
            self._check_editable(row, expected_revision)
            incident = self._incident(session, incident_id)
            if incident.is_closed:
                raise ServiceError(
                    f"Das Ereignis „{incident.title}“ ist abgeschlossen; "
                    "der Lagebericht kann nicht mehr freigegeben werden."
                )
            title = incident.title
        content = ReportContent.from_json(row.content)
        missing = empty_sections(content)
        if missing and not allow_empty:
            raise EmptySectionsError(number, missing)
        now = self._now()
        chain_number, chain_head = self._chain_state(incident_id)
        document = self._draft_document(row, title, now, chain_head, chain_number, released_by=who)
        document_json = document.to_json()
        pdf = build_situation_report(document)
        pdf_sha = sha256_hex(pdf)
        content_sha = sha256_hex(document_json)
        marking = f" Einstufung: {document.classification}." if document.classification else ""
        empty_note = (
            f" Freigegeben mit leeren Abschnitten: {', '.join(missing)}." if missing else ""
        )
        text = (
            f"Lagebericht Nr. {number} ({document.kind}) freigegeben durch "
            f"{document.released_by} ({document.released_function}); erstellt von "
            f"{document.prepared_by} ({document.prepared_function}). Berichtszeitraum "
            f"{format_dtg(document.period_from)} bis {format_dtg(document.period_to)}.{marking}"
            f" Grundlage: Einsatztagebuch bis Nr. {chain_number} "
            f"(Kette {chain_head[:12]}).{empty_note} SHA-256 des PDF: {pdf_sha}."
        )
        scenario = self.scenario_clock() if self.scenario_clock else None
        with self.db.write() as session:
            authorize(session, who, Permission.REPORT_RELEASE)
            # Released only if still exactly the draft the PDF was built from.
            entry = write_entry(
                session,
                incident_id,
                who,
                text,
                kind=EntryKind.LAGE,
                scenario_time=scenario,
            )
            result = session.execute(
                update(SituationReport)
                .where(
                    SituationReport.id == row.id,
                    SituationReport.status == ReportStatus.DRAFT.value,
                    SituationReport.revision == row.revision,
                )
                .values(
                    status=ReportStatus.RELEASED.value,
                    period_to=document.period_to,
                    released_by=document.released_by,
                    released_function=document.released_function,
                    released_at=document.released_at,
                    content=document_json,
                    pdf=pdf,
                    pdf_sha256=pdf_sha,
                    content_sha256=content_sha,
                    chain_head=chain_head,
                    chain_number=chain_number,
                    release_entry=entry.number,
                    revision=row.revision + 1,
                    updated_at=now,
                )
            )
            if result.rowcount != 1:
                raise ServiceError(
                    f"Lagebericht Nr. {number} wurde inzwischen geändert oder freigegeben; "
                    "bitte neu laden und erneut prüfen."
                )
        self._anchor(incident_id, chain_number, chain_head, number, now)
        return self.get(incident_id, number)

    def _anchor(
        self, incident_id: str, chain_number: int, chain_head: str, number: int, at: datetime
    ) -> None:
        """The printed chain head goes to the anchor log too (evidence outside the file)."""
        if chain_number < 1:
            return
        try:
            from krisenstab.store.anchors import record_anchor
        except ImportError:
            return
        # The report is stored; a read-only config folder only loses one anchor.
        with contextlib.suppress(OSError):
            record_anchor(
                self.db.db_id,
                incident_id,
                chain_number,
                chain_head,
                f"Lagebericht Nr. {number}",
                at=at,
            )

    # -- checks -------------------------------------------------------------------------
    def verify(self, incident_id: str, number: int, *, rebuild: bool = True) -> ReportCheck:
        """Compare a released report with its stored SHA-256 sums (and a rebuild)."""
        from krisenstab.reports.situation_report import build_situation_report

        with self.db.session() as session:
            row = self._row(session, incident_id, number)
        if row.status != ReportStatus.RELEASED.value:
            raise ServiceError(f"Lagebericht Nr. {number} ist noch nicht freigegeben.")
        problems: list[str] = []
        pdf = bytes(row.pdf or b"")
        pdf_ok = bool(pdf) and sha256_hex(pdf) == row.pdf_sha256
        if not pdf_ok:
            problems.append("Das gespeicherte PDF passt nicht zu seiner SHA-256-Summe.")
        content_ok = sha256_hex(row.content) == row.content_sha256
        if not content_ok:
            problems.append("Der gespeicherte Inhalt passt nicht zu seiner SHA-256-Summe.")
        identical: bool | None = None
        if rebuild and content_ok:
            rebuilt = build_situation_report(ReportDocument.from_json(row.content))
            identical = rebuilt == pdf
            if not identical:
                problems.append(
                    "Der Neuaufbau aus dem gespeicherten Inhalt weicht vom gespeicherten PDF ab "
                    "(andere Programm- oder Schriftversion?); maßgeblich bleibt das gespeicherte PDF."
                )
        return ReportCheck(number, pdf_ok, content_ok, identical, tuple(problems))
