"""The demo exercise „Hochwasser an der Rur“: playable within minutes of installing.

``prepare_demo_exercise(out)`` builds (if needed) the demo database, copies
its master data into a new exercise database and loads the shipped scenario
(resources/scenarios/hochwasser_rur.csv): about 40 injects over 8 hours of
scenario time from Saturday 03:00, with a blackout cascade in Kreuzau and
Nideggen acting on the demo facilities and a Blitz message.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from krisenstab.assets import resource_path
from krisenstab.services.exercise import ExerciseService, ImportReport, control_actor
from krisenstab.services.exercise_setup import ExerciseCopy, create_exercise_db
from krisenstab.store.database import Database

DEMO_SCENARIO = ("scenarios", "hochwasser_rur.csv")


def demo_scenario_path() -> Path:
    return resource_path(*DEMO_SCENARIO)


@dataclass(frozen=True)
class DemoExercise:
    copy: ExerciseCopy
    scenario: ImportReport


def prepare_demo_exercise(
    out_path: str | os.PathLike[str],
    workstation_id: str,
    *,
    source: str | os.PathLike[str] | None = None,
) -> DemoExercise:
    """A ready exercise database at ``out_path`` with the demo scenario loaded."""
    from krisenstab.services.demo import build_demo
    from krisenstab.settings import demo_db_path

    real = Path(source) if source is not None else demo_db_path()
    db = Database.open(real)
    try:
        build_demo(db, workstation_id)
    finally:
        db.close()
    copy = create_exercise_db(real, out_path)
    exercise = Database.open(out_path)
    try:
        service = ExerciseService(exercise, control_actor(workstation_id))
        report = service.import_scenario(demo_scenario_path())
    finally:
        exercise.close()
    return DemoExercise(copy, report)
