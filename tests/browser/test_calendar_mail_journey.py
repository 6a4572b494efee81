"""Scheduling that reaches people, read back from where people read it: a recruiter moves an
interview and changes its panel in Chromium, the worker drains the queue, and each affected
person's mail (a real SMTP server on loopback) and calendar (Radicale on loopback) show it;
then an interviewer declines from the link in the mail that arrived, and the board flags it.
Each at the run's width.

The module serves an app of its own (the session-wide live server has no calendar server and
keeps its mail in the outbox), on its own migrated database and task queue: one per width
(each journey stands on its own: xdist may split the module)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import timedelta
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from icalendar import Calendar
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from interviewloop import create_app
from interviewloop.audit.service import SYSTEM, Actor
from interviewloop.auth.login import hasher
from interviewloop.auth.models import User
from interviewloop.auth.service import create_user
from interviewloop.bank.importer import import_bank, load_bank
from interviewloop.cli import DEFAULT_BANK
from interviewloop.db import db
from interviewloop.loops import service as loops
from interviewloop.requisitions import candidates
from interviewloop.requisitions.models import Candidate, Requisition
from interviewloop.scheduling.models import Interview, InterviewStatus
from tests.browser.conftest import WIDTHS, Person, open_context, serving
from tests.browser.helpers import at_phone_width, flash, log_in, watch_console
from tests.caldavserver import PASSWORD as CALDAV_PASSWORD
from tests.caldavserver import USERNAME as CALDAV_USERNAME
from tests.caldavserver import radicale_server
from tests.conftest import PASSWORD, app_config, migrate, new_database_url
from tests.factories import add_to_team, make_interview, make_requisition, next_monday
from tests.mailserver import smtp_server, text_of

pytestmark = pytest.mark.browser

SENDER = "invites@hiring.example.test"
MANAGER = Person("cal.manager@hiring.example.test", "Cora Manager")
RECRUITER = Person("cal.recruiter@hiring.example.test", "Cal Recruiter")
STAYS = Person("stella.stays@hiring.example.test", "Stella Stays")
LEAVES = Person("leo.leaves@hiring.example.test", "Leo Leaves")
JOINS = Person("jo.joins@hiring.example.test", "Jo Joins")
CANDIDATE = ("Cass Candidate", "cass.candidate@example.net")
BOOKED = next_monday(weeks_ahead=3, hour=10)
MOVED = BOOKED + timedelta(days=1, hours=3)  # Tuesday 13:00 UTC (the recruiter's zone)
DECLINE = re.compile(r"^Decline: (\S+/rsvp/\S+)$", re.M)


def burst(app) -> None:
    """Drain the task queue (the calendar pushes and the mail delivery) as the worker does."""
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def world(tmp_path_factory, width) -> Iterator[SimpleNamespace]:
    folder = tmp_path_factory.mktemp("radicale")
    url = new_database_url(tmp_path_factory, "calmail")
    migrate(url)
    with radicale_server(folder) as radicale, smtp_server(SENDER) as smtp:
        app = create_app(app_config(
            DATABASE_URL=url, CALDAV_URL=radicale.url, CALDAV_USERNAME=CALDAV_USERNAME,
            CALDAV_PASSWORD=CALDAV_PASSWORD, CALDAV_COLLECTION="{email}/calendar/",
            CALDAV_TIMEOUT_SECONDS=2, MAIL_DELIVERY="smtp", SMTP_HOST="127.0.0.1",
            SMTP_PORT=smtp.port, SMTP_FROM=SENDER,
            TASK_QUEUE_URL=f"sqlite:///{folder / 'tasks.db'}",
            TASK_QUEUE_NAME=f"calmail-{uuid.uuid4().hex}"))
        try:
            for person in (STAYS, LEAVES, JOINS):
                radicale.make_calendar(person.email)
            with app.app_context(), db.session_scope() as session:
                import_bank(session, SYSTEM, load_bank(DEFAULT_BANK))
                people = {person: create_user(session, SYSTEM, hasher(), email=person.email,
                                              name=person.name, password=PASSWORD,
                                              roles=(role,))
                          for person, role in ((MANAGER, "hiring_manager"),
                                               (RECRUITER, "recruiter"),
                                               (STAYS, "interviewer"), (LEAVES, "interviewer"),
                                               (JOINS, "interviewer"))}
                recruiter = people[RECRUITER]
                requisition = make_requisition(session, people[MANAGER], recruiter,
                                               title="Platform Engineer, calendars")
                add_to_team(session, requisition, people[MANAGER], people[STAYS],
                            people[LEAVES], people[JOINS])
                candidate = candidates.add_candidate(session, Actor(recruiter), requisition,
                                                     candidates.CandidateInput(*CANDIDATE))
                loops.build_loop(session, Actor(recruiter), requisition, candidate, seed=1)
                loop = loops.loop_for(session, candidate)
                interview = make_interview(session, requisition, recruiter, candidate,
                                           loop.stages[0], [people[STAYS], people[LEAVES]],
                                           BOOKED, location="Video: https://meet.example.test/q")
                seeded = {"requisition_id": requisition.id, "interview_id": interview.id,
                          "ical_uid": interview.ical_uid,
                          "ids": {p.email: u.id for p, u in people.items()}}
            burst(app)  # the first booking's invites and calendar events
            assert sorted(to for to, _, _ in smtp.inbox.take()) == sorted(
                [STAYS.email, LEAVES.email, CANDIDATE[1]])
            assert len(radicale.events(LEAVES.email)) == 1
            with serving(app) as port:
                yield SimpleNamespace(url=f"http://127.0.0.1:{port}", app=app,
                                      inbox=smtp.inbox, radicale=radicale, **seeded)
        finally:
            app.extensions["interviewloop.db"]["bind"].dispose()


@pytest.fixture
def page_for(browser, world, width) -> Iterator:
    contexts = []

    def make(errors: list[str]) -> Page:
        context = open_context(browser, world.url, **WIDTHS[width])
        contexts.append(context)
        return watch_console(context.new_page(), errors, {})

    yield make
    for context in contexts:
        context.close()


def invite(message) -> tuple[str, object]:
    """The iTIP method and the one VEVENT of a message's text/calendar part."""
    part = message.get_body(preferencelist=("calendar",))
    calendar = Calendar.from_ical(part.get_content())
    [event] = [c for c in calendar.walk() if c.name == "VEVENT"]
    assert part.get_param("method") == str(calendar["method"])
    return str(calendar["method"]), event


def test_a_reschedule_and_panel_change_reach_every_inbox_and_calendar(world, page_for):
    errors: list[str] = []
    page = page_for(errors)
    log_in(page, RECRUITER, PASSWORD)
    page.goto(f"/interviews/{world.interview_id}")
    page.get_by_role("link", name="Reschedule").click()
    expect(page.get_by_label(LEAVES.name, exact=True)).to_be_checked()
    at_phone_width(page)
    page.get_by_label(LEAVES.name, exact=True).set_checked(False)
    page.get_by_label(JOINS.name, exact=True).set_checked(True)
    page.get_by_label("Starts (your time zone)").fill(MOVED.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Reason for the change").fill("Leo is on call that week.")
    page.get_by_role("button", name="Reschedule", exact=True).click()
    expect(flash(page)).to_contain_text("Interview rescheduled")
    expect(page).to_have_url(f"{world.url}/interviews/{world.interview_id}")
    burst(world.app)

    got: dict[str, list] = {}
    for message in world.inbox.messages:
        got.setdefault(str(message["To"]), []).append(message)
    assert sorted(got) == sorted([STAYS.email, LEAVES.email, JOINS.email, CANDIDATE[1]])
    [removed] = got[LEAVES.email]
    method, event = invite(removed)
    assert method == "CANCEL" and str(event["uid"]) == world.ical_uid
    assert event["sequence"] == 1
    for person in (STAYS, JOINS):
        [message] = got[person.email]
        method, event = invite(message)
        assert method == "REQUEST" and str(event["uid"]) == world.ical_uid
        assert event["sequence"] == 1 and event.decoded("dtstart") == MOVED
        assert DECLINE.search(text_of(message)), person  # the answer links ride along
    [to_candidate] = got[CANDIDATE[1]]
    method, event = invite(to_candidate)
    assert method == "REQUEST" and str(event["uid"]) == f"candidate-{world.ical_uid}"
    assert event["sequence"] == 1 and event.decoded("dtstart") == MOVED
    assert "Leo Leaves" not in text_of(to_candidate)

    # The calendars: moved in the staying panelist's, gone from the removed one's, new in
    # the added one's.
    assert world.radicale.events(LEAVES.email) == []
    for person in (STAYS, JOINS):
        [event] = world.radicale.events(person.email)
        assert str(event["uid"]) == world.ical_uid and event.decoded("dtstart") == MOVED
    assert errors == []
    then_an_interviewer_declines_from_the_mail_that_arrived_and_the_board_flags_it(
        world, page_for)


def then_an_interviewer_declines_from_the_mail_that_arrived_and_the_board_flags_it(
        world, page_for):
    # The updated invite Jo received just now. (One test with the reschedule, not a test
    # after it: pytest-xdist may run a module's tests on two workers, each with its world.)
    [message] = [m for m in world.inbox.messages if str(m["To"]) == JOINS.email]
    [link] = DECLINE.findall(text_of(message))
    world.inbox.take()
    errors: list[str] = []
    page = page_for(errors)
    page.goto(urlsplit(link).path)  # not signed in
    expect(page.locator("#rsvp-heading")).to_have_text("Decline this interview?")
    page.get_by_role("button", name="Decline").click()
    expect(page.locator("#rsvp-done")).to_contain_text("You have declined this interview")

    recruiter = page_for(errors)
    log_in(recruiter, RECRUITER, PASSWORD)
    recruiter.goto(f"/requisitions/{world.requisition_id}/board")
    declined = recruiter.locator(f'.rsvp-declined[data-user="{world.ids[JOINS.email]}"]')
    expect(declined).to_have_class(re.compile(r"\bflagged\b"))
    expect(declined).to_contain_text(f"{JOINS.name}: declined")
    stays = recruiter.locator(f'.rsvp-needs_action[data-user="{world.ids[STAYS.email]}"]')
    expect(stays).not_to_have_class(re.compile(r"\bflagged\b"))
    at_phone_width(recruiter)
    assert errors == []


PROPOSED = ("Pia Proposal", "pia.proposal@example.net")
FIRST_DAY = next_monday(weeks_ahead=2, hour=0)  # a week before Cass's interview
DAYS = 3


def test_a_recruiter_books_a_whole_loop_around_the_candidates_windows_and_a_busy_calendar(
        world, page_for):
    world.inbox.take()  # whatever an earlier journey on this world left
    with world.app.app_context(), db.session_scope() as session:
        recruiter = session.get(User, world.ids[RECRUITER.email])
        requisition = session.get(Requisition, world.requisition_id)
        candidate = candidates.add_candidate(session, Actor(recruiter), requisition,
                                             candidates.CandidateInput(*PROPOSED))
        loops.build_loop(session, Actor(recruiter), requisition, candidate, seed=1)
        candidate_id = candidate.id
    busy = (FIRST_DAY + timedelta(hours=9), FIRST_DAY + timedelta(hours=17))
    world.radicale.add_busy(STAYS.email, "stella-offsite", *busy, summary="Offsite")
    loop_page = f"/requisitions/{world.requisition_id}/candidates/{candidate_id}"
    errors: list[str] = []
    page = page_for(errors)
    log_in(page, RECRUITER, PASSWORD)
    page.goto(loop_page)
    page.get_by_role("button", name="Make a private link").click()
    page.get_by_role("button", name="Email it to the candidate").click()
    burst(world.app)
    [(to, _, body)] = world.inbox.take()
    assert to == PROPOSED[1]
    link = urlsplit(re.search(r"http://\S+/candidate/\S+", body).group(0)).path

    candidate_page = page_for(errors)  # not signed in
    candidate_page.goto(link)
    for day in range(DAYS):  # a window is at most 12 hours: one a day
        date = f"{FIRST_DAY + timedelta(days=day):%Y-%m-%d}"
        candidate_page.get_by_label("From").fill(f"{date}T08:00")
        candidate_page.get_by_label("Until").fill(f"{date}T18:00")
        candidate_page.get_by_role("button", name="Add the window").click()
        expect(candidate_page.locator("#windows li")).to_have_count(day + 1)

    page.goto(loop_page)
    page.get_by_role("button", name="Find times").click()
    page.get_by_label("From").fill(f"{FIRST_DAY:%Y-%m-%d}")
    page.get_by_label("To (included)").fill(f"{FIRST_DAY + timedelta(days=DAYS - 1):%Y-%m-%d}")
    page.locator("#ask").get_by_role("button", name="Find times").click()
    expect(page.locator("#windows")).to_contain_text(f"{DAYS} windows")
    at_phone_width(page)
    page.get_by_role("button", name="Book option 1").click()
    expect(page).to_have_url(f"{world.url}{loop_page}")
    expect(page.locator(".tag.state-unscheduled")).to_have_count(0)

    with world.app.app_context(), db.session_scope() as session:
        stages = loops.loop_for(session, session.get(Candidate, candidate_id)).stages
        booked = list(session.scalars(select(Interview).options(selectinload(Interview.panel)).where(
            Interview.candidate_id == candidate_id,
            Interview.status == InterviewStatus.SCHEDULED)))
        assert sorted(i.stage_id for i in booked) == sorted(s.id for s in stages)
        for interview in booked:
            ends_at = interview.starts_at + timedelta(minutes=interview.minutes)
            day = interview.starts_at.replace(hour=0, minute=0)
            assert day + timedelta(hours=8) <= interview.starts_at  # in the candidate's
            assert ends_at <= day + timedelta(hours=18)  # window of that day (UTC)
            if world.ids[STAYS.email] in {p.user_id for p in interview.panel}:
                assert ends_at <= busy[0] or interview.starts_at >= busy[1], interview.id
    assert errors == []
