"""The candidate's loop page as plain rows: the loop, its stages and questions with the
titles asked, in one statement; the stages' focus areas and the questions' areas and
benchmarks in a second (ids, matched to the areas and benchmarks the page reads anyway).
The page only shows these values: building ORM objects for them (8 statements: loop,
stages, their areas, questions, bank questions, their areas, benchmarks and levels) was
about a third of its time. Edits still load the ORM loop (service.loop_for)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import BindParameter, Select, bindparam, literal_column, select, union_all
from sqlalchemy.orm import Session, aliased

from interviewloop.bank.models import (
    BenchmarkQuestion,
    CapabilityArea,
    Question,
    QuestionArea,
    QuestionBenchmark,
)
from interviewloop.bank.service import benchmarks as all_benchmarks
from interviewloop.enums import Category, Level
from interviewloop.loops.models import (
    AlternateReason,
    Loop,
    LoopQuestion,
    LoopStage,
    LoopStageArea,
    QuestionSet,
)
from interviewloop.requisitions.models import Candidate


class Asked(NamedTuple):
    """A bank question as the page shows it (areas and benchmarks in their positions)."""

    id: int
    title: str
    areas: list[CapabilityArea]
    benchmarks: list[BenchmarkQuestion]


class PageQuestion(NamedTuple):
    id: int
    question_id: int
    question: Asked
    set_question: Asked | None  # the set's question in this place (none: not from a set)
    alternate_reason: AlternateReason | None

    @property
    def is_alternate(self) -> bool:
        return self.alternate_reason is not None


class PageStage(NamedTuple):
    id: int
    name: str
    category: Category
    minutes: int
    panel_size: int
    focus_areas: list[CapabilityArea]
    questions: list[PageQuestion]


class PageLoop(NamedTuple):
    id: int
    level: Level
    coverage_gaps: list[Any]
    set_number: int | None  # the question set's version it was built from (none: no set)
    stages: list[PageStage]
    benchmarks: list[BenchmarkQuestion]  # every one, for the coverage check


_FOCUS, _AREA, _BENCHMARK = 0, 1, 2  # what a row of _links is


@cache
def _rows() -> Select[Any]:
    asked, in_set = aliased(Question), aliased(Question)
    return (select(Loop.id, Loop.level, Loop.coverage_gaps, QuestionSet.number,
                   LoopStage.id.label("stage_id"), LoopStage.name, LoopStage.category,
                   LoopStage.minutes, LoopStage.panel_size,
                   LoopQuestion.id.label("lq_id"), LoopQuestion.question_id,
                   LoopQuestion.set_question_id, LoopQuestion.alternate_reason,
                   asked.title, in_set.title.label("set_title"))
            .select_from(Loop)
            .outerjoin(QuestionSet, QuestionSet.id == Loop.question_set_id)
            .outerjoin(LoopStage, LoopStage.loop_id == Loop.id)
            .outerjoin(LoopQuestion, LoopQuestion.stage_id == LoopStage.id)
            .outerjoin(asked, asked.id == LoopQuestion.question_id)
            .outerjoin(in_set, in_set.id == LoopQuestion.set_question_id)
            .where(Loop.candidate_id == bindparam("candidate_id"))
            .order_by(LoopStage.position, LoopQuestion.position, LoopQuestion.id))


@cache
def _links() -> Any:
    """(owner id, what, area or benchmark id): the stages' focus areas, the questions'
    areas and benchmarks."""
    stages: BindParameter[int] = bindparam("stages", expanding=True)
    questions: BindParameter[int] = bindparam("questions", expanding=True)
    return union_all(
        select(LoopStageArea.stage_id, literal_column(str(_FOCUS)), LoopStageArea.area_id)
        .where(LoopStageArea.stage_id.in_(stages)),
        select(QuestionArea.question_id, literal_column(str(_AREA)), QuestionArea.area_id)
        .where(QuestionArea.question_id.in_(questions)),
        select(QuestionBenchmark.question_id, literal_column(str(_BENCHMARK)),
               QuestionBenchmark.benchmark_id)
        .where(QuestionBenchmark.question_id.in_(questions)))


def loop_page(session: Session, candidate: Candidate, areas: Sequence[CapabilityArea]
              ) -> PageLoop | None:
    """The candidate's loop (None: none yet), in three statements whatever its size (the
    third: every benchmark). ``areas``: every capability area, in their order."""
    rows = session.execute(_rows(), {"candidate_id": candidate.id}).all()
    if not rows:
        return None
    benchmarks = all_benchmarks(session)
    stage_ids = list(dict.fromkeys(r.stage_id for r in rows if r.stage_id is not None))
    question_ids = {r.question_id for r in rows if r.lq_id is not None} | {
        r.set_question_id for r in rows if r.set_question_id is not None}
    found: tuple[dict[int, list[int]], ...] = ({}, {}, {})
    if stage_ids:
        for owner, what, item in session.execute(
                _links(), {"stages": stage_ids, "questions": list(question_ids)}):
            found[what].setdefault(owner, []).append(item)
    area_of = {a.id: (n, a) for n, a in enumerate(areas)}
    bench_of = {b.id: (n, b) for n, b in enumerate(benchmarks)}

    def ordered(ids: list[int], known: dict[int, tuple[int, Any]]) -> list[Any]:
        return [item for _n, item in sorted(known[i] for i in ids)]

    titles = {r.question_id: r.title for r in rows if r.lq_id is not None} | {
        r.set_question_id: r.set_title for r in rows if r.set_question_id is not None}
    bank = {qid: Asked(qid, titles[qid], ordered(found[_AREA].get(qid, []), area_of),
                       ordered(found[_BENCHMARK].get(qid, []), bench_of))
            for qid in question_ids}
    stages: dict[int, PageStage] = {}
    for r in rows:
        if r.stage_id is None:
            continue
        stage = stages.get(r.stage_id)
        if stage is None:
            stage = stages[r.stage_id] = PageStage(
                r.stage_id, r.name, r.category, r.minutes, r.panel_size,
                ordered(found[_FOCUS].get(r.stage_id, []), area_of), [])
        if r.lq_id is not None:
            stage.questions.append(PageQuestion(
                r.lq_id, r.question_id, bank[r.question_id],
                None if r.set_question_id is None else bank[r.set_question_id],
                r.alternate_reason))
    first = rows[0]
    return PageLoop(first.id, first.level, first.coverage_gaps, first.number,
                    list(stages.values()), benchmarks)
