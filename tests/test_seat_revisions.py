"""A person's seat token (scheduling/seat_revisions.py) changes with every change to their
seats that decides what they may see, whoever makes it (the services, or plain SQL as a
bulk load would), and not with what does not (an RSVP, a draft saved again); the analytics
cache keys a viewer's reports by it (analytics/cache.py)."""

from __future__ import annotations

from sqlalchemy import delete, select, update

from interviewloop.db import utcnow
from interviewloop.enums import PanelRole
from interviewloop.scheduling.models import (
    Interview,
    InterviewStatus,
    Panelist,
    RsvpState,
    SeatRevision,
)
from interviewloop.scorecards.models import Scorecard, ScorecardStatus
from tests.factories import held_interview, write_scorecard


def token(session, user) -> int | None:
    session.flush()
    return session.scalar(select(SeatRevision.token).where(SeatRevision.user_id == user.id))


def renews(session, user, change) -> bool:
    before = token(session, user)
    change()
    return token(session, user) != before


def test_every_change_to_a_seat_that_decides_visibility_renews_its_persons_token(
        db_session, bank, make_user):
    held = held_interview(db_session, make_user)
    s, interview, first, second = db_session, held["interview"], held["first"], held["second"]
    seat = (Panelist.interview_id == interview.id) & (Panelist.user_id == first.id)
    assert token(s, first) is not None and token(s, second) is not None  # booked: seats
    card = {}

    def submit():
        card["id"] = write_scorecard(s, first, held["requisition"], interview).id

    changes = {
        "role changed": lambda: s.execute(update(Panelist).where(seat)
                                          .values(role=PanelRole.SHADOW)),
        "role back": lambda: s.execute(update(Panelist).where(seat)
                                       .values(role=PanelRole.PANEL)),
        "scorecard submitted": submit,
        "scorecard back to draft": lambda: s.execute(
            update(Scorecard).where(Scorecard.id == card["id"])
            .values(status=ScorecardStatus.DRAFT, submitted_at=None)),
        "scorecard in again": lambda: s.execute(
            update(Scorecard).where(Scorecard.id == card["id"])
            .values(status=ScorecardStatus.SUBMITTED, submitted_at=utcnow())),
        "submitted scorecard deleted": lambda: s.execute(delete(Scorecard)
                                               .where(Scorecard.id == card["id"])),
        "interview cancelled": lambda: s.execute(
            update(Interview).where(Interview.id == interview.id)
            .values(status=InterviewStatus.CANCELLED, cancelled_at=utcnow())),
        "seat taken away": lambda: s.execute(delete(Panelist).where(seat)),
    }
    assert {what: renews(s, first, change) for what, change in changes.items()} == \
        dict.fromkeys(changes, True)


def test_what_does_not_decide_visibility_leaves_the_token(db_session, bank, make_user):
    held = held_interview(db_session, make_user)
    s, interview, first = db_session, held["interview"], held["first"]
    seat = (Panelist.interview_id == interview.id) & (Panelist.user_id == first.id)
    write_scorecard(s, first, held["requisition"], interview, submit=False)
    assert not renews(s, first, lambda: s.execute(
        update(Panelist).where(seat).values(rsvp=RsvpState.ACCEPTED, rsvp_at=utcnow())))
    assert not renews(s, first, lambda: write_scorecard(
        s, first, held["requisition"], interview, submit=False, summary="Still drafting"))
    assert not renews(s, first, lambda: s.execute(
        update(Interview).where(Interview.id == interview.id).values(location="Room 2")))
    # Their co-panelist's card going in is not their seat (the cache's signals see it).
    assert not renews(s, first, lambda: write_scorecard(
        s, held["second"], held["requisition"], interview))
