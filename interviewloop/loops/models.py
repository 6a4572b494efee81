"""Loop templates (one per level, from question_bank/) and each candidate's loop."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from interviewloop import limits
from interviewloop.bank.models import CapabilityArea, Question
from interviewloop.constraints import explain
from interviewloop.db import Base, str_enum, utcnow
from interviewloop.enums import Category, Level
from interviewloop.requisitions.models import Candidate


def _stage_checks() -> tuple[CheckConstraint, ...]:
    # New objects for each table: a constraint object belongs to one table only.
    return (
        CheckConstraint(limits.STAGE_NAME.length_check("name"), name="name_length"),
        CheckConstraint(limits.STAGE_MINUTES.check("minutes"), name="minutes_range"),
        CheckConstraint("position >= 0", name="position_nonnegative"),
    )


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
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(
        ForeignKey("loop_templates.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(80))
    category: Mapped[Category] = mapped_column(str_enum(Category, "category"))
    minutes: Mapped[int]
    question_count: Mapped[int]

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

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), unique=True)
    level: Mapped[Level] = mapped_column(str_enum(Level, "level"))
    template_id: Mapped[int | None] = mapped_column(ForeignKey("loop_templates.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # The coverage check's gaps as of the last change (kept so lists can flag loops cheaply).
    coverage_gaps: Mapped[list[Any]] = mapped_column(JSON, default=list)
    version: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version}

    candidate: Mapped[Candidate] = relationship(lazy="raise")
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
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    loop_id: Mapped[int] = mapped_column(ForeignKey("loops.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(80))
    category: Mapped[Category] = mapped_column(str_enum(Category, "category"))
    minutes: Mapped[int]

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


class LoopQuestion(Base):
    """A bank question asked in a stage. The loop is repeated here so that the database
    itself refuses the same question twice in one loop."""

    __tablename__ = "loop_questions"
    __table_args__ = (
        UniqueConstraint("loop_id", "question_id"),
        ForeignKeyConstraint(["stage_id", "loop_id"], ["loop_stages.id", "loop_stages.loop_id"],
                             ondelete="CASCADE"),
        CheckConstraint("position >= 0", name="position_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    loop_id: Mapped[int] = mapped_column(ForeignKey("loops.id", ondelete="CASCADE"))
    stage_id: Mapped[int] = mapped_column(index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    position: Mapped[int]

    stage: Mapped[LoopStage] = relationship(back_populates="questions", lazy="raise")
    question: Mapped[Question] = relationship(lazy="raise")


# What each constraint means to a person when it fires (interviewloop/constraints.py).
explain("uq_loops_candidate_id", "This candidate's loop was built a moment ago: reload the page.")
explain("uq_loop_questions_loop_id_question_id", "That question is already in this loop.")
explain("uq_loop_stages_loop_id_position", "The loop was changed at the same moment by someone "
        "else. Reload it and try again.")
explain("uq_loop_stages_id_loop_id", "A stage belongs to one loop.")
explain("uq_loop_templates_level", "That level already has a loop template.")
for _link in ("loop_stage_areas", "loop_template_stage_areas"):
    explain(f"pk_{_link}", "A stage lists the same capability area twice.", status=422)
