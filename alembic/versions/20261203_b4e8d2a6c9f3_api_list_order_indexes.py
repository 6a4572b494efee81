"""the API's lists of scorecards, pre-offer checks and decisions read in index order

The API pages these by (updated_at, id), (answered_at, id) and (decided_at, id)
(api/queries.page_of). Without an index on that order a page sorted every row the
visibility clause let through: the scorecard list at 10,000 candidates (91,000 scorecards)
spent ~300 ms in that one statement on SQLite. With one, the page walks the index and stops
after limit + 1 visible rows.

Revision ID: b4e8d2a6c9f3
Revises: a7d2e9c4b6f1
Create Date: 2026-12-03 11:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "b4e8d2a6c9f3"
down_revision: str | None = "a7d2e9c4b6f1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {"scorecards": ("ix_scorecards_updated_at_id", ["updated_at", "id"]),
           "pre_offer_checks": ("ix_pre_offer_checks_answered_at_id", ["answered_at", "id"]),
           "decisions": ("ix_decisions_decided_at_id", ["decided_at", "id"])}


def upgrade() -> None:
    for table, (name, columns) in INDEXES.items():
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for table, (name, _columns) in INDEXES.items():
        op.drop_index(name, table_name=table)
