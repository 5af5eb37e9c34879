"""Trust figures for the README: kills survived, entries lost, fuzz cases, backup and
restore of a 100,000-entry database, and what the anchor log costs per journal write.

Run: python tests/benchmarks/bench_trust.py [--kills 250] [--entries 100000]
Everything runs in a temporary folder (KRISENSTAB_HOME too, so the anchor
log of the benchmark stays out of the user's config folder).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "reliability"))

TMP = Path(tempfile.mkdtemp(prefix="krisenstab-trust-"))
os.environ["KRISENSTAB_HOME"] = str(TMP / "home")


def bench_append(tmp: Path, n: int) -> None:
    """Durable append with and without the anchor log, against raw sqlite3.

    The three are measured in alternating rounds, so that a busy disk or CPU
    in the middle of the run hits all of them alike.
    """
    from bench_journal import bench_raw_insert, bench_service_append, percentile
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from krisenstab.store import anchors

    raw: list[float] = []
    with_anchor: list[float] = []
    without: list[float] = []
    rounds = 5
    for r in range(rounds):
        raw += bench_raw_insert(tmp / f"raw{r}.db", n // rounds)
        with_anchor += bench_service_append(tmp / f"anchor{r}.db", n // rounds)
        event.remove(Session, "after_commit", anchors._write_pending)
        try:
            without += bench_service_append(tmp / f"noanchor{r}.db", n // rounds)
        finally:
            event.listen(Session, "after_commit", anchors._write_pending)
    r50, a50, w50 = (statistics.median(x) for x in (raw, with_anchor, without))
    log = anchors.AnchorLog.for_db("bench-direct")
    one = [anchors.Anchor("inc", 1, "0" * 64, "Einsatztagebuch")]
    t = time.perf_counter()
    for _ in range(5000):
        log.append(one)
    direct = (time.perf_counter() - t) / 5000
    print(f"journal append, durable, {len(raw)}x each (p50 / p99):")
    print(
        f"  raw sqlite3 baseline      {r50 * 1000:6.2f} ms / {percentile(raw, 99) * 1000:6.2f} ms"
    )
    print(
        f"  service without anchors   {w50 * 1000:6.2f} ms / {percentile(without, 99) * 1000:6.2f} ms"
    )
    print(
        f"  service with anchor log   {a50 * 1000:6.2f} ms / {percentile(with_anchor, 99) * 1000:6.2f} ms"
    )
    print(f"  anchor line append alone  {direct * 1e6:6.0f} µs per entry (fsync at most every 5 s)")
    print(f"  ratio service/raw at p50  {a50 / r50:6.2f}x (target <= 10x)")


def bench_kills(tmp: Path, kills: int) -> None:
    from kill_harness import run_kill_campaign

    figures = run_kill_campaign(tmp / "kill.db", kills)
    print(f"durability: {figures.summary()}")
    if figures.lost or not figures.chain_ok or figures.integrity != "ok":
        print("  FAILED: entries were lost or the file is damaged")
    with_backups = run_kill_campaign(
        tmp / "kill-b.db", max(10, kills // 5), max_delay_s=0.15, backup_dir=tmp / "kill-stick"
    )
    print(f"durability with backups: {with_backups.summary()}")


def bench_fuzz(tmp: Path, scale: int) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from krisenstab.domain.account import parse_functions, validate_login, validate_password
    from krisenstab.domain.filenames import safe_filename
    from krisenstab.domain.journal import clean_text
    from krisenstab.services.accounts import parse_role
    from krisenstab.services.backup import BackupService
    from krisenstab.services.context import Actor, ServiceError
    from krisenstab.services.incidents import IncidentService
    from krisenstab.services.journal import JournalService
    from krisenstab.store.backup import verify_backup
    from krisenstab.store.database import Database

    counts: dict[str, int] = {}
    cfg = settings(
        max_examples=scale,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )

    @cfg
    @given(st.text(max_size=300), st.sampled_from(["", ".pdf", ".db", ".json"]))
    def names(text: str, suffix: str) -> None:
        counts["file names"] = counts.get("file names", 0) + 1
        name = safe_filename(text, suffix)
        assert "/" not in name and "\\" not in name and ".." not in name and name.endswith(suffix)

    @cfg
    @given(st.text(max_size=200), st.text(max_size=2000), st.text(max_size=200))
    def account_input(login: str, password: str, functions: str) -> None:
        counts["account input"] = counts.get("account input", 0) + 1
        for fn, arg in ((validate_login, login), (validate_password, password)):
            with contextlib.suppress(ValueError):
                fn(arg)
        with contextlib.suppress(ValueError):
            parse_functions(functions)
        with contextlib.suppress(ServiceError):
            parse_role(login)

    db = Database.open(tmp / "fuzz.db")
    actor = Actor("Max Mustermann", "S2", "fuzz")
    inc = IncidentService(db).create("Fuzz Muster", actor).id
    jr = JournalService(db, actor)

    @cfg
    @given(st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=5000))
    def journal_text(text: str) -> None:
        counts["journal texts"] = counts.get("journal texts", 0) + 1
        try:
            expected = clean_text(text)
        except ValueError:
            return
        entry = jr.add(inc, text)
        assert jr.entry(inc, entry.number).text == expected

    info = BackupService(db, folder=tmp / "fuzz-stick").backup_now()
    assert info is not None
    pristine = info.path.read_bytes()

    @settings(max_examples=max(20, scale // 10), deadline=None, database=None)
    @given(
        st.lists(
            st.tuples(st.integers(0, len(pristine) - 1), st.integers(1, 255)),
            min_size=1,
            max_size=20,
        )
    )
    def damaged_backup(flips: list[tuple[int, int]]) -> None:
        counts["damaged backups"] = counts.get("damaged backups", 0) + 1
        data = bytearray(pristine)
        for pos, xor in flips:
            data[pos] ^= xor
        info.path.write_bytes(bytes(data))
        # Two flips of one byte may cancel out: then the backup is good again.
        assert verify_backup(info).ok == (bytes(data) == pristine)

    for fn in (names, account_input, journal_text, damaged_backup):
        fn()
    info.path.write_bytes(pristine)
    assert jr.verify().ok
    db.close()
    total = sum(counts.values())
    detail = ", ".join(f"{k} {v:,}" for k, v in counts.items())
    print(f"fuzz cases run: {total:,} ({detail}); no crash, every damaged backup refused")


def bench_backup_restore(tmp: Path, entries: int) -> None:
    from bench_journal import build_big_incident

    from krisenstab.services.accounts import AccountService
    from krisenstab.services.backup import BackupService, restore_backup
    from krisenstab.services.verification import verify_database
    from krisenstab.store.database import Database

    t = time.perf_counter()
    inc = build_big_incident(tmp / "big.db", entries)
    print(f"built {entries:,} entries in {time.perf_counter() - t:.1f} s")
    db = Database.open(tmp / "big.db")
    size = db.path.stat().st_size / 1e6
    service = BackupService(db, folder=tmp / "big-stick")
    times = []
    for _ in range(3):
        t = time.perf_counter()
        info = service.backup_now()
        times.append(time.perf_counter() - t)
    assert info is not None
    print(
        f"backup of {entries:,} entries ({size:.0f} MB): median {statistics.median(times):.2f} s "
        "(copy + integrity_check + all chains recomputed + SHA-256 + manifest)"
    )
    from krisenstab.store.backup import check_database_file, copy_database, sha256_file

    t = time.perf_counter()
    copy_database(db.path, tmp / "phase.db")
    t_copy = time.perf_counter() - t
    t = time.perf_counter()
    check = check_database_file(tmp / "phase.db")
    t_check = time.perf_counter() - t
    t = time.perf_counter()
    sha256_file(tmp / "phase.db")
    t_sha = time.perf_counter() - t
    assert check.ok
    print(
        f"  phases: copy {t_copy:.2f} s, integrity_check + chains {t_check:.2f} s, "
        f"SHA-256 {t_sha:.2f} s"
    )
    t = time.perf_counter()
    report = verify_database(db, against=[tmp / "big-stick"])
    print(
        f"verify with {report.anchors_checked} anchors: {time.perf_counter() - t:.2f} s, ok={report.ok}"
    )
    times = []
    for i in range(3):
        t = time.perf_counter()
        result = restore_backup(info.path, tmp / f"restored-{i}.db")
        times.append(time.perf_counter() - t)
    print(
        f"restore of {entries:,} entries: median {statistics.median(times):.2f} s "
        "(backup verified, copied, new identity, ETB note)"
    )
    restored = Database.open(result.path)
    assert verify_database(restored).ok
    restored.close()
    db.close()
    del inc
    acc_db = Database.open(tmp / "login.db")
    acc = AccountService(acc_db)
    acc.create_first_admin("admin", "Erika Beispiel", "Muster-Passwort-1", workstation_id="b")
    t = time.perf_counter()
    for _ in range(3):
        acc.authenticate("admin", "Muster-Passwort-1", workstation_id="b")
    print(f"login (argon2id, 64 MiB, t=3): {(time.perf_counter() - t) / 3 * 1000:.0f} ms")
    acc_db.close()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kills", type=int, default=250)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--appends", type=int, default=500)
    parser.add_argument("--fuzz", type=int, default=2000, help="examples per property")
    parser.add_argument(
        "--only", default="append,kills,fuzz,backup", help="comma-separated sections to run"
    )
    args = parser.parse_args()
    random.seed(7)
    only = set(args.only.split(","))
    print(f"working folder: {TMP}")
    if "append" in only:
        bench_append(TMP, args.appends)
    if "kills" in only:
        bench_kills(TMP, args.kills)
    if "fuzz" in only:
        bench_fuzz(TMP, args.fuzz)
    if "backup" in only:
        bench_backup_restore(TMP, args.entries)
    return 0


if __name__ == "__main__":
    sys.exit(main())
