"""Reminders before interviews, through the worker (`interviewloop worker --burst`), the
outbox and a real SMTP server (aiosmtpd) on loopback: due 24 h and 1 h before (or as
configured), each once, with the kit link; never for the old time after a reschedule, never
for a cancelled interview, never once the interview has begun; the job's query count does
not grow with the reminders it queues."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from interviewloop import create_app
from interviewloop.audit.service import Actor
from interviewloop.config import ConfigError, load_config
from interviewloop.db import utcnow
from interviewloop.outbox.delivery import deliver_due, mailer_for
from interviewloop.outbox.models import MailState, OutboxMail
from interviewloop.outbox.service import SETTINGS_INFO, MailSettings
from interviewloop.queue import task_queue
from interviewloop.scheduling import service as scheduling
from interviewloop.scheduling.models import InterviewReminder
from interviewloop.scheduling.reminders import KEY_PREFIX, queue_reminders
from interviewloop.timezones import format_local
from tests.conftest import app_config
from tests.factories import (
    add_to_team,
    bulk_interviews,
    make_candidate_with_loop,
    make_interview,
    make_requisition,
    past_interview,
    write_scorecard,
)
from tests.mailserver import smtp_server

BASE_URL = "https://loops.example.test"
SENDER = "reminders@loops.example.test"
HOURS = (24, 1)
SECRET_NOTES = "Bob-only notes: weak on rollback, strong on evals"


@pytest.fixture
def smtp():
    with smtp_server(SENDER) as server:
        yield server


@pytest.fixture
def app(connection, smtp, tmp_path):
    return create_app(app_config(
        DB_BIND=connection, DATABASE_URL="sqlite://", BASE_URL=BASE_URL, SMTP_FROM=SENDER,
        SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port, MAIL_DELIVERY="smtp",
        TASK_QUEUE_URL=f"sqlite:///{tmp_path / 'tasks.db'}"))


@pytest.fixture
def w(db_session, bank, make_user):
    db_session.info[SETTINGS_INFO] = MailSettings(sender=SENDER, base_url=BASE_URL)
    manager = make_user("hiring_manager", name="Hana Manager")
    recruiter = make_user("recruiter", name="Rui Recruiter")
    alice = make_user("interviewer", name="Alice Interviewer", time_zone="Asia/Kolkata")
    bob = make_user("interviewer", name="Bob Interviewer")
    req = make_requisition(db_session, manager, recruiter)
    add_to_team(db_session, req, manager, alice, bob)
    candidate, loop = make_candidate_with_loop(db_session, req, recruiter)
    # Bob has already interviewed this candidate and written a scorecard: none of it may
    # reach Alice's reminder.
    held = past_interview(db_session, req, recruiter, candidate, loop.stages[0], [bob],
                          ended_hours_ago=3)
    write_scorecard(db_session, bob, req, held, notes=SECRET_NOTES, summary=SECRET_NOTES,
                    evidence=SECRET_NOTES)
    soon = make_interview(db_session, req, recruiter, candidate, loop.stages[1], [alice, bob],
                          utcnow() + timedelta(hours=23, minutes=30))
    db_session.flush()
    return SimpleNamespace(session=db_session, recruiter=recruiter, alice=alice, bob=bob,
                           req=req, candidate=candidate, loop=loop, soon=soon)


def burst(app) -> None:
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output


def reminders(smtp) -> list[tuple[str, str, str]]:
    """The reminders received since the last look (invites are left aside)."""
    return [m for m in smtp.inbox.take() if m[1].startswith("Reminder:")]


def reschedule(w, interview, starts_at, people):
    interview = scheduling.get_interview(w.session, interview.id)
    data = scheduling.ScheduleInput(interviewer_ids=[p.id for p in people], starts_at=starts_at,
                                    minutes=interview.minutes, location=interview.location)
    return scheduling.reschedule(w.session, Actor(w.recruiter), w.req, interview, data)


def test_the_24_and_1_hour_reminders_go_once_each_with_the_kit_link(app, w, smtp):
    burst(app)
    mails = reminders(smtp)
    assert [to for to, _s, _b in mails] == sorted([w.alice.email, w.bob.email])
    to_alice = next(body for to, _s, body in mails if to == w.alice.email)
    assert f"Interview kit (the questions and rubric): {BASE_URL}/interviews/{w.soon.id}/kit\n" \
        in to_alice
    assert "Hello Alice Interviewer" in to_alice and "starts in 23 hours" in to_alice
    assert format_local(w.soon.starts_at, "Asia/Kolkata") in to_alice  # her own zone
    burst(app)  # again: nothing new is owed
    assert reminders(smtp) == []
    # Half an hour before it starts, the 1-hour reminder, once.
    half_hour_before = w.soon.starts_at - timedelta(minutes=30)
    assert queue_reminders(w.session, now=half_hour_before, hours=HOURS) == 2
    assert queue_reminders(w.session, now=half_hour_before, hours=HOURS) == 0
    burst(app)
    mails = reminders(smtp)
    assert len(mails) == 2 and all("starts in 30 minutes" in body for _t, _s, body in mails)
    burst(app)
    assert reminders(smtp) == []
    claims = w.session.execute(select(InterviewReminder.user_id, InterviewReminder.hours_before))
    assert sorted(claims) == sorted((p.id, h) for p in (w.alice, w.bob) for h in HOURS)


def test_a_reminder_carries_nothing_from_anyone_s_scorecard(app, w, smtp):
    burst(app)
    for _to, subject, body in reminders(smtp):
        assert SECRET_NOTES not in body and SECRET_NOTES not in subject
        assert "/scorecard" not in body and "recommend" not in body.lower()
        assert "Panel: Alice Interviewer, Bob Interviewer" in body


def test_a_retried_or_doubled_job_sends_nothing_twice(app, w, smtp):
    queue = task_queue(app)
    for _ in range(3):  # queued three times (a retry, a second worker), then periodic once
        queue.enqueue("interview_reminders")
    burst(app)
    assert len(reminders(smtp)) == 2
    queue.enqueue("interview_reminders")
    burst(app)
    assert reminders(smtp) == []
    outbox = w.session.scalar(select(func.count()).select_from(OutboxMail).where(
        OutboxMail.idempotency_key.startswith(KEY_PREFIX)))
    assert outbox == 2


def test_when_both_are_due_at_once_only_the_nearer_goes(app, w, smtp):
    reschedule(w, w.soon, utcnow() + timedelta(minutes=40), [w.alice])
    burst(app)
    [(to, _subject, body)] = reminders(smtp)
    assert to == w.alice.email
    assert "starts in 39 minutes" in body or "starts in 40 minutes" in body
    burst(app)
    assert reminders(smtp) == []  # and the 24-hour one never follows
    claims = w.session.execute(select(InterviewReminder.user_id, InterviewReminder.hours_before))
    assert list(claims) == [(w.alice.id, 1)]


def test_a_reschedule_makes_the_new_time_s_reminders_due_and_none_for_the_old(app, w, smtp):
    burst(app)
    assert len(reminders(smtp)) == 2  # the 24-hour ones for the first time
    later = w.soon.starts_at + timedelta(days=1)
    reschedule(w, w.soon, later, [w.alice, w.bob])
    burst(app)
    assert reminders(smtp) == []  # the new time's 24-hour reminders are not due yet
    # A day on, the new time's come (and the old time has passed without any).
    assert queue_reminders(w.session, now=later - timedelta(hours=23), hours=HOURS) == 2
    burst(app)
    mails = reminders(smtp)
    assert len(mails) == 2
    assert all(format_local(later, tz) in body for (_t, _s, body), tz in
               zip(mails, ["Asia/Kolkata", "UTC"], strict=True))


def test_a_reminder_not_yet_sent_for_the_old_time_is_withdrawn(app, w, smtp):
    assert queue_reminders(w.session, now=utcnow(), hours=HOURS) == 2  # queued, not sent
    reschedule(w, w.soon, w.soon.starts_at + timedelta(days=2), [w.alice])  # Bob is off
    burst(app)
    assert reminders(smtp) == []
    rows = w.session.scalars(select(OutboxMail).where(
        OutboxMail.idempotency_key.startswith(KEY_PREFIX))
        .execution_options(populate_existing=True)).all()
    assert {(m.state, m.last_error.split(":")[0]) for m in rows} == {
        (MailState.REFUSED, "Withdrawn before it was sent")}


def test_a_cancelled_interview_gets_no_reminder(app, w, smtp):
    scheduling.cancel(w.session, Actor(w.recruiter), w.req,
                      scheduling.get_interview(w.session, w.soon.id))
    w.session.flush()
    burst(app)
    assert reminders(smtp) == []
    assert queue_reminders(w.session, now=w.soon.starts_at - timedelta(minutes=30),
                           hours=HOURS) == 0


def test_someone_taken_off_the_panel_gets_none_and_someone_added_does(app, w, smtp,
                                                                      make_user):
    carol = make_user("interviewer", name="Carol Interviewer")
    add_to_team(w.session, w.req, w.recruiter, carol)
    reschedule(w, w.soon, w.soon.starts_at, [w.alice, carol])
    burst(app)
    assert [to for to, _s, _b in reminders(smtp)] == sorted([w.alice.email, carol.email])


def test_a_worker_back_after_the_start_sends_no_reminder(app, w, smtp):
    started = w.soon.starts_at + timedelta(minutes=5)
    assert queue_reminders(w.session, now=started, hours=HOURS) == 0
    # Queued in time, but the mail server was down until the interview had begun: the
    # reminder expires unsent.
    assert queue_reminders(w.session, now=utcnow(), hours=HOURS) == 2
    w.session.flush()

    @contextmanager
    def transaction():
        yield w.session
        w.session.flush()

    run = deliver_due(transaction, mailer_for(app.config), now=started, key_prefix=KEY_PREFIX)
    assert run.sent == [] and run.expired >= 2
    assert reminders(smtp) == []
    expired = w.session.scalars(select(OutboxMail).where(
        OutboxMail.idempotency_key.startswith(KEY_PREFIX))).all()
    assert all(m.state == MailState.REFUSED and m.next_attempt_at is None for m in expired)
    burst(app)
    assert reminders(smtp) == []


def test_the_reminder_hours_are_a_setting(tmp_path):
    def hours(raw: str):
        return load_config({"INTERVIEW_REMINDER_HOURS": raw, "INTERVIEWLOOP_ENV": "test",
                            "SECRET_KEY": "x"}, instance_path=str(tmp_path))[
            "INTERVIEW_REMINDER_HOURS"]

    assert hours("") == (24, 1) and hours("2, 48,2") == (48, 2)
    for bad in ("0", "-1", "x", "24;1", "400"):
        with pytest.raises(ConfigError, match="INTERVIEW_REMINDER_HOURS"):
            hours(bad)


def test_the_reminder_job_makes_the_same_queries_for_5_and_600_reminders(
        db_session, make_user, count_queries):
    manager, recruiter = make_user("hiring_manager"), make_user("recruiter")
    alice = make_user("interviewer")
    req = make_requisition(db_session, manager, recruiter)
    in_a_while = utcnow() + timedelta(hours=23)

    def queries(n: int, prefix: str) -> int:
        bulk_interviews(db_session, req.id, [in_a_while + timedelta(seconds=i) for i in range(n)],
                        [alice], prefix=prefix)
        with count_queries() as statements:
            assert queue_reminders(db_session, now=utcnow(), hours=HOURS) == n
        return len(statements)

    few = queries(5, "few")
    assert queries(600, "many") == few
    assert db_session.scalar(select(func.count()).select_from(OutboxMail)) == 605
