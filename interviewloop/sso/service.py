"""Single sign-on (OpenID Connect): the sign-ins waiting for the provider, and who a
verified ID token lets in. No Flask, and no network here: interviewloop.sso.provider talks
to the identity provider and checks the token (Authlib); this module decides.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from interviewloop import limits, tokens
from interviewloop.audit.service import Actor, record
from interviewloop.auth import service as auth
from interviewloop.auth.models import User
from interviewloop.auth.passwords import Hasher
from interviewloop.db import utcnow
from interviewloop.enums import Role
from interviewloop.errors import DomainError
from interviewloop.sso.models import PendingSignIn

# A person has this long at the provider (typing a password, a second factor) to come back.
PENDING_LIFETIME = timedelta(minutes=10)


class SignInRefused(DomainError):
    """The provider's answer does not let this person in; ``reason`` is for the audit log."""

    status_code = 403

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


NOT_VERIFIED = ("Your identity provider did not say that your email address is verified, so "
                "it cannot be matched to an account here. Ask its administrator to verify it.")
NO_ACCOUNT = ("There is no account here for {email}. Ask an admin of interviewloop to create one "
              "for this address; then sign in again.")
DEACTIVATED = "The account for {email} is deactivated. Ask an admin if it should not be."
NO_ROLES = ("Your identity provider gives {email} none of the groups that grant a role here, so "
            "no account was created. Ask an admin to grant you access.")
FAILED = ("The sign-in through your identity provider could not be completed ({why}). Start "
          "again from the login page.")


@dataclass(frozen=True)
class SignInPolicy:
    create_users: bool = False
    roles_claim: str | None = None
    role_map: Mapping[str, str | Iterable[str]] = field(default_factory=dict)


# --- the sign-in sent to the provider ---------------------------------------------------------

def begin(session: Session, *, state: str, nonce: str, code_verifier: str, next_path: str,
          now: datetime | None = None) -> PendingSignIn:
    now = now or utcnow()
    # Abandoned sign-ins go as new ones start, so the table stays small without a job.
    session.execute(delete(PendingSignIn).where(PendingSignIn.created_at < now - PENDING_LIFETIME))
    pending = PendingSignIn(state_hash=tokens.secret_hash(state), nonce=nonce,
                            code_verifier=code_verifier, next_path=next_path, created_at=now)
    session.add(pending)
    session.flush()
    return pending


def take(session: Session, state: str, now: datetime | None = None) -> PendingSignIn:
    """The pending sign-in for ``state``, deleted as it is read: a second callback with the
    same state (a replay, or a parallel one) finds nothing. Raise SignInRefused if none."""
    now = now or utcnow()
    row = session.execute(
        delete(PendingSignIn).where(PendingSignIn.state_hash == tokens.secret_hash(state))
        .returning(PendingSignIn.nonce, PendingSignIn.code_verifier, PendingSignIn.next_path,
                   PendingSignIn.created_at)
        .execution_options(synchronize_session=False)).one_or_none()
    if row is None or row.created_at < now - PENDING_LIFETIME:
        raise SignInRefused("state", FAILED.format(why="it was used already, or expired"))
    return PendingSignIn(nonce=row.nonce, code_verifier=row.code_verifier,
                         next_path=row.next_path, created_at=row.created_at)


def refuse(session: Session, ip: str | None, reason: str, **detail: Any) -> None:
    """Audit a refused sign-in (the caller commits it even though the request fails)."""
    record(session, Actor(user=None, ip=ip), "sso_login_refused", None, reason=reason, **detail)


# --- who the verified ID token lets in -----------------------------------------------------

def verified_email(claims: Mapping[str, Any]) -> str:
    """The email of a verified ID token, if the provider vouches for it (``email_verified``
    is JSON true; a missing claim or "true" as a string is not)."""
    email = claims.get("email")
    if claims.get("email_verified") is not True or not isinstance(email, str):
        raise SignInRefused("email_not_verified", NOT_VERIFIED)
    email = auth.normalise_email(email)
    if len(email) not in limits.EMAIL or "@" not in email:
        raise SignInRefused("email_invalid", NOT_VERIFIED)
    return email


def roles_from_claims(policy: SignInPolicy, claims: Mapping[str, Any]) -> set[Role]:
    raw = claims.get(policy.roles_claim) if policy.roles_claim else None
    values = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
    roles: set[Role] = set()
    for value in values:
        granted = policy.role_map.get(value, ()) if isinstance(value, str) else ()
        roles.update(Role(r) for r in ([granted] if isinstance(granted, str) else granted))
    return roles


def sign_in(session: Session, hasher: Hasher, policy: SignInPolicy, claims: Mapping[str, Any],
            *, ip: str | None, user_agent: str | None = None,
            now: datetime | None = None) -> User:
    """Open a login session for the account whose email the (already verified) ID token
    vouches for, creating it first if the policy allows; raise SignInRefused otherwise."""
    now = now or utcnow()
    email = verified_email(claims)
    subject = str(claims.get("sub", ""))[:255]
    user = auth.find_user_by_email(session, email)
    if user is not None and not user.is_active:
        raise SignInRefused("deactivated", DEACTIVATED.format(email=email))
    if user is None:
        if not policy.create_users:
            raise SignInRefused("no_account", NO_ACCOUNT.format(email=email))
        user = _create_user(session, hasher, policy, claims, email, ip=ip)
    return auth.open_login_session(session, user, ip=ip, now=now, user_agent=user_agent,
                                   method="oidc", subject=subject)


def _create_user(session: Session, hasher: Hasher, policy: SignInPolicy,
                 claims: Mapping[str, Any], email: str, *, ip: str | None) -> User:
    roles = roles_from_claims(policy, claims)
    if not roles:
        raise SignInRefused("no_roles", NO_ROLES.format(email=email))
    name = claims.get("name")
    name = name.strip()[:limits.PERSON_NAME.high] if isinstance(name, str) else ""
    # A password nobody knows: the account signs in through the provider until an admin
    # sets one (and marks it break-glass, if password sign-in is off).
    return auth.create_user(session, Actor(user=None, ip=ip), hasher, email=email,
                            name=name or email.partition("@")[0], roles=roles,
                            password=secrets.token_urlsafe(32))

