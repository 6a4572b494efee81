"""API tokens: made on the account page (or by the CLI), shown once, kept as a hash, listed
with their last use, revoked at once, refused once expired or out of scope; each use is
audited, at most once a minute per token."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text, update

from interviewloop.api import service
from interviewloop.api.models import ApiToken, TokenKind
from interviewloop.audit.models import AuditEvent
from interviewloop.audit.service import SYSTEM, Actor
from interviewloop.auth import service as users
from interviewloop.db import utcnow
from interviewloop.errors import Forbidden
from tests.api_support import ALL_SCOPES, assert_problem, call, make_token
from tests.conftest import post

SECRET = re.compile(r'<code id="token-secret">(ila_[A-Za-z0-9_-]+)</code>')


def uses(db_session, token_id: int) -> int:
    return db_session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "api_token_used", AuditEvent.object_id == token_id))


def test_made_on_the_account_page_shown_once_kept_as_a_hash(db_session, make_user, login):
    user = make_user("recruiter")
    browser = login(user)
    made = post(browser, "/account/api-tokens", {"name": "Greenhouse sync", "days": "30",
                                                 "scopes": ["read:requisitions"]})
    assert made.status_code == 200
    secret = SECRET.search(made.get_data(as_text=True)).group(1)
    stored = db_session.execute(text(
        "SELECT token_hash, name, kind FROM api_tokens WHERE user_id = :u"), {"u": user.id}).one()
    assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert (stored.name, stored.kind) == ("Greenhouse sync", "personal")
    # Nowhere in the database, and never shown again.
    for table in ("api_tokens", "audit_events"):
        dump = str(db_session.execute(text(f"SELECT * FROM {table}")).all())  # noqa: S608
        assert secret not in dump
    listing = browser.get("/account/api-tokens").get_data(as_text=True)
    assert "Greenhouse sync" in listing and secret not in listing and "never" in listing
    # The hash is no credential.
    assert_problem(call(browser, "GET", "/api/v1/requisitions", stored.token_hash), 401)
    # The token works, and the list then shows its last use.
    assert call(browser, "GET", "/api/v1/requisitions", secret).status_code == 200
    listing = browser.get("/account/api-tokens").get_data(as_text=True)
    assert "never" not in listing


def test_refused_form_keeps_input_and_makes_nothing(db_session, make_user, login):
    user = make_user("recruiter")
    answer = post(login(user), "/account/api-tokens", {"name": "Kept name", "days": "999",
                                                       "scopes": ["read:requisitions"]})
    assert answer.status_code == 422 and 'value="Kept name"' in answer.get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(ApiToken)) == 0


def test_revoked_is_refused_at_once(db_session, make_user, login, client):
    user = make_user("recruiter")
    secret = make_token(db_session, user)
    assert call(client, "GET", "/api/v1/requisitions", secret).status_code == 200
    token = db_session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert post(login(user), f"/account/api-tokens/{token.id}/revoke").status_code == 302
    body = assert_problem(call(client, "GET", "/api/v1/requisitions", secret), 401)
    assert "revoked" in body["detail"]
    assert db_session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "api_token_revoked")) == 1


def test_expired_is_refused(db_session, make_user, client):
    user = make_user("recruiter")
    secret = make_token(db_session, user, days=1)
    db_session.execute(update(ApiToken).values(expires_at=utcnow() - timedelta(seconds=1),
                                               created_at=utcnow() - timedelta(days=2)))
    response = call(client, "GET", "/api/v1/requisitions", secret)
    assert_problem(response, 401)
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_deactivated_owner_is_refused(db_session, make_user, client):
    user = make_user("recruiter")
    secret = make_token(db_session, user)
    users.deactivate_user(db_session, SYSTEM, user)
    db_session.flush()
    assert_problem(call(client, "GET", "/api/v1/requisitions", secret), 401)


@pytest.mark.parametrize(("method", "url", "needs"), [
    ("GET", "/api/v1/requisitions", "read:requisitions"),
    ("GET", "/api/v1/requisitions/1", "read:requisitions"),
    ("GET", "/api/v1/candidates", "read:candidates"),
    ("GET", "/api/v1/candidates/1", "read:candidates"),
    ("POST", "/api/v1/candidates", "write:candidates"),
    ("PATCH", "/api/v1/candidates/1", "write:candidates"),
    ("GET", "/api/v1/scorecards", "read:scorecards"),
    ("GET", "/api/v1/scorecards/1", "read:scorecards"),
    ("GET", "/api/v1/candidates/1/debrief", "read:debriefs"),
    ("GET", "/api/v1/pre-offer-checks", "read:decisions"),
    ("GET", "/api/v1/pre-offer-checks/1", "read:decisions"),
    ("GET", "/api/v1/decisions", "read:decisions"),
    ("GET", "/api/v1/decisions/1", "read:decisions"),
])
def test_wrong_scope_is_403(method, url, needs, db_session, make_user, client):
    admin = make_user("admin")
    others = [s for s in ALL_SCOPES if s != needs]
    body = assert_problem(call(client, method, url, make_token(db_session, admin, *others),
                               json={}), 403)
    assert needs in body["detail"]


def test_malformed_headers_are_401(client):
    for header in ("", "Bearer", "Basic dXNlcjpwYXNz", "Bearer ila_short", "Bearer " + "x" * 300):
        response = client.get("/api/v1/requisitions", headers={"Authorization": header})
        assert_problem(response, 401)


def test_use_is_audited_once_a_minute(db_session, make_user, client):
    user = make_user("recruiter")
    secret = make_token(db_session, user)
    token = db_session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    for _ in range(3):
        assert call(client, "GET", "/api/v1/requisitions", secret).status_code == 200
    assert uses(db_session, token.id) == 1
    # A refused call (404 here) is a use too: its record is not rolled back with it.
    db_session.execute(update(ApiToken).values(last_used_at=utcnow() - timedelta(minutes=2)))
    assert call(client, "GET", "/api/v1/requisitions/987654", secret).status_code == 404
    assert uses(db_session, token.id) == 2
    db_session.expire_all()
    assert db_session.get(ApiToken, token.id).last_used_ip == "127.0.0.1"


def test_someone_elses_token_is_404_and_kept(db_session, make_user, login):
    owner, other = make_user("recruiter"), make_user("recruiter")
    make_token(db_session, owner)
    token = db_session.scalar(select(ApiToken).where(ApiToken.user_id == owner.id))
    assert post(login(other), f"/account/api-tokens/{token.id}/revoke").status_code == 404
    db_session.expire_all()
    assert db_session.get(ApiToken, token.id).revoked_at is None


def test_service_tokens_are_admins_and_act_as_their_account(db_session, make_user, login,
                                                            client):
    admin, ats = make_user("admin"), make_user("recruiter", name="ATS integration")
    with pytest.raises(Forbidden):
        service.create_token(db_session, Actor(ats), admin, name="x", scopes=["read:candidates"],
                             kind=TokenKind.SERVICE)
    with pytest.raises(Forbidden):
        service.create_token(db_session, Actor(admin), ats, name="x", scopes=["read:candidates"])
    made = post(login(admin), "/admin/api-tokens", {
        "user_id": str(ats.id), "name": "Lever", "days": "30", "scopes": ["read:requisitions"]})
    secret = SECRET.search(made.get_data(as_text=True)).group(1)
    token = db_session.scalar(select(ApiToken).where(ApiToken.name == "Lever"))
    assert (token.kind, token.user_id, token.created_by_id) == ("service", ats.id, admin.id)
    assert call(client, "GET", "/api/v1/requisitions", secret).status_code == 200
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "api_token_used"))
    assert event.actor_id == ats.id  # it acts as the integration's account, not the admin


def test_cli_prints_a_working_token(app, db_session, make_user, client):
    user = make_user("recruiter", email="cli@example.com")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-token", "--email", "cli@example.com",
                                 "--scope", "read:requisitions", "--scope", "read:candidates",
                                 "--days", "7"])
    assert result.exit_code == 0, result.output
    secret = result.output.strip()
    assert secret.startswith("ila_")
    assert call(client, "GET", "/api/v1/candidates", secret).status_code == 200
    token = db_session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert {s.value for s in token.scopes} == {"read:requisitions", "read:candidates"}
    assert timedelta(days=6) < token.expires_at - token.created_at <= timedelta(days=7)
    bad = runner.invoke(args=["create-token", "--email", "cli@example.com", "--scope", "root"])
    assert bad.exit_code != 0 and "Unknown scope" in bad.output
    missing = runner.invoke(args=["create-token", "--email", "nobody@example.com",
                                  "--scope", "read:candidates"])
    assert missing.exit_code != 0 and "No account" in missing.output


def test_account_page_links_to_the_tokens(make_user, login):
    page = login(make_user()).get("/account").get_data(as_text=True)
    assert "<title>Your settings · interviewloop</title>" in page
    assert page.count('id="api-tokens"') == 1 and 'href="/account/api-tokens"' in page
