"""Building a candidate's loop from its level's template, and editing it. How questions
are chosen is in chooser.py."""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.interfaces import LoaderOption

from interviewloop import limits
from interviewloop.audit.service import Actor, record
from interviewloop.bank.models import CapabilityArea, Question
from interviewloop.bank.service import areas as all_areas
from interviewloop.bank.service import benchmarks as all_benchmarks
from interviewloop.db import utcnow
from interviewloop.enums import Category, Level
from interviewloop.errors import Conflict, DomainError, NotFound
from interviewloop.loops import sets
from interviewloop.loops.chooser import Chooser, Option, Shortfall, in_pool, shortfall
from interviewloop.loops.coverage import Coverage, check_coverage
from interviewloop.loops.models import (
    AlternateReason,
    Loop,
    LoopQuestion,
    LoopStage,
    LoopTemplate,
    LoopTemplateStage,
    QuestionSet,
)
from interviewloop.loops.page import Asked, PageLoop
from interviewloop.loops.signals import stage_removing, stages_changing
from interviewloop.requisitions.models import Candidate, Requisition
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


def _loop_options() -> list[LoaderOption]:
    """The loop with its stages and their questions; the bank questions those ask, and those
    the set asks in their place, are put in by _with_questions."""
    return [
        joinedload(Loop.question_set),
        selectinload(Loop.stages).selectinload(LoopStage.focus_areas),
        selectinload(Loop.stages).selectinload(LoopStage.questions),
    ]


def _with_questions(session: Session, loop: Loop, *, refresh: bool = False) -> Loop:
    """Each loop question's bank question and the set's, with their areas, benchmarks and
    levels: read together (4 statements, alternates or not; the set's question is most often the
    one asked, and the pair loaded apart read it twice)."""
    asked = [lq for stage in loop.stages for lq in stage.questions]
    ids = {lq.question_id for lq in asked} | {
        lq.set_question_id for lq in asked if lq.set_question_id is not None}
    found = {q.id: q for q in session.scalars(
        select(Question).where(Question.id.in_(ids))
        .options(selectinload(Question.areas), selectinload(Question.benchmarks),
                 selectinload(Question.level_rows))
        .execution_options(populate_existing=refresh))} if ids else {}
    for lq in asked:
        set_committed_value(lq, "question", found[lq.question_id])
        set_committed_value(lq, "set_question", None if lq.set_question_id is None
                            else found[lq.set_question_id])
    return loop


def loop_for(session: Session, candidate: Candidate) -> Loop | None:
    loop = session.scalar(select(Loop).where(Loop.candidate_id == candidate.id)
                          .options(*_loop_options()))
    if loop is None:
        return None
    set_committed_value(loop, "candidate", candidate)  # the one asked about: no need to read it
    return _with_questions(session, loop)


def coverage_of(session: Session, loop: Loop | PageLoop,
                areas: list[CapabilityArea] | None = None) -> Coverage:
    """``areas``: the capability areas, if the caller has read them already (a PageLoop
    has the benchmarks)."""
    return check_coverage(loop.stages, all_areas(session) if areas is None else areas,
                          loop.benchmarks if isinstance(loop, PageLoop) else all_benchmarks(session),
                          level=loop.level,
                          with_active=lambda wanted: with_active(session, loop.level, wanted))


def with_active(session: Session, level: Level, categories: Iterable[Category]) -> set[Category]:
    """Which of ``categories`` have an active question that suits ``level`` (what a stage can
    draw): one statement of an EXISTS per category, each stopping at the first such question,
    however large the bank (none for no categories)."""
    wanted = sorted(set(categories))
    if not wanted:
        return set()
    found = session.execute(select(*(
        exists().where(Question.category == category, *in_pool(level)) for category in wanted
    ))).one()
    return {category for category, has in zip(wanted, found, strict=True) if has}


# --- choosing questions -----------------------------------------------------------------------

def _chooser(session: Session, loop: Loop, candidate: Candidate, seed: int | None) -> Chooser:
    in_loop = [lq.question_id for s in loop.stages for lq in s.questions]
    return Chooser(session, loop.level, candidate, in_loop, _rng(seed))


def _rng(seed: int | None) -> random.Random:
    return random.Random(seed)  # noqa: S311 - spreading questions, not security


# --- building and editing ---------------------------------------------------------------------

def _refresh(session: Session, loop: Loop) -> Coverage:
    session.flush()
    candidate = loop.candidate
    session.scalars(select(Loop).where(Loop.id == loop.id).options(*_loop_options())
                    .execution_options(populate_existing=True)).one()
    set_committed_value(loop, "candidate", candidate)
    _with_questions(session, loop, refresh=True)
    coverage = coverage_of(session, loop)
    loop.coverage_gaps = coverage.gaps
    loop.updated_at = utcnow()  # its stages and questions changed (the API's updated_since)
    session.flush()
    return coverage


def _no_template(level: Level) -> Conflict:
    return Conflict(f"There is no {level.value} loop template; import the "
                    "question bank first (interviewloop import-questions).")


def require_template(session: Session, level: Level) -> LoopTemplate:
    template = template_for(session, level)
    if template is None:
        raise _no_template(level)
    return template


def _template_id(session: Session, level: Level) -> int:
    """The level's template, by id alone: a build from a set already fixed needs no more."""
    found = session.scalar(select(LoopTemplate.id).where(LoopTemplate.level == level))
    if found is None:
        raise _no_template(level)
    return found


class _Asks(NamedTuple):
    question: Asked


class _Planned(NamedTuple):
    """A stage about to be written, as the coverage check reads it (its place for its id)."""

    id: int
    name: str
    category: Category
    questions: list[_Asks]


def _planned_coverage(session: Session, level: Level, question_set: QuestionSet,
                      plan: list[list[sets.Slot]]) -> Coverage:
    """The coverage of the loop the plan makes, from the options it chose (their areas and
    benchmarks read already), before it is written: the gaps go in with the loop, with no
    reload of what was just written nor an update after."""
    areas, benchmarks = all_areas(session), all_benchmarks(session)
    area_of, bench_of = {a.id: a for a in areas}, {b.id: b for b in benchmarks}
    stages = [_Planned(stage.position, stage.name, stage.category, [
        _Asks(Asked(o.id, o.title, [area_of[a] for a in o.areas],
                    [bench_of[b] for b in o.benchmarks]))
        for o in (slot.option for slot in slots) if o is not None])
        for stage, slots in zip(question_set.stages, plan, strict=True)]
    return check_coverage(stages, areas, benchmarks, level=level,
                          with_active=lambda wanted: with_active(session, level, wanted))


def build_loop(session: Session, actor: Actor, requisition: Requisition, candidate: Candidate,
               *, seed: int | None = None) -> Loop:
    """The candidate's loop from the requisition's question set (fixed now if this is its
    first loop): the set's stages and questions, with an alternate where this candidate
    had a question elsewhere or one was retired since (sets.py)."""
    require_manage(actor.user, requisition)
    if not candidate.in_process:
        raise Conflict(f"This candidate is {candidate.status.value}; loops are built for "
                       "active candidates.")
    if session.scalar(select(Loop.id).where(Loop.candidate_id == candidate.id)) is not None:
        raise Conflict("This candidate already has a loop; edit it instead.")
    template_id = _template_id(session, requisition.level)
    question_set = sets.fix_set(session, actor, requisition,
                                lambda: require_template(session, requisition.level), seed=seed)
    plan = sets.plan_for(session, question_set, candidate, requisition.level)
    coverage = _planned_coverage(session, requisition.level, question_set, plan)
    # Written in one flush; the stages and questions are those given here (their bank
    # questions are not loaded: loop_for reads them).
    loop = Loop(candidate=candidate, level=requisition.level, template_id=template_id,
                question_set=question_set, coverage_gaps=coverage.gaps,
                stages=sets.loop_stages(question_set, plan))
    session.add(loop)
    session.flush()
    alternates = [{"set_question": s.set_question_id, "asked": s.question_id,
                   "reason": s.reason.value} for stage in plan for s in stage if s.reason]
    record(session, actor, "loop_built", loop, candidate_id=candidate.id, seed=seed,
           gaps=len(coverage.gaps), question_set=question_set.number, alternates=alternates)
    return loop


def _stage(loop: Loop, stage_id: int) -> LoopStage:
    stage = next((s for s in loop.stages if s.id == stage_id), None)
    if stage is None:
        raise NotFound("No such stage in this loop.")
    return stage


def _ensure_unscheduled(session: Session, *stages: LoopStage) -> None:
    """A stage's questions and place are settled once it is scheduled (scheduling says)."""
    stages_changing.send(session, stages=stages)


def swap_question(session: Session, actor: Actor, requisition: Requisition, loop: Loop,
                  loop_question_id: int, replacement_id: int | None = None, *,
                  seed: int | None = None) -> LoopQuestion:
    """Replace one question of a stage: by the one named, or by the best fit that keeps the
    loop's coverage (the builder's ranking among those that leave the fewest gaps)."""
    require_manage(actor.user, requisition)
    found = next(((s, lq) for s in loop.stages for lq in s.questions if lq.id == loop_question_id),
                 None)
    if found is None:
        raise NotFound("No such question in this loop.")
    stage, current = found
    _ensure_unscheduled(session, stage)
    chooser = _chooser(session, loop, loop.candidate, seed)
    if replacement_id is None:
        replacement = _best_fit(session, chooser, loop, stage, current)
    else:
        named = chooser.options([replacement_id]).get(replacement_id)
        if named is None or named.category != stage.category:
            raise InvalidLoopChange("That question is retired, of another category or does "
                                    "not suit this level.", "question_id")
        if not chooser.eligible(named):
            raise InvalidLoopChange("That question is already in this loop, or this candidate "
                                    "had it on another requisition.", "question_id")
        replacement = named
    before = current.question_id
    current.question_id = replacement.id
    # Where the loop now differs from the requisition's set, say why (kept: the reason it
    # had an alternate already; else the editor's change).
    if current.set_question_id is None or current.set_question_id == replacement.id:
        current.alternate_reason = None
    elif current.alternate_reason is None:
        current.alternate_reason = AlternateReason.EDITED
    _refresh(session, loop)
    record(session, actor, "loop_question_swapped", loop, stage_id=stage.id,
           from_question=before, to_question=replacement.id)
    return current


def _best_fit(session: Session, chooser: Chooser, loop: Loop, stage: LoopStage,
              current: LoopQuestion) -> Option:
    """The builder's first choice among those that leave the fewest gaps. Only a question
    probing an area short of stages or exercising a missing benchmark can leave fewer
    than the loop without ``current`` has; if none does, the builder's first choice."""
    focus = {a.id for a in stage.focus_areas}
    kept = [[lq.question_id for lq in s.questions if lq.id != current.id] for s in loop.stages]
    pool = chooser.options(qid for ids in kept for qid in ids)
    picks = [[pool[qid] for qid in ids if qid in pool] for ids in kept]
    areas, benches = {a.id for a in all_areas(session)}, {b.id for b in all_benchmarks(session)}
    index = loop.stages.index(stage)
    state = Shortfall(picks, areas, benches)
    gaps_with = {}
    for option in chooser.touching(stage.category, *state.missing()):
        if option.id != current.question_id and chooser.eligible(option):
            trial = [list(p) for p in picks]
            trial[index].append(option)
            gaps_with[option.id] = shortfall(trial, areas, benches)
    fewest = min(gaps_with.values(), default=state.total)
    among = [qid for qid, gaps in gaps_with.items() if gaps == fewest] \
        if fewest < state.total else None
    ranked = chooser.ranked(stage.category, focus, exclude={current.question_id}, limit=1,
                            among=among)
    if not ranked:
        raise Conflict("The bank has no other question that fits this stage.")
    return ranked[0]


ALTERNATIVES_SHOWN = 15


def alternatives(session: Session, loop: Loop, stage: LoopStage) -> list[Option]:
    """The best-fitting questions that could replace one of the stage's own (the swap
    picker, read when it is opened): the builder's ranking, cut to a list a person can
    read."""
    chooser = _chooser(session, loop, loop.candidate, 0)
    return chooser.ranked(stage.category, {a.id for a in stage.focus_areas},
                          limit=ALTERNATIVES_SHOWN)


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
    if len(name) not in limits.STAGE_NAME:
        raise InvalidLoopChange(f"A stage name is 1 to {limits.STAGE_NAME.high} characters.",
                                "name")
    try:
        category = Category(data.category)
    except ValueError:
        raise InvalidLoopChange("Choose a question category.", "category") from None
    minutes, count = limits.STAGE_MINUTES, limits.QUESTIONS_PER_STAGE
    if data.minutes not in minutes:
        raise InvalidLoopChange(f"A stage lasts {minutes.low} to {minutes.high} minutes.",
                                "minutes")
    if data.question_count not in count:
        raise InvalidLoopChange(f"A stage has {count.low} to {count.high} questions.",
                                "question_count")
    by_slug = {a.slug: a for a in all_areas(session)}
    if not data.focus or any(slug not in by_slug for slug in data.focus):
        raise InvalidLoopChange("Choose one or more known capability areas.", "focus")
    focus = [by_slug[slug] for slug in dict.fromkeys(data.focus)]  # a slug twice: once
    chooser = _chooser(session, loop, loop.candidate, seed)
    picked = chooser.pick(category, {a.id for a in focus}, data.question_count)
    stage = LoopStage(position=len(loop.stages), name=name, category=category,
                      minutes=data.minutes, focus_areas=focus,
                      questions=[LoopQuestion(question_id=o.id, position=n)
                                 for n, o in enumerate(picked)])
    loop.stages.append(stage)
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
    stage_removing.send(session, stage=stage)
    loop.stages.remove(stage)
    session.flush()
    _renumber(session, list(loop.stages))
    _refresh(session, loop)
    record(session, actor, "loop_stage_removed", loop, stage=stage.name)


def set_panel_size(session: Session, actor: Actor, requisition: Requisition, loop: Loop,
                   stage_id: int, panel_size: int | None) -> LoopStage:
    """How many interviewers the stage's panel needs from now on (proposals find that many;
    a booking or reschedule with fewer is refused). None: what was sent was not a number."""
    require_manage(actor.user, requisition)
    stage = _stage(loop, stage_id)
    span = limits.PANEL_SIZE
    if panel_size is None or panel_size not in span:
        raise InvalidLoopChange(f"A stage's panel needs {span.low} to {span.high} interviewers.",
                                "panel_size")
    if panel_size != stage.panel_size:
        record(session, actor, "loop_stage_panel_sized", loop, stage=stage.name,
               panel_size=[stage.panel_size, panel_size])
        stage.panel_size = panel_size
        session.flush()
    return stage


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
