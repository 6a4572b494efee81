"""Reads for scorecard pages (callers have applied the independence rule)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from interviewloop.requisitions.models import Candidate
from interviewloop.scheduling.models import Interview
from interviewloop.scorecards.models import Scorecard, ScorecardStatus


def submitted_for(session: Session, candidate: Candidate) -> list[Scorecard]:
    return list(session.scalars(
        select(Scorecard).join(Interview, Interview.id == Scorecard.interview_id)
        .where(Scorecard.candidate_id == candidate.id,
               Scorecard.status == ScorecardStatus.SUBMITTED)
        .options(selectinload(Scorecard.ratings), selectinload(Scorecard.interviewer),
                 selectinload(Scorecard.interview).selectinload(Interview.stage),
                 selectinload(Scorecard.signals))
        .order_by(Interview.starts_at, Scorecard.id)))
