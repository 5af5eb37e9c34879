"""Benchmarks of the staff capability: contact lookup and the message inbox.

Run: python tests/benchmarks/bench_responsibilities.py [--contacts 10000] [--messages 20000]

Targets (issue 4): lookup among 10,000 contacts ≤ 20 ms per keystroke; a
function's inbox with 20,000 messages opens (first page + counts) ≤ 300 ms.
Baselines measured in the same run: for the lookup, the naive query a first
version would write (LIKE '%word%' over the folded text of every entry); for
the inbox, the same page read with plain sqlite3 and hand-written SQL.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

MUNICIPALITIES = (
    "Aldenhoven", "Düren", "Heimbach", "Hürtgenwald", "Inden", "Jülich", "Kreuzau",
    "Langerwehe", "Linnich", "Merzenich", "Nideggen", "Niederzier", "Nörvenich", "Titz",
    "Vettweiß",
)  # fmt: skip
SUBJECTS = (
    ("Trinkwasserversorgung", "Wasser", "Trinkwasser"),
    ("Abwasserbeseitigung", "Wasser", "Abwasser"),
    ("Stromversorgung", "Energie", "Strom"),
    ("Gasversorgung", "Energie", "Gas"),
    ("Fernwärme", "Energie", "Fernwärme"),
    ("Krankenhaus", "Gesundheit", "Stationäre Versorgung"),
    ("Pflegeheim", "Sozialleistungen", "Pflege"),
    ("Schule als Notunterkunft", None, None),
    ("Feuerwehrhaus", "Staat und Verwaltung", "Gefahrenabwehr"),
    ("Mobilfunkmast", "Informationstechnik und Telekommunikation", "Telekommunikation"),
    ("Tankstelle", "Energie", "Mineralöl"),
    ("Lebensmittelmarkt", "Ernährung", "Lebensmittelhandel"),
    ("Brücke", "Transport und Verkehr", "Straße"),
    ("Pumpwerk", "Wasser", "Abwasser"),
    ("Apotheke", "Gesundheit", "Arzneimittel"),
)
ORGS = ("Werk", "Betrieb", "Verband", "Dienst", "Zentrale", "Gesellschaft", "Amt", "Stelle")
FIRST = ("Anna", "Ben", "Carla", "David", "Eva", "Felix", "Greta", "Hannes", "Ida", "Jan")
LAST = ("Muster", "Beispiel", "Mustermann", "Beispielhaft", "Musterfrau", "Beispielmann")
QUERIES = (
    "Trinkwasser Jülich",
    "trinkwasser julich",
    "wasser düren",
    "strom",
    "krankenhaus nörvenich pflege",
    "0221 4710 5",
    "feuerwehr heimbach muster",
    "j",
    "gas kreuzau betrieb",
    "nichtvorhanden",
)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def ms(values: list[float]) -> str:
    return (
        f"median {statistics.median(values) * 1000:6.2f} ms  "
        f"p95 {percentile(values, 95) * 1000:6.2f} ms  max {max(values) * 1000:6.2f} ms"
    )


def contacts_csv(n: int, rng: random.Random) -> bytes:
    lines = ["Schlüssel;Zuständigkeit;Gemeinde;KRITIS-Sektor;KRITIS-Branche;Organisation;"
             "Funktion;Ansprechpartner;Telefon;24/7;Stichworte"]  # fmt: skip
    for i in range(n):
        subject, sector, branch = rng.choice(SUBJECTS)
        place = rng.choice(MUNICIPALITIES)
        org = f"{subject.split()[0]}{rng.choice(ORGS).lower()} {place} {i % 97} (Muster)"
        person = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        lines.append(
            ";".join(
                [
                    f"K-{i:05d}",
                    f"{subject} {place}" if i % 3 == 0 else subject,
                    place,
                    sector or "",
                    branch or "",
                    org,
                    rng.choice(("Bereitschaftsdienst", "Leitwarte", "Betriebsleitung", "")),
                    person,
                    f"0221 4710 {i % 1000:03d}",
                    f"0221 4710 {(i * 7) % 1000:03d}" if sector else "",
                    rng.choice(("Notstrom", "Evakuierung", "Hochwasser", "", "")),
                ]
            )
        )
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def bench_lookup(folder: Path, n: int) -> None:
    from krisenstab.services.contacts import ContactService
    from krisenstab.services.context import Actor
    from krisenstab.store.database import Database
    from krisenstab.store.search import normalize

    db = Database.open(folder / "kontakte.db")
    actor = Actor("Benchmark", "S1", "bench")
    contacts = ContactService(db, actor)
    data = contacts_csv(n, random.Random(4))
    t = time.perf_counter()
    report = contacts.import_file(data, filename="kontakte.csv")
    import_s = time.perf_counter() - t
    assert report.ok and report.created == n, report.errors[:3]
    t = time.perf_counter()
    again = contacts.import_file(data, filename="kontakte.csv", dry_run=True)
    reimport_s = time.perf_counter() - t
    assert again.unchanged == n
    print(f"\n== Lookup among {n:,} contacts ==")
    print(f"import of {n:,} lines (all-or-nothing, one transaction): {import_s:.2f} s")
    print(f"re-import check (dry run, all unchanged): {reimport_s:.2f} s")

    # Baseline: the naive lookup, every word as LIKE '%word%' over the folded text.
    conn = sqlite3.connect(folder / "kontakte.db")
    conn.create_function("fold", 1, normalize, deterministic=True)
    conn.execute("CREATE TEMP TABLE naive (id TEXT, body TEXT)")
    conn.execute(
        "INSERT INTO naive SELECT id, fold(subject || ' ' || coalesce(municipality, '') || ' ' ||"
        " coalesce(organisation, '') || ' ' || coalesce(sector, '') || ' ' ||"
        " coalesce(branch, '') || ' ' || coalesce(keywords, '') || ' ' ||"
        " coalesce(contact_person, '') || ' ' || coalesce(phone, '')) FROM responsibility"
    )

    def naive(query: str) -> list[str]:
        words = normalize(query).split()
        where = " AND ".join("body LIKE ?" for _ in words)
        sql = f"SELECT id FROM naive WHERE {where} LIMIT 20"
        return [r[0] for r in conn.execute(sql, [f"%{w}%" for w in words])]

    t = time.perf_counter()
    contacts.find("warm up")
    print(
        f"first lookup after a change (reads the word index): {(time.perf_counter() - t) * 1000:.0f} ms"
    )
    rows = []
    all_service: list[float] = []
    all_naive: list[float] = []
    for query in QUERIES:
        service_t, naive_t = [], []
        for _ in range(15):
            t = time.perf_counter()
            hits = contacts.find(query, limit=20)
            service_t.append(time.perf_counter() - t)
            t = time.perf_counter()
            naive(query)
            naive_t.append(time.perf_counter() - t)
        all_service += service_t
        all_naive += naive_t
        rows.append((query, len(hits), statistics.median(service_t), statistics.median(naive_t)))
    print(f"{'query':<32} {'hits':>4}  {'service':>10}  {'naive LIKE':>10}  ratio")
    for query, count, s, b in rows:
        print(f"{query:<32} {count:>4}  {s * 1000:8.2f} ms  {b * 1000:8.2f} ms  {s / b:5.2f}")
    # As you type: every prefix of "Trinkwasser Jülich", one call per keystroke.
    typed = "Trinkwasser Jülich"
    keystrokes = []
    for i in range(1, len(typed) + 1):
        t = time.perf_counter()
        contacts.find(typed[:i], limit=20)
        keystrokes.append(time.perf_counter() - t)
    best = contacts.find(typed)[0]
    print(f"typing „{typed}“ key by key: {ms(keystrokes)}")
    print(f"all lookups (service):    {ms(all_service)}")
    print(f"all lookups (naive LIKE): {ms(all_naive)}")
    print(f"first hit for „{typed}“: {best.title} – {best.municipality}; reach {best.reach[:1]}")
    worst = max(percentile(all_service, 95), max(keystrokes))
    print(
        f"target ≤ 20 ms per lookup: {'erfüllt' if worst <= 0.020 else 'VERFEHLT'} (p95/max {worst * 1000:.2f} ms)"
    )
    conn.close()
    db.close()


def fill_messages(path: Path, incident_id: str, n: int, rng: random.Random) -> None:
    """20,000 messages straight into the tables (the service path costs one durable
    commit each); a few hundred more go through the service afterwards."""
    functions = ("S1", "S2", "S3", "S4", "S5", "S6", "BuMA", "Leiter des Stabes",
                 "Fachberater Wasserwirtschaft", "Verbindungsperson THW")  # fmt: skip
    order = {"blitz": 0, "sofort": 1, "einfach": 2}
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    start = datetime(2026, 11, 26, 6, 0)
    messages, recipients = [], []
    seqs = {"E": 0, "A": 0}
    for i in range(n):
        direction = "E" if rng.random() < 0.7 else "A"
        seqs[direction] += 1
        prio = rng.choices(("einfach", "sofort", "blitz"), (85, 13, 2))[0]
        at = (start + timedelta(seconds=i * 6)).strftime("%Y-%m-%d %H:%M:%S.%f")
        mid = str(uuid.uuid4())
        messages.append(
            (mid, incident_id, direction, seqs[direction], "Funk", at, "Bench", None, None, None,
             None, None, None, prio, "Stab", 0, f"Meldung {i}: Pegel {rng.choice(functions)} " * 3,
             None, "Leitstelle (Muster)", None, None, at, "Bench", None, None, "Bench", "FM", at, "w")
        )  # fmt: skip
        for function in rng.sample(functions, rng.choice((1, 1, 2, 3))):
            acked = rng.random() < 0.8
            recipients.append(
                (str(uuid.uuid4()), mid, incident_id, direction, seqs[direction], order[prio],
                 function, at, "Bench", acked, at if acked else None, "Bench" if acked else None,
                 function if acked else None)
            )  # fmt: skip
    conn.executemany(f"INSERT INTO message VALUES ({', '.join('?' * 29)})", messages)
    conn.executemany(f"INSERT INTO message_recipient VALUES ({', '.join('?' * 13)})", recipients)
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()


def bench_inbox(folder: Path, n: int) -> None:
    from krisenstab.services.context import Actor
    from krisenstab.services.incidents import IncidentService
    from krisenstab.services.messages import MessageService
    from krisenstab.store.database import Database

    path = folder / "nachrichten.db"
    db = Database.open(path)
    actor = Actor("Ben Musterberg", "Fernmelder", "bench")
    inc = IncidentService(db).create("Benchmark", actor).id
    db.close()
    fill_messages(path, inc, n, random.Random(7))
    db = Database.open(path)
    desk = MessageService(db, actor)
    t = time.perf_counter()
    for i in range(200):
        desk.record_incoming(inc, sender="Leitstelle (Muster)", content=f"Nachmeldung {i}",
                             to_functions="S3", priority="sofort" if i % 10 == 0 else "einfach")  # fmt: skip
    record_ms = (time.perf_counter() - t) / 200 * 1000
    db.close()
    print(f"\n== Inbox with {n + 200:,} messages ==")
    print(
        f"recording through the service (durable, numbered, journal entry): {record_ms:.2f} ms each"
    )

    # Cold: a fresh Database, the first page as the tab opens.
    t = time.perf_counter()
    db = Database.open(path)
    page = MessageService(db).inbox(inc, "S3", limit=50)
    cold = time.perf_counter() - t
    service = MessageService(db)
    warm, counts_only, queue, register, blitz = [], [], [], [], []
    for _ in range(20):
        t = time.perf_counter()
        page = service.inbox(inc, "S3", limit=50)
        warm.append(time.perf_counter() - t)
        t = time.perf_counter()
        service.inbox(inc, "S3", offset=page.unacknowledged + 100, limit=50)
        counts_only.append(time.perf_counter() - t)
        t = time.perf_counter()
        service.triage_queue(inc)
        queue.append(time.perf_counter() - t)
        t = time.perf_counter()
        service.register(inc, direction="E", offset=10_000, limit=100)
        register.append(time.perf_counter() - t)
        t = time.perf_counter()
        service.unacknowledged_blitz(inc, "S3")
        blitz.append(time.perf_counter() - t)
    conn = sqlite3.connect(path)
    raw = []
    for _ in range(20):
        t = time.perf_counter()
        conn.execute(
            "SELECT acknowledged, priority_order, count(*) FROM message_recipient WHERE "
            "incident_id = ? AND function = 'S3' AND direction = 'E' GROUP BY 1, 2",
            (inc,),
        ).fetchall()
        conn.execute(
            "SELECT m.id, m.direction, m.seq, m.priority, m.intake_at, m.sender,"
            " substr(m.content, 1, 240), r.acknowledged_at FROM message_recipient r JOIN message m"
            " ON m.id = r.message_id WHERE r.incident_id = ? AND r.function = 'S3' AND"
            " r.direction = 'E' AND r.acknowledged = 0 ORDER BY r.priority_order, r.seq LIMIT 50",
            (inc,),
        ).fetchall()
        raw.append(time.perf_counter() - t)
    conn.close()
    print(f"inbox S3: {page.total:,} messages, {page.unacknowledged:,} unacknowledged, "
          f"first page {len(page.rows)} rows")  # fmt: skip
    print(f"first page + counts, cold (incl. opening the file): {cold * 1000:.1f} ms")
    print(f"first page + counts, warm:          {ms(warm)}")
    print(f"acknowledged part, deep page:       {ms(counts_only)}")
    print(f"same page with plain sqlite3:       {ms(raw)}  "
          f"(service/raw {statistics.median(warm) / statistics.median(raw):.1f}×)")  # fmt: skip
    print(f"triage queue:                       {ms(queue)}")
    print(f"register page at E-10000:           {ms(register)}")
    print(f"unacknowledged Blitz of S3:         {ms(blitz)}")
    worst = max(cold, percentile(warm, 95))
    print(
        f"target ≤ 300 ms: {'erfüllt' if worst <= 0.300 else 'VERFEHLT'} (worst {worst * 1000:.1f} ms)"
    )
    db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--messages", type=int, default=20_000)
    args = parser.parse_args()
    print(
        f"Python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )
    with tempfile.TemporaryDirectory() as folder:
        bench_lookup(Path(folder), args.contacts)
        bench_inbox(Path(folder), args.messages)


if __name__ == "__main__":
    main()
