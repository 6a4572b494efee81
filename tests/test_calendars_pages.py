"""Real calendars through the pages and the worker: a busy time in someone's own calendar
(Radicale on loopback) warns and needs the same confirmation as the weekly cap; a calendar
server that is down or hangs never stops a booking (it commits, with a notice), the
interview page shows whose calendar is behind, and `interviewloop worker --burst` retries
until the server is back, then catches up without a second event."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta
from types import SimpleNamespace

import pytest
from caldav.collection import Calendar
from markupsafe import escape
from sqlalchemy import insert, select

from interviewloop import create_app, paging
from interviewloop.calendars.busy import busy_warnings
from interviewloop.calendars.client import CalDAVSettings
from interviewloop.calendars.models import CalendarPush, SyncState
from interviewloop.queue import task_queue
from interviewloop.scheduling.models import Interview
from tests.caldavserver import PASSWORD, USERNAME, radicale_server, silent_server
from tests.conftest import app_config, log_in, post
from tests.factories import (
    add_to_team,
    bulk_interviews,
    make_candidate_with_loop,
    make_requisition,
    next_monday,
)
from tests.test_query_counts import queries_for

T = next_monday(hour=14)  # UTC, as the recruiter's zone is


@pytest.fixture
def radicale(tmp_path):
    (tmp_path / "radicale").mkdir()
    with radicale_server(tmp_path / "radicale") as server:
        yield server


def make_app(connection, tmp_path, caldav_url):
    return create_app(app_config(
        DB_BIND=connection, DATABASE_URL="sqlite://", CALDAV_URL=caldav_url,
        CALDAV_USERNAME=USERNAME, CALDAV_PASSWORD=PASSWORD, CALDAV_TIMEOUT_SECONDS=1,
        CALDAV_RETRY_SECONDS=1, MAIL_DELIVERY="outbox", TASK_QUEUE_URL=f"sqlite:///{tmp_path / 'tasks.db'}",
        TASK_QUEUE_NAME=f"test-{uuid.uuid4().hex}"))


@pytest.fixture
def w(connection, db_session, bank, make_user, radicale, tmp_path):
    manager = make_user("hiring_manager", name="Hana Manager")
    recruiter = make_user("recruiter", name="Rui Recruiter")
    alice = make_user("interviewer", name="Alice Interviewer", email="alice@hiring.example.test")
    bob = make_user("interviewer", name="Bob Interviewer", email="bob@hiring.example.test")
    for person in (alice, bob):
        radicale.make_calendar(person.email)
    req = make_requisition(db_session, manager, recruiter)
    add_to_team(db_session, req, manager, alice, bob)
    c1, loop1 = make_candidate_with_loop(db_session, req, recruiter, 1, seed=1)
    db_session.flush()
    app = make_app(connection, tmp_path, radicale.url)
    client = app.test_client()
    assert log_in(client, recruiter.email).status_code == 302
    yield SimpleNamespace(session=db_session, app=app, rc=client, recruiter=recruiter, alice=alice, bob=bob,
                          req=req, c1=c1, stage=loop1.stages[0], radicale=radicale)
    task_queue(app).huey.flush()


def schedule_url(w):
    return f"/requisitions/{w.req.id}/candidates/{w.c1.id}/stages/{w.stage.id}/schedule"


def board_url(w):
    return f"/requisitions/{w.req.id}/board"


def loop_url(w):
    return f"/requisitions/{w.req.id}/candidates/{w.c1.id}"


def form(people, starts_at, minutes=60, **extra):
    return {"interviewers": [str(p.id) for p in people],
            "starts_at": starts_at.strftime("%Y-%m-%dT%H:%M"), "minutes": str(minutes),
            "location": "Room 4", **extra}


def interviews(w) -> list[Interview]:
    return list(w.session.scalars(select(Interview).order_by(Interview.id)
                                  .execution_options(populate_existing=True)))


def burst(app) -> str:
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output
    return result.output


def pushes(w) -> list[CalendarPush]:
    return list(w.session.scalars(select(CalendarPush).order_by(CalendarPush.user_id)
                                  .execution_options(populate_existing=True)))


def test_a_busy_time_in_a_calendar_warns_and_books_only_once_confirmed(w):
    w.radicale.add_busy(w.bob.email, "dentist-1", T + timedelta(minutes=30), T + timedelta(hours=2))
    warned = post(w.rc, schedule_url(w), form([w.alice, w.bob], T))
    body = warned.get_data(as_text=True)
    assert warned.status_code == 409
    assert str(escape("Bob Interviewer's calendar shows them busy from")) in body
    assert "Alice Interviewer's calendar" not in body
    assert "Dentist" not in body  # busy, not what it is: their calendar is their own
    assert 'name="confirm_over_cap"' in body and interviews(w) == []
    booked = post(w.rc, schedule_url(w), form([w.alice, w.bob], T, confirm_over_cap="y"))
    assert booked.status_code == 302 and len(interviews(w)) == 1
    # A free time books at once.
    w.radicale.add_busy(w.alice.email, "gym-1", T - timedelta(hours=3), T - timedelta(hours=2))
    [interview] = interviews(w)
    moved = post(w.rc, f"/interviews/{interview.id}/reschedule",
                 form([w.alice], T - timedelta(hours=1)))
    assert moved.status_code == 302


def test_the_interviews_own_event_is_not_a_clash_when_it_moves(w):
    post(w.rc, schedule_url(w), form([w.alice], T))
    burst(w.app)
    [interview] = interviews(w)
    [event] = w.radicale.events(w.alice.email)
    assert str(event["uid"]) == interview.ical_uid
    moved = post(w.rc, f"/interviews/{interview.id}/reschedule",
                 form([w.alice], T + timedelta(minutes=30)))
    assert moved.status_code == 302
    burst(w.app)
    [event] = w.radicale.events(w.alice.email)
    assert event["sequence"] == 1 and event.decoded("dtstart") == T + timedelta(minutes=30)


def test_a_server_that_is_down_never_stops_a_booking_and_the_worker_catches_up(w):
    w.radicale.stop()
    booked = post(w.rc, schedule_url(w), form([w.alice, w.bob], T), follow_redirects=True)
    page = booked.get_data(as_text=True)
    assert booked.status_code == 200 and len(interviews(w)) == 1
    assert "Busy times could not be checked for Alice Interviewer, Bob Interviewer" in page
    [interview] = interviews(w)
    burst(w.app)  # the job fails: the calendar is behind, a retry is queued
    assert {p.state for p in pushes(w)} == {SyncState.FAILED}
    assert [t.name for t in task_queue(w.app).huey.scheduled()] == ["sync_calendars"]
    page = w.rc.get(f"/interviews/{interview.id}").get_data(as_text=True)
    assert "Alice Interviewer&#39;s calendar is behind" in page
    assert "Bob Interviewer&#39;s calendar is behind" in page
    behind = "calendar behind: Alice Interviewer, Bob Interviewer"
    assert behind in w.rc.get(board_url(w)).get_data(as_text=True)  # the board says so
    assert behind in w.rc.get(loop_url(w)).get_data(as_text=True)  # and the loop page
    w.radicale.start()
    time.sleep(1.1)  # the retry's wait
    burst(w.app)
    assert {p.state for p in pushes(w)} == {SyncState.SYNCED}
    assert "calendar behind" not in w.rc.get(board_url(w)).get_data(as_text=True)
    assert "calendar behind" not in w.rc.get(loop_url(w)).get_data(as_text=True)
    page = w.rc.get(f"/interviews/{interview.id}").get_data(as_text=True)
    assert "is behind" not in page and "Alice Interviewer&#39;s calendar: up to date" in page
    for person in (w.alice, w.bob):
        [event] = w.radicale.events(person.email)
        assert str(event["uid"]) == interview.ical_uid
    # The job run again (a duplicate in the queue, the periodic run): still one event each.
    burst(w.app)
    for person in (w.alice, w.bob):
        assert len(w.radicale.events(person.email)) == 1
    cancelled = post(w.rc, f"/interviews/{interview.id}/cancel", {"reason": ""})
    assert cancelled.status_code == 302
    burst(w.app)
    assert w.radicale.events(w.alice.email) == [] == w.radicale.events(w.bob.email)


def test_a_server_that_hangs_costs_a_booking_one_short_timeout(connection, w, tmp_path):
    with silent_server() as url:
        app = make_app(connection, tmp_path, url)
        client = app.test_client()
        assert log_in(client, w.recruiter.email).status_code == 302
        booked = post(client, schedule_url(w), form([w.alice, w.bob], T), follow_redirects=True)
        assert booked.status_code == 200 and len(interviews(w)) == 1
        assert "Busy times could not be checked for Alice Interviewer, Bob Interviewer" in (
            booked.get_data(as_text=True))
        # The check alone: one timeout (1 s) for the whole panel, not one per person.
        config = CalDAVSettings(url=url, username=USERNAME, password=PASSWORD, timeout=1)
        people = [(f"Person {n}", config.collection_url(f"p{n}@hiring.example.test"), "UTC")
                  for n in range(4)]
        started = time.monotonic()
        check = busy_warnings(config, people, T, T + timedelta(hours=1), interview_uid=None,
                              viewer_zone="UTC")
        took = time.monotonic() - started
    assert check.warnings == [] and len(check.notices) == 1
    assert 1 <= took < 1.8, took


def test_the_interview_page_makes_the_same_queries_with_2_and_1202_calendar_rows(
        w, count_queries):
    post(w.rc, schedule_url(w), form([w.alice, w.bob], T))
    [interview] = interviews(w)
    url = f"/interviews/{interview.id}"
    assert "calendar is behind: not yet written" in w.rc.get(url).get_data(as_text=True)
    few = queries_for(w.rc, count_queries, url)
    starts = [T + timedelta(days=7, hours=n) for n in range(600)]
    _candidates, interview_ids = bulk_interviews(w.session, w.req.id, starts, [w.alice, w.bob])
    w.session.execute(insert(CalendarPush), [
        {"interview_id": iid, "user_id": person.id, "collection_url": "http://dav.test/x/",
         "present": True, "wanted_sequence": 0, "state": "pending", "attempts": 0,
         "last_error": "", "changed_at": T, "next_attempt_at": T}
        for iid in interview_ids for person in (w.alice, w.bob)])
    w.session.flush()
    assert queries_for(w.rc, count_queries, url) == few


def test_the_board_shows_calendars_behind_in_the_same_queries_with_2_and_1200_rows(
        w, count_queries):
    """Every interview on the board's page with both calendars behind: one query for all."""
    def fill(count: int, prefix: str) -> None:
        starts = [T + timedelta(days=7, hours=n) for n in range(count)]
        _candidates, interview_ids = bulk_interviews(w.session, w.req.id, starts,
                                                     [w.alice, w.bob], prefix=prefix)
        w.session.execute(insert(CalendarPush), [
            {"interview_id": iid, "user_id": person.id, "collection_url": "http://dav.test/x/",
             "present": True, "wanted_sequence": 0, "state": "failed", "attempts": 1,
             "last_error": "down", "changed_at": T, "next_attempt_at": T}
            for iid in interview_ids for person in (w.alice, w.bob)])
        w.session.flush()

    fill(1, "few")
    few = queries_for(w.rc, count_queries, board_url(w))
    fill(600, "many")
    assert queries_for(w.rc, count_queries, board_url(w)) == few
    page = w.rc.get(board_url(w)).get_data(as_text=True)
    # Every row but the first (Candidate 1, whose loop is not booked).
    assert page.count("calendar behind: Alice Interviewer, Bob Interviewer") == (
        paging.BOARD_PAGE - 1)


def test_an_admin_names_someones_own_calendar_and_it_is_the_one_used(w, make_user):
    admin = w.app.test_client()
    assert log_in(admin, make_user("admin").email).status_code == 302
    url = f"/admin/users/{w.alice.id}/calendar"
    page = admin.get(url).get_data(as_text=True)
    assert w.radicale.collection_url(w.alice.email) in page  # the pattern's, for now
    for bad in ("https://elsewhere.example.test/alice/", "../bob@hiring.example.test/calendar/",
                "x" * 501):
        refused = post(admin, url, {"collection": bad})
        assert refused.status_code == 422, bad
        assert str(escape(bad)) in refused.get_data(as_text=True)  # the input kept
    assert post(w.rc, url, {"collection": "team/alice-work/"}).status_code == 403
    assert post(admin, url, {"collection": "team/alice-work/"}).status_code == 302
    with w.radicale.client() as client:
        client.mkcol(f"{w.radicale.url}team/", "")
        assert client.mkcalendar(f"{w.radicale.url}team/alice-work/").status == 201
    # Busy there (not in the pattern's calendar): the booking warns.
    busy = f"{w.radicale.url}team/alice-work/"
    with w.radicale.client() as client:
        client.put(f"{busy}standup.ics", (
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\n"
            f"UID:standup\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:{T:%Y%m%dT%H%M%SZ}\r\n"
            f"DTEND:{T + timedelta(minutes=15):%Y%m%dT%H%M%SZ}\r\nSUMMARY:Standup\r\n"
            "END:VEVENT\r\nEND:VCALENDAR\r\n"), {"Content-Type": "text/calendar"})
    warned = post(w.rc, schedule_url(w), form([w.alice], T))
    assert warned.status_code == 409
    assert post(w.rc, schedule_url(w), form([w.alice], T, confirm_over_cap="y")).status_code == 302
    burst(w.app)
    [interview] = interviews(w)
    with w.radicale.client() as client:
        calendar = Calendar(client=client, url=busy)
        uids = sorted(str(item.icalendar_component["uid"]) for item in calendar.events())
    assert uids == sorted([interview.ical_uid, "standup"])
    assert w.radicale.events(w.alice.email) == []  # not the pattern's calendar
    # Cleared: the pattern's calendar again, for what is written from now on.
    assert post(admin, url, {"collection": ""}).status_code == 302
    assert w.radicale.collection_url(w.alice.email) in admin.get(url).get_data(as_text=True)
