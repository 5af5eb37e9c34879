"""Datei → Drucken, CAP import and the watched CAP folder, installed into the main window.

`install_print_menu(window)` adds, above „Beenden“:

- „Drucken“ with „Aktuelle Ansicht drucken …“ (Strg+P: what the shown tab is
  about), Lagebericht, Einsatztagebuch (period and keeper asked first),
  Nachrichtenvordruck (the message on the Nachrichten tab, else the number is
  asked), Erreichbarkeitsliste and KRITIS-Statusliste. Every document is
  built in a worker and opens in the preview, which prints through the seam
  and always offers „Als PDF speichern“;
- „CAP-Warnung importieren …“ and „CAP-Ordner überwachen …“.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QVBoxLayout,
    QWidget,
)

from krisenstab.gui import dialogs
from krisenstab.gui.cap_import import CapFolderWatcher, CapImporter, CapWatchSettings
from krisenstab.gui.print_jobs import DocumentJobs
from krisenstab.gui.timeinput import parse_user_time
from krisenstab.services.context import ServiceError
from krisenstab.store.errors import StoreError

if TYPE_CHECKING:
    from krisenstab.services.documents import DocumentRequest


@dataclass(frozen=True)
class JournalPrintOptions:
    """The ETB printout's period (None: open end) and the keeper who signs it."""

    since: datetime | None = None
    until: datetime | None = None
    keeper: str = ""


class JournalPrintDialog(QDialog):
    """Asks the period and the keeper of an ETB printout."""

    def __init__(self, parent: QWidget | None = None, keeper: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("journalPrintDialog")
        self.setWindowTitle(self.tr("Einsatztagebuch drucken"))
        self.since_edit = QLineEdit(self)
        self.since_edit.setObjectName("journalPrintSince")
        self.since_edit.setPlaceholderText(self.tr("leer: vom ersten Eintrag an"))
        self.until_edit = QLineEdit(self)
        self.until_edit.setObjectName("journalPrintUntil")
        self.until_edit.setPlaceholderText(self.tr("leer: bis jetzt"))
        self.keeper_edit = QLineEdit(self)
        self.keeper_edit.setObjectName("journalPrintKeeper")
        self.keeper_edit.setText(keeper)
        self.keeper_edit.setPlaceholderText(self.tr("leer: laut Besetzung"))
        hint = QLabel(
            self.tr("Zeiten z. B. 14:30, 27.11. 08:00, 27.11.2026 08:00 oder 270800nov26."), self
        )
        hint.setWordWrap(True)
        self.error_label = QLabel(self)
        self.error_label.setObjectName("journalPrintError")
        self.error_label.setStyleSheet("color: #7A1010;")
        self.error_label.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("&Von:"), self.since_edit)
        form.addRow(self.tr("&Bis:"), self.until_edit)
        form.addRow(self.tr("&Tagebuchführer:"), self.keeper_edit)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("&Vorschau"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)

    def options(self) -> JournalPrintOptions:
        """The typed options; ValueError (German) for a bad time or period."""
        since = self._time(self.since_edit.text(), self.tr("Von"))
        until = self._time(self.until_edit.text(), self.tr("Bis"))
        if since is not None and until is not None and since > until:
            raise ValueError(self.tr("Der Zeitraum beginnt nach seinem Ende."))
        return JournalPrintOptions(since, until, self.keeper_edit.text().strip())

    @staticmethod
    def _time(text: str, label: str) -> datetime | None:
        if not text.strip():
            return None
        try:
            return parse_user_time(text)
        except ValueError as exc:
            raise ValueError(f"{label}: {exc}") from None

    def accept(self) -> None:
        try:
            self.options()
        except ValueError as exc:
            self.error_label.setText(str(exc))
            return
        super().accept()


def ask_journal_options(parent: QWidget | None, keeper: str = "") -> JournalPrintOptions | None:
    """The period and keeper of an ETB printout, or None (tests replace this)."""
    dialog = JournalPrintDialog(parent, keeper)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.options()
    finally:
        dialog.deleteLater()


# What „Aktuelle Ansicht drucken“ prints for tabs that do not say it themselves
# (tab object name → PrintMenu method).
_TAB_DOCUMENTS = {
    "journalTab": "print_journal",
    "messagesTab": "print_message",
    "kritisTab": "print_facilities",
    "contactsTab": "print_contacts",
    "staffTab": "print_contacts",
}


def _request(kind: str, **fields: Any) -> DocumentRequest:
    # Imported here: the document services pull in ReportLab, which start-up
    # does not need.
    from krisenstab.services.documents import DocumentKind, DocumentRequest

    return DocumentRequest(DocumentKind[kind], **fields)


class PrintMenu(QObject):
    """The print and CAP entries of the Datei menu, and what they do."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.shared = window.shared  # type: ignore[attr-defined]
        self.documents = DocumentJobs(self.shared, window)
        self.cap_importer = CapImporter(self.shared, window)
        self.cap_watcher = CapFolderWatcher(self.shared, CapWatchSettings.load(), self)
        self.cap_status = QLabel(window)
        self.cap_status.setObjectName("statusCapWatch")
        self._build_actions()
        self.cap_watcher.state_changed.connect(self._update_cap_status)
        self._update_cap_status()

    # -- menu ------------------------------------------------------------------------------
    def _action(self, text: str, slot: Any, tip: str, shortcut: str | None = None) -> QAction:
        action = QAction(text, self.window)
        action.setToolTip(tip)
        action.setStatusTip(tip)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _build_actions(self) -> None:
        tr = self.tr
        self.print_current_action = self._action(
            tr("&Aktuelle Ansicht drucken …"), self.print_current,
            tr("Das Dokument zum gezeigten Reiter in der Vorschau öffnen"), "Ctrl+P",
        )  # fmt: skip
        self.report_action = self._action(
            tr("&Lagebericht …"), self.print_report,
            tr("Den Lagebericht auf dem Lage-Reiter (sonst den neuesten) drucken"),
        )  # fmt: skip
        self.journal_action = self._action(
            tr("&Einsatztagebuch …"), self.print_journal,
            tr("Das Einsatztagebuch des Ereignisses drucken (Zeitraum wählbar)"),
        )  # fmt: skip
        self.message_action = self._action(
            tr("&Nachrichtenvordruck …"), self.print_message,
            tr("Die gezeigte Nachricht (oder eine nach Nummer) als Vordruck drucken"),
        )  # fmt: skip
        self.contacts_action = self._action(
            tr("E&rreichbarkeitsliste"), self.print_contacts,
            tr("Besetzung, Zuständigkeiten und Rufnummern drucken"),
        )  # fmt: skip
        self.facilities_action = self._action(
            tr("&KRITIS-Statusliste"), self.print_facilities,
            tr("Den Status aller KRITIS-Objekte drucken"),
        )  # fmt: skip
        self.cap_import_action = self._action(
            tr("&CAP-Warnung importieren …"), self.cap_importer.choose_and_import,
            tr("Eine CAP-Warnung (Datei) als eingehende Nachricht erfassen"),
        )  # fmt: skip
        self.cap_watch_action = self._action(
            tr("CAP-&Ordner überwachen …"), self.choose_watch_folder,
            tr("Einen Ordner wählen, dessen neue CAP-Warnungen alle 10 s übernommen werden"),
        )  # fmt: skip
        self.cap_watch_stop_action = self._action(
            tr("CAP-Ordner-Überwachung be&enden"), self.stop_watching,
            tr("Den CAP-Ordner nicht mehr überwachen"),
        )  # fmt: skip
        self.print_menu = QMenu(tr("&Drucken"), self.window)
        self.print_menu.setObjectName("printMenu")
        self.print_menu.addAction(self.print_current_action)
        self.print_menu.addSeparator()
        for action in (
            self.report_action,
            self.journal_action,
            self.message_action,
            self.contacts_action,
            self.facilities_action,
        ):
            self.print_menu.addAction(action)
        self.print_menu.aboutToShow.connect(self._update_enabled)
        # Shortcuts of a menu work only once it was shown: keep them on the window.
        self.window.addAction(self.print_current_action)

    def install(self, file_menu: QMenu) -> None:
        """Put the entries into ``file_menu``, in their own group above „Beenden“."""
        actions = file_menu.actions()
        anchor = None
        quit_action = getattr(self.window, "quit_action", None)
        if quit_action in actions:
            at = actions.index(quit_action)
            before = actions[at - 1] if at > 0 else None
            anchor = before if before is not None and before.isSeparator() else quit_action
        else:
            for action in reversed(actions):
                if action.isSeparator():
                    anchor = action
                    break
        entries: list[QAction] = [
            self.print_menu.menuAction(),
            self.cap_import_action,
            self.cap_watch_action,
            self.cap_watch_stop_action,
        ]
        separator = QAction(self.window)
        separator.setSeparator(True)
        if anchor is None:
            file_menu.addAction(separator)
            file_menu.addActions(entries)
        else:
            file_menu.insertAction(anchor, separator)
            file_menu.insertActions(anchor, entries)
        file_menu.aboutToShow.connect(self._update_enabled)
        self.window.statusBar().addPermanentWidget(self.cap_status)
        self._update_enabled()

    def _update_enabled(self) -> None:
        has_incident = bool(self.shared.incident_id)
        for action in (self.report_action, self.journal_action, self.message_action):
            action.setEnabled(has_incident)
        self.cap_import_action.setEnabled(has_incident and self.shared.read_only_reason is None)
        self.cap_watch_stop_action.setEnabled(self.cap_watcher.settings.active)

    def _update_cap_status(self) -> None:
        settings = self.cap_watcher.settings
        self.cap_status.setVisible(settings.active)
        self.cap_status.setText(self.tr("CAP-Ordner überwacht"))
        self.cap_status.setToolTip(settings.folder)
        self.cap_watch_stop_action.setEnabled(settings.active)

    # -- what to print -------------------------------------------------------------------
    def _tab(self, object_name: str) -> Any:
        """An already created tab (None if it was never shown)."""
        return self.window.findChild(QWidget, object_name)

    def preview(self, request: DocumentRequest) -> Any:
        """Build ``request`` in the background and open the preview."""
        return self.documents.preview(request)

    def print_current(self) -> Any:
        """Strg+P: the document of the shown tab (a tab may say it by ``print_request``)."""
        current = getattr(self.window, "current_tab", None)
        widget = current() if callable(current) else None
        own = getattr(widget, "print_request", None)
        if callable(own):
            request = own()
            return self.preview(request) if request is not None else None
        name = widget.objectName() if widget is not None else ""
        return getattr(self, _TAB_DOCUMENTS.get(name, "print_report"))()

    def print_report(self, number: int | None = None) -> Any:
        """The report on the Lage tab, else the given one, else the draft or newest released."""
        incident_id = self.shared.incident_id
        if not incident_id:
            return None
        tab = self._tab("reportTab")
        if number is None and tab is not None and tab.editor.report is not None:
            request = tab.print_request()
            return self.preview(request) if request is not None else None
        if number is None:
            from krisenstab.services.reports import ReportService

            try:
                reports = ReportService(self.shared.db).list(incident_id)
            except (StoreError, ServiceError) as exc:
                dialogs.show_error(self.window, self.tr("Lagebericht drucken"), str(exc))
                return None
            if not reports:
                dialogs.show_info(
                    self.window,
                    self.tr("Lagebericht drucken"),
                    self.tr("Zu diesem Ereignis gibt es noch keinen Lagebericht."),
                )
                return None
            newest = reports[-1]
            number = None if newest.is_draft else newest.number
        return self.preview(
            _request(
                "SITUATION_REPORT",
                incident_id=incident_id,
                report_number=number,
                printed_by=self.shared.actor.person,
            )
        )

    def print_journal(self) -> Any:
        incident_id = self.shared.incident_id
        if not incident_id:
            return None
        options = ask_journal_options(self.window)
        if options is None:
            return None
        return self.preview(
            _request(
                "JOURNAL",
                incident_id=incident_id,
                since=options.since,
                until=options.until,
                keeper=options.keeper or None,
                printed_by=self.shared.actor.person,
            )
        )

    def shown_message_number(self) -> str | None:
        tab = self._tab("messagesTab")
        shown = getattr(tab, "shown_message", None)
        view = shown() if callable(shown) else None
        number = getattr(view, "number", None)
        return str(number) if number else None

    def print_message(self, number: str | None = None) -> Any:
        incident_id = self.shared.incident_id
        if not incident_id:
            return None
        number = number or self.shown_message_number()
        if not number:
            typed = dialogs.ask_text(
                self.window,
                self.tr("Nachrichtenvordruck drucken"),
                self.tr("Nummer der Nachricht (z. B. E-12 oder A-3):"),
            )
            number = (typed or "").strip()
            if not number:
                return None
        return self.preview(
            _request(
                "MESSAGE_FORM",
                incident_id=incident_id,
                message_number=number,
                printed_by=self.shared.actor.person,
            )
        )

    def print_contacts(self) -> Any:
        return self.preview(_request("CONTACT_LIST", printed_by=self.shared.actor.person))

    def print_facilities(self) -> Any:
        return self.preview(_request("FACILITY_LIST", printed_by=self.shared.actor.person))

    # -- the watched folder ---------------------------------------------------------------
    def choose_watch_folder(self) -> None:
        from krisenstab.gui import cap_import

        settings = self.cap_watcher.settings
        folder = cap_import.choose_cap_folder(self.window, settings.folder)
        if not folder:
            return
        self.cap_watcher.set_folder(folder)
        self.shared.signals.status_message.emit(
            self.tr("CAP-Ordner {0} wird alle 10 s auf neue Warnungen geprüft.").format(folder)
        )

    def stop_watching(self) -> None:
        self.cap_watcher.set_folder(None)
        self.shared.signals.status_message.emit(self.tr("CAP-Ordner wird nicht mehr überwacht."))


def install_print_menu(window: QMainWindow) -> PrintMenu:
    """Add the print and CAP entries to the window's Datei menu; returns the controller."""
    menu = PrintMenu(window)
    file_menu = getattr(window, "file_menu", None)
    if not isinstance(file_menu, QMenu):
        first = window.menuBar().actions()
        file_menu = first[0].menu() if first else window.menuBar().addMenu(menu.tr("&Datei"))
    menu.install(file_menu)
    return menu
