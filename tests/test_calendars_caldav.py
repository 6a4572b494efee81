"""Real calendars: each interview is written into each interviewer's own CalDAV calendar
(a real Radicale server on loopback, read back with the caldav client), under the emailed
invite's UID; a reschedule replaces it (SEQUENCE up), a cancel or a panel change takes it
away; a server that is down leaves the booking alone, the calendar behind, and the sync job
retrying until it catches up, never writing an event twice."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from interviewloop.audit.service import Actor
from interviewloop.calendars.busy import busy_warnings
from interviewloop.calendars.client import SETTINGS_INFO, CalDAVSettings
from interviewloop.calendars.hooks import calendar_notes
from interviewloop.calendars.models import CalendarPush, SyncState
from interviewloop.calendars.service import sync_due
from interviewloop.config import ConfigError, load_config
from interviewloop.outbox.service import SETTINGS_INFO as MAIL_SETTINGS
from interviewloop.outbox.service import MailSettings
from interviewloop.scheduling import service as scheduling
from interviewloop.timezones import format_local
from tests.caldavserver import PASSWORD, USERNAME, radicale_server
from tests.factories import (
    add_to_team,
    make_candidate_with_loop,
    make_interview,
    make_requisition,
    next_monday,
)

T = next_monday(hour=9)


@pytest.fixture
def radicale(tmp_path):
    with radicale_server(tmp_path) as server:
        yield server


def caldav_settings(radicale, **overrides) -> CalDAVSettings:
    return CalDAVSettings(url=radicale.url, username=USERNAME, password=PASSWORD, timeout=2,
                          retry_seconds=1, **overrides)


@pytest.fixture
def w(db_session, bank, make_user, radicale):
    db_session.info[SETTINGS_INFO] = caldav_settings(radicale)
    db_session.info[MAIL_SETTINGS] = MailSettings(sender="loops@hiring.example.test")
    manager = make_user("hiring_manager", name="Hana Manager")
    recruiter = make_user("recruiter", name="Rui Recruiter")
    alice = make_user("interviewer", name="Alice Interviewer", email="alice@hiring.example.test")
    bob = make_user("interviewer", name="Bob Interviewer", email="bob@hiring.example.test")
    carol = make_user("interviewer", name="Carol Interviewer", email="carol@hiring.example.test")
    for person in (alice, bob, carol):
        radicale.make_calendar(person.email)
    req = make_requisition(db_session, manager, recruiter)
    add_to_team(db_session, req, manager, alice, bob, carol)
    candidate, loop = make_candidate_with_loop(db_session, req, recruiter)
    return SimpleNamespace(session=db_session, recruiter=recruiter, alice=alice, bob=bob,
                           carol=carol, req=req, candidate=candidate, stage=loop.stages[0],
                           radicale=radicale)


def sync(w, now=None):
    """One run of the sync job's service on the test's session."""

    @contextmanager
    def transaction():
        yield w.session
        w.session.flush()

    return sync_due(transaction, w.session.info[SETTINGS_INFO], now=now)


def book(w, panel, starts_at=T):
    return make_interview(w.session, w.req, w.recruiter, w.candidate, w.stage, panel, starts_at,
                          location="Room 4")


def reschedule(w, interview, panel, starts_at):
    interview = scheduling.get_interview(w.session, interview.id)
    return scheduling.reschedule(w.session, Actor(w.recruiter), w.req, interview,
                                 scheduling.ScheduleInput(
                                     interviewer_ids=[u.id for u in panel],
                                     starts_at=starts_at, minutes=interview.minutes,
                                     location="Room 5"))


def only_event(w, person):
    [event] = w.radicale.events(person.email)
    return event


def states(w, interview) -> dict[int, SyncState]:
    return dict(w.session.execute(select(CalendarPush.user_id, CalendarPush.state).where(
        CalendarPush.interview_id == interview.id)).all())


def test_a_booking_appears_in_each_interviewers_calendar_under_the_invites_uid(w):
    interview = book(w, [w.alice, w.bob])
    assert w.radicale.events(w.alice.email) == []  # nothing before the job runs
    run = sync(w)
    assert len(run.synced) == 2 and not run.failed
    for person in (w.alice, w.bob):
        event = only_event(w, person)
        assert str(event["uid"]) == interview.ical_uid and event["sequence"] == 0
        assert event.decoded("dtstart") == T and event["location"] == "Room 4"
        assert str(event["summary"]) == f"Interview: {w.candidate.name}, {w.stage.name}"
        assert sorted(str(a) for a in event.get("attendee")) == [
            f"mailto:{w.alice.email}", f"mailto:{w.bob.email}"]
        assert str(event["organizer"]) == "mailto:loops@hiring.example.test"
    assert w.radicale.events(w.carol.email) == []
    assert set(states(w, interview).values()) == {SyncState.SYNCED}
    assert not sync(w).synced  # nothing more to do


def test_a_reschedule_replaces_the_event_and_a_cancel_takes_it_away(w):
    interview = book(w, [w.alice, w.bob])
    sync(w)
    reschedule(w, interview, [w.alice, w.bob], T + timedelta(days=1))
    assert set(states(w, interview).values()) == {SyncState.PENDING}
    sync(w)
    for person in (w.alice, w.bob):
        event = only_event(w, person)
        assert str(event["uid"]) == interview.ical_uid and event["sequence"] == 1
        assert event.decoded("dtstart") == T + timedelta(days=1)
        assert event["location"] == "Room 5"
    scheduling.cancel(w.session, Actor(w.recruiter), w.req,
                      scheduling.get_interview(w.session, interview.id), "Role filled")
    sync(w)
    assert w.radicale.events(w.alice.email) == [] and w.radicale.events(w.bob.email) == []
    assert set(states(w, interview).values()) == {SyncState.SYNCED}


def test_a_panel_change_takes_the_event_from_whoever_left_and_gives_it_to_who_joined(w):
    interview = book(w, [w.alice, w.bob])
    sync(w)
    reschedule(w, interview, [w.alice, w.carol], T)
    sync(w)
    assert w.radicale.events(w.bob.email) == []
    for person in (w.alice, w.carol):
        event = only_event(w, person)
        assert str(event["uid"]) == interview.ical_uid and event["sequence"] == 1
        assert sorted(str(a) for a in event.get("attendee")) == [
            f"mailto:{w.alice.email}", f"mailto:{w.carol.email}"]
    # Bob back on the panel: his calendar gets the event again.
    reschedule(w, interview, [w.alice, w.bob, w.carol], T)
    sync(w)
    assert only_event(w, w.bob)["sequence"] == 2


def test_a_server_that_is_down_leaves_the_calendar_behind_until_a_retry_catches_up(w):
    w.radicale.stop()
    interview = book(w, [w.alice, w.bob])  # the booking itself does not touch the server
    run = sync(w)
    assert not run.synced and len(run.failed) == 2
    assert run.retry_in == timedelta(seconds=1)
    rows = w.session.scalars(select(CalendarPush).where(
        CalendarPush.interview_id == interview.id)).all()
    assert {r.state for r in rows} == {SyncState.FAILED} and {r.attempts for r in rows} == {1}
    notes = calendar_notes(w.session, interview=interview)
    assert [n.level for n in notes] == ["warning", "warning"]
    assert notes[0].text.startswith("Alice Interviewer's calendar is behind")
    assert "next try" in notes[0].text
    # Still down at the next try: twice the wait.
    later = rows[0].next_attempt_at
    assert not sync(w, now=later - timedelta(milliseconds=1)).failed  # not due yet: not tried
    second = sync(w, now=later)
    assert len(second.failed) == 2 and second.retry_in == timedelta(seconds=2)
    w.radicale.start()
    caught_up = sync(w, now=later + timedelta(seconds=5))
    assert len(caught_up.synced) == 2
    for person in (w.alice, w.bob):
        assert str(only_event(w, person)["uid"]) == interview.ical_uid
    assert [n.level for n in calendar_notes(w.session, interview=interview)] == ["success"] * 2


def test_a_write_done_twice_leaves_one_event(w):
    """A retry after a write whose result was lost (the worker died after the PUT): the
    same UID is written again, replacing the event, never adding a second."""
    interview = book(w, [w.alice])
    sync(w)
    row = w.session.get(CalendarPush, (interview.id, w.alice.id))
    row.state, row.synced_at, row.next_attempt_at = SyncState.PENDING, None, row.changed_at
    w.session.flush()
    assert len(sync(w).synced) == 1
    assert str(only_event(w, w.alice)["uid"]) == interview.ical_uid
    # A cancel retried likewise: the second DELETE finds nothing, and that is done too.
    scheduling.cancel(w.session, Actor(w.recruiter), w.req,
                      scheduling.get_interview(w.session, interview.id))
    sync(w)
    row.state, row.synced_at, row.next_attempt_at = SyncState.PENDING, None, row.changed_at
    w.session.flush()
    assert len(sync(w).synced) == 1 and w.radicale.events(w.alice.email) == []


def test_without_caldav_nothing_is_asked_of_a_calendar(w):
    w.session.info[SETTINGS_INFO] = CalDAVSettings()
    interview = book(w, [w.alice])
    assert states(w, interview) == {}
    assert calendar_notes(w.session, interview=interview) == []


def test_the_collection_pattern_names_each_persons_calendar():
    config = CalDAVSettings(url="https://dav.example.test/dav/", collection="users/{local}/work")
    assert config.collection_url("ann.lee@example.test") == (
        "https://dav.example.test/dav/users/ann.lee/work/")
    default = CalDAVSettings(url="https://dav.example.test/")
    assert default.collection_url("ann@example.test") == (
        "https://dav.example.test/ann@example.test/calendar/")


def test_the_caldav_settings_come_from_the_environment_and_are_checked(tmp_path):
    base = {"INTERVIEWLOOP_ENV": "test", "SECRET_KEY": "x"}
    config = load_config({**base, "CALDAV_URL": "https://dav.example.test/dav",
                          "CALDAV_USERNAME": "svc", "CALDAV_PASSWORD": "pw",
                          "CALDAV_COLLECTION": "people/{local}/", "CALDAV_TIMEOUT_SECONDS": "2"},
                         instance_path=str(tmp_path))
    assert config["CALDAV_URL"] == "https://dav.example.test/dav/"
    assert (config["CALDAV_USERNAME"], config["CALDAV_PASSWORD"]) == ("svc", "pw")
    assert config["CALDAV_COLLECTION"] == "people/{local}/"
    assert config["CALDAV_TIMEOUT_SECONDS"] == 2 and config["CALDAV_RETRY_SECONDS"] == 60
    assert load_config(base, instance_path=str(tmp_path))["CALDAV_URL"] is None
    for name, value in [("CALDAV_URL", "dav.example.test"), ("CALDAV_COLLECTION", "calendar/"),
                        ("CALDAV_COLLECTION", "{user}/calendar/"),
                        ("CALDAV_TIMEOUT_SECONDS", "0")]:
        with pytest.raises(ConfigError, match=name):
            load_config({**base, name: value}, instance_path=str(tmp_path))


def put_event(radicale, email, uid, lines):
    body = "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//tests//busy//EN",
                        "BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20260101T000000Z", *lines,
                        "SUMMARY:Private", "END:VEVENT", "END:VCALENDAR", ""])
    with radicale.client() as client:
        assert client.put(f"{radicale.collection_url(email)}{uid}.ics", body,
                          {"Content-Type": "text/calendar"}).status == 201


def test_busy_times_count_all_day_and_repeating_events_but_not_free_or_cancelled_ones(w):
    config = w.session.info[SETTINGS_INFO]
    day = T.astimezone(ZoneInfo("Asia/Kolkata")).date()
    put_event(w.radicale, w.alice.email, "offsite", [
        f"DTSTART;VALUE=DATE:{day:%Y%m%d}", f"DTEND;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}"])
    week_before = T - timedelta(days=7)
    put_event(w.radicale, w.bob.email, "weekly-1-1", [  # began a week before: repeats into T
        f"DTSTART:{week_before:%Y%m%dT%H%M%SZ}",
        f"DTEND:{week_before + timedelta(minutes=30):%Y%m%dT%H%M%SZ}", "RRULE:FREQ=WEEKLY"])
    put_event(w.radicale, w.carol.email, "focus", [
        f"DTSTART:{T:%Y%m%dT%H%M%SZ}", f"DTEND:{T + timedelta(hours=1):%Y%m%dT%H%M%SZ}",
        "TRANSP:TRANSPARENT"])
    put_event(w.radicale, w.carol.email, "called-off", [
        f"DTSTART:{T:%Y%m%dT%H%M%SZ}", f"DTEND:{T + timedelta(hours=1):%Y%m%dT%H%M%SZ}",
        "STATUS:CANCELLED"])
    people = [(u.name, config.collection_url(u.email), zone) for u, zone in (
        (w.alice, "Asia/Kolkata"), (w.bob, "UTC"), (w.carol, "UTC"))]
    check = busy_warnings(config, people, T, T + timedelta(hours=1), interview_uid=None,
                          viewer_zone="UTC")
    assert [text.split("'s")[0] for text in check.warnings] == [
        "Alice Interviewer", "Bob Interviewer"]
    assert check.notices == []
    # The all-day event is Alice's own day (Kolkata), not the UTC one.
    [alice] = [text for text in check.warnings if text.startswith("Alice")]
    midnight = datetime.combine(day, time(), ZoneInfo("Asia/Kolkata")).astimezone(UTC)
    assert alice == (f"Alice Interviewer's calendar shows them busy from "
                     f"{format_local(midnight, 'UTC')} to "
                     f"{format_local(midnight + timedelta(days=1), 'UTC', with_date=False)}.")
