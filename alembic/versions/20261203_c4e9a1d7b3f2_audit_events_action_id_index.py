"""audit_events: an index on (action, id) in place of the one on action

The audit log filtered by action, newest first, walks it (on PostgreSQL the index on action
alone leaves the rows of one action in no order: a filtered page sorted all of them), and
the list of actions steps through it one action at a time.

Revision ID: c4e9a1d7b3f2
Revises: 8a842ee7e234
Create Date: 2026-12-03 12:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "c4e9a1d7b3f2"
down_revision: str | None = "8a842ee7e234"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_audit_events_action_id", "audit_events", ["action", "id"])
    op.drop_index("ix_audit_events_action", table_name="audit_events")


def downgrade() -> None:
    op.create_index("ix_audit_events_action", "audit_events", ["action"])
    op.drop_index("ix_audit_events_action_id", table_name="audit_events")
