"""decisions: the waiver of an offer made with planned stages unheld or a coverage gap

``waived`` lists the gaps as the debrief showed them, ``waiver`` is the hiring manager's
reason; both or neither, and only on an offer.

Revision ID: c5d1e8a3f2b7
Revises: a3c9e1f7b2d4
Create Date: 2026-12-03 16:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c5d1e8a3f2b7"
down_revision: str | None = "a3c9e1f7b2d4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHECKS = {
    "ck_decisions_waiver_says_what": "(waiver IS NULL) = (waived IS NULL)",
    "ck_decisions_waiver_given": "waiver IS NULL OR (kind = 'offer' AND length(waiver) "
                                 "BETWEEN 1 AND 4000 AND length(waived) >= 1)",
}


def upgrade() -> None:
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("waived", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("waiver", sa.Text(), nullable=True))
        for name, condition in CHECKS.items():
            batch_op.create_check_constraint(op.f(name), condition)


def downgrade() -> None:
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        for name in CHECKS:
            batch_op.drop_constraint(op.f(name), type_="check")
        batch_op.drop_column("waiver")
        batch_op.drop_column("waived")
