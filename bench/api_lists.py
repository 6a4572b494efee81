"""The JSON API's lists for the page benchmark (bench/pages.py): each timed like a page, as
a ratio to /healthz, called with a bearer token (every scope, bench/api.py's token_client)
of the person it is for. bench/api.py has the lists timed as the admin."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine

from bench import api, hiring

API_MANAGER, API_INTERVIEWER = "API manager", "API interviewer"  # Route.who of the API rows


def token_clients(app: Flask, engine: Engine, interviewer_email: str) -> dict[str, FlaskClient]:
    """A client per API caller: the hiring manager, and an interviewer on the panels (the
    longest visibility rule: their own cards, and others' once theirs are in)."""
    return {who: api.token_client(app, engine, email)
            for who, email in ((API_MANAGER, hiring.MANAGER_EMAIL),
                               (API_INTERVIEWER, interviewer_email))}


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
