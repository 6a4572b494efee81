"""loops: a requisition fixes its question set per stage

Every candidate on a requisition is asked the same questions: question_sets holds the
versions of a requisition's set (UNIQUE(requisition, number): two simultaneous first
builds cannot both make version 1), question_set_stages and question_set_questions its
stages and questions (a question once per set). A loop records the version it was built
from, and each loop question the set's question for its place and, where it asks another
(an alternate), why. Existing loops keep NULLs: they were built before sets.

Revision ID: 9c4f1e7a2d30
Revises: e41c7a9d2b60
Create Date: 2026-12-02 01:00:32.257662
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import interviewloop.db

REASON_CHECK = ("(alternate_reason IS NULL) = "
                "(set_question_id IS NULL OR set_question_id = question_id)")

revision: str = '9c4f1e7a2d30'
down_revision: str | None = 'e41c7a9d2b60'  # after the break-glass revision (parallel branches)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('question_sets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('requisition_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=True),
    sa.Column('created_at', interviewloop.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.CheckConstraint('length(reason) BETWEEN 1 AND 500', name=op.f('ck_question_sets_reason_length')),
    sa.CheckConstraint('number >= 1', name=op.f('ck_question_sets_number_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_question_sets_created_by_id_users')),
    sa.ForeignKeyConstraint(['requisition_id'], ['requisitions.id'], name=op.f('fk_question_sets_requisition_id_requisitions')),
    sa.ForeignKeyConstraint(['template_id'], ['loop_templates.id'], name=op.f('fk_question_sets_template_id_loop_templates')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question_sets')),
    sa.UniqueConstraint('requisition_id', 'number', name=op.f('uq_question_sets_requisition_id_number'))
    )
    op.create_table('question_set_stages',
    sa.Column('set_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('category', sa.Enum('system_design', 'mlops_operations', 'coding_implementation', 'behavioural_judgment', name='category', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.CheckConstraint('length(name) BETWEEN 1 AND 80', name=op.f('ck_question_set_stages_name_length')),
    sa.CheckConstraint('minutes BETWEEN 5 AND 240', name=op.f('ck_question_set_stages_minutes_range')),
    sa.CheckConstraint('position >= 0', name=op.f('ck_question_set_stages_position_nonnegative')),
    sa.ForeignKeyConstraint(['set_id'], ['question_sets.id'], name=op.f('fk_question_set_stages_set_id_question_sets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('set_id', 'position', name=op.f('pk_question_set_stages'))
    )
    op.create_table('question_set_questions',
    sa.Column('set_id', sa.Integer(), nullable=False),
    sa.Column('stage_position', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('position >= 0', name=op.f('ck_question_set_questions_position_nonnegative')),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_question_set_questions_question_id_questions')),
    sa.ForeignKeyConstraint(['set_id', 'stage_position'], ['question_set_stages.set_id', 'question_set_stages.position'], name=op.f('fk_question_set_questions_set_id_question_set_stages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('set_id', 'stage_position', 'position', name=op.f('pk_question_set_questions')),
    sa.UniqueConstraint('set_id', 'question_id', name=op.f('uq_question_set_questions_set_id_question_id'))
    )
    op.create_table('question_set_stage_areas',
    sa.Column('set_id', sa.Integer(), nullable=False),
    sa.Column('stage_position', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['capability_areas.id'], name=op.f('fk_question_set_stage_areas_area_id_capability_areas')),
    sa.ForeignKeyConstraint(['set_id', 'stage_position'], ['question_set_stages.set_id', 'question_set_stages.position'], name=op.f('fk_question_set_stage_areas_set_id_question_set_stages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('set_id', 'stage_position', 'area_id', name=op.f('pk_question_set_stage_areas'))
    )
    with op.batch_alter_table('question_set_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_question_set_questions_question_id'), ['question_id'], unique=False)

    with op.batch_alter_table('loop_questions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('set_question_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('alternate_reason', sa.Enum('had_elsewhere', 'retired', 'edited', name='alternate_reason', native_enum=False, create_constraint=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_loop_questions_set_question_id_questions'), 'questions', ['set_question_id'], ['id'])
        batch_op.create_check_constraint(op.f("ck_loop_questions_alternate_has_reason"), REASON_CHECK)

    with op.batch_alter_table('loops', schema=None) as batch_op:
        batch_op.add_column(sa.Column('question_set_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_loops_question_set_id'), ['question_set_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_loops_question_set_id_question_sets'), 'question_sets', ['question_set_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('loops', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_loops_question_set_id_question_sets'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_loops_question_set_id'))
        batch_op.drop_column('question_set_id')

    with op.batch_alter_table('loop_questions', schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_loop_questions_alternate_has_reason"), type_="check")
        batch_op.drop_constraint(op.f("ck_loop_questions_alternate_reason"), type_="check")
        batch_op.drop_constraint(batch_op.f('fk_loop_questions_set_question_id_questions'), type_='foreignkey')
        batch_op.drop_column('alternate_reason')
        batch_op.drop_column('set_question_id')

    with op.batch_alter_table('question_set_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_question_set_questions_question_id'))

    op.drop_table('question_set_stage_areas')
    op.drop_table('question_set_questions')
    op.drop_table('question_set_stages')
    op.drop_table('question_sets')
