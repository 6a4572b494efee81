"""api: scopes for loops, interviews, the bank and users; updated_at where lists sync

The JSON API's second set of resources (issue 14). Tokens may carry read:loops,
read:interviews, read:bank, write:bank and read:users. Interviews and users record when they
last changed (existing rows start at their creation time), and the lists the API pages by
(updated_at, id) get an index on updated_at: loops, interviews, questions, users.

Revision ID: a3c9e1f7b2d4
Revises: e7c4b1a9d2f6
Create Date: 2026-12-03 15:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from interviewloop.db import UTCDateTime

revision: str = "a3c9e1f7b2d4"
down_revision: str | None = "e7c4b1a9d2f6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_SCOPES = ("read:requisitions", "read:candidates", "write:candidates")
NEW_SCOPES = (*OLD_SCOPES, "read:loops", "read:interviews", "read:bank", "write:bank",
              "read:users")


def _scope_check(scopes: Sequence[str]) -> str:
    return "scope IN (" + ", ".join(f"'{s}'" for s in scopes) + ")"


def _rescope(scopes: Sequence[str]) -> None:
    with op.batch_alter_table("api_token_scopes", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_api_token_scopes_scope"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_api_token_scopes_scope"),
                                         _scope_check(scopes))


def upgrade() -> None:
    _rescope(NEW_SCOPES)
    for table in ("interviews", "users"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("updated_at", UTCDateTime(), nullable=True))
        rows = sa.table(table, sa.column("created_at"), sa.column("updated_at"))
        op.execute(rows.update().values(updated_at=rows.c.created_at))
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("updated_at", existing_type=UTCDateTime(), nullable=False)
    for table in ("interviews", "users", "loops", "questions"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f"ix_{table}_updated_at"), ["updated_at"],
                                  unique=False)


def downgrade() -> None:
    for table in ("questions", "loops", "users", "interviews"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_updated_at"))
    for table in ("users", "interviews"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("updated_at")
    scopes = sa.table("api_token_scopes", sa.column("scope"))
    op.execute(scopes.delete().where(scopes.c.scope.not_in(OLD_SCOPES)))
    _rescope(OLD_SCOPES)
