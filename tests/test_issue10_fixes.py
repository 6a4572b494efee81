"""Issue 10, "Also broken today": the interviewer's home links to the scorecard; the
calendar feed's events have an ORGANIZER; the candidate's time zone is editable (and
checked); and an interview in a repeated local hour (the clocks go back) stays where it is
when only its room changes, the form saying which of the two times it is."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from interviewloop.audit.service import Actor
from interviewloop.auth import service as accounts
from interviewloop.requisitions.models import Candidate
from interviewloop.scheduling import service
from interviewloop.scheduling.models import Interview
from interviewloop.timezones import AmbiguousLocalTime, from_local, readings
from tests.conftest import post
from tests.factories import (
    add_to_team,
    make_candidate_with_loop,
    make_interview,
    make_requisition,
    next_monday,
)
from tests.ical_parsers import parse_both

BERLIN = "Europe/Berlin"
# 31 Oct 2027: Berlin's clocks go back at 03:00 CEST to 02:00 CET, so 02:30 happens twice:
# first at 00:30 UTC (CEST, UTC+2), then at 01:30 UTC (CET, UTC+1).
FIRST = datetime(2027, 10, 31, 0, 30, tzinfo=UTC)
SECOND = datetime(2027, 10, 31, 1, 30, tzinfo=UTC)


@pytest.fixture
def w(db_session, bank, make_user, login):
    manager = make_user("hiring_manager")
    recruiter = make_user("recruiter", name="Rui Recruiter", time_zone=BERLIN)
    alice = make_user("interviewer", name="Alice")
    req = make_requisition(db_session, manager, recruiter)
    add_to_team(db_session, req, manager, alice)
    candidate, loop = make_candidate_with_loop(db_session, req, recruiter)
    db_session.flush()
    return SimpleNamespace(session=db_session, recruiter=recruiter, alice=alice, req=req,
                           candidate=candidate, loop=loop, rc=login(recruiter), login=login)


def test_the_interviewers_home_links_to_each_scorecard(w):
    interview = make_interview(w.session, w.req, w.recruiter, w.candidate, w.loop.stages[0],
                               [w.alice], next_monday())
    page = w.login(w.alice).get("/").get_data(as_text=True)
    assert f"/interviews/{interview.id}/kit" in page
    assert f'href="/interviews/{interview.id}/scorecard"' in page


def test_the_calendar_feeds_events_have_an_organizer(w, app):
    make_interview(w.session, w.req, w.recruiter, w.candidate, w.loop.stages[0], [w.alice],
                   next_monday())
    token = accounts.new_calendar_token(w.session, Actor(w.alice), w.alice)
    w.session.flush()
    body = app.test_client().get(f"/calendar/{token}.ics").get_data(as_text=True)
    [event] = parse_both(body)["events"]
    assert event["organizer"]["params"]["CN"] == "Rui Recruiter via interviewloop"
    assert event["organizer"]["value"].startswith("mailto:")


# --- the candidate's time zone ----------------------------------------------------------------

def candidate_form(w, **changes) -> dict:
    c = w.candidate
    return {"name": c.name, "email": c.email, "source": c.source, "notes": c.notes,
            "time_zone": c.time_zone, "version": str(c.version), **changes}


def test_the_candidates_time_zone_is_edited_in_the_candidate_form(w):
    url = f"/requisitions/{w.req.id}/candidates/{w.candidate.id}/edit"
    page = w.rc.get(url).get_data(as_text=True)
    assert 'name="time_zone"' in page and 'value="UTC"' in page
    assert post(w.rc, url, candidate_form(w, time_zone="America/Sao_Paulo")).status_code == 302
    w.session.refresh(w.candidate)
    assert w.candidate.time_zone == "America/Sao_Paulo"


@pytest.mark.parametrize(("zone", "message"), [
    ("Mars/Olympus_Mons", "Unknown time zone"),
    ("", "Enter a time zone"),
    ("Europe/" + "x" * 80, "Field cannot be longer than 64 characters."),
])
def test_an_unknown_time_zone_is_a_form_error_with_the_input_kept(w, zone, message):
    url = f"/requisitions/{w.req.id}/candidates/{w.candidate.id}/edit"
    response = post(w.rc, url, candidate_form(w, time_zone=zone, notes="Kept notes"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and message in page
    assert "Kept notes" in page and (not zone or f'value="{zone}"' in page)
    assert w.session.scalar(select(Candidate.time_zone).where(
        Candidate.id == w.candidate.id).execution_options(populate_existing=True)) == "UTC"


def test_a_new_candidate_gets_the_zone_given(w):
    url = f"/requisitions/{w.req.id}/candidates/new"
    response = post(w.rc, url, {"name": "Zoe Zone", "email": "zoe@example.net",
                                "time_zone": "Asia/Tokyo"})
    assert response.status_code == 302
    assert w.session.scalar(select(Candidate.time_zone).where(
        Candidate.email == "zoe@example.net")) == "Asia/Tokyo"


# --- a repeated local hour ----------------------------------------------------------------------

def test_the_two_readings_of_a_repeated_local_time():
    naive = datetime.fromisoformat("2027-10-31T02:30")  # a wall-clock time: no zone
    assert [r.astimezone(UTC) for r in readings(naive, BERLIN)] == [FIRST, SECOND]
    assert from_local(naive, BERLIN, fold=1) == SECOND
    with pytest.raises(AmbiguousLocalTime, match="happens twice"):
        from_local(naive, BERLIN, fold=None)
    assert readings(datetime.fromisoformat("2027-03-28T02:30"), BERLIN) == []  # skipped
    assert len(readings(datetime.fromisoformat("2027-10-31T04:30"), BERLIN)) == 1


def schedule_form(w, **fields) -> dict:
    return {"interviewers": [str(w.alice.id)], "minutes": "60", "location": "Room 1", **fields}


def test_changing_only_the_room_keeps_the_second_of_two_0230s(w):
    interview = make_interview(w.session, w.req, w.recruiter, w.candidate, w.loop.stages[0],
                               [w.alice], SECOND, minutes=60, location="Room 1")
    url = f"/interviews/{interview.id}/reschedule"
    page = w.rc.get(url).get_data(as_text=True)
    assert 'id="ambiguous-time"' in page  # the form says so
    assert '<option selected value="1">02:30 CET (UTC+01:00)</option>' in page
    response = post(w.rc, url, schedule_form(w, starts_at="2027-10-31T02:30", fold="1",
                                             location="Room 2"))
    assert response.status_code == 302
    w.session.expire_all()
    moved = w.session.get(Interview, interview.id)
    assert (moved.location, moved.starts_at) == ("Room 2", SECOND)


def test_booking_a_repeated_time_asks_which_and_keeps_the_answer(w):
    stage = w.loop.stages[1]
    url = f"/requisitions/{w.req.id}/candidates/{w.candidate.id}/stages/{stage.id}/schedule"
    unsaid = post(w.rc, url, schedule_form(w, starts_at="2027-10-31T02:30"))
    page = unsaid.get_data(as_text=True)
    assert unsaid.status_code == 422 and "happens twice in Europe/Berlin" in page
    assert "02:30 CEST (UTC+02:00)" in page and "02:30 CET (UTC+01:00)" in page
    assert service.live_interview(w.session, stage) is None
    said = post(w.rc, url, schedule_form(w, starts_at="2027-10-31T02:30", fold="0"))
    assert said.status_code == 302
    assert service.live_interview(w.session, stage).starts_at == FIRST
    assert FIRST + timedelta(hours=1) == SECOND
