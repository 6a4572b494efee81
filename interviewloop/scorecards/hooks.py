"""What scorecards say when scheduling asks (connected in interviewloop/wiring.py)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from interviewloop.auth.models import User
from interviewloop.scheduling.models import Interview
from interviewloop.scheduling.service import SchedulingRefused
from interviewloop.scorecards.models import Scorecard, ScorecardStatus


def keep_writers_on_panel(session: Session, *, interview: Interview, keeping: Collection[int]
                          ) -> None:
    """On ``panel_changing``: whoever has started a scorecard for the interview stays on
    its panel."""
    writers = session.scalars(select(User.name).join(Scorecard, Scorecard.interviewer_id == User.id)
                              .where(Scorecard.interview_id == interview.id,
                                     User.id.not_in(keeping))).all()
    if writers:
        raise SchedulingRefused([f"{name} has started a scorecard for this interview and "
                                 "stays on its panel." for name in writers])


def submitted_counts(session: Session, *, interview_ids: Collection[int]) -> dict[int, int]:
    """On ``counting_scorecards``: submitted scorecards per interview (of a board's page)."""
    rows = session.execute(
        select(Scorecard.interview_id, func.count())
        .where(Scorecard.interview_id.in_(list(interview_ids)),
               Scorecard.status == ScorecardStatus.SUBMITTED)
        .group_by(Scorecard.interview_id)).all()
    return dict(rows)
