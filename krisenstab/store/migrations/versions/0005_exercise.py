"""exercise: scenario, injects, deliveries, shared clock state, controller log, notes, ratings.

Revision ID: 0005_exercise
"""

import sqlalchemy as sa
from alembic import op

from krisenstab.domain.base import UTCDateTime

revision = "0005_exercise"
down_revision = "0004_reports"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "exercise_scenario",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("start_label", sa.String(60), nullable=False),
        sa.Column("source_name", sa.String(255), nullable=True),
        sa.Column("imported_at", UTCDateTime(), nullable=False),
        sa.Column("imported_by", sa.String(120), nullable=False),
        sa.Column("workstation_id", sa.String(36), nullable=False),
    )
    op.create_table(
        "exercise_inject",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "scenario_id", sa.String(36), sa.ForeignKey("exercise_scenario.id"), nullable=False
        ),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("offset_s", sa.Integer(), nullable=False),
        sa.Column("time_text", sa.String(60), nullable=False),
        sa.Column("sender", sa.String(200), nullable=False),
        sa.Column("addressee", sa.String(500), nullable=False),
        sa.Column("channel", sa.String(40), nullable=False),
        sa.Column("priority", sa.String(10), nullable=False),
        sa.Column("content", sa.String(), nullable=False),
        sa.Column("expected_reaction", sa.String(), nullable=True),
        sa.Column("objective", sa.String(500), nullable=True),
        sa.Column("controller_note", sa.String(), nullable=True),
        sa.Column("storyline", sa.String(120), nullable=True),
        sa.Column("contingency_of", sa.Integer(), nullable=True),
        sa.Column("deadline_s", sa.Integer(), nullable=True),
        sa.Column("deadline_relative", sa.Boolean(), nullable=False),
        sa.Column("deadline_text", sa.String(60), nullable=True),
        sa.Column("effects", sa.String(), nullable=True),
        sa.Column("ad_hoc", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(120), nullable=False),
        sa.Column("workstation_id", sa.String(36), nullable=False),
        sa.UniqueConstraint("scenario_id", "number", name="uq_exercise_inject_number"),
    )
    op.create_index("ix_exercise_inject_due", "exercise_inject", ["scenario_id", "offset_s"])
    op.create_table(
        "exercise_delivery",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "inject_id",
            sa.String(36),
            sa.ForeignKey("exercise_inject.id"),
            nullable=False,
            unique=True,
        ),
        sa.Column("outcome", sa.String(30), nullable=False),
        sa.Column("real_at", UTCDateTime(), nullable=False),
        sa.Column("scenario_offset_s", sa.Float(), nullable=False),
        sa.Column("due_offset_s", sa.Float(), nullable=False),
        sa.Column("message_id", sa.String(36), nullable=True),
        sa.Column("incident_id", sa.String(36), nullable=True),
        sa.Column("reason", sa.String(), nullable=True),
        sa.Column("by_person", sa.String(120), nullable=False),
        sa.Column("by_function", sa.String(60), nullable=False),
        sa.Column("workstation_id", sa.String(36), nullable=False),
    )
    op.create_table(
        "exercise_state",
        sa.Column("key", sa.String(20), primary_key=True),
        sa.Column("scenario_id", sa.String(36), nullable=True),
        sa.Column("incident_id", sa.String(36), nullable=True),
        sa.Column("scenario_start", UTCDateTime(), nullable=False),
        sa.Column("start_label", sa.String(60), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("speed", sa.Float(), nullable=False),
        sa.Column("anchor_wall", UTCDateTime(), nullable=False),
        sa.Column("anchor_offset_s", sa.Float(), nullable=False),
        sa.Column("real_event", sa.Boolean(), nullable=False),
        sa.Column("real_event_at", UTCDateTime(), nullable=True),
        sa.Column("real_event_by", sa.String(120), nullable=True),
        sa.Column("real_event_text", sa.String(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(120), nullable=False),
        sa.Column("workstation_id", sa.String(36), nullable=False),
    )
    op.create_table(
        "exercise_event",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("seq", sa.Integer(), nullable=False, unique=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("real_at", UTCDateTime(), nullable=False),
        sa.Column("scenario_offset_s", sa.Float(), nullable=False),
        sa.Column("speed", sa.Float(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("inject_id", sa.String(36), nullable=True),
        sa.Column("detail", sa.String(), nullable=True),
        sa.Column("by_person", sa.String(120), nullable=False),
        sa.Column("by_function", sa.String(60), nullable=False),
        sa.Column("workstation_id", sa.String(36), nullable=False),
    )
    op.create_index("ix_exercise_event_time", "exercise_event", ["real_at"])
    op.create_table(
        "exercise_note",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("real_at", UTCDateTime(), nullable=False),
        sa.Column("scenario_offset_s", sa.Float(), nullable=True),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("incident_id", sa.String(36), nullable=True),
        sa.Column("journal_number", sa.Integer(), nullable=True),
        sa.Column("message_id", sa.String(36), nullable=True),
        sa.Column("inject_id", sa.String(36), nullable=True),
        sa.Column("author", sa.String(120), nullable=False),
        sa.Column("function", sa.String(60), nullable=False),
        sa.Column("workstation_id", sa.String(36), nullable=False),
    )
    op.create_index("ix_exercise_note_kind_time", "exercise_note", ["kind", "real_at"])
    op.create_table(
        "exercise_rating",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("inject_id", sa.String(36), nullable=True),
        sa.Column("objective", sa.String(500), nullable=True),
        sa.Column("rating", sa.String(30), nullable=False),
        sa.Column("actual", sa.String(), nullable=True),
        sa.Column("rated_at", UTCDateTime(), nullable=False),
        sa.Column("author", sa.String(120), nullable=False),
        sa.Column("function", sa.String(60), nullable=False),
        sa.Column("workstation_id", sa.String(36), nullable=False),
    )
    op.create_index("ix_exercise_rating_target", "exercise_rating", ["inject_id", "objective"])


def downgrade() -> None:
    raise NotImplementedError("Krisenstab databases are never downgraded")
