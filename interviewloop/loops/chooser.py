"""Choosing questions for a loop's stages.

Per stage: active questions of the stage's category that suit the level; never one already
in this loop, nor one this person had on another requisition; those probing a focus area
of the stage first, then the least used across all loops (spread over the bank), then
those exercising benchmark questions the loop still lacks; ties broken by a seeded random
draw (deterministic under a fixed seed). A new loop then gets a repair pass: while the
coverage check finds gaps, swap in the question that closes most of them.

The pool is read as plain rows (id, category, title, areas, benchmarks) in a fixed number
of queries, however large the bank: no ORM objects for thousands of questions.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from interviewloop.bank.models import Question, QuestionArea, QuestionBenchmark, QuestionLevel
from interviewloop.enums import Category, Level
from interviewloop.loops.coverage import MIN_STAGES_PER_AREA
from interviewloop.loops.models import Loop, LoopQuestion
from interviewloop.requisitions.models import Candidate


@dataclass(frozen=True)
class Option:
    id: int
    category: Category
    title: str
    areas: frozenset[int]
    benchmarks: frozenset[int]


def had_elsewhere(session: Session, candidate: Candidate) -> set[int]:
    """The questions this person had before "elsewhere": in a loop of theirs on another
    requisition (a person is a candidate once per requisition, known across requisitions
    by their email address, which is stored lower-cased), whatever came of it."""
    return set(session.scalars(
        select(LoopQuestion.question_id).join(Loop, Loop.id == LoopQuestion.loop_id)
        .join(Candidate, Candidate.id == Loop.candidate_id)
        .where(Candidate.email == candidate.email,
               Candidate.requisition_id != candidate.requisition_id)))


class Chooser:
    """``candidate`` None: choosing for a requisition's question set, which no one's
    history shapes (a candidate who had one of its questions gets an alternate)."""

    def __init__(self, session: Session, level: Level, candidate: Candidate | None,
                 in_loop: Iterable[int], rng: random.Random) -> None:
        self.rng = rng
        self.in_loop = set(in_loop)
        self.had_before = had_elsewhere(session, candidate) if candidate is not None else set()
        self.usage = dict(session.execute(
            select(LoopQuestion.question_id, func.count()).group_by(LoopQuestion.question_id)
        ).all())
        pool_ids = (select(Question.id).where(
            Question.retired_at.is_(None),
            Question.id.in_(select(QuestionLevel.question_id).where(QuestionLevel.level == level))))
        areas: dict[int, set[int]] = {}
        for question_id, area_id in session.execute(select(
                QuestionArea.question_id, QuestionArea.area_id)
                .where(QuestionArea.question_id.in_(pool_ids))):
            areas.setdefault(question_id, set()).add(area_id)
        benchmarks: dict[int, set[int]] = {}
        for question_id, bench_id in session.execute(select(
                QuestionBenchmark.question_id, QuestionBenchmark.benchmark_id)
                .where(QuestionBenchmark.question_id.in_(pool_ids))):
            benchmarks.setdefault(question_id, set()).add(bench_id)
        self.options: dict[int, Option] = {}
        self.by_category: dict[Category, list[Option]] = {}
        for question_id, category, title in session.execute(
                select(Question.id, Question.category, Question.title)
                .where(Question.id.in_(pool_ids)).order_by(Question.id)):
            option = Option(question_id, category, title,
                            frozenset(areas.get(question_id, ())),
                            frozenset(benchmarks.get(question_id, ())))
            self.options[question_id] = option
            self.by_category.setdefault(category, []).append(option)
        self.benchmarks_in_loop = {b for qid in self.in_loop
                                   for b in getattr(self.options.get(qid), "benchmarks", ())}

    def eligible(self, option: Option) -> bool:
        return option.id not in self.in_loop and option.id not in self.had_before

    def ranked(self, category: Category, focus_ids: set[int],
               exclude: Iterable[int] = ()) -> list[Option]:
        """The eligible options for a stage, best fit first."""
        excluded = set(exclude)
        options = [o for o in self.by_category.get(category, [])
                   if self.eligible(o) and o.id not in excluded]
        draw = {o.id: self.rng.random() for o in options}
        return sorted(options, key=lambda o: (
            not focus_ids & o.areas, self.usage.get(o.id, 0),
            -len(o.benchmarks - self.benchmarks_in_loop), draw[o.id]))

    def pick(self, category: Category, focus_ids: set[int], count: int,
             exclude: Iterable[int] = ()) -> list[Option]:
        picked = []
        for _ in range(count):
            ranked = self.ranked(category, focus_ids, exclude)
            if not ranked:
                break
            picked.append(ranked[0])
            self.take(ranked[0])
        return picked

    def take(self, option: Option) -> None:
        self.in_loop.add(option.id)
        self.usage[option.id] = self.usage.get(option.id, 0) + 1
        self.benchmarks_in_loop.update(option.benchmarks)

    def release(self, option: Option) -> None:
        self.in_loop.discard(option.id)
        self.usage[option.id] = self.usage.get(option.id, 1) - 1

    def alternate_for(self, original: Option) -> Option | None:
        """The eligible question closest to ``original`` (same category, and this level, as
        every option is): the same capability areas first, then all of them and more,
        then the most of them; then the most of its benchmark questions. No random draw
        and no usage count: candidates who had the same question get the same alternate,
        so that they stay comparable with each other."""
        def key(option: Option) -> tuple[int, int, int, int]:
            shared = len(option.areas & original.areas)
            rank = 0 if option.areas == original.areas else \
                1 if option.areas >= original.areas else 2
            return rank, -shared, -len(option.benchmarks & original.benchmarks), option.id
        options = [o for o in self.by_category.get(original.category, []) if self.eligible(o)]
        return min(options, key=key) if options else None


def options_for(session: Session, question_ids: Iterable[int]) -> dict[int, Option]:
    """Options for the questions named, retired or not (what a set holds), in 3 queries."""
    ids = set(question_ids)
    areas: dict[int, set[int]] = {}
    for question_id, area_id in session.execute(select(
            QuestionArea.question_id, QuestionArea.area_id)
            .where(QuestionArea.question_id.in_(ids))):
        areas.setdefault(question_id, set()).add(area_id)
    benchmarks: dict[int, set[int]] = {}
    for question_id, bench_id in session.execute(select(
            QuestionBenchmark.question_id, QuestionBenchmark.benchmark_id)
            .where(QuestionBenchmark.question_id.in_(ids))):
        benchmarks.setdefault(question_id, set()).add(bench_id)
    return {qid: Option(qid, category, title, frozenset(areas.get(qid, ())),
                        frozenset(benchmarks.get(qid, ())))
            for qid, category, title in session.execute(
                select(Question.id, Question.category, Question.title)
                .where(Question.id.in_(ids)))}


def shortfall(stages: list[list[Option]], area_ids: set[int], bench_ids: set[int]) -> int:
    """How far stage picks are from passing the coverage check (0: they pass)."""
    per_area = dict.fromkeys(area_ids, 0)
    exercised: set[int] = set()
    for options in stages:
        for area_id in {a for o in options for a in o.areas} & area_ids:
            per_area[area_id] += 1
        exercised.update(b for o in options for b in o.benchmarks)
    return sum(max(0, MIN_STAGES_PER_AREA - n) for n in per_area.values()) + len(
        bench_ids - exercised)


def repair(picks: list[list[Option]], categories: list[Category], focus: list[set[int]],
           chooser: Chooser, area_ids: set[int], bench_ids: set[int]) -> list[list[Option]]:
    """Swap single questions while that closes coverage gaps; picks are changed in place."""
    current = shortfall(picks, area_ids, bench_ids)
    for _ in range(20):  # each round closes at least one unit of shortfall
        if current == 0:
            break
        best = None
        for i, stage_picks in enumerate(picks):
            for j, _old in enumerate(stage_picks):
                for option in chooser.by_category.get(categories[i], []):
                    if not chooser.eligible(option):
                        continue
                    trial = [list(p) for p in picks]
                    trial[i][j] = option
                    score = shortfall(trial, area_ids, bench_ids)
                    if score < current:
                        key = (score, not focus[i] & option.areas,
                               chooser.usage.get(option.id, 0), option.id)
                        if best is None or key < best[0]:
                            best = (key, i, j, option)
        if best is None:
            break
        (score, *_), i, j, option = best
        chooser.release(picks[i][j])
        chooser.take(option)
        picks[i][j] = option
        current = score
    return picks
