"""Bad input on the scorecard, pre-offer and decision forms: a clear 4xx, nothing saved."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from interviewloop.bank.models import CapabilityArea
from interviewloop.debrief.models import Decision, PreOfferCheck
from interviewloop.scorecards.models import Rating, Scorecard
from tests.conftest import post
from tests.factories import (
    held_interview,
    write_scorecard,
)


@pytest.fixture
def held(db_session, bank, make_user, login):
    return held_interview(db_session, make_user) | {"login": login}


def _counts(db_session) -> tuple[int, int, int, int]:
    return tuple(db_session.scalar(select(func.count()).select_from(model))
                 for model in (Scorecard, Rating, PreOfferCheck, Decision))


def _area_id(db_session) -> int:
    return db_session.scalar(select(func.min(CapabilityArea.id)))


@pytest.mark.parametrize(("field", "value", "status", "message"), [
    ("rating", "7", 422, "choose one of the ratings shown"),
    ("rating", "strong", 422, "choose one of the ratings shown"),
    ("evidence", "x" * 5001, 422, "keep the evidence under 5000 characters"),
    ("recommendation", "maybe", 422, "Unknown recommendation."),
    ("signal_owned_system", "perhaps", 422, "yes, no or not observed"),
    ("signal_evidence_owned_system", "y" * 1001, 422, "under 1,000 characters"),
    ("summary", "z" * 5001, 422, "Keep the summary under 5000 characters."),
    ("version", "abc", 400, "The form&#39;s version field is malformed."),
    ("version", "7", 409, "saved from somewhere else"),
])
def test_bad_scorecard_input_saves_nothing(db_session, held, field, value, status, message):
    client = held["login"](held["first"])
    area = _area_id(db_session)
    data = {"action": "save", "version": "0", f"rating_{area}": "3",
            f"evidence_{area}": "Named the metric they watched."}
    key = {"rating": f"rating_{area}", "evidence": f"evidence_{area}"}.get(field, field)
    data[key] = value
    before = _counts(db_session)
    response = post(client, f"/interviews/{held['interview'].id}/scorecard", data)
    assert response.status_code == status
    assert message.lower() in response.get_data(as_text=True).lower()
    assert _counts(db_session) == before


def test_a_scorecard_for_someone_elses_interview_is_not_found(db_session, held, make_user):
    outsider = make_user("interviewer")
    client = held["login"](outsider)
    before = _counts(db_session)
    response = post(client, f"/interviews/{held['interview'].id}/scorecard",
                    {"action": "save", "version": "0"})
    assert response.status_code == 404
    assert _counts(db_session) == before


@pytest.mark.parametrize(("answers", "message"), [
    ({}, "Answer strong or weak"),
    ({"owned_system": "excellent"}, "Answer strong or weak"),
    ({"owned_system_evidence": ""}, "Write the evidence for"),
    ({"reduces_risk_evidence": "e" * 4001}, "under 4,000 characters"),
])
def test_bad_pre_offer_answers_save_nothing(db_session, held, answers, message):
    for interviewer in (held["first"], held["second"]):
        write_scorecard(db_session, interviewer, held["requisition"], held["interview"])
    client = held["login"](held["manager"])
    base = dict.fromkeys(("owned_system", "failure_handling", "reduces_risk"), "strong")
    base |= {f"{name}_evidence": "Specific." for name in base}
    data = (base | answers) if answers else {}
    before = _counts(db_session)
    url = (f"/requisitions/{held['requisition'].id}/candidates/{held['candidate'].id}"
           "/pre-offer")
    response = post(client, url, data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _counts(db_session) == before


@pytest.mark.parametrize(("data", "status", "message"), [
    ({"kind": "promote", "rationale": "Why not."}, 422, "Choose offer, reject or hold."),
    ({"kind": "hold", "rationale": "  "}, 422, "Write the rationale for the decision."),
    ({"kind": "hold", "rationale": "r" * 4001}, 422, "under 4,000 characters"),
    ({"kind": "offer", "rationale": "Great."}, 409, "pre-offer check"),
])
def test_bad_decisions_save_nothing(db_session, held, data, status, message):
    for interviewer in (held["first"], held["second"]):
        write_scorecard(db_session, interviewer, held["requisition"], held["interview"])
    client = held["login"](held["manager"])
    before = _counts(db_session)
    url = (f"/requisitions/{held['requisition'].id}/candidates/{held['candidate'].id}"
           "/decision")
    response = post(client, url, data)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert _counts(db_session) == before
