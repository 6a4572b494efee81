"""bank: question_tallies, how many questions are active and retired, kept by triggers

The bank list counted every active question on each view (an index walk of 30,000 entries:
5 ms on PostgreSQL, 2.7 on SQLite, more than the page's other statements together). The
count is now kept in question_tallies by triggers on questions (insert, delete, an update
of retired_at that retires or restores), backfilled from the rows there. The statements are
those of interviewloop/bank/tallies.py, which create_all runs (a migration keeps its own
copy).

Revision ID: a7d3f9c2e5b1
Revises: c5d2e8a1f4b7
Create Date: 2026-12-08 05:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a7d3f9c2e5b1"
down_revision: str | None = "c5d2e8a1f4b7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As interviewloop/bank/tallies.py has them.
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
BACKFILL = ("INSERT INTO question_tallies (retired, questions) "
            "SELECT retired_at IS NOT NULL, count(*) FROM questions "
            "GROUP BY retired_at IS NOT NULL")


def upgrade() -> None:
    op.create_table(
        "question_tallies",
        sa.Column("retired", sa.Boolean(), nullable=False),
        sa.Column("questions", sa.Integer(), server_default="0", nullable=False),
        sa.CheckConstraint("questions >= 0",
                           name=op.f("ck_question_tallies_questions_nonnegative")),
        sa.PrimaryKeyConstraint("retired", name=op.f("pk_question_tallies")),
    )
    op.execute(BACKFILL)
    for statement in SQLITE if op.get_bind().dialect.name == "sqlite" else POSTGRESQL:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER questions_tally_{name}")
    else:
        op.execute("DROP TRIGGER questions_tally ON questions")
        op.execute("DROP TRIGGER questions_tally_update ON questions")
        op.execute("DROP FUNCTION questions_tally()")
    op.drop_table("question_tallies")
