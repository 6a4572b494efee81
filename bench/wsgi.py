"""The app as the benchmarks serve it, with one page of their own.

`/bench/one-query` runs one SQL statement and renders a small template on the app's base
layout, without a login: the floor a real page cannot go under, measured beside `/healthz`
(no database, no template). It is registered here only, never by `create_app`, so it does
not exist in the app people use.

    gunicorn 'bench.wsgi:serve_app()'   # reads DATABASE_URL and SECRET_KEY from the environment
"""

from __future__ import annotations

import os

from flask import Blueprint, Flask, render_template_string
from sqlalchemy import select

from interviewloop import create_app
from interviewloop.bank.models import CapabilityArea
from interviewloop.db import db

ONE_QUERY = "/bench/one-query"
HASH_COST = {"PASSWORD_HASH_MEMORY_KIB": 256, "PASSWORD_HASH_TIME_COST": 1}
PAGE = """{% extends "base.html" %}{% block title %}One query{% endblock %}
{% block content %}<h1>One query</h1><p>The first capability area: {{ name }}.</p>{% endblock %}"""

bp = Blueprint("bench", __name__)


@bp.get(ONE_QUERY)
def one_query() -> str:
    name = db.session.scalar(select(CapabilityArea.name).order_by(CapabilityArea.position)
                             .limit(1))
    return render_template_string(PAGE, name=name or "none")


def bench_app(url: str, secret_key: str = "bench") -> Flask:  # noqa: S107 - a throwaway database
    """The app on ``url``, as the benchmarks run it, with the one-query page."""
    app = create_app({"ENV": "test", "SECRET_KEY": secret_key, "DATABASE_URL": url,
                      "SESSION_COOKIE_SECURE": False, **HASH_COST})
    app.register_blueprint(bp)
    return app


def serve_app() -> Flask:
    """For gunicorn: the database and the key come from bench/serve.py's environment."""
    return bench_app(os.environ["DATABASE_URL"], os.environ["SECRET_KEY"])
