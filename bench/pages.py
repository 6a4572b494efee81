"""Time the key pages in-process, each as a ratio to /healthz measured in the same run.

    python -m bench.pages [--questions N] [--database-url URL] [--repeat R] [--requests K]

Builds a fresh database (a SQLite temp file by default; PostgreSQL when --database-url
names one, created fresh and dropped at the end), migrates it with `alembic upgrade head`,
seeds the real question bank plus synthetic questions up to N, logs an admin in through
the real /login form, then for each page makes K requests R times through the Flask test
client. It prints a Markdown table: median µs per request, the ratio to /healthz, and the
SQL statements per request (transaction control — BEGIN, SAVEPOINT, ... — not counted).
Every response must be 200, or the run stops with an error.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from alembic import command
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, create_engine, event, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bench.seed import seed_bank
from interviewloop import create_app
from interviewloop.audit.service import SYSTEM
from interviewloop.auth import service as auth_service
from interviewloop.auth.passwords import Hasher
from interviewloop.bank.models import Question
from interviewloop.cli import alembic_config
from interviewloop.db import writing
from interviewloop.enums import Category, Level

EMAIL = "bench-admin@example.com"
PASSWORD = "bench-admin-passphrase"
HASH_COST = {"PASSWORD_HASH_MEMORY_KIB": 256, "PASSWORD_HASH_TIME_COST": 1}
SEARCH = {"q": "latency", "category": Category.SYSTEM_DESIGN.value, "level": Level.SENIOR.value}
WARM_UP = 3
TRANSACTION_CONTROL = ("BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT")
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
RESULT_COUNT = re.compile(r'id="result-count">(\d+) question')


class BenchError(RuntimeError):
    """The benchmark could not measure what it claims to (a page failed, bad arguments)."""


@dataclass(frozen=True)
class Route:
    name: str
    path: str


@dataclass
class Row:
    route: Route
    samples_us: list[float]  # one per repetition: mean µs per request over K requests
    queries: float = 0.0  # SQL statements per request
    ratio: float = 0.0  # median / median of /healthz

    @property
    def median_us(self) -> float:
        return statistics.median(self.samples_us)


@dataclass
class Result:
    dialect: str
    server_version: str
    questions: int
    active: int
    search_hits: int
    seed_seconds: float
    requests: int
    repeat: int
    rows: list[Row] = field(default_factory=list)

    def row(self, name: str) -> Row:
        return next(r for r in self.rows if r.route.name == name)


# --- the database -------------------------------------------------------------------------

@contextmanager
def fresh_database(url: str | None, *, keep: bool = False) -> Iterator[str]:
    """A new, empty database for the run; dropped (or deleted) at the end unless ``keep``.

    Refuses a SQLite file that already exists, and a PostgreSQL database whose name does
    not contain "bench": the run drops what it created, so it must not be handed real data."""
    if url is None:
        folder = tempfile.mkdtemp(prefix="interviewloop-bench-")
        try:
            yield f"sqlite:///{os.path.join(folder, 'bench.db')}"
        finally:
            if not keep:
                shutil.rmtree(folder, ignore_errors=True)
        return
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        path = parsed.database
        if not path or path == ":memory:":
            raise BenchError("give a SQLite file path (the app and the seeder share the database)")
        if os.path.exists(path):
            raise BenchError(f"{path} already exists; the benchmark needs a new file")
        try:
            yield url
        finally:
            if not keep:
                for suffix in ("", "-wal", "-shm"):
                    if os.path.exists(path + suffix):
                        os.remove(path + suffix)
        return
    if backend != "postgresql":
        raise BenchError(f"unsupported database {backend!r}: use SQLite or PostgreSQL")
    name = parsed.database or ""
    if "bench" not in name:
        raise BenchError(f"database {name!r} will be dropped and created; its name must "
                         "contain 'bench'")
    server = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield parsed.render_as_string(hide_password=False)
    finally:
        if not keep:
            with server.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def build_schema(url: str) -> None:
    config = alembic_config(url)
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")


def make_app(url: str) -> Flask:
    return create_app({"ENV": "test", "SECRET_KEY": "bench", "DATABASE_URL": url,
                       "SESSION_COOKIE_SECURE": False, **HASH_COST})


def engine_of(app: Flask) -> Engine:
    return app.extensions["interviewloop.db"]["bind"]


def create_admin(engine: Engine) -> None:
    hasher = Hasher(memory_kib=HASH_COST["PASSWORD_HASH_MEMORY_KIB"],
                    time_cost=HASH_COST["PASSWORD_HASH_TIME_COST"])
    with Session(bind=writing(engine)) as session, session.begin():
        auth_service.create_user(session, SYSTEM, hasher, email=EMAIL, name="Bench Admin",
                                 password=PASSWORD, roles=("admin",))


def log_in(client: FlaskClient) -> None:
    """Log in through the real form, with the CSRF token from the login page."""
    page = client.get("/login")
    match = CSRF_META.search(page.get_data(as_text=True))
    if page.status_code != 200 or not match:
        raise BenchError(f"GET /login gave {page.status_code} without a CSRF token")
    response = client.post("/login", data={"csrf_token": match.group(1), "email": EMAIL,
                                           "password": PASSWORD})
    if response.status_code != 302:
        raise BenchError(f"POST /login gave {response.status_code}, not a redirect")


# --- measuring ----------------------------------------------------------------------------

def routes_for(engine: Engine, page_size: int) -> list[Route]:
    with engine.connect() as conn:
        ids = list(conn.scalars(select(Question.id).order_by(Question.id)))
        active = conn.scalar(select(func.count()).select_from(Question)
                             .where(Question.retired_at.is_(None))) or 0
    if not ids:
        raise BenchError("no questions were seeded")
    last_page = max(1, -(-active // page_size))
    query = "&".join(f"{k}={v}" for k, v in SEARCH.items())
    return [
        Route("healthz", "/healthz"),
        Route("home", "/"),
        Route("bank list", "/bank/"),
        Route("bank list, last page", f"/bank/?page={last_page}"),
        Route("bank search", f"/bank/?{query}"),
        Route("question detail", f"/bank/questions/{ids[len(ids) // 2]}"),
        Route("rubric", "/bank/rubric"),
    ]


def get_ok(client: FlaskClient, path: str) -> Any:
    response = client.get(path)
    if response.status_code != 200:
        raise BenchError(f"GET {path} gave {response.status_code}, not 200")
    return response


def time_routes(client: FlaskClient, routes: Sequence[Route], *, requests: int,
                repeat: int, clock: Callable[[], int] = time.perf_counter_ns) -> list[Row]:
    """K requests per route, R times, routes interleaved so drift hits them all alike."""
    rows = [Row(route, []) for route in routes]
    for row in rows:
        for _ in range(WARM_UP):
            get_ok(client, row.route.path)
    for _ in range(repeat):
        for row in rows:
            path = row.route.path
            start = clock()
            for _ in range(requests):
                response = client.get(path)
                if response.status_code != 200:
                    raise BenchError(f"GET {path} gave {response.status_code}, not 200")
            row.samples_us.append((clock() - start) / requests / 1000)
    baseline = rows[0].median_us
    for row in rows:
        row.ratio = row.median_us / baseline
    return rows


def count_queries(client: FlaskClient, engine: Engine, rows: list[Row], requests: int) -> None:
    """SQL statements per request, counted in a pass of its own (not while timing)."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        for row in rows:
            statements.clear()
            for _ in range(requests):
                get_ok(client, row.route.path)
            row.queries = len(statements) / requests
    finally:
        event.remove(engine, "before_cursor_execute", record)


def run(url: str, *, questions: int, requests: int, repeat: int,
        log: Callable[[str], None] = lambda _line: None) -> Result:
    build_schema(url)
    app = make_app(url)
    engine = engine_of(app)
    try:
        started = time.perf_counter()
        report = seed_bank(engine, questions)
        seed_seconds = time.perf_counter() - started
        log(f"Seeded {report.questions} questions ({report.real} real) in {seed_seconds:.1f} s")
        create_admin(engine)
        client = app.test_client()
        log_in(client)
        routes = routes_for(engine, app.config["BANK_PAGE_SIZE"])
        search = next(r for r in routes if r.name == "bank search")
        hits = RESULT_COUNT.search(get_ok(client, search.path).get_data(as_text=True))
        if not hits or int(hits.group(1)) == 0:
            raise BenchError(f"the search {search.path} found nothing; it would time an empty page")
        with engine.connect() as conn:
            active = conn.scalar(select(func.count()).select_from(Question)
                                 .where(Question.retired_at.is_(None))) or 0
            version = (".".join(map(str, engine.dialect.server_version_info or ()))
                       if engine.dialect.name != "sqlite" else sqlite3.sqlite_version)
        rows = time_routes(client, routes, requests=requests, repeat=repeat)
        count_queries(client, engine, rows, requests)
        return Result(dialect=engine.dialect.name, server_version=version,
                      questions=report.questions, active=active, search_hits=int(hits.group(1)),
                      seed_seconds=seed_seconds, requests=requests, repeat=repeat, rows=rows)
    finally:
        engine.dispose()


# --- reporting ----------------------------------------------------------------------------

def header(result: Result) -> str:
    return (f"Machine: {os.cpu_count()} CPUs ({platform.machine()}), Python "
            f"{platform.python_version()}, {result.dialect} {result.server_version}; "
            f"{result.questions} questions ({result.active} active, search finds "
            f"{result.search_hits}); {result.requests} requests x {result.repeat} repeats, "
            f"median; seeding took {result.seed_seconds:.1f} s.")


def table(result: Result) -> str:
    lines = ["| page | path | µs/request | vs /healthz | queries/request |",
             "|---|---|---:|---:|---:|"]
    for row in result.rows:
        queries = (f"{row.queries:.0f}" if row.queries == int(row.queries)
                   else f"{row.queries:.1f}")
        lines.append(f"| {row.route.name} | `{row.route.path}` | {row.median_us:,.0f} | "
                     f"{row.ratio:.1f} | {queries} |")
    return "\n".join(lines)


def positive(raw: str) -> int:
    value = int(raw)
    if value <= 0:
        raise argparse.ArgumentTypeError("expected a positive whole number")
    return value


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.pages", description=__doc__.split("\n")[0])
    parser.add_argument("--questions", type=positive, default=10_000,
                        help="questions in the bank, real ones included (default 10000)")
    parser.add_argument("--database-url", default=None,
                        help="a new SQLite file, or a PostgreSQL database whose name contains "
                             "'bench' (created fresh, dropped at the end); default: a temp SQLite file")
    parser.add_argument("--repeat", type=positive, default=5, help="repetitions (default 5)")
    parser.add_argument("--requests", type=positive, default=50,
                        help="requests per route per repetition (default 50)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> Result:
    args = parse_args(argv)
    started = time.perf_counter()
    with fresh_database(args.database_url, keep=args.keep) as url:
        result = run(url, questions=args.questions, requests=args.requests, repeat=args.repeat,
                     log=lambda line: print(line, file=sys.stderr))
    print(header(result))
    print()
    print(table(result))
    print(f"\n(total run {time.perf_counter() - started:.1f} s)", file=sys.stderr)
    return result


if __name__ == "__main__":
    try:
        main()
    except BenchError as exc:
        sys.exit(f"bench: {exc}")
