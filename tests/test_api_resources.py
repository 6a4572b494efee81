"""Loops, interviews, the question bank and users through the API: what each shows (and
never shows), the bank's own validation with the field at fault, ETag and If-Match,
Idempotency-Key, and updated_since catching changes made to a row's parts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from interviewloop.audit.service import Actor
from interviewloop.auth import service as users
from interviewloop.bank.models import CapabilityArea, Question
from interviewloop.db import utcnow
from interviewloop.loops import service as loops
from interviewloop.scheduling import rsvp
from interviewloop.scheduling.models import RsvpState
from interviewloop.tokens import LinkSigner
from tests.api_support import assert_problem, call, interview_world, make_token

USER_FIELDS = {"id", "email", "name", "roles", "time_zone", "job_title", "is_active",
               "weekly_interview_cap", "created_at", "updated_at", "deactivated_at"}


@pytest.fixture
def w(db_session, bank, make_user):
    world = interview_world(db_session, make_user)
    return {**world, "manager_token": make_token(db_session, world["manager"])}


def since(moment) -> str:
    return moment.isoformat().replace("+", "%2B")


def question_body(db_session, **changes) -> dict:
    area = db_session.scalar(select(CapabilityArea.slug).order_by(CapabilityArea.position))
    return {"title": "Rolling back a model without losing the week's labels",
            "category": "mlops_operations", "prompt": "Walk me through the rollback.",
            "signals": ["Keeps the labels", "Pins the data version", "Tests the rollback"],
            "red_flags": ["Deletes the new data", "Never rehearsed"], "areas": [area],
            "levels": ["senior", "staff"], **changes}


def count_questions(db_session) -> int:
    return db_session.scalar(select(func.count()).select_from(Question))


# --- loops and interviews ------------------------------------------------------------------

def test_a_loop_shows_its_stages_and_questions(client, w):
    body = call(client, "GET", f"/api/v1/loops/{w['loop'].id}", w["manager_token"]).get_json()
    assert [s["id"] for s in body["stages"]] == [s.id for s in w["loop"].stages]
    first = w["loop"].stages[0]
    assert [q["question_id"] for q in body["stages"][0]["questions"]] == \
        [q.question_id for q in first.questions]
    assert body["stages"][0]["focus_areas"] == [a.slug for a in first.focus_areas]
    assert body["requisition_id"] == w["requisition"].id


def test_the_panel_sees_its_interview_with_the_kits_questions(client, db_session, w):
    token = make_token(db_session, w["interviewer"])
    body = call(client, "GET", f"/api/v1/interviews/{w['interview'].id}", token).get_json()
    assert body["panel"] == [{"user_id": w["interviewer"].id, "name": w["interviewer"].name,
                              "role": "panel", "rsvp": "needs_action", "rsvp_at": None,
                              "live": True}]
    assert [q["question_id"] for q in body["stage"]["questions"]] == \
        [q.question_id for q in w["loop"].stages[0].questions]
    assert body["time_zone"] == "UTC" and body["status"] == "scheduled"
    # The loop page is its managers': the panel is refused the loop itself.
    assert_problem(call(client, "GET", f"/api/v1/loops/{w['loop'].id}", token), 403)


def test_the_panel_lists_its_own_interviews_not_the_teams(client, db_session, w, make_user):
    """Another interview of the same team, on another candidate, with another panel: the
    interviewer's list leaves it out (the manager's has both)."""
    from tests.factories import add_to_team, make_candidate_with_loop, make_interview, next_monday

    other = make_user("interviewer")
    add_to_team(db_session, w["requisition"], w["manager"], other)
    candidate, loop = make_candidate_with_loop(db_session, w["requisition"], w["recruiter"], 7,
                                               seed=7)
    theirs = make_interview(db_session, w["requisition"], w["recruiter"], candidate,
                            loop.stages[0], [other], next_monday(weeks_ahead=3))
    db_session.flush()
    listed = {token: {i["id"] for i in call(client, "GET", "/api/v1/interviews",
                                            token).get_json()["items"]}
              for token in (make_token(db_session, w["interviewer"]), w["manager_token"])}
    mine, managed = listed.values()
    assert mine == {w["interview"].id}
    assert managed == {w["interview"].id, theirs.id}


def test_an_answer_to_the_invite_is_a_change_to_the_interview(client, db_session, w):
    url = "/api/v1/interviews?updated_since="
    mark = utcnow() + timedelta(seconds=1)
    assert call(client, "GET", url + since(mark), w["manager_token"]).get_json()["items"] == []
    link = rsvp.sign_link(LinkSigner("test-secret"), w["interview"], w["interviewer"].id,
                          RsvpState.ACCEPTED)
    rsvp.answer(db_session, LinkSigner("test-secret"), link, now=mark + timedelta(seconds=1))
    [item] = call(client, "GET", url + since(mark), w["manager_token"]).get_json()["items"]
    assert item["panel"][0]["rsvp"] == "accepted"
    # Its version stays: an answer never makes a recruiter's reschedule stale.
    assert item["version"] == w["interview"].version


def test_a_swapped_question_is_a_change_to_the_loop(client, db_session, w):
    url = "/api/v1/loops?updated_since="
    mark = utcnow()
    assert call(client, "GET", url + since(mark), w["manager_token"]).get_json()["items"] == []
    stage = w["loop"].stages[1]
    loops.swap_question(db_session, Actor(w["recruiter"]), w["requisition"], w["loop"],
                        stage.questions[0].id, seed=1)
    [item] = call(client, "GET", url + since(mark), w["manager_token"]).get_json()["items"]
    assert item["id"] == w["loop"].id


# --- the bank ------------------------------------------------------------------------------

def test_the_bank_refuses_with_each_field_at_fault(client, db_session, w):
    before = count_questions(db_session)
    body = assert_problem(call(client, "POST", "/api/v1/bank/questions", w["manager_token"],
                               json=question_body(db_session, signals=["Only one"],
                                                  areas=["no-such-area"])), 422)
    fields = {e["field"] for e in body["errors"]}
    assert fields == {"signals", "areas"}, body
    assert count_questions(db_session) == before


def test_create_replays_with_its_idempotency_key(client, db_session, w):
    before, headers = count_questions(db_session), {"Idempotency-Key": "bank-1"}
    first = call(client, "POST", "/api/v1/bank/questions", w["manager_token"],
                 json=question_body(db_session), headers=headers)
    again = call(client, "POST", "/api/v1/bank/questions", w["manager_token"],
                 json=question_body(db_session), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json() and again.headers["Idempotent-Replayed"]
    assert count_questions(db_session) == before + 1
    made = call(client, "GET", first.headers["Location"], w["manager_token"]).get_json()
    assert made["signals"] == question_body(db_session)["signals"]
    assert made["levels"] == ["senior", "staff"] and made["origin"] == "web"


def test_update_needs_the_current_etag_and_keeps_what_it_leaves_out(client, db_session, w):
    token = w["manager_token"]
    url = call(client, "POST", "/api/v1/bank/questions", token,
               json=question_body(db_session)).headers["Location"]
    read = call(client, "GET", url, token)
    assert_problem(call(client, "PATCH", url, token, json={"minutes": 40}), 428)
    changed = call(client, "PATCH", url, token, json={"minutes": 40},
                   headers={"If-Match": read.headers["ETag"]})
    assert changed.status_code == 200 and changed.get_json()["minutes"] == 40
    assert changed.get_json()["signals"] == read.get_json()["signals"]
    assert_problem(call(client, "PATCH", url, token, json={"minutes": 50},
                        headers={"If-Match": read.headers["ETag"]}), 412)
    refused = call(client, "PATCH", url, token, json={"red_flags": ["Just one"]},
                   headers={"If-Match": changed.headers["ETag"]})
    assert_problem(refused, 422, "red_flags")
    assert call(client, "GET", url, token).get_json()["minutes"] == 40


def test_the_list_filters_as_the_bank_page_does(client, db_session, w):
    token = w["manager_token"]
    page = call(client, "GET", "/api/v1/bank/questions?limit=100&category=coding_implementation"
                "&level=junior", token).get_json()
    assert page["items"] and all(q["category"] == "coding_implementation"
                                 and "junior" in q["levels"] for q in page["items"])
    title = page["items"][0]["title"]
    found = call(client, "GET", f"/api/v1/bank/questions?q={title.split()[0]}", token).get_json()
    assert title in [q["title"] for q in found["items"]]


def test_a_nul_in_a_json_body_is_refused_with_its_field(client, db_session, w):
    body = assert_problem(call(client, "POST", "/api/v1/bank/questions", w["manager_token"],
                               json=question_body(db_session, signals=["a", "b\u0000", "c"])),
                          422)
    assert [e["field"] for e in body["errors"]] == ["signals.1"]


# --- users ---------------------------------------------------------------------------------

def test_users_show_no_secret(client, db_session, w, make_user):
    admin = make_user("admin")
    users.new_calendar_token(db_session, Actor(admin), w["interviewer"])
    token = make_token(db_session, admin)
    listed = call(client, "GET", "/api/v1/users?limit=100", token)
    one = call(client, "GET", f"/api/v1/users/{w['interviewer'].id}", token)
    assert all(set(item) == USER_FIELDS for item in listed.get_json()["items"])
    assert set(one.get_json()) == USER_FIELDS and one.get_json()["roles"] == ["interviewer"]
    for text in (listed.get_data(as_text=True), one.get_data(as_text=True)):
        assert w["interviewer"].password_hash not in text
        assert w["interviewer"].calendar_token_hash not in text


def test_a_change_of_roles_is_a_change_to_the_user(client, db_session, w, make_user):
    admin = make_user("admin")
    token = make_token(db_session, admin)
    mark = utcnow()
    url = f"/api/v1/users?updated_since={since(mark)}"
    assert call(client, "GET", url, token).get_json()["items"] == []
    person = w["interviewer"]
    users.update_user(db_session, Actor(admin), person, name=person.name,
                      roles=["interviewer", "recruiter"], time_zone=person.time_zone)
    [item] = call(client, "GET", url, token).get_json()["items"]
    assert item["roles"] == ["interviewer", "recruiter"]
