"""A candidate's private links and the windows they said they are available."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from interviewloop.constraints import explain
from interviewloop.db import Base, utcnow
from interviewloop.requisitions.models import Candidate


class CandidateLink(Base):
    """A private link of a candidate's. The link itself is signed (tokens.LinkSigner) and
    names this row and its ``nonce``: it opens only while the row is neither revoked nor
    past ``expires_at``. The nonce (random, per row) means that a link never opens another
    row, even were an id reused; the signature, that a copy of the database forges none."""

    __tablename__ = "candidate_links"
    __table_args__ = (
        CheckConstraint("expires_at > created_at", name="expires_after_creation"),
        CheckConstraint("length(nonce) >= 16", name="nonce_length"),
        # One link in force per candidate: a new one revokes the one before.
        Index("uq_candidate_links_unrevoked", "candidate_id", unique=True,
              sqlite_where=text("revoked_at IS NULL"),
              postgresql_where=text("revoked_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), index=True)
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    emailed_at: Mapped[datetime | None]

    candidate: Mapped[Candidate] = relationship(lazy="raise")

    def in_force(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at


class CandidateWindow(Base):
    """A stretch of time the candidate is available, stored in UTC."""

    __tablename__ = "candidate_windows"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index("ix_candidate_windows_candidate_time", "candidate_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# What each constraint means to a person when it fires (interviewloop/constraints.py).
explain("uq_candidate_links_unrevoked", "This candidate was given a new link a moment ago; "
        "reload the page.")
explain("uq_candidate_links_nonce", "A one-off value clashed by chance; try again.")
explain("ck_candidate_links_expires_after_creation", "A link expires after it is made.",
        status=422)
explain("ck_candidate_windows_ends_after_start", "A window ends after it starts.", status=422)
