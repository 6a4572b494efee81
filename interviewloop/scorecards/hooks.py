"""What scorecards say when scheduling asks (connected in interviewloop/wiring.py)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from functools import cache

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from interviewloop.auth.models import User
from interviewloop.db import among
from interviewloop.enums import Category, Level, PanelRole
from interviewloop.loops.models import Loop, LoopStage
from interviewloop.scheduling.models import Interview, InterviewStatus, Panelist
from interviewloop.scheduling.service import SchedulingRefused
from interviewloop.scorecards.access import counted_clause
from interviewloop.scorecards.models import Scorecard, ScorecardStatus


def keep_writers_on_panel(session: Session, *, interview: Interview, keeping: Collection[int],
                          seats: Mapping[int, PanelRole] | None = None) -> None:
    """On ``panel_changing``: whoever has started a scorecard for the interview stays on
    its panel, in the same seat (a practice card does not become a counted one, nor the
    other way round)."""
    writers = session.execute(
        select(User.id, User.name, Scorecard.panel_role)
        .join(Scorecard, Scorecard.interviewer_id == User.id)
        .where(Scorecard.interview_id == interview.id)).all()
    reasons = [f"{name} has started a scorecard for this interview and stays on its panel."
               for user_id, name, _role in writers if user_id not in keeping]
    reasons += [f"{name} has started a scorecard as {role.label} and keeps that seat."
                for user_id, name, role in writers
                if seats is not None and user_id in keeping and seats.get(user_id, role) != role]
    if reasons:
        raise SchedulingRefused(reasons)


@cache
def _submitted_counts(dialect: str) -> Select[int, int]:
    """Built once, the ids bound when it runs (the board asks on every page)."""
    return (select(Scorecard.interview_id, func.count())
            .where(among(Scorecard.interview_id, "ids", dialect),
                   Scorecard.status == ScorecardStatus.SUBMITTED, counted_clause())
            .group_by(Scorecard.interview_id))


def submitted_counts(session: Session, *, interview_ids: Collection[int]) -> dict[int, int]:
    """On ``counting_scorecards``: submitted scorecards per interview (of a board's page);
    practice cards are not counted."""
    statement = _submitted_counts(session.get_bind().dialect.name)
    return dict(session.execute(statement, {"ids": list(interview_ids)}).all())


def training_seats(session: Session, *, category: Category, level: Level,
                   user_ids: Collection[int], now: datetime) -> dict[int, dict[PanelRole, int]]:
    """On ``counting_training``: per person, the trainee seats they held on interviews of
    this kind of stage (category, loop level) that are over, with their practice card
    submitted (one GROUP BY)."""
    rows = session.execute(
        select(Panelist.user_id, Panelist.role, func.count())
        .join(Interview, Interview.id == Panelist.interview_id)
        .join(LoopStage, LoopStage.id == Interview.stage_id)
        .join(Loop, Loop.id == LoopStage.loop_id)
        .join(Scorecard, (Scorecard.interview_id == Panelist.interview_id)
              & (Scorecard.interviewer_id == Panelist.user_id))
        .where(Panelist.user_id.in_(list(user_ids)), Panelist.role != PanelRole.PANEL,
               Interview.status == InterviewStatus.SCHEDULED, Interview.ends_at <= now,
               LoopStage.category == category, Loop.level == level,
               Scorecard.status == ScorecardStatus.SUBMITTED)
        .group_by(Panelist.user_id, Panelist.role)).all()
    seats: dict[int, dict[PanelRole, int]] = {}
    for user_id, role, count in rows:
        seats.setdefault(user_id, {})[role] = count
    return seats
