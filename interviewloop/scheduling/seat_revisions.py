"""A token per person that changes whenever one of their interview seats changes in a way
that decides what they may see (scorecards/access.py): a seat given or taken away, its role,
whether their scorecard for it is in (interview_panelists.scorecard_in), or its interview's
status. The analytics cache keys a viewer's reports by it (analytics/cache.py) instead of
reading every seat they ever had (thousands for an interviewer at 10,000 candidates).

Kept by triggers, random like the loop revision token (loops/revisions.py, which says why),
in user_seat_revisions; no row: the person never had a seat. SQLite's run per row, and only
where a watched column changes; PostgreSQL's per statement, over its transition tables.

Migration e6a1c3f8b2d4 creates them; these statements run when ``Base.metadata.create_all``
makes interview_panelists (after interviews), so that tests/test_schema_drift.py compares
the two. A batch migration of a watched table on SQLite recreates it and drops its
triggers: such a migration must create them again.
"""

from __future__ import annotations

_UPSERT = ("INSERT INTO user_seat_revisions (user_id, token) {select} "
           "ON CONFLICT (user_id) DO UPDATE SET token = excluded.token")
_SEAT = ("role", "scorecard_in", "interview_id", "user_id")
_DIFFERS = " OR ".join(f"old.{c} IS NOT new.{c}" for c in _SEAT)


def _bump_one(row: str) -> str:
    return _UPSERT.format(select=f"SELECT {row}.user_id, random() WHERE true")


SQLITE = (
    "CREATE TRIGGER interview_panelists_seat_insert AFTER INSERT ON interview_panelists "
    f"BEGIN {_bump_one('new')}; END",
    "CREATE TRIGGER interview_panelists_seat_delete AFTER DELETE ON interview_panelists "
    f"BEGIN {_bump_one('old')}; END",
    f"CREATE TRIGGER interview_panelists_seat_update AFTER UPDATE OF {', '.join(_SEAT)} "
    f"ON interview_panelists WHEN {_DIFFERS} "
    f"BEGIN {_bump_one('old')}; {_bump_one('new')}; END",
    "CREATE TRIGGER interviews_seat_status AFTER UPDATE OF status ON interviews "
    "WHEN old.status IS NOT new.status BEGIN "
    + _UPSERT.format(select="SELECT user_id, random() FROM interview_panelists "
                            "WHERE interview_panelists.interview_id = new.id")
    + "; END",
)

_PG_RANDOM = "(random() * 9e18)::bigint"


def _pg_bump(users: str) -> str:
    return _UPSERT.format(select=f"SELECT user_id, {_PG_RANDOM} FROM "
                                 f"(SELECT DISTINCT user_id FROM ({users}) AS u) AS d WHERE true")


# A seat in one table and not the other (its key changed), or changed in role or card: a
# full join on the key, which PostgreSQL hashes (NOT EXISTS over transition tables, which
# have no index, compared every row with every row).
_PG_CHANGED = ("SELECT COALESCE(n.user_id, o.user_id) AS user_id FROM old_rows o "
               "FULL JOIN new_rows n ON n.interview_id = o.interview_id AND n.user_id = o.user_id "
               "WHERE o.user_id IS NULL OR n.user_id IS NULL OR o.role <> n.role "
               "OR o.scorecard_in <> n.scorecard_in")
_PG_STATUS = ("SELECT p.user_id FROM interview_panelists p JOIN new_rows n "
              "ON n.id = p.interview_id JOIN old_rows o ON o.id = n.id "
              "WHERE o.status IS DISTINCT FROM n.status")
POSTGRESQL = (
    "CREATE FUNCTION interview_panelists_seat() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"IF TG_OP = 'INSERT' THEN {_pg_bump('SELECT user_id FROM new_rows')}; "
    f"ELSIF TG_OP = 'DELETE' THEN {_pg_bump('SELECT user_id FROM old_rows')}; "
    f"ELSE {_pg_bump(_PG_CHANGED)}; END IF; RETURN NULL; END $$",
    "CREATE TRIGGER interview_panelists_seat_insert AFTER INSERT ON interview_panelists "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION interview_panelists_seat()",
    "CREATE TRIGGER interview_panelists_seat_delete AFTER DELETE ON interview_panelists "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION interview_panelists_seat()",
    "CREATE TRIGGER interview_panelists_seat_update AFTER UPDATE ON interview_panelists "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION interview_panelists_seat()",
    "CREATE FUNCTION interviews_seat_status() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"{_pg_bump(_PG_STATUS)}; RETURN NULL; END $$",
    "CREATE TRIGGER interviews_seat_status AFTER UPDATE ON interviews "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION interviews_seat_status()",
)
# Everyone with a seat gets a row (the migration; create_all's tables start empty).
BACKFILL = ("INSERT INTO user_seat_revisions (user_id, token) "
            "SELECT DISTINCT user_id, 1 FROM interview_panelists")

