"""Time the key pages, the debrief and building a loop in-process, each as a ratio to
/healthz measured in the same run.

    python -m bench.pages [--questions N] [--candidates C] [--loops L] [--database-url URL]
                          [--repeat R] [--requests K] [--loop-page-requests K2]
                          [--operations N2] [--keep]

Builds a fresh database (a SQLite temp file by default; PostgreSQL when --database-url
names one, created fresh and dropped at the end), migrates it with `alembic upgrade head`,
seeds the real question bank plus synthetic questions up to N, then a hiring team and one
open senior requisition with C candidates, L of them with loops built, every stage of those
held and scored, a few pre-offer checks and offers (bench/hiring.py). It logs an admin, the
recruiter and the hiring manager in through the real /login form, then for each page
makes K requests R times through the Flask test client (K2 for a candidate's loop page,
which costs a few hundred ms a request at full size): the bank's pages, the requisition's,
a candidate's debrief, its CSV and the requisition dashboard, and the JSON API's lists of
scorecards, pre-offer checks and decisions and a debrief summary, with bearer tokens
(bench/api_lists.py). Then it times building a loop, N2
times per repetition each way: the service call build_loop (rolled back each time) and the form
POST through the web (each time for a fresh candidate). It prints a Markdown table: median
µs per request or operation, the ratio to /healthz, and the SQL statements per request
(transaction control — BEGIN, SAVEPOINT, ... — not counted). Every page must answer 200
and every POST must build its loop, or the run stops with an error.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import platform
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from alembic import command
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bench import api_lists, hiring
from bench.seed import seed_bank
from interviewloop import create_app, paging
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
HASH_COST = {"PASSWORD_HASH_MEMORY_KIB": 256, "PASSWORD_HASH_TIME_COST": 1}
SEARCH = {"q": "latency", "category": Category.SYSTEM_DESIGN.value, "level": Level.SENIOR.value}
WARM_UP = 3
OPERATION_WARM_UP = 1
COUNTED_REQUESTS = 3  # requests per page in the query-counting pass
ADMIN, RECRUITER, MANAGER = "admin", "recruiter", "manager"  # who is logged in for a page
INTERVIEWER = "interviewer"  # bench-interviewer1, on the panel of a quarter of the interviews
INTERVIEWER_EMAIL = "bench-interviewer1@example.com"
DASHBOARD_ROW = re.compile(r"<tr>\s*<td><a href=\"/requisitions/\d+/candidates/\d+/debrief\">")
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
RESULT_COUNT = re.compile(r'id="result-count">(\d+) question')


class BenchError(RuntimeError):
    """The benchmark could not measure what it claims to (a page failed, bad arguments)."""


@dataclass(frozen=True)
class Route:
    name: str
    path: str
    who: str = ADMIN  # the logged-in user the page is requested as
    requests: int | None = None  # per repetition; None: the run's --requests


@dataclass
class Row:
    route: Route
    samples_us: list[float]  # one per repetition: mean µs per request (or operation)
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
    candidates: int = 0
    loops: int = 0  # loops built by the seeding (the web POSTs add more afterwards)
    loop_page_requests: int = 0
    operations: int = 0
    hiring_seconds: float = 0.0
    web_loops: int = 0  # loops the timed POSTs built (each must build one)
    interviews: int = 0  # held (seeded through the scheduling service)
    scorecards: int = 0  # submitted
    debrief_scorecards: int = 0  # the timed debrief's candidate's (rows of its CSV / areas)
    dashboard_rows: int = 0  # candidates the timed dashboard lists
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
        Route("home", "/"),
        Route("bank list", "/bank/"),
        Route("bank list, last page", f"/bank/?page={last_page}"),
        Route("bank search", f"/bank/?{query}"),
        Route("question detail", f"/bank/questions/{ids[len(ids) // 2]}"),
        Route("rubric", "/bank/rubric"),
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
            Route("candidate's loop", hiring.loop_page(seed, seed.with_loop[0]), RECRUITER,
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
            *api_lists.api_routes(Route, seed),
        ]
    return routes


def scorecard_interview(engine: Engine) -> int:
    """An interview the bench interviewer sat on and submitted a scorecard for."""
    from interviewloop.auth.models import User
    from interviewloop.scorecards.models import Scorecard, ScorecardStatus

    with engine.connect() as conn:
        interview_id = conn.scalar(
            select(Scorecard.interview_id).join(User, User.id == Scorecard.interviewer_id)
            .where(User.email == INTERVIEWER_EMAIL,
                   Scorecard.status == ScorecardStatus.SUBMITTED)
            .order_by(Scorecard.id).limit(1))
    if interview_id is None:
        raise BenchError("the bench interviewer has no submitted scorecard to time")
    return interview_id


def time_scorecard_saves(client: FlaskClient, engine: Engine, baseline: Row, *,
                         operations: int, repeat: int) -> Row:
    """Saving changes to a submitted scorecard through the web, as its author: the full
    check (completeness, contradiction, version) plus a kept revision. Each POST carries
    the version read from the form just before, so none is refused as stale; only the POST
    is timed."""
    path = f"/interviews/{scorecard_interview(engine)}/scorecard"

    def post(round_: int, counted: list[int] | None = None) -> float:
        page = get_ok(client, path).get_data(as_text=True)
        version = re.search(r'name="version" value="(\d+)"', page)
        token = CSRF_META.search(page)
        if not version or not token:
            raise BenchError(f"{path} has no version or CSRF token")
        form = {"csrf_token": token.group(1), "version": version.group(1), "action": "submit",
                "recommendation": "hire", "summary": f"Edited in the benchmark, round {round_}."}
        ratings = dict.fromkeys(re.findall(r'<input type="radio" name="(rating_\d+)"', page), "")
        ratings |= dict(re.findall(
            r'<input type="radio" name="(rating_\d+)" value="([^"]*)"[^>]*\bchecked\b', page))
        for name, chosen in ratings.items():
            area = name.split("_")[1]
            evidence = re.search(rf'name="evidence_{area}"[^>]*>([^<]*)</textarea>', page)
            form[name] = chosen
            form[f"evidence_{area}"] = evidence.group(1) if evidence else ""
        with hiring.counting(engine) as statements:
            started = time.perf_counter_ns()
            response = client.post(path, data=form)
            elapsed = time.perf_counter_ns() - started
        if response.status_code != 302:
            raise BenchError(f"POST {path} gave {response.status_code}, not a redirect")
        if counted is not None:
            counted.append(len(statements))
        return elapsed / 1000

    for n in range(OPERATION_WARM_UP):
        post(-1 - n)
    samples = [post(n) for n in range(operations * repeat)]
    blocks = [statistics.fmean(samples[i:i + operations])
              for i in range(0, len(samples), operations)]
    counted: list[int] = []
    post(-99, counted)
    return operation_row(Route("save a submitted scorecard", f"POST {path}", INTERVIEWER,
                               operations), (blocks, counted[0]), baseline)


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


def get_ok(client: FlaskClient, path: str) -> Any:
    response = client.get(path)
    if response.status_code != 200:
        raise BenchError(f"GET {path} gave {response.status_code}, not 200")
    return response


def as_clients(clients: FlaskClient | Mapping[str, FlaskClient]) -> Mapping[str, FlaskClient]:
    return clients if isinstance(clients, Mapping) else {ADMIN: clients}


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
            start = clock()
            for _ in range(count):
                response = client.get(path)
                if response.status_code != 200:
                    raise BenchError(f"GET {path} gave {response.status_code}, not 200")
            row.samples_us.append((clock() - start) / count / 1000)
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


def operation_row(route: Route, measured: tuple[list[float], float], baseline: Row) -> Row:
    samples, queries = measured
    row = Row(route, samples, queries=queries)
    row.ratio = row.median_us / baseline.median_us
    return row


def time_building(clients: Mapping[str, FlaskClient], engine: Engine, seed: hiring.HiringSeed,
                  baseline: Row, *, operations: int, repeat: int) -> list[Row]:
    """Build a loop, through the service (rolled back) and through the web (committed)."""
    try:
        service = hiring.time_service_build(engine, seed, operations=operations, repeat=repeat,
                                            warm_up=OPERATION_WARM_UP)
        web = hiring.time_web_build(clients[RECRUITER], engine, seed, operations=operations,
                                    repeat=repeat, warm_up=OPERATION_WARM_UP)
    except hiring.HiringError as exc:
        raise BenchError(str(exc)) from exc
    page = f"/requisitions/{seed.requisition_id}/candidates/<fresh>/loop"
    return [operation_row(Route("build a loop, service", "build_loop(), rolled back",
                                RECRUITER, operations), service, baseline),
            operation_row(Route("build a loop, web", f"POST {page}", RECRUITER, operations),
                          web, baseline)]


def run(url: str, *, questions: int, requests: int, repeat: int, candidates: int = 0,
        loops: int = 0, loop_page_requests: int | None = None, operations: int = 1,
        log: Callable[[str], None] = lambda _line: None) -> Result:
    """The whole run; ``candidates=0`` leaves the hiring side out (bank pages only)."""
    build_schema(url)
    app = make_app(url)
    engine = engine_of(app)
    try:
        started = time.perf_counter()
        report = seed_bank(engine, questions)
        seed_seconds = time.perf_counter() - started
        log(f"Seeded {report.questions} questions ({report.real} real) in {seed_seconds:.1f} s")
        create_admin(engine)
        seed, hiring_seconds, web_loops = None, 0.0, 0
        if candidates:
            started = time.perf_counter()
            try:
                seed = hiring.seed_hiring(engine, hasher(), PASSWORD, candidates=candidates,
                                          loops_built=loops, log=log)
            except hiring.HiringError as exc:
                raise BenchError(str(exc)) from exc
            hiring_seconds = time.perf_counter() - started
            log(f"Seeded the requisition, {seed.candidates} candidates and "
                f"{len(seed.with_loop)} loops in {hiring_seconds:.1f} s")
        clients: dict[str, Any] = {ADMIN: app.test_client(), RECRUITER: app.test_client(),
                                   MANAGER: app.test_client(), INTERVIEWER: app.test_client()}
        log_in(clients[ADMIN])
        if seed is not None:
            log_in(clients[RECRUITER], hiring.RECRUITER_EMAIL)
            log_in(clients[MANAGER], hiring.MANAGER_EMAIL)
            log_in(clients[INTERVIEWER], INTERVIEWER_EMAIL)
            clients.update(api_lists.token_clients(app, engine, INTERVIEWER_EMAIL))
        routes = routes_for(engine, app.config["BANK_PAGE_SIZE"], seed,
                            loop_page_requests=loop_page_requests)
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
        rows = time_routes(clients, routes, requests=requests, repeat=repeat)
        count_queries(clients, engine, rows)
        if seed is not None:
            log("Timing building a loop ...")
            rows += time_building(clients, engine, seed, rows[0], operations=operations,
                                  repeat=repeat)
            with engine.connect() as conn:
                loops_now = conn.scalar(select(func.count()).select_from(Loop)) or 0
            web_loops = loops_now - len(seed.with_loop)
            log(f"{web_loops} loops were built through the web")
            rows.append(time_scorecard_saves(clients[INTERVIEWER], engine, rows[0],
                                             operations=operations, repeat=repeat))
        return Result(dialect=engine.dialect.name, server_version=version,
                      questions=report.questions, active=active, search_hits=int(hits.group(1)),
                      seed_seconds=seed_seconds, requests=requests, repeat=repeat,
                      candidates=seed.candidates if seed else 0,
                      loops=len(seed.with_loop) if seed else 0,
                      loop_page_requests=loop_page_requests or requests,
                      operations=operations if seed else 0,
                      hiring_seconds=hiring_seconds, web_loops=web_loops,
                      interviews=seed.interviews if seed else 0,
                      scorecards=seed.scorecards if seed else 0,
                      debrief_scorecards=shown[0], dashboard_rows=shown[1], rows=rows)
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
        builds = f"{result.operations} build{'s' if result.operations != 1 else ''}"
        line += f" ({result.loop_page_requests} for the loop page; {builds} per repeat each way)"
    line += f", median; seeding took {result.seed_seconds:.1f} s"
    if result.candidates:
        line += (f" for the bank, {result.hiring_seconds:.1f} s for the requisition, loops, "
                 "interviews and scorecards")
    return line + "."


def table(result: Result) -> str:
    lines = ["| page | path | µs/request | vs /healthz | queries/request |",
             "|---|---|---:|---:|---:|"]
    for row in result.rows:
        queries = (f"{row.queries:.0f}" if row.queries == int(row.queries)
                   else f"{row.queries:.1f}")
        lines.append(f"| {row.route.name} | `{row.route.path}` | {row.median_us:,.0f} | "
                     f"{row.ratio:.1f} | {queries} |")
    if any(row.route.name.startswith("build a loop") for row in result.rows):
        lines.append("\nThe two \"build a loop\" rows are per loop built: µs, and SQL "
                     "statements, of the service call alone or of the whole POST request.")
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


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.pages", description=__doc__.split("\n")[0])
    parser.add_argument("--questions", type=positive, default=10_000,
                        help="questions in the bank, real ones included (default 10000)")
    parser.add_argument("--candidates", type=not_negative, default=500,
                        help="candidates on the open requisition (default 500; 0 leaves the "
                             "requisition, loops and their rows out)")
    parser.add_argument("--loops", type=positive, default=50,
                        help="of those, how many get a loop built at seeding (default 50)")
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
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> Result:
    args = parse_args(argv)
    started = time.perf_counter()
    with fresh_database(args.database_url, keep=args.keep) as url:
        result = run(url, questions=args.questions, requests=args.requests, repeat=args.repeat,
                     candidates=args.candidates, loops=args.loops,
                     loop_page_requests=args.loop_page_requests, operations=args.operations,
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
