"""API tokens: make, list, revoke, and recognise them. No Flask here; callers commit.

A token acts as its owner and no more. Its secret is shown once (interviewloop.tokens);
only the digest is kept. Using a token records when and from where, and writes an audit
event, at most once per USE_RECORDED_EVERY per token: an integration polling every second
would otherwise write a row per call."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, selectinload

from interviewloop import limits
from interviewloop.api.models import ApiScope, ApiToken, ApiTokenScope, TokenKind
from interviewloop.audit.service import SYSTEM, Actor, record
from interviewloop.auth.models import User
from interviewloop.db import utcnow
from interviewloop.errors import Forbidden, InvalidInput, NotFound
from interviewloop.tokens import looks_like_secret, new_secret, secret_hash

TOKEN_PREFIX = "ila_"  # noqa: S105 - the prefix every API token starts with, not a secret
DEFAULT_DAYS = 90
USE_RECORDED_EVERY = timedelta(minutes=1)


class InvalidToken(InvalidInput):
    """A token's name, scopes, days or owner refused."""


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # shown once, to the person who made it


def can_manage_tokens(actor_user: User | None, owner: User) -> bool:
    """A person manages their own tokens; an admin also manages everyone's."""
    return actor_user is not None and (actor_user.id == owner.id or actor_user.is_admin)


def can_make_service_tokens(user: User | None) -> bool:
    return user is not None and user.is_admin


def parse_scopes(values: Iterable[str]) -> set[ApiScope]:
    scopes = set()
    for value in values:
        try:
            scopes.add(ApiScope(value.strip()))
        except ValueError:
            known = ", ".join(s.value for s in ApiScope)
            raise InvalidToken(f"Unknown scope {value!r}; the scopes are {known}.",
                               "scopes") from None
    if not scopes:
        raise InvalidToken("Choose at least one scope.", "scopes")
    return scopes


def create_token(session: Session, actor: Actor, owner: User, *, name: str,
                 scopes: Iterable[str], days: int = DEFAULT_DAYS,
                 kind: TokenKind = TokenKind.PERSONAL) -> NewToken:
    maker = actor.person
    if kind == TokenKind.PERSONAL and maker.id != owner.id:
        raise Forbidden("A personal token is made by its owner.")
    if kind == TokenKind.SERVICE and not can_make_service_tokens(maker):
        raise Forbidden("Only admins make service tokens.")
    return _make(session, actor, owner, maker, name=name, scopes=scopes, days=days, kind=kind)


def create_token_from_cli(session: Session, owner: User, *, name: str, scopes: Iterable[str],
                          days: int = DEFAULT_DAYS) -> NewToken:
    """`interviewloop create-token`: whoever runs the server's commands may act for anyone.
    The token is the owner's personal one; the audit log says the system made it."""
    return _make(session, SYSTEM, owner, owner, name=name, scopes=scopes, days=days,
                 kind=TokenKind.PERSONAL, via="cli")


def _make(session: Session, actor: Actor, owner: User, maker: User, *, name: str,
          scopes: Iterable[str], days: int, kind: TokenKind, via: str = "web") -> NewToken:
    if not owner.is_active:
        raise InvalidToken("This account is deactivated.", "user")
    name = name.strip()
    if len(name) not in limits.API_TOKEN_NAME:
        raise InvalidToken(f"A name is 1 to {limits.API_TOKEN_NAME.high} characters.", "name")
    if days not in limits.API_TOKEN_DAYS:
        raise InvalidToken(f"A token lives {limits.API_TOKEN_DAYS.low} to "
                           f"{limits.API_TOKEN_DAYS.high} days.", "days")
    chosen = parse_scopes(scopes)
    secret, digest = new_secret(TOKEN_PREFIX)
    now = utcnow()
    token = ApiToken(user_id=owner.id, created_by_id=maker.id, kind=kind, name=name,
                     token_hash=digest, created_at=now, expires_at=now + timedelta(days=days),
                     scope_rows=[ApiTokenScope(scope=s) for s in sorted(chosen)])
    session.add(token)
    session.flush()
    record(session, actor, "api_token_created", token, owner_id=owner.id, kind=kind.value,
           name=name, scopes=sorted(chosen), days=days, via=via)
    return NewToken(token, secret)


def tokens_of(session: Session, owner: User) -> list[ApiToken]:
    """The owner's tokens, live ones first, newest first."""
    return list(session.scalars(
        select(ApiToken).where(ApiToken.user_id == owner.id)
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(),
                  ApiToken.id.desc())))


def service_tokens(session: Session) -> list[ApiToken]:
    return list(session.scalars(
        select(ApiToken).where(ApiToken.kind == TokenKind.SERVICE)
        .options(selectinload(ApiToken.user))
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(),
                  ApiToken.id.desc())))


def get_token(session: Session, actor: Actor, token_id: int) -> ApiToken:
    """A token the actor may manage (404 for anyone else's: ids are not secrets, but a
    stranger learns nothing about whose they are)."""
    token = session.scalar(select(ApiToken).where(ApiToken.id == token_id)
                           .options(selectinload(ApiToken.user)))
    if token is None or not can_manage_tokens(actor.user, token.user):
        raise NotFound("No such token.")
    return token


def revoke_token(session: Session, actor: Actor, token: ApiToken) -> ApiToken:
    """Revoked at once: the next call with it is refused (every call looks the row up)."""
    if not can_manage_tokens(actor.user, token.user):
        raise NotFound("No such token.")
    if token.revoked_at is None:
        token.revoked_at, token.revoked_by_id = utcnow(), actor.person.id
        session.flush()
        record(session, actor, "api_token_revoked", token, owner_id=token.user_id)
    return token


def token_for_secret(session: Session, secret: str, now: datetime | None = None) -> ApiToken | None:
    """The live token this secret belongs to, with its active owner; None for anything else
    (unknown, revoked, expired, or its owner deactivated)."""
    if not secret.startswith(TOKEN_PREFIX) or not looks_like_secret(secret):
        return None
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == secret_hash(secret))
                           .options(selectinload(ApiToken.user)))
    if token is None or not token.is_live(now or utcnow()) or not token.user.is_active:
        return None
    return token


def use_needs_recording(token: ApiToken, now: datetime) -> bool:
    return token.last_used_at is None or now - token.last_used_at >= USE_RECORDED_EVERY


def record_use(session: Session, token: ApiToken, *, ip: str | None, now: datetime,
               method: str, path: str) -> bool:
    """Note this use if the last one noted is older than USE_RECORDED_EVERY. The condition
    is in the UPDATE, so two workers racing write one row and one audit event between them.
    The caller runs this in a transaction of its own (it starts with the write)."""
    cutoff = now - USE_RECORDED_EVERY
    result = session.execute(
        update(ApiToken).where(ApiToken.id == token.id,
                               or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at <= cutoff))
        .values(last_used_at=now, last_used_ip=ip)
        .execution_options(synchronize_session=False))
    if getattr(result, "rowcount", 0) != 1:
        return False
    token.last_used_at, token.last_used_ip = now, ip
    record(session, Actor(user=token.user, ip=ip), "api_token_used", token, name=token.name,
           method=method, path=path[:200])
    session.flush()
    return True
