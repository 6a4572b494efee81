"""Scorecards: one per interviewer per interview, rated against the five capability areas
with written evidence, plus notes per question and the pre-offer signals."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from interviewloop import limits
from interviewloop.auth.models import User
from interviewloop.bank.models import CapabilityArea
from interviewloop.constraints import explain
from interviewloop.db import Base, after_create, str_enum, utcnow
from interviewloop.enums import PanelRole
from interviewloop.scheduling.models import Interview
from interviewloop.scorecards import owed


class ScorecardStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class Recommendation(enum.StrEnum):
    STRONG_NO_HIRE = "strong_no_hire"
    NO_HIRE = "no_hire"
    HIRE = "hire"
    STRONG_HIRE = "strong_hire"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


RATING_LABELS = {1: "Strong no", 2: "No", 3: "Yes", 4: "Strong yes"}


def rating_meanings(level_label: str) -> dict[int, str]:
    """What each point says against the level's bar (the rubric's expectation for it)."""
    bar = f"the {level_label.lower()} bar"
    return {1: f"Far below {bar}", 2: f"Below {bar}", 3: f"Meets {bar}", 4: f"Above {bar}"}


class PreOfferQuestion(enum.StrEnum):
    OWNED_SYSTEM = "owned_system"
    FAILURE_HANDLING = "failure_handling"
    REDUCES_RISK = "reduces_risk"

    @property
    def text(self) -> str:
        return {
            "owned_system": "Has this person owned a real system after launch?",
            "failure_handling": "Can this person explain failure handling in plain English?",
            "reduces_risk": "Would I trust this person to reduce risk, not just add features?",
        }[self.value]


class SignalValue(enum.StrEnum):
    YES = "yes"
    NO = "no"
    NOT_OBSERVED = "not_observed"


class Scorecard(Base):
    __tablename__ = "scorecards"
    __table_args__ = (
        # Only someone on the interview's panel can have a scorecard for it, once.
        UniqueConstraint("interview_id", "interviewer_id"),
        # ... in the seat they hold there: a trainee's card is a practice card, and a seat
        # cannot change under a scorecard (the key refuses it).
        ForeignKeyConstraint(["interview_id", "interviewer_id", "panel_role"],
                             ["interview_panelists.interview_id", "interview_panelists.user_id",
                              "interview_panelists.role"]),
        CheckConstraint("status = 'draft' OR (recommendation IS NOT NULL AND "
                        "submitted_at IS NOT NULL)", name="submitted_is_complete"),
        # The API's list order (api/queries.page_of): a page is read from here, not sorted.
        Index("ix_scorecards_updated_at_id", "updated_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id"), index=True)
    interviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # Repeated from the interview, so that a candidate's scorecards are one indexed query.
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    status: Mapped[ScorecardStatus] = mapped_column(
        str_enum(ScorecardStatus, "status"), default=ScorecardStatus.DRAFT)
    recommendation: Mapped[Recommendation | None] = mapped_column(
        str_enum(Recommendation, "recommendation"))
    summary: Mapped[str] = mapped_column(Text, default="")
    # The author's seat on the panel; anything but "panel" makes this a practice card, kept
    # for the trainee and their coach and counted nowhere (scorecards/access.counted_clause).
    panel_role: Mapped[PanelRole] = mapped_column(
        str_enum(PanelRole, "panel_role"), default=PanelRole.PANEL,
        server_default=PanelRole.PANEL.value)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)
    # Submitted through the form's evidence nudges (scorecards/nudges.py), so that the share
    # of nudged evidence counts only evidence the rules looked at.
    evidence_checked: Mapped[bool] = mapped_column(default=False, server_default=false())
    __mapper_args__ = {"version_id_col": version}

    interview: Mapped[Interview] = relationship(lazy="raise")
    interviewer: Mapped[User] = relationship(lazy="raise")
    ratings: Mapped[list[Rating]] = relationship(
        back_populates="scorecard", cascade="all, delete-orphan", lazy="raise")
    notes: Mapped[list[QuestionNote]] = relationship(
        back_populates="scorecard", cascade="all, delete-orphan", lazy="raise")
    signals: Mapped[list[PreOfferSignal]] = relationship(
        back_populates="scorecard", cascade="all, delete-orphan", lazy="raise")
    revisions: Mapped[list[ScorecardRevision]] = relationship(
        back_populates="scorecard", cascade="all, delete-orphan", lazy="raise",
        order_by="ScorecardRevision.id")

    @property
    def is_submitted(self) -> bool:
        return self.status == ScorecardStatus.SUBMITTED

    @property
    def is_practice(self) -> bool:
        return not self.panel_role.counts


after_create(Scorecard.__table__, sqlite=owed.SQLITE, postgresql=owed.POSTGRESQL)


class Rating(Base):
    """One capability area's rating (1-4, or NULL for not assessed) and its evidence."""

    __tablename__ = "scorecard_ratings"
    __table_args__ = (
        CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 4", name="rating_range"),
        CheckConstraint(f"length(evidence) <= {limits.EVIDENCE}", name="evidence_length"),
    )

    scorecard_id: Mapped[int] = mapped_column(
        ForeignKey("scorecards.id", ondelete="CASCADE"), primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("capability_areas.id"), primary_key=True)
    rating: Mapped[int | None]
    evidence: Mapped[str] = mapped_column(Text, default="")

    scorecard: Mapped[Scorecard] = relationship(back_populates="ratings", lazy="raise")
    area: Mapped[CapabilityArea] = relationship(lazy="raise")


class NudgeRule(enum.StrEnum):
    """Why a piece of evidence was nudged before submit (scorecards/nudges.py)."""

    COPIES_RUBRIC = "copies_rubric"
    SAME_ACROSS_AREAS = "same_across_areas"
    SAME_AS_OTHER_CANDIDATE = "same_as_other_candidate"
    THIN = "thin"


class EvidenceNudge(Base):
    """A nudge shown on a rating's evidence when its author first submitted, and whether
    the evidence was changed before the scorecard went in. ``evidence_digest`` (a SHA-256
    of the evidence as nudged) is held only until then: ``changed`` replaces it."""

    __tablename__ = "scorecard_evidence_nudges"
    __table_args__ = (
        ForeignKeyConstraint(["scorecard_id", "area_id"],
                             ["scorecard_ratings.scorecard_id", "scorecard_ratings.area_id"],
                             ondelete="CASCADE"),
        CheckConstraint("(changed IS NULL) <> (evidence_digest IS NULL)",
                        name="digest_until_settled"),
    )

    scorecard_id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[NudgeRule] = mapped_column(str_enum(NudgeRule, "rule"), primary_key=True)
    nudged_at: Mapped[datetime] = mapped_column(default=utcnow)
    evidence_digest: Mapped[str | None] = mapped_column(String(64))
    changed: Mapped[bool | None]


class QuestionNote(Base):
    __tablename__ = "scorecard_question_notes"
    __table_args__ = (CheckConstraint(f"length(notes) <= {limits.EVIDENCE}", name="notes_length"),)

    scorecard_id: Mapped[int] = mapped_column(
        ForeignKey("scorecards.id", ondelete="CASCADE"), primary_key=True)
    loop_question_id: Mapped[int] = mapped_column(
        ForeignKey("loop_questions.id", ondelete="CASCADE"), primary_key=True)
    notes: Mapped[str] = mapped_column(Text, default="")

    scorecard: Mapped[Scorecard] = relationship(back_populates="notes", lazy="raise")


class PreOfferSignal(Base):
    """What this interview showed on one of the three pre-offer questions."""

    __tablename__ = "scorecard_signals"
    __table_args__ = (CheckConstraint(f"length(evidence) <= {limits.SIGNAL_EVIDENCE}",
                                      name="evidence_length"),)

    scorecard_id: Mapped[int] = mapped_column(
        ForeignKey("scorecards.id", ondelete="CASCADE"), primary_key=True)
    question: Mapped[PreOfferQuestion] = mapped_column(
        str_enum(PreOfferQuestion, "question"), primary_key=True)
    value: Mapped[SignalValue] = mapped_column(str_enum(SignalValue, "value"))
    evidence: Mapped[str] = mapped_column(Text, default="")

    scorecard: Mapped[Scorecard] = relationship(back_populates="signals", lazy="raise")


class ScorecardRevision(Base):
    """A submitted scorecard as it was before an edit: who changed it, when, what."""

    __tablename__ = "scorecard_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    scorecard_id: Mapped[int] = mapped_column(
        ForeignKey("scorecards.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(16))
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    changes: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # The author could already see other interviewers' scorecards when making this edit.
    after_seeing_others: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (CheckConstraint("kind IN ('submitted', 'edited')", name="kind_known"),)

    scorecard: Mapped[Scorecard] = relationship(back_populates="revisions", lazy="raise")
    author: Mapped[User] = relationship(lazy="raise")


class ReminderSent(Base):
    """An overdue-scorecard reminder claimed, its email queued in the outbox in the same
    transaction (``sent_at`` is when): never twice per interview, person and threshold."""

    __tablename__ = "scorecard_reminders"

    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id"), primary_key=True)
    interviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    threshold: Mapped[str] = mapped_column(String(16), primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (CheckConstraint("threshold IN ('interviewer', 'manager')",
                                      name="threshold_known"),)


class ScorecardChase(Base):
    """The last reminder a person on the hiring team sent an interviewer about a scorecard
    they owe (one row per interview and interviewer). ``last_sent_at`` moves only by a
    conditional upsert (chase.py): at most one reminder per scorecard per window, even
    when two people click at once."""

    __tablename__ = "scorecard_chases"

    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id"), primary_key=True)
    interviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    last_sent_at: Mapped[datetime]


# What each constraint means to a person when it fires (interviewloop/constraints.py).
explain("uq_scorecards_interview_id_interviewer_id", "Your scorecard for this interview was "
        "started a moment ago (in another tab?): reload it and try again.")
explain("fk_scorecards_interview_id_interview_panelists", "Someone who has started a "
        "scorecard for this interview keeps their place on its panel.")
explain("pk_scorecard_reminders", "That reminder was already sent.")
explain("pk_scorecard_chases", "A reminder for this scorecard was sent a moment ago.")
explain("pk_scorecard_ratings", "A capability area is rated twice.", status=422)
explain("pk_scorecard_question_notes", "A question has two sets of notes.", status=422)
explain("pk_scorecard_signals", "A pre-offer signal is given twice.", status=422)
explain("ck_scorecards_submitted_is_complete", "A submitted scorecard needs a recommendation.",
        status=422)
explain("pk_scorecard_evidence_nudges", "That nudge was already recorded for this evidence.")
explain("ck_scorecard_evidence_nudges_digest_until_settled", "A nudge keeps the evidence's "
        "digest only until the scorecard is submitted, and then only whether it changed.",
        status=422)
