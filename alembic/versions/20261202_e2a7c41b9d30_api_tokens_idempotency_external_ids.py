"""api: tokens with scopes, idempotent creates; candidates' external ids; updated_at

The JSON API (issue 14). API tokens are kept as the SHA-256 of their secret, with their
scopes, expiry, last use and revocation. A create sent with an Idempotency-Key keeps its
answer for replays. Candidates may carry the id another system (an ATS) gives them, unique
per system. Requisitions and candidates record when they last changed, for clients that sync
with ?updated_since= (existing rows start at their creation time).

Revision ID: e2a7c41b9d30
Revises: 9c4f1e7a2d30
Create Date: 2026-12-02 01:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from interviewloop.db import UTCDateTime

revision: str = "e2a7c41b9d30"
down_revision: str | None = "9c4f1e7a2d30"  # after the question sets revision (parallel branches)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Enum("personal", "service", name="kind", native_enum=False,
                                  create_constraint=True, length=8), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("last_used_at", UTCDateTime(), nullable=True),
        sa.Column("last_used_ip", sa.String(length=45), nullable=True),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("length(token_hash) = 64", name=op.f("ck_api_tokens_token_hash_length")),
        sa.CheckConstraint("length(name) BETWEEN 1 AND 80", name=op.f("ck_api_tokens_name_length")),
        sa.CheckConstraint("expires_at > created_at", name=op.f("ck_api_tokens_expires_after_creation")),
        sa.CheckConstraint("kind <> 'personal' OR created_by_id = user_id",
                           name=op.f("ck_api_tokens_personal_made_by_owner")),
        sa.CheckConstraint("(revoked_at IS NULL) = (revoked_by_id IS NULL)",
                           name=op.f("ck_api_tokens_revocation_has_author")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name=op.f("fk_api_tokens_created_by_id_users")),
        sa.ForeignKeyConstraint(["revoked_by_id"], ["users.id"],
                                name=op.f("fk_api_tokens_revoked_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_tokens_user_id"), ["user_id"], unique=False)

    op.create_table(
        "api_token_scopes",
        sa.Column("token_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.Enum("read:requisitions", "read:candidates", "write:candidates",
                                   name="scope", native_enum=False, create_constraint=True,
                                   length=17), nullable=False),
        sa.ForeignKeyConstraint(["token_id"], ["api_tokens.id"],
                                name=op.f("fk_api_token_scopes_token_id_api_tokens"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("token_id", "scope", name=op.f("pk_api_token_scopes")),
    )

    op.create_table(
        "api_idempotent_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response_body", sa.Text(), nullable=False),
        sa.Column("response_headers", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("length(key) BETWEEN 1 AND 255",
                           name=op.f("ck_api_idempotent_requests_key_length")),
        sa.CheckConstraint("length(request_hash) = 64",
                           name=op.f("ck_api_idempotent_requests_request_hash_length")),
        sa.CheckConstraint("status_code BETWEEN 200 AND 299",
                           name=op.f("ck_api_idempotent_requests_status_code_range")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_api_idempotent_requests_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_idempotent_requests")),
        sa.UniqueConstraint("user_id", "key", name=op.f("uq_api_idempotent_requests_user_id_key")),
    )
    with op.batch_alter_table("api_idempotent_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_idempotent_requests_created_at"), ["created_at"],
                              unique=False)

    for table in ("requisitions", "candidates"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("updated_at", UTCDateTime(), nullable=True))
        rows = sa.table(table, sa.column("created_at"), sa.column("updated_at"))
        op.execute(rows.update().values(updated_at=rows.c.created_at))
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("updated_at", existing_type=UTCDateTime(), nullable=False)
            batch_op.create_index(batch_op.f(f"ix_{table}_updated_at"), ["updated_at"], unique=False)

    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("external_source", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("external_id", sa.String(length=200), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_candidates_external_source_external_id"),
                                          ["external_source", "external_id"])
        batch_op.create_check_constraint(batch_op.f("ck_candidates_external_id_has_source"),
                                         "(external_source IS NULL) = (external_id IS NULL)")
        batch_op.create_check_constraint(batch_op.f("ck_candidates_external_source_length"),
                                         "length(external_source) BETWEEN 1 AND 80")
        batch_op.create_check_constraint(batch_op.f("ck_candidates_external_id_length"),
                                         "length(external_id) BETWEEN 1 AND 200")


def downgrade() -> None:
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_candidates_external_id_length"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_candidates_external_source_length"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_candidates_external_id_has_source"), type_="check")
        batch_op.drop_constraint(batch_op.f("uq_candidates_external_source_external_id"),
                                 type_="unique")
        batch_op.drop_column("external_id")
        batch_op.drop_column("external_source")
    for table in ("candidates", "requisitions"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_updated_at"))
            batch_op.drop_column("updated_at")
    with op.batch_alter_table("api_idempotent_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_idempotent_requests_created_at"))
    op.drop_table("api_idempotent_requests")
    op.drop_table("api_token_scopes")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_tokens_user_id"))
    op.drop_table("api_tokens")
