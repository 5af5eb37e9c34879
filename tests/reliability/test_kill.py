"""SIGKILL at random moments during journal writes (and backups) loses nothing reported."""

from __future__ import annotations

import os
import sys

import pytest
from kill_harness import run_kill_campaign

pytestmark = pytest.mark.skipif(
    not hasattr(os, "fork") or sys.platform == "win32", reason="needs os.fork and SIGKILL"
)


@pytest.mark.slow
def test_250_kills_lose_no_reported_entry(tmp_path):
    figures = run_kill_campaign(tmp_path / "stab.db", 250)
    print("\n" + figures.summary())
    assert figures.child_errors == []
    assert figures.kills == 250
    assert len(figures.reported) > 1000
    assert figures.lost == []
    assert figures.chain_ok
    assert figures.integrity == "ok"


@pytest.mark.slow
def test_kills_during_backups_leave_only_good_backups(tmp_path):
    folder = tmp_path / "stick"
    figures = run_kill_campaign(tmp_path / "stab.db", 40, max_delay_s=0.15, backup_dir=folder)
    print("\n" + figures.summary())
    assert figures.child_errors == []
    assert figures.lost == [] and figures.chain_ok and figures.integrity == "ok"
    # Whatever has a manifest is complete and verifies; interrupted copies stay .part.
    assert figures.backups_checked > 0 and figures.backups_bad == 0
