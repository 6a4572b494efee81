"""The page benchmark (bench/pages.py, bench/hiring.py) runs once at a tiny size, so that it
cannot rot.

It runs against the kind of database the suite uses: a SQLite temp file, or a fresh
PostgreSQL database (suffix _bench_<worker>_<pid>) when TEST_DATABASE_URL is set."""

from __future__ import annotations

import contextlib
import gc
import io
import os

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench import api, core, hiring, pages
from interviewloop.audit.service import Actor
from interviewloop.loops import service as loops
from interviewloop.requisitions import service as requisitions
from tests.conftest import _worker_suffix
from tests.factories import (
    make_candidate,
    make_requisition,
    past_interview,
    write_scorecard,
)

BANK_PAGES = ["healthz", "one query", "home", "bank list", "bank list, last page",
              "bank search", "bank text search", "question detail", "rubric", "audit log"]
HIRING_PAGES = ["requisition", "requisitions list", "candidate's loop", "loop templates"]
DEBRIEF_PAGES = ["debrief", "requisition dashboard", "debrief CSV"]
SCHEDULING_PAGES = ["scheduling board", "interviewer home", "scorecard form"]
ANALYTICS_PAGES = [*(f"analytics {n}" for n in pages.ANALYTICS_PAGES),
                   *(f"analytics {n} CSV" for n in pages.ANALYTICS_PAGES),
                   "analytics interviewers, interviewer"]
API_HIRING_LISTS = ["API scorecards", "API scorecards, interviewer",
                    "API scorecards of a requisition", "API pre-offer checks", "API decisions",
                    "API debrief summary"]
BUILDS = ["build a loop, service", "build a loop, web"]
SAVES = ["save a submitted scorecard"]
API_BANK_LISTS = ["API bank questions", "API users"]
API_LISTS = ["API requisitions", "API candidates", "API loops", "API interviews",
             *API_BANK_LISTS]
ROUTE_NAMES = (BANK_PAGES + HIRING_PAGES + DEBRIEF_PAGES + SCHEDULING_PAGES + ANALYTICS_PAGES
               + API_HIRING_LISTS
               + API_LISTS + BUILDS + SAVES)
# The 2k size at a toy scale: no --loops, so every active candidate but a reserve, and the
# rejected ones, get a loop.
TINY = {"size": "2k", "questions": 200, "candidates": 20, "requests": 1, "repeat": 2,
        "loop-page-requests": 2, "operations": 1}
SMALL = {"questions": 80, "candidates": 12, "loops": 3, "interviewers": 4, "requests": 1, "repeat": 1,
         "loop-page-requests": 1, "operations": 1}


def bench_database_url(tmp_path) -> str:
    base = os.environ.get("TEST_DATABASE_URL")
    if base:
        url = make_url(base)
        name = f"{url.database}_bench_{_worker_suffix()}_{os.getpid()}"
        return url.set(database=name).render_as_string(hide_password=False)
    return f"sqlite:///{tmp_path / 'bench.db'}"


def database_exists(url: str) -> bool:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return os.path.exists(parsed.database)
    server = create_engine(parsed.set(database="postgres"))
    try:
        with server.connect() as conn:
            return conn.scalar(text("SELECT count(*) FROM pg_database WHERE datname = :name"),
                               {"name": parsed.database}) == 1
    finally:
        server.dispose()


def arguments(url: str, **sizes: int | str) -> list[str]:
    return [*(part for name, value in sizes.items() for part in (f"--{name}", str(value))),
            "--database-url", url]


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    url = bench_database_url(tmp_path_factory.mktemp("bench"))
    return url, pages.main(arguments(url, **TINY))


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    """A second run, with fewer candidates, loops and questions: (result, what it printed)."""
    url = bench_database_url(tmp_path_factory.mktemp("bench-small"))
    with contextlib.redirect_stdout(io.StringIO()) as out:
        result = pages.main(arguments(url, **SMALL))
    return result, out.getvalue()


def test_tiny_run_times_every_page_against_healthz(tiny_run):
    url, result = tiny_run
    assert [row.route.name for row in result.rows] == ROUTE_NAMES
    assert result.dialect == make_url(url).get_dialect().name
    assert result.questions == 200
    assert 0 < result.active < 200  # some seeded questions are retired
    assert result.search_hits > 0
    for row in result.rows:
        assert len(row.samples_us) == 2, row.route.name
        assert all(sample > 0 for sample in row.samples_us), row.route.name
        if row.route.name not in BUILDS + SAVES:  # those: to the /healthz timed between them
            assert row.ratio == pytest.approx(row.median_us / result.row("healthz").median_us)
    assert result.row("healthz").ratio == 1
    # The bank's list must go through the real query, not a cached or redirected page.
    assert result.row("bank list").median_us > result.row("healthz").median_us
    for row in result.rows:  # every request timed on its own, and its memory traced
        per_repeat = row.route.requests or TINY["requests"]
        assert len(row.each_us) == TINY["repeat"] * per_repeat, row.route.name
        assert 0 < row.p50_us <= row.p95_us <= max(row.each_us), row.route.name
        assert row.peak_kib > 0, row.route.name
    # The floor of a real page: one statement and the base layout, nobody logged in.
    assert result.row("one query").queries == 1
    assert result.row("one query").route.who == pages.ANONYMOUS


def test_percentiles_are_nearest_rank():
    samples = list(range(100, 0, -1))  # 100 .. 1, unsorted
    assert (core.percentile(samples, 50), core.percentile(samples, 95)) == (50, 95)
    assert core.percentile([7.0], 95) == 7.0 and core.percentile([], 50) == 0
    assert core.percentile([1, 2, 3, 4], 50) == 2 and core.percentile([1, 2, 3, 4], 95) == 4


def test_the_timing_freezes_what_is_alive_and_lets_it_go_after():
    """Objects alive when the timing starts are out of the collector's sight while it runs
    (as in a gunicorn worker), and back in it afterwards (the suite's process goes on)."""
    before = gc.get_freeze_count()
    with core.frozen_garbage():
        assert gc.get_freeze_count() > before
    assert gc.get_freeze_count() == before


def test_sizes_fill_what_is_not_given():
    args = pages.parse_args(["--size", "10k"])
    assert (args.questions, args.candidates, args.loops) == (30_000, 10_000, None)
    args = pages.parse_args(["--size", "2k", "--candidates", "300", "--loops", "7"])
    assert (args.questions, args.candidates, args.loops) == (10_000, 300, 7)
    assert pages.parse_args([]).candidates == 500 and pages.parse_args([]).loops == 50
    with pytest.raises(pages.BenchError, match="two interviewers"):
        pages.parse_args(["--interviewers", "1"])


def test_loops_go_to_all_but_a_reserve_and_to_the_rejected():
    from interviewloop.requisitions.models import CandidateStatus as S

    statuses = {S.ACTIVE: list(range(1, 201)), S.REJECTED: [500, 501], S.WITHDRAWN: [600]}
    chosen, others = hiring.choose_loops(statuses, None)
    assert len(chosen) == 150 and set(chosen) < set(statuses[S.ACTIVE])  # 50 left fresh
    assert chosen == sorted(chosen) and chosen[0] == 1 and others == [500, 501]
    chosen, others = hiring.choose_loops(statuses, 4)
    assert chosen == [1, 51, 101, 151] and others == []
    with pytest.raises(hiring.HiringError, match="need more than the 200 active"):
        hiring.choose_loops(statuses, 200)


def test_tiny_run_seeds_the_requisition_and_times_its_pages(tiny_run):
    _url, result = tiny_run
    assert result.candidates == 20
    # Half the active ones (a toy requisition keeps half fresh) and the rejected ones.
    assert 3 <= result.loops < 20
    requisition = result.row("requisition").route.path
    assert requisition.startswith("/requisitions/")
    assert result.row("candidate's loop").route.path.startswith(requisition + "/candidates/")
    assert result.row("candidate's loop").route.requests == 2  # --loop-page-requests
    for name in HIRING_PAGES + BUILDS:
        row = result.row(name)
        assert row.route.who == pages.RECRUITER, name
        assert row.median_us > 0 and row.queries > 0, name
        # All of these read the database; none is as cheap as the health check.
        assert row.ratio > 1, name


def test_tiny_run_seeds_scorecards_and_times_the_debrief(tiny_run):
    _url, result = tiny_run
    requisition = result.row("requisition").route.path
    debrief = result.row("debrief").route.path
    assert debrief.startswith(requisition + "/candidates/") and debrief.endswith("/debrief")
    assert result.row("debrief CSV").route.path == debrief + ".csv"
    assert result.row("requisition dashboard").route.path == requisition + "/dashboard"
    # Every stage of every loop held with a panel of two; one scorecard each, all in but
    # one on every fifth candidate's last interview.
    assert result.interviews == 5 * result.loops  # the senior loop's five stages
    assert result.drafts == result.loops // 5 > 0
    assert result.scorecards == 2 * result.interviews - result.drafts
    assert result.debrief_scorecards >= 2  # the CSV had a row per scorecard and area
    assert result.dashboard_rows == 20  # the dashboard listed every candidate
    for name in DEBRIEF_PAGES:
        row = result.row(name)
        assert row.route.who == pages.MANAGER, name
        assert len(row.samples_us) == 2 and min(row.samples_us) > 0, name
        assert row.queries > 0 and row.ratio > 1, name
    # The CSV is built from the same debrief summary as the page and shows less (no reading
    # aids): it never reads more. That neither grows with the data is
    # test_dashboard_query_count_does_not_grow_with_candidates.
    assert result.row("debrief CSV").queries <= result.row("debrief").queries


def test_tiny_run_times_the_board_the_interviewer_home_and_scorecards(tiny_run):
    _url, result = tiny_run
    requisition = result.row("requisition").route.path
    assert result.row("scheduling board").route.path == requisition + "/board"
    assert result.row("scheduling board").route.who == pages.RECRUITER
    for name in ["interviewer home", "scorecard form", *SAVES]:
        assert result.row(name).route.who == pages.INTERVIEWER, name
    assert result.row("scorecard form").route.path.endswith("/scorecard")
    for name in SCHEDULING_PAGES + SAVES:
        row = result.row(name)
        assert row.median_us > 0 and row.queries > 0 and row.ratio > 1, name


def test_dashboard_query_count_does_not_grow_with_candidates(tiny_run, small_run):
    """20 candidates (3 with scorecards) and 12 candidates (2 with scorecards): the same
    statements per request for the dashboard, the debrief and the CSV."""
    (_url, tiny), (small, _out) = tiny_run, small_run
    assert (tiny.candidates, small.candidates) == (20, 12)
    assert small.scorecards < tiny.scorecards
    for name in DEBRIEF_PAGES + SCHEDULING_PAGES + ANALYTICS_PAGES:
        assert small.row(name).queries == tiny.row(name).queries, name


def test_tiny_run_times_the_api_lists_with_a_token(tiny_run):
    _url, result = tiny_run
    for name in API_LISTS:
        row = result.row(name)
        assert row.route.who == api.API and row.route.path.startswith("/api/v1/"), name
        # Each reads the token and its list: dearer than the health check.
        assert row.queries >= 2 and row.ratio > 1, name


def test_tiny_run_times_building_loops(tiny_run):
    _url, result = tiny_run
    service, web = result.row("build a loop, service"), result.row("build a loop, web")
    assert service.route.requests == web.route.requests == 1  # --operations
    # Every timed POST built a loop for a fresh candidate: 1 warm-up, 2 timed, 1 counted,
    # 1 traced.
    # (The service's builds are rolled back: had they been kept, its second build on the
    # same candidate would have failed with "already has a loop".)
    assert result.web_loops == 1 + 2 * 1 + 1 + 1
    # The POST does all the service does, plus the login check and loading the requisition.
    assert web.queries > service.queries > 5


def test_tiny_run_drops_its_database(tiny_run):
    url, _result = tiny_run
    assert not database_exists(url)


def test_small_run_prints_the_table(small_run):
    result, out = small_run
    assert out.startswith("Machine: ")
    assert "80 questions" in out
    assert "12 candidates, 3 of them with loops" in out
    assert (f"{result.interviews} interviews held, {result.scorecards} scorecards submitted "
            f"({result.debrief_scorecards} on the debrief's candidate)") in out
    table_rows = [line for line in out.splitlines() if line.startswith("| ")]
    assert len(table_rows) == 1 + len(ROUTE_NAMES)  # heading + one per row
    for name in ROUTE_NAMES:
        assert any(line.startswith(f"| {name} | ") for line in table_rows), name


def test_without_candidates_only_the_bank_pages_are_timed(tmp_path):
    result = pages.main(arguments(bench_database_url(tmp_path), questions=80, candidates=0,
                                  requests=1, repeat=1))
    assert [row.route.name for row in result.rows] == BANK_PAGES + API_BANK_LISTS
    assert result.candidates == result.web_loops == 0


def test_query_counts_are_those_of_the_real_pages(tiny_run, bank, make_user, login,
                                                   count_queries, db_session, app):
    """The benchmark's counts match the suite's own count of the same pages on another,
    smaller data set (72 questions; 2 candidates instead of 20, one loop instead of 3, one
    interview with two scorecards instead of a loop's worth): the pages' query counts do not
    grow with the number of candidates, loops or scorecards."""
    _url, result = tiny_run
    assert result.row("healthz").queries == 0
    admin = login(make_user("admin"))
    manager, recruiter = make_user("hiring_manager"), make_user("recruiter")
    requisition = make_requisition(db_session, manager, recruiter)
    # The benchmark's team has interviewers too; their rows are loaded with the requisition.
    panel = [make_user("interviewer"), make_user("interviewer")]
    for interviewer in panel:
        requisitions.add_member(db_session, Actor(recruiter), requisition, interviewer.id)
    with_loop = make_candidate(db_session, requisition, recruiter, 1)
    make_candidate(db_session, requisition, recruiter, 2)
    loop = loops.build_loop(db_session, Actor(recruiter), requisition, with_loop, seed=1)
    interview = past_interview(db_session, requisition, recruiter, with_loop, loop.stages[0],
                               panel)
    for interviewer in panel:
        write_scorecard(db_session, interviewer, requisition, interview)
    clients = {pages.ADMIN: admin, pages.RECRUITER: login(recruiter),
               pages.MANAGER: login(manager)}
    some_question = db_session.scalar(text("SELECT min(id) FROM questions"))
    candidate_path = f"/requisitions/{requisition.id}/candidates/{with_loop.id}"
    suite_paths = {
        "question detail": f"/bank/questions/{some_question}",
        "requisition": f"/requisitions/{requisition.id}",
        "candidate's loop": candidate_path,
        "debrief": candidate_path + "/debrief",
        "requisition dashboard": f"/requisitions/{requisition.id}/dashboard",
        "debrief CSV": candidate_path + "/debrief.csv",
    }
    # The benchmark runs with the reports' cache on (the debrief's reading aid reads it) and
    # counts after warm-ups: so does this.
    from interviewloop.analytics import cache

    app.config["ANALYTICS_CACHE_SECONDS"] = 600
    cache.STORE.clear()
    try:
        for name in [n for n in BANK_PAGES if n != "one query"] + HIRING_PAGES + DEBRIEF_PAGES:
            row = result.row(name)
            path = suite_paths.get(name, row.route.path)
            clients[row.route.who].get(path)
            with count_queries() as queries:
                response = clients[row.route.who].get(path)
            assert response.status_code == 200, path
            assert row.queries == len(queries), (name, queries)
    finally:
        cache.STORE.clear()
        app.config["ANALYTICS_CACHE_SECONDS"] = 0
    # The suite's debrief had scorecards to show, as the benchmark's did.
    assert "2 submitted scorecards" in clients[pages.MANAGER].get(suite_paths["debrief"]).text
    for name in BANK_PAGES[2:] + HIRING_PAGES + DEBRIEF_PAGES:
        assert result.row(name).queries >= 2, name  # at least the login session and roles


def test_a_page_that_is_not_200_stops_the_run(client):
    # Not logged in: / redirects to the login page; the benchmark must not time a redirect.
    routes = [pages.Route("healthz", "/healthz"), pages.Route("home", "/")]
    with pytest.raises(pages.BenchError, match=r"GET / gave 302"):
        pages.time_routes(client, routes, requests=1, repeat=1)


def test_a_build_that_does_not_redirect_stops_the_run(bank, make_user, login, db_session,
                                                      engine):
    manager, recruiter = make_user("hiring_manager"), make_user("recruiter")
    requisition = make_requisition(db_session, manager, recruiter)
    candidate = make_candidate(db_session, requisition, recruiter)
    loops.build_loop(db_session, Actor(recruiter), requisition, candidate, seed=1)
    seed = hiring.HiringSeed(requisition_id=requisition.id, candidates=1, with_loop=[],
                             fresh=[candidate.id])
    client = login(recruiter)
    # The candidate already has a loop: the POST is refused (409), which must not be timed.
    with pytest.raises(hiring.HiringError, match=r"gave 409, not a redirect"):
        hiring.post_build(client, engine, seed, candidate.id, clock=lambda: 0)
    # A candidate the page cannot show: no form, no token, no POST.
    with pytest.raises(hiring.HiringError, match=r"gave 404, not 200 with a CSRF token"):
        hiring.post_build(client, engine, seed, candidate.id + 1000, clock=lambda: 0)


def test_too_few_fresh_candidates_stop_the_run():
    seed = hiring.HiringSeed(requisition_id=1, candidates=5, with_loop=[1], fresh=[2, 3, 4])
    with pytest.raises(pages.BenchError, match="needs 8 fresh candidates, there are 3"):
        pages.time_operations({}, None, seed, operations=2, repeat=2, requests=1)


def test_refuses_databases_it_could_destroy(tmp_path):
    existing = tmp_path / "real.db"
    existing.write_bytes(b"")
    with pytest.raises(pages.BenchError, match="already exists"), \
            pages.fresh_database(f"sqlite:///{existing}"):
        pass
    assert existing.exists()
    # Refused before connecting: a database named without "bench" is never dropped.
    with pytest.raises(pages.BenchError, match="must contain 'bench'"), \
            pages.fresh_database("postgresql+psycopg://postgres@127.0.0.1:5432/interviewloop"):
        pass
    with pytest.raises(pages.BenchError, match="unsupported"), \
            pages.fresh_database("mysql://root@localhost/bench"):
        pass


def test_the_slot_finder_benchmark_runs_at_a_tiny_size(capsys):
    from bench import slots

    result = slots.main(["--interviewers", "4", "--events", "20", "--days", "7", "--stages", "3",
                         "--repeat", "1", "--calls", "1", "--requests", "3"])
    assert result.options > 0 and result.finder_us > 0 and result.healthz_us > 0
    assert "| `find_proposals()` |" in capsys.readouterr().out


def test_tiny_run_times_the_api_lists_with_tokens(tiny_run):
    from bench.api_lists import API_INTERVIEWER, API_MANAGER

    _url, result = tiny_run
    for name in API_HIRING_LISTS:
        row = result.row(name)
        assert row.route.path.startswith("/api/v1/"), name
        assert row.route.who in (API_MANAGER, API_INTERVIEWER), name
        assert row.queries > 0 and row.ratio > 1, name
