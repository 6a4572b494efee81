"""Every refusal of a scorecard save comes back as the form, with what the interviewer
typed and the reason, and saves nothing (issue 9, bug 5)."""

from __future__ import annotations

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from interviewloop.audit.service import Actor
from interviewloop.bank.models import CapabilityArea
from interviewloop.debrief import service as debrief
from interviewloop.scheduling import service as scheduling
from interviewloop.scorecards.models import Rating, Scorecard, ScorecardRevision
from tests.conftest import post
from tests.factories import (
    held_interview,
    make_interview,
    next_monday,
    write_scorecard,
)

TYPED = "They named the p95 latency budget and the alert they would page on."


@pytest.fixture
def held(db_session, bank, make_user, login):
    world = held_interview(db_session, make_user)
    return world | {"client": login(world["first"])}


def _saved(db_session) -> tuple[int, int, int]:
    return tuple(db_session.scalar(select(func.count()).select_from(model))
                 for model in (Scorecard, Rating, ScorecardRevision))


def _future(db_session, held):
    return make_interview(db_session, held["requisition"], held["recruiter"],
                          held["candidate"], held["loop"].stages[1], [held["first"]],
                          next_monday())


def _decided(db_session, held):
    for person in ("first", "second"):
        write_scorecard(db_session, held[person], held["requisition"], held["interview"])
    debrief.record_decision(db_session, Actor(held["manager"]), held["requisition"],
                            held["candidate"], "reject", "Not this time.")
    return held["interview"]


def _cancelled(db_session, held):
    scheduling.cancel(db_session, Actor(held["recruiter"]), held["requisition"],
                      held["interview"])
    return held["interview"]


@pytest.mark.parametrize(("situation", "action", "rating", "status", "reason"), [
    (_future, "submit", "3", 409, "The interview has not started yet"),
    (_decided, "save", "3", 409, "the scorecards are locked"),
    (_cancelled, "save", "3", 409, "This interview was cancelled"),
    (None, "save", "9", 422, "choose one of the ratings shown"),
    (None, "submit", "", 422, "Not submitted yet"),
])
def test_a_refused_save_shows_the_form_with_the_input_and_the_reason(
        db_session, held, situation, action, rating, status, reason):
    interview = situation(db_session, held) if situation else held["interview"]
    area = db_session.scalar(select(func.min(CapabilityArea.id)))
    current = db_session.scalar(select(Scorecard.version).where(
        Scorecard.interview_id == interview.id, Scorecard.interviewer_id == held["first"].id))
    before = _saved(db_session)
    response = post(held["client"], f"/interviews/{interview.id}/scorecard", {
        "action": action, "version": str(current or 0), f"rating_{area}": rating,
        f"evidence_{area}": TYPED, "summary": "My summary, typed and not to be lost."})
    html = response.get_data(as_text=True)
    assert response.status_code == status
    assert '<form method="post"' in html and 'class="wide scorecard"' in html  # the form
    assert str(escape(reason)) in html
    assert str(escape(TYPED)) in html and "My summary, typed and not to be lost." in html
    assert _saved(db_session) == before


def test_a_refused_first_submit_leaves_no_empty_draft(db_session, held):
    """The service refuses before its first write, so even a caller that commits anyway
    keeps nothing."""
    from interviewloop.bank.service import areas
    from interviewloop.errors import Conflict
    from interviewloop.scorecards import service

    interview = _future(db_session, held)
    stage = service.stage_for(db_session, interview)
    with pytest.raises(Conflict, match="has not started yet"):
        service.save(db_session, Actor(held["first"]), held["requisition"], interview, None,
                     service.ScorecardInput(), submit=True, seen_version=0,
                     areas={a.id: a for a in areas(db_session)}, stage=stage)
    assert db_session.scalar(select(func.count()).select_from(Scorecard).where(
        Scorecard.interview_id == interview.id)) == 0
