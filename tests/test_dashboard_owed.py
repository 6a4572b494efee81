"""The dashboard tells scorecards owed (the interview has started) from overdue ones, and
counts none for interviews still to come (issue 9, bug 10)."""

from __future__ import annotations

from interviewloop.db import utcnow
from interviewloop.debrief import dashboard
from tests.factories import (
    add_to_team,
    make_candidate_with_loop,
    make_interview,
    make_requisition,
    next_monday,
    past_interview,
    write_scorecard,
)


def test_owed_and_overdue_are_told_apart_and_future_interviews_owe_nothing(
        db_session, bank, make_user, login):
    manager, recruiter = make_user("hiring_manager"), make_user("recruiter")
    a, b, c = (make_user("interviewer") for _ in range(3))
    req = make_requisition(db_session, manager, recruiter)
    add_to_team(db_session, req, manager, a, b, c)
    candidate, loop = make_candidate_with_loop(db_session, req, recruiter)
    late = past_interview(db_session, req, recruiter, candidate, loop.stages[0], [a, b],
                          ended_hours_ago=30)  # past the 24 h due time
    past_interview(db_session, req, recruiter, candidate, loop.stages[1], [c],
                   ended_hours_ago=2)  # ended, due later
    make_interview(db_session, req, recruiter, candidate, loop.stages[2], [a, b, c],
                   next_monday())  # still to come: three scorecards, none owed yet
    write_scorecard(db_session, b, req, late)
    [row] = dashboard.rows(db_session, req, manager, now=utcnow(), due_hours=24)
    assert (row.outstanding, row.overdue) == (2, 1)
    html = login(manager).get(f"/requisitions/{req.id}/dashboard").get_data(as_text=True)
    cell = html.split('<td class="owed">')[1].split("</td>")[0]
    assert cell.startswith("2 ") and "1 overdue" in cell
