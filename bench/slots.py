"""Time the slot finder (interviewloop/scheduling/proposals.py) on a busy team, as a ratio to
/healthz measured in the same run.

    python -m bench.slots [--interviewers N] [--events E] [--days D] [--stages S] [--panel P]
                          [--repeat R] [--calls C] [--requests K]

Builds, with a fixed random seed, N interviewers in four time zones (London, Berlin, New
York, UTC), each with E busy events (15 to 90 minutes, starting on a quarter hour within
their working hours, 09:00 to 17:00 Monday to Friday in their zone, overlaps allowed) over
D days from a Monday, a weekly cap of 8 and 0 to 5 interviews already booked in each week;
and a loop of S stages (the senior template's lengths, repeated) needing P interviewers
each, every interviewer eligible for every stage. It then calls find_proposals C times per
repetition, R repetitions, and makes K requests to /healthz per repetition through Flask's
test client, the two interleaved; the figure is the median of the R repetitions, in µs per
call or request. The whole slot search is timed: working hours to UTC, subtracting the busy
times, the search and the choice of options (not building the input).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bench.pages import BenchError, make_app, positive
from interviewloop.scheduling.proposals import Interviewer, Proposal, StageNeed, find_proposals
from interviewloop.timezones import WorkingHours

ZONES = ("Europe/London", "Europe/Berlin", "America/New_York", "UTC")
STAGE_MINUTES = (60, 45, 60, 60, 45)  # question_bank/loop_templates.yaml, senior
START = datetime(2027, 3, 22, tzinfo=UTC)  # a Monday; London's clocks change that week
WARM_UP = 3


@dataclass
class Result:
    interviewers: int
    events: int
    days: int
    stages: int
    panel: int
    options: int
    healthz_us: float
    finder_us: float
    finder_samples: list[float]

    @property
    def ratio(self) -> float:
        return self.finder_us / self.healthz_us


def team(interviewers: int, events: int, days: int, seed: int = 7) -> list[Interviewer]:
    rng = random.Random(seed)
    hours = WorkingHours()
    end = START + timedelta(days=days)
    people = []
    for n in range(interviewers):
        zone = ZONES[n % len(ZONES)]
        working = hours.intervals(zone, START, end)
        quarters = [start + timedelta(minutes=15 * q) for start, stop in working
                    for q in range(int((stop - start).total_seconds()) // 900)]
        busy = []
        for _ in range(events):
            begin = rng.choice(quarters)
            busy.append((begin, begin + timedelta(minutes=rng.choice((15, 30, 45, 60, 90)))))
        weeks = {(START + timedelta(days=7 * w)).date(): rng.randint(0, 5)
                 for w in range(-1, days // 7 + 2)}
        people.append(Interviewer(n + 1, zone, hours, busy, weekly_cap=8, week_load=weeks))
    return people


def loop(stages: int, panel: int, people: Sequence[Interviewer]) -> list[StageNeed]:
    ids = tuple(p.id for p in people)
    return [StageNeed(s + 1, STAGE_MINUTES[s % len(STAGE_MINUTES)], panel, ids)
            for s in range(stages)]


def find(needs: Sequence[StageNeed], people: Sequence[Interviewer], days: int) -> list[Proposal]:
    return find_proposals(needs, people, starts=START, ends=START + timedelta(days=days),
                          now=START, day_zone="Europe/London")


def run(*, interviewers: int, events: int, days: int, stages: int, panel: int, repeat: int,
        calls: int, requests: int) -> Result:
    people = team(interviewers, events, days)
    needs = loop(stages, panel, people)
    with tempfile.TemporaryDirectory() as folder:
        client = make_app(f"sqlite:///{folder}/healthz.db").test_client()
        for _ in range(WARM_UP):
            if client.get("/healthz").status_code != 200:
                raise BenchError("/healthz did not answer 200")
            found = find(needs, people, days)
        healthz, finder = [], []
        for _ in range(repeat):
            start = time.perf_counter_ns()
            for _ in range(requests):
                if client.get("/healthz").status_code != 200:
                    raise BenchError("/healthz did not answer 200")
            healthz.append((time.perf_counter_ns() - start) / requests / 1000)
            start = time.perf_counter_ns()
            for _ in range(calls):
                found = find(needs, people, days)
            finder.append((time.perf_counter_ns() - start) / calls / 1000)
    if not found:
        raise BenchError("the slot finder found no option: the benchmark measures nothing")
    return Result(interviewers, events, days, stages, panel, len(found),
                  statistics.median(healthz), statistics.median(finder), finder)


def report(result: Result, repeat: int, calls: int, requests: int) -> str:
    load = os.getloadavg() if hasattr(os, "getloadavg") else ("?",) * 3
    return "\n".join([
        f"Machine: {os.cpu_count()} CPUs ({platform.machine()}), Python "
        f"{platform.python_version()}, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} "
        f"(1, 5, 15 min) at the end of the run.",
        f"{result.interviewers} interviewers x {result.events} busy events over "
        f"{result.days} days; {result.stages} stages of {result.panel} interviewer(s); "
        f"{result.options} options found; {calls} calls and {requests} /healthz requests "
        f"x {repeat} repeats, median.", "",
        "| what | µs | vs /healthz |", "|---|---:|---:|",
        f"| `/healthz` | {result.healthz_us:,.0f} | 1.0 |",
        f"| `find_proposals()` | {result.finder_us:,.0f} | {result.ratio:,.1f} |"])


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.slots",
                                     description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--interviewers", type=positive, default=20)
    parser.add_argument("--events", type=positive, default=200, help="busy events each")
    parser.add_argument("--days", type=positive, default=14)
    parser.add_argument("--stages", type=positive, default=5)
    parser.add_argument("--panel", type=positive, default=1, help="interviewers per stage")
    parser.add_argument("--repeat", type=positive, default=5)
    parser.add_argument("--calls", type=positive, default=5, help="finder calls per repeat")
    parser.add_argument("--requests", type=positive, default=200,
                        help="/healthz requests per repeat")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> Result:
    args = parse_args(argv)
    result = run(interviewers=args.interviewers, events=args.events, days=args.days,
                 stages=args.stages, panel=args.panel, repeat=args.repeat, calls=args.calls,
                 requests=args.requests)
    print(report(result, args.repeat, args.calls, args.requests))
    return result


if __name__ == "__main__":
    try:
        main()
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        sys.exit(1)
