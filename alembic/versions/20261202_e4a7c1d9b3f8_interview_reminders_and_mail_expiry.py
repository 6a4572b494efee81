"""interview reminders; outbox mail that expires, when each attempt began, resends

One row per reminder before an interview (interview, interviewer, hours before, start time),
claimed in the transaction that queues its email. Outbox mail gets an expiry (a reminder is
never sent once its interview has begun), the time its last attempt began (a message in
doubt since a moment ago may still be on the wire) and when an admin sent it again.

Revision ID: e4a7c1d9b3f8
Revises: c4f8a2d6e1b3
Create Date: 2026-12-02 01:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import interviewloop.db

revision: str = "e4a7c1d9b3f8"
down_revision: str | None = "c4f8a2d6e1b3"  # main's login-sessions revision came first
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "interview_reminders",
        sa.Column("interview_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("hours_before", sa.Integer(), nullable=False),
        sa.Column("starts_at", interviewloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("queued_at", interviewloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("hours_before > 0",
                           name=op.f("ck_interview_reminders_hours_before_positive")),
        sa.ForeignKeyConstraint(["interview_id"], ["interviews.id"],
                                name=op.f("fk_interview_reminders_interview_id_interviews"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_interview_reminders_user_id_users")),
        sa.PrimaryKeyConstraint("interview_id", "user_id", "hours_before", "starts_at",
                                name=op.f("pk_interview_reminders")),
    )
    with op.batch_alter_table("outbox_mail", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", interviewloop.db.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column("claimed_at", interviewloop.db.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column("resent_at", interviewloop.db.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_outbox_mail_expires_after_queued"),
            "expires_at IS NULL OR expires_at > created_at")


def downgrade() -> None:
    with op.batch_alter_table("outbox_mail", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_outbox_mail_expires_after_queued"), type_="check")
        batch_op.drop_column("resent_at")
        batch_op.drop_column("claimed_at")
        batch_op.drop_column("expires_at")
    op.drop_table("interview_reminders")
