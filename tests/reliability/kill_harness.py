"""Kill a journal writer with SIGKILL at random moments, many times, and count what survived.

A forked child (the imports are done once, in the parent) opens the file,
writes bursts of entries through the service and reports each number on a
pipe only after the service returned. The parent kills it at a random moment
(during opening, inside a transaction, between bursts, during a backup),
collects the numbers it was told about, and starts the next child on the
same file. At the end every reported number must be in the file, the chain
must verify and ``PRAGMA integrity_check`` must say ok.

Used by tests/reliability/test_kill.py and tests/benchmarks/bench_trust.py.
"""

from __future__ import annotations

import os
import random
import select
import signal
import sqlite3
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from krisenstab.services.backup import BackupService
from krisenstab.services.context import Actor
from krisenstab.services.incidents import IncidentService
from krisenstab.services.journal import JournalService, write_entry
from krisenstab.services.verification import verify_database
from krisenstab.store.backup import read_backups, verify_backup
from krisenstab.store.database import Database

WRITER = Actor(person="Max Mustermann", function="S2", workstation_id="kill-harness")


@dataclass
class KillFigures:
    kills: int = 0
    exited_early: int = 0
    # (number, hash) as the writer was told: a number alone could be written
    # again by the next writer after a lost transaction and hide the loss.
    reported: set[tuple[int, str]] = field(default_factory=set)
    present: int = 0
    lost: list[tuple[int, str]] = field(default_factory=list)
    chain_ok: bool = False
    integrity: str = ""
    backups_checked: int = 0
    backups_bad: int = 0
    seconds: float = 0.0
    child_errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"kills survived: {self.kills}, entries reported: {len(self.reported)}, "
            f"present: {self.present}, lost: {len(self.lost)}, chain ok: {self.chain_ok}, "
            f"integrity_check: {self.integrity}, backups checked: {self.backups_checked} "
            f"(bad: {self.backups_bad}), {self.seconds:.1f} s"
        )


def _child(path: Path, incident_id: str, fd: int, seed: int, backup_dir: Path | None) -> None:
    rng = random.Random(seed)
    db = Database.open(path, quick_check=False)
    jr = JournalService(db, WRITER)
    backups = BackupService(db, folder=backup_dir, keep_last=5) if backup_dir else None
    burst = 0
    while True:
        burst += 1
        if backups is not None and burst % 3 == 0:
            backups.backup_now(reason="Intervall")
        if rng.random() < 0.3:
            # Several entries in one transaction: reported only after the commit.
            with db.write() as session:
                entries = [
                    write_entry(session, incident_id, WRITER, f"Sammelmeldung {burst}/{k}")
                    for k in range(rng.randint(2, 6))
                ]
            os.write(fd, "".join(f"{e.number} {e.hash}\n" for e in entries).encode())
        else:
            for k in range(rng.randint(1, 8)):
                entry = jr.add(incident_id, f"Meldung {burst}/{k}: Pegel Muster")
                os.write(fd, f"{entry.number} {entry.hash}\n".encode())
        if rng.random() < 0.3:
            time.sleep(rng.random() / 500)


def _drain(fd: int) -> bytes:
    chunks = []
    while True:
        chunk = os.read(fd, 65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def run_kill_campaign(
    path: Path,
    kills: int,
    *,
    seed: int = 20261127,
    max_delay_s: float = 0.04,
    backup_dir: Path | None = None,
) -> KillFigures:
    """Fork, write, SIGKILL — ``kills`` times on one file; then check everything."""
    t0 = time.perf_counter()
    rng = random.Random(seed)
    figures = KillFigures()
    db = Database.open(path)
    incidents = IncidentService(db)
    incident_id = incidents.create("Dauerlauf Muster (Absturztest)", WRITER).id
    figures.reported.add((1, JournalService(db).chain_head(incident_id)))
    db.close()
    for i in range(kills):
        read_fd, write_fd = os.pipe()
        err_r, err_w = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the writer
            code = 0
            try:
                os.close(read_fd)
                os.close(err_r)
                _child(path, incident_id, write_fd, seed + i, backup_dir)
            except BaseException:
                os.write(err_w, traceback.format_exc().encode()[-4000:])
                code = 3
            finally:
                os._exit(code)
        os.close(write_fd)
        os.close(err_w)
        early = b""
        if rng.random() < 0.2:
            # While the child still opens the file (WAL recovery, schema check).
            time.sleep(rng.random() * max_delay_s)
        else:
            # In the middle of writing: after the first reported entry.
            ready, _, _ = select.select([read_fd], [], [], 5.0)
            if ready:
                early = os.read(read_fd, 65536)
            time.sleep(rng.random() * max_delay_s)
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        data = early + _drain(read_fd)
        os.close(read_fd)
        ready, _, _ = select.select([err_r], [], [], 0)
        err = _drain(err_r) if ready else b""
        os.close(err_r)
        if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL:
            figures.kills += 1
        else:
            figures.exited_early += 1
            figures.child_errors.append(err.decode(errors="replace"))
        # A number is reported only when its line arrived whole.
        for line in data.split(b"\n")[:-1]:
            number, digest = line.decode().split()
            figures.reported.add((int(number), digest))
    db = Database.open(path)
    jr = JournalService(db)
    numbers = jr.numbers(incident_id)
    stored = {(e.number, e.hash) for e in jr.fetch(incident_id, numbers)}
    figures.present = len(stored)
    figures.lost = sorted(figures.reported - stored)
    figures.chain_ok = verify_database(db).ok
    db.close()
    with sqlite3.connect(path) as conn:
        figures.integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
    if backup_dir is not None:
        for info in read_backups(backup_dir):
            figures.backups_checked += 1
            if not verify_backup(info).ok:
                figures.backups_bad += 1
    figures.seconds = time.perf_counter() - t0
    return figures
