"""Interviews: a loop stage scheduled with a panel, a time and a place, and its history."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from interviewloop import limits
from interviewloop.auth.models import User
from interviewloop.constraints import explain
from interviewloop.db import Base, after_create, str_enum, utcnow
from interviewloop.enums import PanelRole
from interviewloop.loops.models import LoopStage
from interviewloop.requisitions.models import Candidate
from interviewloop.scheduling import seat_revisions


class InterviewStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class RsvpState(enum.StrEnum):
    """A panelist's answer to the invite as it now is (iTIP's PARTSTAT, the part we use)."""

    NEEDS_ACTION = "needs_action"
    ACCEPTED = "accepted"
    DECLINED = "declined"

    @property
    def label(self) -> str:
        return _RSVP_LABELS[self]


_RSVP_LABELS = {RsvpState.NEEDS_ACTION: "no answer", RsvpState.ACCEPTED: "accepted",
                RsvpState.DECLINED: "declined"}  # named once: the board asks in every badge


class Interview(Base):
    __tablename__ = "interviews"
    __table_args__ = (
        Index("ix_interviews_updated_at", "updated_at", "id"),  # the API's list order (page_of)
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("sequence >= 0", name="sequence_nonnegative"),
        CheckConstraint(f"length(location) <= {limits.LOCATION}", name="location_length"),
        CheckConstraint("(status = 'cancelled') = (cancelled_at IS NOT NULL)",
                        name="cancelled_has_time"),
        # A stage has at most one live interview (cancelled ones stay as history).
        Index("uq_interviews_live_stage", "stage_id", unique=True,
              sqlite_where=text("status = 'scheduled'"),
              postgresql_where=text("status = 'scheduled'")),
        Index("ix_interviews_candidate_time", "candidate_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("loop_stages.id"), index=True)
    # Repeated from the stage's loop so that conflict checks need no joins.
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    location: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[InterviewStatus] = mapped_column(
        str_enum(InterviewStatus, "status"), default=InterviewStatus.SCHEDULED)
    # RFC 5545: one UID for the life of the event, SEQUENCE raised by every change.
    ical_uid: Mapped[str] = mapped_column(String(120), unique=True)
    sequence: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[datetime | None]
    # Any change, a panelist's answer included (rsvp.answer touches it): for ?updated_since=.
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version}

    stage: Mapped[LoopStage] = relationship(lazy="raise")
    candidate: Mapped[Candidate] = relationship(lazy="raise")
    panel: Mapped[list[Panelist]] = relationship(
        back_populates="interview", cascade="all, delete-orphan", lazy="raise",
        order_by="Panelist.user_id")
    changes: Mapped[list[InterviewChange]] = relationship(
        back_populates="interview", cascade="all, delete-orphan", lazy="raise",
        order_by="InterviewChange.id")

    @property
    def is_cancelled(self) -> bool:
        return self.status == InterviewStatus.CANCELLED

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class Panelist(Base):
    """An interviewer on an interview's panel. The interview's times are repeated here so
    that the double-booking check is one indexed query per person."""

    __tablename__ = "interview_panelists"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        # An answer says when it was given; "no answer" has no time.
        CheckConstraint("(rsvp = 'needs_action') = (rsvp_at IS NULL)", name="rsvp_has_time"),
        # A person's interviews in time order, a page at a time (scheduling/queries.py).
        Index("ix_interview_panelists_user_time", "user_id", "starts_at", "interview_id"),
        # The scorecards a person owes, a page at a time (scorecards/queries.py to_write);
        # the predicate as the query writes it (scorecards/owed.py).
        Index("ix_interview_panelists_owed", "user_id", "starts_at", "interview_id",
              sqlite_where=text("live IS 1 AND scorecard_in IS 0"),
              postgresql_where=text("live IS true AND scorecard_in IS false")),
        # The target of scorecards' (interview, interviewer, role) key: a scorecard carries
        # its author's seat, so that practice cards are told apart in one column.
        UniqueConstraint("interview_id", "user_id", "role"),
    )

    interview_id: Mapped[int] = mapped_column(
        ForeignKey("interviews.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    live: Mapped[bool] = mapped_column(default=True)
    # Whether their scorecard for it is submitted: kept by triggers on scorecards
    # (scorecards/owed.py), read by queries only (an object in a session may be stale).
    scorecard_in: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Reset to needs_action whenever the invite's SEQUENCE rises (scheduling/rsvp.py).
    rsvp: Mapped[RsvpState] = mapped_column(
        str_enum(RsvpState, "rsvp"), default=RsvpState.NEEDS_ACTION,
        server_default=RsvpState.NEEDS_ACTION.value)
    rsvp_at: Mapped[datetime | None]
    # A trainee (shadow, reverse-shadow) sits on top of the panel; their card is practice.
    role: Mapped[PanelRole] = mapped_column(
        str_enum(PanelRole, "role"), default=PanelRole.PANEL,
        server_default=PanelRole.PANEL.value)

    interview: Mapped[Interview] = relationship(back_populates="panel", lazy="raise")
    user: Mapped[User] = relationship(lazy="raise")

    @property
    def counts(self) -> bool:
        """Whether this panelist owes a counted scorecard (not a trainee's practice card)."""
        return self.role.counts


after_create(Panelist.__table__, sqlite=seat_revisions.SQLITE, postgresql=seat_revisions.POSTGRESQL)


class SeatRevision(Base):
    """A token that changes with every change to a person's seats that decides what they
    may see; kept by triggers (seat_revisions.py). No row: never on a panel."""

    __tablename__ = "user_seat_revisions"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    token: Mapped[int] = mapped_column(BigInteger)


class InterviewChange(Base):
    """Who scheduled, rescheduled or cancelled an interview, when, from what to what."""

    __tablename__ = "interview_changes"
    __table_args__ = (
        CheckConstraint("kind IN ('scheduled', 'rescheduled', 'cancelled')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(
        ForeignKey("interviews.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(16))
    before: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    after: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    reason: Mapped[str] = mapped_column(Text, default="")

    interview: Mapped[Interview] = relationship(back_populates="changes", lazy="raise")
    actor: Mapped[User | None] = relationship(lazy="raise")



class InterviewReminder(Base):
    """A reminder before an interview, claimed (in the transaction that queues its email):
    once, ever, per interview, interviewer, hours before and start time. A reschedule
    changes the start time, so the new time gets reminders of its own."""

    __tablename__ = "interview_reminders"
    __table_args__ = (CheckConstraint("hours_before > 0", name="hours_before_positive"),)

    interview_id: Mapped[int] = mapped_column(
        ForeignKey("interviews.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    hours_before: Mapped[int] = mapped_column(primary_key=True)
    starts_at: Mapped[datetime] = mapped_column(primary_key=True)  # the time it reminds of
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)


class LoopProposal(Base):
    """The options last proposed for a candidate's unscheduled stages (at most one live set
    per candidate: asking again replaces it), until one is booked, they expire, or a stage
    of theirs is booked or changed otherwise. Its stages show as "proposed" meanwhile."""

    __tablename__ = "loop_proposals"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("expires_at > created_at", name="expires_after_created"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), unique=True)
    # The days asked for (from the first's midnight to the day after the last's).
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    # Each option: {"kind": ..., "slots": [[stage id, start (epoch seconds), minutes,
    # [interviewer ids]], ...]} (proposing.stored_options reads them back).
    options: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]

    stages: Mapped[list[ProposedStage]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan", lazy="raise")
    created_by: Mapped[User | None] = relationship(lazy="raise")


class ProposedStage(Base):
    """A stage that a live proposal offers times for: in one proposal at most."""

    __tablename__ = "loop_proposal_stages"

    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("loop_proposals.id", ondelete="CASCADE"), primary_key=True)
    stage_id: Mapped[int] = mapped_column(
        ForeignKey("loop_stages.id", ondelete="CASCADE"), primary_key=True, unique=True)

    proposal: Mapped[LoopProposal] = relationship(back_populates="stages", lazy="raise")


# What each constraint means to a person when it fires (interviewloop/constraints.py).
explain("uq_interviews_live_stage", "This stage already has a live interview (it may have been "
        "booked a moment ago): reschedule or cancel that one.")
explain("uq_interviews_ical_uid", "A one-off value clashed by chance; try again.")
explain("pk_interview_panelists", "That person is already on the panel.")
explain("ck_interviews_ends_after_start", "An interview ends after it starts.", status=422)
explain("ck_interview_panelists_ends_after_start", "An interview ends after it starts.",
        status=422)
explain("ck_interview_panelists_rsvp", "An answer is needs_action, accepted or declined.",
        status=422)
explain("ck_interview_panelists_rsvp_has_time", "An answer to an invite records when it was "
        "given.", status=422)
explain("ck_interviews_cancelled_has_time", "A cancelled interview records when it was "
        "cancelled.", status=422)
explain("ck_interview_panelists_role", "A panelist sits on the panel, as a shadow or as a "
        "reverse shadow.", status=422)
explain("uq_interview_panelists_interview_id_user_id_role", "That person is already on the "
        "panel.")
explain("pk_interview_reminders", "That reminder was already sent.")
explain("ck_interview_reminders_hours_before_positive", "A reminder comes before the "
        "interview.", status=422)
explain("uq_loop_proposals_candidate_id", "Times were proposed for this candidate a moment "
        "ago by someone else: reload the page.")
explain("uq_loop_proposal_stages_stage_id", "Times were proposed for this stage a moment ago "
        "by someone else: reload the page.")
explain("pk_loop_proposal_stages", "A proposal lists each stage once.")
explain("ck_loop_proposals_ends_after_start", "The last day is on or after the first.",
        status=422)
explain("ck_loop_proposals_expires_after_created", "A proposal expires after it is made.",
        status=422)
