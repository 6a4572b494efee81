"""Putting mail in the outbox, and reading it back (the admin's mail page).

``queue_mail`` adds the row in the caller's transaction and asks for the delivery job once
that transaction commits: mail goes out only for changes that happened."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from interviewloop.audit.service import Actor, record
from interviewloop.db import insert_new, utcnow
from interviewloop.errors import Conflict, NotFound
from interviewloop.outbox.models import CALENDAR_METHODS, MailState, OutboxMail
from interviewloop.paging import FIRST, LIST_PAGE, Cursor, Keyset, Page, keyset_page, row_id
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
               calendar: bytes | str | None = None, method: str | None = None,
               expires_at: datetime | None = None) -> OutboxMail:
    """Add a message (once per ``key``: the existing one is returned if already queued),
    not to be sent from ``expires_at`` on, if given."""
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
        last_error="", expires_at=expires_at)
    session.add(mail)
    session.flush()
    enqueue_after_commit(session, DELIVERY_JOB)
    return mail


@dataclass(frozen=True)
class NewMail:
    """A plain-text message for ``queue_many``."""

    key: str
    to: str
    subject: str
    body: str
    expires_at: datetime | None = None


def queue_many(session: Session, mails: Sequence[NewMail]) -> None:
    """Add many plain-text messages in one statement (per thousand), each once per key:
    a key already queued, here or by a concurrent transaction, is left as it is."""
    now = utcnow()
    insert_new(session, OutboxMail, [
        {"idempotency_key": m.key, "recipient": m.to, "subject": m.subject[:300],
         "body": m.body, "state": MailState.PENDING, "attempts": 0, "last_error": "",
         "created_at": now, "next_attempt_at": now, "expires_at": m.expires_at}
        for m in mails], unique=["idempotency_key"])
    if mails:
        enqueue_after_commit(session, DELIVERY_JOB)


MAIL_ORDER = Keyset((OutboxMail.id,), (row_id,), descending=True)


def recent_mail(session: Session, *, cursor: Cursor = FIRST, size: int = LIST_PAGE
                ) -> tuple[Page[OutboxMail], int]:
    """A page of the outbox, newest first (keyset: as cheap on the last page as on the
    first), and how many messages there are."""
    total = session.scalar(select(func.count()).select_from(OutboxMail)) or 0
    page = keyset_page(session, select(OutboxMail), MAIL_ORDER, cursor, lambda m: (m.id,),
                       size=size)
    return page, total


def get_mail(session: Session, mail_id: int) -> OutboxMail:
    mail = session.get(OutboxMail, mail_id)
    if mail is None:
        raise NotFound("No such message.")
    return mail


# A message claimed this recently, and not yet recorded as in doubt, may be on the wire now.
ON_THE_WIRE = timedelta(minutes=10)


def send_again_refusal(mail: OutboxMail, now: datetime | None = None) -> str | None:
    """Why ``mail`` may not be sent again, or None: only a message in doubt (the connection
    broke while it was on the wire, so it may or may not have arrived) can be, by an admin
    who judges that it did not arrive. Asked by the page and by ``send_again``."""
    now = now or utcnow()
    if mail.state == MailState.SENT:
        return "This message was sent; it is not sent again."
    if mail.state != MailState.IN_DOUBT:
        return ("This message is not in doubt: it is waiting to be sent."
                if mail.state == MailState.PENDING else
                "This message is not in doubt: the mail server refused it, so it certainly "
                "did not arrive (it is tried again by itself while attempts remain).")
    recorded = mail.last_error.startswith("in doubt")
    if not recorded and mail.claimed_at is not None and now - mail.claimed_at < ON_THE_WIRE:
        return "A worker is sending this message now; look again in a few minutes."
    if mail.expires_at is not None and mail.expires_at <= now:
        return "This message has expired (its time has passed): sending it now would be too late."
    return None


def can_send_again(mail: OutboxMail) -> bool:
    return send_again_refusal(mail) is None


def send_again(session: Session, actor: Actor, mail: OutboxMail) -> None:
    """Put a message in doubt back in the queue, once (two admins at once: one wins), and
    record who did it. Raises Conflict with the reason when it may not be."""
    now = utcnow()
    reason = send_again_refusal(mail, now)
    if reason is not None:
        raise Conflict(reason)
    detail = {"recipient": mail.recipient, "subject": mail.subject,
              "idempotency_key": mail.idempotency_key, "attempts": mail.attempts,
              "last_error": mail.last_error}
    # Only from the state just checked: a concurrent send-again or delivery wins the race.
    done = session.execute(
        update(OutboxMail).where(OutboxMail.id == mail.id,
                                 OutboxMail.state == MailState.IN_DOUBT,
                                 OutboxMail.attempts == mail.attempts)
        .values(state=MailState.PENDING, next_attempt_at=now, resent_at=now, last_error="")
        .execution_options(synchronize_session=False))
    if getattr(done, "rowcount", 0) != 1:
        raise Conflict("This message changed a moment ago; reload its page.")
    record(session, actor, "mail_sent_again", mail, **detail)
    session.expire(mail)
    enqueue_after_commit(session, DELIVERY_JOB)
