"""The requisition dashboard: every candidate with progress, outstanding scorecards, a
ratings summary, the pre-offer state and the decision, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import Session

from interviewloop.auth.models import User
from interviewloop.debrief.models import Decision, PreOfferCheck
from interviewloop.loops.models import Loop, LoopStage
from interviewloop.requisitions.models import Candidate, Requisition
from interviewloop.scheduling.models import Interview, InterviewStatus, Panelist
from interviewloop.scorecards.models import Rating, Scorecard, ScorecardStatus

SORTS = ("name", "status", "progress", "outstanding", "mean", "pre_offer", "decision")


@dataclass(frozen=True)
class DashboardRow:
    candidate: Candidate
    stages: int
    stages_done: int
    outstanding: int  # scorecards owed on interviews that have started
    overdue: int  # of those, past their due time
    mean: float | None
    ratings: int
    pre_offer: str  # not answered, passed, keep looking
    decision: str  # the latest decision, or ""
    hidden: bool = False  # the viewer interviews this candidate and owes a scorecard


def rows(session: Session, requisition: Requisition, viewer: User, *, now: datetime,
         due_hours: int) -> list[DashboardRow]:
    """The viewer's own pending interviews hide that candidate's ratings and pre-offer state
    from them (independence holds whatever the role)."""
    req = Candidate.requisition_id == requisition.id
    mine = exists().where(and_(Scorecard.interview_id == Interview.id,
                               Scorecard.interviewer_id == viewer.id,
                               Scorecard.status == ScorecardStatus.SUBMITTED))
    pending = set(session.scalars(
        select(Interview.candidate_id).join(Panelist, Panelist.interview_id == Interview.id)
        .join(Candidate, Candidate.id == Interview.candidate_id)
        .where(req, Interview.status == InterviewStatus.SCHEDULED,
               Panelist.user_id == viewer.id, ~mine)))
    stages = dict(session.execute(
        select(Loop.candidate_id, func.count(LoopStage.id)).join(LoopStage)
        .join(Candidate, Candidate.id == Loop.candidate_id).where(req)
        .group_by(Loop.candidate_id)).all())
    done = dict(session.execute(
        select(Interview.candidate_id, func.count())
        .join(Candidate, Candidate.id == Interview.candidate_id)
        .where(req, Interview.status == InterviewStatus.SCHEDULED, Interview.ends_at <= now)
        .group_by(Interview.candidate_id)).all())
    submitted = exists().where(and_(Scorecard.interview_id == Interview.id,
                                    Scorecard.interviewer_id == Panelist.user_id,
                                    Scorecard.status == ScorecardStatus.SUBMITTED))
    # Interviews still to come owe nothing yet; past the due time, a scorecard is overdue.
    overdue_if_ended_before = now - timedelta(hours=due_hours)
    owed = {cid: (n, late) for cid, n, late in session.execute(
        select(Interview.candidate_id, func.count(),
               func.count(case((Interview.ends_at < overdue_if_ended_before, 1))))
        .join(Panelist, Panelist.interview_id == Interview.id)
        .join(Candidate, Candidate.id == Interview.candidate_id)
        .where(req, Interview.status == InterviewStatus.SCHEDULED, Interview.starts_at <= now,
               ~submitted)
        .group_by(Interview.candidate_id))}
    means = {cid: (mean, n) for cid, mean, n in session.execute(
        select(Scorecard.candidate_id, func.avg(Rating.rating), func.count(Rating.rating))
        .join(Rating, Rating.scorecard_id == Scorecard.id)
        .join(Candidate, Candidate.id == Scorecard.candidate_id)
        .where(req, Scorecard.status == ScorecardStatus.SUBMITTED, Rating.rating.is_not(None))
        .group_by(Scorecard.candidate_id))}
    checks: dict[int, str] = dict(session.execute(
        select(PreOfferCheck.candidate_id,
               case((PreOfferCheck.passed, "passed"), else_="keep looking"))
        .join(Candidate, Candidate.id == PreOfferCheck.candidate_id).where(req)).all())
    latest = select(Decision.candidate_id, func.max(Decision.id).label("id")).join(
        Candidate, Candidate.id == Decision.candidate_id).where(req).group_by(
        Decision.candidate_id).subquery()
    decisions = dict(session.execute(
        select(Decision.candidate_id, Decision.kind).join(latest, latest.c.id == Decision.id)
    ).all())
    result = []
    for candidate in session.scalars(select(Candidate).where(req).order_by(Candidate.name)):
        mean, count = means.get(candidate.id, (None, 0))
        decision = decisions.get(candidate.id)
        hidden = candidate.id in pending
        result.append(DashboardRow(
            candidate, stages.get(candidate.id, 0), done.get(candidate.id, 0),
            *owed.get(candidate.id, (0, 0)),
            None if hidden or mean is None else float(mean), 0 if hidden else count,
            "hidden" if hidden else checks.get(candidate.id, "not answered"),
            decision.value if decision else "", hidden))
    return result


def sort_and_filter(items: list[DashboardRow], *, sort: str, status: str | None
                    ) -> list[DashboardRow]:
    if status:
        items = [r for r in items if r.candidate.status.value == status]
    keys = {
        "name": lambda r: r.candidate.name.lower(),
        "status": lambda r: r.candidate.status.value,
        "progress": lambda r: -(r.stages_done / r.stages if r.stages else 0),
        "outstanding": lambda r: (-r.overdue, -r.outstanding),
        "mean": lambda r: -(r.mean or 0),
        "pre_offer": lambda r: r.pre_offer,
        "decision": lambda r: r.decision,
    }
    return sorted(items, key=keys[sort])
