"""Reads for scorecard pages (callers have applied the independence rule)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, contains_eager, joinedload, selectinload

from interviewloop.auth.models import User
from interviewloop.loops.models import Loop, LoopStage
from interviewloop.paging import FIRST, LIST_PAGE, Cursor, Keyset, Page, keyset_page, moment, row_id
from interviewloop.pools.models import Pool, PoolMember
from interviewloop.requisitions.models import Candidate, Requisition
from interviewloop.scheduling.models import Interview, Panelist
from interviewloop.scheduling.queries import SEAT_ORDER
from interviewloop.scorecards.access import counted_clause, own_pending_clause
from interviewloop.scorecards.models import Scorecard, ScorecardStatus


def submitted_for(session: Session, candidate: Candidate) -> list[Scorecard]:
    return list(session.scalars(
        select(Scorecard).join(Interview, Interview.id == Scorecard.interview_id)
        .where(Scorecard.candidate_id == candidate.id, counted_clause(),
               Scorecard.status == ScorecardStatus.SUBMITTED)
        .options(selectinload(Scorecard.ratings), selectinload(Scorecard.interviewer),
                 selectinload(Scorecard.interview).selectinload(Interview.stage),
                 selectinload(Scorecard.signals))
        .order_by(Interview.starts_at, Scorecard.id)))


@dataclass(frozen=True)
class Task:
    """One of the user's interviews, with their own scorecard on it (None before they start
    one) and when that is due."""

    interview: Interview
    requisition: Requisition
    scorecard: Scorecard | None
    due_at: datetime

    def overdue(self, now: datetime) -> bool:
        return now > self.due_at


TO_WRITE_ORDER = Keyset(SEAT_ORDER, (moment, row_id))  # on the seat's index (scheduling)


def to_write(session: Session, user: User, *, now: datetime, due_hours: int,
             cursor: Cursor = FIRST, size: int = LIST_PAGE) -> Page[Task]:
    """A page of the scorecards ``user`` owes, oldest interview first: one per interview of
    theirs that has started (a scorecard can be written from the start) and is not
    cancelled, whose scorecard of theirs is not submitted. One query, whatever the size."""
    stmt = (
        select(Interview, Requisition, Scorecard)
        .join(Panelist, Panelist.interview_id == Interview.id)
        .join(Interview.candidate).join(Interview.stage)
        .join(Requisition, Requisition.id == Candidate.requisition_id)
        .outerjoin(Scorecard, and_(Scorecard.interview_id == Interview.id,
                                   Scorecard.interviewer_id == user.id))
        # Owed: the seat's flag (kept by triggers, owed.py) on its partial index; the
        # scorecard is joined only to show a draft.
        .where(Panelist.user_id == user.id, Panelist.live.is_(True),
               Panelist.scorecard_in.is_(False), Panelist.starts_at <= now)
        .options(contains_eager(Interview.candidate), contains_eager(Interview.stage)))
    page = keyset_page(session, stmt, TO_WRITE_ORDER, cursor,
                       lambda row: (row[0].starts_at, row[0].id), size=size, scalars=False)
    return replace(page, items=[Task(i, r, s, due_at(i, due_hours)) for i, r, s in page.items])


def due_at(interview: Interview, due_hours: int) -> datetime:
    """A scorecard is due ``due_hours`` after its interview ends."""
    return interview.ends_at + timedelta(hours=due_hours)


def own_scorecards(session: Session, user: User, interview_ids: list[int]
                   ) -> dict[int, Scorecard]:
    """The user's own scorecards on these interviews, by interview (one query)."""
    if not interview_ids:
        return {}
    return {s.interview_id: s for s in session.scalars(select(Scorecard).where(
        Scorecard.interviewer_id == user.id, Scorecard.interview_id.in_(interview_ids)))}


def practice_cards(session: Session, viewer: User, pool: Pool) -> list[Scorecard]:
    """The submitted practice cards on stages of this pool's kind that ``viewer`` may read
    (pools/access.py: the author, their named coach, the pool's owner), leaving out
    candidates on whom the viewer's own scorecard is still pending (independence), newest
    interview first (three queries however many)."""
    stmt = (
        select(Scorecard).join(Interview, Interview.id == Scorecard.interview_id)
        .join(LoopStage, LoopStage.id == Interview.stage_id).join(Loop, Loop.id == LoopStage.loop_id)
        .join(Candidate, Candidate.id == Scorecard.candidate_id)
        .where(~counted_clause(), Scorecard.status == ScorecardStatus.SUBMITTED,
               LoopStage.category == pool.category, Loop.level == pool.level,
               ~own_pending_clause(viewer))
        .options(joinedload(Scorecard.interviewer).raiseload(User.role_rows),
                 selectinload(Scorecard.interview).joinedload(Interview.stage),
                 selectinload(Scorecard.interview).joinedload(Interview.candidate))
        .order_by(Interview.starts_at.desc(), Scorecard.id.desc()))
    if viewer.id != pool.owner_id:
        coached = select(PoolMember.user_id).where(PoolMember.pool_id == pool.id,
                                                   PoolMember.coach_id == viewer.id)
        stmt = stmt.where(or_(Scorecard.interviewer_id == viewer.id,
                              Scorecard.interviewer_id.in_(coached)))
    return list(session.scalars(stmt))
