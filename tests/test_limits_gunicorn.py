"""Limits that hold across processes: three gunicorn sync workers on one database and one
Redis, twelve visitors at once (each with its own cookie and CSRF token)."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy.orm import Session

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


def all_at_once(server_url: str, forms: list[dict[str, str]]) -> list[Answer]:
    """POST each form to /login from its own visitor, released together."""
    visitors = [Browser(server_url) for _ in forms]
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
