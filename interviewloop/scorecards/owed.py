"""interview_panelists.scorecard_in: whether the panelist's scorecard for the interview is
submitted, kept by triggers on scorecards, so that the scorecards a person owes are read
from a partial index of their seats (ix_interview_panelists_owed: live seats whose card is
not in) instead of walking every seat they ever had (queries.to_write; some 2,300 past seats
per interviewer at 10,000 candidates).

Triggers, so that every way a scorecard comes, goes or changes status counts, in the same
transaction: the service, bulk loads, cascades. Each sets the flag from the scorecards
themselves (EXISTS a submitted one for that interview and interviewer), so it is right
whatever the order of changes. A panelist row cannot be made after its scorecard (the
scorecard's foreign key is the seat), so a new seat starts with the flag false.

Migration c4e9a2b7d3f1 creates them; these statements run when ``Base.metadata.create_all``
makes scorecards, so that tests/test_schema_drift.py compares the two. A batch migration of
scorecards on SQLite recreates the table and drops the triggers: such a migration must
create them again.
"""

from __future__ import annotations

from sqlalchemy import DDL, FromClause, event

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
# The partial index's predicate, as the queries write it (each database's planner matches
# the words: SQLite needs the very terms, so `live IS 1`, not `live = 1`).
OWED_WHERE = {"sqlite": "live IS 1 AND scorecard_in IS 0",
              "postgresql": "live IS true AND scorecard_in IS false"}


def attach(table: FromClause) -> None:
    """Run the statements when ``create_all`` creates ``table`` (scorecards)."""
    for dialect, statements in (("sqlite", SQLITE), ("postgresql", POSTGRESQL)):
        for statement in statements:
            event.listen(table, "after_create", DDL(statement).execute_if(dialect=dialect))
