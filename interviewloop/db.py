"""Engine, per-request session and the declarative Base.

One request, one transaction: services flush, the request boundary commits (2xx/3xx)
or rolls back (anything else). CLI commands commit through ``session_scope``.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

from flask import Flask, current_app, g, request
from sqlalchemy import (
    ARRAY,
    DDL,
    ColumnElement,
    DateTime,
    Engine,
    FromClause,
    Integer,
    MetaData,
    Row,
    Select,
    bindparam,
    create_engine,
    event,
    func,
    literal,
)
from sqlalchemy import Enum as SAEnum
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError, InvalidatePoolError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.sql.base import Executable
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes, stored as UTC; naive datetimes are refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def after_create(table: FromClause, *, sqlite: tuple[str, ...] = (),
                 postgresql: tuple[str, ...] = ()) -> None:
    """Run each dialect's DDL (triggers, their functions) when ``create_all`` creates
    ``table``, so that a schema made from the models has what the migrations made, and
    tests/test_schema_drift.py can compare the two."""
    for dialect, statements in (("sqlite", sqlite), ("postgresql", postgresql)):
        for statement in statements:
            event.listen(table, "after_create", DDL(statement).execute_if(dialect=dialect))


def str_enum(enum_cls: type[enum.Enum], name: str) -> SAEnum:
    """A Python enum stored by value as a string, with a named CHECK constraint."""
    return SAEnum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum_cls),
        values_callable=lambda cls: [m.value for m in cls],
        validate_strings=True,
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine with the project's connection rules (SQLite: FKs, WAL, busy timeout; a
    connection idle over ``ping_after`` seconds is pinged before use: ping_when_idle)."""
    ping_after = kwargs.pop("ping_after", PING_AFTER_SECONDS)
    if url.startswith("sqlite"):
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        ping_when_idle(engine, ping_after)  # last: a new connection is stamped once it is set up
        return engine
    # PostgreSQL's JIT (on by default) kicks in on the cost estimates of the debrief's and
    # the reports' aggregates and compiled for longer than they ran (1.5 s of a 4 s debrief
    # at 10,000 candidates): these are short queries, answered in one request. Its plans
    # are made once per connection: see POSTGRES_OPTIONS.
    connect_args = postgres_connect_args(kwargs.pop("connect_args", {}))
    engine = create_engine(url, connect_args=connect_args, **kwargs)
    ping_when_idle(engine, ping_after)
    return engine


# A pooled connection that sat idle longer than this is pinged before a request uses it
# (the server may have restarted or dropped it). SQLAlchemy's pool_pre_ping pings on every
# checkout: a round trip per request, which on a busy worker (connections back in the
# pool for microseconds) found nothing the request's own first statement would not.
PING_AFTER_SECONDS = 1.0
# How much of a SQLite database file a connection maps into memory (_sqlite_on_connect).
SQLITE_MMAP_BYTES = 256 * 1024 * 1024


def ping_when_idle(engine: Engine, after: float) -> None:
    @event.listens_for(engine, "connect")
    @event.listens_for(engine, "checkin")
    def _stamp(_dbapi_conn: Any, record: Any) -> None:
        record.info["checked_in"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        checked_in = record.info.get("checked_in")
        if checked_in is not None and time.monotonic() - checked_in < after:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except engine.dialect.loaded_dbapi.Error as error:
            # The pool drops this connection and every other it made before now (the
            # server restarted, most likely), then checks out a new one.
            raise InvalidatePoolError(str(error)) from error


POSTGRES_OPTIONS = (
    "-c jit=off"
    # psycopg prepares a statement run five times; left to choose, the server then planned
    # it afresh on every run (custom plans), 0.5 to 1.6 ms for a page's multi-join reads
    # against 0.05 ms to run them. A generic plan is made once per connection. It cannot
    # see a parameter's value, so paged reads write their LIMIT and OFFSET into the SQL
    # (``limited``).
    " -c plan_cache_mode=force_generic_plan"
)


def postgres_connect_args(given: dict[str, Any]) -> dict[str, Any]:
    """The caller's connect_args with our server options, keeping any options they set."""
    connect_args = dict(given)
    connect_args["options"] = f"{connect_args.get('options', '')} {POSTGRES_OPTIONS}".strip()
    return connect_args


S = TypeVar("S", bound=Select[*tuple[Any, ...]])


def limited(stmt: S, limit: int, offset: int = 0) -> S:
    """``stmt`` limited to ``limit`` rows from ``offset``, the numbers written into the SQL
    rather than sent as parameters: a generic plan (POSTGRES_OPTIONS) made without the
    limit expects a tenth of the table's rows, and read the bank's page 15 times slower."""
    stmt = stmt.limit(literal(limit, Integer, literal_execute=True))
    return stmt.offset(literal(offset, Integer, literal_execute=True)) if offset else stmt


def among(column: Any, name: str, dialect: str) -> ColumnElement[bool]:
    """``column`` is one of the list bound as ``name`` when the statement runs. On
    PostgreSQL one array parameter (``= ANY(:name)``): the statement is the same text
    however long the list, where an IN list has a parameter a value, and psycopg caches
    and prepares no statement of more than 50 parameters, so a board page's 125
    interviews were parsed by psycopg and planned by the server on every request."""
    clause: ColumnElement[bool] = (
        column == func.any(bindparam(name, type_=ARRAY(column.type)))
        if dialect == "postgresql" else column.in_(bindparam(name, expanding=True)))
    return clause


def plain_rows(session: Session, stmt: Executable, params: dict[str, Any] | None = None
               ) -> Sequence[Row[*tuple[Any, ...]]]:
    """The rows of a select of columns (no entities), run on the session's connection
    without the ORM's execution step: for a page's small reads that step cost as much as
    the statement (about 0.1 ms of a 0.25 ms read). Any change pending in the session is
    flushed first, as the ORM would."""
    if session.autoflush:
        session.flush()  # returns at once when nothing is pending
    return session.connection().execute(stmt, params).all()


def _sqlite_on_connect(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (see _sqlite_on_begin)
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Reads straight from the file's pages in the OS's cache, shared by every connection and
    # worker, instead of copying them through each connection's 2 MiB page cache: at 30,000
    # questions a bank search read a third of its time in those copies.
    cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
    cursor.close()


def _sqlite_on_begin(conn: Connection) -> None:
    # Writers take the lock up front so that concurrent writers wait (busy_timeout)
    # instead of failing mid-transaction; readers keep a deferred BEGIN.
    mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")


def writing(bind: Engine | Connection) -> Engine | Connection:
    """The bind for a transaction that will write: BEGIN IMMEDIATE on SQLite."""
    return bind.execution_options(sqlite_begin="IMMEDIATE")


class Database:
    """Flask extension: the engine and the request-scoped session."""

    def init_app(self, app: Flask) -> None:
        bind = app.config.get("DB_BIND")  # tests pass a Connection in an outer transaction
        if bind is None:
            bind = make_engine(app.config["DATABASE_URL"])
        app.extensions["interviewloop.db"] = {
            "bind": bind,
            "sessions": sessionmaker(expire_on_commit=False, join_transaction_mode="create_savepoint"),
        }
        app.after_request(self._finish_request)
        app.teardown_appcontext(self._close)

    @staticmethod
    def _state(app: Flask) -> dict[str, Any]:
        state: dict[str, Any] = app.extensions["interviewloop.db"]
        return state

    @property
    def bind(self) -> Engine | Connection:
        from flask import current_app

        bind: Engine | Connection = self._state(current_app)["bind"]
        return bind

    @property
    def session(self) -> Session:
        """The session of the current request (or app context), opened on first use."""
        from flask import current_app

        if "db_session" not in g:
            state = self._state(current_app)
            bind = state["bind"]
            if _request_writes():
                bind = writing(bind)
            g.db_session = state["sessions"](bind=bind)
        session: Session = g.db_session
        return session

    @contextmanager
    def session_scope(self) -> Iterator[Session]:
        """A writing session for CLI commands: commit on success, roll back on error."""
        from flask import current_app

        state = self._state(current_app)
        session = state["sessions"](bind=writing(state["bind"]))
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @staticmethod
    def _finish_request(response: Any) -> Any:
        session: Session | None = g.get("db_session")
        if session is not None:
            if response.status_code < 400:
                try:
                    session.commit()
                except IntegrityError as exc:  # a deferred constraint, or one met at commit
                    from interviewloop.errors import constraint_refused

                    body, status = constraint_refused(exc)
                    return current_app.make_response((body, status))
            else:
                session.rollback()
        return response

    @staticmethod
    def _close(_exc: BaseException | None) -> None:
        session: Session | None = g.pop("db_session", None)
        if session is not None:
            session.close()


def _request_writes() -> bool:
    from flask import has_request_context

    return has_request_context() and request.method not in {"GET", "HEAD", "OPTIONS"}


db = Database()


def insert_new(session: Session, model: type[Base], rows: list[dict[str, Any]], *,
               unique: list[str], returning: tuple[Any, ...] = ()) -> list[Any]:
    """Insert each row unless one with the same ``unique`` columns exists (committed, or
    being inserted by a concurrent transaction, which PostgreSQL waits for): INSERT ... ON
    CONFLICT DO NOTHING, in one statement per thousand rows. Returns the ``returning``
    columns of the rows this call inserted (those it won)."""
    if not rows:
        return []
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = session.get_bind().dialect.name
    make = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = make(model).on_conflict_do_nothing(index_elements=unique)
    if not returning:
        session.execute(statement, rows)
        return []
    return list(session.execute(statement.returning(*returning), rows).all())
