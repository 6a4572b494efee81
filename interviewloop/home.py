"""The landing page and the trivial route the benchmark measures against."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user, login_required

from interviewloop import paging
from interviewloop.db import db, utcnow
from interviewloop.scheduling.queries import PAST_ORDER, past_of, upcoming_of
from interviewloop.scorecards.reminders import outstanding

bp = Blueprint("home", __name__)


@bp.get("/")
@login_required
def index():
    now = utcnow()
    upcoming, more_upcoming = upcoming_of(db.session, current_user, now=now)
    past = past_of(db.session, current_user, now=now,
                   cursor=paging.read_cursor(request.args, PAST_ORDER))
    owed = outstanding(db.session, now=now, user=current_user,
                       due_hours=current_app.config["SCORECARD_DUE_HOURS"])
    owed.sort(key=lambda item: (not item.overdue(now), item.due_at))
    return render_template("home.html", upcoming=upcoming, more_upcoming=more_upcoming,
                           past=past.items, pager=paging.pager(".index", past, anchor="past"),
                           owed=owed, now=now)


@bp.get("/healthz")
def healthz():
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}
