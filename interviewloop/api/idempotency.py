"""Idempotency-Key on creates: one answer per (owner, key). No Flask here; callers commit.

The answer is stored in the same transaction as what it created, so either both land or
neither does (a refused create leaves the key free for a corrected retry). Two requests
with one key at the same moment meet at the UNIQUE constraint: one wins, the other is 409.
Keys are kept for KEPT_FOR; after that the key may be used again."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from interviewloop.api.models import IdempotentRequest
from interviewloop.auth.models import User
from interviewloop.db import utcnow

KEPT_FOR = timedelta(hours=24)


def fingerprint(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(b"\n".join([method.encode(), path.encode(), body])).hexdigest()


def earlier_answer(session: Session, owner: User, key: str) -> IdempotentRequest | None:
    """The answer given to this owner's request with this key, if it is still kept."""
    cutoff = utcnow() - KEPT_FOR
    session.execute(delete(IdempotentRequest).where(
        IdempotentRequest.user_id == owner.id, IdempotentRequest.key == key,
        IdempotentRequest.created_at < cutoff).execution_options(synchronize_session=False))
    return session.scalar(select(IdempotentRequest).where(
        IdempotentRequest.user_id == owner.id, IdempotentRequest.key == key))


def remember(session: Session, owner: User, key: str, request_hash: str, *, status_code: int,
             body: str, headers: dict[str, Any]) -> IdempotentRequest:
    row = IdempotentRequest(user_id=owner.id, key=key, request_hash=request_hash,
                            status_code=status_code, response_body=body,
                            response_headers=headers)
    session.add(row)
    session.flush()
    return row
