"""Reminders before each interview: each panelist is emailed (through the outbox) some hours
before it starts (INTERVIEW_REMINDER_HOURS, 24 and 1 by default), with the kit link.

Each reminder is claimed (a row per interview, interviewer, hours before and start time,
inserted only if none exists) in the transaction that queues its email, so it is queued
once, ever, whatever runs twice; the outbox sends it at most once, and never after the
interview has begun (the email expires then). A reminder is owed only while its interview
is scheduled, in the future, and the person is on its panel: a cancelled interview gets
none, a reschedule makes the new time's due (the old time's never go, and any not yet sent
are withdrawn), and a worker that was down past the start sends nothing late. When a worker
comes back with several of one person's reminders due at once, only the nearest goes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from interviewloop.auth.models import User
from interviewloop.db import insert_new
from interviewloop.loops.models import LoopStage
from interviewloop.outbox.models import MailState, OutboxMail
from interviewloop.outbox.service import NewMail, queue_many, settings
from interviewloop.requisitions.models import Candidate, Requisition
from interviewloop.scheduling.models import (
    Interview,
    InterviewReminder,
    InterviewStatus,
    Panelist,
)
from interviewloop.timezones import format_local

KEY_PREFIX = "interview-reminder:"


def mail_key(interview_id: int, user_id: int, hours: int, starts_at: datetime) -> str:
    return f"{KEY_PREFIX}{interview_id}:{user_id}:{hours}h:{starts_at:%Y%m%dT%H%M%SZ}"


@dataclass(frozen=True)
class Reader:
    """The panelist a reminder goes to."""

    id: int
    email: str
    name: str
    time_zone: str


@dataclass(frozen=True)
class Owed:
    interview: Interview
    user: Reader
    candidate: Candidate
    stage: LoopStage
    requisition: Requisition
    hours: int
    panel: tuple[str, ...]  # the panel's names


def _in_words(left: timedelta) -> str:
    minutes = max(int(left.total_seconds() // 60), 1)
    if minutes < 90:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"{round(minutes / 60)} hours"


def _body(owed: Owed, now: datetime, base: str) -> str:
    interview, user = owed.interview, owed.user
    when = format_local(interview.starts_at, user.time_zone)
    until = format_local(interview.ends_at, user.time_zone, with_date=False)
    panel = ", ".join(owed.panel)
    # Only what the invite already told this panelist: no scorecards, no notes, no status.
    return "\n".join([
        f"Hello {user.name},", "",
        f"A reminder: your interview with {owed.candidate.name} starts in "
        f"{_in_words(interview.starts_at - now)}.", "",
        f"Candidate: {owed.candidate.name}, for {owed.requisition.title}",
        f"Stage: {owed.stage.name}",
        f"When: {when} to {until} ({interview.minutes} minutes)",
        f"Where: {interview.location or 'to be confirmed'}",
        f"Panel: {panel}",
        f"Interview kit (the questions and rubric): {base}/interviews/{interview.id}/kit",
        f"The interview: {base}/interviews/{interview.id}",
        "", "interviewloop"])


def owed_reminders(session: Session, *, now: datetime, hours: Sequence[int]) -> list[Owed]:
    """The reminders due now and not yet claimed: for each live panelist of each scheduled
    interview starting within the largest offset, the nearest offset now due. Three
    queries, however many are due."""
    if not hours:
        return []
    horizon = now + timedelta(hours=max(hours))
    soon = (Interview.status == InterviewStatus.SCHEDULED, Interview.starts_at > now,
            Interview.starts_at <= horizon)
    rows = session.execute(
        select(Interview, Candidate, LoopStage, Requisition, User.id, User.email, User.name,
               User.time_zone)
        .join(Panelist, Panelist.interview_id == Interview.id)
        .join(User, User.id == Panelist.user_id)
        .join(Candidate, Candidate.id == Interview.candidate_id)
        .join(Requisition, Requisition.id == Candidate.requisition_id)
        .join(LoopStage, LoopStage.id == Interview.stage_id)
        .where(*soon, Panelist.live.is_(True), User.is_active.is_(True))
        .order_by(Interview.starts_at, Interview.id, User.id)).all()
    panels: dict[int, list[str]] = {}
    for interview_id, name in session.execute(
            select(Panelist.interview_id, User.name).join(User, User.id == Panelist.user_id)
            .join(Interview, Interview.id == Panelist.interview_id)
            .where(*soon, Panelist.live.is_(True)).order_by(User.name, User.id)):
        panels.setdefault(interview_id, []).append(name)
    claimed = set(session.execute(
        select(InterviewReminder.interview_id, InterviewReminder.user_id,
               InterviewReminder.hours_before)
        .join(Interview, Interview.id == InterviewReminder.interview_id)
        .where(*soon, InterviewReminder.starts_at == Interview.starts_at)).all())
    owed = []
    for interview, candidate, stage, requisition, user_id, email, name, zone in rows:
        user = Reader(user_id, email, name, zone)
        due = [h for h in hours if interview.starts_at - timedelta(hours=h) <= now]
        # The nearest due offset only: once it is claimed the farther ones are moot.
        if due and (interview.id, user.id, min(due)) not in claimed:
            owed.append(Owed(interview, user, candidate, stage, requisition, min(due),
                             tuple(panels.get(interview.id, ()))))
    return owed


def queue_reminders(session: Session, *, now: datetime, hours: Sequence[int]) -> int:
    """Claim what is owed now and queue its emails, in the caller's transaction; return
    how many were queued. A claim another transaction made first is skipped."""
    owed = owed_reminders(session, now=now, hours=hours)
    won = {tuple(row) for row in insert_new(session, InterviewReminder, [
        {"interview_id": o.interview.id, "user_id": o.user.id, "hours_before": o.hours,
         "starts_at": o.interview.starts_at, "queued_at": now} for o in owed],
        unique=["interview_id", "user_id", "hours_before", "starts_at"],
        returning=(InterviewReminder.interview_id, InterviewReminder.user_id,
                   InterviewReminder.hours_before))}
    base = settings(session).base_url
    mails = [NewMail(key=mail_key(o.interview.id, o.user.id, o.hours, o.interview.starts_at),
                     to=o.user.email,
                     subject=f"Reminder: {o.candidate.name}, {o.stage.name}, "
                             f"{format_local(o.interview.starts_at, o.user.time_zone)}",
                     body=_body(o, now, base), expires_at=o.interview.starts_at)
             for o in owed if (o.interview.id, o.user.id, o.hours) in won]
    queue_many(session, mails)
    return len(mails)


def withdraw_reminders(session: Session, interview: Interview) -> int:
    """After a change (flushed): take back the reminders queued and not yet sent that no
    longer hold (another start time, someone off the panel, a cancelled interview)."""
    live = {p.user_id for p in interview.panel if p.live}
    stale = [mail_key(interview.id, c.user_id, c.hours_before, c.starts_at)
             for c in session.scalars(select(InterviewReminder).where(
                 InterviewReminder.interview_id == interview.id))
             if interview.is_cancelled or c.starts_at != interview.starts_at
             or c.user_id not in live]
    if not stale:
        return 0
    result = session.execute(
        update(OutboxMail)
        .where(OutboxMail.idempotency_key.in_(stale),
               OutboxMail.state.in_((MailState.PENDING, MailState.REFUSED)),
               OutboxMail.next_attempt_at.is_not(None))
        .values(state=MailState.REFUSED, next_attempt_at=None,
                last_error="Withdrawn before it was sent: the interview changed.")
        .execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)

