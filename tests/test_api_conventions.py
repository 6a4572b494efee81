"""The API's conventions, as a client developer expects them: problem documents naming the
field at fault, ETag and If-Match, Idempotency-Key, cursor pages with updated_since, external
ids unique per source, 429 with Retry-After, and no CSRF token for bearer calls."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select, update

from interviewloop import create_app
from interviewloop.api.models import IdempotentRequest
from interviewloop.db import utcnow
from interviewloop.requisitions.models import Candidate
from tests.api_support import assert_problem, call, make_token
from tests.conftest import app_config
from tests.factories import make_candidate, make_requisition


@pytest.fixture
def team(db_session, make_user):
    manager, recruiter = make_user("hiring_manager"), make_user("recruiter")
    requisition = make_requisition(db_session, manager, recruiter)
    return {"manager": manager, "recruiter": recruiter, "requisition": requisition,
            "token": make_token(db_session, recruiter)}


def new_candidate(team, **changes) -> dict:
    return {"requisition_id": team["requisition"].id, "name": "Grace Hopper",
            "email": "grace@navy.example", "external_source": "greenhouse",
            "external_id": "app-1", **changes}


def count(db_session, model) -> int:
    return db_session.scalar(select(func.count()).select_from(model))


# --- problems ------------------------------------------------------------------------------

def test_validation_problem_names_each_field(client, team, db_session):
    body = assert_problem(call(client, "POST", "/api/v1/candidates", team["token"], json={
        "requisition_id": team["requisition"].id, "email": "x" * 300, "colour": "red"}), 422)
    fields = {e["field"] for e in body["errors"]}
    assert {"name", "email", "colour"} <= fields
    assert count(db_session, Candidate) == 0


def test_service_refusal_names_its_field(client, team):
    """Blank once trimmed: the schema lets it through, the service (as on the page) does not."""
    body = assert_problem(call(client, "POST", "/api/v1/candidates", team["token"],
                               json=new_candidate(team, name="   ")), 422, "name")
    assert "A name is 1 to 120 characters." in body["detail"]


@pytest.mark.parametrize(("method", "url", "status"), [
    ("GET", "/api/v1/nowhere", 404), ("DELETE", "/api/v1/candidates", 405),
    ("GET", "/api/v1/candidates?limit=0", 422), ("GET", "/api/v1/candidates?cursor=bm9wZQ", 422),
    ("GET", "/api/v1/requisitions?updated_since=yesterday", 422),
])
def test_every_error_is_a_problem(client, team, method, url, status):
    response = call(client, method, url, team["token"])
    assert_problem(response, status)
    if status == 405:
        assert "GET" in response.headers["Allow"]


def test_malformed_json_is_a_problem(client, team, db_session):
    response = client.post("/api/v1/candidates", data="{not json",
                           content_type="application/json",
                           headers={"Authorization": f"Bearer {team['token']}"})
    assert response.status_code in (400, 422) and response.mimetype == "application/problem+json"


def test_the_web_pages_keep_their_html_errors(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and response.mimetype == "text/html"


def test_a_closed_requisition_refuses_candidates_with_409(client, team, db_session):
    from interviewloop.audit.service import Actor
    from interviewloop.requisitions import service

    service.close_requisition(db_session, Actor(team["recruiter"]), team["requisition"])
    db_session.flush()
    assert_problem(call(client, "POST", "/api/v1/candidates", team["token"],
                        json=new_candidate(team)), 409)


# --- external ids --------------------------------------------------------------------------

def test_external_id_is_unique_per_source(client, team, db_session):
    first = call(client, "POST", "/api/v1/candidates", team["token"], json=new_candidate(team))
    assert first.status_code == 201
    again = call(client, "POST", "/api/v1/candidates", team["token"],
                 json=new_candidate(team, email="other@navy.example"))
    assert_problem(again, 409, "external_id")
    other_source = call(client, "POST", "/api/v1/candidates", team["token"],
                        json=new_candidate(team, email="other@navy.example",
                                           external_source="lever"))
    assert other_source.status_code == 201
    found = call(client, "GET", "/api/v1/candidates?external_source=greenhouse&external_id=app-1",
                 team["token"]).get_json()
    assert [c["id"] for c in found["items"]] == [first.get_json()["id"]]


def test_external_id_needs_its_source(client, team):
    assert_problem(call(client, "POST", "/api/v1/candidates", team["token"],
                        json=new_candidate(team, external_source="")), 422, "external_source")


def test_the_database_holds_the_external_id_rule(db_session, team):
    from sqlalchemy.exc import IntegrityError

    candidate = make_candidate(db_session, team["requisition"], team["recruiter"])
    candidate.external_source = "greenhouse"  # without an id
    with pytest.raises(IntegrityError, match="external_id_has_source"), db_session.begin_nested():
        db_session.flush()


# --- ETag and If-Match ---------------------------------------------------------------------

def test_etag_and_if_match(client, team):
    token = team["token"]
    created = call(client, "POST", "/api/v1/candidates", token, json=new_candidate(team))
    url = created.headers["Location"]
    read = call(client, "GET", url, token)
    etag = read.headers["ETag"]
    assert etag == created.headers["ETag"] == f'"{read.get_json()["version"]}"'
    assert_problem(call(client, "PATCH", url, token, json={"notes": "x"}), 428)
    changed = call(client, "PATCH", url, token, json={"notes": "Strong on evals"},
                   headers={"If-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert changed.get_json()["notes"] == "Strong on evals"
    assert changed.get_json()["name"] == "Grace Hopper"  # left out: kept
    stale = call(client, "PATCH", url, token, json={"notes": "Overwrites?"},
                 headers={"If-Match": etag})
    assert_problem(stale, 412)
    assert call(client, "GET", url, token).get_json()["notes"] == "Strong on evals"


def test_a_web_edit_makes_the_api_etag_stale(client, team, login):
    from tests.conftest import post

    token = team["token"]
    url = call(client, "POST", "/api/v1/candidates", token,
               json=new_candidate(team)).headers["Location"]
    read = call(client, "GET", url, token)
    body = read.get_json()
    browser = login(team["recruiter"])
    page = f"/requisitions/{team['requisition'].id}/candidates/{body['id']}/edit"
    assert post(browser, page, {"name": "Grace B. Hopper", "email": body["email"],
                                "version": str(body["version"])}).status_code == 302
    assert_problem(call(client, "PATCH", url, token, json={"notes": "late"},
                        headers={"If-Match": read.headers["ETag"]}), 412)
    # The page's edit kept the external id it never showed.
    assert call(client, "GET", url, token).get_json()["external_id"] == "app-1"


# --- Idempotency-Key -----------------------------------------------------------------------

def test_idempotency_key_replays_the_first_answer(client, team, db_session):
    token, headers = team["token"], {"Idempotency-Key": "push-42"}
    first = call(client, "POST", "/api/v1/candidates", token, json=new_candidate(team),
                 headers=headers)
    replay = call(client, "POST", "/api/v1/candidates", token, json=new_candidate(team),
                  headers=headers)
    assert first.status_code == replay.status_code == 201
    assert replay.get_json() == first.get_json()
    assert replay.headers["Location"] == first.headers["Location"]
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert count(db_session, Candidate) == 1
    other = call(client, "POST", "/api/v1/candidates", token,
                 json=new_candidate(team, name="Someone Else"), headers=headers)
    assert_problem(other, 422, "Idempotency-Key")
    assert count(db_session, Candidate) == 1


def test_idempotency_keys_are_per_owner_and_free_after_a_refusal(client, team, db_session,
                                                                 make_user):
    headers = {"Idempotency-Key": "same-key"}
    refused = call(client, "POST", "/api/v1/candidates", team["token"],
                   json=new_candidate(team, email="bad"), headers=headers)
    assert refused.status_code == 422
    assert count(db_session, IdempotentRequest) == 0  # rolled back with the create
    assert call(client, "POST", "/api/v1/candidates", team["token"], json=new_candidate(team),
                headers=headers).status_code == 201
    manager_token = make_token(db_session, team["manager"])
    second = call(client, "POST", "/api/v1/candidates", manager_token,
                  json=new_candidate(team, email="m@navy.example", external_id="app-2"),
                  headers=headers)
    assert second.status_code == 201 and "Idempotent-Replayed" not in second.headers
    assert_problem(call(client, "POST", "/api/v1/candidates", team["token"],
                        json=new_candidate(team), headers={"Idempotency-Key": "é"}), 422,
                   "Idempotency-Key")


def test_old_idempotency_keys_are_forgotten(client, team, db_session):
    headers = {"Idempotency-Key": "yesterday"}
    call(client, "POST", "/api/v1/candidates", team["token"], json=new_candidate(team),
         headers=headers)
    db_session.execute(update(IdempotentRequest).values(created_at=utcnow() - timedelta(days=2)))
    again = call(client, "POST", "/api/v1/candidates", team["token"],
                 json=new_candidate(team, email="n@navy.example", external_id="app-9"),
                 headers=headers)
    assert again.status_code == 201 and "Idempotent-Replayed" not in again.headers


# --- pages ---------------------------------------------------------------------------------

def add_candidates(db_session, requisition, count: int, start: int, at) -> None:
    db_session.execute(insert(Candidate), [
        {"requisition_id": requisition.id, "name": f"Bulk {n}", "email": f"bulk{n}@example.net",
         "source": "", "notes": "", "status": "active", "time_zone": "UTC",
         "created_at": at, "updated_at": at, "version": 1} for n in range(start, start + count)])
    db_session.flush()


def walk(client, token: str, count_queries) -> tuple[list[int], list[int]]:
    """Every id across the pages of 100, and the statements each page cost."""
    ids, counts = [], []
    url = "/api/v1/candidates?limit=100"
    call(client, "GET", url, token)  # warm caches (compiled statements) outside the count
    while url:
        with count_queries() as queries:
            response = call(client, "GET", url, token)
        assert response.status_code == 200, response.get_data(as_text=True)
        counts.append(len(queries))
        body = response.get_json()
        ids += [item["id"] for item in body["items"]]
        url = f"/api/v1/candidates?limit=100&cursor={body['next_cursor']}" \
            if body["next_cursor"] else None
    return ids, counts


def test_cursor_walks_600_rows_in_constant_queries(client, team, db_session, count_queries):
    moment = utcnow() - timedelta(hours=1)
    add_candidates(db_session, team["requisition"], 600, 0, moment)  # one timestamp: ties
    ids, counts = walk(client, team["token"], count_queries)
    assert len(ids) == len(set(ids)) == 600
    assert ids == sorted(ids)  # ties on updated_at go by id
    assert len(counts) == 6 and len(set(counts)) == 1, counts  # the first page as the last


def test_list_queries_do_not_grow_with_rows(client, team, db_session, count_queries):
    token = team["token"]
    url = "/api/v1/candidates?limit=100"
    add_candidates(db_session, team["requisition"], 5, 0, utcnow())
    call(client, "GET", url, token)
    with count_queries() as few:
        call(client, "GET", url, token)
    add_candidates(db_session, team["requisition"], 600, 100, utcnow())
    with count_queries() as many:
        assert len(call(client, "GET", url, token).get_json()["items"]) == 100
    assert len(few) == len(many)


def test_updated_since_returns_what_changed(client, team, db_session):
    token = team["token"]
    long_ago = utcnow() - timedelta(days=3)
    add_candidates(db_session, team["requisition"], 3, 0, long_ago)
    since = utcnow() - timedelta(minutes=1)
    pushed = call(client, "POST", "/api/v1/candidates", token, json=new_candidate(team)).get_json()
    old = db_session.scalar(select(Candidate).where(Candidate.email == "bulk1@example.net"))
    listed = call(client, "GET", f"/api/v1/candidates?updated_since={since.isoformat()}"
                  .replace("+", "%2B"), token).get_json()
    assert [c["id"] for c in listed["items"]] == [pushed["id"]]
    changed = call(client, "PATCH", f"/api/v1/candidates/{old.id}", token,
                   json={"notes": "moved"}, headers={"If-Match": f'"{old.version}"'})
    assert changed.status_code == 200
    listed = call(client, "GET", f"/api/v1/candidates?updated_since={since:%Y-%m-%dT%H:%M:%S}",
                  token).get_json()
    assert [c["id"] for c in listed["items"]] == [pushed["id"], old.id]  # oldest change first


# --- rate limit and CSRF -------------------------------------------------------------------

def test_past_the_limit_is_429_with_retry_after(connection, team):
    app = create_app(app_config(DB_BIND=connection, DATABASE_URL="sqlite://",
                                RATELIMIT_API="3 per minute"))
    client = app.test_client()
    statuses = [call(client, "GET", "/api/v1/requisitions", team["token"]).status_code
                for _ in range(3)]
    assert statuses == [200, 200, 200]
    refused = call(client, "GET", "/api/v1/requisitions", team["token"])
    assert_problem(refused, 429)
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    # Counted per token: another token still has its calls.
    from tests.api_support import make_token as token_for

    other = token_for(app_db_session(connection), team["manager"])
    assert call(client, "GET", "/api/v1/requisitions", other).status_code == 200


def app_db_session(connection):
    from sqlalchemy.orm import Session

    return Session(bind=connection, join_transaction_mode="create_savepoint")


def test_bearer_calls_need_no_csrf_token(app, client, team):
    assert app.config["WTF_CSRF_ENABLED"] is True
    response = call(client, "POST", "/api/v1/candidates", team["token"], json=new_candidate(team))
    assert response.status_code == 201
    assert json.loads(response.get_data())["external_id"] == "app-1"


# --- the document --------------------------------------------------------------------------

def test_openapi_document_is_3_1_and_names_each_scope(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    scopes = {}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "patch"}:
                [requirement] = operation["security"]
                scopes[(method.upper(), path)] = requirement["bearerAuth"]
    from tests.test_api_permissions import API_ROUTES

    assert len(scopes) == len(API_ROUTES)  # every operation of the permission table
    # The scope the document names is the one the view checks (auth.requires).
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        checked = getattr(view, "_api_scope", None)
        while checked is None and hasattr(view, "__wrapped__"):
            view = view.__wrapped__
            checked = getattr(view, "_api_scope", None)
        if rule.rule.startswith("/api/v1/") and checked is not None:
            path = rule.rule.replace("<int:", "{").replace(">", "}")
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                assert scopes.pop((method, path)) == [checked.value]
    assert scopes == {}, "operations whose view checks no scope"
    problem = document["components"]["responses"]["NOT_FOUND"]["content"]
    assert list(problem) == ["application/problem+json"]


def test_docs_page_lists_every_operation(client):
    page = client.get("/api/v1/docs")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    # Only the app's own script (the CSP allows no other): no docs UI from a CDN.
    assert re.findall(r"<script[^>]*>", text) == ['<script src="/static/app.js" defer>']
    for operation in ("GET /api/v1/requisitions", "POST /api/v1/candidates",
                      "PATCH /api/v1/candidates/{candidate_id}"):
        assert operation in text
    assert "read:candidates" in text and "Idempotency-Key" in text


def test_the_pages_keep_their_own_error_handlers(app):
    """The API's handlers wrap the app's, each for the same kind of error."""
    from flask_limiter import RateLimitExceeded
    from sqlalchemy.exc import IntegrityError

    from interviewloop import errors, ratelimit
    from interviewloop.errors import DomainError

    handlers = app.error_handler_spec[None]
    for code, exc_class, web in ((None, IntegrityError, errors.constraint_refused),
                                 (None, DomainError, errors._domain_error),
                                 (429, RateLimitExceeded, ratelimit._too_many_requests)):
        wrapper = handlers[code][exc_class]
        assert web in [cell.cell_contents for cell in wrapper.__closure__ or ()]
