"""``--reuse``: a database the page benchmark kept is timed again as it was seeded, and
left in place (bench/reuse.py)."""

from __future__ import annotations

import contextlib
import io

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench import pages
from tests.test_bench import SMALL, arguments, bench_database_url, database_exists

# SMALL with candidates enough to stay fresh for the web builds of two runs.
KEPT = {**SMALL, "candidates": 20}
TIMING = {k: v for k, v in KEPT.items()
          if k in ("requests", "repeat", "operations", "loop-page-requests")}


def drop(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return  # a file under tmp_path
    server = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
    finally:
        server.dispose()


def quietly(argv: list[str]) -> tuple[pages.Result, str]:
    with contextlib.redirect_stdout(io.StringIO()) as out:
        result = pages.main(argv)
    return result, out.getvalue()


def test_a_kept_database_is_timed_again_as_it_was_seeded(tmp_path):
    url = bench_database_url(tmp_path)
    try:
        first, _ = quietly([*arguments(url, **KEPT), "--keep"])
        again, out = quietly([*arguments(url, **TIMING), "--reuse"])
        assert database_exists(url)
        assert again.reused and not first.reused
        # The same pages of the same candidates: the loop page, the debrief and its API twin
        # name the seeded candidates, not the ones the first run's web builds gave a loop.
        assert [(r.route.name, r.route.path) for r in again.rows] == \
            [(r.route.name, r.route.path) for r in first.rows]
        for field in ("questions", "active", "search_hits", "candidates", "interviews",
                      "scorecards", "drafts", "debrief_scorecards", "dashboard_rows"):
            assert getattr(again, field) == getattr(first, field), field
        assert again.loops == first.loops + first.web_loops
        assert again.web_loops == first.web_loops > 0  # for candidates still fresh
        assert "reused as it was (--reuse)" in out and "seeding took" not in out
    finally:
        drop(url)


def test_reuse_refuses_what_is_not_a_kept_benchmark_database(tmp_path):
    with pytest.raises(pages.BenchError, match="does not exist"), \
            pages.kept_database(f"sqlite:///{tmp_path / 'missing.db'}"):
        pass
    with pytest.raises(pages.BenchError, match="must contain 'bench'"), \
            pages.kept_database("postgresql+psycopg://postgres@127.0.0.1:5432/interviewloop"):
        pass
    with pytest.raises(pages.BenchError, match="needs --database-url"), \
            pages.kept_database(None):
        pass
