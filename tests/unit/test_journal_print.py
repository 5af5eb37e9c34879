"""The Einsatztagebuch printout: Blatt x von y, corrections, period filter, signature block."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from helpers import new_db, new_incident
from unit.netguard import no_network  # noqa: F401
from unit.test_reports_fixtures import (
    HOSTILE,
    LONG_WORD,
    S2,
    Clock,
    assert_all_fonts_embedded,
    page_count,
    pdf_text,
)

from krisenstab.domain.journal import EntryKind
from krisenstab.reports.journal_print import build_journal_pdf
from krisenstab.reports.paging import windowed_table
from krisenstab.reports.tables import column_widths
from krisenstab.reports.template import DocumentMeta, build_pdf, content_width
from krisenstab.services.context import ServiceError
from krisenstab.services.documents import DocumentService
from krisenstab.services.journal import JournalService

pytestmark = pytest.mark.usefixtures("no_network")

# Two days back: entries lie in the past whatever the machine's date.
START = (datetime.now(UTC) - timedelta(days=2)).replace(hour=6, minute=0, second=0, microsecond=0)


def journal_with_times(db, count: int = 40) -> str:
    """An incident whose entries are recorded 10 minutes apart from START."""
    from krisenstab.services.journal import write_entry

    inc = new_incident(db)
    with db.write() as session:
        for i in range(count):
            write_entry(
                session,
                inc,
                S2,
                f"Meldung {i + 2}: Pegel Düren {3 + i / 100:.2f} m (Muster). " * (1 + i % 4),
                kind=EntryKind.LAGE if i % 3 else EntryKind.ENTSCHEIDUNG,
                recorded_at=START + timedelta(minutes=10 * i),
            )
    return inc


def test_journal_printout_sheets_corrections_and_signature(tmp_path):
    db = new_db(tmp_path)
    inc = journal_with_times(db, 60)
    journal = JournalService(db, S2)
    correction = journal.correct(inc, 5, "Pegel Düren 3,50 m (berichtigt, Muster).")
    service = DocumentService(db, clock=Clock(START + timedelta(hours=12)))
    pdf = service.journal(inc, keeper="Ole Musterstein (Tagebuchführer)")
    assert_all_fonts_embedded(pdf, tmp_path)
    pages = pdf_text(pdf, tmp_path)
    total = len(pages)
    assert total == page_count(pdf) >= 3
    for number, page in enumerate(pages, start=1):
        assert f"Blatt {number} von {total}" in page
    for page in pages[:-1]:  # the last sheet may hold only the closing block
        assert "Lfd." in page  # the header row repeats on every sheet
    whole = "\n".join(pages)
    assert "Darstellung der Ereignisse, Maßnahmen, Überlegungen" in whole
    # The corrected original stays legible beside its correction.
    assert f"berichtigt durch Nr. {correction.number}" in whole
    assert "Berichtigung zu Nr. 5" in whole
    assert "bisher (Nr. 5): Meldung 5" in " ".join(whole.split())
    # The closing block names the keeper and leaves room to sign.
    last = pages[-1]
    assert "Abschluss" in last and "Tagebuchführer" in last
    assert "Ole Musterstein (Tagebuchführer)" in last
    assert "Datum, Unterschrift" in last
    assert f"Abgeschlossen mit Eintrag Nr. {correction.number}" in " ".join(last.split())


def test_period_filter_prints_only_that_period_but_keeps_originals(tmp_path):
    db = new_db(tmp_path)
    inc = journal_with_times(db, 30)
    journal = JournalService(db, S2)
    journal.correct(inc, 3, "Berichtigte Fassung (Muster).")
    since = START + timedelta(minutes=95)  # from entry 12 on (recorded 06:00 + 10 min steps)
    until = START + timedelta(minutes=155)
    document = DocumentService(db, clock=Clock(START + timedelta(days=1))).journal_document(
        inc, since=since, until=until
    )
    numbers = [e.number for e in document.entries]
    assert numbers == list(range(12, 18))
    assert document.total_entries == 32
    whole = " ".join("".join(pdf_text(build_journal_pdf(document), tmp_path)).split())
    assert "6 Einträge (Nr. 12 bis Nr. 17) von insgesamt 32" in whole
    assert "Meldung 11:" not in whole and "Meldung 18:" not in whole
    with pytest.raises(ServiceError, match="beginnt nach seinem Ende"):
        DocumentService(db).journal_document(inc, since=until, until=since)
    # A correction printed in a period whose original lies before it shows the original.
    later = DocumentService(db).journal_document(inc, since=datetime.now(UTC) - timedelta(hours=1))
    assert [e.corrects for e in later.entries if e.corrects] == [3]
    assert 3 in later.originals
    assert "bisher (Nr. 3)" in "".join(pdf_text(build_journal_pdf(later), tmp_path))


def test_empty_period_and_exercise_marking(tmp_path):
    db = new_db(tmp_path, "uebung.db", kind="exercise")
    inc = new_incident(db)
    pdf = DocumentService(db).journal(inc, since=datetime(2030, 1, 1, tzinfo=UTC))
    (page,) = pdf_text(pdf, tmp_path)
    assert "keine Einträge" in page
    assert "ÜBUNG" in page and "Blatt 1 von 1" in page


def test_hostile_entries_print_literally(tmp_path):
    db = new_db(tmp_path)
    inc = new_incident(db, "Lage <b>fett</b> & Co (Muster)")
    journal = JournalService(db, S2)
    journal.add(inc, HOSTILE)
    journal.add(inc, LONG_WORD)
    journal.correct(inc, 2, HOSTILE + " berichtigt")
    pdf = DocumentService(db).journal(inc, keeper=HOSTILE[:100])
    assert b"/URI" not in pdf
    assert_all_fonts_embedded(pdf, tmp_path)
    whole = "".join(pdf_text(pdf, tmp_path))
    assert "<b>fett</b> & Co" in whole
    assert '<font face="/etc/passwd">F</font>' in whole


def test_journal_of_a_demo_size_builds_every_kind_of_row(tmp_path):
    db = new_db(tmp_path)
    inc = journal_with_times(db, 300)
    pdf = DocumentService(db).journal(inc)
    pages = pdf_text(pdf, tmp_path)
    numbers_seen = set()
    for page in pages:
        for line in page.splitlines():
            head = line.split(" ", 1)[0]
            if head.isdigit():
                numbers_seen.add(int(head))
    # every entry number appears once as the first cell of a row
    assert set(range(1, 302)) <= numbers_seen


def test_windowed_table_keeps_rows_in_order_across_pages(tmp_path):
    width = content_width()
    rows = [[str(i), ("Text " * (1 + i % 40)) + f"Ende{i}"] for i in range(400)]
    rows[150][1] = "Riesig " * 3000 + "Ende150"  # taller than a page: split inside the row
    meta = DocumentMeta(
        title="Liste",
        staff_name="Krisenstab (Muster)",
        doc_id="x",
        dtg="271530nov26",
        created_at=datetime(2026, 11, 27, tzinfo=UTC),
    )
    pdf = build_pdf(meta, [windowed_table(["Nr.", "Text"], rows, column_widths(width, 1, 8))])
    pages = pdf_text(pdf, tmp_path)
    order = [int(w[4:]) for w in " ".join(pages).split() if w.startswith("Ende")]
    assert order == list(range(400))
    assert all(page.count("Nr.") >= 1 for page in pages)
