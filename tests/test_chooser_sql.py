"""The chooser ranks in the database with kept usage counts: the counts equal a recount
after every kind of change, and the SQL ranking and the incremental repair pass choose as
the Python ones they replaced did (kept here as the reference)."""

from __future__ import annotations

import copy
import random

from sqlalchemy import delete, func, select

from interviewloop.audit.service import Actor
from interviewloop.bank.models import Question, QuestionArea, QuestionBenchmark, QuestionLevel
from interviewloop.bank.service import areas, benchmarks
from interviewloop.enums import Category
from interviewloop.loops import service
from interviewloop.loops.chooser import Chooser, Option, Shortfall, repair, shortfall
from interviewloop.loops.models import Loop, LoopQuestion, QuestionUsage
from tests.factories import make_requisition
from tests.test_loops import build, question_ids, senior_req, team  # noqa: F401 - fixtures


def _counts(db_session) -> tuple[dict[int, int], dict[int, int]]:
    db_session.flush()
    kept = dict(db_session.execute(select(QuestionUsage.question_id, QuestionUsage.uses)
                                   .where(QuestionUsage.uses > 0)).all())
    recount = dict(db_session.execute(select(LoopQuestion.question_id, func.count())
                                      .group_by(LoopQuestion.question_id)).all())
    return kept, recount


def test_the_kept_counts_equal_a_recount_after_each_change(db_session, senior_req, team):  # noqa: F811
    recruiter = Actor(team["recruiter"])
    loops = [build(db_session, senior_req, team["recruiter"], n=n, seed=n) for n in range(3)]
    kept, recount = _counts(db_session)
    assert kept == recount and sum(recount.values()) > 10
    loop = loops[0]
    service.swap_question(db_session, recruiter, senior_req, loop, loop.stages[0].questions[0].id)
    assert _counts(db_session)[0] == _counts(db_session)[1]
    service.add_stage(db_session, recruiter, senior_req, loop, service.StageInput(
        name="Extra", category=next(iter(Category)).value, minutes=30, question_count=2,
        focus=[areas(db_session)[0].slug]))
    kept, recount = _counts(db_session)
    assert kept == recount
    service.remove_stage(db_session, recruiter, senior_req, loop, loop.stages[0].id)
    kept, recount = _counts(db_session)
    assert kept == recount
    # The database's own cascade (a loop deleted in SQL, as no service does today).
    db_session.execute(delete(Loop).where(Loop.id == loops[1].id))
    db_session.expire_all()
    kept, recount = _counts(db_session)
    assert kept == recount and sum(recount.values()) > 5


def _reference_pool(db_session, level) -> dict[int, Option]:
    """The whole pool as the old chooser read it."""
    pool_ids = select(QuestionLevel.question_id).where(QuestionLevel.level == level)
    found: dict[int, tuple[set[int], set[int]]] = {}
    for qid, area in db_session.execute(select(QuestionArea.question_id, QuestionArea.area_id)):
        found.setdefault(qid, (set(), set()))[0].add(area)
    for qid, bench in db_session.execute(select(QuestionBenchmark.question_id,
                                                QuestionBenchmark.benchmark_id)):
        found.setdefault(qid, (set(), set()))[1].add(bench)
    return {qid: Option(qid, category, title, frozenset(found.get(qid, ((), ()))[0]),
                        frozenset(found.get(qid, ((), ()))[1]))
            for qid, category, title in db_session.execute(
                select(Question.id, Question.category, Question.title).where(
                    Question.retired_at.is_(None), Question.id.in_(pool_ids))
                .order_by(Question.id))}


def _recounted_usage(db_session) -> dict[int, int]:
    return dict(db_session.execute(select(LoopQuestion.question_id, func.count())
                                   .group_by(LoopQuestion.question_id)).all())


def test_the_sql_ranking_is_the_python_ranking(db_session, senior_req, team):  # noqa: F811
    for n in range(3):  # usage to rank by, on other sets than this loop's
        other = make_requisition(db_session, team["manager"], team["recruiter"], level="senior")
        build(db_session, other, team["recruiter"], n=n, seed=n)
    loop = build(db_session, senior_req, team["recruiter"], n=9, seed=9)
    pool, usage = _reference_pool(db_session, loop.level), _recounted_usage(db_session)
    chooser = Chooser(db_session, loop.level, loop.candidate, question_ids(loop),
                      random.Random(4))
    in_loop = set(question_ids(loop))
    in_bench = {b for q in in_loop if q in pool for b in pool[q].benchmarks}
    assert chooser.benchmarks_in_loop == in_bench
    eligible = [o for o in pool.values() if o.id not in in_loop]
    assert len({usage.get(o.id, 0) for o in eligible}) > 1  # the usage order is tested
    compared = 0
    for stage in loop.stages:
        for focus in ({a.id for a in stage.focus_areas}, set()):
            expected = sorted(
                (o for o in pool.values() if o.category == stage.category
                 and o.id not in in_loop and o.id not in chooser.had_before),
                key=lambda o, focus=focus: (not focus & o.areas, usage.get(o.id, 0),
                                            -len(o.benchmarks - in_bench), chooser.draw(o.id)))
            got = chooser.ranked(stage.category, focus)
            assert [o.id for o in got] == [o.id for o in expected]
            assert got[:5] == expected[:5]  # areas and benchmarks too
            assert [o.id for o in chooser.ranked(stage.category, focus, limit=3)] == \
                [o.id for o in expected[:3]]
            compared += len(got)
    assert compared > 50


class _OldChooser:
    """What the old repair pass read: the whole pool, usage counted up front."""

    def __init__(self, pool: dict[int, Option], usage: dict[int, int], in_loop: set[int]):
        self.by_category: dict[Category, list[Option]] = {}
        for option in pool.values():
            self.by_category.setdefault(option.category, []).append(option)
        self.usage, self.in_loop = dict(usage), set(in_loop)

    def eligible(self, option: Option) -> bool:
        return option.id not in self.in_loop

    def take(self, option: Option) -> None:
        self.in_loop.add(option.id)
        self.usage[option.id] = self.usage.get(option.id, 0) + 1

    def release(self, option: Option) -> None:
        self.in_loop.discard(option.id)
        self.usage[option.id] = self.usage.get(option.id, 1) - 1


def _old_repair(picks, categories, focus, chooser, area_ids, bench_ids):
    current = shortfall(picks, area_ids, bench_ids)
    for _ in range(20):
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


def test_the_incremental_repair_swaps_as_the_old_one(db_session, senior_req, team):  # noqa: F811
    build(db_session, senior_req, team["recruiter"], n=0, seed=0)
    template = service.template_for(db_session, senior_req.level)
    area_ids = {a.id for a in areas(db_session)}
    bench_ids = {b.id for b in benchmarks(db_session)}
    categories = [t.category for t in template.stages]
    focus = [{a.id for a in t.focus_areas} for t in template.stages]
    pool, usage = _reference_pool(db_session, senior_req.level), _recounted_usage(db_session)
    repaired = 0
    for seed in range(4):
        chooser = Chooser(db_session, senior_req.level, None, (), random.Random(seed))
        # Deliberately poor picks (no focus), so that there are gaps to repair.
        picks = [chooser.pick(t.category, set(), t.question_count) for t in template.stages]
        before = shortfall(picks, area_ids, bench_ids)
        old = _old_repair(copy.deepcopy(picks), categories, focus,
                          _OldChooser(pool, usage, {o.id for p in picks for o in p}),
                          area_ids, bench_ids)
        new = repair(picks, categories, focus, chooser, area_ids, bench_ids)
        assert [[o.id for o in p] for p in new] == [[o.id for o in p] for p in old]
        repaired += before - shortfall(new, area_ids, bench_ids)
    assert repaired > 0


def test_the_shortfall_after_a_swap_is_a_recount(db_session, senior_req, team):  # noqa: F811
    area_ids = {a.id for a in areas(db_session)}
    bench_ids = {b.id for b in benchmarks(db_session)}
    pool = list(_reference_pool(db_session, senior_req.level).values())
    draw = random.Random(7)
    stages = [draw.sample(pool, 2) for _ in range(3)]
    state = Shortfall(stages, area_ids, bench_ids)
    assert state.total == shortfall(stages, area_ids, bench_ids)
    short = 0
    for _ in range(200):
        i, j, option = draw.randrange(3), draw.randrange(2), draw.choice(pool)
        trial = [list(s) for s in stages]
        trial[i][j] = option
        assert state.after(i, j, option) == shortfall(trial, area_ids, bench_ids)
        if draw.random() < 0.3:
            state.swap(i, j, option)
            stages = trial
            assert state.total == shortfall(stages, area_ids, bench_ids)
        short += state.total > 0
    assert short > 20  # the gaps were there to count
