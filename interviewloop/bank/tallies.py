"""How many questions the bank holds, active and retired, kept as data in question_tallies
by triggers on questions rather than counted per request: the bank list's count of every
active question walked 30,000 index entries on each view (5 ms on PostgreSQL, where the
page's other statements took 1.5).

Triggers, so that every way a question comes, goes or is retired counts in the same
transaction (the service, the bank importer, bulk inserts, deletes). A row per state
(``retired`` false or true), made by the first question in it; no row: none. Each change is
an ``INSERT ... ON CONFLICT DO UPDATE SET questions = questions + 1`` or an ``UPDATE ... - 1``
on that row, which the database serialises: concurrent edits cannot lose a count. Row
triggers on both databases: the bank changes a question at a time (the importer's runs
are the most, a few hundred). So a transaction changing questions holds the tallies until
it commits, and another waits: the bank's writes take turns (an import, a few seconds at
most, holds up an edit for that long). On PostgreSQL each trigger first locks both rows,
active before retired, so that two such transactions never hold one each and wait for the
other (a deadlock: retiring locks the active row then the retired one, restoring the
other way round). SQLite has one writer at a time anyway.

Migration a7d3f9c2e5b1 creates them; these statements run when ``Base.metadata.create_all``
makes questions, so that tests/test_schema_drift.py compares SQLite's triggers (and
tests/test_bank_tallies.py that the migration's copy is this one). A batch migration of
questions on SQLite recreates the table and drops its triggers: such a migration must
create them again.
"""

from __future__ import annotations

_RETIRED = "({row}.retired_at IS NOT NULL)"
_ADD = ("INSERT INTO question_tallies (retired, questions) VALUES ({state}, 1) "
        "ON CONFLICT (retired) DO UPDATE SET questions = question_tallies.questions + 1")
_TAKE = "UPDATE question_tallies SET questions = questions - 1 WHERE retired = {state}"


def _add(row: str) -> str:
    return _ADD.format(state=_RETIRED.format(row=row))


def _take(row: str) -> str:
    return _TAKE.format(state=_RETIRED.format(row=row))


_MOVED = "(old.retired_at IS NULL) <> (new.retired_at IS NULL)"

SQLITE = (
    f"CREATE TRIGGER questions_tally_insert AFTER INSERT ON questions BEGIN {_add('new')}; END",
    f"CREATE TRIGGER questions_tally_delete AFTER DELETE ON questions BEGIN {_take('old')}; END",
    f"CREATE TRIGGER questions_tally_update AFTER UPDATE OF retired_at ON questions "
    f"WHEN {_MOVED} BEGIN {_take('old')}; {_add('new')}; END",
)
POSTGRESQL = (
    "CREATE FUNCTION questions_tally() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "PERFORM 1 FROM question_tallies ORDER BY retired FOR UPDATE; "
    f"IF TG_OP IN ('DELETE', 'UPDATE') THEN {_take('OLD')}; END IF; "
    f"IF TG_OP IN ('INSERT', 'UPDATE') THEN {_add('NEW')}; END IF; "
    "RETURN NULL; END $$",
    "CREATE TRIGGER questions_tally AFTER INSERT OR DELETE ON questions "
    "FOR EACH ROW EXECUTE FUNCTION questions_tally()",
    "CREATE TRIGGER questions_tally_update AFTER UPDATE OF retired_at ON questions "
    f"FOR EACH ROW WHEN ({_MOVED.replace('old.', 'OLD.').replace('new.', 'NEW.')}) "
    "EXECUTE FUNCTION questions_tally()",
)
# The migration's counts of the questions already there (create_all's tables start empty).
BACKFILL = ("INSERT INTO question_tallies (retired, questions) "
            "SELECT retired_at IS NOT NULL, count(*) FROM questions "
            "GROUP BY retired_at IS NOT NULL")
