"""Imports every table module so that SQLModel.metadata knows the whole schema.

Each capability adds its domain module here (and a migration in
store/migrations/versions).
"""

from krisenstab.domain import incident, journal, meta  # noqa: F401
