"""What the scheduling pages show: an interviewer's interviews, a requisition's board."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import cache
from itertools import groupby
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy import BindParameter, ColumnElement, Select, bindparam, exists, select
from sqlalchemy.orm import Session, contains_eager, joinedload

from interviewloop import limits
from interviewloop.auth.models import User
from interviewloop.db import among, limited, plain_rows, utcnow
from interviewloop.loops.models import Loop, LoopStage
from interviewloop.paging import (
    BOARD_PAGE,
    FIRST,
    LIST_PAGE,
    Cursor,
    Keyset,
    Page,
    keyset_page,
    moment,
    row_id,
    text,
)
from interviewloop.requisitions.models import Candidate, CandidateStatus, Requisition
from interviewloop.scheduling.models import (
    Interview,
    InterviewStatus,
    LoopProposal,
    Panelist,
    ProposedStage,
)
from interviewloop.scheduling.proposed import proposed_stage_ids
from interviewloop.scheduling.rsvp import PanelAnswer, seat_answer
from interviewloop.scheduling.signals import checking_calendar_lag, counting_scorecards


def calendars_behind(session: Session, interview_ids: list[int]) -> dict[int, list[str]]:
    """Whose own calendar is behind for each of these interviews (calendars answer)."""
    found: dict[int, list[str]] = {}
    for _receiver, behind in checking_calendar_lag.send(session, interview_ids=interview_ids):
        found.update(behind)
    return found


@dataclass(frozen=True)
class InterviewRow:
    interview: Interview
    requisition: Requisition


def interviews_of(session: Session, user: User, *, include_cancelled: bool = False
                  ) -> list[InterviewRow]:
    """The user's interviews as a panelist, oldest first, with what the pages show (the
    calendar feed: all of them, in one statement however many, since selectinload would
    send one per 500)."""
    stmt = (
        select(Interview, Requisition)
        .join(Panelist, Panelist.interview_id == Interview.id)
        .join(Interview.candidate).join(Interview.stage)
        .join(Requisition, Requisition.id == Candidate.requisition_id)
        .where(Panelist.user_id == user.id)
        .options(contains_eager(Interview.candidate), contains_eager(Interview.stage),
                 joinedload(Interview.panel).joinedload(Panelist.user)
                 .lazyload(User.role_rows))
        .order_by(Interview.starts_at, Interview.id)
    )
    if not include_cancelled:
        stmt = stmt.where(Interview.status == InterviewStatus.SCHEDULED)
    return [InterviewRow(i, r) for i, r in session.execute(stmt).unique()]


# A person's interviews are filtered and ordered on their panel seats' copies of the
# interview's times and state (kept equal to the interview's by the services; the fuzz
# machine checks it), so that the index (user_id, starts_at, interview_id) gives the order
# and a page stops after its rows, rather than every interview of theirs being sorted.
SEAT_ORDER = (Panelist.starts_at, Panelist.interview_id)
PAST_ORDER = Keyset(SEAT_ORDER, (moment, row_id), descending=True)


def _seats_of(user_id: int | BindParameter[int], stmt: Select[*tuple[Any, ...]]
              ) -> Select[*tuple[Any, ...]]:
    """``stmt`` over the user's live seats, with their interviews' candidate, stage and
    requisition joined (not selectinload, which sends a query per 500)."""
    return (stmt.join(Panelist, Panelist.interview_id == Interview.id)
            .join(Interview.candidate).join(Interview.stage)
            .join(Requisition, Requisition.id == Candidate.requisition_id)
            .where(Panelist.user_id == user_id, Panelist.live.is_(True)))


def upcoming_of(session: Session, user: User, *, now: datetime, size: int = LIST_PAGE
                ) -> tuple[list[InterviewRow], bool]:
    """The user's next ``size`` interviews (those under way too), soonest first, and
    whether more follow."""
    params = {"user_id": user.id, "now": now, "earliest": now - LONGEST_INTERVIEW}
    rows = [InterviewRow(i, r) for i, r in session.execute(_upcoming(size), params)]
    return rows[:size], len(rows) > size


# No interview lasts longer (the scheduling service books none longer): one not over yet
# started after now minus this. Bounding the seat index's range by it, the home reads the
# seats from then on, where it walked every seat the person ever had (2,565 for an
# interviewer at 10,000 candidates: 2.4 ms on PostgreSQL, to find none).
LONGEST_INTERVIEW = timedelta(minutes=limits.INTERVIEW_MINUTES.high)


@cache
def _upcoming(size: int) -> Select[*tuple[Any, ...]]:
    """upcoming_of's statement, built once per size (every home page runs it): with its
    loader options it cost more to build than to run."""
    return limited(
        _seats_of(bindparam("user_id"), select(Interview, Requisition))
        .options(contains_eager(Interview.candidate), contains_eager(Interview.stage))
        .where(Panelist.starts_at > bindparam("earliest"), Panelist.ends_at > bindparam("now"))
        .order_by(*SEAT_ORDER), size + 1)


class PastInterview(NamedTuple):
    """A past interview as the home lists it: plain values, not four objects a row."""

    id: int
    starts_at: datetime
    candidate: str
    stage: str
    requisition: str


def past_of(session: Session, user: User, *, now: datetime, cursor: Cursor = FIRST,
            size: int = LIST_PAGE) -> Page[PastInterview]:
    """A page of the user's interviews that are over, latest first."""
    stmt = _seats_of(user.id, select(Interview.id, Interview.starts_at, Candidate.name,
                                  LoopStage.name, Requisition.title))
    page = keyset_page(session, stmt.where(Panelist.ends_at <= now), PAST_ORDER, cursor,
                       lambda row: (row.starts_at, row.id), size=size, scalars=False)
    return replace(page, items=[PastInterview(*row) for row in page.items])


class StageState(enum.StrEnum):
    """A loop stage on the board."""

    UNSCHEDULED = "unscheduled"
    PROPOSED = "proposed"  # not booked; times proposed for it, still open
    SCHEDULED = "scheduled"  # booked, not yet over
    DONE = "done"  # the interview is over

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(state.value, state.value) for state in cls]


# The board's rows and cells are NamedTuples, not frozen dataclasses: a page builds hundreds,
# and a frozen dataclass sets each field through object.__setattr__.
class BoardStage(NamedTuple):
    """A loop stage as the board shows it."""

    id: int
    name: str


class BoardInterview(NamedTuple):
    """A stage's live interview as the board shows it."""

    id: int
    starts_at: datetime
    ends_at: datetime
    panel_size: int  # the panel, trainees too


class StageCell(NamedTuple):
    stage: BoardStage
    interview: BoardInterview | None
    state: StageState
    submitted: int = 0  # scorecards in
    overdue: int = 0  # scorecards past due
    answers: tuple[PanelAnswer, ...] = ()  # each panelist's RSVP, flagged for chasing
    calendar_behind: tuple[str, ...] = ()  # whose own calendar does not hold it yet


class BoardCandidate(NamedTuple):
    id: int
    name: str
    status: CandidateStatus


class BoardRow(NamedTuple):
    candidate: BoardCandidate
    cells: list[StageCell]
    bookable: bool = False  # a cell has no interview (the board offers to schedule it)


BOARD_ORDER = Keyset((Candidate.name, Candidate.id), (text, row_id))


def _with_a_stage(state: StageState, now: datetime) -> ColumnElement[bool]:
    """The candidate has a loop stage in ``state`` (for the board's filter, in SQL)."""
    live = (Interview.candidate_id == Candidate.id,
            Interview.status == InterviewStatus.SCHEDULED)
    if state == StageState.SCHEDULED:
        return exists().where(*live, Interview.ends_at > now)
    if state == StageState.DONE:
        return exists().where(*live, Interview.ends_at <= now)
    booked = exists().where(Interview.stage_id == LoopStage.id,
                            Interview.status == InterviewStatus.SCHEDULED)
    proposed = exists().where(ProposedStage.stage_id == LoopStage.id,
                              ProposedStage.proposal_id == LoopProposal.id,
                              LoopProposal.expires_at > now)
    return exists().where(LoopStage.loop_id == Loop.id, Loop.candidate_id == Candidate.id,
                          ~booked, proposed if state == StageState.PROPOSED else ~proposed)


@cache
def _board_seats(dialect: str) -> Select[*tuple[Any, ...]]:
    """Each loop's stages (of the candidates ``ids``), in order, with the stage's live
    interview (one at most) and its panel, joined: one statement however many rows. Built
    once, the ids bound when it runs: building it (and its cache key) on every page cost
    half a millisecond. The ids as one array on PostgreSQL (``among``): the same SQL text
    whatever the page's size, with no IN list to render on each run."""
    return (
        select(Loop.candidate_id, LoopStage.id.label("stage_id"), LoopStage.name.label("stage"),
               Interview.id.label("interview_id"), Interview.starts_at, Interview.ends_at,
               Panelist.user_id, Panelist.rsvp, Panelist.rsvp_at, Panelist.role, User.name,
               User.time_zone)
        .join(Loop.stages)
        .outerjoin(Interview, (Interview.stage_id == LoopStage.id)
                   & (Interview.status == InterviewStatus.SCHEDULED))
        .outerjoin(Interview.panel).outerjoin(Panelist.user)
        .where(among(Loop.candidate_id, "ids", dialect))
        .order_by(Loop.id, LoopStage.position, LoopStage.id, Panelist.user_id))


def board_page(session: Session, requisition: Requisition, *, now: datetime | None = None,
               due_hours: int = 24, status: str | None = None, state: str | None = None,
               cursor: Cursor = FIRST, size: int = BOARD_PAGE) -> Page[BoardRow]:
    """A page of candidates (by name) with their loop's stages and each stage's state
    (scorecards count the submitted ones): filtered in SQL, five queries whatever the size
    of the requisition."""
    now = now or utcnow()
    # Rows of the columns shown, not ORM objects: a page has hundreds of panel seats, and
    # building (and collecting) objects for them was most of the page's time.
    stmt = (select(Candidate.id, Candidate.name, Candidate.status)
            .where(Candidate.requisition_id == requisition.id))
    if status:
        stmt = stmt.where(Candidate.status == status)
    if state:
        stmt = stmt.where(_with_a_stage(StageState(state), now))
    page = keyset_page(session, stmt, BOARD_ORDER, cursor, lambda c: (c.name, c.id),
                       size=size, scalars=False)
    ids = [c.id for c in page.items]
    # A stage's rows, in a row: one per panelist, or one with no panelist (no interview,
    # or one with no panel). Read by position, in _board_seats' order of columns: a row's
    # attribute is a lookup by name, and a page reads thousands. Plain rows (plain_rows):
    # the ORM's step over a page's few hundred seat rows was a millisecond of its time.
    dialect = session.get_bind().dialect.name
    seats = plain_rows(session, _board_seats(dialect), {"ids": ids})
    stages = [list(rows) for _stage_id, rows in groupby(seats, key=itemgetter(1))]
    ids_live = [rows[0].interview_id for rows in stages if rows[0].interview_id is not None]
    proposed = proposed_stage_ids(session, ids, now)
    submitted: dict[int, int] = {}
    for _receiver, counts in counting_scorecards.send(session, interview_ids=ids_live):
        submitted.update(counts)
    behind = calendars_behind(session, ids_live)
    overdue_if_ended_before = now - timedelta(hours=due_hours)
    cells: dict[int, list[StageCell]] = {}
    for rows in stages:
        candidate_id, stage_id, stage_name, interview_id, starts_at, ends_at, user_id, *_ = rows[0]
        stage = BoardStage(stage_id, stage_name)
        if interview_id is None:
            cell = StageCell(stage, None, StageState.PROPOSED if stage_id in proposed
                             else StageState.UNSCHEDULED)
        else:
            panel = rows if user_id is not None else []  # one row, no seat: nobody on the panel
            done = submitted.get(interview_id, 0)
            late = 0
            if ends_at < overdue_if_ended_before:
                late = sum(role.counts for *_, role, _name, _zone in panel) - done
            cell = StageCell(
                stage, BoardInterview(interview_id, starts_at, ends_at, len(panel)),
                StageState.DONE if ends_at <= now else StageState.SCHEDULED, done, late,
                tuple([seat_answer(user_id, name, rsvp, rsvp_at, starts_at, ends_at, zone, now)
                       for *_, user_id, rsvp, rsvp_at, _role, name, zone in panel]),
                tuple(behind.get(interview_id, ())))
        cells.setdefault(candidate_id, []).append(cell)
    board_rows = []
    for c in page.items:
        row = cells.get(c.id, [])
        board_rows.append(BoardRow(BoardCandidate(c.id, c.name, c.status), row,
                                   any(cell.interview is None for cell in row)))
    return replace(page, items=board_rows)


def board(session: Session, requisition: Requisition, now: datetime | None = None,
          due_hours: int = 24) -> list[BoardRow]:
    """The board's first page, every status."""
    return board_page(session, requisition, now=now, due_hours=due_hours).items


class Booked(NamedTuple):
    """A stage's live interview, as the candidate's loop page shows it."""

    id: int
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class StageSchedule:
    """A stage's live interview as the candidate's loop page shows it, or (no interview)
    the times proposed for it, open until ``proposed_until``."""

    interview: Booked | None
    answers: tuple[PanelAnswer, ...] = ()
    held: bool = False  # the interview is over
    proposed_until: datetime | None = None
    calendar_behind: tuple[str, ...] = ()  # whose own calendar does not hold it yet

    @property
    def state(self) -> str:
        if self.interview is None:
            return "proposed" if self.proposed_until else "unscheduled"
        return "held" if self.held else "scheduled"


@cache
def _stage_seats() -> Select[*tuple[Any, ...]]:
    """The live interviews of the stages given, a row per panelist (by user id, as
    Interview.panel is ordered), or one with none."""
    return (select(Interview.stage_id, Interview.id, Interview.starts_at, Interview.ends_at,
                   Panelist.user_id, Panelist.rsvp, Panelist.rsvp_at, User.name,
                   User.time_zone)
            .outerjoin(Interview.panel).outerjoin(Panelist.user)
            .where(Interview.stage_id.in_(bindparam("stages", expanding=True)),
                   Interview.status == InterviewStatus.SCHEDULED)
            .order_by(Interview.id, Panelist.user_id))


def stage_schedules(session: Session, stage_ids: list[int], now: datetime | None = None
                    ) -> dict[int, StageSchedule]:
    """The live interview of each of these stages, with its panel's answers and whose
    calendar is behind, or the times proposed for it (two queries, however large the
    panels, and the calendars' own). The interviews and their panels' seats are read as
    plain rows in one statement, as the board reads them: the page shows values only."""
    now = now or utcnow()
    seats: dict[int, list[Any]] = {}
    for row in session.execute(_stage_seats(), {"stages": stage_ids}):
        seats.setdefault(row.id, []).append(row)
    behind = calendars_behind(session, list(seats))
    found = {}
    for interview_id, rows in seats.items():
        first = rows[0]
        answers = tuple(seat_answer(r.user_id, r.name, r.rsvp, r.rsvp_at, r.starts_at,
                                    r.ends_at, r.time_zone, now)
                        for r in rows if r.user_id is not None)
        found[first.stage_id] = StageSchedule(
            Booked(interview_id, first.starts_at, first.ends_at), answers,
            first.ends_at <= now, calendar_behind=tuple(behind.get(interview_id, ())))
    for stage_id, until in session.execute(
            select(ProposedStage.stage_id, LoopProposal.expires_at).join(LoopProposal)
            .where(ProposedStage.stage_id.in_(stage_ids), LoopProposal.expires_at > now)):
        found.setdefault(stage_id, StageSchedule(None, proposed_until=until))
    return found
