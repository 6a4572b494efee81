"""debrief pre-offer checks and decisions

Revision ID: a9b00375a206
Revises: 4575e56b0f14
Create Date: 2026-11-27 05:30:31.610628
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import interviewloop.db

revision: str = "a9b00375a206"
down_revision: str | None = "4575e56b0f14"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pre_offer_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("manager_id", sa.Integer(), nullable=False),
        sa.Column(
            "owned_system",
            sa.Enum("strong", "weak", name="owned_system", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("owned_system_evidence", sa.Text(), nullable=False),
        sa.Column(
            "failure_handling",
            sa.Enum("strong", "weak", name="failure_handling", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("failure_handling_evidence", sa.Text(), nullable=False),
        sa.Column(
            "reduces_risk",
            sa.Enum("strong", "weak", name="reduces_risk", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("reduces_risk_evidence", sa.Text(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("answered_at", interviewloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "passed = (owned_system = 'strong' AND failure_handling = 'strong' AND reduces_risk = 'strong')",
            name=op.f("ck_pre_offer_checks_passed_means_all_strong"),
        ),
        sa.CheckConstraint(
            "length(failure_handling_evidence) BETWEEN 1 AND 4000",
            name=op.f("ck_pre_offer_checks_failure_handling_evidence_given"),
        ),
        sa.CheckConstraint(
            "length(owned_system_evidence) BETWEEN 1 AND 4000",
            name=op.f("ck_pre_offer_checks_owned_system_evidence_given"),
        ),
        sa.CheckConstraint(
            "length(reduces_risk_evidence) BETWEEN 1 AND 4000",
            name=op.f("ck_pre_offer_checks_reduces_risk_evidence_given"),
        ),
        sa.ForeignKeyConstraint(
            ["candidate_id"], ["candidates.id"], name=op.f("fk_pre_offer_checks_candidate_id_candidates")
        ),
        sa.ForeignKeyConstraint(
            ["manager_id"], ["users.id"], name=op.f("fk_pre_offer_checks_manager_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pre_offer_checks")),
        sa.UniqueConstraint("candidate_id", name=op.f("uq_pre_offer_checks_candidate_id")),
        sa.UniqueConstraint("id", "passed", name=op.f("uq_pre_offer_checks_id_passed")),
    )
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("offer", "reject", "hold", name="kind", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=False),
        sa.Column("decided_at", interviewloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("pre_offer_check_id", sa.Integer(), nullable=True),
        sa.Column("pre_offer_passed", sa.Boolean(), nullable=True),
        sa.CheckConstraint(
            "kind <> 'offer' OR (pre_offer_check_id IS NOT NULL AND pre_offer_passed)",
            name=op.f("ck_decisions_offer_needs_passed_check"),
        ),
        sa.CheckConstraint("length(rationale) BETWEEN 1 AND 4000", name=op.f("ck_decisions_rationale_given")),
        sa.ForeignKeyConstraint(
            ["candidate_id"], ["candidates.id"], name=op.f("fk_decisions_candidate_id_candidates")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_decisions_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["pre_offer_check_id", "pre_offer_passed"],
            ["pre_offer_checks.id", "pre_offer_checks.passed"],
            name=op.f("fk_decisions_pre_offer_check_id_pre_offer_checks"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
    )
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decisions_candidate_id"), ["candidate_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decisions_candidate_id"))

    op.drop_table("decisions")
    op.drop_table("pre_offer_checks")
