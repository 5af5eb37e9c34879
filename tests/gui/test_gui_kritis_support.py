"""Shared fixtures of the KRITIS tab tests (no tests here): the demo register, built once."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

WORKSTATION = "test-ws"


@pytest.fixture(scope="session")
def kritis_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo flood with its ~60 facilities, in a file that tests copy."""
    from krisenstab.services import kritis_demo
    from krisenstab.services.demo import build_journal_demo
    from krisenstab.store.database import Database

    path = tmp_path_factory.mktemp("kritis-template") / "demo.db"
    db = Database.open(path)
    try:
        incident_id = build_journal_demo(db, WORKSTATION)
        kritis_demo.build(db, WORKSTATION, incident_id)
    finally:
        db.close()
    return path


@pytest.fixture
def kritis_db(kritis_template: Path, tmp_path: Path) -> Iterator[Any]:
    from krisenstab.store.database import Database

    target = tmp_path / "kritis.db"
    shutil.copy(kritis_template, target)
    db = Database.open(target)
    yield db
    db.close()


@pytest.fixture
def kritis_shared(kritis_db: Any, settings: Any, actor: Any) -> Any:
    from krisenstab.gui.shared import Shared

    state = Shared(kritis_db, settings, actor)
    state.set_incident(state.most_recent_open_incident())
    return state


@pytest.fixture
def kritis(qtbot: Any, kritis_shared: Any) -> Iterator[Any]:
    """The KRITIS tab on the demo register, shown at 1366 px."""
    from krisenstab.gui.kritis_view import KritisTab

    tab = KritisTab(kritis_shared)
    qtbot.addWidget(tab)
    tab.resize(1366, 700)
    tab.show()
    qtbot.waitExposed(tab)
    yield tab
    tab.clock.stop()
    if tab.import_dialog is not None:
        qtbot.waitUntil(lambda: not tab.import_dialog.busy, timeout=10_000)


def by_name(tab: Any, prefix: str) -> Any:
    """The facility view whose name starts with ``prefix``."""
    found = [v for v in tab.model.views if v.name.startswith(prefix)]
    assert len(found) == 1, [v.name for v in found]
    return found[0]


def facility_service(db: Any) -> Any:
    from krisenstab.services.facilities import FacilityService

    return FacilityService(db)
