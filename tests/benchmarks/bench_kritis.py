"""Benchmark: facility import (10,000 rows ≤ 5 s) and cascade from the store (≤ 100 ms).

Run on demand:  python tests/benchmarks/bench_kritis.py [rows] [facilities] [dependencies]

1. Import: a German CSV of 10,000 facilities (";", decimal comma, UTF-8 with
   BOM, half the positions as UTMREF, up to two suppliers per row, some named
   later in the file) through ``FacilityService.import_file`` into a fresh
   database: parse, validate, plan, history, contacts, dependencies, one
   durable transaction. Baseline in the same run: csv.reader over the same
   bytes plus raw sqlite3 inserts of the same rows (all cells as text) into
   one table in one transaction with the same pragmas (WAL, synchronous=FULL).
   Also: the dry run and a re-import of the unchanged file.
2. Cascade: 5,000 facilities and 20,000 dependencies stored in the database,
   ``FacilityService.cascade`` with a what-if of 20 failures and one area
   outage. Cold = load from the store + compile the graph + compute (after a
   change to the dependencies); after a status change = the facilities
   reloaded, the dependencies still cached; next minute = the register cached per revision,
   the graph compiled for the new time; warm = the graph cached for the same
   revision and minute (what the GUI hits when the user tries several
   what-ifs). Baseline: plain BFS over the same
   adjacency from the same sources. Also: ``list()`` of 5,000 views (what the
   facilities tab loads).
"""

from __future__ import annotations

import csv
import io
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import deque
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import insert

from krisenstab.domain.base import new_id
from krisenstab.domain.cascade import DependencyKind
from krisenstab.domain.facility import (
    DEFAULT_MUNICIPALITIES,
    Facility,
    FacilityDependency,
)
from krisenstab.domain.geo import Position, format_utmref
from krisenstab.exchange.tabular import csv_bytes
from krisenstab.services import facilities as facilities_module
from krisenstab.services.context import Actor
from krisenstab.services.facilities import FacilityService, bump_revision
from krisenstab.store.database import Database

IMPORT_BUDGET_S = 5.0
CASCADE_TARGET_MS = 100.0
ACTOR = Actor("Benchmark (Muster)", "S2", "bench")
SECTORS = [
    ("Energie", "Strom", "Strom"),
    ("Wasser", "Trinkwasser", "Wasser"),
    ("Gesundheit", "Medizinische Versorgung", None),
    ("Informationstechnik und Telekommunikation", "Telekommunikation", "Telekommunikation/IT"),
    ("Lokal kritische Einrichtungen", "Feuerwehrhaus", None),
    ("Ernährung", "Lebensmittelhandel", None),
]
HEADERS = [
    "Name", "Sektor", "Branche", "Gemeinde", "Straße", "PLZ", "Ort", "Breite", "Länge",
    "UTMREF", "Betreiber", "Telefon 24/7", "Notstrom", "Autarkie (h)", "Kraftstoff (l)",
    "Verbrauch (l/h)", "Versorgte Personen", "Abhängig von",
]  # fmt: skip


def german(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


def import_rows(n: int, seed: int = 4711) -> list[list[str]]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        name = f"Objekt {i:05d} (Muster)"
        sector, branch, _ = SECTORS[i % len(SECTORS)]
        muni, lat0, lon0 = DEFAULT_MUNICIPALITIES[i % len(DEFAULT_MUNICIPALITIES)]
        pos = Position(lat0 + rng.uniform(-0.01, 0.01), lon0 + rng.uniform(-0.015, 0.015))
        if i % 2:
            lat, lon, utmref = (
                f"{pos.lat:.6f}".replace(".", ","),
                f"{pos.lon:.6f}".replace(".", ","),
                "",
            )
        else:
            lat, lon, utmref = "", "", format_utmref(pos, 5)
        power = rng.random() < 0.4
        deps = []
        for _ in range(rng.choice((0, 1, 2, 2))):
            j = rng.randrange(n)  # may be later in the file
            if j != i:
                kind = SECTORS[j % len(SECTORS)][2] or "Sonstiges"
                deps.append(f"Objekt {j:05d} (Muster) ({kind})")
        rows.append(
            [
                name, sector, branch, muni, f"Musterstraße {i % 200 + 1}", "52349", muni, lat, lon,
                utmref, "Betreiber (Muster)", f"02421 000-{i % 1000:03d}",
                "ja" if power else "nein",
                german(rng.choice((8, 12, 24, 48))) if power else "",
                str(rng.randrange(200, 5000)) if power else "",
                german(rng.uniform(10, 200)) if power else "",
                str(rng.randrange(0, 20000)), " | ".join(dict.fromkeys(deps)),
            ]
        )  # fmt: skip
    return rows


def baseline_import(data: bytes, path: Path) -> float:
    t0 = time.perf_counter()
    text = data.decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    header = next(reader)
    records = list(reader)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    cols = ", ".join(f"c{i} TEXT" for i in range(len(header)))
    conn.execute(f"CREATE TABLE t (id TEXT PRIMARY KEY, {cols})")
    marks = ", ".join("?" * (len(header) + 1))
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(f"INSERT INTO t VALUES ({marks})", ([new_id(), *r] for r in records))
    conn.execute("COMMIT")
    conn.close()
    return time.perf_counter() - t0


def bench_import(n: int, folder: Path) -> None:
    data = csv_bytes(HEADERS, import_rows(n))
    print(f"Import: {n} rows, {len(HEADERS)} columns, {len(data) / 1e6:.2f} MB CSV")
    base = min(baseline_import(data, folder / f"base{i}.db") for i in range(3))
    print(f"  baseline csv.reader + raw sqlite3 inserts   {base * 1000:8.0f} ms   1.0x")
    db = Database.open(folder / "import.db")
    svc = FacilityService(db, ACTOR)
    t0 = time.perf_counter()
    dry = svc.import_file(data, filename="kritis.csv", dry_run=True)
    t_dry = time.perf_counter() - t0
    assert dry.ok and len(dry.added) == n, dry.errors[:5]
    t0 = time.perf_counter()
    plan = svc.import_file(data, filename="kritis.csv")
    t_import = time.perf_counter() - t0
    assert plan.applied and len(plan.added) == n
    t0 = time.perf_counter()
    again = svc.import_file(data, filename="kritis.csv")
    t_again = time.perf_counter() - t0
    assert again.ok and len(again.unchanged) == n
    deps = len(svc.all_dependencies())
    print(
        f"  dry run (read + check + plan)               {t_dry * 1000:8.0f} ms  {t_dry / base:5.1f}x"
    )
    print(
        f"  import into an empty register               {t_import * 1000:8.0f} ms  {t_import / base:5.1f}x   ({deps} dependencies)"
    )
    print(
        f"  re-import, nothing changed                  {t_again * 1000:8.0f} ms  {t_again / base:5.1f}x"
    )
    worst = max(t_import, t_again)
    verdict = "OK" if worst <= IMPORT_BUDGET_S else "ZU LANGSAM"
    print(f"  slowest import {worst:.2f} s of the {IMPORT_BUDGET_S:.0f} s budget: {verdict}")
    db.close()


def store_graph(
    db: Database, n: int, m: int, seed: int = 4711
) -> tuple[list[str], list[list[int]]]:
    rng = random.Random(seed)
    now = datetime.now(UTC)
    kinds = [k.value for k in DependencyKind]
    ids = [new_id() for _ in range(n)]
    rows = []
    for i in range(n):
        muni = DEFAULT_MUNICIPALITIES[i % 15][0]
        roll = rng.random()
        status, since = "betriebsbereit", now - timedelta(days=1)
        if roll < 0.02:
            status, since = "ausgefallen", now - timedelta(hours=2)
        elif roll < 0.05:
            status, since = "Notstrombetrieb", now - timedelta(hours=rng.uniform(0, 24))
        autonomy = rng.choice((None, None, 8.0, 24.0, 72.0))
        rows.append(
            {
                "id": ids[i], "name": f"Objekt {i} (Muster)", "sector": "Energie", "branch": None,
                "locally_critical": False, "municipality": muni, "street": None, "postcode": None,
                "city": None, "lat": None, "lon": None, "position_text": None, "operator": None,
                "emergency_power": autonomy is not None or status == "Notstrombetrieb",
                "autonomy_h": autonomy, "fuel_stock_l": None, "consumption_l_per_h": None,
                "persons_supplied": rng.randrange(0, 5000), "sensitive_consumers": None,
                "redundancy": None, "notes": None, "status": status, "status_since": since,
                "status_source": None, "status_note": None,
                "power_since": since if status == "Notstrombetrieb" else None,
                "created_at": now, "created_by": "bench", "updated_at": now, "updated_by": "bench",
                "workstation_id": "bench", "version": 1,
            }
        )  # fmt: skip
    deps = {}
    adjacency: list[list[int]] = [[] for _ in range(n)]
    while len(deps) < m:
        a, b = rng.randrange(n), rng.randrange(n)
        if a == b:
            continue
        if rng.random() < 0.85 and a < b:
            a, b = b, a
        kind = kinds[(a + rng.randrange(2)) % len(kinds)]
        if (a, b, kind) in deps:
            continue
        deps[(a, b, kind)] = rng.choice((0.0, 0.0, 4.0, 12.0))
        adjacency[b].append(a)
    dep_rows = [
        {
            "id": new_id(), "dependent_id": ids[a], "supplier_id": ids[b], "kind": kind,
            "tolerance_h": tol, "note": None, "created_at": now, "workstation_id": "bench",
        }
        for (a, b, kind), tol in deps.items()
    ]  # fmt: skip
    with db.write() as session:
        session.execute(insert(Facility.__table__), rows)
        session.execute(insert(FacilityDependency.__table__), dep_rows)
        bump_revision(session)
    return ids, adjacency


def bfs(adjacency: list[list[int]], sources: list[int]) -> int:
    seen = bytearray(len(adjacency))
    queue = deque(sources)
    for s in sources:
        seen[s] = 1
    count = len(sources)
    while queue:
        u = queue.popleft()
        for w in adjacency[u]:
            if not seen[w]:
                seen[w] = 1
                count += 1
                queue.append(w)
    return count


def median_ms(fn, runs: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def bench_cascade(n: int, m: int, folder: Path) -> None:
    db = Database.open(folder / "cascade.db")
    ids, adjacency = store_graph(db, n, m)
    rng = random.Random(7)
    fail_idx = rng.sample(range(n), 20)
    fail = [ids[i] for i in fail_idx]
    area = DEFAULT_MUNICIPALITIES[3][0]
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    print(f"Cascade: {n} facilities, {m} dependencies in the store; what-if: 20 failures + {area}")
    svc = FacilityService(db, ACTOR)
    result = svc.cascade(fail, [area], now=now)

    def cold() -> None:
        facilities_module._CACHES.clear()  # as after a change to the register
        FacilityService(db, ACTOR).cascade(fail, [area], now=now)

    def warm() -> None:
        svc.cascade(fail, [area], now=now)

    minutes = iter(range(1, 10_000))

    def next_minute() -> None:
        svc.cascade(fail, [area], now=now + timedelta(minutes=next(minutes)))

    from krisenstab.services.incidents import IncidentService

    IncidentService(db).create("Benchmark (Muster)", ACTOR)
    toggles = iter(range(10_000))

    def after_status_change() -> float:
        # A status report (journal entry, history) just came in; then the what-if.
        target = ids[next(toggles) % n]
        current = svc.get(target).status
        new_status = "eingeschränkt" if current != "eingeschränkt" else "betriebsbereit"
        svc.set_status(target, new_status)
        t0 = time.perf_counter()
        svc.cascade(fail, [area], now=now)
        return (time.perf_counter() - t0) * 1000

    sources = fail_idx + [i for i in range(n) if i % 15 == 3]
    t_cold = median_ms(cold, 7)
    t_warm = median_ms(warm, 15)
    t_minute = median_ms(next_minute, 7)
    t_status = statistics.median(after_status_change() for _ in range(7))
    t_bfs = median_ms(lambda: bfs(adjacency, sources), 15)
    t_list = median_ms(lambda: FacilityService(db, ACTOR).list(), 7)
    print(f"  failing within 72 h: {len(result.timeline)}; BFS reaches {bfs(adjacency, sources)}")
    print(f"  baseline plain BFS                          {t_bfs:8.1f} ms    1.0x")
    print(f"  warm: cached graph, compute                 {t_warm:8.1f} ms  {t_warm / t_bfs:6.1f}x")
    print(
        f"  next minute: compile + compute              {t_minute:8.1f} ms  {t_minute / t_bfs:6.1f}x"
    )
    print(
        f"  after a status change: reload + compile     {t_status:8.1f} ms  {t_status / t_bfs:6.1f}x"
    )
    print(f"  cold: load + compile + compute              {t_cold:8.1f} ms  {t_cold / t_bfs:6.1f}x")
    print(f"  list() of {n} facility views                {t_list:8.1f} ms")
    verdict = "OK" if t_warm <= CASCADE_TARGET_MS else "ZU LANGSAM"
    print(
        f"  cascade from the store (warm) {t_warm:.1f} ms, target ≤ {CASCADE_TARGET_MS:.0f} ms: {verdict}"
    )
    db.close()


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 5_000
    m = int(sys.argv[3]) if len(sys.argv) > 3 else 20_000
    print(f"Load average {os.getloadavg()[0]:.2f}; times are wall clock")
    with tempfile.TemporaryDirectory() as tmp:
        bench_import(rows, Path(tmp))
        bench_cascade(n, m, Path(tmp))


if __name__ == "__main__":
    main()
