"""The message form, laid out like the paper Nachrichtenvordruck ("Vierfachvordruck").

The thirteen fields stand where the paper has them (and where the printed
form of `krisenstab.reports.message_form` puts them):

    ┌ (1) Aufnahmevermerk ┬ (2) Annahmevermerk ┬ (3) Beförderungsvermerk ┬ (4) Nachweisungs-Nr. ┐
    ├ (5) Spruchkopf ──────────────────────────────────────────┬ (6) Vorrangstufe ──────────────┤
    ├ (7) Anschrift ───────────────────────────────────────────┬ (8) Gesprächsnotiz ────────────┤
    ├ (9) Inhalt ─────────────────────────────────────────────────────────────────────────────┤
    ├ (10) Abfassungszeit ─┬ (11) Absender ──────────────────────┬ (12) Zeichen / Funktion ─────┤
    └ (13) Quittung ───────────────────────────────────────────┴ Sichtung ────────────────────┘

The same widget records a new message (fields editable, Tab walks them in
the paper's order) and shows a recorded one (read-only, with the receipts
and what was made from it). It never calls a service: it emits
`save_requested` with a `MessageDraft`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QSize, QStringListModel, Qt, Signal
from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QCompleter,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from krisenstab.domain.message import CHANNELS, Direction, MessagePriority, MessageView
from krisenstab.domain.message import split_functions as split_names
from krisenstab.domain.timefmt import format_dtg, format_local
from krisenstab.gui.timeinput import parse_user_time

SAVE_SHORTCUTS = (QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter"))
# Paper order of the Vorrangstufe boxes.
PRIORITIES = (MessagePriority.BLITZ, MessagePriority.SOFORT, MessagePriority.EINFACH)
BLITZ_STYLE = "color: #B71C1C; font-weight: bold;"


class DraftError(ValueError):
    """Bad input; ``field`` names the widget to fix."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class MessageDraft:
    """A new message as typed into the form."""

    direction: str  # "E" or "A"
    channel: str  # (1) the way it came in / goes out
    at: datetime | None  # E: (1) time taken in; A: (2) time accepted; None = now
    transmitted_via: str | None  # (3)
    transmitted_at: datetime | None  # (3)
    header: str | None  # (5)
    priority: str  # (6)
    addressee: str | None  # (7) as written
    recipients: tuple[str, ...]  # (7) the functions (E) or addressees (A) it goes to
    conversation_note: bool  # (8)
    content: str  # (9)
    composed_at: datetime | None  # (10)
    sender: str  # (11)
    sender_sign: str | None  # (12)
    sender_function: str | None  # (12)
    reply_to_id: str | None = None


class FunctionListEdit(QLineEdit):
    """Comma-separated staff functions, completed one at a time ("S3, S4")."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._names = QStringListModel(self)
        self._completer = QCompleter(self._names, self)
        self._completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._completer.setFilterMode(Qt.MatchFlag.MatchStartsWith)
        self._completer.setWidget(self)
        self._completer.activated.connect(self._insert)
        self.textEdited.connect(self._complete)

    def set_names(self, names: list[str]) -> None:
        self._names.setStringList(names)

    def names(self) -> tuple[str, ...]:
        return split_names(self.text())

    def _complete(self, text: str) -> None:
        segment = text[: self.cursorPosition()].split(",")[-1].strip()
        if not segment:
            self._completer.popup().hide()
            return
        self._completer.setCompletionPrefix(segment)
        if self._completer.completionCount():
            self._completer.complete()
        else:
            self._completer.popup().hide()

    def _insert(self, name: str) -> None:
        text = self.text()
        cursor = self.cursorPosition()
        head, tail = text[:cursor], text[cursor:]
        before = head.rsplit(",", 1)[0] + ", " if "," in head else ""
        self.setText(f"{before}{name}, {tail.lstrip(', ')}".rstrip())
        self.setCursorPosition(len(before) + len(name) + 2)


class _Box(QFrame):
    """One numbered field of the paper form: a caption and its content."""

    def __init__(self, caption: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("formBox")
        self.caption = QLabel(caption, self)
        self.caption.setObjectName("boxCaption")
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(4, 2, 4, 4)
        self.body.setSpacing(2)
        self.body.addWidget(self.caption)

    def add(self, widget: QWidget) -> QWidget:
        self.body.addWidget(widget)
        return widget

    def add_row(self, *widgets: QWidget, stretch_last: bool = False) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(4)
        for i, widget in enumerate(widgets):
            row.addWidget(widget, 1 if (stretch_last and i == len(widgets) - 1) else 0)
        self.body.addLayout(row)
        return row


class _ContentEdit(QPlainTextEdit):
    """(9) Inhalt: Tab leaves the field, as on every other field of the form."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def minimumSizeHint(self) -> QSize:
        lines = self.fontMetrics().lineSpacing() * 3
        return QSize(
            super().minimumSizeHint().width(), int(lines + 2 * self.document().documentMargin() + 4)
        )


class MessageForm(QFrame):
    """The Vierfachvordruck on screen: record a new message or show one."""

    save_requested = Signal(object)
    discard_requested = Signal()
    acknowledge_requested = Signal()
    reply_requested = Signal()
    task_requested = Signal()
    transmitted_requested = Signal()
    input_problem = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageForm")
        self.message: MessageView | None = None
        self.composing = False
        self._reply_to: MessageView | None = None
        self._person = ""
        self._function = ""
        self._loaded: tuple[object, ...] = ()
        self._read_only_reason: str | None = None
        self.setStyleSheet(
            "QFrame#formBox { border: 1px solid #8A8A8A; }"
            " QLabel#boxCaption { color: #505050; }"
            " QFrame#numberBox { border: 1px solid #8A8A8A; background-color: #F3F3F3; }"
        )
        small = QFont(self.font())
        small.setPointSizeF(max(small.pointSizeF(), 8.0) * 0.85)
        self._caption_font = small
        self._build()
        self._apply_caption_fonts()
        self.show_empty()

    # -- construction ------------------------------------------------------------------
    def _build(self) -> None:
        # Widgets are created in the paper's reading order: that is the Tab order.
        # (1) Aufnahmevermerk
        self.box1 = _Box(self.tr("(1) Aufnahmevermerk"), self)
        self.channel_combo = QComboBox(self.box1)
        self.channel_combo.setEditable(True)
        self.channel_combo.addItems(list(CHANNELS))
        self.channel_combo.setAccessibleName(self.tr("Aufnahmevermerk: Übermittlungsweg"))
        self.intake_edit = QLineEdit(self.box1)
        self.intake_edit.setObjectName("intakeTime")
        self.intake_edit.setPlaceholderText(self.tr("jetzt"))
        self.intake_edit.setAccessibleName(self.tr("Aufnahmevermerk: Zeit"))
        self.intake_by = QLabel(self.box1)
        self.box1.add(self.channel_combo)
        self.box1.add(self.intake_edit)
        self.box1.add(self.intake_by)

        # (2) Annahmevermerk
        self.box2 = _Box(self.tr("(2) Annahmevermerk"), self)
        self.accepted_edit = QLineEdit(self.box2)
        self.accepted_edit.setObjectName("acceptedTime")
        self.accepted_edit.setPlaceholderText(self.tr("jetzt"))
        self.accepted_edit.setAccessibleName(self.tr("Annahmevermerk: Zeit"))
        self.accepted_by = QLabel(self.box2)
        self.box2.add(self.accepted_edit)
        self.box2.add(self.accepted_by)
        self.box2.body.addStretch(1)

        # (3) Beförderungsvermerk
        self.box3 = _Box(self.tr("(3) Beförderungsvermerk"), self)
        self.via_combo = QComboBox(self.box3)
        self.via_combo.setEditable(True)
        self.via_combo.addItem("")
        self.via_combo.addItems(list(CHANNELS))
        self.via_combo.setAccessibleName(self.tr("Beförderungsvermerk: Weg"))
        self.transmitted_edit = QLineEdit(self.box3)
        self.transmitted_edit.setPlaceholderText(self.tr("noch nicht befördert"))
        self.transmitted_edit.setAccessibleName(self.tr("Beförderungsvermerk: Zeit"))
        self.transmitted_by = QLabel(self.box3)
        self.transmit_button = QPushButton(self.tr("Befördert"), self.box3)
        self.transmit_button.setAutoDefault(False)
        self.transmit_button.setToolTip(self.tr("Beförderung jetzt vermerken"))
        self.transmit_button.clicked.connect(self.transmitted_requested.emit)
        self.box3.add(self.via_combo)
        self.box3.add(self.transmitted_edit)
        self.box3.add_row(self.transmitted_by, self.transmit_button, stretch_last=False)

        # (4) Nachweisungs-Nr.
        self.box4 = _Box(self.tr("(4) Nachweisungs-Nr."), self)
        self.box4.setObjectName("numberBox")
        self.incoming_radio = QRadioButton(self.tr("E – E&ingang"), self.box4)
        self.outgoing_radio = QRadioButton(self.tr("A – Aus&gang"), self.box4)
        self.direction_group = QButtonGroup(self)
        self.direction_group.addButton(self.incoming_radio)
        self.direction_group.addButton(self.outgoing_radio)
        self.incoming_radio.setChecked(True)
        self.number_label = QLabel(self.box4)
        self.number_label.setObjectName("messageNumber")
        big = QFont(self.font())
        big.setBold(True)
        big.setPointSizeF(max(big.pointSizeF(), 9.0) * 1.6)
        self.number_label.setFont(big)
        self.box4.add(self.incoming_radio)
        self.box4.add(self.outgoing_radio)
        self.box4.add(self.number_label)

        # (5) Spruchkopf, (6) Vorrangstufe
        self.box5 = _Box(self.tr("(5) Spruchkopf"), self)
        self.header_edit = QLineEdit(self.box5)
        self.header_edit.setAccessibleName(self.tr("Spruchkopf"))
        self.box5.add(self.header_edit)
        self.box6 = _Box(self.tr("(6) Vorrangstufe"), self)
        self.priority_group = QButtonGroup(self)
        self.priority_radios: dict[str, QRadioButton] = {}
        radios = []
        for priority, text in zip(
            PRIORITIES, (self.tr("B&litz"), self.tr("S&ofort"), self.tr("ein&fach")), strict=True
        ):
            radio = QRadioButton(text, self.box6)
            radio.setAccessibleName(self.tr("Vorrangstufe {0}").format(priority.label))
            if priority == MessagePriority.BLITZ:
                radio.setStyleSheet(f"QRadioButton {{ {BLITZ_STYLE} }}")
            self.priority_group.addButton(radio)
            self.priority_radios[priority.value] = radio
            radios.append(radio)
        self.priority_radios[MessagePriority.EINFACH.value].setChecked(True)
        row = self.box6.add_row(*radios)
        row.addStretch(1)

        # (7) Anschrift, (8) Gesprächsnotiz
        self.box7 = _Box(self.tr("(7) Anschrift"), self)
        self.addressee_edit = QLineEdit(self.box7)
        self.addressee_edit.setAccessibleName(self.tr("Anschrift"))
        self.addressee_edit.setPlaceholderText(self.tr("wie auf der Nachricht angegeben"))
        self.recipients_label = QLabel(self.tr("Verteilen an:"), self.box7)
        self.recipients_edit = FunctionListEdit(self.box7)
        self.recipients_edit.setObjectName("messageRecipients")
        self.recipients_edit.setAccessibleName(self.tr("Verteilen an (Funktionen)"))
        self.box7.add(self.addressee_edit)
        self.box7.add_row(self.recipients_label, self.recipients_edit, stretch_last=True)
        self.box8 = _Box(self.tr("(8) Gesprächsnotiz"), self)
        self.note_check = QCheckBox(self.tr("Gesprächsnoti&z"), self.box8)
        self.note_check.setToolTip(
            self.tr(
                "Die Nachricht wurde mündlich (Telefon, persönlich) übermittelt und mitgeschrieben"
            )
        )
        self.box8.add(self.note_check)
        self.box8.body.addStretch(1)

        # (9) Inhalt
        self.box9 = _Box(self.tr("(9) Inhalt"), self)
        self.content_edit = _ContentEdit(self.box9)
        self.content_edit.setObjectName("messageContent")
        self.content_edit.setAccessibleName(self.tr("Inhalt der Nachricht"))
        self.reference_label = QLabel(self.box9)
        self.reference_label.setObjectName("messageReference")
        self.reference_label.setWordWrap(True)
        self.box9.add(self.content_edit)
        self.box9.add(self.reference_label)

        # (10) Abfassungszeit, (11) Absender, (12) Zeichen / Funktion
        self.box10 = _Box(self.tr("(10) Abfassungszeit"), self)
        self.composed_edit = QLineEdit(self.box10)
        self.composed_edit.setAccessibleName(self.tr("Abfassungszeit"))
        self.composed_edit.setPlaceholderText(self.tr("hh:mm oder DTG"))
        self.box10.add(self.composed_edit)
        self.box11 = _Box(self.tr("(11) Absender"), self)
        self.sender_edit = QLineEdit(self.box11)
        self.sender_edit.setObjectName("messageSender")
        self.sender_edit.setAccessibleName(self.tr("Absender"))
        self.box11.add(self.sender_edit)
        self.box12 = _Box(self.tr("(12) Zeichen / Funktion"), self)
        self.sign_edit = QLineEdit(self.box12)
        self.sign_edit.setPlaceholderText(self.tr("Zeichen"))
        self.sign_edit.setAccessibleName(self.tr("Zeichen des Absenders"))
        self.function_edit = QLineEdit(self.box12)
        self.function_edit.setPlaceholderText(self.tr("Funktion"))
        self.function_edit.setAccessibleName(self.tr("Funktion des Absenders"))
        self.box12.add_row(self.sign_edit, self.function_edit, stretch_last=True)

        # (13) Quittung, Sichtung
        self.box13 = _Box(self.tr("(13) Quittung"), self)
        self.receipts_label = QLabel(self.box13)
        self.receipts_label.setObjectName("receipts")
        self.receipts_label.setWordWrap(True)
        self.receipts_label.setTextFormat(Qt.TextFormat.PlainText)
        self.ack_button = QPushButton(self.box13)
        self.ack_button.setObjectName("acknowledgeButton")
        self.ack_button.setAutoDefault(False)
        self.ack_button.clicked.connect(self.acknowledge_requested.emit)
        self.box13.add_row(self.receipts_label, self.ack_button, stretch_last=False).setStretch(
            0, 1
        )
        self.triage_box = _Box(self.tr("Sichtung"), self)
        self.triage_label = QLabel(self.triage_box)
        self.triage_label.setWordWrap(True)
        self.triage_box.add(self.triage_label)
        self.triage_box.body.addStretch(1)

        # Buttons: recording (compose) or working with a recorded message.
        self.discard_button = QPushButton(self.tr("Verwerfen (Esc)"), self)
        self.discard_button.setAutoDefault(False)
        self.discard_button.clicked.connect(self.discard_requested.emit)
        self.save_button = QPushButton(self.tr("Aufnehmen (Strg+Eingabe)"), self)
        self.save_button.setObjectName("messageSave")
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.request_save)
        self.reply_button = QPushButton(self.tr("Antworten (Strg+R)"), self)
        self.reply_button.setAutoDefault(False)
        self.reply_button.clicked.connect(self.reply_requested.emit)
        self.task_button = QPushButton(self.tr("Auftrag daraus (Strg+T)"), self)
        self.task_button.setAutoDefault(False)
        self.task_button.clicked.connect(self.task_requested.emit)
        self.read_only_label = QLabel(self)
        self.read_only_label.setObjectName("formReadOnly")
        self.read_only_label.setWordWrap(True)
        self.read_only_label.hide()

        grid = QGridLayout()
        grid.setSpacing(0)
        grid.setContentsMargins(0, 0, 0, 0)
        # 12 columns: the top row in quarters, the rest in (8 | 4) and (3 | 5 | 4).
        grid.addWidget(self.box1, 0, 0, 1, 3)
        grid.addWidget(self.box2, 0, 3, 1, 3)
        grid.addWidget(self.box3, 0, 6, 1, 3)
        grid.addWidget(self.box4, 0, 9, 1, 3)
        grid.addWidget(self.box5, 1, 0, 1, 8)
        grid.addWidget(self.box6, 1, 8, 1, 4)
        grid.addWidget(self.box7, 2, 0, 1, 8)
        grid.addWidget(self.box8, 2, 8, 1, 4)
        grid.addWidget(self.box9, 3, 0, 1, 12)
        grid.addWidget(self.box10, 4, 0, 1, 3)
        grid.addWidget(self.box11, 4, 3, 1, 5)
        grid.addWidget(self.box12, 4, 8, 1, 4)
        grid.addWidget(self.box13, 5, 0, 1, 8)
        grid.addWidget(self.triage_box, 5, 8, 1, 4)
        for column in range(12):
            grid.setColumnStretch(column, 1)
        grid.setRowStretch(3, 1)

        buttons = QHBoxLayout()
        buttons.addWidget(self.discard_button)
        buttons.addWidget(self.reply_button)
        buttons.addWidget(self.task_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(grid, 1)
        layout.addWidget(self.read_only_label)
        layout.addLayout(buttons)

        self.save_action = QAction(self.tr("Nachricht aufnehmen"), self)
        self.save_action.setShortcuts(list(SAVE_SHORTCUTS))
        self.save_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.save_action.triggered.connect(self.request_save)
        self.addAction(self.save_action)
        self.discard_action = QAction(self.tr("Eingabe verwerfen"), self)
        self.discard_action.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        self.discard_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.discard_action.triggered.connect(self._escape)
        self.addAction(self.discard_action)
        self.incoming_radio.toggled.connect(lambda _on: self._direction_changed())

    def _apply_caption_fonts(self) -> None:
        for box in self.findChildren(_Box):
            box.caption.setFont(self._caption_font)

    # -- modes ----------------------------------------------------------------------------
    def set_actor(self, person: str, function: str) -> None:
        self._person = person
        self._function = function
        if self.composing:
            self._show_by_labels()
        elif self.message is not None:
            self._update_ack_button()

    def set_functions(self, names: list[str]) -> None:
        self.recipients_edit.set_names(names)

    def set_read_only(self, reason: str | None) -> None:
        self._read_only_reason = reason
        self.read_only_label.setVisible(reason is not None)
        self.read_only_label.setText(reason or "")
        if self.composing and reason is not None:
            self.show_empty()
        self._update_buttons()

    @property
    def direction(self) -> str:
        return (
            Direction.INCOMING.value
            if self.incoming_radio.isChecked()
            else Direction.OUTGOING.value
        )

    def _editable_widgets(self) -> list[QWidget]:
        return [
            self.channel_combo,
            self.intake_edit,
            self.accepted_edit,
            self.via_combo,
            self.transmitted_edit,
            self.incoming_radio,
            self.outgoing_radio,
            self.header_edit,
            *self.priority_radios.values(),
            self.addressee_edit,
            self.recipients_edit,
            self.note_check,
            self.content_edit,
            self.composed_edit,
            self.sender_edit,
            self.sign_edit,
            self.function_edit,
        ]

    def _set_editable(self, editable: bool) -> None:
        for widget in self._editable_widgets():
            if isinstance(widget, QLineEdit | QPlainTextEdit):
                widget.setReadOnly(not editable)
                widget.setEnabled(True)
            else:
                widget.setEnabled(editable)

    def _clear_fields(self) -> None:
        for edit in (
            self.intake_edit,
            self.accepted_edit,
            self.transmitted_edit,
            self.composed_edit,
        ):
            edit.setToolTip(
                self.tr(
                    "hh:mm, TT.MM.JJJJ hh:mm oder Datum-Zeit-Gruppe (271530nov26); leer = jetzt"
                )
            )
        for edit in (
            self.intake_edit,
            self.accepted_edit,
            self.transmitted_edit,
            self.header_edit,
            self.addressee_edit,
            self.recipients_edit,
            self.composed_edit,
            self.sender_edit,
            self.sign_edit,
            self.function_edit,
        ):
            edit.clear()
        self.content_edit.clear()
        self.note_check.setChecked(False)
        self.channel_combo.setCurrentIndex(0)
        self.via_combo.setCurrentIndex(0)
        self.priority_radios[MessagePriority.EINFACH.value].setChecked(True)
        for label in (self.intake_by, self.accepted_by, self.transmitted_by, self.reference_label):
            label.clear()

    def show_empty(self) -> None:
        """Nothing selected, nothing being recorded."""
        self.message = None
        self.composing = False
        self._reply_to = None
        self._clear_fields()
        self._set_editable(False)
        self.number_label.setText("–")
        self.receipts_label.setText(
            self.tr("Strg+N: neue Nachricht aufnehmen. Oder links eine Nachricht auswählen.")
        )
        self.triage_label.clear()
        self._loaded = self._snapshot()
        self._update_buttons()

    def new_message(self, direction: str = "E", reply_to: MessageView | None = None) -> None:
        """An empty form for a message to record (an answer to ``reply_to``)."""
        self.message = None
        self.composing = True
        self._reply_to = reply_to
        self._clear_fields()
        self._set_editable(True)
        (self.outgoing_radio if direction == "A" else self.incoming_radio).setChecked(True)
        if reply_to is not None:
            self.outgoing_radio.setChecked(True)
            self.incoming_radio.setEnabled(False)
            target = reply_to.sender if reply_to.direction == "E" else ", ".join(reply_to.to)
            self.addressee_edit.setText(target)
            self.recipients_edit.setText(target)
            self.priority_radios.get(reply_to.priority, self.priority_radios["einfach"]).setChecked(
                True
            )
            index = self.channel_combo.findText(reply_to.intake_channel)
            if index >= 0:
                self.channel_combo.setCurrentIndex(index)
            self.header_edit.setText(self.tr("Antwort auf {0}").format(reply_to.number))
            self.reference_label.setText(
                self.tr("Antwort auf {0} ({1}): {2}").format(
                    reply_to.number, reply_to.sender, " ".join(reply_to.content.split())[:160]
                )
            )
        self.receipts_label.setText(
            self.tr("Die Quittung geben die Empfänger nach der Verteilung.")
        )
        self.triage_label.setText(
            self.tr("Eingänge mit „Verteilen an“ gelten als gesichtet, sonst sichtet der Sichter.")
        )
        self.composed_edit.setPlaceholderText(self.tr("hh:mm oder DTG"))
        self._direction_changed()
        self._loaded = self._snapshot()
        self._update_buttons()

    def _direction_changed(self) -> None:
        if not self.composing:
            return
        incoming = self.direction == Direction.INCOMING
        self.intake_edit.setReadOnly(not incoming)
        self.intake_edit.setPlaceholderText(self.tr("jetzt") if incoming else self.tr("= Annahme"))
        self.accepted_edit.setReadOnly(incoming)
        self.accepted_edit.setPlaceholderText(self.tr("–") if incoming else self.tr("jetzt"))
        self.via_combo.setEnabled(not incoming)
        self.transmitted_edit.setReadOnly(incoming)
        self.transmitted_edit.setPlaceholderText(
            self.tr("–") if incoming else self.tr("noch nicht befördert")
        )
        self.recipients_label.setText(self.tr("Verteilen an:") if incoming else self.tr("An:"))
        self.recipients_edit.setPlaceholderText(
            self.tr("Funktionen, z. B. S3, S4 (leer: an den Sichter)")
            if incoming
            else self.tr("Empfänger (Pflicht)")
        )
        if not incoming:
            if not self.sender_edit.text():
                self.sender_edit.setText(self._function)
            if not self.function_edit.text():
                self.function_edit.setText(self._function)
        elif (
            self.sender_edit.text() == self._function
            and self.function_edit.text() == self._function
        ):
            self.sender_edit.clear()
            self.function_edit.clear()
        self.number_label.setText(self.tr("{0}-neu").format(self.direction))
        self._show_by_labels()

    def _show_by_labels(self) -> None:
        incoming = self.direction == Direction.INCOMING
        by = self.tr("durch {0}").format(self._person) if self._person else ""
        self.intake_by.setText(by if incoming else "")
        self.accepted_by.setText("" if incoming else by)

    def show_message(self, view: MessageView) -> None:
        """Show a recorded message, read-only, with its receipts."""
        self.message = view
        self.composing = False
        self._reply_to = None
        self._clear_fields()
        self._set_editable(False)
        (self.incoming_radio if view.direction == "E" else self.outgoing_radio).setChecked(True)
        self.channel_combo.setEditText(view.intake_channel)
        self.intake_edit.setText(self._time(view.intake_at))
        self.intake_by.setText(
            self.tr("durch {0}").format(view.intake_by) if view.intake_by else ""
        )
        self.accepted_edit.setText(self._time(view.accepted_at))
        self.accepted_by.setText(
            self.tr("durch {0}").format(view.accepted_by) if view.accepted_by else ""
        )
        self.via_combo.setEditText(view.transmitted_via or "")
        self.transmitted_edit.setText(self._time(view.transmitted_at))
        self.transmitted_by.setText(
            self.tr("durch {0}").format(view.transmitted_by) if view.transmitted_by else ""
        )
        self.number_label.setText(view.number)
        self.header_edit.setText(view.header or "")
        self.priority_radios.get(view.priority, self.priority_radios["einfach"]).setChecked(True)
        self.addressee_edit.setText(view.addressee)
        self.recipients_label.setText(
            self.tr("Verteilt an:") if view.direction == "E" else self.tr("An:")
        )
        self.recipients_edit.setText(", ".join(view.to))
        self.note_check.setChecked(view.conversation_note)
        self.content_edit.setPlainText(view.content)
        references = []
        if view.reply_to_number:
            references.append(self.tr("Antwort auf {0}").format(view.reply_to_number))
        if view.reply_numbers:
            references.append(self.tr("beantwortet mit {0}").format(", ".join(view.reply_numbers)))
        if view.task_ids:
            references.append(self.tr("{0} Auftrag/Aufträge daraus").format(len(view.task_ids)))
        if view.external_ref:
            references.append(self.tr("Kennung: {0}").format(view.external_ref))
        self.reference_label.setText(" · ".join(references))
        self.composed_edit.setText(self._time(view.composed_at))
        for edit in (
            self.intake_edit,
            self.accepted_edit,
            self.transmitted_edit,
            self.composed_edit,
        ):
            edit.setPlaceholderText("–")
        for edit, value in (
            (self.intake_edit, view.intake_at),
            (self.accepted_edit, view.accepted_at),
            (self.transmitted_edit, view.transmitted_at),
            (self.composed_edit, view.composed_at),
        ):
            edit.setToolTip(format_local(value, seconds=True) if value is not None else "")
        self.sender_edit.setText(view.sender)
        self.sign_edit.setText(view.sender_sign or "")
        self.function_edit.setText(view.sender_function or "")
        lines = []
        for recipient in view.recipients:
            if recipient.acknowledged_at is not None:
                lines.append(
                    f"{recipient.function}: ✓ {recipient.acknowledged_by or ''}, "
                    f"{format_dtg(recipient.acknowledged_at)}"
                )
            else:
                lines.append(self.tr("{0}: ● offen").format(recipient.function))
        self.receipts_label.setText(
            "\n".join(lines) if lines else self.tr("noch an keine Funktion verteilt")
        )
        if view.triaged_at is not None:
            self.triage_label.setText(
                self.tr("gesichtet {0}\ndurch {1}").format(
                    format_dtg(view.triaged_at), view.triaged_by or "?"
                )
            )
        else:
            self.triage_label.setText(self.tr("nicht gesichtet"))
        self._loaded = self._snapshot()
        self._update_buttons()

    @staticmethod
    def _time(value: datetime | None) -> str:
        """The paper form's way: a date-time group (the tooltip gives the local time)."""
        return format_dtg(value) if value is not None else ""

    # -- buttons ----------------------------------------------------------------------------
    def can_acknowledge(self) -> bool:
        view = self.message
        return (
            view is not None
            and self._read_only_reason is None
            and self._function.casefold() in (f.casefold() for f in view.unacknowledged)
        )

    def _update_ack_button(self) -> None:
        self.ack_button.setText(self.tr("Quittieren als {0} (Strg+B)").format(self._function))
        self.ack_button.setVisible(self.message is not None)
        self.ack_button.setEnabled(self.can_acknowledge())

    def _update_buttons(self) -> None:
        writable = self._read_only_reason is None
        viewing = self.message is not None
        self.save_button.setVisible(self.composing)
        self.save_button.setEnabled(self.composing and writable)
        self.save_action.setEnabled(self.composing and writable)
        self.discard_button.setVisible(self.composing)
        self.reply_button.setVisible(viewing)
        self.task_button.setVisible(viewing)
        self.reply_button.setEnabled(viewing and writable)
        self.task_button.setEnabled(viewing and writable)
        self.transmit_button.setVisible(viewing and self.message.transmitted_at is None)  # type: ignore[union-attr]
        self.transmit_button.setEnabled(writable)
        self._update_ack_button()

    # -- input ------------------------------------------------------------------------------
    def _snapshot(self) -> tuple[object, ...]:
        return (
            self.composing,
            self.channel_combo.currentText(),
            self.intake_edit.text(),
            self.accepted_edit.text(),
            self.transmitted_edit.text(),
            self.header_edit.text(),
            self.addressee_edit.text(),
            self.recipients_edit.text(),
            self.content_edit.toPlainText(),
            self.sender_edit.text(),
        )

    def is_dirty(self) -> bool:
        return self.composing and self._snapshot() != self._loaded

    def focus_first(self) -> None:
        """Where a message desk starts writing: the content of the message."""
        self.content_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _escape(self) -> None:
        if self.composing:
            self.discard_requested.emit()

    def priority(self) -> str:
        for value, radio in self.priority_radios.items():
            if radio.isChecked():
                return value
        return MessagePriority.EINFACH.value

    def _parse_time(self, edit: QLineEdit, field: str) -> datetime | None:
        raw = edit.text().strip()
        if not raw:
            return None
        try:
            return parse_user_time(raw)
        except ValueError as exc:
            raise DraftError(str(exc), field) from None

    def draft(self) -> MessageDraft:
        incoming = self.direction == Direction.INCOMING
        content = self.content_edit.toPlainText().strip()
        if not content:
            raise DraftError(self.tr("Der Inhalt der Nachricht ist leer."), "content")
        sender = " ".join(self.sender_edit.text().split())
        if not sender:
            raise DraftError(self.tr("Bitte den Absender angeben (Feld 11)."), "sender")
        recipients = self.recipients_edit.names()
        if not incoming and not recipients:
            raise DraftError(self.tr("Bitte angeben, an wen die Nachricht geht (Feld 7)."), "to")
        at = self._parse_time(self.intake_edit if incoming else self.accepted_edit, "time")
        transmitted_at = (
            None if incoming else self._parse_time(self.transmitted_edit, "transmitted")
        )
        via = None if incoming else (" ".join(self.via_combo.currentText().split()) or None)
        if transmitted_at is not None and via is None:
            via = self.channel_combo.currentText()
        return MessageDraft(
            direction=self.direction,
            channel=" ".join(self.channel_combo.currentText().split()) or "Sonstiges",
            at=at,
            transmitted_via=via,
            transmitted_at=transmitted_at,
            header=self.header_edit.text().strip() or None,
            priority=self.priority(),
            addressee=self.addressee_edit.text().strip() or None,
            recipients=recipients,
            conversation_note=self.note_check.isChecked(),
            content=content,
            composed_at=self._parse_time(self.composed_edit, "composed"),
            sender=sender,
            sender_sign=self.sign_edit.text().strip() or None,
            sender_function=self.function_edit.text().strip() or None,
            reply_to_id=self._reply_to.id if self._reply_to is not None else None,
        )

    def request_save(self) -> None:
        if not self.composing or self._read_only_reason is not None:
            return
        try:
            draft = self.draft()
        except DraftError as exc:
            self.input_problem.emit(str(exc))
            widget = {
                "content": self.content_edit,
                "sender": self.sender_edit,
                "to": self.recipients_edit,
                "time": self.intake_edit if self.direction == "E" else self.accepted_edit,
                "transmitted": self.transmitted_edit,
                "composed": self.composed_edit,
            }.get(exc.field, self.content_edit)
            widget.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self.save_requested.emit(draft)
