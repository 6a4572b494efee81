"""Building and editing a candidate's loop, and the coverage check."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from interviewloop.audit.service import Actor
from interviewloop.bank.models import Question
from interviewloop.db import utcnow
from interviewloop.errors import Conflict
from interviewloop.loops import service
from interviewloop.loops.models import LoopQuestion
from tests.factories import make_candidate, make_requisition


@pytest.fixture
def team(make_user):
    return {"manager": make_user("hiring_manager"), "recruiter": make_user("recruiter")}


@pytest.fixture
def senior_req(db_session, bank, team):
    return make_requisition(db_session, team["manager"], team["recruiter"], level="senior")


def build(db_session, requisition, recruiter, n=1, seed=1, email=None):
    candidate = make_candidate(db_session, requisition, recruiter, n, email=email)
    service.build_loop(db_session, Actor(recruiter), requisition, candidate, seed=seed)
    return service.loop_for(db_session, candidate)


def question_ids(loop) -> list[int]:
    return [lq.question_id for s in loop.stages for lq in s.questions]


@pytest.mark.parametrize("level", ["junior", "senior", "staff"])
def test_a_loop_follows_its_levels_template(db_session, bank, team, level):
    requisition = make_requisition(db_session, team["manager"], team["recruiter"], level=level)
    loop = build(db_session, requisition, team["recruiter"])
    template = service.template_for(db_session, requisition.level)
    assert [s.name for s in loop.stages] == [s.name for s in template.stages]
    for stage, tstage in zip(loop.stages, template.stages, strict=True):
        assert len(stage.questions) == tstage.question_count
        for lq in stage.questions:
            assert lq.question.category == stage.category
            assert requisition.level in [row.level for row in lq.question.level_rows]
    ids = question_ids(loop)
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("level", ["junior", "senior", "staff"])
@pytest.mark.parametrize("seed", range(5))
def test_a_fresh_loop_passes_the_coverage_check(db_session, bank, team, level, seed):
    requisition = make_requisition(db_session, team["manager"], team["recruiter"], level=level)
    loop = build(db_session, requisition, team["recruiter"], seed=seed)
    assert loop.coverage_gaps == []


def test_the_same_seed_builds_the_same_loop(db_session, senior_req, team):
    savepoint = db_session.begin_nested()
    first = question_ids(build(db_session, senior_req, team["recruiter"], seed=42))
    savepoint.rollback()
    again = question_ids(build(db_session, senior_req, team["recruiter"], seed=42))
    assert first == again


def test_questions_spread_across_the_bank_least_used_first(db_session, senior_req, team):
    """Across requisitions: each one's set draws the least-used questions. (Within one
    requisition every candidate gets the same set: tests/test_question_sets.py.)"""
    other = make_requisition(db_session, team["manager"], team["recruiter"], level="senior",
                             title="Senior AI Engineer, Search")
    first = set(question_ids(build(db_session, senior_req, team["recruiter"], 1)))
    second = set(question_ids(build(db_session, other, team["recruiter"], 2)))
    assert first.isdisjoint(second)


def test_no_question_the_candidate_had_on_another_requisition(db_session, bank, team):
    earlier = make_requisition(db_session, team["manager"], team["recruiter"], level="senior")
    later = make_requisition(db_session, team["manager"], team["recruiter"], level="senior",
                             title="Senior AI Engineer, Search")
    had = set(question_ids(build(db_session, earlier, team["recruiter"], email="same@x.org")))
    # Someone else on the later requisition first, so "least used" alone would not explain it.
    again = set(question_ids(build(db_session, later, team["recruiter"], 2, email="SAME@x.org")))
    assert had.isdisjoint(again)


def test_retired_questions_are_never_picked(db_session, senior_req, team):
    retired = set(db_session.scalars(select(Question.id).where(
        Question.category.in_(["system_design", "mlops_operations"]))).all()[::2])
    for question in db_session.scalars(select(Question).where(Question.id.in_(retired))):
        question.retired_at = utcnow()
    db_session.flush()
    assert retired.isdisjoint(question_ids(build(db_session, senior_req, team["recruiter"])))


def test_the_database_refuses_a_question_twice_in_one_loop(db_session, senior_req, team):
    loop = build(db_session, senior_req, team["recruiter"])
    stage, taken = loop.stages[0], loop.stages[1].questions[0]
    with pytest.raises(IntegrityError), db_session.begin_nested():
        db_session.execute(insert(LoopQuestion), [{"loop_id": loop.id, "stage_id": stage.id,
                                                   "question_id": taken.question_id,
                                                   "position": 9}])


def test_swap_for_the_next_best_fit_or_a_chosen_question(db_session, senior_req, team):
    recruiter = Actor(team["recruiter"])
    loop = build(db_session, senior_req, team["recruiter"])
    stage = loop.stages[0]
    target = stage.questions[0]
    before = set(question_ids(loop))
    service.swap_question(db_session, recruiter, senior_req, loop, target.id)
    assert target.question_id not in before
    options = service.alternatives(db_session, loop, stage)
    chosen = options[0]
    service.swap_question(db_session, recruiter, senior_req, loop, target.id, chosen.id)
    assert target.question_id == chosen.id
    other_stage_question = next(lq.question_id for s in loop.stages for lq in s.questions
                                if s.category != stage.category)
    with pytest.raises(service.InvalidLoopChange, match=r"does not suit|another category"):
        service.swap_question(db_session, recruiter, senior_req, loop, target.id,
                              other_stage_question)
    same_category = next(lq for s in loop.stages for lq in s.questions
                         if s.category == stage.category and lq.id != target.id)
    with pytest.raises(service.InvalidLoopChange, match="already in this loop"):
        service.swap_question(db_session, recruiter, senior_req, loop, target.id,
                              same_category.question_id)


def test_add_move_and_remove_stages_keep_order_and_coverage_current(db_session, senior_req,
                                                                    team):
    recruiter = Actor(team["recruiter"])
    loop = build(db_session, senior_req, team["recruiter"])
    names = [s.name for s in loop.stages]
    stage = service.add_stage(db_session, recruiter, senior_req, loop, service.StageInput(
        name="Pairing on a flaky eval", category="coding_implementation", minutes=45,
        question_count=1, focus=["ml-systems"]))
    assert [s.name for s in loop.stages] == [*names, "Pairing on a flaky eval"]
    assert len(stage.questions) == 1
    service.move_stage(db_session, recruiter, senior_req, loop, stage.id, "up")
    assert [s.name for s in loop.stages][-2:] == ["Pairing on a flaky eval", names[-1]]
    assert [s.position for s in loop.stages] == list(range(len(loop.stages)))
    with pytest.raises(Conflict):
        service.move_stage(db_session, recruiter, senior_req, loop, loop.stages[0].id, "up")
    for stage in list(loop.stages)[:-2]:
        service.remove_stage(db_session, recruiter, senior_req, loop, stage.id)
    assert len(loop.stages) == 2
    assert loop.is_flagged
    assert any("needs at least 2" in gap for gap in loop.coverage_gaps)
    assert any("No stage covers the category" in gap for gap in loop.coverage_gaps)


def test_a_loop_is_built_once_and_only_for_active_candidates(db_session, senior_req, team):
    from interviewloop.requisitions import candidates

    recruiter = Actor(team["recruiter"])
    candidate = make_candidate(db_session, senior_req, team["recruiter"], 5)
    service.build_loop(db_session, recruiter, senior_req, candidate)
    with pytest.raises(Conflict, match="already has a loop"):
        service.build_loop(db_session, recruiter, senior_req, candidate)
    other = make_candidate(db_session, senior_req, team["recruiter"], 6)
    candidates.withdraw_candidate(db_session, recruiter, senior_req, other)
    with pytest.raises(Conflict, match="withdrawn"):
        service.build_loop(db_session, recruiter, senior_req, other)


@pytest.mark.parametrize("seed", range(3))
def test_next_best_fit_leaves_the_fewest_coverage_gaps_possible(db_session, senior_req, team,
                                                                seed):
    """Swapping for the next best fit never opens a gap that another choice would avoid."""
    from interviewloop.bank.service import areas, benchmarks
    from interviewloop.loops.chooser import Chooser, shortfall

    recruiter = Actor(team["recruiter"])
    loop = build(db_session, senior_req, team["recruiter"], n=seed, seed=seed)
    area_ids = {a.id for a in areas(db_session)}
    bench_ids = {b.id for b in benchmarks(db_session)}
    for index, stage in enumerate(list(loop.stages)):
        for lq in list(stage.questions):
            chooser = Chooser(db_session, loop.level, loop.candidate, question_ids(loop),
                              random.Random(seed))
            pool = chooser.options(question_ids(loop))
            others = [[pool[q.question_id] for q in s.questions if q.id != lq.id]
                      for s in loop.stages]

            def gaps(option, others=others, index=index):
                trial = [list(p) for p in others]
                trial[index].append(option)
                return shortfall(trial, area_ids, bench_ids)

            best = min(gaps(o) for o in chooser.ranked(stage.category, set()))
            service.swap_question(db_session, recruiter, senior_req, loop, lq.id, seed=seed)
            chosen = chooser.options([lq.question_id])[lq.question_id]
            assert gaps(chosen) == best
