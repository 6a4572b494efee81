"""The landing page (an interviewer's task list) and the trivial route the benchmark
measures against."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user, login_required
from sqlalchemy.orm import Session

from interviewloop import paging
from interviewloop.auth.models import User
from interviewloop.db import db, utcnow
from interviewloop.scheduling.queries import PAST_ORDER, past_of, upcoming_of
from interviewloop.scorecards.queries import Task, due_at, own_scorecards, to_write
from interviewloop.timezones import to_local, zone

bp = Blueprint("home", __name__)

HOME_TO_WRITE = 10  # scorecards owed shown on the home page; "see all" lists every one


@dataclass(frozen=True)
class TaskList:
    """An interviewer's day: what is on now, later today, next (after today), and the
    scorecards they owe (from each interview's start), each bounded."""

    now: list[Task]
    today: list[Task]
    next: list[Task]
    more_next: bool  # more upcoming interviews than are shown
    to_write: list[Task]
    more_to_write: bool


def end_of_day(now: datetime, zone_name: str) -> datetime:
    """The next midnight in the person's own time zone."""
    tomorrow = to_local(now, zone_name).date() + timedelta(days=1)
    return datetime.combine(tomorrow, time(0), tzinfo=zone(zone_name))


def task_list(session: Session, user: User, *, now: datetime, due_hours: int,
              size: int = HOME_TO_WRITE) -> TaskList:
    upcoming, more = upcoming_of(session, user, now=now)
    cards = own_scorecards(session, user, [row.interview.id for row in upcoming])
    tasks = [Task(row.interview, row.requisition, cards.get(row.interview.id),
                  due_at(row.interview, due_hours)) for row in upcoming]
    midnight = end_of_day(now, user.time_zone)
    owed = to_write(session, user, now=now, due_hours=due_hours, size=size)
    return TaskList(
        now=[t for t in tasks if t.interview.starts_at <= now],
        today=[t for t in tasks if now < t.interview.starts_at < midnight],
        next=[t for t in tasks if t.interview.starts_at >= midnight], more_next=more,
        to_write=owed.items, more_to_write=owed.next is not None)


@bp.get("/")
@login_required
def index():
    now = utcnow()
    past = past_of(db.session, current_user, now=now,
                   cursor=paging.read_cursor(request.args, PAST_ORDER))
    tasks = task_list(db.session, current_user, now=now,
                      due_hours=current_app.config["SCORECARD_DUE_HOURS"])
    return render_template("home.html", tasks=tasks, past=past.items,
                           pager=paging.pager(".index", past, anchor="past"), now=now)


@bp.get("/healthz")
def healthz():
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}
