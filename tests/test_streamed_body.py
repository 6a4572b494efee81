"""A chunked body (no Content-Length) over MAX_CONTENT_LENGTH is refused with 413, not
cut short and processed (issue 9, bug 12); one under the limit is processed whole."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from interviewloop import create_app
from interviewloop.auth.models import User
from tests.conftest import PASSWORD, app_config, csrf_token

LIMIT = 4000


@pytest.fixture
def small_app(connection):
    return create_app(app_config(DB_BIND=connection, DATABASE_URL="sqlite://",
                                 MAX_CONTENT_LENGTH=LIMIT))


def chunked_post(client, url: str, body: bytes):
    """As gunicorn hands over a chunked request: no CONTENT_LENGTH, input terminated."""
    return client.post(url, input_stream=io.BytesIO(body),
                       content_type="application/x-www-form-urlencoded",
                       environ_overrides={"CONTENT_LENGTH": None, "wsgi.input_terminated": True})


def login_body(client, email: str, padding: int) -> bytes:
    # The real fields first, so a body cut at the limit would still log in.
    return (f"csrf_token={csrf_token(client)}&email={email}&password={PASSWORD}&pad="
            ).encode() + b"x" * padding


def test_a_streamed_body_over_the_limit_is_refused(small_app, make_user, db_session):
    user = make_user("interviewer")
    client = small_app.test_client()
    response = chunked_post(client, "/login", login_body(client, user.email, LIMIT * 2))
    assert response.status_code == 413
    assert client.get("/").status_code == 302  # not logged in
    assert db_session.scalar(select(User.failed_logins).where(User.id == user.id)) == 0


def test_a_streamed_body_under_the_limit_is_processed_whole(small_app, make_user):
    user = make_user("interviewer")
    client = small_app.test_client()
    response = chunked_post(client, "/login", login_body(client, user.email, LIMIT // 2))
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # logged in
