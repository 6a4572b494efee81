"""The lock-out is not a weapon: the address that keeps failing waits longer and longer, the
account is never locked, and its owner is told what happened at their next sign-in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from interviewloop.audit.models import AuditEvent
from interviewloop.audit.service import SYSTEM
from interviewloop.auth import service
from interviewloop.auth.models import LoginThrottle
from interviewloop.auth.throttle import MAX_WAIT, LoginPolicy
from interviewloop.db import utcnow
from tests.conftest import PASSWORD, TEST_HASHER, csrf_token

ATTACKER, OWNER = "203.0.113.66", "10.0.0.7"
POLICY = LoginPolicy(max_failures=3, lock_minutes=10)
WRONG = "wrong-password-here"


def attempt(db_session, user, password, ip, at):
    """One sign-in through the service; True if it let the person in."""
    try:
        service.log_in(db_session, TEST_HASHER, POLICY, user.email, password, ip=ip, now=at)
    except service.LoginRefused:
        return False
    return True


def reasons(db_session, user) -> list[str]:
    events = db_session.scalars(select(AuditEvent).where(
        AuditEvent.action == "login_failed", AuditEvent.object_id == user.id)
        .order_by(AuditEvent.id))
    return [e.detail.get("reason") for e in events]


def test_the_owner_signs_in_from_their_address_while_an_attacker_keeps_failing(db_session,
                                                                               make_user):
    user = make_user()
    start = utcnow()
    for n in range(20):  # an attacker hammering for a while, with the owner's email
        assert not attempt(db_session, user, WRONG, ATTACKER, start + timedelta(seconds=n))
    # Only the first three passwords were checked; the rest never reached the hasher.
    assert reasons(db_session, user) == ["password"] * 3 + ["throttled"] * 17
    assert attempt(db_session, user, PASSWORD, OWNER, start + timedelta(seconds=30))
    # Even the right password from the attacker's address waits.
    assert not attempt(db_session, user, PASSWORD, ATTACKER, start + timedelta(minutes=5))


def test_each_further_failure_doubles_the_wait(db_session, make_user):
    user = make_user()
    start = utcnow()
    for _ in range(3):
        assert not attempt(db_session, user, WRONG, ATTACKER, start)
    assert reasons(db_session, user)[-1] == "password"
    # First wait: 10 minutes. One more guess after it, wrong: now 20 minutes.
    assert not attempt(db_session, user, WRONG, ATTACKER, start + timedelta(minutes=9))
    assert reasons(db_session, user)[-1] == "throttled"
    assert not attempt(db_session, user, WRONG, ATTACKER, start + timedelta(minutes=11))
    assert reasons(db_session, user)[-1] == "password"
    later = start + timedelta(minutes=11)
    assert not attempt(db_session, user, PASSWORD, ATTACKER, later + timedelta(minutes=19))
    assert reasons(db_session, user)[-1] == "throttled"
    assert attempt(db_session, user, PASSWORD, ATTACKER, later + timedelta(minutes=21))


@pytest.mark.parametrize(("failures", "wait"), [
    (2, timedelta(0)), (3, timedelta(minutes=10)), (4, timedelta(minutes=20)),
    (6, timedelta(minutes=80)), (40, MAX_WAIT), (10**6, MAX_WAIT)])
def test_the_wait_is_capped(failures, wait):
    assert POLICY.wait_after(failures) == wait


def test_failures_are_forgotten_a_day_after_the_last(db_session, make_user):
    user = make_user()
    start = utcnow()
    for _ in range(3):
        attempt(db_session, user, WRONG, OWNER, start)
    next_day = start + MAX_WAIT + timedelta(minutes=1)
    for _ in range(2):  # counted from 1 again: two more failures do not make it wait
        assert not attempt(db_session, user, WRONG, OWNER, next_day)
    assert attempt(db_session, user, PASSWORD, OWNER, next_day)


def test_a_success_starts_its_address_afresh_and_leaves_the_others_waiting(db_session,
                                                                           make_user):
    user = make_user()
    start = utcnow()
    for ip in (ATTACKER, OWNER):
        for _ in range(2):
            attempt(db_session, user, WRONG, ip, start)
    assert attempt(db_session, user, PASSWORD, OWNER, start)
    rows = {t.ip: t.failures for t in db_session.scalars(
        select(LoginThrottle).where(LoginThrottle.user_id == user.id))}
    assert rows == {ATTACKER: 2, OWNER: 0}
    attempt(db_session, user, WRONG, ATTACKER, start)  # the attacker's third: now it waits
    assert not attempt(db_session, user, PASSWORD, ATTACKER, start + timedelta(minutes=1))


def test_an_admin_password_reset_ends_every_wait(db_session, make_user):
    user = make_user()
    start = utcnow()
    for _ in range(3):
        attempt(db_session, user, WRONG, OWNER, start)
    service.reset_password(db_session, SYSTEM, TEST_HASHER, user, "another-long-passphrase")
    assert attempt(db_session, user, "another-long-passphrase", OWNER, start)


def test_the_owner_is_told_what_happened_once(app, db_session, make_user):
    user = make_user(time_zone="Europe/Berlin")
    attacker = app.test_client()
    attacker.environ_base["REMOTE_ADDR"] = ATTACKER
    for _ in range(7):  # five passwords checked, two refused unchecked: all seven are told
        attacker.post("/login", data={"csrf_token": csrf_token(attacker), "email": user.email,
                                      "password": WRONG})
    owner = app.test_client()
    owner.environ_base["REMOTE_ADDR"] = OWNER
    response = owner.post("/login", data={"csrf_token": csrf_token(owner), "email": user.email,
                                          "password": PASSWORD}, follow_redirects=True)
    body = response.get_data(as_text=True)
    assert "7 failed sign-in attempts on your account since your last sign-in, the latest " \
           f"from {ATTACKER} at " in body
    assert "(Europe/Berlin)" in body  # in the owner's own time zone
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "login")
                               .order_by(AuditEvent.id.desc())).first()
    assert event.detail == {"refused_since_last": 7}
    again = app.test_client()
    again.environ_base["REMOTE_ADDR"] = OWNER
    second = again.post("/login", data={"csrf_token": csrf_token(again), "email": user.email,
                                        "password": PASSWORD}, follow_redirects=True)
    assert "failed sign-in attempt" not in second.get_data(as_text=True)


def test_one_failed_attempt_reads_as_one(app, make_user):
    user = make_user()
    client = app.test_client()
    client.post("/login", data={"csrf_token": csrf_token(client), "email": user.email,
                                "password": WRONG})
    response = client.post("/login", data={"csrf_token": csrf_token(client),
                                           "email": user.email, "password": PASSWORD},
                           follow_redirects=True)
    assert "1 failed sign-in attempt on your account" in response.get_data(as_text=True)


def test_a_waiting_address_gets_the_same_answer_as_a_wrong_password(app, make_user):
    user = make_user()
    client = app.test_client()
    answers = [client.post("/login", data={"csrf_token": csrf_token(client),
                                           "email": user.email, "password": WRONG})
               for _ in range(6)]
    assert {a.status_code for a in answers} == {200}
    message = service.LOGIN_REFUSED.replace("'", "&#39;")
    assert all(message in a.get_data(as_text=True) for a in answers)


def test_rows_that_hold_nothing_are_forgotten_and_waits_in_force_are_kept(db_session,
                                                                          make_user):
    from interviewloop.auth.throttle import forget_stale

    user = make_user()
    start = utcnow()
    for _ in range(3):  # the attacker's address now waits
        attempt(db_session, user, WRONG, ATTACKER, start)
    attempt(db_session, user, WRONG, "198.51.100.1", start)  # one recent failure
    attempt(db_session, user, WRONG, "198.51.100.2", start - MAX_WAIT - timedelta(hours=1))
    attempt(db_session, user, PASSWORD, OWNER, start)  # a success: its row holds nothing

    def addresses():
        return set(db_session.scalars(select(LoginThrottle.ip)
                                      .where(LoginThrottle.user_id == user.id)))

    assert forget_stale(db_session, start) == 2
    assert addresses() == {ATTACKER, "198.51.100.1"}
    assert not attempt(db_session, user, PASSWORD, ATTACKER, start + timedelta(minutes=1))
    # A day after the last failure and past the wait, nothing is left to keep.
    assert forget_stale(db_session, start + MAX_WAIT + timedelta(minutes=1)) == 2
    assert addresses() == set()
    # A row forgotten between being made and being read is made again, not a crash.
    assert attempt(db_session, user, PASSWORD, ATTACKER, start + MAX_WAIT * 2)


def test_the_worker_runs_the_forgetting_job(app, make_user, db_session):
    from interviewloop.auth.jobs import FORGET_STALE_JOB
    from interviewloop.queue import JOBS

    assert JOBS[FORGET_STALE_JOB].every_minutes == 60
    user = make_user()
    attempt(db_session, user, PASSWORD, OWNER, utcnow())
    db_session.commit()
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output
    db_session.expire_all()
    assert db_session.scalar(select(LoginThrottle.id).where(LoginThrottle.user_id == user.id)) is None
