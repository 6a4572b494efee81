"""Rate limits through the real pages (memory storage, one app per test; Redis where a test
says so). The same limits across three gunicorn workers: tests/test_limits_gunicorn.py."""

from __future__ import annotations

import uuid

import pytest
import redis

from interviewloop import create_app
from interviewloop.audit.service import SYSTEM
from interviewloop.auth import service
from interviewloop.config import ConfigError, load_config
from tests.conftest import PASSWORD, app_config, csrf_token

REDIS_URI = "redis://127.0.0.1:6379/0"


def limited_app(connection, **limits):
    return create_app(app_config(DB_BIND=connection, DATABASE_URL="sqlite://", **limits))


def sign_in(client, email: str, password: str, ip: str = "127.0.0.1"):
    client.environ_base["REMOTE_ADDR"] = ip
    return client.post("/login", data={"csrf_token": csrf_token(client), "email": email,
                                       "password": password})


def test_sign_in_from_one_address_is_limited_with_a_clear_429(connection, make_user):
    user = make_user()
    app = limited_app(connection, RATELIMIT_LOGIN="3 per minute")
    client = app.test_client()
    statuses = [sign_in(client, user.email, "wrong-password-x").status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    refused = sign_in(client, user.email, PASSWORD)
    body = refused.get_data(as_text=True)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "Too many sign-in attempts from your address." in body
    assert "Try again in" in body and "<h1>" in body  # the app's error page
    # Another address is not limited by this one's attempts.
    assert sign_in(app.test_client(), user.email, PASSWORD, ip="10.0.0.7").status_code == 302


def test_getting_the_sign_in_page_is_not_counted(connection):
    app = limited_app(connection, RATELIMIT_LOGIN="1 per minute")
    client = app.test_client()
    assert all(client.get("/login").status_code == 200 for _ in range(5))


def test_an_account_is_limited_across_new_addresses_but_not_from_its_own(connection, make_user,
                                                                        db_session):
    user = make_user()
    app = limited_app(connection, RATELIMIT_LOGIN_ACCOUNT="3 per hour")
    own = app.test_client()
    assert sign_in(own, user.email, PASSWORD, ip="10.0.0.7").status_code == 302  # known address
    for n in range(3):
        sign_in(app.test_client(), user.email, "wrong-password-x", ip=f"203.0.113.{n}")
    refused = sign_in(app.test_client(), user.email, PASSWORD, ip="203.0.113.99")
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert "on this account from new addresses" in refused.get_data(as_text=True)
    # The owner, from an address the account has signed in from, is not slowed.
    assert sign_in(app.test_client(), user.email, PASSWORD, ip="10.0.0.7").status_code == 302


def test_an_unknown_email_is_limited_like_an_account(connection):
    """The per-account limit keys on the email typed, so it does not tell who has an account."""
    app = limited_app(connection, RATELIMIT_LOGIN_ACCOUNT="2 per hour")
    codes = [sign_in(app.test_client(), "nobody@example.com", "wrong-password-x",
                     ip=f"203.0.113.{n}").status_code for n in range(3)]
    assert codes == [200, 200, 429]


def test_the_calendar_feed_is_limited_per_link_and_per_address(connection, make_user,
                                                               db_session):
    user = make_user()
    token = service.new_calendar_token(db_session, SYSTEM, user)
    db_session.flush()
    app = limited_app(connection, RATELIMIT_FEED_LINK="2 per minute", RATELIMIT_FEED="3 per minute")
    client = app.test_client()
    assert [client.get(f"/calendar/{token}.ics").status_code for _ in range(3)] == [200, 200, 429]
    refused = client.get(f"/calendar/{token}.ics")
    assert "Too many requests for this calendar feed." in refused.get_data(as_text=True)
    assert int(refused.headers["Retry-After"]) >= 1
    # The per-address limit counts guesses at other links too (404s), from this address only.
    assert client.get("/calendar/not-a-token.ics").status_code == 404
    assert client.get("/calendar/another-guess.ics").status_code == 429
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.0.0.9"
    assert other.get("/calendar/another-guess.ics").status_code == 404


def test_invite_answer_links_are_limited_per_address(connection):
    # Guesses at signed links (404s) count; past the limit a clear 429, from that address only.
    app = limited_app(connection, RATELIMIT_RSVP="2 per minute")
    client = app.test_client()
    codes = [client.get(f"/rsvp/guess-{n}").status_code for n in range(3)]
    assert codes == [404, 404, 429]
    refused = client.post("/rsvp/guess-9", data={"csrf_token": csrf_token(client)})
    assert refused.status_code == 429
    assert "Too many invite answers from your address." in refused.get_data(as_text=True)
    assert int(refused.headers["Retry-After"]) >= 1
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.0.0.9"
    assert other.get("/rsvp/guess-0").status_code == 404


def test_each_app_counts_afresh(connection, make_user):
    """Memory storage belongs to the app: one test's attempts never limit the next test."""
    user = make_user()
    first = limited_app(connection, RATELIMIT_LOGIN="1 per minute").test_client()
    sign_in(first, user.email, "wrong-password-x")
    assert sign_in(first, user.email, PASSWORD).status_code == 429
    second = limited_app(connection, RATELIMIT_LOGIN="1 per minute").test_client()
    assert sign_in(second, user.email, PASSWORD).status_code == 302


def test_redis_storage_is_shared_between_apps(connection, make_user):
    """Two apps on one Redis (two hosts): the second sees the first's attempts."""
    user = make_user()
    prefix = f"test-{uuid.uuid4().hex}"
    shared = {"RATELIMIT_STORAGE_URI": REDIS_URI, "RATELIMIT_LOGIN": "2 per minute",
              "RATELIMIT_STORAGE_OPTIONS": {"key_prefix": prefix}}
    try:
        host_a = limited_app(connection, **shared).test_client()
        host_b = limited_app(connection, **shared).test_client()
        assert sign_in(host_a, user.email, "wrong-password-x").status_code == 200
        assert sign_in(host_b, user.email, "wrong-password-x").status_code == 200
        assert sign_in(host_a, user.email, PASSWORD).status_code == 429
        assert sign_in(host_b, user.email, PASSWORD).status_code == 429
    finally:
        client = redis.Redis.from_url(REDIS_URI)
        keys = list(client.scan_iter(f"{prefix}:*"))
        assert keys, "the limits were not counted in Redis"
        client.delete(*keys)


@pytest.mark.parametrize(("name", "value"), [
    ("RATELIMIT_LOGIN", "ten per minute"),
    ("RATELIMIT_FEED", "5 per fortnight"),
    ("RATELIMIT_STORAGE_URI", "postgres://127.0.0.1/limits"),
    ("RATELIMIT_STORAGE_URI", "127.0.0.1:6379"),
])
def test_bad_limit_settings_are_refused_by_name(tmp_path, name, value):
    with pytest.raises(ConfigError, match=name):
        load_config({"INTERVIEWLOOP_ENV": "test", "SECRET_KEY": "x", name: value},
                    instance_path=str(tmp_path))


def test_limit_settings_are_read_from_the_environment(tmp_path):
    config = load_config({"INTERVIEWLOOP_ENV": "test", "SECRET_KEY": "x",
                          "RATELIMIT_LOGIN": "5 per minute;20 per hour",
                          "RATELIMIT_STORAGE_URI": REDIS_URI}, instance_path=str(tmp_path))
    assert config["RATELIMIT_LOGIN"] == "5 per minute;20 per hour"
    assert config["RATELIMIT_STORAGE_URI"] == REDIS_URI
    defaults = load_config({"INTERVIEWLOOP_ENV": "test", "SECRET_KEY": "x"},
                           instance_path=str(tmp_path))
    assert defaults["RATELIMIT_STORAGE_URI"] == "memory://"
    assert defaults["RATELIMIT_LOGIN"] == "10 per minute;50 per hour"


def test_limits_storage_that_is_down_keeps_limiting_in_each_process(connection, make_user):
    # Nothing listens on port 1: every call to the shared storage fails. Sign-in must work,
    # not be a 500, and the limits still hold, counted in this process until Redis is back.
    user = make_user()
    app = limited_app(connection, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0",
                      RATELIMIT_LOGIN="3 per minute")
    client = app.test_client()
    assert sign_in(client, user.email, "wrong-password-x").status_code == 200
    assert sign_in(client, user.email, "wrong-password-x").status_code == 200
    assert sign_in(client, user.email, PASSWORD).status_code == 302
    assert sign_in(app.test_client(), user.email, PASSWORD).status_code == 429
    feed = app.test_client().get("/calendar/" + "a" * 43 + ".ics")
    assert feed.status_code == 404  # no such feed; not a 500
