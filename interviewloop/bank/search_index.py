"""The indexes bank search reads, one per database, declared beside the questions table.

Neither fits a plain ``Index``. PostgreSQL's is a pg_trgm GIN index (``gin_trgm_ops``
accelerates ``LIKE '%x%'``) on ``search_text``, a stored generated column holding the title
and the prompt lower-cased (``SEARCH_TEXT``), so that checking a row found by the index
does not lower-case it again. SQLite's is an FTS5 table with the ``trigram`` tokenizer
(SQLite 3.34 or later) that triggers keep in step with ``questions``. Both keep literal
substring matching, as the scan did. Migrations e7c4b1a9d2f6 and c5d2e8a1f4b7 create them;
these statements run when ``Base.metadata.create_all`` makes the table, so that
tests/test_schema_drift.py compares the two. Alembic's own comparison cannot see DDL run on
events, so alembic/env.py leaves exactly these names out of it.
"""

from __future__ import annotations

from sqlalchemy import DDL, FromClause, event

TRIGRAM_INDEX = "ix_questions_search_text_trgm"
SEARCH_TEXT = "search_text"  # PostgreSQL only: not a mapped column (the ORM never reads it)
FTS_TABLE = "questions_fts"
# The FTS5 table and the shadow tables FTS5 makes for it (no _content: its content is the
# questions table itself).
FTS_TABLES = frozenset({FTS_TABLE, *(f"{FTS_TABLE}_{s}" for s in ("data", "idx", "docsize",
                                                                   "config"))})
FTS5_TRIGRAM_SINCE = (3, 34, 0)

POSTGRESQL_BEFORE = ("CREATE EXTENSION IF NOT EXISTS pg_trgm",)
POSTGRESQL_AFTER = (
    "ALTER TABLE questions ADD COLUMN search_text text "
    "GENERATED ALWAYS AS (lower(title::text) || E'\\n' || lower(prompt)) STORED",
    "CREATE INDEX ix_questions_search_text_trgm ON questions USING gin (search_text gin_trgm_ops)",
)
# FTS5's documented triggers for an external-content table: "delete" needs the old values.
_FTS_DELETE = ("INSERT INTO questions_fts(questions_fts, rowid, title, prompt) "
               "VALUES ('delete', old.id, old.title, old.prompt);")
_FTS_INSERT = "INSERT INTO questions_fts(rowid, title, prompt) VALUES (new.id, new.title, new.prompt);"
SQLITE_AFTER = (
    "CREATE VIRTUAL TABLE questions_fts USING fts5(title, prompt, content='questions', "
    "content_rowid='id', tokenize='trigram')",
    f"CREATE TRIGGER questions_fts_insert AFTER INSERT ON questions BEGIN {_FTS_INSERT} END",
    f"CREATE TRIGGER questions_fts_delete AFTER DELETE ON questions BEGIN {_FTS_DELETE} END",
    "CREATE TRIGGER questions_fts_update AFTER UPDATE OF title, prompt ON questions "
    f"BEGIN {_FTS_DELETE} {_FTS_INSERT} END",
)

def left_to_the_drift_test(name: str | None, type_: str, _parents: object) -> bool:
    """Alembic's ``include_name``: False for this index's tables, index and column. They are
    made by DDL on the questions table's create events, which autogenerate cannot see, so it
    would propose dropping them; tests/test_schema_drift.py compares them instead."""
    if type_ == "table":
        return name not in FTS_TABLES
    if type_ == "column":
        return name != SEARCH_TEXT
    return not (type_ == "index" and name == TRIGRAM_INDEX)


def attach(table: FromClause) -> None:
    """Run the statements when ``create_all`` creates ``table`` (the questions table)."""
    for statement in POSTGRESQL_BEFORE:
        event.listen(table, "before_create", DDL(statement).execute_if(dialect="postgresql"))
    for statement in POSTGRESQL_AFTER:
        event.listen(table, "after_create", DDL(statement).execute_if(dialect="postgresql"))
    for statement in SQLITE_AFTER:
        event.listen(table, "after_create", DDL(statement).execute_if(dialect="sqlite"))
