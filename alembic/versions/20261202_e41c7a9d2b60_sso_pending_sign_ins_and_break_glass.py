"""sso: sign-ins waiting for the identity provider; users can be break-glass

sso_pending_sign_ins holds, per OpenID Connect sign-in sent to the provider, the hash of
its `state` with the PKCE verifier and nonce the callback needs; the callback deletes the
row as it reads it, so a state is used once. users.break_glass marks the accounts that may
still sign in with a password when PASSWORD_LOGIN=off (none at first).

Revision ID: e41c7a9d2b60
Revises: e41c7a9d2b10
Create Date: 2026-12-02 01:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import interviewloop.db

revision: str = "e41c7a9d2b60"
down_revision: str | None = "e41c7a9d2b10"  # after the RSVP revision (parallel branches)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sso_pending_sign_ins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("nonce", sa.String(length=128), nullable=False),
        sa.Column("code_verifier", sa.String(length=128), nullable=False),
        sa.Column("next_path", sa.String(length=2000), nullable=False),
        sa.Column("created_at", interviewloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("length(state_hash) = 64",
                           name=op.f("ck_sso_pending_sign_ins_state_hash_length")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sso_pending_sign_ins")),
        sa.UniqueConstraint("state_hash", name=op.f("uq_sso_pending_sign_ins_state_hash")),
    )
    with op.batch_alter_table("sso_pending_sign_ins", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sso_pending_sign_ins_created_at"), ["created_at"],
                              unique=False)
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("break_glass", sa.Boolean(), server_default=sa.false(),
                                      nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("break_glass")
    with op.batch_alter_table("sso_pending_sign_ins", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sso_pending_sign_ins_created_at"))
    op.drop_table("sso_pending_sign_ins")
