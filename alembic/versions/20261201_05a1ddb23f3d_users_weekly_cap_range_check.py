"""users: the weekly interview cap's range CHECK, which the models had and no revision made

The scheduling revision added users.weekly_interview_cap without the model's
"weekly_interview_cap IS NULL OR weekly_interview_cap BETWEEN 1 AND 50"; `alembic check`
does not compare CHECK constraints, tests/test_schema_drift.py does. The account form
already keeps the cap within 1..50, so existing rows pass; one that does not makes the
upgrade fail rather than be changed silently.

Revision ID: 05a1ddb23f3d
Revises: 3c2d5a5d1b5d
Create Date: 2026-12-01 12:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "05a1ddb23f3d"
down_revision: str | None = "3c2d5a5d1b5d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "ck_users_weekly_cap_range"


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_check_constraint(
            op.f(NAME), "weekly_interview_cap IS NULL OR weekly_interview_cap BETWEEN 1 AND 50")


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(NAME), type_="check")
