"""Demo data of this capability (filled in when it lands)."""

from __future__ import annotations

from krisenstab.store.database import Database


def build(db: Database, workstation_id: str, incident_id: str) -> None:
    del db, workstation_id, incident_id
