"""The print preview: the finished PDF in a QPdfView, with „Drucken …“ and „Als PDF speichern …“.

The preview shows exactly the bytes that are printed or saved; nothing is
rebuilt in between. The window is not modal, so the staff can keep working
(and a headless test never blocks on it).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from krisenstab.gui import print_qt
from krisenstab.gui.widgets import ExerciseBanner, MessageBar
from krisenstab.services.documents import PrintableDocument
from krisenstab.services.printing import PrintOutcome

ZOOM_STEP = 1.25
ZOOM_MIN = 0.25
ZOOM_MAX = 4.0


class PreviewDialog(QDialog):
    """One document in preview; `outcome` reports every print or save."""

    outcome = Signal(object)  # PrintOutcome

    def __init__(self, document: PrintableDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("printPreview")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.document = document
        self.last_outcome: PrintOutcome | None = None
        title = self.tr("Vorschau – {0}").format(document.title)
        if document.exercise:
            title = self.tr("ÜBUNG – {0}").format(title)
        self.setWindowTitle(title)

        self.pdf, self._buffer = print_qt.open_pdf(document.pdf, self)
        self.view = QPdfView(self)
        self.view.setObjectName("previewView")
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setDocument(self.pdf)
        self.view.setAccessibleName(self.tr("Vorschau des Dokuments"))
        self.message_bar = MessageBar(self)

        layout = QVBoxLayout(self)
        margin = max(2, self.fontMetrics().height() // 4)
        layout.setContentsMargins(margin, margin, margin, margin)
        layout.setSpacing(margin)
        if document.exercise:
            layout.addWidget(ExerciseBanner(self))
        layout.addLayout(self._build_bar())
        layout.addWidget(self.message_bar)
        layout.addWidget(self.view, 1)

        self.view.pageNavigator().currentPageChanged.connect(self._update_page_label)
        self.pdf.statusChanged.connect(self._on_status)
        self._on_status(self.pdf.status())
        self._size_to_parent(parent)

    # -- construction ---------------------------------------------------------------------
    def _build_bar(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        self.print_button = QPushButton(self.tr("&Drucken …"), self)
        self.print_button.setObjectName("previewPrint")
        self.print_button.setToolTip(self.tr("Auf einem Drucker des Systems drucken (Strg+P)"))
        self.print_button.clicked.connect(self.print_document)
        self.save_button = QPushButton(self.tr("Als &PDF speichern …"), self)
        self.save_button.setObjectName("previewSave")
        self.save_button.setToolTip(self.tr("Genau dieses PDF als Datei speichern (Strg+S)"))
        self.save_button.clicked.connect(self.save_pdf)
        self.page_label = QLabel(self)
        self.page_label.setObjectName("previewPages")
        self.fit_width_button = self._tool(self.tr("Seitenbreite"), self.fit_width)
        self.fit_page_button = self._tool(self.tr("Ganze Seite"), self.fit_page)
        self.zoom_out_button = self._tool("−", self.zoom_out, self.tr("Verkleinern (Strg+-)"))
        self.zoom_in_button = self._tool("+", self.zoom_in, self.tr("Vergrößern (Strg++)"))
        close_button = QPushButton(self.tr("Schließen"), self)
        close_button.clicked.connect(self.close)
        for widget in (self.print_button, self.save_button):
            bar.addWidget(widget)
        bar.addSpacing(self.fontMetrics().horizontalAdvance("MM"))
        bar.addWidget(self.page_label)
        bar.addStretch(1)
        for widget in (
            self.fit_width_button,
            self.fit_page_button,
            self.zoom_out_button,
            self.zoom_in_button,
        ):
            bar.addWidget(widget)
        bar.addSpacing(self.fontMetrics().horizontalAdvance("MM"))
        bar.addWidget(close_button)
        for keys, slot in (
            (QKeySequence.StandardKey.Print, self.print_document),
            (QKeySequence.StandardKey.Save, self.save_pdf),
            (QKeySequence.StandardKey.ZoomIn, self.zoom_in),
            (QKeySequence.StandardKey.ZoomOut, self.zoom_out),
        ):
            action = QAction(self)
            action.setShortcut(QKeySequence(keys))
            action.triggered.connect(lambda _checked=False, s=slot: s())
            self.addAction(action)
        return bar

    def _tool(self, text: str, slot: object, tip: str = "") -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setAutoRaise(True)
        if tip:
            button.setToolTip(tip)
            button.setAccessibleName(tip)
        button.clicked.connect(slot)
        return button

    def _size_to_parent(self, parent: QWidget | None) -> None:
        screen = (parent.screen() if parent is not None else None) or QApplication.primaryScreen()
        available = screen.availableGeometry() if screen is not None else None
        line = self.fontMetrics().lineSpacing()
        width, height = line * 60, line * 46
        if available is not None:
            width = min(width, int(available.width() * 0.9))
            height = min(height, int(available.height() * 0.9))
        self.resize(width, height)

    # -- state ----------------------------------------------------------------------------
    @property
    def page_count(self) -> int:
        return int(self.pdf.pageCount())

    @property
    def ready(self) -> bool:
        return self.pdf.status() == QPdfDocument.Status.Ready

    def _on_status(self, status: QPdfDocument.Status) -> None:
        if status == QPdfDocument.Status.Error:
            self.message_bar.show_error(
                self.tr("Das Dokument kann nicht angezeigt werden ({0}).").format(
                    self.pdf.error().name
                )
            )
        ok = status == QPdfDocument.Status.Ready
        self.print_button.setEnabled(ok)
        # Saving needs no rendering: the bytes are good even if QtPdf cannot show them.
        self.save_button.setEnabled(True)
        self._update_page_label(self.view.pageNavigator().currentPage())

    def _update_page_label(self, page: int) -> None:
        count = self.page_count
        if count < 1:
            self.page_label.setText("")
            return
        self.page_label.setText(self.tr("Seite {0} von {1}").format(page + 1, count))

    # -- zoom ---------------------------------------------------------------------------
    def fit_width(self) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)

    def fit_page(self) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.FitInView)

    def _zoom(self, factor: float) -> None:
        current = self.view.zoomFactor()
        if self.view.zoomMode() != QPdfView.ZoomMode.Custom:
            # The automatic modes keep their own factor: start from what is shown.
            size = self.pdf.pagePointSize(max(0, self.view.pageNavigator().currentPage()))
            viewport = self.view.viewport().width()
            if size.width() > 0:
                dpi_scale = self.logicalDpiX() / 72.0
                current = viewport / (size.width() * dpi_scale)
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(max(ZOOM_MIN, min(ZOOM_MAX, current * factor)))

    def zoom_in(self) -> None:
        self._zoom(ZOOM_STEP)

    def zoom_out(self) -> None:
        self._zoom(1 / ZOOM_STEP)

    # -- output ---------------------------------------------------------------------------
    def _report(self, outcome: PrintOutcome) -> PrintOutcome:
        self.last_outcome = outcome
        if outcome.done:
            self.message_bar.show_message(outcome.message, "info")
        elif outcome.message:
            self.message_bar.show_message(outcome.message, "warning")
        self.outcome.emit(outcome)
        return outcome

    def print_document(self) -> PrintOutcome:
        """Print the shown bytes through the print seam."""
        self.print_button.setEnabled(False)
        try:
            printer = print_qt.make_printer(self)
            return self._report(printer.print_pdf(self.document.pdf, self.document.title))
        finally:
            self.print_button.setEnabled(self.ready)

    def save_pdf(self) -> PrintOutcome:
        """„Als PDF speichern“: the shown bytes, under the document's suggested name."""
        saver = print_qt.make_pdf_saver(self, self.document.filename)
        return self._report(saver.print_pdf(self.document.pdf, self.document.title))
