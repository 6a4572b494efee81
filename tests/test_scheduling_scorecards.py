"""Where scheduling asks scorecards (through signals): someone who has started a scorecard
stays on the interview's panel, and the board counts submitted and overdue scorecards."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest

from interviewloop.audit.service import Actor
from interviewloop.db import utcnow
from interviewloop.scheduling import queries, service
from tests.factories import (
    add_to_team,
    make_candidate_with_loop,
    make_requisition,
    next_monday,
    past_interview,
    write_scorecard,
)


@pytest.fixture
def w(db_session, bank, make_user):
    manager = make_user("hiring_manager")
    recruiter = make_user("recruiter")
    alice = make_user("interviewer", name="Alice Interviewer")
    bob = make_user("interviewer", name="Bob Interviewer")
    carol = make_user("interviewer", name="Carol Interviewer")
    requisition = make_requisition(db_session, manager, recruiter)
    add_to_team(db_session, requisition, manager, alice, bob, carol)
    candidate, loop = make_candidate_with_loop(db_session, requisition, recruiter)
    return SimpleNamespace(session=db_session, recruiter=recruiter, alice=alice, bob=bob,
                           carol=carol, req=requisition, candidate=candidate, loop=loop)


def test_whoever_started_a_scorecard_stays_on_the_panel(w):
    interview = past_interview(w.session, w.req, w.recruiter, w.candidate, w.loop.stages[0],
                               [w.alice, w.bob])
    write_scorecard(w.session, w.alice, w.req, interview, submit=False)
    moved = next_monday(hour=14)

    w.session.expire(interview)
    interview = service.get_interview(w.session, interview.id)  # as the page loads it

    def reschedule(people):
        return service.reschedule(w.session, Actor(w.recruiter), w.req, interview,
                                  service.ScheduleInput(
                                      interviewer_ids=[p.id for p in people], starts_at=moved,
                                      minutes=60))

    with pytest.raises(service.SchedulingRefused) as refused:
        reschedule([w.bob, w.carol])
    assert refused.value.reasons == [
        "Alice Interviewer has started a scorecard for this interview and stays on its panel."]
    assert sorted(p.user_id for p in interview.panel) == sorted([w.alice.id, w.bob.id])

    reschedule([w.alice, w.carol])  # Bob wrote nothing: he may leave
    assert sorted(p.user_id for p in interview.panel) == sorted([w.alice.id, w.carol.id])


def test_the_board_counts_submitted_and_overdue_scorecards(w):
    interview = past_interview(w.session, w.req, w.recruiter, w.candidate, w.loop.stages[0],
                               [w.alice, w.bob, w.carol], ended_hours_ago=30)
    write_scorecard(w.session, w.alice, w.req, interview)
    write_scorecard(w.session, w.bob, w.req, interview, submit=False)  # a draft is not in

    [row] = queries.board(w.session, w.req, now=utcnow(), due_hours=24)
    cell = next(c for c in row.cells if c.interview is not None)
    assert (cell.state, cell.submitted, cell.overdue) == ("done", 1, 2)
    [row] = queries.board(w.session, w.req, now=utcnow() - timedelta(hours=8), due_hours=24)
    cell = next(c for c in row.cells if c.interview is not None)
    assert (cell.submitted, cell.overdue) == (1, 0)  # not yet due then
