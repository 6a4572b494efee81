"""A token per requisition that changes whenever one of its loops changes in a way the
debrief's comparison of loops reads (sets.differences): a loop built, deleted or moved to
another set version; a stage added, removed or renamed; a question added, removed, swapped
or marked an alternate; a candidate deleted or moved to another requisition.

Kept by triggers, so that every way such a change happens counts, in the same transaction:
the services, the database's own cascades and bulk inserts. Each trigger sets
requisition_loop_revisions.token to a new random 64-bit number (``INSERT ... ON CONFLICT DO
UPDATE``). Random rather than a counter, so that a token never comes back: a counter would
repeat after a rolled-back transaction (the test suite's, or a failed build's), and a cache
keyed by it would serve what that transaction had seen. No row: the requisition never had
a loop. On PostgreSQL the row is locked until the writing transaction ends, so two loop
builds on one requisition take turns at that point (their question-set checks already do).

Migration b8d3f5a1c7e2 creates the triggers; these statements run when
``Base.metadata.create_all`` makes loop_questions (the last of the tables they watch), so
that tests/test_schema_drift.py compares the two. A batch migration of a watched table on
SQLite recreates it and drops its triggers: such a migration must create them again.
"""

from __future__ import annotations

from sqlalchemy import DDL, FromClause, event

_UPSERT = ("INSERT INTO requisition_loop_revisions (requisition_id, token) {select} "
           "ON CONFLICT (requisition_id) DO UPDATE SET token = excluded.token")
_VIA_LOOP = ("SELECT candidates.requisition_id, {token} FROM loops "
             "JOIN candidates ON candidates.id = loops.candidate_id WHERE loops.id = {row}.loop_id")
_VIA_CANDIDATE = ("SELECT candidates.requisition_id, {token} FROM candidates "
                  "WHERE candidates.id = {row}.candidate_id")
_OF_CANDIDATE = "SELECT {row}.requisition_id, {token} WHERE true"

# (table, the columns whose update counts, how a row leads to its requisition)
WATCHED = (
    ("loops", "question_set_id, candidate_id", _VIA_CANDIDATE),
    ("loop_stages", "name, loop_id", _VIA_LOOP),
    ("loop_questions", "question_id, alternate_reason, loop_id", _VIA_LOOP),
)
SQLITE_RANDOM = "random()"
POSTGRESQL_RANDOM = "(random() * 9e18)::bigint"


def _bump(lookup: str, row: str, token: str) -> str:
    return _UPSERT.format(select=lookup.format(row=row, token=token))


def _sqlite() -> tuple[str, ...]:
    statements = []
    for table, columns, lookup in WATCHED:
        statements += [
            f"CREATE TRIGGER {table}_revision_insert AFTER INSERT ON {table} "
            f"BEGIN {_bump(lookup, 'new', SQLITE_RANDOM)}; END",
            f"CREATE TRIGGER {table}_revision_delete AFTER DELETE ON {table} "
            f"BEGIN {_bump(lookup, 'old', SQLITE_RANDOM)}; END",
            f"CREATE TRIGGER {table}_revision_update AFTER UPDATE OF {columns} ON {table} "
            f"BEGIN {_bump(lookup, 'old', SQLITE_RANDOM)}; "
            f"{_bump(lookup, 'new', SQLITE_RANDOM)}; END",
        ]
    statements += [
        "CREATE TRIGGER candidates_revision_delete AFTER DELETE ON candidates "
        f"BEGIN {_bump(_OF_CANDIDATE, 'old', SQLITE_RANDOM)}; END",
        "CREATE TRIGGER candidates_revision_update AFTER UPDATE OF requisition_id ON candidates "
        f"BEGIN {_bump(_OF_CANDIDATE, 'old', SQLITE_RANDOM)}; "
        f"{_bump(_OF_CANDIDATE, 'new', SQLITE_RANDOM)}; END",
    ]
    return tuple(statements)


def _postgresql() -> tuple[str, ...]:
    statements = []
    for table, columns, lookup in (*WATCHED, ("candidates", "requisition_id", _OF_CANDIDATE)):
        old, new = (_bump(lookup, row, POSTGRESQL_RANDOM) for row in ("OLD", "NEW"))
        statements += [
            f"CREATE FUNCTION {table}_revision() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF TG_OP IN ('DELETE', 'UPDATE') THEN {old}; END IF; "
            f"IF TG_OP IN ('INSERT', 'UPDATE') THEN {new}; END IF; "
            "RETURN NULL; END $$",
            f"CREATE TRIGGER {table}_revision AFTER "
            f"{'DELETE' if table == 'candidates' else 'INSERT OR DELETE'} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_revision()",
            f"CREATE TRIGGER {table}_revision_update AFTER UPDATE OF {columns} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_revision()",
        ]
    return tuple(statements)


SQLITE = _sqlite()
POSTGRESQL = _postgresql()
# Every requisition with a loop gets its row (the migration; create_all's tables start empty).
BACKFILL = ("INSERT INTO requisition_loop_revisions (requisition_id, token) "
            "SELECT DISTINCT candidates.requisition_id, 1 FROM loops "
            "JOIN candidates ON candidates.id = loops.candidate_id")


def attach(table: FromClause) -> None:
    """Run the statements when ``create_all`` creates ``table`` (loop_questions)."""
    for dialect, statements in (("sqlite", SQLITE), ("postgresql", POSTGRESQL)):
        for statement in statements:
            event.listen(table, "after_create", DDL(statement).execute_if(dialect=dialect))
