"""Foundation: file facts, incidents, the Einsatztagebuch with triggers and FTS.

Revision ID: 0001_foundation
"""

import sqlalchemy as sa
from alembic import op

from krisenstab.domain.base import UTCDateTime

revision = "0001_foundation"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meta",
        sa.Column("key", sa.String(60), primary_key=True),
        sa.Column("value", sa.String(), nullable=False),
    )
    op.create_table(
        "incident",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(120), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("workstation_id", sa.String(36), nullable=False),
    )
    op.create_index("ix_incident_status", "incident", ["status"])
    op.create_table(
        "journal_entry",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("incident_id", sa.String(36), sa.ForeignKey("incident.id"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("observed_at", UTCDateTime(), nullable=False),
        sa.Column("author", sa.String(120), nullable=False),
        sa.Column("function", sa.String(60), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("source_quality", sa.String(30), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("workstation_id", sa.String(36), nullable=False),
        sa.Column("corrects", sa.Integer(), nullable=True),
        sa.Column("facility_id", sa.String(36), nullable=True),
        sa.Column("task_id", sa.String(36), nullable=True),
        sa.Column("message_id", sa.String(36), nullable=True),
        sa.Column("scenario_time", UTCDateTime(), nullable=True),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.UniqueConstraint("incident_id", "number", name="uq_journal_number"),
    )
    op.create_index("ix_journal_entry_incident_id", "journal_entry", ["incident_id"])
    op.create_index("ix_journal_entry_corrects", "journal_entry", ["incident_id", "corrects"])
    op.create_index("ix_journal_entry_task", "journal_entry", ["task_id"])
    op.create_index("ix_journal_entry_message", "journal_entry", ["message_id"])
    op.create_index("ix_journal_entry_facility", "journal_entry", ["facility_id"])
    op.create_index("ix_journal_entry_function", "journal_entry", ["incident_id", "function"])
    from krisenstab.store.schema import install_sqlite_extras

    install_sqlite_extras(op.get_bind(), revision)


def downgrade() -> None:
    raise NotImplementedError("Krisenstab databases are never downgraded")
