"""Small builders shared by the tests."""

from __future__ import annotations

from pathlib import Path

from krisenstab.services.context import Actor
from krisenstab.services.incidents import IncidentService
from krisenstab.services.journal import JournalService
from krisenstab.store.database import Database

S2 = Actor(person="Max Mustermann", function="S2", workstation_id="ws-test")


def new_db(tmp_path: Path, name: str = "stab.db", kind: str = "real") -> Database:
    return Database.open(tmp_path / name, kind=kind)


def new_incident(db: Database, title: str = "Hochwasser (Test)") -> str:
    return IncidentService(db).create(title, S2).id


def journal(db: Database) -> JournalService:
    return JournalService(db, S2)
