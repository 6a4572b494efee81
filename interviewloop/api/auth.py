"""Bearer tokens on /api/v1: who is calling, and may this token do this operation.

Only the Authorization header authenticates: a session cookie sent along is never looked
at (current_user is not asked), so a page in a browser cannot make API calls for its
visitor, and API requests need no CSRF token."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import g, request

from interviewloop.api import service
from interviewloop.api.models import ApiScope, ApiToken
from interviewloop.api.problems import ApiProblem
from interviewloop.audit.service import Actor
from interviewloop.auth.models import User
from interviewloop.db import db, utcnow
from interviewloop.tokens import secret_hash

F = TypeVar("F", bound=Callable[..., Any])
CHALLENGE = 'Bearer realm="interviewloop"'


def bearer_secret() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return secret.strip()


def rate_limit_key() -> str:
    """API limits count per token (a digest of the header, no query), else per address."""
    secret = bearer_secret()
    return f"api-token:{secret_hash(secret)[:32]}" if secret else \
        f"api-ip:{request.remote_addr or 'unknown'}"


def authenticate() -> None:
    """Before every API request: a live token, or 401. Its use is recorded (throttled) in a
    transaction of its own, so that a call refused later (403, 404) still counts as a use."""
    secret = bearer_secret()
    if secret is None:
        raise ApiProblem(401, "Send an API token: Authorization: Bearer ila_...",
                         headers={"WWW-Authenticate": CHALLENGE})
    session = db.session
    now = utcnow()
    token = service.token_for_secret(session, secret, now)
    if token is None:
        raise ApiProblem(401, "This API token is unknown, revoked or expired.",
                         headers={"WWW-Authenticate": CHALLENGE + ', error="invalid_token"'})
    if service.use_needs_recording(token, now):
        session.commit()  # end the read: on SQLite the write then starts its own transaction
        service.record_use(session, token, ip=request.remote_addr, now=now,
                           method=request.method, path=request.path)
        session.commit()
    g.api_token = token


def current_token() -> ApiToken:
    token: ApiToken = g.api_token
    return token


def caller() -> User:
    return current_token().user


def api_actor() -> Actor:
    return Actor(user=caller(), ip=request.remote_addr)


def requires(scope: ApiScope) -> Callable[[F], F]:
    """The operation needs ``scope`` on the token (403 otherwise), on top of whatever the
    owner's own permissions allow."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if scope not in current_token().scopes:
                raise ApiProblem(403, f"This token lacks the scope {scope.value}.")
            return view(*args, **kwargs)

        wrapped._api_scope = scope  # type: ignore[attr-defined]  # read by tests and the spec
        return wrapped  # type: ignore[return-value]

    return decorator
