"""What analytics answers when the debrief asks (connected in interviewloop/wiring.py)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy.orm import Session

from interviewloop.analytics import cache, leniency
from interviewloop.auth.models import User


def adjusted_ratings(session: Session, *, viewer: User, candidate_id: int,
                     ratings: Collection[tuple[int, int, int, int | None]]
                     ) -> dict[tuple[int, int], leniency.Adjusted]:
    """On ``reading_ratings``: each rating's leniency-adjusted value, where its
    interviewer has enough history the viewer may see (analytics/leniency.py)."""
    return leniency.adjusted_ratings(session, viewer, candidate_id, ratings)


def forget_reports(_sender: object, **_kwargs: object) -> None:
    """On a change the reports read (a scorecard in or edited, a decision, a pre-offer
    answer, an interview booked, moved or cancelled, a candidate added, a requisition
    opened): this process's cached reports go (analytics/cache.py says what else keeps
    them fresh)."""
    cache.forget()
