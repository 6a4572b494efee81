"""The API's scorecards, debrief summary, pre-offer checks and decisions: what each shows
(the debrief in the page's own numbers), and its lists' filters, pages and updated_since."""

from __future__ import annotations

from datetime import timedelta

from markupsafe import escape

from interviewloop.audit.service import Actor
from interviewloop.bank.service import areas as all_areas
from interviewloop.db import utcnow
from interviewloop.debrief import service as debrief
from interviewloop.debrief.models import ANSWERS
from interviewloop.scheduling import service as scheduling
from tests.api_support import assert_problem, call, make_token
from tests.test_scorecard_independence import SUBMITTED, build, own


def get(client, token, url):
    response = call(client, "GET", url, token)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response


def test_a_scorecard_as_the_api_shows_it(db_session, bank, make_user, client):
    w = build(db_session, make_user, hide=False, manager_interviews=False)
    token = make_token(db_session, w.manager)
    response = get(client, token, f"/api/v1/scorecards/{w.card.id}")
    body = response.get_json()
    assert response.headers["ETag"] == f'"{w.card.version}"'
    assert body["interviewer"] == {"id": w.alice.id, "name": "Alice Author"}
    assert body["interview"]["id"] == w.first.id and body["candidate_id"] == w.cand.id
    assert body["requisition_id"] == w.req.id and body["recommendation"] == "strong_hire"
    assert body["summary"] == SUBMITTED["summary"] and body["practice"] is False
    rated = [r for r in body["ratings"] if r["rating"] is not None]
    assert rated and all(r["rating"] == 4 and r["evidence"] == SUBMITTED["evidence"]
                         for r in rated)
    assert len(body["ratings"]) == 5  # every area, rated or not assessed
    assert {n["notes"] for n in body["question_notes"]} == {SUBMITTED["notes"]}
    assert body["signals"] == [{"question": "owned_system", "value": "yes",
                                "evidence": SUBMITTED["signal_evidence"]}]
    listed = get(client, token, f"/api/v1/scorecards?candidate_id={w.cand.id}").get_json()
    assert listed == {"items": [body], "next_cursor": None}
    assert_problem(call(client, "GET", f"/api/v1/scorecards/{w.draft.id}", token), 404)


def test_the_scorecard_list_pages_filters_and_syncs(db_session, bank, make_user, client):
    w = build(db_session, make_user, hide=False, manager_interviews=False)
    own(w, w.pat, w.first)
    own(w, w.dan, w.second)
    token = make_token(db_session, w.manager)
    first = get(client, token, "/api/v1/scorecards?limit=2").get_json()
    rest = get(client, token, f"/api/v1/scorecards?limit=2&cursor={first['next_cursor']}")
    ids = [c["id"] for c in first["items"] + rest.get_json()["items"]]
    assert len(ids) == len(set(ids)) == 3 and rest.get_json()["next_cursor"] is None
    assert get(client, token, f"/api/v1/scorecards?requisition_id={w.req.id + 999}"
               ).get_json()["items"] == []
    later = (utcnow() + timedelta(minutes=1)).isoformat().replace("+00:00", "Z")
    assert get(client, token, "/api/v1/scorecards").get_json()["items"]
    assert call(client, "GET", f"/api/v1/scorecards?updated_since={later}",
                token).get_json()["items"] == []


def test_the_debrief_in_the_pages_numbers(db_session, bank, make_user, client, login):
    w = build(db_session, make_user, hide=False, manager_interviews=False)
    own(w, w.pat, w.first)
    own(w, w.dan, w.second)
    token = make_token(db_session, w.manager)
    body = get(client, token, f"/api/v1/candidates/{w.cand.id}/debrief").get_json()
    cards = debrief.cards_and_signals(db_session, w.cand)[0]
    assert body["scorecard_ids"] == [c.id for c in cards] and len(cards) == 3
    assert body["recommendations"] == {"strong_no_hire": 0, "no_hire": 0, "hire": 2,
                                       "strong_hire": 1}
    stats = debrief.area_stats(db_session, w.cand, all_areas(db_session))
    assert [(a["area"], a["raters"], a["mean"], a["lowest"], a["highest"], a["spread"],
             a["disagreement"], a["coverage_gap"]) for a in body["areas"]] == [
        (s.area.slug, s.count, s.mean, s.low, s.high, s.spread, s.disagreement, s.coverage_gap)
        for s in stats]
    assert any(a["raters"] >= 2 for a in body["areas"])
    assert {(p["interviewer"]["name"], p["state"]) for p in body["panel"]} == {
        ("Alice Author", "submitted"), ("Pat Panelist", "submitted"),
        ("Dan Otherstage", "submitted"), ("Zed Drafter", "upcoming")}
    assert "scorecard is still outstanding" in body["pre_offer_blocker"]
    assert body["pre_offer_check_id"] is None and body["decision"] is None
    page = login(w.manager).get(f"/requisitions/{w.req.id}/candidates/{w.cand.id}/debrief")
    assert str(escape(body["pre_offer_blocker"])) in page.get_data(as_text=True)


def test_checks_and_decisions(db_session, bank, make_user, client):
    w = build(db_session, make_user, hide=False, manager_interviews=False)
    own(w, w.pat, w.first)
    own(w, w.dan, w.second)
    scheduling.cancel(db_session, Actor(w.recruiter), w.req, w.later)  # Zed's: owes nothing
    check = debrief.answer_pre_offer(db_session, Actor(w.manager), w.req, w.cand,
                                     dict.fromkeys(ANSWERS, ("strong", "Ran the pager.")))
    decision = debrief.record_decision(db_session, Actor(w.manager), w.req, w.cand, "hold",
                                       "Meet the team first.")
    db_session.flush()
    token = make_token(db_session, w.recruiter)
    shown = get(client, token, f"/api/v1/pre-offer-checks/{check.id}").get_json()
    assert shown["passed"] is True and shown["owned_system_evidence"] == "Ran the pager."
    assert shown["manager"]["id"] == w.manager.id and shown["requisition_id"] == w.req.id
    made = get(client, token, f"/api/v1/decisions/{decision.id}").get_json()
    assert (made["kind"], made["rationale"], made["pre_offer_check_id"]) == (
        "hold", "Meet the team first.", check.id)
    on = f"?candidate_id={w.cand.id}"
    assert get(client, token, f"/api/v1/pre-offer-checks{on}").get_json()["items"] == [shown]
    assert get(client, token, f"/api/v1/decisions{on}").get_json()["items"] == [made]
    summary = get(client, token, f"/api/v1/candidates/{w.cand.id}/debrief").get_json()
    assert summary["pre_offer_check_id"] == check.id and summary["pre_offer_passed"] is True
    assert summary["decision"]["id"] == decision.id and summary["pre_offer_blocker"] is None
