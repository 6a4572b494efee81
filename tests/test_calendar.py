"""Calendar invites and the private feed, parsed back with icalendar (RFC 5545): a stable
UID, SEQUENCE raised by each change, UTC times equal to the stored ones, METHOD:CANCEL with
STATUS:CANCELLED, and a feed that shows one interviewer's interviews and nothing else."""

from __future__ import annotations

import re
from datetime import UTC, timedelta
from types import SimpleNamespace
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from interviewloop.audit.service import SYSTEM, Actor
from interviewloop.auth import service as accounts
from interviewloop.db import utcnow
from interviewloop.scheduling import calendar, service
from tests.conftest import post
from tests.factories import (
    add_to_team,
    make_candidate_with_loop,
    make_interview,
    make_requisition,
    next_monday,
)

T = next_monday(hour=9, minute=30)
HOUR = timedelta(hours=1)
NOTES = "Private recruiter note: asked for 260k"


@pytest.fixture
def w(db_session, bank, make_user, login):
    manager = make_user("hiring_manager", name="Hana Manager")
    recruiter = make_user("recruiter", name="Rui Recruiter")
    alice = make_user("interviewer", name="Alice Interviewer", time_zone="Asia/Kolkata")
    bob = make_user("interviewer", name="Bob Interviewer", time_zone="America/New_York")
    requisition = make_requisition(db_session, manager, recruiter)
    add_to_team(db_session, requisition, manager, alice, bob)
    c1, loop1 = make_candidate_with_loop(db_session, requisition, recruiter, 1, seed=1,
                                         email="first.person@example.net")
    c2, loop2 = make_candidate_with_loop(db_session, requisition, recruiter, 2, seed=2,
                                         email="second.person@example.net")
    c1.notes = c2.notes = NOTES
    mine = make_interview(db_session, requisition, recruiter, c1, loop1.stages[0], [alice], T,
                          location="https://video.example/abc")
    both = make_interview(db_session, requisition, recruiter, c1, loop1.stages[1], [alice, bob],
                          T + 2 * HOUR)
    others = make_interview(db_session, requisition, recruiter, c2, loop2.stages[0], [bob], T)
    db_session.flush()
    return SimpleNamespace(session=db_session, recruiter=recruiter, alice=alice, bob=bob,
                           req=requisition, c1=c1, c2=c2, mine=mine, both=both, others=others,
                           login=login)


def parse(response) -> Calendar:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/calendar"
    return Calendar.from_ical(response.get_data())


def only_event(cal: Calendar):
    [event] = cal.walk("VEVENT")
    return event


def assert_utc(event, name: str, expected) -> None:
    value = event.decoded(name)
    assert value == expected
    assert value.utcoffset() == timedelta(0)
    # Serialised as a UTC time (the trailing Z), not a floating or zoned local time.
    assert event[name].to_ical().decode() == expected.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def reschedule(w, interview, start, people, minutes=60):
    w.session.expire(interview)
    interview = service.get_interview(w.session, interview.id)
    service.reschedule(w.session, Actor(w.recruiter), w.req, interview, service.ScheduleInput(
        interviewer_ids=[p.id for p in people], starts_at=start, minutes=minutes))
    w.session.flush()
    return interview


def cancel(w, interview):
    w.session.expire(interview)
    interview = service.get_interview(w.session, interview.id)
    service.cancel(w.session, Actor(w.recruiter), w.req, interview, "Role paused")
    w.session.flush()
    return interview


def test_an_invite_is_a_request_with_the_stored_utc_times(w):
    client = w.login(w.alice)
    response = client.get(f"/interviews/{w.mine.id}/invite.ics")
    cal = parse(response)
    assert "attachment" in response.headers["Content-Disposition"]
    assert str(cal["VERSION"]) == "2.0" and cal["PRODID"]
    assert str(cal["METHOD"]) == "REQUEST"
    event = only_event(cal)
    assert str(event["UID"]) == w.mine.ical_uid
    assert int(event["SEQUENCE"]) == 0
    assert str(event["STATUS"]) == "CONFIRMED"
    assert_utc(event, "DTSTART", T)
    assert_utc(event, "DTEND", T + timedelta(minutes=w.mine.minutes))
    assert event.decoded("DTSTAMP").utcoffset() == timedelta(0)
    assert str(event["LOCATION"]) == "https://video.example/abc"
    assert "Candidate 1" in str(event["SUMMARY"])
    assert f"/interviews/{w.mine.id}/kit" in str(event["DESCRIPTION"])
    assert str(event["ATTENDEE"]) == f"mailto:{w.alice.email}"


def test_the_uid_stays_and_the_sequence_rises_with_each_change(w):
    client = w.login(w.alice)
    url = f"/interviews/{w.mine.id}/invite.ics"
    first = only_event(parse(client.get(url)))
    later = T + timedelta(days=1, hours=3)
    reschedule(w, w.mine, later, [w.alice], minutes=45)
    second = only_event(parse(client.get(url)))
    assert str(second["UID"]) == str(first["UID"]) == w.mine.ical_uid
    assert int(second["SEQUENCE"]) == 1
    assert_utc(second, "DTSTART", later)
    assert_utc(second, "DTEND", later + timedelta(minutes=45))
    reschedule(w, w.mine, later + HOUR, [w.alice])
    third = only_event(parse(client.get(url)))
    assert (str(third["UID"]), int(third["SEQUENCE"])) == (w.mine.ical_uid, 2)
    assert_utc(third, "DTSTART", later + HOUR)


def test_a_cancellation_goes_out_as_method_cancel(w):
    client = w.login(w.alice)
    url = f"/interviews/{w.mine.id}/invite.ics"
    cancel(w, w.mine)
    cal = parse(client.get(url))
    assert str(cal["METHOD"]) == "CANCEL"
    event = only_event(cal)
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == w.mine.ical_uid
    assert int(event["SEQUENCE"]) == 1  # above the last REQUEST's, so clients apply it
    assert_utc(event, "DTSTART", T)


def test_invite_function_stamps_in_utc_and_names_the_method(w):
    interview = service.get_interview(w.session, w.both.id)
    text = calendar.EventText(summary="S", description="D", attendee_emails=("a@x.org",))
    stamp = utcnow().astimezone(ZoneInfo("Asia/Tokyo"))
    cal = Calendar.from_ical(calendar.invite(interview, text, now=stamp))
    event = only_event(cal)
    assert str(cal["METHOD"]) == "REQUEST"
    assert event.decoded("DTSTAMP") == stamp.replace(microsecond=0)
    assert event["DTSTAMP"].to_ical().decode().endswith("Z")
    assert_utc(event, "DTSTART", T + 2 * HOUR)


def turn_on_feed(client) -> str:
    """Make a new feed address; it is on the answer to the POST, and only there."""
    response = post(client, "/account/calendar")
    assert response.status_code == 200
    match = re.search(r'<code id="feed-url">([^<]+)</code>', response.get_data(as_text=True))
    assert match, "no feed address on the answer"
    path = urlsplit(match.group(1)).path
    assert path not in client.get("/account").get_data(as_text=True)  # never shown again
    return path


def test_the_feed_lists_only_that_interviewers_interviews(w, app):
    path = turn_on_feed(w.login(w.alice))
    anonymous = app.test_client()
    response = anonymous.get(path)
    cal = parse(response)
    assert str(cal["METHOD"]) == "PUBLISH"
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {w.mine.ical_uid, w.both.ical_uid}
    assert_utc(events[w.mine.ical_uid], "DTSTART", T)
    assert_utc(events[w.both.ical_uid], "DTSTART", T + 2 * HOUR)
    body = response.get_data(as_text=True)
    unfolded = body.replace("\r\n ", "")
    for secret in ("Candidate 2", w.c2.email, w.c1.email, NOTES, "180000", "240000",
                   "180,000", w.others.ical_uid):
        assert secret not in unfolded, secret
    assert "scorecard" not in unfolded.lower()
    # Bob's feed is his own: his two interviews, not Alice's first.
    bob_cal = parse(anonymous.get(turn_on_feed(w.login(w.bob))))
    assert {str(e["UID"]) for e in bob_cal.walk("VEVENT")} == {w.both.ical_uid,
                                                                w.others.ical_uid}


def test_the_feed_follows_reschedules_cancellations_and_panel_changes(w, app):
    path = turn_on_feed(w.login(w.bob))
    anonymous = app.test_client()
    later = T + timedelta(days=2)
    reschedule(w, w.both, later, [w.alice])  # Bob taken off this panel
    cancel(w, w.others)
    events = {str(e["UID"]): e for e in parse(anonymous.get(path)).walk("VEVENT")}
    assert set(events) == {w.others.ical_uid}
    assert str(events[w.others.ical_uid]["STATUS"]) == "CANCELLED"
    assert int(events[w.others.ical_uid]["SEQUENCE"]) == 1
    alice_path = turn_on_feed(w.login(w.alice))
    moved = {str(e["UID"]): e for e in parse(anonymous.get(alice_path)).walk("VEVENT")}
    assert int(moved[w.both.ical_uid]["SEQUENCE"]) == 1
    assert_utc(moved[w.both.ical_uid], "DTSTART", later)
    # Off the panel, off the interview: Bob's invite link is gone too.
    assert w.login(w.bob).get(f"/interviews/{w.both.id}/invite.ics").status_code == 404


def test_a_new_address_invalidates_the_old_and_revoking_turns_it_off(w, app):
    client = w.login(w.alice)
    anonymous = app.test_client()
    old = turn_on_feed(client)
    assert anonymous.get(old).status_code == 200
    new = turn_on_feed(client)
    assert new != old
    assert anonymous.get(old).status_code == 404
    assert anonymous.get(new).status_code == 200
    assert post(client, "/account/calendar/revoke").status_code == 302
    assert anonymous.get(new).status_code == 404
    assert 'id="feed-url"' not in client.get("/account").get_data(as_text=True)


def test_a_deactivated_users_feed_is_gone(w, app):
    path = turn_on_feed(w.login(w.alice))
    anonymous = app.test_client()
    assert anonymous.get(path).status_code == 200
    accounts.deactivate_user(w.session, SYSTEM, w.alice)
    w.session.flush()
    assert anonymous.get(path).status_code == 404


@pytest.mark.parametrize("token", ["nope", "x" * 43, "x" * 200, "%C3%A9t%C3%A9", "a.b"])
def test_unknown_tokens_get_404(w, app, token):
    turn_on_feed(w.login(w.alice))
    assert app.test_client().get(f"/calendar/{token}.ics").status_code == 404


@pytest.mark.parametrize("token", ["a\x00b", "\x00", "é" * 10, "a b", "x" * 65])
def test_a_token_outside_the_alphabet_is_no_token_and_no_error(w, app, token):
    turn_on_feed(w.login(w.alice))
    assert accounts.user_for_calendar_token(w.session, token) is None  # PostgreSQL: no error
    status = app.test_client().get(f"/calendar/{quote(token)}.ics").status_code
    assert status in (400, 404)


def test_feed_tokens_are_long_random_and_unique(w):
    tokens = {accounts.new_calendar_token(w.session, SYSTEM, w.alice) for _ in range(20)}
    assert len(tokens) == 20
    assert all(len(t) >= 43 for t in tokens)
    assert accounts.user_for_calendar_token(w.session, "") is None
