"""decisions: only an offer pins its pre-offer check's outcome

A hold recorded (pre_offer_check_id, pre_offer_passed) through the composite foreign key
to pre_offer_checks (id, passed), so answering the check again with another outcome
broke the key (a 500) and the candidate could never get an offer. Now only an offer sets
pre_offer_passed; a plain key still ties every decision to an existing check.

Revision ID: 5d1e2c7b9a40
Revises: c3e1f0a7d912
Create Date: 2026-12-01 22:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5d1e2c7b9a40"
down_revision: str | None = "c3e1f0a7d912"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHECK = "ck_decisions_only_an_offer_pins_the_check"
KEY = "fk_decisions_pre_offer_check_exists"


def upgrade() -> None:
    op.execute(sa.text("UPDATE decisions SET pre_offer_passed = NULL WHERE kind <> 'offer'"))
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.create_foreign_key(KEY, "pre_offer_checks", ["pre_offer_check_id"], ["id"])
        batch_op.create_check_constraint(op.f(CHECK), "kind = 'offer' OR pre_offer_passed IS NULL")


def downgrade() -> None:
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(CHECK), type_="check")
        batch_op.drop_constraint(KEY, type_="foreignkey")
    op.execute(sa.text(
        "UPDATE decisions SET pre_offer_passed = (SELECT passed FROM pre_offer_checks "
        "WHERE pre_offer_checks.id = decisions.pre_offer_check_id) WHERE kind <> 'offer'"))
