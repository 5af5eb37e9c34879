"""The Aufgaben tab: the task list with its filters, and the editor beside it.

Keyboard first: Strg+N starts a new task in the editor, Strg+Eingabe saves,
F6 switches between list and editor, Strg+M shows only the tasks of my
function, Strg+Umschalt+A / Strg+Umschalt+E put the selected task „in Arbeit“
or „erledigt“ (the feedback field gets the focus for the Rückmeldung).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from PySide6.QtCore import QT_TRANSLATE_NOOP, QItemSelectionModel, QModelIndex, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from krisenstab.domain.task import TaskFilter, TaskStatus, TaskView
from krisenstab.domain.timefmt import utcnow
from krisenstab.gui import dialogs
from krisenstab.gui.shared import Shared
from krisenstab.gui.staff_widgets import FittedTableView, tab_action
from krisenstab.gui.tasks_editor import TaskDraft, TaskEditor, write_draft
from krisenstab.gui.tasks_model import TASK_ROLE, TaskColumn, TaskTableModel
from krisenstab.gui.widgets import MessageBar
from krisenstab.services.context import ServiceError
from krisenstab.services.staff import StaffService
from krisenstab.services.tasks import TaskService
from krisenstab.store.errors import StoreError

SEARCH_DEBOUNCE_MS = 150
# The list shows "noch 12 min" / "seit 5 min überfällig": refreshed this often,
# and at the next deadline.
REFRESH_MS = 30_000

# (label, key) of the status filter.
_VIEWS: tuple[tuple[str, str], ...] = (
    (QT_TRANSLATE_NOOP("TasksTab", "Aktive (offen, in Arbeit)"), "active"),
    (QT_TRANSLATE_NOOP("TasksTab", "Überfällige"), "overdue"),
    (QT_TRANSLATE_NOOP("TasksTab", "Alle"), "all"),
    (QT_TRANSLATE_NOOP("TasksTab", "Erledigte"), TaskStatus.DONE.value),
    (QT_TRANSLATE_NOOP("TasksTab", "Nicht erledigte"), TaskStatus.NOT_DONE.value),
    (QT_TRANSLATE_NOOP("TasksTab", "Stornierte"), TaskStatus.CANCELLED.value),
)


class TasksTab(QWidget):
    """Tasks (Aufträge) of the current incident."""

    def __init__(self, shared: Shared, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tasksTab")
        self.shared = shared
        # Replaced by tests (fake clock); everything "now" in this tab comes from here.
        self.clock: Callable[[], datetime] = utcnow
        self.model = TaskTableModel(self)
        self._incident_id: str | None = None
        self.message_bar = MessageBar(self)
        self.editor = TaskEditor(self)
        self.editor.clock = lambda: self.clock()
        self._build_filter_bar()
        self._build_table()

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self.table)
        splitter.addWidget(self.editor)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        fm = self.fontMetrics()
        splitter.setSizes([fm.height() * 64, fm.height() * 30])
        self.splitter = splitter

        layout = QVBoxLayout(self)
        margin = max(2, fm.height() // 4)
        layout.setContentsMargins(margin, margin, margin, margin)
        layout.setSpacing(margin)
        layout.addLayout(self._filter_layout)
        layout.addWidget(self.message_bar)
        layout.addWidget(splitter, 1)

        self._build_actions()
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DEBOUNCE_MS)
        self._search_timer.timeout.connect(self.reload)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.timeout.connect(self._refresh_if_shown)
        self._connect()
        self.setFocusProxy(self.table)
        self._on_actor_changed()
        self._on_incident_changed(shared.incident_id)

    # -- construction ------------------------------------------------------------------
    def _build_filter_bar(self) -> None:
        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("taskSearch")
        self.search_edit.setPlaceholderText(self.tr("Aufträge durchsuchen … (Strg+F)"))
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setAccessibleName(self.tr("Aufträge durchsuchen"))
        self.mine_check = QCheckBox(self)
        self.mine_check.setObjectName("taskMine")
        self.view_combo = QComboBox(self)
        self.view_combo.setAccessibleName(self.tr("Welche Aufträge"))
        for label, key in _VIEWS:
            self.view_combo.addItem(self.tr(label), key)
        self.counts_label = QLabel(self)
        self.counts_label.setObjectName("taskCounts")
        bar = QHBoxLayout()
        bar.addWidget(self.search_edit, 3)
        bar.addWidget(self.mine_check)
        bar.addWidget(self.view_combo)
        bar.addWidget(self.counts_label)
        self._filter_layout = bar

    def _build_table(self) -> None:
        table = FittedTableView(self)
        table.setObjectName("taskTable")
        table.setAccessibleName(self.tr("Aufträge"))
        table.setModel(self.model)
        table.set_columns(
            {
                TaskColumn.NUMBER: ("888", False),
                TaskColumn.STATUS: ("⚠ ÜBERFÄLLIG · in Arbeit MM", False),
                TaskColumn.ASSIGNED: ("Fachberater Wasserw", True),
                TaskColumn.DUE: ("88.88. 88:88 · seit 88 h 88 min MMM", False),
                TaskColumn.PRIORITY: ("normal", True),
                TaskColumn.ISSUED: ("Leiter des Stabes (Erika Musterfrau)", True),
                TaskColumn.FEEDBACK: ("Erledigt wie beauftragt.", True),
            },
            TaskColumn.TITLE,
            share=0.3,
        )
        self.table = table

    def _build_actions(self) -> None:
        self.new_action = tab_action(
            self, self.tr("&Neuer Auftrag"), "Ctrl+N", self.new_task,
            self.tr("Einen neuen Auftrag im Editor beginnen"),
        )  # fmt: skip
        self.in_progress_action = tab_action(
            self, self.tr("In &Arbeit nehmen"), "Ctrl+Shift+A",
            lambda: self.quick_status(TaskStatus.IN_PROGRESS.value),
            self.tr("Den ausgewählten Auftrag auf „in Arbeit“ setzen"),
        )  # fmt: skip
        self.done_action = tab_action(
            self, self.tr("&Erledigt melden …"), "Ctrl+Shift+E",
            lambda: self.quick_status(TaskStatus.DONE.value),
            self.tr("Den ausgewählten Auftrag als erledigt melden (mit Rückmeldung)"),
        )  # fmt: skip
        self.mine_action = tab_action(
            self, self.tr("Nur &meine Funktion"), "Ctrl+M", self.mine_check.toggle,
            self.tr("Nur die Aufträge an meine Funktion zeigen"),
        )  # fmt: skip
        self.toggle_focus_action = tab_action(
            self, self.tr("Zwischen &Liste und Editor wechseln"), "F6", self.toggle_focus,
            self.tr("Fokus zwischen Auftragsliste und Editor wechseln"),
        )  # fmt: skip

    def menu_title(self) -> str:
        return self.tr("A&ufgaben")

    def menu_actions(self) -> list[QAction]:
        return [
            self.new_action,
            self.editor.save_action,
            self.in_progress_action,
            self.done_action,
            self.mine_action,
            self.toggle_focus_action,
        ]

    def _connect(self) -> None:
        signals = self.shared.signals
        signals.journal_changed.connect(self._on_journal_changed)
        signals.incident_changed.connect(self._on_incident_changed)
        signals.actor_changed.connect(self._on_actor_changed)
        self.search_edit.textChanged.connect(self._search_timer.start)
        self.mine_check.toggled.connect(lambda _on: self.reload())
        self.view_combo.currentIndexChanged.connect(lambda _i: self.reload())
        self.table.selectionModel().currentRowChanged.connect(self._on_current_changed)
        self.table.doubleClicked.connect(lambda _i: self.editor.focus_title())
        self.editor.save_requested.connect(self._save)
        self.editor.discard_requested.connect(self._discard)
        self.editor.input_problem.connect(self.message_bar.show_error)
        self.search_edit.installEventFilter(self)
        self.table.installEventFilter(self)

    # -- public API --------------------------------------------------------------------
    def focus_search(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    def activated(self) -> None:
        self.reload()

    def unsaved_work(self) -> str | None:
        if self.editor.is_dirty():
            if self.editor.task is None:
                return self.tr(
                    "Im Auftragseditor steht ein neuer Auftrag, der nicht gespeichert ist."
                )
            return self.tr("Änderungen an Auftrag Nr. {0} sind nicht gespeichert.").format(
                self.editor.task.number
            )
        return None

    def new_task(self, **prefill: object) -> None:
        if not self._confirm_discard():
            return
        self._clear_selection()
        self.editor.start_new(**prefill)  # type: ignore[arg-type]
        self.message_bar.dismiss()
        self.editor.focus_title()

    def toggle_focus(self) -> None:
        if self.table.hasFocus():
            self.editor.focus_title()
        else:
            if not self.table.currentIndex().isValid() and self.model.rowCount():
                self.select_task(self.model.tasks[0].id)
            self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def selected_task(self) -> TaskView | None:
        index = self.table.currentIndex()
        if not index.isValid() or not self.table.selectionModel().isRowSelected(index.row()):
            return None
        return index.data(TASK_ROLE)

    def select_task(self, task_id: str, *, load: bool = True) -> bool:
        """Select a task in the list; ``load=False`` leaves the editor as it is."""
        row = self.model.row_of(task_id)
        if row is None:
            return False
        index = self.model.index(row, TaskColumn.NUMBER)
        selection = self.table.selectionModel()
        if not load:
            selection.blockSignals(True)
        selection.setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        if not load:
            selection.blockSignals(False)
            self.table.viewport().update()
        self.table.scrollTo(index)
        return True

    def quick_status(self, status: str) -> None:
        """Preset the status in the editor; „erledigt“ also asks for feedback there."""
        task = self.selected_task() or self.editor.task
        if task is None:
            self.message_bar.show_message(
                self.tr(
                    "Bitte zuerst in der Liste einen Auftrag auswählen (F6 wechselt in die Liste)."
                ),
                "info",
            )
            return
        if self.editor.task is None or self.editor.task.id != task.id:
            self.editor.load(task)
        if not self.editor.set_status(status):
            self.message_bar.show_message(
                self.tr("Auftrag Nr. {0} ({1}) kann nicht „{2}“ werden.").format(
                    task.number, task.status, status
                ),
                "warning",
            )
            return
        if status == TaskStatus.IN_PROGRESS:
            self.editor.request_save()
        else:
            self.editor.focus_feedback()
            self.message_bar.show_message(
                self.tr("Rückmeldung eintragen, dann Strg+Eingabe speichert „{0}“.").format(status),
                "info",
            )

    # -- loading -------------------------------------------------------------------------
    def current_filter(self) -> TaskFilter:
        key = self.view_combo.currentData()
        statuses: tuple[str, ...] = ()
        if key not in ("active", "overdue", "all"):
            statuses = (key,)
        return TaskFilter(
            function=self.shared.actor.function if self.mine_check.isChecked() else None,
            statuses=statuses,
            overdue_only=key == "overdue",
            active_only=key == "active",
            text=self.search_edit.text().strip(),
        )

    def reload(self) -> None:
        self._search_timer.stop()
        incident_id = self.shared.incident_id
        now = self.clock()
        service = TaskService(self.shared.db)
        if not incident_id:
            self.model.set_tasks([], now)
            self.counts_label.clear()
            return
        keep = self.selected_task()
        try:
            tasks = service.list(incident_id, self.current_filter(), now=now)
            counts = service.counts(incident_id, now=now)
            next_due = service.next_deadline(incident_id, now)
        except (StoreError, ServiceError) as exc:
            self.message_bar.show_error(str(exc))
            return
        self.model.set_tasks(tasks, now)
        parts = [self.tr("{0} aktiv").format(counts.active)]
        if counts.overdue:
            parts.append(self.tr("⚠ {0} überfällig").format(counts.overdue))
        parts.append(self.tr("{0} erledigt").format(counts.done))
        self.counts_label.setText(" · ".join(parts))
        self.counts_label.setStyleSheet(
            "QLabel#taskCounts { color: #7A1010; font-weight: bold; }" if counts.overdue else ""
        )
        if keep is not None and self.select_task(keep.id, load=False):
            fresh = self.selected_task()
            editing = self.editor.task
            if (
                fresh is not None
                and editing is not None
                and editing.id == fresh.id
                and not self.editor.is_dirty()
            ):
                self.editor.load(fresh)
        self._schedule_refresh(now, next_due)

    def _refresh_if_shown(self) -> None:
        # A hidden tab is brought up to date by activated() when shown again.
        if self.isVisible():
            self.reload()

    def _schedule_refresh(self, now: datetime, next_due: datetime | None) -> None:
        delay = REFRESH_MS
        if next_due is not None:
            until = int((next_due - now) / timedelta(milliseconds=1)) + 500
            delay = max(1000, min(delay, until))
        self._refresh_timer.start(delay)

    def _load_functions(self) -> None:
        try:
            names = [f.name for f in StaffService(self.shared.db).functions()]
        except (StoreError, ServiceError):
            names = []
        self.editor.set_functions(names)

    # -- reacting ----------------------------------------------------------------------------
    def _on_actor_changed(self) -> None:
        self.mine_check.setText(
            self.tr("Nur meine Funktion ({0})").format(self.shared.actor.function)
        )
        if self.mine_check.isChecked():
            self.reload()

    def _update_read_only(self) -> None:
        if self.shared.incident is None:
            reason: str | None = self.tr("Kein Ereignis geöffnet.")
        else:
            reason = self.shared.read_only_reason
        self.editor.set_read_only(reason)
        for action in (self.new_action, self.in_progress_action, self.done_action):
            action.setEnabled(reason is None)

    def _on_incident_changed(self, incident_id: str) -> None:
        self._update_read_only()
        if incident_id == self._incident_id:
            # Same incident, new title or status: the typed input stays.
            return
        self._incident_id = incident_id
        self._load_functions()
        self.editor.start_new()
        self.reload()

    def _on_journal_changed(self, incident_id: str) -> None:
        if incident_id == self.shared.incident_id:
            self.reload()

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        task = current.data(TASK_ROLE) if current.isValid() else None
        if task is None:
            return
        if self.editor.task is not None and self.editor.task.id == task.id:
            return
        if self.editor.is_dirty() and not self._confirm_discard():
            return
        self.message_bar.dismiss()
        self.editor.load(task)

    def _confirm_discard(self) -> bool:
        if not self.editor.is_dirty():
            return True
        return dialogs.confirm(
            self,
            self.tr("Eingabe verwerfen"),
            self.tr("Die Eingabe im Auftragseditor ist nicht gespeichert. Verwerfen?"),
        )

    def _clear_selection(self) -> None:
        self.table.selectionModel().clearSelection()
        self.table.selectionModel().setCurrentIndex(
            QModelIndex(), QItemSelectionModel.SelectionFlag.NoUpdate
        )

    def _discard(self) -> None:
        task = self.editor.task
        if task is not None:
            self.editor.load(task)
        else:
            self.editor.start_new()
        self.message_bar.dismiss()

    def eventFilter(self, watched, event) -> bool:  # type: ignore[no-untyped-def]
        if event.type() == event.Type.KeyPress:
            key = event.key()
            if watched is self.search_edit and key == Qt.Key.Key_Down:
                self.toggle_focus()
                return True
            if watched is self.search_edit and key == Qt.Key.Key_Escape and self.search_edit.text():
                self.search_edit.clear()
                self.reload()
                return True
            if watched is self.table and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.editor.focus_title()
                return True
        return super().eventFilter(watched, event)

    # -- saving ----------------------------------------------------------------------------
    def _save(self, draft: TaskDraft) -> None:
        incident_id = self.shared.incident_id
        if not incident_id:
            return
        try:
            saved = write_draft(self.shared.db, self.shared.actor, incident_id, draft)
        except (StoreError, ServiceError) as exc:
            self.message_bar.show_error(
                self.tr("Auftrag nicht gespeichert – die Eingabe bleibt stehen.\n{0}").format(exc)
            )
            return
        if saved is None:
            self.message_bar.show_message(self.tr("Keine Änderung."), "info")
            return
        self.message_bar.dismiss()
        self.shared.signals.journal_changed.emit(incident_id)
        if draft.task is None:
            text = self.tr("Auftrag Nr. {0} an {1} erteilt.").format(
                saved.number, saved.assigned_function
            )
            # A fresh form for the next task; the new one is marked in the list.
            self.editor.start_new()
            self.select_task(saved.id, load=False)
            self.editor.focus_title()
        else:
            text = self.tr("Auftrag Nr. {0} gespeichert ({1}).").format(saved.number, saved.status)
            self.select_task(saved.id)
            self.editor.load(saved)
        self.shared.signals.status_message.emit(text)
