"""The operations the in-process benchmark times: building a loop through the service
(rolled back) and through the web, and saving a submitted scorecard, each interleaved with
/healthz as the pages are."""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Callable, Mapping

from flask.testing import FlaskClient
from sqlalchemy import Engine, select

from bench import hiring
from bench.core import (
    ADMIN,
    CSRF_META,
    INTERVIEWER,
    INTERVIEWER_EMAIL,
    RECRUITER,
    BenchError,
    Route,
    Row,
    added_kib,
    get_ok,
    tracing,
)

OPERATION_WARM_UP = 1


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


def scorecard_save(client: FlaskClient, engine: Engine) -> tuple[Route, Operation]:
    """Saving changes to a submitted scorecard through the web, as its author: the full
    check (completeness, contradiction, version) plus a kept revision. Each POST carries
    the version read from the form just before, so none is refused as stale; only the POST
    is timed."""
    path = f"/interviews/{scorecard_interview(engine)}/scorecard"

    def post(round_: int, count: bool) -> tuple[float, int]:
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
        with (hiring.counting(engine) if count else hiring.nothing()) as statements:
            started = time.perf_counter_ns()
            response = client.post(path, data=form)
            elapsed = time.perf_counter_ns() - started
        if response.status_code != 302:
            raise BenchError(f"POST {path} gave {response.status_code}, not a redirect")
        return elapsed / 1000, len(statements)

    return Route("save a submitted scorecard", f"POST {path}", INTERVIEWER), post


# One timed operation: (round, count statements?) -> (µs, statements).
Operation = Callable[[int, bool], tuple[float, int]]


def time_operation(route: Route, operation: Operation, healthz: FlaskClient, *,
                   operations: int, repeat: int, requests: int) -> Row:
    """R repetitions of: ``requests`` requests to /healthz, then ``operations`` operations;
    the ratio is to the median of those /healthz blocks. Then one more operation counted
    (statements) and one traced (memory)."""
    rounds = iter(range(1_000_000))
    for _ in range(OPERATION_WARM_UP):
        operation(next(rounds), False)
    blocks, each, base = [], [], []
    for _ in range(repeat):
        started = time.perf_counter_ns()
        for _ in range(requests):
            get_ok(healthz, "/healthz")
        base.append((time.perf_counter_ns() - started) / requests / 1000)
        samples = [operation(next(rounds), False)[0] for _ in range(operations)]
        each += samples
        blocks.append(statistics.fmean(samples))
    _us, queries = operation(next(rounds), True)
    with tracing():
        peak = added_kib(lambda: operation(next(rounds), False))
    row = Row(Route(route.name, route.path, route.who, operations), blocks, queries=queries,
              each_us=each, peak_kib=peak)
    row.ratio = row.median_us / statistics.median(base)
    return row


def operation_rounds(operations: int, repeat: int) -> int:
    """How many operations time_operation runs (each web build needs a fresh candidate)."""
    return OPERATION_WARM_UP + operations * repeat + 2


def time_operations(clients: Mapping[str, FlaskClient], engine: Engine,
                    seed: hiring.HiringSeed, *, operations: int, repeat: int,
                    requests: int) -> list[Row]:
    """Build a loop through the service (rolled back) and through the web (committed, each
    for a fresh candidate), and save a submitted scorecard, each interleaved with /healthz."""
    needed = 1 + operation_rounds(operations, repeat)  # seed.fresh[0] is the service's
    if len(seed.fresh) < needed:
        raise BenchError(f"timing the web build needs {needed} fresh candidates, there are "
                         f"{len(seed.fresh)}; add candidates")

    def service(round_: int, count: bool) -> tuple[float, int]:
        ns, statements = hiring.build_rolled_back(engine, seed, seed.fresh[0], round_,
                                                  time.perf_counter_ns, count=count)
        return ns / 1000, statements

    def web(round_: int, count: bool) -> tuple[float, int]:
        ns, statements = hiring.post_build(clients[RECRUITER], engine, seed,
                                           seed.fresh[1 + round_], time.perf_counter_ns,
                                           count=count)
        return ns / 1000, statements

    page = f"/requisitions/{seed.requisition_id}/candidates/<fresh>/loop"
    timed = [(Route("build a loop, service", "build_loop(), rolled back", RECRUITER), service),
             (Route("build a loop, web", f"POST {page}", RECRUITER), web),
             scorecard_save(clients[INTERVIEWER], engine)]
    try:
        return [time_operation(route, operation, clients[ADMIN], operations=operations,
                               repeat=repeat, requests=requests) for route, operation in timed]
    except hiring.HiringError as exc:
        raise BenchError(str(exc)) from exc
