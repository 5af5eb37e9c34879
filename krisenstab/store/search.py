"""Finding journal entries: SQLite FTS5 with prefix matching and umlaut folding.

Kept in the store layer so that another database (PostgreSQL) can answer the
same calls with its own full-text search later.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from sqlalchemy import text
from sqlmodel import Session

from krisenstab.domain.journal import JournalFilter
from krisenstab.domain.timefmt import ensure_utc

_FOLD = str.maketrans({"ß": "ss", "ä": "ae", "ö": "oe", "ü": "ue", "æ": "ae", "ø": "oe"})
_TOKEN = re.compile(r"\w+", re.UNICODE)


def normalize(value: str) -> str:
    """Lower case, umlauts as ae/oe/ue, ß as ss, other accents dropped.

    Index and query go through the same folding, so "Strasse" finds
    "Straße" and "Muehle" finds "Mühle".
    """
    folded = value.casefold().translate(_FOLD)
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fts_query(user_text: str) -> str | None:
    """Every word of the user's text as a prefix term, all required."""
    tokens = _TOKEN.findall(normalize(user_text))
    if not tokens:
        return None
    return " AND ".join(f'"{tok}"*' for tok in tokens[:32])


_INDEX = text("INSERT INTO journal_fts (body, incident_id, number) VALUES (:b, :i, :n)")


def index_entry(session: Session, incident_id: str, number: int, body: str) -> None:
    session.connection().execute(_INDEX, {"b": normalize(body), "i": incident_id, "n": number})


def _sql_time(value: datetime) -> str:
    # The same text form SQLAlchemy writes for DateTime columns on SQLite.
    return ensure_utc(value).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


def entry_numbers(session: Session, incident_id: str, flt: JournalFilter) -> list[int]:
    """Numbers of the entries of one incident that match the filter, ascending."""
    clauses = ["j.incident_id = :inc"]
    params: dict[str, object] = {"inc": incident_id}
    if flt.functions:
        names = [f":f{i}" for i in range(len(flt.functions))]
        clauses.append(f"j.function IN ({', '.join(names)})")
        params.update({f"f{i}": v for i, v in enumerate(flt.functions)})
    if flt.kinds:
        names = [f":k{i}" for i in range(len(flt.kinds))]
        clauses.append(f"j.kind IN ({', '.join(names)})")
        params.update({f"k{i}": v for i, v in enumerate(flt.kinds)})
    if flt.since is not None:
        clauses.append("j.recorded_at >= :since")
        params["since"] = _sql_time(flt.since)
    if flt.until is not None:
        clauses.append("j.recorded_at <= :until")
        params["until"] = _sql_time(flt.until)
    query = fts_query(flt.text) if flt.text else None
    if flt.text and query is None:
        return []
    fts = "SELECT number FROM journal_fts WHERE journal_fts MATCH :q AND incident_id = :inc"
    if query is not None and len(clauses) == 1:
        # Text alone: the index answers without touching the journal table.
        rows = session.connection().execute(text(fts), {"q": query, "inc": incident_id})
        return sorted(row[0] for row in rows)
    if query is not None:
        clauses.append(f"j.number IN ({fts})")
        params["q"] = query
    sql = f"SELECT j.number FROM journal_entry j WHERE {' AND '.join(clauses)} ORDER BY j.number"
    return [row[0] for row in session.connection().execute(text(sql), params)]


# A loose index scan: one index probe per distinct function instead of reading
# every entry of the incident (the ETB's function filter is built at start-up).
_DISTINCT_FUNCTIONS = text(
    """
    WITH RECURSIVE f(v) AS (
        SELECT min(function) FROM journal_entry WHERE incident_id = :inc
        UNION ALL
        SELECT (SELECT min(function) FROM journal_entry
                WHERE incident_id = :inc AND function > f.v)
        FROM f WHERE f.v IS NOT NULL
    )
    SELECT v FROM f WHERE v IS NOT NULL
    """
)


def distinct_functions(session: Session, incident_id: str) -> list[str]:
    return [
        row[0] for row in session.connection().execute(_DISTINCT_FUNCTIONS, {"inc": incident_id})
    ]
