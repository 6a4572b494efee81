"""Login, sessions and the security baseline (DESIGN.md), through the real pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from interviewloop.audit.models import AuditEvent
from interviewloop.audit.service import SYSTEM, Actor
from interviewloop.auth import service
from interviewloop.auth.login import safe_next
from interviewloop.auth.models import LoginSession, User
from interviewloop.db import utcnow
from tests.conftest import PASSWORD, TEST_HASHER, log_in, post


def _actions(db_session, user=None) -> list[str]:
    stmt = select(AuditEvent.action).order_by(AuditEvent.id)
    if user is not None:
        stmt = stmt.where(AuditEvent.object_type == "users", AuditEvent.object_id == user.id)
    return list(db_session.scalars(stmt))


def test_login_opens_a_server_side_session_and_audits(client, db_session, make_user):
    user = make_user("interviewer")
    response = log_in(client, user.email)
    assert response.status_code == 302
    login = db_session.scalar(select(LoginSession).where(LoginSession.user_id == user.id))
    assert login is not None and login.ended_at is None
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "login"))
    assert event.actor_id == user.id and event.ip == "127.0.0.1"
    assert event.at.tzinfo is not None


@pytest.mark.parametrize("email", ["user1@example.com", "nobody@example.com"])
def test_failed_login_gives_one_generic_message(client, db_session, make_user, email):
    make_user("interviewer")
    response = log_in(client, email, "wrong-password-here")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert service.LOGIN_REFUSED.replace("'", "&#39;") in body
    assert client.get("/").status_code == 302
    assert "login_failed" in _actions(db_session)


def test_failed_logins_make_the_address_wait_not_the_account(client, app, db_session, make_user):
    """Five failures from one address: that address waits, even with the right password;
    the owner, from another address, signs in (more in tests/test_sign_in_throttle.py)."""
    user = make_user("interviewer")
    for _ in range(5):
        log_in(client, user.email, "wrong-password-here")
    db_session.refresh(user)
    assert user.failed_logins == 5
    response = log_in(client, user.email, PASSWORD)
    assert response.status_code == 200
    assert client.get("/").status_code == 302
    owner = app.test_client()
    owner.environ_base["REMOTE_ADDR"] = "10.1.2.3"
    assert log_in(owner, user.email, PASSWORD).status_code == 302


def test_an_addresss_wait_ends_after_its_time(db_session, make_user):
    user = make_user("interviewer")
    policy = service.LoginPolicy(max_failures=2, lock_minutes=15)
    start = utcnow()
    for _ in range(2):
        with pytest.raises(service.LoginRefused):
            service.log_in(db_session, TEST_HASHER, policy, user.email, "nope-nope-nope",
                           ip=None, now=start)
    with pytest.raises(service.LoginRefused):
        service.log_in(db_session, TEST_HASHER, policy, user.email, PASSWORD, ip=None,
                       now=start + timedelta(minutes=14))
    logged_in = service.log_in(db_session, TEST_HASHER, policy, user.email, PASSWORD, ip=None,
                               now=start + timedelta(minutes=16))
    assert logged_in.id == user.id and logged_in.failed_logins == 0


def test_login_replaces_the_pre_login_session(client, make_user):
    user = make_user("interviewer")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    log_in(client, user.email)
    with client.session_transaction() as session:
        assert "planted" not in session


def _session_cookie(client) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def test_cookie_copied_before_logout_stops_working(app, login, make_user, db_session):
    user = make_user("interviewer")
    client = login(user)
    stolen = _session_cookie(client)
    assert post(client, "/logout").status_code == 302
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    response = replay.get("/")
    assert response.status_code == 302 and "/login" in response.location
    assert "logout" in _actions(db_session)


def test_logout_is_not_a_get(login, make_user):
    client = login(make_user("interviewer"))
    assert client.get("/logout").status_code == 405
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("change", ["deactivate", "reset_password"])
def test_admin_changes_end_the_users_sessions(login, make_user, change):
    admin = make_user("admin")
    victim = make_user("interviewer")
    victim_client = login(victim)
    assert victim_client.get("/").status_code == 200
    admin_client = login(admin)
    if change == "deactivate":
        response = post(admin_client, f"/admin/users/{victim.id}/deactivate")
    else:
        response = post(admin_client, f"/admin/users/{victim.id}/password",
                        {"password": "another-long-passphrase"})
    assert response.status_code == 302
    response = victim_client.get("/")
    assert response.status_code == 302 and "/login" in response.location


def test_idle_session_ends(client, db_session, make_user):
    user = make_user("interviewer")
    log_in(client, user.email)
    with client.session_transaction() as session:
        session["last_seen"] -= 31 * 60
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.location
    login = db_session.scalar(select(LoginSession).where(LoginSession.user_id == user.id))
    db_session.refresh(login)
    assert login.ended_at is not None


def test_session_has_an_absolute_lifetime(db_session, make_user):
    user = make_user("interviewer")
    policy = service.LoginPolicy(max_session_hours=12)
    start = utcnow()
    logged_in = service.log_in(db_session, TEST_HASHER, policy, user.email, PASSWORD, ip=None,
                               now=start)
    token = logged_in.login_token
    assert service.user_for_token(db_session, token, policy, now=start + timedelta(hours=11))
    assert service.user_for_token(db_session, token, policy, now=start + timedelta(hours=13)) is None


def test_login_redirects_only_to_our_own_paths(client, make_user):
    user = make_user("interviewer")
    response = post(client, "/login?next=/bank/rubric", {"email": user.email, "password": PASSWORD})
    assert response.location.endswith("/bank/rubric")


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)",
    "", None, "bank", "/%0d%0aSet-Cookie:x=1\r\n",
])
def test_unsafe_next_targets_go_home(app, target):
    with app.test_request_context():
        assert safe_next(target) == "/"


def test_safe_next_keeps_local_paths(app):
    with app.test_request_context():
        assert safe_next("/bank/?level=senior") == "/bank/?level=senior"


def test_security_headers_and_cookie_flags(client, make_user):
    user = make_user("interviewer")
    response = log_in(client, user.email)
    cookie = response.headers.get("Set-Cookie")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/bank/")
    csp = page.headers["Content-Security-Policy"]
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'",
                      "script-src 'self'"):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert page.headers["Cache-Control"] == "no-store"
    assert "<script>" not in page.get_data(as_text=True)


def test_session_cookie_is_secure_in_production(connection):
    from interviewloop import create_app

    app = create_app({"ENV": "production", "SECRET_KEY": "x" * 32, "DB_BIND": connection})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["DEBUG"] is False


def test_user_changes_are_audited(db_session, make_user):
    admin = make_user("admin")
    user = make_user("interviewer")
    actor = Actor(user=admin, ip="192.0.2.1")
    service.update_user(db_session, actor, user, name="Renamed", roles=["recruiter"],
                        time_zone="Europe/Paris")
    service.reset_password(db_session, actor, TEST_HASHER, user, "brand-new-passphrase")
    service.deactivate_user(db_session, actor, user)
    service.reactivate_user(db_session, SYSTEM, user)
    assert _actions(db_session, user) == [
        "user_created", "user_updated", "password_reset", "user_deactivated", "user_reactivated",
    ]
    updated = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "user_updated"))
    assert updated.actor_id == admin.id and updated.ip == "192.0.2.1"
    assert updated.detail["changes"]["roles"] == [["interviewer"], ["recruiter"]]


def test_email_is_unique_whatever_its_case(db_session, make_user):
    make_user("interviewer", email="Person@Example.com")
    with pytest.raises(service.InvalidUser, match="already exists"):
        make_user("admin", email="PERSON@example.COM")
    stored = db_session.scalar(select(User.email).where(User.email == "person@example.com"))
    assert stored == "person@example.com"


def test_session_cookie_is_written_only_when_the_session_changes(client, make_user):
    log_in(client, make_user("interviewer").email)
    assert client.get("/").status_code == 200
    assert "Set-Cookie" not in client.get("/").headers  # last_seen is under a minute old
    with client.session_transaction() as session:
        session["last_seen"] -= 2 * 60
    response = client.get("/")
    assert response.status_code == 200 and "session=" in response.headers["Set-Cookie"]
    assert "Set-Cookie" not in client.get("/").headers
