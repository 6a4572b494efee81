"""loops: how many interviewers each loop stage's panel needs

loop_stages.panel_size: proposals find that many qualified interviewers for the stage, and a
booking with fewer is refused. Existing stages get 1 (what booking and proposals did
before); between 1 and 4.

Revision ID: 8a842ee7e234
Revises: 5a8fb21dd7ee
Create Date: 2026-12-03 11:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8a842ee7e234"
down_revision: str | None = "5a8fb21dd7ee"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("loop_stages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("panel_size", sa.Integer(), server_default="1",
                                      nullable=False))
        batch_op.create_check_constraint(op.f("ck_loop_stages_panel_size_range"),
                                         "panel_size BETWEEN 1 AND 4")


def downgrade() -> None:
    with op.batch_alter_table("loop_stages", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_loop_stages_panel_size_range"), type_="check")
        batch_op.drop_column("panel_size")
