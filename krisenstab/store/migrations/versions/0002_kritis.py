"""kritis: tables of this capability (filled in when it lands).

Revision ID: 0002_kritis
"""

revision = "0002_kritis"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    raise NotImplementedError("Krisenstab databases are never downgraded")
