"""Building documents and exports off the GUI thread, with a busy indicator.

`BackgroundJobs.run` starts any job in a `workers.Worker` (the job opens its
own services there; sessions never cross threads) and shows a busy
indicator while it runs; `DocumentJobs.preview` builds a printable document
that way and opens it in the preview window.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QApplication, QProgressDialog, QWidget

from krisenstab.gui import dialogs, workers
from krisenstab.gui.shared import Shared

if TYPE_CHECKING:
    from krisenstab.services.documents import DocumentRequest, PrintableDocument

# A build that finishes sooner never shows the dialog (it would only flicker).
BUSY_DIALOG_DELAY_MS = 400


class BusyIndicator(QObject):
    """Wait cursor at once, a cancellable progress dialog after a short delay."""

    cancelled = Signal()

    def __init__(self, parent: QWidget, text: str) -> None:
        super().__init__(parent)
        self._cursor = False
        self.dialog = QProgressDialog(text, self.tr("Abbrechen"), 0, 0, parent)
        self.dialog.setObjectName("busyIndicator")
        self.dialog.setWindowTitle(self.tr("Bitte warten"))
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(BUSY_DIALOG_DELAY_MS)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.canceled.connect(self.cancelled)

    def start(self) -> None:
        QApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)
        self._cursor = True
        self.dialog.setValue(0)

    def stop(self) -> None:
        if self._cursor:
            QApplication.restoreOverrideCursor()
            self._cursor = False
        self.dialog.canceled.disconnect(self.cancelled)
        self.dialog.reset()
        self.dialog.hide()
        self.dialog.deleteLater()
        self.deleteLater()


class BackgroundJobs(QObject):
    """Runs jobs in the thread pool; results come back on the GUI thread."""

    # Emitted with the German message whenever a job fails.
    failed = Signal(str)

    def __init__(
        self, parent_widget: QWidget, *, pool: QThreadPool | None = None, show_errors: bool = True
    ) -> None:
        super().__init__(parent_widget)
        self.parent_widget = parent_widget
        self.pool = pool
        self.show_errors = show_errors
        self.running: list[workers.Worker] = []

    @property
    def busy(self) -> bool:
        return bool(self.running)

    def run(
        self,
        text: str,
        job: Callable[[], Any],
        done: Callable[[Any], None],
        *,
        failed: Callable[[str], None] | None = None,
        title: str = "",
    ) -> workers.Worker:
        """Run ``job()`` with a busy indicator showing ``text``; ``done(result)`` afterwards.

        A failure goes to ``failed`` (default: an error dialog titled ``title``).
        Cancelling only drops the result: the job itself finishes in the pool.
        """
        worker = workers.Worker(lambda _progress: job(), name=text)
        busy = BusyIndicator(self.parent_widget, text)
        busy.cancelled.connect(worker.cancel)

        def finished(result: Any) -> None:
            if not worker.cancelled:
                done(result)

        def refused(message: str) -> None:
            if worker.cancelled:
                return
            self.failed.emit(message)
            if failed is not None:
                failed(message)
            elif self.show_errors:
                dialogs.show_error(self.parent_widget, title or text, message)

        def cleanup() -> None:
            busy.stop()
            if worker in self.running:
                self.running.remove(worker)

        worker.signals.finished.connect(finished)
        worker.signals.failed.connect(refused)
        worker.signals.done.connect(cleanup)
        self.running.append(worker)
        busy.start()
        workers.start(worker, self.pool)
        return worker


class DocumentJobs(BackgroundJobs):
    """Document builds for the preview; `built` carries each finished document."""

    built = Signal(object)  # PrintableDocument
    preview_opened = Signal(object)  # PreviewDialog

    def __init__(
        self, shared: Shared, parent_widget: QWidget, *, pool: QThreadPool | None = None
    ) -> None:
        super().__init__(parent_widget, pool=pool)
        self.shared = shared
        self.previews: list[QWidget] = []

    def build(
        self, request: DocumentRequest, done: Callable[[PrintableDocument], None]
    ) -> workers.Worker:
        db = self.shared.db

        def job() -> PrintableDocument:
            from krisenstab.services.documents import DocumentService

            return DocumentService(db).build(request)

        def finished(document: PrintableDocument) -> None:
            self.built.emit(document)
            done(document)

        return self.run(
            self.tr("{0} wird erstellt …").format(request.kind.value),
            job,
            finished,
            title=self.tr("{0} drucken").format(request.kind.value),
        )

    def preview(self, request: DocumentRequest) -> workers.Worker:
        """Build ``request`` in the background, then show it in a preview window."""
        return self.build(request, self.show_preview)

    def show_preview(self, document: PrintableDocument) -> QWidget:
        from krisenstab.gui.print_preview import PreviewDialog

        dialog = PreviewDialog(document, self.parent_widget.window())
        dialog.outcome.connect(
            lambda outcome: self.shared.signals.status_message.emit(outcome.message)
        )
        self.previews.append(dialog)
        dialog.destroyed.connect(lambda _obj=None, d=dialog: self._forget(d))
        dialog.show()
        dialog.raise_()
        self.preview_opened.emit(dialog)
        return dialog

    def _forget(self, dialog: QWidget) -> None:
        if dialog in self.previews:
            self.previews.remove(dialog)
