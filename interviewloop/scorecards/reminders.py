"""Overdue scorecards: what is due, what is overdue, and the reminder emails.

A scorecard is due a configurable number of hours after its interview ends. Past that,
the interviewer is reminded; past a second threshold, the hiring manager too. Each
(interview, interviewer, threshold) is sent once; cancelled interviews and interviews
that have not ended are never chased.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import Session, selectinload

from interviewloop.auth.models import User
from interviewloop.mail import Mailer
from interviewloop.requisitions.models import Candidate, Requisition
from interviewloop.scheduling.models import Interview, InterviewStatus, Panelist
from interviewloop.scorecards.models import ReminderSent, Scorecard, ScorecardStatus
from interviewloop.timezones import format_local


@dataclass(frozen=True)
class Outstanding:
    interview: Interview
    interviewer: User
    requisition: Requisition
    due_at: datetime

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
        select(Interview, User, Requisition)
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
    return [Outstanding(i, u, r, i.ends_at + timedelta(hours=due_hours))
            for i, u, r in session.execute(stmt)]


@dataclass(frozen=True)
class Reminder:
    """One reminder owed: its row's key and the message to send."""

    interview_id: int
    interviewer_id: int
    threshold: str
    recipient: str
    subject: str
    message: EmailMessage


def _body(to: User, lines: list[str]) -> str:
    return "\n".join([f"Hello {to.name},", "", *lines, "", "interviewloop"])


def claim_reminders(session: Session, mailer: Mailer, *, now: datetime, due_hours: int,
                    escalate_hours: int, base_url: str) -> list[Reminder]:
    """Record every reminder owed now as sent, and return them to be sent.

    The caller commits the claim before sending anything, so that a reminder goes out at
    most once, whatever fails later (the mail server, the process); ``release_reminders``
    gives back the ones the mail server certainly did not take."""
    already = set(session.execute(select(ReminderSent.interview_id, ReminderSent.interviewer_id,
                                         ReminderSent.threshold)).all())
    owed: list[Reminder] = []
    managers: dict[int, User] = {}
    base = base_url.rstrip("/")

    def owe(item: Outstanding, threshold: str, to: User, subject: str, lines: list[str]) -> None:
        session.add(ReminderSent(interview_id=item.interview.id,
                                 interviewer_id=item.interviewer.id, threshold=threshold,
                                 sent_at=now))
        owed.append(Reminder(item.interview.id, item.interviewer.id, threshold, to.email,
                             subject, mailer.message(to.email, subject, _body(to, lines))))

    for item in outstanding(session, now=now, due_hours=due_hours):
        key = (item.interview.id, item.interviewer.id)
        candidate = item.interview.candidate.name

        def what(reader: User, item: Outstanding = item) -> str:  # times in the reader's zone
            when = format_local(item.interview.starts_at, reader.time_zone)
            return f"{item.interview.candidate.name}, {item.interview.stage.name} ({when})"

        if item.overdue(now) and (*key, "interviewer") not in already:
            to = item.interviewer
            owe(item, "interviewer", to, f"Scorecard overdue: {candidate}", [
                f"Your scorecard for {what(to)} was due {format_local(item.due_at, to.time_zone)}.",
                f"Fill it in here: {base}/interviews/{item.interview.id}/scorecard"])
        escalate_at = item.interview.ends_at + timedelta(hours=escalate_hours)
        if now > escalate_at and (*key, "manager") not in already:
            manager_id = item.requisition.hiring_manager_id
            manager = managers.get(manager_id) or session.get_one(User, manager_id)
            managers[manager_id] = manager
            owe(item, "manager", manager, f"Scorecard still missing: {candidate}", [
                f"{item.interviewer.name} has not submitted their scorecard for "
                f"{what(manager)}, {escalate_hours} hours after the interview.",
                f"The candidate: {base}/requisitions/{item.requisition.id}"
                f"/candidates/{item.interview.candidate_id}"])
    session.flush()
    return owed


def release_reminders(session: Session, reminders: list[Reminder]) -> None:
    """Forget the claims on reminders that were not sent, so that the next run sends them."""
    for reminder in reminders:
        claim = session.get(ReminderSent, (reminder.interview_id, reminder.interviewer_id,
                                           reminder.threshold))
        if claim is not None:
            session.delete(claim)
    session.flush()


@dataclass(frozen=True)
class ReminderRun:
    sent: list[Reminder]
    refused: list[tuple[Reminder, str]]  # not delivered; claims released, sent next run
    in_doubt: list[tuple[Reminder, str]]  # may have been delivered; never sent again


def send_reminders(transaction: Callable[[], AbstractContextManager[Session]], mailer: Mailer, *,
                   now: datetime, due_hours: int, escalate_hours: int, base_url: str
                   ) -> ReminderRun:
    """Claim what is owed (committed), send it with no transaction open, then release the
    claims of what the mail server refused. ``transaction()`` opens a writing session that
    commits when its block ends."""
    with transaction() as session:
        owed = claim_reminders(session, mailer, now=now, due_hours=due_hours,
                               escalate_hours=escalate_hours, base_url=base_url)
    delivery = mailer.deliver([r.message for r in owed])
    refused = [(owed[i], reason) for i, reason in sorted(delivery.refused.items())]
    if refused:
        with transaction() as session:
            release_reminders(session, [r for r, _reason in refused])
    return ReminderRun(sent=[owed[i] for i in delivery.sent], refused=refused,
                       in_doubt=[(owed[i], why) for i, why in sorted(delivery.in_doubt.items())])
