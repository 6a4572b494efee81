"""scheduling: interview_panelists.scorecard_in, kept by triggers on scorecards, and the
partial index of the seats whose scorecard is owed

An interviewer's "scorecards to write" walked every seat of theirs that had started (some
2,300 at 10,000 candidates) to find the few without a submitted card. The flag, set by
triggers on scorecards from the scorecards themselves and backfilled here, lets the list
read a page from ix_interview_panelists_owed (live seats whose card is not in). The
statements are those of interviewloop/scorecards/owed.py, which create_all runs (a
migration keeps its own copy).

Revision ID: c4e9a2b7d3f1
Revises: b8d3f5a1c7e2
Create Date: 2026-12-03 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c4e9a2b7d3f1"
down_revision: str | None = "b8d3f5a1c7e2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SET = ("UPDATE interview_panelists SET scorecard_in = EXISTS (SELECT 1 FROM scorecards "
        "WHERE scorecards.interview_id = {row}.interview_id "
        "AND scorecards.interviewer_id = {row}.interviewer_id "
        "AND scorecards.status = 'submitted') "
        "WHERE interview_panelists.interview_id = {row}.interview_id "
        "AND interview_panelists.user_id = {row}.interviewer_id")
_WATCHED = "status, interview_id, interviewer_id"

SQLITE = (
    "CREATE TRIGGER scorecards_owed_insert AFTER INSERT ON scorecards "
    f"BEGIN {_SET.format(row='new')}; END",
    "CREATE TRIGGER scorecards_owed_delete AFTER DELETE ON scorecards "
    f"BEGIN {_SET.format(row='old')}; END",
    f"CREATE TRIGGER scorecards_owed_update AFTER UPDATE OF {_WATCHED} ON scorecards "
    f"BEGIN {_SET.format(row='old')}; {_SET.format(row='new')}; END",
)
POSTGRESQL = (
    "CREATE FUNCTION scorecards_owed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"IF TG_OP IN ('DELETE', 'UPDATE') THEN {_SET.format(row='OLD')}; END IF; "
    f"IF TG_OP IN ('INSERT', 'UPDATE') THEN {_SET.format(row='NEW')}; END IF; "
    "RETURN NULL; END $$",
    "CREATE TRIGGER scorecards_owed AFTER INSERT OR DELETE ON scorecards "
    "FOR EACH ROW EXECUTE FUNCTION scorecards_owed()",
    f"CREATE TRIGGER scorecards_owed_update AFTER UPDATE OF {_WATCHED} ON scorecards "
    "FOR EACH ROW EXECUTE FUNCTION scorecards_owed()",
)
# The seats already there (the migration; create_all's tables start empty).
BACKFILL = ("UPDATE interview_panelists SET scorecard_in = EXISTS (SELECT 1 FROM scorecards "
            "WHERE scorecards.interview_id = interview_panelists.interview_id "
            "AND scorecards.interviewer_id = interview_panelists.user_id "
            "AND scorecards.status = 'submitted')")


def upgrade() -> None:
    op.add_column("interview_panelists", sa.Column("scorecard_in", sa.Boolean(),
                                                   server_default=sa.false(), nullable=False))
    op.execute(BACKFILL)
    op.create_index("ix_interview_panelists_owed", "interview_panelists",
                    ["user_id", "starts_at", "interview_id"],
                    sqlite_where=sa.text("live IS 1 AND scorecard_in IS 0"),
                    postgresql_where=sa.text("live IS true AND scorecard_in IS false"))
    for statement in SQLITE if op.get_bind().dialect.name == "sqlite" else POSTGRESQL:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for event in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER scorecards_owed_{event}")
    else:
        op.execute("DROP TRIGGER scorecards_owed ON scorecards")
        op.execute("DROP TRIGGER scorecards_owed_update ON scorecards")
        op.execute("DROP FUNCTION scorecards_owed()")
    op.drop_index("ix_interview_panelists_owed", table_name="interview_panelists")
    with op.batch_alter_table("interview_panelists") as batch:
        batch.drop_column("scorecard_in")
