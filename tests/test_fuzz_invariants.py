"""The state machine's invariants over data the database keeps for itself (tests/fuzz/
invariants.py): they hold on data the services wrote, and each catches its break."""

from __future__ import annotations

from sqlalchemy import update

from interviewloop.bank.models import QuestionTally
from interviewloop.loops.models import QuestionUsage
from interviewloop.scheduling.models import Panelist
from tests.factories import held_interview, write_scorecard
from tests.fuzz.invariants import broken_invariants

SEAT = "a seat's scorecard_in disagrees with its scorecard (scorecards/owed.py)"
USAGE = "a question's kept usage count disagrees with its loop questions (loops/usage.py)"
TALLY = "the bank's kept question tallies disagree with its questions (bank/tallies.py)"


def test_the_kept_data_invariants_hold_and_catch_their_breaks(db_session, bank, make_user):
    held = held_interview(db_session, make_user)
    write_scorecard(db_session, held["first"], held["requisition"], held["interview"])
    db_session.flush()
    connection = db_session.connection()
    assert broken_invariants(connection) == {}
    db_session.execute(update(Panelist).where(Panelist.user_id == held["second"].id)
                       .values(scorecard_in=True))
    db_session.execute(update(QuestionUsage).values(uses=QuestionUsage.uses + 1))
    db_session.execute(update(QuestionTally).values(questions=QuestionTally.questions + 1))
    assert set(broken_invariants(connection)) == {SEAT, USAGE, TALLY}
