"""Two loops built at the same moment for a requisition's first two candidates make one
question set, not two: UNIQUE(requisition_id, number) lets one build in, and the other
re-reads the winner's (two real connections; on SQLite, BEGIN IMMEDIATE makes the second
wait, which is its guard)."""

from __future__ import annotations

import threading
import time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from interviewloop.audit.service import Actor
from interviewloop.db import writing
from interviewloop.loops import service as loops
from interviewloop.loops import sets
from interviewloop.loops.models import QuestionSet
from tests.factories import make_candidate, make_requisition
from tests.test_scheduling_race import race_engine  # noqa: F401 - the fixture


def _setup(engine, ids) -> tuple[int, list[int]]:
    from interviewloop.auth.models import User

    with Session(writing(engine), expire_on_commit=False) as session:
        manager, recruiter = (session.get(User, ids[k]) for k in ("hiring_manager", "recruiter"))
        requisition = make_requisition(session, manager, recruiter)
        candidates = [make_candidate(session, requisition, recruiter, n,
                                     email=f"set{time.monotonic_ns()}-{n}@x.org")
                      for n in range(2)]
        session.commit()
        return requisition.id, [c.id for c in candidates]


def _build(engine, ids, requisition_id, candidate_id, *, hold: float, delay: float,
           gate: threading.Barrier, outcome: dict, key: str) -> None:
    from interviewloop.auth.models import User
    from interviewloop.requisitions import service as requisitions
    from interviewloop.requisitions.models import Candidate

    gate.wait()
    time.sleep(delay)
    with Session(writing(engine)) as session:
        try:
            recruiter = session.get(User, ids["recruiter"])
            requisition = requisitions.get_requisition(session, recruiter, requisition_id)
            candidate = session.get(Candidate, candidate_id)
            loop = loops.build_loop(session, Actor(recruiter), requisition, candidate,
                                    seed=len(key))
            questions = [[lq.question_id for lq in s.questions] for s in loop.stages]
            time.sleep(hold)  # keep the transaction open while the other builds
            session.commit()
            outcome[key] = questions
        except Exception as exc:  # reported, so that the assertion says what went wrong
            session.rollback()
            outcome[key] = repr(exc)


def _race(engine, ids) -> tuple[dict, int]:
    requisition_id, (first, second) = _setup(engine, ids)
    outcome: dict = {}
    gate = threading.Barrier(2)
    racers = [threading.Thread(target=_build, args=(engine, ids, requisition_id, cid), kwargs={
        "hold": hold, "delay": delay, "gate": gate, "outcome": outcome, "key": key})
        for cid, hold, delay, key in ((first, 0.6, 0, "first"), (second, 0, 0.2, "second"))]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(30)
    with Session(engine) as session:
        made = session.scalar(select(func.count()).select_from(QuestionSet).where(
            QuestionSet.requisition_id == requisition_id))
    return outcome, made


def test_two_first_builds_at_once_make_one_set_and_ask_the_same(race_engine):  # noqa: F811
    engine, ids = race_engine
    outcome, made = _race(engine, ids)
    assert isinstance(outcome["first"], list), outcome["first"]
    assert outcome["first"] == outcome["second"]
    assert made == 1


def test_the_second_build_really_found_no_set_on_postgresql(race_engine, monkeypatch):  # noqa: F811
    """The race is real: on PostgreSQL the second build looks while the first one's set is
    not committed, finds none, and tries to make version 1 itself (the UNIQUE constraint
    then refuses it, and it re-reads)."""
    engine, ids = race_engine
    looked: list[bool] = []
    real = sets.current_set

    def watching(session, requisition):
        found = real(session, requisition)
        looked.append(found is None)
        return found

    monkeypatch.setattr(sets, "current_set", watching)
    outcome, made = _race(engine, ids)
    assert made == 1
    assert outcome["first"] == outcome["second"]
    if engine.dialect.name == "postgresql":
        # first: none; second: none (the first's is not committed), then the winner's.
        assert looked == [True, True, False]
    else:  # the second waited for the first to commit
        assert looked == [True, False]
