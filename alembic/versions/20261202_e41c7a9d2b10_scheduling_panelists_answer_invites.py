"""scheduling: each panelist's answer to the invite (needs_action, accepted, declined)

Interviewers accept or decline from signed links in their invite email (issue 10). The
answer is kept on the panel row with when it was given; every existing panelist starts
with no answer. A CHECK holds the three states, another that an answer has a time and
"no answer" has none.

Revision ID: e41c7a9d2b10
Revises: c4d1a7e5b3f8
Create Date: 2026-12-02 01:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import interviewloop.db

revision: str = "e41c7a9d2b10"
down_revision: str | None = "c4d1a7e5b3f8"  # after the CalDAV revision (parallel branches)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("interview_panelists", schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            "rsvp", sa.Enum("needs_action", "accepted", "declined", name="rsvp",
                            native_enum=False, create_constraint=True),
            server_default="needs_action", nullable=False))
        batch_op.add_column(sa.Column("rsvp_at", interviewloop.db.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.create_check_constraint(
            "rsvp_has_time", "(rsvp = 'needs_action') = (rsvp_at IS NULL)")


def downgrade() -> None:
    with op.batch_alter_table("interview_panelists", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_interview_panelists_rsvp_has_time"), type_="check")
        # SQLite's table copy would keep the enum's CHECK on a column that no longer exists.
        batch_op.drop_constraint(op.f("ck_interview_panelists_rsvp"), type_="check")
        batch_op.drop_column("rsvp_at")
        batch_op.drop_column("rsvp")
