"""API tokens (stored as a digest, with scopes) and the answers kept for Idempotency-Keys."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from interviewloop import limits
from interviewloop.auth.models import User
from interviewloop.constraints import explain
from interviewloop.db import Base, str_enum, utcnow


class ApiScope(enum.StrEnum):
    """What a token may be used for; each API operation asks for one."""

    READ_REQUISITIONS = "read:requisitions"
    READ_CANDIDATES = "read:candidates"
    WRITE_CANDIDATES = "write:candidates"
    READ_LOOPS = "read:loops"
    READ_INTERVIEWS = "read:interviews"
    READ_BANK = "read:bank"
    WRITE_BANK = "write:bank"
    READ_USERS = "read:users"
    READ_SCORECARDS = "read:scorecards"
    READ_DEBRIEFS = "read:debriefs"
    READ_DECISIONS = "read:decisions"  # pre-offer checks and decisions


class TokenKind(enum.StrEnum):
    PERSONAL = "personal"  # made by its owner on the account page
    SERVICE = "service"  # made by an admin for an integration's account


class ApiToken(Base):
    """A bearer token. It acts as its owner (``user``) and no more: every call goes through
    the same services and permission predicates as that person's pages."""

    __tablename__ = "api_tokens"
    __table_args__ = (
        CheckConstraint("length(token_hash) = 64", name="token_hash_length"),
        CheckConstraint(limits.API_TOKEN_NAME.length_check("name"), name="name_length"),
        CheckConstraint("expires_at > created_at", name="expires_after_creation"),
        # A personal token is made by its owner; a service token by someone (an admin).
        CheckConstraint("kind <> 'personal' OR created_by_id = user_id",
                        name="personal_made_by_owner"),
        CheckConstraint("(revoked_at IS NULL) = (revoked_by_id IS NULL)",
                        name="revocation_has_author"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[TokenKind] = mapped_column(str_enum(TokenKind, "kind"))
    name: Mapped[str] = mapped_column(String(80))
    # SHA-256 (hex) of the secret; the secret itself is shown once and kept nowhere.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    # Written at most once a minute per token (api.service.USE_RECORDED_EVERY).
    last_used_at: Mapped[datetime | None]
    last_used_ip: Mapped[str | None] = mapped_column(String(45))
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="raise")
    scope_rows: Mapped[list[ApiTokenScope]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="ApiTokenScope.scope")

    @property
    def scopes(self) -> frozenset[ApiScope]:
        return frozenset(row.scope for row in self.scope_rows)

    def is_live(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now


class ApiTokenScope(Base):
    __tablename__ = "api_token_scopes"

    token_id: Mapped[int] = mapped_column(ForeignKey("api_tokens.id", ondelete="CASCADE"),
                                          primary_key=True)
    scope: Mapped[ApiScope] = mapped_column(str_enum(ApiScope, "scope"), primary_key=True)


class IdempotentRequest(Base):
    """A create made with an Idempotency-Key: what was asked (its digest) and what was
    answered, so that a retry gets the same answer instead of a second candidate."""

    __tablename__ = "api_idempotent_requests"
    __table_args__ = (
        UniqueConstraint("user_id", "key"),
        CheckConstraint(limits.IDEMPOTENCY_KEY.length_check("key"), name="key_length"),
        CheckConstraint("length(request_hash) = 64", name="request_hash_length"),
        CheckConstraint("status_code BETWEEN 200 AND 299", name="status_code_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int]
    response_body: Mapped[str] = mapped_column(Text)
    response_headers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


# What each constraint means to a person when it fires (interviewloop/constraints.py).
explain("uq_api_tokens_token_hash", "A one-off value clashed by chance; try again.")
explain("ck_api_tokens_expires_after_creation", "A token expires after it is made.", status=422)
explain("ck_api_tokens_personal_made_by_owner", "A personal token is made by its owner.",
        status=422)
explain("ck_api_tokens_revocation_has_author", "A revocation records who revoked the token.",
        status=422)
explain("pk_api_token_scopes", "The token already has this scope.")
explain("uq_api_idempotent_requests_user_id_key", "Another request with this Idempotency-Key "
        "was being handled at the same moment; retry it to get that request's answer.")
