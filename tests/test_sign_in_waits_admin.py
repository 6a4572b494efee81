"""An address made to wait on an account: its owner is mailed (at most once an hour), and an
admin sees the waits on the user list and can end them."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert, select

from interviewloop.audit.models import AuditEvent
from interviewloop.auth import service
from interviewloop.auth.models import LoginThrottle
from interviewloop.db import utcnow
from interviewloop.outbox.models import OutboxMail
from tests.conftest import PASSWORD, csrf_token

ATTACKER = "203.0.113.66"


def sign_in(client, email: str, password: str, ip: str):
    client.environ_base["REMOTE_ADDR"] = ip
    return client.post("/login", data={"csrf_token": csrf_token(client), "email": email,
                                       "password": password})


def notices(db_session, user) -> list[OutboxMail]:
    db_session.expire_all()
    return list(db_session.scalars(select(OutboxMail).where(OutboxMail.recipient == user.email)))


def make_wait(app, user, ip: str, times: int = 5) -> None:
    for _ in range(times):  # LOGIN_MAX_FAILURES wrong passwords (the default, 5)
        sign_in(app.test_client(), user.email, "wrong-password-x", ip)


def test_the_owner_is_mailed_once_when_an_address_is_made_to_wait(app, db_session, make_user):
    user = make_user(name="Olu Owner")
    make_wait(app, user, ATTACKER, times=4)
    assert notices(db_session, user) == []  # not yet waiting: nothing to say
    make_wait(app, user, ATTACKER, times=1)
    [mail] = notices(db_session, user)
    assert mail.subject == "Failed sign-ins to your interviewloop account"
    assert ATTACKER in mail.body and "not locked" in mail.body and "Olu Owner" in mail.body
    assert "wrong-password-x" not in mail.body
    # Another address made to wait within the hour: no second message (no inbox flooding).
    make_wait(app, user, "203.0.113.67")
    assert len(notices(db_session, user)) == 1
    # The owner still signs in from their own address.
    assert sign_in(app.test_client(), user.email, PASSWORD, "10.0.0.7").status_code == 302


def test_an_admin_sees_the_waits_and_ends_them(app, db_session, make_user, login):
    user = make_user(name="Wanda Waiting")
    make_wait(app, user, ATTACKER)
    assert sign_in(app.test_client(), user.email, PASSWORD, ATTACKER).status_code == 200  # waits
    admin = login(make_user("admin"))
    listing = admin.get("/admin/users").get_data(as_text=True)
    assert "Sign-in waits: 1 address" in listing and "End the waits" in listing
    token = csrf_token(admin)
    ended = admin.post(f"/admin/users/{user.id}/sign-in-waits/end", data={"csrf_token": token})
    assert ended.status_code == 302
    assert service.sign_in_waits(db_session).get(user.id) is None
    assert db_session.scalar(select(AuditEvent.id).where(
        AuditEvent.action == "sign_in_waits_ended", AuditEvent.object_id == user.id))
    assert "Sign-in waits" not in admin.get("/admin/users").get_data(as_text=True)
    assert sign_in(app.test_client(), user.email, PASSWORD, ATTACKER).status_code == 302
    # Nothing left to end: a clear 409, not a silent success.
    again = admin.post(f"/admin/users/{user.id}/sign-in-waits/end", data={"csrf_token": token})
    assert again.status_code == 409
    assert "No address is waiting" in again.get_data(as_text=True)


def test_the_user_list_asks_for_waits_once(app, db_session, make_user, login, count_queries):
    admin = login(make_user("admin"))
    waiting = [make_user() for _ in range(3)]
    now = utcnow()

    def add_waits(first: int, count: int) -> None:
        db_session.execute(insert(LoginThrottle), [
            {"user_id": waiting[n % 3].id, "ip": f"10.1.{n // 250}.{n % 250}", "failures": 5,
             "last_failure_at": now, "wait_until": now + timedelta(hours=1)}
            for n in range(first, first + count)])
        db_session.commit()

    add_waits(0, 5)
    with count_queries() as few:
        assert "Sign-in waits: 2 addresses" in admin.get("/admin/users").get_data(as_text=True)
    add_waits(5, 600)
    with count_queries() as many:
        page = admin.get("/admin/users").get_data(as_text=True)
    assert "Sign-in waits: 202 addresses" in page
    assert len(many) == len(few)
