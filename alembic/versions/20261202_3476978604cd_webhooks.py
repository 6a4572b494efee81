"""webhooks: endpoints, the events they want, events, deliveries and their attempts

Admins register webhook endpoints (a URL, the events wanted, active or not; the signing
secret is derived from a stored seed and SECRET_KEY). Each event is written in the
transaction of the change that causes it, with one delivery per endpoint that wants it;
every attempt at a delivery is kept (the endpoint's delivery log).

Revision ID: 3476978604cd
Revises: f3b8d2a6c1e4
Create Date: 2026-12-02 04:33:42.933576
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from interviewloop.db import UTCDateTime

revision: str = "3476978604cd"
down_revision: str | None = "f3b8d2a6c1e4"  # after the privacy revision (parallel branches)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('webhook_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=36), nullable=False),
    sa.Column('type', sa.Enum('candidate.created', 'interview.scheduled', 'interview.rescheduled', 'interview.cancelled', 'scorecard.submitted', 'pre_offer.answered', 'decision.recorded', 'requisition.opened', name='type', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('occurred_at', UTCDateTime(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.CheckConstraint("length(uid) = 36 AND uid LIKE 'evt_%'", name=op.f('ck_webhook_events_uid_format')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_events')),
    sa.UniqueConstraint('uid', name=op.f('uq_webhook_events_uid'))
    )
    op.create_table('webhook_endpoints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('secret_seed', sa.String(length=43), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.Column('secret_rotated_at', UTCDateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("url LIKE 'https://%' OR url LIKE 'http://%'", name=op.f('ck_webhook_endpoints_url_is_http')),
    sa.CheckConstraint('length(description) <= 200', name=op.f('ck_webhook_endpoints_description_length')),
    sa.CheckConstraint('length(secret_seed) = 43', name=op.f('ck_webhook_endpoints_secret_seed_length')),
    sa.CheckConstraint('length(url) BETWEEN 8 AND 2000', name=op.f('ck_webhook_endpoints_url_length')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_webhook_endpoints_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_endpoints'))
    )
    op.create_table('webhook_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('endpoint_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('pending', 'retrying', 'delivered', 'given_up', name='state', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('window_started_at', UTCDateTime(), nullable=False),
    sa.Column('next_attempt_at', UTCDateTime(), nullable=True),
    sa.Column('lease_until', UTCDateTime(), nullable=True),
    sa.Column('last_status', sa.Integer(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('delivered_at', UTCDateTime(), nullable=True),
    sa.Column('given_up_at', UTCDateTime(), nullable=True),
    sa.CheckConstraint("(state = 'delivered') = (delivered_at IS NOT NULL)", name=op.f('ck_webhook_deliveries_delivered_has_time')),
    sa.CheckConstraint("(state = 'given_up') = (given_up_at IS NOT NULL)", name=op.f('ck_webhook_deliveries_given_up_has_time')),
    sa.CheckConstraint("state IN ('pending', 'retrying') OR next_attempt_at IS NULL", name=op.f('ck_webhook_deliveries_settled_not_due')),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_webhook_deliveries_attempts_nonnegative')),
    sa.ForeignKeyConstraint(['endpoint_id'], ['webhook_endpoints.id'], name=op.f('fk_webhook_deliveries_endpoint_id_webhook_endpoints'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['webhook_events.id'], name=op.f('fk_webhook_deliveries_event_id_webhook_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_deliveries')),
    sa.UniqueConstraint('event_id', 'endpoint_id', name=op.f('uq_webhook_deliveries_event_id_endpoint_id'))
    )
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_webhook_deliveries_due', ['state', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_webhook_deliveries_endpoint_id'), ['endpoint_id'], unique=False)

    op.create_table('webhook_subscriptions',
    sa.Column('endpoint_id', sa.Integer(), nullable=False),
    sa.Column('event_type', sa.Enum('candidate.created', 'interview.scheduled', 'interview.rescheduled', 'interview.cancelled', 'scorecard.submitted', 'pre_offer.answered', 'decision.recorded', 'requisition.opened', name='event_type', native_enum=False, create_constraint=True), nullable=False),
    sa.ForeignKeyConstraint(['endpoint_id'], ['webhook_endpoints.id'], name=op.f('fk_webhook_subscriptions_endpoint_id_webhook_endpoints'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('endpoint_id', 'event_type', name=op.f('pk_webhook_subscriptions'))
    )
    with op.batch_alter_table('webhook_subscriptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhook_subscriptions_event_type'), ['event_type'], unique=False)

    op.create_table('webhook_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('delivery_id', sa.Integer(), nullable=False),
    sa.Column('endpoint_id', sa.Integer(), nullable=False),
    sa.Column('started_at', UTCDateTime(), nullable=False),
    sa.Column('duration_ms', sa.Integer(), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('error', sa.Text(), nullable=False),
    sa.CheckConstraint('duration_ms >= 0', name=op.f('ck_webhook_attempts_duration_nonnegative')),
    sa.CheckConstraint('status_code IS NULL OR status_code BETWEEN 100 AND 599', name=op.f('ck_webhook_attempts_status_code_range')),
    sa.ForeignKeyConstraint(['delivery_id'], ['webhook_deliveries.id'], name=op.f('fk_webhook_attempts_delivery_id_webhook_deliveries'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['endpoint_id'], ['webhook_endpoints.id'], name=op.f('fk_webhook_attempts_endpoint_id_webhook_endpoints'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_attempts'))
    )
    with op.batch_alter_table('webhook_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhook_attempts_delivery_id'), ['delivery_id'], unique=False)
        batch_op.create_index('ix_webhook_attempts_endpoint_id_id', ['endpoint_id', 'id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('webhook_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_webhook_attempts_endpoint_id_id')
        batch_op.drop_index(batch_op.f('ix_webhook_attempts_delivery_id'))

    op.drop_table('webhook_attempts')
    with op.batch_alter_table('webhook_subscriptions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_subscriptions_event_type'))

    op.drop_table('webhook_subscriptions')
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_deliveries_endpoint_id'))
        batch_op.drop_index('ix_webhook_deliveries_due')

    op.drop_table('webhook_deliveries')
    op.drop_table('webhook_endpoints')
    op.drop_table('webhook_events')
