"""reports: tables of this capability (filled in when it lands).

Revision ID: 0004_reports
"""

revision = "0004_reports"
down_revision = "0003_staff"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    raise NotImplementedError("Krisenstab databases are never downgraded")
