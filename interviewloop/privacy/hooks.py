"""Privacy's receivers for the signals of the features below it (interviewloop/wiring.py)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from interviewloop.errors import Conflict
from interviewloop.privacy.service import erasure_of
from interviewloop.requisitions.models import Candidate


def refuse_editing_erased(session: Session, *, candidate: Candidate) -> None:
    """On ``candidate_changing``: an erased candidate is not edited (it would put personal
    data back where it was erased)."""
    if erasure_of(session, candidate.id) is not None:
        raise Conflict("This candidate's personal data was erased; their details are not "
                       "edited again.")


def refuse_booking_erased(session: Session, *, candidate: Candidate) -> str | None:
    """On ``checking_candidate``: an erased candidate is not booked again."""
    if erasure_of(session, candidate.id) is not None:
        return "This candidate's personal data was erased; they are not scheduled again."
    return None
