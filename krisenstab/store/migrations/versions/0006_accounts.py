"""accounts: user accounts, the account/login log, and their guard triggers.

Revision ID: 0006_accounts
"""

import sqlalchemy as sa
from alembic import op

from krisenstab.domain.base import UTCDateTime

revision = "0006_accounts"
down_revision = "0005_exercise"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "account",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("login", sa.String(60), nullable=False, unique=True),
        sa.Column("display_name", sa.String(120), nullable=False),
        sa.Column("password_hash", sa.String(300), nullable=False),
        sa.Column("roles", sa.String(), nullable=False),
        sa.Column("functions", sa.String(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(120), nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.Column("changed_by", sa.String(120), nullable=False),
        sa.Column("workstation_id", sa.String(36), nullable=False),
    )
    op.create_table(
        "account_event",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("login", sa.String(60), nullable=False),
        sa.Column("account_id", sa.String(36), nullable=True),
        sa.Column("event", sa.String(40), nullable=False),
        sa.Column("workstation_id", sa.String(36), nullable=False),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("detail", sa.String(300), nullable=False),
    )
    op.create_index("ix_account_event_at", "account_event", ["at"])
    op.create_index("ix_account_event_login_at", "account_event", ["login", "at"])
    from krisenstab.store.schema import install_sqlite_extras

    install_sqlite_extras(op.get_bind(), revision)


def downgrade() -> None:
    raise NotImplementedError("Krisenstab databases are never downgraded")
