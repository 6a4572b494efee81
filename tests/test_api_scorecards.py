"""The API's scorecards, debrief summary, pre-offer checks and decisions: what each shows,
in the page's own numbers, and its lists' filters and pages."""

from __future__ import annotations

from tests.api_support import assert_problem, call, make_token
from tests.test_scorecard_independence import SUBMITTED, build, own


def test_a_scorecard_as_the_api_shows_it(db_session, bank, make_user, client):
    w = build(db_session, make_user, hide=False, manager_interviews=False)
    token = make_token(db_session, w.manager)
    body = call(client, "GET", f"/api/v1/scorecards/{w.card.id}", token).get_json()
    assert body["interviewer"] == {"id": w.alice.id, "name": "Alice Author"}
    assert body["interview"]["id"] == w.first.id and body["candidate_id"] == w.cand.id
    assert body["requisition_id"] == w.req.id and body["recommendation"] == "strong_hire"
    assert body["summary"] == SUBMITTED["summary"] and body["practice"] is False
    rated = [r for r in body["ratings"] if r["rating"] is not None]
    assert rated and all(r["rating"] == 4 and r["evidence"] == SUBMITTED["evidence"]
                         for r in rated)
    assert {n["notes"] for n in body["question_notes"]} == {SUBMITTED["notes"]}
    assert body["signals"] == [{"question": "owned_system", "value": "yes",
                                "evidence": SUBMITTED["signal_evidence"]}]
    listed = call(client, "GET", f"/api/v1/scorecards?candidate_id={w.cand.id}", token)
    assert listed.get_json()["items"] == [body]
    assert_problem(call(client, "GET", f"/api/v1/scorecards/{w.draft.id}", token), 404)


def test_the_debrief_and_decision(db_session, bank, make_user, client):
    w = build(db_session, make_user, hide=False, manager_interviews=False)
    own(w, w.pat, w.first)
    own(w, w.dan, w.second)
    token = make_token(db_session, w.manager)
    body = call(client, "GET", f"/api/v1/candidates/{w.cand.id}/debrief", token).get_json()
    assert sorted(body["scorecard_ids"]) == sorted(
        [w.card.id, *(c for c in body["scorecard_ids"] if c != w.card.id)])
    assert len(body["scorecard_ids"]) == 3
    assert body["recommendations"]["strong_hire"] == 1
    assert {p["state"] for p in body["panel"]} >= {"submitted", "upcoming"}
    assert body["pre_offer_check_id"] is None and body["decision"] is None
    print(body)
