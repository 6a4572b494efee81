"""loops: question_usage's triggers on PostgreSQL per statement, not per row

Row by row, a bulk load of loops (the benchmark's 9,322 copies of the set's loop) updated
each of the set's questions' usage rows once per loop in one transaction; each update adds
a row version the next has to step over, and seeding the loops took about four minutes.
Per statement, over the transition tables, a multi-row insert counts its questions once.
SQLite keeps its row triggers (it updates in place). The statements are those of
interviewloop/loops/usage.py (a migration keeps its own copy).

Revision ID: d2f7b4c9e1a3
Revises: c4e9a2b7d3f1
Create Date: 2026-12-03 12:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "d2f7b4c9e1a3"
down_revision: str | None = "c4e9a2b7d3f1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ADD = ("INSERT INTO question_usage (question_id, uses) VALUES (new.question_id, 1) "
        "ON CONFLICT (question_id) DO UPDATE SET uses = question_usage.uses + 1")
_TAKE = "UPDATE question_usage SET uses = uses - 1 WHERE question_id = old.question_id"
ROW_LEVEL = (  # as f3a8c6d1b2e4 made them
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


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER loop_questions_usage ON loop_questions")
    op.execute("DROP TRIGGER loop_questions_usage_update ON loop_questions")
    op.execute("DROP FUNCTION loop_questions_usage()")
    for statement in POSTGRESQL:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for event in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER loop_questions_usage_{event} ON loop_questions")
    op.execute("DROP FUNCTION loop_questions_usage()")
    for statement in ROW_LEVEL:
        op.execute(statement)
