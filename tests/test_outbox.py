"""The email outbox and its delivery job, against a real SMTP server (aiosmtpd): mail is kept
only for changes that commit, each message is sent at most once whatever fails (a refusal is
retried with backoff; a message that may have arrived is never re-sent), and under
MAIL_DELIVERY=outbox nothing is sent at all."""

from __future__ import annotations

import time
from contextlib import contextmanager
from datetime import timedelta

import pytest
from flask import abort
from sqlalchemy import select

from interviewloop import create_app
from interviewloop.db import db, utcnow
from interviewloop.outbox.delivery import deliver_due
from interviewloop.outbox.models import MailState, OutboxMail
from interviewloop.outbox.service import queue_mail
from interviewloop.queue import task_queue
from tests.conftest import app_config, post
from tests.mailserver import smtp_server, text_of

SENDER = "invites@loops.example.test"
ICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"


@pytest.fixture
def smtp():
    with smtp_server(SENDER) as server:
        yield server


@pytest.fixture
def make_app(connection, smtp, tmp_path):
    def make(**overrides):
        settings = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": smtp.port, "SMTP_FROM": SENDER,
                    "MAIL_DELIVERY": "smtp", "MAIL_RETRY_SECONDS": 1,
                    "TASK_QUEUE_URL": f"sqlite:///{tmp_path / 'tasks.db'}", **overrides}
        return create_app(app_config(DB_BIND=connection, DATABASE_URL="sqlite://", **settings))

    return make


@pytest.fixture
def app(make_app):
    return make_app()


def queue(app, *recipients: str, calendar: str | None = None) -> None:
    """Queue a message to each recipient in one committed transaction, as a service would."""
    with app.app_context():
        for to in recipients:
            queue_mail(db.session, key=f"test:{to}", to=to, subject=f"Hello {to}",
                       body=f"Text for {to}.", calendar=calendar,
                       method="REQUEST" if calendar else None)
        db.session.commit()


def burst(app) -> None:
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output


def rows(session) -> dict[str, OutboxMail]:
    found = session.scalars(select(OutboxMail).execution_options(populate_existing=True))
    return {m.recipient: m for m in found}


def test_queued_mail_is_sent_once_with_its_calendar_part(app, smtp, db_session):
    queue(app, "ann@example.net", calendar=ICS)
    queue(app, "ann@example.net")  # the same key again: not a second message
    queue(app, "ben@example.net")
    assert len(rows(db_session)) == 2
    burst(app)
    received = {str(m["To"]): m for m in smtp.inbox.messages}
    assert sorted(received) == ["ann@example.net", "ben@example.net"]
    ann = received["ann@example.net"]
    assert str(ann["From"]) == SENDER and str(ann["Subject"]) == "Hello ann@example.net"
    assert text_of(ann) == "Text for ann@example.net.\n"
    part = ann.get_body(preferencelist=("calendar",))
    assert part.get_content_type() == "text/calendar" and part.get_param("method") == "REQUEST"
    assert "METHOD:REQUEST" in part.get_content()
    assert received["ben@example.net"].get_body(preferencelist=("calendar",)) is None
    sent = rows(db_session)
    assert {m.state for m in sent.values()} == {MailState.SENT}
    assert all(m.attempts == 1 and m.sent_at is not None for m in sent.values())
    smtp.inbox.take()
    burst(app)
    assert smtp.inbox.take() == []


def test_a_refused_message_is_retried_after_a_wait_and_the_rest_never_resent(app, smtp,
                                                                             db_session):
    smtp.inbox.refuse = {"ben@example.net"}
    queue(app, "ann@example.net", "ben@example.net")
    burst(app)
    assert [to for to, _s, _b in smtp.inbox.take()] == ["ann@example.net"]
    ben = rows(db_session)["ben@example.net"]
    assert ben.state == MailState.REFUSED and ben.attempts == 1 and "550" in ben.last_error
    assert ben.next_attempt_at > utcnow()
    assert task_queue(app).huey.scheduled_count() == 1  # the retry, queued for when it is due
    smtp.inbox.refuse = set()
    burst(app)
    assert smtp.inbox.take() == []  # not due yet
    time.sleep(1.1)
    burst(app)
    assert [to for to, _s, _b in smtp.inbox.take()] == ["ben@example.net"]
    ben = rows(db_session)["ben@example.net"]
    assert ben.state == MailState.SENT and ben.attempts == 2 and ben.last_error == ""
    time.sleep(1.1)
    burst(app)
    assert smtp.inbox.take() == []


def test_each_wait_is_twice_the_last_and_a_message_is_given_up_after_the_last_attempt(
        make_app, smtp, db_session):
    app = make_app(MAIL_RETRY_SECONDS=60, MAIL_MAX_ATTEMPTS=2)
    smtp.inbox.refuse = {"ben@example.net"}
    queue(app, "ben@example.net")
    burst(app)
    first = rows(db_session)["ben@example.net"]
    assert timedelta(seconds=55) < first.next_attempt_at - utcnow() <= timedelta(seconds=60)
    first.next_attempt_at = utcnow()  # an hour later, say
    db_session.flush()
    burst(app)
    given_up = rows(db_session)["ben@example.net"]
    assert given_up.state == MailState.REFUSED and given_up.attempts == 2
    assert given_up.next_attempt_at is None  # no third attempt


def test_a_crash_between_sending_and_recording_never_sends_twice(app, smtp, db_session):
    queue(app, "ann@example.net")
    entered = []

    @contextmanager
    def transaction():
        entered.append(1)
        if len(entered) == 2:  # the process dies after sending, before marking
            raise SystemExit("killed")
        yield db_session
        db_session.flush()

    with pytest.raises(SystemExit):
        deliver_due(transaction, app_mailer(app), now=utcnow())
    assert len(smtp.inbox.take()) == 1
    assert rows(db_session)["ann@example.net"].state == MailState.IN_DOUBT
    burst(app)  # the job runs again (a retry, another worker): nothing is re-sent
    assert smtp.inbox.take() == []


def app_mailer(app):
    from interviewloop.outbox.delivery import mailer_for

    return mailer_for(app.config)


def test_a_connection_lost_mid_message_leaves_it_in_doubt_and_never_resent(app, smtp,
                                                                           db_session):
    smtp.inbox.drop = {"ann@example.net"}
    queue(app, "ann@example.net", "ben@example.net")
    burst(app)
    found = rows(db_session)
    assert found["ann@example.net"].state == MailState.IN_DOUBT
    assert "in doubt" in found["ann@example.net"].last_error
    assert found["ben@example.net"].state == MailState.REFUSED  # never left: tried again
    smtp.inbox.drop = set()
    time.sleep(1.1)
    burst(app)
    assert [to for to, _s, _b in smtp.inbox.take()] == ["ben@example.net"]


def test_under_outbox_delivery_mail_is_kept_and_nothing_is_sent(make_app, smtp, db_session):
    app = make_app(MAIL_DELIVERY="outbox")
    queue(app, "ann@example.net")
    burst(app)
    assert smtp.inbox.take() == []
    assert rows(db_session)["ann@example.net"].state == MailState.PENDING


def test_mail_queued_in_a_request_that_rolls_back_is_never_kept_or_sent(app, smtp,
                                                                        db_session):
    @app.post("/test/mail/<int:status>")
    def mail(status: int):
        queue_mail(db.session, key=f"test:{status}", to=f"s{status}@example.net",
                   subject="Hi", body="Hi.")
        if status >= 400:
            abort(status)
        return "queued"

    client = app.test_client()
    assert post(client, "/test/mail/422").status_code == 422
    assert task_queue(app).huey.pending_count() == 0
    burst(app)
    assert smtp.inbox.take() == [] and rows(db_session) == {}
    assert post(client, "/test/mail/200").status_code == 200
    burst(app)
    assert [to for to, _s, _b in smtp.inbox.take()] == ["s200@example.net"]
