"""scheduling: user_seat_revisions, a token per person kept by triggers on their seats

The analytics cache keyed a viewer's reports by every interview seat of theirs, read on
each request (some 2,300 for an interviewer at 10,000 candidates). It now reads this token,
which triggers on interview_panelists (a seat given or taken, its role, whether its
scorecard is in) and on interviews (status) renew. The statements are those of
interviewloop/scheduling/seat_revisions.py, which create_all runs (a migration keeps its own
copy).

Revision ID: e6a1c3f8b2d4
Revises: d2f7b4c9e1a3
Create Date: 2026-12-03 13:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e6a1c3f8b2d4"
down_revision: str | None = "d2f7b4c9e1a3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UPSERT = ("INSERT INTO user_seat_revisions (user_id, token) {select} "
           "ON CONFLICT (user_id) DO UPDATE SET token = excluded.token")
_SEAT = ("role", "scorecard_in", "interview_id", "user_id")
_DIFFERS = " OR ".join(f"old.{c} IS NOT new.{c}" for c in _SEAT)


def _bump_one(row: str) -> str:
    return _UPSERT.format(select=f"SELECT {row}.user_id, random() WHERE true")


SQLITE = (
    "CREATE TRIGGER interview_panelists_seat_insert AFTER INSERT ON interview_panelists "
    f"BEGIN {_bump_one('new')}; END",
    "CREATE TRIGGER interview_panelists_seat_delete AFTER DELETE ON interview_panelists "
    f"BEGIN {_bump_one('old')}; END",
    f"CREATE TRIGGER interview_panelists_seat_update AFTER UPDATE OF {', '.join(_SEAT)} "
    f"ON interview_panelists WHEN {_DIFFERS} "
    f"BEGIN {_bump_one('old')}; {_bump_one('new')}; END",
    "CREATE TRIGGER interviews_seat_status AFTER UPDATE OF status ON interviews "
    "WHEN old.status IS NOT new.status BEGIN "
    + _UPSERT.format(select="SELECT user_id, random() FROM interview_panelists "
                            "WHERE interview_panelists.interview_id = new.id")
    + "; END",
)

_PG_RANDOM = "(random() * 9e18)::bigint"


def _pg_bump(users: str) -> str:
    return _UPSERT.format(select=f"SELECT user_id, {_PG_RANDOM} FROM "
                                 f"(SELECT DISTINCT user_id FROM ({users}) AS u) AS d WHERE true")


# A seat in one table and not the other (its key changed), or changed in role or card: a
# full join on the key, which PostgreSQL hashes (NOT EXISTS over transition tables, which
# have no index, compared every row with every row).
_PG_CHANGED = ("SELECT COALESCE(n.user_id, o.user_id) AS user_id FROM old_rows o "
               "FULL JOIN new_rows n ON n.interview_id = o.interview_id AND n.user_id = o.user_id "
               "WHERE o.user_id IS NULL OR n.user_id IS NULL OR o.role <> n.role "
               "OR o.scorecard_in <> n.scorecard_in")
_PG_STATUS = ("SELECT p.user_id FROM interview_panelists p JOIN new_rows n "
              "ON n.id = p.interview_id JOIN old_rows o ON o.id = n.id "
              "WHERE o.status IS DISTINCT FROM n.status")
POSTGRESQL = (
    "CREATE FUNCTION interview_panelists_seat() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"IF TG_OP = 'INSERT' THEN {_pg_bump('SELECT user_id FROM new_rows')}; "
    f"ELSIF TG_OP = 'DELETE' THEN {_pg_bump('SELECT user_id FROM old_rows')}; "
    f"ELSE {_pg_bump(_PG_CHANGED)}; END IF; RETURN NULL; END $$",
    "CREATE TRIGGER interview_panelists_seat_insert AFTER INSERT ON interview_panelists "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION interview_panelists_seat()",
    "CREATE TRIGGER interview_panelists_seat_delete AFTER DELETE ON interview_panelists "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION interview_panelists_seat()",
    "CREATE TRIGGER interview_panelists_seat_update AFTER UPDATE ON interview_panelists "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION interview_panelists_seat()",
    "CREATE FUNCTION interviews_seat_status() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"{_pg_bump(_PG_STATUS)}; RETURN NULL; END $$",
    "CREATE TRIGGER interviews_seat_status AFTER UPDATE ON interviews "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION interviews_seat_status()",
)
# Everyone with a seat gets a row (the migration; create_all's tables start empty).
BACKFILL = ("INSERT INTO user_seat_revisions (user_id, token) "
            "SELECT DISTINCT user_id, 1 FROM interview_panelists")


def upgrade() -> None:
    op.create_table(
        "user_seat_revisions",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_user_seat_revisions_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_user_seat_revisions")),
    )
    op.execute(BACKFILL)
    for statement in SQLITE if op.get_bind().dialect.name == "sqlite" else POSTGRESQL:
        op.execute(statement)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for event in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER interview_panelists_seat_{event}"
                   + ("" if sqlite else " ON interview_panelists"))
    op.execute("DROP TRIGGER interviews_seat_status" + ("" if sqlite else " ON interviews"))
    if not sqlite:
        op.execute("DROP FUNCTION interview_panelists_seat()")
        op.execute("DROP FUNCTION interviews_seat_status()")
    op.drop_table("user_seat_revisions")
