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

_UPSERT = ("INSERT INTO requisition_loop_revisions (requisition_id, token) {select} "
           "ON CONFLICT (requisition_id) DO UPDATE SET token = excluded.token")
_VIA_LOOP = ("SELECT candidates.requisition_id, {token} FROM loops "
             "JOIN candidates ON candidates.id = loops.candidate_id WHERE loops.id = {row}.loop_id")
_VIA_CANDIDATE = ("SELECT candidates.requisition_id, {token} FROM candidates "
                  "WHERE candidates.id = {row}.candidate_id")
_OF_CANDIDATE = "SELECT {row}.requisition_id, {token} WHERE true"

# The columns whose update counts, per table (candidates' on its own below).
COUNTED = {
    "loops": ("question_set_id", "candidate_id"),
    "loop_stages": ("name", "loop_id"),
    "loop_questions": ("question_id", "alternate_reason", "loop_id"),
    "candidates": ("requisition_id",),
}
# (table, the columns whose update counts, how a row leads to its requisition)
WATCHED = (
    ("loops", ", ".join(COUNTED["loops"]), _VIA_CANDIDATE),
    ("loop_stages", ", ".join(COUNTED["loop_stages"]), _VIA_LOOP),
    ("loop_questions", ", ".join(COUNTED["loop_questions"]), _VIA_LOOP),
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
        f"CREATE TRIGGER candidates_revision_update AFTER UPDATE OF "
        f"{', '.join(COUNTED['candidates'])} ON candidates "
        f"BEGIN {_bump(_OF_CANDIDATE, 'old', SQLITE_RANDOM)}; "
        f"{_bump(_OF_CANDIDATE, 'new', SQLITE_RANDOM)}; END",
    ]
    return tuple(statements)


# PostgreSQL: statement-level triggers over the statement's transition tables, one upsert
# per statement. A row-level trigger renewed the token once per row, and a bulk load of
# 9,322 loops then updated one row some 130,000 times in one transaction: each update adds
# a version of the row that the next one has to step over, and seeding took 263 s, not 3.
_PG_LOOKUPS = {  # the requisitions of the rows of a transition table {rows}
    "loops": "SELECT candidates.requisition_id FROM candidates "
             "WHERE candidates.id IN (SELECT candidate_id FROM {rows})",
    "loop_stages": "SELECT candidates.requisition_id FROM loops JOIN candidates "
                   "ON candidates.id = loops.candidate_id "
                   "WHERE loops.id IN (SELECT loop_id FROM {rows})",
    "candidates": "SELECT requisition_id FROM {rows}",
}
_PG_LOOKUPS["loop_questions"] = _PG_LOOKUPS["loop_stages"]


def _pg_bump(table: str, rows: str) -> str:
    requisitions = _PG_LOOKUPS[table].format(rows=rows)
    return _UPSERT.format(select=f"SELECT requisition_id, {POSTGRESQL_RANDOM} FROM "
                                 f"(SELECT DISTINCT requisition_id FROM ({requisitions}) AS r "
                                 "WHERE requisition_id IS NOT NULL) AS d WHERE true")


def _postgresql() -> tuple[str, ...]:
    statements = []
    for table, columns in COUNTED.items():
        differ = " OR ".join(f"o.{c} IS DISTINCT FROM n.{c}" for c in columns)
        changed = f"(SELECT n.* FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE {differ})"
        was = f"(SELECT o.* FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE {differ})"
        statements += [
            f"CREATE FUNCTION {table}_revision() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF TG_OP = 'INSERT' THEN {_pg_bump(table, 'new_rows')}; "
            f"ELSIF TG_OP = 'DELETE' THEN {_pg_bump(table, 'old_rows')}; "
            f"ELSE {_pg_bump(table, was + ' AS w')}; {_pg_bump(table, changed + ' AS c')}; "
            "END IF; RETURN NULL; END $$",
        ]
        events = [("delete", "DELETE", "OLD TABLE AS old_rows"),
                  ("update", "UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows")]
        if table != "candidates":
            events.insert(0, ("insert", "INSERT", "NEW TABLE AS new_rows"))
        statements += [
            f"CREATE TRIGGER {table}_revision_{name} AFTER {event} ON {table} "
            f"REFERENCING {tables} FOR EACH STATEMENT EXECUTE FUNCTION {table}_revision()"
            for name, event, tables in events]
    return tuple(statements)


SQLITE = _sqlite()
POSTGRESQL = _postgresql()
# Every requisition with a loop gets its row (the migration; create_all's tables start empty).
BACKFILL = ("INSERT INTO requisition_loop_revisions (requisition_id, token) "
            "SELECT DISTINCT candidates.requisition_id, 1 FROM loops "
            "JOIN candidates ON candidates.id = loops.candidate_id")

