"""exercise: tables of this capability (filled in when it lands).

Revision ID: 0005_exercise
"""

revision = "0005_exercise"
down_revision = "0004_reports"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    raise NotImplementedError("Krisenstab databases are never downgraded")
