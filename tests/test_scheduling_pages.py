"""Scheduling through the web: the form in the recruiter's zone, refusals (409) and the cap
confirmation, reschedule and cancel, the interviewer's home, the interview kit, the board,
who may see an interview, and query counts that stay flat as the data grows."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from markupsafe import escape
from sqlalchemy import select

from interviewloop import limits, paging
from interviewloop.audit.service import Actor
from interviewloop.auth import service as accounts
from interviewloop.bank.models import Competency, LevelExpectation, QuestionPoint
from interviewloop.db import utcnow
from interviewloop.home import HOME_TO_WRITE
from interviewloop.loops.models import Loop, LoopStage
from interviewloop.requisitions import candidates as candidate_service
from interviewloop.scheduling import queries, service
from interviewloop.scheduling.models import Interview, InterviewStatus
from tests import factories
from tests.conftest import post
from tests.factories import (
    add_to_team,
    make_candidate_with_loop,
    make_interview,
    make_requisition,
    next_monday,
)
from tests.test_query_counts import queries_for

NEW_YORK, KOLKATA = ZoneInfo("America/New_York"), ZoneInfo("Asia/Kolkata")
T = next_monday(hour=15)
HOUR = timedelta(hours=1)


@pytest.fixture
def w(db_session, bank, make_user, login):
    manager = make_user("hiring_manager", name="Hana Manager")
    recruiter = make_user("recruiter", name="Rui Recruiter", time_zone="America/New_York")
    alice = make_user("interviewer", name="Alice Interviewer", time_zone="Asia/Kolkata")
    bob = make_user("interviewer", name="Bob Interviewer")
    carol = make_user("interviewer", name="Carol Bystander")
    requisition = make_requisition(db_session, manager, recruiter)
    add_to_team(db_session, requisition, manager, alice, bob, carol)
    c1, loop1 = make_candidate_with_loop(db_session, requisition, recruiter, 1, seed=1)
    c2, loop2 = make_candidate_with_loop(db_session, requisition, recruiter, 2, seed=2)
    db_session.flush()
    return SimpleNamespace(session=db_session, manager=manager, recruiter=recruiter,
                           alice=alice, bob=bob, carol=carol, req=requisition, c1=c1, c2=c2,
                           loop1=loop1, loop2=loop2, login=login, make_user=make_user,
                           rc=login(recruiter))


def schedule_url(w, candidate, stage):
    return f"/requisitions/{w.req.id}/candidates/{candidate.id}/stages/{stage.id}/schedule"


def form(people, local: datetime, minutes=60, **extra):
    return {"interviewers": [str(p.id) for p in people],
            "starts_at": local.strftime("%Y-%m-%dT%H:%M"), "minutes": str(minutes),
            "location": "https://video.example/room", **extra}


def input_value(page: str, name: str) -> str | None:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    value = re.search(r'value="([^"]*)"', tag.group(0)) if tag else None
    return value.group(1) if value else None


def interviews(w) -> list[Interview]:
    return list(w.session.scalars(select(Interview).order_by(Interview.id)
                                  .execution_options(populate_existing=True)))


def book(w, candidate, loop, index, people, start, **kwargs):
    interview = make_interview(w.session, w.req, w.recruiter, candidate, loop.stages[index],
                               people, start, **kwargs)
    w.session.flush()
    return interview


def test_the_form_takes_the_recruiters_zone_and_stores_utc(w):
    stage = w.loop1.stages[0]
    page = w.rc.get(schedule_url(w, w.c1, stage)).get_data(as_text=True)
    assert input_value(page, "minutes") == str(stage.minutes)  # the stage's length by default
    assert "times in America/New_York" in page
    for person in (w.alice, w.bob, w.carol):
        assert f'value="{person.id}"' in page
    assert f'value="{w.manager.id}"' not in page  # on the team, but not an interviewer
    local = datetime.combine(T.date(), datetime.min.time()).replace(hour=9, minute=30)
    response = post(w.rc, schedule_url(w, w.c1, stage), form([w.alice, w.bob], local, 45))
    [interview] = interviews(w)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/interviews/{interview.id}")
    assert interview.starts_at == local.replace(tzinfo=NEW_YORK).astimezone(UTC)
    assert interview.starts_at - local.replace(tzinfo=UTC) in (4 * HOUR, 5 * HOUR)
    assert interview.ends_at - interview.starts_at == timedelta(minutes=45)
    # The recruiter sees their own wall clock, the interviewer in Kolkata sees theirs.
    own = w.rc.get(f"/interviews/{interview.id}").get_data(as_text=True)
    assert re.search(r"09:30 E[SD]T \(America/New_York\)", own)
    there = interview.starts_at.astimezone(KOLKATA)
    assert there.utcoffset() == timedelta(hours=5, minutes=30)
    seen = w.login(w.alice).get(f"/interviews/{interview.id}").get_data(as_text=True)
    assert f"{there:%a} {there.day} {there:%b %Y}, {there:%H:%M} IST (Asia/Kolkata)" in seen


def test_refusals_come_back_as_409_with_the_reason_and_change_nothing(w):
    book(w, w.c1, w.loop1, 0, [w.alice], T)
    url = schedule_url(w, w.c2, w.loop2.stages[0])
    local = T.astimezone(NEW_YORK).replace(tzinfo=None)
    cases = [
        (form([w.alice], local + timedelta(minutes=30)), "Alice Interviewer is already interviewing"),
        (form([w.bob], local - timedelta(days=30)), "The start time is in the past."),
        (form([w.bob], local, minutes=-30), "The interview would end before it starts."),
    ]
    for data, reason in cases:
        response = post(w.rc, url, data)
        assert response.status_code == 409, reason
        body = response.get_data(as_text=True)
        assert str(escape(reason)) in body
        assert input_value(body, "location") == "https://video.example/room"  # input kept
    # People off the panel picker (off the team, or deactivated) are not valid choices.
    outsider = w.make_user("interviewer")
    accounts.deactivate_user(w.session, Actor(None), w.carol)
    w.session.flush()
    for person in (outsider, w.carol):
        assert post(w.rc, url, form([person], local + 4 * HOUR)).status_code == 422
    assert len(interviews(w)) == 1


def test_over_the_cap_asks_for_confirmation_then_books(w):
    accounts.update_settings(w.session, Actor(w.alice), w.alice, time_zone="Asia/Kolkata",
                             weekly_interview_cap=1)
    book(w, w.c1, w.loop1, 0, [w.alice], T)
    url = schedule_url(w, w.c2, w.loop2.stages[0])
    local = (T + timedelta(days=1)).astimezone(NEW_YORK).replace(tzinfo=None)
    warned = post(w.rc, url, form([w.alice], local))
    body = warned.get_data(as_text=True)
    assert warned.status_code == 409
    assert "Alice Interviewer would have 2 interviews" in body and "cap of 1" in body
    assert 'name="confirm_over_cap"' in body
    assert len(interviews(w)) == 1
    assert post(w.rc, url, form([w.alice], local, confirm_over_cap="y")).status_code == 302
    assert len(interviews(w)) == 2


def test_reschedule_and_cancel_through_the_web_keep_the_history(w):
    interview = book(w, w.c1, w.loop1, 0, [w.alice], T)
    url = f"/interviews/{interview.id}"
    page = w.rc.get(f"{url}/reschedule").get_data(as_text=True)
    assert input_value(page, "starts_at") == f"{T.astimezone(NEW_YORK):%Y-%m-%dT%H:%M}"
    book(w, w.c2, w.loop2, 0, [w.bob], T + 3 * HOUR)
    clash = (T + 3 * HOUR).astimezone(NEW_YORK).replace(tzinfo=None)
    refused = post(w.rc, f"{url}/reschedule", form([w.alice, w.bob], clash))
    assert refused.status_code == 409
    assert "Bob Interviewer is already interviewing" in refused.get_data(as_text=True)
    later = (T + timedelta(days=1)).astimezone(NEW_YORK).replace(tzinfo=None)
    done = post(w.rc, f"{url}/reschedule", form([w.alice], later, reason="Candidate asked"))
    assert done.status_code == 302
    [moved, _other] = interviews(w)
    assert (moved.starts_at, moved.sequence) == (T + timedelta(days=1), 1)
    history = w.rc.get(url).get_data(as_text=True)
    assert "rescheduled by Rui Recruiter" in history and "Candidate asked" in history
    assert post(w.login(w.alice), f"{url}/cancel", {"reason": "x"}).status_code == 403
    assert post(w.rc, f"{url}/cancel", {"reason": "Role paused"}).status_code == 302
    [cancelled, _other] = interviews(w)
    assert cancelled.status == InterviewStatus.CANCELLED and cancelled.sequence == 2
    history = w.rc.get(url).get_data(as_text=True)
    assert "cancelled by Rui Recruiter" in history and "Role paused" in history
    assert f"{url}/reschedule" not in history
    board = w.rc.get(f"/requisitions/{w.req.id}/board").get_data(as_text=True)
    assert schedule_url(w, w.c1, w.loop1.stages[0]) in board  # unscheduled again


def test_the_interviewers_home_lists_upcoming_and_past(w):
    past = book(w, w.c1, w.loop1, 0, [w.alice], utcnow() - timedelta(days=2),
                now=utcnow() - timedelta(days=3))
    soon = book(w, w.c1, w.loop1, 1, [w.alice, w.bob], T)
    later = book(w, w.c2, w.loop2, 0, [w.alice], T + timedelta(days=1))
    gone = book(w, w.c2, w.loop2, 1, [w.alice], T + timedelta(days=2))
    service.cancel(w.session, Actor(w.recruiter), w.req, service.get_interview(w.session, gone.id))
    not_mine = book(w, w.c2, w.loop2, 2, [w.bob], T + timedelta(days=3))
    w.session.flush()
    page = w.login(w.alice).get("/").get_data(as_text=True)
    upcoming = page.split('id="today"')[1].split('id="scorecards-due"')[0]  # today and next
    older = page.split('id="past"')[1].split("</ul>")[0]
    assert upcoming.index(f"/interviews/{soon.id}/kit") < upcoming.index(
        f"/interviews/{later.id}/kit")
    assert f"/interviews/{past.id}/kit" in older and f"/interviews/{past.id}/" not in upcoming
    for other in (gone, not_mine):
        assert f"/interviews/{other.id}/" not in page
    there = T.astimezone(KOLKATA)
    assert f"{there:%H:%M} IST (Asia/Kolkata)" in upcoming
    assert str(escape(w.loop1.stages[1].name)) in upcoming and "Candidate 1" in upcoming


def test_the_home_lists_the_longest_interview_until_it_ends(w):
    """The upcoming list reads seats from the longest interview's length ago (queries.py):
    one booked at the longest length is listed until its last minute."""
    longest = limits.INTERVIEW_MINUTES.high
    interview = book(w, w.c1, w.loop1, 0, [w.alice], T, minutes=longest)

    def listed(minutes_in: int) -> list[int]:
        rows, _more = queries.upcoming_of(w.session, w.alice,
                                          now=T + timedelta(minutes=minutes_in))
        return [row.interview.id for row in rows]

    assert listed(-1) == listed(0) == listed(longest - 1) == [interview.id]
    assert listed(longest) == []


def test_the_kit_shows_questions_signals_red_flags_and_level_expectations(w):
    stage = w.loop1.stages[2]
    interview = book(w, w.c1, w.loop1, 2, [w.alice], T)
    page = w.login(w.alice).get(f"/interviews/{interview.id}/kit").get_data(as_text=True)
    points = w.session.scalars(select(QuestionPoint).where(
        QuestionPoint.question_id.in_([lq.question_id for lq in stage.questions]))).all()
    assert {p.kind for p in points} == {"signal", "red_flag"}
    for point in points:
        assert str(escape(point.text)) in page, point.text
    focus = {a.id for a in stage.focus_areas}
    rows = w.session.execute(select(Competency.area_id, LevelExpectation.level,
                                    LevelExpectation.text).join(LevelExpectation)).all()
    shown = [text for area, level, text in rows if area in focus and level == "senior"]
    assert shown
    for area, level, text in rows:
        visible = area in focus and level == "senior"
        assert (str(escape(text)) in page) is visible, (area, level, text)


def cell_states(page: str, name: str) -> list[str]:
    row = next(r for r in page.split("<tr>") if f">{name}</a>" in r)
    return re.findall(r'class="cell state-(\w+)"', row)


def test_the_board_shows_each_stages_state_and_filters(w):
    book(w, w.c1, w.loop1, 0, [w.alice], utcnow() - timedelta(days=1),
         now=utcnow() - timedelta(days=2))
    book(w, w.c1, w.loop1, 1, [w.bob], T)
    candidate_service.withdraw_candidate(w.session, Actor(w.recruiter), w.req, w.c2)
    fresh, _ = make_candidate_with_loop(w.session, w.req, w.recruiter, 3, seed=3)
    w.session.flush()
    url = f"/requisitions/{w.req.id}/board"
    page = w.rc.get(url).get_data(as_text=True)
    stages = len(w.loop1.stages)
    assert cell_states(page, "Candidate 1") == ["done", "scheduled"] + ["unscheduled"] * (
        stages - 2)
    assert cell_states(page, "Candidate 3") == ["unscheduled"] * stages
    assert ">Candidate 2</a>" not in page  # withdrawn: not among the active by default

    def names(query):
        return set(re.findall(r">(Candidate \d)</a>", w.rc.get(f"{url}?{query}").get_data(
            as_text=True)))

    assert names("state=done") == names("state=scheduled") == {"Candidate 1"}
    assert names("state=unscheduled") == {"Candidate 1", "Candidate 3"}
    assert names("status=withdrawn") == {"Candidate 2"}
    assert names("status=") == {"Candidate 1", "Candidate 2", "Candidate 3"}
    assert w.rc.get(f"{url}?state=bogus").status_code == 400
    assert w.login(w.alice).get(url).status_code == 403
    assert schedule_url(w, fresh, w.session.get(LoopStage, cell_stage(w, fresh))) in page


def cell_stage(w, candidate) -> int:
    return w.session.scalar(select(LoopStage.id).join(Loop).where(
        Loop.candidate_id == candidate.id, LoopStage.position == 0))


def test_only_the_panel_and_the_managers_see_an_interview(w):
    interview = book(w, w.c1, w.loop1, 0, [w.alice], T)
    outsider = w.make_user("interviewer")
    urls = [f"/interviews/{interview.id}{suffix}" for suffix in ("", "/kit", "/invite.ics")]
    for person, status in ((w.alice, 200), (w.recruiter, 200), (w.manager, 200),
                           (w.carol, 404), (w.bob, 404), (outsider, 404)):
        client = w.login(person)
        for url in urls:
            assert client.get(url).status_code == status, (person.name, url)
    assert w.login(w.carol).get(f"/interviews/{interview.id}/reschedule").status_code == 403


# --- query counts ------------------------------------------------------------------------------

def bulk_interviews(w, count: int, start: int, *, panel, with_interviews=True) -> None:
    """``count`` candidates, each with a one-stage loop and (optionally) an interview on it,
    half in the past, half to come."""
    now = utcnow()
    starts = [now + timedelta(days=n % 2 * 2 - 1, minutes=n) for n in range(start, start + count)]
    factories.bulk_interviews(w.session, w.req.id, starts, panel, prefix=f"bulk{start}",
                              with_interviews=with_interviews)


def test_the_interviewers_home_with_2_and_200_interviews(w, count_queries):
    client = w.login(w.alice)
    bulk_interviews(w, 2, 0, panel=[w.alice, w.bob])
    few = queries_for(client, count_queries, "/")
    bulk_interviews(w, 198, 2, panel=[w.alice, w.bob])
    page = client.get("/").get_data(as_text=True)
    # a page of upcoming, one of past, and the first scorecards owed
    assert page.count("/kit") == 2 * paging.LIST_PAGE + HOME_TO_WRITE
    assert queries_for(client, count_queries, "/") == few


def test_the_board_with_10_and_500_candidates(w, count_queries):
    url = f"/requisitions/{w.req.id}/board"
    bulk_interviews(w, 4, 0, panel=[w.alice])
    bulk_interviews(w, 4, 4, panel=[w.alice], with_interviews=False)  # with c1, c2: 10
    few = queries_for(w.rc, count_queries, url)
    bulk_interviews(w, 300, 8, panel=[w.alice, w.bob])
    bulk_interviews(w, 190, 308, panel=[], with_interviews=False)
    page = w.rc.get(url).get_data(as_text=True)
    assert page.count("<tr>") == 1 + paging.BOARD_PAGE  # a page of the 500
    assert queries_for(w.rc, count_queries, url) == few


# The interview page, its kit, the calendar feed, the account page and the job description:
# queries constant as their data grows.

def test_the_interview_page_as_its_history_grows(w, count_queries):
    interview = book(w, w.c1, w.loop1, 0, [w.alice], next_monday())
    url = f"/interviews/{interview.id}"
    few = queries_for(w.rc, count_queries, url)
    interview = service.get_interview(w.session, interview.id)
    for n in range(1, 6):
        panel = [w.alice.id, w.bob.id] if n % 2 else [w.alice.id]
        service.reschedule(w.session, Actor(w.recruiter), w.req, interview,
                              service.ScheduleInput(panel, next_monday() + timedelta(hours=n),
                                                       60, reason=f"Move {n}"))
    w.session.flush()
    page = w.rc.get(url).get_data(as_text=True)
    assert page.count("rescheduled by") == 5
    assert queries_for(w.rc, count_queries, url) == few


def test_the_kit_with_few_and_many_questions(w, count_queries):
    from interviewloop.loops import service as loops

    interview = book(w, w.c1, w.loop1, 0, [w.alice], next_monday())
    client = w.login(w.alice)
    url = f"/interviews/{interview.id}/kit"
    few = queries_for(client, count_queries, url)
    other = book(w, w.c2, w.loop2, 0, [w.alice], next_monday(weeks_ahead=3))
    stage = loops.StageInput(name="Deep dive", category="mlops_operations", minutes=90,
                             question_count=5, focus=["mlops-discipline", "ml-systems"])
    loop = loops.loop_for(w.session, w.c2)
    service.cancel(w.session, Actor(w.recruiter), w.req, other)
    added = loops.add_stage(w.session, Actor(w.recruiter), w.req, loop, stage)
    many = service.schedule_stage(
        w.session, Actor(w.recruiter), w.req, w.c2, added.id, service.ScheduleInput(
            [w.alice.id], next_monday(weeks_ahead=4), 90))
    w.session.flush()
    assert len(added.questions) == 5
    assert queries_for(client, count_queries, f"/interviews/{many.id}/kit") == few


def test_the_calendar_feed_with_2_and_100_interviews(w, count_queries, app):
    token = accounts.new_calendar_token(w.session, Actor(w.alice), w.alice)
    w.session.flush()
    feed = app.test_client()
    starts = [next_monday() + timedelta(hours=n) for n in range(2)]
    factories.bulk_interviews(w.session, w.req.id, starts, [w.alice], prefix="feeda")
    few = queries_for(feed, count_queries, f"/calendar/{token}.ics")
    starts = [next_monday(weeks_ahead=3) + timedelta(hours=n) for n in range(98)]
    factories.bulk_interviews(w.session, w.req.id, starts, [w.alice], prefix="feedb")
    body = feed.get(f"/calendar/{token}.ics").get_data(as_text=True)
    assert body.count("BEGIN:VEVENT") == 100
    assert queries_for(feed, count_queries, f"/calendar/{token}.ics") == few


def test_the_account_page_and_job_description_are_constant(w, count_queries):
    client = w.login(w.alice)
    assert queries_for(client, count_queries, "/account") <= 4
    url = f"/requisitions/{w.req.id}/job-description"
    few = queries_for(w.rc, count_queries, url)
    for user in (w.make_user("interviewer") for _ in range(5)):
        from interviewloop.requisitions import service as requisitions

        requisitions.add_member(w.session, Actor(w.recruiter), w.req, user.id)
    assert queries_for(w.rc, count_queries, url) == few


def test_cancelling_asks_for_confirmation_first(w):
    interview = book(w, w.c1, w.loop1, 0, [w.alice], T)
    url = f"/interviews/{interview.id}"
    page = w.rc.get(url).get_data(as_text=True)
    assert f'href="{url}/cancel">Cancel this interview' in page
    assert f'action="{url}/cancel"' not in page  # no one-click cancel
    asked = w.rc.get(f"{url}/cancel")
    body = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "Alice Interviewer" in body.split('id="cancel-means"')[1]
    assert f'action="{url}/cancel"' in body and ">Keep it<" in body
    assert interviews(w)[0].status == InterviewStatus.SCHEDULED
    assert w.login(w.alice).get(f"{url}/cancel").status_code == 403  # the panel reads, no more
    assert post(w.rc, f"{url}/cancel", {"reason": "Role paused"}).status_code == 302
    again = w.rc.get(f"{url}/cancel")
    assert again.status_code == 409 and "already cancelled" in again.get_data(as_text=True)
