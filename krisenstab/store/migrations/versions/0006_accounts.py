"""accounts: tables of this capability (filled in when it lands).

Revision ID: 0006_accounts
"""

revision = "0006_accounts"
down_revision = "0005_exercise"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    raise NotImplementedError("Krisenstab databases are never downgraded")
