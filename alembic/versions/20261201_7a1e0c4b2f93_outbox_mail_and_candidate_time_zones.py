"""outbox: outgoing mail kept in the database; candidates get a time zone

Each outgoing email is a row with a unique idempotency key, added in the transaction that
causes it and sent by the delivery job (pending, sent, refused, in doubt). Candidates get a
time zone (UTC for those already there) so that their invites give times in it.

Revision ID: 7a1e0c4b2f93
Revises: 05a1ddb23f3d
Create Date: 2026-12-01 22:20:37.008186
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import interviewloop.db

revision: str = '7a1e0c4b2f93'
down_revision: str | None = '05a1ddb23f3d'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('outbox_mail',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=400), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('calendar', sa.Text(), nullable=True),
    sa.Column('calendar_method', sa.String(length=16), nullable=True),
    sa.Column('state', sa.Enum('pending', 'sent', 'refused', 'in_doubt', name='state', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('created_at', interviewloop.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('next_attempt_at', interviewloop.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sent_at', interviewloop.db.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("(state = 'sent') = (sent_at IS NOT NULL)", name=op.f('ck_outbox_mail_sent_has_time')),
    sa.CheckConstraint("calendar_method IS NULL OR calendar_method IN ('REQUEST', 'CANCEL')", name=op.f('ck_outbox_mail_calendar_method_known')),
    sa.CheckConstraint('(calendar IS NULL) = (calendar_method IS NULL)', name=op.f('ck_outbox_mail_calendar_has_method')),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_outbox_mail_attempts_nonnegative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_mail')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_outbox_mail_idempotency_key'))
    )
    with op.batch_alter_table('outbox_mail', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_mail_due', ['state', 'next_attempt_at'], unique=False)

    with op.batch_alter_table('candidates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('time_zone', sa.String(length=64), server_default='UTC', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('candidates', schema=None) as batch_op:
        batch_op.drop_column('time_zone')

    with op.batch_alter_table('outbox_mail', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_mail_due')

    op.drop_table('outbox_mail')
