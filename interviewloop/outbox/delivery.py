"""The delivery job: send what is due in the outbox, at most once per message.

Each run claims the due rows (marks them in doubt and counts the attempt; committed), sends
them with no transaction open, then marks each result (committed): sent; refused (certainly
not delivered: tried again later, each wait twice the last); or left in doubt (the connection
broke mid-message, or the process died before marking: never sent again, since it may have
arrived). So a retry, a second worker or a crash never sends a message twice. A message past
its expiry (a reminder whose interview has begun) is never sent: marked refused, not retried.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from interviewloop.db import utcnow
from interviewloop.mail import Mailer
from interviewloop.outbox.models import MailState, OutboxMail
from interviewloop.outbox.service import DELIVERY_JOB
from interviewloop.queue import job, task_queue

BATCH = 100
MAX_WAIT = timedelta(hours=1)
RETRIED = (MailState.PENDING, MailState.REFUSED)


@dataclass(frozen=True)
class Claimed:
    id: int
    recipient: str
    subject: str
    message: EmailMessage


@dataclass
class DeliveryRun:
    sent: list[Claimed] = field(default_factory=list)
    refused: list[tuple[Claimed, str]] = field(default_factory=list)
    in_doubt: list[tuple[Claimed, str]] = field(default_factory=list)
    expired: int = 0  # messages given up unsent, their time having passed
    retry_in: timedelta | None = None  # when this run's refusals are next due
    more_due: bool = False  # the batch was full: run again now


def email_message(mail: OutboxMail, sender: str) -> EmailMessage:
    """The message as sent: text, and the invite as a text/calendar alternative (the form
    Outlook, Gmail and Apple Mail turn into accept / decline buttons)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(mail.created_at)
    # Stable per outbox row, so that a receiving server can tell a copy from a new message.
    digest = hashlib.sha256(mail.idempotency_key.encode()).hexdigest()[:32]
    domain = sender.rpartition("@")[2] or "interviewloop"
    message["Message-ID"] = f"<{digest}.{mail.id}@{domain}>"
    message.set_content(mail.body)
    if mail.calendar is not None:
        message.add_alternative(mail.calendar, subtype="calendar",
                                params={"method": mail.calendar_method})
    return message


def claim_due(session: Session, sender: str, *, now: datetime, batch: int = BATCH,
              key_prefix: str = "") -> tuple[list[Claimed], bool, int]:
    """Mark up to ``batch`` due messages (whose key starts with ``key_prefix``) in doubt (an
    attempt under way) and return them, with whether more were due and how many expired
    unsent. Rows another worker is claiming are skipped (PostgreSQL); on SQLite the writing
    transaction's BEGIN IMMEDIATE serialises claims."""
    wanted = (OutboxMail.state.in_(RETRIED), OutboxMail.next_attempt_at <= now,
              OutboxMail.idempotency_key.startswith(key_prefix, autoescape=True))
    expired = session.execute(
        update(OutboxMail).where(*wanted, OutboxMail.expires_at <= now)
        .values(state=MailState.REFUSED, next_attempt_at=None,
                last_error="Not sent: its time had passed (it expired) before it could be.")
        .execution_options(synchronize_session=False))
    rows = session.scalars(
        select(OutboxMail).where(*wanted)
        .order_by(OutboxMail.next_attempt_at, OutboxMail.id).limit(batch + 1)
        .with_for_update(skip_locked=True)).all()
    more = len(rows) > batch
    claimed = []
    for mail in rows[:batch]:
        mail.state, mail.attempts, mail.next_attempt_at = MailState.IN_DOUBT, mail.attempts + 1, None
        mail.claimed_at = now
        claimed.append(Claimed(mail.id, mail.recipient, mail.subject, email_message(mail, sender)))
    session.flush()
    return claimed, more, int(getattr(expired, "rowcount", 0) or 0)


def retry_wait(attempts: int, first: timedelta) -> timedelta:
    wait: timedelta = first * 2 ** max(attempts - 1, 0)
    return min(wait, MAX_WAIT)


def deliver_due(transaction: Callable[[], AbstractContextManager[Session]], mailer: Mailer, *,
                now: datetime | None = None, first_wait: timedelta = timedelta(minutes=1),
                max_attempts: int = 8, batch: int = BATCH, key_prefix: str = "") -> DeliveryRun:
    """One delivery run (of the messages whose key starts with ``key_prefix``).
    ``transaction()`` opens a writing session that commits when its block ends."""
    now = now or utcnow()
    with transaction() as session:
        claimed, more, expired = claim_due(session, mailer.sender, now=now, batch=batch,
                                           key_prefix=key_prefix)
    run = DeliveryRun(more_due=more, expired=expired)
    if not claimed:
        return run
    delivery = mailer.deliver([c.message for c in claimed])
    done_at = utcnow()
    with transaction() as session:
        for index in delivery.sent:
            mail = session.get_one(OutboxMail, claimed[index].id)
            mail.state, mail.sent_at, mail.last_error = MailState.SENT, done_at, ""
            run.sent.append(claimed[index])
        for index, reason in sorted(delivery.refused.items()):
            mail = session.get_one(OutboxMail, claimed[index].id)
            mail.state, mail.last_error = MailState.REFUSED, reason[:2000]
            if mail.attempts < max_attempts:
                wait = retry_wait(mail.attempts, first_wait)
                mail.next_attempt_at = done_at + wait
                run.retry_in = min(run.retry_in or wait, wait)
            run.refused.append((claimed[index], reason))
        for index, reason in sorted(delivery.in_doubt.items()):
            mail = session.get_one(OutboxMail, claimed[index].id)
            mail.last_error = f"in doubt, not sent again: {reason}"[:2000]
            run.in_doubt.append((claimed[index], reason))
        session.flush()
    return run


def mailer_for(config: Mapping[str, Any]) -> Mailer:
    return Mailer(host=config["SMTP_HOST"], port=config["SMTP_PORT"], sender=config["SMTP_FROM"],
                  username=config["SMTP_USERNAME"], password=config["SMTP_PASSWORD"],
                  starttls=config["SMTP_STARTTLS"])


@job(DELIVERY_JOB, retries=5, retry_delay=60, every_minutes=5)
def deliver_mail(app: Flask) -> None:
    """The job: one run, then queue the next one for this run's refusals (and at once if
    the batch was full). The periodic run catches mail whose job was lost."""
    from interviewloop.db import db

    config = app.config
    if config["MAIL_DELIVERY"] != "smtp":
        return  # kept in the outbox, read at /admin/mail
    run = deliver_due(db.session_scope, mailer_for(config),
                      first_wait=timedelta(seconds=config["MAIL_RETRY_SECONDS"]),
                      max_attempts=config["MAIL_MAX_ATTEMPTS"])
    queue = task_queue(app)
    if run.more_due:
        queue.enqueue(DELIVERY_JOB)
    if run.retry_in is not None:
        queue.enqueue(DELIVERY_JOB, delay=run.retry_in)
