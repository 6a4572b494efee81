"""requisitions: a confirmation belongs to the person who gave it

A confirmation was a bare timestamp, so one given by a former hiring manager or recruiter
still counted after the role changed hands, and the requisition could open without the
new person ever agreeing. Each confirmation now records who gave it, and CHECKs hold that
it is the current manager's (or recruiter's).

Existing confirmations are attributed by replaying the audit log: one counts only when
the last confirmation for that role was given by the person who holds it now and the role
has not changed hands since. Anything else is cleared, and that person confirms again.

Revision ID: 3c2d5a5d1b5d
Revises: 5d1e2c7b9a40
Create Date: 2026-12-01 22:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3c2d5a5d1b5d"
down_revision: str | None = "5d1e2c7b9a40"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# role in the audit log -> (column prefix, the requisition's column holding the role)
ROLES = {"hiring_manager": ("manager", "hiring_manager_id"),
         "recruiter": ("recruiter", "recruiter_id")}

CHECKS = {
    "ck_requisitions_manager_confirmation_is_the_managers":
        "manager_confirmed_by_id IS NULL OR manager_confirmed_by_id = hiring_manager_id",
    "ck_requisitions_recruiter_confirmation_is_the_recruiters":
        "recruiter_confirmed_by_id IS NULL OR recruiter_confirmed_by_id = recruiter_id",
    "ck_requisitions_manager_confirmation_has_time":
        "(manager_confirmed_by_id IS NULL) = (manager_confirmed_at IS NULL)",
    "ck_requisitions_recruiter_confirmation_has_time":
        "(recruiter_confirmed_by_id IS NULL) = (recruiter_confirmed_at IS NULL)",
}


def upgrade() -> None:
    with op.batch_alter_table("requisitions", schema=None) as batch_op:
        for prefix, _holder in ROLES.values():
            batch_op.add_column(sa.Column(f"{prefix}_confirmed_by_id", sa.Integer(), nullable=True))
            batch_op.create_foreign_key(
                batch_op.f(f"fk_requisitions_{prefix}_confirmed_by_id_users"), "users",
                [f"{prefix}_confirmed_by_id"], ["id"])
    _attribute_confirmations(op.get_bind())
    with op.batch_alter_table("requisitions", schema=None) as batch_op:
        for name, condition in CHECKS.items():
            batch_op.create_check_constraint(op.f(name), condition)


def _attribute_confirmations(connection) -> None:
    events = sa.table("audit_events", sa.column("id", sa.Integer), sa.column("actor_id", sa.Integer),
                      sa.column("action", sa.String), sa.column("object_type", sa.String),
                      sa.column("object_id", sa.Integer), sa.column("detail", sa.JSON))
    requisitions = sa.table(
        "requisitions", sa.column("id", sa.Integer), sa.column("hiring_manager_id", sa.Integer),
        sa.column("recruiter_id", sa.Integer), sa.column("manager_confirmed_at", sa.DateTime),
        sa.column("recruiter_confirmed_at", sa.DateTime),
        sa.column("manager_confirmed_by_id", sa.Integer),
        sa.column("recruiter_confirmed_by_id", sa.Integer))
    confirmed_by: dict[tuple[int, str], int | None] = {}
    history = connection.execute(
        sa.select(events.c.object_id, events.c.actor_id, events.c.action, events.c.detail)
        .where(events.c.object_type == "requisitions",
               events.c.action.in_(("requisition_confirmed", "requisition_updated")))
        .order_by(events.c.id))
    for requisition_id, actor_id, action, detail in history:
        detail = detail or {}
        if action == "requisition_confirmed":
            for role in detail.get("as", []):
                confirmed_by[(requisition_id, role)] = actor_id
        else:  # a new holder of the role had confirmed nothing
            for role, (_prefix, holder) in ROLES.items():
                if holder in detail.get("fields", []):
                    confirmed_by.pop((requisition_id, role), None)
    rows = connection.execute(sa.select(requisitions).where(sa.or_(
        requisitions.c.manager_confirmed_at.is_not(None),
        requisitions.c.recruiter_confirmed_at.is_not(None)))).mappings().all()
    for row in rows:
        values = {}
        for role, (prefix, holder) in ROLES.items():
            if row[f"{prefix}_confirmed_at"] is None:
                continue
            if confirmed_by.get((row["id"], role)) == row[holder]:
                values[f"{prefix}_confirmed_by_id"] = row[holder]
            else:
                values[f"{prefix}_confirmed_at"] = None
        connection.execute(sa.update(requisitions).where(requisitions.c.id == row["id"])
                           .values(**values))


def downgrade() -> None:
    with op.batch_alter_table("requisitions", schema=None) as batch_op:
        for name in CHECKS:
            batch_op.drop_constraint(op.f(name), type_="check")
        for prefix, _holder in ROLES.values():
            batch_op.drop_constraint(batch_op.f(f"fk_requisitions_{prefix}_confirmed_by_id_users"),
                                     type_="foreignkey")
            batch_op.drop_column(f"{prefix}_confirmed_by_id")
