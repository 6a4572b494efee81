from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from interviewloop.constraints import explain
from interviewloop.db import Base, utcnow


class PendingSignIn(Base):
    """A sign-in sent to the identity provider and not yet back: what the callback needs to
    finish it (the PKCE verifier, the nonce the ID token must carry, where to go next).

    Kept on the server, not in the cookie session, so that each ``state`` is used once: the
    callback deletes the row as it reads it, and a replay with an old cookie finds none."""

    __tablename__ = "sso_pending_sign_ins"
    __table_args__ = (
        CheckConstraint("length(state_hash) = 64", name="state_hash_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    state_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 of `state`, hex
    nonce: Mapped[str] = mapped_column(String(128))
    code_verifier: Mapped[str] = mapped_column(String(128))
    next_path: Mapped[str] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


explain("uq_sso_pending_sign_ins_state_hash", "A one-off value clashed by chance; try again.")
explain("ck_sso_pending_sign_ins_state_hash_length", "A sign-in's state is kept as its hash.",
        status=422)
