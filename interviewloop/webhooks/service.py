"""Webhook endpoints (registered by admins), events written in the transaction of the change
that causes them, and the delivery log.

``emit`` adds the event and one delivery per active endpoint that wants it in the caller's
transaction, and asks for the delivery job once that transaction commits: an event exists,
and is sent, only for a change that happened. A retry or a redelivery sends the same event
(the same id and body) again, never a new one."""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from interviewloop import paging
from interviewloop.audit.service import Actor, record
from interviewloop.db import utcnow
from interviewloop.errors import Conflict, InvalidInput, NotFound
from interviewloop.queue import enqueue_after_commit
from interviewloop.tokens import signer_of
from interviewloop.webhooks.addresses import check_url
from interviewloop.webhooks.models import (
    DESCRIPTION_LENGTH,
    DeliveryState,
    EventType,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
    WebhookSubscription,
)

DELIVERY_JOB = "deliver_webhooks"
SECRET_PURPOSE = "webhook-secret"  # noqa: S105 - a name, not a secret
SECRET_PREFIX = "ilw_"  # noqa: S105 - a name, not a secret
LOG_PAGE = paging.LIST_PAGE


class InvalidEndpoint(InvalidInput):
    """An endpoint's events or description refused (its URL: addresses.RefusedAddress)."""


@dataclass(frozen=True)
class EndpointInput:
    url: str
    events: list[str]
    description: str = ""
    active: bool = True


@dataclass(frozen=True)
class MadeSecret:
    """An endpoint and its signing secret, shown this once."""

    endpoint: WebhookEndpoint
    secret: str


def signing_secret(session: Session, endpoint: WebhookEndpoint) -> str:
    """The endpoint's signing secret: derived from its seed and the app's SECRET_KEY."""
    signer = signer_of(session.info)
    if signer is None:
        raise RuntimeError("This session has no link signer (an app session has one).")
    return signer.derive(SECRET_PURPOSE, endpoint.secret_seed, SECRET_PREFIX)


def _clean(data: EndpointInput, *, allow_private: bool) -> tuple[str, list[EventType], str]:
    url = check_url(data.url.strip(), allow_private=allow_private)
    try:
        events = sorted({EventType(e) for e in data.events})
    except ValueError:
        raise InvalidEndpoint("Choose events from the list.", "events") from None
    if not events:
        raise InvalidEndpoint("Choose at least one event.", "events")
    description = data.description.strip()
    if len(description) > DESCRIPTION_LENGTH:
        raise InvalidEndpoint(f"Keep the description under {DESCRIPTION_LENGTH} characters.",
                              "description")
    return url, events, description


def _new_seed() -> str:
    return secrets.token_urlsafe(32)  # 43 characters


def create_endpoint(session: Session, actor: Actor, data: EndpointInput, *,
                    allow_private: bool) -> MadeSecret:
    url, events, description = _clean(data, allow_private=allow_private)
    endpoint = WebhookEndpoint(url=url, description=description, active=data.active,
                               secret_seed=_new_seed(), created_by_id=actor.user_id,
                               subscriptions=[WebhookSubscription(event_type=e) for e in events])
    session.add(endpoint)
    session.flush()
    record(session, actor, "webhook_endpoint_created", endpoint, url=url,
           events=[e.value for e in events], active=data.active)
    return MadeSecret(endpoint, signing_secret(session, endpoint))


def update_endpoint(session: Session, actor: Actor, endpoint: WebhookEndpoint,
                    data: EndpointInput, *, allow_private: bool) -> WebhookEndpoint:
    url, events, description = _clean(data, allow_private=allow_private)
    before = {"url": endpoint.url, "events": [e.value for e in endpoint.events],
              "active": endpoint.active, "description": endpoint.description}
    endpoint.url, endpoint.description, endpoint.active = url, description, data.active
    kept = {s.event_type: s for s in endpoint.subscriptions}
    endpoint.subscriptions = [kept.get(e) or WebhookSubscription(event_type=e) for e in events]
    after = {"url": url, "events": [e.value for e in events], "active": data.active,
             "description": description}
    if after != before:
        endpoint.updated_at = utcnow()
        session.flush()
        record(session, actor, "webhook_endpoint_updated", endpoint,
               changes=sorted(k for k in after if after[k] != before[k]))
    return endpoint


def rotate_secret(session: Session, actor: Actor, endpoint: WebhookEndpoint) -> MadeSecret:
    """A new signing secret (the old one stops working for deliveries from now on)."""
    endpoint.secret_seed = _new_seed()
    endpoint.secret_rotated_at = utcnow()
    session.flush()
    record(session, actor, "webhook_secret_rotated", endpoint)
    return MadeSecret(endpoint, signing_secret(session, endpoint))


def endpoints(session: Session) -> list[WebhookEndpoint]:
    return list(session.scalars(select(WebhookEndpoint)
                                .options(selectinload(WebhookEndpoint.subscriptions))
                                .order_by(WebhookEndpoint.id)))


def get_endpoint(session: Session, endpoint_id: int) -> WebhookEndpoint:
    endpoint = session.scalar(select(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id)
                              .options(selectinload(WebhookEndpoint.subscriptions)))
    if endpoint is None:
        raise NotFound("No such webhook endpoint.")
    return endpoint


# --- events ------------------------------------------------------------------------------------

def _stamp(moment: datetime) -> str:
    """RFC 3339 in UTC, to the millisecond: 2026-12-02T09:30:00.000Z."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def emit(session: Session, event_type: EventType, data: Mapping[str, Any], *,
         now: datetime | None = None) -> WebhookEvent | None:
    """Record the event for every active endpoint that wants it (None when none does), in
    the caller's transaction; the delivery job is queued once it commits."""
    wanting = list(session.scalars(
        select(WebhookEndpoint.id).join(WebhookSubscription)
        .where(WebhookEndpoint.active, WebhookSubscription.event_type == event_type)
        .order_by(WebhookEndpoint.id)))
    if not wanting:
        return None
    now = now or utcnow()
    uid = f"evt_{uuid.uuid4().hex}"
    body = json.dumps({"id": uid, "type": event_type.value, "occurred_at": _stamp(now),
                       "data": dict(data)}, separators=(",", ":"), sort_keys=True)
    event = WebhookEvent(uid=uid, type=event_type, occurred_at=now, body=body)
    session.add(event)
    session.flush()
    session.add_all(WebhookDelivery(event_id=event.id, endpoint_id=endpoint_id,
                                    state=DeliveryState.PENDING, attempts=0, last_error="",
                                    window_started_at=now, next_attempt_at=now)
                    for endpoint_id in wanting)
    session.flush()
    enqueue_after_commit(session, DELIVERY_JOB)
    return event


# --- the delivery log --------------------------------------------------------------------------

LOG_KEYSET = paging.Keyset((WebhookAttempt.id,), (paging.row_id,), descending=True)


@dataclass(frozen=True)
class LogRow:
    attempt: WebhookAttempt
    delivery_id: int
    delivery_state: DeliveryState
    event_uid: str
    event_type: EventType


def delivery_log(session: Session, endpoint: WebhookEndpoint,
                 cursor: paging.Cursor = paging.FIRST, *, size: int = LOG_PAGE
                 ) -> paging.Page[LogRow]:
    """A page of the endpoint's attempts, newest first, each with its delivery's state and
    its event (one query, whatever the page)."""
    stmt = (select(WebhookAttempt, WebhookDelivery.id, WebhookDelivery.state,
                   WebhookEvent.uid, WebhookEvent.type)
            .join(WebhookDelivery, WebhookDelivery.id == WebhookAttempt.delivery_id)
            .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
            .where(WebhookAttempt.endpoint_id == endpoint.id))
    page = paging.keyset_page(session, stmt, LOG_KEYSET, cursor, lambda row: (row[0].id,),
                              size=size, scalars=False)
    return paging.Page(items=[LogRow(*row) for row in page.items], previous=page.previous,
                       next=page.next)


def delivery_counts(session: Session, endpoint: WebhookEndpoint) -> dict[DeliveryState, int]:
    """How many of the endpoint's deliveries are in each state."""
    rows = session.execute(select(WebhookDelivery.state, func.count())
                           .where(WebhookDelivery.endpoint_id == endpoint.id)
                           .group_by(WebhookDelivery.state)).all()
    return {state: int(count) for state, count in rows}


def redeliver(session: Session, actor: Actor, endpoint: WebhookEndpoint, delivery_id: int, *,
              now: datetime | None = None) -> WebhookDelivery:
    """Send the delivery's event again (the same event id and body), with a new retry
    window; 409 while a worker is sending it."""
    now = now or utcnow()
    delivery = session.scalar(select(WebhookDelivery).where(
        WebhookDelivery.id == delivery_id, WebhookDelivery.endpoint_id == endpoint.id))
    if delivery is None:
        raise NotFound("No such delivery for this endpoint.")
    if delivery.lease_until is not None and delivery.lease_until > now:
        raise Conflict("A worker is sending this event now; look again in a moment.")
    done = session.execute(
        update(WebhookDelivery).where(WebhookDelivery.id == delivery.id,
                                      WebhookDelivery.attempts == delivery.attempts,
                                      WebhookDelivery.state == delivery.state)
        .values(state=DeliveryState.PENDING, next_attempt_at=now, window_started_at=now,
                delivered_at=None, given_up_at=None, lease_until=None)
        .execution_options(synchronize_session=False))
    if getattr(done, "rowcount", 0) != 1:
        raise Conflict("This delivery changed a moment ago; reload the page.")
    uid = session.scalar(select(WebhookEvent.uid).where(WebhookEvent.id == delivery.event_id))
    record(session, actor, "webhook_redelivered", endpoint, delivery_id=delivery.id,
           event=uid, state_was=delivery.state.value)
    session.expire(delivery)
    enqueue_after_commit(session, DELIVERY_JOB)
    return delivery


def event_choices() -> Iterable[tuple[str, str]]:
    return ((e.value, e.value) for e in EventType)
