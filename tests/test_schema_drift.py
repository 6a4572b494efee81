"""CHECK constraints and index predicates agree between the models and the migrations.

`alembic check` (tests/test_migrations.py) does not compare CHECK constraints nor the
WHERE of partial indexes. Here the migrated database's catalogue is compared with that
of a database built by ``Base.metadata.create_all`` on the same kind of server, so both
sides were normalised by the same server (see tests/schema_catalogue.py).
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import create_engine, text

from interviewloop.bank.search_index import FTS_TABLE, FTS_TABLES, TRIGRAM_INDEX
from interviewloop.models import Base
from tests.conftest import migrate, new_database_url
from tests.schema_catalogue import (
    IndexShape,
    differences,
    normalise_sql,
    read_catalogue,
    sqlite_checks,
    sqlite_index,
)


def _catalogue(url: str):
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return read_catalogue(conn)
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def model_catalogue(tmp_path_factory):
    """The catalogue of a database made from the models alone."""
    url = new_database_url(tmp_path_factory, "models")
    engine = create_engine(url)
    try:
        Base.metadata.create_all(engine)
        with engine.connect() as conn:
            return read_catalogue(conn)
    finally:
        engine.dispose()


@pytest.fixture
def drifted_url(tmp_path_factory):
    """A migrated database of its own, for a test to break."""
    url = new_database_url(tmp_path_factory, "drift")
    migrate(url)
    return url


def _execute(url: str, *statements: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            for statement in statements:
                conn.exec_driver_sql(statement)
    finally:
        engine.dispose()


def test_checks_and_indexes_match_the_models(model_catalogue, database_url):
    migrated = _catalogue(database_url)
    assert differences(model_catalogue, migrated) == []
    # The comparison covered something: every table, the enum CHECKs, the partial indexes.
    search_tables = FTS_TABLES if database_url.startswith("sqlite") else set()
    assert set(migrated) == set(Base.metadata.tables) | search_tables
    assert "ck_users_weekly_cap_range" in migrated["users"].checks
    assert "ck_user_roles_role" in migrated["user_roles"].checks
    assert migrated["interviews"].indexes["uq_interviews_live_stage"].where is not None
    assert migrated["questions"].indexes["ix_questions_active_order"].where is not None
    # Bank search's index, made by DDL events on create_all's side (bank/search_index.py).
    if database_url.startswith("sqlite"):
        assert set(migrated["questions"].triggers) == {
            f"{FTS_TABLE}_insert", f"{FTS_TABLE}_delete", f"{FTS_TABLE}_update"}
    else:
        assert migrated["questions"].indexes[TRIGRAM_INDEX] == IndexShape(
            ("title gin_trgm_ops", "prompt gin_trgm_ops"), False, None, "gin")


def test_a_changed_check_is_reported(model_catalogue, drifted_url):
    if drifted_url.startswith("sqlite"):
        _edit_sqlite_table(drifted_url, "users",
                           lambda sql: sql.replace("failed_logins >= 0", "failed_logins >= 1"))
    else:
        _execute(drifted_url,
                 "ALTER TABLE users DROP CONSTRAINT ck_users_failed_logins_nonnegative",
                 "ALTER TABLE users ADD CONSTRAINT ck_users_failed_logins_nonnegative "
                 "CHECK (failed_logins >= 1)")
    assert differences(model_catalogue, _catalogue(drifted_url)) == [
        ("check", "users", "ck_users_failed_logins_nonnegative",
         "failed_logins >= 0", "failed_logins >= 1"),
    ]


def test_a_changed_partial_index_predicate_is_reported(model_catalogue, drifted_url):
    _execute(drifted_url, "DROP INDEX ix_questions_active_order",
             "CREATE INDEX ix_questions_active_order ON questions (category, title, id) "
             "WHERE retired_at IS NOT NULL")
    [(what, table, name, expected, actual)] = differences(model_catalogue, _catalogue(drifted_url))
    assert (what, table, name) == ("index", "questions", "ix_questions_active_order")
    assert expected.where == "retired_at is null"
    assert actual == IndexShape(expected.columns, False, "retired_at is not null")


def test_a_missing_check_and_an_extra_index_are_reported(model_catalogue, drifted_url):
    if drifted_url.startswith("sqlite"):
        _edit_sqlite_table(drifted_url, "audit_events", lambda sql: re.sub(
            r",\s*CONSTRAINT ck_audit_events_action_not_empty CHECK \(length\(action\) > 0\)",
            "", sql))
    else:
        _execute(drifted_url,
                 "ALTER TABLE audit_events DROP CONSTRAINT ck_audit_events_action_not_empty")
    _execute(drifted_url, "CREATE INDEX ix_extra ON audit_events (action)")
    assert differences(model_catalogue, _catalogue(drifted_url)) == [
        ("check", "audit_events", "ck_audit_events_action_not_empty",
         model_catalogue["audit_events"].checks["ck_audit_events_action_not_empty"], None),
        ("index", "audit_events", "ix_extra", None, IndexShape(("action",), False, None)),
    ]


def test_a_changed_search_index_is_reported(model_catalogue, drifted_url):
    """Bank search's index is compared too: SQLite's triggers, PostgreSQL's operator classes."""
    if drifted_url.startswith("sqlite"):
        _execute(drifted_url, "DROP TRIGGER questions_fts_update",
                 "CREATE TRIGGER questions_fts_update AFTER UPDATE OF title ON questions "
                 "BEGIN INSERT INTO questions_fts(rowid, title, prompt) "
                 "VALUES (new.id, new.title, new.prompt); END")
        [(what, table, name, _expected, _actual)] = differences(model_catalogue,
                                                                _catalogue(drifted_url))
        assert (what, table, name) == ("trigger", "questions", f"{FTS_TABLE}_update")
    else:
        _execute(drifted_url, f"DROP INDEX {TRIGRAM_INDEX}",
                 f"CREATE INDEX {TRIGRAM_INDEX} ON questions USING gin (title gin_trgm_ops, "
                 "prompt gin_trgm_ops) WHERE retired_at IS NULL",
                 "CREATE INDEX ix_extra ON questions (title, prompt)")
        assert differences(model_catalogue, _catalogue(drifted_url)) == [
            ("index", "questions", "ix_extra", None,
             IndexShape(("title", "prompt"), False, None, "btree")),
            ("index", "questions", TRIGRAM_INDEX,
             IndexShape(("title gin_trgm_ops", "prompt gin_trgm_ops"), False, None, "gin"),
             IndexShape(("title gin_trgm_ops", "prompt gin_trgm_ops"), False,
                        "retired_at is null", "gin")),
        ]


def _edit_sqlite_table(url: str, table: str, edit) -> None:
    """Change a table's stored CREATE TABLE: SQLite cannot ALTER a CHECK, and this is its
    documented way (https://sqlite.org/lang_altertable.html, "other kinds of changes")."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            sql = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = :t"),
                               {"t": table}).scalar_one()
            assert edit(sql) != sql, "the edit changed nothing"
            version = conn.exec_driver_sql("PRAGMA schema_version").scalar_one()
            conn.exec_driver_sql("PRAGMA writable_schema = ON")
            conn.execute(text("UPDATE sqlite_master SET sql = :sql WHERE name = :t"),
                         {"sql": edit(sql), "t": table})
            conn.exec_driver_sql(f"PRAGMA schema_version = {version + 1}")
            conn.exec_driver_sql("PRAGMA writable_schema = OFF")
    finally:
        engine.dispose()


# --- the parsing and the normalisation themselves ------------------------------------------

def test_equivalent_spellings_normalise_alike():
    assert normalise_sql('(( "status" =  \'a\'  AND\n length( "email" ) > 0))') == \
        normalise_sql("status = 'a' and LENGTH(email) > 0")
    assert normalise_sql("(a = 1) = (b IS NULL)") == "(a = 1) = (b is null)"
    assert normalise_sql("x = 'It''s (not) A Word'") == "x = 'It''s (not) A Word'"
    assert normalise_sql("a > 0") != normalise_sql("a >= 0")


def test_sqlite_statements_are_parsed():
    create = ('CREATE TABLE "t" (a INTEGER CHECK (a > 0), b TEXT, '
              "CONSTRAINT ck_t_b CHECK (b IN ('x', 'check (y)')), CHECK ((a < 9)))")
    assert sqlite_checks(create) == {"<unnamed 1>": "a > 0", "ck_t_b": "b in('x', 'check (y)')",
                                     "<unnamed 2>": "a < 9"}
    assert sqlite_index('CREATE UNIQUE INDEX "u" ON "t" (a, lower(b)) WHERE (b IS NOT NULL)') == (
        "t", IndexShape(("a", "lower(b)"), True, "b is not null"))
