"""Overdue scorecards: what is due, what is overdue, and the reminder emails.

A scorecard is due a configurable number of hours after its interview ends. Past that,
the interviewer is reminded; past a second threshold, the hiring manager too. Each
(interview, interviewer, threshold) is sent once; cancelled interviews and interviews
that have not ended are never chased.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import Session, selectinload

from interviewloop.auth.models import User
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
class Mailer:
    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    starttls: bool = False

    def send(self, messages: list[EmailMessage]) -> None:
        if not messages:
            return
        with smtplib.SMTP(self.host, self.port, timeout=30) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            for message in messages:
                smtp.send_message(message)


def _message(mailer: Mailer, to: User, subject: str, lines: list[str]) -> EmailMessage:
    message = EmailMessage()
    message["From"] = mailer.sender
    message["To"] = to.email
    message["Subject"] = subject
    message.set_content("\n".join([f"Hello {to.name},", "", *lines, "", "interviewloop"]))
    return message


def send_reminders(session: Session, mailer: Mailer, *, now: datetime, due_hours: int,
                   escalate_hours: int, base_url: str) -> list[tuple[str, str]]:
    """Send what is owed and record it; return (recipient, subject) for each email."""
    already = set(session.execute(select(ReminderSent.interview_id, ReminderSent.interviewer_id,
                                         ReminderSent.threshold)).all())
    messages, sent = [], []
    managers: dict[int, User] = {}
    for item in outstanding(session, now=now, due_hours=due_hours):
        key = (item.interview.id, item.interviewer.id)
        link = f"{base_url.rstrip('/')}/interviews/{item.interview.id}/scorecard"
        when = format_local(item.interview.starts_at, item.interviewer.time_zone)
        what = f"{item.interview.candidate.name}, {item.interview.stage.name} ({when})"
        if item.overdue(now) and (*key, "interviewer") not in already:
            subject = f"Scorecard overdue: {item.interview.candidate.name}"
            messages.append(_message(mailer, item.interviewer, subject, [
                f"Your scorecard for {what} was due "
                f"{format_local(item.due_at, item.interviewer.time_zone)}.",
                f"Fill it in here: {link}"]))
            session.add(ReminderSent(interview_id=key[0], interviewer_id=key[1],
                                     threshold="interviewer", sent_at=now))
            sent.append((item.interviewer.email, subject))
        escalate_at = item.interview.ends_at + timedelta(hours=escalate_hours)
        if now > escalate_at and (*key, "manager") not in already:
            manager_id = item.requisition.hiring_manager_id
            manager = managers.get(manager_id) or session.get_one(User, manager_id)
            managers[manager_id] = manager
            subject = f"Scorecard still missing: {item.interview.candidate.name}"
            messages.append(_message(mailer, manager, subject, [
                f"{item.interviewer.name} has not submitted their scorecard for {what}, "
                f"{escalate_hours} hours after the interview.",
                f"The candidate: {base_url.rstrip('/')}/requisitions/{item.requisition.id}"
                f"/candidates/{item.interview.candidate_id}"]))
            session.add(ReminderSent(interview_id=key[0], interviewer_id=key[1],
                                     threshold="manager", sent_at=now))
            sent.append((manager.email, subject))
    session.flush()
    mailer.send(messages)  # after the rows are written: a failure rolls them back
    return sent
