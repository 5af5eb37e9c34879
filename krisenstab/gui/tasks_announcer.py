"""Announces tasks the moment they become overdue, without a modal dialog.

Runs for the whole life of the main window (the Aufgaben tab is created only
when first shown). It asks the task service what became overdue since its
last look (`TaskService.became_overdue`) on a timer set to the next deadline
(at most every `MAX_INTERVAL_MS`) and whenever the journal changes (a task
written here or at another workstation). Each new one is announced in the
status bar; while tasks are overdue, the Aufgaben tab title carries the
count and a red marker sits in the status bar (a click opens the tab).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QToolButton

from krisenstab.domain.task import TaskView
from krisenstab.domain.timefmt import to_local, utcnow
from krisenstab.gui.shared import Shared
from krisenstab.gui.staff_widgets import set_tab_badge
from krisenstab.services.context import ServiceError
from krisenstab.services.tasks import TaskService
from krisenstab.store.errors import StoreError

TAB_KEY = "tasks"
MAX_INTERVAL_MS = 30_000
MIN_INTERVAL_MS = 1_000
ANNOUNCE_MS = 30_000


class OverdueAnnouncer(QObject):
    """Watches deadlines for the current incident and tells the staff."""

    # The tasks that became overdue since the last look (list[TaskView]).
    became_overdue = Signal(list)
    # The number of overdue tasks of the current incident.
    overdue_changed = Signal(int)

    def __init__(self, window: Any, shared: Shared) -> None:
        super().__init__(window)
        self.window = window
        self.shared = shared
        # Tests replace the clock; the timer only decides when to look.
        self.clock: Callable[[], datetime] = utcnow
        self._incident_id = ""
        self._since: datetime | None = None
        self.overdue = 0
        self.announced: list[TaskView] = []
        self._problem = False

        self.marker = QToolButton(window)
        self.marker.setObjectName("overdueMarker")
        self.marker.setAutoRaise(True)
        self.marker.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.marker.setStyleSheet(
            "QToolButton#overdueMarker { color: #B71C1C; font-weight: bold; }"
        )
        self.marker.setToolTip(self.tr("Überfällige Aufträge anzeigen"))
        self.marker.clicked.connect(self._open_tab)
        self.marker.hide()
        status_bar = getattr(window, "statusBar", None)
        if callable(status_bar):
            status_bar().addPermanentWidget(self.marker)

        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.check)
        shared.signals.journal_changed.connect(self._on_journal_changed)
        shared.signals.incident_changed.connect(lambda _id: self.check())
        self.check()

    def stop(self) -> None:
        self.timer.stop()

    def _on_journal_changed(self, incident_id: str) -> None:
        if incident_id == self.shared.incident_id:
            self.check()

    def check(self) -> list[TaskView]:
        """Look now; returns the tasks announced by this look."""
        self.timer.stop()
        incident_id = self.shared.incident_id
        now = self.clock()
        if incident_id != self._incident_id:
            # A newly opened incident: what is overdue already is shown by the
            # count, not announced one by one.
            self._incident_id = incident_id
            self._since = now
        if not incident_id:
            self._show_count(0)
            return []
        service = TaskService(self.shared.db)
        since = self._since or now
        try:
            new = service.became_overdue(incident_id, since, now) if now > since else []
            count = service.counts(incident_id, now=now).overdue
            next_due = service.next_deadline(incident_id, now)
        except (StoreError, ServiceError) as exc:
            if not self._problem:
                self._problem = True
                self.shared.signals.problem.emit(str(exc))
            self.timer.start(MAX_INTERVAL_MS)
            return []
        self._problem = False
        self._since = max(since, now)
        self._show_count(count)
        if new:
            self._announce(new)
        delay = MAX_INTERVAL_MS
        if next_due is not None:
            until = int((next_due - now) / timedelta(milliseconds=1)) + 500
            delay = max(MIN_INTERVAL_MS, min(delay, until))
        self.timer.start(delay)
        return new

    def _show_count(self, count: int) -> None:
        changed = count != self.overdue
        self.overdue = count
        if count:
            badge = self.tr("{0} überfällig").format(count)
            self.marker.setText(
                self.tr("⚠ 1 Auftrag überfällig")
                if count == 1
                else self.tr("⚠ {0} Aufträge überfällig").format(count)
            )
            self.marker.show()
        else:
            badge = None
            self.marker.hide()
        set_tab_badge(self.window, TAB_KEY, badge, alarm=bool(count))
        if changed:
            self.overdue_changed.emit(count)

    def _announce(self, tasks: list[TaskView]) -> None:
        self.announced.extend(tasks)
        if len(tasks) == 1:
            task = tasks[0]
            due = to_local(task.due_at).strftime("%H:%M") if task.due_at else ""
            text = self.tr(
                "⚠ Auftrag Nr. {0} ist jetzt überfällig (an {1}, Frist {2}): {3}"
            ).format(task.number, task.assigned_function, due, task.title)
        else:
            numbers = ", ".join(str(t.number) for t in tasks)
            text = self.tr("⚠ {0} Aufträge sind jetzt überfällig: Nr. {1}").format(
                len(tasks), numbers
            )
        status_bar = getattr(self.window, "statusBar", None)
        if callable(status_bar):
            # Longer than an ordinary note; the marker stays afterwards.
            status_bar().showMessage(text, ANNOUNCE_MS)
        else:
            self.shared.signals.status_message.emit(text)
        self.marker.setToolTip(text)
        QApplication.alert(self.window, 0)
        self.became_overdue.emit(tasks)

    def _open_tab(self) -> None:
        show = getattr(self.window, "show_tab", None)
        if callable(show):
            show(TAB_KEY)
