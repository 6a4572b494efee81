"""Rules that protect data hold in the database itself, and the connection rules apply."""

from __future__ import annotations

import threading
import time
from datetime import datetime

import pytest
from sqlalchemy import event, insert, literal_column, select, text
from sqlalchemy.exc import IntegrityError, OperationalError, StatementError

from interviewloop.auth.models import User, UserRole
from interviewloop.bank.models import Question, QuestionPoint
from interviewloop.db import (
    SQLITE_MMAP_BYTES,
    among,
    limited,
    make_engine,
    postgres_connect_args,
    utcnow,
    writing,
)


def _user_row(**overrides):
    return {"email": "x@example.com", "name": "X", "password_hash": "h", "created_at": utcnow(),
            **overrides}


def _question_row(**overrides):
    now = utcnow()
    return {"slug": "q", "category": "system_design", "title": "T", "prompt": "P",
            "suggested_minutes": 30, "origin": "web", "created_at": now, "updated_at": now,
            "version": 1, **overrides}


@pytest.mark.parametrize(("table", "row"), [
    (User, _user_row(email="Mixed@Example.com")),           # emails are stored lower-case
    (User, _user_row(name="")),
    (User, _user_row(failed_logins=-1)),
    (Question, _question_row(suggested_minutes=0)),
    (Question, _question_row(suggested_minutes=500)),
    (Question, _question_row(origin="elsewhere")),
    (Question, _question_row(title="")),
])
def test_check_constraints_refuse_bad_rows(db_session, table, row):
    with pytest.raises(IntegrityError), db_session.begin_nested():
        db_session.execute(insert(table), [row])


def test_enum_columns_refuse_unknown_values_in_the_database(db_session):
    user_id = db_session.execute(insert(User).returning(User.id), [_user_row()]).scalar_one()
    with pytest.raises(IntegrityError), db_session.begin_nested():
        db_session.execute(text("INSERT INTO user_roles (user_id, role) VALUES (:u, 'overlord')"),
                           {"u": user_id})


def test_unique_and_foreign_keys_are_enforced(db_session):
    user_id = db_session.execute(insert(User).returning(User.id), [_user_row()]).scalar_one()
    with pytest.raises(IntegrityError), db_session.begin_nested():
        db_session.execute(insert(User), [_user_row()])
    db_session.execute(insert(UserRole), [{"user_id": user_id, "role": "admin"}])
    with pytest.raises(IntegrityError), db_session.begin_nested():
        db_session.execute(insert(UserRole), [{"user_id": user_id, "role": "admin"}])
    with pytest.raises(IntegrityError), db_session.begin_nested():
        db_session.execute(insert(QuestionPoint), [
            {"question_id": 987654, "kind": "signal", "position": 0, "text": "orphan"}])


def test_naive_datetimes_are_refused(db_session):
    with pytest.raises(StatementError, match="naive datetime"), db_session.begin_nested():
        db_session.execute(insert(User), [_user_row(created_at=datetime(2026, 1, 1))])  # noqa: DTZ001


def test_datetimes_come_back_aware_in_utc(db_session):
    user_id = db_session.execute(insert(User).returning(User.id), [_user_row()]).scalar_one()
    db_session.expire_all()
    created = db_session.get(User, user_id).created_at
    assert created.utcoffset().total_seconds() == 0


@pytest.fixture
def sqlite_file_engine(tmp_path):
    """A SQLite file of its own: these are SQLite's connection rules, checked on every run."""
    from tests.conftest import migrate

    url = f"sqlite:///{tmp_path / 'rules.db'}"
    migrate(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


def test_sqlite_connections_enforce_foreign_keys_and_use_wal(sqlite_file_engine):
    with sqlite_file_engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_sqlite_connections_map_the_file_into_memory(sqlite_file_engine):
    with sqlite_file_engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA mmap_size").scalar() == SQLITE_MMAP_BYTES > 0


@pytest.mark.parametrize("begin", ["IMMEDIATE", "DEFERRED"])
def test_sqlite_writers_wait_for_each_other_instead_of_failing(sqlite_file_engine, begin):
    """A transaction that reads, then writes, while another writer holds the lock: with
    BEGIN IMMEDIATE (what `writing()` gives) it waits and lands; with a plain deferred
    BEGIN, SQLite refuses the read-to-write upgrade at once ('database is locked')."""
    errors: list[BaseException] = []
    first_holds_lock = threading.Event()

    def first_writer():
        try:
            with writing(sqlite_file_engine).begin() as conn:
                conn.execute(insert(User), [_user_row(email="a@example.com")])
                first_holds_lock.set()
                time.sleep(0.5)
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=first_writer)
    thread.start()
    assert first_holds_lock.wait(5)
    try:
        with sqlite_file_engine.execution_options(sqlite_begin=begin).begin() as conn:
            seen = conn.exec_driver_sql("SELECT count(*) FROM users").scalar()
            conn.execute(insert(User), [_user_row(email=f"b{seen}@example.com")])
    except OperationalError as exc:
        outcome = str(exc.orig)
    else:
        outcome = "landed"
    thread.join()
    assert errors == []
    assert outcome == ("landed" if begin == "IMMEDIATE" else "database is locked")
    with sqlite_file_engine.connect() as conn:
        users = conn.exec_driver_sql("SELECT count(*) FROM users").scalar()
    assert users == (2 if begin == "IMMEDIATE" else 1)


def test_postgres_connections_run_without_jit_and_plan_once(engine):
    """JIT compiled the debrief's aggregates for longer than they ran; custom plans were
    made afresh for every request (interviewloop/db.py, POSTGRES_OPTIONS)."""
    args = postgres_connect_args({"options": "-c statement_timeout=5000", "connect_timeout": 3})
    ours = "-c jit=off -c plan_cache_mode=force_generic_plan"
    assert args == {"options": f"-c statement_timeout=5000 {ours}", "connect_timeout": 3}
    assert postgres_connect_args({}) == {"options": ours}
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SHOW jit").scalar() == "off"
            assert conn.exec_driver_sql("SHOW plan_cache_mode").scalar() == "force_generic_plan"


def test_a_window_is_written_into_the_sql_not_sent_as_a_parameter(engine):
    """A generic plan cannot see a parameter: the LIMIT and OFFSET must be in the text."""
    sent: list[str] = []

    def record(_conn, _cursor, statement, *_rest) -> None:
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        with engine.connect() as conn:
            rows = conn.execute(limited(select(literal_column("1")), 7, 3)).all()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert rows == []
    assert any("LIMIT 7 OFFSET 3" in " ".join(s.split()) for s in sent), sent


@pytest.mark.parametrize("count", [0, 1, 3, 120])
def test_among_finds_the_listed_rows_with_one_statement_text_whatever_their_number(
        db_session, count):
    """db.among: the rows whose column is in a bound list; on PostgreSQL the list is one
    array parameter, so 1 or 120 values send the same statement (psycopg prepares none of
    more than 50 parameters)."""
    db_session.execute(insert(User), [{"email": f"among{n}@example.com", "name": f"A {n}",
                                       "password_hash": "x"} for n in range(130)])
    ids = list(db_session.scalars(select(User.id).where(User.email.like("among%"))
                                  .order_by(User.id)))
    sent: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, parameters, *_rest) -> None:
        sent.append((statement, parameters))

    dialect = db_session.get_bind().dialect.name
    stmt = select(User.id).where(among(User.id, "ids", dialect)).order_by(User.id)
    bind = db_session.connection()
    event.listen(bind.engine, "before_cursor_execute", record)
    try:
        found = list(db_session.scalars(stmt, {"ids": ids[:count]}))
    finally:
        event.remove(bind.engine, "before_cursor_execute", record)
    assert found == ids[:count]
    ((statement, parameters),) = [s for s in sent if "users" in s[0]]
    if dialect == "postgresql":
        assert "= any(" in statement.lower() and "%(ids)s" in statement
        assert parameters["ids"] == ids[:count]


def test_a_connection_is_pinged_only_after_sitting_idle_and_replaced_if_dead(database_url):
    """No round trip on a connection just back in the pool (a busy worker's); one after it
    sat idle; and a connection the server dropped meanwhile is replaced, not handed out."""
    engine = make_engine(database_url, ping_after=1.0)
    pings: list[object] = []
    do_ping = engine.dialect.do_ping
    engine.dialect.do_ping = lambda dbapi_conn: pings.append(dbapi_conn) or do_ping(dbapi_conn)
    postgres = engine.dialect.name == "postgresql"
    try:
        with engine.connect() as conn:
            backend = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar() if postgres else 0
        with engine.connect() as conn:
            assert conn.scalar(select(literal_column("1"))) == 1
        assert pings == []  # a new connection, then one back for milliseconds
        if postgres:
            killer = make_engine(database_url)
            with killer.connect() as other:
                other.exec_driver_sql(f"SELECT pg_terminate_backend({int(backend)})")
            killer.dispose()
        time.sleep(1.2)
        with engine.connect() as conn:
            assert conn.scalar(select(literal_column("1"))) == 1
            if postgres:
                assert conn.exec_driver_sql("SELECT pg_backend_pid()").scalar() != backend
        assert len(pings) >= 1
    finally:
        engine.dispose()
