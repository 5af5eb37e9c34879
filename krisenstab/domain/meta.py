"""Facts about the database file itself (kind, creation), one row per key."""

from __future__ import annotations

from sqlmodel import Field, SQLModel

KIND_REAL = "real"
KIND_EXERCISE = "exercise"


class Meta(SQLModel, table=True):
    __tablename__ = "meta"

    key: str = Field(primary_key=True, max_length=60)
    value: str
