"""The state every tab shares: database, settings, actor, current incident.

One `Shared` object is created per main window and handed to each tab. Tabs
read the current state from it, change it through its methods, and listen
to `shared.signals` for changes made by other tabs or other processes.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer

from krisenstab.gui.signals import AppSignals
from krisenstab.services.context import Actor, ServiceError
from krisenstab.services.incidents import IncidentService, IncidentView
from krisenstab.services.journal import JournalService
from krisenstab.settings import Settings
from krisenstab.store.database import Database
from krisenstab.store.errors import StoreError

POLL_INTERVAL_MS = 2000


class Shared(QObject):
    """Database, settings, actor and current incident, plus the app-wide signals."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        actor: Actor,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.settings = settings
        self.actor = actor
        self.incident: IncidentView | None = None
        self.signals = AppSignals(self)
        self._seen_count: int | None = None
        self._poll_problem = False
        # Entries written by another process (another workstation on the
        # same file) are noticed by comparing the entry count.
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_INTERVAL_MS)
        self._poll.timeout.connect(self.poll)
        self.signals.journal_changed.connect(self._note_journal_changed)

    # -- services ----------------------------------------------------------
    def journal(self) -> JournalService:
        """A journal service acting as the current actor."""
        return JournalService(self.db, self.actor)

    def incidents(self) -> IncidentService:
        return IncidentService(self.db)

    # -- state -------------------------------------------------------------
    @property
    def incident_id(self) -> str:
        return self.incident.id if self.incident else ""

    @property
    def read_only_reason(self) -> str | None:
        """Why nothing can be written right now (German), or None."""
        if self.db.read_only:
            return self.tr("Die Datenbank ist schreibgeschützt geöffnet – nur Lesen möglich.")
        if self.incident is not None and self.incident.is_closed:
            return self.tr("Das Ereignis ist abgeschlossen – das Einsatztagebuch ist nur lesbar.")
        return None

    def set_actor(self, actor: Actor) -> None:
        self.actor = actor
        self.settings.last_person = actor.person
        self.settings.last_function = actor.function
        self.settings.save()
        self.signals.actor_changed.emit()

    def set_incident(self, incident: IncidentView | None) -> None:
        """Make `incident` the current one (None: no incident open)."""
        self.incident = incident
        self._seen_count = None
        if incident is not None:
            self._seen_count = self._count_or_none(incident.id)
        self.signals.incident_changed.emit(self.incident_id)

    def update_incident(self, incident: IncidentView) -> None:
        """The current incident was changed here (renamed, closed): tell the tabs.

        Renaming and closing write a journal entry, so the journal changed too.
        """
        self.incident = incident
        self.signals.incident_changed.emit(incident.id)
        self.signals.incidents_changed.emit()
        self.signals.journal_changed.emit(incident.id)

    def reload_incident(self) -> None:
        """Re-read the current incident (title, status) and tell the tabs."""
        if self.incident is None:
            return
        try:
            self.incident = self.incidents().get(self.incident.id)
        except (StoreError, ServiceError) as exc:
            self.signals.problem.emit(str(exc))
            return
        self.signals.incident_changed.emit(self.incident_id)

    def most_recent_open_incident(self) -> IncidentView | None:
        for incident in self.incidents().list():
            if not incident.is_closed:
                return incident
        return None

    # -- noticing changes from elsewhere ------------------------------------
    def start_polling(self) -> None:
        self._poll.start()

    def stop_polling(self) -> None:
        self._poll.stop()

    def _count_or_none(self, incident_id: str) -> int | None:
        try:
            return JournalService(self.db).count(incident_id)
        except StoreError:
            return None

    def _note_journal_changed(self, incident_id: str) -> None:
        if incident_id == self.incident_id:
            self._seen_count = self._count_or_none(incident_id)

    def poll(self) -> None:
        """Emit `journal_changed` when another writer added entries."""
        if self.incident is None:
            return
        try:
            count = JournalService(self.db).count(self.incident.id)
        except StoreError as exc:
            if not self._poll_problem:
                self._poll_problem = True
                self.signals.problem.emit(str(exc))
            return
        self._poll_problem = False
        if count == self._seen_count:
            return
        self._seen_count = count
        before = self.incident
        # Closing or renaming an incident always writes an entry, so a new
        # count is also the moment to look at the incident itself.
        try:
            after = self.incidents().get(before.id)
        except (StoreError, ServiceError):
            after = before
        self.incident = after
        if (after.title, after.status) != (before.title, before.status):
            self.signals.incident_changed.emit(after.id)
            self.signals.incidents_changed.emit()
        self.signals.journal_changed.emit(before.id)
