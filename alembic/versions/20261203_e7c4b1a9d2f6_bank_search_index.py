"""bank: an index for text search (a pg_trgm GIN index; an FTS5 trigram table on SQLite)

Bank search matches each word as a literal substring of a question's title or prompt
(ILIKE '%word%'), which scanned every question. On PostgreSQL a GIN index with
gin_trgm_ops answers those same conditions; the pg_trgm extension is created if missing
(it is a trusted extension, so the database's owner may create it). On SQLite an FTS5 table
with the trigram tokenizer (SQLite 3.34 or later) over questions (external content, so
the text is not stored twice), kept in step by triggers, filled from the existing rows.

The statements are those of interviewloop/bank/search_index.py, which create_all runs; a
later batch migration of `questions` on SQLite recreates the table and so drops these
triggers: such a migration must create them again (tests/test_bank_search.py notices).

Revision ID: e7c4b1a9d2f6
Revises: 5b8e2f4c7a91
Create Date: 2026-12-03 16:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "e7c4b1a9d2f6"
down_revision: str | None = "5b8e2f4c7a91"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FTS_DELETE = ("INSERT INTO questions_fts(questions_fts, rowid, title, prompt) "
               "VALUES ('delete', old.id, old.title, old.prompt);")
_FTS_INSERT = "INSERT INTO questions_fts(rowid, title, prompt) VALUES (new.id, new.title, new.prompt);"
SQLITE = (
    "CREATE VIRTUAL TABLE questions_fts USING fts5(title, prompt, content='questions', "
    "content_rowid='id', tokenize='trigram')",
    f"CREATE TRIGGER questions_fts_insert AFTER INSERT ON questions BEGIN {_FTS_INSERT} END",
    f"CREATE TRIGGER questions_fts_delete AFTER DELETE ON questions BEGIN {_FTS_DELETE} END",
    "CREATE TRIGGER questions_fts_update AFTER UPDATE OF title, prompt ON questions "
    f"BEGIN {_FTS_DELETE} {_FTS_INSERT} END",
    "INSERT INTO questions_fts(questions_fts) VALUES ('rebuild')",
)
POSTGRESQL = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_questions_search_trgm ON questions "
    "USING gin (title gin_trgm_ops, prompt gin_trgm_ops)",
)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        version = bind.exec_driver_sql("SELECT sqlite_version()").scalar_one()
        if tuple(int(part) for part in version.split(".")) < (3, 34, 0):
            raise RuntimeError(f"Bank search needs SQLite 3.34 or later (FTS5's trigram "
                               f"tokenizer); this Python's SQLite is {version}.")
        statements = SQLITE
    else:
        statements = POSTGRESQL
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    # pg_trgm stays: other things may use it, and dropping it is the database owner's call.
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER questions_fts_{trigger}")
        op.execute("DROP TABLE questions_fts")
    else:
        op.execute("DROP INDEX ix_questions_search_trgm")
