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

