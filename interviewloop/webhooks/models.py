"""Webhooks: endpoints an admin registers, the events they want, each event as written in
the transaction of the change that caused it (an outbox of events), one delivery per event
and endpoint, and every attempt at it (the endpoint's delivery log)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from interviewloop.constraints import explain
from interviewloop.db import Base, str_enum, utcnow

URL_LENGTH = 2000
DESCRIPTION_LENGTH = 200


class EventType(enum.StrEnum):
    CANDIDATE_CREATED = "candidate.created"
    INTERVIEW_SCHEDULED = "interview.scheduled"
    INTERVIEW_RESCHEDULED = "interview.rescheduled"
    INTERVIEW_CANCELLED = "interview.cancelled"
    SCORECARD_SUBMITTED = "scorecard.submitted"
    PRE_OFFER_ANSWERED = "pre_offer.answered"
    DECISION_RECORDED = "decision.recorded"
    REQUISITION_OPENED = "requisition.opened"


class DeliveryState(enum.StrEnum):
    PENDING = "pending"  # not tried yet, or asked for again (redeliver)
    RETRYING = "retrying"  # the last attempt failed; tried again at next_attempt_at
    DELIVERED = "delivered"  # the endpoint answered 2xx
    GIVEN_UP = "given_up"  # still failing when the retry window ended: not tried again


class WebhookEndpoint(Base):
    __tablename__ = "webhook_endpoints"
    __table_args__ = (
        CheckConstraint(f"length(url) BETWEEN 8 AND {URL_LENGTH}", name="url_length"),
        CheckConstraint("url LIKE 'https://%' OR url LIKE 'http://%'", name="url_is_http"),
        CheckConstraint(f"length(description) <= {DESCRIPTION_LENGTH}", name="description_length"),
        CheckConstraint("length(secret_seed) = 43", name="secret_seed_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(URL_LENGTH))
    description: Mapped[str] = mapped_column(String(DESCRIPTION_LENGTH), default="")
    # The signing secret is derived from this and the app's SECRET_KEY (tokens.LinkSigner):
    # a copy of the database alone cannot sign. Shown once, when made or rotated.
    secret_seed: Mapped[str] = mapped_column(String(43))
    active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    secret_rotated_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    subscriptions: Mapped[list[WebhookSubscription]] = relationship(
        cascade="all, delete-orphan", lazy="raise", order_by="WebhookSubscription.event_type")

    __mapper_args__ = {"version_id_col": version}

    @property
    def events(self) -> list[EventType]:
        return [s.event_type for s in self.subscriptions]


class WebhookSubscription(Base):
    """An event type an endpoint wants."""

    __tablename__ = "webhook_subscriptions"

    endpoint_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), primary_key=True)
    event_type: Mapped[EventType] = mapped_column(str_enum(EventType, "event_type"),
                                                  primary_key=True, index=True)


class WebhookEvent(Base):
    """One event, as every endpoint receives it: the body is written once, so a retry or a
    redelivery sends the same bytes with the same event id."""

    __tablename__ = "webhook_events"
    __table_args__ = (
        CheckConstraint("length(uid) = 36 AND uid LIKE 'evt_%'", name="uid_format"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True)  # "evt_" + 32 hex digits
    type: Mapped[EventType] = mapped_column(str_enum(EventType, "type"))
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    body: Mapped[str] = mapped_column(Text)  # the JSON sent


class WebhookDelivery(Base):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("event_id", "endpoint_id"),
        CheckConstraint("attempts >= 0", name="attempts_nonnegative"),
        CheckConstraint("(state = 'delivered') = (delivered_at IS NOT NULL)",
                        name="delivered_has_time"),
        CheckConstraint("(state = 'given_up') = (given_up_at IS NOT NULL)",
                        name="given_up_has_time"),
        CheckConstraint("state IN ('pending', 'retrying') OR next_attempt_at IS NULL",
                        name="settled_not_due"),
        Index("ix_webhook_deliveries_due", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("webhook_events.id", ondelete="CASCADE"))
    endpoint_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), index=True)
    state: Mapped[DeliveryState] = mapped_column(str_enum(DeliveryState, "state"),
                                                 default=DeliveryState.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    # Retries go on for the retry window from here (the event, or the last redeliver).
    window_started_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime | None]
    # A worker sending it holds it until then (another worker skips it meanwhile; a worker
    # that died lets it go: a receiver drops the duplicate by its event id).
    lease_until: Mapped[datetime | None]
    last_status: Mapped[int | None]
    last_error: Mapped[str] = mapped_column(Text, default="")
    delivered_at: Mapped[datetime | None]
    given_up_at: Mapped[datetime | None]

    event: Mapped[WebhookEvent] = relationship(lazy="raise")


class WebhookAttempt(Base):
    """One try at a delivery: the delivery log's row."""

    __tablename__ = "webhook_attempts"
    __table_args__ = (
        CheckConstraint("duration_ms >= 0", name="duration_nonnegative"),
        CheckConstraint("status_code IS NULL OR status_code BETWEEN 100 AND 599",
                        name="status_code_range"),
        Index("ix_webhook_attempts_endpoint_id_id", "endpoint_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), index=True)
    # The delivery's endpoint, repeated so that an endpoint's log is one indexed range.
    endpoint_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    duration_ms: Mapped[int] = mapped_column(default=0)
    status_code: Mapped[int | None]  # None: no answer (refused address, timeout, ...)
    error: Mapped[str] = mapped_column(Text, default="")

    delivery: Mapped[WebhookDelivery] = relationship(lazy="raise")


explain("ck_webhook_endpoints_url_length", f"An endpoint's URL is 8 to {URL_LENGTH} characters.",
        status=422)
explain("ck_webhook_endpoints_url_is_http", "An endpoint's URL starts with https://.", status=422)
explain("ck_webhook_endpoints_description_length",
        f"Keep the description under {DESCRIPTION_LENGTH} characters.", status=422)
explain("uq_webhook_deliveries_event_id_endpoint_id", "This event is already queued for this endpoint.")
explain("uq_webhook_events_uid", "This event was already recorded.")
explain("ck_webhook_events_uid_format", "An event id is evt_ and 32 hex digits.", status=422)
explain("ck_webhook_deliveries_delivered_has_time", "A delivered event records when it was.",
        status=422)
explain("ck_webhook_deliveries_given_up_has_time", "A delivery given up records when it was.",
        status=422)
explain("ck_webhook_deliveries_settled_not_due",
        "A delivered or given-up event is not tried again.", status=422)
explain("pk_webhook_subscriptions", "This endpoint already wants this event.")
