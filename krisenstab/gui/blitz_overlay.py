"""The Blitz banner: a Blitz message for my function in front of my work until I acknowledge.

DOMAIN §3: Blitz interrupts everything. The banner is a red band docked over
the main window's content, above every tab, so it is in front of the staff
member whatever they are doing; it is not modal (typing goes on, focus is
never taken: a space or Enter meant for the journal must not acknowledge
by accident) and it stays until the message is acknowledged for the
current function (button or Strg+Umschalt+B).

It polls the message service every 2 s (another workstation may have
recorded the Blitz into the same file) and also looks at once when the
journal, the incident or the person/function changes. It also keeps the
Nachrichten tab title showing how many messages wait for my function.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from krisenstab.domain.message import InboxRow
from krisenstab.domain.timefmt import format_dtg, to_local
from krisenstab.gui.shared import Shared
from krisenstab.gui.staff_widgets import set_tab_badge
from krisenstab.services.context import ServiceError
from krisenstab.services.messages import MessageService
from krisenstab.store.errors import StoreError

POLL_INTERVAL_MS = 2000
MESSAGES_TAB = "messages"
BLITZ_BACKGROUND = "#B71C1C"
BLITZ_FOREGROUND = "#FFFFFF"
ACK_SHORTCUT = "Ctrl+Shift+B"


class BlitzOverlay(QFrame):
    """The red band over the main window's content; hidden while no Blitz waits."""

    # The Blitz messages now waiting for my function (list[InboxRow]).
    blitz_changed = Signal(list)

    def __init__(self, window: Any, shared: Shared) -> None:
        central = window.centralWidget()
        super().__init__(central)
        self.setObjectName("blitzOverlay")
        self.window_ = window
        self.shared = shared
        self.pending: list[InboxRow] = []
        self._stamp: tuple[object, ...] | None = None
        self._problem = False
        self.setAutoFillBackground(True)
        self.setStyleSheet(
            f"QFrame#blitzOverlay {{ background-color: {BLITZ_BACKGROUND}; }}"
            f" QFrame#blitzOverlay QLabel {{ color: {BLITZ_FOREGROUND}; }}"
            " QPushButton#blitzAcknowledge { background-color: #FFFFFF; color: #B71C1C;"
            " font-weight: bold; padding: 6px 14px; border: 2px solid #FFFFFF; border-radius: 3px; }"
            " QPushButton#blitzOpen { background-color: transparent; color: #FFFFFF;"
            " border: 1px solid #FFFFFF; padding: 4px 10px; border-radius: 3px; }"
        )
        self.setAccessibleName(self.tr("Blitz-Nachricht"))

        base = QFont(self.font())
        size = max(base.pointSizeF(), 9.0)
        self.title_label = QLabel(self)
        self.title_label.setObjectName("blitzTitle")
        title_font = QFont(base)
        title_font.setBold(True)
        title_font.setPointSizeF(size * 1.5)
        title_font.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 105)
        self.title_label.setFont(title_font)
        self.meta_label = QLabel(self)
        self.meta_label.setObjectName("blitzMeta")
        self.meta_label.setWordWrap(True)
        self.text_label = QLabel(self)
        self.text_label.setObjectName("blitzText")
        self.text_label.setWordWrap(True)
        self.text_label.setTextFormat(Qt.TextFormat.PlainText)
        text_font = QFont(base)
        text_font.setBold(True)
        text_font.setPointSizeF(size * 1.2)
        self.text_label.setFont(text_font)
        self.more_label = QLabel(self)
        self.more_label.setObjectName("blitzMore")

        self.ack_button = QPushButton(self)
        self.ack_button.setObjectName("blitzAcknowledge")
        # Clicked with the mouse or by the shortcut only: never takes the focus.
        self.ack_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.ack_button.clicked.connect(self.acknowledge)
        self.open_button = QPushButton(self.tr("In Nachrichten anzeigen"), self)
        self.open_button.setObjectName("blitzOpen")
        self.open_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.open_button.clicked.connect(self.open_in_tab)

        text = QVBoxLayout()
        text.setSpacing(2)
        text.addWidget(self.title_label)
        text.addWidget(self.meta_label)
        text.addWidget(self.text_label)
        text.addWidget(self.more_label)
        buttons = QVBoxLayout()
        buttons.addWidget(self.ack_button)
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        layout = QHBoxLayout(self)
        pad = max(4, self.fontMetrics().height() // 2)
        layout.setContentsMargins(pad * 2, pad, pad * 2, pad)
        layout.addLayout(text, 1)
        layout.addLayout(buttons)

        self.ack_action = QAction(self.tr("Blitz-Nachricht quittieren"), window)
        self.ack_action.setShortcut(QKeySequence(ACK_SHORTCUT))
        self.ack_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.ack_action.setEnabled(False)
        self.ack_action.triggered.connect(self.acknowledge)
        window.addAction(self.ack_action)

        self._dock(central)
        self.hide()

        self.timer = QTimer(self)
        self.timer.setInterval(POLL_INTERVAL_MS)
        self.timer.timeout.connect(self.poll)
        signals = shared.signals
        signals.journal_changed.connect(lambda _id: self.check())
        signals.incident_changed.connect(lambda _id: self.check())
        signals.actor_changed.connect(self.check)
        window.installEventFilter(self)
        self.check()
        self.timer.start()

    def _dock(self, central: QWidget) -> None:
        """Directly above the tabs, below the exercise banner and the incident bar."""
        layout = central.layout()
        tabs = getattr(self.window_, "tabs", None)
        index = layout.indexOf(tabs) if tabs is not None else -1
        if index < 0:
            index = layout.count()
        layout.insertWidget(index, self)

    def stop(self) -> None:
        self.timer.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window_ and event.type() == QEvent.Type.Close and event.isAccepted():
            # Polling a file whose window is gone helps nobody.
            QTimer.singleShot(0, self._stop_if_hidden)
        return super().eventFilter(watched, event)

    def _stop_if_hidden(self) -> None:
        if not self.window_.isVisible():
            self.timer.stop()

    # -- looking ----------------------------------------------------------------------------
    def poll(self) -> None:
        """The 2-second look: cheap state stamp first, the Blitz query only on change."""
        incident_id = self.shared.incident_id
        if not incident_id:
            self._set_pending([])
            return
        try:
            stamp = (
                incident_id,
                self.shared.actor.function,
                *MessageService(self.shared.db).state_stamp(incident_id),
            )
        except StoreError as exc:
            self._report(exc)
            return
        if stamp != self._stamp:
            self.check()

    def check(self) -> list[InboxRow]:
        """Look now (whatever the stamp says); returns what waits for my function."""
        incident_id = self.shared.incident_id
        if not incident_id:
            self._stamp = None
            self._set_pending([])
            return []
        function = self.shared.actor.function
        service = MessageService(self.shared.db)
        try:
            stamp = (incident_id, function, *service.state_stamp(incident_id))
            rows = service.unacknowledged_blitz(incident_id, function)
            inbox = service.inbox(incident_id, function, limit=0)
        except (StoreError, ServiceError) as exc:
            self._report(exc)
            return self.pending
        self._problem = False
        self._stamp = stamp
        self._set_pending(rows)
        waiting = inbox.unacknowledged
        set_tab_badge(
            self.window_,
            MESSAGES_TAB,
            self.tr("{0} offen").format(waiting) if waiting else None,
            alarm=bool(rows),
        )
        return rows

    def _report(self, exc: Exception) -> None:
        if not self._problem:
            self._problem = True
            self.shared.signals.problem.emit(str(exc))

    def _set_pending(self, rows: list[InboxRow]) -> None:
        before = {r.message_id for r in self.pending}
        self.pending = list(rows)
        if not rows:
            self.hide()
            self.ack_action.setEnabled(False)
            if before:
                self.blitz_changed.emit([])
            return
        self._show_row(rows[0], len(rows))
        self.ack_action.setEnabled(self.shared.read_only_reason is None)
        self.ack_button.setEnabled(self.shared.read_only_reason is None)
        new = {r.message_id for r in rows} - before
        self.show()
        self.raise_()
        if new:
            QApplication.alert(self.window_, 0)
        if new or len(rows) != len(before):
            self.blitz_changed.emit(list(rows))

    def _show_row(self, row: InboxRow, count: int) -> None:
        function = self.shared.actor.function
        self.title_label.setText(self.tr("⚡ BLITZ {0} an {1}").format(row.number, function))
        local = to_local(row.intake_at)
        addressed = ", ".join(row.to) if row.to else row.addressee
        self.meta_label.setText(
            self.tr("{0} ({1}) · über {2} · von {3} · an {4}").format(
                local.strftime("%H:%M"),
                format_dtg(row.intake_at),
                row.intake_channel,
                row.sender,
                addressed,
            )
        )
        self.text_label.setText(row.excerpt)
        self.more_label.setVisible(count > 1)
        self.more_label.setText(
            self.tr("+ {0} weitere Blitz-Nachricht(en) für {1}").format(count - 1, function)
        )
        self.ack_button.setText(self.tr("Quittieren als {0}\n(Strg+Umschalt+B)").format(function))
        self.ack_button.setToolTip(
            self.tr("{0} für {1} quittieren: Kenntnis genommen").format(row.number, function)
        )

    # -- acting ------------------------------------------------------------------------------
    def acknowledge(self) -> bool:
        """Acknowledge the shown Blitz for my function."""
        if not self.pending:
            return False
        row = self.pending[0]
        try:
            MessageService(self.shared.db, self.shared.actor).acknowledge(row.message_id)
        except (StoreError, ServiceError) as exc:
            self.meta_label.setText(self.tr("Nicht quittiert: {0}").format(exc))
            return False
        self.shared.signals.status_message.emit(
            self.tr("Blitz {0} quittiert durch {1}.").format(row.number, self.shared.actor.function)
        )
        # The receipt is a journal entry: the ETB, the lists and this banner look again.
        self.shared.signals.journal_changed.emit(self.shared.incident_id)
        self.check()
        return True

    def open_in_tab(self) -> None:
        if not self.pending:
            return
        show = getattr(self.window_, "show_tab", None)
        tab = show(MESSAGES_TAB) if callable(show) else None
        opener = getattr(tab, "open_message", None)
        if callable(opener):
            opener(self.pending[0].message_id)
