"""A cache of the analytics reports, per viewer scope (issue 12: each report under 20 times
/healthz at 10,000 candidates and 100,000 scorecards, where computing one takes seconds).

What a report shows depends on the data and on what its viewer may see. The cache never
guesses the second: every lookup first reads the viewer's scope, which is everything
sees_panel_clause (scorecards/access.py) decides visibility from, and keys the entry by it:

- the viewer's id and roles;
- each requisition they may see, with whether they manage it and whether it hides
  scorecards until the debrief;
- each live interview seat of theirs (so its candidate), the seat's role and whether their
  scorecard for it is in (so a viewer put on a panel, or taken off one, gets a new key):
  read as the viewer's seat token, which triggers renew on every change to those
  (scheduling/seat_revisions.py).

One statement, small whatever the data (the viewer's own requisitions, each with the seat
token: one row by key). The one input left is the clock: a candidate's debrief closes to a
co-interviewer when one of their interviews starts with scorecards missing, so an entry is
kept only until the next interview start or end after it was computed (which also moves the
question and funnel reports' "held" counts), and never longer than ANALYTICS_CACHE_SECONDS.

The data: a submitted scorecard, an edit of one, a decision, a pre-offer answer, a booking,
move or cancellation, a new candidate or a requisition opened empties this process's cache
(the receivers in wiring.py). Other processes (gunicorn workers) learn of it when their
entries expire: a figure there may lag by up to ANALYTICS_CACHE_SECONDS (600 s by default),
never by its viewer's scope. ANALYTICS_CACHE_SECONDS = 0 turns the cache off (the test
suite's default: its apps are shared between tests whose data is rolled back).
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, TypeVar

from flask import current_app, has_app_context
from sqlalchemy import BindParameter, Integer, Select, bindparam, func, select
from sqlalchemy.orm import Session

from interviewloop.auth.models import User
from interviewloop.db import plain_rows, utcnow
from interviewloop.requisitions.models import Requisition
from interviewloop.requisitions.service import managed_by, visible_to
from interviewloop.scheduling.models import Interview, InterviewStatus, SeatRevision

T = TypeVar("T")
ENTRIES = 256  # reports kept per process, least recently used dropped first


@dataclass
class Entry:
    value: Any
    expires: float  # time.monotonic()


class ReportCache:
    def __init__(self) -> None:
        self.entries: OrderedDict[str, Entry] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def clear(self) -> None:
        self.entries.clear()


# One per process, whatever the app: a service may send its signal with no app context (a
# script, a test); the entries are keyed by the app too.
STORE = ReportCache()

# The scope read by the lookup whose value is being computed: a report computed from
# another cached one (a rendered page from its figures) asks for the same viewer's scope in
# the same transaction, with nothing written in between, so it is not read twice.
_COMPUTING: ContextVar[tuple[int, int, tuple[Hashable, ...]] | None] = ContextVar(
    "analytics_scope", default=None)


def scope(session: Session, viewer: User) -> tuple[Hashable, ...]:
    """What the viewer may see is decided from (one statement; two for a viewer who sees
    no requisition)."""
    # The viewer's seats (the candidates they interview, each seat's role, whether their
    # card for it is in, its interview's status) through their token, which triggers renew
    # on every change to those (scheduling/seat_revisions.py): one row by key, not the
    # thousands of seats an interviewer has at 10,000 candidates; read on each requisition's
    # row.
    per_requisition, seats_alone = _scope_reads(viewer.is_admin)
    values = {"viewer_id": viewer.id}
    rows = plain_rows(session, per_requisition, values)
    seats = rows[0][3] if rows else session.scalar(seats_alone, values)
    requisitions = tuple(tuple(row[:3]) for row in rows)
    return (viewer.id, tuple(sorted(r.value for r in viewer.roles)), requisitions, seats)


@cache
def _scope_reads(admin: bool) -> tuple[Select[int, bool, bool, str], Select[str]]:
    """scope's two statements, built once for admins and once for the rest (every report
    and debrief asks), the viewer's id bound when they run."""
    viewer: BindParameter[int] = bindparam("viewer_id", type_=Integer)
    token = select(SeatRevision.token).where(SeatRevision.user_id == viewer).scalar_subquery()
    return (select(Requisition.id, managed_by(admin, viewer),
                   Requisition.hide_scorecards_until_debrief, token)
            .where(visible_to(admin, viewer)).order_by(Requisition.id), select(token))


def cached(session: Session, viewer: User, report: str, args: Hashable,
           compute: Callable[[], T]) -> T:
    """``compute()``, or its value for the same report, arguments and viewer scope while
    that is fresh (module docstring)."""
    seconds = current_app.config["ANALYTICS_CACHE_SECONDS"] if has_app_context() else 0
    if not seconds:  # off, or called outside the app (a script, a test)
        return compute()
    store = STORE
    outer = _COMPUTING.get()
    if outer is not None and outer[:2] == (id(session), viewer.id):
        viewer_scope = outer[2]
    else:
        viewer_scope = scope(session, viewer)
    key = hashlib.sha256(repr((id(current_app.extensions), report, args,  # the app's
                               viewer_scope)).encode()).hexdigest()
    clock = time.monotonic()
    entry = store.entries.get(key)
    if entry is not None and entry.expires > clock:
        store.entries.move_to_end(key)
        store.hits += 1
        return entry.value  # type: ignore[no-any-return]
    store.misses += 1
    now = utcnow()
    token = _COMPUTING.set((id(session), viewer.id, viewer_scope))
    try:
        value = compute()
    finally:
        _COMPUTING.reset(token)
    expires = clock + seconds
    upcoming = next_change(session, now)
    if upcoming is not None:
        expires = min(expires, clock + max(0.0, (upcoming - now).total_seconds()))
    store.entries[key] = Entry(value, expires)
    store.entries.move_to_end(key)
    while len(store.entries) > ENTRIES:
        store.entries.popitem(last=False)
    return value


def next_change(session: Session, now: datetime) -> datetime | None:
    """The next moment an interview starts or ends after ``now`` (two small statements on
    the interviews' indexed times)."""
    starts = session.scalar(select(func.min(Interview.starts_at)).where(
        Interview.status == InterviewStatus.SCHEDULED, Interview.starts_at > now))
    ends = session.scalar(select(func.min(Interview.ends_at)).where(
        Interview.status == InterviewStatus.SCHEDULED, Interview.ends_at > now))
    found = [t for t in (starts, ends) if t is not None]
    return min(found) if found else None


def forget(*_args: object, **_kwargs: object) -> None:
    """On a change the reports read: empty this process's cache (wiring.py)."""
    STORE.clear()
