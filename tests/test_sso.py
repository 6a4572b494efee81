"""Single sign-on against a real OpenID provider on loopback (tests/oidc_provider.py): the
app's side runs in Flask's test client, the person's side at the provider in `requests`.
The refusals of spoiled ID tokens come from the app's own checks: the provider (test mode)
re-signs a token with a wrong claim, or signs it with a key that is not in its JWKS."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from interviewloop import create_app
from interviewloop.audit.models import AuditEvent
from interviewloop.auth.models import LoginSession, User
from interviewloop.enums import Role
from interviewloop.sso.models import PendingSignIn
from tests.conftest import app_config, post
from tests.oidc_provider import APP_BASE_URL, CLIENT_ID, CLIENT_SECRET

ROLE_MAP = {"hiring-admins": "admin", "engineers": "interviewer",
            "recruiting": ["recruiter", "hiring_manager"]}


def sso_app(connection, provider, **overrides):
    return create_app(app_config(
        DB_BIND=connection, DATABASE_URL="sqlite://", BASE_URL=APP_BASE_URL,
        OIDC_ISSUER=provider.issuer, OIDC_CLIENT_ID=CLIENT_ID, OIDC_CLIENT_SECRET=CLIENT_SECRET,
        OIDC_DISPLAY_NAME="Example ID", OIDC_SCOPES="openid email profile groups",
        OIDC_ROLES_CLAIM="groups", OIDC_ROLE_MAP=ROLE_MAP, **overrides))


@pytest.fixture
def app(connection, oidc_provider):
    return sso_app(connection, oidc_provider)


def start(client) -> str:
    """Press "Sign in with ..." on the login page; return the provider's authorization URL."""
    response = post(client, "/login/sso")
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.location


def callback(client, url: str):
    parts = urlsplit(url)
    return client.get(f"{parts.path}?{parts.query}")


def sign_in(client, provider, login: str, spoil: str | None = None):
    authorization = start(client)
    back = provider.sign_in(authorization, login)
    if spoil:
        provider.spoil_next_token(spoil)
    return callback(client, back)


def signed_in_as(client) -> str | None:
    """The name on the page's header, or None when the page is the login page."""
    response = client.get("/account", follow_redirects=False)
    if response.status_code != 200:
        return None
    return response.get_data(as_text=True)


def refusals(db_session) -> list[str]:
    return [e.detail["reason"] for e in db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "sso_login_refused").order_by(AuditEvent.id))]


def test_login_page_offers_the_provider(client, oidc_provider):
    response = client.get("/login")
    page = response.get_data(as_text=True)
    assert "Sign in with Example ID" in page
    assert 'name="password"' in page  # PASSWORD_LOGIN is on by default
    # Browsers check form-action on the redirect that follows the button's POST too.
    assert f"form-action 'self' {oidc_provider.issuer};" in response.headers["Content-Security-Policy"] + ";"


def test_a_good_sign_in_opens_the_same_login_session_as_a_password(client, oidc_provider,
                                                                    make_user, db_session):
    ada = make_user("hiring_manager", email="ada.lovelace@example.com", name="Ada L.")
    authorization = start(client)
    query = parse_qs(urlsplit(authorization).query)
    assert authorization.startswith(oidc_provider.issuer + "/auth?")  # from discovery
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"]
    assert query["state"] and query["nonce"] and query["response_type"] == ["code"]

    response = callback(client, oidc_provider.sign_in(authorization, "ada"))

    assert response.status_code == 302 and response.location == "/"
    assert "Ada L." in (signed_in_as(client) or "")  # matched case-insensitively by email
    login = db_session.scalars(select(LoginSession).where(LoginSession.user_id == ada.id)).one()
    assert login.ended_at is None
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "login")).one()
    assert event.actor_id == ada.id and event.detail["method"] == "oidc"
    assert event.detail["subject"] == "ada"
    assert db_session.scalar(select(PendingSignIn.id)) is None  # the state is spent
    post(client, "/logout")  # and it ends like any login session
    assert signed_in_as(client) is None
    db_session.refresh(login)
    assert login.ended_at is not None


def test_the_sign_in_returns_to_the_page_asked_for(client, oidc_provider, make_user):
    make_user("interviewer", email="ben@example.com")
    response = post(client, "/login/sso?next=/account")
    back = oidc_provider.sign_in(response.location, "ben")
    assert callback(client, back).location == "/account"


@pytest.mark.parametrize(("spoil", "reason"), [
    ("wrong_audience", "audience"),
    ("expired", "expired"),
    ("bad_signature", "signature"),
    ("wrong_nonce", "nonce"),
])
def test_a_spoiled_id_token_is_refused(client, oidc_provider, make_user, db_session, spoil,
                                       reason):
    make_user("admin", email="ada.lovelace@example.com")
    response = sign_in(client, oidc_provider, "ada", spoil=spoil)
    assert response.status_code == 403
    assert "could not be completed" in response.get_data(as_text=True)
    assert signed_in_as(client) is None
    assert refusals(db_session) == [reason]
    assert db_session.scalar(select(LoginSession.id)) is None


def test_a_replayed_state_is_refused_even_with_the_cookie_it_came_with(app, client,
                                                                       oidc_provider, make_user,
                                                                       db_session):
    make_user("admin", email="ada.lovelace@example.com")
    back = oidc_provider.sign_in(start(client), "ada")
    cookie = client.get_cookie("session").value  # as it was when the browser came back
    assert callback(client, back).status_code == 302

    replay = app.test_client()
    replay.set_cookie("session", cookie)
    response = callback(replay, back)

    assert response.status_code == 403
    assert signed_in_as(replay) is None
    # Refused for the state itself, before the code was taken to the provider again.
    assert refusals(db_session) == ["state"]
    assert len(db_session.scalars(select(LoginSession)).all()) == 1


def test_a_state_from_another_browser_is_refused(app, client, oidc_provider, make_user,
                                                 db_session):
    make_user("admin", email="ada.lovelace@example.com")
    back = oidc_provider.sign_in(start(client), "ada")
    other = app.test_client()  # e.g. a victim lured to the attacker's callback link
    assert callback(other, back).status_code == 403
    assert signed_in_as(other) is None and refusals(db_session) == ["state"]


def test_an_unverified_email_is_not_matched(client, oidc_provider, make_user, db_session):
    make_user("admin", email="una@example.com")
    response = sign_in(client, oidc_provider, "una")
    assert response.status_code == 403
    assert "did not say that your email address is verified" in response.get_data(as_text=True)
    assert signed_in_as(client) is None and refusals(db_session) == ["email_not_verified"]


def test_a_deactivated_account_stays_out(client, oidc_provider, make_user, db_session):
    make_user("interviewer", email="dee@example.com", active=False)
    response = sign_in(client, oidc_provider, "dee")
    assert response.status_code == 403
    assert "deactivated" in response.get_data(as_text=True)
    assert signed_in_as(client) is None and refusals(db_session) == ["deactivated"]


def test_without_an_account_the_person_is_told_to_ask_an_admin(client, oidc_provider,
                                                               db_session):
    response = sign_in(client, oidc_provider, "newcomer")
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "no account here for newcomer@example.com" in page and "Ask an admin" in page
    assert db_session.scalar(select(User.id).where(User.email == "newcomer@example.com")) is None
    assert refusals(db_session) == ["no_account"]


def test_create_users_makes_the_account_with_roles_from_the_claim(connection, oidc_provider,
                                                                  db_session):
    app = sso_app(connection, oidc_provider, OIDC_CREATE_USERS=True)
    client = app.test_client()
    assert sign_in(client, oidc_provider, "newcomer").status_code == 302

    user = db_session.scalars(select(User).where(User.email == "newcomer@example.com")).one()
    assert user.name == "New Comer"
    # engineers -> interviewer, recruiting -> recruiter and hiring manager; choir -> nothing
    assert user.roles == {Role.INTERVIEWER, Role.RECRUITER, Role.HIRING_MANAGER}
    assert "New Comer" in (signed_in_as(client) or "")
    actions = db_session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["user_created", "login"]

    again = app.test_client()  # the second sign-in finds the account, makes no other
    assert sign_in(again, oidc_provider, "newcomer").status_code == 302
    assert len(db_session.scalars(select(User)).all()) == 1


def test_create_users_refuses_someone_no_group_gives_a_role(connection, oidc_provider,
                                                            db_session):
    client = sso_app(connection, oidc_provider, OIDC_CREATE_USERS=True).test_client()
    response = sign_in(client, oidc_provider, "outsider")
    assert response.status_code == 403
    assert "none of the groups" in response.get_data(as_text=True)
    assert db_session.scalar(select(User.id)) is None
    assert refusals(db_session) == ["no_roles"]


def test_the_callback_and_the_start_are_rate_limited(connection, oidc_provider):
    client = sso_app(connection, oidc_provider, RATELIMIT_SSO_CALLBACK="2 per minute").test_client()
    for _ in range(2):
        assert client.get("/login/sso/callback?state=x&code=y").status_code == 403
    response = client.get("/login/sso/callback?state=x&code=y")
    assert response.status_code == 429 and "Retry-After" in response.headers
    # Starting one is limited too: each start keeps a row until it comes back or expires.
    for _ in range(2):
        assert post(client, "/login/sso").status_code == 302
    assert post(client, "/login/sso").status_code == 429


def test_claims_only_the_userinfo_endpoint_tells_are_used(connection,
                                                         oidc_provider_userinfo_only,
                                                         make_user, db_session):
    provider = oidc_provider_userinfo_only
    ada = make_user("admin", email="ada.lovelace@example.com", name="Ada L.")
    make_user("admin", email="una@example.com")
    app = sso_app(connection, provider)
    client = app.test_client()
    assert sign_in(client, provider, "ada").status_code == 302
    assert db_session.scalars(select(LoginSession.user_id)).one() == ada.id

    unverified = app.test_client()  # email_verified false from userinfo is still a refusal
    assert sign_in(unverified, provider, "una").status_code == 403
    assert refusals(db_session) == ["email_not_verified"]
