"""The JSON API's lists in the page benchmark (bench/pages.py): a page of 100 each, read
with an admin's token (every scope), timed like the pages, as ratios to /healthz."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from interviewloop.api import service
from interviewloop.api.models import ApiScope
from interviewloop.audit.service import Actor
from interviewloop.auth.models import User
from interviewloop.db import writing

API = "api"  # who a route is requested as: the admin's token, no session cookie
PAGE = "limit=100"


def lists(with_hiring: bool) -> list[tuple[str, str]]:
    """(name, path) of each list timed; loops and interviews only with the hiring side."""
    found = [("API bank questions", f"/api/v1/bank/questions?{PAGE}"),
             ("API users", f"/api/v1/users?{PAGE}")]
    if with_hiring:
        found = [("API requisitions", f"/api/v1/requisitions?{PAGE}"),
                 ("API candidates", f"/api/v1/candidates?{PAGE}"),
                 ("API loops", f"/api/v1/loops?{PAGE}"),
                 ("API interviews", f"/api/v1/interviews?{PAGE}"), *found]
    return found


def token_client(app: Flask, engine: Engine, email: str) -> FlaskClient:
    """A test client whose every request carries a new token of the user ``email``."""
    with Session(bind=writing(engine)) as session, session.begin():
        owner = session.scalars(select(User).where(User.email == email)).one()
        secret = service.create_token(session, Actor(owner), owner, name="bench",
                                      scopes=[s.value for s in ApiScope], days=1).secret
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    return client
