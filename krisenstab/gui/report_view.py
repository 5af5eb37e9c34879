"""The Lage tab: the situation reports of the incident and the editor of the draft.

S2 opens a report (Strg+N), the program pre-drafts KRITIS, tasks and roster,
S2 writes the free text and ticks the significant ETB entries, saves
(Strg+S, refused when someone else saved in between), and the Leitung
releases it after a warning about empty sections. A released report is
shown read-only; it can be previewed, printed, saved as PDF and exported
(EDXL-SitRep, CAP). Everything that builds a PDF or calls the cascade runs
in a worker thread.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QModelIndex, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from krisenstab.domain.filenames import exercise_filename, safe_filename
from krisenstab.domain.journal import EntryView
from krisenstab.domain.report import empty_sections
from krisenstab.domain.timefmt import format_dtg, utcnow
from krisenstab.gui import dialogs, print_files
from krisenstab.gui.print_jobs import BackgroundJobs, DocumentJobs
from krisenstab.gui.report_editor import ReportEditor
from krisenstab.gui.report_model import REPORT_ROLE, ReportColumn, ReportListModel
from krisenstab.gui.shared import Shared
from krisenstab.gui.staff_widgets import FittedTableView, tab_action
from krisenstab.gui.widgets import MessageBar
from krisenstab.services.context import ServiceError
from krisenstab.services.documents import DocumentKind, DocumentRequest
from krisenstab.services.permissions import Permission, allowed
from krisenstab.services.printing import write_pdf
from krisenstab.services.reports import ReportService, ReportView
from krisenstab.store.errors import StoreError

# Drafts edited at another workstation write no journal entry: look now and then.
POLL_MS = 5000

Signature = tuple[tuple[int, str, int], ...]


class ReportTab(QWidget):
    """Lageberichte of the current incident."""

    def __init__(self, shared: Shared, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reportTab")
        self.shared = shared
        self.model = ReportListModel(self)
        self.documents = DocumentJobs(shared, self)
        self.jobs = BackgroundJobs(self, show_errors=False)
        self._signature: Signature = ()
        self._incident_id: str | None = None
        self._candidates_stale = False
        self._selecting = False

        self.message_bar = MessageBar(self)
        self.editor = ReportEditor(self)
        left = self._build_list()
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.message_bar)
        right_layout.addWidget(self.editor, 1)

        splitter = QSplitter(self)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        line = self.fontMetrics().height()
        splitter.setSizes([line * 33, line * 59])
        self.splitter = splitter

        layout = QVBoxLayout(self)
        margin = max(2, line // 4)
        layout.setContentsMargins(margin, margin, margin, margin)
        layout.addWidget(splitter, 1)

        self._build_actions()
        self._connect()
        self._poll_timer = QTimer(self)
        self._poll_timer.setInterval(POLL_MS)
        self._poll_timer.timeout.connect(self._poll_if_visible)
        self._poll_timer.start()
        self._on_incident_changed(shared.incident_id)

    # -- construction ---------------------------------------------------------------------
    def _build_list(self) -> QWidget:
        box = QWidget(self)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        title = QLabel(self.tr("Lageberichte"), box)
        font = title.font()
        font.setBold(True)
        title.setFont(font)
        self.table = FittedTableView(box)
        self.table.setObjectName("reportList")
        self.table.setModel(self.model)
        self.table.setAccessibleName(self.tr("Lageberichte des Ereignisses"))
        self.table.set_columns(
            {
                ReportColumn.NUMBER: ("999", False),
                ReportColumn.STATUS: ("freigegeben", False),
                ReportColumn.RELEASED_AT: ("311259dez26", False),
                ReportColumn.RELEASED_BY: ("Erika Musterfrau", True),
            },
            ReportColumn.KIND,
            share=0.25,
        )
        title.setBuddy(self.table)
        self.new_button = QPushButton(self.tr("&Neuer Lagebericht"), box)
        self.new_button.setObjectName("reportNew")
        self.new_button.setToolTip(self.tr("Den nächsten Lagebericht als Entwurf anlegen (Strg+N)"))
        self.new_button.clicked.connect(self.new_report)
        self.export_button = QToolButton(box)
        self.export_button.setObjectName("reportExport")
        self.export_button.setText(self.tr("Als &Datei speichern"))
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.export_menu = QMenu(self.export_button)
        self.export_sitrep_action = QAction(self.tr("EDXL-SitRep dieses Berichts …"), self)
        self.export_sitrep_action.setToolTip(
            self.tr("Den freigegebenen Bericht als EDXL-SitRep 1.0 (XML) speichern")
        )
        self.export_sitrep_action.triggered.connect(lambda _c=False: self.export_sitrep())
        self.export_cap_action = QAction(self.tr("CAP 1.2 (Lage und KRITIS-Warnungen) …"), self)
        self.export_cap_action.setToolTip(
            self.tr(
                "Zusammenfassung des letzten freigegebenen Berichts und aktuelle "
                "KRITIS-Warnungen als CAP 1.2 speichern"
            )
        )
        self.export_cap_action.triggered.connect(lambda _c=False: self.export_cap())
        self.export_menu.addAction(self.export_sitrep_action)
        self.export_menu.addAction(self.export_cap_action)
        self.export_button.setMenu(self.export_menu)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)
        layout.addWidget(title)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        return box

    def _build_actions(self) -> None:
        self.new_action = tab_action(
            self, self.tr("&Neuer Lagebericht"), "Ctrl+N", self.new_report,
            self.tr("Den nächsten Lagebericht als Entwurf anlegen"),
        )  # fmt: skip
        self.save_action = tab_action(
            self, self.tr("Entwurf &speichern"), "Ctrl+S", self.save,
            self.tr("Den Entwurf speichern"),
        )  # fmt: skip
        self.predraft_action = tab_action(
            self, self.tr("Daten neu &vorbefüllen"), None, self.predraft,
            self.tr("KRITIS, Aufträge und Besetzung neu übernehmen"),
        )  # fmt: skip
        self.preview_action = tab_action(
            self, self.tr("&Vorschau/Drucken …"), None, self.preview,
            self.tr("Den gewählten Bericht als PDF ansehen, drucken oder speichern"),
        )  # fmt: skip
        self.release_action = tab_action(
            self, self.tr("&Freigeben …"), None, self.release,
            self.tr("Den Entwurf freigeben (Leitung)"),
        )  # fmt: skip
        self.reload_action = tab_action(
            self, self.tr("Neu &laden"), "F5", self.reload_requested,
            self.tr("Berichte neu aus der Datenbank lesen"),
        )  # fmt: skip
        self.toggle_focus_action = tab_action(
            self, self.tr("Zwischen &Liste und Editor wechseln"), "F6", self.toggle_focus,
            self.tr("Fokus zwischen Berichtsliste und Editor wechseln"),
        )  # fmt: skip

    def menu_title(self) -> str:
        return self.tr("&Lage")

    def menu_actions(self) -> list[QAction]:
        return [
            self.new_action,
            self.save_action,
            self.predraft_action,
            self.preview_action,
            self.release_action,
            self.export_sitrep_action,
            self.export_cap_action,
            self.reload_action,
            self.toggle_focus_action,
        ]

    def _connect(self) -> None:
        signals = self.shared.signals
        signals.incident_changed.connect(self._on_incident_changed)
        signals.journal_changed.connect(self._on_journal_changed)
        signals.actor_changed.connect(self._update_permissions)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_changed)
        self.editor.save_requested.connect(self.save)
        self.editor.release_requested.connect(self.release)
        self.editor.predraft_requested.connect(self.predraft)
        self.editor.preview_requested.connect(self.preview)
        self.editor.discard_requested.connect(self.discard)

    # -- services ---------------------------------------------------------------------------
    def service(self) -> ReportService:
        return ReportService(self.shared.db, self.shared.actor)

    @property
    def can_draft(self) -> bool:
        return self.shared.read_only_reason is None and allowed(
            self.shared.actor, Permission.REPORT_DRAFT
        )

    @property
    def can_release(self) -> bool:
        return self.shared.read_only_reason is None and allowed(
            self.shared.actor, Permission.REPORT_RELEASE
        )

    # -- the tab protocol -----------------------------------------------------------------
    def activated(self) -> None:
        self.poll()
        if self._candidates_stale:
            self._refresh_candidates()

    def focus_search(self) -> None:
        self.editor.pages.setCurrentIndex(2)
        self.editor.entry_filter.setFocus()
        self.editor.entry_filter.selectAll()

    def unsaved_work(self) -> str | None:
        report = self.editor.report
        if report is not None and self.editor.is_dirty():
            return self.tr("Der Entwurf von Lagebericht Nr. {0} ist nicht gespeichert.").format(
                report.number
            )
        return None

    def selected_report(self) -> ReportView | None:
        index = self.table.currentIndex()
        report = index.data(REPORT_ROLE) if index.isValid() else None
        return report if isinstance(report, ReportView) else None

    def print_request(self) -> DocumentRequest | None:
        """What „Drucken“ prints while this tab is shown: the report on screen.

        A draft with unsaved changes is saved first, so the paper shows what
        is on the screen; None when there is nothing (or saving failed).
        """
        report = self.editor.report or self.selected_report()
        if report is None:
            return None
        if report.is_draft and self.editor.is_dirty() and not self.save():
            return None
        return DocumentRequest(
            DocumentKind.SITUATION_REPORT,
            incident_id=report.incident_id,
            report_number=None if report.is_draft else report.number,
            printed_by=self.shared.actor.person,
        )

    def toggle_focus(self) -> None:
        if self.table.hasFocus():
            self.editor.focus_first()
        else:
            self.table.setFocus()

    # -- loading ----------------------------------------------------------------------------
    def _on_incident_changed(self, incident_id: str) -> None:
        self._update_permissions()
        if incident_id == self._incident_id:
            return
        self._incident_id = incident_id
        self.message_bar.dismiss()
        shown = self.editor.report
        if shown is not None and self.editor.is_dirty() and not self.save():
            # The draft belongs to the incident left behind: say what was lost.
            self.shared.signals.problem.emit(
                self.tr(
                    "Der Entwurf von Lagebericht Nr. {0} konnte beim Wechsel des Ereignisses "
                    "nicht gespeichert werden: {1}"
                ).format(shown.number, self.message_bar.text)
            )
        self.editor.mark_clean()
        self.reload()

    def _on_journal_changed(self, incident_id: str) -> None:
        if incident_id != self.shared.incident_id:
            return
        if self.isVisible():
            self.poll()
            self._refresh_candidates()
        else:
            self._candidates_stale = True

    def _poll_if_visible(self) -> None:
        if self.isVisible():
            self.poll()

    def _list(self) -> list[ReportView]:
        incident_id = self.shared.incident_id
        return self.service().list(incident_id) if incident_id else []

    @staticmethod
    def _signature_of(reports: list[ReportView]) -> Signature:
        return tuple((r.number, r.status, r.revision) for r in reports)

    def reload(self, select: int | None = None) -> None:
        """Re-read the reports; select ``select`` (default: what was shown, else the newest)."""
        try:
            reports = self._list()
        except (StoreError, ServiceError) as exc:
            self.message_bar.show_error(str(exc))
            return
        self._signature = self._signature_of(reports)
        shown = self.editor.report
        if select is None and shown is not None and shown.incident_id == self.shared.incident_id:
            select = shown.number
        self._selecting = True
        try:
            self.model.set_reports(reports)
        finally:
            self._selecting = False
        self.new_button.setEnabled(self.can_draft and bool(self.shared.incident_id))
        if not reports:
            text = (
                self.tr(
                    "Zu diesem Ereignis gibt es noch keinen Lagebericht. Strg+N legt die Erstmeldung an."
                )
                if self.shared.incident_id
                else self.tr("Kein Ereignis geöffnet.")
            )
            self.editor.clear(text)
            self._update_exports()
            return
        row = self.model.row_of(select) if select is not None else None
        self._select_row(row if row is not None else 0)

    def reload_requested(self) -> None:
        """F5: re-read everything; unsaved text is only dropped after asking."""
        report = self.editor.report
        if (
            report is not None
            and self.editor.is_dirty()
            and not dialogs.confirm(
                self,
                self.tr("Neu laden"),
                self.tr(
                    "Die Änderungen am Entwurf von Lagebericht Nr. {0} sind nicht gespeichert. "
                    "Verwerfen und neu laden?"
                ).format(report.number),
            )
        ):
            return
        self.editor.mark_clean()
        self.message_bar.dismiss()
        self.reload()

    def _select_row(self, row: int) -> None:
        self._selecting = True
        try:
            self.table.setCurrentIndex(self.model.index(row, 0))
        finally:
            self._selecting = False
        self._show(self.model.report(row))

    def _on_current_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        if self._selecting or not current.isValid():
            return
        report = self.model.report(current.row())
        shown = self.editor.report
        if report is None or (shown is not None and shown.number == report.number):
            return
        if self.editor.is_dirty() and not dialogs.confirm(
            self,
            self.tr("Lagebericht"),
            self.tr(
                "Die Änderungen am Entwurf von Lagebericht Nr. {0} sind nicht gespeichert. "
                "Verwerfen?"
            ).format(shown.number if shown else ""),
        ):
            self._selecting = True
            try:
                self.table.setCurrentIndex(previous)
            finally:
                self._selecting = False
            return
        self._show(report)

    def _candidates(self, report: ReportView) -> list[EntryView]:
        if report.is_released:
            return []
        return self.service().journal_candidates(report.incident_id, report.number)

    def _show(self, report: ReportView | None) -> None:
        if report is None:
            self.editor.clear(self.tr("Kein Lagebericht ausgewählt."))
            self._update_exports()
            return
        try:
            full = self.service().get(report.incident_id, report.number)
            entries = self._candidates(full)
        except (StoreError, ServiceError) as exc:
            self.message_bar.show_error(str(exc))
            return
        self._candidates_stale = False
        reason = self.shared.read_only_reason
        hint = ""
        if not allowed(self.shared.actor, Permission.REPORT_RELEASE):
            hint = self.tr("Freigeben darf nur die Leitung.")
        self.editor.show_report(
            full,
            entries,
            editable=self.can_draft,
            can_release=self.can_release,
            release_hint=hint,
        )
        if reason and full.is_draft:
            self.message_bar.show_message(reason, "info")
        self._update_exports()

    def _refresh_candidates(self) -> None:
        report = self.editor.report
        if report is None or report.is_released:
            self._candidates_stale = False
            return
        try:
            entries = self._candidates(report)
        except (StoreError, ServiceError) as exc:
            self.message_bar.show_error(str(exc))
            return
        self._candidates_stale = False
        self.editor.set_candidates(entries)

    def _update_permissions(self) -> None:
        self.new_button.setEnabled(self.can_draft and bool(self.shared.incident_id))
        self.new_action.setEnabled(self.new_button.isEnabled())
        report = self.editor.report
        if report is not None and report.is_draft and not self.editor.is_dirty():
            self._show(report)

    def _update_exports(self) -> None:
        report = self.editor.report
        draft = report is not None and report.is_draft
        self.export_sitrep_action.setEnabled(report is not None and report.is_released)
        self.export_cap_action.setEnabled(
            any(r.is_released for r in self.model.reports) and bool(self.shared.incident_id)
        )
        self.save_action.setEnabled(draft and self.editor.editable)
        self.predraft_action.setEnabled(draft and self.editor.editable)
        self.release_action.setEnabled(draft and self.editor.editable and self.can_release)
        self.preview_action.setEnabled(report is not None)

    def poll(self) -> None:
        """Notice reports created, saved or released elsewhere."""
        if not self.shared.incident_id:
            return
        try:
            reports = self._list()
        except (StoreError, ServiceError):
            return
        signature = self._signature_of(reports)
        if signature == self._signature:
            return
        shown = self.editor.report
        if shown is not None and self.editor.is_dirty():
            now = {r.number: r for r in reports}
            other = now.get(shown.number)
            if other is None or other.revision != shown.revision:
                self.message_bar.show_message(
                    self.tr(
                        "Lagebericht Nr. {0} wurde an einem anderen Platz geändert. Ihre "
                        "Änderungen sind nicht gespeichert und würden abgelehnt: bitte Text "
                        "sichern und neu laden (F5)."
                    ).format(shown.number),
                    "warning",
                )
            self._signature = signature
            self._selecting = True
            try:
                self.model.set_reports(reports)
                row = self.model.row_of(shown.number)
                if row is not None:
                    self.table.setCurrentIndex(self.model.index(row, 0))
            finally:
                self._selecting = False
            return
        self.reload()

    # -- actions ----------------------------------------------------------------------------
    def new_report(self) -> None:
        incident_id = self.shared.incident_id
        if not incident_id or not self.can_draft or self.jobs.busy:
            return
        if self.editor.is_dirty() and not self.save():
            return
        db, actor = self.shared.db, self.shared.actor

        def job() -> ReportView:
            return ReportService(db, actor).create_draft(incident_id)

        def done(view: ReportView) -> None:
            self.message_bar.dismiss()
            self.shared.signals.status_message.emit(
                self.tr("{0} als Entwurf angelegt und vorbefüllt.").format(view.title)
            )
            self.reload(select=view.number)
            self.editor.focus_first()

        self.jobs.run(
            self.tr("Lagebericht wird angelegt und vorbefüllt …"),
            job,
            done,
            failed=self.message_bar.show_error,
        )

    def save(self) -> bool:
        """Save the draft; refused (False) when it was changed elsewhere since loading."""
        report = self.editor.report
        if report is None or report.is_released or not self.editor.editable:
            return False
        try:
            content = self.editor.content()
        except ValueError as exc:
            self.message_bar.show_error(str(exc))
            return False
        try:
            saved = self.service().update_draft(
                report.incident_id,
                report.number,
                content=content,
                kind=self.editor.kind_value(),
                classification=self.editor.classification_value(),
                expected_revision=report.revision,
            )
        except (StoreError, ServiceError) as exc:
            self.message_bar.show_error(str(exc))
            return False
        self.message_bar.dismiss()
        self._after_save(saved)
        self.shared.signals.status_message.emit(
            self.tr("Entwurf von Lagebericht Nr. {0} gespeichert.").format(saved.number)
        )
        return True

    def _after_save(self, saved: ReportView) -> None:
        """Show the stored state (normalised text) and remember the new revision."""
        page = self.editor.pages.currentIndex()
        focus = self.focusWidget()
        self.reload(select=saved.number)
        self.editor.pages.setCurrentIndex(page)
        if focus is not None and self.isAncestorOf(focus):
            focus.setFocus()

    def predraft(self) -> None:
        report = self.editor.report
        if report is None or report.is_released or not self.editor.editable or self.jobs.busy:
            return
        if self.editor.is_dirty() and not self.save():
            return
        report = self.editor.report
        assert report is not None
        db, actor = self.shared.db, self.shared.actor
        incident_id, number = report.incident_id, report.number

        def job() -> ReportView:
            return ReportService(db, actor).predraft(incident_id, number)

        def done(view: ReportView) -> None:
            self.message_bar.dismiss()
            self._after_save(view)
            self.shared.signals.status_message.emit(
                self.tr("Daten von Lagebericht Nr. {0} neu übernommen.").format(view.number)
            )

        self.jobs.run(
            self.tr("KRITIS, Aufträge und Besetzung werden übernommen …"),
            job,
            done,
            failed=self.message_bar.show_error,
        )

    def release(self) -> None:
        """Release the draft (Leitung), after the warning about empty sections."""
        report = self.editor.report
        if report is None or report.is_released or not self.editor.editable or self.jobs.busy:
            return
        if not self.can_release:
            self.message_bar.show_error(self.tr("Lageberichte freigeben darf nur die Leitung."))
            return
        if self.editor.is_dirty() and not self.save():
            return
        report = self.editor.report
        assert report is not None
        missing = empty_sections(report.content)
        title = self.tr("Lagebericht Nr. {0} freigeben").format(report.number)
        final_note = self.tr(
            "Ein freigegebener Bericht kann nicht mehr geändert werden; das PDF wird gespeichert "
            "und die Freigabe im Einsatztagebuch vermerkt."
        )
        if missing:
            question = self.tr(
                "Diese Abschnitte sind leer:\n{0}\n\nTrotzdem freigeben?\n\n{1}"
            ).format("\n".join(f"• {m}" for m in missing), final_note)
        else:
            question = self.tr("{0} jetzt freigeben?\n\n{1}").format(report.title, final_note)
        if not dialogs.confirm(self, title, question):
            return
        db, actor = self.shared.db, self.shared.actor
        incident_id, number, revision = report.incident_id, report.number, report.revision

        def job() -> ReportView:
            return ReportService(db, actor).release(
                incident_id,
                number,
                allow_empty=bool(missing),
                expected_revision=revision,
            )

        self.jobs.run(
            self.tr("Lagebericht Nr. {0} wird freigegeben …").format(number),
            job,
            self._released,
            failed=self.message_bar.show_error,
        )

    def _released(self, view: ReportView) -> None:
        self.message_bar.dismiss()
        self.shared.signals.status_message.emit(
            self.tr("{0} freigegeben (SHA-256 des PDF {1}…).").format(
                view.title, (view.pdf_sha256 or "")[:12]
            )
        )
        # A released report is a state worth keeping: the window's backup
        # scheduler (if this build has one) backs up at once.
        scheduler = getattr(self.window(), "backup_scheduler", None)
        report_released = getattr(scheduler, "report_released", None)
        if callable(report_released):
            report_released()
        self.editor.mark_clean()
        self.reload(select=view.number)
        self.shared.signals.journal_changed.emit(view.incident_id)

    def discard(self) -> None:
        report = self.editor.report
        if report is None or report.is_released or not self.editor.editable:
            return
        if not dialogs.confirm(
            self,
            self.tr("Entwurf verwerfen"),
            self.tr(
                "Den Entwurf von Lagebericht Nr. {0} verwerfen? Der Text geht verloren."
            ).format(report.number),
        ):
            return
        try:
            self.service().discard_draft(report.incident_id, report.number)
        except (StoreError, ServiceError) as exc:
            self.message_bar.show_error(str(exc))
            return
        self.editor.mark_clean()
        self.editor.clear("")
        self.shared.signals.status_message.emit(
            self.tr("Entwurf von Lagebericht Nr. {0} verworfen.").format(report.number)
        )
        self.reload()

    def preview(self) -> None:
        """The report on screen as PDF (a draft marked ENTWURF), built in the background."""
        request = self.print_request()
        if request is None:
            return
        self.documents.preview(request)

    # -- exports ----------------------------------------------------------------------------
    def _export_name(self, stem: str) -> str:
        if self.shared.db.is_exercise:
            return exercise_filename(stem, ".xml")
        return safe_filename(stem, ".xml")

    def _export(self, title: str, suggested: str, build: Any) -> None:
        path = print_files.choose_export_target(self, title, suggested)
        if not path:
            return

        def job() -> str:
            return str(write_pdf(build(), path))

        def done(written: str) -> None:
            self.shared.signals.status_message.emit(
                self.tr("{0} gespeichert unter {1}.").format(title, written)
            )
            self.message_bar.show_message(
                self.tr("{0} gespeichert unter {1}.").format(title, written), "info"
            )

        def failed(message: str) -> None:
            self.message_bar.show_error(message)

        self.jobs.run(self.tr("{0} wird erstellt …").format(title), job, done, failed=failed)

    def export_sitrep(self) -> None:
        """The released report on screen as EDXL-SitRep 1.0."""
        report = self.editor.report
        if report is None or not report.is_released:
            self.message_bar.show_message(
                self.tr(
                    "Nur ein freigegebener Lagebericht kann als EDXL-SitRep gespeichert werden."
                ),
                "warning",
            )
            return
        db = self.shared.db
        incident_id, number = report.incident_id, report.number
        stamp = report.released_at or utcnow()

        def build() -> bytes:
            from krisenstab.services.exchange import ExchangeService

            return ExchangeService(db).export_sitrep(incident_id, number)

        self._export(
            self.tr("EDXL-SitRep Lagebericht Nr. {0}").format(number),
            self._export_name(f"Lagebericht_Nr_{number}_SitRep_{format_dtg(stamp)}"),
            build,
        )

    def export_cap(self) -> None:
        """The latest released report's summary and the KRITIS warnings as CAP 1.2."""
        incident_id = self.shared.incident_id
        if not incident_id:
            return
        db, actor = self.shared.db, self.shared.actor
        now: datetime = utcnow()

        def build() -> bytes:
            from krisenstab.services.exchange import ExchangeService

            return ExchangeService(db, actor).export_cap(incident_id)

        self._export(
            self.tr("CAP-Lagemeldung"),
            self._export_name(f"Lage_CAP_{format_dtg(now)}"),
            build,
        )
