"""The landing page and the trivial route the benchmark measures against."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from interviewloop.db import db
from interviewloop.scheduling.queries import interviews_of, split_upcoming

bp = Blueprint("home", __name__)


@bp.get("/")
@login_required
def index():
    upcoming, past = split_upcoming(interviews_of(db.session, current_user))
    return render_template("home.html", upcoming=upcoming, past=past)


@bp.get("/healthz")
def healthz():
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}
