"""„Wer sind Sie?“: the person at the keyboard and their staff function."""

from __future__ import annotations

from PySide6.QtCore import Qt
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

from krisenstab.services.context import Actor
from krisenstab.settings import Settings

# Offered in the function combo; free text is allowed (e.g. "Fachberater
# Wasserwirtschaft", "Verbindungsperson THW", merged "S2/S3"). These are the
# terms stored in the journal, so they are not translated.
STAFF_FUNCTIONS: tuple[str, ...] = (
    "Leiter des Stabes",
    "KGS",
    "S1",
    "S2",
    "S3",
    "S4",
    "S5",
    "S6",
    "BuMA",
    "Fachberater",
    "Verbindungsperson",
    "Sichter",
    "Fernmelder",
)

MAX_PERSON = 120
MAX_FUNCTION = 60


class StartDialog(QDialog):
    """Asks who is working at this workstation, remembered in the settings."""

    def __init__(
        self,
        settings: Settings,
        parent: QWidget | None = None,
        *,
        is_exercise: bool = False,
    ) -> None:
        super().__init__(parent)
        self._settings = settings
        title = self.tr("Wer sind Sie?")
        if is_exercise:
            title = self.tr("ÜBUNG – {0}").format(title)
        self.setWindowTitle(title)

        intro = QLabel(
            self.tr(
                "Jeder Eintrag im Einsatztagebuch nennt, wer ihn geschrieben hat und in "
                "welcher Stabsfunktion. Bitte Namen und Funktion angeben."
            ),
            self,
        )
        intro.setWordWrap(True)

        self.person_edit = QLineEdit(self)
        self.person_edit.setMaxLength(MAX_PERSON)
        self.person_edit.setPlaceholderText(self.tr("Vorname Nachname"))
        self.person_edit.setText(settings.last_person)

        self.function_combo = QComboBox(self)
        self.function_combo.setEditable(True)
        self.function_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for name in STAFF_FUNCTIONS:
            self.function_combo.addItem(name)
        self.function_combo.lineEdit().setMaxLength(MAX_FUNCTION)
        self.function_combo.lineEdit().setPlaceholderText(self.tr("z. B. S2"))
        self.function_combo.setCurrentIndex(-1)
        self.function_combo.setEditText(settings.last_function)

        form = QFormLayout()
        form.addRow(self.tr("&Name:"), self.person_edit)
        form.addRow(self.tr("Stabs&funktion:"), self.function_combo)
        # Long names in the combo must not make the dialog grow off screen.
        self.function_combo.setMinimumContentsLength(24)
        self.function_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Anmelden"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.buttons)

        self.person_edit.textChanged.connect(self._update_ok)
        self.function_combo.editTextChanged.connect(self._update_ok)
        self._update_ok()
        # Returning users only confirm; new ones start with the name.
        if settings.last_person and not settings.last_function:
            self.function_combo.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.person_edit.setFocus(Qt.FocusReason.OtherFocusReason)
            self.person_edit.selectAll()

    def person(self) -> str:
        return " ".join(self.person_edit.text().split())

    def function(self) -> str:
        return " ".join(self.function_combo.currentText().split())

    def _update_ok(self) -> None:
        ok = bool(self.person()) and bool(self.function())
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)

    def actor(self) -> Actor:
        """The actor entered (valid once the dialog was accepted)."""
        return Actor(
            person=self.person(),
            function=self.function(),
            workstation_id=self._settings.workstation_id,
        )

    def accept(self) -> None:
        if not (self.person() and self.function()):
            return
        self._settings.last_person = self.person()
        self._settings.last_function = self.function()
        self._settings.save()
        super().accept()
