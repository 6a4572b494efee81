"""api: scopes for scorecards, debriefs and decisions (read:scorecards, read:debriefs,
read:decisions)

The token scope's CHECK lists every scope: it is replaced by one with the three new ones
(after a3c9e1f7b2d4's loops, interviews, bank and users scopes, which it keeps).

Revision ID: 8d3f6a1c2e57
Revises: c4e9a1d7b3f2
Create Date: 2026-12-03 16:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8d3f6a1c2e57"
down_revision: str | None = "c4e9a1d7b3f2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEFORE = ("read:requisitions", "read:candidates", "write:candidates",  # a3c9e1f7b2d4's
          "read:loops", "read:interviews", "read:bank", "write:bank", "read:users")
NAME = "ck_api_token_scopes_scope"
AFTER = (*BEFORE, "read:scorecards", "read:debriefs", "read:decisions")


def _check(scopes: tuple[str, ...]) -> None:
    with op.batch_alter_table("api_token_scopes", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(NAME), type_="check")
        batch_op.create_check_constraint(
            op.f(NAME), "scope IN (" + ", ".join(f"'{s}'" for s in scopes) + ")")


def upgrade() -> None:
    _check(AFTER)


def downgrade() -> None:
    scopes = sa.table("api_token_scopes", sa.column("scope", sa.String))
    op.execute(scopes.delete().where(scopes.c.scope.not_in(BEFORE)))
    _check(BEFORE)
