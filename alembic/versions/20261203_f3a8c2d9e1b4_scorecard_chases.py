"""scorecards: the recruiter's "send a reminder" (scorecard_chases, one row per interview
and interviewer, its last_sent_at moved only by a conditional upsert)

Revision ID: f3a8c2d9e1b4
Revises: 8d3f6a1c2e57
Create Date: 2026-12-03 20:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from interviewloop.db import UTCDateTime

revision: str = "f3a8c2d9e1b4"
down_revision: str | None = "8d3f6a1c2e57"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scorecard_chases",
        sa.Column("interview_id", sa.Integer(), nullable=False),
        sa.Column("interviewer_id", sa.Integer(), nullable=False),
        sa.Column("last_sent_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["interview_id"], ["interviews.id"],
                                name=op.f("fk_scorecard_chases_interview_id_interviews")),
        sa.ForeignKeyConstraint(["interviewer_id"], ["users.id"],
                                name=op.f("fk_scorecard_chases_interviewer_id_users")),
        sa.PrimaryKeyConstraint("interview_id", "interviewer_id",
                                name=op.f("pk_scorecard_chases")),
    )


def downgrade() -> None:
    op.drop_table("scorecard_chases")
