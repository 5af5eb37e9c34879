"""The screen lock: after some minutes without input, a cover asks for the password.

How it works
------------
An application-wide event filter restarts a single-shot timer on every key,
click and wheel turn (any window of the program counts). When the timer
fires, every visible window of the program gets an opaque cover: a child
widget over its whole area, so the content is hidden and every widget below
keeps its state. A half-written journal entry stays in the editor, because
nothing is closed or destroyed; the cover is only removed again.

While locked, the same filter swallows input and shortcuts meant for
anything but the unlock form, so a Ctrl+Return typed blind cannot save the
hidden entry. The form sits in the main window's cover; when a modal dialog
was open at that moment (it blocks the main window), the form opens as a
small dialog above it instead, and the earlier dialog continues untouched
after unlocking.

Unlocking checks the password of the account that locked
(`AccountService.unlock`), with the same throttling and countdown as the
login. Lock and unlock are recorded in the account log.

Decision for the open single-workstation mode: the lock is on there too, but
there is no password to ask for: the cover only hides the screen from
passers-by (press in the staff room) and a click or Enter removes it. It says
so plainly, so nobody mistakes it for protection. ``lock_after_min = 0`` in
the settings switches the timer off (Datei → „Bildschirm sperren“ still works).
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QKeyEvent, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from krisenstab.domain.timefmt import format_local, utcnow
from krisenstab.gui import trust_common
from krisenstab.gui.trust_common import tr
from krisenstab.gui.trust_login import Countdown
from krisenstab.services.accounts import LoginFailed, LoginThrottled
from krisenstab.services.context import ServiceError
from krisenstab.store.errors import StoreError

if TYPE_CHECKING:
    from krisenstab.gui.shared import Shared

COVER_COLOUR = "#263238"
PANEL_COLOUR = "#ECEFF1"

_ACTIVITY = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TabletPress,
    }
)
# Swallowed while locked unless meant for the unlock form.
_BLOCKED = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.KeyRelease,
        QEvent.Type.ShortcutOverride,
        QEvent.Type.Shortcut,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonRelease,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.Wheel,
        QEvent.Type.ContextMenu,
        QEvent.Type.TouchBegin,
        QEvent.Type.TabletPress,
        QEvent.Type.DragEnter,
        QEvent.Type.Drop,
    }
)


class LockPanel(QFrame):
    """The unlock form: who locked, password field, button, messages."""

    submitted = Signal(str)

    def __init__(self, parent: QWidget, *, open_mode: bool) -> None:
        super().__init__(parent)
        self.setObjectName("lockPanel")
        self.open_mode = open_mode
        self.setStyleSheet(
            f"QFrame#lockPanel {{ background-color: {PANEL_COLOUR}; border-radius: 6px; }}"
            " QLabel#lockMessage { color: #7A1010; }"
            " QLabel#lockBlitz { background-color: #B71C1C; color: #FFFFFF; font-weight: bold;"
            " padding: 4px; }"
        )
        self.setAutoFillBackground(True)
        base = QFont(self.font())
        title_font = QFont(base)
        title_font.setBold(True)
        title_font.setPointSizeF(max(base.pointSizeF(), 9.0) * 1.6)

        self.title_label = QLabel(self)
        self.title_label.setFont(title_font)
        self.title_label.setObjectName("lockTitle")
        self.info_label = QLabel(self)
        self.info_label.setObjectName("lockInfo")
        self.info_label.setWordWrap(True)
        self.info_label.setTextFormat(Qt.TextFormat.PlainText)

        self.password_edit = QLineEdit(self)
        self.password_edit.setObjectName("lockPassword")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setMaxLength(1024)
        self.password_edit.setPlaceholderText(tr("Passwort"))
        self.password_edit.setAccessibleName(tr("Passwort zum Entsperren"))
        self.password_edit.returnPressed.connect(self._submit)

        self.unlock_button = QPushButton(self)
        self.unlock_button.setObjectName("lockButton")
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self._submit)

        self.blitz_label = QLabel(
            tr("BLITZ-Nachricht für Ihre Funktion wartet – bitte entsperren."), self
        )
        self.blitz_label.setObjectName("lockBlitz")
        self.blitz_label.setWordWrap(True)
        self.blitz_label.hide()

        self.message_label = QLabel(self)
        self.message_label.setObjectName("lockMessage")
        self.message_label.setWordWrap(True)
        self.message_label.setTextFormat(Qt.TextFormat.PlainText)
        self.message_label.hide()

        row = QHBoxLayout()
        row.addWidget(self.password_edit, 1)
        row.addWidget(self.unlock_button)

        layout = QVBoxLayout(self)
        margin = self.fontMetrics().height()
        layout.setContentsMargins(margin * 2, margin * 2, margin * 2, margin * 2)
        layout.setSpacing(margin // 2 + 2)
        layout.addWidget(self.title_label)
        layout.addWidget(self.blitz_label)
        layout.addWidget(self.info_label)
        layout.addLayout(row)
        layout.addWidget(self.message_label)
        # A fixed width lets the wrapped texts take the height they need.
        self.setFixedWidth(self.fontMetrics().horizontalAdvance("M") * 40)

        if open_mode:
            self.title_label.setText(tr("Bildschirm verdeckt"))
            self.password_edit.hide()
            self.unlock_button.setText(tr("&Weiter"))
        else:
            self.title_label.setText(tr("Bildschirm gesperrt"))
            self.unlock_button.setText(tr("&Entsperren"))
        self.countdown = Countdown(self, self.show_message, self._enable)

    def set_info(self, text: str) -> None:
        self.info_label.setText(text)

    def set_blitz_waiting(self, waiting: bool) -> None:
        """Only that one waits, never its content: the screen is locked."""
        self.blitz_label.setVisible(waiting)

    def show_message(self, text: str) -> None:
        self.message_label.setText(text)
        self.message_label.setVisible(bool(text))

    def _enable(self, enabled: bool) -> None:
        self.unlock_button.setEnabled(enabled)
        self.password_edit.setEnabled(enabled)
        if enabled:
            self.focus_input()

    def focus_input(self) -> None:
        target = self.unlock_button if self.open_mode else self.password_edit
        target.setFocus(Qt.FocusReason.OtherFocusReason)

    def _submit(self) -> None:
        if self.countdown.active:
            return
        password = self.password_edit.text()
        self.password_edit.clear()
        self.submitted.emit(password)

    def focusNextPrevChild(self, next: bool) -> bool:
        # Tab must never reach the covered widgets below.
        order: list[QWidget] = [self.unlock_button]
        if not self.open_mode:
            order.insert(0, self.password_edit)
        current = QApplication.focusWidget()
        index = order.index(current) if current in order else -1
        step = 1 if next else -1
        order[(index + step) % len(order)].setFocus(Qt.FocusReason.TabFocusReason)
        return True


class LockCover(QWidget):
    """An opaque sheet over one window; with the unlock form in the main window."""

    clicked = Signal()

    def __init__(self, host: QWidget, panel_open_mode: bool | None) -> None:
        super().__init__(host)
        self.setObjectName("lockCover")
        self.host = host
        self.panel: LockPanel | None = None
        self.setAutoFillBackground(False)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        if panel_open_mode is not None:
            self.panel = LockPanel(self, open_mode=panel_open_mode)
            row = QHBoxLayout()
            row.addStretch(1)
            row.addWidget(self.panel)
            row.addStretch(1)
            layout.addLayout(row)
        else:
            note = QLabel(tr("Gesperrt – bitte im Fenster „Bildschirm gesperrt“ entsperren."), self)
            note.setObjectName("lockCoverNote")
            note.setAlignment(Qt.AlignmentFlag.AlignCenter)
            note.setWordWrap(True)
            font = QFont(note.font())
            font.setPointSizeF(max(font.pointSizeF(), 9.0) * 1.2)
            note.setFont(font)
            note.setStyleSheet("QLabel#lockCoverNote { color: #ECEFF1; }")
            layout.addWidget(note)
        layout.addStretch(2)
        host.installEventFilter(self)
        self.setGeometry(host.rect())
        self.show()
        self.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.host and event.type() in (QEvent.Type.Resize, QEvent.Type.Show):
            self.setGeometry(self.host.rect())
            self.raise_()
        elif watched is self.host and event.type() == QEvent.Type.ChildAdded:
            # Something raised later (a Blitz banner) must stay below the cover.
            QTimer.singleShot(0, self, self.raise_)
        return False

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(COVER_COLOUR))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.clicked.emit()
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        event.accept()

    def remove(self) -> None:
        self.host.removeEventFilter(self)
        self.hide()
        self.deleteLater()


class LockPrompt(QDialog):
    """The unlock form as a dialog, for when a modal dialog blocks the main window."""

    def __init__(self, parent: QWidget, *, open_mode: bool) -> None:
        super().__init__(parent)
        self.setObjectName("lockPrompt")
        self.setWindowTitle(tr("Bildschirm gesperrt"))
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.panel = LockPanel(self, open_mode=open_mode)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetFixedSize)
        layout.addWidget(self.panel)

    def reject(self) -> None:
        # Esc or the close button must not unlock anything.
        return


class LockController(QObject):
    """Inactivity timer, the covers, and the unlock check for one main window."""

    locked_changed = Signal(bool)

    def __init__(self, window: Any, shared: Shared, *, open_mode: bool) -> None:
        super().__init__(window)
        self.window = window
        self.shared = shared
        self.open_mode = open_mode
        self.locked = False
        self.locked_at = None
        self._covers: list[LockCover] = []
        self._prompt: LockPrompt | None = None
        self._panel: LockPanel | None = None
        self._return_focus: QWidget | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timeout)
        self.set_timeout_minutes(shared.settings.lock_after_min)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    # -- the timer -----------------------------------------------------------
    def set_timeout_minutes(self, minutes: float) -> None:
        self.set_timeout_ms(int(minutes * 60_000) if minutes and minutes > 0 else 0)

    def set_timeout_ms(self, ms: int) -> None:
        """0 switches the inactivity lock off."""
        self.timeout_ms = max(0, int(ms))
        if self.timeout_ms and not self.locked:
            self._timer.start(self.timeout_ms)
        else:
            self._timer.stop()

    @property
    def armed(self) -> bool:
        return self._timer.isActive()

    def _on_timeout(self) -> None:
        if not self.window.isVisible():
            # A hidden window (closing down) has nothing to cover.
            return
        self.lock()

    def set_open_mode(self, open_mode: bool) -> None:
        """The first account was created: from now on unlocking needs a password."""
        self.open_mode = open_mode

    # -- the event filter ------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if self.locked:
            if kind in _BLOCKED and not self._belongs_to_lock(watched):
                if kind == QEvent.Type.KeyPress and self._panel is not None:
                    self._panel.focus_input()
                return True
            return False
        if kind in _ACTIVITY and self.timeout_ms:
            self._timer.start(self.timeout_ms)
        return False

    def _belongs_to_lock(self, watched: QObject) -> bool:
        if not isinstance(watched, QWidget):
            return False
        owners: list[QWidget] = []
        if self._panel is not None:
            owners.append(self._panel)
        if self._prompt is not None:
            owners.append(self._prompt)
        if self.open_mode and self._covers:
            owners.append(self._covers[0])
        widget: QWidget | None = watched
        while widget is not None:
            if any(widget is owner for owner in owners):
                return True
            widget = widget.parentWidget()
        return False

    # -- locking ---------------------------------------------------------------
    def lock(self) -> None:
        """Cover every window of the program; nothing below is closed or changed."""
        if self.locked:
            return
        self.locked = True
        self.locked_at = utcnow()
        self._timer.stop()
        self._return_focus = QApplication.focusWidget()
        # The log is best effort; the screen locks regardless.
        with contextlib.suppress(ServiceError, StoreError):
            trust_common.account_service(self.shared.db).lock(self.shared.actor)
        # An open menu would stay on top of the cover.
        popup = QApplication.activePopupWidget()
        while popup is not None:
            popup.close()
            next_popup = QApplication.activePopupWidget()
            popup = None if next_popup is popup else next_popup
        modal = QApplication.activeModalWidget()
        main = LockCover(self.window, None if modal is not None else self.open_mode)
        main.clicked.connect(self._cover_clicked)
        self._covers = [main]
        for widget in QApplication.topLevelWidgets():
            if widget is self.window or not widget.isVisible():
                continue
            if isinstance(widget, QDialog):
                self._covers.append(LockCover(widget, None))
        if modal is not None:
            self._prompt = LockPrompt(modal, open_mode=self.open_mode)
            self._panel = self._prompt.panel
            self._prompt.show()
        else:
            self._panel = main.panel
        assert self._panel is not None
        self._panel.submitted.connect(self.try_unlock)
        self._panel.set_info(self._info_text())
        self._watch_blitz(True)
        self._panel.focus_input()
        self.locked_changed.emit(True)

    def _watch_blitz(self, on: bool) -> None:
        # The Blitz banner (issue 4) lies under the cover; the form says that one waits.
        overlay = getattr(self.window, "blitz_overlay", None)
        signal = getattr(overlay, "blitz_changed", None)
        if overlay is None or signal is None:
            return
        if on:
            signal.connect(self._on_blitz_changed)
            self._on_blitz_changed(list(getattr(overlay, "pending", []) or []))
        else:
            with contextlib.suppress(RuntimeError, TypeError):
                signal.disconnect(self._on_blitz_changed)

    def _on_blitz_changed(self, rows: list[Any]) -> None:
        if self._panel is not None and shiboken6.isValid(self._panel):
            self._panel.set_blitz_waiting(bool(rows))

    def _info_text(self) -> str:
        actor = self.shared.actor
        since = format_local(self.locked_at) if self.locked_at else ""
        if self.open_mode:
            return tr(
                "{0} ({1}), verdeckt seit {2}. Ohne Benutzerkonten schützt das nicht vor "
                "Zugriff; es verbirgt nur den Bildschirm. Angefangene Eingaben bleiben "
                "erhalten. Eingabetaste oder Klick zum Fortsetzen."
            ).format(actor.person, actor.function, since)
        return tr(
            "Angemeldet: {0} ({1}), gesperrt seit {2}. Angefangene Eingaben bleiben "
            "erhalten. Zum Entsperren das Passwort eingeben."
        ).format(actor.person, actor.function, since)

    def _cover_clicked(self) -> None:
        if self.open_mode and self.locked:
            self.try_unlock("")

    def try_unlock(self, password: str) -> bool:
        """Check the password (none in the open mode); True when unlocked."""
        if not self.locked or self._panel is None:
            return not self.locked
        actor = self.shared.actor
        if actor.account is None:
            self._release()
            return True
        service = trust_common.account_service(self.shared.db)
        panel = self._panel
        try:
            with trust_common.busy():
                fresh = service.unlock(actor, password)
        except LoginThrottled as exc:
            panel.countdown.start(exc.retry_after_s)
            return False
        except LoginFailed as exc:
            wait = 0.0
            login = trust_common.login_of(actor.account)
            if login:
                try:
                    wait = service.throttle(login).wait_seconds(utcnow())
                except (ServiceError, StoreError):
                    wait = 0.0
            if wait > 0:
                panel.countdown.start(wait)
            else:
                # Unknown name: the next attempt answers LoginThrottled instead.
                panel.show_message(str(exc))
            panel.focus_input()
            return False
        except (ServiceError, StoreError) as exc:
            panel.show_message(str(exc))
            panel.focus_input()
            return False
        self._release()
        if fresh != actor:
            # Roles may have changed while the screen was locked.
            self.shared.set_actor(fresh)
        return True

    def _release(self) -> None:
        self.locked = False
        self.locked_at = None
        self._watch_blitz(False)
        if self._panel is not None:
            self._panel.countdown.stop()
        for cover in self._covers:
            if shiboken6.isValid(cover):
                cover.remove()
        self._covers = []
        if self._prompt is not None and shiboken6.isValid(self._prompt):
            self._prompt.hide()
            self._prompt.deleteLater()
        self._prompt = None
        self._panel = None
        focus = self._return_focus
        self._return_focus = None
        if focus is not None and shiboken6.isValid(focus) and focus.isVisible():
            focus.setFocus(Qt.FocusReason.OtherFocusReason)
        if self.timeout_ms:
            self._timer.start(self.timeout_ms)
        self.locked_changed.emit(False)

    def stop(self) -> None:
        """Closing down: no more locking, the filter goes."""
        self._timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
