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

_IN = ("EXISTS (SELECT 1 FROM scorecards "
       "WHERE scorecards.interview_id = interview_panelists.interview_id "
       "AND scorecards.interviewer_id = interview_panelists.user_id "
       "AND scorecards.status = 'submitted')")
# Only where the flag changes: a draft saved again writes nothing (and renews no token of
# the seat's person, scheduling/seat_revisions.py).
_SET = (f"UPDATE interview_panelists SET scorecard_in = {_IN} "
        "WHERE interview_panelists.interview_id = {row}.interview_id "
        "AND interview_panelists.user_id = {row}.interviewer_id "
        f"AND interview_panelists.scorecard_in != {_IN}")
_WATCHED = "status, interview_id, interviewer_id"

SQLITE = (
    "CREATE TRIGGER scorecards_owed_insert AFTER INSERT ON scorecards "
    f"BEGIN {_SET.format(row='new')}; END",
    "CREATE TRIGGER scorecards_owed_delete AFTER DELETE ON scorecards "
    f"BEGIN {_SET.format(row='old')}; END",
    f"CREATE TRIGGER scorecards_owed_update AFTER UPDATE OF {_WATCHED} ON scorecards "
    f"BEGIN {_SET.format(row='old')}; {_SET.format(row='new')}; END",
)
# PostgreSQL: per statement, over its transition tables, so that a bulk load is one update
# of the seats it touches rather than one per scorecard.
_PG_SET = (f"UPDATE interview_panelists SET scorecard_in = {_IN} "
           "FROM (SELECT DISTINCT interview_id, interviewer_id FROM {rows}) AS touched "
           "WHERE interview_panelists.interview_id = touched.interview_id "
           "AND interview_panelists.user_id = touched.interviewer_id "
           f"AND interview_panelists.scorecard_in != {_IN}")
_PG_BOTH = ("(SELECT interview_id, interviewer_id FROM old_rows UNION "
            "SELECT interview_id, interviewer_id FROM new_rows) AS both_")
POSTGRESQL = (
    "CREATE FUNCTION scorecards_owed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"IF TG_OP = 'INSERT' THEN {_PG_SET.format(rows='new_rows')}; "
    f"ELSIF TG_OP = 'DELETE' THEN {_PG_SET.format(rows='old_rows')}; "
    f"ELSE {_PG_SET.format(rows=_PG_BOTH)}; "
    "END IF; RETURN NULL; END $$",
    "CREATE TRIGGER scorecards_owed_insert AFTER INSERT ON scorecards "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION scorecards_owed()",
    "CREATE TRIGGER scorecards_owed_delete AFTER DELETE ON scorecards "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION scorecards_owed()",
    "CREATE TRIGGER scorecards_owed_update AFTER UPDATE ON scorecards "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION scorecards_owed()",
)
# The seats already there (the migration; create_all's tables start empty).
BACKFILL = f"UPDATE interview_panelists SET scorecard_in = {_IN}"


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
        for event in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER scorecards_owed_{event} ON scorecards")
        op.execute("DROP FUNCTION scorecards_owed()")
    op.drop_index("ix_interview_panelists_owed", table_name="interview_panelists")
    with op.batch_alter_table("interview_panelists") as batch:
        batch.drop_column("scorecard_in")
