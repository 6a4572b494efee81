"""Outgoing email, kept in the database: added in the transaction that causes it (so mail
exists only if that change committed), sent later by the delivery job."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from interviewloop.constraints import explain
from interviewloop.db import Base, str_enum, utcnow


class MailState(enum.StrEnum):
    PENDING = "pending"  # not tried yet
    SENT = "sent"  # the mail server took it
    REFUSED = "refused"  # certainly not delivered: tried again at next_attempt_at, if set
    IN_DOUBT = "in_doubt"  # claimed for sending and not known to have failed: never re-sent


CALENDAR_METHODS = ("REQUEST", "CANCEL")


class OutboxMail(Base):
    __tablename__ = "outbox_mail"
    __table_args__ = (
        CheckConstraint("(calendar IS NULL) = (calendar_method IS NULL)",
                        name="calendar_has_method"),
        CheckConstraint("calendar_method IS NULL OR calendar_method IN ('REQUEST', 'CANCEL')",
                        name="calendar_method_known"),
        CheckConstraint("(state = 'sent') = (sent_at IS NOT NULL)", name="sent_has_time"),
        CheckConstraint("attempts >= 0", name="attempts_nonnegative"),
        CheckConstraint("expires_at IS NULL OR expires_at > created_at",
                        name="expires_after_queued"),
        Index("ix_outbox_mail_due", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # What the message is for, e.g. "invite:<uid>:<sequence>:<recipient>": the same message
    # is never queued twice.
    idempotency_key: Mapped[str] = mapped_column(String(400), unique=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    calendar: Mapped[str | None] = mapped_column(Text)  # a text/calendar part (iTIP)
    calendar_method: Mapped[str | None] = mapped_column(String(16))
    state: Mapped[MailState] = mapped_column(str_enum(MailState, "state"),
                                             default=MailState.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime | None]  # None: not to be tried (again)
    sent_at: Mapped[datetime | None]
    # Not sent from this moment on (a reminder is worthless once its interview has begun).
    expires_at: Mapped[datetime | None]
    # When the last attempt began: a message in doubt since a moment ago may be on the wire.
    claimed_at: Mapped[datetime | None]
    resent_at: Mapped[datetime | None]  # an admin sent it again (who: the audit log says)


explain("uq_outbox_mail_idempotency_key", "This message was already queued.")
explain("pk_outbox_mail", "This message was already queued.")
explain("ck_outbox_mail_calendar_has_method", "An invite needs its method (REQUEST or CANCEL).",
        status=422)
explain("ck_outbox_mail_calendar_method_known", "An invite's method is REQUEST or CANCEL.",
        status=422)
explain("ck_outbox_mail_sent_has_time", "A sent message records when it was sent.", status=422)
explain("ck_outbox_mail_attempts_nonnegative", "Attempts are counted from zero.", status=422)
explain("ck_outbox_mail_expires_after_queued", "A message expires after it is queued.",
        status=422)
explain("ck_outbox_mail_state", "A message is pending, sent, refused or in doubt.", status=422)
