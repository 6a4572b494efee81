"""Invites that arrive: scheduling, rescheduling (the panel too) and cancelling put an email
with an iTIP invite in the outbox for each person affected; the delivery job sends them to a
real SMTP server (aiosmtpd); every invite is read by two parsers (icalendar and ical.js),
which must agree. The candidate's message carries nothing internal."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from interviewloop.audit.service import Actor
from interviewloop.db import utcnow
from interviewloop.loops.models import LoopQuestion
from interviewloop.outbox.delivery import deliver_due
from interviewloop.outbox.service import SETTINGS_INFO, MailSettings
from interviewloop.scheduling import service as scheduling
from interviewloop.scheduling.invites import candidate_time
from interviewloop.scheduling.models import Interview
from tests.factories import (
    ANSWERS,
    add_to_team,
    make_candidate_with_loop,
    make_interview,
    make_requisition,
    next_monday,
    past_interview,
    write_scorecard,
)
from tests.ical_parsers import parse_both
from tests.mailserver import smtp_server, text_of

SENDER = "loops@hiring.example.test"
BASE_URL = "https://loops.example.test"
QUESTION_MARKER = "PLANTED question title 7f3a"
EVIDENCE_MARKER = "PLANTED scorecard evidence 9c1e"
NOTES_MARKER = "PLANTED candidate notes 2b8d"


@pytest.fixture
def smtp():
    with smtp_server(SENDER) as server:
        yield server


@pytest.fixture
def w(db_session, bank, make_user, smtp):
    db_session.info[SETTINGS_INFO] = MailSettings(sender=SENDER, base_url=BASE_URL)
    manager = make_user("hiring_manager", name="Hana Manager")
    recruiter = make_user("recruiter", name="Rui Recruiter")
    alice = make_user("interviewer", name="Alice Interviewer", time_zone="Asia/Kolkata")
    bob = make_user("interviewer", name="Bob Interviewer", time_zone="America/New_York")
    carol = make_user("interviewer", name="Carol Interviewer")
    req = make_requisition(db_session, manager, recruiter)
    add_to_team(db_session, req, manager, alice, bob, carol)
    candidate, loop = make_candidate_with_loop(db_session, req, recruiter)
    candidate.time_zone, candidate.notes = "Europe/Berlin", NOTES_MARKER
    # Planted: what a candidate must never see.
    for question in db_session.scalars(select(LoopQuestion).where(
            LoopQuestion.stage_id.in_([s.id for s in loop.stages]))):
        db_session.refresh(question, ["question"])
        question.question.title = QUESTION_MARKER
    held = past_interview(db_session, req, recruiter, candidate, loop.stages[0], [carol],
                          ended_hours_ago=30)
    write_scorecard(db_session, carol, req, held, evidence=EVIDENCE_MARKER)
    db_session.flush()
    interview = make_interview(db_session, req, recruiter, candidate, loop.stages[1],
                               [alice, bob], next_monday(hour=9), location="Room 4, Berlin")
    world = SimpleNamespace(session=db_session, recruiter=recruiter, alice=alice, bob=bob,
                            carol=carol, req=req, candidate=candidate, stage=loop.stages[1],
                            interview=interview, smtp=smtp)
    deliver(world)  # the held interview's invites and the first booking's go out here
    return world


def deliver(w) -> dict[str, list[dict]]:
    """Run the delivery job's service on the test's session; each recipient's messages, with
    the invite read by both parsers."""

    @contextmanager
    def transaction():
        yield w.session
        w.session.flush()

    run = deliver_due(transaction, w.smtp.mailer)
    assert not run.refused and not run.in_doubt
    got: dict[str, list[dict]] = {}
    for message in w.smtp.inbox.messages:
        part = message.get_body(preferencelist=("calendar",))
        ics = part.get_content()
        got.setdefault(str(message["To"]), []).append({
            "subject": str(message["Subject"]), "text": text_of(message),
            # Everything the recipient can read: the headers and each part, decoded.
            "readable": "\n".join([*(f"{k}: {v}" for k, v in message.items()),
                                    text_of(message), ics]),
            "content_type": part.get_content_type(), "method_param": part.get_param("method"),
            "invite": parse_both(ics)})
    w.smtp.inbox.take()
    return got


def only(messages: list[dict]) -> tuple[dict, dict]:
    [message] = messages
    [event] = message["invite"]["events"]
    assert message["method_param"] == message["invite"]["method"]
    return message, event


def attendee(person, name=None) -> dict:
    return {"value": f"mailto:{person.email}",
            "params": {"CN": name or person.name, "ROLE": "REQ-PARTICIPANT",
                       "PARTSTAT": "NEEDS-ACTION", "RSVP": "TRUE"}}


ORGANIZER = {"value": f"mailto:{SENDER}", "params": {"CN": "Rui Recruiter via interviewloop"}}


def reschedule(w, panel, starts_at, location="Video: https://meet.example.test/abc"):
    interview = scheduling.get_interview(w.session, w.interview.id)
    return scheduling.reschedule(w.session, Actor(w.recruiter), w.req, interview,
                                 scheduling.ScheduleInput(
                                     interviewer_ids=[u.id for u in panel], starts_at=starts_at,
                                     minutes=interview.minutes, location=location))


def test_scheduling_invites_the_panel_and_the_candidate(db_session, bank, make_user, smtp):
    w = SimpleNamespace(session=db_session, smtp=smtp)
    db_session.info[SETTINGS_INFO] = MailSettings(sender=SENDER, base_url=BASE_URL)
    manager, recruiter = make_user("hiring_manager"), make_user("recruiter", name="Rui Recruiter")
    alice, bob = make_user("interviewer", name="Alice A"), make_user("interviewer", name="Bob B")
    req = make_requisition(db_session, manager, recruiter)
    add_to_team(db_session, req, manager, alice, bob)
    candidate, loop = make_candidate_with_loop(db_session, req, recruiter)
    starts = next_monday(hour=14)
    interview = make_interview(db_session, req, recruiter, candidate, loop.stages[0],
                               [bob, alice], starts)
    got = deliver(w)
    assert sorted(got) == sorted([alice.email, bob.email, candidate.email])
    for person in (alice, bob):
        message, event = only(got[person.email])
        assert message["content_type"] == "text/calendar"
        assert message["invite"]["method"] == "REQUEST"
        assert message["subject"].startswith(f"Invitation: {candidate.name}, ")
        assert event["uid"] == interview.ical_uid and event["sequence"] == 0
        assert event["status"] == "CONFIRMED" and event["organizer"] == ORGANIZER
        assert event["attendees"] == [attendee(alice), attendee(bob)]
        assert event["dtstart"] == starts.strftime("%Y-%m-%dT%H:%M:%SZ")
        assert f"{BASE_URL}/interviews/{interview.id}/kit" in message["text"]
    message, event = only(got[candidate.email])
    assert message["invite"]["method"] == "REQUEST" and event["sequence"] == 0
    assert event["uid"] == f"candidate-{interview.ical_uid}"
    assert event["organizer"] == ORGANIZER and event["attendees"] == [attendee(candidate)]
    assert "You will meet: Alice A, Bob B" in message["text"]
    assert f"When: {candidate_time(starts, 'UTC')}" in message["text"]


def test_a_panel_change_cancels_for_the_removed_and_updates_everyone_else(w):
    later = next_monday(hour=13) + timedelta(days=1)
    reschedule(w, [w.bob, w.carol], later)
    got = deliver(w)
    assert sorted(got) == sorted([w.alice.email, w.bob.email, w.carol.email, w.candidate.email])
    removed, event = only(got[w.alice.email])
    assert removed["invite"]["method"] == "CANCEL"
    assert event["uid"] == w.interview.ical_uid and event["sequence"] == 1
    assert event["status"] == "CANCELLED" and event["attendees"] == [attendee(w.alice)]
    assert event["organizer"] == ORGANIZER
    for person in (w.bob, w.carol):  # Bob stays (a higher SEQUENCE), Carol joins
        message, event = only(got[person.email])
        assert message["invite"]["method"] == "REQUEST"
        assert message["subject"].startswith("Updated invitation: ")
        assert event["uid"] == w.interview.ical_uid and event["sequence"] == 1
        assert event["attendees"] == [attendee(w.bob), attendee(w.carol)]
        assert event["dtstart"] == later.strftime("%Y-%m-%dT%H:%M:%SZ")
        assert event["location"] == "Video: https://meet.example.test/abc"
    message, event = only(got[w.candidate.email])
    assert message["invite"]["method"] == "REQUEST"
    assert event["uid"] == f"candidate-{w.interview.ical_uid}" and event["sequence"] == 1
    assert event["attendees"] == [attendee(w.candidate)]
    assert "You will meet: Bob Interviewer, Carol Interviewer" in message["text"]
    assert candidate_time(later, "Europe/Berlin") in message["text"]
    assert "(Europe/Berlin, UTC+0" in message["text"]
    # Nothing changed: nothing is sent, and the sequence stays.
    reschedule(w, [w.bob, w.carol], later)
    assert deliver(w) == {}
    assert w.session.get(Interview, w.interview.id).sequence == 1


def test_cancelling_sends_a_cancel_to_the_panel_and_the_candidate(w):
    interview = scheduling.get_interview(w.session, w.interview.id)
    scheduling.cancel(w.session, Actor(w.recruiter), w.req, interview, reason="PLANTED reason")
    got = deliver(w)
    assert sorted(got) == sorted([w.alice.email, w.bob.email, w.candidate.email])
    for person in (w.alice, w.bob):
        message, event = only(got[person.email])
        assert message["invite"]["method"] == "CANCEL" and event["status"] == "CANCELLED"
        assert event["uid"] == w.interview.ical_uid and event["sequence"] == 1
        assert event["attendees"] == [attendee(w.alice), attendee(w.bob)]
    message, event = only(got[w.candidate.email])
    assert message["invite"]["method"] == "CANCEL" and event["status"] == "CANCELLED"
    assert event["uid"] == f"candidate-{w.interview.ical_uid}" and event["sequence"] == 1
    assert "PLANTED" not in message["readable"]


def test_the_candidates_messages_carry_nothing_internal(w):
    reschedule(w, [w.bob, w.carol], next_monday(hour=11))
    scheduling.cancel(w.session, Actor(w.recruiter), w.req,
                      scheduling.get_interview(w.session, w.interview.id))
    got = deliver(w)
    forbidden = [QUESTION_MARKER, EVIDENCE_MARKER, NOTES_MARKER, *ANSWERS.values(),
                 "/kit", "/scorecard", BASE_URL, "(Senior)", "180000", "180,000", "240,000",
                 "Referral", "status",
                 w.alice.email, w.bob.email, w.carol.email, "Hana Manager"]
    messages = got[w.candidate.email]
    assert len(messages) == 2  # the update and the cancellation
    for message in messages:
        for marker in forbidden:
            assert marker not in message["readable"], marker
    # The interviewers' messages do carry the kit (so the check above can tell).
    assert any(f"{BASE_URL}/interviews/{w.interview.id}/kit" in m["readable"]
               for m in got[w.bob.email])


def test_the_candidates_invite_names_each_interviewer_with_their_job_title(w):
    """Name and job title, in the email and in the event (both parsers); someone without a
    title by name alone; nothing else of theirs (their email) is there."""
    w.bob.job_title = "Staff ML Engineer"
    w.session.flush()
    reschedule(w, [w.alice, w.bob], next_monday(hour=13))
    message, event = only(deliver(w)[w.candidate.email])
    meet = "You will meet: Alice Interviewer, Bob Interviewer (Staff ML Engineer)"
    assert meet in message["text"]
    assert meet in event["description"]
    assert w.bob.email not in message["readable"] and w.alice.email not in message["readable"]


def test_the_candidates_time_is_given_in_their_zone_with_its_offset():
    summer = next_monday().replace(month=7, day=6, hour=8)
    assert candidate_time(summer, "Europe/Berlin").endswith(
        "10:00 CEST (Europe/Berlin, UTC+02:00)")
    assert candidate_time(summer, "Asia/Kolkata").endswith("13:30 IST (Asia/Kolkata, UTC+05:30)")
    assert candidate_time(summer, "UTC").endswith("08:00 UTC (UTC)")


def test_an_invite_is_queued_once_per_person_and_change(w):
    from interviewloop.outbox.models import OutboxMail

    keys = w.session.scalars(select(OutboxMail.idempotency_key).where(
        OutboxMail.idempotency_key.like(f"invite:%{w.interview.ical_uid}:%"))).all()
    assert sorted(keys) == sorted([
        f"invite:{w.interview.ical_uid}:0:{w.alice.email}",
        f"invite:{w.interview.ical_uid}:0:{w.bob.email}",
        f"invite:candidate-{w.interview.ical_uid}:0:{w.candidate.email}"])
    assert utcnow() > w.interview.created_at
