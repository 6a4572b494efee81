"""The page benchmark (bench/pages.py) runs once at a tiny size, so that it cannot rot.

It runs against the kind of database the suite uses: a SQLite temp file, or a fresh
PostgreSQL database (suffix _bench_<worker>) when TEST_DATABASE_URL is set."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench import pages
from tests.conftest import _worker_suffix

ROUTE_NAMES = ["healthz", "home", "bank list", "bank list, last page", "bank search",
               "question detail", "rubric"]


def bench_database_url(tmp_path) -> str:
    base = os.environ.get("TEST_DATABASE_URL")
    if base:
        url = make_url(base)
        return url.set(database=f"{url.database}_bench_{_worker_suffix()}").render_as_string(
            hide_password=False)
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


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    url = bench_database_url(tmp_path_factory.mktemp("bench"))
    result = pages.main(["--questions", "200", "--requests", "3", "--repeat", "2",
                         "--database-url", url])
    return url, result


def test_tiny_run_times_every_page_against_healthz(tiny_run):
    url, result = tiny_run
    assert [row.route.name for row in result.rows] == ROUTE_NAMES
    assert result.dialect == make_url(url).get_dialect().name
    assert result.questions == 200
    assert 0 < result.active < 200  # some seeded questions are retired
    assert result.search_hits > 0
    for row in result.rows:
        assert len(row.samples_us) == 2
        assert all(sample > 0 for sample in row.samples_us)
        assert row.ratio == pytest.approx(row.median_us / result.row("healthz").median_us)
    assert result.row("healthz").ratio == 1
    # The bank's list must go through the real query, not a cached or redirected page.
    assert result.row("bank list").median_us > result.row("healthz").median_us


def test_tiny_run_drops_its_database(tiny_run):
    url, _result = tiny_run
    assert not database_exists(url)


def test_tiny_run_prints_the_table(tmp_path, capsys):
    pages.main(["--questions", "80", "--requests", "1", "--repeat", "1",
                "--database-url", bench_database_url(tmp_path)])
    out = capsys.readouterr().out
    assert out.startswith("Machine: ")
    assert "80 questions" in out
    table_rows = [line for line in out.splitlines() if line.startswith("| ")]
    assert len(table_rows) == 1 + len(ROUTE_NAMES)  # heading + one per page
    for name in ROUTE_NAMES:
        assert any(line.startswith(f"| {name} | ") for line in table_rows), name


def test_query_counts_are_those_of_the_real_pages(tiny_run, bank, make_user, login,
                                                   count_queries, db_session):
    """The benchmark's counts match the suite's own count of the same pages on another
    (smaller) data set: the pages' query counts do not grow with the data."""
    _url, result = tiny_run
    assert result.row("healthz").queries == 0
    client = login(make_user("admin"))
    some_question = db_session.scalar(text("SELECT min(id) FROM questions"))
    for row in result.rows:
        path = row.route.path
        if row.route.name == "question detail":
            path = f"/bank/questions/{some_question}"
        with count_queries() as queries:
            response = client.get(path)
        assert response.status_code == 200, path
        assert row.queries == len(queries), (row.route.name, queries)
    for name in ROUTE_NAMES[1:]:
        assert result.row(name).queries >= 2, name  # at least the login session and roles


def test_a_page_that_is_not_200_stops_the_run(client):
    # Not logged in: / redirects to the login page; the benchmark must not time a redirect.
    routes = [pages.Route("healthz", "/healthz"), pages.Route("home", "/")]
    with pytest.raises(pages.BenchError, match=r"GET / gave 302"):
        pages.time_routes(client, routes, requests=1, repeat=1)


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
