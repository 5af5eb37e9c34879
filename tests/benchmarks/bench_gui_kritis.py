"""Benchmark: the KRITIS tab with 5,000 facilities opens in ≤ 300 ms.

Run on demand:  python tests/benchmarks/bench_gui_kritis.py [--facilities N] [--runs R]

Builds a database with N fictional facilities (default 5,000; statuses mixed,
a quarter with generators, one 24/7 contact each, 4 dependencies each), then
measures in the same process:

* the tab: KritisTab built (register, power board and fuel list read through
  the services, models filled, widgets laid out) and shown, until the first
  paint has been processed;
* the baseline: a bare QTableView over a QStandardItemModel holding the same
  rows and columns as text items, read with the same service call, shown and
  painted. The baseline has no proxy, no filters, no detail panel, no
  colours or icons, no power board.

Also: sorting by a column, a text filter, the 30-second tick, loading the
detail panel of one facility, and its dependency page (cold: the cascade
graph is compiled for the transitive dependencies; warm: cached).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from krisenstab.domain.base import new_id  # noqa: E402
from krisenstab.domain.cascade import DependencyKind  # noqa: E402
from krisenstab.domain.facility import (  # noqa: E402
    DEFAULT_MUNICIPALITIES,
    Facility,
    FacilityContact,
    FacilityDependency,
)
from krisenstab.services.context import Actor  # noqa: E402
from krisenstab.services.facilities import FacilityService, bump_revision  # noqa: E402
from krisenstab.services.incidents import IncidentService  # noqa: E402
from krisenstab.store.database import Database  # noqa: E402

TARGET_MS = 300.0
SECTORS = (
    ("Energie", "Strom"),
    ("Wasser", "Trinkwasser"),
    ("Gesundheit", "Medizinische Versorgung"),
    ("Informationstechnik und Telekommunikation", "Telekommunikation"),
    ("Lokal kritische Einrichtungen", "Feuerwehrhaus"),
    ("Ernährung", "Lebensmittelhandel"),
)
KINDS = [k.value for k in DependencyKind]


def build(path: Path, n: int, seed: int = 4711) -> None:
    db = Database.open(path)
    try:
        rng = random.Random(seed)
        now = datetime.now(UTC)
        ids = [new_id() for _ in range(n)]
        rows, contacts, deps = [], [], {}
        for i, fid in enumerate(ids):
            muni, lat, lon = DEFAULT_MUNICIPALITIES[i % len(DEFAULT_MUNICIPALITIES)]
            sector, branch = SECTORS[i % len(SECTORS)]
            roll = rng.random()
            status, since = "betriebsbereit", now - timedelta(days=30)
            if roll < 0.03:
                status, since = "ausgefallen", now - timedelta(hours=rng.uniform(0, 12))
            elif roll < 0.08:
                status, since = "Notstrombetrieb", now - timedelta(hours=rng.uniform(0, 20))
            elif roll < 0.12:
                status = rng.choice(("eingeschränkt", "unbekannt"))
            generator = status == "Notstrombetrieb" or rng.random() < 0.25
            rows.append(
                {
                    "id": fid, "name": f"Objekt {i:05d} (Muster)", "sector": sector,
                    "branch": branch, "locally_critical": sector.startswith("Lokal"),
                    "municipality": muni, "street": f"Musterstraße {i % 200 + 1}",
                    "postcode": "52349", "city": muni,
                    "lat": round(lat + rng.uniform(-0.02, 0.02), 6),
                    "lon": round(lon + rng.uniform(-0.03, 0.03), 6),
                    "position_text": None, "operator": "Betreiber (Muster)",
                    "emergency_power": generator,
                    "autonomy_h": rng.choice((8.0, 24.0, 72.0)) if generator else None,
                    "fuel_stock_l": None, "consumption_l_per_h": 20.0 if generator else None,
                    "persons_supplied": rng.randrange(0, 30000), "sensitive_consumers": None,
                    "redundancy": None, "notes": "Fiktives Objekt (Benchmark).", "status": status,
                    "status_since": since, "status_source": None, "status_note": None,
                    "power_since": since if status == "Notstrombetrieb" else None,
                    "created_at": now, "created_by": "bench", "updated_at": now,
                    "updated_by": "bench", "workstation_id": "bench", "version": 1,
                }
            )  # fmt: skip
            contacts.append(
                {
                    "id": new_id(), "facility_id": fid, "role": "Bereitschaft 24/7",
                    "name": None, "phone": f"02421 {i:06d}", "phone_alt": None, "email": None,
                    "available_24_7": True, "notes": None, "sort_order": 10,
                    "created_at": now, "workstation_id": "bench",
                }
            )  # fmt: skip
        while len(deps) < n * 4:
            a, b = rng.randrange(n), rng.randrange(n)
            kind = KINDS[(a + b) % len(KINDS)]
            if a != b and (a, b, kind) not in deps:
                deps[(a, b, kind)] = rng.choice((0.0, 0.0, 4.0, 12.0))
        dep_rows = [
            {
                "id": new_id(), "dependent_id": ids[a], "supplier_id": ids[b], "kind": kind,
                "tolerance_h": tol, "note": None, "created_at": now, "workstation_id": "bench",
            }
            for (a, b, kind), tol in deps.items()
        ]  # fmt: skip
        with db.write() as session:
            session.execute(insert(Facility.__table__), rows)
            session.execute(insert(FacilityContact.__table__), contacts)
            session.execute(insert(FacilityDependency.__table__), dep_rows)
            bump_revision(session, dependencies=True)
        IncidentService(db).create("Muster-Stromausfall (Benchmark)", Actor("Bench", "S2", "bench"))
    finally:
        db.close()


def ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--facilities", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-kritis-gui-"))
    os.environ["KRISENSTAB_HOME"] = str(workdir / "home")
    path = workdir / "kritis.db"
    started = time.perf_counter()
    build(path, args.facilities)
    print(f"Datenbank mit {args.facilities} Objekten angelegt ({ms(started):.0f} ms): {path}")

    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QApplication, QTableView

    from krisenstab.gui.kritis_model import FacilityColumn
    from krisenstab.gui.kritis_view import KritisTab
    from krisenstab.gui.shared import Shared
    from krisenstab.settings import Settings

    app = QApplication.instance() or QApplication([])
    db = Database.open(path, quick_check=False)
    settings = Settings.load()
    actor = Actor("Max Mustermann", "S2", settings.workstation_id)
    shared = Shared(db, settings, actor)
    shared.set_incident(shared.most_recent_open_incident())
    service = FacilityService(db)

    def open_tab() -> tuple[float, KritisTab]:
        start = time.perf_counter()
        tab = KritisTab(shared)
        tab.resize(1366, 700)
        tab.show()
        app.processEvents()
        return ms(start), tab

    def open_baseline() -> float:
        start = time.perf_counter()
        views = service.list()
        model = QStandardItemModel(len(views), len(FacilityColumn))
        for row, v in enumerate(views):
            for column, text in enumerate(
                (
                    v.status, v.name, v.municipality, v.branch or v.sector,
                    str(v.persons_supplied), "", v.status_since.isoformat(), v.phone_24_7 or "",
                )
            ):  # fmt: skip
                model.setItem(row, column, QStandardItem(text))
        view = QTableView()
        view.setModel(model)
        view.resize(1366, 700)
        view.show()
        app.processEvents()
        elapsed = ms(start)
        view.close()
        view.deleteLater()
        return elapsed

    # First of each: cold caches (SQLite pages, Python imports of the code paths).
    cold_tab, tab = open_tab()
    tab.clock.stop()
    tab.close()
    tab.deleteLater()
    cold_base = open_baseline()
    tabs, bases = [], []
    for _ in range(args.runs):
        elapsed, tab = open_tab()
        tabs.append(elapsed)
        tab.clock.stop()
        tab.close()
        tab.deleteLater()
        app.processEvents()
        bases.append(open_baseline())
        app.processEvents()

    elapsed, tab = open_tab()
    rows = tab.model.rowCount()

    def timed(fn, repeat: int = 5) -> float:  # type: ignore[no-untyped-def]
        values = []
        for _ in range(repeat):
            start = time.perf_counter()
            fn()
            app.processEvents()
            values.append(ms(start))
        return statistics.median(values)

    sort_ms = timed(lambda: tab.table.sortByColumn(FacilityColumn.PERSONS, tab.proxy.sortOrder()))
    sort_name_ms = timed(lambda: tab.table.sortByColumn(FacilityColumn.NAME, tab.proxy.sortOrder()))

    def search(text: str) -> None:
        tab.search_edit.setText(text)
        tab.apply_filter()

    filter_ms = timed(lambda: (search("objekt 012"), search("")))
    tick_ms = timed(lambda: tab.tick())
    some = tab.model.views[rows // 2].id
    from krisenstab.services import facilities as facilities_module

    facilities_module._CACHES.clear()
    start = time.perf_counter()
    tab.show_facility(some)
    app.processEvents()
    detail_ms = ms(start)
    start = time.perf_counter()
    tab.detail.show_page(tab.detail.PAGE_DEPENDENCIES)
    app.processEvents()
    deps_cold_ms = ms(start)
    other = tab.model.views[rows // 3].id
    deps_warm_ms = timed(lambda: tab.show_facility(other))
    tab.detail.show_page(tab.detail.PAGE_OVERVIEW)
    detail_warm_ms = timed(lambda: tab.show_facility(other))
    reload_ms = timed(tab.reload)
    tab.clock.stop()
    db.close()

    median_tab = statistics.median(tabs)
    median_base = statistics.median(bases)
    print()
    print(f"Objekte im Reiter: {rows}")
    print(f"KRITIS-Reiter öffnen bis erste Darstellung   {median_tab:8.1f} ms Median "
          f"(kalt {cold_tab:.1f} ms, max {max(tabs):.1f} ms)  Ziel ≤ {TARGET_MS:.0f} ms")  # fmt: skip
    print(f"Basis: QTableView + QStandardItemModel        {median_base:8.1f} ms Median "
          f"(kalt {cold_base:.1f} ms)")  # fmt: skip
    print(f"Verhältnis Reiter / Basis                     {median_tab / median_base:8.2f} ×")
    print(f"Sortieren nach Versorgte / nach Name          {sort_ms:8.1f} / {sort_name_ms:.1f} ms")
    print(f"Textfilter setzen und leeren                  {filter_ms:8.1f} ms")
    print(f"30-s-Takt (Restzeiten, Warnungen)             {tick_ms:8.1f} ms")
    print(f"Detail laden, erstes / weitere                {detail_ms:8.1f} / {detail_warm_ms:.1f} ms")  # fmt: skip
    print(f"Abhängigkeiten, kalt (Kaskadengraph) / warm   {deps_cold_ms:8.1f} / {deps_warm_ms:.1f} ms")  # fmt: skip
    print(f"Neu laden (F5)                                {reload_ms:8.1f} ms")
    ok = median_tab <= TARGET_MS
    print("Ziel erreicht." if ok else "ZIEL VERFEHLT.")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
