"""Who owes a candidate's scorecards, and the recruiter's "send a reminder".

A scorecard is owed from its interview's start (as on the dashboard) until it is
submitted; past its due time it is overdue. A reminder goes to the interviewer who owes
it, through the outbox (the background queue delivers it), at most once per scorecard per
``CHASE_WINDOW``: the database decides, by an upsert that moves ``last_sent_at`` only if
the last one is older than the window, so two clicks at once send one email.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, contains_eager, lazyload

from interviewloop.audit.service import Actor, record
from interviewloop.auth.models import User
from interviewloop.errors import Conflict, Forbidden, NotFound
from interviewloop.outbox.service import NewMail, queue_many, settings
from interviewloop.requisitions.models import Candidate, Requisition
from interviewloop.scheduling.models import Interview, InterviewStatus, Panelist
from interviewloop.scorecards.access import can_chase, owes_clause
from interviewloop.scorecards.models import Scorecard, ScorecardChase, ScorecardStatus
from interviewloop.scorecards.queries import due_at
from interviewloop.scorecards.reminders import KEY_PREFIX
from interviewloop.timezones import format_local

CHASE_WINDOW = timedelta(hours=4)


@dataclass(frozen=True)
class Owed:
    """A scorecard ``interviewer`` owes on ``interview``, and when they were last reminded."""

    interview: Interview
    interviewer: User
    due_at: datetime
    last_sent_at: datetime | None

    def overdue(self, now: datetime) -> bool:
        return now > self.due_at

    @property
    def next_allowed(self) -> datetime | None:
        return self.last_sent_at + CHASE_WINDOW if self.last_sent_at else None

    def can_send(self, now: datetime) -> bool:
        return self.next_allowed is None or now >= self.next_allowed


def owed_for(session: Session, candidate: Candidate, *, now: datetime, due_hours: int,
             interview_id: int | None = None, interviewer_id: int | None = None
             ) -> list[Owed]:
    """The candidate's owed scorecards, oldest interview first (one query, however many)."""
    submitted = exists().where(and_(Scorecard.interview_id == Interview.id,
                                    Scorecard.interviewer_id == Panelist.user_id,
                                    Scorecard.status == ScorecardStatus.SUBMITTED))
    stmt = (
        select(Interview, User, ScorecardChase.last_sent_at)
        .join(Panelist, Panelist.interview_id == Interview.id)
        .join(User, User.id == Panelist.user_id)
        .join(Interview.stage).join(Interview.candidate)
        .outerjoin(ScorecardChase, and_(ScorecardChase.interview_id == Interview.id,
                                        ScorecardChase.interviewer_id == User.id))
        .where(Interview.candidate_id == candidate.id,
               Interview.status == InterviewStatus.SCHEDULED, Interview.starts_at <= now,
               owes_clause(), ~submitted)
        .options(contains_eager(Interview.stage), contains_eager(Interview.candidate),
                 lazyload(User.role_rows))  # roles are not needed here: not fetched
        .order_by(Interview.starts_at, Interview.id, User.name, User.id))
    if interview_id is not None:
        stmt = stmt.where(Interview.id == interview_id, User.id == interviewer_id)
    return [Owed(i, u, due_at(i, due_hours), sent) for i, u, sent in session.execute(stmt)]


def _ago(then: datetime, now: datetime) -> str:
    minutes = max(0, int((now - then).total_seconds() // 60))
    if minutes < 1:
        return "a moment ago"
    if minutes < 120:
        return f"{minutes} minute{'s' if minutes != 1 else ''} ago"
    return f"{minutes // 60} hours ago"


def refusal(item: Owed, viewer: User, now: datetime) -> str:
    """Why a reminder cannot go now, in the viewer's words and zone."""
    assert item.last_sent_at is not None and item.next_allowed is not None
    again = format_local(item.next_allowed, viewer.time_zone, with_date=False)
    return (f"{item.interviewer.name} was reminded {_ago(item.last_sent_at, now)}; "
            f"you can remind them again at {again}.")


def _claim(session: Session, interview_id: int, interviewer_id: int, now: datetime) -> bool:
    """Move the scorecard's last reminder to ``now`` if none is inside the window; True if
    this call did. One statement: a concurrent one waits for this one's commit
    (PostgreSQL) or for its write lock (SQLite), then finds the window taken."""
    make = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = make(ScorecardChase).values(
        interview_id=interview_id, interviewer_id=interviewer_id, last_sent_at=now)
    statement = statement.on_conflict_do_update(
        index_elements=["interview_id", "interviewer_id"],
        set_={"last_sent_at": statement.excluded.last_sent_at},
        where=ScorecardChase.last_sent_at <= now - CHASE_WINDOW)
    return session.execute(statement.returning(ScorecardChase.interview_id)).first() is not None


def _mail(session: Session, item: Owed, sender: User, requisition: Requisition,
          now: datetime) -> NewMail:
    """Only the interview, the due time and the link: nothing from any scorecard."""
    to, interview = item.interviewer, item.interview
    when = format_local(interview.starts_at, to.time_zone)
    due = format_local(item.due_at, to.time_zone)
    state = f"was due {due}" if item.overdue(now) else f"is due {due}"
    base = settings(session).base_url
    body = "\n".join([
        f"Hello {to.name},", "",
        f"{sender.name} ({requisition.title}) asks for your scorecard for "
        f"{interview.candidate.name}, {interview.stage.name} ({when}). It {state}.",
        f"Fill it in here: {base}/interviews/{interview.id}/scorecard", "", "interviewloop"])
    return NewMail(key=f"{KEY_PREFIX}{interview.id}:{to.id}:chase:{now.isoformat()}",
                   to=to.email, subject=f"Reminder: your scorecard for {interview.candidate.name}",
                   body=body)


def send_reminder(session: Session, actor: Actor, requisition: Requisition,
                  candidate: Candidate, interview_id: int, interviewer_id: int, *,
                  now: datetime, due_hours: int) -> Owed:
    """Queue a reminder to the interviewer who owes this scorecard, or refuse (Conflict:
    not owed, or reminded inside the window, saying when it can go again)."""
    sender = actor.person
    if not can_chase(sender, requisition):
        raise Forbidden("Only the requisition's hiring manager, its recruiter or an admin "
                        "can send reminders.")
    found = owed_for(session, candidate, now=now, due_hours=due_hours,
                     interview_id=interview_id, interviewer_id=interviewer_id)
    if not found and session.scalar(select(Panelist.user_id).join(
            Interview, Interview.id == Panelist.interview_id).where(
            Interview.id == interview_id, Interview.candidate_id == candidate.id,
            Panelist.user_id == interviewer_id)) is None:
        raise NotFound("No such interview or interviewer for this candidate.")
    if not found:
        raise Conflict("That scorecard is not owed: it is in, or its interview was "
                       "cancelled or has not started.")
    [item] = found
    if not _claim(session, interview_id, interviewer_id, now):
        last = session.scalar(select(ScorecardChase.last_sent_at).where(
            ScorecardChase.interview_id == interview_id,
            ScorecardChase.interviewer_id == interviewer_id))
        raise Conflict(refusal(Owed(item.interview, item.interviewer, item.due_at, last),
                               sender, now))
    queue_many(session, [_mail(session, item, sender, requisition, now)])
    record(session, actor, "scorecard_reminder_sent", item.interview,
           interviewer_id=interviewer_id, candidate_id=candidate.id)
    return Owed(item.interview, item.interviewer, item.due_at, now)
