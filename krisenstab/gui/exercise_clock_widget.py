"""The scenario time in every exercise window, and the Realereignis alarm.

`ExerciseClockWatcher` reads the shared exercise clock from the exercise
database: it asks for the state's revision every `POLL_INTERVAL_MS` (one
tiny query) and re-reads the clock only when it changed; in between, the
display is advanced locally with `ClockView.offset_at`, so the scenario time
runs smoothly at any speed without touching the database. One watcher per
window (`clock_watcher_for`), shared by the banner and the controller console.

`RealEventBar` is the alarm every player sees as soon as anyone calls the
Realereignis: a yellow-and-black band (colours used nowhere else, distinct
from the purple ÜBUNG banner and the red Blitz band) under the banner. It is
not modal – a real emergency is exactly when nobody may be stopped by a
dialog – and stays until the Übungsleitung explicitly resumes.
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from krisenstab.domain.exercise import ClockStatus
from krisenstab.domain.timefmt import format_local
from krisenstab.exercise.times import format_scenario
from krisenstab.services.context import ServiceError
from krisenstab.services.exercise import ExerciseService
from krisenstab.services.exercise_state import NOT_PREPARED, ClockView, WallClock
from krisenstab.store.database import Database
from krisenstab.store.errors import StoreError

POLL_INTERVAL_MS = 2000
DISPLAY_INTERVAL_MS = 250
WATCHER_NAME = "exerciseClockWatcher"

REAL_EVENT_BACKGROUND = "#FFD600"
REAL_EVENT_FOREGROUND = "#000000"
REAL_EVENT_BORDER = "#000000"


def _tr(text: str) -> str:
    return QApplication.translate("ExerciseClock", text)


def speed_text(speed: float) -> str:
    return f"{speed:g}×".replace(".", ",")


def scenario_label(view: ClockView, offset_s: float, *, seconds: bool = False) -> str:
    """``Sa 03:42 (T+00:42)`` at ``offset_s``; empty without a scenario."""
    if view.start is None:
        return ""
    return format_scenario(view.start, offset_s, with_seconds=seconds)


def banner_text(view: ClockView, offset_s: float) -> str:
    """What the ÜBUNG banner says: the scenario time and how the clock runs."""
    if not view.prepared or view.start is None:
        return _tr("ÜBUNG – ÜBUNG – ÜBUNG")
    if view.real_event:
        return _tr("ÜBUNG ABGEBROCHEN – REALEREIGNIS – {0}").format(
            scenario_label(view, view.anchor_offset_s)
        )
    label = scenario_label(view, offset_s)
    status = view.status
    if status is ClockStatus.READY:
        return _tr("ÜBUNG – Szenariobeginn {0} – noch nicht begonnen").format(
            scenario_label(view, 0.0).split(" (")[0]
        )
    if status is ClockStatus.RUNNING:
        pace = _tr("läuft") if view.speed == 1 else _tr("läuft {0}").format(speed_text(view.speed))
        return _tr("ÜBUNG – Szenariozeit {0} – {1}").format(label, pace)
    if status is ClockStatus.PAUSED:
        return _tr("ÜBUNG – Szenariozeit {0} – angehalten").format(label)
    if status is ClockStatus.FINISHED:
        return _tr("ÜBUNG – beendet bei {0}").format(label)
    return _tr("ÜBUNG – Szenariozeit {0} – {1}").format(label, status.value)


class ExerciseClockWatcher(QObject):
    """The exercise clock of one window: polled revision, locally advanced display."""

    # A fresh ClockView (read from the database or handed in after an own action).
    view_changed = Signal(object)
    # The Realereignis flag was raised (True) or cleared by a resume (False).
    real_event_changed = Signal(bool)
    # The display moved on (scenario seconds now); emitted by the display timer.
    ticked = Signal(float)
    # A German problem (the file is not reachable); emitted once per outage.
    problem = Signal(str)

    def __init__(
        self,
        db: Database,
        parent: QObject | None = None,
        *,
        wall: WallClock = time.time,
        poll_ms: int = POLL_INTERVAL_MS,
        display_ms: int = DISPLAY_INTERVAL_MS,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(WATCHER_NAME)
        self.service = ExerciseService(db, wall=wall)
        self.wall = wall
        self.view: ClockView = NOT_PREPARED
        self._stamp: int | None = None
        self._problem = False
        self._poll = QTimer(self)
        self._poll.setInterval(poll_ms)
        self._poll.timeout.connect(self.poll)
        self._display = QTimer(self)
        self._display.setInterval(display_ms)
        self._display.timeout.connect(self._advance)
        self.poll(force=True)
        self._poll.start()
        self._display.start()

    def stop(self) -> None:
        self._poll.stop()
        self._display.stop()

    def offset_now(self) -> float:
        """Scenario seconds now, advanced locally since the last read."""
        return self.view.offset_at(self.wall())

    def label_now(self, *, seconds: bool = False) -> str:
        return scenario_label(self.view, self.offset_now(), seconds=seconds)

    def banner_text(self) -> str:
        return banner_text(self.view, self.offset_now())

    def poll(self, force: bool = False) -> None:
        """Re-read the clock when its revision moved (or when forced)."""
        try:
            stamp = self.service.state_stamp()
            if stamp == self._stamp and not force:
                self._problem = False
                return
            view = self.service.state()
        except (StoreError, ServiceError) as exc:
            if not self._problem:
                self._problem = True
                self.problem.emit(str(exc))
            return
        self._problem = False
        self._stamp = stamp
        self.set_view(view)

    def set_view(self, view: ClockView) -> None:
        """Take a fresh view (from a poll, an own action or a tick result)."""
        before = self.view
        self.view = view
        self._stamp = view.revision if view.prepared else self._stamp
        self.view_changed.emit(view)
        if view.real_event != before.real_event:
            self.real_event_changed.emit(view.real_event)
        self._advance()

    def _advance(self) -> None:
        self.ticked.emit(self.offset_now())


def clock_watcher_for(shared: Any, *, wall: WallClock | None = None) -> ExerciseClockWatcher | None:
    """The watcher of the window that owns ``shared`` (made on first use; None in a real database)."""
    if not shared.db.is_exercise:
        return None
    found = shared.findChild(ExerciseClockWatcher, WATCHER_NAME)
    if isinstance(found, ExerciseClockWatcher):
        return found
    return ExerciseClockWatcher(shared.db, shared, wall=wall or time.time)


class RealEventBar(QFrame):
    """„REALEREIGNIS – Übung abgebrochen“: shown in every exercise window at once."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("realEventBar")
        self.setAutoFillBackground(True)
        self.setStyleSheet(
            f"QFrame#realEventBar {{ background-color: {REAL_EVENT_BACKGROUND};"
            f" border-top: 6px solid {REAL_EVENT_BORDER}; border-bottom: 6px solid {REAL_EVENT_BORDER}; }}"
            f" QFrame#realEventBar QLabel {{ color: {REAL_EVENT_FOREGROUND}; background: transparent; }}"
        )
        self.setAccessibleName(self.tr("Realereignis: Übung abgebrochen"))
        base = QFont(self.font())
        size = max(base.pointSizeF(), 9.0)
        self.title_label = QLabel(self.tr("⚠  REALEREIGNIS – Übung abgebrochen  ⚠"), self)
        self.title_label.setObjectName("realEventTitle")
        title_font = QFont(base)
        title_font.setBold(True)
        title_font.setPointSizeF(size * 1.8)
        title_font.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 105)
        self.title_label.setFont(title_font)
        self.title_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail_label = QLabel(self)
        self.detail_label.setObjectName("realEventDetail")
        self.detail_label.setWordWrap(True)
        self.detail_label.setTextFormat(Qt.TextFormat.PlainText)
        self.detail_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        detail_font = QFont(base)
        detail_font.setBold(True)
        detail_font.setPointSizeF(size * 1.15)
        self.detail_label.setFont(detail_font)
        layout = QVBoxLayout(self)
        pad = max(4, self.fontMetrics().height() // 2)
        layout.setContentsMargins(pad * 2, pad, pad * 2, pad)
        layout.setSpacing(pad // 2)
        row = QHBoxLayout()
        row.addWidget(self.title_label, 1)
        layout.addLayout(row)
        layout.addWidget(self.detail_label)
        self.hide()

    @property
    def text(self) -> str:
        return f"{self.title_label.text()}\n{self.detail_label.text()}"

    def show_view(self, view: ClockView) -> None:
        """Show the alarm for ``view`` (hidden again when the flag is down)."""
        if not view.real_event:
            self.hide()
            return
        parts = []
        if view.real_event_at is not None:
            parts.append(self.tr("Abgebrochen am {0}").format(format_local(view.real_event_at)))
        if view.real_event_by:
            parts.append(self.tr("von {0}").format(view.real_event_by))
        head = " ".join(parts)
        reason = f": {view.real_event_text}" if view.real_event_text else ""
        self.detail_label.setText(
            self.tr(
                "{0}{1}.\nDie Übung ruht. Nichts mehr in die Übung eintragen – die echte Lage "
                "im echten Einsatztagebuch führen."
            ).format(head, reason)
        )
        self.setAccessibleDescription(self.detail_label.text())
        if not self.isVisible():
            self.show()
            window = self.window()
            if window is not None:
                QApplication.alert(window)


class ClockDisplay(QFrame):
    """The large scenario clock of the controller console (seconds included)."""

    def __init__(self, watcher: ExerciseClockWatcher, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("exerciseClockDisplay")
        self.watcher = watcher
        base = QFont(self.font())
        size = max(base.pointSizeF(), 9.0)
        self.time_label = QLabel(self)
        self.time_label.setObjectName("exerciseClockTime")
        big = QFont(base)
        big.setBold(True)
        big.setPointSizeF(size * 2.0)
        big.setStyleHint(QFont.StyleHint.Monospace)
        big.setFamilies(["DejaVu Sans Mono", "Consolas", "Menlo", "monospace"])
        self.time_label.setFont(big)
        self.status_label = QLabel(self)
        self.status_label.setObjectName("exerciseClockStatus")
        status_font = QFont(base)
        status_font.setBold(True)
        status_font.setPointSizeF(size * 1.15)
        self.status_label.setFont(status_font)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.time_label)
        layout.addWidget(self.status_label)
        watcher.ticked.connect(self._show)
        watcher.view_changed.connect(lambda _view: self._show(watcher.offset_now()))
        self._show(watcher.offset_now())

    def _show(self, offset_s: float) -> None:
        view = self.watcher.view
        if not view.prepared:
            self.time_label.setText("––:––:––")
            self.status_label.setText(self.tr("kein Drehbuch geladen"))
            return
        text = scenario_label(view, offset_s, seconds=True)
        if self.time_label.text() != text:
            self.time_label.setText(text)
        status = view.status
        if view.real_event:
            state = self.tr("REALEREIGNIS – abgebrochen")
            color = "#B71C1C"
        elif status is ClockStatus.RUNNING:
            state = self.tr("läuft, Tempo {0}").format(speed_text(view.speed))
            color = "#1B5E20"
        elif status is ClockStatus.PAUSED:
            state = self.tr("angehalten (Tempo {0})").format(speed_text(view.speed))
            color = "#8A5A00"
        elif status is ClockStatus.READY:
            state = self.tr("bereit – noch nicht begonnen")
            color = "#37474F"
        else:
            state = status.value
            color = "#37474F"
        if self.status_label.text() != state:
            self.status_label.setText(state)
            self.status_label.setStyleSheet(f"color: {color};")
