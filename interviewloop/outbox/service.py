"""Putting mail in the outbox, and reading it back (the admin's mail page).

``queue_mail`` adds the row in the caller's transaction and asks for the delivery job once
that transaction commits: mail goes out only for changes that happened."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from interviewloop.db import utcnow
from interviewloop.errors import NotFound
from interviewloop.outbox.models import CALENDAR_METHODS, OutboxMail
from interviewloop.queue import enqueue_after_commit

SETTINGS_INFO = "interviewloop.outbox_settings"
DELIVERY_JOB = "deliver_mail"


@dataclass(frozen=True)
class MailSettings:
    """What services need to write mail: the sender (also the organizer of invites) and the
    app's address for links. An app's sessions carry its own (see ``init_app``)."""

    sender: str = "interviewloop@localhost"
    base_url: str = "http://127.0.0.1:5000"


def settings(session: Session) -> MailSettings:
    return session.info.get(SETTINGS_INFO) or MailSettings()


def queue_mail(session: Session, *, key: str, to: str, subject: str, body: str,
               calendar: bytes | str | None = None, method: str | None = None) -> OutboxMail:
    """Add a message (once per ``key``: the existing one is returned if already queued)."""
    existing = session.scalar(select(OutboxMail).where(OutboxMail.idempotency_key == key))
    if existing is not None:
        return existing
    if (calendar is None) != (method is None) or (method and method not in CALENDAR_METHODS):
        raise ValueError("A calendar part needs its METHOD (REQUEST or CANCEL).")
    now = utcnow()
    mail = OutboxMail(
        idempotency_key=key, recipient=to, subject=subject[:300], body=body,
        calendar=calendar.decode() if isinstance(calendar, bytes) else calendar,
        calendar_method=method, created_at=now, next_attempt_at=now, attempts=0,
        last_error="")
    session.add(mail)
    session.flush()
    enqueue_after_commit(session, DELIVERY_JOB)
    return mail


def recent_mail(session: Session, *, page: int = 1, size: int = 50
                ) -> tuple[list[OutboxMail], int]:
    """A page of the outbox, newest first, and how many messages there are."""
    total = session.scalar(select(func.count()).select_from(OutboxMail)) or 0
    rows = session.scalars(select(OutboxMail).order_by(OutboxMail.id.desc())
                           .limit(size).offset((max(page, 1) - 1) * size)).all()
    return list(rows), total


def get_mail(session: Session, mail_id: int) -> OutboxMail:
    mail = session.get(OutboxMail, mail_id)
    if mail is None:
        raise NotFound("No such message.")
    return mail
