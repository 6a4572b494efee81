"""What the benchmarks share: who a page is requested as, a timed row, the errors."""

from __future__ import annotations

import gc
import re
import statistics
import tracemalloc
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask.testing import FlaskClient

ADMIN, RECRUITER, MANAGER = "admin", "recruiter", "manager"  # who is logged in for a page
ANONYMOUS = "anonymous"  # no one logged in
INTERVIEWER = "interviewer"  # bench-interviewer1, on about 2 in I of the panels (I interviewers)
INTERVIEWER_EMAIL = "bench-interviewer1@example.com"
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


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
    each_us: list[float] = field(default_factory=list)  # every timed request (or operation)
    peak_kib: float = 0.0  # most memory a request added while it ran (tracemalloc)

    @property
    def median_us(self) -> float:
        return statistics.median(self.samples_us)

    @property
    def p50_us(self) -> float:
        return percentile(self.each_us, 50)

    @property
    def p95_us(self) -> float:
        return percentile(self.each_us, 95)


def percentile(samples: Sequence[float], p: int) -> float:
    """The p-th percentile (nearest rank) of ``samples``; 0 for none."""
    if not samples:
        return 0.0
    ordered = sorted(samples)
    return ordered[max(0, -(-p * len(ordered) // 100) - 1)]


def get_ok(client: FlaskClient, path: str) -> Any:
    response = client.get(path)
    if response.status_code != 200:
        raise BenchError(f"GET {path} gave {response.status_code}, not 200")
    return response


def as_clients(clients: FlaskClient | Mapping[str, FlaskClient]) -> Mapping[str, FlaskClient]:
    return clients if isinstance(clients, Mapping) else {ADMIN: clients}


@contextmanager
def frozen_garbage() -> Iterator[None]:
    """For the block, the objects alive now (the app, its caches, what the seeding left) are
    out of the garbage collector's sight, as gunicorn.conf.py puts them in each worker once
    the app is loaded: otherwise a full pass over them all (some hundreds of thousands, a
    tenth of a second and more) lands inside one page's timing every hundred requests or so,
    which a served worker never pays. The collector still runs on everything made after."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@contextmanager
def tracing() -> Iterator[None]:
    """tracemalloc on for the block (it slows Python down: never while timing)."""
    started = not tracemalloc.is_tracing()
    if started:
        tracemalloc.start()
    try:
        yield
    finally:
        if started:
            tracemalloc.stop()


def added_kib(action: Callable[[], object]) -> float:
    """The most memory ``action`` held, above what was held before it, in KiB."""
    tracemalloc.reset_peak()
    before = tracemalloc.get_traced_memory()[0]
    action()
    return max(0, tracemalloc.get_traced_memory()[1] - before) / 1024
