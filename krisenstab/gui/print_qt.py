"""The GUI side of the print seam: system printers through QPrinter, and „Als PDF speichern“.

The finished PDF bytes are never re-laid-out: QtPdf renders each page of the
very bytes the preview shows onto the printer, so paper and file match.

Tests never reach a dialog: they replace `make_printer` (e.g. with a
`FakePrinter`) and `print_files.choose_pdf_target`, or hand `QtPrinter` an
``ask`` function that points the QPrinter at a PDF file instead of asking.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QBuffer, QByteArray, QCoreApplication, QIODevice, QRectF, QSize, QSizeF
from PySide6.QtGui import QColor, QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QApplication, QWidget

from krisenstab.gui import print_files
from krisenstab.services.printing import PdfFilePrinter, Printer, PrintOutcome

# Beyond this the page images only grow, not the print quality of a report.
MAX_RENDER_DPI = 300
POINTS_PER_INCH = 72.0


def _tr(text: str) -> str:
    return QCoreApplication.translate("QtPrinter", text)


class PrintError(Exception):
    """The printer could not be used; the message is German."""


def open_pdf(pdf_bytes: bytes, parent: QWidget | None = None) -> tuple[QPdfDocument, QBuffer]:
    """A QPdfDocument reading ``pdf_bytes`` from memory.

    The buffer must live as long as the document: keep both.
    """
    buffer = QBuffer(parent)
    buffer.setData(QByteArray(pdf_bytes))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument(parent)
    document.load(buffer)
    return document, buffer


def page_layout_for(size_pt: QSizeF) -> tuple[QPageSize, QPageLayout.Orientation]:
    """The paper (A4, A5, … when it matches) and orientation of a PDF page."""
    width, height = size_pt.width(), size_pt.height()
    portrait = QSizeF(min(width, height), max(width, height))
    page_size = QPageSize(portrait, QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.FuzzyMatch)
    orientation = (
        QPageLayout.Orientation.Landscape if width > height else QPageLayout.Orientation.Portrait
    )
    return page_size, orientation


def page_range(printer: QPrinter, count: int) -> range:
    """The 0-based pages to print: all, or the range chosen in the dialog."""
    if count <= 0:
        return range(0)
    first, last = 1, count
    if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
        first = max(1, printer.fromPage())
        last = min(count, printer.toPage() or count)
    return range(first - 1, last)


def render_page(document: QPdfDocument, page: int, dpi: int) -> QImage:
    """One page as an opaque image (QtPdf renders on transparent ground)."""
    size_pt = document.pagePointSize(page)
    size = QSize(
        max(1, round(size_pt.width() / POINTS_PER_INCH * dpi)),
        max(1, round(size_pt.height() / POINTS_PER_INCH * dpi)),
    )
    rendered = document.render(page, size)
    image = QImage(size, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.drawImage(0, 0, rendered)
    painter.end()
    return image


def _fit(image_size: QSize, target: QRectF) -> QRectF:
    """``target`` shrunk to the image's aspect ratio, centred."""
    if image_size.isEmpty() or target.isEmpty():
        return target
    scale = min(target.width() / image_size.width(), target.height() / image_size.height())
    width, height = image_size.width() * scale, image_size.height() * scale
    return QRectF(
        target.x() + (target.width() - width) / 2,
        target.y() + (target.height() - height) / 2,
        width,
        height,
    )


def render_pdf(
    document: QPdfDocument,
    printer: QPrinter,
    *,
    max_dpi: int = MAX_RENDER_DPI,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Paint the pages of ``document`` onto ``printer``; returns the number of pages.

    The printer should be set to full page (the PDF carries its own margins).
    """
    pages = page_range(printer, document.pageCount())
    if not pages:
        raise PrintError(_tr("Das Dokument hat keine Seiten im gewählten Bereich."))
    dpi = max(72, min(printer.resolution(), max_dpi))
    painter = QPainter()
    if not painter.begin(printer):
        name = printer.printerName() or printer.outputFileName()
        raise PrintError(_tr("Der Drucker „{0}“ kann nicht angesprochen werden.").format(name))
    try:
        for done, page in enumerate(pages):
            if done and not printer.newPage():
                raise PrintError(_tr("Der Drucker hat die nächste Seite abgelehnt."))
            image = render_page(document, page, dpi)
            target = printer.pageRect(QPrinter.Unit.DevicePixel)
            painter.drawImage(_fit(image.size(), target), image)
            if progress is not None:
                progress(done + 1, len(pages))
    finally:
        painter.end()
    return len(pages)


def _ask_with_dialog(parent: QWidget | None) -> Callable[[QPrinter], bool]:
    def ask(printer: QPrinter) -> bool:
        dialog = QPrintDialog(printer, parent)
        dialog.setWindowTitle(_tr("Drucken"))
        dialog.setOption(QPrintDialog.PrintDialogOption.PrintPageRange, True)
        dialog.setOption(QPrintDialog.PrintDialogOption.PrintToFile, True)
        return dialog.exec() == QPrintDialog.DialogCode.Accepted

    return ask


class QtPrinter:
    """`Printer` on the system's printers: QPrintDialog, then the PDF pages via QtPdf.

    ``ask(printer)`` configures the QPrinter and says whether to go on; by
    default it is the print dialog.
    """

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        ask: Callable[[QPrinter], bool] | None = None,
        max_dpi: int = MAX_RENDER_DPI,
    ) -> None:
        self.parent = parent
        self.ask = ask or _ask_with_dialog(parent)
        self.max_dpi = max_dpi

    def print_pdf(self, pdf_bytes: bytes, title: str) -> PrintOutcome:
        if not pdf_bytes.startswith(b"%PDF-"):
            return PrintOutcome(
                False, _tr("„{0}“ ist kein PDF und wird nicht gedruckt.").format(title)
            )
        document, buffer = open_pdf(pdf_bytes)
        try:
            if document.status() != QPdfDocument.Status.Ready or document.pageCount() < 1:
                return PrintOutcome(
                    False,
                    _tr("„{0}“ kann nicht gelesen werden und wird nicht gedruckt.").format(title),
                )
            printer = QPrinter(QPrinter.PrinterMode.HighResolution)
            printer.setDocName(title)
            printer.setFullPage(True)
            page_size, orientation = page_layout_for(document.pagePointSize(0))
            printer.setPageSize(page_size)
            printer.setPageOrientation(orientation)
            printer.setFromTo(1, document.pageCount())
            if not self.ask(printer):
                return PrintOutcome(False, _tr("Drucken abgebrochen."))
            target = printer.printerName() or printer.outputFileName() or _tr("Drucker")
            try:
                pages = render_pdf(
                    document,
                    printer,
                    max_dpi=self.max_dpi,
                    progress=lambda _done, _total: QApplication.processEvents(),
                )
            except PrintError as exc:
                return PrintOutcome(False, str(exc), target)
            return PrintOutcome(
                True,
                _tr("„{0}“ an {1} gesendet ({2} Seiten).").format(title, target, pages),
                target,
            )
        finally:
            document.close()
            buffer.close()
            document.deleteLater()
            buffer.deleteLater()


def make_printer(parent: QWidget | None) -> Printer:
    """The printer behind „Drucken …“ (tests replace this function)."""
    return QtPrinter(parent)


def make_pdf_saver(parent: QWidget | None, filename: str) -> Printer:
    """„Als PDF speichern“: a file chooser suggesting ``filename``."""
    return PdfFilePrinter(lambda _title_name: print_files.choose_pdf_target(parent, filename))
