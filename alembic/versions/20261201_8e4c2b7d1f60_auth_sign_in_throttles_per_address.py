"""auth: sign-in throttles per account and address, no account lock-out

Five wrong passwords used to lock the account itself (users.locked_until), so anyone who
knew an email could keep its owner out. Now the address that fails waits, longer after
each failure (login_throttles, one row per account and address), and the account keeps
the refused sign-ins since its last success to show its owner (last_failed_login_at/_ip;
failed_logins keeps its count). Locks in force are dropped with the column.

Revision ID: 8e4c2b7d1f60
Revises: 7a1e0c4b2f93
Create Date: 2026-12-01 22:51:28.788587
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import interviewloop.db

revision: str = "8e4c2b7d1f60"
down_revision: str | None = "7a1e0c4b2f93"  # main's outbox revision came first
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_throttles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("ip", sa.String(length=45), nullable=False),
        sa.Column("failures", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_failure_at", interviewloop.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("wait_until", interviewloop.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("failures >= 0", name=op.f("ck_login_throttles_failures_nonnegative")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name=op.f("fk_login_throttles_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_throttles")),
        sa.UniqueConstraint("user_id", "ip", name=op.f("uq_login_throttles_user_id_ip")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_failed_login_at",
                                      interviewloop.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("last_failed_login_ip", sa.String(length=45), nullable=True))
        batch_op.drop_column("locked_until")


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("locked_until", interviewloop.db.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.drop_column("last_failed_login_ip")
        batch_op.drop_column("last_failed_login_at")

    op.drop_table("login_throttles")
