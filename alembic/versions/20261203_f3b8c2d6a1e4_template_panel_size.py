"""loops: a template's stage, and so a requisition's set's stage, says how many interviewers
its panel needs

loop_template_stages.panel_size (from question_bank/loop_templates.yaml's optional `panel`)
is copied into question_set_stages.panel_size when a requisition's set is fixed, and from
there into each candidate's loop_stages.panel_size. Existing rows get 1 (what every stage
had before); between 1 and 4, like loop_stages'.

Revision ID: f3b8c2d6a1e4
Revises: f3a8c2d9e1b4
Create Date: 2026-12-03 19:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f3b8c2d6a1e4"
down_revision: str | None = "f3a8c2d9e1b4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("loop_template_stages", "question_set_stages")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("panel_size", sa.Integer(), server_default="1",
                                          nullable=False))
            batch_op.create_check_constraint(op.f(f"ck_{table}_panel_size_range"),
                                             "panel_size BETWEEN 1 AND 4")


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_panel_size_range"), type_="check")
            batch_op.drop_column("panel_size")
