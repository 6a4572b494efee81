"""Answers to invites on the recruiter's pages: the board and the candidate's loop page show
each panelist's answer, flag the ones to chase (one rule: scheduling/rsvp.py needs_chasing),
and make the same number of queries however many answers there are."""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import insert, update

from interviewloop.auth.models import User
from interviewloop.db import utcnow
from interviewloop.scheduling.models import Panelist, RsvpState
from tests import factories
from tests.factories import add_to_team, make_candidate_with_loop, make_interview, make_requisition
from tests.test_query_counts import queries_for

BADGE = re.compile(r'<span class="tag rsvp rsvp-(\w+)( flagged)?" data-user="(\d+)"')


@pytest.fixture
def w(db_session, bank, make_user, login):
    manager, recruiter = make_user("hiring_manager"), make_user("recruiter")
    alice, bob, carol = (make_user("interviewer", name=n) for n in ("Alice", "Bob", "Carol"))
    req = make_requisition(db_session, manager, recruiter)
    add_to_team(db_session, req, manager, alice, bob, carol)
    candidate, loop = make_candidate_with_loop(db_session, req, recruiter)
    db_session.flush()
    return SimpleNamespace(session=db_session, recruiter=recruiter, alice=alice, bob=bob,
                           carol=carol, req=req, candidate=candidate, loop=loop,
                           rc=login(recruiter))


def answer(w, interview, user, state: RsvpState) -> None:
    w.session.execute(update(Panelist).where(
        Panelist.interview_id == interview.id, Panelist.user_id == user.id)
        .values(rsvp=state, rsvp_at=utcnow()))
    w.session.flush()


def badges(page: str) -> dict[int, tuple[str, bool]]:
    return {int(user): (state, bool(flag)) for state, flag, user in BADGE.findall(page)}


def test_the_board_and_the_loop_page_flag_who_to_chase(w):
    # Far ahead: only a decline is flagged. Soon (tomorrow): no answer is flagged too.
    later = make_interview(w.session, w.req, w.recruiter, w.candidate, w.loop.stages[0],
                           [w.alice, w.bob], factories.next_monday(weeks_ahead=3))
    soon = make_interview(w.session, w.req, w.recruiter, w.candidate, w.loop.stages[1],
                          [w.carol], utcnow() + timedelta(days=1))
    answer(w, later, w.alice, RsvpState.ACCEPTED)
    answer(w, later, w.bob, RsvpState.DECLINED)
    board = w.rc.get(f"/requisitions/{w.req.id}/board").get_data(as_text=True)
    loop_page = w.rc.get(f"/requisitions/{w.req.id}/candidates/{w.candidate.id}"
                         ).get_data(as_text=True)
    expected = {w.alice.id: ("accepted", False), w.bob.id: ("declined", True),
                w.carol.id: ("needs_action", True)}
    interview_page = w.rc.get(f"/interviews/{later.id}").get_data(as_text=True)
    assert badges(board) == badges(loop_page) == expected
    assert badges(interview_page) == {k: v for k, v in expected.items() if k != w.carol.id}
    assert "Carol: no answer ⚑" in board and "Alice: accepted<" in loop_page
    assert f'id="schedule-{soon.stage_id}"' in loop_page


def _bulk_users(session, count: int) -> list[User]:
    rows = session.scalars(insert(User).returning(User, sort_by_parameter_order=True), [
        {"email": f"rsvp-bulk-{n}@example.net", "name": f"Bulk {n}", "password_hash": "x",
         "created_at": utcnow()} for n in range(count)]).all()
    session.flush()
    return list(rows)


STATES = [RsvpState.NEEDS_ACTION, RsvpState.ACCEPTED, RsvpState.DECLINED]


def _answer_all(session, interview_ids: list[int]) -> None:
    """Spread answers of every kind over these interviews' panels."""
    for n, state in enumerate(STATES):
        session.execute(update(Panelist).where(
            Panelist.interview_id.in_(interview_ids[n::3])).values(
            rsvp=state, rsvp_at=None if state == RsvpState.NEEDS_ACTION else utcnow()))
    session.flush()


def test_the_board_with_answers_on_10_and_500_candidates(w, count_queries):
    # 500 candidates in all (w's and 499 more), with 998 answers. (Past 500 the board's
    # selectin load of loop stages takes a second query: the board's pagination caps it.)
    url = f"/requisitions/{w.req.id}/board"
    soon = [utcnow() + timedelta(days=1, minutes=n) for n in range(600)]
    _, ids = factories.bulk_interviews(w.session, w.req.id, soon[:9], [w.alice, w.bob],
                                       prefix="few")
    _answer_all(w.session, ids)
    few = queries_for(w.rc, count_queries, url)
    _, more = factories.bulk_interviews(w.session, w.req.id, soon[9:499], [w.alice, w.bob],
                                        prefix="many")
    _answer_all(w.session, more)
    page = w.rc.get(url).get_data(as_text=True)
    assert len(BADGE.findall(page)) == 2 * 499  # each panelist's answer, on 499 interviews
    assert page.count(" flagged\"") > 500  # declines and late non-answers
    assert queries_for(w.rc, count_queries, url) == few


def test_the_loop_page_with_1_and_520_answers(w, count_queries):
    url = f"/requisitions/{w.req.id}/candidates/{w.candidate.id}"
    interview = make_interview(w.session, w.req, w.recruiter, w.candidate, w.loop.stages[0],
                               [w.alice], utcnow() + timedelta(days=1))
    few = queries_for(w.rc, count_queries, url)
    people = _bulk_users(w.session, 520)
    w.session.execute(insert(Panelist), [
        {"interview_id": interview.id, "user_id": u.id, "starts_at": interview.starts_at,
         "ends_at": interview.ends_at, "live": True, "rsvp": STATES[n % 3].value,
         "rsvp_at": None if n % 3 == 0 else utcnow()} for n, u in enumerate(people)])
    w.session.flush()
    page = w.rc.get(url).get_data(as_text=True)
    assert len(BADGE.findall(page)) == 521
    assert queries_for(w.rc, count_queries, url) == few
