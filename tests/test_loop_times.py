"""Times for a whole loop through the pages: the recruiter asks for options for every
unscheduled stage, sees them in their own zone and books one; every stage is booked in one
transaction through the single-booking service (invites and all), or none when something
clashed meanwhile (409, nothing half-booked). The loop page shows each stage's state with
Schedule / Reschedule. Calendars (Radicale on loopback) count, and a calendar server that is
down still gives options from the interviews this app knows, saying so. The proposals page
makes as many queries with 2 interviewers as with 14 and hundreds of their interviews."""

from __future__ import annotations

import itertools
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from interviewloop import create_app
from interviewloop.audit.service import SYSTEM, Actor
from interviewloop.auth.service import set_working_hours
from interviewloop.errors import Conflict
from interviewloop.loops.models import LoopStage
from interviewloop.outbox.models import OutboxMail
from interviewloop.scheduling.models import Interview, InterviewStatus, LoopProposal
from interviewloop.scheduling.proposals import SPREAD, Proposal, Slot
from interviewloop.scheduling.proposed import live_proposal, store_proposal
from interviewloop.scheduling.proposing import Picked, book_option, plan_loop, propose, read_option
from interviewloop.scheduling.service import SchedulingRefused
from interviewloop.tokens import LinkSigner
from tests.caldavserver import PASSWORD, USERNAME, radicale_server
from tests.conftest import app_config, log_in, post
from tests.factories import (
    add_to_team,
    bulk_interviews,
    make_candidate_with_loop,
    make_interview,
    make_requisition,
    next_monday,
)
from tests.test_calendars_caldav import put_event
from tests.test_query_counts import queries_for

MONDAY = next_monday(weeks_ahead=2, hour=0)
SIGNER = LinkSigner("test-secret")  # the test app's (tests/conftest.py app_config)
OPTION = re.compile(r'name="option" value="([^"]+)"')


def loop_world(db_session, make_user, login) -> SimpleNamespace:
    """A hiring team of three interviewers and a candidate with a five-stage loop."""
    manager = make_user("hiring_manager", name="Hana Manager")
    recruiter = make_user("recruiter", name="Rui Recruiter")
    people = [make_user("interviewer", name=f"{n} Interviewer") for n in ("Alice", "Bob", "Carol")]
    req = make_requisition(db_session, manager, recruiter)
    add_to_team(db_session, req, manager, *people)
    candidate, loop = make_candidate_with_loop(db_session, req, recruiter, 1, seed=1)
    db_session.flush()
    return SimpleNamespace(session=db_session, recruiter=recruiter, people=people, req=req,
                           candidate=candidate, stage_ids=[s.id for s in loop.stages],
                           client=login(recruiter))


@pytest.fixture
def w(db_session, bank, make_user, login):
    return loop_world(db_session, make_user, login)


def url(w, tail=""):
    return f"/requisitions/{w.req.id}/candidates/{w.candidate.id}/proposals{tail}"


def ask(w, client=None, *, days=5, first=MONDAY, **extra):
    """Ask for times over ``days`` days from ``first`` (POST), then open the proposals page
    as the redirect does; a refused request's page itself."""
    client = client or w.client
    response = post(client, url(w), {"starts_on": f"{first:%Y-%m-%d}",
                                     "ends_on": f"{first + timedelta(days=days - 1):%Y-%m-%d}",
                                     **extra})
    if response.status_code == 302:
        return client.get(response.headers["Location"])
    return response


def page_of(w, client=None, **kwargs) -> str:
    return ask(w, client, **kwargs).get_data(as_text=True)


def options(page: str) -> list[str]:
    return OPTION.findall(page)


def live(w) -> list[Interview]:
    w.session.expire_all()
    return list(w.session.scalars(select(Interview).where(
        Interview.candidate_id == w.candidate.id, Interview.status == InterviewStatus.SCHEDULED)
        .order_by(Interview.starts_at)))


def decoded(w, tokens: list[str]) -> list:
    """The options themselves (a token also carries when it was signed)."""
    return [read_option(SIGNER, w.candidate, t) for t in tokens]


def book(w, token, **extra):
    return post(w.client, f"/requisitions/{w.req.id}/candidates/{w.candidate.id}/proposals/book",
                {"option": token, "starts_on": f"{MONDAY:%Y-%m-%d}",
                 "ends_on": f"{MONDAY + timedelta(days=4):%Y-%m-%d}", **extra})


def test_the_loop_page_offers_times_and_booking_one_books_every_stage(w):
    loop_page = w.client.get(f"/requisitions/{w.req.id}/candidates/{w.candidate.id}").get_data(
        as_text=True)
    assert loop_page.count('class="tag state-unscheduled"') == 5 and "Find times" in loop_page
    page = page_of(w)
    tokens = options(page)
    assert len(tokens) == 5 and "one day, back to back" in page and "over 5 days" in page
    assert f"{(MONDAY + timedelta(hours=9)).day} " in page  # the Monday, in the recruiter's zone
    response = book(w, tokens[0], location="Room 7")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/candidates/{w.candidate.id}")
    booked = live(w)
    assert [i.stage_id for i in booked] == w.stage_ids  # every stage, in order
    assert booked[0].starts_at == MONDAY + timedelta(hours=9) and booked[0].location == "Room 7"
    assert all(a.ends_at + timedelta(minutes=15) == b.starts_at
               for a, b in itertools.pairwise(booked))
    # Through the single-booking service: each panelist and the candidate are invited.
    invites = w.session.scalar(select(func.count()).select_from(OutboxMail).where(
        OutboxMail.idempotency_key.like("invite:%")))
    assert invites == len(booked) * 2
    loop_page = w.client.get(f"/requisitions/{w.req.id}/candidates/{w.candidate.id}").get_data(
        as_text=True)
    assert loop_page.count('class="tag state-scheduled"') == 5 and "Reschedule" in loop_page
    assert "Every stage of this loop is scheduled" in w.client.get(url(w)).get_data(as_text=True)
    assert w.session.scalar(select(func.count()).select_from(LoopProposal)) == 0  # cleared
    assert book(w, tokens[1]).status_code == 409  # the same stages again: refused


def test_a_clash_that_appeared_meanwhile_refuses_the_whole_option(w):
    tokens = options(page_of(w))
    again = options(page_of(w))
    assert decoded(w, again) == decoded(w, tokens)  # the same data, the same options
    # Meanwhile someone books the option's third-stage panelist elsewhere, then.
    other, loop = make_candidate_with_loop(w.session, w.req, w.recruiter, 2, seed=2)
    third = MONDAY + timedelta(hours=9, minutes=60 + 15 + 45 + 15)
    picked = read_option(SIGNER, w.candidate, tokens[0])
    taken = next(p for p in w.people if p.id == picked[2].interviewer_ids[0])
    make_interview(w.session, w.req, w.recruiter, other, loop.stages[0], [taken], third)
    w.session.flush()
    response = book(w, tokens[0], location="Room 9")
    body = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Not booked: nothing was changed." in body and "is already interviewing" in body
    assert 'value="Room 9"' in body  # what was typed stays, on the fresh options
    assert live(w) == []  # nothing half-booked
    assert options(body) and decoded(w, tokens)[0] not in decoded(w, options(body))


def propose_these(w, *options: list[Picked]) -> None:
    """Store these options as the candidate's proposal (as asking for times would)."""
    store_proposal(w.session, w.recruiter.id, w.candidate.id, starts=MONDAY,
                   ends=MONDAY + timedelta(days=5), options=[
                       Proposal(SPREAD, tuple(Slot(p.stage_id, p.starts_at, p.ends_at,
                                                   p.interviewer_ids) for p in option))
                       for option in options])


def test_the_service_books_all_or_nothing(w):
    """Called directly (as the API would): the second stage clashes, and the first, already
    flushed by then, is gone from the session too. Only a proposed option is booked."""
    other, loop = make_candidate_with_loop(w.session, w.req, w.recruiter, 2, seed=2)
    alice = w.people[0]
    t = MONDAY + timedelta(hours=9)
    make_interview(w.session, w.req, w.recruiter, other, loop.stages[0], [alice],
                   t + timedelta(hours=2))
    picked = [Picked(w.stage_ids[0], t, 60, (alice.id,)),
              Picked(w.stage_ids[1], t + timedelta(hours=2), 45, (alice.id,))]
    later = [Picked(w.stage_ids[2], t - timedelta(hours=2), 60, (alice.id,))]  # before stage 1
    with pytest.raises(Conflict, match="no longer proposed"):
        book_option(w.session, Actor(w.recruiter), w.req, w.candidate, picked)
    propose_these(w, picked, picked[:1])
    with pytest.raises(SchedulingRefused, match="already interviewing"):
        book_option(w.session, Actor(w.recruiter), w.req, w.candidate, picked)
    assert w.session.scalar(select(func.count()).select_from(Interview).where(
        Interview.candidate_id == w.candidate.id)) == 0
    book_option(w.session, Actor(w.recruiter), w.req, w.candidate, picked[:1])
    assert live_proposal(w.session, w.candidate.id) is None  # booked: no longer proposed
    propose_these(w, later)
    with pytest.raises(SchedulingRefused, match="in order"):
        book_option(w.session, Actor(w.recruiter), w.req, w.candidate, later)


def test_a_stage_whose_kind_has_a_pool_draws_only_its_qualified_interviewers(w, make_user):
    """Only Bob is qualified in the pool of the first stage's kind: every option gives that
    stage (and any other of its kind) to Bob; the other stages draw from the whole team."""
    from interviewloop.pools import service as pools

    admin = make_user("admin")
    first = w.session.get(LoopStage, w.stage_ids[0])
    pool = pools.create_pool(w.session, Actor(admin), first.category.value, "senior", admin.id)
    bob = w.people[1]
    pools.add_member(w.session, Actor(admin), pool, bob.id, "qualified")
    plan = plan_loop(w.session, w.req, w.candidate, starts=MONDAY, ends=MONDAY + timedelta(days=5))
    found = propose(plan, w.candidate, now=MONDAY)
    assert found
    kind = {s.stage.id: s.stage.category for s in plan.stages}
    for option in found:
        for slot in option.slots:
            if kind[slot.stage_id] == first.category:
                assert slot.interviewer_ids == (bob.id,)
    assert {p for o in found for s in o.slots for p in s.interviewer_ids} > {bob.id}


def test_a_forged_or_someone_elses_option_is_refused(w):
    token = options(page_of(w))[0]
    assert book(w, token[:-2] + "xx").status_code == 400
    other, _loop = make_candidate_with_loop(w.session, w.req, w.recruiter, 2, seed=2)
    response = post(w.client, f"/requisitions/{w.req.id}/candidates/{other.id}/proposals/book",
                    {"option": token})
    assert response.status_code == 400 and live(w) == []


def panel_sizes(w, *sizes: int) -> None:
    """Each stage's panel size, in order, through the loop page's form."""
    for stage_id, size in zip(w.stage_ids, sizes, strict=False):
        response = post(w.client, f"/requisitions/{w.req.id}/candidates/{w.candidate.id}/loop/"
                        f"stages/{stage_id}/panel", {"panel_size": str(size)})
        assert response.status_code == 302


def test_working_hours_and_each_stages_panel_size_shape_the_options(w):
    for person in w.people:
        set_working_hours(w.session, SYSTEM, person, starts=13 * 60, ends=19 * 60, days=[2])
    w.session.flush()
    panel_sizes(w, 1, 4)
    page = page_of(w)
    assert options(page) == [] and "needs 4 interviewers; 3 may interview for it" in page
    panel_sizes(w, 2, 1, 2, 1, 1)
    assert "panel of 2" in w.client.get(f"/requisitions/{w.req.id}/candidates/"
                                        f"{w.candidate.id}").get_data(as_text=True)
    page = page_of(w, days=9)
    picked = options(page)
    assert picked
    for token in picked:
        for n, slot in enumerate(read_option(SIGNER, w.candidate, token)):
            assert slot.starts_at.weekday() == 2 and 13 <= slot.starts_at.hour < 19
            assert slot.ends_at <= slot.starts_at.replace(hour=19, minute=0)
            assert len(slot.interviewer_ids) == (2, 1, 2, 1, 1)[n]
    bad = ask(w, days=40)
    assert bad.status_code == 422 and "at most 28 days" in bad.get_data(as_text=True)


def _ask_and_show_queries(w, count_queries) -> tuple[int, int]:
    """The statements of asking for times (POST, which finds and stores the options) and of
    the proposals page then showing the stored ones (GET)."""
    ask(w)  # warm caches outside the count
    data = {"starts_on": f"{MONDAY:%Y-%m-%d}", "ends_on": f"{MONDAY + timedelta(days=4):%Y-%m-%d}"}
    with count_queries() as asking:
        assert post(w.client, url(w), data).status_code == 302
    return len(asking), queries_for(w.client, count_queries, url(w))


def test_asking_and_the_proposals_page_make_the_same_queries_as_interviewers_and_interviews_grow(
        w, make_user, count_queries):
    small = _ask_and_show_queries(w, count_queries)
    more = [make_user("interviewer", name=f"Extra {n}") for n in range(11)]
    add_to_team(w.session, w.req, w.recruiter, *more)
    starts = [MONDAY + timedelta(days=d, hours=h) for d in range(-7, 12) for h in (9, 11, 14, 16)]
    bulk_interviews(w.session, w.req.id, starts, [*w.people, *more])  # 76 each, 1,064 in all
    w.session.flush()
    assert options(page_of(w))
    assert _ask_and_show_queries(w, count_queries) == small


@pytest.fixture
def calendars(connection, tmp_path, w):
    (tmp_path / "radicale").mkdir()
    with radicale_server(tmp_path / "radicale") as server:
        for person in w.people:
            server.make_calendar(person.email)
        app = create_app(app_config(DB_BIND=connection, DATABASE_URL="sqlite://",
                                    CALDAV_URL=server.url, CALDAV_USERNAME=USERNAME,
                                    CALDAV_PASSWORD=PASSWORD, CALDAV_TIMEOUT_SECONDS=1))
        client = app.test_client()
        assert log_in(client, w.recruiter.email).status_code == 302
        yield SimpleNamespace(server=server, client=client)


def test_calendar_busy_times_count_and_a_server_that_is_down_still_gives_options(w, calendars):
    """Everyone is busy in their own calendar on Monday morning: options start after it.
    With the server down the options come from the interviews this app knows (Monday 09:00
    again), and the page says whose calendars it could not read."""
    for person in w.people:
        put_event(calendars.server, person.email, f"standup-{person.id}", [
            f"DTSTART:{MONDAY + timedelta(hours=8):%Y%m%dT%H%M%SZ}",
            f"DTEND:{MONDAY + timedelta(hours=12):%Y%m%dT%H%M%SZ}"])
    page = page_of(w, calendars.client)
    firsts = [read_option(SIGNER, w.candidate, t)[0].starts_at
              for t in options(page)]
    assert firsts and min(firsts) >= MONDAY + timedelta(hours=12)  # not over the calendar event
    assert "could not be read" not in page
    # Then an event lands in the first option's first interviewer's calendar: refused whole.
    token = options(page)[0]
    slot = read_option(SIGNER, w.candidate, token)[0]
    busy = next(p for p in w.people if p.id == slot.interviewer_ids[0])
    put_event(calendars.server, busy.email, "dentist", [
        f"DTSTART:{slot.starts_at:%Y%m%dT%H%M%SZ}", f"DTEND:{slot.ends_at:%Y%m%dT%H%M%SZ}"])
    response = post(calendars.client, f"/requisitions/{w.req.id}/candidates/{w.candidate.id}"
                    "/proposals/book", {"option": token})
    assert response.status_code == 409
    assert escape(f"{busy.name}'s calendar now shows them busy") in response.get_data(as_text=True)
    assert live(w) == []
    calendars.server.stop()
    page = page_of(w, calendars.client)
    assert "Busy times could not be read from the calendars of" in page
    assert all(p.name in page for p in w.people)
    firsts = [read_option(SIGNER, w.candidate, t)[0].starts_at
              for t in options(page)]
    assert min(firsts) == MONDAY + timedelta(hours=9)


def test_the_options_keep_within_the_windows_the_candidate_gave(w):
    """The windows from the candidate's private link (availability) bound every option."""
    from interviewloop.availability.models import CandidateWindow

    tuesday = MONDAY + timedelta(days=1)
    window = (tuesday + timedelta(hours=9), tuesday + timedelta(hours=17))
    w.session.add(CandidateWindow(candidate_id=w.candidate.id, starts_at=window[0],
                                  ends_at=window[1]))
    w.session.flush()
    page = page_of(w)
    assert "Within the 1 window the candidate said they are free in" in page
    tokens = options(page)
    assert tokens
    assert book(w, tokens[0]).status_code == 302
    booked = live(w)
    assert len(booked) == len(w.stage_ids)
    assert all(window[0] <= i.starts_at and i.ends_at <= window[1] for i in booked)
