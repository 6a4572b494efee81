"""scheduling: a person's panel seats indexed in the order their pages list them

ix_interview_panelists_user_time gains interview_id after starts_at, so that an
interviewer's home and scorecards-to-write pages (ordered by the seat's starts_at, then the
interview) read a page straight from the index instead of sorting every interview of theirs.

Revision ID: a7d2e9c4b6f1
Revises: f3a8c6d1b2e4
Create Date: 2026-12-03 08:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "a7d2e9c4b6f1"
down_revision: str | None = "f3a8c6d1b2e4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX, TABLE = "ix_interview_panelists_user_time", "interview_panelists"


def upgrade() -> None:
    op.drop_index(INDEX, table_name=TABLE)
    op.create_index(INDEX, TABLE, ["user_id", "starts_at", "interview_id"], unique=False)


def downgrade() -> None:
    op.drop_index(INDEX, table_name=TABLE)
    op.create_index(INDEX, TABLE, ["user_id", "starts_at"], unique=False)
