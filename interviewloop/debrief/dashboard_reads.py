"""The dashboard's figure reads for a page of candidates, each built once: their values (the
page's candidate ids, the viewer, the time) are bound when they run. Building the seven
statements, and their cache keys, on every page was a tenth of the page's time."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Select, and_, bindparam, case, exists, func, select

from interviewloop.debrief.models import Decision, DecisionKind, PreOfferCheck
from interviewloop.loops.models import Loop, LoopStage
from interviewloop.scheduling.models import Interview, InterviewStatus, Panelist
from interviewloop.scorecards.access import counted_clause, owes_clause
from interviewloop.scorecards.models import Rating, Scorecard, ScorecardStatus

AT = Interview.ends_at.type  # "now" and the overdue cutoff: times, bound as the columns are


def _ids() -> Any:
    return bindparam("ids", expanding=True)


@cache
def pending() -> Select[int]:
    """Candidates with a live interview on which the viewer sits and has not submitted."""
    mine = exists().where(and_(Scorecard.interview_id == Interview.id,
                               Scorecard.interviewer_id == bindparam("viewer"),
                               Scorecard.status == ScorecardStatus.SUBMITTED))
    return (select(Interview.candidate_id).join(Panelist, Panelist.interview_id == Interview.id)
            .where(Interview.candidate_id.in_(_ids()),
                   Interview.status == InterviewStatus.SCHEDULED,
                   Panelist.user_id == bindparam("viewer"), ~mine))


@cache
def stages() -> Select[int, int]:
    return (select(Loop.candidate_id, func.count(LoopStage.id)).join(LoopStage)
            .where(Loop.candidate_id.in_(_ids())).group_by(Loop.candidate_id))


@cache
def done() -> Select[int, int]:
    return (select(Interview.candidate_id, func.count())
            .where(Interview.candidate_id.in_(_ids()),
                   Interview.status == InterviewStatus.SCHEDULED,
                   Interview.ends_at <= bindparam("now", type_=AT))
            .group_by(Interview.candidate_id))


@cache
def owed() -> Select[int, int, int]:
    """Scorecards owed (and of those, overdue) on interviews that have started."""
    submitted = exists().where(and_(Scorecard.interview_id == Interview.id,
                                    Scorecard.interviewer_id == Panelist.user_id,
                                    Scorecard.status == ScorecardStatus.SUBMITTED))
    late = Interview.ends_at < bindparam("overdue_before", type_=AT)
    return (select(Interview.candidate_id, func.count(), func.count(case((late, 1))))
            .join(Panelist, Panelist.interview_id == Interview.id)
            .where(Interview.candidate_id.in_(_ids()),
                   Interview.status == InterviewStatus.SCHEDULED,
                   Interview.starts_at <= bindparam("now", type_=AT), owes_clause(),
                   ~submitted)
            .group_by(Interview.candidate_id))


@cache
def ratings() -> Select[int, int, int | None, int]:
    """Per candidate and area: the sum and count of the counted submitted ratings."""
    return (select(Scorecard.candidate_id, Rating.area_id, func.sum(Rating.rating),
                   func.count(Rating.rating))
            .join(Rating, Rating.scorecard_id == Scorecard.id)
            .where(Scorecard.candidate_id.in_(_ids()),
                   Scorecard.status == ScorecardStatus.SUBMITTED, counted_clause(),
                   Rating.rating.is_not(None))
            .group_by(Scorecard.candidate_id, Rating.area_id))


@cache
def checks() -> Select[int, str]:
    return (select(PreOfferCheck.candidate_id,
                   case((PreOfferCheck.passed, "passed"), else_="keep looking"))
            .where(PreOfferCheck.candidate_id.in_(_ids())))


@cache
def decisions() -> Select[int, DecisionKind]:
    """Each candidate's latest decision."""
    latest = (select(Decision.candidate_id, func.max(Decision.id).label("id"))
              .where(Decision.candidate_id.in_(_ids())).group_by(Decision.candidate_id)
              .subquery())
    return select(Decision.candidate_id, Decision.kind).join(latest, latest.c.id == Decision.id)
