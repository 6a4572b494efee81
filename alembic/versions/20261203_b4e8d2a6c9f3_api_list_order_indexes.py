"""the API's lists read in index order: (changed, id) on every table page_of lists

The API pages by (updated_at, id), (answered_at, id) and (decided_at, id)
(api/queries.page_of). Scorecards, pre-offer checks and decisions had no index on that
order, so a page sorted every row the visibility clause let through: the scorecard list
at 10,000 candidates (91,000 scorecards) spent ~300 ms in that one statement on SQLite.
The others had an index on updated_at alone: enough on SQLite (an index ends with the
rowid), not on PostgreSQL, which sorted each run of equal updated_at whole (9,300 loops
seeded in one transaction: 11 ms of incremental sort for a page of 100). Those are made
again with id after updated_at, under the same names.

Revision ID: b4e8d2a6c9f3
Revises: e6a1c3f8b2d4
Create Date: 2026-12-03 11:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "b4e8d2a6c9f3"
down_revision: str | None = "e6a1c3f8b2d4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {"scorecards": ("ix_scorecards_updated_at_id", ["updated_at", "id"]),
           "pre_offer_checks": ("ix_pre_offer_checks_answered_at_id", ["answered_at", "id"]),
           "decisions": ("ix_decisions_decided_at_id", ["decided_at", "id"])}
WITH_ID = ("requisitions", "candidates", "loops", "interviews", "questions", "users")


def _updated_at(table: str, columns: list[str]) -> None:
    op.drop_index(f"ix_{table}_updated_at", table_name=table)
    op.create_index(f"ix_{table}_updated_at", table, columns, unique=False)


def upgrade() -> None:
    for table, (name, columns) in INDEXES.items():
        op.create_index(name, table, columns, unique=False)
    for table in WITH_ID:
        _updated_at(table, ["updated_at", "id"])


def downgrade() -> None:
    for table in WITH_ID:
        _updated_at(table, ["updated_at"])
    for table, (name, _columns) in INDEXES.items():
        op.drop_index(name, table_name=table)
