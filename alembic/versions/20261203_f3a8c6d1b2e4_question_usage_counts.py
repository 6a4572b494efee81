"""loops: question_usage, how many loop questions ask each question, kept by triggers

The chooser ranked the least used questions first by counting every loop question with a
GROUP BY on each request. The count is now kept in question_usage by triggers on
loop_questions (insert, delete, an update of question_id), backfilled from the rows there.
The statements are those of interviewloop/loops/py, which create_all runs.

Revision ID: f3a8c6d1b2e4
Revises: f3b8c2d6a1e4
Create Date: 2026-12-03 20:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f3a8c6d1b2e4"
down_revision: str | None = "f3b8c2d6a1e4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As interviewloop/loops/usage.py had them (a migration keeps its own copy).
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
BACKFILL = ("INSERT INTO question_usage (question_id, uses) SELECT question_id, count(*) "
            "FROM loop_questions GROUP BY question_id")


def upgrade() -> None:
    op.create_table(
        "question_usage",
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("uses", sa.Integer(), server_default="0", nullable=False),
        sa.CheckConstraint("uses >= 0", name=op.f("ck_question_usage_uses_nonnegative")),
        sa.ForeignKeyConstraint(["question_id"], ["questions.id"],
                                name=op.f("fk_question_usage_question_id_questions"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("question_id", name=op.f("pk_question_usage")),
    )
    op.execute(BACKFILL)
    dialect = op.get_bind().dialect.name
    for statement in SQLITE if dialect == "sqlite" else POSTGRESQL:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER loop_questions_usage_{name}")
    else:
        op.execute("DROP TRIGGER loop_questions_usage ON loop_questions")
        op.execute("DROP TRIGGER loop_questions_usage_update ON loop_questions")
        op.execute("DROP FUNCTION loop_questions_usage()")
    op.drop_table("question_usage")
