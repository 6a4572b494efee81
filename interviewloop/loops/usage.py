"""How many loop questions ask each bank question (the chooser ranks the least used first),
kept as data in question_usage by triggers on loop_questions rather than counted per request.

Triggers, so that every way a loop question comes or goes counts, in the same transaction:
the service's inserts, swaps (an UPDATE of question_id) and stage removals, and the
database's own cascades (a loop or stage deleted) and bulk inserts. Each is an
``INSERT ... ON CONFLICT DO UPDATE SET uses = uses + n`` or ``UPDATE ... SET uses = uses - n``
on the rows, which the database serialises: concurrent builds cannot lose a count. SQLite's
run per row, PostgreSQL's per statement.

Migration f3a8c6d1b2e4 creates them (d2f7b4c9e1a3 makes PostgreSQL's per statement); these
statements run when ``Base.metadata.create_all`` makes loop_questions, so that
tests/test_schema_drift.py compares the two. A batch migration
of loop_questions on SQLite recreates the table and drops the triggers: such a migration
must create them again.
"""

from __future__ import annotations

_ADD = ("INSERT INTO question_usage (question_id, uses) VALUES (new.question_id, 1) "
        "ON CONFLICT (question_id) DO UPDATE SET uses = question_usage.uses + 1")
_TAKE = "UPDATE question_usage SET uses = uses - 1 WHERE question_id = old.question_id"

SQLITE = (
    f"CREATE TRIGGER loop_questions_usage_insert AFTER INSERT ON loop_questions "
    f"BEGIN {_ADD}; END",
    f"CREATE TRIGGER loop_questions_usage_delete AFTER DELETE ON loop_questions "
    f"BEGIN {_TAKE}; END",
    "CREATE TRIGGER loop_questions_usage_update AFTER UPDATE OF question_id ON loop_questions "
    f"WHEN old.question_id != new.question_id BEGIN {_TAKE}; {_ADD}; END",
)
# PostgreSQL: per statement, over its transition tables (migration d2f7b4c9e1a3): row by row,
# a bulk load of 9,322 loops updated each of the set's questions' rows 9,322 times in one
# transaction, each update a row version the next had to step over (seeding took minutes).
_PG_ADD = ("INSERT INTO question_usage (question_id, uses) "
           "SELECT question_id, count(*) FROM {rows} GROUP BY question_id "
           "ON CONFLICT (question_id) DO UPDATE SET uses = question_usage.uses + excluded.uses")
_PG_TAKE = ("UPDATE question_usage SET uses = question_usage.uses - gone.n FROM "
            "(SELECT question_id, count(*) AS n FROM {rows} GROUP BY question_id) AS gone "
            "WHERE question_usage.question_id = gone.question_id")
_PG_MOVED = ("(SELECT {side}.question_id FROM new_rows n JOIN old_rows o ON o.id = n.id "
             "WHERE o.question_id IS DISTINCT FROM n.question_id) AS moved")
POSTGRESQL = (
    "CREATE FUNCTION loop_questions_usage() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"IF TG_OP = 'INSERT' THEN {_PG_ADD.format(rows='new_rows')}; "
    f"ELSIF TG_OP = 'DELETE' THEN {_PG_TAKE.format(rows='old_rows')}; "
    f"ELSE {_PG_TAKE.format(rows=_PG_MOVED.format(side='o'))}; "
    f"{_PG_ADD.format(rows=_PG_MOVED.format(side='n'))}; "
    "END IF; RETURN NULL; END $$",
    "CREATE TRIGGER loop_questions_usage_insert AFTER INSERT ON loop_questions "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION loop_questions_usage()",
    "CREATE TRIGGER loop_questions_usage_delete AFTER DELETE ON loop_questions "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION loop_questions_usage()",
    "CREATE TRIGGER loop_questions_usage_update AFTER UPDATE ON loop_questions "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION loop_questions_usage()",
)
# Counts the rows already there (the migration; create_all's table starts empty).
BACKFILL = ("INSERT INTO question_usage (question_id, uses) SELECT question_id, count(*) "
            "FROM loop_questions GROUP BY question_id")

