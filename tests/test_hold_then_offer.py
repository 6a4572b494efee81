"""After a hold, the pre-offer check can be answered again with another outcome, and an
offer then follows (issue 9, bug 1: the hold pinned the check's outcome, so re-answering
broke a foreign key, a 500, and the candidate could never get an offer)."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError

from interviewloop.audit.service import Actor
from interviewloop.debrief import service as debrief
from interviewloop.debrief.models import Decision, PreOfferCheck
from tests.conftest import post
from tests.factories import (
    add_to_team,
    make_candidate_with_loop,
    make_requisition,
    past_interview,
    write_scorecard,
)

QUESTIONS = ("owned_system", "failure_handling", "reduces_risk")


def answers(first: str) -> dict[str, str]:
    form = dict.fromkeys(QUESTIONS, "strong") | {f"{q}_evidence": f"Evidence for {q}."
                                               for q in QUESTIONS}
    form["owned_system"] = first
    return form


@pytest.fixture
def held(db_session, bank, make_user, login):
    manager, recruiter, interviewer = (make_user("hiring_manager"), make_user("recruiter"),
                                       make_user("interviewer"))
    requisition = make_requisition(db_session, manager, recruiter)
    add_to_team(db_session, requisition, recruiter, interviewer)
    candidate, loop = make_candidate_with_loop(db_session, requisition, recruiter)
    interview = past_interview(db_session, requisition, recruiter, candidate, loop.stages[0],
                               [interviewer], ended_hours_ago=3)
    write_scorecard(db_session, interviewer, requisition, interview)
    base = f"/requisitions/{requisition.id}/candidates/{candidate.id}"
    return {"client": login(manager), "base": base, "candidate": candidate,
            "requisition": requisition, "manager": manager}


@pytest.mark.parametrize(("first", "then"), [("weak", "strong"), ("strong", "weak")])
def test_after_a_hold_the_check_is_answered_again_and_an_offer_follows(
        db_session, held, first, then):
    client, base = held["client"], held["base"]
    assert post(client, f"{base}/pre-offer", answers(first)).status_code == 302
    hold = post(client, f"{base}/decision", {"kind": "hold", "rationale": "One more talk."})
    assert hold.status_code == 302
    page = client.get(f"{base}/debrief").get_data(as_text=True)
    assert "Record the answers" in page  # the hold leaves the check open, on the page too
    again = post(client, f"{base}/pre-offer", answers(then))
    assert again.status_code == 302, again.get_data(as_text=True)[:400]
    check = db_session.scalar(select(PreOfferCheck).where(
        PreOfferCheck.candidate_id == held["candidate"].id))
    assert check.passed is (then == "strong")
    offer = post(client, f"{base}/decision", {"kind": "offer", "rationale": "Strong all round.",
                                                    "waiver": "Enough."})
    if then == "strong":
        assert offer.status_code == 302
        assert db_session.scalar(select(Decision.kind).order_by(Decision.id.desc())) == "offer"
    else:
        assert offer.status_code == 409
        assert "keep looking" in offer.get_data(as_text=True)


def test_a_hold_does_not_pin_the_check_but_an_offer_does(db_session, held):
    actor = Actor(held["manager"])
    strong = dict.fromkeys(QUESTIONS, ("strong", "Seen first-hand."))
    check = debrief.answer_pre_offer(db_session, actor, held["requisition"], held["candidate"],
                                     strong)
    hold = debrief.record_decision(db_session, actor, held["requisition"], held["candidate"],
                                   "hold", "Wait for the team's plan.")
    assert (hold.pre_offer_check_id, hold.pre_offer_passed) == (check.id, None)
    offer = debrief.record_decision(db_session, actor, held["requisition"], held["candidate"],
                                    "offer", "Go.", "Enough.")
    assert (offer.pre_offer_check_id, offer.pre_offer_passed) == (check.id, True)
    # The database refuses to turn the offer's check weak under it ...
    with pytest.raises(IntegrityError), db_session.begin_nested():
        db_session.execute(update(PreOfferCheck).where(PreOfferCheck.id == check.id).values(
            owned_system="weak", passed=False))
    # ... and a hold that pins an outcome anyway.
    with pytest.raises(IntegrityError), db_session.begin_nested():
        db_session.execute(text("UPDATE decisions SET pre_offer_passed = :p WHERE id = :id"),
                           {"p": True, "id": hold.id})
