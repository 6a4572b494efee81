"""The loop page, the question set page and the debrief's like-with-like note make the same
number of queries however many candidates share the set, and however long its history."""

from __future__ import annotations

from sqlalchemy import func, select

from interviewloop.audit.service import Actor
from interviewloop.loops import service as loops
from interviewloop.loops import sets
from interviewloop.loops.models import LoopQuestion, QuestionSetQuestion
from tests.factories import bulk_interviews, make_candidate, make_candidate_with_loop
from tests.test_query_counts import queries_for
from tests.test_query_counts_requisitions import setup  # noqa: F401 - the fixture
from tests.test_question_sets import _had_elsewhere, revise_first_question


def test_the_loop_page_with_10_and_510_loops_on_the_set_and_with_an_alternate(
        db_session, setup, count_queries, make_user):  # noqa: F811
    requisition, recruiter, client = setup
    team = {"manager": make_user("hiring_manager"), "recruiter": recruiter}
    _target, first_loop, with_alternate, _loop = _had_elsewhere(db_session, team, requisition)
    plain = f"/requisitions/{requisition.id}/candidates/{first_loop.candidate_id}"
    alternate = f"/requisitions/{requisition.id}/candidates/{with_alternate.id}"
    bulk_interviews(db_session, requisition.id, [None] * 10, [], with_interviews=False)
    few = queries_for(client, count_queries, plain)
    assert queries_for(client, count_queries, alternate) == few
    bulk_interviews(db_session, requisition.id, [None] * 500, [], prefix="more",
                    with_interviews=False)
    assert queries_for(client, count_queries, plain) == few
    assert queries_for(client, count_queries, alternate) == few


def test_the_set_page_with_2_and_71_versions(db_session, setup, count_queries, make_user):  # noqa: F811
    requisition, recruiter, client = setup
    make_candidate_with_loop(db_session, requisition, recruiter)
    url = f"/requisitions/{requisition.id}/question-set"
    # From the second version on: the first one's maker is the loop builder (nobody to load).
    revise_first_question(db_session, Actor(recruiter), requisition, reason="Round 0")
    few = queries_for(client, count_queries, url)
    for n in range(1, 70):
        revise_first_question(db_session, Actor(recruiter), requisition, reason=f"Round {n}")
    rows = db_session.scalar(select(func.count()).select_from(QuestionSetQuestion))
    assert rows > 500
    page = client.get(url).get_data(as_text=True)
    assert "Version 71" in page and "Round 69" in page
    assert queries_for(client, count_queries, url) == few


def test_the_debrief_note_with_10_and_510_other_loops(db_session, setup, count_queries):  # noqa: F811
    requisition, recruiter, client = setup
    candidate, _loop = make_candidate_with_loop(db_session, requisition, recruiter)
    other = make_candidate(db_session, requisition, recruiter, 2)
    loops.build_loop(db_session, Actor(recruiter), requisition, other)
    revise_first_question(db_session, Actor(recruiter), requisition)
    url = f"/requisitions/{requisition.id}/candidates/{candidate.id}/debrief"
    bulk_interviews(db_session, requisition.id, [None] * 10, [], with_interviews=False)
    few = queries_for(client, count_queries, url)
    assert 'id="comparability"' in client.get(url).get_data(as_text=True)
    bulk_interviews(db_session, requisition.id, [None] * 500, [], prefix="more",
                    with_interviews=False)
    assert db_session.scalar(select(func.count()).select_from(LoopQuestion)) > 0
    assert queries_for(client, count_queries, url) == few
    assert len(sets.differences(db_session, requisition, candidate)) >= 1
