"""Every test runs with its own settings and data folder and without a display."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# tests/ itself, so that tests import their shared builders as `helpers`;
# the program is imported from the installed package, as a user gets it.
sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    home = tmp_path_factory.mktemp("krisenstab-home")
    monkeypatch.setenv("KRISENSTAB_HOME", str(home))
    yield home
