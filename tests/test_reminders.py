"""Due and overdue scorecards (the form, the interviewer's home, the recruiter's board) and
`interviewloop send-reminders` and the worker's periodic job against a real SMTP server
(aiosmtpd) on loopback, through the outbox: who is emailed, when the hiring manager is told
too, never twice whatever fails, never for interviews that have not happened or were
cancelled, never for a submitted scorecard, and what the emails say."""

from __future__ import annotations

import re
import sqlite3
import time
from contextlib import contextmanager
from datetime import timedelta
from types import SimpleNamespace

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from interviewloop import create_app
from interviewloop.audit.service import Actor
from interviewloop.db import utcnow
from interviewloop.outbox.models import MailState, OutboxMail
from interviewloop.outbox.service import SETTINGS_INFO, MailSettings
from interviewloop.scheduling import service as scheduling
from interviewloop.scorecards import service
from interviewloop.scorecards.models import ReminderSent
from interviewloop.scorecards.reminders import send_reminders as send_in_transactions
from interviewloop.timezones import format_local
from tests.conftest import app_config, log_in
from tests.factories import (
    add_to_team,
    make_candidate_with_loop,
    make_interview,
    make_requisition,
    next_monday,
    past_interview,
    write_scorecard,
)
from tests.mailserver import free_port, smtp_server

BASE_URL = "https://loops.example.test"
SENDER = "reminders@loops.example.test"


@pytest.fixture
def smtp():
    with smtp_server(SENDER) as server:
        yield server


@pytest.fixture
def w(db_session, bank, make_user, login):
    manager = make_user("hiring_manager", name="Hana Manager", time_zone="America/Los_Angeles")
    recruiter = make_user("recruiter", name="Rui Recruiter")
    alice = make_user("interviewer", name="Alice Interviewer", time_zone="Asia/Kolkata")
    bob = make_user("interviewer", name="Bob Interviewer")
    carol = make_user("interviewer", name="Carol Interviewer")
    req = make_requisition(db_session, manager, recruiter)
    add_to_team(db_session, req, manager, alice, bob, carol)
    cands = [make_candidate_with_loop(db_session, req, recruiter, n, seed=n) for n in range(1, 5)]

    def held(n, people, hours_ago, stage=0):
        candidate, loop = cands[n - 1]
        return past_interview(db_session, req, recruiter, candidate, loop.stages[stage], people,
                              ended_hours_ago=hours_ago)

    overdue = held(1, [alice, bob], 30)  # past the 24 h due time, before the 48 h escalation
    escalated = held(2, [carol], 50)  # past both
    due = held(3, [alice], 2)  # ended, not yet due
    cancelled = held(4, [alice], 60)
    upcoming = make_interview(db_session, req, recruiter, cands[2][0], cands[2][1].stages[1],
                              [alice, carol], next_monday())
    scheduling.cancel(db_session, Actor(recruiter), req, cancelled)
    write_scorecard(db_session, bob, req, overdue)  # Bob's is in: never chased
    write_scorecard(db_session, carol, req, escalated, submit=False)  # a draft is not in
    db_session.flush()
    return SimpleNamespace(session=db_session, manager=manager, recruiter=recruiter, alice=alice,
                           bob=bob, carol=carol, req=req, cands=[c for c, _loop in cands],
                           overdue=overdue, escalated=escalated, due=due, cancelled=cancelled,
                           upcoming=upcoming, login=login)


def send_reminders(session, mailer, *, base_url, **kwargs) -> list[tuple[str, str]]:
    """send-reminders' service, its transactions being the test's own: (to, subject) sent."""
    session.info[SETTINGS_INFO] = MailSettings(sender=mailer.sender, base_url=base_url)

    @contextmanager
    def transaction():
        yield session
        session.flush()

    run = send_in_transactions(transaction, mailer, **kwargs)
    assert not run.refused and not run.in_doubt
    return [(r.recipient, r.subject) for r in run.sent]


def app_with(connection, **overrides):
    # A refused message is tried again a second later (the outbox's backoff), not a minute.
    return create_app(app_config(**{
        "DB_BIND": connection, "DATABASE_URL": "sqlite://", "BASE_URL": BASE_URL,
        "SMTP_FROM": SENDER, "MAIL_DELIVERY": "smtp", "MAIL_RETRY_SECONDS": 1, **overrides}))


def reminder_mail(session) -> dict[str, OutboxMail]:
    found = session.scalars(select(OutboxMail).where(
        OutboxMail.idempotency_key.startswith("scorecard-reminder:"))
        .execution_options(populate_existing=True))
    return {f"{m.recipient} {m.subject}": m for m in found}


# --- due and overdue -------------------------------------------------------------------------

def owed_on_home(client) -> list[tuple[str, str]]:
    page = client.get("/").get_data(as_text=True)
    section = page.split('id="scorecards-due"')[1].split("</section>")[0]
    return [(kind, re.sub(r",.*", "", name)) for kind, name in re.findall(
        r'<li class="task (overdue|due)">.*?<p class="what">([^<]+)<', section, re.S)]


def test_a_scorecard_is_due_hours_after_the_interview_ends(w):
    assert service.due_at(w.due, 24) == w.due.ends_at + timedelta(hours=24)
    page = w.login(w.alice).get(f"/interviews/{w.due.id}/scorecard").get_data(as_text=True)
    due = format_local(w.due.ends_at + timedelta(hours=24), "Asia/Kolkata")
    assert f"due {escape(due)}" in page


def test_the_interviewer_home_lists_overdue_then_due_scorecards_first(w, connection):
    client = w.login(w.alice)
    assert owed_on_home(client) == [("overdue", "Candidate 1"), ("due", "Candidate 3")]
    page = client.get("/").get_data(as_text=True)
    assert page.index('id="next"') < page.index('id="scorecards-due"')  # the day, then what is owed
    assert "Candidate 4" not in page.split('id="scorecards-due"')[1]  # cancelled: nothing owed
    assert owed_on_home(w.login(w.bob)) == []
    # The due time comes from the configuration.
    relaxed = app_with(connection, SCORECARD_DUE_HOURS=48).test_client()
    log_in(relaxed, w.alice.email)
    assert owed_on_home(relaxed) == [("due", "Candidate 1"), ("due", "Candidate 3")]


def board_cell(page: str, candidate: str, stage: str) -> str:
    row = next(r for r in page.split("<tr>") if f">{candidate}</a>" in r)
    cell = next(c for c in row.split('<div class="cell') if f"<strong>{stage}</strong>" in c)
    return " ".join(re.sub(r"<[^>]+>", " ", cell).split())


def test_the_board_shows_per_stage_scorecards_in_and_overdue(w):
    page = w.login(w.recruiter).get(f"/requisitions/{w.req.id}/board").get_data(as_text=True)
    stage = str(escape(scheduling.get_interview(w.session, w.overdue.id).stage.name))
    assert "scorecards 1/2 in · 1 overdue" in board_cell(page, "Candidate 1", stage)
    assert "scorecards 0/1 in · 1 overdue" in board_cell(page, "Candidate 2", stage)
    due = board_cell(page, "Candidate 3", stage)
    assert "scorecards 0/1 in" in due and "overdue" not in due
    later = scheduling.get_interview(w.session, w.upcoming.id).stage.name
    upcoming = board_cell(page, "Candidate 3", str(escape(later)))
    assert "scheduled" in upcoming and "scorecards" not in upcoming


# --- reminders -------------------------------------------------------------------------------

def test_send_reminders_emails_overdue_scorecards_once_each(w, smtp, connection):
    runner = app_with(connection, SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port).test_cli_runner()
    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    assert "3 reminder(s) sent." in result.output
    assert {str(m["From"]) for m in smtp.inbox.messages} == {SENDER}
    assert all(env == [str(m["To"])] for m, env in zip(smtp.inbox.messages,
                                                        smtp.inbox.recipients, strict=True))
    mails = smtp.inbox.take()
    assert [(to, subject) for to, subject, _body in mails] == sorted([
        (w.alice.email, "Scorecard overdue: Candidate 1"),
        (w.carol.email, "Scorecard overdue: Candidate 2"),
        (w.manager.email, "Scorecard still missing: Candidate 2"),
    ])
    bodies = {(to, subject.split(":")[0]): body for to, subject, body in mails}
    to_alice = bodies[w.alice.email, "Scorecard overdue"]
    assert "Hello Alice Interviewer" in to_alice and "Candidate 1" in to_alice
    assert f"{BASE_URL}/interviews/{w.overdue.id}/scorecard" in to_alice
    due = format_local(w.overdue.ends_at + timedelta(hours=24), "Asia/Kolkata")
    assert f"was due {due}" in to_alice
    to_manager = bodies[w.manager.email, "Scorecard still missing"]
    assert "Carol Interviewer has not submitted" in to_manager and "Candidate 2" in to_manager
    assert f"{BASE_URL}/requisitions/{w.req.id}/candidates/{w.cands[1].id}" in to_manager
    # Run again: nothing new is owed, nothing is sent.
    again = runner.invoke(args=["send-reminders"])
    assert again.exit_code == 0 and "0 reminder(s) sent." in again.output
    assert smtp.inbox.take() == []


def test_the_second_threshold_tells_the_manager_later_once(w, smtp):
    first = send_reminders(w.session, smtp.mailer, now=utcnow(), due_hours=24,
                           escalate_hours=48, base_url=BASE_URL)
    assert len(first) == len(smtp.inbox.take()) == 3
    # 19 hours on, Alice's interview is 49 hours old: her manager hears, she is not re-sent
    # (and the interview that ended 2 hours ago is still not overdue).
    later = send_reminders(w.session, smtp.mailer, now=utcnow() + timedelta(hours=19),
                           due_hours=24, escalate_hours=48, base_url=BASE_URL)
    mails = smtp.inbox.take()
    assert later == [(w.manager.email, "Scorecard still missing: Candidate 1")]
    assert [(to, subject) for to, subject, _ in mails] == later
    assert "Alice Interviewer has not submitted" in mails[0][2]
    # A month on, every held interview has been chased at both thresholds, once; the
    # cancelled one and Bob (who submitted) never.
    send_reminders(w.session, smtp.mailer, now=utcnow() + timedelta(days=30), due_hours=24,
                   escalate_hours=48, base_url=BASE_URL)
    assert len(smtp.inbox.take()) == 6  # Candidate 3's two interviews: 3 people, 2 thresholds
    sent = w.session.execute(select(ReminderSent.interview_id, ReminderSent.interviewer_id,
                                    ReminderSent.threshold)).all()
    people = {w.overdue.id: [w.alice], w.escalated.id: [w.carol], w.due.id: [w.alice],
              w.upcoming.id: [w.alice, w.carol]}
    assert sorted(sent) == sorted((i, p.id, t) for i, panel in people.items() for p in panel
                                  for t in ("interviewer", "manager"))


def test_a_submitted_scorecard_stops_the_reminders(w, smtp):
    write_scorecard(w.session, w.alice, w.req, w.overdue)
    sent = send_reminders(w.session, smtp.mailer, now=utcnow(), due_hours=24,
                          escalate_hours=48, base_url=BASE_URL)
    assert (w.alice.email, "Scorecard overdue: Candidate 1") not in sent
    assert {to for to, _s, _b in smtp.inbox.take()} == {w.carol.email, w.manager.email}


def test_a_mail_server_that_is_down_loses_no_reminder_and_sends_none_twice(w, smtp,
                                                                           connection):
    down = app_with(connection, SMTP_HOST="127.0.0.1", SMTP_PORT=free_port())
    failed = down.test_cli_runner().invoke(args=["send-reminders"])
    assert failed.exit_code == 1 and isinstance(failed.exception, SystemExit)
    assert "Traceback" not in failed.output
    assert "3 reminder(s) could not be sent through 127.0.0.1" in failed.output
    # Claimed once and kept in the outbox, certainly not delivered: tried again after a wait.
    assert w.session.scalar(select(func.count()).select_from(ReminderSent)) == 3
    kept = reminder_mail(w.session)
    assert len(kept) == 3 and {m.state for m in kept.values()} == {MailState.REFUSED}
    assert all(m.next_attempt_at is not None and m.sent_at is None for m in kept.values())
    up = app_with(connection, SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port)
    time.sleep(1.1)
    assert "3 reminder(s) sent." in up.test_cli_runner().invoke(args=["send-reminders"]).output
    assert len(smtp.inbox.take()) == 3
    assert "0 reminder(s) sent." in up.test_cli_runner().invoke(args=["send-reminders"]).output
    assert smtp.inbox.take() == []


def test_the_worker_sends_the_reminders_by_itself_once(w, smtp, connection, tmp_path):
    app = app_with(connection, SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port,
                   TASK_QUEUE_URL=f"sqlite:///{tmp_path / 'tasks.db'}")
    for _ in range(2):  # the periodic job twice (a retry, a second worker): sent once
        result = app.test_cli_runner().invoke(args=["worker", "--burst"])
        assert result.exit_code == 0, result.output
    assert [(to, subject) for to, subject, _body in smtp.inbox.take()
            if subject.startswith("Scorecard")] == sorted([  # (the invites went too)
        (w.alice.email, "Scorecard overdue: Candidate 1"),
        (w.carol.email, "Scorecard overdue: Candidate 2"),
        (w.manager.email, "Scorecard still missing: Candidate 2"),
    ])
    assert {m.state for m in reminder_mail(w.session).values()} == {MailState.SENT}


def test_under_outbox_delivery_the_reminders_are_kept_for_the_admin_page(w, smtp, connection):
    app = app_with(connection, MAIL_DELIVERY="outbox")
    result = app.test_cli_runner().invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    assert "3 reminder(s) queued and kept in the outbox" in result.output
    assert smtp.inbox.take() == []
    assert {m.state for m in reminder_mail(w.session).values()} == {MailState.PENDING}


# --- at most once, whatever fails ----------------------------------------------------------

def test_a_refused_message_is_retried_and_delivered_ones_are_never_sent_again(w, smtp,
                                                                              connection):
    runner = app_with(connection, SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port).test_cli_runner()
    smtp.inbox.refuse = {w.carol.email}  # the first of the three messages (oldest first)
    first = runner.invoke(args=["send-reminders"])
    assert first.exit_code == 1 and "Traceback" not in first.output
    assert "1 reminder(s) could not be sent" in first.output
    assert f"will be tried again after a wait, to {w.carol.email}" in first.output
    assert "550" in first.output
    assert sorted(to for to, _s, _b in smtp.inbox.take()) == sorted([w.alice.email,
                                                                     w.manager.email])
    smtp.inbox.refuse = set()
    time.sleep(1.1)  # the outbox's wait before trying a refused message again
    second = runner.invoke(args=["send-reminders"])
    assert second.exit_code == 0, second.output
    assert [(to, subject) for to, subject, _b in smtp.inbox.take()] == [
        (w.carol.email, "Scorecard overdue: Candidate 2")]
    assert runner.invoke(args=["send-reminders"]).exit_code == 0
    assert smtp.inbox.take() == []


def test_a_connection_lost_mid_message_never_sends_that_message_twice(w, smtp, connection):
    runner = app_with(connection, SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port).test_cli_runner()
    smtp.inbox.drop = {w.carol.email}  # the server may or may not have kept it: in doubt
    first = runner.invoke(args=["send-reminders"])
    assert first.exit_code == 1 and "Traceback" not in first.output
    assert f"in doubt (the connection broke while sending; not sent again) to {w.carol.email}" \
        in first.output
    for after in (w.manager, w.alice):  # the messages after it were never sent
        assert f"will be tried again after a wait, to {after.email}" in first.output
    assert smtp.inbox.take() == []
    smtp.inbox.drop = set()
    time.sleep(1.1)
    second = runner.invoke(args=["send-reminders"])
    assert second.exit_code == 0, second.output
    assert sorted(to for to, _s, _b in smtp.inbox.take()) == sorted([w.manager.email,
                                                                     w.alice.email])


def test_the_managers_escalation_gives_the_time_in_the_managers_own_zone(w, smtp):
    later = utcnow() + timedelta(hours=19)  # Alice's interview (she is in Kolkata) escalates
    send_reminders(w.session, smtp.mailer, now=utcnow(), due_hours=24, escalate_hours=48,
                   base_url=BASE_URL)
    smtp.inbox.take()
    send_reminders(w.session, smtp.mailer, now=later, due_hours=24, escalate_hours=48,
                   base_url=BASE_URL)
    [(to, _subject, body)] = smtp.inbox.take()
    assert to == w.manager.email
    assert format_local(w.overdue.starts_at, "America/Los_Angeles") in body
    assert "Kolkata" not in body and "IST" not in body


def test_no_database_transaction_is_open_while_mail_goes_out(tmp_path_factory, bank_data,
                                                             smtp):
    """Against a real database of its own (not the test's outer transaction): while each
    message is on the wire, another connection can take the write lock (SQLite) and the
    app holds no transaction (PostgreSQL)."""
    import copy

    from interviewloop.audit.service import SYSTEM
    from interviewloop.auth import service as users
    from interviewloop.bank.importer import import_bank
    from interviewloop.db import db, make_engine
    from tests.conftest import TEST_HASHER, migrate, new_database_url

    url = new_database_url(tmp_path_factory, "reminders")
    migrate(url)
    app = create_app(app_config(DATABASE_URL=url, BASE_URL=BASE_URL, SMTP_FROM=SENDER,
                                SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port))
    with app.app_context(), db.session_scope() as session:
        import_bank(session, SYSTEM, copy.deepcopy(bank_data))
        manager, recruiter, interviewer = (
            users.create_user(session, SYSTEM, TEST_HASHER, email=f"{role}@example.com",
                              name=role.title(), password="a-long-test-passphrase",
                              roles=[role]) for role in ("hiring_manager", "recruiter",
                                                         "interviewer"))
        req = make_requisition(session, manager, recruiter)
        add_to_team(session, req, manager, interviewer)
        candidate, loop = make_candidate_with_loop(session, req, recruiter)
        past_interview(session, req, recruiter, candidate, loop.stages[0], [interviewer],
                       ended_hours_ago=50)
    probe = make_engine(url)
    seen: list[str] = []

    def transaction_open_elsewhere() -> None:
        if probe.dialect.name == "sqlite":
            other = sqlite3.connect(probe.url.database, timeout=0, isolation_level=None)
            try:
                other.execute("BEGIN IMMEDIATE")
                other.execute("ROLLBACK")
                seen.append("free")
            except sqlite3.OperationalError as exc:
                seen.append(f"locked: {exc}")
            finally:
                other.close()
            return
        with probe.connect() as conn:
            busy = conn.exec_driver_sql(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND state IN ('idle in transaction', "
                "'idle in transaction (aborted)')").scalar()
            seen.append("free" if busy == 0 else f"{busy} transaction(s) open")

    smtp.inbox.during_data = transaction_open_elsewhere
    result = app.test_cli_runner().invoke(args=["send-reminders"])
    probe.dispose()
    with app.app_context():
        db.bind.dispose()
    assert result.exit_code == 0, result.output
    assert seen == ["free", "free"]  # the interviewer's reminder and the manager's
