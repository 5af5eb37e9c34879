"""`krisenstab gui --smoke` on a 100,000-entry incident against a bare PySide6 window.

Run: python tests/benchmarks/bench_gui_smoke.py [--entries 100000] [--db FILE]
Both are measured as whole processes (interpreter start to first paint), the
same number of times, in the same run; peak memory is the child's max RSS.
Targets: <= 1.0 s to first paint, <= 1.5x the bare window, <= 250 MB.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

BARE = """
import time, sys
t0 = time.perf_counter()
import sqlmodel  # the baseline also pays for the ORM import
from PySide6.QtWidgets import QApplication, QMainWindow, QLabel
app = QApplication(sys.argv)
w = QMainWindow(); w.setCentralWidget(QLabel("Krisenstab")); w.resize(1366, 768); w.show()
app.processEvents(); w.grab()
print(int((time.perf_counter() - t0) * 1000))
"""


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, int, float]:
    """Wall seconds, printed ms, peak RSS in MB of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True
    )
    out = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"failed: {cmd}")
    printed = int(out.strip().splitlines()[-1])
    return wall, printed, usage.ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--db", help="reuse a database built earlier")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env["KRISENSTAB_HOME"] = tempfile.mkdtemp(prefix="krisenstab-smoke-home-")
    if args.db:
        db = Path(args.db)
    else:
        from bench_journal import build_big_incident

        db = Path(tempfile.mkdtemp(prefix="krisenstab-smoke-")) / "big.db"
        t = time.perf_counter()
        build_big_incident(db, args.entries)
        print(f"built {args.entries:,} entries in {time.perf_counter() - t:.0f} s: {db}")
    app_cmd = [sys.executable, "-m", "krisenstab", "--db", str(db), "gui", "--smoke"]
    bare_cmd = [sys.executable, "-c", BARE]
    run(app_cmd, env)  # warm the page cache once for both
    run(bare_cmd, env)
    app, bare = [], []
    for _ in range(args.runs):  # interleaved, so machine noise hits both alike
        app.append(run(app_cmd, env))
        bare.append(run(bare_cmd, env))
    a_wall = statistics.median(r[0] for r in app)
    b_wall = statistics.median(r[0] for r in bare)
    a_ms = statistics.median(r[1] for r in app)
    a_rss = max(r[2] for r in app)
    b_rss = max(r[2] for r in bare)
    print(f"krisenstab gui --smoke: process start to first paint {a_wall * 1000:.0f} ms "
          f"(printed {a_ms:.0f} ms from main()), peak RSS {a_rss:.0f} MB")  # fmt: skip
    print(f"bare PySide6 window + sqlmodel: {b_wall * 1000:.0f} ms, peak RSS {b_rss:.0f} MB")
    print(f"ratio {a_wall / b_wall:.2f}x (target <= 1.5x), target <= 1000 ms, <= 250 MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
