"""The API's lists of scorecards, pre-offer checks and decisions: what the caller may see,
oldest change first, a page at a time (queries.page_of).

Visibility is the scorecards feature's own rule in SQL: may_view_submitted_clause for
scorecards (may_view, row by row), sees_panel_clause for what the debrief page shows
(panel_access): the pre-offer check and the decisions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, contains_eager, joinedload, load_only, selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from interviewloop.api.queries import Page, Window, page_of
from interviewloop.auth.models import User
from interviewloop.bank.models import CapabilityArea
from interviewloop.debrief.models import Decision, PreOfferCheck
from interviewloop.loops.models import LoopStage
from interviewloop.requisitions.models import Candidate, Requisition
from interviewloop.scheduling.models import Interview
from interviewloop.scorecards.access import may_view_submitted_clause, sees_panel_clause
from interviewloop.scorecards.models import Rating, Scorecard


def _filtered(stmt: Select[Any], model: Any, candidate_id: int | None,
              requisition_id: int | None, row_id: int | None) -> Select[Any]:
    if row_id is not None:
        stmt = stmt.where(model.id == row_id)
    if candidate_id is not None:
        stmt = stmt.where(Candidate.id == candidate_id)
    if requisition_id is not None:
        # "+ 0": not a term an index can answer, so that the page is still read from the
        # list's order index, each row checked against the requisition. Otherwise SQLite
        # (whose planner does not weigh the LIMIT) starts from the requisition's candidates
        # and sorts all their rows (10,000 candidates on one requisition, in the bench).
        stmt = stmt.where(Candidate.requisition_id + 0 == requisition_id)
    return stmt


def scorecard_options() -> list[LoaderOption]:
    """What a scorecard's JSON shows, loaded in a fixed number of queries per page."""
    return [selectinload(Scorecard.ratings).joinedload(Rating.area),
            selectinload(Scorecard.notes), selectinload(Scorecard.signals),
            selectinload(Scorecard.interviewer).raiseload("*"),
            selectinload(Scorecard.interview).options(
                joinedload(Interview.stage).raiseload("*"),
                joinedload(Interview.candidate).raiseload("*"))]


def _listed_scorecard_options() -> list[LoaderOption]:
    """scorecard_options with only the columns a scorecard's JSON shows (a column left out
    raises rather than loads one by one). For the list alone: an object loaded partly stays
    so in the session, and GET /scorecards/{id}'s permission checks read more of them."""
    return [selectinload(Scorecard.ratings).options(
                load_only(Rating.rating, Rating.evidence, raiseload=True),
                joinedload(Rating.area).load_only(CapabilityArea.slug, CapabilityArea.name,
                                                  raiseload=True)),
            selectinload(Scorecard.notes), selectinload(Scorecard.signals),
            selectinload(Scorecard.interviewer).load_only(User.name, raiseload=True)
            .raiseload("*"),
            selectinload(Scorecard.interview).options(
                load_only(Interview.stage_id, Interview.starts_at, Interview.ends_at,
                          raiseload=True),
                joinedload(Interview.stage).load_only(LoopStage.name, raiseload=True)
                .raiseload("*"),
                joinedload(Interview.candidate).load_only(Candidate.requisition_id,
                                                          raiseload=True).raiseload("*"))]


def scorecard_page(session: Session, viewer: User, window: Window, *, now: datetime,
                   candidate_id: int | None = None, requisition_id: int | None = None,
                   scorecard_id: int | None = None) -> Page[Scorecard]:
    # The card's candidate and requisition are asked in an EXISTS, row by row, not joined:
    # with scorecards alone in the FROM, PostgreSQL reads the page from the order index and
    # stops (0.4 ms at 91,000 cards) instead of hash-joining every card and sorting (50 ms).
    readable = (select(Candidate.id).join(Requisition, Requisition.id == Candidate.requisition_id)
                .where(Candidate.id == Scorecard.candidate_id,
                       may_view_submitted_clause(viewer, now)))
    if requisition_id is not None:
        readable = readable.where(Candidate.requisition_id == requisition_id)
    stmt = select(Scorecard).where(readable.exists()).options(*_listed_scorecard_options())
    if candidate_id is not None:
        stmt = stmt.where(Scorecard.candidate_id == candidate_id)
    if scorecard_id is not None:
        stmt = stmt.where(Scorecard.id == scorecard_id)
    return page_of(session, stmt, Scorecard, window)


def _debriefed(model: type[PreOfferCheck] | type[Decision], viewer: User,
               now: datetime) -> Select[Any]:
    return (select(model).join(Candidate, Candidate.id == model.candidate_id)
            .join(Requisition, Requisition.id == Candidate.requisition_id)
            .where(sees_panel_clause(viewer, now))
            .options(contains_eager(model.candidate)))


def pre_offer_page(session: Session, viewer: User, window: Window, *, now: datetime,
                   candidate_id: int | None = None, requisition_id: int | None = None,
                   check_id: int | None = None) -> Page[PreOfferCheck]:
    stmt = _debriefed(PreOfferCheck, viewer, now).options(
        selectinload(PreOfferCheck.manager).raiseload("*"))
    return page_of(session, _filtered(stmt, PreOfferCheck, candidate_id, requisition_id,
                                                 check_id), PreOfferCheck,
                       window, changed="answered_at")


def decision_page(session: Session, viewer: User, window: Window, *, now: datetime,
                  candidate_id: int | None = None, requisition_id: int | None = None,
                  decision_id: int | None = None) -> Page[Decision]:
    stmt = _debriefed(Decision, viewer, now).options(
        selectinload(Decision.decided_by).raiseload("*"))
    return page_of(session, _filtered(stmt, Decision, candidate_id, requisition_id,
                                                 decision_id), Decision,
                       window, changed="decided_at")
