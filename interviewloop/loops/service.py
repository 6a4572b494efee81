"""Building a candidate's loop from its level's template, and editing it.

Question choice, per stage: active questions of the stage's category that suit the level;
never one already in this loop, nor one this person had on another requisition; those
probing a focus area of the stage first, then the least used across all loops (spread
over the bank), then those exercising benchmark questions the loop still lacks; ties
broken by a seeded random draw (deterministic under a fixed seed).

A new loop then gets a repair pass: while the coverage check finds gaps, swap in the
question that closes most of them (least used first among equals).
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from interviewloop.audit.service import Actor, record
from interviewloop.bank.models import CapabilityArea, Question, QuestionLevel
from interviewloop.bank.service import areas as all_areas
from interviewloop.bank.service import benchmarks as all_benchmarks
from interviewloop.enums import Category, Level
from interviewloop.errors import Conflict, DomainError, NotFound
from interviewloop.loops.coverage import MIN_STAGES_PER_AREA, Coverage, check_coverage
from interviewloop.loops.models import Loop, LoopQuestion, LoopStage, LoopTemplate, LoopTemplateStage
from interviewloop.requisitions.models import Candidate, CandidateStatus, Requisition
from interviewloop.requisitions.service import require_manage


class InvalidLoopChange(DomainError):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass
class StageInput:
    name: str
    category: str
    minutes: int
    question_count: int
    focus: list[str]


# --- loading ----------------------------------------------------------------------------------

_TEMPLATE_OPTIONS = selectinload(LoopTemplate.stages).selectinload(LoopTemplateStage.focus_areas)


def template_for(session: Session, level: Level) -> LoopTemplate | None:
    return session.scalar(select(LoopTemplate).where(LoopTemplate.level == level)
                          .options(_TEMPLATE_OPTIONS))


def templates(session: Session) -> list[LoopTemplate]:
    order = {lv: i for i, lv in enumerate(Level)}
    found = session.scalars(select(LoopTemplate).options(_TEMPLATE_OPTIONS)).all()
    return sorted(found, key=lambda t: order[t.level])


def _loop_options():
    questions = selectinload(Loop.stages).selectinload(LoopStage.questions)
    question = questions.selectinload(LoopQuestion.question)
    return [
        selectinload(Loop.candidate),
        selectinload(Loop.stages).selectinload(LoopStage.focus_areas),
        question.selectinload(Question.areas),
        question.selectinload(Question.benchmarks),
        question.selectinload(Question.level_rows),
    ]


def loop_for(session: Session, candidate: Candidate) -> Loop | None:
    return session.scalar(select(Loop).where(Loop.candidate_id == candidate.id)
                          .options(*_loop_options()))


def coverage_of(session: Session, loop: Loop) -> Coverage:
    return check_coverage(list(loop.stages), all_areas(session), all_benchmarks(session))


# --- choosing questions -----------------------------------------------------------------------

class _Chooser:
    def __init__(self, session: Session, loop: Loop, candidate: Candidate,
                 rng: random.Random) -> None:
        self.rng = rng
        self.level = loop.level
        self.in_loop = {lq.question_id for s in loop.stages for lq in s.questions}
        self.had_before = set(session.scalars(
            select(LoopQuestion.question_id).join(Loop, Loop.id == LoopQuestion.loop_id)
            .join(Candidate, Candidate.id == Loop.candidate_id)
            .where(Candidate.email == candidate.email,
                   Candidate.requisition_id != candidate.requisition_id)))
        self.usage = dict(session.execute(
            select(LoopQuestion.question_id, func.count()).group_by(LoopQuestion.question_id)
        ).all())
        pool = session.scalars(
            select(Question).where(
                Question.retired_at.is_(None),
                Question.id.in_(select(QuestionLevel.question_id)
                                .where(QuestionLevel.level == self.level)))
            .options(selectinload(Question.areas), selectinload(Question.benchmarks))
            .order_by(Question.id)
        ).all()
        self.by_category: dict[Category, list[Question]] = {}
        for question in pool:
            self.by_category.setdefault(question.category, []).append(question)
        self.benchmarks_in_loop = {b.id for s in loop.stages for lq in s.questions
                                   for b in lq.question.benchmarks}

    def eligible(self, question: Question) -> bool:
        return question.id not in self.in_loop and question.id not in self.had_before

    def pick(self, category: Category, focus: Iterable[CapabilityArea], count: int,
             exclude: Iterable[int] = ()) -> list[Question]:
        focus_ids = {a.id for a in focus}
        excluded = set(exclude)
        picked: list[Question] = []
        for _ in range(count):
            options = [q for q in self.by_category.get(category, [])
                       if self.eligible(q) and q.id not in excluded]
            if not options:
                break
            draw = {q.id: self.rng.random() for q in options}
            best = min(options, key=lambda q: (
                not focus_ids.intersection(a.id for a in q.areas),
                self.usage.get(q.id, 0),
                -len({b.id for b in q.benchmarks} - self.benchmarks_in_loop),
                draw[q.id],
            ))
            picked.append(best)
            self.take(best)
        return picked

    def take(self, question: Question) -> None:
        self.in_loop.add(question.id)
        self.usage[question.id] = self.usage.get(question.id, 0) + 1
        self.benchmarks_in_loop.update(b.id for b in question.benchmarks)

    def release(self, question: Question) -> None:
        self.in_loop.discard(question.id)
        self.usage[question.id] = self.usage.get(question.id, 1) - 1


def _shortfall(stages: list[list[Question]], area_ids: set[int], bench_ids: set[int]) -> int:
    """How far a set of stage picks is from passing the coverage check (0: it passes)."""
    per_area = dict.fromkeys(area_ids, 0)
    exercised: set[int] = set()
    for questions in stages:
        probed = {a.id for q in questions for a in q.areas}
        for area_id in probed & area_ids:
            per_area[area_id] += 1
        exercised.update(b.id for q in questions for b in q.benchmarks)
    return sum(max(0, MIN_STAGES_PER_AREA - n) for n in per_area.values()) + len(
        bench_ids - exercised)


def _repair(loop: Loop, chooser: _Chooser, area_ids: set[int], bench_ids: set[int]) -> None:
    picks = [[lq.question for lq in stage.questions] for stage in loop.stages]
    current = _shortfall(picks, area_ids, bench_ids)
    for _ in range(20):  # each round closes at least one unit of shortfall
        if current == 0:
            return
        best = None
        for i, stage in enumerate(loop.stages):
            focus = {a.id for a in stage.focus_areas}
            for j, loop_question in enumerate(stage.questions):
                for option in chooser.by_category.get(stage.category, []):
                    if not chooser.eligible(option):
                        continue
                    trial = [list(p) for p in picks]
                    trial[i][j] = option
                    score = _shortfall(trial, area_ids, bench_ids)
                    if score < current:
                        key = (score, not focus.intersection(a.id for a in option.areas),
                               chooser.usage.get(option.id, 0), option.id)
                        if best is None or key < best[0]:
                            best = (key, i, j, loop_question, option)
        if best is None:
            return
        (score, *_), i, j, loop_question, option = best
        chooser.release(loop_question.question)
        chooser.take(option)
        loop_question.question = option
        picks[i][j] = option
        current = score


def _rng(seed: int | None) -> random.Random:
    return random.Random(seed)  # noqa: S311 - spreading questions, not security


# --- building and editing ---------------------------------------------------------------------

def _refresh(session: Session, loop: Loop) -> Coverage:
    session.flush()
    coverage = coverage_of(session, loop)
    loop.coverage_gaps = coverage.gaps
    session.flush()
    return coverage


def build_loop(session: Session, actor: Actor, requisition: Requisition, candidate: Candidate,
               *, seed: int | None = None) -> Loop:
    require_manage(actor.user, requisition)
    if candidate.status != CandidateStatus.ACTIVE:
        raise Conflict(f"This candidate is {candidate.status.value}; loops are built for "
                       "active candidates.")
    if session.scalar(select(Loop.id).where(Loop.candidate_id == candidate.id)) is not None:
        raise Conflict("This candidate already has a loop; edit it instead.")
    template = template_for(session, requisition.level)
    if template is None:
        raise Conflict(f"There is no {requisition.level.value} loop template; import the "
                       "question bank first (interviewloop import-questions).")
    loop = Loop(candidate=candidate, level=requisition.level, template_id=template.id,
                stages=[])
    session.add(loop)
    chooser = _Chooser(session, loop, candidate, _rng(seed))
    for position, tstage in enumerate(template.stages):
        stage = LoopStage(position=position, name=tstage.name, category=tstage.category,
                          minutes=tstage.minutes, focus_areas=list(tstage.focus_areas),
                          questions=[])
        loop.stages.append(stage)
        for n, question in enumerate(chooser.pick(tstage.category, tstage.focus_areas,
                                                  tstage.question_count)):
            stage.questions.append(LoopQuestion(question=question, position=n))
    _repair(loop, chooser, {a.id for a in all_areas(session)},
            {b.id for b in all_benchmarks(session)})
    session.flush()
    coverage = _refresh(session, loop)
    record(session, actor, "loop_built", loop, candidate_id=candidate.id, seed=seed,
           gaps=len(coverage.gaps))
    return loop


def _stage(loop: Loop, stage_id: int) -> LoopStage:
    stage = next((s for s in loop.stages if s.id == stage_id), None)
    if stage is None:
        raise NotFound("No such stage in this loop.")
    return stage


def _ensure_unscheduled(session: Session, *stages: LoopStage) -> None:
    """A stage's questions and place are settled once it is scheduled."""
    from interviewloop.scheduling.models import Interview, InterviewStatus

    ids = [s.id for s in stages]
    scheduled = session.scalar(select(Interview.stage_id).where(
        Interview.stage_id.in_(ids), Interview.status == InterviewStatus.SCHEDULED).limit(1))
    if scheduled is not None:
        name = next(s.name for s in stages if s.id == scheduled)
        raise Conflict(f"The stage {name!r} is scheduled; cancel its interview before "
                       "changing it.")


def swap_question(session: Session, actor: Actor, requisition: Requisition, loop: Loop,
                  loop_question_id: int, replacement_id: int | None = None, *,
                  seed: int | None = None) -> LoopQuestion:
    """Replace one question of a stage: by the one named, or by the builder's next choice."""
    require_manage(actor.user, requisition)
    found = next(((s, lq) for s in loop.stages for lq in s.questions if lq.id == loop_question_id),
                 None)
    if found is None:
        raise NotFound("No such question in this loop.")
    stage, current = found
    _ensure_unscheduled(session, stage)
    chooser = _Chooser(session, loop, loop.candidate, _rng(seed))
    if replacement_id is None:
        picked = chooser.pick(stage.category, stage.focus_areas, 1, exclude={current.question_id})
        if not picked:
            raise Conflict("The bank has no other question that fits this stage.")
        replacement = picked[0]
    else:
        replacement = next((q for q in chooser.by_category.get(stage.category, [])
                            if q.id == replacement_id), None)
        if replacement is None:
            raise InvalidLoopChange("That question is retired, of another category or does "
                                    "not suit this level.", "question_id")
        if not chooser.eligible(replacement):
            raise InvalidLoopChange("That question is already in this loop, or this candidate "
                                    "had it on another requisition.", "question_id")
    before = current.question_id
    current.question = replacement
    _refresh(session, loop)
    record(session, actor, "loop_question_swapped", loop, stage_id=stage.id,
           from_question=before, to_question=replacement.id)
    return current


def alternatives(session: Session, loop: Loop) -> dict[int, list[Question]]:
    """Per stage, the questions that could replace one of its own (the swap picker)."""
    chooser = _Chooser(session, loop, loop.candidate, _rng(0))
    return {stage.id: sorted((q for q in chooser.by_category.get(stage.category, [])
                              if chooser.eligible(q)), key=lambda q: q.title)
            for stage in loop.stages}


def _renumber(session: Session, stages: list[LoopStage]) -> None:
    # Two steps, so that UNIQUE(loop_id, position) holds after every statement.
    for offset, stage in enumerate(stages):
        stage.position = 10_000 + offset
    session.flush()
    for position, stage in enumerate(stages):
        stage.position = position
    session.flush()


def add_stage(session: Session, actor: Actor, requisition: Requisition, loop: Loop,
              data: StageInput, *, seed: int | None = None) -> LoopStage:
    require_manage(actor.user, requisition)
    name = data.name.strip()
    if not 1 <= len(name) <= 80:
        raise InvalidLoopChange("A stage name is 1 to 80 characters.", "name")
    try:
        category = Category(data.category)
    except ValueError:
        raise InvalidLoopChange("Choose a question category.", "category") from None
    if not 5 <= data.minutes <= 240:
        raise InvalidLoopChange("A stage lasts 5 to 240 minutes.", "minutes")
    if not 1 <= data.question_count <= 5:
        raise InvalidLoopChange("A stage has 1 to 5 questions.", "question_count")
    by_slug = {a.slug: a for a in all_areas(session)}
    if not data.focus or any(slug not in by_slug for slug in data.focus):
        raise InvalidLoopChange("Choose one or more known capability areas.", "focus")
    focus = [by_slug[slug] for slug in data.focus]
    chooser = _Chooser(session, loop, loop.candidate, _rng(seed))
    stage = LoopStage(position=len(loop.stages), name=name, category=category,
                      minutes=data.minutes, focus_areas=focus, questions=[])
    loop.stages.append(stage)
    for n, question in enumerate(chooser.pick(category, focus, data.question_count)):
        stage.questions.append(LoopQuestion(question=question, position=n))
    _refresh(session, loop)
    record(session, actor, "loop_stage_added", loop, stage=name)
    return stage


def remove_stage(session: Session, actor: Actor, requisition: Requisition, loop: Loop,
                 stage_id: int) -> None:
    require_manage(actor.user, requisition)
    stage = _stage(loop, stage_id)
    _ensure_unscheduled(session, stage)
    if len(loop.stages) == 1:
        raise Conflict("A loop keeps at least one stage.")
    loop.stages.remove(stage)
    session.flush()
    _renumber(session, list(loop.stages))
    _refresh(session, loop)
    record(session, actor, "loop_stage_removed", loop, stage=stage.name)


def move_stage(session: Session, actor: Actor, requisition: Requisition, loop: Loop,
               stage_id: int, direction: str) -> None:
    require_manage(actor.user, requisition)
    stage = _stage(loop, stage_id)
    stages = list(loop.stages)
    index = stages.index(stage)
    target = index - 1 if direction == "up" else index + 1 if direction == "down" else None
    if target is None:
        raise InvalidLoopChange("Move a stage up or down.", "direction")
    if not 0 <= target < len(stages):
        raise Conflict("The stage is already at that end of the loop.")
    _ensure_unscheduled(session, stage, stages[target])
    stages[index], stages[target] = stages[target], stages[index]
    _renumber(session, stages)
    loop.stages.sort(key=lambda s: s.position)
    _refresh(session, loop)
    record(session, actor, "loop_stage_moved", loop, stage=stage.name, direction=direction)
