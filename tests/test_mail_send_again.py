"""Sending a message in doubt again from the admin's mail page (/admin/mail/<id>): a POST
with CSRF, by an admin, audited, delivered once more through a real SMTP server (aiosmtpd);
refused with a 409 and the reason for mail already sent, not in doubt, possibly on the wire
right now, or expired."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from interviewloop import create_app
from interviewloop.audit.models import AuditEvent
from interviewloop.db import db, utcnow
from interviewloop.outbox.models import MailState, OutboxMail
from interviewloop.outbox.service import queue_mail
from tests.conftest import app_config, csrf_token, log_in, post
from tests.mailserver import smtp_server

SENDER = "loops@hiring.example.test"
ANN = "ann@example.net"


@pytest.fixture
def smtp():
    with smtp_server(SENDER) as server:
        yield server


@pytest.fixture
def app(connection, smtp, tmp_path):
    return create_app(app_config(
        DB_BIND=connection, DATABASE_URL="sqlite://", SMTP_FROM=SENDER, SMTP_HOST="127.0.0.1",
        SMTP_PORT=smtp.port, MAIL_DELIVERY="smtp", MAIL_RETRY_SECONDS=1,
        TASK_QUEUE_URL=f"sqlite:///{tmp_path / 'tasks.db'}"))


def burst(app) -> None:
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output


def client_for(app, user):
    client = app.test_client()
    assert log_in(client, user.email).status_code == 302
    return client


def mail_row(session) -> OutboxMail:
    return session.scalars(select(OutboxMail).where(OutboxMail.recipient == ANN)
                           .execution_options(populate_existing=True)).one()


@pytest.fixture
def in_doubt(app, smtp, db_session):
    """A message whose connection broke while it was on the wire."""
    with app.app_context():
        queue_mail(db.session, key="test:ann", to=ANN, subject="Hello Ann", body="Hi.")
        db.session.commit()
    smtp.inbox.drop = {ANN}
    burst(app)
    smtp.inbox.drop = set()
    mail = mail_row(db_session)
    assert mail.state == MailState.IN_DOUBT and mail.last_error.startswith("in doubt")
    return mail


def test_an_admin_sends_a_message_in_doubt_again_once_and_it_is_audited(app, smtp, db_session,
                                                                         in_doubt, make_user):
    admin = make_user("admin", name="Ada Admin")
    client = client_for(app, admin)
    url = f"/admin/mail/{in_doubt.id}"
    page = client.get(url).get_data(as_text=True)
    assert "Delivery is in doubt" in page and ">Send again</button>" in page
    burst(app)
    assert smtp.inbox.take() == []  # never sent again by itself
    done = post(client, f"{url}/send-again")
    assert done.status_code == 302 and done.headers["Location"].endswith(url)
    mail = mail_row(db_session)
    assert mail.state == MailState.PENDING and mail.resent_at is not None
    [event] = db_session.scalars(select(AuditEvent).where(
        AuditEvent.action == "mail_sent_again")).all()
    assert event.actor_id == admin.id and event.object_id == mail.id
    assert event.detail["recipient"] == ANN and "in doubt" in event.detail["last_error"]
    burst(app)
    assert [(to, subject) for to, subject, _b in smtp.inbox.take()] == [(ANN, "Hello Ann")]
    assert mail_row(db_session).state == MailState.SENT
    again = post(client, f"{url}/send-again")
    assert again.status_code == 409 and "was sent" in again.get_data(as_text=True)
    assert ">Send again</button>" not in client.get(url).get_data(as_text=True)
    burst(app)
    assert smtp.inbox.take() == []


def test_mail_not_in_doubt_is_refused_with_the_reason(app, smtp, db_session, make_user):
    client = client_for(app, make_user("admin"))
    pending = queue_mail(db_session, key="k1", to=ANN, subject="Pending", body=".")
    refused = queue_mail(db_session, key="k2", to="ben@example.net", subject="Refused", body=".")
    refused.state, refused.last_error = MailState.REFUSED, "550 No such mailbox here"
    db_session.flush()
    for mail, reason in ((pending, "waiting to be sent"), (refused, "refused it")):
        response = post(client, f"/admin/mail/{mail.id}/send-again")
        assert response.status_code == 409 and reason in response.get_data(as_text=True)
    assert post(client, "/admin/mail/999999/send-again").status_code == 404
    assert {m.state for m in db_session.scalars(select(OutboxMail))} == {
        MailState.PENDING, MailState.REFUSED}
    assert db_session.scalar(select(AuditEvent.id).where(
        AuditEvent.action == "mail_sent_again")) is None


def test_a_message_that_may_be_on_the_wire_now_or_has_expired_is_refused(app, db_session,
                                                                        make_user):
    client = client_for(app, make_user("admin"))
    now = utcnow()
    sending = queue_mail(db_session, key="k1", to=ANN, subject="On the wire", body=".")
    sending.state, sending.claimed_at, sending.next_attempt_at = MailState.IN_DOUBT, now, None
    expired = queue_mail(db_session, key="k2", to="ben@example.net", subject="Too late",
                         body=".", expires_at=now + timedelta(seconds=1))
    expired.state, expired.last_error = MailState.IN_DOUBT, "in doubt, not sent again: 421"
    expired.claimed_at = now
    expired.expires_at = expired.created_at + timedelta(microseconds=1)
    db_session.flush()
    for mail, reason in ((sending, "A worker is sending this message now"),
                         (expired, "has expired")):
        response = post(client, f"/admin/mail/{mail.id}/send-again")
        assert response.status_code == 409 and reason in response.get_data(as_text=True)
        assert reason in client.get(f"/admin/mail/{mail.id}").get_data(as_text=True)
    # Claimed long ago and never recorded (the worker died): the admin may send it again.
    sending.claimed_at = now - timedelta(hours=1)
    db_session.flush()
    assert post(client, f"/admin/mail/{sending.id}/send-again").status_code == 302


def test_send_again_needs_an_admin_a_post_and_the_csrf_token(app, db_session, in_doubt,
                                                              make_user):
    url = f"/admin/mail/{in_doubt.id}/send-again"
    logged_out = post(app.test_client(), url)
    assert logged_out.status_code == 302 and "/login" in logged_out.headers["Location"]
    recruiter = client_for(app, make_user("recruiter"))
    assert post(recruiter, url).status_code == 403
    admin = client_for(app, make_user("admin"))
    assert admin.get(url).status_code == 405
    csrf_token(admin)  # a page was seen, but the form is posted without its token
    assert admin.post(url, data={}).status_code == 400
    assert mail_row(db_session).state == MailState.IN_DOUBT
