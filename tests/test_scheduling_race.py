"""The double-booking rule under concurrency: two recruiters booking the same interviewer
into overlapping slots at the same moment cannot both succeed (two real connections)."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from interviewloop.audit.service import SYSTEM, Actor
from interviewloop.bank.importer import import_bank
from interviewloop.db import make_engine, utcnow, writing
from interviewloop.loops import service as loops
from interviewloop.requisitions import service as requisitions
from interviewloop.scheduling import service as scheduling
from interviewloop.scheduling.models import Panelist
from tests.conftest import PASSWORD, TEST_HASHER, migrate, new_database_url
from tests.factories import make_candidate, make_requisition


@pytest.fixture(scope="module")
def race_engine(tmp_path_factory, bank_data):
    """A database of its own with committed data: both racers must see it."""
    import copy

    from interviewloop.auth.service import create_user

    url = new_database_url(tmp_path_factory, "race")
    migrate(url)
    engine = make_engine(url)
    with Session(writing(engine), expire_on_commit=False) as session:
        import_bank(session, SYSTEM, copy.deepcopy(bank_data))
        people = {role: create_user(session, SYSTEM, TEST_HASHER, email=f"{role}@race.test",
                                    name=role.title(), password=PASSWORD, roles=[role])
                  for role in ("hiring_manager", "recruiter", "interviewer")}
        session.commit()
        ids = {k: v.id for k, v in people.items()}
    yield engine, ids
    engine.dispose()


def _setup(engine, ids):
    """Two candidates with loops on one requisition, the interviewer on its team."""
    from interviewloop.auth.models import User

    with Session(writing(engine), expire_on_commit=False) as session:
        manager, recruiter, interviewer = (session.get(User, ids[k]) for k in
                                           ("hiring_manager", "recruiter", "interviewer"))
        requisition = make_requisition(session, manager, recruiter)
        requisitions.add_member(session, Actor(recruiter), requisition, interviewer.id)
        stages = []
        for n in range(2):
            candidate = make_candidate(session, requisition, recruiter, n,
                                       email=f"race{time.monotonic_ns()}-{n}@x.org")
            loop = loops.build_loop(session, Actor(recruiter), requisition, candidate, seed=n)
            stages.append((candidate.id, loop.stages[0].id))
        session.commit()
        return requisition.id, stages


def _book(engine, ids, requisition_id, candidate_id, stage_id, starts, *, hold: float,
          outcome: dict, key: str, start_gate: threading.Barrier, delay: float) -> None:
    from interviewloop.auth.models import User
    from interviewloop.requisitions.models import Candidate

    start_gate.wait()
    time.sleep(delay)
    with Session(writing(engine)) as session:
        try:
            recruiter = session.get(User, ids["recruiter"])
            requisition = requisitions.get_requisition(session, recruiter, requisition_id)
            candidate = session.get(Candidate, candidate_id)
            scheduling.schedule_stage(session, Actor(recruiter), requisition, candidate,
                                      stage_id, scheduling.ScheduleInput(
                                          interviewer_ids=[ids["interviewer"]],
                                          starts_at=starts, minutes=60))
            time.sleep(hold)  # keep the transaction open while the other racer checks
            session.commit()
            outcome[key] = "booked"
        except scheduling.SchedulingRefused as refused:
            session.rollback()
            outcome[key] = str(refused)


_race_days = iter(range(30, 3000, 7))  # each race in a week of its own


def _race(engine, ids):
    requisition_id, ((cand_a, stage_a), (cand_b, stage_b)) = _setup(engine, ids)
    starts = (utcnow() + timedelta(days=next(_race_days))).replace(microsecond=0)
    outcome: dict[str, str] = {}
    gate = threading.Barrier(2)
    def racer(candidate_id, stage_id, at, *, key, hold, delay):
        return threading.Thread(target=_book, args=(
            engine, ids, requisition_id, candidate_id, stage_id, at), kwargs={
            "hold": hold, "outcome": outcome, "key": key, "start_gate": gate, "delay": delay})

    # The first holds its transaction open; the second checks while it does.
    racers = [racer(cand_a, stage_a, starts, key="first", hold=0.6, delay=0),
              racer(cand_b, stage_b, starts + timedelta(minutes=30), key="second", hold=0,
                    delay=0.2)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(30)
    with Session(engine) as session:
        booked = session.scalar(select(func.count()).select_from(Panelist).where(
            Panelist.user_id == ids["interviewer"], Panelist.live.is_(True),
            Panelist.starts_at >= starts - timedelta(hours=1),
            Panelist.starts_at <= starts + timedelta(hours=1)))
    return outcome, booked


def test_two_recruiters_racing_for_one_interviewer_cannot_both_book(race_engine):
    engine, ids = race_engine
    outcome, booked = _race(engine, ids)
    assert outcome["first"] == "booked"
    assert "Interviewer is already interviewing" in outcome["second"]
    assert booked == 1


def test_without_the_locks_the_race_double_books_on_postgresql(race_engine, monkeypatch):
    """The test above can fail: drop the row locks and, on PostgreSQL, both bookings land.
    (SQLite's BEGIN IMMEDIATE serialises writers even without them, which is its guard.)"""
    engine, ids = race_engine
    if engine.dialect.name != "postgresql":
        outcome, booked = _race(engine, ids)
        assert booked == 1
        return
    monkeypatch.setattr(scheduling, "_lock_people", lambda session, user_ids, candidate_id: {
        u.id: u for u in session.scalars(select(scheduling.User).where(
            scheduling.User.id.in_(user_ids)))})
    outcome, booked = _race(engine, ids)
    assert outcome == {"first": "booked", "second": "booked"}
    assert booked == 2
