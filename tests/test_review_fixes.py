"""Holes a review found: each test here failed before its fix."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from interviewloop.audit.models import AuditEvent
from interviewloop.audit.service import Actor
from interviewloop.debrief import service as debrief
from interviewloop.errors import Conflict
from tests.factories import (
    add_to_team,
    make_candidate_with_loop,
    make_requisition,
    past_interview,
    write_scorecard,
)

STRONG = dict.fromkeys(("owned_system", "failure_handling", "reduces_risk"),
                       ("strong", "Specific, first-hand."))


@pytest.fixture
def world(db_session, bank, make_user):
    manager = make_user("hiring_manager", "interviewer")  # also interviews
    recruiter = make_user("recruiter")
    other, third = make_user("interviewer"), make_user("interviewer")
    requisition = make_requisition(db_session, manager, recruiter)
    add_to_team(db_session, requisition, recruiter, other, third)
    candidate, loop = make_candidate_with_loop(db_session, requisition, recruiter)
    return {"manager": manager, "recruiter": recruiter, "other": other, "third": third,
            "requisition": requisition, "candidate": candidate, "loop": loop}


def test_dashboard_hides_ratings_from_an_interviewing_manager_until_theirs_is_in(
        db_session, world, login):
    w = world
    interview = past_interview(db_session, w["requisition"], w["recruiter"], w["candidate"],
                               w["loop"].stages[0], [w["manager"], w["other"]])
    write_scorecard(db_session, w["other"], w["requisition"], interview, rating=4)
    client = login(w["manager"])
    url = f"/requisitions/{w['requisition'].id}/dashboard"
    html = client.get(url).get_data(as_text=True)
    assert "after your scorecard" in html
    assert "4.0" not in html
    write_scorecard(db_session, w["manager"], w["requisition"], interview, rating=2)
    html = client.get(url).get_data(as_text=True)
    assert "after your scorecard" not in html
    assert "3.0" in html  # (4 + 2) / 2 for each focus area


def test_an_offer_needs_a_check_answered_after_the_last_scorecard(db_session, world):
    w = world
    first = past_interview(db_session, w["requisition"], w["recruiter"], w["candidate"],
                           w["loop"].stages[0], [w["other"]], ended_hours_ago=30)
    write_scorecard(db_session, w["other"], w["requisition"], first)
    as_manager = Actor(w["manager"])
    debrief.answer_pre_offer(db_session, as_manager, w["requisition"], w["candidate"], STRONG)
    later = past_interview(db_session, w["requisition"], w["recruiter"], w["candidate"],
                           w["loop"].stages[1], [w["third"]], ended_hours_ago=1)
    write_scorecard(db_session, w["third"], w["requisition"], later, rating=1,
                    recommendation="strong_no_hire")
    with pytest.raises(Conflict, match="after the pre-offer check"):
        debrief.record_decision(db_session, as_manager, w["requisition"], w["candidate"],
                                "offer", "Looked good.", "Enough.")
    debrief.answer_pre_offer(db_session, as_manager, w["requisition"], w["candidate"], STRONG)
    decision = debrief.record_decision(db_session, as_manager, w["requisition"],
                                       w["candidate"], "offer", "Weighed the late scorecard.",
                                       "Enough.")
    assert decision.kind.value == "offer"


def test_after_a_hold_a_new_interview_can_still_be_written_up(db_session, world):
    w = world
    first = past_interview(db_session, w["requisition"], w["recruiter"], w["candidate"],
                           w["loop"].stages[0], [w["other"]], ended_hours_ago=30)
    write_scorecard(db_session, w["other"], w["requisition"], first)
    as_manager = Actor(w["manager"])
    debrief.record_decision(db_session, as_manager, w["requisition"], w["candidate"], "hold",
                            "One more technical interview first.")
    later = past_interview(db_session, w["requisition"], w["recruiter"], w["candidate"],
                           w["loop"].stages[1], [w["third"]], ended_hours_ago=1)
    write_scorecard(db_session, w["third"], w["requisition"], later)
    with pytest.raises(Conflict, match="locked"):  # the one the hold was decided on
        write_scorecard(db_session, w["other"], w["requisition"], first, rating=4)
    debrief.answer_pre_offer(db_session, as_manager, w["requisition"], w["candidate"], STRONG)
    decision = debrief.record_decision(db_session, as_manager, w["requisition"],
                                       w["candidate"], "offer", "The extra interview settled it.",
                                       "Enough.")
    assert decision.kind.value == "offer"


def test_the_audit_log_keeps_no_scorecard_content(db_session, world):
    w = world
    interview = past_interview(db_session, w["requisition"], w["recruiter"], w["candidate"],
                               w["loop"].stages[0], [w["other"]])
    write_scorecard(db_session, w["other"], w["requisition"], interview,
                    recommendation="strong_hire", rating=4)
    details = [e.detail for e in db_session.scalars(select(AuditEvent).where(
        AuditEvent.action.like("scorecard%")))]
    assert details
    assert all("strong_hire" not in str(d) and "recommendation" not in d for d in details)
