"""Report benchmarks: the Lagebericht of a large incident and a 10,000-entry ETB printout.

Run: python tests/benchmarks/bench_reports.py [--facilities 500] [--entries 2000]
     [--tasks 200] [--etb 10000] [--rounds 3]

Targets (issue 5 §7):
- a report for an incident with 500 facilities, 2,000 journal entries and 200
  tasks: <= 2 s, and <= 2x a bare ReportLab LongTable document of the same
  rows built in the same run;
- an ETB printout of 10,000 entries: <= 10 s.

The report is measured in its worst case: every journal entry is chosen as
significant, 400 of the 500 facilities are failed, on generator or impaired
(150 of them on generator), and all 200 tasks are open (half of them overdue).
The baseline is what ReportLab does with the same rows and nothing else:
one plain ``LongTable`` per list with a repeated header row, Paragraph cells
where text must wrap and plain strings elsewhere, in a SimpleDocTemplate with
the same embedded font; no page header/footer, no escaping, no watermark.
Figures are medians of ``--rounds`` builds.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))


def median_time(fn, rounds: int) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    times = []
    result = None
    for _ in range(rounds):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def build_incident(folder: Path, facilities: int, entries: int, tasks: int):  # type: ignore[no-untyped-def]
    from krisenstab.domain.facility import FacilityDraft
    from krisenstab.domain.journal import EntryKind
    from krisenstab.domain.timefmt import utcnow
    from krisenstab.services.context import Actor
    from krisenstab.services.facilities import FacilityService
    from krisenstab.services.incidents import IncidentService
    from krisenstab.services.journal import write_entry
    from krisenstab.services.tasks import TaskService
    from krisenstab.store.database import Database

    db = Database.open(folder / "gross.db")
    s2 = Actor("Max Mustermann", "S2", "ws-bench")
    inc = IncidentService(db).create("Großschadenslage Stromausfall (Muster)", s2).id
    fac = FacilityService(db, s2)
    municipalities = fac.municipality_names()
    now = utcnow()
    ids = []
    for i in range(facilities):
        view = fac.create(
            FacilityDraft(
                name=f"Objekt {i:03d} (Muster)",
                sector=("Energie", "Wasser", "Gesundheit", "Lokal kritische Einrichtungen")[i % 4],
                municipality=municipalities[i % len(municipalities)],
                emergency_power=i % 3 != 0,
                autonomy_h=4 + i % 40 if i % 3 else None,
                persons_supplied=500 + 37 * i,
            )
        )
        ids.append(view.id)
    for i, facility_id in enumerate(ids[1:], start=1):
        fac.add_dependency(facility_id, ids[(i * 7) % i], "Strom", tolerance_h=i % 5)
    for i, facility_id in enumerate(ids):
        band = i % 10
        status = (
            "ausgefallen"
            if band < 3
            else "Notstrombetrieb"
            if band < 6 and i % 3
            else "eingeschränkt"
            if band < 8
            else None
        )
        if status is not None:
            fac.set_status(
                facility_id, status, incident_id=inc, since=now - timedelta(hours=1 + i % 5)
            )
    with db.write() as session:
        for i in range(entries):
            write_entry(
                session,
                inc,
                s2,
                f"Lage {i}: Stromausfall in Abschnitt {i % 15}, Pegel {3 + i / 1000:.2f} m; "
                + "Maßnahmen laufen (Muster). " * (1 + i % 3),
                kind=EntryKind.LAGE if i % 4 else EntryKind.ENTSCHEIDUNG,
            )
    task_service = TaskService(db, s2)
    for i in range(tasks):
        task_service.create(
            inc,
            f"Auftrag {i}: Notstromaggregat Objekt {i:03d} betanken (Muster)",
            assigned_function=("S3", "S4", "S1")[i % 3],
            due_at=now + timedelta(hours=(-2 if i % 2 else 6) + i % 4),
        )
    return db, inc, s2


def bare_longtable_pdf(rows_by_table: list[tuple[list[str], list[list[str]], list[bool]]]) -> bytes:
    """The same rows in plain ReportLab: LongTable, repeated header, our embedded font."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, TableStyle

    from krisenstab.reports import fonts

    fonts.register_fonts()
    style = ParagraphStyle("bare", fontName=fonts.SANS, fontSize=8.5, leading=10.5)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, invariant=1)
    width = doc.width
    story = []
    for headers, rows, wraps in rows_by_table:
        data = [headers]
        for row in rows:
            data.append(
                [
                    Paragraph(cell, style) if wrap else cell
                    for cell, wrap in zip(row, wraps, strict=True)
                ]
            )
        weights = [4 if wrap else 1 for wrap in wraps]
        col_widths = [width * w / sum(weights) for w in weights]
        story.append(
            LongTable(
                data,
                colWidths=col_widths,
                repeatRows=1,
                style=TableStyle(
                    [
                        ("FONTNAME", (0, 0), (-1, -1), fonts.SANS),
                        ("FONTSIZE", (0, 0), (-1, -1), 8.5),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                        ("GRID", (0, 0), (-1, -1), 0.35, "grey"),
                    ]
                ),
            )
        )
    doc.build(story)
    return buffer.getvalue()


def report_rows(document) -> list[tuple[list[str], list[list[str]], list[bool]]]:  # type: ignore[no-untyped-def]
    from krisenstab.domain.timefmt import format_dtg

    content = document.content
    k = content.kritis
    affected = [
        [
            f.name,
            f.sector,
            f.municipality,
            f.status,
            format_dtg(f.since),
            f.power_text,
            str(f.persons_supplied),
        ]
        for f in k.affected
    ]
    power = [
        [
            f.name,
            f.municipality,
            format_dtg(f.since),
            f"{f.remaining_h}",
            "",
            str(f.persons_supplied),
        ]
        for f in k.emergency_power
    ]
    tasks = [
        [str(t.number), t.title, t.assigned_to, format_dtg(t.due) if t.due else "", t.status]
        for t in content.tasks.tasks
    ]
    entries = [
        [str(e.number), format_dtg(e.recorded_at), e.function, f"{e.kind}: {e.text}"]
        for e in content.entries
    ]
    return [
        (["Objekt", "Sektor", "Gemeinde", "Status", "seit", "Notstrom", "Versorgte"], affected,
         [True, True, True, False, False, True, False]),
        (["Objekt", "Gemeinde", "seit", "Rest", "leer", "Versorgte"], power,
         [True, True, False, False, False, False]),
        (["Nr.", "Auftrag", "an", "Frist", "Status"], tasks, [False, True, True, False, False]),
        (["Nr.", "Zeit", "Funktion", "Eintrag"], entries, [False, False, False, True]),
    ]  # fmt: skip


def bench_report(args: argparse.Namespace, folder: Path) -> bool:
    from krisenstab.reports.situation_report import build_situation_report
    from krisenstab.services.context import Actor
    from krisenstab.services.reports import ReportService

    t = time.perf_counter()
    db, inc, s2 = build_incident(folder, args.facilities, args.entries, args.tasks)
    print(f"setup: {time.perf_counter() - t:.1f} s")
    service = ReportService(db, s2)
    t = time.perf_counter()
    draft = service.create_draft(inc)  # pre-draft: KRITIS list, power, forecast, tasks, roster
    predraft_s = time.perf_counter() - t
    numbers = tuple(range(1, args.entries + 1))
    service.update_draft(inc, 1, content=draft.content.with_free_text(significant_entries=numbers))
    document = service.document(inc)
    kritis = document.content.kritis
    rows = report_rows(document)
    row_count = sum(len(r[1]) for r in rows)
    print(
        f"report content: {len(kritis.affected)} affected facilities, "
        f"{len(kritis.emergency_power)} on generator, {len(document.content.tasks.tasks)} open "
        f"tasks, {len(document.content.entries)} journal entries = {row_count} table rows"
    )
    build_pdf_s, pdf = median_time(lambda: build_situation_report(document), args.rounds)
    baseline_s, base_pdf = median_time(lambda: bare_longtable_pdf(rows), args.rounds)
    lead = Actor("Erika Musterfrau", "Leiter des Stabes", "ws-bench")
    t = time.perf_counter()
    released = service.release(inc, 1, actor=lead, allow_empty=True)
    release_s = time.perf_counter() - t
    t = time.perf_counter()
    reprint = service.pdf(inc, 1)
    reprint_s = time.perf_counter() - t
    assert reprint == service.pdf(inc, 1)
    pages = pdf.count(b"/Type /Page\n") or pdf.count(b"/Type /Page")
    print(f"pre-draft (all data sections):       {predraft_s * 1000:8.0f} ms")
    print(
        f"report PDF build (median):           {build_pdf_s * 1000:8.0f} ms  ({len(pdf) // 1024} KiB, ~{pages} pages)"
    )
    print(
        f"bare ReportLab LongTable, same rows: {baseline_s * 1000:8.0f} ms  ({len(base_pdf) // 1024} KiB)"
    )
    ratio = build_pdf_s / baseline_s
    print(f"ratio report / bare:                 {ratio:8.2f}   (target <= 2.0)")
    print(f"release (PDF + hashes + ETB entry):  {release_s * 1000:8.0f} ms  (target <= 2000)")
    print(f"reprint (stored bytes):              {reprint_s * 1000:8.1f} ms")
    print(f"released SHA-256 {released.pdf_sha256[:16]}…")
    ok = release_s <= 2.0 and build_pdf_s <= 2.0 and ratio <= 2.0
    db.close()
    return ok


def bench_etb(args: argparse.Namespace, folder: Path) -> bool:
    from krisenstab.domain.journal import EntryKind
    from krisenstab.services.context import Actor
    from krisenstab.services.documents import DocumentService
    from krisenstab.services.incidents import IncidentService
    from krisenstab.services.journal import JournalService, write_entry
    from krisenstab.store.database import Database

    db = Database.open(folder / "etb.db")
    s2 = Actor("Max Mustermann", "S2", "ws-bench")
    inc = IncidentService(db).create("Lange Lage (Muster)", s2).id
    with db.write() as session:
        for i in range(args.etb - 1):
            write_entry(
                session,
                inc,
                s2,
                f"Meldung {i}: Pegel Düren {3 + i / 10000:.3f} m; Sandsäcke (Beispiel). "
                * (1 + i % 3),
                kind=EntryKind.LAGE if i % 5 else EntryKind.EINGANG,
            )
    journal = JournalService(db, s2)
    for number in range(50, args.etb, 500):  # some corrections, printed beside their originals
        journal.correct(inc, number, f"Berichtigung zu {number} (Muster).")
    service = DocumentService(db)
    etb_s, pdf = median_time(lambda: service.journal(inc, keeper="Ole Musterstein"), 1)
    pages = pdf.count(b"/Type /Page")
    count = journal.count(inc)
    print(
        f"ETB printout of {count} entries:      {etb_s:8.2f} s  ({pages - 1} sheets, target <= 10 s)"
    )
    db.close()
    return etb_s <= 10.0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--facilities", type=int, default=500)
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--tasks", type=int, default=200)
    parser.add_argument("--etb", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["KRISENSTAB_HOME"] = str(Path(tmp) / "home")
        folder = Path(tmp)
        report_ok = bench_report(args, folder)
        etb_ok = bench_etb(args, folder)
    print("ALL TARGETS MET" if report_ok and etb_ok else "TARGET MISSED")
    return 0 if report_ok and etb_ok else 1


if __name__ == "__main__":
    sys.exit(main())
