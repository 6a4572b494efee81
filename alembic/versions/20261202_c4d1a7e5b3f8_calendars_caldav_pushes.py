"""calendars: where each interview stands in each interviewer's CalDAV calendar

calendar_pushes: one row per interview and person: what their calendar should hold (the
event as at a SEQUENCE, or none), whether it does yet, and when the sync job tries again.
calendar_accounts: a person's own collection, where it is not CALDAV_COLLECTION's.

Revision ID: c4d1a7e5b3f8
Revises: e4a7c1d9b3f8
Create Date: 2026-12-02 01:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import interviewloop.db

revision: str = "c4d1a7e5b3f8"
down_revision: str | None = "e4a7c1d9b3f8"  # main's reminders revision came first
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calendar_pushes",
        sa.Column("interview_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("collection_url", sa.String(length=1000), nullable=False),
        sa.Column("present", sa.Boolean(), nullable=False),
        sa.Column("wanted_sequence", sa.Integer(), nullable=False),
        sa.Column("state", sa.Enum("pending", "synced", "failed", name="state",
                                   native_enum=False, create_constraint=True, length=7),
                  nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("changed_at", interviewloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", interviewloop.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("lease_until", interviewloop.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("synced_at", interviewloop.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_calendar_pushes_attempts_nonnegative")),
        sa.CheckConstraint("wanted_sequence >= 0",
                           name=op.f("ck_calendar_pushes_wanted_sequence_nonnegative")),
        sa.CheckConstraint("(state = 'synced') = (synced_at IS NOT NULL)",
                           name=op.f("ck_calendar_pushes_synced_has_time")),
        sa.ForeignKeyConstraint(["interview_id"], ["interviews.id"],
                                name=op.f("fk_calendar_pushes_interview_id_interviews"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_calendar_pushes_user_id_users")),
        sa.PrimaryKeyConstraint("interview_id", "user_id", name=op.f("pk_calendar_pushes")),
    )
    with op.batch_alter_table("calendar_pushes", schema=None) as batch_op:
        batch_op.create_index("ix_calendar_pushes_due", ["state", "next_attempt_at"], unique=False)
    op.create_table(
        "calendar_accounts",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("collection", sa.String(length=500), nullable=False),
        sa.CheckConstraint("length(collection) BETWEEN 1 AND 500",
                           name=op.f("ck_calendar_accounts_collection_length")),
        sa.CheckConstraint("collection NOT LIKE '%://%' AND collection NOT LIKE '%..%'",
                           name=op.f("ck_calendar_accounts_collection_is_a_path")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_calendar_accounts_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_calendar_accounts")),
    )


def downgrade() -> None:
    op.drop_table("calendar_accounts")
    with op.batch_alter_table("calendar_pushes", schema=None) as batch_op:
        batch_op.drop_index("ix_calendar_pushes_due")
    op.drop_table("calendar_pushes")
