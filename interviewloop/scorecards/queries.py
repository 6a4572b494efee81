"""Reads for scorecard pages (callers have applied the independence rule)."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from interviewloop.auth.models import User
from interviewloop.loops.models import Loop, LoopStage
from interviewloop.pools.models import Pool, PoolMember
from interviewloop.requisitions.models import Candidate
from interviewloop.scheduling.models import Interview
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
