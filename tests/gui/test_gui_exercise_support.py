"""Shared fixtures of the exercise GUI tests (no tests here).

The demo exercise (master data of the demo Kreis, scenario „Hochwasser an
der Rur“, clock not started) is built once per session; each test copies it.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

WORKSTATION = "test-ws-exercise"
CONTROL_PERSON = "Erika Muster"


@pytest.fixture(scope="session")
def exercise_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from krisenstab.services.demo import build_demo
    from krisenstab.services.exercise_demo import prepare_demo_exercise
    from krisenstab.store.database import Database

    folder = tmp_path_factory.mktemp("exercise-template")
    real = folder / "echt.db"
    db = Database.open(real)
    try:
        build_demo(db, WORKSTATION)
    finally:
        db.close()
    target = folder / "UEBUNG_demo.db"
    prepare_demo_exercise(target, WORKSTATION, source=real)
    return target


@pytest.fixture(scope="session")
def real_template(exercise_template: Path) -> Path:
    """The real demo database the exercise was made from."""
    return exercise_template.parent / "echt.db"


@pytest.fixture
def exercise_path(exercise_template: Path, tmp_path: Path) -> Path:
    target = tmp_path / "UEBUNG_demo.db"
    shutil.copy(exercise_template, target)
    return target


@pytest.fixture
def demo_exercise_db(exercise_path: Path) -> Iterator[Any]:
    from krisenstab.store.database import Database

    db = Database.open(exercise_path)
    yield db
    db.close()


@pytest.fixture
def control(settings: Any) -> Any:
    """The person running the exercise."""
    from krisenstab.services.context import Actor

    return Actor(CONTROL_PERSON, "Übungsleitung", settings.workstation_id)


def player(settings: Any, function: str = "S2", person: str = "Max Mustermann") -> Any:
    from krisenstab.services.context import Actor

    return Actor(person, function, settings.workstation_id)


def stop_runners() -> None:
    from krisenstab.gui import exercise_tick

    exercise_tick._stop_all_runners()


@pytest.fixture
def control_window(window_factory: Any, demo_exercise_db: Any, control: Any) -> Iterator[Any]:
    """A main window on the demo exercise, as the Übungsleitung."""
    window = window_factory(demo_exercise_db, control)
    yield window
    stop_runners()


@pytest.fixture
def console(qtbot: Any, control_window: Any) -> Any:
    """The controller console, shown, with its lists loaded."""
    tab = control_window.show_tab("exercise_control")
    assert tab.console_visible
    qtbot.waitUntil(lambda: len(tab.views) == 40, timeout=10_000)
    return tab


def exercise_service(db: Any, actor: Any) -> Any:
    from krisenstab.services.exercise import ExerciseService

    return ExerciseService(db, actor)


def wait_idle(qtbot: Any, console: Any, timeout: int = 10_000) -> None:
    """Until the worker has answered everything and the debounced refresh has run."""
    qtbot.waitUntil(
        lambda: not console.runner.busy and not console._refresh_timer.isActive(), timeout=timeout
    )
    assert console.runner.wait_idle(timeout)


def refresh_and_wait(qtbot: Any, console: Any) -> None:
    console.refresh()
    wait_idle(qtbot, console)
