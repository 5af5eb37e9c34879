"""Installs the trust pieces into a main window with one call: ``install_trust(window)``.

What the window gets (all reachable from ``window.trust``, a `TrustHub`):

- status bar: „Offener Einzelplatzbetrieb (keine Konten)“ or the account's
  roles; the state of the backups (time of the last one, or a warning when
  the folder is on the same medium, a backup failed or is overdue);
- a banner „Schreibgeschützt – nur Lesen“ over the content when the file is
  opened read-only (read-only medium, backup copy);
- the screen lock (`trust_lock`) and the backup schedule (`trust_backup`),
  started 250 ms after the window is built (or on first use), so that the
  first paint does not wait for the account and backup code;
- ``window.backup_scheduler``, usable at once: call its ``report_released()``
  after releasing a report (any thread); other attributes are those of the
  window's `BackupScheduler`;
- Datei menu: „Bildschirm sperren“, „Eigenes Passwort ändern …“,
  „Sicherung …“, „Prüfen …“, „Benutzerkonten …“; with accounts, „Person/
  Funktion wechseln“ becomes a login.

`TrustHub.shutdown()` (called by `run_gui` when the window is gone) logs the
user out, stops the timers and writes a last backup when the file changed.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QLabel, QWidget

from krisenstab.gui import dialogs, trust_common
from krisenstab.gui.trust_common import (
    ERROR_STYLE,
    INFO_STYLE,
    WARN_STYLE,
    looks_like_backup_copy,
    tr,
)
from krisenstab.services.context import Actor, ServiceError
from krisenstab.services.permissions import Permission, allowed
from krisenstab.store.errors import StoreError

if TYPE_CHECKING:
    from krisenstab.gui.trust_backup import BackupController
    from krisenstab.gui.trust_lock import LockController

LOCK_SHORTCUT = "Ctrl+Shift+L"
OPEN_MODE_TEXT = "Offener Einzelplatzbetrieb (keine Konten)"


class ReadOnlyBanner(QLabel):
    """The band over the content of a read-only window: it says why and what still works."""

    def __init__(self, parent: QWidget, reason: str) -> None:
        super().__init__(parent)
        self.setObjectName("readOnlyBanner")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setText(tr("Schreibgeschützt – nur Lesen. {0}").format(reason))
        pad = max(3, self.fontMetrics().height() // 3)
        self.setStyleSheet(
            f"QLabel#readOnlyBanner {{ {WARN_STYLE} border-width: 0 0 1px 0;"
            f" padding: {pad}px; font-weight: bold; }}"
        )
        self.setAccessibleName(tr("Schreibgeschützt – nur Lesen"))


class SchedulerHandle:
    """``window.backup_scheduler``: the window's `BackupScheduler`, usable from the start.

    ``report_released()`` and ``request_now()`` may be called from any thread;
    every other attribute is the scheduler's own.
    """

    def __init__(self, hub: TrustHub) -> None:
        self._hub = hub

    @property
    def scheduler(self) -> Any:
        return self._hub.backup.scheduler

    def report_released(self) -> None:
        self.scheduler.report_released()

    def request_now(self) -> None:
        self.scheduler.request_now()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.scheduler, name)


class TrustHub(QObject):
    """The trust pieces of one main window."""

    # The lock and the backup schedule start after the first paint (they import
    # the account and backup code); touching them earlier starts them at once.
    START_DELAY_MS = 250

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.shared = window.shared
        db = self.shared.db
        self.reopen_path: Path | None = None
        # Set when the check found damage: a last backup of it would only fail.
        self.known_damaged = False
        self._stopped = False
        self._backup: BackupController | None = None
        self._lock: LockController | None = None
        try:
            self.open_mode = trust_common.open_mode(db)
        except StoreError:
            self.open_mode = True
        window.backup_scheduler = SchedulerHandle(self)
        self.banner: ReadOnlyBanner | None = None
        self._build_status()
        self._build_banner()
        self._build_actions()
        self.shared.signals.actor_changed.connect(self.refresh)
        self.refresh()
        QTimer.singleShot(self.START_DELAY_MS, self, self.start)

    def start(self) -> None:
        """Create the screen lock and the backup schedule (idempotent)."""
        if self._stopped:
            return
        if self._backup is None:
            from krisenstab.gui import trust_backup

            self._backup = trust_backup.BackupController(self.window, self.shared)
            self._backup.state_changed.connect(self._update_backup_label)
            self._update_backup_label()
        if self._lock is None:
            from krisenstab.gui import trust_lock

            self._lock = trust_lock.LockController(
                self.window, self.shared, open_mode=self.open_mode
            )

    @property
    def backup(self) -> BackupController:
        if self._backup is None:
            self.start()
        assert self._backup is not None
        return self._backup

    @property
    def lock(self) -> LockController:
        if self._lock is None:
            self.start()
        assert self._lock is not None
        return self._lock

    # -- status bar ------------------------------------------------------------
    def _build_status(self) -> None:
        status = self.window.statusBar()
        margin = self.window.fontMetrics().horizontalAdvance(" ")
        self.mode_label = QLabel(self.window)
        self.mode_label.setObjectName("statusAccounts")
        self.backup_label = QLabel(self.window)
        self.backup_label.setObjectName("statusBackup")
        for label in (self.mode_label, self.backup_label):
            label.setContentsMargins(margin, 0, margin, 0)
            status.addPermanentWidget(label)

    def _build_banner(self) -> None:
        db = self.shared.db
        if not db.read_only:
            return
        if looks_like_backup_copy(db.path):
            reason = tr(
                "Diese Datei ist eine Sicherungskopie; sie bleibt unverändert, damit sie zu "
                "ihrem Protokoll passt. Zum Weiterarbeiten: Datei → Sicherung … → "
                "zurückspielen (als neue Datei)."
            )
        else:
            reason = tr(
                "Die Datei liegt auf einem schreibgeschützten Datenträger oder ist nicht "
                "beschreibbar. Lesen, Suchen und Drucken gehen; gespeichert wird nichts."
            )
        central = self.window.centralWidget()
        layout = central.layout() if central is not None else None
        if layout is None:
            return
        self.banner = ReadOnlyBanner(central, reason)
        # Under the exercise banner, above the incident bar.
        index = 1 if getattr(self.window, "banner", None) is not None else 0
        layout.insertWidget(index, self.banner)

    def _update_backup_label(self) -> None:
        if self._backup is None:
            return
        text, level, tooltip = self._backup.status()
        self.backup_label.setText(text)
        self.backup_label.setToolTip(tooltip)
        style = {"error": ERROR_STYLE, "warning": WARN_STYLE}.get(level, "")
        self.backup_label.setStyleSheet(
            f"QLabel#statusBackup {{ {style} padding: 0 4px; }}" if style else ""
        )

    def refresh(self) -> None:
        actor = self.shared.actor
        if self.open_mode:
            self.mode_label.setText(tr(OPEN_MODE_TEXT))
            self.mode_label.setToolTip(
                tr(
                    "Diese Datenbank hat keine Benutzerkonten: wer das Programm startet, darf "
                    "alles. Datei → Benutzerkonten … legt das erste Konto an."
                )
            )
            self.mode_label.setStyleSheet(
                f"QLabel#statusAccounts {{ {INFO_STYLE} padding: 0 4px; }}"
            )
        else:
            roles = ", ".join(actor.roles) or tr("keine Rolle")
            self.mode_label.setText(roles)
            self.mode_label.setToolTip(tr("Rollen des angemeldeten Kontos"))
            self.mode_label.setStyleSheet("")
        self._update_backup_label()
        self._update_actions()

    # -- menu ----------------------------------------------------------------------
    def _build_actions(self) -> None:
        w = self.window
        self.lock_action = QAction(tr("Bildschirm &sperren"), w)
        self.lock_action.setShortcut(QKeySequence(LOCK_SHORTCUT))
        self.lock_action.setToolTip(
            tr("Bildschirm sperren; angefangene Eingaben bleiben erhalten (Strg+Umschalt+L)")
        )
        self.lock_action.triggered.connect(lambda _checked=False: self.lock.lock())
        self.password_action = QAction(tr("Eigenes &Passwort ändern …"), w)
        self.password_action.triggered.connect(self.change_own_password)
        self.backup_action = QAction(tr("&Sicherung …"), w)
        self.backup_action.setToolTip(tr("Sicherungsordner, Sicherungen, Wiederherstellen"))
        self.backup_action.triggered.connect(self.show_backup_dialog)
        self.verify_action = QAction(tr("P&rüfen …"), w)
        self.verify_action.setToolTip(
            tr("Hash-Ketten, Schutz-Trigger und Kettenstände der Sicherungen prüfen")
        )
        self.verify_action.triggered.connect(self.show_verify_dialog)
        self.accounts_action = QAction(tr("Benutzer&konten …"), w)
        self.accounts_action.triggered.connect(self.show_accounts_dialog)
        actions = [
            self.lock_action,
            self.password_action,
            None,
            self.backup_action,
            self.verify_action,
            self.accounts_action,
            None,
        ]
        menu = getattr(w, "file_menu", None)
        before = getattr(w, "quit_action", None)
        for action in actions:
            if action is None:
                if menu is not None:
                    separator = QAction(w)
                    separator.setSeparator(True)
                    menu.insertAction(before, separator) if before else menu.addAction(separator)
                continue
            w.addAction(action)  # the shortcut works even without a menu
            if menu is not None:
                if before is not None:
                    menu.insertAction(before, action)
                else:
                    menu.addAction(action)
        change = getattr(w, "change_actor_action", None)
        if change is not None:
            change.triggered.disconnect()
            change.triggered.connect(self.change_user)
        self.change_action = change

    def _update_actions(self) -> None:
        actor = self.shared.actor
        self.password_action.setVisible(not self.open_mode)
        may_manage = self.open_mode or allowed(actor, Permission.ACCOUNTS)
        self.accounts_action.setEnabled(may_manage)
        self.accounts_action.setToolTip(
            tr("Konten anlegen und verwalten, Anmeldeprotokoll")
            if may_manage
            else tr("Nur für Administratoren")
        )
        if self.change_action is not None:
            self.change_action.setText(
                tr("&Person/Funktion wechseln …")
                if self.open_mode
                else tr("&Anmelden als …/Funktion wechseln …")
            )

    # -- dialogs ---------------------------------------------------------------------
    def show_backup_dialog(self) -> QDialog:
        from krisenstab.gui.trust_backup import BackupDialog

        dialog = BackupDialog(self.backup, self.window, on_open=self.request_reopen)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def show_verify_dialog(self) -> QDialog:
        from krisenstab.gui.trust_verify import VerifyDialog

        dialog = VerifyDialog(self.shared, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def show_accounts_dialog(self) -> QDialog | None:
        from krisenstab.gui.trust_accounts import AccountsDialog

        if not (self.open_mode or allowed(self.shared.actor, Permission.ACCOUNTS)):
            dialogs.show_error(
                self.window,
                tr("Benutzerkonten"),
                tr("Benutzerkonten verwaltet nur ein Administrator."),
            )
            return None
        dialog = AccountsDialog(self.shared, self.window, on_open_mode_ended=self.open_mode_ended)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def change_own_password(self) -> None:
        from krisenstab.gui.trust_accounts import PasswordDialog

        actor = self.shared.actor
        if actor.account is None:
            return
        login = trust_common.login_of(actor.account)
        dialog = PasswordDialog(self.shared, login, self.window, own=True)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.shared.signals.status_message.emit(tr("Passwort geändert."))
        dialog.deleteLater()

    # -- who is at the keyboard --------------------------------------------------------
    def open_mode_ended(self, actor: Actor) -> None:
        """The first administrator was created here and is logged in now."""
        self.open_mode = False
        if self._lock is not None:
            self._lock.set_open_mode(False)
        self.shared.set_actor(actor)
        self.shared.signals.status_message.emit(
            tr("Kontenbetrieb eingeschaltet: angemeldet als {0}.").format(actor.person)
        )
        self.refresh()

    def change_user(self) -> bool:
        """Open mode: „Wer sind Sie?“; with accounts: a login (the previous user is logged out)."""
        if self.open_mode:
            return bool(self.window.change_actor())
        from krisenstab.gui.trust_login import ask_login

        actor = ask_login(self.shared.settings, self.shared.db, self.window)
        if actor is None:
            return False
        previous = self.shared.actor
        if previous.account != actor.account:
            with contextlib.suppress(ServiceError, StoreError):
                trust_common.account_service(self.shared.db).logout(previous)
        self.shared.set_actor(actor)
        return True

    def request_reopen(self, path: Path) -> None:
        """Close this window and let `run_gui` open ``path`` instead."""
        self.reopen_path = Path(path)
        if not self.window.close():
            self.reopen_path = None

    # -- closing down ------------------------------------------------------------------
    def shutdown(self, *, final_backup: bool = True) -> None:
        """Log out, stop the timers, wait for a running backup, write a last one."""
        if self._stopped:
            return
        if self._lock is not None:
            self._lock.stop()
        if self.shared.actor.account is not None:
            with contextlib.suppress(ServiceError, StoreError):
                trust_common.account_service(self.shared.db).logout(self.shared.actor)
        if final_backup and not self.known_damaged:
            # A window closed before its schedule started still gets its last backup.
            self.backup.shutdown(final_backup=True)
        elif self._backup is not None:
            self._backup.shutdown(final_backup=False)
        self._stopped = True


def install_trust(window: Any) -> TrustHub:
    """Add the trust pieces to ``window`` (a MainWindow); returns the hub, also ``window.trust``."""
    hub = TrustHub(window)
    window.trust = hub
    return hub
