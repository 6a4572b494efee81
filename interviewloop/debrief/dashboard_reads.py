"""The dashboard's figure reads for a page of candidates, each built once: their values (the
page's candidate ids, the viewer, the time) are bound when they run. Building the
statements, and their cache keys, on every page was a tenth of the page's time. Two
statements: the figures per candidate, and the ratings per candidate and area. The ids as
one array on PostgreSQL (``among``): the same SQL text whatever the page's size, with no
IN list to render on each run."""

from __future__ import annotations

from functools import cache

from sqlalchemy import Select, and_, bindparam, case, exists, func, select

from interviewloop.db import among
from interviewloop.debrief.models import Decision, DecisionKind, PreOfferCheck
from interviewloop.loops.models import Loop, LoopStage
from interviewloop.requisitions.models import Candidate
from interviewloop.scheduling.models import Interview, InterviewStatus, Panelist
from interviewloop.scorecards.access import counted_clause, owes_clause
from interviewloop.scorecards.models import Rating, Scorecard, ScorecardStatus

AT = Interview.ends_at.type  # "now" and the overdue cutoff: times, bound as the columns are


@cache
def figures(dialect: str) -> Select[int, bool, int, int, int, int, str | None, DecisionKind | None]:
    """Per candidate of the page, in one statement (each figure a subquery on its own
    index): whether the viewer sits on a live interview of theirs and has not submitted,
    their loop's stages, the stages done, the scorecards owed on interviews that have
    started and how many of those are overdue, the pre-offer check's state (None if not
    answered) and the latest decision. Seven statements before, each a round trip."""
    candidate = Candidate.id
    live = (Interview.candidate_id == candidate, Interview.status == InterviewStatus.SCHEDULED)
    mine = exists().where(and_(Scorecard.interview_id == Interview.id,
                               Scorecard.interviewer_id == bindparam("viewer"),
                               Scorecard.status == ScorecardStatus.SUBMITTED))
    pending = (exists().where(*live, Panelist.interview_id == Interview.id,
                              Panelist.user_id == bindparam("viewer"), ~mine))
    stages = (select(func.count(LoopStage.id)).join(Loop, Loop.id == LoopStage.loop_id)
              .where(Loop.candidate_id == candidate).scalar_subquery())
    done = (select(func.count()).select_from(Interview)
            .where(*live, Interview.ends_at <= bindparam("now", type_=AT)).scalar_subquery())
    submitted = exists().where(and_(Scorecard.interview_id == Interview.id,
                                    Scorecard.interviewer_id == Panelist.user_id,
                                    Scorecard.status == ScorecardStatus.SUBMITTED))
    owed = (select(func.count()).select_from(Panelist)
            .join(Interview, Interview.id == Panelist.interview_id)
            .where(*live, Interview.starts_at <= bindparam("now", type_=AT), owes_clause(),
                   ~submitted))
    late = owed.where(Interview.ends_at < bindparam("overdue_before", type_=AT))
    check = (select(case((PreOfferCheck.passed, "passed"), else_="keep looking"))
             .where(PreOfferCheck.candidate_id == candidate).scalar_subquery())
    decision = (select(Decision.kind).where(Decision.candidate_id == candidate)
                .order_by(Decision.id.desc()).limit(1).scalar_subquery())
    return (select(candidate, pending, stages, done, owed.scalar_subquery(),
                   late.scalar_subquery(), check, decision)
            .where(among(candidate, "ids", dialect)))


@cache
def ratings(dialect: str) -> Select[int, int, int | None, int]:
    """Per candidate and area: the sum and count of the counted submitted ratings."""
    return (select(Scorecard.candidate_id, Rating.area_id, func.sum(Rating.rating),
                   func.count(Rating.rating))
            .join(Rating, Rating.scorecard_id == Scorecard.id)
            .where(among(Scorecard.candidate_id, "ids", dialect),
                   Scorecard.status == ScorecardStatus.SUBMITTED, counted_clause(),
                   Rating.rating.is_not(None))
            .group_by(Scorecard.candidate_id, Rating.area_id))
