"""login_sessions: the browser each session was opened from

So that a person's list of their own sessions says which is which ("Firefox on Linux, from
203.0.113.9, since ..."), and they can end the one they do not recognise. Nullable: sessions
opened before this revision have none.

Revision ID: c4f8a2d6e1b3
Revises: b7d3e9a1c5f2
Create Date: 2026-12-02 01:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c4f8a2d6e1b3"
down_revision: str | None = "b7d3e9a1c5f2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("login_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("user_agent", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("login_sessions", schema=None) as batch_op:
        batch_op.drop_column("user_agent")
