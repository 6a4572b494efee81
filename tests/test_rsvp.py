"""Accept / decline from the invite email, with no sign-in (issue 10): the links arrive
through a real SMTP server, a GET only asks, a POST answers; forged, altered, expired and
other-purpose links are 404; a link answers only for its panelist; a reschedule asks
everyone again and makes the old links stale; the rule that flags a panelist for the
recruiter counts business days."""

from __future__ import annotations

import re
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import itsdangerous.timed
import pytest
from sqlalchemy import select

from interviewloop.audit.models import AuditEvent
from interviewloop.audit.service import Actor
from interviewloop.outbox.delivery import deliver_due
from interviewloop.outbox.service import SETTINGS_INFO, MailSettings
from interviewloop.scheduling import rsvp
from interviewloop.scheduling import service as scheduling
from interviewloop.scheduling.models import Interview, Panelist, RsvpState
from interviewloop.tokens import LinkSigner
from tests.conftest import csrf_token
from tests.factories import (
    add_to_team,
    make_candidate_with_loop,
    make_interview,
    make_requisition,
    next_monday,
)
from tests.mailserver import smtp_server, text_of

SENDER = "loops@hiring.example.test"
BASE_URL = "https://loops.example.test"
LINK = re.compile(r"^(Accept|Decline): " + re.escape(BASE_URL) + r"(/rsvp/\S+)$", re.M)


@pytest.fixture
def w(db_session, bank, make_user, app):
    db_session.info[SETTINGS_INFO] = MailSettings(sender=SENDER, base_url=BASE_URL)
    manager, recruiter = make_user("hiring_manager"), make_user("recruiter", name="Rui R")
    alice = make_user("interviewer", name="Alice A", time_zone="Europe/Berlin")
    bob = make_user("interviewer", name="Bob B")
    req = make_requisition(db_session, manager, recruiter)
    add_to_team(db_session, req, manager, alice, bob)
    candidate, loop = make_candidate_with_loop(db_session, req, recruiter)
    interview = make_interview(db_session, req, recruiter, candidate, loop.stages[0],
                               [alice, bob], next_monday(hour=9))
    with smtp_server(SENDER) as smtp:
        world = SimpleNamespace(session=db_session, recruiter=recruiter, alice=alice, bob=bob,
                                req=req, interview=interview, smtp=smtp,
                                client=app.test_client())
        yield world


def links(w) -> dict[str, dict[str, str]]:
    """Deliver the outbox to the SMTP server; each interviewer's links from their email."""

    @contextmanager
    def transaction():
        yield w.session
        w.session.flush()

    assert not deliver_due(transaction, w.smtp.mailer).refused
    found: dict[str, dict[str, str]] = {}
    for message in w.smtp.inbox.messages:
        for verb, path in LINK.findall(text_of(message)):
            found.setdefault(str(message["To"]), {})[verb.lower()] = path
    w.smtp.inbox.take()
    return found


def state(w, user) -> Panelist:
    return w.session.scalars(select(Panelist).where(
        Panelist.interview_id == w.interview.id, Panelist.user_id == user.id)
        .execution_options(populate_existing=True)).one()


def answer(client, path: str):
    return client.post(path, data={"csrf_token": csrf_token(client)})


def test_accept_and_decline_from_the_email_without_signing_in(w):
    got = links(w)
    assert set(got) == {w.alice.email, w.bob.email}  # the candidate's email has none
    page = w.client.get(got[w.alice.email]["accept"])
    assert page.status_code == 200 and 'id="rsvp-form"' in page.get_data(as_text=True)
    # Alice is in Berlin: the page gives her time.
    assert "CET" in page.get_data(as_text=True) or "CEST" in page.get_data(as_text=True)
    assert state(w, w.alice).rsvp == RsvpState.NEEDS_ACTION  # a GET (a scanner) answers nothing

    done = answer(w.client, got[w.alice.email]["accept"])
    assert done.status_code == 200 and "accepted" in done.get_data(as_text=True)
    alice = state(w, w.alice)
    assert alice.rsvp == RsvpState.ACCEPTED and alice.rsvp_at is not None
    assert state(w, w.bob).rsvp == RsvpState.NEEDS_ACTION

    assert answer(w.client, got[w.bob.email]["decline"]).status_code == 200
    assert state(w, w.bob).rsvp == RsvpState.DECLINED
    # Alice changes her mind with her other link.
    assert answer(w.client, got[w.alice.email]["decline"]).status_code == 200
    assert state(w, w.alice).rsvp == RsvpState.DECLINED

    events = w.session.scalars(select(AuditEvent).where(
        AuditEvent.object_type == "interviews", AuditEvent.object_id == w.interview.id,
        AuditEvent.action.in_(["interview_accepted", "interview_declined"]))
        .order_by(AuditEvent.id)).all()
    assert [(e.action, e.actor_id) for e in events] == [
        ("interview_accepted", w.alice.id), ("interview_declined", w.bob.id),
        ("interview_declined", w.alice.id)]


def _tampered(token: str) -> str:
    payload, rest = token.split(".", 1)
    return payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB") + "." + rest


def test_forged_altered_expired_and_other_purpose_links_are_404(w, monkeypatch):
    got = links(w)
    good = got[w.alice.email]["accept"].removeprefix("/rsvp/")
    signer = LinkSigner("test-secret")
    data = {"i": w.interview.id, "u": w.alice.id, "a": "accepted", "s": 0}
    real_time = time.time
    monkeypatch.setattr(itsdangerous.timed.time, "time",
                        lambda: real_time() - rsvp.LINK_MAX_AGE.total_seconds() - 60)
    expired = signer.sign(rsvp.PURPOSE, data)
    monkeypatch.undo()
    bad = {
        "altered": _tampered(good),
        "forged": LinkSigner("another-secret").sign(rsvp.PURPOSE, data),
        "other purpose": signer.sign("calendar", data),
        "expired": expired,
        "not ours": signer.sign(rsvp.PURPOSE, {**data, "a": "tentative"}),
        "garbage": "x" * 40,
    }
    for name, token in bad.items():
        for response in (w.client.get(f"/rsvp/{token}"), answer(w.client, f"/rsvp/{token}")):
            assert response.status_code == 404, name
    assert state(w, w.alice).rsvp == RsvpState.NEEDS_ACTION
    # The good one still works: the refusals were the links, not the route.
    assert answer(w.client, f"/rsvp/{good}").status_code == 200


def test_a_link_answers_only_for_its_own_panelist(w, make_user):
    got = links(w)
    alice_link = got[w.alice.email]["decline"]
    # Signed in as Bob, Alice's link still answers for Alice, never for Bob.
    client = w.client
    assert client.post("/login", data={"csrf_token": csrf_token(client), "email": w.bob.email,
                                       "password": "a-long-test-passphrase"}).status_code == 302
    assert answer(client, alice_link).status_code == 200
    assert state(w, w.alice).rsvp == RsvpState.DECLINED
    assert state(w, w.bob).rsvp == RsvpState.NEEDS_ACTION
    # A payload naming Bob needs a signature nobody outside the app can make.
    payload = {"i": w.interview.id, "u": w.bob.id, "a": "declined", "s": 0}
    forged = LinkSigner("guess").sign(rsvp.PURPOSE, payload)
    assert answer(client, f"/rsvp/{forged}").status_code == 404
    # A genuine link for someone not on the panel (carol) opens nothing either.
    carol = make_user("interviewer")
    outsider = LinkSigner("test-secret").sign(rsvp.PURPOSE, {**payload, "u": carol.id})
    assert w.client.get(f"/rsvp/{outsider}").status_code == 404


def test_a_reschedule_asks_again_and_the_old_links_are_stale(w):
    old = links(w)
    assert answer(w.client, old[w.alice.email]["accept"]).status_code == 200
    assert state(w, w.alice).rsvp == RsvpState.ACCEPTED
    interview = scheduling.get_interview(w.session, w.interview.id)
    scheduling.reschedule(w.session, Actor(w.recruiter), w.req, interview,
                          scheduling.ScheduleInput(
                              interviewer_ids=[w.alice.id, w.bob.id],
                              starts_at=interview.starts_at + timedelta(days=1),
                              minutes=interview.minutes, location=interview.location))
    w.session.flush()
    assert state(w, w.alice).rsvp == RsvpState.NEEDS_ACTION
    assert state(w, w.alice).rsvp_at is None
    for path in (old[w.alice.email]["accept"], old[w.bob.email]["decline"]):
        refused = answer(w.client, path)
        assert refused.status_code == 409
        assert "newest invitation" in refused.get_data(as_text=True)
        assert w.client.get(path).status_code == 409
    assert state(w, w.bob).rsvp == RsvpState.NEEDS_ACTION
    new = links(w)
    assert answer(w.client, new[w.bob.email]["decline"]).status_code == 200
    assert state(w, w.bob).rsvp == RsvpState.DECLINED


def test_a_cancelled_interview_takes_no_answers(w):
    got = links(w)
    interview = scheduling.get_interview(w.session, w.interview.id)
    scheduling.cancel(w.session, Actor(w.recruiter), w.req, interview)
    w.session.flush()
    refused = answer(w.client, got[w.alice.email]["accept"])
    assert refused.status_code == 409 and "was cancelled" in refused.get_data(as_text=True)
    assert not links(w)  # the cancellations went out, with no links to answer


# --- the flag: declined, or no answer 2 business days before ----------------------------

def _at(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(f"{day}T{hour:02d}:00:00+00:00").astimezone(UTC)


def _panelist(state: RsvpState, starts: datetime) -> tuple[Panelist, Interview, object]:
    interview = Interview(starts_at=starts, ends_at=starts + timedelta(hours=1),
                          status="scheduled")
    panelist = Panelist(rsvp=state, rsvp_at=None if state == RsvpState.NEEDS_ACTION
                        else starts - timedelta(days=9))
    return panelist, interview, SimpleNamespace(time_zone="UTC")


MONDAY = "2027-01-11"  # a Monday


@pytest.mark.parametrize(("now", "flagged"), [
    ("2027-01-06T10:00", False),  # Wednesday before: plenty of time
    ("2027-01-07T09:59", False),  # Thursday, a minute before the deadline
    ("2027-01-07T10:00", True),  # Thursday 10:00: two business days before Monday 10:00
    ("2027-01-08T12:00", True),  # Friday: two calendar days would wait until Saturday
    ("2027-01-09T09:00", True),  # the weekend
    ("2027-01-11T11:30", False),  # the interview is over: nothing to chase
])
def test_no_answer_is_flagged_two_business_days_before_across_a_weekend(now, flagged):
    panelist, interview, user = _panelist(RsvpState.NEEDS_ACTION, _at(MONDAY))
    moment = datetime.fromisoformat(now + ":00+00:00")
    assert rsvp.needs_chasing(panelist, interview, user, moment) is flagged


def test_deadlines_within_the_week_and_in_the_interviewers_zone():
    assert rsvp.answer_deadline(_at("2027-01-13"), "UTC") == _at("2027-01-11")  # Wed -> Mon
    assert rsvp.answer_deadline(_at("2027-01-12"), "UTC") == _at("2027-01-08")  # Tue -> Fri
    # 02:00 UTC Monday is Sunday evening in New York: two business days before a Sunday
    # are Thursday, at 21:00 there.
    deadline = rsvp.answer_deadline(_at(MONDAY, 2), "America/New_York")
    assert deadline == datetime.fromisoformat("2027-01-07T21:00:00-05:00")


def test_declined_is_flagged_at_once_and_accepted_never():
    now = _at("2026-12-01")
    declined = _panelist(RsvpState.DECLINED, _at(MONDAY))
    accepted = _panelist(RsvpState.ACCEPTED, _at(MONDAY))
    assert rsvp.needs_chasing(*declined, now) is True
    assert rsvp.needs_chasing(*accepted, _at(MONDAY, 9)) is False
