"""Small widgets shared by the main window and the tabs."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget

# The exercise banner's colour is used nowhere else in the program, so that
# "ÜBUNG" can never be mistaken for any other state.
EXERCISE_BACKGROUND = "#8B008B"
EXERCISE_FOREGROUND = "#FFFFFF"

_LEVEL_STYLES = {
    "error": ("#FDE2E1", "#7A1010", "#C62828"),
    "warning": ("#FFF4CE", "#5C4400", "#B78A00"),
    "info": ("#E3F2FD", "#0D3C61", "#1E88E5"),
}


class ExerciseBanner(QLabel):
    """The fixed „ÜBUNG – ÜBUNG – ÜBUNG“ band at the top of every exercise window."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("exerciseBanner")
        self.setText(self.tr("ÜBUNG – ÜBUNG – ÜBUNG"))
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setAccessibleName(self.tr("Übungsbetrieb: alle Daten sind Übungsdaten"))
        font = QFont(self.font())
        font.setBold(True)
        # Relative to the user's font, so it scales with DPI and settings.
        font.setPointSizeF(max(font.pointSizeF(), 9.0) * 1.5)
        font.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 110)
        self.setFont(font)
        self.setAutoFillBackground(True)
        pad = max(2, self.fontMetrics().height() // 4)
        self.setStyleSheet(
            f"QLabel#exerciseBanner {{ background-color: {EXERCISE_BACKGROUND};"
            f" color: {EXERCISE_FOREGROUND}; padding: {pad}px; }}"
        )


class MessageBar(QFrame):
    """A non-modal message line (error, warning, info) with a close button.

    Used where a dialog would interrupt typing: the user reads it, fixes the
    cause and retries without losing what they wrote.
    """

    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageBar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QHBoxLayout(self)
        margin = max(3, self.fontMetrics().height() // 3)
        layout.setContentsMargins(margin, margin // 2, margin, margin // 2)
        self._label = QLabel(self)
        self._label.setWordWrap(True)
        self._label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._label.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self._label, 1)
        self._close = QToolButton(self)
        self._close.setText("✕")
        self._close.setAutoRaise(True)
        self._close.setToolTip(self.tr("Meldung schließen"))
        self._close.setAccessibleName(self.tr("Meldung schließen"))
        self._close.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._close.clicked.connect(self.dismiss)
        layout.addWidget(self._close)
        self.level = ""
        self.hide()

    @property
    def text(self) -> str:
        return self._label.text()

    def show_message(self, text: str, level: str = "error") -> None:
        background, foreground, border = _LEVEL_STYLES.get(level, _LEVEL_STYLES["info"])
        self.level = level
        self.setStyleSheet(
            f"QFrame#messageBar {{ background-color: {background}; border: 1px solid {border};"
            f" border-radius: 3px; }} QFrame#messageBar QLabel {{ color: {foreground}; }}"
        )
        self._label.setText(text)
        self.setAccessibleDescription(text)
        self.show()

    def show_error(self, text: str) -> None:
        self.show_message(text, "error")

    def dismiss(self) -> None:
        if self.isVisible():
            self.hide()
            self._label.clear()
            self.level = ""
            self.closed.emit()
