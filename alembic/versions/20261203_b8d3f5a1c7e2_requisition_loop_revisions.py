"""loops: requisition_loop_revisions, a token per requisition kept by triggers

The debrief compared a candidate's loop with every other loop on the requisition by reading
all their questions on each request (sets.differences; some 75,000 rows at 10,000
candidates). The comparison's counts are now cached per requisition, keyed by this token,
which triggers on loops, loop_stages, loop_questions and candidates renew on every change
the comparison reads. The statements are those of interviewloop/loops/revisions.py, which
create_all runs (a migration keeps its own copy).

Revision ID: b8d3f5a1c7e2
Revises: a7d2e9c4b6f1
Create Date: 2026-12-03 11:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b8d3f5a1c7e2"
down_revision: str | None = "a7d2e9c4b6f1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UPSERT = ("INSERT INTO requisition_loop_revisions (requisition_id, token) {select} "
           "ON CONFLICT (requisition_id) DO UPDATE SET token = excluded.token")
_VIA_LOOP = ("SELECT candidates.requisition_id, {token} FROM loops "
             "JOIN candidates ON candidates.id = loops.candidate_id WHERE loops.id = {row}.loop_id")
_VIA_CANDIDATE = ("SELECT candidates.requisition_id, {token} FROM candidates "
                  "WHERE candidates.id = {row}.candidate_id")
_OF_CANDIDATE = "SELECT {row}.requisition_id, {token} WHERE true"

# (table, the columns whose update counts, how a row leads to its requisition)
WATCHED = (
    ("loops", "question_set_id, candidate_id", _VIA_CANDIDATE),
    ("loop_stages", "name, loop_id", _VIA_LOOP),
    ("loop_questions", "question_id, alternate_reason, loop_id", _VIA_LOOP),
)
SQLITE_RANDOM = "random()"
POSTGRESQL_RANDOM = "(random() * 9e18)::bigint"


def _bump(lookup: str, row: str, token: str) -> str:
    return _UPSERT.format(select=lookup.format(row=row, token=token))


def _sqlite() -> tuple[str, ...]:
    statements = []
    for table, columns, lookup in WATCHED:
        statements += [
            f"CREATE TRIGGER {table}_revision_insert AFTER INSERT ON {table} "
            f"BEGIN {_bump(lookup, 'new', SQLITE_RANDOM)}; END",
            f"CREATE TRIGGER {table}_revision_delete AFTER DELETE ON {table} "
            f"BEGIN {_bump(lookup, 'old', SQLITE_RANDOM)}; END",
            f"CREATE TRIGGER {table}_revision_update AFTER UPDATE OF {columns} ON {table} "
            f"BEGIN {_bump(lookup, 'old', SQLITE_RANDOM)}; "
            f"{_bump(lookup, 'new', SQLITE_RANDOM)}; END",
        ]
    statements += [
        "CREATE TRIGGER candidates_revision_delete AFTER DELETE ON candidates "
        f"BEGIN {_bump(_OF_CANDIDATE, 'old', SQLITE_RANDOM)}; END",
        "CREATE TRIGGER candidates_revision_update AFTER UPDATE OF requisition_id ON candidates "
        f"BEGIN {_bump(_OF_CANDIDATE, 'old', SQLITE_RANDOM)}; "
        f"{_bump(_OF_CANDIDATE, 'new', SQLITE_RANDOM)}; END",
    ]
    return tuple(statements)


def _postgresql() -> tuple[str, ...]:
    statements = []
    for table, columns, lookup in (*WATCHED, ("candidates", "requisition_id", _OF_CANDIDATE)):
        old, new = (_bump(lookup, row, POSTGRESQL_RANDOM) for row in ("OLD", "NEW"))
        statements += [
            f"CREATE FUNCTION {table}_revision() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF TG_OP IN ('DELETE', 'UPDATE') THEN {old}; END IF; "
            f"IF TG_OP IN ('INSERT', 'UPDATE') THEN {new}; END IF; "
            "RETURN NULL; END $$",
            f"CREATE TRIGGER {table}_revision AFTER "
            f"{'DELETE' if table == 'candidates' else 'INSERT OR DELETE'} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_revision()",
            f"CREATE TRIGGER {table}_revision_update AFTER UPDATE OF {columns} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_revision()",
        ]
    return tuple(statements)


SQLITE = _sqlite()
POSTGRESQL = _postgresql()
# Every requisition with a loop gets its row (the migration; create_all's tables start empty).
BACKFILL = ("INSERT INTO requisition_loop_revisions (requisition_id, token) "
            "SELECT DISTINCT candidates.requisition_id, 1 FROM loops "
            "JOIN candidates ON candidates.id = loops.candidate_id")


def upgrade() -> None:
    op.create_table(
        "requisition_loop_revisions",
        sa.Column("requisition_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["requisition_id"], ["requisitions.id"],
                                name=op.f("fk_requisition_loop_revisions_requisition_id_requisitions"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("requisition_id", name=op.f("pk_requisition_loop_revisions")),
    )
    op.execute(BACKFILL)
    for statement in SQLITE if op.get_bind().dialect.name == "sqlite" else POSTGRESQL:
        op.execute(statement)


def downgrade() -> None:
    tables = [table for table, _columns, _lookup in WATCHED]
    if op.get_bind().dialect.name == "sqlite":
        for table in tables:
            for event in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER {table}_revision_{event}")
        for event in ("delete", "update"):
            op.execute(f"DROP TRIGGER candidates_revision_{event}")
    else:
        for table in (*tables, "candidates"):
            op.execute(f"DROP TRIGGER {table}_revision ON {table}")
            op.execute(f"DROP TRIGGER {table}_revision_update ON {table}")
            op.execute(f"DROP FUNCTION {table}_revision()")
    op.drop_table("requisition_loop_revisions")
