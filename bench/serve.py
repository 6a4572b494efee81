"""The key pages under gunicorn, loaded with wrk from a second process on loopback.

    python -m bench.serve [--size default|2k|10k] [--questions N] [--candidates C]
                          [--loops L] [--interviewers I] [--database-url URL]
                          [--workers W] [--connections K] [--threads T] [--duration S]
                          [--warm-up U] [--repeat R] [--pages NAME,...] [--keep | --reuse]

Seeds a fresh database as bench/pages.py does (same sizes, same data), logs the admin, the
recruiter, the hiring manager and an interviewer in through the real form (in-process,
against the same database and secret key), then serves the app with gunicorn (W sync
workers on 127.0.0.1) and runs `wrk` (Debian's package: `make bench-serve` installs it)
against each key page in turn, T threads and K connections for S seconds, with that
role's session cookie. Every page is first fetched once and must answer 200 (a redirect
to the login page would be timed as a fast page; that first request's time is reported),
then loaded untimed in rounds of U seconds until a round's rate is within 10 % of the one
before (at most 8 rounds), so that every worker has served it and filled its caches
before it is timed (a worker's first debrief computes the leniency terms over every rating
its viewer may see, then caches them: seconds at 10,000 candidates).
Reported per page, median of R runs:
requests per second, p50 and p99 latency, each beside its ratio to `/healthz` (no
database, no template) and to `/bench/one-query` (one statement and the base layout), both
served by the same gunicorn in the same run, and any non-2xx response or socket error.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bench import pages
from bench.core import BenchError, Route

KEY_PAGES = ("home", "bank list", "bank search", "question detail", "requisition",
             "candidate's loop", "scheduling board", "requisition dashboard", "debrief",
             "scorecard form", "interviewer home", "audit log")
BASELINES = ("healthz", "one query")
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}  # to milliseconds
SECRET_KEY = "bench"  # the benchmark's throwaway database and app


class NoRedirect(urllib.request.HTTPErrorProcessor):
    def http_response(self, request, response):
        return response

    https_response = http_response


@dataclass(frozen=True)
class Load:
    """What one wrk run measured."""

    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int  # non-2xx/3xx responses and socket errors


@dataclass
class ServedRow:
    route: Route
    loads: list[Load]
    first_ms: float = 0.0  # the page's first request, on a server that had not served it
    warm_up_errors: int = 0

    def median(self, what: Callable[[Load], float]) -> float:
        return statistics.median(what(load) for load in self.loads)

    @property
    def errors(self) -> int:
        return sum(load.errors for load in self.loads) + self.warm_up_errors


# --- wrk ----------------------------------------------------------------------------------

def milliseconds(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not match:
        raise BenchError(f"cannot read wrk's time {text!r}")
    return float(match.group(1)) * UNITS[match.group(2)]


def parse_wrk(output: str) -> Load:
    """Requests/sec, the 50% and 99% latencies (wrk --latency) and the errors."""
    rate = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.M)
    total = re.search(r"^\s+(\d+) requests in", output, re.M)
    if not (rate and p50 and p99 and total):
        raise BenchError(f"wrk printed no rate or latency distribution:\n{output}")
    if int(total.group(1)) == 0:
        raise BenchError(f"no request completed: give wrk a longer --duration\n{output}")
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses:\s+(\d+)", output))
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), "
                              r"timeout (\d+)", output)
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return Load(float(rate.group(1)), milliseconds(p50.group(1)), milliseconds(p99.group(1)),
                int(total.group(1)), errors)


def wrk_command(url: str, cookie: str | None, *, threads: int, connections: int,
                duration: int) -> list[str]:
    command = ["wrk", "--latency", "--timeout", "60s", f"-t{threads}", f"-c{connections}",
               f"-d{duration}s"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    return [*command, url]


# --- gunicorn -----------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def gunicorn_command(port: int, workers: int) -> list[str]:
    return [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind",
            f"127.0.0.1:{port}", "--timeout", "120", "--log-level", "warning",
            "bench.wsgi:serve_app()"]


def start_gunicorn(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": SECRET_KEY,
           "INTERVIEWLOOP_ENV": "test",
           "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
    server = subprocess.Popen(gunicorn_command(port, workers), env=env, cwd=root)  # noqa: S603
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchError(f"gunicorn exited with {server.returncode}")
        try:
            if fetch(f"http://127.0.0.1:{port}/healthz", None) == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise BenchError("gunicorn did not answer /healthz within 60 s")


def fetch(url: str, cookie: str | None) -> int:
    """The status of one GET, redirects not followed."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})  # noqa: S310
    opener = urllib.request.build_opener(NoRedirect)
    with opener.open(request, timeout=60) as response:
        return int(response.status)


# --- the run ------------------------------------------------------------------------------

def choose(routes: Sequence[Route], names: Sequence[str]) -> list[Route]:
    """The baselines, then the pages named, in the order given; unknown names refused."""
    by_name = {r.name: r for r in routes}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise BenchError(f"no such page: {', '.join(unknown)} (known: {', '.join(by_name)})")
    return [by_name[n] for n in (*BASELINES, *(n for n in names if n not in BASELINES))]


def cookies_of(ready: pages.Prepared, cookie_name: str) -> dict[str, str | None]:
    """``Cookie:`` header values per role, from the logged-in test clients."""
    found: dict[str, str | None] = {}
    for who, client in ready.clients.items():
        cookie = client.get_cookie(cookie_name)
        found[who] = f"{cookie_name}={cookie.value}" if cookie is not None else None
    return found


def load_pages(port: int, routes: Sequence[Route], cookies: dict[str, str | None], *,
               threads: int, connections: int, duration: int, repeat: int,
               warm_up: int = 0, log: Callable[[str], None]) -> list[ServedRow]:
    """Each page fetched once (it must answer 200; the time is its first request's), then
    loaded untimed in rounds of ``warm_up`` seconds until it is steady (``warm``), so that
    every worker has served it and filled its caches, then ``repeat`` timed runs of
    ``duration`` seconds."""
    rows = [ServedRow(route, []) for route in routes]
    for row in rows:
        started = time.perf_counter()
        status = fetch(f"http://127.0.0.1:{port}{row.route.path}", cookies[row.route.who])
        row.first_ms = (time.perf_counter() - started) * 1e3
        if status != 200:
            raise BenchError(f"GET {row.route.path} as {row.route.who} gave {status}, not 200")

    def run_wrk(row: ServedRow, seconds: int) -> Load:
        done = subprocess.run(  # noqa: S603 - wrk, with our own arguments
            wrk_command(f"http://127.0.0.1:{port}{row.route.path}", cookies[row.route.who],
                        threads=threads, connections=connections, duration=seconds),
            capture_output=True, text=True, check=True)
        return parse_wrk(done.stdout)

    for n in range(repeat):
        for row in rows:
            if n == 0 and warm_up:
                log(f"wrk {row.route.name}, warming up")
                rounds, row.warm_up_errors = warm(lambda seconds, row=row: run_wrk(row, seconds),
                                                  warm_up)
                log(f"wrk {row.route.name}, warm after {rounds} x {warm_up} s")
            log(f"wrk {row.route.name} ({n + 1}/{repeat})")
            row.loads.append(run_wrk(row, duration))
    return rows


WARM_ROUNDS = 8  # at most, per page
STEADY = 0.1  # a warm-up round's rate within 10 % of the one before: the page is warm


def warm(run: Callable[[int], Load], seconds: int) -> tuple[int, int]:
    """Load a page in rounds of ``seconds`` until a round's rate is within 10 % (STEADY)
    of the one before, at most WARM_ROUNDS: (rounds run, errors seen). A fixed warm-up was
    too short for the debrief at 10,000 candidates: each of 4 workers computes the leniency
    terms over every rating on its first one (seconds each, sharing two cores), and that
    spilled into the timed run."""
    errors, before = 0, 0.0
    for done in range(1, WARM_ROUNDS + 1):
        load = run(seconds)
        errors += load.errors
        if before and abs(load.requests_per_second / before - 1) <= STEADY:
            return done, errors
        before = load.requests_per_second
    return WARM_ROUNDS, errors


def table(rows: Sequence[ServedRow]) -> str:
    healthz, one = rows[0], rows[1]

    def cell(row: ServedRow, what: Callable[[Load], float], digits: str) -> str:
        value = row.median(what)
        ratios = [value / base.median(what) if base.median(what) else 0.0
                  for base in (healthz, one)]
        return f"{value:{digits}} ({ratios[0]:.3f} / {ratios[1]:.2f})"

    lines = ["| page | path | req/s (vs /healthz / vs one query) | p50 ms (vs / vs) | "
             "p99 ms (vs / vs) | first request ms | errors |", "|---|---|---:|---:|---:|---:|---:|"]
    for row in rows:
        lines.append(f"| {row.route.name} | `{row.route.path}` | "
                     f"{cell(row, lambda x: x.requests_per_second, ',.1f')} | "
                     f"{cell(row, lambda x: x.p50_ms, ',.1f')} | "
                     f"{cell(row, lambda x: x.p99_ms, ',.1f')} | {row.first_ms:,.0f} | "
                     f"{row.errors} |")
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.serve",
                                     description=__doc__.split("\n")[0])
    pages.add_size_arguments(parser)
    parser.add_argument("--database-url", default=None,
                        help="as for bench.pages: a new SQLite file or a PostgreSQL database "
                             "whose name contains 'bench'; default: a temp SQLite file")
    parser.add_argument("--workers", type=pages.positive, default=4,
                        help="gunicorn sync workers (default 4)")
    parser.add_argument("--threads", type=pages.positive, default=2,
                        help="wrk threads (default 2)")
    parser.add_argument("--connections", type=pages.positive, default=8,
                        help="wrk connections, kept open (default 8)")
    parser.add_argument("--duration", type=pages.positive, default=10,
                        help="seconds of load per page and run (default 10)")
    parser.add_argument("--warm-up", type=pages.not_negative, default=5,
                        help="seconds of untimed load per page before its first timed run, "
                             "so that every worker has served it (default 5)")
    parser.add_argument("--repeat", type=pages.positive, default=1,
                        help="runs over all pages; the median is reported (default 1)")
    parser.add_argument("--pages", default=",".join(KEY_PAGES),
                        type=lambda raw: [n.strip() for n in raw.split(",") if n.strip()],
                        help="the pages to load, by name, comma-separated (default: the "
                             "key pages); /healthz and the one-query page always run")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    pages.add_reuse_argument(parser)
    args = pages.apply_size(parser.parse_args(argv))
    if args.connections < args.threads:
        raise BenchError("--connections: at least one per wrk thread")
    return args


def main(argv: Sequence[str] | None = None) -> list[ServedRow]:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        raise BenchError("wrk is not installed: run `make bench-serve` (it installs Debian's "
                         "wrk) or `apt-get install wrk`")

    def log(line: str) -> None:
        print(line, file=sys.stderr)

    with pages.database_for(args) as url:
        pages.build_schema(url)
        app = pages.make_app(url)
        try:
            ready = pages.prepare(app, questions=args.questions, candidates=args.candidates,
                                  loops=args.loops, interviewers=args.interviewers,
                                  reuse=args.reuse, log=log)
            routes = choose(ready.routes, args.pages)
            cookies = cookies_of(ready, app.config["SESSION_COOKIE_NAME"])
            dialect = pages.engine_of(app).dialect.name
            seeded = (ready.report.questions, ready.seed.candidates if ready.seed else 0)
        finally:
            pages.engine_of(app).dispose()
        port = free_port()
        server = start_gunicorn(url, port, args.workers)
        try:
            rows = load_pages(port, routes, cookies, threads=args.threads,
                              connections=args.connections, duration=args.duration,
                              repeat=args.repeat, warm_up=args.warm_up, log=log)
        finally:
            server.terminate()
            server.wait(timeout=30)
    load = os.getloadavg()
    print(f"gunicorn {args.workers} sync workers on {dialect}, wrk {args.threads} threads x "
          f"{args.connections} connections x {args.duration} s per page after "
          f"warm-up rounds of {args.warm_up} s until steady, median of {args.repeat}; "
          f"{os.cpu_count()} CPUs "
          "shared by server and load, load average "
          f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} at the end; "
          f"{seeded[0]} questions, {seeded[1]} candidates.")
    print()
    print(table(rows))
    return rows


if __name__ == "__main__":
    try:
        main()
    except (BenchError, subprocess.CalledProcessError) as exc:
        sys.exit(f"bench: {exc}")
