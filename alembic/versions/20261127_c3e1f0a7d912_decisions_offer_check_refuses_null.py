"""decisions: an offer whose check outcome is NULL is refused too

The first CHECK read "kind <> 'offer' OR (pre_offer_check_id IS NOT NULL AND
pre_offer_passed)": with pre_offer_passed NULL it evaluates to NULL, which a CHECK
accepts, and the composite foreign key is not checked when one column is NULL, so an
offer could point at a failed pre-offer check.

Revision ID: c3e1f0a7d912
Revises: a9b00375a206
Create Date: 2026-11-27 09:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "c3e1f0a7d912"
down_revision: str | None = "a9b00375a206"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "ck_decisions_offer_needs_passed_check"
OLD = "kind <> 'offer' OR (pre_offer_check_id IS NOT NULL AND pre_offer_passed)"
NEW = ("kind <> 'offer' OR (pre_offer_check_id IS NOT NULL AND "
       "pre_offer_passed IS NOT NULL AND pre_offer_passed)")


def _replace(condition: str) -> None:
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(NAME), type_="check")
        batch_op.create_check_constraint(op.f(NAME), condition)


def upgrade() -> None:
    _replace(NEW)


def downgrade() -> None:
    _replace(OLD)
