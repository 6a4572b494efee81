"""Choosing questions for a loop's stages.

Per stage: active questions of the stage's category that suit the level; never one already
in this loop, nor one this person had on another requisition; those probing a focus area
of the stage first, then the least used across all loops (spread over the bank), then
those exercising benchmark questions the loop still lacks; ties broken by a seeded random
draw (deterministic under a fixed seed). A new set then gets a repair pass: while the
coverage check finds gaps, swap in the question that closes most of them.

The database ranks (ordered and limited per stage), with the usage counts it keeps
(question_usage, usage.py): a page reads the few rows it shows, however large the bank.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    case,
    exists,
    func,
    literal,
    literal_column,
    select,
    union_all,
)
from sqlalchemy.orm import InstrumentedAttribute, Session

from interviewloop.bank.models import Question, QuestionArea, QuestionBenchmark, QuestionLevel
from interviewloop.db import limited
from interviewloop.enums import Category, Level
from interviewloop.loops.coverage import MIN_STAGES_PER_AREA
from interviewloop.loops.models import Loop, LoopQuestion, QuestionUsage
from interviewloop.requisitions.models import Candidate

# The draw: (id * a + b) mod a prime, a and b from the seeded generator; the same
# arithmetic on both databases (64-bit integers) and in Python.
DRAW_PRIME = 4_294_967_291


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


def in_pool(level: Level) -> list[ColumnElement[bool]]:
    """A question is in ``level``'s pool: active, and suiting the level. Suiting is a probe
    of question_levels' key per question (a correlated EXISTS), not the list of the level's
    every question: that list is most of the bank, read whole however few questions are
    asked about (7 ms at 30,000 questions on SQLite)."""
    return [Question.retired_at.is_(None),
            exists().where(QuestionLevel.question_id == Question.id, QuestionLevel.level == level)]


def uses() -> ColumnElement[int]:
    """A question's usage count (in a query outer-joined to question_usage)."""
    return func.coalesce(QuestionUsage.uses, 0)


def _attach(session: Session, rows: Iterable[tuple[int, Category, str]]) -> list[Option]:
    """Options for the (id, category, title) rows, in their order, with their areas and
    benchmarks (1 query: the two links' rows together, each marked with its kind)."""
    rows = list(rows)
    ids = [r[0] for r in rows]
    if not ids:
        return []
    found: tuple[dict[int, set[int]], dict[int, set[int]]] = ({}, {})
    for question_id, kind, item in session.execute(union_all(
            select(QuestionArea.question_id, literal_column("0", Integer), QuestionArea.area_id)
            .where(QuestionArea.question_id.in_(ids)),
            select(QuestionBenchmark.question_id, literal_column("1", Integer),
                   QuestionBenchmark.benchmark_id)
            .where(QuestionBenchmark.question_id.in_(ids)))):
        found[kind].setdefault(question_id, set()).add(item)
    areas, benchmarks = found
    return [Option(qid, category, title, frozenset(areas.get(qid, ())),
                   frozenset(benchmarks.get(qid, ()))) for qid, category, title in rows]


class Chooser:
    """``candidate`` None: choosing for a requisition's question set, which no one's
    history shapes (a candidate who had one of its questions gets an alternate)."""

    def __init__(self, session: Session, level: Level, candidate: Candidate | None,
                 in_loop: Iterable[int], rng: random.Random) -> None:
        self.session = session
        self.level = level
        self.draw_a, self.draw_b = rng.randrange(1, DRAW_PRIME), rng.randrange(DRAW_PRIME)
        self.in_loop = set(in_loop)
        self.had_before = had_elsewhere(session, candidate) if candidate is not None else set()
        self.benchmarks_in_loop: set[int] = set(session.scalars(
            select(QuestionBenchmark.benchmark_id).distinct()
            .where(QuestionBenchmark.question_id.in_(self.in_loop),
                   exists().where(QuestionLevel.question_id == QuestionBenchmark.question_id,
                                  QuestionLevel.level == self.level)))) if self.in_loop else set()

    def _in_pool(self) -> list[ColumnElement[bool]]:
        return in_pool(self.level)

    def draw(self, question_id: int) -> int:
        return (question_id * self.draw_a + self.draw_b) % DRAW_PRIME

    def options(self, question_ids: Iterable[int]) -> dict[int, Option]:
        """The named questions that are in the pool (active, of this level), any category."""
        # An id no row can have (past a 32-bit INTEGER column) is simply not in the pool: the
        # databases refuse to compare such a number with the column (a 500, not a "no").
        ids = {i for i in question_ids if 0 < i < 2**31}
        if not ids:
            return {}
        rows = self.session.execute(select(Question.id, Question.category, Question.title)
                                    .where(Question.id.in_(ids), *self._in_pool()))
        return {o.id: o for o in _attach(self.session, rows)}

    def eligible(self, option: Option) -> bool:
        return option.id not in self.in_loop and option.id not in self.had_before

    def _eligible_in(self, category: Category, exclude: Iterable[int] = ()
                     ) -> list[ColumnElement[bool]]:
        taken = self.in_loop | self.had_before | set(exclude)
        return [*self._in_pool(), Question.category == category,
                Question.id.not_in(taken) if taken else Question.id.is_not(None)]

    def ranked(self, category: Category, focus_ids: set[int], exclude: Iterable[int] = (),
               limit: int | None = None, among: Iterable[int] | None = None) -> list[Option]:
        """The eligible options for a stage, best fit first (the first ``limit``; only those
        ``among`` the ids given, if given)."""
        misses_focus = case((exists().where(QuestionArea.question_id == Question.id,
                                            QuestionArea.area_id.in_(focus_ids)), 0), else_=1)
        new_benchmarks = (select(func.count()).select_from(QuestionBenchmark)
                          .where(QuestionBenchmark.question_id == Question.id,
                                 QuestionBenchmark.benchmark_id.not_in(self.benchmarks_in_loop))
                          .scalar_subquery())
        draw = (Question.id.cast(BigInteger) * literal(self.draw_a, BigInteger)
                + literal(self.draw_b, BigInteger)) % literal(DRAW_PRIME, BigInteger)
        query = (select(Question.id, Question.category, Question.title)
                 .outerjoin(QuestionUsage, QuestionUsage.question_id == Question.id)
                 .where(*self._eligible_in(category, exclude))
                 .order_by(misses_focus, uses(), new_benchmarks.desc(), draw, Question.id))
        if limit is not None:
            query = limited(query, limit)
        if among is not None:
            query = query.where(Question.id.in_(set(among)))
        return _attach(self.session, self.session.execute(query))

    def pick(self, category: Category, focus_ids: set[int], count: int,
             exclude: Iterable[int] = ()) -> list[Option]:
        picked = []
        for _ in range(count):
            ranked = self.ranked(category, focus_ids, exclude, limit=1)
            if not ranked:
                break
            picked.append(ranked[0])
            self.take(ranked[0])
        return picked

    def take(self, option: Option) -> None:
        self.in_loop.add(option.id)
        self.benchmarks_in_loop.update(option.benchmarks)

    def release(self, option: Option) -> None:
        self.in_loop.discard(option.id)

    def usage(self, question_ids: Iterable[int]) -> dict[int, int]:
        ids = set(question_ids)
        return dict(self.session.execute(
            select(QuestionUsage.question_id, QuestionUsage.uses)
            .where(QuestionUsage.question_id.in_(ids))).all()) if ids else {}

    def touching(self, category: Category, area_ids: set[int], bench_ids: set[int]
                 ) -> list[Option]:
        """The eligible options of ``category`` probing one of ``area_ids`` or exercising one
        of ``bench_ids``, in id order: the only ones that can close those gaps."""
        if not area_ids and not bench_ids:
            return []
        rows = self.session.execute(
            select(Question.id, Question.category, Question.title)
            .where(*self._eligible_in(category),
                   exists().where(QuestionArea.question_id == Question.id,
                                  QuestionArea.area_id.in_(area_ids))
                   | exists().where(QuestionBenchmark.question_id == Question.id,
                                    QuestionBenchmark.benchmark_id.in_(bench_ids)))
            .order_by(Question.id))
        return _attach(self.session, rows)

    def alternate_for(self, original: Option) -> Option | None:
        """The eligible question closest to ``original`` (same category, and this level, as
        every option is): the same capability areas first, then all of them and more,
        then the most of them; then the most of its benchmark questions. No random draw
        and no usage count: candidates who had the same question get the same alternate,
        so that they stay comparable with each other."""
        def count(model: type[QuestionArea] | type[QuestionBenchmark],
                  column: InstrumentedAttribute[int], among: frozenset[int] | None
                  ) -> ColumnElement[int]:
            where = [model.question_id == Question.id]
            if among is not None:
                where.append(column.in_(among))
            return select(func.count()).select_from(model).where(*where).scalar_subquery()
        wanted = len(original.areas)
        shared = count(QuestionArea, QuestionArea.area_id, original.areas)
        rank = case((shared == wanted, case(
            (count(QuestionArea, QuestionArea.area_id, None) == wanted, 0), else_=1)), else_=2)
        row = self.session.execute(
            select(Question.id, Question.category, Question.title)
            .where(*self._eligible_in(original.category))
            .order_by(rank, shared.desc(), count(QuestionBenchmark, QuestionBenchmark.benchmark_id,
                                                 original.benchmarks).desc(), Question.id)
            .limit(1)).first()
        return _attach(self.session, [row])[0] if row else None


def options_for(session: Session, question_ids: Iterable[int]) -> dict[int, Option]:
    """Options for the questions named, retired or not (what a set holds), in 2 queries."""
    ids = set(question_ids)
    rows = session.execute(select(Question.id, Question.category, Question.title)
                           .where(Question.id.in_(ids)))
    return {o.id: o for o in _attach(session, rows)}


def shortfall(stages: list[list[Option]], area_ids: set[int], bench_ids: set[int]) -> int:
    """How far stage picks are from passing the coverage check (0: they pass)."""
    return Shortfall(stages, area_ids, bench_ids).total


class Shortfall:
    """The shortfall of stage picks, kept up to date as single questions are swapped, and
    what a swap would make it, without recounting every stage."""

    def __init__(self, stages: list[list[Option]], area_ids: set[int], bench_ids: set[int]
                 ) -> None:
        self.stages = [list(s) for s in stages]
        self.area_ids, self.bench_ids = area_ids, bench_ids
        self.per_area: Counter[int] = Counter()  # stages probing each area
        self.per_bench: Counter[int] = Counter()  # picks exercising each benchmark
        for options in self.stages:
            self.per_area.update({a for o in options for a in o.areas} & area_ids)
            self.per_bench.update(b for o in options for b in o.benchmarks)
        self.total = sum(self._area_gap(self.per_area[a]) for a in area_ids) + sum(
            1 for b in bench_ids if not self.per_bench[b])

    @staticmethod
    def _area_gap(n: int) -> int:
        return max(0, MIN_STAGES_PER_AREA - n)

    def missing(self) -> tuple[set[int], set[int]]:
        """The areas in too few stages and the benchmarks no pick exercises."""
        return ({a for a in self.area_ids if self._area_gap(self.per_area[a])},
                {b for b in self.bench_ids if not self.per_bench[b]})

    def others(self, i: int, j: int) -> set[int]:
        """The areas stage ``i`` probes without its pick ``j``."""
        return {a for k, o in enumerate(self.stages[i]) if k != j for a in o.areas}

    def after(self, i: int, j: int, option: Option, others: set[int] | None = None) -> int:
        """The shortfall were pick ``j`` of stage ``i`` ``option``."""
        old = self.stages[i][j]
        others = self.others(i, j) if others is None else others
        lost = (old.areas - others - option.areas) & self.area_ids
        gained = (option.areas - others - old.areas) & self.area_ids
        delta = sum(self._area_gap(self.per_area[a] - 1) - self._area_gap(self.per_area[a])
                    for a in lost)
        delta += sum(self._area_gap(self.per_area[a] + 1) - self._area_gap(self.per_area[a])
                     for a in gained)
        delta += sum(1 for b in (old.benchmarks - option.benchmarks) & self.bench_ids
                     if self.per_bench[b] == 1)
        delta -= sum(1 for b in (option.benchmarks - old.benchmarks) & self.bench_ids
                     if not self.per_bench[b])
        return self.total + delta

    def swap(self, i: int, j: int, option: Option) -> None:
        self.total = self.after(i, j, option)
        old, others = self.stages[i][j], self.others(i, j)
        self.per_area.subtract((old.areas - others) & self.area_ids)
        self.per_area.update((option.areas - others) & self.area_ids)
        self.per_bench.subtract(old.benchmarks)
        self.per_bench.update(option.benchmarks)
        self.stages[i][j] = option


def repair(picks: list[list[Option]], categories: list[Category], focus: list[set[int]],
           chooser: Chooser, area_ids: set[int], bench_ids: set[int]) -> list[list[Option]]:
    """Swap single questions while that closes coverage gaps; picks are changed in place.
    Each round reads only the options that could close a gap left, per category."""
    state = Shortfall(picks, area_ids, bench_ids)
    for _ in range(20):  # each round closes at least one unit of shortfall
        if state.total == 0:
            break
        gaps = state.missing()
        touching = {c: chooser.touching(c, *gaps) for c in set(categories)}
        usage = chooser.usage(o.id for found in touching.values() for o in found)
        best = None
        for i, stage_picks in enumerate(picks):
            for j in range(len(stage_picks)):
                others = state.others(i, j)
                for option in touching[categories[i]]:
                    if not chooser.eligible(option):
                        continue
                    score = state.after(i, j, option, others)
                    if score < state.total:
                        key = (score, not focus[i] & option.areas, usage.get(option.id, 0),
                               option.id)
                        if best is None or key < best[0]:
                            best = (key, i, j, option)
        if best is None:
            break
        _key, i, j, option = best
        chooser.release(picks[i][j])
        chooser.take(option)
        picks[i][j] = option
        state.swap(i, j, option)
    return picks
