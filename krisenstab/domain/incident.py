"""Incidents (Ereignisse): each has its own Einsatztagebuch."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from krisenstab.domain.base import UTCDateTime, new_id

STATUS_OPEN = "offen"
STATUS_CLOSED = "abgeschlossen"


class Incident(SQLModel, table=True):
    __tablename__ = "incident"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    title: str = Field(max_length=200)
    status: str = Field(default=STATUS_OPEN, max_length=20, index=True)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    created_by: str = Field(max_length=120)
    closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    workstation_id: str = Field(max_length=36)

    @property
    def is_closed(self) -> bool:
        return self.status == STATUS_CLOSED


def validate_title(title: str) -> str:
    cleaned = " ".join(title.split())
    if not cleaned:
        raise ValueError("Der Titel des Ereignisses darf nicht leer sein.")
    if len(cleaned) > 200:
        raise ValueError("Der Titel des Ereignisses ist zu lang (höchstens 200 Zeichen).")
    return cleaned
