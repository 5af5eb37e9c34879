"""Logging in: name, password and staff function, with a countdown after too many failures.

A database with accounts asks this dialog instead of „Wer sind Sie?“; in the
open single-workstation mode the start dialog stays (see `ask_start_actor`).
The password check (argon2id) runs in the GUI thread under a wait cursor:
it takes a fraction of a second, and the dialog has nothing else to do.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from krisenstab.domain.timefmt import utcnow
from krisenstab.gui import trust_common
from krisenstab.gui.start_dialog import MAX_FUNCTION, STAFF_FUNCTIONS
from krisenstab.gui.trust_common import tr
from krisenstab.services.context import Actor, PermissionDenied, ServiceError
from krisenstab.settings import Settings
from krisenstab.store.database import Database
from krisenstab.store.errors import StoreError

COUNTDOWN_TICK_MS = 1000


def accounts_exist(db: Database) -> bool:
    """True once the file left the open single-workstation mode."""
    return not trust_common.open_mode(db)


def seconds_text(seconds: float) -> str:
    whole = max(1, int(seconds + 0.999))
    if whole < 120:
        return f"{whole} s"
    minutes, rest = divmod(whole, 60)
    return f"{minutes}:{rest:02d} min"


class Countdown:
    """Keeps a button disabled until a deadline and says how long is left."""

    def __init__(
        self,
        owner: QWidget,
        show: Callable[[str], None],
        enable: Callable[[bool], None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._show = show
        self._enable = enable
        self._clock = clock
        self._deadline = 0.0
        self._timer = QTimer(owner)
        self._timer.setInterval(COUNTDOWN_TICK_MS)
        self._timer.timeout.connect(self.tick)

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    def start(self, seconds: float) -> None:
        self._deadline = self._clock() + max(0.0, seconds)
        self._enable(False)
        self._timer.start()
        self.tick()

    def remaining(self) -> float:
        return max(0.0, self._deadline - self._clock())

    def tick(self) -> None:
        left = self.remaining()
        if left <= 0:
            self._timer.stop()
            self._enable(True)
            self._show(tr("Sie können es jetzt erneut versuchen."))
            return
        self._show(tr("Zu viele Fehlversuche. Nächster Versuch in {0}.").format(seconds_text(left)))

    def stop(self) -> None:
        self._timer.stop()


class LoginDialog(QDialog):
    """Anmeldename, Passwort, Stabsfunktion; `actor()` once accepted."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        parent: QWidget | None = None,
        *,
        login: str = "",
        intro: str | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("loginDialog")
        self._settings = settings
        self._db = db
        self._service = trust_common.account_service(db)
        self._actor: Actor | None = None
        title = self.tr("Anmelden")
        if db.is_exercise:
            title = self.tr("ÜBUNG – {0}").format(title)
        self.setWindowTitle(title)

        text = intro or self.tr(
            "Diese Datenbank hat Benutzerkonten. Bitte mit Anmeldename und Passwort "
            "anmelden und die Stabsfunktion wählen, in der Sie heute arbeiten."
        )
        intro_label = QLabel(text, self)
        intro_label.setWordWrap(True)
        file_label = QLabel(self.tr("Datei: {0}").format(db.path.name), self)
        file_label.setToolTip(str(db.path))
        file_label.setObjectName("loginFile")
        if db.read_only:
            file_label.setText(
                self.tr("Datei: {0} (schreibgeschützt – nur Lesen)").format(db.path.name)
            )

        self.login_edit = QLineEdit(self)
        self.login_edit.setObjectName("loginName")
        self.login_edit.setMaxLength(60)
        self.login_edit.setText(login)
        self.login_edit.setAccessibleName(self.tr("Anmeldename"))

        self.password_edit = QLineEdit(self)
        self.password_edit.setObjectName("loginPassword")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setMaxLength(1024)
        self.password_edit.setAccessibleName(self.tr("Passwort"))

        self.function_combo = QComboBox(self)
        self.function_combo.setEditable(True)
        self.function_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.function_combo.addItems(STAFF_FUNCTIONS)
        self.function_combo.lineEdit().setMaxLength(MAX_FUNCTION)
        self.function_combo.lineEdit().setPlaceholderText(self.tr("wie im Konto hinterlegt"))
        self.function_combo.setCurrentIndex(-1)
        self.function_combo.setEditText(settings.last_function)
        self.function_combo.setMinimumContentsLength(24)
        self.function_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.function_combo.setToolTip(
            self.tr("Leer: die erste Funktion, die im Konto hinterlegt ist.")
        )

        form = QFormLayout()
        form.addRow(self.tr("&Anmeldename:"), self.login_edit)
        form.addRow(self.tr("&Passwort:"), self.password_edit)
        form.addRow(self.tr("Stabs&funktion:"), self.function_combo)

        self.message_label = QLabel(self)
        self.message_label.setObjectName("loginMessage")
        self.message_label.setWordWrap(True)
        self.message_label.setTextFormat(Qt.TextFormat.PlainText)
        self.message_label.setStyleSheet("QLabel#loginMessage { color: #7A1010; }")
        self.message_label.hide()

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.tr("Anmelden"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro_label)
        layout.addWidget(file_label)
        layout.addLayout(form)
        layout.addWidget(self.message_label)
        layout.addWidget(self.buttons)

        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 34)
        self.countdown = Countdown(self, self._show_message, self._enable_ok, clock)
        self.login_edit.textChanged.connect(self._update_ok)
        self.password_edit.textChanged.connect(self._update_ok)
        self._update_ok()
        if login:
            self.password_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.login_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- state ---------------------------------------------------------------
    def login(self) -> str:
        return self.login_edit.text().strip()

    def function(self) -> str:
        return " ".join(self.function_combo.currentText().split())

    def actor(self) -> Actor:
        """The logged-in actor (valid once the dialog was accepted)."""
        if self._actor is None:
            raise ServiceError("Nicht angemeldet.")
        return self._actor

    def _update_ok(self) -> None:
        if self.countdown.active:
            return
        self.ok_button.setEnabled(bool(self.login()) and bool(self.password_edit.text()))

    def _enable_ok(self, enabled: bool) -> None:
        self.ok_button.setEnabled(
            enabled and bool(self.login()) and bool(self.password_edit.text())
        )

    def _show_message(self, text: str) -> None:
        self.message_label.setText(text)
        self.message_label.setVisible(bool(text))

    # -- logging in ----------------------------------------------------------
    def accept(self) -> None:
        if self.countdown.active or not self.login() or not self.password_edit.text():
            return
        # Imported here: „Wer sind Sie?“ in the open mode never needs argon2.
        from krisenstab.services.accounts import SOURCE_GUI, LoginFailed, LoginThrottled

        try:
            with trust_common.busy():
                actor = self._service.authenticate(
                    self.login(),
                    self.password_edit.text(),
                    workstation_id=self._settings.workstation_id,
                    function=self.function() or None,
                    source=SOURCE_GUI,
                )
        except LoginThrottled as exc:
            self.password_edit.clear()
            self.countdown.start(exc.retry_after_s)
            return
        except LoginFailed as exc:
            self.password_edit.clear()
            self.password_edit.setFocus(Qt.FocusReason.OtherFocusReason)
            wait = self._wait_seconds()
            if wait > 0:
                self.countdown.start(wait)
            else:
                self._show_message(str(exc))
            return
        except PermissionDenied as exc:
            # The password was right, the function is not one of the account's.
            self._show_message(str(exc))
            self.function_combo.setFocus(Qt.FocusReason.OtherFocusReason)
            self.function_combo.lineEdit().selectAll()
            return
        except (ServiceError, StoreError) as exc:
            self._show_message(str(exc))
            return
        self.password_edit.clear()
        self._actor = actor
        trust_common.remember_login(actor.account, self.login())
        self._settings.last_person = actor.person
        self._settings.last_function = actor.function
        self._settings.save()
        super().accept()

    def _wait_seconds(self) -> float:
        try:
            return self._service.throttle(self.login()).wait_seconds(utcnow())
        except (ServiceError, StoreError):
            return 0.0

    def done(self, result: int) -> None:
        self.countdown.stop()
        super().done(result)


def ask_login(
    settings: Settings,
    db: Database,
    parent: QWidget | None = None,
    *,
    login: str = "",
    intro: str | None = None,
) -> Actor | None:
    """The login dialog; None when cancelled."""
    dialog = LoginDialog(settings, db, parent, login=login, intro=intro)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.actor()
    finally:
        dialog.deleteLater()


def ask_start_actor(settings: Settings, db: Database, *, login: str = "") -> Actor | None:
    """At start-up: the login dialog when the file has accounts, else „Wer sind Sie?“."""
    if accounts_exist(db):
        return ask_login(settings, db, login=login)
    from krisenstab.gui.start_dialog import StartDialog

    dialog = StartDialog(settings, is_exercise=db.is_exercise)
    if dialog.exec() != StartDialog.DialogCode.Accepted:
        return None
    return dialog.actor()
