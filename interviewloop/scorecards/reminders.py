"""Overdue scorecards: what is due, what is overdue, and the reminder emails.

A scorecard is due a configurable number of hours after its interview ends. Past that,
the interviewer is reminded; past a second threshold, the hiring manager too. Each
(interview, interviewer, threshold) is queued once, ever, in the outbox, which sends all of
the app's mail at most once; cancelled interviews and interviews that have not ended are
never chased. The worker queues them every few minutes; `interviewloop send-reminders`
queues and delivers them at once (for cron).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import Session, selectinload

from interviewloop.auth.models import User
from interviewloop.db import insert_new, utcnow
from interviewloop.mail import Mailer
from interviewloop.outbox.delivery import Claimed, deliver_due
from interviewloop.outbox.service import NewMail, queue_many, settings
from interviewloop.requisitions.models import Candidate, Requisition
from interviewloop.scheduling.models import Interview, InterviewStatus, Panelist
from interviewloop.scorecards.models import ReminderSent, Scorecard, ScorecardStatus
from interviewloop.scorecards.queries import due_at
from interviewloop.timezones import format_local


@dataclass(frozen=True)
class Outstanding:
    interview: Interview
    interviewer: User
    requisition: Requisition
    due_at: datetime
    counts: bool = True  # a counted scorecard (False: a trainee's practice card)

    def overdue(self, now: datetime) -> bool:
        return now > self.due_at


def outstanding(session: Session, *, now: datetime, due_hours: int,
                user: User | None = None, requisition_id: int | None = None
                ) -> list[Outstanding]:
    """Scorecards not yet submitted for interviews that have ended, oldest first."""
    submitted = exists().where(and_(Scorecard.interview_id == Interview.id,
                                    Scorecard.interviewer_id == Panelist.user_id,
                                    Scorecard.status == ScorecardStatus.SUBMITTED))
    stmt = (
        select(Interview, User, Requisition, Panelist.role)
        .join(Panelist, Panelist.interview_id == Interview.id)
        .join(User, User.id == Panelist.user_id)
        .join(Candidate, Candidate.id == Interview.candidate_id)
        .join(Requisition, Requisition.id == Candidate.requisition_id)
        .where(Interview.status == InterviewStatus.SCHEDULED, Interview.ends_at <= now,
               ~submitted)
        .options(selectinload(Interview.candidate), selectinload(Interview.stage))
        .order_by(Interview.ends_at, Interview.id, User.id)
    )
    if user is not None:
        stmt = stmt.where(User.id == user.id)
    if requisition_id is not None:
        stmt = stmt.where(Requisition.id == requisition_id)
    return [Outstanding(i, u, r, due_at(i, due_hours), role.counts)
            for i, u, r, role in session.execute(stmt)]


KEY_PREFIX = "scorecard-reminder:"


def mail_key(interview_id: int, interviewer_id: int, threshold: str) -> str:
    return f"{KEY_PREFIX}{interview_id}:{interviewer_id}:{threshold}"


def _body(to: User, lines: list[str]) -> str:
    return "\n".join([f"Hello {to.name},", "", *lines, "", "interviewloop"])


def queue_reminders(session: Session, *, now: datetime, due_hours: int,
                    escalate_hours: int) -> list[NewMail]:
    """Claim every reminder owed now and queue its email (the outbox sends it), in the
    caller's transaction; return what was queued.

    The claim (a row per interview, interviewer and threshold, inserted only if none
    exists) and the email commit together: each reminder is queued once, ever, whatever
    runs twice, and the outbox delivers each email at most once."""
    base = settings(session).base_url
    owed = outstanding(session, now=now, due_hours=due_hours)
    managers = {u.id: u for u in session.scalars(select(User).where(User.id.in_(
        {item.requisition.hiring_manager_id for item in owed})))} if owed else {}
    wanted: list[tuple[tuple[int, int, str], NewMail]] = []

    def owe(item: Outstanding, threshold: str, to: User, subject: str, lines: list[str]) -> None:
        key = (item.interview.id, item.interviewer.id, threshold)
        wanted.append((key, NewMail(key=mail_key(*key), to=to.email, subject=subject,
                                    body=_body(to, lines))))

    for item in owed:
        candidate = item.interview.candidate.name

        def what(reader: User, item: Outstanding = item) -> str:  # times in the reader's zone
            when = format_local(item.interview.starts_at, reader.time_zone)
            return f"{item.interview.candidate.name}, {item.interview.stage.name} ({when})"

        if item.overdue(now):
            to = item.interviewer
            owe(item, "interviewer", to, f"Scorecard overdue: {candidate}", [
                f"Your scorecard for {what(to)} was due {format_local(item.due_at, to.time_zone)}.",
                f"Fill it in here: {base}/interviews/{item.interview.id}/scorecard"])
        # A practice card is the trainee's and their coach's: no hiring manager is chased.
        if item.counts and now > item.interview.ends_at + timedelta(hours=escalate_hours):
            manager = managers[item.requisition.hiring_manager_id]
            owe(item, "manager", manager, f"Scorecard still missing: {candidate}", [
                f"{item.interviewer.name} has not submitted their scorecard for "
                f"{what(manager)}, {escalate_hours} hours after the interview.",
                f"The candidate: {base}/requisitions/{item.requisition.id}"
                f"/candidates/{item.interview.candidate_id}"])
    claimed = set(session.execute(select(
        ReminderSent.interview_id, ReminderSent.interviewer_id, ReminderSent.threshold).where(
        ReminderSent.interview_id.in_({item.interview.id for item in owed}))).all())
    wanted = [(key, mail) for key, mail in wanted if key not in claimed]
    won = {tuple(row) for row in insert_new(session, ReminderSent, [
        {"interview_id": i, "interviewer_id": u, "threshold": t, "sent_at": now}
        for (i, u, t), _mail in wanted], unique=["interview_id", "interviewer_id", "threshold"],
        returning=(ReminderSent.interview_id, ReminderSent.interviewer_id,
                   ReminderSent.threshold))}
    mails = [mail for key, mail in wanted if key in won]
    queue_many(session, mails)
    return mails


@dataclass(frozen=True)
class ReminderRun:
    queued: int
    sent: list[Claimed]  # this run's and earlier runs' reminders, the outbox's due ones
    refused: list[tuple[Claimed, str]]  # not delivered; the outbox tries them again later
    in_doubt: list[tuple[Claimed, str]]  # may have been delivered; never sent again


def send_reminders(transaction: Callable[[], AbstractContextManager[Session]], mailer: Mailer, *,
                   now: datetime, due_hours: int, escalate_hours: int,
                   deliver: bool = True, first_wait: timedelta = timedelta(minutes=1),
                   max_attempts: int = 8) -> ReminderRun:
    """Queue what is owed (committed), then, if ``deliver``, run the outbox's delivery of
    the reminders due (this run's, and earlier ones refused and now due again), which sends
    with no transaction open. ``transaction()`` opens a writing session that commits when
    its block ends."""
    with transaction() as session:
        queued = queue_reminders(session, now=now, due_hours=due_hours,
                                 escalate_hours=escalate_hours)
    if not deliver:
        return ReminderRun(len(queued), [], [], [])
    # Now or later: what was just queued is due from the moment it was queued.
    run = deliver_due(transaction, mailer, now=max(now, utcnow()), key_prefix=KEY_PREFIX,
                      first_wait=first_wait, max_attempts=max_attempts)
    return ReminderRun(len(queued), run.sent, run.refused, run.in_doubt)
