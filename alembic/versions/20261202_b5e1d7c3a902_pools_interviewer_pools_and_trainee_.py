"""pools: interviewer pools per kind of stage, trainee seats on panels, practice cards

Issue 10 (interviewer pools and training). A pool per question category and level holds
its interviewers (qualified, reverse shadow, shadow), each trainee's coach, and the
history of every membership change. A panelist now has a seat (panel, shadow, reverse
shadow; every existing panelist sits on the panel), and a scorecard carries its author's
seat through a three-column key onto the panel row, so that a trainee's practice card is
told apart in one column and a seat cannot change under a scorecard.

Revision ID: b5e1d7c3a902
Revises: e2a7c41b9d30
Create Date: 2026-12-02 04:33:15.824945
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import interviewloop.db

revision: str = 'b5e1d7c3a902'
down_revision: str | None = 'e2a7c41b9d30'  # the head when pools began
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('pools',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('category', sa.Enum('system_design', 'mlops_operations', 'coding_implementation', 'behavioural_judgment', name='category', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('level', sa.Enum('junior', 'senior', 'staff', name='level', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('created_at', interviewloop.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_pools_owner_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pools')),
    sa.UniqueConstraint('category', 'level', name=op.f('uq_pools_category_level'))
    )
    with op.batch_alter_table('pools', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pools_owner_id'), ['owner_id'], unique=False)

    op.create_table('pool_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pool_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('at', interviewloop.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Text(), nullable=False),
    sa.Column('before', sa.Enum('shadow', 'reverse_shadow', 'qualified', name='before', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('after', sa.Enum('shadow', 'reverse_shadow', 'qualified', name='after', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('shadows', sa.Integer(), nullable=False),
    sa.Column('reverse_shadows', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.CheckConstraint("(kind = 'added') = (before IS NULL)", name=op.f('ck_pool_changes_added_has_no_before')),
    sa.CheckConstraint("(kind = 'removed') = (after IS NULL)", name=op.f('ck_pool_changes_removed_has_no_after')),
    sa.CheckConstraint("kind IN ('added', 'promoted', 'coach', 'removed')", name=op.f('ck_pool_changes_kind_known')),
    sa.CheckConstraint('length(note) <= 500', name=op.f('ck_pool_changes_note_length')),
    sa.CheckConstraint('shadows >= 0 AND reverse_shadows >= 0', name=op.f('ck_pool_changes_counts_nonnegative')),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_pool_changes_actor_id_users')),
    sa.ForeignKeyConstraint(['pool_id'], ['pools.id'], name=op.f('fk_pool_changes_pool_id_pools'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_pool_changes_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pool_changes'))
    )
    with op.batch_alter_table('pool_changes', schema=None) as batch_op:
        batch_op.create_index('ix_pool_changes_pool_id_id', ['pool_id', 'id'], unique=False)

    op.create_table('pool_members',
    sa.Column('pool_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('shadow', 'reverse_shadow', 'qualified', name='state', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('coach_id', sa.Integer(), nullable=True),
    sa.Column('since', interviewloop.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('coach_id IS NULL OR coach_id <> user_id', name=op.f('ck_pool_members_coach_not_self')),
    sa.ForeignKeyConstraint(['coach_id'], ['users.id'], name=op.f('fk_pool_members_coach_id_users')),
    sa.ForeignKeyConstraint(['pool_id'], ['pools.id'], name=op.f('fk_pool_members_pool_id_pools'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_pool_members_user_id_users')),
    sa.PrimaryKeyConstraint('pool_id', 'user_id', name=op.f('pk_pool_members'))
    )
    with op.batch_alter_table('pool_members', schema=None) as batch_op:
        batch_op.create_index('ix_pool_members_user_id', ['user_id'], unique=False)

    with op.batch_alter_table('interview_panelists', schema=None) as batch_op:
        batch_op.add_column(sa.Column('role', sa.Enum('panel', 'shadow', 'reverse_shadow', name='role', native_enum=False, create_constraint=True), server_default='panel', nullable=False))
        batch_op.create_unique_constraint(batch_op.f('uq_interview_panelists_interview_id_user_id_role'), ['interview_id', 'user_id', 'role'])

    with op.batch_alter_table('scorecards', schema=None) as batch_op:
        batch_op.add_column(sa.Column('panel_role', sa.Enum('panel', 'shadow', 'reverse_shadow', name='panel_role', native_enum=False, create_constraint=True), server_default='panel', nullable=False))
        batch_op.drop_constraint(batch_op.f('fk_scorecards_interview_id_interview_panelists'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_scorecards_interview_id_interview_panelists'), 'interview_panelists', ['interview_id', 'interviewer_id', 'panel_role'], ['interview_id', 'user_id', 'role'])



def downgrade() -> None:
    with op.batch_alter_table('scorecards', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_scorecards_interview_id_interview_panelists'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_scorecards_interview_id_interview_panelists'), 'interview_panelists', ['interview_id', 'interviewer_id'], ['interview_id', 'user_id'])
        # SQLite's table copy would keep the enum's CHECK on a column that no longer exists.
        batch_op.drop_constraint(op.f('ck_scorecards_panel_role'), type_='check')
        batch_op.drop_column('panel_role')

    with op.batch_alter_table('interview_panelists', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_interview_panelists_interview_id_user_id_role'), type_='unique')
        batch_op.drop_constraint(op.f('ck_interview_panelists_role'), type_='check')
        batch_op.drop_column('role')

    with op.batch_alter_table('pool_members', schema=None) as batch_op:
        batch_op.drop_index('ix_pool_members_user_id')

    op.drop_table('pool_members')
    with op.batch_alter_table('pool_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_pool_changes_pool_id_id')

    op.drop_table('pool_changes')
    with op.batch_alter_table('pools', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pools_owner_id'))

    op.drop_table('pools')
