"""The requisition's loop revision token (loops/revisions.py) changes with every change the
debrief's comparison of loops reads, whoever makes it (here plain SQL, as a bulk load or a
cascade would), and the comparison's census (loops/comparison.py) is kept while it holds and
counted afresh when it changes."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, update

from interviewloop.bank.models import Question
from interviewloop.loops import comparison
from interviewloop.loops.models import (
    AlternateReason,
    Loop,
    LoopQuestion,
    LoopRevision,
    LoopStage,
)
from interviewloop.requisitions.models import Candidate
from tests.factories import make_candidate, make_candidate_with_loop, make_requisition


@pytest.fixture
def loops(db_session, bank, make_user):
    manager, recruiter = make_user("hiring_manager"), make_user("recruiter")
    requisition = make_requisition(db_session, manager, recruiter)
    built = [make_candidate_with_loop(db_session, requisition, recruiter, n)[1]
             for n in (1, 2)]
    return requisition, built, (manager, recruiter)


def token(session, requisition) -> int | None:
    return session.scalar(select(LoopRevision.token)
                          .where(LoopRevision.requisition_id == requisition.id))


def first_question(session, loop) -> LoopQuestion:
    return session.scalars(select(LoopQuestion).where(LoopQuestion.loop_id == loop.id)
                           .order_by(LoopQuestion.id)).first()


def renews(session, requisition, change) -> bool:
    before = token(session, requisition)
    change()
    session.flush()
    session.expire_all()
    return token(session, requisition) != before


def test_every_change_the_comparison_reads_renews_the_token(db_session, loops):
    requisition, (loop, _other), (_manager, recruiter) = loops
    s = db_session
    assert token(s, requisition) is not None  # building the loops made the row
    stage = s.scalars(select(LoopStage).where(LoopStage.loop_id == loop.id)).first()
    asked = first_question(s, loop)
    original = asked.question_id
    unasked = s.scalar(select(Question.id).where(Question.id.not_in(
        select(LoopQuestion.question_id).where(LoopQuestion.loop_id == loop.id))))
    changes = {
        "stage renamed": lambda: s.execute(update(LoopStage).where(LoopStage.id == stage.id)
                                           .values(name="Renamed")),
        "question swapped": lambda: s.execute(
            update(LoopQuestion).where(LoopQuestion.id == asked.id)
            .values(question_id=unasked, set_question_id=None)),
        "marked an alternate": lambda: s.execute(
            update(LoopQuestion).where(LoopQuestion.id == asked.id).values(
                set_question_id=original, alternate_reason=AlternateReason.RETIRED)),
        "question removed": lambda: s.execute(delete(LoopQuestion)
                                              .where(LoopQuestion.id == asked.id)),
        "stage removed": lambda: s.execute(delete(LoopStage).where(LoopStage.id == stage.id)),
        "set version changed": lambda: s.execute(update(Loop).where(Loop.id == loop.id)
                                                 .values(question_set_id=None)),
        "loop deleted": lambda: s.execute(delete(Loop).where(Loop.id == loop.id)),
        # (A candidate with a loop cannot be deleted: loops.candidate_id has no cascade.)
        "candidate deleted": lambda: s.execute(delete(Candidate).where(
            Candidate.id == make_candidate(s, requisition, recruiter, 3).id)),
    }
    assert {what: renews(s, requisition, change) for what, change in changes.items()} == \
        dict.fromkeys(changes, True)
    # What the comparison does not read leaves it alone.
    assert not renews(s, requisition, lambda: s.execute(
        update(Candidate).where(Candidate.requisition_id == requisition.id)
        .values(notes="Met at a conference")))


def test_moving_a_candidate_renews_both_requisitions(db_session, loops):
    requisition, (loop, _other), (manager, recruiter) = loops
    elsewhere = make_requisition(db_session, manager, recruiter, title="Platform engineer")
    make_candidate_with_loop(db_session, elsewhere, recruiter, 3)
    before = token(db_session, requisition), token(db_session, elsewhere)
    db_session.execute(update(Candidate).where(Candidate.id == loop.candidate_id)
                       .values(requisition_id=elsewhere.id))
    db_session.flush()
    after = token(db_session, requisition), token(db_session, elsewhere)
    assert before[0] != after[0] and before[1] != after[1]


def test_the_census_is_kept_until_the_token_changes(db_session, loops, count_queries):
    requisition, (_loop, other), _people = loops
    first = comparison.census(db_session, requisition.id)
    assert first.loops == {1: 2}  # both built from version 1 of the set
    with count_queries() as statements:
        again = comparison.census(db_session, requisition.id)
    assert again is first and len(statements) == 1  # the token alone
    db_session.execute(delete(LoopQuestion).where(
        LoopQuestion.id == first_question(db_session, other).id))
    db_session.flush()
    changed = comparison.census(db_session, requisition.id)
    assert changed is not first
    assert changed == comparison.count(comparison.loop_rows(db_session, requisition.id))
    assert sum(len(shapes) for shapes in changed.stages.values()) == \
        sum(len(shapes) for shapes in first.stages.values()) + 1  # one stage now differs


def test_the_database_counts_the_census_as_the_rows_would(db_session, loops):
    """comparison.counted (SQL) against comparison.count over every loop question (Python),
    on loops that differ in each way the census tells apart."""
    requisition, (loop, other), (_manager, recruiter) = loops
    s = db_session
    third = make_candidate_with_loop(s, requisition, recruiter, 3)[1]
    fourth = make_candidate_with_loop(s, requisition, recruiter, 4)[1]
    stages = {built.id: s.scalars(select(LoopStage).where(LoopStage.loop_id == built.id)
                                  .order_by(LoopStage.position)).all()
              for built in (loop, other, third, fourth)}
    asked = first_question(s, loop)
    unasked = s.scalar(select(Question.id).where(Question.id.not_in(
        select(LoopQuestion.question_id).where(LoopQuestion.loop_id == loop.id))))
    s.execute(update(LoopQuestion).where(LoopQuestion.id == asked.id).values(
        question_id=unasked, set_question_id=asked.question_id,
        alternate_reason=AlternateReason.RETIRED))
    # A stage left without questions, and two stages of one name in one loop.
    s.execute(delete(LoopQuestion).where(LoopQuestion.stage_id == stages[other.id][0].id))
    s.execute(update(LoopStage).where(LoopStage.id == stages[third.id][1].id)
              .values(name=stages[third.id][0].name))
    s.execute(update(Loop).where(Loop.id == fourth.id).values(question_set_id=None))
    s.flush()
    s.expire_all()
    by_rows = comparison.count(comparison.loop_rows(s, requisition.id))
    assert comparison.counted(s, requisition.id) == by_rows
    assert by_rows.loops == {1: 3, None: 1}
    assert any(shape.with_alternates for shapes in by_rows.stages.values() for shape in shapes)
    assert any(not shape.questions for shapes in by_rows.stages.values() for shape in shapes)
