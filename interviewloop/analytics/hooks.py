"""What analytics answers when the debrief asks (connected in interviewloop/wiring.py)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy.orm import Session

from interviewloop.analytics import leniency
from interviewloop.auth.models import User


def adjusted_ratings(session: Session, *, viewer: User, candidate_id: int,
                     ratings: Collection[tuple[int, int, int, int | None]]
                     ) -> dict[tuple[int, int], leniency.Adjusted]:
    """On ``reading_ratings``: each rating's leniency-adjusted value, where its
    interviewer has enough history the viewer may see (analytics/leniency.py)."""
    return leniency.adjusted_ratings(session, viewer, candidate_id, ratings)
