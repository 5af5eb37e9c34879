"""Benchmark: the lazy ETB model over a large journal, and the GUI start.

Run on demand:  python tests/benchmarks/bench_gui_journal.py [--entries N] [--db PATH]

Builds (or reuses, with --db) a database with N entries (default 100,000),
then compares the lazy table model with the baseline an eager model would
pay: fetching every entry at once. Also measures the smoke start (process
start to first paint) in a fresh interpreter.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from krisenstab.domain.journal import JournalFilter  # noqa: E402
from krisenstab.services.context import Actor  # noqa: E402
from krisenstab.services.incidents import IncidentService  # noqa: E402
from krisenstab.services.journal import JournalService, write_entry  # noqa: E402
from krisenstab.store.database import Database  # noqa: E402

TEXTS = (
    "Pegel {place}: {n} cm, steigend.",
    "Leitstelle: {n} Einsätze in {place} (Keller, Unterführungen).",
    "{n} Sandsäcke nach {place} ausgeliefert.",
    "Einsatzabschnitt {place}: {n} Kräfte im Einsatz, Lage stabil.",
)
PLACES = ("Düren", "Jülich", "Kreuzau", "Nideggen", "Linnich", "Heimbach", "Titz")


def build(path: Path, entries: int) -> str:
    db = Database.open(path)
    try:
        incidents = IncidentService(db).list()
        if incidents and incidents[0].entries >= entries:
            return incidents[0].id
        actor = Actor("Max Mustermann", "S2", "benchmark")
        incident = IncidentService(db).create("Muster-Großlage (Benchmark)", actor)
        rng = random.Random(7)
        done = 1
        started = time.perf_counter()
        while done < entries:
            batch = min(10_000, entries - done)
            with db.write() as session:
                for _ in range(batch):
                    text = rng.choice(TEXTS).format(place=rng.choice(PLACES), n=rng.randint(1, 400))
                    write_entry(session, incident.id, actor, text)
            done += batch
            print(
                f"  {done:>7} Einträge angelegt ({time.perf_counter() - started:.0f} s)", flush=True
            )
        return incident.id
    finally:
        db.close()


def timed(func, repeat: int = 1) -> float:  # type: ignore[no-untyped-def]
    """Best of `repeat` runs, in milliseconds."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best * 1000


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--db", type=Path, default=None)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-etb-"))
    os.environ["KRISENSTAB_HOME"] = str(workdir / "home")
    path = args.db or workdir / "etb.db"
    print(f"Datenbank: {path}")
    incident = build(path, args.entries)

    from PySide6.QtWidgets import QApplication, QTableView

    from krisenstab.gui.journal_model import PAGE_SIZE, JournalColumn, JournalTableModel

    app = QApplication.instance() or QApplication([])
    db = Database.open(path, quick_check=False)
    service = JournalService(db)
    total = service.count(incident)
    print(f"Einträge: {total}")

    # Baseline: what an eager model pays before it can show anything.
    eager_ms = timed(lambda: service.list(incident))

    model = JournalTableModel(service)
    load_ms = timed(lambda: model.load(incident), repeat=3)

    view = QTableView()
    view.setModel(model)
    view.resize(1366, 700)
    first_paint_ms = timed(lambda: (model.load(incident), view.show(), app.processEvents()))

    def jump_bottom() -> None:
        model.load(incident)
        view.scrollToBottom()
        app.processEvents()

    bottom_ms = timed(jump_bottom, repeat=3)

    rng = random.Random(3)
    jumps = []
    for _ in range(100):
        row = rng.randrange(model.rowCount())
        start = time.perf_counter()
        view.scrollTo(model.index(row, JournalColumn.TEXT))
        app.processEvents()
        jumps.append((time.perf_counter() - start) * 1000)

    page_ms = timed(
        lambda: service.fetch(incident, list(range(total - PAGE_SIZE + 1, total + 1))), repeat=5
    )
    search_ms = timed(lambda: model.set_filter(JournalFilter(text="sandsäcke jülich")), repeat=3)
    hits = model.rowCount()
    view.close()
    db.close()

    env = dict(os.environ, PYTHONPATH=str(ROOT))
    code = (
        "import time; t0 = time.perf_counter()\n"
        "from pathlib import Path\n"
        "from krisenstab.gui.app import run_gui\n"
        f"raise SystemExit(run_gui(Path({str(path)!r}), smoke=True, t0=t0))\n"
    )
    smoke = []
    for _ in range(3):
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
        )
        smoke.append(int(result.stdout.strip().splitlines()[-1]))

    print()
    print(f"Baseline: alle {total} Einträge laden (eager)     {eager_ms:9.1f} ms")
    print(f"Lazy: Nummernliste laden (load)                  {load_ms:9.1f} ms")
    print(f"Lazy: laden + erste Darstellung                  {first_paint_ms:9.1f} ms")
    print(f"Lazy: laden + ans Ende springen + darstellen     {bottom_ms:9.1f} ms")
    print(
        f"Lazy: 100 Sprünge an zufällige Stellen           {statistics.median(jumps):9.1f} ms Median,"
        f" {max(jumps):.1f} ms max"
    )
    print(f"Eine Seite ({PAGE_SIZE} Einträge) holen               {page_ms:9.1f} ms")
    print(f"Suche „sandsäcke jülich“ ({hits} Treffer)        {search_ms:9.1f} ms")
    print(
        f"Programmstart bis erste Darstellung (smoke)      {statistics.median(smoke):9.0f} ms Median"
    )
    print()
    print(f"Verhältnis eager / lazy (bis erste Darstellung)  {eager_ms / first_paint_ms:9.1f} ×")
    print(f"Verhältnis eager / lazy (Nummernliste)           {eager_ms / load_ms:9.1f} ×")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
