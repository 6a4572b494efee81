"""users: working hours in their own time zone (default 09:00 to 17:00, Monday to Friday)

Proposed interview times fall within each interviewer's working hours. Minutes after local
midnight (work_starts, work_ends) and the working weekdays as bits, Monday the lowest
(work_days). Existing people get the default.

Revision ID: 5b8e2f4c7a91
Revises: 433adbe2399a
Create Date: 2026-12-03 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5b8e2f4c7a91"
down_revision: str | None = "433adbe2399a"  # after the candidate link revision (parallel branches)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHECKS = {
    "ck_users_work_starts_range": "work_starts BETWEEN 0 AND 1440",
    "ck_users_work_ends_range": "work_ends BETWEEN 0 AND 1440",
    "ck_users_work_ends_after_start": "work_ends > work_starts",
    "ck_users_work_days_range": "work_days BETWEEN 1 AND 127",
}


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("work_starts", sa.Integer(), server_default="540",
                                      nullable=False))
        batch_op.add_column(sa.Column("work_ends", sa.Integer(), server_default="1020",
                                      nullable=False))
        batch_op.add_column(sa.Column("work_days", sa.Integer(), server_default="31",
                                      nullable=False))
        for name, condition in CHECKS.items():
            batch_op.create_check_constraint(op.f(name), condition)


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        for name in CHECKS:
            batch_op.drop_constraint(op.f(name), type_="check")
        batch_op.drop_column("work_days")
        batch_op.drop_column("work_ends")
        batch_op.drop_column("work_starts")
