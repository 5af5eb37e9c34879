"""CAP warnings into the message flow: import a file, or watch a folder.

A manual import (Datei → „CAP-Warnung importieren …“) shows the new
incoming message on the Nachrichten tab; a refused file shows the German
reason and stores nothing; a duplicate says so. The watched folder (set per
workstation, kept in ``cap_watch.json`` beside the settings) is scanned
every 10 s by `ExchangeService.scan_cap_folder` in a worker thread; new
alerts appear as incoming messages and in the status bar, never as a dialog
popping up in the middle of someone's typing.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from krisenstab.gui import dialogs, workers
from krisenstab.gui.shared import Shared
from krisenstab.settings import config_dir

WATCH_INTERVAL_MS = 10_000
WATCH_FILE = "cap_watch.json"
WATCH_VERSION = 1


def _tr(text: str) -> str:
    return QCoreApplication.translate("CapImport", text)


# -- file choosers (tests replace these) ------------------------------------------------
def choose_cap_file(parent: QWidget | None) -> str | None:
    """A CAP file to import, or None."""
    path, _selected = QFileDialog.getOpenFileName(
        parent,
        _tr("CAP-Warnung importieren"),
        "",
        _tr("CAP-Warnungen (*.cap *.xml);;Alle Dateien (*)"),
    )
    return path or None


def choose_cap_folder(parent: QWidget | None, start: str = "") -> str | None:
    """The folder to watch for CAP files, or None."""
    path = QFileDialog.getExistingDirectory(parent, _tr("Ordner für CAP-Warnungen wählen"), start)
    return path or None


# -- the per-workstation setting --------------------------------------------------------
@dataclass
class CapWatchSettings:
    """Which folder this workstation watches; only one workstation needs to."""

    folder: str = ""
    enabled: bool = False
    version: int = WATCH_VERSION

    @staticmethod
    def path() -> Path:
        return config_dir() / WATCH_FILE

    @classmethod
    def load(cls) -> CapWatchSettings:
        try:
            raw = json.loads(cls.path().read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()
        if not isinstance(raw, dict):
            return cls()
        return cls(folder=str(raw.get("folder") or ""), enabled=bool(raw.get("enabled")))

    def save(self) -> None:
        target = self.path()
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(".tmp")
            tmp.write_text(json.dumps(asdict(self), indent=2, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, target)
        except OSError:
            # A read-only config folder only means the choice is not remembered.
            pass

    @property
    def active(self) -> bool:
        return self.enabled and bool(self.folder)


def _show_message(window: QWidget | None, message_id: str | None) -> None:
    """Bring the imported message up on the Nachrichten tab, if the window has one."""
    if window is None or not message_id:
        return
    show_tab = getattr(window, "show_tab", None)
    if not callable(show_tab):
        return
    tab = show_tab("messages")
    open_message = getattr(tab, "open_message", None)
    if callable(open_message):
        open_message(message_id)


class CapImporter(QObject):
    """One CAP file at a time, imported in a worker into the current incident."""

    imported = Signal(object)  # CapImportResult (also duplicates)
    refused = Signal(str)  # the German reason

    def __init__(
        self, shared: Shared, parent_widget: QWidget, *, pool: QThreadPool | None = None
    ) -> None:
        super().__init__(parent_widget)
        self.shared = shared
        self.parent_widget = parent_widget
        self.pool = pool
        self.worker: workers.Worker | None = None

    def choose_and_import(self) -> workers.Worker | None:
        problem = self._problem()
        if problem:
            dialogs.show_error(self.parent_widget, _tr("CAP-Warnung importieren"), problem)
            return None
        path = choose_cap_file(self.parent_widget)
        if not path:
            return None
        return self.import_file(path)

    def _problem(self) -> str | None:
        if not self.shared.incident_id:
            return _tr(
                "Bitte zuerst ein Ereignis öffnen: die Warnung wird dort als Eingang erfasst."
            )
        return self.shared.read_only_reason

    def import_file(self, path: str | os.PathLike[str]) -> workers.Worker | None:
        """Import ``path`` into the current incident (in a worker); results by signal."""
        problem = self._problem()
        if problem:
            dialogs.show_error(self.parent_widget, _tr("CAP-Warnung importieren"), problem)
            return None
        if self.worker is not None:
            return None
        db, actor, incident_id = self.shared.db, self.shared.actor, self.shared.incident_id

        def job(_progress: workers.Progress) -> Any:
            from krisenstab.services.exchange import ExchangeService

            return ExchangeService(db, actor).import_cap_file(incident_id, path)

        worker = workers.Worker(job, name="cap-import")
        worker.signals.finished.connect(lambda result: self._done(incident_id, result))
        worker.signals.failed.connect(self._failed)
        worker.signals.done.connect(self._finished)
        self.worker = worker
        workers.start(worker, self.pool)
        return worker

    def _finished(self) -> None:
        self.worker = None

    def _done(self, incident_id: str, result: Any) -> None:
        title = _tr("CAP-Warnung importieren")
        if result.duplicate:
            dialogs.show_info(
                self.parent_widget,
                title,
                _tr(
                    "Diese Warnung wurde bereits übernommen – nichts Neues gespeichert.\n\n{0}"
                ).format(result.describe()),
            )
        else:
            signals = self.shared.signals
            signals.journal_changed.emit(incident_id)
            signals.status_message.emit(_tr("CAP-Warnung: {0}").format(result.describe()))
            if incident_id == self.shared.incident_id:
                _show_message(self.parent_widget.window(), result.message_id)
        self.imported.emit(result)

    def _failed(self, message: str) -> None:
        dialogs.show_error(
            self.parent_widget,
            _tr("CAP-Warnung abgelehnt"),
            _tr("{0}\n\nEs wurde nichts gespeichert.").format(message),
        )
        self.refused.emit(message)


class CapFolderWatcher(QObject):
    """Scans the configured folder every ``interval_ms`` while an incident is open."""

    scanned = Signal(object)  # FolderScanResult
    state_changed = Signal()

    def __init__(
        self,
        shared: Shared,
        settings: CapWatchSettings,
        parent: QObject | None = None,
        *,
        interval_ms: int = WATCH_INTERVAL_MS,
        pool: QThreadPool | None = None,
    ) -> None:
        super().__init__(parent)
        self.shared = shared
        self.settings = settings
        self.pool = pool
        self.worker: workers.Worker | None = None
        self.last_problem = ""
        self._state: Any = None
        self._state_key: tuple[str, str] | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.scan_now)
        shared.signals.incident_changed.connect(lambda _id: self._forget_state())
        if settings.active:
            self.timer.start()

    @property
    def active(self) -> bool:
        return self.settings.active and self.timer.isActive()

    def set_folder(self, folder: str | None, *, enabled: bool = True) -> None:
        """Watch ``folder`` (None or "": stop watching); remembered for this workstation."""
        self.settings.folder = folder or ""
        self.settings.enabled = bool(folder) and enabled
        self.settings.save()
        self._forget_state()
        self.last_problem = ""
        if self.settings.active:
            self.timer.start()
            self.scan_now()
        else:
            self.timer.stop()
        self.state_changed.emit()

    def stop(self) -> None:
        self.timer.stop()

    def _forget_state(self) -> None:
        self._state = None
        self._state_key = None

    def scan_now(self) -> workers.Worker | None:
        """One scan in a worker (none while the last one still runs)."""
        if self.worker is not None or not self.settings.active:
            return None
        incident_id = self.shared.incident_id
        if not incident_id or self.shared.read_only_reason is not None:
            return None
        from krisenstab.services.exchange import FolderScanState

        key = (incident_id, self.settings.folder)
        if self._state is None or self._state_key != key:
            self._state, self._state_key = FolderScanState(), key
        db, actor, folder, state = (
            self.shared.db,
            self.shared.actor,
            self.settings.folder,
            self._state,
        )

        def job(_progress: workers.Progress) -> Any:
            from krisenstab.services.exchange import ExchangeService

            return ExchangeService(db, actor).scan_cap_folder(incident_id, folder, state)

        worker = workers.Worker(job, name="cap-folder")
        worker.signals.finished.connect(lambda result: self._done(incident_id, result))
        worker.signals.failed.connect(self._failed)
        worker.signals.done.connect(self._finished)
        self.worker = worker
        workers.start(worker, self.pool)
        return worker

    def _finished(self) -> None:
        self.worker = None

    def _done(self, incident_id: str, result: Any) -> None:
        self.last_problem = ""
        signals = self.shared.signals
        # One line for the status bar: a second message would hide the first.
        parts: list[str] = []
        if result.imported:
            signals.journal_changed.emit(incident_id)
            if len(result.imported) == 1:
                parts.append(_tr("Neue CAP-Warnung: {0}").format(result.imported[0].describe()))
            else:
                parts.append(
                    _tr("{0} neue CAP-Warnungen, zuletzt: {1}").format(
                        len(result.imported), result.imported[-1].describe()
                    )
                )
        parts.extend(
            _tr("CAP-Datei ‚{0}‘ abgelehnt: {1}").format(name, reason)
            for name, reason in result.refused
        )
        if parts:
            text = " – ".join(parts)
            if result.refused:
                signals.problem.emit(text)
            else:
                signals.status_message.emit(text)
        self.scanned.emit(result)

    def _failed(self, message: str) -> None:
        # A missing network share would otherwise repeat its complaint every 10 s.
        if message != self.last_problem:
            self.last_problem = message
            self.shared.signals.problem.emit(_tr("CAP-Ordner: {0}").format(message))
