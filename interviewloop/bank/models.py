"""The question bank: capability areas, the seniority rubric, benchmark questions, questions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from interviewloop import limits
from interviewloop.bank import search_index, tallies
from interviewloop.constraints import explain
from interviewloop.db import Base, after_create, str_enum, utcnow
from interviewloop.enums import Category, Level

SLUG_CHECK = limits.SLUG.length_check("slug")


class CapabilityArea(Base):
    __tablename__ = "capability_areas"
    __table_args__ = (CheckConstraint(SLUG_CHECK, name="slug_length"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text)
    position: Mapped[int]


class BenchmarkQuestion(Base):
    """One of the five production questions every loop must exercise."""

    __tablename__ = "benchmark_questions"
    __table_args__ = (CheckConstraint(SLUG_CHECK, name="slug_length"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    text: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text)
    position: Mapped[int]


class Competency(Base):
    """A row of the seniority rubric, belonging to one capability area."""

    __tablename__ = "competencies"
    __table_args__ = (CheckConstraint(SLUG_CHECK, name="slug_length"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    area_id: Mapped[int] = mapped_column(ForeignKey("capability_areas.id"), index=True)
    position: Mapped[int]

    area: Mapped[CapabilityArea] = relationship(lazy="raise")
    expectations: Mapped[list[LevelExpectation]] = relationship(
        back_populates="competency", cascade="all, delete-orphan", lazy="raise"
    )


class LevelExpectation(Base):
    __tablename__ = "level_expectations"

    competency_id: Mapped[int] = mapped_column(
        ForeignKey("competencies.id", ondelete="CASCADE"), primary_key=True
    )
    level: Mapped[Level] = mapped_column(str_enum(Level, "level"), primary_key=True)
    text: Mapped[str] = mapped_column(Text)

    competency: Mapped[Competency] = relationship(back_populates="expectations", lazy="raise")


class Question(Base):
    __tablename__ = "questions"
    __table_args__ = (
        Index("ix_questions_updated_at", "updated_at", "id"),  # the API's list order (page_of)
        CheckConstraint(SLUG_CHECK, name="slug_length"),
        CheckConstraint(limits.QUESTION_TITLE.length_check("title"), name="title_length"),
        CheckConstraint(limits.QUESTION_PROMPT.length_check("prompt"), name="prompt_length"),
        CheckConstraint(limits.QUESTION_MINUTES.check("suggested_minutes"), name="minutes_range"),
        CheckConstraint("origin IN ('bank_file', 'web')", name="origin_known"),
        # The bank list's order, over active questions: a page reads 20 index entries
        # instead of sorting the whole bank.
        Index("ix_questions_active_order", "category", "title", "id",
              sqlite_where=text("retired_at IS NULL"),
              postgresql_where=text("retired_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    category: Mapped[Category] = mapped_column(str_enum(Category, "category"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    prompt: Mapped[str] = mapped_column(Text)
    suggested_minutes: Mapped[int]
    # Where the question was authored: files are re-imported, web ones are not retired by it.
    origin: Mapped[str] = mapped_column(String(16), default="web")
    retired_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    points: Mapped[list[QuestionPoint]] = relationship(
        back_populates="question", cascade="all, delete-orphan", lazy="raise",
        order_by="(QuestionPoint.kind, QuestionPoint.position)",
    )
    level_rows: Mapped[list[QuestionLevel]] = relationship(
        cascade="all, delete-orphan", lazy="raise", order_by="QuestionLevel.level"
    )
    areas: Mapped[list[CapabilityArea]] = relationship(
        secondary="question_areas", lazy="raise", order_by=CapabilityArea.position
    )
    benchmarks: Mapped[list[BenchmarkQuestion]] = relationship(
        secondary="question_benchmarks", lazy="raise", order_by=BenchmarkQuestion.position
    )

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None

    @property
    def levels(self) -> list[Level]:
        order = list(Level)
        return sorted((row.level for row in self.level_rows), key=order.index)

    @property
    def signals(self) -> list[str]:
        return [p.text for p in self.points if p.kind == "signal"]

    @property
    def red_flags(self) -> list[str]:
        return [p.text for p in self.points if p.kind == "red_flag"]


# Bank search's index (a trigram GIN index, or an FTS5 table and its triggers), for create_all.
search_index.attach(Question.__table__)
after_create(Question.__table__, sqlite=tallies.SQLITE, postgresql=tallies.POSTGRESQL)


class QuestionTally(Base):
    """How many questions are active (``retired`` false) or retired, kept by triggers on
    questions (tallies.py); no row: none."""

    __tablename__ = "question_tallies"
    __table_args__ = (CheckConstraint("questions >= 0", name="questions_nonnegative"),)

    retired: Mapped[bool] = mapped_column(primary_key=True, autoincrement=False)
    questions: Mapped[int] = mapped_column(default=0, server_default="0")


class QuestionPoint(Base):
    """A signal of a strong answer, or a red flag, in the order the author gave."""

    __tablename__ = "question_points"
    __table_args__ = (
        UniqueConstraint("question_id", "kind", "position"),
        CheckConstraint("kind IN ('signal', 'red_flag')", name="kind_known"),
        CheckConstraint(limits.QUESTION_POINT.length_check("text"), name="text_length"),
        CheckConstraint("position >= 0", name="position_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    position: Mapped[int]
    text: Mapped[str] = mapped_column(String(500))

    question: Mapped[Question] = relationship(back_populates="points", lazy="raise")


class QuestionLevel(Base):
    __tablename__ = "question_levels"

    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True
    )
    level: Mapped[Level] = mapped_column(str_enum(Level, "level"), primary_key=True, index=True)


class QuestionArea(Base):
    __tablename__ = "question_areas"

    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True
    )
    area_id: Mapped[int] = mapped_column(
        ForeignKey("capability_areas.id"), primary_key=True, index=True
    )


class QuestionBenchmark(Base):
    __tablename__ = "question_benchmarks"

    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True
    )
    benchmark_id: Mapped[int] = mapped_column(
        ForeignKey("benchmark_questions.id"), primary_key=True, index=True
    )


# What each constraint means to a person when it fires (interviewloop/constraints.py).
explain("ck_question_tallies_questions_nonnegative", "The bank's question count went below "
        "zero: the bank changed at the same moment; reload it and try again.")
explain("uq_questions_slug", "A question with this title already exists (it may have been added "
        "a moment ago): give this one a different title.")
for _kind in ("capability_areas", "benchmark_questions", "competencies"):
    explain(f"uq_{_kind}_slug", "That slug is already used in the bank.")
explain("uq_question_points_question_id_kind_position", "The question was changed at the same "
        "moment by someone else. Reload it and try again.")
for _link in ("question_areas", "question_benchmarks", "question_levels"):
    explain(f"pk_{_link}", "The question lists the same item twice.", status=422)
explain("pk_level_expectations", "The rubric gives a level twice for one competency.",
        status=422)
