"""The API's lists of loops, interviews, bank questions and users, a page at a time
(queries.page_of: keyset on (updated_at, id)), each with what its schema shows loaded in a
fixed number of statements.

Who sees what is the pages' rule: a loop is its candidate's managers' (the loop page's
load_managed); an interview its managers' and its panel's, on the hiring team (the
interview page's _load_interview); the bank anyone's; users admins' (the views check)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, exists, or_, select
from sqlalchemy.orm import Session, selectinload

from interviewloop.api.queries import Page, Window, page_of
from interviewloop.auth.models import User
from interviewloop.bank import service as bank
from interviewloop.bank.models import Question
from interviewloop.loops.models import Loop, LoopQuestion, LoopStage
from interviewloop.requisitions.models import Candidate, Requisition
from interviewloop.requisitions.service import managed_clause, visible_clause
from interviewloop.scheduling.models import Interview, Panelist

_STAGE_QUESTIONS = selectinload(LoopStage.questions).selectinload(LoopQuestion.question)

LOOP_OPTIONS = (selectinload(Loop.candidate),
                selectinload(Loop.stages).selectinload(LoopStage.focus_areas),
                selectinload(Loop.stages).options(_STAGE_QUESTIONS))
INTERVIEW_OPTIONS = (selectinload(Interview.candidate),
                     selectinload(Interview.stage).options(_STAGE_QUESTIONS),
                     selectinload(Interview.panel).selectinload(Panelist.user)
                     .lazyload(User.role_rows))
QUESTION_OPTIONS = (selectinload(Question.points), selectinload(Question.level_rows),
                    selectinload(Question.areas), selectinload(Question.benchmarks))


def _of_candidate(candidate_id: Any, requisition_id: int | None,
                  visible: ColumnElement[bool]) -> ColumnElement[bool]:
    """The row's candidate (and requisition) pass ``visible``, asked row by row: with no
    join in the list's FROM the database reads the page from the list's order index and
    stops, where a join let SQLite start from the manager's requisitions and sort every
    loop of their 10,000 candidates."""
    found = select(Candidate.id).join(Requisition, Candidate.requisition_id == Requisition.id) \
        .where(Candidate.id == candidate_id, visible)
    if requisition_id is not None:
        found = found.where(Candidate.requisition_id == requisition_id)
    return found.exists()


def loop_page(session: Session, user: User, window: Window, *, requisition_id: int | None = None,
              candidate_id: int | None = None) -> Page[Loop]:
    stmt = select(Loop).where(_of_candidate(Loop.candidate_id, requisition_id,
                                            managed_clause(user))).options(*LOOP_OPTIONS)
    if candidate_id is not None:
        stmt = stmt.where(Loop.candidate_id == candidate_id)
    return page_of(session, stmt, Loop, window)


def interview_page(session: Session, user: User, window: Window, *,
                   requisition_id: int | None = None,
                   candidate_id: int | None = None) -> Page[Interview]:
    # Correlated by name: it sits two levels down (in _of_candidate's EXISTS), and SQLAlchemy
    # correlates only to the SELECT directly enclosing a subquery.
    on_panel = exists().where(Panelist.interview_id == Interview.id,
                              Panelist.user_id == user.id).correlate(Interview)
    stmt = select(Interview).where(_of_candidate(
        Interview.candidate_id, requisition_id,
        and_(visible_clause(user), or_(managed_clause(user), on_panel)))) \
        .options(*INTERVIEW_OPTIONS)
    if candidate_id is not None:
        stmt = stmt.where(Interview.candidate_id == candidate_id)
    return page_of(session, stmt, Interview, window)


def question_page(session: Session, window: Window, filters: bank.BankFilters) -> Page[Question]:
    matching = bank.filtered(filters, session.get_bind().dialect.name)
    return page_of(session, matching.options(*QUESTION_OPTIONS), Question, window)


def user_page(session: Session, window: Window) -> Page[User]:
    return page_of(session, select(User), User, window)
