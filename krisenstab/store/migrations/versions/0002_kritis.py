"""kritis: facility register, catalogue, municipalities, contacts, dependencies, status and change history.

Revision ID: 0002_kritis
"""

import sqlalchemy as sa
from alembic import op

from krisenstab.domain.base import UTCDateTime

revision = "0002_kritis"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "facility",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("sector", sa.String(80), nullable=False),
        sa.Column("branch", sa.String(80), nullable=True),
        sa.Column("locally_critical", sa.Boolean(), nullable=False),
        sa.Column("municipality", sa.String(80), nullable=False),
        sa.Column("street", sa.String(200), nullable=True),
        sa.Column("postcode", sa.String(10), nullable=True),
        sa.Column("city", sa.String(100), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("position_text", sa.String(120), nullable=True),
        sa.Column("operator", sa.String(200), nullable=True),
        sa.Column("emergency_power", sa.Boolean(), nullable=False),
        sa.Column("autonomy_h", sa.Float(), nullable=True),
        sa.Column("fuel_stock_l", sa.Float(), nullable=True),
        sa.Column("consumption_l_per_h", sa.Float(), nullable=True),
        sa.Column("persons_supplied", sa.Integer(), nullable=False),
        sa.Column("sensitive_consumers", sa.String(), nullable=True),
        sa.Column("redundancy", sa.String(), nullable=True),
        sa.Column("notes", sa.String(), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("status_since", UTCDateTime(), nullable=False),
        sa.Column("status_source", sa.String(120), nullable=True),
        sa.Column("status_note", sa.String(), nullable=True),
        sa.Column("power_since", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(120), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(120), nullable=False),
        sa.Column("workstation_id", sa.String(36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.UniqueConstraint("name", "municipality", name="uq_facility_name_municipality"),
    )
    op.create_index("ix_facility_municipality", "facility", ["municipality"])
    op.create_index("ix_facility_status", "facility", ["status"])
    op.create_index("ix_facility_sector", "facility", ["sector"])

    op.create_table(
        "facility_catalogue",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("sector", sa.String(80), nullable=False),
        sa.Column("branch", sa.String(80), nullable=False),
        sa.Column("statutory", sa.Boolean(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("builtin", sa.Boolean(), nullable=False),
        sa.Column("workstation_id", sa.String(36), nullable=False),
        sa.UniqueConstraint("sector", "branch", name="uq_facility_catalogue"),
    )
    op.create_table(
        "facility_municipality",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("builtin", sa.Boolean(), nullable=False),
        sa.Column("workstation_id", sa.String(36), nullable=False),
        sa.UniqueConstraint("name", name="uq_facility_municipality_name"),
    )
    op.create_table(
        "facility_contact",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "facility_id",
            sa.String(36),
            sa.ForeignKey("facility.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("role", sa.String(80), nullable=False),
        sa.Column("name", sa.String(120), nullable=True),
        sa.Column("phone", sa.String(60), nullable=True),
        sa.Column("phone_alt", sa.String(60), nullable=True),
        sa.Column("email", sa.String(120), nullable=True),
        sa.Column("available_24_7", sa.Boolean(), nullable=False),
        sa.Column("notes", sa.String(), nullable=True),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("workstation_id", sa.String(36), nullable=False),
    )
    op.create_index(
        "ix_facility_contact_facility", "facility_contact", ["facility_id", "sort_order"]
    )
    op.create_table(
        "facility_dependency",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "dependent_id",
            sa.String(36),
            sa.ForeignKey("facility.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "supplier_id",
            sa.String(36),
            sa.ForeignKey("facility.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("tolerance_h", sa.Float(), nullable=False),
        sa.Column("note", sa.String(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("workstation_id", sa.String(36), nullable=False),
        sa.UniqueConstraint("dependent_id", "supplier_id", "kind", name="uq_facility_dependency"),
    )
    op.create_index("ix_facility_dependency_supplier", "facility_dependency", ["supplier_id"])
    op.create_table(
        "facility_status_change",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "facility_id",
            sa.String(36),
            sa.ForeignKey("facility.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("event", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("previous_status", sa.String(20), nullable=True),
        sa.Column("since", UTCDateTime(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("source", sa.String(120), nullable=True),
        sa.Column("note", sa.String(), nullable=True),
        sa.Column("author", sa.String(120), nullable=False),
        sa.Column("function", sa.String(60), nullable=False),
        sa.Column("workstation_id", sa.String(36), nullable=False),
        sa.Column("incident_id", sa.String(36), nullable=True),
        sa.Column("journal_number", sa.Integer(), nullable=True),
    )
    op.create_index(
        "ix_facility_status_change_facility", "facility_status_change", ["facility_id", "since"]
    )
    op.create_table(
        "facility_change",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("facility_id", sa.String(36), nullable=False),
        sa.Column("facility_name", sa.String(200), nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.Column("person", sa.String(120), nullable=False),
        sa.Column("function", sa.String(60), nullable=False),
        sa.Column("workstation_id", sa.String(36), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("field_name", sa.String(60), nullable=False),
        sa.Column("old_value", sa.String(), nullable=True),
        sa.Column("new_value", sa.String(), nullable=True),
    )
    op.create_index("ix_facility_change_facility", "facility_change", ["facility_id", "changed_at"])
    op.create_table(
        "facility_meta",
        sa.Column("key", sa.String(60), primary_key=True),
        sa.Column("value", sa.String(), nullable=False),
    )

    # The same starting rows a new file gets from create_all (catalogue,
    # Kreis Düren's municipalities, the revision counter).
    from krisenstab.domain.facility import seed

    bind = op.get_bind()
    for table in ("facility_catalogue", "facility_municipality", "facility_meta"):
        seed(bind, table)


def downgrade() -> None:
    raise NotImplementedError("Krisenstab databases are never downgraded")
