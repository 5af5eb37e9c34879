"""Exercise mode: scenario import speed and inject punctuality at 10× speed.

Run on demand:  python tests/benchmarks/bench_exercise.py [injects] [run_seconds]

1. Import: a 1,000-inject MSEL (German CSV, every column, contingencies and
   effects) is read (pure) and imported into an exercise database. Budget:
   ≤ 1 s. Baseline in the same run: read_table over the same bytes with
   plain text columns (what any importer pays for CSV reading alone).
2. Punctuality: a scenario with an inject every 4 scenario seconds runs at
   10× through the headless runner on the real clock and the real message
   flow (every inject a message, a journal entry and a claim, each durably
   committed). Lateness = when the message was recorded − when the inject
   was due in real time. Budget: no inject later than 1 s. Baseline in the
   same run: a bare ``time.sleep`` loop waking at the same due moments.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from krisenstab.domain.exercise import EventKind, ExerciseDelivery, ExerciseEvent, ExerciseInject
from krisenstab.domain.message import Message
from krisenstab.exchange.tabular import ColumnSpec, csv_bytes, read_table
from krisenstab.exercise.msel import GERMAN_HEADERS, read_scenario
from krisenstab.exercise.runner import run_exercise
from krisenstab.exercise.times import format_offset
from krisenstab.services.exercise import ExerciseService, control_actor
from krisenstab.services.exercise_setup import create_exercise_db
from krisenstab.store.database import Database

FUNCTIONS = ["S1", "S2", "S3", "S4", "S5", "S6", "Leiter des Stabes", "BuMA"]
CHANNELS = ["Funk", "Telefon", "E-Mail", "Fax", "Melder", "Lagemeldung"]
PRIORITIES = ["Einfach", "Sofort", "Blitz"]


def scenario_csv(count: int, step_s: int) -> bytes:
    rows = []
    for n in range(1, count + 1):
        contingent = n % 10 == 0
        rows.append(
            [
                n,
                format_offset(n * step_s, with_seconds=bool(step_s % 60)),
                f"Leitstelle Abschnitt {n % 7} (Muster)",
                FUNCTIONS[n % len(FUNCTIONS)],
                CHANNELS[n % len(CHANNELS)],
                PRIORITIES[n % 3] if n % 25 else "Blitz",
                f"Einlage {n}: Lagemeldung aus dem Abschnitt {n % 7}, Pegel {300 + n % 90} cm, "
                "weitere Kräfte werden benötigt; Rückmeldung erbeten.",
                "Meldung an S2 und Auftrag an S3",
                f"Übungsziel {n % 5 + 1}",
                "nur für die Übungsleitung",
                n - 1 if contingent else None,
                "30 min" if contingent else None,
                f"Strang {n % 4 + 1}",
                "Umspannwerk Kreuzau (Muster): ausgefallen" if n == 500 else None,
                "Massenübung (Muster)" if n == 1 else None,
                "Samstag 03:00" if n == 1 else None,
            ]
        )
    return csv_bytes(GERMAN_HEADERS, rows)


def best_of(runs: int, job) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(runs):
        t0 = time.perf_counter()
        job()
        best = min(best, time.perf_counter() - t0)
    return best


def bench_import(count: int, folder: Path) -> bool:
    data = scenario_csv(count, 20)
    plain = [ColumnSpec(h) for h in GERMAN_HEADERS]
    baseline = best_of(5, lambda: read_table(data, plain, filename="m.csv"))
    pure = best_of(5, lambda: read_scenario(data, filename="m.csv"))
    real = folder / "echt.db"
    Database.open(real).close()
    times = []
    for attempt in range(3):
        path = folder / f"uebung{attempt}.db"
        create_exercise_db(real, path)
        db = Database.open(path)
        service = ExerciseService(db, control_actor("bench"))
        t0 = time.perf_counter()
        report = service.import_scenario(data, filename="m.csv")
        times.append(time.perf_counter() - t0)
        assert report.injects == count
        db.close()
    stored = min(times)
    print(f"Import von {count} Einlagen ({len(data) / 1024:.0f} KiB CSV):")
    print(f"  Grundlinie read_table, nur Text:   {baseline * 1000:7.1f} ms")
    print(f"  read_scenario (rein, geprüft):      {pure * 1000:7.1f} ms  ({pure / baseline:.1f}×)")
    print(
        f"  import_scenario in Übungsdatenbank: {stored * 1000:7.1f} ms  ({stored / baseline:.1f}×)"
    )
    ok = stored <= 1.0
    print(f"  Vorgabe ≤ 1 s: {'erfüllt' if ok else 'NICHT erfüllt'}")
    return ok


def sleep_baseline(due: list[float]) -> list[float]:
    """Lateness of a bare sleep loop waking at the same real moments."""
    start = time.time()
    late = []
    for moment in due:
        wait = start + moment - time.time()
        if wait > 0:
            time.sleep(wait)
        late.append(time.time() - (start + moment))
    return late


def describe(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return (
        f"Median {statistics.median(ordered) * 1000:6.1f} ms, 95 % {p95 * 1000:6.1f} ms, "
        f"max {ordered[-1] * 1000:6.1f} ms"
    )


def bench_punctuality(run_seconds: float, folder: Path) -> bool:
    speed = 10.0
    step_s = 4  # scenario seconds between injects: one every 0.4 s real
    count = int(run_seconds * speed / step_s)
    real = folder / "echt-p.db"
    Database.open(real).close()
    path = folder / "puenktlich.db"
    create_exercise_db(real, path)
    db = Database.open(path)
    actor = control_actor("bench")
    service = ExerciseService(db, actor)
    service.import_scenario(scenario_csv(count, step_s), filename="p.csv")
    outcome = run_exercise(service, actor, speed=speed, until_s=(count + 1) * step_s)
    with db.session() as session:
        start = session.execute(
            select(ExerciseEvent.real_at).where(ExerciseEvent.kind == EventKind.START.value)
        ).scalar_one()
        rows = session.execute(
            select(ExerciseDelivery.due_offset_s, Message.created_at, ExerciseDelivery.outcome)
            .join(ExerciseInject, ExerciseInject.id == ExerciseDelivery.inject_id)
            .join(Message, Message.id == ExerciseDelivery.message_id)
        ).all()
    late = [
        (created - (start + timedelta(seconds=due / speed))).total_seconds()
        for due, created, _outcome in rows
    ]
    baseline = sleep_baseline(sorted(due / speed for due, _c, _o in rows))
    db.close()
    print(f"Pünktlichkeit bei {speed:g}× ({len(rows)} Einlagen zugestellt, "
          f"{len(outcome.skipped)} entfallen, {run_seconds:g} s Laufzeit):")  # fmt: skip
    print(f"  Grundlinie time.sleep:  {describe(baseline)}")
    print(f"  Einlage als Nachricht:  {describe(late)}")
    print(
        f"  Verhältnis Median:      {statistics.median(late) / max(statistics.median(baseline), 1e-6):.0f}×"
    )
    ok = max(late) <= 1.0
    print(f"  Vorgabe: keine Einlage später als 1 s: {'erfüllt' if ok else 'NICHT erfüllt'}")
    return ok


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    run_seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 20.0
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ok = bench_import(count, folder)
        print()
        ok = bench_punctuality(run_seconds, folder) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
