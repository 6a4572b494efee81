"""Requisition, candidate and loop pages: queries constant as the data grows."""

from __future__ import annotations

import pytest
from sqlalchemy import insert

from interviewloop.audit.service import Actor
from interviewloop.loops import service as loops
from interviewloop.requisitions.models import Candidate
from tests.factories import make_candidate, make_requisition
from tests.test_query_counts import queries_for


@pytest.fixture
def setup(db_session, bank, make_user, login):
    manager, recruiter = make_user("hiring_manager"), make_user("recruiter")
    requisition = make_requisition(db_session, manager, recruiter)
    return requisition, recruiter, login(recruiter)


def add_candidates(db_session, requisition, count: int, start: int) -> None:
    db_session.execute(insert(Candidate), [
        {"requisition_id": requisition.id, "name": f"Bulk {n}", "email": f"bulk{n}@example.net",
         "source": "", "notes": "", "status": "active", "version": 1}
        for n in range(start, start + count)])
    db_session.flush()


def test_requisition_page_with_10_and_500_candidates(db_session, setup, count_queries):
    requisition, recruiter, client = setup
    for n in range(3):  # some with loops, so the loop column is exercised
        candidate = make_candidate(db_session, requisition, recruiter, 1000 + n)
        loops.build_loop(db_session, Actor(recruiter), requisition, candidate, seed=n)
    add_candidates(db_session, requisition, 7, 0)
    url = f"/requisitions/{requisition.id}"
    few = queries_for(client, count_queries, url)
    add_candidates(db_session, requisition, 490, 7)
    assert queries_for(client, count_queries, url) == few


def test_requisition_list_with_2_and_40_requisitions(db_session, setup, make_user,
                                                     count_queries):
    _requisition, recruiter, client = setup
    manager = make_user("hiring_manager")
    make_requisition(db_session, manager, recruiter, status="draft")
    few = queries_for(client, count_queries, "/requisitions/")
    for n in range(38):
        make_requisition(db_session, make_user("hiring_manager") if n % 5 == 0 else manager,
                         recruiter, status="draft", title=f"Req {n}")
    assert queries_for(client, count_queries, "/requisitions/") == few


def test_loop_page_as_stages_grow(db_session, setup, count_queries):
    requisition, recruiter, client = setup
    candidate = make_candidate(db_session, requisition, recruiter)
    loops.build_loop(db_session, Actor(recruiter), requisition, candidate, seed=1)
    url = f"/requisitions/{requisition.id}/candidates/{candidate.id}"
    few = queries_for(client, count_queries, url)
    loop = loops.loop_for(db_session, candidate)
    for n in range(6):
        loops.add_stage(db_session, Actor(recruiter), requisition, loop, loops.StageInput(
            name=f"Extra {n}", category="system_design", minutes=30, question_count=1,
            focus=["ml-systems"]))
    assert queries_for(client, count_queries, url) == few
