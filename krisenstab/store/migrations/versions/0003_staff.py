"""staff: tables of this capability (filled in when it lands).

Revision ID: 0003_staff
"""

revision = "0003_staff"
down_revision = "0002_kritis"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    raise NotImplementedError("Krisenstab databases are never downgraded")
