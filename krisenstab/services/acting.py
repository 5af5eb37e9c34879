"""The common frame of services that act for a person and write journal entries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlmodel import Session

from krisenstab.domain.journal import EntryView
from krisenstab.services.context import Actor, ServiceError
from krisenstab.services.journal import write_entry
from krisenstab.store.database import Database


class ActingService:
    def __init__(self, db: Database, actor: Actor | None = None) -> None:
        self.db = db
        self.actor = actor
        # Set by the exercise mode: () -> scenario time, stamped on journal entries.
        self.scenario_clock: Callable[[], datetime | None] | None = None

    def _write_entry(self, session: Session, *args: Any, **kwargs: Any) -> EntryView:
        """write_entry, stamped with the scenario time when an exercise clock is set."""
        scenario = self.scenario_clock() if self.scenario_clock is not None else None
        return write_entry(session, *args, scenario_time=scenario, **kwargs)

    def _actor(self, actor: Actor | None) -> Actor:
        actor = actor or self.actor
        if actor is None:
            raise ServiceError("Bitte zuerst angeben, wer Sie sind und welche Funktion Sie haben.")
        return actor
