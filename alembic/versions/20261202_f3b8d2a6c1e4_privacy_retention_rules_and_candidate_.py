"""privacy: retention rules and the record of candidates" erasures

Candidate data (issue 13). Admins set retention rules (erase the personal data of candidates
rejected or withdrawn more than N days ago); each erasure, by an admin with a reason or by a
rule, is recorded once per candidate, without the data it erased.

Revision ID: f3b8d2a6c1e4
Revises: b7d2f4a9c1e5
Create Date: 2026-12-02 04:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from interviewloop.db import UTCDateTime

revision: str = "f3b8d2a6c1e4"
down_revision: str | None = "b7d2f4a9c1e5"  # after two-factor (parallel branches)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table("retention_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("rejected", sa.Boolean(), nullable=False),
        sa.Column("withdrawn", sa.Boolean(), nullable=False),
        sa.Column("after_days", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("after_days BETWEEN 1 AND 3650", name=op.f("ck_retention_rules_after_days_range")),
        sa.CheckConstraint("length(name) BETWEEN 1 AND 120", name=op.f("ck_retention_rules_name_length")),
        sa.CheckConstraint("rejected OR withdrawn", name=op.f("ck_retention_rules_some_outcome")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_retention_rules_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_rules")),
        sa.UniqueConstraint("name", name=op.f("uq_retention_rules_name"))
    )
    op.create_table("candidate_erasures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("erased_at", UTCDateTime(), nullable=False),
        sa.Column("erased_by_id", sa.Integer(), nullable=True),
        sa.Column("rule_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.CheckConstraint("erased_by_id IS NOT NULL OR rule_id IS NOT NULL", name=op.f("ck_candidate_erasures_has_author")),
        sa.CheckConstraint("length(reason) BETWEEN 1 AND 500", name=op.f("ck_candidate_erasures_reason_given")),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidates.id"], name=op.f("fk_candidate_erasures_candidate_id_candidates")),
        sa.ForeignKeyConstraint(["erased_by_id"], ["users.id"], name=op.f("fk_candidate_erasures_erased_by_id_users")),
        sa.ForeignKeyConstraint(["rule_id"], ["retention_rules.id"], name=op.f("fk_candidate_erasures_rule_id_retention_rules")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_candidate_erasures")),
        sa.UniqueConstraint("candidate_id", name=op.f("uq_candidate_erasures_candidate_id"))
    )
    with op.batch_alter_table("candidate_erasures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_candidate_erasures_erased_at"), ["erased_at"], unique=False)



def downgrade() -> None:
    with op.batch_alter_table("candidate_erasures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_candidate_erasures_erased_at"))

    op.drop_table("candidate_erasures")
    op.drop_table("retention_rules")
