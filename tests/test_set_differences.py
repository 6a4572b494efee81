"""The debrief's like-with-like note, counted in SQL (sets.differences), says what the
reading of every loop on the requisition said before (issue 15): here against that older
way, kept below as the reference, on loops that differ in every way the note tells apart."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from interviewloop.audit.service import Actor
from interviewloop.bank.models import Question
from interviewloop.loops import service, sets
from interviewloop.loops.models import AlternateReason, Loop, LoopQuestion, LoopStage, QuestionSet
from interviewloop.requisitions.models import Candidate
from tests.factories import make_candidate, make_requisition
from tests.test_question_sets import revise_first_question

HAD, EDITED = AlternateReason.HAD_ELSEWHERE, AlternateReason.EDITED


def reference(session, requisition, candidate) -> list[sets.StageDifference]:
    """The note as it was computed before: every loop question of the requisition read."""
    rows = session.execute(
        select(Loop.candidate_id, LoopStage.position, LoopStage.name, LoopQuestion.question_id,
               LoopQuestion.alternate_reason, QuestionSet.number)
        .select_from(Loop).join(Candidate, Candidate.id == Loop.candidate_id)
        .join(LoopStage, LoopStage.loop_id == Loop.id)
        .outerjoin(LoopQuestion, LoopQuestion.stage_id == LoopStage.id)
        .outerjoin(QuestionSet, QuestionSet.id == Loop.question_set_id)
        .where(Candidate.requisition_id == requisition.id)).all()
    asked: dict = defaultdict(lambda: defaultdict(set))
    reasons: dict = defaultdict(set)
    versions, order = {}, {}
    for candidate_id, position, name, question_id, reason, number in rows:
        asked[candidate_id][name]
        if question_id is not None:
            asked[candidate_id][name].add(question_id)
        if reason is not None:
            reasons[candidate_id, name].add(reason)
        versions[candidate_id] = number
        if candidate_id == candidate.id:
            order[name] = position
    mine = asked.get(candidate.id)
    others = {cid: stages for cid, stages in asked.items() if cid != candidate.id}
    if mine is None or not others:
        return []
    found = []
    for name in sorted(mine, key=order.__getitem__):
        differing = [cid for cid, stages in others.items() if stages.get(name) != mine[name]]
        if not differing:
            continue
        why = [sets.REASON_TEXT[r] for r in sorted(reasons[candidate.id, name])]
        alternates = sum(1 for cid in differing if reasons[cid, name])
        if alternates:
            why.append(f"{alternates} other candidate{'s were' if alternates != 1 else ' was'} "
                       "asked alternates or edited questions")
        numbers = {versions[cid] for cid in [candidate.id, *differing]}
        if len(numbers) > 1:
            named = ", ".join(f"version {n}" if n else "no set" for n in
                              sorted(numbers, key=lambda n: n or 0))
            why.append(f"the requisition's set was revised: these loops come from {named}")
        missing = sum(1 for cid in differing if name not in others[cid])
        if missing:
            why.append(f"{missing} other loop{'s have' if missing != 1 else ' has'} no such "
                       "stage")
        found.append(sets.StageDifference(name, len(differing), len(others), why))
    return found


def add_loop(session, requisition, recruiter, n, set_id, stages, spare=None):
    """A loop of ``stages``: (name, [question, or (question, reason)]) per stage; an
    alternate stands in for ``spare``, the set's question."""
    candidate = make_candidate(session, requisition, recruiter, n, email=f"d{n}@example.net")
    session.add(Loop(candidate_id=candidate.id, level=requisition.level, question_set_id=set_id,
                     coverage_gaps=[], stages=[
        LoopStage(position=p, name=name, category="coding_implementation", minutes=45, questions=[
            LoopQuestion(question_id=q[0] if isinstance(q, tuple) else q, position=k,
                         set_question_id=spare if isinstance(q, tuple) else q,
                         alternate_reason=q[1] if isinstance(q, tuple) else None)
            for k, q in enumerate(questions)])
        for p, (name, questions) in enumerate(stages)]))
    session.flush()
    return candidate


def test_the_note_counted_in_sql_is_the_note_read_from_every_loop(db_session, bank, make_user):
    manager, recruiter = make_user("hiring_manager"), make_user("recruiter")
    req = make_requisition(db_session, manager, recruiter, level="senior")
    service.build_loop(db_session, Actor(recruiter), req, make_candidate(db_session, req,
                                                                         recruiter, 1))
    revise_first_question(db_session, Actor(manager), req)
    v1, v2 = db_session.scalars(select(QuestionSet.id).where(
        QuestionSet.requisition_id == req.id).order_by(QuestionSet.number))
    q = list(db_session.scalars(select(Question.id).order_by(Question.id).limit(12)))
    mine = [("A", [q[0], q[1]]), ("B", [q[2], (q[3], EDITED)]), ("C", [])]
    shapes = [
        (v1, mine), (v1, mine), (v2, mine), (None, mine),  # the same, from other versions
        (v1, [("A", [q[0]]), ("B", [q[2], q[3]]), ("C", [])]),  # a question fewer
        (v1, [("A", [q[0], q[1], q[4]]), ("B", [q[2], q[3]]), ("C", [])]),  # one more
        (v2, [("A", [q[0], (q[5], HAD)]), ("B", [q[2], q[3]]), ("C", [])]),  # an alternate
        (v2, [("A", [q[0], q[1]]), ("C", [q[6]])]),  # no stage B; C asks something
        (None, [("A", [q[1], q[0]]), ("Z", [q[7]]), ("B", [(q[2], HAD), q[3]])]),
        (v1, []),  # a loop without stages: not another candidate with a loop
        (v2, [("C", [])]),
    ]
    people = [add_loop(db_session, req, recruiter, 10 + n, set_id, stages, q[11])
              for n, (set_id, stages) in enumerate(shapes)]
    elsewhere = make_requisition(db_session, manager, recruiter, level="senior", title="Other")
    add_loop(db_session, elsewhere, recruiter, 99, None, [("A", [q[8]])])
    notes = {}
    for person in people:
        notes[person.id] = sets.differences(db_session, req, person)
        assert notes[person.id] == reference(db_session, req, person)
    # The data tells the cases apart: a note with every kind of reason, and an empty one.
    why = [w for d in notes[people[0].id] for w in d.why]
    assert any("revised" in w for w in why) and any("no such stage" in w for w in why)
    assert any("asked alternates" in w for w in why)
    assert sets.REASON_TEXT[EDITED] in why
    assert notes[people[9].id] == []
