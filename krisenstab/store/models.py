"""Imports every table module so that SQLModel.metadata knows the whole schema.

Each capability adds its tables in its domain module (and a migration in
store/migrations/versions with the revision reserved for it in store/schema.py).
"""

from krisenstab.domain import (  # noqa: F401
    account,
    exercise,
    facility,
    incident,
    journal,
    message,
    meta,
    report,
    staff,
    task,
)
