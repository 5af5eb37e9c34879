"""Alembic environment: always handed a connection by store.migrate."""

from alembic import context
from sqlmodel import SQLModel

from krisenstab.store import models  # noqa: F401

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=True,  # SQLite alters tables by copying them
)
with context.begin_transaction():
    context.run_migrations()
