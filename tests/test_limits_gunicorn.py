"""Limits that hold across processes: three gunicorn sync workers on one database and one
Redis, twelve visitors at once (each with its own cookie and CSRF token)."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from interviewloop.audit.models import AuditEvent
from interviewloop.audit.service import SYSTEM
from interviewloop.auth.service import create_user
from interviewloop.db import make_engine, writing
from tests.conftest import PASSWORD, TEST_HASHER, migrate, new_database_url
from tests.live_gunicorn import Answer, Browser, gunicorn, retry_after

PARALLEL = 12


@pytest.fixture(scope="module")
def live_database(tmp_path_factory):
    """A migrated database of its own with committed users: the server's workers see them."""
    url = new_database_url(tmp_path_factory, "gunicorn")
    migrate(url)
    engine = make_engine(url)
    with Session(writing(engine)) as session:
        for name in ("target", "owner"):
            create_user(session, SYSTEM, TEST_HASHER, email=f"{name}@live.test",
                        name=name.title(), password=PASSWORD, roles=["interviewer"])
        session.commit()
    yield url, engine
    engine.dispose()


def all_at_once(server_url: str, forms: list[dict[str, str]],
                forwarded_for: str | None = None) -> list[Answer]:
    """POST each form to /login from its own visitor, released together."""
    visitors = [Browser(server_url, forwarded_for) for _ in forms]
    tokens = [v.csrf_token() for v in visitors]
    gate = threading.Barrier(len(forms))
    answers: list[Answer | None] = [None] * len(forms)

    def attempt(n: int) -> None:
        gate.wait()
        answers[n] = visitors[n].request("/login", {"csrf_token": tokens[n], **forms[n]})

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(len(forms))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(a is not None for a in answers), "a request did not finish"
    return [a for a in answers if a is not None]


def test_a_per_address_limit_holds_across_three_workers(live_database, tmp_path):
    url, _engine = live_database
    with gunicorn(url, tmp_path, RATELIMIT_LOGIN="4 per minute") as server:
        # Emails nobody holds, one each: only the per-address limit is in play.
        forms = [{"email": f"nobody{n}@live.test", "password": "wrong-password-x"}
                 for n in range(PARALLEL)]
        answers = all_at_once(server.url, forms)
        statuses = Counter(a.status for a in answers)
        assert statuses == {200: 4, 429: PARALLEL - 4}, statuses
        assert all(retry_after(a) >= 1 for a in answers if a.status == 429)
        assert len(server.worker_pids()) >= 2, "the requests did not reach several workers"


def password_checks(engine, email: str) -> Counter:
    """How the refused sign-ins on one account ended, from the audit log: "password" means
    its password was checked (argon2), "throttled" that it was refused unchecked."""
    from interviewloop.auth.models import User

    with Session(engine) as session:
        user_id = session.scalar(select(User.id).where(User.email == email))
        events = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "login_failed", AuditEvent.object_id == user_id))
        return Counter(e.detail.get("reason") for e in events)


def test_parallel_wrong_passwords_get_no_more_guesses_than_the_limit(live_database, tmp_path):
    url, engine = live_database
    # Behind one trusted proxy, so that the attacker and the owner have addresses of their own.
    with gunicorn(url, tmp_path, LOGIN_MAX_FAILURES="5", TRUSTED_PROXIES="1",
                  RATELIMIT_LOGIN="1000 per minute",
                  RATELIMIT_LOGIN_ACCOUNT="1000 per minute") as server:
        forms = [{"email": "target@live.test", "password": f"wrong-password-{n}"}
                 for n in range(PARALLEL)]
        answers = all_at_once(server.url, forms, forwarded_for="203.0.113.66")
        assert {a.status for a in answers} == {200}  # each one refused, generically
        # Counted where argon2 runs, in every worker's log: five passwords checked, not more.
        assert server.password_checks() == 5
        checks = password_checks(engine, "target@live.test")
        assert checks == {"password": 5, "throttled": PARALLEL - 5}, checks
        assert len(server.worker_pids()) >= 2, "the requests did not reach several workers"

        def sign_in(address: str) -> Answer:
            visitor = Browser(server.url, forwarded_for=address)
            return visitor.request("/login", {"csrf_token": visitor.csrf_token(),
                                              "email": "target@live.test", "password": PASSWORD})

        # The attacker's address waits, even with the right password; the owner's does not.
        assert sign_in("203.0.113.66").status == 200
        owner = sign_in("10.0.0.7")
        assert owner.status == 302 and owner.headers["Location"].endswith("/")
