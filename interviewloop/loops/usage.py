"""How many loop questions ask each bank question (the chooser ranks the least used first),
kept as data in question_usage by triggers on loop_questions rather than counted per request.

Triggers, so that every way a loop question comes or goes counts, in the same transaction:
the service's inserts, swaps (an UPDATE of question_id) and stage removals, and the
database's own cascades (a loop or stage deleted) and bulk inserts. Each is one
``INSERT ... ON CONFLICT DO UPDATE SET uses = uses + 1`` or ``UPDATE ... SET uses = uses - 1``
on the row, which the database serialises: concurrent builds cannot lose a count.

Migration f3a8c6d1b2e4 creates them; these statements run when ``Base.metadata.create_all``
makes loop_questions, so that tests/test_schema_drift.py compares the two. A batch migration
of loop_questions on SQLite recreates the table and drops the triggers: such a migration
must create them again.
"""

from __future__ import annotations

from sqlalchemy import DDL, FromClause, event

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
POSTGRESQL = (
    "CREATE FUNCTION loop_questions_usage() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "IF TG_OP IN ('DELETE', 'UPDATE') THEN "
    f"{_TAKE.replace('old.', 'OLD.')}; END IF; "
    "IF TG_OP IN ('INSERT', 'UPDATE') THEN "
    f"{_ADD.replace('new.', 'NEW.')}; END IF; "
    "RETURN NULL; END $$",
    "CREATE TRIGGER loop_questions_usage AFTER INSERT OR DELETE ON loop_questions "
    "FOR EACH ROW EXECUTE FUNCTION loop_questions_usage()",
    "CREATE TRIGGER loop_questions_usage_update AFTER UPDATE OF question_id ON loop_questions "
    "FOR EACH ROW WHEN (OLD.question_id IS DISTINCT FROM NEW.question_id) "
    "EXECUTE FUNCTION loop_questions_usage()",
)
# Counts the rows already there (the migration; create_all's table starts empty).
BACKFILL = ("INSERT INTO question_usage (question_id, uses) SELECT question_id, count(*) "
            "FROM loop_questions GROUP BY question_id")


def attach(table: FromClause) -> None:
    """Run the statements when ``create_all`` creates ``table`` (loop_questions)."""
    for dialect, statements in (("sqlite", SQLITE), ("postgresql", POSTGRESQL)):
        for statement in statements:
            event.listen(table, "after_create", DDL(statement).execute_if(dialect=dialect))
