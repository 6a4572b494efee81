"""Question bank reads and changes. No Flask here; callers commit."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, String, bindparam, cast, exists, func, select, true
from sqlalchemy.orm import Session, selectinload

from interviewloop.audit.service import Actor, record
from interviewloop.bank import search
from interviewloop.bank.models import (
    BenchmarkQuestion,
    CapabilityArea,
    Competency,
    LevelExpectation,
    Question,
    QuestionArea,
    QuestionBenchmark,
    QuestionLevel,
    QuestionPoint,
    QuestionTally,
)
from interviewloop.bank.schema import Problem, QuestionInput, validate_question
from interviewloop.db import limited, utcnow
from interviewloop.enums import Category, Level, Role
from interviewloop.errors import Conflict, DomainError, NotFound

# Who edits and retires questions (admins hold every permission).
EDITORS = (Role.HIRING_MANAGER,)


def can_edit_bank(user: Any) -> bool:
    """Asked by the bank's views (through roles_required) and its templates alike."""
    return bool(user.is_authenticated and user.has_role(Role.ADMIN, *EDITORS))


class InvalidQuestion(DomainError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{p.field} {p.message}" for p in problems))
        self.problems = problems


class StaleQuestion(Conflict):
    def __init__(self) -> None:
        super().__init__("Someone else changed this question while you were editing it. "
                         "Your changes are shown below; compare them with the current text.")


@dataclass(frozen=True)
class BankFilters:
    category: Category | None = None
    level: Level | None = None
    area: str | None = None
    benchmark: str | None = None
    text: str = ""
    status: str = "active"  # active, retired or all


@dataclass(frozen=True)
class Listed:
    """A question as the bank list shows it: plain values read in the page's query, its
    levels in the rubric's order and its areas in theirs (not a loaded Question)."""

    id: int
    slug: str
    title: str
    category: Category
    suggested_minutes: int
    retired_at: datetime | None
    levels: list[Level]
    areas: list[CapabilityArea]

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None


@dataclass(frozen=True)
class Page:
    items: list[Listed]
    total: int
    number: int
    size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


# Statements most pages run as they are, built once (building one and its cache key cost
# about as much as running it).
_AREAS = select(CapabilityArea).order_by(CapabilityArea.position)
_BENCHMARKS = select(BenchmarkQuestion).order_by(BenchmarkQuestion.position)
_QUESTION = select(Question).where(Question.id == bindparam("question_id")).options(
    selectinload(Question.points), selectinload(Question.level_rows),
    selectinload(Question.areas), selectinload(Question.benchmarks))


def areas(session: Session) -> list[CapabilityArea]:
    return list(session.scalars(_AREAS))


def benchmarks(session: Session) -> list[BenchmarkQuestion]:
    return list(session.scalars(_BENCHMARKS))


def rubric(session: Session) -> list[Competency]:
    return list(session.scalars(
        select(Competency)
        .options(selectinload(Competency.area), selectinload(Competency.expectations))
        .order_by(Competency.position)
    ))


def filtered(filters: BankFilters, dialect: str) -> Select:
    stmt = select(Question)
    if filters.status == "active":
        stmt = stmt.where(Question.retired_at.is_(None))
    elif filters.status == "retired":
        stmt = stmt.where(Question.retired_at.is_not(None))
    if filters.category is not None:
        stmt = stmt.where(Question.category == filters.category)
    if filters.level is not None:
        stmt = stmt.where(exists().where(QuestionLevel.question_id == Question.id,
                                         QuestionLevel.level == filters.level))
    if filters.area:
        stmt = stmt.where(exists().where(
            QuestionArea.question_id == Question.id,
            QuestionArea.area_id == CapabilityArea.id,
            CapabilityArea.slug == filters.area,
        ))
    if filters.benchmark:
        stmt = stmt.where(exists().where(
            QuestionBenchmark.question_id == Question.id,
            QuestionBenchmark.benchmark_id == BenchmarkQuestion.id,
            BenchmarkQuestion.slug == filters.benchmark,
        ))
    return stmt.where(*search.text_conditions(filters.text, dialect))


_LEVEL_ORDER = {level: n for n, level in enumerate(Level)}


def _listed_names(column: Any, link: Any, question_id: Any) -> Any:
    """The question's values of ``column`` (its levels, its area ids) as one string, comma
    separated, in no order: a subquery beside each row of the page."""
    return (select(func.aggregate_strings(cast(column, String), ","))
            .where(link == question_id).scalar_subquery())


_TALLIES = {"active": QuestionTally.retired.is_(False), "retired": QuestionTally.retired.is_(True),
            "all": true()}


def _tally(filters: BankFilters) -> Select[int] | None:
    """How many questions the status holds, from the tallies the triggers keep (tallies.py),
    when nothing but the status filters the list; else None (the list counts its rows)."""
    if (filters.category or filters.level or filters.area or filters.benchmark
            or search.terms(filters.text)):
        return None
    return select(func.sum(QuestionTally.questions)).where(_TALLIES[filters.status])


# A text search reads its matches' ids in the list's order, up to this many, with their
# count, in one pass: the page comes from them, instead of a count and a page that each
# match again. A page past them is read as before.
MATCHED_IDS_CAP = 500


def search_questions(session: Session, filters: BankFilters, page: int = 1,
                     size: int = 20, bank_areas: list[CapabilityArea] | None = None) -> Page:
    """One page of questions matching the filters, as the list shows them: the count (with
    a text search's first ``MATCHED_IDS_CAP`` ids), then the page's rows with their levels
    and area ids in one query: two statements however many match.
    ``bank_areas``: the bank's areas, if the caller has read them (else they are read here)."""
    dialect = session.get_bind().dialect.name
    stmt = filtered(filters, dialect)
    order = (Question.category, Question.title, Question.id)
    matched: list[int] | None = None
    words = search.terms(filters.text)
    # A page past the cap could not come from the ids: it is counted and read as before.
    if words and (page - 1) * size < MATCHED_IDS_CAP:
        # On SQLite the list's order would make the planner walk the active-order index and
        # test each question against the FTS rowids; an expression cannot use that index,
        # so it starts from the FTS matches and sorts them (the same order: same text).
        by = ((cast(Question.category, String), *order[1:])
              if dialect == "sqlite" and search.indexed_words(words) else order)
        found = session.execute(limited(
            stmt.with_only_columns(Question.id, func.count().over()).order_by(*by),
            MATCHED_IDS_CAP)).all()
        matched = [question_id for question_id, _total in found]
        total = found[0][1] if found else 0
    elif (tally := _tally(filters)) is not None:
        total = session.scalar(tally) or 0
    else:
        total = session.scalar(stmt.with_only_columns(func.count(),
                                                      maintain_column_froms=True)) or 0
    page = max(1, min(page, max(1, -(-total // size))))
    start = (page - 1) * size
    if matched is not None and (total == len(matched) or start + size <= len(matched)):
        picked = Question.id.in_(matched[start:start + size])
    else:
        # The page's ids first, then their rows: skipping to a deep page then walks the
        # list's index alone, where reading the rows skipped cost PostgreSQL 85 ms at page
        # 1,456 of 30,000 questions.
        ids = limited(stmt.with_only_columns(Question.id).order_by(*order), size, start)
        picked = Question.id.in_(ids.scalar_subquery())
    shown = select(Question.id, Question.slug, Question.title, Question.category,
                   Question.suggested_minutes, Question.retired_at).where(picked).subquery()
    rows = session.execute(
        select(shown, _listed_names(QuestionLevel.level, QuestionLevel.question_id, shown.c.id),
               _listed_names(QuestionArea.area_id, QuestionArea.question_id, shown.c.id))
        .order_by(shown.c.category, shown.c.title, shown.c.id)).all()
    by_id = {a.id: a for a in (bank_areas if bank_areas is not None else areas(session))}
    items = [Listed(id=qid, slug=slug, title=title, category=category, suggested_minutes=minutes,
                    retired_at=retired_at,
                    levels=sorted((Level(v) for v in (level_names or "").split(",") if v),
                                  key=_LEVEL_ORDER.__getitem__),
                    areas=sorted((by_id[int(v)] for v in (area_ids or "").split(",") if v),
                                 key=lambda a: a.position))
             for qid, slug, title, category, minutes, retired_at, level_names, area_ids in rows]
    return Page(items=items, total=total, number=page, size=size)


def get_question(session: Session, question_id: int) -> Question:
    question = session.scalar(_QUESTION, {"question_id": question_id})
    if question is None:
        raise NotFound("No such question.")
    return question


def question_input(question: Question) -> QuestionInput:
    return QuestionInput(
        slug=question.slug, category=question.category.value, title=question.title,
        prompt=question.prompt, signals=question.signals, red_flags=question.red_flags,
        areas=[a.slug for a in question.areas], levels=[lv.value for lv in question.levels],
        benchmarks=[b.slug for b in question.benchmarks], minutes=question.suggested_minutes,
    )


def _sync_points(question: Question, kind: str, texts: list[str]) -> None:
    # Reuse rows by position so that (question, kind, position) stays unique mid-flush.
    current = [p for p in question.points if p.kind == kind]
    for position, text in enumerate(texts):
        if position < len(current):
            current[position].text = text
        else:
            question.points.append(QuestionPoint(kind=kind, position=position, text=text))
    for extra in current[len(texts):]:
        question.points.remove(extra)


def apply_question_input(question: Question, data: QuestionInput,
                         areas_by_slug: Mapping[str, CapabilityArea],
                         benchmarks_by_slug: Mapping[str, BenchmarkQuestion]) -> bool:
    """Set the question's fields from validated input; True if anything changed."""
    signals = [s.strip() for s in data.signals if s.strip()]
    red_flags = [s.strip() for s in data.red_flags if s.strip()]
    before = question_input(question) if question.id is not None else None
    after = QuestionInput(
        slug=data.slug, category=data.category, title=data.title.strip(),
        prompt=data.prompt.strip(), signals=signals, red_flags=red_flags,
        areas=list(data.areas), levels=sorted(data.levels, key=[lv.value for lv in Level].index),
        benchmarks=list(data.benchmarks), minutes=data.minutes,
    )
    if before is not None and _same(before, after):
        return False
    question.category = Category(after.category)
    question.title = after.title
    question.prompt = after.prompt
    question.suggested_minutes = after.minutes
    _sync_points(question, "signal", signals)
    _sync_points(question, "red_flag", red_flags)
    wanted = {Level(v) for v in after.levels}
    for row in list(question.level_rows):
        if row.level not in wanted:
            question.level_rows.remove(row)
    for level in sorted(wanted - {row.level for row in question.level_rows}):
        question.level_rows.append(QuestionLevel(level=level))
    question.areas = sorted((areas_by_slug[s] for s in after.areas), key=lambda a: a.position)
    question.benchmarks = sorted((benchmarks_by_slug[s] for s in after.benchmarks),
                                 key=lambda b: b.position)
    question.updated_at = utcnow()  # also bumps the version for optimistic locking
    return True


def _same(a: QuestionInput, b: QuestionInput) -> bool:
    return (a.category, a.title, a.prompt, a.signals, a.red_flags, sorted(a.areas),
            sorted(a.levels), sorted(a.benchmarks), a.minutes) == (
        b.category, b.title, b.prompt, b.signals, b.red_flags, sorted(b.areas),
        sorted(b.levels), sorted(b.benchmarks), b.minutes)


def _lookups(session: Session) -> tuple[dict[str, CapabilityArea], dict[str, BenchmarkQuestion]]:
    return {a.slug: a for a in areas(session)}, {b.slug: b for b in benchmarks(session)}


def _validated(session: Session, data: QuestionInput
               ) -> tuple[dict[str, CapabilityArea], dict[str, BenchmarkQuestion]]:
    areas_by_slug, benchmarks_by_slug = _lookups(session)
    problems = validate_question(data, areas=areas_by_slug, benchmarks=benchmarks_by_slug)
    if problems:
        raise InvalidQuestion(problems)
    return areas_by_slug, benchmarks_by_slug


def unique_slug(session: Session, title: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:70] or "question"
    taken = set(session.scalars(select(Question.slug).where(Question.slug.like(f"{base}%"))))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def create_question(session: Session, actor: Actor, data: QuestionInput) -> Question:
    data.slug = unique_slug(session, data.title or "")
    areas_by_slug, benchmarks_by_slug = _validated(session, data)
    question = Question(slug=data.slug, origin="web", points=[], level_rows=[], areas=[],
                        benchmarks=[])
    apply_question_input(question, data, areas_by_slug, benchmarks_by_slug)
    session.add(question)
    session.flush()
    record(session, actor, "question_created", question, slug=question.slug)
    return question


def update_question(session: Session, actor: Actor, question: Question, data: QuestionInput,
                    *, seen_version: int) -> Question:
    """Apply an edit made on ``seen_version``; refuse it if the question changed since."""
    if seen_version != question.version:
        raise StaleQuestion
    data.slug = question.slug
    areas_by_slug, benchmarks_by_slug = _validated(session, data)
    if apply_question_input(question, data, areas_by_slug, benchmarks_by_slug):
        session.flush()
        record(session, actor, "question_updated", question, version=question.version)
    return question


def retire_question(session: Session, actor: Actor, question: Question) -> Question:
    if question.is_retired:
        raise Conflict("This question is already retired.")
    question.retired_at = utcnow()
    record(session, actor, "question_retired", question)
    return question


def unretire_question(session: Session, actor: Actor, question: Question) -> Question:
    if not question.is_retired:
        raise Conflict("This question is not retired.")
    question.retired_at = None
    record(session, actor, "question_unretired", question)
    return question


def bars(session: Session, level: Level) -> dict[int, list[tuple[str, str]]]:
    """For the scorecard form: area id → [(competency name, its expectation at ``level``,
    "" if it has none)], in the rubric's order (one query)."""
    result: dict[int, list[tuple[str, str]]] = {}
    for area_id, name, text in session.execute(
            select(Competency.area_id, Competency.name, LevelExpectation.text)
            .outerjoin(LevelExpectation, (LevelExpectation.competency_id == Competency.id)
                       & (LevelExpectation.level == level))
            .order_by(Competency.position, Competency.id)):
        result.setdefault(area_id, []).append((name, text or ""))
    return result


def expectations_by_area(session: Session) -> dict[int, list[tuple[Competency, dict]]]:
    """For the rubric page: area id → [(competency, {level: expectation text})]."""
    result: dict[int, list[tuple[Competency, dict]]] = {}
    for comp in rubric(session):
        texts = {e.level: e.text for e in comp.expectations}
        result.setdefault(comp.area_id, []).append((comp, texts))
    return result

