"""Backups in the GUI: the schedule, the worker, the status line, the dialog, restoring.

The `BackupController` drives `BackupScheduler` with a single-shot QTimer
armed on `seconds_until_due()`. When it fires, `BackupService.backup_now`
runs in a worker thread on its own `Database.open` of the same file (SQLite's
backup API reads one consistent snapshot while the staff keeps writing); the
result comes back to the GUI thread and goes into the status bar.

Other parts of the program ask for a backup through the scheduler the main
window exposes: ``window.backup_scheduler.report_released()`` after a report
was released (any thread), ``window.backup_scheduler.request_now()`` for
anything else. Both wake the timer at once.

A restore always writes a new file (`restore_backup` refuses to overwrite,
and the GUI never passes ``force``); the open file is never touched.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from krisenstab.domain.filenames import safe_stem
from krisenstab.domain.timefmt import format_local, to_local, utcnow
from krisenstab.gui import dialogs, trust_common
from krisenstab.gui.trust_common import ERROR_STYLE, WARN_STYLE, BackgroundJob, error_text, tr
from krisenstab.services.backup import (
    REASON_CLOSE,
    REASON_INTERVAL,
    REASON_MANUAL,
    REASON_REPORT,
    BackupScheduler,
    BackupService,
    RestoreResult,
    restore_backup,
    same_medium,
)
from krisenstab.services.context import Actor, PermissionDenied, ServiceError
from krisenstab.services.permissions import Permission, allowed, authorize
from krisenstab.settings import Settings, data_dir
from krisenstab.store.backup import BackupInfo
from krisenstab.store.database import Database
from krisenstab.store.errors import StoreError

if TYPE_CHECKING:
    from krisenstab.gui.shared import Shared

RESTORED_MARK = "wiederhergestellt"
FINAL_BACKUP_WAIT_S = 120.0


# -- the schedule -------------------------------------------------------------------------
class WakingScheduler(BackupScheduler):
    """A `BackupScheduler` whose „back up now“ also wakes the GUI timer (from any thread)."""

    def __init__(self, interval_minutes: float, wake: Callable[[str], None], **kw: Any) -> None:
        super().__init__(interval_minutes, **kw)
        self._wake = wake

    def report_released(self) -> None:
        super().report_released()
        self._wake(REASON_REPORT)

    def request_now(self) -> None:
        super().request_now()
        self._wake(REASON_MANUAL)


class BackupController(QObject):
    """Runs the scheduled and requested backups of one main window."""

    # Running, finished or failed: the status line and the dialog re-read the state.
    state_changed = Signal()
    _wake_signal = Signal(str)

    def __init__(self, window: QObject, shared: Shared) -> None:
        super().__init__(window)
        self.shared = shared
        settings = shared.settings
        self.scheduler = WakingScheduler(
            max(1, settings.backup_interval_min or 5), wake=self._wake_signal.emit
        )
        # Queued: report_released() may be called from a worker thread.
        self._wake_signal.connect(self._on_wake, Qt.ConnectionType.QueuedConnection)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timer)
        self.job: BackgroundJob | None = None
        self.running_reason = ""
        self.last_info: BackupInfo | None = None
        self.last_result = ""
        self._next_reason: str | None = None
        self._same_medium: tuple[str, bool] | None = None
        # A read-only file cannot change, and SQLite cannot copy it through the
        # backup API without write access to its lock: no schedule there.
        self.enabled = not shared.db.read_only
        self._arm()

    # -- where and how often ---------------------------------------------------
    def folder(self) -> Path:
        return BackupService(self.shared.db, settings=self.shared.settings).folder

    def uses_default_folder(self) -> bool:
        return not self.shared.settings.backup_dir

    def on_same_medium(self) -> bool:
        folder = str(self.folder())
        if self._same_medium is None or self._same_medium[0] != folder:
            self._same_medium = (folder, same_medium(self.shared.db.path, Path(folder)))
        return self._same_medium[1]

    def set_folder(self, folder: Path) -> None:
        """A new backup folder for this workstation; the first backup there follows at once."""
        self.shared.settings.backup_dir = str(folder)
        self.shared.settings.save()
        self._same_medium = None
        if self.enabled:
            self.scheduler.request_now()
        self.state_changed.emit()

    def set_interval(self, minutes: int) -> None:
        """Applies from the next backup on."""
        minutes = max(1, int(minutes))
        self.shared.settings.backup_interval_min = minutes
        self.shared.settings.save()
        self.scheduler.interval = timedelta(minutes=minutes)
        self.state_changed.emit()

    def list_backups(self) -> list[BackupInfo]:
        found = BackupService(self.shared.db, settings=self.shared.settings).list_backups()
        # Backups made elsewhere (command line, before this start) count as well.
        if found and (self.last_info is None or found[0].created_at > self.last_info.created_at):
            self.last_info = found[0]
        return found

    # -- running ----------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.job is not None

    def _arm(self) -> None:
        if not self.enabled or self.job is not None:
            return
        ms = math.ceil(self.scheduler.seconds_until_due() * 1000)
        self._timer.start(max(0, min(ms, 2**31 - 1)))

    def _on_wake(self, reason: str) -> None:
        if not shiboken6.isValid(self):
            return
        if self._next_reason != REASON_REPORT:
            self._next_reason = reason
        self._arm()

    def _on_timer(self) -> None:
        if not self.scheduler.is_due():
            self._arm()
            return
        reason = self._next_reason or REASON_INTERVAL
        self._next_reason = None
        # The regular schedule skips a file nobody wrote to since the last copy.
        self._start(reason, None, skip_unchanged=reason == REASON_INTERVAL)

    def backup_now(self, actor: Actor | None = None, reason: str = REASON_MANUAL) -> bool:
        """Start a backup now (a person's request needs the backup permission)."""
        if not self.enabled:
            return False
        if self.job is not None:
            self._next_reason = reason
            self.scheduler.request_now()
            return False
        self._timer.stop()
        self._start(reason, actor, skip_unchanged=False)
        return True

    def _start(self, reason: str, actor: Actor | None, *, skip_unchanged: bool) -> None:
        path = self.shared.db.path
        folder = self.folder()

        def work() -> BackupInfo | None:
            db = Database.open(path, create=False, quick_check=False)
            try:
                return BackupService(db, folder=folder).backup_now(
                    actor, reason=reason, skip_unchanged=skip_unchanged
                )
            finally:
                db.close()

        self.running_reason = reason
        self.job = BackgroundJob(work, self._done, self._failed, name="krisenstab-backup")
        self.job.start()
        self.state_changed.emit()

    def _done(self, info: BackupInfo | None) -> None:
        if not shiboken6.isValid(self):
            return
        reason = self.running_reason
        self.job = None
        self.running_reason = ""
        self.scheduler.finished(True)
        now = utcnow()
        if info is None:
            self.last_result = tr("{0}: unverändert seit der letzten Sicherung.").format(
                format_local(now)
            )
        else:
            self.last_info = info
            self.last_result = tr("Gesichert {0} nach {1}").format(
                format_local(info.created_at), info.path.parent
            )
            if info.manifest.problems:
                self.shared.signals.problem.emit(
                    tr(
                        "Sicherung geschrieben, aber die Datenbank selbst hat Prüfungsfehler: {0}"
                    ).format("; ".join(info.manifest.problems[:3]))
                )
            elif reason != REASON_INTERVAL:
                self.shared.signals.status_message.emit(
                    tr("Sicherung gespeichert und geprüft: {0}").format(info.path.name)
                )
        self.state_changed.emit()
        self._arm()

    def _failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self.job = None
        self.running_reason = ""
        message = error_text(exc)
        self.scheduler.finished(False, message)
        self.last_result = tr("Fehlgeschlagen {0}: {1}").format(format_local(utcnow()), message)
        self.shared.signals.problem.emit(tr("Sicherung fehlgeschlagen: {0}").format(message))
        self.state_changed.emit()
        self._arm()

    def wait(self, timeout: float | None = None) -> bool:
        job = self.job
        return job.wait(timeout) if job is not None else True

    # -- what the status line says -------------------------------------------------
    def status(self) -> tuple[str, str, str]:
        """(text, level, tooltip) for the status bar; level is "", "warning" or "error"."""
        sched = self.scheduler
        folder = self.folder()
        tip = [tr("Sicherungsordner: {0}").format(folder)]
        if self.last_result:
            tip.append(self.last_result)
        if not self.enabled:
            return (
                tr("Keine Sicherung (schreibgeschützt)"),
                "",
                tr("Eine schreibgeschützte Datei ändert sich nicht; sie wird nicht gesichert."),
            )
        tip.append(tr("Nächste Sicherung: {0}").format(format_local(sched.next_due())))
        tip.append(tr("Datei → Sicherung … zeigt alle Sicherungen."))
        tooltip = "\n".join(tip)
        if self.job is not None:
            return tr("Sicherung läuft …"), "", tooltip
        if sched.failures:
            return (
                tr("Sicherung fehlgeschlagen ({0}×)").format(sched.failures),
                "error",
                tr("{0}\n\nLetzter Fehler: {1}").format(tooltip, sched.last_error),
            )
        if sched.overdue():
            return tr("Sicherung überfällig"), "error", tooltip
        if self.on_same_medium():
            when = self._last_time()
            text = (
                tr("Sicherung {0} – gleicher Datenträger!").format(when)
                if when
                else tr("Sicherung auf gleichem Datenträger!")
            )
            return (
                text,
                "warning",
                tr(
                    "{0}\n\nDer Sicherungsordner liegt auf demselben Datenträger wie die "
                    "Datenbank: fällt die Festplatte aus, sind beide verloren. Bitte einen "
                    "USB-Stick oder eine zweite Festplatte wählen (Datei → Sicherung …)."
                ).format(tooltip),
            )
        when = self._last_time()
        if when:
            return tr("Gesichert {0}").format(when), "", tooltip
        return (
            tr("Erste Sicherung um {0}").format(to_local(sched.next_due()).strftime("%H:%M")),
            "",
            tooltip,
        )

    def _last_time(self) -> str:
        if self.last_info is not None:
            return to_local(self.last_info.created_at).strftime("%H:%M")
        if self.scheduler.last_success is not None:
            return to_local(self.scheduler.last_success).strftime("%H:%M")
        return ""

    # -- closing down ------------------------------------------------------------------
    def shutdown(self, *, final_backup: bool = True, parent: QWidget | None = None) -> None:
        """Stop the schedule, let a running backup finish, and keep the last state."""
        self._timer.stop()
        self.wait(FINAL_BACKUP_WAIT_S)
        self.job = None
        if not (final_backup and self.enabled):
            return
        path, folder = self.shared.db.path, self.folder()

        def work() -> BackupInfo | None:
            db = Database.open(path, create=False, quick_check=False)
            try:
                return BackupService(db, folder=folder).backup_now(
                    None, reason=REASON_CLOSE, skip_unchanged=True
                )
            finally:
                db.close()

        try:
            trust_common.run_with_progress(
                parent, tr("Krisenstab"), tr("Sicherung beim Beenden …"), work
            )
        except Exception as exc:
            dialogs.show_error(
                parent,
                tr("Krisenstab – Sicherung"),
                tr(
                    "Die Sicherung beim Beenden ist fehlgeschlagen:\n\n{0}\n\nDie Datenbank "
                    "selbst ist gespeichert; die letzte Sicherung ist älter."
                ).format(error_text(exc)),
            )


# -- restoring ------------------------------------------------------------------------------
def restored_path_for(source: Path, when: datetime | None = None) -> Path:
    """A new file beside ``source`` (or in the data folder when that is read-only)."""
    stamp = to_local(when or utcnow()).strftime("%Y%m%d-%H%M")
    stem = safe_stem(source.stem, max_bytes=80)
    suffix = source.suffix or ".db"
    folder = source.parent if os.access(source.parent, os.W_OK) else data_dir()
    candidate = folder / f"{stem}-{RESTORED_MARK}-{stamp}{suffix}"
    n = 2
    while candidate.exists():
        candidate = folder / f"{stem}-{RESTORED_MARK}-{stamp}-{n}{suffix}"
        n += 1
    return candidate


def earlier_restores(source: Path) -> list[Path]:
    """Files restored beside ``source`` before, newest first."""
    stem = safe_stem(source.stem, max_bytes=80)
    try:
        found = list(source.parent.glob(f"{stem}-{RESTORED_MARK}-*{source.suffix or '.db'}"))
    except OSError:
        return []
    found = [p for p in found if p.is_file()]
    return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)


def restore_actor(
    parent: QWidget | None,
    settings: Settings,
    backup: Path,
    current: Actor | None,
) -> tuple[Actor, str] | None:
    """Who restores: the current person when the backup knows them, else a login
    against the backup's accounts. Returns (actor, login name typed) or None."""
    from krisenstab.gui.trust_login import LoginDialog

    try:
        copy = Database.open(backup, create=False, read_only=True, quick_check=False)
    except StoreError as exc:
        dialogs.show_error(parent, tr("Krisenstab – Wiederherstellen"), str(exc))
        return None
    try:
        service = trust_common.account_service(copy)
        if service.open_mode():
            person = current.person if current else (settings.last_person or "Krisenstab")
            function = current.function if current else (settings.last_function or "System")
            return Actor(person, function, settings.workstation_id), ""
        if current is not None and current.account is not None:
            try:
                with copy.session() as session:
                    return authorize(session, current, Permission.BACKUP), ""
            except PermissionDenied:
                pass
        dialog = LoginDialog(
            settings,
            copy,
            parent,
            intro=tr(
                "Die Sicherung hat Benutzerkonten. Zum Zurückspielen bitte mit einem Konto "
                "der Sicherung anmelden, das Sicherungen zurückspielen darf."
            ),
        )
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            return dialog.actor(), dialog.login()
        finally:
            dialog.deleteLater()
    finally:
        copy.close()


def restore_into(
    parent: QWidget | None, settings: Settings, backup: Path, target: Path, actor: Actor
) -> RestoreResult:
    """Restore in a worker behind a progress dialog; raises the service's errors."""

    def work() -> RestoreResult:
        return restore_backup(
            backup, target, who=lambda _db: actor, workstation_id=settings.workstation_id
        )

    return trust_common.run_with_progress(
        parent,
        tr("Krisenstab – Wiederherstellen"),
        tr("Die Sicherung wird geprüft und als neue Datei wiederhergestellt …"),
        work,
    )


# -- the dialog -------------------------------------------------------------------------------
def _size_text(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB".replace(".", ",")
    return f"{max(1, size // 1000)} kB"


class BackupDialog(QDialog):
    """Datei → Sicherung …: folder, interval, „Jetzt sichern“, the list, restore."""

    COLUMNS = ("Zeitpunkt", "Anlass", "Größe", "Einträge", "Prüfung", "Datei")

    def __init__(
        self,
        controller: BackupController,
        parent: QWidget | None = None,
        *,
        on_open: Callable[[Path], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("backupDialog")
        self.setWindowTitle(tr("Sicherung"))
        self.controller = controller
        self.shared = controller.shared
        self.on_open = on_open
        self.backups: list[BackupInfo] = []
        may = allowed(self.shared.actor, Permission.BACKUP)

        folder_box = QGroupBox(tr("Sicherungsordner (zweiter Datenträger)"), self)
        self.folder_label = QLabel(folder_box)
        self.folder_label.setObjectName("backupFolder")
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.folder_label.setWordWrap(True)
        self.choose_button = QPushButton(tr("Ordner &wählen …"), folder_box)
        self.choose_button.clicked.connect(self.choose_folder)
        self.medium_label = QLabel(folder_box)
        self.medium_label.setObjectName("backupMedium")
        self.medium_label.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.folder_label, 1)
        row.addWidget(self.choose_button)
        folder_layout = QVBoxLayout(folder_box)
        folder_layout.addLayout(row)
        folder_layout.addWidget(self.medium_label)

        self.interval_spin = QSpinBox(self)
        self.interval_spin.setRange(1, 240)
        self.interval_spin.setSuffix(tr(" min"))
        self.interval_spin.setValue(max(1, self.shared.settings.backup_interval_min or 5))
        self.interval_spin.valueChanged.connect(self.controller.set_interval)
        self.interval_spin.setAccessibleName(tr("Abstand der automatischen Sicherungen"))
        interval_row = QHBoxLayout()
        interval_row.addWidget(QLabel(tr("Automatisch alle"), self))
        interval_row.addWidget(self.interval_spin)
        interval_row.addWidget(
            QLabel(
                tr("und nach jedem freigegebenen Lagebericht; jede Sicherung wird geprüft."), self
            ),
            1,
        )

        self.state_label = QLabel(self)
        self.state_label.setObjectName("backupState")
        self.state_label.setWordWrap(True)
        self.state_label.setTextFormat(Qt.TextFormat.PlainText)
        self.now_button = QPushButton(tr("Jetzt &sichern"), self)
        self.now_button.setObjectName("backupNow")
        self.now_button.clicked.connect(self.backup_now)
        state_row = QHBoxLayout()
        state_row.addWidget(self.state_label, 1)
        state_row.addWidget(self.now_button)

        self.table = QTableWidget(0, len(self.COLUMNS), self)
        self.table.setObjectName("backupTable")
        self.table.setHorizontalHeaderLabels([tr(c) for c in self.COLUMNS])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(self.COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(lambda _i: self.restore_selected())

        self.restore_button = QPushButton(
            tr("Ausgewählte Sicherung &zurückspielen (als neue Datei) …"), self
        )
        self.restore_button.setObjectName("backupRestore")
        self.restore_button.clicked.connect(self.restore_selected)
        self.refresh_button = QPushButton(tr("&Aktualisieren"), self)
        self.refresh_button.clicked.connect(self.refresh)
        list_row = QHBoxLayout()
        list_row.addWidget(self.restore_button)
        list_row.addStretch(1)
        list_row.addWidget(self.refresh_button)

        self.note_label = QLabel(
            tr(
                "Zurückspielen schreibt immer eine neue Datei; die geöffnete Datenbank wird "
                "nie überschrieben. Einträge nach dem Zeitpunkt der Sicherung fehlen in der "
                "neuen Datei."
            ),
            self,
        )
        self.note_label.setWordWrap(True)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(folder_box)
        layout.addLayout(interval_row)
        layout.addLayout(state_row)
        layout.addWidget(QLabel(tr("Sicherungen dieser Datenbank im Ordner:"), self))
        layout.addWidget(self.table, 1)
        layout.addLayout(list_row)
        layout.addWidget(self.note_label)
        layout.addWidget(buttons)

        if not may:
            tip = tr("Ihre Rolle darf keine Sicherungen anlegen oder zurückspielen.")
            for widget in (self.choose_button, self.now_button, self.interval_spin):
                widget.setEnabled(False)
                widget.setToolTip(tip)
        self._may = may
        controller.state_changed.connect(self._on_state_changed)
        self.resize(
            self.fontMetrics().horizontalAdvance("M") * 70, self.fontMetrics().height() * 34
        )
        self.refresh()

    # -- showing ------------------------------------------------------------------
    def _on_state_changed(self) -> None:
        self.refresh(list_too=not self.controller.running)

    def refresh(self, list_too: bool = True) -> None:
        controller = self.controller
        folder = controller.folder()
        self.folder_label.setText(str(folder))
        if controller.uses_default_folder():
            self.medium_label.setText(
                tr(
                    "Es ist noch kein eigener Sicherungsordner gewählt: gesichert wird in den "
                    "Datenordner des Programms. Bitte einen USB-Stick oder eine zweite "
                    "Festplatte wählen."
                )
            )
            self.medium_label.setStyleSheet(WARN_STYLE + " padding: 4px;")
        elif controller.on_same_medium():
            self.medium_label.setText(
                tr(
                    "Achtung: Der Ordner liegt auf demselben Datenträger wie die Datenbank "
                    "({0}). Fällt die Festplatte aus, sind Datenbank und Sicherungen verloren."
                ).format(self.shared.db.path)
            )
            self.medium_label.setStyleSheet(WARN_STYLE + " padding: 4px;")
        else:
            self.medium_label.setText(
                tr("Der Ordner liegt auf einem anderen Datenträger als die Datenbank.")
            )
            self.medium_label.setStyleSheet("")
        text, level, _tip = controller.status()
        lines = [text]
        if controller.last_result:
            lines.append(controller.last_result)
        if controller.scheduler.last_error and level == "error":
            lines.append(tr("Fehler: {0}").format(controller.scheduler.last_error))
        self.state_label.setText("\n".join(lines))
        self.state_label.setStyleSheet((ERROR_STYLE + " padding: 4px;") if level == "error" else "")
        self.now_button.setEnabled(self._may_write() and not controller.running)
        if list_too:
            self._fill_table()
        self._update_buttons()

    def _may_write(self) -> bool:
        return self._may_backup() and self.controller.enabled

    def _may_backup(self) -> bool:
        return allowed(self.shared.actor, Permission.BACKUP)

    def _fill_table(self) -> None:
        selected = self.selected_backup()
        try:
            self.backups = self.controller.list_backups()
        except OSError:
            self.backups = []
        self.table.setRowCount(len(self.backups))
        for row, info in enumerate(self.backups):
            m = info.manifest
            entries = sum(h.number for h in m.heads.values())
            check = tr("geprüft") if not m.problems else tr("mit Fehlern der Quelle")
            cells = (
                format_local(info.created_at, seconds=True),
                m.reason or "–",
                _size_text(m.size),
                str(entries),
                check,
                info.path.name,
            )
            for column, value in enumerate(cells):
                item = QTableWidgetItem(value)
                if column == 5:
                    item.setToolTip(str(info.path))
                if column in (2, 3):
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(row, column, item)
        if selected is not None:
            for row, info in enumerate(self.backups):
                if info.path == selected.path:
                    self.table.selectRow(row)
                    break
        elif self.backups:
            self.table.selectRow(0)

    def selected_backup(self) -> BackupInfo | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or rows[0].row() >= len(self.backups):
            return None
        return self.backups[rows[0].row()]

    def _update_buttons(self) -> None:
        self.restore_button.setEnabled(self._may_backup() and self.selected_backup() is not None)

    # -- acting -----------------------------------------------------------------------
    def choose_folder(self) -> None:
        start = str(self.controller.folder())
        chosen = trust_common.choose_folder(self, tr("Sicherungsordner wählen"), start)
        if not chosen:
            return
        folder = Path(chosen)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            writable = os.access(folder, os.W_OK)
        except OSError:
            writable = False
        if not writable:
            dialogs.show_error(
                self,
                tr("Sicherung"),
                tr("In den Ordner {0} kann nicht geschrieben werden.").format(folder),
            )
            return
        if folder.resolve() == self.shared.db.path.parent.resolve():
            dialogs.show_error(
                self,
                tr("Sicherung"),
                tr(
                    "Bitte nicht den Ordner der Datenbank selbst wählen, sondern einen auf "
                    "einem anderen Datenträger (USB-Stick, zweite Festplatte)."
                ),
            )
            return
        if same_medium(self.shared.db.path, folder) and not dialogs.confirm(
            self,
            tr("Sicherung"),
            tr(
                "Der Ordner liegt auf demselben Datenträger wie die Datenbank. Eine "
                "Sicherung dort übersteht keinen Festplattenausfall.\n\nTrotzdem verwenden?"
            ),
        ):
            return
        self.controller.set_folder(folder)
        self.refresh()

    def backup_now(self) -> None:
        if not self._may_write():
            return
        self.controller.backup_now(self.shared.actor, REASON_MANUAL)
        self.refresh(list_too=False)

    def restore_selected(self) -> None:
        info = self.selected_backup()
        if info is None or not self._may_backup():
            return
        restore_interactively(
            self, self.shared.settings, info, self.shared.actor, self.shared.db.path, self.on_open
        )
        self.refresh()


def restore_interactively(
    parent: QWidget | None,
    settings: Settings,
    info: BackupInfo,
    current: Actor | None,
    open_path: Path,
    on_open: Callable[[Path], None] | None,
) -> RestoreResult | None:
    """Choose a new file, log in if needed, restore, and offer to open the result."""
    suggested = restored_path_for(open_path, info.created_at)
    chosen = trust_common.choose_new_file(
        parent, tr("Sicherung als neue Datei wiederherstellen"), str(suggested)
    )
    if not chosen:
        return None
    target = Path(chosen)
    if not target.suffix:
        target = target.with_suffix(".db")
    if target.resolve() == open_path.resolve():
        dialogs.show_error(
            parent,
            tr("Wiederherstellen"),
            tr(
                "Die geöffnete Datenbank wird nie überschrieben. Bitte einen neuen Dateinamen wählen."
            ),
        )
        return None
    if target.exists():
        dialogs.show_error(
            parent,
            tr("Wiederherstellen"),
            tr(
                "{0} gibt es schon; es wird nichts überschrieben. Bitte einen neuen Namen wählen."
            ).format(target),
        )
        return None
    who = restore_actor(parent, settings, info.path, current)
    if who is None:
        return None
    try:
        result = restore_into(parent, settings, info.path, target, who[0])
    except (ServiceError, StoreError, OSError) as exc:
        dialogs.show_error(parent, tr("Wiederherstellen"), error_text(exc))
        return None
    text = tr(
        "Die Sicherung vom {0} ist als neue Datei wiederhergestellt:\n{1}\n\nEinträge, die "
        "nach der Sicherung geschrieben wurden, fehlen dort; jedes offene Ereignis hat "
        "einen Eintrag über die Wiederherstellung."
    ).format(format_local(info.created_at), result.path)
    if on_open is not None and dialogs.confirm(
        parent, tr("Wiederherstellen"), text + tr("\n\nDie neue Datei jetzt öffnen?")
    ):
        on_open(result.path)
    elif on_open is None:
        dialogs.show_info(parent, tr("Wiederherstellen"), text)
    return result
