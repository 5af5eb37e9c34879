"""Exchange with other authorities: CAP in and out, EDXL-SitRep out.

- CAP import (a file, bytes, or a watched folder) turns an alert into an
  incoming message (Eingang) of the message flow: channel "Warnsystem (CAP)",
  Vorrangstufe suggested from urgency/severity/certainty, the alert's
  identifier as the message's outside reference. A refused file (invalid CAP,
  hostile XML) stores nothing and raises :class:`CapImportRefused` with a
  German sentence naming the problem. The same alert is never imported twice
  into one incident.
- :meth:`ExchangeService.scan_cap_folder` is a pure step for a timer: it looks
  at the folder once, imports what is new and complete, and returns what it
  did. The caller (the GUI's QTimer, a script) keeps the
  :class:`FolderScanState` between calls. It opens only regular files in the
  folder itself, never follows links, and never opens a network address.
- CAP export: the latest released situation report's summary and the current
  KRITIS warnings as one CAP 1.2 alert, valid against the OASIS schema;
  ``status=Exercise`` in an exercise database (enforced in exchange.cap).
- EDXL-SitRep export of a released report.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from krisenstab.domain.report import (
    CapImport,
    ReportConfidence,
    ReportDocument,
    ReportKind,
    summary_lines,
)
from krisenstab.domain.timefmt import ensure_utc, format_dtg, format_local, utcnow
from krisenstab.exchange.cap import (
    CapAlert,
    CapAlertInput,
    CapArea,
    CapError,
    CapInfo,
    build_cap,
    parse_cap,
)
from krisenstab.exchange.sitrep import ReportConfidence as SitRepConfidence
from krisenstab.exchange.sitrep import (
    SectionKind,
    SitRepError,
    SitRepInput,
    SitRepLocation,
    SitRepPerson,
    SitRepSection,
    build_sitrep,
    report_version_for,
)
from krisenstab.exchange.xmlsafe import DEFAULT_MAX_BYTES
from krisenstab.services import report_data
from krisenstab.services.context import Actor, ServiceError
from krisenstab.services.reports import ReportService
from krisenstab.store.database import Database

__all__ = [
    "CAP_CHANNEL",
    "CAP_SUFFIXES",
    "CapImportRefused",
    "CapImportResult",
    "ExchangeService",
    "FolderScanResult",
    "FolderScanState",
]

CAP_CHANNEL = "Warnsystem (CAP)"
CAP_SUFFIXES = (".cap", ".xml")
MESSAGE_CONTENT_MAX = 20_000  # = domain.message.CONTENT_MAX
REAL_ALERT_IN_EXERCISE = "ECHTMELDUNG – keine Übungseinlage! "
RESTRICTION = "Nur für Behörden und Organisationen mit Sicherheitsaufgaben (BOS)"
_CONFIDENCE_TO_CERTAINTY = {
    ReportConfidence.HIGHLY_CONFIDENT.value: "Observed",
    ReportConfidence.SOMEWHAT_CONFIDENT.value: "Likely",
    ReportConfidence.UNSURE.value: "Possible",
    ReportConfidence.NO_CONFIDENCE.value: "Unknown",
}


class CapImportRefused(ServiceError):
    """A CAP file that is not imported; ``str()`` names the problem in German."""

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems) or (message,)


@dataclass(frozen=True)
class CapImportResult:
    """One imported alert; ``duplicate``: it was there already, nothing stored."""

    title: str
    priority: str
    cap_status: str
    identifier: str
    sender: str
    source_name: str | None
    message_id: str | None
    message_number: str | None
    journal_number: int | None = None
    duplicate: bool = False
    warnings: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.duplicate:
            where = f" als {self.message_number}" if self.message_number else ""
            return f"Bereits übernommen{where}: {self.title}"
        return f"Übernommen als {self.message_number} ({self.priority}): {self.title}"


@dataclass
class FolderScanState:
    """What a watched folder looked like at the last scans (kept by the caller).

    ``seen`` maps a file name to (size, mtime_ns) of the version already dealt
    with (imported, duplicate or refused): it is not read again unless it changes.
    """

    seen: dict[str, tuple[int, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class FolderScanResult:
    imported: tuple[CapImportResult, ...] = ()
    duplicates: tuple[CapImportResult, ...] = ()
    refused: tuple[tuple[str, str], ...] = ()  # (file name, German reason)
    waiting: tuple[str, ...] = ()  # still being written; next scan

    @property
    def changed(self) -> bool:
        return bool(self.imported or self.refused)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ExchangeService:
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

    def _actor(self, actor: Actor | None) -> Actor:
        actor = actor or self.actor
        if actor is None:
            raise ServiceError("Bitte zuerst angeben, wer Sie sind und welche Funktion Sie haben.")
        return actor

    def _now(self) -> datetime:
        return ensure_utc(self.clock())

    @staticmethod
    def _messages():  # type: ignore[no-untyped-def]
        module = report_data.service_module("messages")
        if module is None or not hasattr(module, "MessageService"):
            raise ServiceError("Nachrichten sind in dieser Installation nicht verfügbar.")
        return module.MessageService

    # -- CAP import --------------------------------------------------------------------
    def read_cap_file(self, path: str | os.PathLike[str]) -> bytes:
        """The bytes of a CAP file (size-limited); CapImportRefused if unreadable."""
        file = Path(path)
        try:
            with file.open("rb") as fh:
                data = fh.read(DEFAULT_MAX_BYTES + 1)
        except FileNotFoundError:
            raise CapImportRefused(f"Die Datei {file} gibt es nicht.") from None
        except IsADirectoryError:
            raise CapImportRefused(f"{file} ist ein Ordner, keine CAP-Datei.") from None
        except OSError as exc:
            raise CapImportRefused(f"Die Datei {file} kann nicht gelesen werden: {exc}") from None
        if len(data) > DEFAULT_MAX_BYTES:
            raise CapImportRefused(
                f"Die CAP-Datei ‚{file.name}‘ ist größer als "
                f"{DEFAULT_MAX_BYTES // (1024 * 1024)} MB und wird nicht gelesen."
            )
        return data

    def parse(self, data: bytes, source_name: str | None = None) -> CapAlert:
        """Parse without storing anything; CapImportRefused with the problems."""
        try:
            return parse_cap(data, source_name=source_name)
        except CapError as exc:
            raise CapImportRefused(str(exc), exc.problems) from None

    def import_cap_file(
        self,
        incident_id: str,
        path: str | os.PathLike[str],
        *,
        actor: Actor | None = None,
        to_functions: Sequence[str] = (),
    ) -> CapImportResult:
        file = Path(path)
        data = self.read_cap_file(file)
        return self.import_cap_bytes(
            incident_id, data, source_name=file.name, actor=actor, to_functions=to_functions
        )

    def import_cap_bytes(
        self,
        incident_id: str,
        data: bytes,
        *,
        source_name: str | None = None,
        actor: Actor | None = None,
        to_functions: Sequence[str] = (),
    ) -> CapImportResult:
        """Import one alert as an incoming message (or report it as already imported).

        Without ``to_functions`` the message waits in the triage queue
        (Sichtung) like any other incoming message.
        """
        who = self._actor(actor)
        alert = self.parse(data, source_name)
        sent_text = alert.sent.isoformat()
        title = _shorten(alert.title, 500)
        priority = alert.suggested_priority().value
        existing = self._existing(incident_id, alert, sent_text)
        if existing is not None:
            return CapImportResult(
                title=title,
                priority=existing.priority,
                cap_status=alert.status,
                identifier=alert.identifier,
                sender=alert.sender,
                source_name=source_name,
                message_id=existing.message_id,
                message_number=existing.message_number,
                journal_number=existing.journal_number,
                duplicate=True,
                warnings=alert.warnings,
            )
        content = alert.summary_text()
        if self.db.is_exercise and not alert.is_exercise:
            # A real warning must never be mistaken for a scripted inject.
            content = REAL_ALERT_IN_EXERCISE + content
        if len(content) > MESSAGE_CONTENT_MAX:
            tail = "\n… (gekürzt; vollständig in der CAP-Datei"
            tail += f" ‚{source_name}‘)" if source_name else ")"
            content = content[: MESSAGE_CONTENT_MAX - len(tail)] + tail
        infos = alert.preferred_infos()
        sender_names = [i.sender_name for i in infos if i.sender_name]
        sender = _shorten(sender_names[0] if sender_names else alert.sender, 200)
        reference = f"{alert.sender},{alert.identifier},{sent_text}"
        if len(reference) > 300:
            reference = _shorten(alert.identifier, 300)
        header = _shorten(f"CAP {alert.version} · {alert.msg_type} · {alert.identifier}", 500)
        message = self._messages()(self.db).record_incoming(
            incident_id,
            sender=sender,
            content=content,
            to_functions=tuple(to_functions),
            priority=priority,
            channel=CAP_CHANNEL,
            header=header,
            composed_at=alert.sent,
            sender_sign=_shorten(alert.sender, 60),
            external_ref=reference,
            actor=who,
        )
        journal_number = self._journal_number_of(incident_id, message.id)
        categories = sorted({c for i in alert.infos for c in i.categories})
        try:
            with self.db.write() as session:
                session.add(
                    CapImport(
                        incident_id=incident_id,
                        sender=_shorten(alert.sender, 300),
                        identifier=_shorten(alert.identifier, 300),
                        sent_text=sent_text[:40],
                        sent_at=ensure_utc(alert.sent),
                        status=alert.status,
                        msg_type=alert.msg_type,
                        title=title,
                        categories=" ".join(categories)[:200],
                        priority=priority,
                        sha256=_sha256(data),
                        source_name=_shorten(source_name, 500) if source_name else None,
                        message_id=message.id,
                        message_number=message.number,
                        journal_number=journal_number,
                        imported_at=self._now(),
                        imported_by=who.person.strip()[:120],
                        workstation_id=who.workstation_id,
                    )
                )
        except IntegrityError:
            # Another workstation recorded the same alert at the same moment;
            # the message exists, the bookkeeping row is already there.
            pass
        return CapImportResult(
            title=title,
            priority=priority,
            cap_status=alert.status,
            identifier=alert.identifier,
            sender=alert.sender,
            source_name=source_name,
            message_id=message.id,
            message_number=message.number,
            journal_number=journal_number,
            warnings=alert.warnings,
        )

    def _existing(self, incident_id: str, alert: CapAlert, sent_text: str) -> CapImport | None:
        with self.db.session() as session:
            return session.execute(
                select(CapImport).where(
                    CapImport.incident_id == incident_id,
                    CapImport.sender == alert.sender[:300],
                    CapImport.identifier == alert.identifier[:300],
                    CapImport.sent_text == sent_text[:40],
                )
            ).scalar_one_or_none()

    def _journal_number_of(self, incident_id: str, message_id: str) -> int | None:
        from krisenstab.domain.journal import JournalEntry

        with self.db.session() as session:
            return session.execute(
                select(JournalEntry.number)
                .where(
                    JournalEntry.incident_id == incident_id,
                    JournalEntry.message_id == message_id,
                )
                .order_by(JournalEntry.number)
                .limit(1)
            ).scalar_one_or_none()

    def imports(self, incident_id: str) -> list[CapImport]:
        """The alerts imported into an incident, oldest first."""
        with self.db.session() as session:
            return list(
                session.execute(
                    select(CapImport)
                    .where(CapImport.incident_id == incident_id)
                    .order_by(CapImport.imported_at)
                ).scalars()
            )

    # -- watched folder ---------------------------------------------------------------
    def scan_cap_folder(
        self,
        incident_id: str,
        folder: str | os.PathLike[str],
        state: FolderScanState | None = None,
        *,
        actor: Actor | None = None,
        to_functions: Sequence[str] = (),
        min_age_s: float = 2.0,
        now: float | None = None,
    ) -> FolderScanResult:
        """Look at ``folder`` once and import every new, complete CAP file.

        A file younger than ``min_age_s`` seconds may still be being written
        and waits for the next scan. Files already dealt with (same size and
        modification time) are skipped; so is a file whose bytes were imported
        before. Refused files are reported once per version.
        """
        import time

        who = self._actor(actor)
        state = state if state is not None else FolderScanState()
        base = Path(folder)
        try:
            entries = sorted(os.scandir(base), key=lambda e: e.name)
        except FileNotFoundError:
            raise ServiceError(f"Den Ordner {base} gibt es nicht.") from None
        except NotADirectoryError:
            raise ServiceError(f"{base} ist kein Ordner.") from None
        except OSError as exc:
            raise ServiceError(f"Der Ordner {base} kann nicht gelesen werden: {exc}") from None
        moment = time.time() if now is None else now
        known_hashes = self._known_hashes(incident_id)
        imported: list[CapImportResult] = []
        duplicates: list[CapImportResult] = []
        refused: list[tuple[str, str]] = []
        waiting: list[str] = []
        for entry in entries:
            if not entry.name.lower().endswith(CAP_SUFFIXES) or entry.name.startswith("."):
                continue
            try:
                if not entry.is_file(follow_symlinks=False):
                    continue
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            version = (info.st_size, info.st_mtime_ns)
            if state.seen.get(entry.name) == version:
                continue
            if moment - info.st_mtime < min_age_s:
                waiting.append(entry.name)
                continue
            try:
                data = self.read_cap_file(entry.path)
                digest = _sha256(data)
                if digest in known_hashes:
                    state.seen[entry.name] = version
                    continue
                result = self.import_cap_bytes(
                    incident_id, data, source_name=entry.name, actor=who, to_functions=to_functions
                )
            except CapImportRefused as exc:
                refused.append((entry.name, str(exc)))
                state.seen[entry.name] = version
                continue
            state.seen[entry.name] = version
            known_hashes.add(digest)
            (duplicates if result.duplicate else imported).append(result)
        return FolderScanResult(tuple(imported), tuple(duplicates), tuple(refused), tuple(waiting))

    def _known_hashes(self, incident_id: str) -> set[str]:
        with self.db.session() as session:
            return set(
                session.execute(
                    select(CapImport.sha256).where(CapImport.incident_id == incident_id)
                ).scalars()
            )

    # -- CAP export ------------------------------------------------------------------
    def cap_sender(self) -> str:
        """A sender that is unique per database and can never be mistaken for a real address."""
        return f"krisenstab.{self.db.db_id[:8] or 'lokal'}@krisenstab.invalid"

    def export_cap(
        self,
        incident_id: str,
        *,
        include_report: bool = True,
        include_warnings: bool = True,
        extra_infos: Sequence[CapInfo] = (),
    ) -> bytes:
        """The report summary and current KRITIS warnings as a CAP 1.2 alert (UTF-8 XML).

        Scope is Restricted (staff information, not a public warning). In an
        exercise database the status is Exercise and every headline says ÜBUNG.
        """
        from krisenstab.domain.incident import Incident

        now = self._now()
        with self.db.session() as session:
            incident = session.get(Incident, incident_id)
        if incident is None:
            raise ServiceError(f"Ereignis {incident_id} gibt es nicht.")
        staff = report_data.staff_name(self.db)
        infos: list[CapInfo] = []
        note = None
        classification = None
        if include_report:
            report = ReportService(self.db).latest_released(incident_id)
            if report is not None:
                document = ReportService(self.db).document(incident_id, report.number)
                infos.append(self._report_info(document, staff))
                note = f"{document.title}, freigegeben {format_local(document.stamp)}"
                classification = document.classification
        if include_warnings:
            infos.extend(self._warning_infos(now, staff))
        infos.extend(extra_infos)
        if not infos:
            raise ServiceError(
                "Nichts zu exportieren: es gibt weder einen freigegebenen Lagebericht "
                "noch aktuelle KRITIS-Warnungen."
            )
        restriction = RESTRICTION + (f"; Einstufung: {classification}" if classification else "")
        stamp = now.strftime("%Y%m%dT%H%M%S")
        alert = CapAlertInput(
            identifier=f"krisenstab-{incident_id[:8]}-{stamp}-{now.microsecond:06d}",
            sender=self.cap_sender(),
            sent=now.replace(microsecond=0),
            infos=infos,
            scope="Restricted",
            restriction=restriction,
            note=note,
            incidents=(incident_id,),
        )
        try:
            return build_cap(alert, exercise=self.db.is_exercise)
        except CapError as exc:
            raise ServiceError(str(exc)) from None

    @staticmethod
    def _report_info(document: ReportDocument, staff: str) -> CapInfo:
        content = document.content
        lines = summary_lines(document)
        if content.decisions:
            lines.append(
                f"Entscheidungsbedarf: {_shorten(' '.join(content.decisions.split()), 600)}"
            )
        if content.next_meeting_at is not None:
            lines.append(f"Nächste Lagebesprechung: {format_local(content.next_meeting_at)}")
        description = "\n".join(lines) or "Keine Angaben im Lagebericht."
        return CapInfo(
            event=f"Lagebericht {document.incident_title}"[:200],
            categories=("Safety",),
            urgency="Unknown",
            severity=content.severity,
            certainty=_CONFIDENCE_TO_CERTAINTY.get(content.confidence, "Unknown"),
            language="de-DE",
            effective=document.released_at,
            sender_name=staff,
            headline=_shorten(f"{document.title}: {document.incident_title}", 160),
            description=description,
            areas=(CapArea(area_desc=content.location or "Zuständigkeitsbereich des Stabes"),),
        )

    def _warning_infos(self, now: datetime, staff: str) -> list[CapInfo]:
        module = report_data.service_module("facilities")
        if module is None or not hasattr(module, "FacilityService"):
            return []
        service = module.FacilityService(self.db)
        infos: list[CapInfo] = []
        failed = [v for v in service.list() if v.status == "ausgefallen"]
        if failed:
            lines = [
                f"{v.name} ({v.municipality}), ausgefallen seit {format_dtg(v.status_since)}"
                + (f", {v.persons_supplied} Personen versorgt" if v.persons_supplied else "")
                for v in failed[:200]
            ]
            if len(failed) > 200:
                lines.append(f"… und {len(failed) - 200} weitere")
            municipalities = sorted({v.municipality for v in failed if v.municipality})
            infos.append(
                CapInfo(
                    event="Ausfall kritischer Infrastruktur",
                    categories=("Infra",),
                    urgency="Immediate",
                    severity="Severe",
                    certainty="Observed",
                    language="de-DE",
                    sender_name=staff,
                    headline=f"{len(failed)} KRITIS-Objekte ausgefallen",
                    description="\n".join(lines),
                    areas=tuple(CapArea(area_desc=m) for m in municipalities)
                    or (CapArea(area_desc="Zuständigkeitsbereich des Stabes"),),
                )
            )
        warnings = service.power_warnings(now)
        if warnings:
            lines = [
                f"{r.facility.name} ({r.facility.municipality}): {r.remaining_text}"
                for r in warnings
            ]
            municipalities = sorted(
                {r.facility.municipality for r in warnings if r.facility.municipality}
            )
            infos.append(
                CapInfo(
                    event="Notstromversorgung gefährdet",
                    categories=("Infra",),
                    urgency="Expected",
                    severity="Severe",
                    certainty="Likely",
                    language="de-DE",
                    sender_name=staff,
                    headline=f"Notstrom: {len(warnings)} Objekte mit knapper oder unbekannter Reserve",
                    description="\n".join(lines),
                    instruction="Betankung nach Prioritätenliste S4 sicherstellen.",
                    areas=tuple(CapArea(area_desc=m) for m in municipalities)
                    or (CapArea(area_desc="Zuständigkeitsbereich des Stabes"),),
                )
            )
        return infos

    # -- EDXL-SitRep export -------------------------------------------------------------
    def export_sitrep(self, incident_id: str, number: int) -> bytes:
        """A released report as EDXL-SitRep 1.0 XML (UTF-8)."""
        reports = ReportService(self.db)
        report = reports.get(incident_id, number)
        if not report.is_released:
            raise ServiceError(
                f"Lagebericht Nr. {number} ist noch nicht freigegeben; "
                "nur freigegebene Berichte verlassen das Haus."
            )
        document = reports.document(incident_id, number)
        previous = [r for r in reports.list(incident_id) if r.is_released and r.number < number]
        try:
            return build_sitrep(
                self.sitrep_input(document, [r.id for r in previous[-1:]]),
                exercise=self.db.is_exercise,
            )
        except SitRepError as exc:
            raise ServiceError(str(exc)) from None

    @staticmethod
    def sitrep_input(document: ReportDocument, preceding_ids: Sequence[str]) -> SitRepInput:
        content = document.content
        if document.released_at is None or document.released_by is None:
            raise ServiceError("Nur ein freigegebener Lagebericht kann exportiert werden.")
        sections: list[SitRepSection] = [
            SitRepSection(SectionKind.OVERVIEW, content.overview),
            SitRepSection(SectionKind.WEATHER, content.weather),
            SitRepSection(SectionKind.DAMAGE, content.damage),
            SitRepSection(SectionKind.CRITICAL_INFRASTRUCTURE, _kritis_text(document)),
            SitRepSection(SectionKind.OWN_SITUATION, _own_text(document)),
            SitRepSection(SectionKind.FORECAST, content.prognosis),
            SitRepSection(SectionKind.DECISIONS, content.decisions),
        ]
        resources = "\n".join(
            f"{h} h: {content.resources[h]}"
            for h in sorted(content.resources)
            if content.resources[h]
        )
        sections.append(SitRepSection(SectionKind.OTHER, resources, title="Ressourcenbedarf"))
        if content.entries:
            sections.append(
                SitRepSection(
                    SectionKind.OTHER,
                    "\n".join(
                        f"Nr. {e.number} ({format_dtg(e.recorded_at)}, {e.function}): "
                        f"{' '.join(e.text.split())}" + (" [berichtigt]" if e.corrected_by else "")
                        for e in content.entries
                    ),
                    title="Bedeutsame Einträge im Einsatztagebuch",
                )
            )
        if content.distribution:
            sections.append(
                SitRepSection(SectionKind.OTHER, "\n".join(content.distribution), title="Verteiler")
            )
        kind = document.kind
        preceding = tuple(preceding_ids)
        if kind != ReportKind.INITIAL.value and not preceding:
            raise ServiceError(
                f"{document.title}: eine Folge- oder Abschlussmeldung ohne vorherigen "
                "freigegebenen Lagebericht kann nicht als EDXL-SitRep geschrieben werden."
            )
        return SitRepInput(
            message_id=document.report_id,
            prepared_by=SitRepPerson(
                document.prepared_by, document.prepared_at, document.prepared_function
            ),
            authorized_by=SitRepPerson(
                document.released_by, document.released_at, document.released_function
            ),
            report_purpose=f"{document.title} zum Ereignis „{document.incident_title}“",
            report_number=document.number,
            report_version=report_version_for(kind),
            period_from=document.period_from,
            period_to=document.period_to,
            incident_ids=(document.incident_id,),
            report_confidence=SitRepConfidence(content.confidence),
            severity=content.severity,
            sections=sections,
            report_title=f"{document.title}: {document.incident_title}",
            preceding_message_ids=preceding,
            reporting_location=SitRepLocation(content.location) if content.location else None,
            next_contact=content.next_meeting_at,
        )


def _kritis_text(document: ReportDocument) -> str:
    content = document.content
    kritis = content.kritis
    lines: list[str] = []
    if content.kritis_remarks:
        lines.append(content.kritis_remarks)
    if kritis.available:
        for line in kritis.affected:
            since = f" seit {format_dtg(line.since)}" if line.since else ""
            power = f"; {line.power_text}" if line.power_text else ""
            lines.append(f"{line.name} ({line.municipality}): {line.status}{since}{power}")
        for point in kritis.forecast:
            new = ", ".join(point.newly_failed) or "keine weiteren"
            lines.append(
                f"Prognose +{point.hours} h: {point.failed_total} Ausfälle, "
                f"{point.persons_affected} Personen betroffen; neu: {new}"
            )
    return "\n".join(lines)


def _own_text(document: ReportDocument) -> str:
    content = document.content
    lines: list[str] = []
    if content.forces:
        lines.append(f"Kräfte: {content.forces}")
    if content.measures:
        lines.append(f"Maßnahmen: {content.measures}")
    if content.tasks.available and content.tasks.tasks:
        lines.append(
            f"Aufträge offen: {len(content.tasks.tasks)}, davon überfällig: "
            f"{content.tasks.overdue_count}"
        )
    return "\n".join(lines)
