"""auth: two-factor sign-in (TOTP), recovery codes, and sign-ins waiting for their code

two_factor holds each person's authenticator secret, sealed under a key derived from
SECRET_KEY, with when it was confirmed (on only then) and the last time step used (a code
is good once). two_factor_recovery_codes keeps the SHA-256 of each single-use recovery
code. two_factor_challenges holds, per sign-in whose password was right and whose code is
still to come, the hash of the token its cookie carries; it lives a few minutes.

Revision ID: b7d2f4a9c1e5
Revises: b5e1d7c3a902
Create Date: 2026-12-03 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import interviewloop.db

revision: str = "b7d2f4a9c1e5"
down_revision: str | None = "b5e1d7c3a902"  # after the pools revision (parallel branches)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "two_factor",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("secret_sealed", sa.Text(), nullable=False),
        sa.Column("created_at", interviewloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", interviewloop.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_step", sa.Integer(), nullable=True),
        sa.CheckConstraint("last_step IS NULL OR last_step >= 0",
                           name=op.f("ck_two_factor_last_step_nonnegative")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_two_factor_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_two_factor")),
    )
    op.create_table(
        "two_factor_recovery_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", interviewloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", interviewloop.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("length(code_hash) = 64",
                           name=op.f("ck_two_factor_recovery_codes_code_hash_length")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_two_factor_recovery_codes_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_two_factor_recovery_codes")),
        sa.UniqueConstraint("user_id", "code_hash",
                            name=op.f("uq_two_factor_recovery_codes_user_id_code_hash")),
    )
    op.create_table(
        "two_factor_challenges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", interviewloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("next_path", sa.String(length=2000), nullable=False),
        sa.CheckConstraint("length(token_hash) = 64",
                           name=op.f("ck_two_factor_challenges_token_hash_length")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_two_factor_challenges_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_two_factor_challenges")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_two_factor_challenges_token_hash")),
    )
    with op.batch_alter_table("two_factor_challenges", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_two_factor_challenges_created_at"), ["created_at"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_two_factor_challenges_user_id"), ["user_id"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("two_factor_challenges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_two_factor_challenges_user_id"))
        batch_op.drop_index(batch_op.f("ix_two_factor_challenges_created_at"))
    op.drop_table("two_factor_challenges")
    op.drop_table("two_factor_recovery_codes")
    op.drop_table("two_factor")
