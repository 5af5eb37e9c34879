"""Making an exercise database: a new file, marked as exercise, with a copy of the master data.

Copied: the KRITIS register (catalogue, municipalities, facilities, their
contacts and dependencies), the staff function catalogue, people, the roster,
and the responsibility matrix with its search words. Never copied: incidents,
the journal, messages, tasks, reports, accounts and every history table; the
roster loses its references to real incidents.

By default every facility starts the exercise "betriebsbereit": the scenario
decides what fails, not whatever the real register shows today
(``keep_status=True`` keeps the stored states).

The target must not exist; the source must be a real database. If anything
fails, the half-made file is removed again.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Table, delete, insert, select, text
from sqlmodel import SQLModel

from krisenstab.domain.exercise import META_SOURCE_KEY
from krisenstab.domain.meta import KIND_EXERCISE, KIND_REAL
from krisenstab.domain.power import FacilityStatus
from krisenstab.domain.timefmt import utcnow
from krisenstab.services.context import ServiceError
from krisenstab.store.database import Database

# In insertion order (suppliers of foreign keys first). Tables a later
# version adds to the master data are appended here.
MASTER_TABLES: tuple[str, ...] = (
    "facility_catalogue",
    "facility_municipality",
    "facility",
    "facility_contact",
    "facility_dependency",
    "facility_meta",
    "staff_function",
    "person",
    "roster_assignment",
    "responsibility",
    "responsibility_token",
)
# Never copied, named here so a test can assert the split covers the schema.
NOT_COPIED: tuple[str, ...] = (
    "meta",
    "incident",
    "journal_entry",
    "message",
    "message_recipient",
    "task",
    "situation_report",
    "cap_import",
    "facility_status_change",
    "facility_change",
    "master_data_change",
    "account",
    "account_event",
)
_CHUNK = 500


@dataclass(frozen=True)
class ExerciseCopy:
    path: Path
    source_db_id: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def summary(self) -> str:
        labels = {
            "facility": "KRITIS-Objekte",
            "facility_dependency": "Abhängigkeiten",
            "facility_contact": "Objektkontakte",
            "person": "Personen",
            "roster_assignment": "Besetzungen",
            "responsibility": "Zuständigkeiten",
            "staff_function": "Stabsfunktionen",
        }
        parts = [f"{self.counts.get(k, 0)} {label}" for k, label in labels.items()]
        return f"Übungsdatenbank {self.path.name} angelegt: " + ", ".join(parts) + "."


def _remove(path: Path) -> None:
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        with contextlib.suppress(FileNotFoundError):
            candidate.unlink()


def create_exercise_db(
    real_path: str | os.PathLike[str],
    out_path: str | os.PathLike[str],
    *,
    keep_status: bool = False,
) -> ExerciseCopy:
    """Create ``out_path`` as an exercise database with the master data of ``real_path``."""
    source_path = Path(real_path)
    target_path = Path(out_path)
    if target_path.exists():
        raise ServiceError(
            f"Die Datei {target_path} gibt es schon; eine Übungsdatenbank wird nur als neue "
            "Datei angelegt."
        )
    if not source_path.exists():
        raise ServiceError(f"Die Datenbank {source_path} gibt es nicht.")
    source = Database.open(source_path, create=False)
    try:
        if source.kind != KIND_REAL:
            raise ServiceError(
                f"{source_path.name} ist selbst eine Übungsdatenbank; eine Übung wird immer aus "
                "einer echten Datenbank angelegt."
            )
        target = Database.open(target_path, kind=KIND_EXERCISE)
        try:
            counts = _copy(source, target, keep_status)
        except BaseException:
            target.close()
            _remove(target_path)
            raise
        target.close()
        return ExerciseCopy(target_path, source.db_id, counts)
    finally:
        source.close()


def _copy(source: Database, target: Database, keep_status: bool) -> dict[str, int]:
    tables: list[Table] = [
        SQLModel.metadata.tables[name] for name in MASTER_TABLES if name in SQLModel.metadata.tables
    ]
    counts: dict[str, int] = {}
    now = utcnow()
    with source.session() as reader, target.write() as writer:
        # People name their deputies and may come in any order.
        writer.execute(text("PRAGMA defer_foreign_keys = ON"))
        for table in reversed(tables):
            writer.execute(delete(table))
        for table in tables:
            rows = [dict(r) for r in reader.execute(select(table)).mappings()]
            if table.name == "roster_assignment":
                for row in rows:
                    row["incident_id"] = None
            elif table.name == "facility" and not keep_status:
                for row in rows:
                    row.update(
                        status=FacilityStatus.OPERATIONAL.value,
                        status_since=now,
                        status_source="Übungsbeginn",
                        status_note=None,
                        power_since=None,
                    )
            for start in range(0, len(rows), _CHUNK):
                writer.execute(insert(table), rows[start : start + _CHUNK])
            counts[table.name] = len(rows)
        writer.execute(
            text("INSERT INTO meta (key, value) VALUES (:k, :v)"),
            {"k": META_SOURCE_KEY, "v": source.db_id},
        )
    return counts
