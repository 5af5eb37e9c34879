"""Column types and helpers shared by every table.

Pure SQLAlchemy/SQLModel declarations that run the same on SQLite and
PostgreSQL; dialect-specific things (pragmas, triggers, FTS) live in store/.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


def new_id() -> str:
    return str(uuid.uuid4())


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC in Python, naive UTC in the column.

    SQLite has no time zones; storing naive UTC and re-attaching UTC on the
    way out keeps every datetime in the program aware and comparable.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)
