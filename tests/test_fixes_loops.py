"""A loop stage without questions covers nothing, and says why (issue 9, bug 9).

A stage whose every matching question was retired used to count as covering its
category, and its gap did not say that the bank has no active question for it.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from interviewloop.audit.service import Actor
from interviewloop.bank.models import Question, QuestionLevel
from interviewloop.db import utcnow
from interviewloop.enums import Category, Level
from interviewloop.loops import service
from tests.factories import make_candidate_with_loop, make_requisition

NO_ACTIVE = ("Stage {name!r} has no questions: the bank has no active System design question "
             "for the Senior level. Add one to the bank or unretire one, then remove this stage "
             "and add it again.")
ALL_TAKEN = ("Stage {name!r} has no questions: every active System design question for the "
             "Senior level is already in this loop or was asked of this candidate on another "
             "requisition.")


@pytest.fixture
def team(make_user):
    return {"manager": make_user("hiring_manager"), "recruiter": make_user("recruiter")}


@pytest.fixture
def senior_req(db_session, bank, team):
    return make_requisition(db_session, team["manager"], team["recruiter"], level="senior")


def _retire_senior_system_design(db_session, keep: int = 0) -> None:
    questions = db_session.scalars(select(Question).where(
        Question.category == Category.SYSTEM_DESIGN, Question.retired_at.is_(None),
        Question.id.in_(select(QuestionLevel.question_id).where(
            QuestionLevel.level == Level.SENIOR))).order_by(Question.id)).all()
    assert len(questions) > keep
    for question in questions[keep:]:
        question.retired_at = utcnow()
    db_session.flush()


def _system_design_stages(loop):
    stages = [s for s in loop.stages if s.category == Category.SYSTEM_DESIGN]
    assert len(stages) == 2  # the senior template has two
    return stages


def test_a_stage_left_without_questions_covers_nothing_and_says_the_bank_has_none(
        db_session, senior_req, team):
    _retire_senior_system_design(db_session)
    _candidate, loop = make_candidate_with_loop(db_session, senior_req, team["recruiter"])
    empty = _system_design_stages(loop)
    assert all(not stage.questions for stage in empty)

    coverage = service.coverage_of(db_session, loop)
    assert dict(coverage.category_counts)[Category.SYSTEM_DESIGN] == 0
    assert all(coverage.probed[stage.id] == set() for stage in empty)
    assert "No stage covers the category System design." in loop.coverage_gaps
    for stage in empty:
        assert NO_ACTIVE.format(name=stage.name) in loop.coverage_gaps
        assert coverage.empty[stage.id] == NO_ACTIVE.format(name=stage.name)
    assert loop.is_flagged
    assert loop.coverage_gaps == coverage.gaps  # the stored gaps are the live ones


def test_a_stage_whose_questions_are_all_taken_says_so(db_session, senior_req, team):
    _retire_senior_system_design(db_session, keep=1)
    _candidate, loop = make_candidate_with_loop(db_session, senior_req, team["recruiter"])
    first, second = _system_design_stages(loop)
    assert len(first.questions) == 1 and not second.questions
    coverage = service.coverage_of(db_session, loop)
    assert dict(coverage.category_counts)[Category.SYSTEM_DESIGN] == 1  # the first stage's
    assert coverage.empty == {second.id: ALL_TAKEN.format(name=second.name)}
    assert ALL_TAKEN.format(name=second.name) in loop.coverage_gaps
    assert "No stage covers the category System design." not in loop.coverage_gaps


def test_an_added_stage_the_bank_cannot_fill_is_a_gap_not_coverage(db_session, senior_req, team):
    """Take every behavioural stage out and add one back when the bank has none: the added
    stage neither covers the category nor probes its focus areas."""
    recruiter = Actor(team["recruiter"])
    _candidate, loop = make_candidate_with_loop(db_session, senior_req, team["recruiter"])
    for stage in [s for s in loop.stages if s.category == Category.BEHAVIOURAL_JUDGMENT]:
        service.remove_stage(db_session, recruiter, senior_req, loop, stage.id)
    for question in db_session.scalars(select(Question).where(
            Question.category == Category.BEHAVIOURAL_JUDGMENT)):
        question.retired_at = utcnow()
    stage = service.add_stage(db_session, recruiter, senior_req, loop, service.StageInput(
        name="Owning it after launch", category="behavioural_judgment", minutes=45,
        question_count=2, focus=["technical-leadership"]))
    assert stage.questions == []
    coverage = service.coverage_of(db_session, loop)
    assert dict(coverage.category_counts)[Category.BEHAVIOURAL_JUDGMENT] == 0
    assert "No stage covers the category Behavioural and judgment." in loop.coverage_gaps
    assert coverage.empty[stage.id].startswith(
        "Stage 'Owning it after launch' has no questions: the bank has no active Behavioural "
        "and judgment question for the Senior level.")


def test_the_loop_page_shows_the_empty_stage_in_the_matrix_and_the_gaps(db_session, senior_req,
                                                                        team, login):
    _retire_senior_system_design(db_session)
    candidate, loop = make_candidate_with_loop(db_session, senior_req, team["recruiter"])
    page = login(team["recruiter"]).get(
        f"/requisitions/{senior_req.id}/candidates/{candidate.id}").get_data(as_text=True)
    gaps = page[page.index('id="gaps"'):page.index("</section>", page.index('id="gaps"'))]
    matrix = page[page.index('id="coverage"'):page.index("</table>", page.index('id="coverage"'))]
    for stage in _system_design_stages(loop):
        message = NO_ACTIVE.format(name=stage.name).replace("'", "&#39;")
        assert f"<li>{message}</li>" in gaps
        row = re.search(rf"<tr><th scope=\"row\">{re.escape(stage.name)}</th>(.*?)</tr>",
                        matrix, re.S).group(1)
        assert "probed" not in row
        assert re.search(rf'<td class="miss empty-stage" colspan="\d+">{re.escape(message)}</td>',
                         row), row
    assert "<li>No stage covers the category System design.</li>" in gaps
    assert re.search(r'<li class="gap">System design <span class="count">\(0 stages\)</span>',
                     page)
