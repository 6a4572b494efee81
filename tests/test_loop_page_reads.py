"""What the candidate's loop page reads (issue 15): no one of the hiring team, each bank
question once (the one asked and the one the set asks there are most often the same), and
each row's URLs routed once for all the rows, as url_for routes them."""

from __future__ import annotations

from flask import url_for

from interviewloop import ROW_STAND_IN
from interviewloop.audit.service import Actor
from interviewloop.loops import service
from tests.conftest import post
from tests.factories import add_to_team, make_candidate, past_interview, write_scorecard
from tests.test_question_sets import _had_elsewhere, senior_req, team  # noqa: F401 - fixtures


def test_the_loop_page_and_building_read_no_one_of_the_team(db_session, senior_req, team,  # noqa: F811
                                                           count_queries, login, make_user):
    add_to_team(db_session, senior_req, team["manager"],
                *(make_user("interviewer") for _ in range(3)))
    candidate = make_candidate(db_session, senior_req, team["recruiter"], 1)
    client = login(team["recruiter"])
    page = f"/requisitions/{senior_req.id}/candidates/{candidate.id}"
    assert client.get(page).status_code == 200
    with count_queries() as seen:
        assert post(client, page + "/loop").status_code == 302
        assert client.get(page).status_code == 200
    assert service.loop_for(db_session, candidate) is not None
    # (Who may see the requisition is asked of requisition_members in the query: an EXISTS.)
    assert seen and not [s for s in seen if "SELECT requisition_members." in s]


def test_a_loop_reads_its_bank_questions_once(db_session, team, senior_req,  # noqa: F811
                                              count_queries):
    _target, first_loop, with_alternate, _loop = _had_elsewhere(db_session, team, senior_req)
    for candidate in (first_loop.candidate, with_alternate):
        db_session.expire_all()
        with count_queries() as seen:
            loop = service.loop_for(db_session, candidate)
        reads = [s for s in seen if "FROM questions" in s]
        assert len(reads) == 1, reads
        for stage in loop.stages:
            for lq in stage.questions:
                assert lq.question.id == lq.question_id
                assert lq.set_question.id == lq.set_question_id
                assert (lq.set_question is lq.question) == (not lq.is_alternate)
                assert lq.question.areas and lq.set_question.areas
    assert any(lq.is_alternate for stage in loop.stages for lq in stage.questions)


def test_url_for_each_routes_as_url_for(app):
    with app.test_request_context():
        each = app.jinja_env.globals["url_for_each"]
        for endpoint, key, values in [
                ("loops.move_stage", "stage_id", {"requisition_id": 3, "candidate_id": 9}),
                ("bank.detail", "question_id", {}),
                # The stand-in among the fixed values: each URL is routed.
                ("loops.swap", "loop_question_id",
                 {"requisition_id": ROW_STAND_IN, "candidate_id": 2})]:
            route = each(endpoint, key, **values)
            for n in (1, 42, 2**31 - 2, ROW_STAND_IN):
                assert route(n) == url_for(endpoint, **values, **{key: n})


def test_the_debrief_dashboard_board_and_scorecard_form_read_no_one_of_the_team(
        db_session, senior_req, team, count_queries, login, make_user):  # noqa: F811
    panel = [make_user("interviewer") for _ in range(3)]
    add_to_team(db_session, senior_req, team["manager"], *panel)
    candidate = make_candidate(db_session, senior_req, team["recruiter"], 1)
    loop = service.build_loop(db_session, Actor(team["recruiter"]), senior_req, candidate)
    interview = past_interview(db_session, senior_req, team["recruiter"], candidate,
                               loop.stages[0], panel[:2])
    base = f"/requisitions/{senior_req.id}"
    for who, path in ((team["manager"], f"{base}/candidates/{candidate.id}/debrief"),
                      (team["manager"], f"{base}/dashboard"),
                      (team["recruiter"], f"{base}/board"),
                      (panel[0], f"/interviews/{interview.id}/scorecard")):
        client = login(who)
        with count_queries() as seen:
            assert client.get(path).status_code == 200, path
        assert seen and not [s for s in seen if "SELECT requisition_members." in s], path


def test_pages_that_show_people_read_no_roles_but_the_viewers(
        db_session, senior_req, team, count_queries, login, make_user):  # noqa: F811
    """The signed-in user and their roles are one statement (the roles joined in); a page
    that shows other people by name (the debrief's panel and cards, the requisition's team
    and its interviewer picker, the scorecard form) reads none of their roles."""
    panel = [make_user("interviewer") for _ in range(3)]
    add_to_team(db_session, senior_req, team["manager"], *panel)
    candidate = make_candidate(db_session, senior_req, team["recruiter"], 1)
    loop = service.build_loop(db_session, Actor(team["recruiter"]), senior_req, candidate)
    interview = past_interview(db_session, senior_req, team["recruiter"], candidate,
                               loop.stages[0], panel[:2])
    write_scorecard(db_session, panel[1], senior_req, interview)
    db_session.commit()
    base = f"/requisitions/{senior_req.id}"
    for who, path, shown in (
            (team["manager"], f"{base}/candidates/{candidate.id}/debrief", panel[1].name),
            (team["recruiter"], base, panel[2].name),
            (panel[0], f"/interviews/{interview.id}/scorecard", candidate.name)):
        client = login(who)
        with count_queries() as seen:
            page = client.get(path)
        assert page.status_code == 200 and shown in page.get_data(as_text=True), path
        logins = [s for s in seen if "JOIN login_sessions" in s]  # the user, by their login
        assert len(logins) == 1 and "JOIN user_roles" in logins[0], path
        assert not [s for s in seen if "FROM user_roles" in s], path


def test_a_build_writes_the_loop_once_and_reads_none_of_it_back(db_session, senior_req, team,  # noqa: F811
                                                               count_queries, login):
    """The coverage is checked on what the plan chose, before the loop is written: the
    loop goes in with its gaps (no UPDATE after), and nothing just written is read back."""
    recruiter = team["recruiter"]
    first = make_candidate(db_session, senior_req, recruiter, 1)
    service.build_loop(db_session, Actor(recruiter), senior_req, first, seed=1)  # fixes the set
    candidate = make_candidate(db_session, senior_req, recruiter, 2)
    client = login(recruiter)
    page = f"/requisitions/{senior_req.id}/candidates/{candidate.id}"
    assert client.get(page).status_code == 200
    with count_queries() as seen:
        assert post(client, page + "/loop").status_code == 302
    assert [s for s in seen if s.startswith("INSERT INTO loops ")]
    assert not [s for s in seen if s.startswith("UPDATE loops")]
    assert not [s for s in seen if s.startswith("SELECT") and (
        "loop_stages." in s or "loop_questions.id" in s)]
    built = service.loop_for(db_session, candidate)
    assert built.coverage_gaps == service.coverage_of(db_session, built).gaps
