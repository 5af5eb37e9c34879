"""Nothing from an exercise may reach a real database: the check every importer calls.

``refuse_exercise_import(target_db, path)`` raises :class:`ExerciseLeakError`
(German message) when ``target_db`` is a real database and the file comes
from an exercise: an exercise database, a file whose name carries the
"UEBUNG" mark every exercise export gets, or a CAP alert with
``status=Exercise``. Importing into an exercise database is always allowed
(the exercise plays with copies of real data).

Importers that parse their format themselves and know better (a CAP parser
that read ``<status>``) pass ``from_exercise=True``.
"""

from __future__ import annotations

import os
import re
import sqlite3
from pathlib import Path

from krisenstab.domain.filenames import EXERCISE_PREFIX
from krisenstab.domain.meta import KIND_EXERCISE
from krisenstab.services.context import ServiceError
from krisenstab.store.database import Database

_SQLITE_HEADER = b"SQLite format 3\x00"
_CAP_EXERCISE = re.compile(rb"<(?:\w+:)?status>\s*Exercise\s*</(?:\w+:)?status>", re.IGNORECASE)
_SNIFF_BYTES = 256 * 1024


class ExerciseLeakError(ServiceError):
    """Exercise data on its way into a real database."""


def _sqlite_kind(path: Path) -> str | None:
    # The kind row predates the switch to WAL, so it is in the main file;
    # immutable=1 leaves no -wal/-shm files beside a file that is only looked at.
    uri = path.resolve().as_uri().replace("file://", "file:", 1) + "?mode=ro&immutable=1"
    try:
        conn = sqlite3.connect(uri, uri=True)
    except sqlite3.Error:
        return None
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'kind'").fetchone()
    except sqlite3.Error:
        return None
    finally:
        conn.close()
    return row[0] if row else None


def exercise_origin(path: str | os.PathLike[str]) -> str | None:
    """Why the file comes from an exercise (German), or None if nothing says so."""
    file = Path(path)
    name = file.name
    try:
        with file.open("rb") as handle:
            head = handle.read(_SNIFF_BYTES)
    except OSError:
        head = b""
    if head.startswith(_SQLITE_HEADER):
        if _sqlite_kind(file) == KIND_EXERCISE:
            return f"„{name}“ ist eine Übungsdatenbank."
        return None
    if name.upper().startswith(EXERCISE_PREFIX + "_"):
        return f"Der Dateiname „{name}“ kennzeichnet eine Übungsdatei ({EXERCISE_PREFIX}_…)."
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"<") and _CAP_EXERCISE.search(head):
        return f"„{name}“ ist eine Meldung mit dem Status „Exercise“ (Übung)."
    return None


def refuse_exercise_import(
    target: Database,
    path: str | os.PathLike[str] | None = None,
    *,
    from_exercise: bool = False,
    what: str = "Die Datei",
) -> None:
    """Raise ExerciseLeakError if exercise data would be imported into a real database."""
    if target.is_exercise:
        return
    reason = "Die Daten stammen aus einer Übung." if from_exercise else None
    if reason is None and path is not None:
        reason = exercise_origin(path)
    if reason is not None:
        raise ExerciseLeakError(
            f"{what} wird nicht übernommen: {reason} Übungsdaten dürfen nie in eine echte "
            "Datenbank gelangen."
        )


def refuse_exercise_source(target: Database, source: Database) -> None:
    """The same check for a database opened as the source of a copy or merge."""
    if source.is_exercise and not target.is_exercise:
        raise ExerciseLeakError(
            f"{source.path.name} ist eine Übungsdatenbank; daraus wird nichts in die echte "
            f"Datenbank {target.path.name} übernommen."
        )
