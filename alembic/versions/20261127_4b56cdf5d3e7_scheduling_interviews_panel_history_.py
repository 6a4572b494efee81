"""scheduling interviews panel history user calendar settings

Revision ID: 4b56cdf5d3e7
Revises: 77b357e15780
Create Date: 2026-11-27 05:15:41.074008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import interviewloop.db

revision: str = "4b56cdf5d3e7"
down_revision: str | None = "77b357e15780"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "interviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", interviewloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", interviewloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("scheduled", "cancelled", name="status", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("ical_uid", sa.String(length=120), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", interviewloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", interviewloop.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(status = 'cancelled') = (cancelled_at IS NOT NULL)",
            name=op.f("ck_interviews_cancelled_has_time"),
        ),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_interviews_ends_after_start")),
        sa.CheckConstraint("length(location) <= 500", name=op.f("ck_interviews_location_length")),
        sa.CheckConstraint("sequence >= 0", name=op.f("ck_interviews_sequence_nonnegative")),
        sa.ForeignKeyConstraint(
            ["candidate_id"], ["candidates.id"], name=op.f("fk_interviews_candidate_id_candidates")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_interviews_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["stage_id"], ["loop_stages.id"], name=op.f("fk_interviews_stage_id_loop_stages")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interviews")),
        sa.UniqueConstraint("ical_uid", name=op.f("uq_interviews_ical_uid")),
    )
    with op.batch_alter_table("interviews", schema=None) as batch_op:
        batch_op.create_index("ix_interviews_candidate_time", ["candidate_id", "starts_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_interviews_stage_id"), ["stage_id"], unique=False)
        batch_op.create_index(
            "uq_interviews_live_stage",
            ["stage_id"],
            unique=True,
            sqlite_where=sa.text("status = 'scheduled'"),
            postgresql_where=sa.text("status = 'scheduled'"),
        )

    op.create_table(
        "interview_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("interview_id", sa.Integer(), nullable=False),
        sa.Column("at", interviewloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("before", sa.JSON(), nullable=False),
        sa.Column("after", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('scheduled', 'rescheduled', 'cancelled')", name=op.f("ck_interview_changes_kind_known")
        ),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_interview_changes_actor_id_users")),
        sa.ForeignKeyConstraint(
            ["interview_id"],
            ["interviews.id"],
            name=op.f("fk_interview_changes_interview_id_interviews"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interview_changes")),
    )
    with op.batch_alter_table("interview_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_interview_changes_interview_id"), ["interview_id"], unique=False)

    op.create_table(
        "interview_panelists",
        sa.Column("interview_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", interviewloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", interviewloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("live", sa.Boolean(), nullable=False),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_interview_panelists_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["interview_id"],
            ["interviews.id"],
            name=op.f("fk_interview_panelists_interview_id_interviews"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_interview_panelists_user_id_users")),
        sa.PrimaryKeyConstraint("interview_id", "user_id", name=op.f("pk_interview_panelists")),
    )
    with op.batch_alter_table("interview_panelists", schema=None) as batch_op:
        batch_op.create_index("ix_interview_panelists_user_time", ["user_id", "starts_at"], unique=False)

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("weekly_interview_cap", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("calendar_token", sa.String(length=43), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_users_calendar_token"), ["calendar_token"])


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_users_calendar_token"), type_="unique")
        batch_op.drop_column("calendar_token")
        batch_op.drop_column("weekly_interview_cap")

    with op.batch_alter_table("interview_panelists", schema=None) as batch_op:
        batch_op.drop_index("ix_interview_panelists_user_time")

    op.drop_table("interview_panelists")
    with op.batch_alter_table("interview_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interview_changes_interview_id"))

    op.drop_table("interview_changes")
    with op.batch_alter_table("interviews", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_interviews_live_stage",
            sqlite_where=sa.text("status = 'scheduled'"),
            postgresql_where=sa.text("status = 'scheduled'"),
        )
        batch_op.drop_index(batch_op.f("ix_interviews_stage_id"))
        batch_op.drop_index("ix_interviews_candidate_time")

    op.drop_table("interviews")
