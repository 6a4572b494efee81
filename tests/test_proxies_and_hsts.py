"""Behind a proxy: the client's address comes from X-Forwarded-For only when proxies are
trusted (TRUSTED_PROXIES), for the audit log and the rate limits alike; HSTS in production."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from interviewloop import create_app
from interviewloop.audit.models import AuditEvent
from interviewloop.config import ConfigError, load_config
from interviewloop.security import STRICT_TRANSPORT_SECURITY
from tests.conftest import PASSWORD, app_config, csrf_token

PROXY = "127.0.0.1"  # nginx on the same machine: what the app sees as the peer


def app_with(connection, **settings):
    return create_app(app_config(DB_BIND=connection, DATABASE_URL="sqlite://", **settings))


def sign_in(client, email, password, forwarded_for=None):
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return client.post("/login", headers=headers,
                       data={"csrf_token": csrf_token(client), "email": email,
                             "password": password})


def last_login_ip(db_session, action="login") -> str:
    return db_session.scalars(select(AuditEvent.ip).where(AuditEvent.action == action)
                              .order_by(AuditEvent.id.desc())).first()


def test_without_trusted_proxies_a_forwarded_for_header_is_ignored(connection, db_session,
                                                                   make_user):
    user = make_user()
    app = app_with(connection, RATELIMIT_LOGIN="2 per minute")
    client = app.test_client()
    assert sign_in(client, user.email, PASSWORD, "198.51.100.9").status_code == 302
    assert last_login_ip(db_session) == PROXY
    # A new forged address per attempt does not buy new attempts: the limit keys on the peer.
    other = app.test_client()
    assert sign_in(other, user.email, "wrong-password-x", "198.51.100.10").status_code == 200
    assert last_login_ip(db_session, "login_failed") == PROXY
    assert sign_in(other, user.email, PASSWORD, "198.51.100.11").status_code == 429


def test_with_one_trusted_proxy_the_clients_address_is_used(connection, db_session, make_user):
    user = make_user()
    app = app_with(connection, TRUSTED_PROXIES=1, RATELIMIT_LOGIN="1 per minute")
    assert sign_in(app.test_client(), user.email, PASSWORD, "198.51.100.9").status_code == 302
    assert last_login_ip(db_session) == "198.51.100.9"
    # Each client address has its own limit now; the proxy's address is not one of them.
    assert sign_in(app.test_client(), user.email, PASSWORD, "198.51.100.9").status_code == 429
    assert sign_in(app.test_client(), user.email, PASSWORD, "198.51.100.20").status_code == 302
    # A client that forges an entry on the left gets the address the proxy saw (rightmost).
    forged = sign_in(app.test_client(), user.email, PASSWORD, "10.9.9.9, 198.51.100.30")
    assert forged.status_code == 302
    assert last_login_ip(db_session) == "198.51.100.30"


def test_the_throttle_sees_the_clients_address_behind_the_proxy(connection, make_user):
    """An attacker's address waits; the owner's, behind the same proxy, does not."""
    user = make_user()
    app = app_with(connection, TRUSTED_PROXIES=1)
    for _ in range(6):
        sign_in(app.test_client(), user.email, "wrong-password-x", "203.0.113.66")
    assert sign_in(app.test_client(), user.email, PASSWORD, "203.0.113.66").status_code == 200
    assert sign_in(app.test_client(), user.email, PASSWORD, "10.0.0.7").status_code == 302


def test_hsts_in_production_only(connection):
    production = create_app({"ENV": "production", "SECRET_KEY": "x" * 32, "DB_BIND": connection})
    page = production.test_client().get("/login")
    assert page.headers["Strict-Transport-Security"] == STRICT_TRANSPORT_SECURITY
    assert "max-age=31536000" in STRICT_TRANSPORT_SECURITY
    assert "includeSubDomains" in STRICT_TRANSPORT_SECURITY
    test_app = app_with(connection)
    assert "Strict-Transport-Security" not in test_app.test_client().get("/login").headers


@pytest.mark.parametrize("value", ["-1", "one", "1.5"])
def test_a_bad_proxy_count_is_refused_by_name(tmp_path, value):
    with pytest.raises(ConfigError, match="TRUSTED_PROXIES"):
        load_config({"INTERVIEWLOOP_ENV": "test", "SECRET_KEY": "x", "TRUSTED_PROXIES": value},
                    instance_path=str(tmp_path))
