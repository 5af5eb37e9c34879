"""Journal benchmarks: durable append through the service vs raw sqlite3, and search.

Run: python tests/benchmarks/bench_journal.py [--entries 100000]
Prints figures and ratios; the baseline is measured in the same run.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def bench_raw_insert(path: Path, n: int) -> list[float]:
    """The same row into the same schema (journal table, indexes, FTS) with plain
    sqlite3 and the same pragmas: what SQLite itself costs per durable entry."""
    from krisenstab.store.database import Database

    Database.open(path).close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=30000")
    conn.execute(
        "INSERT INTO incident VALUES ('inc', 'Baseline', 'offen', '2026-11-27 15:30:00.000000',"
        " 'x', NULL, 'w')"
    )
    times = []
    for i in range(n):
        t = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "INSERT INTO journal_entry (id, incident_id, number, recorded_at, observed_at, author,"
            " function, kind, source_quality, text, workstation_id, prev_hash, hash)"
            " VALUES (?, 'inc', ?, '2026-11-27 15:30:00.000000', '2026-11-27 15:30:00.000000',"
            " 'Max Mustermann', 'S2', 'Vermerk', 'eigene Beobachtung', ?, 'w', ?, ?)",
            (f"id{i}", i + 1, f"Meldung {i}: Pegel Düren", "0" * 64, "1" * 64),
        )
        conn.execute(
            "INSERT INTO journal_fts (body, incident_id, number) VALUES (?, 'inc', ?)",
            (f"meldung {i} pegel dueren", i + 1),
        )
        conn.execute("COMMIT")
        times.append(time.perf_counter() - t)
    conn.close()
    return times


def bench_service_append(path: Path, n: int) -> list[float]:
    from krisenstab.services.context import Actor
    from krisenstab.services.incidents import IncidentService
    from krisenstab.services.journal import JournalService
    from krisenstab.store.database import Database

    db = Database.open(path)
    actor = Actor("Max Mustermann", "S2", "bench")
    inc = IncidentService(db).create("Benchmark", actor).id
    jr = JournalService(db, actor)
    for i in range(20):  # warm-up (imports, statement cache)
        jr.add(inc, f"warm {i}")
    times = []
    for i in range(n):
        t = time.perf_counter()
        jr.add(inc, f"Meldung {i}: Pegel Düren {i % 400 / 100:.2f} m")
        times.append(time.perf_counter() - t)
    db.close()
    return times


WORDS = [
    "Pegel",
    "Pegelstand",
    "Deich",
    "Sandsäcke",
    "Straße",
    "gesperrt",
    "Evakuierung",
    "Notunterkunft",
    "Stromausfall",
    "Umspannwerk",
    "Wasserwerk",
    "Notstrom",
    "Aggregat",
    "Betankung",
    "Feuerwehr",
    "THW",
    "Pumpen",
    "Keller",
    "Rur",
    "Düren",
    "Jülich",
    "Kreuzau",
    "Nideggen",
    "Linnich",
    "Heimbach",
    "Lagebesprechung",
    "Pressemitteilung",
    "Bürgertelefon",
    "Verpflegung",
    "Einsatzabschnitt",
    "Funk",
    "Sirene",
    "Warnung",
    "Schule",
    "Pflegeheim",
    "Krankenhaus",
    "Brücke",
]


def build_big_incident(path: Path, n: int) -> str:
    """n entries through write_entry in large transactions (the fast way to get data)."""
    from krisenstab.domain.timefmt import utcnow
    from krisenstab.services.context import Actor
    from krisenstab.services.incidents import IncidentService
    from krisenstab.services.journal import write_entry
    from krisenstab.store.database import Database

    rng = random.Random(7)
    # A staff's vocabulary: a few thousand words, domain words among them,
    # so that a search hits hundreds to thousands of entries, not half of all.
    syllables = ("ba", "ke", "lo", "mi", "nu", "ra", "se", "ti", "wo", "ze", "dor", "fel", "han")
    vocabulary = list(WORDS) + [
        "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(4000)
    ]
    db = Database.open(path)
    actor = Actor("Max Mustermann", "S2", "bench")
    inc = IncidentService(db).create("Großlage Benchmark", actor).id
    start = utcnow() - timedelta(hours=72)
    functions = ("S1", "S2", "S3", "S4", "S5", "S6", "Leiter des Stabes")
    kinds = ("Eingang", "Ausgang", "Vermerk", "Lage", "Entscheidung", "Auftrag")
    done = 1
    while done < n:
        with db.write() as session:
            for _ in range(min(5000, n - done)):
                words = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(6, 25)))
                who = Actor("Max Mustermann", rng.choice(functions), "bench")
                write_entry(
                    session, inc, who, words, kind=rng.choice(kinds),
                    recorded_at=start + timedelta(seconds=done * 2),
                )  # fmt: skip
                done += 1
    db.close()
    return inc


def bench_search(path: Path, inc: str, queries: list[str]) -> dict[str, float]:
    from krisenstab.domain.journal import JournalFilter
    from krisenstab.services.journal import JournalService
    from krisenstab.store.database import Database

    db = Database.open(path)
    jr = JournalService(db)
    results = {}
    for q in queries:
        times = []
        hits = 0
        for _ in range(7):
            t = time.perf_counter()
            numbers = jr.numbers(inc, JournalFilter(text=q))
            first_page = jr.fetch(inc, numbers[:100])
            times.append(time.perf_counter() - t)
            hits = len(numbers)
            del first_page
        results[q] = (statistics.median(times), hits)
    db.close()
    return results


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--appends", type=int, default=500)
    parser.add_argument("--entries", type=int, default=100_000)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="krisenstab-bench-"))
    # Settings and the anchor log of this run stay in the scratch folder.
    os.environ.setdefault("KRISENSTAB_HOME", str(tmp / "home"))

    raw = bench_raw_insert(tmp / "raw.db", args.appends)
    svc = bench_service_append(tmp / "svc.db", args.appends)
    raw50, svc50 = statistics.median(raw), statistics.median(svc)
    print(
        f"append (durable, {args.appends}x): service p50 {svc50 * 1000:.2f} ms, p99 {percentile(svc, 99) * 1000:.2f} ms"
    )
    print(
        f"                 raw sqlite3 p50 {raw50 * 1000:.2f} ms, p99 {percentile(raw, 99) * 1000:.2f} ms"
    )
    print(f"                 ratio at p50: {svc50 / raw50:.2f}x (target <= 10x)")

    t = time.perf_counter()
    inc = build_big_incident(tmp / "big.db", args.entries)
    print(f"built incident with {args.entries:,} entries in {time.perf_counter() - t:.1f} s")
    res = bench_search(
        tmp / "big.db",
        inc,
        ["Pegel", "deich gesperrt", "Strasse Jülich", "Sirene Brücke Pumpen", "zzz"],
    )
    medians = []
    for q, (med, hits) in res.items():
        medians.append(med)
        print(f"search {q!r:26} {hits:>7,} hits, median {med * 1000:.1f} ms (numbers + first page)")
    print(
        f"search median over queries: {statistics.median(medians) * 1000:.1f} ms (target <= 30 ms)"
    )
    print(f"big database file: {tmp / 'big.db'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
