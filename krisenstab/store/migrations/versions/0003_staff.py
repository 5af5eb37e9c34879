"""staff: function catalogue, people, roster, responsibility matrix, tasks, messages.

Revision ID: 0003_staff
"""

import sqlalchemy as sa
from alembic import op

from krisenstab.domain.base import UTCDateTime

revision = "0003_staff"
down_revision = "0002_kritis"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_function",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(60), nullable=False, unique=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("workstation_id", sa.String(36), nullable=False),
    )
    op.create_table(
        "person",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("organisation", sa.String(200), nullable=True),
        sa.Column("phone", sa.String(60), nullable=True),
        sa.Column("mobile", sa.String(60), nullable=True),
        sa.Column("radio_call_sign", sa.String(60), nullable=True),
        sa.Column("email", sa.String(200), nullable=True),
        sa.Column("deputy_id", sa.String(36), sa.ForeignKey("person.id"), nullable=True),
        sa.Column("notes", sa.String(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("workstation_id", sa.String(36), nullable=False),
    )
    op.create_index("ix_person_name", "person", ["name"])
    op.create_table(
        "roster_assignment",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("function_id", sa.String(36), sa.ForeignKey("staff_function.id"), nullable=False),
        sa.Column("person_id", sa.String(36), sa.ForeignKey("person.id"), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("ends_at", UTCDateTime(), nullable=True),
        sa.Column("incident_id", sa.String(36), nullable=True),
        sa.Column("note", sa.String(), nullable=True),
        sa.Column("assigned_by", sa.String(120), nullable=False),
        sa.Column("assigned_by_function", sa.String(60), nullable=False),
        sa.Column("ended_by", sa.String(120), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("workstation_id", sa.String(36), nullable=False),
    )
    op.create_index("ix_roster_assignment_person_id", "roster_assignment", ["person_id"])
    op.create_index(
        "ix_roster_assignment_function_time", "roster_assignment", ["function_id", "starts_at"]
    )
    op.create_index(
        "uq_roster_open_function",
        "roster_assignment",
        ["function_id"],
        unique=True,
        sqlite_where=sa.text("ends_at IS NULL"),
        postgresql_where=sa.text("ends_at IS NULL"),
    )
    op.create_table(
        "responsibility",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("import_key", sa.String(120), nullable=True, unique=True),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("keywords", sa.String(500), nullable=True),
        sa.Column("sector", sa.String(100), nullable=True),
        sa.Column("branch", sa.String(100), nullable=True),
        sa.Column("facility_id", sa.String(36), nullable=True),
        sa.Column("facility_label", sa.String(200), nullable=True),
        sa.Column("municipality", sa.String(100), nullable=True),
        sa.Column("organisation", sa.String(200), nullable=True),
        sa.Column("function", sa.String(120), nullable=True),
        sa.Column("contact_person", sa.String(120), nullable=True),
        sa.Column("person_id", sa.String(36), sa.ForeignKey("person.id"), nullable=True),
        sa.Column("phone", sa.String(60), nullable=True),
        sa.Column("phone_24h", sa.String(60), nullable=True),
        sa.Column("mobile", sa.String(60), nullable=True),
        sa.Column("email", sa.String(200), nullable=True),
        sa.Column("radio_call_sign", sa.String(60), nullable=True),
        sa.Column("deputy", sa.String(120), nullable=True),
        sa.Column("deputy_phone", sa.String(60), nullable=True),
        sa.Column("notes", sa.String(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("workstation_id", sa.String(36), nullable=False),
    )
    op.create_table(
        "responsibility_token",
        sa.Column(
            "responsibility_id",
            sa.String(36),
            sa.ForeignKey("responsibility.id"),
            primary_key=True,
        ),
        sa.Column("token", sa.String(80), primary_key=True),
        sa.Column("weight", sa.Integer(), nullable=False),
    )
    op.create_index(
        "ix_responsibility_token_lookup",
        "responsibility_token",
        ["token", "responsibility_id", "weight"],
    )
    op.create_table(
        "master_data_change",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("entity", sa.String(40), nullable=False),
        sa.Column("entity_id", sa.String(36), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("field", sa.String(60), nullable=True),
        sa.Column("old_value", sa.String(), nullable=True),
        sa.Column("new_value", sa.String(), nullable=True),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.Column("changed_by", sa.String(120), nullable=False),
        sa.Column("changed_by_function", sa.String(60), nullable=False),
        sa.Column("workstation_id", sa.String(36), nullable=False),
    )
    op.create_index(
        "ix_master_data_change_entity",
        "master_data_change",
        ["entity", "entity_id", "changed_at"],
    )
    op.create_table(
        "message",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("incident_id", sa.String(36), sa.ForeignKey("incident.id"), nullable=False),
        sa.Column("direction", sa.String(1), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("intake_channel", sa.String(60), nullable=False),
        sa.Column("intake_at", UTCDateTime(), nullable=False),
        sa.Column("intake_by", sa.String(120), nullable=False),
        sa.Column("accepted_at", UTCDateTime(), nullable=True),
        sa.Column("accepted_by", sa.String(120), nullable=True),
        sa.Column("transmitted_at", UTCDateTime(), nullable=True),
        sa.Column("transmitted_by", sa.String(120), nullable=True),
        sa.Column("transmitted_via", sa.String(60), nullable=True),
        sa.Column("header", sa.String(500), nullable=True),
        sa.Column("priority", sa.String(10), nullable=False),
        sa.Column("addressee", sa.String(500), nullable=False),
        sa.Column("conversation_note", sa.Boolean(), nullable=False),
        sa.Column("content", sa.String(), nullable=False),
        sa.Column("composed_at", UTCDateTime(), nullable=True),
        sa.Column("sender", sa.String(200), nullable=False),
        sa.Column("sender_sign", sa.String(60), nullable=True),
        sa.Column("sender_function", sa.String(120), nullable=True),
        sa.Column("triaged_at", UTCDateTime(), nullable=True),
        sa.Column("triaged_by", sa.String(120), nullable=True),
        sa.Column("reply_to_id", sa.String(36), sa.ForeignKey("message.id"), nullable=True),
        sa.Column("external_ref", sa.String(300), nullable=True),
        sa.Column("recorded_by", sa.String(120), nullable=False),
        sa.Column("recorded_by_function", sa.String(60), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("workstation_id", sa.String(36), nullable=False),
        sa.UniqueConstraint("incident_id", "direction", "seq", name="uq_message_number"),
    )
    op.create_index("ix_message_triage", "message", ["incident_id", "direction", "triaged_at"])
    op.create_index("ix_message_external_ref", "message", ["external_ref"])
    op.create_table(
        "message_recipient",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("message_id", sa.String(36), sa.ForeignKey("message.id"), nullable=False),
        sa.Column("incident_id", sa.String(36), nullable=False),
        sa.Column("direction", sa.String(1), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("priority_order", sa.Integer(), nullable=False),
        sa.Column("function", sa.String(120), nullable=False),
        sa.Column("routed_at", UTCDateTime(), nullable=False),
        sa.Column("routed_by", sa.String(120), nullable=False),
        sa.Column("acknowledged", sa.Boolean(), nullable=False),
        sa.Column("acknowledged_at", UTCDateTime(), nullable=True),
        sa.Column("acknowledged_by", sa.String(120), nullable=True),
        sa.Column("acknowledged_by_function", sa.String(60), nullable=True),
        sa.UniqueConstraint("message_id", "function", name="uq_message_recipient"),
    )
    op.create_index(
        "ix_message_recipient_inbox",
        "message_recipient",
        ["incident_id", "function", "direction", "acknowledged", "priority_order", "seq"],
    )
    op.create_table(
        "task",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("incident_id", sa.String(36), sa.ForeignKey("incident.id"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.String(), nullable=True),
        sa.Column("issued_by_person", sa.String(120), nullable=False),
        sa.Column("issued_by_function", sa.String(60), nullable=False),
        sa.Column("assigned_function", sa.String(60), nullable=False),
        sa.Column("assigned_person", sa.String(120), nullable=True),
        sa.Column("due_at", UTCDateTime(), nullable=True),
        sa.Column("priority", sa.String(20), nullable=False),
        sa.Column("intended_effect", sa.String(), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("feedback", sa.String(), nullable=True),
        sa.Column("source_message_id", sa.String(36), sa.ForeignKey("message.id"), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("workstation_id", sa.String(36), nullable=False),
        sa.UniqueConstraint("incident_id", "number", name="uq_task_number"),
    )
    op.create_index("ix_task_incident_status_due", "task", ["incident_id", "status", "due_at"])
    op.create_index("ix_task_incident_function", "task", ["incident_id", "assigned_function"])


def downgrade() -> None:
    raise NotImplementedError("Krisenstab databases are never downgraded")
