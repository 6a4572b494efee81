"""What the scheduling pages show: an interviewer's interviews, a requisition's board."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from interviewloop.auth.models import User
from interviewloop.db import utcnow
from interviewloop.loops.models import Loop, LoopStage
from interviewloop.requisitions.models import Candidate, Requisition
from interviewloop.scheduling.models import Interview, InterviewStatus, Panelist
from interviewloop.scheduling.rsvp import PanelAnswer, panel_answers
from interviewloop.scheduling.signals import counting_scorecards


@dataclass(frozen=True)
class InterviewRow:
    interview: Interview
    requisition: Requisition


def interviews_of(session: Session, user: User, *, include_cancelled: bool = False
                  ) -> list[InterviewRow]:
    """The user's interviews as a panelist, oldest first, with what the pages show."""
    stmt = (
        select(Interview, Requisition)
        .join(Panelist, Panelist.interview_id == Interview.id)
        .join(Candidate, Candidate.id == Interview.candidate_id)
        .join(Requisition, Requisition.id == Candidate.requisition_id)
        .where(Panelist.user_id == user.id)
        .options(selectinload(Interview.candidate), selectinload(Interview.stage),
                 selectinload(Interview.panel).selectinload(Panelist.user))
        .order_by(Interview.starts_at, Interview.id)
    )
    if not include_cancelled:
        stmt = stmt.where(Interview.status == InterviewStatus.SCHEDULED)
    return [InterviewRow(i, r) for i, r in session.execute(stmt)]


def split_upcoming(rows: list[InterviewRow], now: datetime | None = None
                   ) -> tuple[list[InterviewRow], list[InterviewRow]]:
    now = now or utcnow()
    upcoming = [r for r in rows if r.interview.ends_at > now]
    past = [r for r in rows if r.interview.ends_at <= now][::-1]
    return upcoming, past


class StageState(enum.StrEnum):
    """A loop stage on the board."""

    UNSCHEDULED = "unscheduled"
    SCHEDULED = "scheduled"  # booked, not yet over
    DONE = "done"  # the interview is over

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(state.value, state.value) for state in cls]


@dataclass(frozen=True)
class StageCell:
    stage: LoopStage
    interview: Interview | None
    state: StageState
    submitted: int = 0  # scorecards in
    overdue: int = 0  # scorecards past due
    answers: tuple[PanelAnswer, ...] = ()  # each panelist's RSVP, flagged for chasing


@dataclass(frozen=True)
class BoardRow:
    candidate: Candidate
    cells: list[StageCell]


def board(session: Session, requisition: Requisition, now: datetime | None = None,
          due_hours: int = 24) -> list[BoardRow]:
    """Candidates by their loop's stages, with each stage's state (scorecards count the
    submitted ones), in three queries."""
    now = now or utcnow()
    rows = session.execute(
        select(Candidate, Loop).outerjoin(Loop, Loop.candidate_id == Candidate.id)
        .where(Candidate.requisition_id == requisition.id)
        .options(selectinload(Loop.stages))
        .order_by(Candidate.name, Candidate.id)).all()
    live = {i.stage_id: i for i in session.scalars(
        select(Interview).join(Candidate, Candidate.id == Interview.candidate_id)
        .where(Interview.status == InterviewStatus.SCHEDULED,
               Candidate.requisition_id == requisition.id)
        .options(selectinload(Interview.panel).selectinload(Panelist.user)))}
    submitted: dict[int, int] = {}
    for _receiver, counts in counting_scorecards.send(session, requisition=requisition):
        submitted.update(counts)
    result = []
    for candidate, loop in rows:
        cells = []
        for stage in (loop.stages if loop else []):
            interview = live.get(stage.id)
            state = (StageState.UNSCHEDULED if interview is None else
                     StageState.DONE if interview.ends_at <= now else StageState.SCHEDULED)
            done = submitted.get(interview.id, 0) if interview else 0
            late = 0
            if interview and interview.ends_at + timedelta(hours=due_hours) < now:
                late = len(interview.panel) - done
            answers = tuple(panel_answers(interview, now)) if interview else ()
            cells.append(StageCell(stage, interview, state, done, late, answers))
        result.append(BoardRow(candidate, cells))
    return result


@dataclass(frozen=True)
class StageSchedule:
    """A stage's live interview as the candidate's loop page shows it."""

    interview: Interview
    answers: tuple[PanelAnswer, ...]


def stage_schedules(session: Session, stage_ids: list[int], now: datetime | None = None
                    ) -> dict[int, StageSchedule]:
    """The live interview of each of these stages, with its panel's answers (two queries,
    however large the panels)."""
    now = now or utcnow()
    interviews = session.scalars(
        select(Interview).where(Interview.stage_id.in_(stage_ids),
                                Interview.status == InterviewStatus.SCHEDULED)
        .options(selectinload(Interview.panel).joinedload(Panelist.user)
                 .lazyload(User.role_rows)))
    return {i.stage_id: StageSchedule(i, tuple(panel_answers(i, now))) for i in interviews}
