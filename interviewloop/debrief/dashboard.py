"""The requisition dashboard: every candidate with progress, outstanding scorecards, a
ratings summary, the pre-offer state and the decision, in a fixed number of queries.

A page at a time: by name, keyset pages; by a figure, the figure is computed in SQL for the
sort (numbered pages, the offset capped), and the page's figures are then read for its
candidates only."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import (
    Float,
    Select,
    String,
    case,
    cast,
    exists,
    func,
    literal,
    select,
    true,
    type_coerce,
)
from sqlalchemy.orm import QueryableAttribute, Session
from sqlalchemy.sql.elements import ColumnElement

from interviewloop.auth.models import User
from interviewloop.db import limited, plain_rows
from interviewloop.debrief import dashboard_reads as reads
from interviewloop.debrief.models import Decision, PreOfferCheck
from interviewloop.loops.models import Loop, LoopStage
from interviewloop.paging import (
    BOARD_PAGE,
    FIRST,
    Cursor,
    Keyset,
    Page,
    keyset_page,
    numbered_page,
    row_id,
    text,
)
from interviewloop.requisitions.models import Candidate, CandidateStatus, Requisition
from interviewloop.scheduling.models import Interview, InterviewStatus, Panelist
from interviewloop.scorecards.access import counted_clause, owes_clause
from interviewloop.scorecards.models import Rating, Scorecard, ScorecardStatus

SORTS = ("name", "status", "progress", "outstanding", "mean", "pre_offer", "decision")
NAME_ORDER = Keyset((Candidate.name, Candidate.id), (text, row_id))


class Listed(NamedTuple):
    """A candidate as the dashboard lists them: plain values, not an object a row."""

    id: int
    name: str
    status: CandidateStatus


@dataclass(frozen=True)
class DashboardRow:
    candidate: Listed
    stages: int
    stages_done: int
    outstanding: int  # scorecards owed on interviews that have started
    overdue: int  # of those, past their due time
    mean: float | None
    ratings: int
    pre_offer: str  # not answered, passed, keep looking
    decision: str  # the latest decision, or ""
    hidden: bool = False  # the viewer interviews this candidate and owes a scorecard
    # Per capability area id: (mean rating, how many ratings), for the heatmap.
    areas: dict[int, tuple[float, int]] = field(default_factory=dict)

    def heat(self, area_id: int) -> int | None:
        """The area's mean rounded to a rating (its colour), or None if unrated."""
        found = self.areas.get(area_id)
        return None if found is None else max(1, min(4, int(found[0] + 0.5)))


def _rows_for(session: Session, candidates: list[Listed], viewer: User, *,
              now: datetime, due_hours: int) -> list[DashboardRow]:
    """The dashboard's figures for these candidates (a page), in their order. The viewer's
    own pending interviews hide that candidate's ratings and pre-offer state from them
    (independence holds whatever the role)."""
    ids = [c.id for c in candidates]  # each table's own candidate_id: no join to candidates
    # Interviews still to come owe nothing yet; past the due time, a scorecard is overdue.
    values = {"ids": ids, "viewer": viewer.id, "now": now,
              "overdue_before": now - timedelta(hours=due_hours)}
    # Plain rows (plain_rows): the page shows their values, and the ORM's step over each
    # statement cost about as much as running it.
    dialect = session.get_bind().dialect.name
    figures = {row[0]: row for row in plain_rows(session, reads.figures(dialect), values)}
    # One pass over the ratings, per candidate and area; a candidate's mean is their areas'
    # sums over their counts (exactly the mean of all their ratings).
    by_area: dict[int, dict[int, tuple[float, int]]] = {}
    totals: dict[int, tuple[int, int]] = {}
    for cid, area_id, total, n in plain_rows(session, reads.ratings(dialect), values):
        total = total or 0  # never NULL: only rated rows are summed
        by_area.setdefault(cid, {})[area_id] = (total / n, n)
        summed, counted = totals.get(cid, (0, 0))
        totals[cid] = (summed + total, counted + n)
    means = {cid: (summed / counted, counted) for cid, (summed, counted) in totals.items()}
    result = []
    for candidate in candidates:
        mean, count = means.get(candidate.id, (None, 0))
        _id, pending, stages, done, owed, overdue, check, decision = figures[candidate.id]
        hidden = bool(pending)  # EXISTS: 0 or 1 on SQLite
        result.append(DashboardRow(
            candidate, stages, done, owed, overdue,
            None if hidden or mean is None else float(mean), 0 if hidden else count,
            "hidden" if hidden else check or "not answered",
            decision.value if decision else "", hidden,
            {} if hidden else by_area.get(candidate.id, {})))
    return result


def _hidden(viewer: User) -> ColumnElement[bool]:
    """The viewer is on one of the candidate's scheduled panels and has not submitted."""
    mine = exists().where(Scorecard.interview_id == Interview.id,
                          Scorecard.interviewer_id == viewer.id,
                          Scorecard.status == ScorecardStatus.SUBMITTED)
    return exists().where(Interview.candidate_id == Candidate.id,
                          Interview.status == InterviewStatus.SCHEDULED,
                          Panelist.interview_id == Interview.id, Panelist.user_id == viewer.id,
                          ~mine)


def _count(stmt: Select[Any]) -> ColumnElement[int]:
    return func.coalesce(stmt.scalar_subquery(), 0)


def _sort_keys(sort: str, viewer: User, *, now: datetime, due_hours: int
               ) -> list[ColumnElement[Any] | QueryableAttribute[Any]]:
    """The sort's key per candidate, in SQL, as the page shows it (hidden figures sort as
    if empty, so that the order tells nothing the page hides)."""
    live = (Interview.candidate_id == Candidate.id,
            Interview.status == InterviewStatus.SCHEDULED)
    if sort == "status":
        return [Candidate.status]
    if sort == "progress":
        stages = _count(select(func.count(LoopStage.id)).join(Loop)
                        .where(Loop.candidate_id == Candidate.id))
        done = _count(select(func.count(Interview.id)).where(*live, Interview.ends_at <= now))
        return [case((stages > 0, cast(done, Float) / stages), else_=0.0).desc()]
    if sort == "outstanding":
        owed = (select(func.count(Panelist.user_id))
                .join(Interview, Interview.id == Panelist.interview_id)
                .where(*live, Interview.starts_at <= now, owes_clause(), ~exists().where(
                    Scorecard.interview_id == Interview.id,
                    Scorecard.interviewer_id == Panelist.user_id,
                    Scorecard.status == ScorecardStatus.SUBMITTED)))
        late = owed.where(Interview.ends_at < now - timedelta(hours=due_hours))
        return [_count(late).desc(), _count(owed).desc()]
    hidden = _hidden(viewer)
    if sort == "mean":
        mean = (select(func.avg(Rating.rating)).join(Scorecard)
                .where(Scorecard.candidate_id == Candidate.id,
                       Scorecard.status == ScorecardStatus.SUBMITTED, counted_clause(),
                       Rating.rating.is_not(None)).scalar_subquery())
        return [case((hidden, 0), else_=func.coalesce(mean, 0)).desc()]
    if sort == "pre_offer":
        passed = select(PreOfferCheck.passed).where(
            PreOfferCheck.candidate_id == Candidate.id).scalar_subquery()
        return [case((hidden, "hidden"), (passed.is_(None), "not answered"),
                     (passed == true(), "passed"), else_="keep looking")]
    assert sort == "decision"
    kind = (select(Decision.kind).where(Decision.candidate_id == Candidate.id)
            .order_by(Decision.id.desc()).limit(1).scalar_subquery())
    return [func.coalesce(type_coerce(kind, String), literal(""))]


def page(session: Session, requisition: Requisition, viewer: User, *, now: datetime,
         due_hours: int, sort: str = "name", status: str | None = None,
         cursor: Cursor = FIRST, number: int = 1, size: int = BOARD_PAGE
         ) -> Page[DashboardRow]:
    """A page of the dashboard, sorted and filtered in SQL."""
    stmt = (select(Candidate.id, Candidate.name, Candidate.status)
            .where(Candidate.requisition_id == requisition.id))
    if status:
        stmt = stmt.where(Candidate.status == status)
    if sort == "name":
        found = keyset_page(session, stmt, NAME_ORDER, cursor, lambda c: (c.name, c.id),
                            size=size, scalars=False)
    else:
        total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        number = min(number, max(1, -(-total // size)))  # past the end: the last page
        keys = _sort_keys(sort, viewer, now=now, due_hours=due_hours)
        items = list(session.execute(limited(stmt.order_by(*keys, Candidate.name, Candidate.id),
                                            size, (number - 1) * size)))
        found = numbered_page(items, number=number, size=size, total=total)
    listed = [Listed(*row) for row in found.items]
    return replace(found, items=_rows_for(session, listed, viewer, now=now, due_hours=due_hours))


def rows(session: Session, requisition: Requisition, viewer: User, *, now: datetime,
         due_hours: int) -> list[DashboardRow]:
    """The first page, by name."""
    return page(session, requisition, viewer, now=now, due_hours=due_hours).items
