"""The API's lists make the same number of statements however much there is (no N+1), rows
added in bulk: a page of 100 of loops, interviews, bank questions and users with a few rows
and with over 500; the lists of scorecards, pre-offer checks and decisions with 10
candidates' worth of rows and with 510, as the manager and as an interviewer (whose
visibility is the longest clause); a candidate's debrief summary with 2 and 10
interviewers."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import insert, select

from interviewloop.auth.models import User, UserRole
from interviewloop.bank.models import CapabilityArea, Question, QuestionArea, QuestionLevel, QuestionPoint
from interviewloop.db import utcnow
from interviewloop.loops.models import Loop, LoopQuestion, LoopStage, LoopStageArea
from interviewloop.requisitions.models import Candidate
from interviewloop.scheduling.models import Interview, Panelist
from tests.api_support import call, interview_world, make_token
from tests.factories import next_monday
from tests.test_query_counts_debrief import bulk_candidates, held_loop
from tests.test_query_counts_debrief import w as w  # the fixture: a team of ten interviewers

MANY = 520


@pytest.fixture
def team(db_session, bank, make_user):
    """Two loops with an interview each, built by the services: the shapes the bulk rows
    copy."""
    world = interview_world(db_session, make_user, count=2)
    return {**world, "token": make_token(db_session, make_user("admin"))}


def queries_for(client, count_queries, token: str, url: str) -> int:
    call(client, "GET", url, token)  # warm caches (compiled statements) outside the count
    with count_queries() as queries:
        response = call(client, "GET", url, token)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.get_json()["items"]
    return len(queries)


def _ids(db_session, stmt) -> list[int]:
    return list(db_session.scalars(stmt))


def add_loops(db_session, team, count: int) -> None:
    """``count`` candidates, each with a one-stage loop of one question, and an interview on
    that stage with the team's interviewer on its panel."""
    tag = uuid.uuid4().hex[:8]
    now, starts = utcnow(), next_monday(weeks_ahead=10)
    db_session.execute(insert(Candidate), [
        {"requisition_id": team["requisition"].id, "name": f"Bulk {n}",
         "email": f"bulk{n}.{tag}@example.net", "source": "", "notes": "", "status": "active"}
        for n in range(count)])
    candidates = _ids(db_session, select(Candidate.id).where(Candidate.email.like(f"%.{tag}@%")))
    db_session.execute(insert(Loop), [{"candidate_id": c, "level": "senior", "coverage_gaps": []}
                                      for c in candidates])
    loops = _ids(db_session, select(Loop.id).where(Loop.candidate_id.in_(candidates)))
    db_session.execute(insert(LoopStage), [
        {"loop_id": loop, "position": 0, "name": "Bulk stage", "category": "system_design",
         "minutes": 45} for loop in loops])
    stages = db_session.execute(select(LoopStage.id, LoopStage.loop_id)
                                .where(LoopStage.loop_id.in_(loops))).all()
    area = db_session.scalar(select(CapabilityArea.id).order_by(CapabilityArea.position))
    question = db_session.scalar(select(Question.id).order_by(Question.id))
    db_session.execute(insert(LoopStageArea), [{"stage_id": s, "area_id": area}
                                               for s, _loop in stages])
    db_session.execute(insert(LoopQuestion), [
        {"loop_id": loop, "stage_id": s, "question_id": question, "position": 0}
        for s, loop in stages])
    candidate_of = dict(db_session.execute(select(Loop.id, Loop.candidate_id)
                                           .where(Loop.id.in_(loops))).all())
    db_session.execute(insert(Interview), [
        {"stage_id": s, "candidate_id": candidate_of[loop], "starts_at": starts,
         "ends_at": starts + timedelta(minutes=45), "location": "", "status": "scheduled",
         "ical_uid": f"{s}.{tag}@bulk", "sequence": 0, "created_at": now, "updated_at": now}
        for s, loop in stages])
    interviews = _ids(db_session, select(Interview.id).where(Interview.ical_uid.like(f"%.{tag}@bulk")))
    db_session.execute(insert(Panelist), [
        {"interview_id": i, "user_id": team["interviewer"].id, "starts_at": starts,
         "ends_at": starts + timedelta(minutes=45)} for i in interviews])
    db_session.flush()


def add_questions(db_session, count: int) -> None:
    tag = uuid.uuid4().hex[:8]
    db_session.execute(insert(Question), [
        {"slug": f"bulk-{tag}-{n}", "category": "system_design", "title": f"Bulk question {n}",
         "prompt": "Design it.", "suggested_minutes": 30, "origin": "web"}
        for n in range(count)])
    questions = _ids(db_session, select(Question.id).where(Question.slug.like(f"bulk-{tag}-%")))
    area = db_session.scalar(select(CapabilityArea.id).order_by(CapabilityArea.position))
    db_session.execute(insert(QuestionPoint), [
        {"question_id": q, "kind": kind, "position": 0, "text": "A point"}
        for q in questions for kind in ("signal", "red_flag")])
    db_session.execute(insert(QuestionLevel), [{"question_id": q, "level": "senior"}
                                               for q in questions])
    db_session.execute(insert(QuestionArea), [{"question_id": q, "area_id": area}
                                              for q in questions])
    db_session.flush()


def add_users(db_session, count: int) -> None:
    tag = uuid.uuid4().hex[:8]
    db_session.execute(insert(User), [
        {"email": f"user{n}.{tag}@example.net", "name": f"Bulk User {n}", "password_hash": "x"}
        for n in range(count)])
    users = _ids(db_session, select(User.id).where(User.email.like(f"%.{tag}@%")))
    db_session.execute(insert(UserRole), [{"user_id": u, "role": "interviewer"} for u in users])
    db_session.flush()


LISTS = {
    "/api/v1/loops?limit=100": add_loops,
    "/api/v1/interviews?limit=100": add_loops,
    "/api/v1/bank/questions?limit=100&status=all": lambda db, _team, n: add_questions(db, n),
    "/api/v1/users?limit=100": lambda db, _team, n: add_users(db, n),
}


@pytest.mark.parametrize("url", LISTS)
def test_a_page_costs_the_same_with_500_more_rows(url, client, db_session, team, count_queries):
    few = queries_for(client, count_queries, team["token"], url)
    LISTS[url](db_session, team, MANY)
    assert queries_for(client, count_queries, team["token"], url) == few


def test_the_interviewers_list_is_filtered_in_the_same_statements(client, db_session, team,
                                                                  count_queries):
    """Not an admin: the panel's own interviews, by the visibility clause."""
    token = make_token(db_session, team["interviewer"])
    url = "/api/v1/interviews?limit=100"
    few = queries_for(client, count_queries, token, url)
    add_loops(db_session, team, MANY)
    assert queries_for(client, count_queries, token, url) == few
    assert len(call(client, "GET", url, token).get_json()["items"]) == 100


HIRING_LISTS = ["/api/v1/scorecards",
                "/api/v1/scorecards?limit=100&updated_since=2000-01-01T00:00:00Z",
                "/api/v1/pre-offer-checks", "/api/v1/decisions?limit=100"]


def api_queries(client, count_queries, token: str, url: str) -> tuple[int, int]:
    """(queries, items) for one call, after a warming call (which also records the
    token's use: that is written at most once a minute)."""
    call(client, "GET", url, token)
    with count_queries() as queries:
        response = call(client, "GET", url, token)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return len(queries), len(response.get_json().get("items", []))


@pytest.mark.parametrize("who", ["manager", "interviewer"])
def test_api_lists_with_10_and_510_candidates(w, client, count_queries, who):
    viewer = w.manager if who == "manager" else w.panel[0]  # the bulk cards' author
    token = make_token(w.session, viewer)
    urls = [u for u in HIRING_LISTS if who == "manager" or "scorecards" in u]
    bulk_candidates(w, 0, 10)
    few = {url: api_queries(client, count_queries, token, url) for url in urls}
    bulk_candidates(w, 10, 500)
    for url in urls:
        queries, items = api_queries(client, count_queries, token, url)
        assert queries == few[url][0], url
        assert 0 < few[url][1] < items, url  # a fuller page of the many


def test_the_debrief_summary_with_2_and_10_interviewers(w, client, count_queries):
    token = make_token(w.session, w.manager)
    two = held_loop(w, 1, [w.panel[:2]])
    ten = held_loop(w, 2, [w.panel[2 * n:2 * n + 2] for n in range(5)])
    counts = {}
    for candidate, cards in ((two, 2), (ten, 10)):
        url = f"/api/v1/candidates/{candidate.id}/debrief"
        call(client, "GET", url, token)
        with count_queries() as queries:
            body = call(client, "GET", url, token).get_json()
        assert len(body["scorecard_ids"]) == cards
        counts[cards] = len(queries)
    assert counts[2] == counts[10]
