"""Errors of the store, each with a German message fit for a dialog or a CLI line."""

from __future__ import annotations


class StoreError(Exception):
    """Base class: ``str(err)`` is a complete German sentence for the user."""


class NotKrisenstabError(StoreError):
    pass


class DamagedDatabaseError(StoreError):
    pass


class NewerSchemaError(StoreError):
    pass


class ReadOnlyError(StoreError):
    pass


class DiskFullError(StoreError):
    pass


class DatabaseBusyError(StoreError):
    pass


class ExerciseMismatchError(StoreError):
    """An exercise file used where a real one is required, or the reverse."""


def translate_operational_error(exc: BaseException) -> StoreError | None:
    """Map the SQLite errors a user can meet to a German message."""
    text = str(getattr(exc, "orig", exc)).lower()
    if "disk is full" in text:
        return DiskFullError(
            "Der Datenträger ist voll. Der Eintrag wurde nicht gespeichert und bleibt im "
            "Editor; bitte Platz schaffen und erneut speichern."
        )
    if "readonly" in text or "read-only" in text:
        return ReadOnlyError(
            "Die Datenbank ist schreibgeschützt (Datenträger oder Datei nur lesbar). "
            "Es kann nichts gespeichert werden."
        )
    if "database is locked" in text or "database is busy" in text:
        return DatabaseBusyError(
            "Die Datenbank ist gerade von einem anderen Programm belegt. Bitte erneut versuchen."
        )
    if "malformed" in text or "not a database" in text or "disk i/o error" in text:
        return DamagedDatabaseError(
            f"Die Datenbankdatei ist beschädigt ({exc.__class__.__name__})."
        )
    return None
