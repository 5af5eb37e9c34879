"""The task editor beside the task list: issue a task, change it, report back.

Like the journal editor it does not save by itself: it emits
`save_requested` with a `TaskDraft`, and the tab calls the services (each
change writes its own journal entry of kind Auftrag) and clears or keeps
the input depending on the outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from krisenstab.domain.task import TRANSITIONS, TaskPriority, TaskStatus, TaskView
from krisenstab.domain.timefmt import format_dtg, format_local, utcnow
from krisenstab.gui.staff_widgets import parse_deadline
from krisenstab.services.context import Actor
from krisenstab.services.messages import MessageService
from krisenstab.services.tasks import TaskService
from krisenstab.store.database import Database

SAVE_SHORTCUTS = (QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter"))


class DraftError(ValueError):
    """Bad input; ``field`` names the widget to fix."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class TaskDraft:
    """What the editor holds when the user saves.

    ``task`` is None for a new task; ``status`` is None when it was not
    changed; ``feedback`` is None when the feedback field was not changed.
    """

    task: TaskView | None
    title: str
    assigned_function: str
    assigned_person: str | None
    due_at: datetime | None
    priority: str
    intended_effect: str | None
    description: str | None
    status: str | None
    feedback: str | None
    source_message_id: str | None = None


class _SmallText(QPlainTextEdit):
    """A few lines of text; Tab leaves the field."""

    def __init__(self, lines: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._lines = lines
        self.setTabChangesFocus(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        margins = self.contentsMargins()
        height = (
            self.fontMetrics().lineSpacing() * self._lines
            + 2 * self.document().documentMargin()
            + margins.top()
            + margins.bottom()
            + 2 * self.frameWidth()
        )
        return QSize(hint.width(), int(height))

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()


class TaskEditor(QFrame):
    """Form for one task: new (Strg+N) or the one selected in the list."""

    save_requested = Signal(object)
    discard_requested = Signal()
    input_problem = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("taskEditor")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._task: TaskView | None = None
        self._source_message_id: str | None = None
        self._loaded: tuple[str, ...] = ()
        self._read_only_reason: str | None = None
        self.clock = utcnow

        self.heading = QLabel(self)
        self.heading.setObjectName("taskHeading")
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.heading.setStyleSheet("QLabel#taskHeading { font-weight: bold; }")

        self.title_edit = QLineEdit(self)
        self.title_edit.setObjectName("taskTitle")
        self.title_edit.setPlaceholderText(self.tr("Was ist zu tun?"))
        self.title_edit.setAccessibleName(self.tr("Auftrag (Titel)"))
        self.function_combo = QComboBox(self)
        self.function_combo.setEditable(True)
        self.function_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.function_combo.setAccessibleName(self.tr("Ausführende Funktion"))
        self.function_combo.lineEdit().setPlaceholderText(self.tr("Funktion, z. B. S4"))
        self.person_edit = QLineEdit(self)
        self.person_edit.setPlaceholderText(self.tr("Person (optional)"))
        self.person_edit.setAccessibleName(self.tr("Ausführende Person"))
        self.due_edit = QLineEdit(self)
        self.due_edit.setObjectName("taskDue")
        self.due_edit.setPlaceholderText(self.tr("keine Frist"))
        self.due_edit.setAccessibleName(self.tr("Frist"))
        self.due_edit.setToolTip(
            self.tr(
                "Frist: hh:mm (nächstes Mal), +30 (in 30 Minuten), +2h, "
                "TT.MM.JJJJ hh:mm oder Datum-Zeit-Gruppe. Leer = keine Frist."
            )
        )
        self.priority_combo = QComboBox(self)
        self.priority_combo.setAccessibleName(self.tr("Priorität"))
        for priority in TaskPriority:
            self.priority_combo.addItem(priority.value, priority.value)
        self.priority_combo.setCurrentIndex(self.priority_combo.findData(TaskPriority.NORMAL.value))
        self.effect_edit = QLineEdit(self)
        self.effect_edit.setPlaceholderText(self.tr("Was soll erreicht werden? (Kontrolle)"))
        self.effect_edit.setAccessibleName(self.tr("Beabsichtigte Wirkung"))
        self.description_edit = _SmallText(3, self)
        self.description_edit.setAccessibleName(self.tr("Beschreibung"))
        self.description_edit.setPlaceholderText(self.tr("Einzelheiten (optional)"))
        self.status_combo = QComboBox(self)
        self.status_combo.setObjectName("taskStatus")
        self.status_combo.setAccessibleName(self.tr("Status"))
        self.feedback_edit = _SmallText(2, self)
        self.feedback_edit.setObjectName("taskFeedback")
        self.feedback_edit.setAccessibleName(self.tr("Rückmeldung"))
        self.feedback_edit.setPlaceholderText(self.tr("Rückmeldung der ausführenden Stelle"))

        self.save_button = QPushButton(self.tr("Speichern (Strg+Eingabe)"), self)
        self.save_button.setAutoDefault(False)
        self.discard_button = QPushButton(self.tr("Verwerfen (Esc)"), self)
        self.discard_button.setAutoDefault(False)
        self.read_only_label = QLabel(self)
        self.read_only_label.setObjectName("taskReadOnly")
        self.read_only_label.setWordWrap(True)
        self.read_only_label.hide()

        who = QHBoxLayout()
        who.addWidget(self.function_combo, 1)
        who.addWidget(self.person_edit, 1)
        when = QHBoxLayout()
        when.addWidget(self.due_edit, 2)
        when.addWidget(self.priority_combo, 1)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._labels: dict[str, QLabel] = {}

        def row(key: str, text: str, field: QWidget | QHBoxLayout, buddy: QWidget) -> None:
            label = QLabel(text, self)
            label.setBuddy(buddy)
            self._labels[key] = label
            form.addRow(label, field)

        row("title", self.tr("Auftra&g:"), self.title_edit, self.title_edit)
        row("to", self.tr("an:"), who, self.function_combo)
        row("due", self.tr("&Frist:"), when, self.due_edit)
        row("effect", self.tr("&Wirkung:"), self.effect_edit, self.effect_edit)
        row("description", self.tr("Beschreibung:"), self.description_edit, self.description_edit)
        row("status", self.tr("Status:"), self.status_combo, self.status_combo)
        row("feedback", self.tr("Rück&meldung:"), self.feedback_edit, self.feedback_edit)

        buttons = QHBoxLayout()
        buttons.addWidget(self.discard_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(form)
        layout.addWidget(self.read_only_label)
        layout.addStretch(1)
        layout.addLayout(buttons)

        self.save_action = QAction(self.tr("Auftrag speichern"), self)
        self.save_action.setShortcuts(list(SAVE_SHORTCUTS))
        self.save_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.save_action.triggered.connect(self.request_save)
        self.addAction(self.save_action)
        self.discard_action = QAction(self.tr("Eingabe verwerfen"), self)
        self.discard_action.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        self.discard_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.discard_action.triggered.connect(self.discard_requested.emit)
        self.addAction(self.discard_action)
        self.save_button.clicked.connect(self.request_save)
        self.discard_button.clicked.connect(self.discard_requested.emit)
        for edit in (self.title_edit, self.person_edit, self.due_edit, self.effect_edit):
            edit.returnPressed.connect(self.request_save)
        self.start_new()

    # -- state -------------------------------------------------------------------------
    @property
    def task(self) -> TaskView | None:
        return self._task

    @property
    def is_read_only(self) -> bool:
        return self._read_only_reason is not None

    def set_functions(self, names: list[str]) -> None:
        typed = self.function_combo.currentText()
        self.function_combo.blockSignals(True)
        self.function_combo.clear()
        self.function_combo.addItems(names)
        self.function_combo.setCurrentIndex(-1)
        self.function_combo.setEditText(typed)
        self.function_combo.blockSignals(False)

    def _snapshot(self) -> tuple[str, ...]:
        return (
            self.title_edit.text(),
            self.function_combo.currentText(),
            self.person_edit.text(),
            self.due_edit.text(),
            self.priority_combo.currentText(),
            self.effect_edit.text(),
            self.description_edit.toPlainText(),
            self.status_combo.currentText(),
            self.feedback_edit.toPlainText(),
        )

    def is_dirty(self) -> bool:
        return self._snapshot() != self._loaded

    def start_new(
        self,
        *,
        title: str = "",
        function: str = "",
        description: str = "",
        source_message_id: str | None = None,
        source_label: str | None = None,
    ) -> None:
        """An empty form for a new task (optionally prefilled, e.g. from a message)."""
        self._task = None
        self._source_message_id = source_message_id
        heading = self.tr("Neuer Auftrag")
        if source_label:
            heading = self.tr("Neuer Auftrag aus Nachricht {0}").format(source_label)
        self.heading.setText(heading)
        self.title_edit.setText(title)
        self.function_combo.setEditText(function)
        self.person_edit.clear()
        self.due_edit.clear()
        self.priority_combo.setCurrentIndex(self.priority_combo.findData(TaskPriority.NORMAL.value))
        self.effect_edit.clear()
        self.description_edit.setPlainText(description)
        self.status_combo.clear()
        self.status_combo.addItem(TaskStatus.OPEN.value, TaskStatus.OPEN.value)
        self.status_combo.setEnabled(False)
        self.feedback_edit.clear()
        self.feedback_edit.setEnabled(False)
        self._loaded = self._snapshot()
        self._apply_read_only()

    def load(self, task: TaskView) -> None:
        """Show ``task`` for editing, status change and feedback."""
        self._task = task
        self._source_message_id = None
        parts = [
            self.tr("Auftrag Nr. {0}").format(task.number),
            self.tr("erteilt {0} von {1} ({2})").format(
                format_local(task.created_at), task.issued_by_person, task.issued_by_function
            ),
        ]
        if task.source_message_number:
            parts.append(self.tr("aus Nachricht {0}").format(task.source_message_number))
        if task.overdue:
            parts.append(self.tr("⚠ ÜBERFÄLLIG"))
        self.heading.setText(" · ".join(parts))
        self.title_edit.setText(task.title)
        self.title_edit.setCursorPosition(0)
        self.function_combo.setEditText(task.assigned_function)
        self.person_edit.setText(task.assigned_person or "")
        self.due_edit.setText(format_local(task.due_at) if task.due_at else "")
        self.priority_combo.setCurrentIndex(max(0, self.priority_combo.findData(task.priority)))
        self.effect_edit.setText(task.intended_effect or "")
        self.effect_edit.setCursorPosition(0)
        self.description_edit.setPlainText(task.description or "")
        self.status_combo.clear()
        self.status_combo.addItem(task.status, task.status)
        for status in TaskStatus:
            if status in TRANSITIONS.get(task.status, frozenset()):
                self.status_combo.addItem(status.value, status.value)
        self.status_combo.setEnabled(self.status_combo.count() > 1)
        self.feedback_edit.setPlainText(task.feedback or "")
        self.feedback_edit.setEnabled(True)
        self._loaded = self._snapshot()
        self._apply_read_only()

    def set_read_only(self, reason: str | None) -> None:
        self._read_only_reason = reason
        self._apply_read_only()

    def _apply_read_only(self) -> None:
        editable = self._read_only_reason is None
        for widget in (
            self.title_edit,
            self.function_combo,
            self.person_edit,
            self.due_edit,
            self.priority_combo,
            self.effect_edit,
            self.description_edit,
            self.save_button,
        ):
            widget.setEnabled(editable)
        self.status_combo.setEnabled(
            editable and self._task is not None and self.status_combo.count() > 1
        )
        self.feedback_edit.setEnabled(editable and self._task is not None)
        self.save_action.setEnabled(editable)
        self.read_only_label.setVisible(not editable)
        self.read_only_label.setText(self._read_only_reason or "")

    # -- focus -------------------------------------------------------------------------
    def focus_title(self) -> None:
        self.title_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.title_edit.selectAll()

    def focus_feedback(self) -> None:
        if self.feedback_edit.isEnabled():
            self.feedback_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def set_status(self, status: str) -> bool:
        """Choose ``status`` in the combo (when the task may take it)."""
        index = self.status_combo.findData(status)
        if index < 0 or not self.status_combo.isEnabled():
            return False
        self.status_combo.setCurrentIndex(index)
        return True

    # -- saving --------------------------------------------------------------------------
    def draft(self) -> TaskDraft:
        """The input as a draft; raises DraftError (German) on bad input."""
        title = " ".join(self.title_edit.text().split())
        if not title:
            raise DraftError(self.tr("Der Auftrag braucht einen Titel (was ist zu tun?)."), "title")
        function = " ".join(self.function_combo.currentText().split())
        if not function:
            raise DraftError(self.tr("Bitte angeben, an welche Funktion der Auftrag geht."), "to")
        try:
            due = parse_deadline(self.due_edit.text(), self.clock())
        except ValueError as exc:
            raise DraftError(str(exc), "due") from None
        task = self._task
        if (
            task is not None
            and task.due_at is not None
            and self.due_edit.text() == format_local(task.due_at)
        ):
            due = task.due_at  # unchanged: keep the seconds the list shows as this minute
        if task is None and due is not None and due <= self.clock():
            raise DraftError(
                self.tr("Die Frist {0} liegt in der Vergangenheit.").format(format_dtg(due)), "due"
            )
        status = self.status_combo.currentData()
        feedback = self.feedback_edit.toPlainText().strip()
        return TaskDraft(
            task=task,
            title=title,
            assigned_function=function,
            assigned_person=" ".join(self.person_edit.text().split()) or None,
            due_at=due,
            priority=self.priority_combo.currentData(),
            intended_effect=self.effect_edit.text().strip() or None,
            description=self.description_edit.toPlainText().strip() or None,
            status=status if task is not None and status != task.status else None,
            feedback=feedback if task is not None and feedback != (task.feedback or "") else None,
            source_message_id=self._source_message_id,
        )

    def request_save(self) -> None:
        if self.is_read_only:
            return
        try:
            draft = self.draft()
        except DraftError as exc:
            self.input_problem.emit(str(exc))
            widget = {
                "title": self.title_edit,
                "to": self.function_combo,
                "due": self.due_edit,
            }.get(exc.field, self.title_edit)
            widget.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self.save_requested.emit(draft)


def write_draft(db: Database, actor: Actor, incident_id: str, draft: TaskDraft) -> TaskView | None:
    """Carry out a draft through the services; None when nothing changed.

    A new task from a message is created through the message service (the
    task then references it). An edited task gets one journal entry for the
    changed fields, one for the status change (with the feedback) or one for
    the feedback alone.
    """
    service = TaskService(db, actor)
    if draft.task is None:
        if draft.source_message_id:
            return MessageService(db, actor).create_task_from(
                draft.source_message_id,
                assigned_function=draft.assigned_function,
                title=draft.title,
                assigned_person=draft.assigned_person,
                due_at=draft.due_at,
                description=draft.description,
                priority=draft.priority,
                intended_effect=draft.intended_effect,
            )
        return service.create(
            incident_id,
            draft.title,
            assigned_function=draft.assigned_function,
            assigned_person=draft.assigned_person,
            due_at=draft.due_at,
            description=draft.description,
            priority=draft.priority,
            intended_effect=draft.intended_effect,
        )
    task = draft.task
    changes: dict[str, object] = {}
    for name in (
        "title",
        "assigned_function",
        "assigned_person",
        "due_at",
        "priority",
        "intended_effect",
        "description",
    ):
        if getattr(draft, name) != getattr(task, name):
            changes[name] = getattr(draft, name)
    saved: TaskView | None = None
    revision = task.revision
    if changes:
        saved = service.update(task.id, expected_revision=revision, **changes)  # type: ignore[arg-type]
        revision = saved.revision
    if draft.status is not None:
        saved = service.set_status(
            task.id, draft.status, feedback=draft.feedback, expected_revision=revision
        )
    elif draft.feedback:
        saved = service.add_feedback(task.id, draft.feedback)
    return saved
