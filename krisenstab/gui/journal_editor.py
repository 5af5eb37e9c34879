"""The entry editor under the ETB table: written and saved without the mouse."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from krisenstab.domain.journal import EntryKind, EntryView, SourceQuality
from krisenstab.domain.timefmt import format_dtg, format_local
from krisenstab.gui.journal_model import one_line
from krisenstab.gui.timeinput import parse_observed

# Kinds a person may choose; "System" is written by the program only.
USER_KINDS: tuple[str, ...] = tuple(k.value for k in EntryKind if k != EntryKind.SYSTEM)
SOURCE_QUALITIES: tuple[str, ...] = tuple(q.value for q in SourceQuality)

SAVE_SHORTCUTS = (QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter"))


class DraftError(ValueError):
    """Bad input in the editor; `field` names the widget to fix ("text", "observed")."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class EntryDraft:
    """What the editor holds when the user asks to save."""

    text: str
    kind: str
    source_quality: str
    observed_at: datetime | None
    corrects: int | None


class EntryTextEdit(QPlainTextEdit):
    """The text field: Tab leaves it (entries rarely need a tab character)."""

    VISIBLE_LINES = 4

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)
        self.setObjectName("entryText")
        self.setMinimumHeight(self._height_for(2))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def _height_for(self, lines: int) -> int:
        # Derived from the font, so it holds at any DPI and font size.
        margins = self.contentsMargins()
        text = self.fontMetrics().lineSpacing() * lines + 2 * self.document().documentMargin()
        return int(text + margins.top() + margins.bottom() + 2 * self.frameWidth())

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(hint.width(), self._height_for(self.VISIBLE_LINES))


class EntryEditor(QFrame):
    """Writes a new entry, or a correction of an existing one.

    The editor itself does not save: it emits `save_requested` with an
    `EntryDraft`; the ETB tab calls the service and then `clear()` on success
    or leaves everything as it is on failure.
    """

    save_requested = Signal(object)
    correction_cancelled = Signal()
    input_problem = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("entryEditor")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._correcting: EntryView | None = None
        self._read_only_reason: str | None = None

        self.correction_label = QLabel(self)
        self.correction_label.setObjectName("correctionLabel")
        self.correction_label.setWordWrap(True)
        self.correction_label.setTextFormat(Qt.TextFormat.PlainText)
        self.correction_label.setStyleSheet(
            "QLabel#correctionLabel { color: #8A2A00; font-weight: bold; }"
        )
        self.correction_label.hide()

        self.read_only_label = QLabel(self)
        self.read_only_label.setObjectName("readOnlyLabel")
        self.read_only_label.setWordWrap(True)
        self.read_only_label.setStyleSheet("QLabel#readOnlyLabel { font-weight: bold; }")
        self.read_only_label.hide()

        self.text_edit = EntryTextEdit(self)
        self.text_edit.setPlaceholderText(self.tr("Eintrag schreiben … (Strg+Eingabe speichert)"))
        self.text_edit.setAccessibleName(self.tr("Text des Eintrags"))

        self.kind_combo = QComboBox(self)
        self.kind_combo.addItems(USER_KINDS)
        self.kind_combo.setCurrentText(EntryKind.VERMERK)
        self.kind_combo.setAccessibleName(self.tr("Art des Eintrags"))

        self.source_combo = QComboBox(self)
        self.source_combo.addItems(SOURCE_QUALITIES)
        self.source_combo.setAccessibleName(self.tr("Quelle der Meldung"))
        self.source_combo.setToolTip(
            self.tr(
                "Worauf beruht die Meldung? (FwDV 100: Tatsache oder Annahme, eigene "
                "Beobachtung oder Dritte)"
            )
        )

        self.observed_edit = QLineEdit(self)
        self.observed_edit.setPlaceholderText(self.tr("jetzt"))
        self.observed_edit.setClearButtonEnabled(True)
        self.observed_edit.setAccessibleName(self.tr("beobachtet um"))
        self._observed_tip = self.tr(
            "Wann wurde das Ereignis beobachtet? Leer = jetzt.\n"
            "Formen: hh:mm (heute), TT.MM.JJJJ hh:mm oder Datum-Zeit-Gruppe (271530nov26)."
        )
        self.observed_edit.setToolTip(self._observed_tip)
        self.observed_edit.setMinimumWidth(
            self.fontMetrics().horizontalAdvance("88.88.8888 88:88")
            + self.fontMetrics().height() * 2
        )

        self.author_label = QLabel(self)
        self.author_label.setObjectName("authorLabel")

        self.save_action = QAction(self.tr("Eintrag speichern"), self)
        self.save_action.setShortcuts(list(SAVE_SHORTCUTS))
        self.save_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.save_action.triggered.connect(self.request_save)
        self.addAction(self.save_action)

        self.cancel_action = QAction(self.tr("Berichtigung abbrechen"), self)
        self.cancel_action.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        self.cancel_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.cancel_action.setEnabled(False)
        self.cancel_action.triggered.connect(self.cancel_correction)
        self.addAction(self.cancel_action)

        self.save_button = QPushButton(self.tr("Speichern"), self)
        self.save_button.setToolTip(self.tr("Eintrag speichern (Strg+Eingabe)"))
        self.save_button.clicked.connect(self.request_save)
        self.save_button.setAutoDefault(False)

        self.cancel_button = QPushButton(self.tr("Berichtigung abbrechen"), self)
        self.cancel_button.setToolTip(self.tr("Berichtigung abbrechen (Esc)"))
        self.cancel_button.clicked.connect(self.cancel_correction)
        self.cancel_button.hide()

        kind_label = QLabel(self.tr("&Art:"), self)
        kind_label.setBuddy(self.kind_combo)
        source_label = QLabel(self.tr("&Quelle:"), self)
        source_label.setBuddy(self.source_combo)
        observed_label = QLabel(self.tr("&beobachtet:"), self)
        observed_label.setBuddy(self.observed_edit)

        fields = QGridLayout()
        fields.setContentsMargins(0, 0, 0, 0)
        fields.addWidget(kind_label, 0, 0)
        fields.addWidget(self.kind_combo, 0, 1)
        fields.addWidget(source_label, 1, 0)
        fields.addWidget(self.source_combo, 1, 1)
        fields.addWidget(observed_label, 2, 0)
        fields.addWidget(self.observed_edit, 2, 1)
        fields.setRowStretch(3, 1)
        self.correct_button = QToolButton(self)
        self.correct_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.correct_button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.correct_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.correct_button.hide()
        fields.addWidget(self.correct_button, 4, 0, 1, 2)
        fields.addWidget(self.cancel_button, 5, 0, 1, 2)
        fields.addWidget(self.save_button, 6, 0, 1, 2)
        self._fields = fields

        body = QHBoxLayout()
        body.addWidget(self.text_edit, 1)
        body.addLayout(fields)

        layout = QVBoxLayout(self)
        spacing = max(2, self.fontMetrics().height() // 4)
        layout.setContentsMargins(spacing, spacing, spacing, spacing)
        layout.setSpacing(spacing)
        layout.addWidget(self.read_only_label)
        layout.addWidget(self.correction_label)
        layout.addLayout(body)
        layout.addWidget(self.author_label)

        QWidget.setTabOrder(self.text_edit, self.kind_combo)
        QWidget.setTabOrder(self.kind_combo, self.source_combo)
        QWidget.setTabOrder(self.source_combo, self.observed_edit)
        QWidget.setTabOrder(self.observed_edit, self.cancel_button)
        QWidget.setTabOrder(self.cancel_button, self.save_button)
        self.setFocusProxy(self.text_edit)

    # -- state ---------------------------------------------------------------
    @property
    def correcting(self) -> int | None:
        """The number of the entry being corrected, or None."""
        return self._correcting.number if self._correcting else None

    @property
    def is_read_only(self) -> bool:
        return self._read_only_reason is not None

    def set_correct_action(self, action: QAction) -> None:
        """Offer the tab's „berichtigen“ action as a button (its tooltip names the key)."""
        self.correct_button.setDefaultAction(action)
        self.correct_button.show()

    def set_author(self, person: str, function: str) -> None:
        self.author_label.setText(self.tr("Sie schreiben als: {0} ({1})").format(person, function))

    def set_read_only(self, reason: str | None) -> None:
        """Disable writing and say why (None: writing allowed)."""
        self._read_only_reason = reason
        writable = reason is None
        for widget in (
            self.text_edit,
            self.kind_combo,
            self.source_combo,
            self.observed_edit,
            self.save_button,
        ):
            widget.setEnabled(writable)
        self.save_action.setEnabled(writable)
        self.read_only_label.setText(reason or "")
        self.read_only_label.setVisible(not writable)
        if not writable and self._correcting is not None:
            self.cancel_correction()

    def focus_text(self) -> None:
        self.text_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def start_correction(self, entry: EntryView) -> None:
        """Switch to writing a correction of `entry`."""
        if self.is_read_only:
            return
        self._correcting = entry
        self.correction_label.setText(
            self.tr("Berichtigung zu Nr. {0} ({1}, {2}): {3}").format(
                entry.number,
                format_local(entry.recorded_at),
                entry.function,
                one_line(entry.text, 160),
            )
        )
        self.correction_label.show()
        self.cancel_button.show()
        self.cancel_action.setEnabled(True)
        # A correction keeps the kind and observation time of the original
        # (the service takes them from there); only the source may differ.
        self.kind_combo.setCurrentText(entry.kind)
        self.kind_combo.setEnabled(False)
        self.observed_edit.setText("")
        self.observed_edit.setPlaceholderText(self.tr("wie Nr. {0}").format(entry.number))
        self.observed_edit.setEnabled(False)
        self.observed_edit.setToolTip(
            self.tr(
                "Eine Berichtigung übernimmt den Beobachtungszeitpunkt von Nr. {0}: {1}"
            ).format(entry.number, format_dtg(entry.observed_at))
        )
        self.text_edit.setPlaceholderText(
            self.tr(
                "Berichtigung zu Nr. {0} schreiben … (Strg+Eingabe speichert, Esc bricht ab)"
            ).format(entry.number)
        )
        self.focus_text()

    def cancel_correction(self) -> None:
        was_correcting = self._correcting is not None
        self._leave_correction()
        if was_correcting:
            self.correction_cancelled.emit()
        self.focus_text()

    def discard_correction(self) -> None:
        """Leave correction mode quietly (e.g. another incident was opened)."""
        if self._correcting is not None:
            self._leave_correction()

    def _leave_correction(self) -> None:
        self._correcting = None
        self.correction_label.hide()
        self.correction_label.clear()
        self.cancel_button.hide()
        self.cancel_action.setEnabled(False)
        writable = not self.is_read_only
        self.kind_combo.setEnabled(writable)
        self.kind_combo.setCurrentText(EntryKind.VERMERK)
        self.observed_edit.setEnabled(writable)
        self.observed_edit.setPlaceholderText(self.tr("jetzt"))
        self.observed_edit.setToolTip(self._observed_tip)
        self.text_edit.setPlaceholderText(self.tr("Eintrag schreiben … (Strg+Eingabe speichert)"))

    def clear(self) -> None:
        """After a successful save: empty text, defaults, back to a new entry."""
        self.text_edit.clear()
        self.observed_edit.clear()
        self.source_combo.setCurrentIndex(0)
        self._leave_correction()
        self.focus_text()

    def text(self) -> str:
        return self.text_edit.toPlainText()

    # -- saving --------------------------------------------------------------
    def draft(self) -> EntryDraft:
        """The editor's content; raises DraftError (German message) for bad input."""
        text = self.text()
        if not text.strip():
            raise DraftError(self.tr("Der Eintrag ist leer."), "text")
        observed = None
        if self._correcting is None:
            try:
                observed = parse_observed(self.observed_edit.text())
            except ValueError as exc:
                raise DraftError(self.tr("beobachtet: {0}").format(exc), "observed") from None
        return EntryDraft(
            text=text,
            kind=self.kind_combo.currentText(),
            source_quality=self.source_combo.currentText(),
            observed_at=observed,
            corrects=self.correcting,
        )

    def request_save(self) -> None:
        if self.is_read_only:
            return
        try:
            draft = self.draft()
        except DraftError as exc:
            self.input_problem.emit(str(exc))
            if exc.field == "observed":
                self.observed_edit.setFocus(Qt.FocusReason.OtherFocusReason)
                self.observed_edit.selectAll()
            else:
                self.focus_text()
            return
        self.save_requested.emit(draft)
