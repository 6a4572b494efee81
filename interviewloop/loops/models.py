"""Loop templates (one per level, from question_bank/) and each candidate's loop."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from interviewloop import limits
from interviewloop.auth.models import User
from interviewloop.bank.models import CapabilityArea, Question
from interviewloop.constraints import explain
from interviewloop.db import Base, after_create, str_enum, utcnow
from interviewloop.enums import Category, Level
from interviewloop.loops import revisions, usage
from interviewloop.requisitions.models import Candidate, Requisition


def _stage_checks() -> tuple[CheckConstraint, ...]:
    # New objects for each table: a constraint object belongs to one table only.
    return (
        CheckConstraint(limits.STAGE_NAME.length_check("name"), name="name_length"),
        CheckConstraint(limits.STAGE_MINUTES.check("minutes"), name="minutes_range"),
        CheckConstraint("position >= 0", name="position_nonnegative"),
    )


def _panel_size_check() -> CheckConstraint:
    return CheckConstraint(limits.PANEL_SIZE.check("panel_size"), name="panel_size_range")


class LoopTemplate(Base):
    __tablename__ = "loop_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    level: Mapped[Level] = mapped_column(str_enum(Level, "level"), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text)

    stages: Mapped[list[LoopTemplateStage]] = relationship(
        back_populates="template", cascade="all, delete-orphan", lazy="raise",
        order_by="LoopTemplateStage.position")


class LoopTemplateStage(Base):
    __tablename__ = "loop_template_stages"
    __table_args__ = (
        *_stage_checks(),
        CheckConstraint(limits.QUESTIONS_PER_STAGE.check("question_count"),
                        name="question_count_range"),
        _panel_size_check(),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(
        ForeignKey("loop_templates.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(80))
    category: Mapped[Category] = mapped_column(str_enum(Category, "category"))
    minutes: Mapped[int]
    question_count: Mapped[int]
    # How many interviewers a panel for it needs: copied into each requisition's set when
    # it is fixed, and from there into each candidate's loop, where the recruiter may change it.
    panel_size: Mapped[int] = mapped_column(default=1, server_default="1")

    template: Mapped[LoopTemplate] = relationship(back_populates="stages", lazy="raise")
    focus_areas: Mapped[list[CapabilityArea]] = relationship(
        secondary="loop_template_stage_areas", lazy="raise", order_by=CapabilityArea.position)


class LoopTemplateStageArea(Base):
    __tablename__ = "loop_template_stage_areas"

    stage_id: Mapped[int] = mapped_column(
        ForeignKey("loop_template_stages.id", ondelete="CASCADE"), primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("capability_areas.id"), primary_key=True)


class Loop(Base):
    """A candidate's interview loop, instantiated from their level's template."""

    __tablename__ = "loops"
    __table_args__ = (Index("ix_loops_updated_at", "updated_at", "id"),)  # the API's list order

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), unique=True)
    level: Mapped[Level] = mapped_column(str_enum(Level, "level"))
    template_id: Mapped[int | None] = mapped_column(ForeignKey("loop_templates.id"))
    # The version of the requisition's question set it was built from (none: built before
    # requisitions had sets).
    question_set_id: Mapped[int | None] = mapped_column(ForeignKey("question_sets.id"),
                                                        index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Any change to the loop, its stages or questions (service._refresh touches it).
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # The coverage check's gaps as of the last change (kept so lists can flag loops cheaply).
    coverage_gaps: Mapped[list[Any]] = mapped_column(JSON, default=list)
    version: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version}

    candidate: Mapped[Candidate] = relationship(lazy="raise")
    question_set: Mapped[QuestionSet | None] = relationship(lazy="raise")
    stages: Mapped[list[LoopStage]] = relationship(
        back_populates="loop", cascade="all, delete-orphan", lazy="raise",
        order_by="LoopStage.position")

    @property
    def is_flagged(self) -> bool:
        return bool(self.coverage_gaps)


class LoopStage(Base):
    __tablename__ = "loop_stages"
    __table_args__ = (
        *_stage_checks(),
        UniqueConstraint("loop_id", "position"),
        UniqueConstraint("id", "loop_id"),  # target of loop_questions' composite key
        _panel_size_check(),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    loop_id: Mapped[int] = mapped_column(ForeignKey("loops.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(80))
    category: Mapped[Category] = mapped_column(str_enum(Category, "category"))
    minutes: Mapped[int]
    # How many interviewers its panel needs (trainees on top): the set's stage's, unless
    # the recruiter says otherwise. Proposals find that many; a booking with fewer is refused.
    panel_size: Mapped[int] = mapped_column(default=1, server_default="1")

    loop: Mapped[Loop] = relationship(back_populates="stages", lazy="raise")
    focus_areas: Mapped[list[CapabilityArea]] = relationship(
        secondary="loop_stage_areas", lazy="raise", order_by=CapabilityArea.position)
    questions: Mapped[list[LoopQuestion]] = relationship(
        back_populates="stage", cascade="all, delete-orphan", lazy="raise",
        order_by="(LoopQuestion.position, LoopQuestion.id)")


class LoopStageArea(Base):
    __tablename__ = "loop_stage_areas"

    stage_id: Mapped[int] = mapped_column(
        ForeignKey("loop_stages.id", ondelete="CASCADE"), primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("capability_areas.id"), primary_key=True)


class AlternateReason(enum.StrEnum):
    """Why a loop asks another question than its requisition's set does in that place."""

    HAD_ELSEWHERE = "had_elsewhere"  # the candidate had it in a loop on another requisition
    RETIRED = "retired"  # retired, or no longer for this level, since the set was fixed
    EDITED = "edited"  # an editor swapped it on this candidate's loop


class LoopQuestion(Base):
    """A bank question asked in a stage. The loop is repeated here so that the database
    itself refuses the same question twice in one loop."""

    __tablename__ = "loop_questions"
    __table_args__ = (
        UniqueConstraint("loop_id", "question_id"),
        ForeignKeyConstraint(["stage_id", "loop_id"], ["loop_stages.id", "loop_stages.loop_id"],
                             ondelete="CASCADE"),
        CheckConstraint("position >= 0", name="position_nonnegative"),
        # A reason exactly where the question is not the set's.
        CheckConstraint("(alternate_reason IS NULL) = "
                        "(set_question_id IS NULL OR set_question_id = question_id)",
                        name="alternate_has_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    loop_id: Mapped[int] = mapped_column(ForeignKey("loops.id", ondelete="CASCADE"))
    stage_id: Mapped[int] = mapped_column(index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    position: Mapped[int]
    # The requisition's set asks this question here (none: a stage added to this loop, or
    # a loop older than sets); when it is not question_id, alternate_reason says why.
    set_question_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id"))
    alternate_reason: Mapped[AlternateReason | None] = mapped_column(
        str_enum(AlternateReason, "alternate_reason"))

    stage: Mapped[LoopStage] = relationship(back_populates="questions", lazy="raise")
    question: Mapped[Question] = relationship(foreign_keys=[question_id], lazy="raise")
    set_question: Mapped[Question | None] = relationship(foreign_keys=[set_question_id],
                                                         lazy="raise")

    @property
    def is_alternate(self) -> bool:
        return self.alternate_reason is not None


after_create(LoopQuestion.__table__, sqlite=usage.SQLITE, postgresql=usage.POSTGRESQL)
after_create(LoopQuestion.__table__, sqlite=revisions.SQLITE, postgresql=revisions.POSTGRESQL)


class LoopRevision(Base):
    """A token that changes with every change to a requisition's loops that the debrief's
    comparison reads; kept by triggers (revisions.py). No row: no loop yet."""

    __tablename__ = "requisition_loop_revisions"

    requisition_id: Mapped[int] = mapped_column(
        ForeignKey("requisitions.id", ondelete="CASCADE"), primary_key=True)
    token: Mapped[int] = mapped_column(BigInteger)


class QuestionUsage(Base):
    """How many loop questions ask a question, kept by triggers on loop_questions (usage.py);
    no row: none."""

    __tablename__ = "question_usage"
    __table_args__ = (CheckConstraint("uses >= 0", name="uses_nonnegative"),)

    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True)
    uses: Mapped[int] = mapped_column(default=0, server_default="0")


class QuestionSet(Base):
    """One version of a requisition's question set: what every candidate on it is asked,
    per stage. Version 1 is fixed when its first loop is built (UNIQUE(requisition, number)
    lets only one of two simultaneous builds make it); each revision adds the next version.
    Versions are never changed, and a loop keeps the one it was built from."""

    __tablename__ = "question_sets"
    __table_args__ = (
        UniqueConstraint("requisition_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint(limits.SET_REVISION_REASON.length_check("reason"), name="reason_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    requisition_id: Mapped[int] = mapped_column(ForeignKey("requisitions.id"))
    number: Mapped[int]
    template_id: Mapped[int | None] = mapped_column(ForeignKey("loop_templates.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)

    requisition: Mapped[Requisition] = relationship(lazy="raise")
    created_by: Mapped[User | None] = relationship(lazy="raise")
    stages: Mapped[list[QuestionSetStage]] = relationship(
        back_populates="question_set", cascade="all, delete-orphan", lazy="raise",
        order_by="QuestionSetStage.position")


class QuestionSetStage(Base):
    """A stage of a set, copied from the level's template when the set was fixed (so that a
    later change of the template does not change what this requisition's candidates get)."""

    __tablename__ = "question_set_stages"
    __table_args__ = (
        CheckConstraint("position >= 0", name="position_nonnegative"),
        CheckConstraint(limits.STAGE_NAME.length_check("name"), name="name_length"),
        CheckConstraint(limits.STAGE_MINUTES.check("minutes"), name="minutes_range"),
        _panel_size_check(),
    )

    set_id: Mapped[int] = mapped_column(ForeignKey("question_sets.id", ondelete="CASCADE"),
                                        primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    category: Mapped[Category] = mapped_column(str_enum(Category, "category"))
    minutes: Mapped[int]
    panel_size: Mapped[int] = mapped_column(default=1, server_default="1")

    question_set: Mapped[QuestionSet] = relationship(back_populates="stages", lazy="raise")
    focus_areas: Mapped[list[CapabilityArea]] = relationship(
        secondary="question_set_stage_areas", lazy="raise", order_by=CapabilityArea.position)
    questions: Mapped[list[QuestionSetQuestion]] = relationship(
        back_populates="stage", cascade="all, delete-orphan", lazy="raise",
        order_by="QuestionSetQuestion.position")


class QuestionSetStageArea(Base):
    __tablename__ = "question_set_stage_areas"
    __table_args__ = (
        ForeignKeyConstraint(["set_id", "stage_position"],
                             ["question_set_stages.set_id", "question_set_stages.position"],
                             ondelete="CASCADE"),
    )

    set_id: Mapped[int] = mapped_column(primary_key=True)
    stage_position: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("capability_areas.id"), primary_key=True)


class QuestionSetQuestion(Base):
    """A question of a set's stage. The set is repeated here so that the database refuses
    the same question twice in one set."""

    __tablename__ = "question_set_questions"
    __table_args__ = (
        UniqueConstraint("set_id", "question_id"),
        ForeignKeyConstraint(["set_id", "stage_position"],
                             ["question_set_stages.set_id", "question_set_stages.position"],
                             ondelete="CASCADE"),
        CheckConstraint("position >= 0", name="position_nonnegative"),
    )

    set_id: Mapped[int] = mapped_column(primary_key=True)
    stage_position: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)

    stage: Mapped[QuestionSetStage] = relationship(back_populates="questions", lazy="raise")
    question: Mapped[Question] = relationship(lazy="raise")


# What each constraint means to a person when it fires (interviewloop/constraints.py).
explain("uq_loops_candidate_id", "This candidate's loop was built a moment ago: reload the page.")
explain("uq_loop_questions_loop_id_question_id", "That question is already in this loop.")
explain("uq_loop_stages_loop_id_position", "The loop was changed at the same moment by someone "
        "else. Reload it and try again.")
explain("uq_loop_stages_id_loop_id", "A stage belongs to one loop.")
for _table in ("loop_stages", "loop_template_stages", "question_set_stages"):
    explain(f"ck_{_table}_panel_size_range", f"A stage's panel needs {limits.PANEL_SIZE.low} "
            f"to {limits.PANEL_SIZE.high} interviewers.", status=422)
explain("ck_question_usage_uses_nonnegative", "A question's loop count went below zero: "
        "the loop changed at the same moment; reload it and try again.")
explain("pk_question_usage", "A question has one usage count.")
explain("uq_loop_templates_level", "That level already has a loop template.")
explain("ck_loop_questions_alternate_has_reason", "A question other than the requisition's "
        "set asks there needs a reason.", status=422)
explain("uq_question_sets_requisition_id_number", "The requisition's question set was fixed or "
        "revised a moment ago by someone else. Reload the page and try again.")
explain("ck_question_sets_number_positive", "A question set's versions count from 1.",
        status=422)
explain("pk_question_set_stages", "A question set has one stage in each place.")
explain("pk_question_set_questions", "A stage of a question set has one question in each "
        "place.")
explain("uq_question_set_questions_set_id_question_id", "That question is already in the "
        "requisition's question set.")
for _link in ("loop_stage_areas", "loop_template_stage_areas", "question_set_stage_areas"):
    explain(f"pk_{_link}", "A stage lists the same capability area twice.", status=422)
