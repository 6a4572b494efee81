"""The landing page and the trivial route the benchmark measures against."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("home", __name__)


@bp.get("/")
@login_required
def index():
    return render_template("home.html")


@bp.get("/healthz")
def healthz():
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}
