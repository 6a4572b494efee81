"""A requisition's question set: every candidate on it is asked the same questions, stage by
stage, so that their answers can be compared (the first rule of a structured interview).

Version 1 is fixed from the level's template and the coverage rules when the requisition's
first loop is built (or when an editor fixes it ahead). A candidate gets the set, except an
alternate where they already had a question elsewhere (chooser.had_elsewhere) or where a
question was retired since. An editor's revision adds the next version, for loops built
after it; loops already built keep the version they were built from."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import Select, bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload

from interviewloop import limits
from interviewloop.audit.service import Actor, record
from interviewloop.bank.models import Question
from interviewloop.bank.service import areas as all_areas
from interviewloop.bank.service import benchmarks as all_benchmarks
from interviewloop.db import plain_rows
from interviewloop.enums import Level
from interviewloop.errors import Conflict, DomainError, NotFound
from interviewloop.loops import comparison
from interviewloop.loops.chooser import Chooser, Option, options_for, repair
from interviewloop.loops.models import (
    AlternateReason,
    Loop,
    LoopQuestion,
    LoopStage,
    LoopTemplate,
    QuestionSet,
    QuestionSetQuestion,
    QuestionSetStage,
)
from interviewloop.requisitions.models import Candidate, Requisition
from interviewloop.requisitions.service import require_manage

FIXED_REASON = "Fixed from the {level} loop template when the first loop was built."
ALTERNATIVES_SHOWN = 15


class InvalidSetRevision(DomainError):
    status_code = 422

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class StaleSet(Conflict):
    def __init__(self) -> None:
        super().__init__("Someone else revised this question set while you were looking at "
                         "it. Check the current version below and revise it again.")


def _rng(seed: int | None) -> random.Random:
    return random.Random(seed)  # noqa: S311 - spreading questions, not security


_SET_OPTIONS = (
    selectinload(QuestionSet.stages).selectinload(QuestionSetStage.questions)
    .selectinload(QuestionSetQuestion.question),
    selectinload(QuestionSet.stages).selectinload(QuestionSetStage.focus_areas),
)
# The current set's users (builds, revisions, fixing) read its question ids, not the bank
# questions (a build's plan reads what it needs of those); its stages and their questions
# joined to it (a few dozen rows), their focus areas apart: two statements.
_CURRENT_OPTIONS = (
    joinedload(QuestionSet.stages).options(joinedload(QuestionSetStage.questions),
                                           selectinload(QuestionSetStage.focus_areas)),
)


def current_set(session: Session, requisition: Requisition) -> QuestionSet | None:
    """The newest version, with its stages and their question ids."""
    return session.scalars(select(QuestionSet).where(QuestionSet.requisition_id == requisition.id)
                           .order_by(QuestionSet.number.desc()).limit(1)
                           .options(*_CURRENT_OPTIONS)).unique().one_or_none()


def set_versions(session: Session, requisition: Requisition) -> list[QuestionSet]:
    """Every version, newest first, with who made it (the set's history)."""
    return list(session.scalars(
        select(QuestionSet).where(QuestionSet.requisition_id == requisition.id)
        .order_by(QuestionSet.number.desc())
        .options(*_SET_OPTIONS, selectinload(QuestionSet.created_by))))


# --- fixing version 1 -------------------------------------------------------------------------

def _draft_first(session: Session, requisition: Requisition, template: LoopTemplate,
                 seed: int | None) -> QuestionSet:
    """Per template stage, the best-fitting least-used questions (spread across
    requisitions), then the coverage repair pass; nobody's history counts here."""
    chooser = Chooser(session, requisition.level, None, (), _rng(seed))
    focus = [{a.id for a in t.focus_areas} for t in template.stages]
    picks = [chooser.pick(t.category, focus[i], t.question_count)
             for i, t in enumerate(template.stages)]
    repair(picks, [t.category for t in template.stages], focus, chooser,
           {a.id for a in all_areas(session)}, {b.id for b in all_benchmarks(session)})
    return QuestionSet(
        requisition_id=requisition.id, number=1, template_id=template.id,
        reason=FIXED_REASON.format(level=requisition.level.value), stages=[
            QuestionSetStage(position=position, name=t.name, category=t.category,
                             minutes=t.minutes, panel_size=t.panel_size,
                             focus_areas=list(t.focus_areas),
                             questions=[QuestionSetQuestion(position=n, question_id=o.id)
                                        for n, o in enumerate(options)])
            for position, (t, options) in enumerate(zip(template.stages, picks, strict=True))])


def fix_set(session: Session, actor: Actor, requisition: Requisition,
            template: LoopTemplate | Callable[[], LoopTemplate], *, seed: int | None = None
            ) -> QuestionSet:
    """The requisition's current set; version 1, made now, if it has none. Two builds at
    once both find none and both try: UNIQUE(requisition_id, number) lets one in, and the
    other takes the winner's set. ``template``: or what reads it, called only if the set
    is drafted (a build from a set already fixed needs none of it)."""
    require_manage(actor.user, requisition)
    existing = current_set(session, requisition)
    if existing is not None:
        return existing
    if callable(template):
        template = template()
    question_set = _draft_first(session, requisition, template, seed)
    try:
        with session.begin_nested():
            session.add(question_set)
            session.flush()
    except IntegrityError:
        winner = current_set(session, requisition)
        if winner is None:  # another constraint failed: not the race
            raise
        return winner
    record(session, actor, "question_set_fixed", question_set, requisition_id=requisition.id,
           number=1, questions=_question_ids(question_set))
    return question_set


def _question_ids(question_set: QuestionSet) -> list[list[int]]:
    return [[q.question_id for q in stage.questions] for stage in question_set.stages]


# --- a candidate's questions --------------------------------------------------------------------

@dataclass(frozen=True)
class Slot:
    set_question_id: int
    question_id: int | None  # None: an alternate was needed and the bank has none
    reason: AlternateReason | None
    option: Option | None  # what is asked, with its areas and benchmarks (the coverage's)


def plan_for(session: Session, question_set: QuestionSet, candidate: Candidate, level: Level
             ) -> list[list[Slot]]:
    """Per set stage, what this candidate is asked: the set's questions, or alternates."""
    chooser = Chooser(session, level, candidate, (), _rng(0))
    pool = chooser.options(_flat(question_set))
    slots: list[list[Slot | None]] = []
    needed: list[tuple[int, int, int, AlternateReason]] = []
    for i, stage in enumerate(question_set.stages):  # the set's own questions first
        slots.append([])
        for j, item in enumerate(stage.questions):
            option = pool.get(item.question_id)
            if option is not None and chooser.eligible(option):
                chooser.take(option)
                slots[i].append(Slot(item.question_id, item.question_id, None, option))
                continue
            reason = AlternateReason.HAD_ELSEWHERE if item.question_id in chooser.had_before \
                else AlternateReason.RETIRED
            slots[i].append(None)
            needed.append((i, j, item.question_id, reason))
    originals = options_for(session, [qid for *_, qid, _r in needed]) if needed else {}
    for i, j, question_id, reason in needed:
        alternate = chooser.alternate_for(originals[question_id])
        if alternate is not None:
            chooser.take(alternate)
        slots[i][j] = Slot(question_id, alternate.id if alternate else None, reason, alternate)
    return [[s for s in stage if s is not None] for stage in slots]


def loop_stages(question_set: QuestionSet, plan: list[list[Slot]]) -> list[LoopStage]:
    return [LoopStage(position=stage.position, name=stage.name, category=stage.category,
                      minutes=stage.minutes, panel_size=stage.panel_size,
                      focus_areas=list(stage.focus_areas),
                      questions=[LoopQuestion(question_id=s.question_id, position=n,
                                              set_question_id=s.set_question_id,
                                              alternate_reason=s.reason)
                                 for n, s in enumerate(x for x in slots
                                                       if x.question_id is not None)])
            for stage, slots in zip(question_set.stages, plan, strict=True)]


# --- revising -----------------------------------------------------------------------------------

@dataclass
class Revision:
    stage_position: int
    question_id: int  # the set's question to replace
    replacement_id: int | None
    reason: str
    seen_number: int  # the version the editor was looking at


def alternatives(session: Session, question_set: QuestionSet, level: Level
                 ) -> dict[int, list[Option]]:
    """Per set stage, the questions that could replace one of its own (the picker)."""
    chooser = Chooser(session, level, None, _flat(question_set), _rng(0))
    return {stage.position: chooser.ranked(stage.category, {a.id for a in stage.focus_areas},
                                           limit=ALTERNATIVES_SHOWN)
            for stage in question_set.stages}


def _flat(question_set: QuestionSet) -> list[int]:
    return [q.question_id for stage in question_set.stages for q in stage.questions]


def revise_set(session: Session, actor: Actor, requisition: Requisition, change: Revision
               ) -> QuestionSet:
    """Replace one question of the set: a new version, for candidates whose loops are
    built from now on (recorded in the audit log and kept in the set's history)."""
    require_manage(actor.user, requisition)
    current = current_set(session, requisition)
    if current is None:
        raise Conflict("This requisition has no question set yet: it is fixed when the "
                       "first loop is built (or fix it now).")
    if change.seen_number != current.number:
        raise StaleSet()
    reason = change.reason.strip()
    if len(reason) not in limits.SET_REVISION_REASON:
        raise InvalidSetRevision(f"Say why, in 1 to {limits.SET_REVISION_REASON.high} "
                                 "characters: the history keeps it.", "reason")
    stage = next((s for s in current.stages if s.position == change.stage_position), None)
    if stage is None or change.question_id not in [q.question_id for q in stage.questions]:
        raise NotFound("No such question in this stage of the set.")
    if change.replacement_id is None:
        raise InvalidSetRevision("Choose the question to ask instead.", "replacement_id")
    chooser = Chooser(session, requisition.level, None, _flat(current), _rng(0))
    replacement = chooser.options([change.replacement_id]).get(change.replacement_id)
    if replacement is None or replacement.category != stage.category:
        raise InvalidSetRevision("That question is retired, of another category or does not "
                                 "suit this level.", "replacement_id")
    if not chooser.eligible(replacement):
        raise InvalidSetRevision("That question is already in the set.", "replacement_id")
    revised = QuestionSet(
        requisition_id=requisition.id, number=current.number + 1,
        template_id=current.template_id, created_by_id=actor.person.id, reason=reason, stages=[
            QuestionSetStage(position=s.position, name=s.name, category=s.category,
                             minutes=s.minutes, panel_size=s.panel_size,
                             focus_areas=list(s.focus_areas), questions=[
                                 QuestionSetQuestion(position=q.position, question_id=(
                                     replacement.id if s is stage and q.question_id ==
                                     change.question_id else q.question_id))
                                 for q in s.questions])
            for s in current.stages])
    try:
        with session.begin_nested():
            session.add(revised)
            session.flush()
    except IntegrityError:  # another revision took this number a moment ago
        raise StaleSet() from None
    record(session, actor, "question_set_revised", revised, requisition_id=requisition.id,
           number=revised.number, stage=stage.name, from_question=change.question_id,
           to_question=replacement.id, reason=reason)
    return revised


# --- like with like (the debrief's note) ------------------------------------------------------

REASON_TEXT = {
    AlternateReason.HAD_ELSEWHERE: "this candidate had a question of the set on another "
                                   "requisition and was asked an alternate",
    AlternateReason.RETIRED: "a question of the set was retired since, and this candidate was "
                             "asked an alternate",
    AlternateReason.EDITED: "an editor changed this candidate's questions",
}


@dataclass(frozen=True)
class StageDifference:
    stage: str
    differing: int  # other candidates (with a loop) asked other questions in this stage
    others: int  # other candidates with a loop
    why: list[str]


class DebriefLoop(NamedTuple):
    """What the debrief shows of a candidate's loop, without loading the loop."""

    gaps: list[str]  # its coverage gaps
    titles: dict[int, str]  # loop question id -> the bank question's title (question notes)
    differences: list[StageDifference]


@cache
def _debrief_loop_query() -> Select[Any]:
    """The candidate's loop as comparison.loop_rows reads it (a row per stage question, one
    per stage without questions), with each question's title, the loop's gaps and the
    requisition's loop revision token; a loop without stages is one row."""
    return (select(Loop.coverage_gaps, LoopQuestion.id, Question.title, Loop.id,
                   QuestionSet.number, LoopStage.name, LoopQuestion.question_id,
                   LoopQuestion.alternate_reason, LoopStage.position,
                   comparison.token_of(bindparam("requisition_id")))
            .outerjoin(LoopStage, LoopStage.loop_id == Loop.id)
            .outerjoin(LoopQuestion, LoopQuestion.stage_id == LoopStage.id)
            .outerjoin(Question, Question.id == LoopQuestion.question_id)
            .outerjoin(QuestionSet, QuestionSet.id == Loop.question_set_id)
            .where(Loop.candidate_id == bindparam("candidate_id")))


def debrief_loop(session: Session, requisition: Requisition, candidate: Candidate
                 ) -> DebriefLoop | None:
    """The candidate's loop for the debrief (None: no loop), in one statement whatever its
    size; the other loops come from the requisition's census at the token read with it."""
    rows = plain_rows(session, _debrief_loop_query(), {"requisition_id": requisition.id,
                                                       "candidate_id": candidate.id})
    if not rows:
        return None
    gaps, _q, _t, *_row, token = rows[0]
    loop_rows = [comparison.LoopRow(*row[3:9]) for row in rows if row[5] is not None]
    return DebriefLoop(list(gaps or []), {row[1]: row[2] for row in rows if row[1] is not None},
                       _differences(session, requisition, loop_rows, token))


def differences(session: Session, requisition: Requisition, candidate: Candidate
                ) -> list[StageDifference]:
    """The stages of this candidate's loop where other candidates on the requisition were
    asked other questions, with what explains it."""
    found = debrief_loop(session, requisition, candidate)
    return found.differences if found else []


def _differences(session: Session, requisition: Requisition,
                 rows: list[comparison.LoopRow], token: int | None) -> list[StageDifference]:
    """This candidate's loop (``rows``), then the others from the requisition's census
    (comparison.py: counted once per change to its loops, kept by ``token``)."""
    if not rows:
        return []
    mine = comparison.count(rows)
    my_reasons: dict[str, set[AlternateReason]] = defaultdict(set)
    order: dict[str, int] = {}
    for row in rows:
        if row.alternate_reason is not None:
            my_reasons[row.stage].add(row.alternate_reason)
        order[row.stage] = row.position
    [my_version] = mine.loops
    others = comparison.census_at(session, requisition.id, token).without(mine)
    if not sum(others.loops.values()):
        return []
    found = []
    for name in sorted(mine.stages, key=order.__getitem__):
        [asked] = (shape.questions for shape in mine.stages[name])
        present: dict[int | None, int] = defaultdict(int)
        unlike: dict[int | None, int] = defaultdict(int)
        alternates = 0
        for shape, n in others.stages.get(name, {}).items():
            present[shape.version] += n
            if shape.questions != asked:
                unlike[shape.version] += n
                alternates += n if shape.with_alternates else 0
        missing = {v: n - present[v] for v, n in others.loops.items() if n > present[v]}
        differing = sum(unlike.values()) + sum(missing.values())
        if not differing:
            continue
        why = [REASON_TEXT[r] for r in sorted(my_reasons[name])]
        if alternates:
            why.append(f"{alternates} other candidate{'s were' if alternates != 1 else ' was'} "
                       "asked alternates or edited questions")
        numbers = {my_version, *unlike, *missing}
        if len(numbers) > 1:
            named = ", ".join(f"version {n}" if n else "no set" for n in
                              sorted(numbers, key=lambda n: n or 0))
            why.append(f"the requisition's set was revised: these loops come from {named}")
        if missing:
            lacking = sum(missing.values())
            why.append(f"{lacking} other loop{'s have' if lacking != 1 else ' has'} no such "
                       "stage")
        found.append(StageDifference(name, differing, sum(others.loops.values()), why))
    return found
