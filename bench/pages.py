"""Time the key pages, the debrief and the operations in-process, each as a ratio to
/healthz measured in the same run.

    python -m bench.pages [--size default|2k|10k] [--questions N] [--candidates C]
                          [--loops L] [--interviewers I] [--database-url URL] [--repeat R]
                          [--requests K] [--loop-page-requests K2] [--operations N2]
                          [--keep | --reuse]

Builds a fresh database (a SQLite temp file by default; PostgreSQL when --database-url
names one, created fresh and dropped at the end), migrates it with `alembic upgrade head`,
seeds the real question bank plus synthetic questions up to N, then a hiring team and one
open senior requisition with C candidates and their loops, every stage of those held and
scored, a few pre-offer checks and offers (bench/hiring.py, in bulk: bench/bulk.py). It
logs each role in through the real /login form (and gives the admin an API token, for
the API's lists: bench/api.py; and the hiring manager and an interviewer theirs, for the
API's scorecards, pre-offer checks, decisions and a debrief summary: bench/api_lists.py),
then for each page makes K requests R
times through the Flask test client (K2 for a candidate's loop page), each timed on its
own; then counts each page's SQL statements and traces its memory, in passes of their own.
Then it times building a loop (the service, rolled back; the form POST, each time for a
fresh candidate) and saving a submitted scorecard, N2 per repetition, interleaved with
/healthz (bench/operations.py). It prints a Markdown table: median µs, p50 and p95, the
ratio to /healthz, the SQL statements per request (transaction control not counted) and
the peak memory a request added. Every page must answer 200, every API list have rows,
and every POST do what it should, or the run stops with an error. bench/README.md has the
details.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import platform
import re
import resource
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import Any

from alembic import command
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bench import api, api_lists, hiring
from bench import reuse as reuse_seed
from bench.core import (
    ADMIN,
    ANONYMOUS,
    CSRF_META,
    INTERVIEWER,
    INTERVIEWER_EMAIL,
    MANAGER,
    RECRUITER,
    BenchError,
    Route,
    Row,
    added_kib,
    as_clients,
    frozen_garbage,
    get_ok,
    tracing,
)
from bench.operations import scorecard_interview, time_operations
from bench.seed import SeedReport, seed_bank
from bench.wsgi import HASH_COST, ONE_QUERY, bench_app
from interviewloop import paging
from interviewloop.audit.service import SYSTEM
from interviewloop.auth import service as auth_service
from interviewloop.auth.passwords import Hasher
from interviewloop.bank.models import Question
from interviewloop.cli import alembic_config
from interviewloop.db import writing
from interviewloop.enums import Category, Level
from interviewloop.loops.models import Loop

EMAIL = "bench-admin@example.com"
PASSWORD = "bench-admin-passphrase"
SEARCH = {"q": "latency", "category": Category.SYSTEM_DESIGN.value, "level": Level.SENIOR.value}
# Text alone, two fragments inside words: every active question is a candidate for the match
# and the count, as with a person typing part of a word.
TEXT_SEARCH = "q=tenc+rollb"
WARM_UP = 3
COUNTED_REQUESTS = 3  # requests per page in the query-counting pass
MEMORY_REQUESTS = 1  # requests per page in the memory pass (after the warm-ups)
DASHBOARD_ROW = re.compile(r"<tr>\s*<td><a href=\"/requisitions/\d+/candidates/\d+/debrief\">")
RESULT_COUNT = re.compile(r'id="result-count">(\d+) question')


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
    candidates: int = 0
    loops: int = 0  # loops built by the seeding (the web POSTs add more afterwards)
    loop_page_requests: int = 0
    operations: int = 0
    hiring_seconds: float = 0.0
    web_loops: int = 0  # loops the timed POSTs built (each must build one)
    interviews: int = 0  # held (seeded through the scheduling service)
    scorecards: int = 0  # submitted
    drafts: int = 0  # scorecards still owed
    debrief_scorecards: int = 0  # the timed debrief's candidate's (rows of its CSV / areas)
    dashboard_rows: int = 0  # candidates the timed dashboard lists
    rows: list[Row] = field(default_factory=list)
    max_rss_mib: float = 0.0  # the process's resident high-water mark at the end
    reused: bool = False  # timed a kept database (--reuse): nothing was seeded

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


@contextmanager
def kept_database(url: str | None) -> Iterator[str]:
    """A database an earlier run seeded and kept (``--keep``), to be timed again and left
    in place: a SQLite file that exists, or a PostgreSQL database named like the bench's."""
    if url is None:
        raise BenchError("--reuse needs --database-url: the database an earlier run kept")
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if not parsed.database or not os.path.exists(parsed.database):
            raise BenchError(f"{parsed.database} does not exist: nothing to reuse")
    elif "bench" not in (parsed.database or ""):
        raise BenchError(f"database {parsed.database!r} is not a benchmark's: its name must "
                         "contain 'bench'")
    yield url


def database_for(args: argparse.Namespace) -> AbstractContextManager[str]:
    return (kept_database(args.database_url) if args.reuse
            else fresh_database(args.database_url, keep=args.keep))


def build_schema(url: str) -> None:
    config = alembic_config(url)
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")


def make_app(url: str) -> Flask:
    return bench_app(url)


def engine_of(app: Flask) -> Engine:
    return app.extensions["interviewloop.db"]["bind"]


def hasher() -> Hasher:
    return Hasher(memory_kib=HASH_COST["PASSWORD_HASH_MEMORY_KIB"],
                  time_cost=HASH_COST["PASSWORD_HASH_TIME_COST"])


def create_admin(engine: Engine) -> None:
    with Session(bind=writing(engine)) as session, session.begin():
        auth_service.create_user(session, SYSTEM, hasher(), email=EMAIL, name="Bench Admin",
                                 password=PASSWORD, roles=("admin",))


def log_in(client: FlaskClient, email: str = EMAIL) -> None:
    """Log in through the real form, with the CSRF token from the login page."""
    page = client.get("/login")
    match = CSRF_META.search(page.get_data(as_text=True))
    if page.status_code != 200 or not match:
        raise BenchError(f"GET /login gave {page.status_code} without a CSRF token")
    response = client.post("/login", data={"csrf_token": match.group(1), "email": email,
                                           "password": PASSWORD})
    if response.status_code != 302:
        raise BenchError(f"POST /login gave {response.status_code}, not a redirect")


# --- measuring ----------------------------------------------------------------------------

def routes_for(engine: Engine, page_size: int, seed: hiring.HiringSeed | None = None, *,
               loop_page_requests: int | None = None) -> list[Route]:
    with engine.connect() as conn:
        ids = list(conn.scalars(select(Question.id).order_by(Question.id)))
        active = conn.scalar(select(func.count()).select_from(Question)
                             .where(Question.retired_at.is_(None))) or 0
    if not ids:
        raise BenchError("no questions were seeded")
    last_page = max(1, -(-active // page_size))
    query = "&".join(f"{k}={v}" for k, v in SEARCH.items())
    routes = [
        Route("healthz", "/healthz"),
        Route("one query", ONE_QUERY, ANONYMOUS),
        Route("home", "/"),
        Route("bank list", "/bank/"),
        Route("bank list, last page", f"/bank/?page={last_page}"),
        Route("bank search", f"/bank/?{query}"),
        Route("bank text search", f"/bank/?{TEXT_SEARCH}"),
        Route("question detail", f"/bank/questions/{ids[len(ids) // 2]}"),
        Route("rubric", "/bank/rubric"),
        Route("audit log", "/admin/audit"),
    ]
    if seed is not None:
        if not seed.with_loop:
            raise BenchError("no loop was built; the loop page would show none")
        if seed.debrief_id is None:
            raise BenchError("no candidate has every scorecard in; the debrief would be empty")
        debrief = f"/requisitions/{seed.requisition_id}/candidates/{seed.debrief_id}/debrief"
        routes += [
            Route("requisition", f"/requisitions/{seed.requisition_id}", RECRUITER),
            Route("requisitions list", "/requisitions/", RECRUITER),
            Route("candidate's loop", hiring.loop_page(seed, seed.with_loop[-1]), RECRUITER,
                  loop_page_requests),
            Route("loop templates", "/loop-templates", RECRUITER),
            Route("debrief", debrief, MANAGER),
            Route("requisition dashboard", f"/requisitions/{seed.requisition_id}/dashboard",
                  MANAGER),
            Route("debrief CSV", debrief + ".csv", MANAGER),
            Route("scheduling board", f"/requisitions/{seed.requisition_id}/board", RECRUITER),
            Route("interviewer home", "/", INTERVIEWER),
            Route("scorecard form", f"/interviews/{scorecard_interview(engine)}/scorecard",
                  INTERVIEWER),
            *analytics_routes(),
            *api_lists.api_routes(Route, seed),
        ]
    return routes + [Route(name, path, api.API) for name, path in api.lists(seed is not None)]


ANALYTICS_PAGES = ("interviewers", "reliability", "questions", "funnel")


def analytics_routes() -> list[Route]:
    """The four reports (issue 12) and their CSV twins as the hiring manager, who manages
    the requisition (every scorecard in their view), and the interviewers report as an
    interviewer (their own row beside the pool, fewer candidates visible)."""
    return [*(Route(f"analytics {name}", f"/analytics/{name}", MANAGER) for name in ANALYTICS_PAGES),
            *(Route(f"analytics {name} CSV", f"/analytics/{name}.csv", MANAGER)
              for name in ANALYTICS_PAGES),
            Route("analytics interviewers, interviewer", "/analytics/interviewers", INTERVIEWER)]


def check_debrief_pages(clients: Mapping[str, FlaskClient], routes: Sequence[Route],
                        seed: hiring.HiringSeed) -> tuple[int, int]:
    """The debrief pages must show what they are timed for: the CSV a row per scorecard and
    area, with scorecards in it; the dashboard a full first page. Returns (scorecards in
    the debrief, candidates on the dashboard)."""
    path = {r.name: r.path for r in routes}
    text = get_ok(clients[MANAGER], path["debrief CSV"]).get_data(as_text=True)
    table = list(csv.reader(io.StringIO(text)))
    if [] not in table:
        raise BenchError(f"GET {path['debrief CSV']} is not the debrief's CSV")
    ratings = table[1:table.index([])]
    cards = {(row[1], row[2]) for row in ratings}
    areas = {row[3] for row in ratings}
    if not cards or len(ratings) != len(cards) * len(areas):
        raise BenchError(f"GET {path['debrief CSV']} has {len(ratings)} rating rows for "
                         f"{len(cards)} scorecards; the debrief would time an empty page")
    page = get_ok(clients[MANAGER], path["requisition dashboard"]).get_data(as_text=True)
    listed = len(DASHBOARD_ROW.findall(page))
    if listed != min(seed.candidates, paging.BOARD_PAGE):  # its first page
        raise BenchError(f"the dashboard's first page lists {listed} of {seed.candidates} "
                         "candidates")
    return len(cards), listed


def time_routes(clients: FlaskClient | Mapping[str, FlaskClient], routes: Sequence[Route], *,
                requests: int, repeat: int,
                clock: Callable[[], int] = time.perf_counter_ns) -> list[Row]:
    """K requests per route, R times, routes interleaved so drift hits them all alike.
    ``clients``: one logged-in test client per ``Route.who`` (or one client for all)."""
    by_who = as_clients(clients)
    rows = [Row(route, []) for route in routes]
    for row in rows:
        for _ in range(WARM_UP):
            get_ok(by_who[row.route.who], row.route.path)
    for _ in range(repeat):
        for row in rows:
            client, path = by_who[row.route.who], row.route.path
            count = row.route.requests or requests
            block = []
            for _ in range(count):
                start = clock()
                response = client.get(path)
                block.append((clock() - start) / 1000)
                if response.status_code != 200:
                    raise BenchError(f"GET {path} gave {response.status_code}, not 200")
            row.each_us += block
            row.samples_us.append(statistics.fmean(block))
    baseline = rows[0].median_us
    for row in rows:
        row.ratio = row.median_us / baseline
    return rows


def count_queries(clients: FlaskClient | Mapping[str, FlaskClient], engine: Engine,
                  rows: list[Row], requests: int = COUNTED_REQUESTS) -> None:
    """SQL statements per request, counted in a pass of its own (not while timing)."""
    by_who = as_clients(clients)
    with hiring.counting(engine) as statements:
        for row in rows:
            count = min(requests, row.route.requests or requests)
            statements.clear()
            for _ in range(count):
                get_ok(by_who[row.route.who], row.route.path)
            row.queries = len(statements) / count


def measure_memory(clients: FlaskClient | Mapping[str, FlaskClient], rows: list[Row]) -> None:
    """Peak memory added per request, the most of MEMORY_REQUESTS, in a pass of its own."""
    by_who = as_clients(clients)
    with tracing():
        for row in rows:
            client, path = by_who[row.route.who], row.route.path
            row.peak_kib = max(added_kib(lambda c=client, p=path: get_ok(c, p))
                               for _ in range(MEMORY_REQUESTS))


@dataclass
class Prepared:
    """A seeded database and the app on it, with a logged-in client per role."""

    report: Any  # bench.seed.SeedReport
    seed_seconds: float
    seed: hiring.HiringSeed | None
    hiring_seconds: float
    clients: dict[str, FlaskClient]
    routes: list[Route]


def seed_all(engine: Engine, *, questions: int, candidates: int, loops: int | None,
             interviewers: int, log: Callable[[str], None],
             ) -> tuple[float, SeedReport, hiring.HiringSeed | None, float]:
    started = time.perf_counter()
    report = seed_bank(engine, questions)
    seed_seconds = time.perf_counter() - started
    log(f"Seeded {report.questions} questions ({report.real} real) in {seed_seconds:.1f} s")
    create_admin(engine)
    seed, hiring_seconds = None, 0.0
    if candidates:
        started = time.perf_counter()
        try:
            seed = hiring.seed_hiring(engine, hasher(), PASSWORD, candidates=candidates,
                                      loops_built=loops, interviewers=interviewers, log=log)
        except hiring.HiringError as exc:
            raise BenchError(str(exc)) from exc
        hiring_seconds = time.perf_counter() - started
        log(f"Seeded the requisition, {seed.candidates} candidates and "
            f"{seed.loops} loops in {hiring_seconds:.1f} s")
    return seed_seconds, report, seed, hiring_seconds


def prepare(app: Flask, *, questions: int, candidates: int, loops: int | None,
            interviewers: int, loop_page_requests: int | None = None, reuse: bool = False,
            log: Callable[[str], None] = lambda _line: None) -> Prepared:
    """Seed the bank and (unless ``candidates=0``) the hiring side, log everyone in;
    ``reuse``: read back what an earlier run seeded instead (bench/reuse.py)."""
    engine = engine_of(app)
    if reuse:
        report, seed = reuse_seed.read_bank(engine), reuse_seed.read_hiring(engine)
        log(f"Reusing {report.questions} questions and "
            f"{seed.candidates if seed else 0} candidates")
        seed_seconds = hiring_seconds = 0.0
    else:
        seed_seconds, report, seed, hiring_seconds = seed_all(
            engine, questions=questions, candidates=candidates, loops=loops,
            interviewers=interviewers, log=log)
    clients = {who: app.test_client()
               for who in (ADMIN, RECRUITER, MANAGER, INTERVIEWER, ANONYMOUS)}
    log_in(clients[ADMIN])
    clients[api.API] = api.token_client(app, engine, EMAIL)
    if seed is not None:
        log_in(clients[RECRUITER], hiring.RECRUITER_EMAIL)
        log_in(clients[MANAGER], hiring.MANAGER_EMAIL)
        log_in(clients[INTERVIEWER], INTERVIEWER_EMAIL)
        clients.update(api_lists.token_clients(app, engine, INTERVIEWER_EMAIL))
    routes = routes_for(engine, app.config["BANK_PAGE_SIZE"], seed,
                        loop_page_requests=loop_page_requests)
    return Prepared(report, seed_seconds, seed, hiring_seconds, clients, routes)


def run(url: str, *, questions: int, requests: int, repeat: int, candidates: int = 0,
        loops: int | None = None, loop_page_requests: int | None = None, operations: int = 1,
        interviewers: int = hiring.INTERVIEWERS, reuse: bool = False,
        log: Callable[[str], None] = lambda _line: None) -> Result:
    """The whole run; ``candidates=0`` leaves the hiring side out (bank pages only);
    ``loops=None``: every active candidate but a reserve, and the rejected ones, have one;
    ``reuse``: time a database an earlier run seeded and kept (the sizes are ignored)."""
    build_schema(url)
    app = make_app(url)
    engine = engine_of(app)
    try:
        ready = prepare(app, questions=questions, candidates=candidates, loops=loops,
                        interviewers=interviewers, loop_page_requests=loop_page_requests,
                        reuse=reuse, log=log)
        report, seed_seconds, seed = ready.report, ready.seed_seconds, ready.seed
        hiring_seconds, clients, routes, web_loops = (ready.hiring_seconds, ready.clients,
                                                      ready.routes, 0)
        shown = check_debrief_pages(clients, routes, seed) if seed is not None else (0, 0)
        if seed is not None:
            try:
                api_lists.check_api_lists(clients, routes)
            except hiring.HiringError as exc:
                raise BenchError(str(exc)) from exc
        search = next(r for r in routes if r.name == "bank search")
        hits = RESULT_COUNT.search(get_ok(clients[ADMIN], search.path).get_data(as_text=True))
        if not hits or int(hits.group(1)) == 0:
            raise BenchError(f"the search {search.path} found nothing; it would time an empty page")
        with engine.connect() as conn:
            active = conn.scalar(select(func.count()).select_from(Question)
                                 .where(Question.retired_at.is_(None))) or 0
            version = (".".join(map(str, engine.dialect.server_version_info or ()))
                       if engine.dialect.name != "sqlite" else sqlite3.sqlite_version)
        log("Timing the pages ...")
        with frozen_garbage():
            rows = time_routes(clients, routes, requests=requests, repeat=repeat)
            count_queries(clients, engine, rows)
            measure_memory(clients, rows)
            if seed is not None:
                log("Timing building a loop and saving a scorecard ...")
                rows += time_operations(clients, engine, seed, operations=operations,
                                        repeat=repeat, requests=requests)
                with engine.connect() as conn:
                    loops_now = conn.scalar(select(func.count()).select_from(Loop)) or 0
                web_loops = loops_now - seed.loops
                log(f"{web_loops} loops were built through the web")
        return Result(dialect=engine.dialect.name, server_version=version,
                      questions=report.questions, active=active, search_hits=int(hits.group(1)),
                      seed_seconds=seed_seconds, requests=requests, repeat=repeat,
                      candidates=seed.candidates if seed else 0,
                      loops=seed.loops if seed else 0,
                      loop_page_requests=loop_page_requests or requests,
                      operations=operations if seed else 0,
                      hiring_seconds=hiring_seconds, web_loops=web_loops,
                      interviews=seed.interviews if seed else 0,
                      scorecards=seed.scorecards if seed else 0,
                      drafts=seed.drafts if seed else 0,
                      debrief_scorecards=shown[0], dashboard_rows=shown[1], rows=rows,
                      max_rss_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      reused=reuse)
    finally:
        engine.dispose()


# --- reporting ----------------------------------------------------------------------------

def header(result: Result) -> str:
    line = (f"Machine: {os.cpu_count()} CPUs ({platform.machine()}), Python "
            f"{platform.python_version()}, {result.dialect} {result.server_version}; "
            f"{result.questions} questions ({result.active} active, search finds "
            f"{result.search_hits}); ")
    if result.candidates:
        line += (f"one open senior requisition with {result.candidates} candidates, "
                 f"{result.loops} of them with loops, {result.interviews} interviews held, "
                 f"{result.scorecards} scorecards submitted ({result.debrief_scorecards} on "
                 "the debrief's candidate); ")
    line += f"{result.requests} requests x {result.repeat} repeats"
    if result.candidates:
        line += (f" ({result.loop_page_requests} for the loop page; {result.operations} of each "
                 "operation per repeat)")
    line += (", median of the repeats' means, p50 and p95 of single requests, the objects of "
             "the warmed-up process frozen out of the garbage collector as in a gunicorn "
             "worker; peak memory "
             f"of the process {result.max_rss_mib:,.0f} MiB; ")
    if result.reused:
        return line + "a database kept by an earlier run, reused as it was (--reuse)."
    line += f"seeding took {result.seed_seconds:.1f} s"
    if result.candidates:
        line += (f" for the bank, {result.hiring_seconds:.1f} s for the requisition, loops, "
                 "interviews and scorecards")
    return line + "."


def table(result: Result) -> str:
    lines = ["| page | path | median µs | p50 µs | p95 µs | vs /healthz | queries | "
             "peak KiB added |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for row in result.rows:
        queries = (f"{row.queries:.0f}" if row.queries == int(row.queries)
                   else f"{row.queries:.1f}")
        lines.append(f"| {row.route.name} | `{row.route.path}` | {row.median_us:,.0f} | "
                     f"{row.p50_us:,.0f} | {row.p95_us:,.0f} | {row.ratio:.1f} | {queries} | "
                     f"{row.peak_kib:,.0f} |")
    if any(row.route.name.startswith("build a loop") for row in result.rows):
        lines.append("\nThe operations' rows are per operation: µs, and SQL statements, of "
                     "the service call alone or of the whole POST request; their ratio is to "
                     "the /healthz blocks timed between them.")
    return "\n".join(lines)


def positive(raw: str) -> int:
    value = int(raw)
    if value <= 0:
        raise argparse.ArgumentTypeError("expected a positive whole number")
    return value


def not_negative(raw: str) -> int:
    value = int(raw)
    if value < 0:
        raise argparse.ArgumentTypeError("expected zero or a positive whole number")
    return value


# --size: (questions, candidates, loops); loops None: every active candidate but a reserve
# of hiring.FRESH_RESERVE, and every rejected one.
SIZES: dict[str, tuple[int, int, int | None]] = {
    "default": (10_000, 500, 50), "2k": (10_000, 2_000, None), "10k": (30_000, 10_000, None)}


def add_size_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--size", choices=SIZES, default=os.environ.get("BENCH_SIZE", "default"),
                        help="default: 10000 questions, 500 candidates, 50 loops; 2k: 2000 "
                             "candidates; 10k: 10000 candidates and 30000 questions; in the "
                             "2k and 10k sizes every active candidate but "
                             f"{hiring.FRESH_RESERVE} and every rejected one has a loop "
                             "(env BENCH_SIZE; the options below override it)")
    parser.add_argument("--questions", type=positive, default=None,
                        help="questions in the bank, real ones included")
    parser.add_argument("--candidates", type=not_negative, default=None,
                        help="candidates on the open requisition (0 leaves the requisition, "
                             "loops and their rows out)")
    parser.add_argument("--loops", type=positive, default=None,
                        help="of the active candidates, how many get a loop at seeding")
    parser.add_argument("--interviewers", type=positive, default=hiring.INTERVIEWERS,
                        help=f"interviewers on the hiring team (default {hiring.INTERVIEWERS}; "
                             "at least 2: the panels are pairs)")


def apply_size(args: argparse.Namespace) -> argparse.Namespace:
    questions, candidates, loops = SIZES[args.size]
    args.questions = args.questions or questions
    args.candidates = candidates if args.candidates is None else args.candidates
    args.loops = args.loops or loops
    if args.interviewers < 2:
        raise BenchError("--interviewers: a panel of two needs two interviewers")
    return args


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.pages", description=__doc__.split("\n")[0])
    add_size_arguments(parser)
    parser.add_argument("--database-url", default=None,
                        help="a new SQLite file, or a PostgreSQL database whose name contains "
                             "'bench' (created fresh, dropped at the end); default: a temp SQLite file")
    parser.add_argument("--repeat", type=positive, default=5, help="repetitions (default 5)")
    parser.add_argument("--requests", type=positive, default=50,
                        help="requests per route per repetition (default 50)")
    parser.add_argument("--loop-page-requests", type=positive, default=5,
                        help="requests per repetition for a candidate's loop page (default 5)")
    parser.add_argument("--operations", type=positive, default=3,
                        help="loops built per repetition, through the service and through "
                             "the web each (default 3)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    add_reuse_argument(parser)
    return apply_size(parser.parse_args(argv))


def add_reuse_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--reuse", action="store_true",
                        help="time the database at --database-url that an earlier run kept, "
                             "as it is, without seeding (the size options are ignored)")


def main(argv: Sequence[str] | None = None) -> Result:
    args = parse_args(argv)
    started = time.perf_counter()
    with database_for(args) as url:
        result = run(url, questions=args.questions, requests=args.requests, repeat=args.repeat,
                     candidates=args.candidates, loops=args.loops,
                     loop_page_requests=args.loop_page_requests, operations=args.operations,
                     interviewers=args.interviewers, reuse=args.reuse,
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
