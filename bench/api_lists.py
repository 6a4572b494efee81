"""The JSON API's lists for the page benchmark (bench/pages.py): each timed like a page, as
a ratio to /healthz, called with a bearer token (every scope) of the person it is for."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bench import hiring
from interviewloop.api import service as api_tokens
from interviewloop.api.models import ApiScope
from interviewloop.auth.models import User
from interviewloop.db import writing

API_MANAGER, API_INTERVIEWER = "API manager", "API interviewer"  # Route.who of the API rows


class TokenClient:
    """A test client whose requests carry ``Authorization: Bearer <token>`` (no cookie)."""

    def __init__(self, client: FlaskClient, token: str) -> None:
        self.client, self.token = client, token

    def get(self, path: str) -> Any:
        return self.client.get(path, headers={"Authorization": f"Bearer {self.token}"})


def token_clients(app: Flask, engine: Engine, interviewer_email: str) -> dict[str, TokenClient]:
    """A client per API caller: the hiring manager, and an interviewer on the panels (the
    longest visibility rule: their own cards, and others' once theirs are in)."""
    clients = {}
    with Session(bind=writing(engine)) as session, session.begin():
        for who, email in ((API_MANAGER, hiring.MANAGER_EMAIL),
                           (API_INTERVIEWER, interviewer_email)):
            user = session.scalar(select(User).where(User.email == email))
            assert user is not None, email
            made = api_tokens.create_token_from_cli(session, user, name="bench",
                                                    scopes=[s.value for s in ApiScope], days=1)
            clients[who] = TokenClient(app.test_client(), made.secret)
    return clients


def api_routes(route: Any, seed: hiring.HiringSeed) -> list[Any]:
    """The API's list endpoints (a page of 100), and one debrief summary."""
    page = "?limit=100"
    return [
        route("API scorecards", f"/api/v1/scorecards{page}", API_MANAGER),
        route("API scorecards, interviewer", f"/api/v1/scorecards{page}", API_INTERVIEWER),
        route("API scorecards of a requisition",
              f"/api/v1/scorecards{page}&requisition_id={seed.requisition_id}", API_MANAGER),
        route("API pre-offer checks", f"/api/v1/pre-offer-checks{page}", API_MANAGER),
        route("API decisions", f"/api/v1/decisions{page}", API_MANAGER),
        route("API debrief summary", f"/api/v1/candidates/{seed.debrief_id}/debrief",
              API_MANAGER),
    ]


def check_api_lists(clients: dict[str, Any], routes: list[Any]) -> None:
    """Each list must time a page with rows in it, not an empty answer."""
    for route in routes:
        if not route.name.startswith("API ") or route.name.endswith("summary"):
            continue
        response = clients[route.who].get(route.path)
        if response.status_code != 200 or not response.get_json()["items"]:
            raise hiring.HiringError(f"GET {route.path} gave {response.status_code} with no "
                                     "rows; it would time an empty list")
