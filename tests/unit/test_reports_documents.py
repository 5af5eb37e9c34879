"""Every document builds offline, embeds its fonts and is marked in exercises; the print seam."""

from __future__ import annotations

import sys
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from helpers import new_db, new_incident
from unit.netguard import no_network  # noqa: F401
from unit.test_reports_fixtures import (
    HOSTILE,
    HOSTILE_LINE,
    LEAD,
    LONG_WORD,
    S2,
    assert_all_fonts_embedded,
    demo_db,
    demo_templates,  # noqa: F401
    media_box,
    pdf_text,
)

from krisenstab.domain.facility import FacilityDraft
from krisenstab.reports.template import A5
from krisenstab.services.documents import DocumentKind, DocumentRequest, DocumentService
from krisenstab.services.printing import (
    FakePrinter,
    PdfFilePrinter,
    Printer,
    suggested_filename,
    write_pdf,
)
from krisenstab.services.reports import ReportService

pytestmark = pytest.mark.usefixtures("no_network")

# --------------------------------------------------------------------------- file access guard

_guard: dict = {"thread": None, "events": []}


def _audit(event: str, args: tuple) -> None:
    if _guard["thread"] == threading.get_ident() and event in ("open", "os.open"):
        _guard["events"].append(str(args[0]))


sys.addaudithook(_audit)


@contextmanager
def files_opened():
    events: list[str] = []
    _guard["events"] = events
    _guard["thread"] = threading.get_ident()
    try:
        yield events
    finally:
        _guard["thread"] = None


def _allowed(path: str, db_path: Path) -> bool:
    """The database (and its WAL), shipped fonts and schemas, the Python installation."""
    text = str(path)
    return (
        text.startswith(str(db_path))
        or "/resources/" in text
        or text.startswith(sys.prefix)
        or text.startswith(sys.base_prefix)
        or text.endswith((".py", ".pyc"))
        or "__pycache__" in text
    )


# --------------------------------------------------------------------------- every document


def _requests(inc: str) -> list[DocumentRequest]:
    return [
        DocumentRequest(DocumentKind.SITUATION_REPORT, incident_id=inc),
        DocumentRequest(DocumentKind.SITUATION_REPORT, incident_id=inc, report_number=1),
        DocumentRequest(DocumentKind.JOURNAL, incident_id=inc, keeper="Ole Musterstein"),
        DocumentRequest(DocumentKind.MESSAGE_FORM, incident_id=inc, message_number="E-1"),
        DocumentRequest(DocumentKind.CONTACT_LIST),
        DocumentRequest(DocumentKind.FACILITY_LIST),
    ]


@pytest.mark.parametrize("kind", ["real", "exercise"])
def test_every_document_builds_offline_embedded_and_marked(request, tmp_path, kind):
    db, inc = demo_db(request, tmp_path, kind)
    reports = ReportService(db, S2)
    reports.create_draft(inc)
    reports.release(inc, 1, actor=LEAD, allow_empty=True)
    reports.create_draft(inc)
    service = DocumentService(db)
    ReportService(db).pdf(inc)  # warm caches before watching file access
    for request in _requests(inc):
        with files_opened() as opened:
            document = service.build(request)
        strange = [p for p in opened if not _allowed(p, db.path)]
        assert strange == [], (request.kind, strange)
        assert document.pdf.startswith(b"%PDF-")
        assert document.exercise == (kind == "exercise")
        assert document.filename.endswith(".pdf")
        assert document.filename.startswith("UEBUNG_") == (kind == "exercise")
        assert_all_fonts_embedded(document.pdf, tmp_path)
        pages = pdf_text(document.pdf, tmp_path)
        for page in pages:
            assert ("ÜBUNG" in page) == (kind == "exercise"), request.kind
        if kind == "exercise":
            assert b"/Title (" in document.pdf or b"/Title <" in document.pdf


def test_message_form_is_a5_with_the_thirteen_fields(request, tmp_path):
    db, inc = demo_db(request, tmp_path)
    pdf = DocumentService(db).message_form(inc, "E-1")
    width, height = media_box(pdf)
    assert (round(width), round(height)) == (round(A5[0]), round(A5[1]))
    (page,) = pdf_text(pdf, tmp_path)[:1]
    for label in (
        "(1) Aufnahmevermerk",
        "(2) Annahmevermerk",
        "(3) Beförderungsvermerk",
        "(4) Nachweisungs-Nr.",
        "(5) Spruchkopf",
        "(6) Vorrangstufe",
        "(7) Anschrift",
        "(8) Gesprächsnotiz",
        "(9) Inhalt",
        "(10) Abfassungszeit",
        "(11) Absender",
        "(12) Zeichen / Funktion",
        "(13) Quittung",
    ):
        assert label in " ".join(page.split()), label
    assert "E-1" in page and "Sichtung" in page


def test_message_form_with_hostile_and_long_content(tmp_path):
    from krisenstab.services.messages import MessageService

    db = new_db(tmp_path)
    inc = new_incident(db)
    message = MessageService(db, S2).record_incoming(
        inc,
        sender=HOSTILE_LINE,
        content=(HOSTILE + " " + LONG_WORD + " ") * 1 + "Schluss " * 1000,
        priority="blitz",
        header=HOSTILE_LINE,
        conversation_note=True,
    )
    pdf = DocumentService(db).message_form(inc, message.number)
    assert_all_fonts_embedded(pdf, tmp_path)
    pages = pdf_text(pdf, tmp_path)
    assert len(pages) >= 2  # the content runs on
    first = pages[0]
    assert "☒ Blitz" in first and "☒ Gesprächsnotiz" in first
    assert '<img src="http://127.0.0.1:9/bild.png">' in "".join(pages)


def test_contact_and_facility_lists_show_what_the_staff_needs(request, tmp_path):
    db, _inc = demo_db(request, tmp_path)
    service = DocumentService(db)
    contacts = " ".join(" ".join(pdf_text(service.contact_list(), tmp_path)).split())
    assert "Besetzung des Stabes" in contacts and "Zuständigkeiten" in contacts
    assert "Max Mustermann" in contacts and "unbesetzt" in contacts
    assert "Mobil 0221" in contacts  # numbers of the holders
    facilities = " ".join(" ".join(pdf_text(service.facility_list(), tmp_path)).split())
    assert "KRITIS-Statusliste" in facilities
    assert "ausgefallen:" in facilities and "Notstrombetrieb" in facilities
    assert "Telefon 24/7" in facilities


def test_lists_without_data_still_print(tmp_path):
    db = new_db(tmp_path)
    service = DocumentService(db)
    contacts = "".join(pdf_text(service.contact_list(), tmp_path))
    assert "keine Zuständigkeiten erfasst" in contacts
    facilities = "".join(pdf_text(service.facility_list(), tmp_path))
    assert "keine Objekte erfasst" in facilities


def test_facility_list_with_hostile_names(tmp_path):
    from krisenstab.services.facilities import FacilityService

    db = new_db(tmp_path)
    new_incident(db)
    service = FacilityService(db, S2)
    view = service.create(
        FacilityDraft(
            name="Wasserwerk <b>Muster</b> & 🧯",
            sector="Wasser",
            municipality="Düren",
            emergency_power=True,
            autonomy_h=8,
            persons_supplied=12500,
            notes=HOSTILE + LONG_WORD[:9000],
        )
    )
    service.set_status(view.id, "Notstrombetrieb", note=HOSTILE_LINE)
    pdf = DocumentService(db).facility_list()
    assert_all_fonts_embedded(pdf, tmp_path)
    text = " ".join("".join(pdf_text(pdf, tmp_path)).split())
    assert "Wasserwerk <b>Muster</b> & [U+1F9EF]" in text
    assert "12.500" in text  # German thousands separator, whatever the locale


# --------------------------------------------------------------------------- the print seam


def test_fake_printer_records_jobs_and_refuses_non_pdf():
    printer = FakePrinter()
    assert isinstance(printer, Printer)
    outcome = printer.print_pdf(b"%PDF-1.4 test", "Lagebericht Nr. 1")
    assert outcome.done and printer.jobs[0].title == "Lagebericht Nr. 1"
    assert not printer.print_pdf(b"<html>", "X").done
    printer.refuse = "Kein Drucker erreichbar."
    refused = printer.print_pdf(b"%PDF-1.4", "Y")
    assert (refused.done, refused.message) == (False, "Kein Drucker erreichbar.")
    assert len(printer.jobs) == 1


def test_save_as_pdf_printer_writes_atomically(tmp_path):
    chosen: list[str] = []

    def choose(name: str) -> Path:
        chosen.append(name)
        return tmp_path / "ausgabe" / name

    printer = PdfFilePrinter(choose)
    assert isinstance(printer, Printer)
    outcome = printer.print_pdf(b"%PDF-1.4 inhalt", "Lagebericht Nr. 3 – Folgemeldung")
    assert outcome.done
    assert chosen == ["Lagebericht_Nr._3_–_Folgemeldung.pdf"]
    assert Path(outcome.target).read_bytes() == b"%PDF-1.4 inhalt"
    assert list((tmp_path / "ausgabe").iterdir()) == [Path(outcome.target)]
    assert not PdfFilePrinter(lambda name: None).print_pdf(b"%PDF-", "X").done
    blocked = tmp_path / "datei"
    blocked.write_text("kein Ordner")
    failed = PdfFilePrinter(lambda name: blocked / name).print_pdf(b"%PDF-", "X")
    assert not failed.done and "kann nicht geschrieben werden" in failed.message
    assert suggested_filename("../../etc/passwd") == "etc_passwd.pdf"
    write_pdf(b"%PDF-2", tmp_path / "x.pdf")
    assert (tmp_path / "x.pdf").read_bytes() == b"%PDF-2"


def test_documents_reach_the_printer_seam_unchanged(request, tmp_path):
    db, inc = demo_db(request, tmp_path, "exercise")
    ReportService(db, S2).create_draft(inc)
    ReportService(db, S2).release(inc, 1, actor=LEAD, allow_empty=True)
    printer = FakePrinter()
    document = DocumentService(db).build(
        DocumentRequest(DocumentKind.SITUATION_REPORT, incident_id=inc, report_number=1)
    )
    printer.print_pdf(document.pdf, document.title)
    assert printer.jobs[0].pdf_bytes == ReportService(db).pdf(inc, 1)
    assert printer.jobs[0].title == "Lagebericht Nr. 1 – Erstmeldung"
