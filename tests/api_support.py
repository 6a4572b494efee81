"""Helpers for the JSON API's tests: tokens made through the service, and calls with them."""

from __future__ import annotations

import json as jsonlib

from interviewloop.api import service
from interviewloop.api.models import ApiScope
from interviewloop.audit.service import Actor

ALL_SCOPES = tuple(s.value for s in ApiScope)
PROBLEM = "application/problem+json"


def make_token(db_session, user, *scopes: str, days: int = 30, name: str = "tests") -> str:
    made = service.create_token(db_session, Actor(user), user, name=name,
                                scopes=scopes or ALL_SCOPES, days=days)
    db_session.flush()
    return made.secret


def call(client, method: str, url: str, token: str | None = None, *, json=None,
         headers: dict | None = None):
    """An API request as a client sends it: the bearer token, a JSON body, no cookie needed."""
    sent = dict(headers or {})
    if token is not None:
        sent["Authorization"] = f"Bearer {token}"
    kwargs = {}
    if json is not None:
        kwargs = {"data": jsonlib.dumps(json), "content_type": "application/json"}
    return client.open(url, method=method, headers=sent, **kwargs)


def assert_problem(response, status: int, field: str | None = None) -> dict:
    """An RFC 9457 problem document with this status (and, if given, naming the field)."""
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == PROBLEM
    body = response.get_json(force=True)
    assert body["status"] == status and body["title"] and body["detail"]
    assert body["type"] == "about:blank" and body["instance"] == response.request.path
    if field is not None:
        assert field in [e["field"] for e in body.get("errors", [])], body
    return body


def interview_world(db_session, make_user, count: int = 1) -> dict:
    """A hiring team with an interviewer, and ``count`` candidates each with a loop (from
    the real bank: ask for the `bank` fixture) whose first stage has an interview with the
    interviewer on its panel, a week apart. The first candidate's are `loop`, `interview`."""
    from tests.factories import (
        add_to_team,
        make_candidate_with_loop,
        make_interview,
        make_requisition,
        next_monday,
    )

    manager, recruiter = make_user("hiring_manager"), make_user("recruiter")
    interviewer = make_user("interviewer")
    requisition = make_requisition(db_session, manager, recruiter)
    add_to_team(db_session, requisition, manager, interviewer)
    built = []
    for n in range(count):
        candidate, loop = make_candidate_with_loop(db_session, requisition, recruiter, n + 1,
                                                   seed=n + 1)
        built.append((candidate, loop, make_interview(
            db_session, requisition, recruiter, candidate, loop.stages[0], [interviewer],
            next_monday(weeks_ahead=2 + n))))
    db_session.flush()
    candidate, loop, interview = built[0]
    return {"manager": manager, "recruiter": recruiter, "interviewer": interviewer,
            "requisition": requisition, "candidate": candidate, "loop": loop,
            "interview": interview}
