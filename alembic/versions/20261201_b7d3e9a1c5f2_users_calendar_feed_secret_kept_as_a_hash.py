"""users: the calendar feed's secret is kept as its SHA-256, not in clear

users.calendar_token held the secret itself, so anyone who could read the database (a
backup, a replica) could read every interviewer's feed. Now only its hash is kept
(calendar_token_hash), as for API tokens: the address is shown once, when it is made.
Existing secrets become their hashes, so feed addresses already in calendar apps keep
working. A downgrade cannot recover them: it turns every feed off (people make new ones).

Revision ID: b7d3e9a1c5f2
Revises: 8e4c2b7d1f60
Create Date: 2026-12-01 23:10:00.000000
"""

import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b7d3e9a1c5f2"
down_revision: str | None = "8e4c2b7d1f60"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

users = sa.table("users", sa.column("id", sa.Integer), sa.column("calendar_token", sa.String),
                 sa.column("calendar_token_hash", sa.String))


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("calendar_token_hash", sa.String(length=64), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(sa.select(users.c.id, users.c.calendar_token)
                              .where(users.c.calendar_token.is_not(None))).all()
    for user_id, token in rows:
        digest = hashlib.sha256(token.encode()).hexdigest()
        connection.execute(users.update().where(users.c.id == user_id)
                           .values(calendar_token_hash=digest))
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_users_calendar_token"), type_="unique")
        batch_op.drop_column("calendar_token")
        batch_op.create_unique_constraint(batch_op.f("uq_users_calendar_token_hash"),
                                          ["calendar_token_hash"])


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_users_calendar_token_hash"), type_="unique")
        batch_op.drop_column("calendar_token_hash")
        batch_op.add_column(sa.Column("calendar_token", sa.String(length=43), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_users_calendar_token"), ["calendar_token"])
