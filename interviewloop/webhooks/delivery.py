"""The webhook delivery job: send what is due, signed, and record each attempt.

Each run claims the due deliveries (a lease and the attempt counted; committed), sends them
with no transaction open, then records each attempt and its result (committed): delivered
(a 2xx answer); or tried again after a wait that doubles each time (with jitter, at most an
hour) until the retry window (24 hours from the event or the last redeliver, at least) has
passed, then given up. Redirects are not followed; the connection goes to the address that
was checked (addresses.py). A worker that dies mid-send lets its lease run out and the
delivery is sent again: receivers drop the duplicate by its event id, which never changes.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import urllib3
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from interviewloop.db import utcnow
from interviewloop.outbox.delivery import retry_wait as doubling_wait
from interviewloop.webhooks.addresses import RefusedAddress, Target, resolve
from interviewloop.webhooks.models import (
    DeliveryState,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from interviewloop.webhooks.service import signing_secret

BATCH = 50
SIGNATURE_HEADER = "Interviewloop-Signature"
USER_AGENT = "interviewloop-webhooks/1"
ERROR_CHARS = 500

#: The clock deliveries are scheduled by (due, retried, given up); tests move it.
clock: Callable[[], datetime] = utcnow


@dataclass(frozen=True)
class DeliverySettings:
    allow_private: bool = False
    timeout: float = 5.0  # seconds, to connect and for each read
    first_wait: timedelta = timedelta(seconds=30)
    window: timedelta = timedelta(hours=24)


def settings_of(config: Mapping[str, Any]) -> DeliverySettings:
    return DeliverySettings(allow_private=config["WEBHOOKS_ALLOW_PRIVATE"],
                            timeout=float(config["WEBHOOKS_TIMEOUT_SECONDS"]),
                            first_wait=timedelta(seconds=config["WEBHOOKS_RETRY_SECONDS"]),
                            window=timedelta(hours=config["WEBHOOKS_RETRY_HOURS"]))


@dataclass(frozen=True)
class Claimed:
    delivery_id: int
    endpoint_id: int
    url: str
    secret: str
    event_uid: str
    event_type: str
    body: bytes
    attempt: int
    lease_until: datetime


@dataclass(frozen=True)
class Outcome:
    status: int | None
    error: str
    duration_ms: int
    started_at: datetime

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@dataclass
class DeliveryRun:
    delivered: list[Claimed] = field(default_factory=list)
    failed: list[tuple[Claimed, Outcome]] = field(default_factory=list)
    given_up: list[Claimed] = field(default_factory=list)
    retry_in: timedelta | None = None  # when this run's failures are next due
    more_due: bool = False  # the batch was full: run again now


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value: ``t=<unix seconds>,v1=<hex HMAC-SHA256 of
    "<t>.<body>" under the endpoint's secret>``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def retry_wait(attempts: int, first: timedelta) -> timedelta:
    """Twice the last wait (at most an hour), give or take a quarter so that the retries of
    many deliveries to an endpoint that was down do not all arrive at once."""
    wait: timedelta = doubling_wait(attempts, first)
    return wait * (0.75 + secrets.randbelow(501) / 1000)


def claim_due(session: Session, *, now: datetime, lease: timedelta, batch: int = BATCH
              ) -> tuple[list[Claimed], bool]:
    """Lease up to ``batch`` due deliveries of active endpoints and return them, with whether
    more were due. Rows another worker is claiming are skipped (PostgreSQL); on SQLite the
    writing transaction's BEGIN IMMEDIATE serialises claims."""
    rows = session.execute(
        select(WebhookDelivery, WebhookEndpoint, WebhookEvent)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
        .where(WebhookDelivery.state.in_((DeliveryState.PENDING, DeliveryState.RETRYING)),
               WebhookDelivery.next_attempt_at <= now, WebhookEndpoint.active,
               or_(WebhookDelivery.lease_until.is_(None), WebhookDelivery.lease_until <= now))
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id).limit(batch + 1)
        .with_for_update(skip_locked=True, of=WebhookDelivery)).all()
    more = len(rows) > batch
    claimed = []
    for delivery, endpoint, event in rows[:batch]:
        delivery.attempts += 1
        delivery.lease_until = now + lease
        claimed.append(Claimed(delivery.id, endpoint.id, endpoint.url,
                               signing_secret(session, endpoint), event.uid, event.type.value,
                               event.body.encode(), delivery.attempts, delivery.lease_until))
    session.flush()
    return claimed, more


def _excerpt(response: Any) -> str:
    try:
        raw = response.read(ERROR_CHARS, decode_content=False) or b""
    except (urllib3.exceptions.HTTPError, OSError):
        raw = b""
    return raw.decode("utf-8", "replace").strip()[:ERROR_CHARS]


def post(target: Target, body: bytes, headers: Mapping[str, str], timeout: float
         ) -> tuple[int, str]:
    """POST to the checked address (never following a redirect), with the URL's own host
    in the Host header and, over https, for SNI and the certificate check. Returns the
    status and what is worth logging of the answer; raises urllib3's errors or OSError."""
    limits = urllib3.Timeout(connect=timeout, read=timeout)
    pool: urllib3.HTTPConnectionPool
    if target.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            target.address, target.port, timeout=limits, retries=False, maxsize=1,
            server_hostname=target.host, assert_hostname=target.host, cert_reqs="CERT_REQUIRED")
    else:
        pool = urllib3.HTTPConnectionPool(target.address, target.port, timeout=limits,
                                          retries=False, maxsize=1)
    with pool:
        response = pool.urlopen("POST", target.path, body=body,
                                headers={**headers, "Host": target.host_header},
                                redirect=False, retries=False, assert_same_host=False,
                                preload_content=False)
        try:
            status = int(response.status)
            if 300 <= status < 400:
                where = response.headers.get("Location", "")[:300]
                return status, f"Answered a redirect (to {where or 'nowhere'}): not followed."
            if 200 <= status < 300:
                return status, ""
            excerpt = _excerpt(response)
            return status, f"HTTP {status}" + (f": {excerpt}" if excerpt else "")
        finally:
            response.release_conn()


def attempt(item: Claimed, settings: DeliverySettings) -> Outcome:
    """One try at one delivery: resolve and check the address, sign, send."""
    started, started_at = time.monotonic(), clock()
    status, error = None, ""
    try:
        target = resolve(item.url, allow_private=settings.allow_private)
        timestamp = int(time.time())  # the moment it is signed, for the receiver's tolerance
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT,
                   "Interviewloop-Event-Id": item.event_uid,
                   "Interviewloop-Event-Type": item.event_type,
                   "Interviewloop-Delivery-Attempt": str(item.attempt),
                   SIGNATURE_HEADER: signature(item.secret, timestamp, item.body)}
        status, error = post(target, item.body, headers, settings.timeout)
    except RefusedAddress as exc:
        error = f"Not sent: {exc}"
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        error = f"{type(exc).__name__}: {exc}"
    duration = max(int((time.monotonic() - started) * 1000), 0)
    return Outcome(status, error[:ERROR_CHARS * 2], duration, started_at)


def deliver_due(transaction: Callable[[], AbstractContextManager[Session]],
                settings: DeliverySettings, *, batch: int = BATCH) -> DeliveryRun:
    """One delivery run. ``transaction()`` opens a writing session that commits when its
    block ends."""
    now = clock()
    lease = timedelta(seconds=settings.timeout * 3 + 30)
    with transaction() as session:
        claimed, more = claim_due(session, now=now, lease=lease, batch=batch)
    run = DeliveryRun(more_due=more)
    if not claimed:
        return run
    outcomes = [attempt(item, settings) for item in claimed]
    done_at = clock()
    with transaction() as session:
        for item, outcome in zip(claimed, outcomes, strict=True):
            _record(session, item, outcome, done_at, settings, run)
        session.flush()
    return run


def _record(session: Session, item: Claimed, outcome: Outcome, done_at: datetime,
            settings: DeliverySettings, run: DeliveryRun) -> None:
    session.add(WebhookAttempt(delivery_id=item.delivery_id, endpoint_id=item.endpoint_id,
                               started_at=outcome.started_at, duration_ms=outcome.duration_ms,
                               status_code=outcome.status, error=outcome.error))
    row = session.get(WebhookDelivery, item.delivery_id)
    if row is None or row.lease_until != item.lease_until:
        return  # a redeliver (after the lease ran out) took it over: it decides what is next
    row.lease_until, row.last_status, row.last_error = None, outcome.status, outcome.error
    if outcome.delivered:
        row.state, row.delivered_at, row.next_attempt_at = DeliveryState.DELIVERED, done_at, None
        run.delivered.append(item)
    elif done_at - row.window_started_at >= settings.window:
        row.state, row.given_up_at, row.next_attempt_at = DeliveryState.GIVEN_UP, done_at, None
        run.given_up.append(item)
    else:
        wait = retry_wait(row.attempts, settings.first_wait)
        row.state, row.next_attempt_at = DeliveryState.RETRYING, done_at + wait
        run.retry_in = min(run.retry_in or wait, wait)
        run.failed.append((item, outcome))
