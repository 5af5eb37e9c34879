"""The task list as a table model; overdue tasks stand out in colour and in words.

An incident has tens, at most a few hundred tasks, so the model keeps the
list the service returns (active first, earliest deadline first). Overdue is
not only red: the status cell says „ÜBERFÄLLIG“ and the deadline cell says
for how long, so it reads the same on a monochrome printout, to a colour-blind
reader and to a screen reader.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont

from krisenstab.domain.task import TaskPriority, TaskStatus, TaskView
from krisenstab.domain.timefmt import format_dtg, format_local, to_local

_ModelIndex = QModelIndex | QPersistentModelIndex

TASK_ROLE = Qt.ItemDataRole.UserRole + 1
"""The `TaskView` of a row."""
OVERDUE_ROLE = Qt.ItemDataRole.UserRole + 2
"""True when the row's task is overdue."""

OVERDUE_MARK = "⚠"
OVERDUE_BACKGROUND = QColor(0xFD, 0xE2, 0xE1)
OVERDUE_FOREGROUND = QColor(0x7A, 0x10, 0x10)
CLOSED_FOREGROUND = QColor(0x5F, 0x5F, 0x5F)
DONE_FOREGROUND = QColor(0x1B, 0x5E, 0x20)
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
_ALIGN_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


class TaskColumn(IntEnum):
    NUMBER = 0
    STATUS = 1
    TITLE = 2
    ASSIGNED = 3
    DUE = 4
    PRIORITY = 5
    ISSUED = 6
    FEEDBACK = 7


TITLES: dict[TaskColumn, str] = {
    TaskColumn.NUMBER: QT_TRANSLATE_NOOP("TaskTableModel", "Nr."),
    TaskColumn.STATUS: QT_TRANSLATE_NOOP("TaskTableModel", "Status"),
    TaskColumn.TITLE: QT_TRANSLATE_NOOP("TaskTableModel", "Auftrag"),
    TaskColumn.ASSIGNED: QT_TRANSLATE_NOOP("TaskTableModel", "an"),
    TaskColumn.DUE: QT_TRANSLATE_NOOP("TaskTableModel", "Frist"),
    TaskColumn.PRIORITY: QT_TRANSLATE_NOOP("TaskTableModel", "Priorität"),
    TaskColumn.ISSUED: QT_TRANSLATE_NOOP("TaskTableModel", "erteilt von"),
    TaskColumn.FEEDBACK: QT_TRANSLATE_NOOP("TaskTableModel", "Rückmeldung"),
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("TaskTableModel", text)


def format_span(minutes: int) -> str:
    """``25 min``, ``3 h 10 min``, ``2 Tg. 4 h``."""
    if minutes < 60:
        return _tr("{0} min").format(minutes)
    hours, rest = divmod(minutes, 60)
    if hours < 24:
        return _tr("{0} h {1} min").format(hours, rest) if rest else _tr("{0} h").format(hours)
    days, hours = divmod(hours, 24)
    return _tr("{0} Tg. {1} h").format(days, hours)


def format_due(task: TaskView, now: datetime) -> str:
    """ "14:47 · seit 3 h 2 min" (overdue), "19:47 · noch 1 h 57 min", "28.11. 01:47"."""
    if task.due_at is None:
        return _tr("keine Frist")
    local = to_local(task.due_at)
    same_day = local.date() == to_local(now).date()
    shown = local.strftime("%H:%M") if same_day else local.strftime("%d.%m. %H:%M")
    if task.overdue:
        minutes = max(1, int((now - task.due_at).total_seconds() // 60))
        return _tr("{0} · seit {1}").format(shown, format_span(minutes))
    if task.is_active:
        minutes = int((task.due_at - now).total_seconds() // 60)
        if 0 <= minutes < 24 * 60:
            return _tr("{0} · noch {1}").format(shown, format_span(minutes))
    return shown


def status_text(task: TaskView) -> str:
    if task.overdue:
        return _tr("{0} ÜBERFÄLLIG · {1}").format(OVERDUE_MARK, task.status)
    return task.status


def assigned_text(task: TaskView) -> str:
    if task.assigned_person:
        return f"{task.assigned_function} ({task.assigned_person})"
    return task.assigned_function


class TaskTableModel(QAbstractTableModel):
    """The tasks of one incident that match the tab's filter."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._tasks: list[TaskView] = []
        self._now: datetime | None = None
        self._bold = QFont()
        self._bold.setBold(True)
        self._struck = QFont()
        self._struck.setStrikeOut(True)
        self._overdue_brush = QBrush(OVERDUE_BACKGROUND)

    @property
    def tasks(self) -> Sequence[TaskView]:
        return self._tasks

    def set_tasks(self, tasks: Sequence[TaskView], now: datetime) -> None:
        """Show ``tasks``; an unchanged order repaints in place (selection stays)."""
        new = list(tasks)
        self._now = now
        if [t.id for t in new] == [t.id for t in self._tasks]:
            self._tasks = new
            if new:
                self.dataChanged.emit(
                    self.index(0, 0), self.index(len(new) - 1, len(TaskColumn) - 1)
                )
            return
        self.beginResetModel()
        self._tasks = new
        self.endResetModel()

    def task(self, row: int) -> TaskView | None:
        return self._tasks[row] if 0 <= row < len(self._tasks) else None

    def row_of(self, task_id: str) -> int | None:
        for row, task in enumerate(self._tasks):
            if task.id == task_id:
                return row
        return None

    def overdue_count(self) -> int:
        return sum(1 for t in self._tasks if t.overdue)

    # -- QAbstractTableModel -----------------------------------------------------
    def rowCount(self, parent: _ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._tasks)

    def columnCount(self, parent: _ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(TaskColumn)

    def flags(self, index: _ModelIndex) -> Qt.ItemFlag:
        return _FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(TaskColumn):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return _tr(TITLES[TaskColumn(section)])
        return None

    def cell_text(self, task: TaskView, column: TaskColumn) -> str:
        if column == TaskColumn.NUMBER:
            return str(task.number)
        if column == TaskColumn.STATUS:
            return status_text(task)
        if column == TaskColumn.TITLE:
            return task.title
        if column == TaskColumn.ASSIGNED:
            return assigned_text(task)
        if column == TaskColumn.DUE:
            return format_due(task, self._now or task.updated_at)
        if column == TaskColumn.PRIORITY:
            return task.priority
        if column == TaskColumn.ISSUED:
            return f"{task.issued_by_function} ({task.issued_by_person})"
        if column == TaskColumn.FEEDBACK:
            return " ".join((task.feedback or "").split())
        return ""

    def data(self, index: _ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._tasks):
            return None
        if not 0 <= index.column() < len(TaskColumn):
            return None
        task = self._tasks[index.row()]
        column = TaskColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self.cell_text(task, column)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            text = self.cell_text(task, column)
            if column == TaskColumn.TITLE and task.overdue:
                return _tr("überfällig: {0}").format(text)
            return text
        if role == TASK_ROLE:
            return task
        if role == OVERDUE_ROLE:
            return task.overdue
        if role == Qt.ItemDataRole.BackgroundRole:
            return self._overdue_brush if task.overdue else None
        if role == Qt.ItemDataRole.ForegroundRole:
            if task.overdue:
                return OVERDUE_FOREGROUND
            if task.status == TaskStatus.DONE and column == TaskColumn.STATUS:
                return DONE_FOREGROUND
            if not task.is_active:
                return CLOSED_FOREGROUND
            return None
        if role == Qt.ItemDataRole.FontRole:
            if task.overdue and column in (TaskColumn.STATUS, TaskColumn.DUE, TaskColumn.NUMBER):
                return self._bold
            if task.status == TaskStatus.CANCELLED and column == TaskColumn.TITLE:
                return self._struck
            if task.priority == TaskPriority.HIGH and column == TaskColumn.PRIORITY:
                return self._bold
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and column == TaskColumn.NUMBER:
            return _ALIGN_RIGHT
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == TaskColumn.DUE and task.overdue:
                return _tr("überfällig: {0}").format(self.cell_text(task, column))
            lines = [f"{_tr('Auftrag Nr. {0}').format(task.number)}: {task.title}"]
            if task.due_at is not None:
                lines.append(
                    _tr("Frist: {0} ({1})").format(
                        format_local(task.due_at), format_dtg(task.due_at)
                    )
                )
            if task.intended_effect:
                lines.append(_tr("Beabsichtigte Wirkung: {0}").format(task.intended_effect))
            if task.feedback:
                lines.append(_tr("Rückmeldung: {0}").format(task.feedback))
            if task.source_message_number:
                lines.append(_tr("aus Nachricht {0}").format(task.source_message_number))
            return "\n".join(lines)
        return None
