"""The hiring manager's pre-offer check and the decision it gates."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from interviewloop import limits
from interviewloop.auth.models import User
from interviewloop.constraints import explain
from interviewloop.db import Base, str_enum, utcnow
from interviewloop.requisitions.models import Candidate

ANSWERS = ("owned_system", "failure_handling", "reduces_risk")


class Answer(enum.StrEnum):
    STRONG = "strong"
    WEAK = "weak"


class DecisionKind(enum.StrEnum):
    OFFER = "offer"
    REJECT = "reject"
    HOLD = "hold"


class PreOfferCheck(Base):
    """Three questions, each strong or weak with evidence. It passes only if all three
    are strong; one weak answer means keep looking."""

    __tablename__ = "pre_offer_checks"
    __table_args__ = (
        UniqueConstraint("id", "passed"),  # target of decisions' composite key
        *(CheckConstraint(f"length({name}_evidence) BETWEEN 1 AND {limits.ANSWER}",
                          name=f"{name}_evidence_given") for name in ANSWERS),
        CheckConstraint("passed = (" + " AND ".join(f"{n} = 'strong'" for n in ANSWERS) + ")",
                        name="passed_means_all_strong"),
        # The API's list order (api/queries.page_of): a page is read from here, not sorted.
        Index("ix_pre_offer_checks_answered_at_id", "answered_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), unique=True)
    manager_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    owned_system: Mapped[Answer] = mapped_column(str_enum(Answer, "owned_system"))
    owned_system_evidence: Mapped[str] = mapped_column(Text)
    failure_handling: Mapped[Answer] = mapped_column(str_enum(Answer, "failure_handling"))
    failure_handling_evidence: Mapped[str] = mapped_column(Text)
    reduces_risk: Mapped[Answer] = mapped_column(str_enum(Answer, "reduces_risk"))
    reduces_risk_evidence: Mapped[str] = mapped_column(Text)
    passed: Mapped[bool] = mapped_column(Boolean)
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version}

    manager: Mapped[User] = relationship(lazy="raise")
    candidate: Mapped[Candidate] = relationship(lazy="raise")


class Decision(Base):
    """Offer, reject or hold, with a rationale. An offer must point at a passed check:
    the composite key and the CHECK below make the database refuse anything else.

    Only an offer pins the check's outcome (``pre_offer_passed``): the check of a hold or
    a rejection may be answered again later, and the composite key must not stop that."""

    __tablename__ = "decisions"
    __table_args__ = (
        ForeignKeyConstraint(["pre_offer_check_id", "pre_offer_passed"],
                             ["pre_offer_checks.id", "pre_offer_checks.passed"]),
        ForeignKeyConstraint(["pre_offer_check_id"], ["pre_offer_checks.id"],
                             name="fk_decisions_pre_offer_check_exists"),
        # (pre_offer_passed IS NOT NULL: a NULL would make the CHECK pass and skip the key.)
        CheckConstraint("kind <> 'offer' OR (pre_offer_check_id IS NOT NULL AND "
                        "pre_offer_passed IS NOT NULL AND pre_offer_passed)",
                        name="offer_needs_passed_check"),
        CheckConstraint("kind = 'offer' OR pre_offer_passed IS NULL",
                        name="only_an_offer_pins_the_check"),
        CheckConstraint(f"length(rationale) BETWEEN 1 AND {limits.ANSWER}", name="rationale_given"),
        # A waiver says what it waived and why, and only an offer waives anything.
        CheckConstraint("(waiver IS NULL) = (waived IS NULL)", name="waiver_says_what"),
        CheckConstraint(f"waiver IS NULL OR (kind = 'offer' AND length(waiver) BETWEEN 1 AND "
                        f"{limits.ANSWER} AND length(waived) >= 1)", name="waiver_given"),
        Index("ix_decisions_decided_at_id", "decided_at", "id"),  # as pre_offer_checks'
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    kind: Mapped[DecisionKind] = mapped_column(str_enum(DecisionKind, "kind"))
    rationale: Mapped[str] = mapped_column(Text)
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
    pre_offer_check_id: Mapped[int | None]
    pre_offer_passed: Mapped[bool | None]
    # An offer made with planned stages unheld or a capability area under-rated: what was
    # waived (the gaps, as the debrief listed them) and the manager's reason for waiving it.
    waived: Mapped[str | None] = mapped_column(Text)
    waiver: Mapped[str | None] = mapped_column(Text)

    candidate: Mapped[Candidate] = relationship(lazy="raise")
    decided_by: Mapped[User] = relationship(lazy="raise")


# What each constraint means to a person when it fires (interviewloop/constraints.py).
explain("uq_pre_offer_checks_candidate_id", "The pre-offer check was answered a moment ago: "
        "reload the debrief and answer it again.")
explain("uq_pre_offer_checks_id_passed", "A pre-offer check has one outcome.")
for _name in ANSWERS:
    explain(f"ck_pre_offer_checks_{_name}_evidence_given", "Each answer needs its evidence, "
            "under 4,000 characters.", status=422)
explain("ck_pre_offer_checks_passed_means_all_strong", "The check passes only if all three "
        "answers are strong.", status=422)
explain("ck_decisions_offer_needs_passed_check", "No offer without a passed pre-offer check.")
explain("ck_decisions_only_an_offer_pins_the_check", "Only an offer records the check's "
        "outcome.", status=422)
explain("ck_decisions_waiver_says_what", "A waiver names what it waives.", status=422)
explain("ck_decisions_waiver_given", "Only an offer waives gaps, with a reason under 4,000 "
        "characters.", status=422)
explain("ck_decisions_rationale_given", "A decision needs its rationale, under 4,000 "
        "characters.", status=422)
