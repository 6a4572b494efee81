"""Bugs the state machine (tests/fuzz) found, each pinned by its smallest reproduction."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from interviewloop.scheduling.models import Interview
from tests.conftest import post
from tests.factories import add_to_team, make_candidate_with_loop, make_requisition


@pytest.mark.parametrize(("zone", "starts_at", "status"), [
    ("America/New_York", "9999-12-31T23:59", 422),  # in UTC that is year 10000
    ("Asia/Tokyo", "0001-01-01T00:00", 422),  # and this is year 0
    ("UTC", "9999-12-31T23:59", 409),  # its end would be in year 10000
])
def test_a_start_time_past_the_calendars_end_is_a_form_error(db_session, bank, make_user,
                                                             login, zone, starts_at, status):
    manager = make_user("hiring_manager")
    recruiter = make_user("recruiter", time_zone=zone)
    interviewer = make_user("interviewer")
    req = make_requisition(db_session, manager, recruiter)
    add_to_team(db_session, req, manager, interviewer)
    cand, loop = make_candidate_with_loop(db_session, req, recruiter)
    db_session.flush()
    url = f"/requisitions/{req.id}/candidates/{cand.id}/stages/{loop.stages[0].id}/schedule"
    response = post(login(recruiter), url, {"interviewers": [str(interviewer.id)],
                                            "starts_at": starts_at, "minutes": "45"})
    assert response.status_code == status
    assert starts_at in response.get_data(as_text=True)  # the input is kept
    assert db_session.scalar(select(func.count()).select_from(Interview)) == 0


def test_a_stage_with_a_cancelled_interview_is_kept_with_a_reason(db_session, bank, make_user,
                                                                  login):
    from interviewloop.audit.service import Actor
    from interviewloop.loops.models import LoopStage
    from interviewloop.scheduling import service as scheduling
    from tests.factories import make_interview, next_monday

    manager, recruiter, interviewer = (make_user(role) for role in
                                       ("hiring_manager", "recruiter", "interviewer"))
    req = make_requisition(db_session, manager, recruiter)
    add_to_team(db_session, req, manager, interviewer)
    cand, loop = make_candidate_with_loop(db_session, req, recruiter)
    stage = loop.stages[0]
    interview = make_interview(db_session, req, recruiter, cand, stage, [interviewer],
                               next_monday())
    scheduling.cancel(db_session, Actor(recruiter), req, interview)
    db_session.flush()
    url = f"/requisitions/{req.id}/candidates/{cand.id}/loop/stages/{stage.id}/remove"
    response = post(login(recruiter), url)
    assert response.status_code == 409
    assert "cancelled interview" in response.get_data(as_text=True)
    assert db_session.get(LoopStage, stage.id) is not None
