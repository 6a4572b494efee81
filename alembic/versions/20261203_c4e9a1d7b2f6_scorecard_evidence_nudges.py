"""scorecard_evidence_nudges: the evidence nudges shown before submit (issue 12)

scorecards.evidence_checked: submitted through the nudges (the share's denominator).
A row per (rating, rule) nudged when its author first submitted; ``evidence_digest`` until
the scorecard goes in, then ``changed`` (whether the evidence was edited after the nudge).

Revision ID: c4e9a1d7b2f6
Revises: c5d1e8a3f2b7
Create Date: 2026-12-03 16:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from interviewloop.db import UTCDateTime

revision: str = "c4e9a1d7b2f6"
down_revision: str | None = "c5d1e8a3f2b7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RULES = ("copies_rubric", "same_across_areas", "same_as_other_candidate", "thin")


def upgrade() -> None:
    with op.batch_alter_table("scorecards", schema=None) as batch_op:
        batch_op.add_column(sa.Column("evidence_checked", sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
    op.create_table(
        "scorecard_evidence_nudges",
        sa.Column("scorecard_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.Enum(*RULES, name="rule", native_enum=False, create_constraint=True,
                                  length=23), nullable=False),
        sa.Column("nudged_at", UTCDateTime(), nullable=False),
        sa.Column("evidence_digest", sa.String(length=64), nullable=True),
        sa.Column("changed", sa.Boolean(), nullable=True),
        sa.CheckConstraint("(changed IS NULL) <> (evidence_digest IS NULL)",
                           name=op.f("ck_scorecard_evidence_nudges_digest_until_settled")),
        sa.ForeignKeyConstraint(["scorecard_id", "area_id"],
                                ["scorecard_ratings.scorecard_id", "scorecard_ratings.area_id"],
                                name=op.f("fk_scorecard_evidence_nudges_scorecard_id_scorecard_ratings"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("scorecard_id", "area_id", "rule",
                                name=op.f("pk_scorecard_evidence_nudges")),
    )


def downgrade() -> None:
    op.drop_table("scorecard_evidence_nudges")
    with op.batch_alter_table("scorecards", schema=None) as batch_op:
        batch_op.drop_column("evidence_checked")
