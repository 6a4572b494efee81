"""scheduling: the options proposed for a candidate's unscheduled stages, stored

loop_proposals keeps, per candidate (at most one: asking again replaces it), the options
last proposed for their unscheduled stages, the days asked for, who asked and when the
options expire. loop_proposal_stages lists the stages a proposal offers times for (each
stage in one proposal at most); they show as "proposed" until an option is booked, the
proposal expires, or a stage is booked or changed otherwise.

Revision ID: 5a8fb21dd7ee
Revises: c4e9a1d7b2f6
Create Date: 2026-12-03 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import interviewloop.db

revision: str = "5a8fb21dd7ee"
down_revision: str | None = "c4e9a1d7b2f6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('loop_proposals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', interviewloop.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', interviewloop.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', interviewloop.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', interviewloop.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_loop_proposals_ends_after_start')),
    sa.CheckConstraint('expires_at > created_at', name=op.f('ck_loop_proposals_expires_after_created')),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidates.id'], name=op.f('fk_loop_proposals_candidate_id_candidates')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_loop_proposals_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loop_proposals')),
    sa.UniqueConstraint('candidate_id', name=op.f('uq_loop_proposals_candidate_id'))
    )
    op.create_table('loop_proposal_stages',
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['loop_proposals.id'], name=op.f('fk_loop_proposal_stages_proposal_id_loop_proposals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['stage_id'], ['loop_stages.id'], name=op.f('fk_loop_proposal_stages_stage_id_loop_stages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('proposal_id', 'stage_id', name=op.f('pk_loop_proposal_stages')),
    sa.UniqueConstraint('stage_id', name=op.f('uq_loop_proposal_stages_stage_id'))
    )


def downgrade() -> None:
    op.drop_table('loop_proposal_stages')
    op.drop_table('loop_proposals')
