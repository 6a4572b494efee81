"""The question report (issue 12): per bank question, how often it was asked, the ratings
its stage produced, how those ratings track the candidate's outcome (discrimination), and
flags an editor can act on.

A question is *used* when a stage that asks it has a held interview (scheduled, started).
Its *ratings* are the visible scorecards' ratings (analytics/queries.py: only what the
viewer could read on the debrief) on that interview, in the question's own capability
areas: a scorecard rates areas, not questions, so every question of a stage shares that
stage's ratings in the areas it probes. Uses, too, count only candidates whose debrief
the viewer may open (scorecards/access.py sees_panel_clause), so each person sees the
exposure of the hiring they take part in; admins see the whole organisation's.

The bank can hold 10,000+ questions: the page's questions are ranked and paged in SQL, and
ratings and statistics are computed for that page's questions only (a constant number of
statements, whatever the size of the bank or the history)."""

from __future__ import annotations

import enum
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, and_, distinct, exists, func, select, true
from sqlalchemy.orm import Session

from interviewloop import limits
from interviewloop.analytics import queries, stats
from interviewloop.analytics.queries import Filters
from interviewloop.analytics.service import Share, share
from interviewloop.analytics.stats import Estimate
from interviewloop.auth.models import User
from interviewloop.bank.models import Question, QuestionArea, QuestionLevel
from interviewloop.db import limited, utcnow
from interviewloop.debrief.models import DecisionKind
from interviewloop.enums import Category, Level
from interviewloop.loops.models import LoopQuestion
from interviewloop.requisitions.models import Candidate, Requisition
from interviewloop.scheduling.models import Interview, InterviewStatus
from interviewloop.scorecards.access import sees_panel_clause
from interviewloop.scorecards.models import Rating


class Order(enum.StrEnum):
    MOST_USED = "most_used"
    RECENTLY_USED = "recently_used"
    LEAST_USED = "least_used"

    @property
    def label(self) -> str:
        return {"most_used": "Most used first", "recently_used": "Most used in the last 90 days",
                "least_used": "Least used first"}[self.value]


class Flag(enum.StrEnum):
    CEILING = "ceiling"
    FLOOR = "floor"
    LOW_DISCRIMINATION = "low_discrimination"
    OVER_EXPOSED = "over_exposed"
    NEVER_USED = "never_used"

    @property
    def label(self) -> str:
        return {"ceiling": "near ceiling", "floor": "near floor",
                "low_discrimination": "low discrimination", "over_exposed": "over-exposed",
                "never_used": "never used"}[self.value]


@dataclass(frozen=True)
class QuestionFilters:
    level: Level | None = None  # questions for this level; uses on requisitions at it
    category: Category | None = None
    since: date | None = None  # uses and ratings from interviews on these days (UTC)
    until: date | None = None
    order: Order = Order.MOST_USED


@dataclass(frozen=True)
class QuestionRow:
    question_id: int
    title: str
    category: Category
    uses: int  # held interviews that asked it, within the filters
    recent_uses: int  # ... in the last EXPOSURE_DAYS (the date range aside)
    recent_share: Share  # recent uses of the loops held in that time
    ratings: list[int]  # counts of 1..4
    rated_candidates: int
    offers: int  # candidates with a visible rating whose latest decision is an offer
    rejections: int
    discrimination: Estimate  # Somers' D; None below the minimum
    flags: list[Flag] = field(default_factory=list)

    @property
    def rating_count(self) -> int:
        return sum(self.ratings)

    @property
    def enough_ratings(self) -> bool:
        return self.rating_count >= limits.MIN_QUESTION_RATINGS

    @property
    def decided(self) -> int:
        return self.offers + self.rejections

    @property
    def enough_decided(self) -> bool:
        return enough_decided(self.offers, self.rejections)

    @property
    def strength(self) -> str:
        """How strongly the ratings track the outcome, in words (never below the minimum)."""
        d = self.discrimination.value
        if d is None:
            return ""
        if d < limits.LOW_DISCRIMINATION:
            return "low"
        return "strong" if d >= limits.STRONG_DISCRIMINATION else "moderate"


@dataclass(frozen=True)
class QuestionReport:
    rows: list[QuestionRow]
    number: int  # the page
    size: int
    total: int  # questions matching the filters
    recent_loops: int  # candidates with a held interview in the last EXPOSURE_DAYS
    exposure_limit: int


def enough_decided(offers: int, rejections: int) -> bool:
    return (offers + rejections >= limits.MIN_QUESTION_DECIDED
            and min(offers, rejections) >= limits.MIN_QUESTION_EACH_OUTCOME)


def _held(now: datetime) -> ColumnElement[bool]:
    return and_(Interview.status == InterviewStatus.SCHEDULED, Interview.starts_at <= now)


def _scope(viewer: User, level: Level | None, now: datetime) -> ColumnElement[bool]:
    """Interviews (joined to Candidate and Requisition) of candidates whose debrief the
    viewer may open: a count of uses includes no candidate the viewer may not see."""
    return and_(sees_panel_clause(viewer, now),
                Requisition.level == level if level is not None else true())


def _listed(filters: QuestionFilters) -> ColumnElement[bool]:
    """The questions the report lists: active ones, of the category and level."""
    conditions: list[ColumnElement[bool]] = [Question.retired_at.is_(None)]
    if filters.category is not None:
        conditions.append(Question.category == filters.category)
    if filters.level is not None:
        conditions.append(exists().where(QuestionLevel.question_id == Question.id,
                                         QuestionLevel.level == filters.level))
    return and_(*conditions)


def report(session: Session, viewer: User, filters: QuestionFilters, *, page: int,
           exposure_limit: int, size: int = limits.QUESTION_PAGE,
           now: datetime | None = None) -> QuestionReport:
    now = now or utcnow()
    recent_from = now - timedelta(days=limits.EXPOSURE_DAYS)
    window = Filters(since=filters.since, until=filters.until)
    usage = (
        select(LoopQuestion.question_id,
               func.count().filter(queries.in_range(Interview.starts_at, window)).label("uses"),
               func.count().filter(Interview.starts_at >= recent_from).label("recent"))
        .join(Interview, Interview.stage_id == LoopQuestion.stage_id)
        .join(Candidate, Candidate.id == Interview.candidate_id)
        .join(Requisition, Requisition.id == Candidate.requisition_id)
        .where(_held(now), _scope(viewer, filters.level, now))
        .group_by(LoopQuestion.question_id).subquery("usage"))
    uses = func.coalesce(usage.c.uses, 0)
    recent = func.coalesce(usage.c.recent, 0)
    total = session.scalar(select(func.count()).select_from(Question).where(_listed(filters))) or 0
    number = max(1, min(page, -(-total // size)))
    first = {Order.MOST_USED: (uses.desc(),), Order.RECENTLY_USED: (recent.desc(), uses.desc()),
             Order.LEAST_USED: (uses.asc(),)}[filters.order]
    listed = session.execute(limited(
        select(Question.id, Question.title, Question.category, uses, recent)
        .outerjoin(usage, usage.c.question_id == Question.id)
        .where(_listed(filters))
        .order_by(*first, Question.title, Question.id), size, (number - 1) * size)).all()
    recent_loops = session.scalar(
        select(func.count(distinct(Interview.candidate_id)))
        .join(Candidate, Candidate.id == Interview.candidate_id)
        .join(Requisition, Requisition.id == Candidate.requisition_id)
        .where(_held(now), Interview.starts_at >= recent_from,
               _scope(viewer, filters.level, now))) or 0
    ids = [row[0] for row in listed]
    rated = _ratings(session, viewer, filters, ids, now)
    rows = [_row(qid, title, category, n_uses, n_recent, recent_loops, rated.get(qid, {}),
                 exposure_limit)
            for qid, title, category, n_uses, n_recent in listed]
    return QuestionReport(rows, number, size, total, recent_loops, exposure_limit)


# (candidate -> (rating -> count), candidate -> latest decision) per question
Rated = dict[int, dict[int, tuple[dict[int, int], DecisionKind | None]]]


def _ratings(session: Session, viewer: User, filters: QuestionFilters, ids: list[int],
             now: datetime) -> Rated:
    """question -> candidate -> ({rating: how many}, latest decision): the visible ratings
    in the question's areas on the interviews of stages that asked it, in one statement."""
    if not ids:
        return {}
    visible = queries.visible_scorecards(
        viewer, Filters(level=filters.level, since=filters.since, until=filters.until), now)
    decided = queries.latest_decisions()
    result: Rated = defaultdict(dict)
    for qid, cid, rating, kind, count in session.execute(
            select(LoopQuestion.question_id, visible.c.candidate_id, Rating.rating,
                   decided.c.kind, func.count())
            .join(visible, visible.c.stage_id == LoopQuestion.stage_id)
            .join(Rating, Rating.scorecard_id == visible.c.scorecard_id)
            .join(QuestionArea, and_(QuestionArea.question_id == LoopQuestion.question_id,
                                     QuestionArea.area_id == Rating.area_id))
            .outerjoin(decided, decided.c.candidate_id == visible.c.candidate_id)
            .where(LoopQuestion.question_id.in_(ids), Rating.rating.is_not(None))
            .group_by(LoopQuestion.question_id, visible.c.candidate_id, Rating.rating,
                      decided.c.kind)):
        counts, _ = result[qid].setdefault(cid, ({}, DecisionKind(kind) if kind else None))
        counts[rating] = count
    return result


def _row(qid: int, title: str, category: Category, uses: int, recent: int, recent_loops: int,
         rated: dict[int, tuple[dict[int, int], DecisionKind | None]],
         exposure_limit: int) -> QuestionRow:
    ratings = [sum(counts.get(v, 0) for counts, _ in rated.values()) for v in stats.RATING_VALUES]
    offered, scores = [], []
    for counts, kind in rated.values():
        if kind in (DecisionKind.OFFER, DecisionKind.REJECT):
            offered.append(kind == DecisionKind.OFFER)
            scores.append(sum(v * n for v, n in counts.items()) / sum(counts.values()))
    offers = sum(offered)
    rejections = len(offered) - offers
    estimate = (stats.discrimination(offered, scores) if enough_decided(offers, rejections)
                else Estimate(None, None, None))
    row = QuestionRow(qid, title, category, uses, recent, share(recent, recent_loops, 1),
                      ratings, len(rated), offers, rejections, estimate)
    row.flags.extend(flags(row, exposure_limit))
    return row


def flags(row: QuestionRow, exposure_limit: int) -> list[Flag]:
    found = []
    if row.uses == 0:
        found.append(Flag.NEVER_USED)
    if row.recent_uses >= exposure_limit:
        found.append(Flag.OVER_EXPOSED)
    if row.enough_ratings:
        if row.ratings[-1] >= limits.CEILING_SHARE * row.rating_count:
            found.append(Flag.CEILING)
        if row.ratings[0] >= limits.CEILING_SHARE * row.rating_count:
            found.append(Flag.FLOOR)
    if row.strength == "low":
        found.append(Flag.LOW_DISCRIMINATION)
    return found
