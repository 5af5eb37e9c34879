"""reports: situation reports (drafts and frozen released reports), imported CAP alerts.

Revision ID: 0004_reports
"""

import sqlalchemy as sa
from alembic import op

from krisenstab.domain.base import UTCDateTime

revision = "0004_reports"
down_revision = "0003_staff"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "situation_report",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("incident_id", sa.String(36), sa.ForeignKey("incident.id"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("classification", sa.String(80), nullable=True),
        sa.Column("staff_name", sa.String(200), nullable=False),
        sa.Column("period_from", UTCDateTime(), nullable=False),
        sa.Column("period_to", UTCDateTime(), nullable=True),
        sa.Column("prepared_by", sa.String(120), nullable=False),
        sa.Column("prepared_function", sa.String(60), nullable=False),
        sa.Column("prepared_at", UTCDateTime(), nullable=False),
        sa.Column("released_by", sa.String(120), nullable=True),
        sa.Column("released_function", sa.String(60), nullable=True),
        sa.Column("released_at", UTCDateTime(), nullable=True),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=True),
        sa.Column("pdf_sha256", sa.String(64), nullable=True),
        sa.Column("content_sha256", sa.String(64), nullable=True),
        sa.Column("chain_head", sa.String(64), nullable=True),
        sa.Column("chain_number", sa.Integer(), nullable=True),
        sa.Column("release_entry", sa.Integer(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("workstation_id", sa.String(36), nullable=False),
        sa.UniqueConstraint("incident_id", "number", name="uq_situation_report_number"),
    )
    op.create_index("ix_situation_report_incident_id", "situation_report", ["incident_id"])
    op.create_table(
        "cap_import",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("incident_id", sa.String(36), sa.ForeignKey("incident.id"), nullable=False),
        sa.Column("sender", sa.String(300), nullable=False),
        sa.Column("identifier", sa.String(300), nullable=False),
        sa.Column("sent_text", sa.String(40), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("msg_type", sa.String(20), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("categories", sa.String(200), nullable=False),
        sa.Column("priority", sa.String(10), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("source_name", sa.String(500), nullable=True),
        sa.Column("message_id", sa.String(36), nullable=True),
        sa.Column("message_number", sa.String(20), nullable=True),
        sa.Column("journal_number", sa.Integer(), nullable=True),
        sa.Column("imported_at", UTCDateTime(), nullable=False),
        sa.Column("imported_by", sa.String(120), nullable=False),
        sa.Column("workstation_id", sa.String(36), nullable=False),
        sa.UniqueConstraint(
            "incident_id", "sender", "identifier", "sent_text", name="uq_cap_import_alert"
        ),
    )
    op.create_index("ix_cap_import_sha256", "cap_import", ["sha256"])
    from krisenstab.store.schema import install_sqlite_extras

    # Triggers of this revision, if the store lists any (see store/schema.py).
    install_sqlite_extras(op.get_bind(), revision)


def downgrade() -> None:
    raise NotImplementedError("Krisenstab databases are never downgraded")
