"""Preview (QtPdf), printing through the seam, „Als PDF speichern“, Datei → Drucken.

No test opens a dialog or needs a printer: `print_qt.make_printer` is a
FakePrinter, the file chooser returns a path, and `QtPrinter` is handed an
``ask`` that points the QPrinter at a PDF file.
"""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSize, QSizeF
from PySide6.QtGui import QPageLayout
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter

from krisenstab.domain.timefmt import utcnow
from krisenstab.gui import print_files, print_menu, print_qt
from krisenstab.gui.print_menu import JournalPrintDialog, JournalPrintOptions
from krisenstab.gui.print_preview import PreviewDialog
from krisenstab.services import documents
from krisenstab.services.documents import DocumentKind, DocumentRequest, DocumentService
from krisenstab.services.printing import FakePrinter
from krisenstab.services.reports import ReportService

WAIT_MS = 20_000


def page_count(pdf: bytes) -> int:
    """Pages as ReportLab writes them (independent of QtPdf)."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


@pytest.fixture
def fake_printer(monkeypatch: pytest.MonkeyPatch) -> FakePrinter:
    printer = FakePrinter()
    monkeypatch.setattr(print_qt, "make_printer", lambda parent: printer)
    return printer


@pytest.fixture
def pdf_target(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    """The file chooser: answers a path in tmp_path; records the suggested names."""
    suggested: list[str] = []

    def choose(parent: Any, name: str) -> str:
        suggested.append(name)
        return str(tmp_path / "ausdrucke" / name)

    monkeypatch.setattr(print_files, "choose_pdf_target", choose)
    return suggested


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[tuple[DocumentRequest, str]]:
    """Every document build: (request, thread name)."""
    calls: list[tuple[DocumentRequest, str]] = []
    original = DocumentService.build

    def build(self: DocumentService, request: DocumentRequest) -> Any:
        calls.append((request, threading.current_thread().name))
        return original(self, request)

    monkeypatch.setattr(documents.DocumentService, "build", build)
    return calls


def journal_document(db: Any, incident_id: str) -> documents.PrintableDocument:
    return DocumentService(db).build(DocumentRequest(DocumentKind.JOURNAL, incident_id=incident_id))


def open_preview(qtbot: Any, document: Any) -> PreviewDialog:
    dialog = PreviewDialog(document)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.ready, timeout=WAIT_MS)
    return dialog


def wait_preview(qtbot: Any, jobs: Any) -> PreviewDialog:
    qtbot.waitUntil(lambda: bool(jobs.previews) and not jobs.busy, timeout=WAIT_MS)
    dialog = jobs.previews[-1]
    qtbot.waitUntil(lambda: dialog.ready, timeout=WAIT_MS)
    return dialog


# -- the preview -------------------------------------------------------------------------
def test_preview_loads_the_pdf(qtbot, db, incident_id) -> None:
    document = journal_document(db, incident_id)
    dialog = open_preview(qtbot, document)
    assert dialog.pdf.status() == QPdfDocument.Status.Ready
    assert dialog.page_count == page_count(document.pdf) >= 1
    assert dialog.page_label.text() == f"Seite 1 von {dialog.page_count}"
    assert dialog.print_button.isEnabled() and dialog.save_button.isEnabled()
    assert "Einsatztagebuch" in dialog.windowTitle()
    dialog.zoom_in()
    dialog.zoom_out()
    dialog.fit_page()
    dialog.fit_width()


def test_print_goes_to_the_fake_printer_with_the_same_bytes(
    qtbot, db, incident_id, fake_printer
) -> None:
    document = journal_document(db, incident_id)
    dialog = open_preview(qtbot, document)
    with qtbot.waitSignal(dialog.outcome) as signal:
        dialog.print_button.click()
    assert signal.args[0].done
    assert len(fake_printer.jobs) == 1
    assert fake_printer.jobs[0].pdf_bytes == document.pdf
    assert fake_printer.jobs[0].title == document.title
    assert "Testdrucker" in dialog.message_bar.text


def test_refusing_printer_shows_its_reason(qtbot, db, incident_id, fake_printer) -> None:
    fake_printer.refuse = "Kein Papier im Muster-Drucker."
    dialog = open_preview(qtbot, journal_document(db, incident_id))
    outcome = dialog.print_document()
    assert not outcome.done
    assert dialog.message_bar.text == "Kein Papier im Muster-Drucker."
    assert dialog.message_bar.level == "warning"


def test_save_as_pdf_writes_the_bytes_under_the_suggested_name(
    qtbot, db, incident_id, pdf_target, tmp_path
) -> None:
    document = journal_document(db, incident_id)
    dialog = open_preview(qtbot, document)
    dialog.save_button.click()
    assert pdf_target == [document.filename]
    written = tmp_path / "ausdrucke" / document.filename
    assert written.read_bytes() == document.pdf
    assert dialog.last_outcome is not None and dialog.last_outcome.done


def test_cancelled_save_writes_nothing(qtbot, db, incident_id, monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(print_files, "choose_pdf_target", lambda parent, name: None)
    dialog = open_preview(qtbot, journal_document(db, incident_id))
    outcome = dialog.save_pdf()
    assert not outcome.done and "abgebrochen" in outcome.message
    assert not list(tmp_path.rglob("*.pdf"))


def test_exercise_documents_say_uebung(qtbot, exercise_db, pdf_target) -> None:
    document = DocumentService(exercise_db).build(DocumentRequest(DocumentKind.CONTACT_LIST))
    dialog = open_preview(qtbot, document)
    assert dialog.windowTitle().startswith("ÜBUNG")
    dialog.save_pdf()
    assert pdf_target[0].startswith("UEBUNG_")


# -- QtPrinter: the real printing path, pointed at a PDF file -----------------------------
def to_file(path: Path, first: int = 0, last: int = 0):  # type: ignore[no-untyped-def]
    def ask(printer: QPrinter) -> bool:
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(path))
        if first:
            printer.setPrintRange(QPrinter.PrintRange.PageRange)
            printer.setFromTo(first, last)
        return True

    return ask


def load(path: Path) -> QPdfDocument:
    document = QPdfDocument()
    document.load(str(path))
    return document


def test_qt_printer_renders_every_page(qtbot, db, incident_id, tmp_path) -> None:
    document = journal_document(db, incident_id)
    target = tmp_path / "gedruckt.pdf"
    outcome = print_qt.QtPrinter(ask=to_file(target), max_dpi=100).print_pdf(
        document.pdf, document.title
    )
    assert outcome.done, outcome.message
    printed = load(target)
    assert printed.pageCount() == page_count(document.pdf)
    size = printed.pagePointSize(0)
    assert abs(size.width() - 595) < 2 and abs(size.height() - 842) < 2  # A4 portrait
    # Something was drawn: the page is not blank.
    image = printed.render(0, QSize(200, 283))
    assert any(
        image.pixelColor(x, y).lightness() < 128 for x in range(0, 200, 4) for y in range(0, 283, 4)
    )


def test_qt_printer_keeps_landscape_and_page_range(qtbot, db, tmp_path) -> None:
    document = DocumentService(db).build(DocumentRequest(DocumentKind.FACILITY_LIST))
    target = tmp_path / "kritis.pdf"
    outcome = print_qt.QtPrinter(ask=to_file(target, 1, 1), max_dpi=72).print_pdf(
        document.pdf, document.title
    )
    assert outcome.done, outcome.message
    printed = load(target)
    assert printed.pageCount() == 1
    size = printed.pagePointSize(0)
    assert size.width() > size.height()


def test_qt_printer_cancel_and_garbage(qtbot) -> None:
    cancelled = print_qt.QtPrinter(ask=lambda printer: False)
    outcome = cancelled.print_pdf(b"%PDF-1.4 kaputt", "Kaputt")
    assert not outcome.done
    assert not cancelled.print_pdf(b"<html>", "Kein PDF").done


def test_page_layout_matches_a4_a5_and_orientation() -> None:
    from PySide6.QtGui import QPageSize

    size, orientation = print_qt.page_layout_for(QSizeF(841.89, 595.28))
    assert size.id() == QPageSize.PageSizeId.A4
    assert orientation == QPageLayout.Orientation.Landscape
    size, orientation = print_qt.page_layout_for(QSizeF(419.53, 595.28))
    assert size.id() == QPageSize.PageSizeId.A5
    assert orientation == QPageLayout.Orientation.Portrait


# -- Datei → Drucken ------------------------------------------------------------------
def test_print_menu_sits_above_quit(window) -> None:
    actions = window.file_menu.actions()
    texts = [a.text() for a in actions]
    drucken = texts.index("&Drucken")
    assert texts.index("&CAP-Warnung importieren …") > drucken
    assert texts.index("&Beenden") > drucken
    entries = [a.text() for a in window.print_menu.print_menu.actions() if a.text()]
    assert entries == [
        "&Aktuelle Ansicht drucken …",
        "&Lagebericht …",
        "&Einsatztagebuch …",
        "&Nachrichtenvordruck …",
        "E&rreichbarkeitsliste",
        "&KRITIS-Statusliste",
    ]


def test_documents_are_built_off_the_gui_thread(window, qtbot, built) -> None:
    window.print_menu.facilities_action.trigger()
    dialog = wait_preview(qtbot, window.print_menu.documents)
    assert dialog.document.title == "KRITIS-Statusliste"
    assert built and built[0][1] != threading.main_thread().name
    dialog.close()


def test_journal_print_asks_period_and_keeper(window, qtbot, built, monkeypatch) -> None:
    since = utcnow() - timedelta(hours=1)
    monkeypatch.setattr(
        print_menu,
        "ask_journal_options",
        lambda parent, keeper="": JournalPrintOptions(since=since, keeper="Muster Tagebuch"),
    )
    window.print_menu.journal_action.trigger()
    dialog = wait_preview(qtbot, window.print_menu.documents)
    request = built[-1][0]
    assert request.kind is DocumentKind.JOURNAL
    assert request.since == since and request.keeper == "Muster Tagebuch"
    assert dialog.document.title == "Einsatztagebuch"


def test_journal_print_cancelled_builds_nothing(window, qtbot, built, monkeypatch) -> None:
    monkeypatch.setattr(print_menu, "ask_journal_options", lambda parent, keeper="": None)
    window.print_menu.print_journal()
    assert built == []


def test_journal_print_dialog_checks_the_period(qtbot) -> None:
    dialog = JournalPrintDialog(keeper="Muster")
    qtbot.addWidget(dialog)
    dialog.since_edit.setText("27.11.2026 10:00")
    dialog.until_edit.setText("27.11.2026 09:00")
    with pytest.raises(ValueError, match="beginnt nach"):
        dialog.options()
    dialog.accept()
    assert "beginnt nach" in dialog.error_label.text()
    dialog.until_edit.setText("gestern")
    with pytest.raises(ValueError, match="Bis"):
        dialog.options()
    dialog.until_edit.setText("")
    options = dialog.options()
    assert options.until is None and options.keeper == "Muster"


def test_message_form_asks_the_number_when_none_is_shown(
    window, qtbot, db, actor, incident_id, built, fake_dialogs
) -> None:
    from krisenstab.services.messages import MessageService

    message = MessageService(db, actor).record_incoming(
        incident_id, sender="Leitstelle (Muster)", content="Pegel steigt.", actor=actor
    )
    fake_dialogs.texts.append(message.number)
    window.print_menu.message_action.trigger()
    dialog = wait_preview(qtbot, window.print_menu.documents)
    assert fake_dialogs.asked and "Nummer" in fake_dialogs.asked[0][1]
    assert built[-1][0].message_number == message.number
    assert dialog.document.title == f"Nachricht {message.number}"


def test_message_form_of_an_unknown_number_shows_the_reason(
    window, qtbot, built, fake_dialogs
) -> None:
    fake_dialogs.texts.append("E-999")
    window.print_menu.print_message()
    qtbot.waitUntil(lambda: bool(fake_dialogs.errors), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not window.print_menu.documents.busy, timeout=WAIT_MS)
    assert "E-999" in fake_dialogs.errors[0][1] or "999" in fake_dialogs.errors[0][1]
    assert not window.print_menu.documents.previews


def test_ctrl_p_on_the_lage_tab_previews_the_draft(
    window, qtbot, db, actor, incident_id, fake_printer
) -> None:
    ReportService(db, actor).create_draft(incident_id)
    window.show_tab("report")
    window.print_menu.print_current_action.trigger()
    dialog = wait_preview(qtbot, window.print_menu.documents)
    assert dialog.document.title.startswith("ENTWURF Lagebericht Nr. 1")
    dialog.print_document()
    assert fake_printer.jobs[0].pdf_bytes == dialog.document.pdf


def test_released_report_prints_its_stored_bytes(
    window, qtbot, db, actor, incident_id, fake_printer, pdf_target, tmp_path
) -> None:
    service = ReportService(db, actor)
    service.create_draft(incident_id)
    service.release(incident_id, 1, allow_empty=True)
    stored = service.pdf(incident_id, 1)
    tab = window.show_tab("report")
    tab.editor.preview_button.click()
    dialog = wait_preview(qtbot, tab.documents)
    assert dialog.document.pdf == stored
    dialog.print_document()
    dialog.save_pdf()
    assert fake_printer.jobs[0].pdf_bytes == stored
    assert (tmp_path / "ausdrucke" / pdf_target[0]).read_bytes() == stored


def test_ctrl_p_on_other_tabs_prints_their_document(window, qtbot, built) -> None:
    window.show_tab("kritis")
    window.print_menu.print_current()
    wait_preview(qtbot, window.print_menu.documents)
    assert built[-1][0].kind is DocumentKind.FACILITY_LIST
    window.show_tab("contacts")
    window.print_menu.print_current()
    qtbot.waitUntil(
        lambda: len(built) == 2 and not window.print_menu.documents.busy, timeout=WAIT_MS
    )
    assert built[-1][0].kind is DocumentKind.CONTACT_LIST


def test_report_print_without_any_report_says_so(window, qtbot, built, fake_dialogs) -> None:
    window.print_menu.report_action.trigger()
    assert built == []
    assert "noch keinen Lagebericht" in fake_dialogs.infos[0][1]


def test_preview_and_print_need_no_network(window, qtbot, monkeypatch, fake_printer) -> None:
    import socket

    attempts: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise OSError("Netzwerk im Test abgeschaltet")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    jobs = window.print_menu.documents
    for action in (window.print_menu.contacts_action, window.print_menu.facilities_action):
        action.trigger()
        dialog = wait_preview(qtbot, jobs)
        assert dialog.print_document().done
        dialog.close()
        qtbot.waitUntil(lambda: not jobs.previews, timeout=WAIT_MS)
    assert len(fake_printer.jobs) == 2
    assert attempts == []
