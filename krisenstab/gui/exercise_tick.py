"""The exercise's worker thread: inject delivery and other slow exercise work off the GUI thread.

A delivery does several durable commits (claim, message, journal entries,
effects on facilities), so `ExerciseService.tick` must never run on the GUI
thread. `ExerciseRunner` owns one QThread with its own `Database` connection
and `ExerciseService` (SQLite connections are not shared across threads).
Jobs are plain callables ``job(service) -> result``; they run in that thread,
never touch a widget, and their results travel back as queued signals.

While the exercise clock runs, a QTimer in the GUI thread asks for a tick
every `TICK_INTERVAL_MS`; a tick is only requested when the previous one has
answered, so a slow disk never piles ticks up.

`BackgroundJob` is the one-off variant for work that has no exercise
database yet (creating one, preparing the demo).
"""

from __future__ import annotations

import atexit
import sys
import time
import traceback
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QObject,
    QRunnable,
    QThread,
    QThreadPool,
    QTimer,
    Signal,
    Slot,
)

from krisenstab.services.context import Actor, ServiceError
from krisenstab.services.exercise import ExerciseService, TickResult
from krisenstab.services.exercise_state import WallClock
from krisenstab.store.database import Database
from krisenstab.store.errors import StoreError

TICK_INTERVAL_MS = 400
STOP_WAIT_MS = 10_000

# Every runner still alive; stopped at interpreter exit at the latest, because
# a QThread that is destroyed while running aborts the whole process.
_RUNNERS: weakref.WeakSet[ExerciseRunner] = weakref.WeakSet()

Job = Callable[[ExerciseService], Any]
Done = Callable[[Any], None]
Failed = Callable[[str], None]


def _internal_error(exc: BaseException) -> str:
    traceback.print_exception(exc, file=sys.stderr)
    return QCoreApplication.translate(
        "ExerciseRunner", "Interner Fehler ({0}: {1}). Bitte dem Betreuer des Programms melden."
    ).format(type(exc).__name__, exc)


class _Engine(QObject):
    """Lives in the worker thread; opens its own connection on first use."""

    finished = Signal(int, object)
    failed = Signal(int, str)

    def __init__(self, path: Path, wall: WallClock) -> None:
        super().__init__()
        self._path = path
        self._wall = wall
        self.db: Database | None = None
        self.service: ExerciseService | None = None

    def _service(self) -> ExerciseService:
        if self.service is None:
            self.db = Database.open(self._path, create=False, quick_check=False)
            self.service = ExerciseService(self.db, wall=self._wall)
        return self.service

    @Slot(int, object)
    def run(self, token: int, job: Job) -> None:
        try:
            result = job(self._service())
        except (ServiceError, StoreError) as exc:
            self.failed.emit(token, str(exc))
        except Exception as exc:  # a bug: loud on stderr, but the GUI must hear of it
            self.failed.emit(token, _internal_error(exc))
        else:
            self.finished.emit(token, result)


class ExerciseRunner(QObject):
    """One worker thread per exercise window: ticks while the clock runs, and runs jobs.

    Not a child of any widget: a QThread deleted while running aborts the
    process, so whoever creates the runner calls `stop` (the console does so
    when it is destroyed and when the application quits).
    """

    ticked = Signal(object)  # TickResult
    problem = Signal(str)
    _submit = Signal(int, object)

    def __init__(
        self,
        db_path: str | Path,
        actor: Actor,
        *,
        wall: WallClock = time.time,
        interval_ms: int = TICK_INTERVAL_MS,
    ) -> None:
        super().__init__()
        self.actor = actor
        self._thread = QThread()
        self._thread.setObjectName("exercise-runner")
        self._engine = _Engine(Path(db_path), wall)
        self._engine.moveToThread(self._thread)
        self._submit.connect(self._engine.run)
        self._engine.finished.connect(self._on_finished)
        self._engine.failed.connect(self._on_failed)
        self._pending: dict[int, tuple[Done | None, Failed | None]] = {}
        self._next_token = 1
        self._tick_token: int | None = None
        self._stopped = False
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.tick_now)
        self._thread.start()
        _RUNNERS.add(self)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.stop)

    # -- state -------------------------------------------------------------------
    @property
    def running(self) -> bool:
        """Whether the tick timer is on (the clock runs)."""
        return self._timer.isActive()

    @property
    def busy(self) -> bool:
        """Whether any job (a tick included) has not answered yet."""
        return bool(self._pending)

    @property
    def stopped(self) -> bool:
        return self._stopped

    def set_running(self, running: bool) -> None:
        """Tick while the exercise clock runs; stay quiet otherwise."""
        if self._stopped:
            return
        if running and not self._timer.isActive():
            self._timer.start()
            self.tick_now()
        elif not running and self._timer.isActive():
            self._timer.stop()

    # -- jobs --------------------------------------------------------------------
    def submit(self, job: Job, on_done: Done | None = None, on_error: Failed | None = None) -> int:
        """Run ``job(service)`` in the worker thread; the callbacks run in the GUI thread."""
        if self._stopped:
            if on_error is not None:
                on_error(self.tr("Die Übungssteuerung ist beendet."))
            return 0
        token = self._next_token
        self._next_token += 1
        self._pending[token] = (on_done, on_error)
        self._submit.emit(token, job)
        return token

    def tick_now(self) -> None:
        """Ask for one delivery round now (skipped while the last one is still busy)."""
        if self._tick_token is not None or self._stopped:
            return
        actor = self.actor
        self._tick_token = self.submit(
            lambda service: service.tick(actor), self._on_tick, self._on_tick_failed
        )

    def _on_tick(self, result: TickResult) -> None:
        self._tick_token = None
        self.ticked.emit(result)
        if not result.view.running:
            self.set_running(False)

    def _on_tick_failed(self, message: str) -> None:
        self._tick_token = None
        self.problem.emit(message)

    @Slot(int, object)
    def _on_finished(self, token: int, result: object) -> None:
        done, _failed = self._pending.pop(token, (None, None))
        if done is not None:
            done(result)

    @Slot(int, str)
    def _on_failed(self, token: int, message: str) -> None:
        _done, failed = self._pending.pop(token, (None, None))
        if failed is not None:
            failed(message)
        else:
            self.problem.emit(message)

    def wait_idle(self, timeout_ms: int = STOP_WAIT_MS) -> bool:
        """Process events until every job has answered (tests, shutdown)."""
        deadline = time.monotonic() + timeout_ms / 1000
        app = QCoreApplication.instance()
        while self._pending and time.monotonic() < deadline:
            if app is not None:
                app.processEvents()
            time.sleep(0.005)
        return not self._pending

    def stop(self) -> None:
        """Stop ticking, let the current job finish, end the thread, close its connection."""
        if self._stopped:
            return
        self._stopped = True
        self._timer.stop()
        self._thread.quit()
        self._thread.wait(STOP_WAIT_MS)
        if self._engine.db is not None:
            self._engine.db.close()
            self._engine.db = None
        self._pending.clear()


@atexit.register
def _stop_all_runners() -> None:
    for runner in list(_RUNNERS):
        runner.stop()


class _JobSignals(QObject):
    finished = Signal(object)
    failed = Signal(str)


class BackgroundJob(QRunnable):
    """A one-off job in the global thread pool (no database of its own is opened here)."""

    def __init__(self, job: Callable[[], Any]) -> None:
        super().__init__()
        self.job = job
        self.signals = _JobSignals()
        # Kept alive by its owner until the signals have been delivered.
        self.setAutoDelete(False)

    def run(self) -> None:
        try:
            result = self.job()
        except (ServiceError, StoreError) as exc:
            self.signals.failed.emit(str(exc))
        except Exception as exc:
            self.signals.failed.emit(_internal_error(exc))
        else:
            self.signals.finished.emit(result)


def run_in_background(
    job: Callable[[], Any], on_done: Done, on_error: Failed, keep: list[Any]
) -> BackgroundJob:
    """Start ``job`` in the pool; ``keep`` holds the runnable until it has answered."""
    runnable = BackgroundJob(job)
    keep.append(runnable)

    def done(result: object) -> None:
        if runnable in keep:
            keep.remove(runnable)
        on_done(result)

    def failed(message: str) -> None:
        if runnable in keep:
            keep.remove(runnable)
        on_error(message)

    runnable.signals.finished.connect(done)
    runnable.signals.failed.connect(failed)
    QThreadPool.globalInstance().start(runnable)
    return runnable
