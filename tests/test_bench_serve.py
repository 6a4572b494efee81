"""bench/serve.py's arguments, page list and reading of wrk's output (fast: no gunicorn, no
wrk; `make bench-serve` runs those)."""

from __future__ import annotations

import pytest

from bench import serve
from bench.core import BenchError, Route
from tests.test_bench import ROUTE_NAMES

WRK_OUTPUT = """Running 10s test @ http://127.0.0.1:40000/requisitions/1/board
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   152.31ms   40.12ms   1.02s    80.00%
    Req/Sec    26.10      9.80    50.00     70.00%
  Latency Distribution
     50%  148.50ms
     75%  170.00ms
     90%  200.00ms
     99%    1.02s
  523 requests in 10.01s, 9.10MB read
  Socket errors: connect 0, read 1, write 0, timeout 2
  Non-2xx or 3xx responses: 4
Requests/sec:     52.25
Transfer/sec:      0.91MB
"""


def test_wrk_output_is_read_in_milliseconds_with_its_errors():
    load = serve.parse_wrk(WRK_OUTPUT)
    assert load == serve.Load(requests_per_second=52.25, p50_ms=148.5, p99_ms=1020.0,
                              requests=523, errors=1 + 2 + 4)
    assert serve.milliseconds("850.00us") == pytest.approx(0.85)
    assert serve.milliseconds("1.50m") == 90_000
    with pytest.raises(BenchError, match="no rate"):
        serve.parse_wrk("unable to connect to 127.0.0.1:1 Connection refused")
    # A page slower than the run: nothing measured, which must not read as a rate of 0.
    with pytest.raises(BenchError, match="no request completed"):
        serve.parse_wrk(WRK_OUTPUT.replace("523 requests in", "0 requests in"))


def test_the_key_pages_are_pages_the_benchmark_seeds_and_times():
    assert set(serve.KEY_PAGES) | set(serve.BASELINES) <= set(ROUTE_NAMES)
    assert len(serve.KEY_PAGES) == 12


def test_baselines_come_first_and_unknown_pages_are_refused():
    routes = [Route(name, f"/{n}") for n, name in enumerate(ROUTE_NAMES)]
    chosen = serve.choose(routes, ["debrief", "healthz", "home"])
    assert [r.name for r in chosen] == ["healthz", "one query", "debrief", "home"]
    with pytest.raises(BenchError, match="no such page: boardroom"):
        serve.choose(routes, ["boardroom"])


def test_arguments_and_commands():
    args = serve.parse_args(["--size", "2k", "--pages", "board ,debrief,", "--workers", "3"])
    assert (args.candidates, args.loops, args.questions) == (2_000, None, 10_000)
    assert args.pages == ["board", "debrief"] and args.workers == 3
    assert serve.parse_args([]).pages == list(serve.KEY_PAGES)
    with pytest.raises(BenchError, match="one per wrk thread"):
        serve.parse_args(["--threads", "4", "--connections", "2"])
    command = serve.wrk_command("http://127.0.0.1:1/", "session=abc", threads=2,
                                connections=8, duration=5)
    assert command[:2] == ["wrk", "--latency"]
    assert command[-3:-1] == ["-H", "Cookie: session=abc"] and "-d5s" in command
    assert "-H" not in serve.wrk_command("http://127.0.0.1:1/", None, threads=1,
                                         connections=1, duration=1)
    assert serve.gunicorn_command(8000, 4)[-1] == "bench.wsgi:serve_app()"
    assert serve.parse_args([]).warm_up == 5 and serve.parse_args(["--warm-up", "0"]).warm_up == 0


def test_the_table_shows_the_first_request_and_counts_warm_up_errors():
    load = serve.parse_wrk(WRK_OUTPUT)
    rows = [serve.ServedRow(Route(name, f"/{name}"), [load], first_ms=first)
            for name, first in (("healthz", 1.2), ("one query", 3.0), ("debrief", 2_480.4))]
    rows[2].warm_up_errors = 2
    table = serve.table(rows)
    assert "| first request ms | errors |" in table
    assert table.splitlines()[-1].endswith("| 2,480 | 9 |")  # 7 timed + 2 while warming up


def test_the_one_query_page_is_not_in_the_app(client):
    assert client.get("/bench/one-query").status_code == 404


@pytest.mark.parametrize(("rates", "rounds"), [
    ([100.0, 104.0], 2),  # steady at once: two rounds tell
    ([20.0, 90.0, 96.0], 3),  # the first round filled the workers' caches
    ([50.0, 30.0, 90.0, 96.0], 4),  # a slower round is not steady either
    ([10.0, 20.0, 40.0, 80.0, 160.0, 320.0, 640.0, 1280.0, 2560.0], 8),  # never steady: capped
])
def test_a_page_is_warmed_up_until_a_round_is_as_fast_as_the_one_before(rates, rounds):
    ran: list[int] = []

    def run(seconds: int) -> serve.Load:
        ran.append(seconds)
        return serve.Load(requests_per_second=rates[len(ran) - 1], p50_ms=1.0, p99_ms=2.0,
                          requests=10, errors=1)

    assert serve.warm(run, 5) == (rounds, rounds)  # each round's error counted
    assert ran == [5] * rounds
