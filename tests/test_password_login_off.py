"""PASSWORD_LOGIN=off: only break-glass accounts (marked by an admin) sign in with a
password; the single sign-on settings are checked when the app starts."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from interviewloop import create_app
from interviewloop.audit.models import AuditEvent
from interviewloop.auth.models import LoginSession
from interviewloop.config import ConfigError, load_config
from tests.conftest import app_config, log_in, post

SSO = {"OIDC_ISSUER": "https://id.example.com", "OIDC_CLIENT_ID": "interviewloop",
       "OIDC_CLIENT_SECRET": "secret", "OIDC_DISPLAY_NAME": "Example ID"}


@pytest.fixture
def app(connection):
    # No request here reaches the provider (discovery happens when someone presses the
    # button), so an address that does not answer is enough.
    return create_app(app_config(DB_BIND=connection, DATABASE_URL="sqlite://",
                                 PASSWORD_LOGIN=False, **SSO))


def test_the_login_page_puts_the_password_form_behind_break_glass(client):
    page = client.get("/login").get_data(as_text=True)
    assert "Sign in with Example ID" in page
    assert "Break-glass sign-in" in page and "only the emergency accounts" in page


def test_password_sign_in_is_refused_to_accounts_that_are_not_break_glass(client, make_user,
                                                                          db_session):
    user = make_user("admin")
    response = log_in(client, user.email)
    assert response.status_code == 200  # the form again, with the usual refusal
    assert "The email or password is not right" in response.get_data(as_text=True)
    assert db_session.scalar(select(LoginSession.id)) is None
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "login_failed")).one()
    assert event.detail == {"reason": "password_login_off"}


def test_a_break_glass_account_signs_in_with_its_password(client, make_user, db_session):
    from interviewloop.audit.service import SYSTEM
    from interviewloop.auth import service

    user = make_user("admin")
    service.set_break_glass(db_session, SYSTEM, user, True)
    db_session.flush()
    response = log_in(client, user.email)
    assert response.status_code == 302
    assert db_session.scalars(select(LoginSession.user_id)).one() == user.id


def test_an_admin_marks_and_unmarks_break_glass_and_it_is_audited(connection, make_user,
                                                                  db_session):
    # Password sign-in on here, so that the admin can sign in to do it.
    app = create_app(app_config(DB_BIND=connection, DATABASE_URL="sqlite://", **SSO))
    admin, person = make_user("admin"), make_user("interviewer")
    client = app.test_client()
    assert log_in(client, admin.email).status_code == 302

    page = client.get(f"/admin/users/{person.id}").get_data(as_text=True)
    assert "Make break-glass" in page
    response = post(client, f"/admin/users/{person.id}/break-glass", {"on": "1"})
    assert response.status_code == 302
    db_session.refresh(person)
    assert person.break_glass
    assert "Break-glass" in client.get("/admin/users").get_data(as_text=True)
    assert post(client, f"/admin/users/{person.id}/break-glass", {"on": "1"}).status_code == 409
    assert post(client, f"/admin/users/{person.id}/break-glass", {"on": "0"}).status_code == 302
    db_session.refresh(person)
    assert not person.break_glass
    events = db_session.scalars(select(AuditEvent).where(AuditEvent.object_id == person.id,
                                                         AuditEvent.action.like("break_glass%"))
                                .order_by(AuditEvent.id)).all()
    assert [(e.action, e.actor_id) for e in events] == [("break_glass_granted", admin.id),
                                                       ("break_glass_revoked", admin.id)]


def test_only_an_admin_can_mark_break_glass(connection, make_user, db_session):
    app = create_app(app_config(DB_BIND=connection, DATABASE_URL="sqlite://"))
    recruiter = make_user("recruiter")
    client = app.test_client()
    assert log_in(client, recruiter.email).status_code == 302
    assert post(client, f"/admin/users/{recruiter.id}/break-glass", {"on": "1"}).status_code == 403
    db_session.refresh(recruiter)
    assert not recruiter.break_glass


def config(**environ):
    return load_config({"INTERVIEWLOOP_ENV": "test", "SECRET_KEY": "x", **environ},
                       instance_path="instance-unused")


def test_sso_settings_are_read_from_the_environment():
    loaded = config(OIDC_ISSUER="https://id.example.com/", OIDC_CLIENT_ID="c",
                    OIDC_CLIENT_SECRET="s", OIDC_CREATE_USERS="yes", OIDC_ROLES_CLAIM="groups",
                    OIDC_ROLE_MAP='{"eng": "interviewer", "hr": ["recruiter", "interviewer"]}',
                    PASSWORD_LOGIN="off")
    assert loaded["OIDC_ISSUER"] == "https://id.example.com"
    assert loaded["OIDC_ROLE_MAP"] == {"eng": ["interviewer"], "hr": ["recruiter", "interviewer"]}
    assert loaded["PASSWORD_LOGIN"] is False and loaded["OIDC_CREATE_USERS"] is True
    assert config()["PASSWORD_LOGIN"] is True and config()["OIDC_ISSUER"] is None


@pytest.mark.parametrize(("environ", "message"), [
    ({"OIDC_ISSUER": "https://id.example.com"}, "OIDC_CLIENT_ID, OIDC_CLIENT_SECRET not set"),
    ({"PASSWORD_LOGIN": "off"}, "PASSWORD_LOGIN=off needs single sign-on"),
    ({**{k: v for k, v in SSO.items() if k != "OIDC_DISPLAY_NAME"}, "OIDC_CREATE_USERS": "on"},
     "OIDC_CREATE_USERS needs OIDC_ROLES_CLAIM and OIDC_ROLE_MAP"),
    ({"OIDC_ISSUER": "http://id.example.com"}, "expected the provider's https:// address"),
    ({"OIDC_ROLE_MAP": '{"eng": "wizard"}'}, "must map to roles among"),
    ({"OIDC_ROLE_MAP": '["admin"]'}, "expected a JSON object"),
])
def test_bad_sso_settings_stop_the_app_with_a_reason(environ, message):
    with pytest.raises(ConfigError, match=message):
        config(**environ)


def test_the_user_list_with_break_glass_makes_the_same_queries_with_5_and_600_users(
        connection, make_user, db_session, count_queries):
    from sqlalchemy import insert

    from interviewloop.auth.models import User, UserRole
    from interviewloop.db import utcnow
    from tests.test_query_counts import queries_for

    app = create_app(app_config(DB_BIND=connection, DATABASE_URL="sqlite://", **SSO))
    admin = make_user("admin")
    for _ in range(4):
        make_user("interviewer")
    client = app.test_client()
    assert log_in(client, admin.email).status_code == 302
    few = queries_for(client, count_queries, "/admin/users")

    now = utcnow()
    ids = db_session.scalars(insert(User).returning(User.id), [
        {"email": f"bulk{n}@example.com", "name": f"Bulk {n}", "password_hash": "x",
         "break_glass": n % 7 == 0, "created_at": now} for n in range(595)]).all()
    db_session.execute(insert(UserRole), [{"user_id": i, "role": "interviewer"} for i in ids])
    db_session.flush()
    page = client.get("/admin/users").get_data(as_text=True)
    assert page.count("Break-glass</span>") == 85
    assert queries_for(client, count_queries, "/admin/users") == few
