"""interview_panelists.scorecard_in (scorecards/owed.py) follows the scorecards themselves,
whoever writes them: the service's draft and submit, and plain SQL as a bulk load or a
cascade would; the scorecards-to-write list reads it."""

from __future__ import annotations

from sqlalchemy import delete, select, update

from interviewloop.db import utcnow
from interviewloop.scheduling.models import Panelist
from interviewloop.scorecards.models import Scorecard, ScorecardStatus
from interviewloop.scorecards.queries import to_write
from tests.factories import held_interview, write_scorecard


def flags(session, interview) -> dict[int, bool]:
    session.flush()
    return dict(session.execute(select(Panelist.user_id, Panelist.scorecard_in)
                                .where(Panelist.interview_id == interview.id)).all())


def owed(session, user) -> list[int]:
    return [t.interview.id for t in to_write(session, user, now=utcnow(), due_hours=24).items]


def test_the_flag_follows_the_scorecard_through_draft_submit_reopen_and_delete(
        db_session, bank, make_user):
    held = held_interview(db_session, make_user)
    s, interview, first, second = db_session, held["interview"], held["first"], held["second"]
    assert flags(s, interview) == {first.id: False, second.id: False}
    write_scorecard(s, first, held["requisition"], interview, submit=False)
    assert flags(s, interview) == {first.id: False, second.id: False}
    assert owed(s, first) == [interview.id]  # a draft is still owed
    write_scorecard(s, first, held["requisition"], interview)
    assert flags(s, interview) == {first.id: True, second.id: False}
    assert owed(s, first) == [] and owed(s, second) == [interview.id]
    card = s.scalar(select(Scorecard.id).where(Scorecard.interviewer_id == first.id))
    s.execute(update(Scorecard).where(Scorecard.id == card)
              .values(status=ScorecardStatus.DRAFT, submitted_at=None))
    assert flags(s, interview) == {first.id: False, second.id: False}
    s.execute(update(Scorecard).where(Scorecard.id == card)
              .values(status=ScorecardStatus.SUBMITTED, submitted_at=utcnow()))
    assert flags(s, interview)[first.id] is True
    s.execute(delete(Scorecard).where(Scorecard.id == card))
    assert flags(s, interview) == {first.id: False, second.id: False}
    assert owed(s, first) == [interview.id]
