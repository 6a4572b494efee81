"""A person changes their own password (their other sessions end) and sees and ends their own
open sessions; nobody else's."""

from __future__ import annotations

import re

from sqlalchemy import select

from interviewloop.audit.models import AuditEvent
from interviewloop.auth.models import LoginSession
from tests.conftest import PASSWORD, TEST_HASHER, csrf_token, log_in

NEW = "a-brand-new-passphrase-42"


def change(client, current=PASSWORD, new=NEW, confirm=None):
    return client.post("/account/password", data={
        "csrf_token": csrf_token(client), "current_password": current, "password": new,
        "confirm": new if confirm is None else confirm})


def signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def audited(db_session, action: str) -> int:
    return len(db_session.scalars(select(AuditEvent.id).where(AuditEvent.action == action)).all())


def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(app, db_session,
                                                                          make_user, login):
    user = make_user()
    laptop, phone = login(user), login(user)
    answer = change(laptop)
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/account/sessions")
    assert signed_in(laptop) and not signed_in(phone)
    db_session.expire_all()
    assert TEST_HASHER.verify(user.password_hash, NEW)
    assert log_in(app.test_client(), user.email, PASSWORD).status_code == 200  # refused
    assert log_in(app.test_client(), user.email, NEW).status_code == 302
    assert audited(db_session, "password_changed") == 1


def test_a_refused_change_changes_nothing_and_says_why(db_session, make_user, login):
    user = make_user()
    client, other = login(user), login(user)
    for kwargs, reason in (({"current": "not-my-password-x"}, "That is not your current password."),
                           ({"confirm": NEW + "x"}, "The two new passwords differ."),
                           ({"new": PASSWORD}, "The new password is the one you have now."),
                           ({"new": "password"}, "")):
        answer = change(client, **kwargs)
        assert answer.status_code == 422, kwargs
        assert reason in answer.get_data(as_text=True)
    db_session.expire_all()
    assert TEST_HASHER.verify(user.password_hash, PASSWORD)
    assert signed_in(other)
    assert audited(db_session, "password_changed") == 0


def test_a_person_sees_their_sessions_and_ends_another_one(app, db_session, make_user, login):
    user = make_user()
    laptop = app.test_client()
    laptop.environ_base["HTTP_USER_AGENT"] = "Firefox on the laptop"
    assert log_in(laptop, user.email).status_code == 302
    phone = app.test_client()
    phone.environ_base["HTTP_USER_AGENT"] = "Safari on the phone"
    assert log_in(phone, user.email).status_code == 302
    page = laptop.get("/account/sessions").get_data(as_text=True)
    assert "Firefox on the laptop" in page and "Safari on the phone" in page
    assert page.count("this session") == 1
    phone_session = db_session.scalar(select(LoginSession.id).where(
        LoginSession.user_id == user.id, LoginSession.user_agent == "Safari on the phone"))
    ended = laptop.post(f"/account/sessions/{phone_session}/end",
                        data={"csrf_token": csrf_token(laptop)})
    assert ended.status_code == 302
    assert not signed_in(phone) and signed_in(laptop)
    assert "Safari on the phone" not in laptop.get("/account/sessions").get_data(as_text=True)
    assert audited(db_session, "session_ended") == 1
    # Ending it again: it is no longer open.
    again = laptop.post(f"/account/sessions/{phone_session}/end",
                        data={"csrf_token": csrf_token(laptop)})
    assert again.status_code == 404


def test_nobody_ends_or_sees_someone_elses_session(db_session, make_user, login):
    owner, other = make_user(), make_user()
    owner_client, other_client = login(owner), login(other)
    owner_session = db_session.scalar(select(LoginSession.id).where(
        LoginSession.user_id == owner.id))
    assert other_client.post(f"/account/sessions/{owner_session}/end",
                             data={"csrf_token": csrf_token(other_client)}).status_code == 404
    assert signed_in(owner_client)
    assert owner.email not in other_client.get("/account/sessions").get_data(as_text=True)


def test_ending_this_session_signs_out(make_user, login):
    user = make_user()
    client = login(user)
    page = client.get("/account/sessions").get_data(as_text=True)
    assert "Sign out here" in page
    this_id = re.search(r'/account/sessions/(\d+)/end', page).group(1)
    answer = client.post(f"/account/sessions/{this_id}/end", data={"csrf_token": csrf_token(client)})
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]
    assert not signed_in(client)
