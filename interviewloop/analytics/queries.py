"""Reads for the analytics pages. Every read starts from `visible_scorecards`: the
submitted scorecards on candidates whose debrief the viewer may open (the independence
rule of scorecards/access.py, as SQL), so that no figure includes a scorecard its viewer
could not read there; each read is one statement, whatever the amount of data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import ColumnElement, Select, and_, case, func, select, true
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql import Subquery

from interviewloop.auth.models import User
from interviewloop.db import utcnow
from interviewloop.debrief.models import Decision, DecisionKind
from interviewloop.enums import Level
from interviewloop.loops.models import LoopStageArea
from interviewloop.requisitions.models import Candidate, Requisition
from interviewloop.requisitions.service import managed_clause, visible_clause
from interviewloop.scheduling.models import Interview, InterviewStatus
from interviewloop.scorecards.access import counted_clause, sees_panel_clause
from interviewloop.scorecards.models import (
    EvidenceNudge,
    Rating,
    Recommendation,
    Scorecard,
    ScorecardStatus,
)

_S = TypeVar("_S", bound=Select[*tuple[Any, ...]])


@dataclass(frozen=True)
class Filters:
    level: Level | None = None
    requisition_id: int | None = None
    since: date | None = None  # interviews held on or after this day (UTC)
    until: date | None = None  # ... and on or before this one


def visible_scorecards(viewer: User, filters: Filters, now: datetime | None = None) -> Subquery:
    """(scorecard, interviewer, candidate, requisition, stage, interview end, submitted at,
    recommendation, whether the viewer manages the requisition) for every submitted
    scorecard the viewer could read on its candidate's debrief, within the filters."""
    now = now or utcnow()
    stmt = (
        select(Scorecard.id.label("scorecard_id"), Scorecard.interviewer_id,
               Scorecard.candidate_id, Requisition.id.label("requisition_id"),
               Interview.stage_id, Interview.ends_at, Scorecard.submitted_at,
               Scorecard.recommendation, managed_clause(viewer).label("managed"))
        .join(Interview, Interview.id == Scorecard.interview_id)
        .join(Candidate, Candidate.id == Scorecard.candidate_id)
        .join(Requisition, Requisition.id == Candidate.requisition_id)
        .where(Scorecard.status == ScorecardStatus.SUBMITTED, counted_clause(),
               Interview.status == InterviewStatus.SCHEDULED, sees_panel_clause(viewer, now)))
    return _filtered(stmt, filters).subquery("visible")


def _filtered(stmt: _S, filters: Filters) -> _S:
    if filters.level is not None:
        stmt = stmt.where(Requisition.level == filters.level)
    if filters.requisition_id is not None:
        stmt = stmt.where(Requisition.id == filters.requisition_id)
    return stmt.where(in_range(Interview.starts_at, filters))


def in_range(column: ColumnElement[datetime] | InstrumentedAttribute[datetime],
             filters: Filters) -> ColumnElement[bool]:
    """``column`` within the filters' days (UTC), both ends included; true without them."""
    bounds = []
    if filters.since is not None:
        bounds.append(column >= datetime.combine(filters.since, time(), UTC))
    if filters.until is not None:
        bounds.append(column < datetime.combine(filters.until + timedelta(days=1), time(), UTC))
    return and_(true(), *bounds)


def latest_decisions() -> Subquery:
    """(candidate_id, kind, decided_at) of each candidate's latest decision."""
    latest = (select(Decision.candidate_id, func.max(Decision.id).label("id"))
              .group_by(Decision.candidate_id).subquery("latest"))
    return (select(latest.c.candidate_id, Decision.kind, Decision.decided_at)
            .join(Decision, Decision.id == latest.c.id).subquery("decided"))


def area_value_counts(session: Session, visible: Subquery) -> dict[int, dict[int, dict[int, int]]]:
    """area -> candidate -> {rating: how many visible scorecards gave it}; not assessed
    (NULL) is missing data and left out."""
    result: dict[int, dict[int, dict[int, int]]] = {}
    for area_id, candidate_id, rating, count in session.execute(
            select(Rating.area_id, visible.c.candidate_id, Rating.rating, func.count())
            .join(visible, visible.c.scorecard_id == Rating.scorecard_id)
            .where(Rating.rating.is_not(None))
            .group_by(Rating.area_id, visible.c.candidate_id, Rating.rating)):
        result.setdefault(area_id, {}).setdefault(candidate_id, {})[rating] = count
    return result


class CardRow(NamedTuple):  # a NamedTuple: 100,000 of them are built per report
    interviewer_id: int
    candidate_id: int
    hours_to_feedback: float
    recommendation: Recommendation
    decision: DecisionKind | None  # the candidate's latest decision
    managed: bool


def card_rows(session: Session, visible: Subquery) -> list[CardRow]:
    decided = latest_decisions()
    rows = session.execute(
        select(visible.c.interviewer_id, visible.c.candidate_id, visible.c.ends_at,
               visible.c.submitted_at, visible.c.recommendation, decided.c.kind,
               visible.c.managed)
        .outerjoin(decided, decided.c.candidate_id == visible.c.candidate_id))
    return [CardRow(who, cid, (submitted - ended).total_seconds() / 3600,
                    Recommendation(rec), DecisionKind(kind) if kind else None, bool(managed))
            for who, cid, ended, submitted, rec, kind, managed in rows]


class RatingRow(NamedTuple):  # a NamedTuple: 500,000 of them are built per report
    interviewer_id: int
    candidate_id: int
    area_id: int
    rating: int | None
    focus: bool  # the area is a focus of the interview's stage
    managed: bool


def rating_rows(session: Session, visible: Subquery) -> list[RatingRow]:
    rows = session.execute(
        select(visible.c.interviewer_id, visible.c.candidate_id, Rating.area_id, Rating.rating,
               LoopStageArea.area_id.is_not(None), visible.c.managed)
        .join(visible, visible.c.scorecard_id == Rating.scorecard_id)
        .outerjoin(LoopStageArea, and_(LoopStageArea.stage_id == visible.c.stage_id,
                                       LoopStageArea.area_id == Rating.area_id)))
    return [RatingRow(who, cid, area, rating, bool(focus), bool(managed))
            for who, cid, area, rating, focus, managed in rows]


@dataclass(frozen=True)
class NudgeCounts:
    evidence: int  # rated areas' evidence the nudge rules looked at (scorecards/nudges.py)
    nudged: int  # ... of which nudged before submit
    changed: int  # ... of which changed after the nudge


def nudge_counts(session: Session, visible: Subquery) -> dict[int, NudgeCounts]:
    """interviewer -> their nudge counts, over visible scorecards submitted through the
    nudges (evidence_checked); one statement."""
    nudged = (select(EvidenceNudge.scorecard_id, EvidenceNudge.area_id,
                     func.max(case((EvidenceNudge.changed == true(), 1), else_=0)).label("changed"))
              .group_by(EvidenceNudge.scorecard_id, EvidenceNudge.area_id).subquery("nudged"))
    rows = session.execute(
        select(visible.c.interviewer_id, func.count(), func.count(nudged.c.scorecard_id),
               func.coalesce(func.sum(nudged.c.changed), 0))
        .select_from(Rating)
        .join(visible, visible.c.scorecard_id == Rating.scorecard_id)
        .join(Scorecard, Scorecard.id == Rating.scorecard_id)
        .outerjoin(nudged, and_(nudged.c.scorecard_id == Rating.scorecard_id,
                                nudged.c.area_id == Rating.area_id))
        .where(Scorecard.evidence_checked, Rating.rating.is_not(None), Rating.evidence != "")
        .group_by(visible.c.interviewer_id))
    return {who: NudgeCounts(int(n), int(k), int(c)) for who, n, k, c in rows}


def people(session: Session, ids: set[int]) -> dict[int, User]:
    if not ids:
        return {}
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))}


def requisition_choices(session: Session, viewer: User) -> list[tuple[int, str]]:
    """The requisitions the viewer may see, for the filter."""
    return [(rid, title) for rid, title in session.execute(
        select(Requisition.id, Requisition.title).where(visible_clause(viewer))
        .order_by(Requisition.title, Requisition.id))]
