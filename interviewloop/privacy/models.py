"""Retention rules set by admins, and the record of each erasure (who, when, why: never
what was erased)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column

from interviewloop import limits
from interviewloop.constraints import explain
from interviewloop.db import Base, utcnow


class RetentionRule(Base):
    """Erase the personal data of candidates with one of these outcomes once they have not
    changed for ``after_days`` days (their outcome is at least that old)."""

    __tablename__ = "retention_rules"
    __table_args__ = (
        CheckConstraint(limits.RETENTION_RULE_NAME.length_check("name"), name="name_length"),
        CheckConstraint("rejected OR withdrawn", name="some_outcome"),
        CheckConstraint(limits.RETENTION_DAYS.check("after_days"), name="after_days_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    rejected: Mapped[bool]
    withdrawn: Mapped[bool]
    after_days: Mapped[int]
    enabled: Mapped[bool] = mapped_column(default=True, server_default=true())
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version}

    @property
    def outcomes(self) -> list[str]:
        return [name for name in ("rejected", "withdrawn") if getattr(self, name)]


class CandidateErasure(Base):
    """A candidate's personal data was erased: once, by an admin or by a retention rule."""

    __tablename__ = "candidate_erasures"
    __table_args__ = (
        CheckConstraint(limits.ERASURE_REASON.length_check("reason"), name="reason_given"),
        CheckConstraint("erased_by_id IS NOT NULL OR rule_id IS NOT NULL", name="has_author"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), unique=True)
    erased_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    erased_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("retention_rules.id"))
    # Written by the admin; the candidate's name and email are taken out before it is kept.
    reason: Mapped[str] = mapped_column(Text)


explain("uq_retention_rules_name", "A retention rule with this name exists already.")
explain("ck_retention_rules_some_outcome", "A rule applies to rejected or withdrawn "
        "candidates (or both).", status=422)
explain("ck_retention_rules_after_days_range", "A rule waits 1 to 3650 days.", status=422)
explain("ck_retention_rules_name_length", "A rule's name is 1 to 120 characters.", status=422)
explain("uq_candidate_erasures_candidate_id", "This candidate was erased a moment ago.")
explain("ck_candidate_erasures_reason_given", "An erasure needs its reason, 1 to 500 "
        "characters.", status=422)
