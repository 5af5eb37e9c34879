"""Background work off the GUI thread: a QRunnable that reports through signals.

The function runs in a thread of a QThreadPool and must open its own service
and DB sessions there (sessions are not shared across threads). It never
touches a widget: it gets a ``progress(done, total)`` callback and returns a
result; both travel to the GUI thread as queued signals.

    worker = Worker(lambda progress: service.import_file(path, progress=progress))
    worker.signals.progress.connect(bar.set_progress)
    worker.signals.finished.connect(show_result)
    worker.signals.failed.connect(show_error)
    start(worker)

Known refusals (ServiceError, StoreError: German sentences for the user)
arrive as ``failed``; anything else is a bug: it arrives as ``failed`` too
(the GUI must not wait forever) and is also printed with its traceback.
"""

from __future__ import annotations

import sys
import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, QThreadPool, Signal

from krisenstab.services.context import ServiceError
from krisenstab.store.errors import StoreError

Progress = Callable[[int, int], None]
Job = Callable[[Progress], Any]


class Cancelled(Exception):
    """Raised inside a job by ``progress`` once the worker was cancelled."""


class WorkerSignals(QObject):
    """Signals of one worker; created in the GUI thread, emitted from the pool."""

    # (done, total)
    progress = Signal(int, int)
    # The job's return value.
    finished = Signal(object)
    # A German message: the job was refused or broke.
    failed = Signal(str)
    # Emitted after finished/failed, whatever happened.
    done = Signal()


class Worker(QRunnable):
    """Runs ``job(progress)`` in a pool thread and reports back by signals."""

    def __init__(self, job: Job, *, name: str = "") -> None:
        super().__init__()
        self.job = job
        self.name = name
        self.signals = WorkerSignals()
        self._cancelled = threading.Event()
        self.finished_ok: bool | None = None
        # The pool deletes a finished runnable; keep the Python object alive
        # while signals may still be queued for it.
        self.setAutoDelete(False)

    def cancel(self) -> None:
        """Ask the job to stop at its next progress report."""
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def _progress(self, done: int, total: int) -> None:
        # A job reporting its last step has finished its work: too late to stop.
        if self._cancelled.is_set() and done < total:
            raise Cancelled
        self.signals.progress.emit(int(done), int(total))

    def run(self) -> None:
        try:
            result = self.job(self._progress)
        except Cancelled:
            self.finished_ok = False
            self.signals.failed.emit(QCoreApplication.translate("Worker", "Abgebrochen."))
        except (ServiceError, StoreError) as exc:
            self.finished_ok = False
            self.signals.failed.emit(str(exc))
        except Exception as exc:  # a bug: report it loudly, but never leave the GUI waiting
            self.finished_ok = False
            traceback.print_exc(file=sys.stderr)
            self.signals.failed.emit(
                QCoreApplication.translate(
                    "Worker", "Interner Fehler ({0}: {1}). Bitte dem Betreuer des Programms melden."
                ).format(type(exc).__name__, exc)
            )
        else:
            self.finished_ok = True
            self.signals.finished.emit(result)
        finally:
            self.signals.done.emit()


def start(worker: Worker, pool: QThreadPool | None = None) -> Worker:
    """Queue ``worker`` on ``pool`` (default: the global pool); returns it."""
    (pool or QThreadPool.globalInstance()).start(worker)
    return worker
