"""Several processes write the same ETB at once: no gaps, no duplicates, no lock errors."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from helpers import journal, new_db, new_incident

WRITER = textwrap.dedent(
    """
    import sys
    from krisenstab.services.context import Actor
    from krisenstab.services.journal import JournalService
    from krisenstab.store.database import Database

    path, incident, name, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    db = Database.open(path, quick_check=False)
    jr = JournalService(db, Actor(person=name, function="S2", workstation_id=name))
    for i in range(count):
        entry = jr.add(incident, f"{name} Meldung {i}")
        print(entry.number, flush=True)
    """
)


@pytest.mark.slow
def test_four_processes_write_1000_entries_each(tmp_path):
    db = new_db(tmp_path)
    incident = new_incident(db)
    db.close()
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                WRITER,
                str(tmp_path / "stab.db"),
                incident,
                f"Platz{i}",
                "1000",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(4)
    ]
    reported: list[int] = []
    for proc in procs:
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err
        assert "locked" not in err
        reported.extend(int(line) for line in out.split())
    assert len(reported) == 4000
    assert len(set(reported)) == 4000
    db = new_db(tmp_path)
    numbers = journal(db).numbers(incident)
    assert numbers == list(range(1, 4002))
    assert sorted(reported) == list(range(2, 4002))
    assert journal(db).verify().ok
