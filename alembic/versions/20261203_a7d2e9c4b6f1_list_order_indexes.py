"""lists read in index order: a person's panel seats, a requisition's candidates

ix_interview_panelists_user_time gains interview_id after starts_at, so that an
interviewer's home and scorecards-to-write pages (ordered by the seat's starts_at, then the
interview) read a page straight from the index instead of sorting every interview of theirs.
Candidates get (requisition_id, name, id), the board's and the dashboard's order, and
(requisition_id, status, name, id), the requisition page's.

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
CANDIDATE_INDEXES = {"ix_candidates_requisition_name": ["requisition_id", "name", "id"],
                     "ix_candidates_requisition_status_name": ["requisition_id", "status", "name",
                                                               "id"]}


def upgrade() -> None:
    op.drop_index(INDEX, table_name=TABLE)
    op.create_index(INDEX, TABLE, ["user_id", "starts_at", "interview_id"], unique=False)
    for name, columns in CANDIDATE_INDEXES.items():
        op.create_index(name, "candidates", columns, unique=False)


def downgrade() -> None:
    for name in CANDIDATE_INDEXES:
        op.drop_index(name, table_name="candidates")
    op.drop_index(INDEX, table_name=TABLE)
    op.create_index(INDEX, TABLE, ["user_id", "starts_at"], unique=False)
