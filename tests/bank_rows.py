"""The rows the real bank's import writes, read once and copied into a test's transaction.

For tests that ask for `bank` only once their connection is open (tests/conftest.py):
inserting the rows costs a few statements, where import_bank costs ~0.1-0.5 s a test.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, exists, func, literal, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from interviewloop.audit.models import AuditEvent
from interviewloop.bank.models import QuestionTally
from interviewloop.models import Base

BankRows = list[tuple[Table, list[dict[str, Any]]]]
AUDIT = AuditEvent.__table__
# Kept by triggers on the tables copied (bank/tallies.py): the copy's inserts fill it.
TRIGGER_KEPT = {QuestionTally.__table__}


def read_bank_rows(conn: Connection) -> BankRows:
    """Every non-empty table of a database holding just the imported bank, parents first
    (but those triggers keep)."""
    found: BankRows = []
    for table in Base.metadata.sorted_tables:
        if table in TRIGGER_KEPT:
            continue
        rows = [dict(row._mapping) for row in conn.execute(
            table.select().order_by(*table.primary_key.columns))]
        if rows:
            found.append((table, rows))
    return found


def copy_bank_rows(session: Session, bank_rows: BankRows) -> bool:
    """Insert the rows, keeping their ids (the audit event gets a new one, since the test may
    have written events already). False, and nothing written, when a bank table has rows."""
    tables = [table for table, _ in bank_rows if table is not AUDIT]
    occupied = session.execute(select(*(
        exists(select(literal(1)).select_from(t)).label(t.name) for t in tables))).one()
    if any(occupied):
        return False
    for table, rows in bank_rows:
        if table is AUDIT:
            rows = [{k: v for k, v in row.items() if k != "id"} for row in rows]
        session.execute(table.insert(), rows)
        if session.get_bind().dialect.name == "postgresql" and "id" in table.c and table is not AUDIT:
            # Explicit ids do not move the sequence; the test's own inserts must follow them.
            session.execute(select(func.setval(
                func.pg_get_serial_sequence(table.name, "id"),
                select(func.max(table.c.id)).scalar_subquery())))
    return True
