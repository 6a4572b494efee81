"""Debrief's guard on scorecards (connected in interviewloop/wiring.py)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from interviewloop.debrief.models import Decision
from interviewloop.errors import Conflict
from interviewloop.scheduling.models import Interview
from interviewloop.scorecards.service import DECISION_LOCKS


def lock_decided_scorecards(session: Session, *, interview: Interview) -> None:
    """On ``scorecard_editing``: a decision locks the scorecards it was made on, those of
    interviews scheduled before it."""
    decided = session.scalar(select(Decision.id).where(
        Decision.candidate_id == interview.candidate_id,
        Decision.decided_at >= interview.created_at).limit(1))
    if decided is not None:
        raise Conflict(DECISION_LOCKS)
