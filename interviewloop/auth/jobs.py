"""Background jobs of accounts (run by `interviewloop worker`)."""

from __future__ import annotations

from flask import Flask

from interviewloop.auth import throttle, twofactor
from interviewloop.db import utcnow
from interviewloop.queue import job

FORGET_STALE_JOB = "forget_stale_sign_in_failures"


@job(FORGET_STALE_JOB, retries=2, retry_delay=300, every_minutes=60)
def forget_stale_sign_in_failures(app: Flask) -> None:
    from interviewloop.db import db

    with db.session_scope() as session:
        now = utcnow()
        throttle.forget_stale(session, now)
        twofactor.forget_expired_challenges(session, now)  # sign-ins whose code never came
