"""Requisitions (the role definition and its hiring team) and their candidates."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from interviewloop import limits
from interviewloop.auth.models import User
from interviewloop.constraints import explain
from interviewloop.db import Base, str_enum, utcnow
from interviewloop.enums import Level


class RequisitionStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class CandidateStatus(enum.StrEnum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"
    REJECTED = "rejected"
    OFFER = "offer"
    HIRED = "hired"

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """(value, label) for filters, in the enum's order."""
        return [(status.value, status.value.capitalize()) for status in cls]


# The four operating questions the team answers before a requisition opens.
OPERATING_QUESTIONS: dict[str, str] = {
    "ships": "What will the hire ship?",
    "owns_after_launch": "What will they own after launch?",
    "success_measures": "How will success be judged?",
    "fails_in_seat": "Which candidate would fail in this seat?",
}

# The production surface the hire will own.
PRODUCTION_SURFACE: dict[str, str] = {
    "surface_system": "System",
    "surface_inputs": "Inputs",
    "surface_models": "Models",
    "surface_orchestration": "Orchestration",
    "surface_apis": "APIs",
    "surface_data_stores": "Data stores",
    "surface_observability": "Observability",
    "surface_failure_modes": "Failure modes",
    "surface_pager": "Who carries the pager",
}

_ANSWERED = " AND ".join(f"length(coalesce({name}, '')) > 0" for name in OPERATING_QUESTIONS)


class Requisition(Base):
    __tablename__ = "requisitions"
    __table_args__ = (
        Index("ix_requisitions_updated_at", "updated_at", "id"),  # the API's list order
        CheckConstraint(limits.REQUISITION_TITLE.length_check("title"), name="title_length"),
        CheckConstraint(limits.TEAM_NAME.length_check("team"), name="team_length"),
        CheckConstraint("comp_min >= 0", name="comp_min_nonnegative"),
        CheckConstraint("comp_max >= comp_min", name="comp_band_ordered"),
        CheckConstraint("length(comp_currency) = 3 AND comp_currency = upper(comp_currency)",
                        name="comp_currency_code"),
        # An open requisition has its role defined (the service also wants the team's agreement).
        CheckConstraint(f"status <> 'open' OR (opened_at IS NOT NULL AND {_ANSWERED})",
                        name="open_needs_definition"),
        CheckConstraint("(status = 'closed') = (closed_at IS NOT NULL)", name="closed_has_time"),
        # A confirmation belongs to the person who gave it, and counts only while they hold
        # the role: a new hiring manager or recruiter confirms for themselves.
        CheckConstraint("manager_confirmed_by_id IS NULL OR manager_confirmed_by_id = hiring_manager_id",
                        name="manager_confirmation_is_the_managers"),
        CheckConstraint("recruiter_confirmed_by_id IS NULL OR recruiter_confirmed_by_id = recruiter_id",
                        name="recruiter_confirmation_is_the_recruiters"),
        CheckConstraint("(manager_confirmed_by_id IS NULL) = (manager_confirmed_at IS NULL)",
                        name="manager_confirmation_has_time"),
        CheckConstraint("(recruiter_confirmed_by_id IS NULL) = (recruiter_confirmed_at IS NULL)",
                        name="recruiter_confirmation_has_time"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    level: Mapped[Level] = mapped_column(str_enum(Level, "level"))
    team: Mapped[str] = mapped_column(String(120))
    hiring_manager_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    recruiter_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[RequisitionStatus] = mapped_column(
        str_enum(RequisitionStatus, "status"), default=RequisitionStatus.DRAFT, index=True)

    ships: Mapped[str | None] = mapped_column(Text)
    owns_after_launch: Mapped[str | None] = mapped_column(Text)
    success_measures: Mapped[str | None] = mapped_column(Text)
    fails_in_seat: Mapped[str | None] = mapped_column(Text)

    surface_system: Mapped[str | None] = mapped_column(Text)
    surface_inputs: Mapped[str | None] = mapped_column(Text)
    surface_models: Mapped[str | None] = mapped_column(Text)
    surface_orchestration: Mapped[str | None] = mapped_column(Text)
    surface_apis: Mapped[str | None] = mapped_column(Text)
    surface_data_stores: Mapped[str | None] = mapped_column(Text)
    surface_observability: Mapped[str | None] = mapped_column(Text)
    surface_failure_modes: Mapped[str | None] = mapped_column(Text)
    surface_pager: Mapped[str | None] = mapped_column(Text)

    comp_currency: Mapped[str] = mapped_column(String(3), default="USD")
    comp_min: Mapped[int]
    comp_max: Mapped[int]

    # The team agrees on the role before the first screen: who confirmed, and when. A change
    # of the definition clears both; a change of manager or recruiter clears that role's.
    manager_confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    manager_confirmed_at: Mapped[datetime | None]
    recruiter_confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recruiter_confirmed_at: Mapped[datetime | None]
    # Scorecards stay hidden from other interviewers until the debrief (scorecards issue).
    hide_scorecards_until_debrief: Mapped[bool] = mapped_column(default=False,
                                                                 server_default=false())

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Any change to the row (API clients sync with ?updated_since=).
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    opened_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version}

    hiring_manager: Mapped[User] = relationship(foreign_keys=[hiring_manager_id], lazy="raise")
    recruiter: Mapped[User] = relationship(foreign_keys=[recruiter_id], lazy="raise")
    members: Mapped[list[RequisitionMember]] = relationship(
        back_populates="requisition", cascade="all, delete-orphan", lazy="raise")

    @property
    def unanswered(self) -> list[str]:
        return [q for name, q in OPERATING_QUESTIONS.items()
                if not (getattr(self, name) or "").strip()]

    @property
    def manager_confirmed(self) -> bool:
        """The current hiring manager has confirmed (a predecessor's confirmation is none)."""
        return self.manager_confirmed_by_id is not None and \
            self.manager_confirmed_by_id == self.hiring_manager_id

    @property
    def recruiter_confirmed(self) -> bool:
        return self.recruiter_confirmed_by_id is not None and \
            self.recruiter_confirmed_by_id == self.recruiter_id

    @property
    def is_confirmed(self) -> bool:
        return self.manager_confirmed and self.recruiter_confirmed

    @property
    def is_draft(self) -> bool:
        """Still being defined: it can be opened."""
        return self.status == RequisitionStatus.DRAFT

    @property
    def accepts_candidates(self) -> bool:
        return self.status == RequisitionStatus.OPEN


class RequisitionMember(Base):
    """An interviewer on the hiring team (the manager and recruiter are on it by role)."""

    __tablename__ = "requisition_members"

    requisition_id: Mapped[int] = mapped_column(
        ForeignKey("requisitions.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    requisition: Mapped[Requisition] = relationship(back_populates="members", lazy="raise")
    user: Mapped[User] = relationship(lazy="raise")


class Candidate(Base):
    __tablename__ = "candidates"
    __table_args__ = (
        # One person once per requisition; emails stored lower-cased (case-insensitive).
        UniqueConstraint("requisition_id", "email"),
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        CheckConstraint(limits.EMAIL.length_check("email"), name="email_length"),
        CheckConstraint(limits.PERSON_NAME.length_check("name"), name="name_length"),
        # Imported from another system (an ATS): its name and its id there, unique per system.
        UniqueConstraint("external_source", "external_id"),
        CheckConstraint("(external_source IS NULL) = (external_id IS NULL)",
                        name="external_id_has_source"),
        # The lists' orders (the board and dashboard by name; the requisition page by status,
        # then name), so that a page of a requisition's candidates is read, not sorted.
        Index("ix_candidates_requisition_name", "requisition_id", "name", "id"),
        Index("ix_candidates_requisition_status_name", "requisition_id", "status", "name", "id"),
        Index("ix_candidates_updated_at", "updated_at", "id"),  # the API's list order (page_of)
        CheckConstraint(limits.EXTERNAL_SOURCE.length_check("external_source"),
                        name="external_source_length"),
        CheckConstraint(limits.EXTERNAL_ID.length_check("external_id"), name="external_id_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    requisition_id: Mapped[int] = mapped_column(ForeignKey("requisitions.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254), index=True)
    source: Mapped[str] = mapped_column(String(120), default="")
    status: Mapped[CandidateStatus] = mapped_column(
        str_enum(CandidateStatus, "status"), default=CandidateStatus.ACTIVE, index=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    # The candidate's invites and emails give times in this zone.
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    external_source: Mapped[str | None] = mapped_column(String(80))
    external_id: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version}

    requisition: Mapped[Requisition] = relationship(lazy="raise")

    @property
    def in_process(self) -> bool:
        """Still being interviewed: no offer, rejection or withdrawal yet."""
        return self.status == CandidateStatus.ACTIVE


# What each constraint means to a person when it fires (interviewloop/constraints.py).
explain("uq_candidates_requisition_id_email", "A candidate with this email address is already "
        "on this requisition (perhaps added a moment ago).")
explain("uq_candidates_external_source_external_id", "A candidate with this external id from "
        "this source was already imported.")
explain("ck_candidates_external_id_has_source", "An external id is given with its source, "
        "and a source with an id.", status=422)
explain("pk_requisition_members", "That person is already on the hiring team.")
explain("ck_candidates_email_lowercase", "Email addresses are kept in lower case.", status=422)
explain("ck_requisitions_comp_band_ordered", "The band's minimum must not be above its maximum.",
        status=422)
explain("ck_requisitions_comp_currency_code", "The currency is a three-letter code such as USD.",
        status=422)
explain("ck_requisitions_closed_has_time", "A closed requisition records when it closed.",
        status=422)
explain("ck_requisitions_open_needs_definition", "A requisition opens only with all four "
        "operating questions answered and both confirmations given.")
for _role, _who in (("manager", "hiring manager"), ("recruiter", "recruiter")):
    explain(f"ck_requisitions_{_role}_confirmation_is_the_{_role}s", f"Only the requisition's "
            f"current {_who} confirms for that role (the role changed a moment ago?).")
    explain(f"ck_requisitions_{_role}_confirmation_has_time", "A confirmation records who gave "
            "it and when.", status=422)
