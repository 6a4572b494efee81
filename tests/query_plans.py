"""Asking the database's planner whether a list is read in an index's order (a page read
and stopped) rather than sorted whole: on SQLite no temporary B-tree; on PostgreSQL, with
scans that ignore order and sorting priced out, no Sort node."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event


@contextmanager
def ordered_statements(engine, table: str, order: str = "ORDER BY"
                       ) -> Iterator[list[tuple[str, object]]]:
    """The statements on ``table`` ordered (``order``: how the ORDER BY starts) run inside the
    block, with their parameters."""
    seen: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, parameters, *_args) -> None:
        on_table = f"FROM {table}" in statement or f"JOIN {table}" in statement
        if on_table and order in statement:
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def assert_read_in_index_order(connection, statements, *indexes: str) -> None:
    """Each statement read through one of ``indexes``, and not sorted."""
    postgres = connection.dialect.name == "postgresql"
    if postgres:  # a table this small would be read whole and sorted: can the index serve?
        for method in ("seqscan", "bitmapscan", "sort"):
            connection.exec_driver_sql(f"SET LOCAL enable_{method} = off")
    for statement, parameters in statements:
        explain = "EXPLAIN " if postgres else "EXPLAIN QUERY PLAN "
        plan = "\n".join(str(row[-1]) for row in
                         connection.exec_driver_sql(explain + statement, parameters))
        assert any(index in plan for index in indexes), plan
        assert ("Sort" not in plan) if postgres else ("TEMP B-TREE" not in plan), plan
