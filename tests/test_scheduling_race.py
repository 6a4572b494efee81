"""The double-booking rule under concurrency: two recruiters booking the same interviewer
into overlapping slots at the same moment cannot both succeed (two real connections)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
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
    """Two candidates with loops on one requisition, the interviewer on its team; each
    candidate's first stage."""
    requisition_id, loops_, _people = _two_loops(engine, ids)
    return requisition_id, [(candidate_id, stages[0]) for candidate_id, stages in loops_]


def _book(engine, ids, requisition_id, candidate_id, act, *, hold: float, outcome: dict,
          key: str, start_gate: threading.Barrier, delay: float | threading.Event) -> None:
    """One racer: after ``delay`` (seconds, or until the event is set),
    ``act(session, actor, requisition, candidate)`` books, then the transaction stays open
    ``hold`` seconds before it commits; ``outcome[key]`` says how it went."""
    from interviewloop.auth.models import User
    from interviewloop.requisitions.models import Candidate

    start_gate.wait()
    if isinstance(delay, threading.Event):
        assert delay.wait(20), "the other racer never got there"
    else:
        time.sleep(delay)
    with Session(writing(engine)) as session:
        try:
            recruiter = session.get(User, ids["recruiter"])
            requisition = requisitions.get_requisition(session, recruiter, requisition_id)
            act(session, Actor(recruiter), requisition, session.get(Candidate, candidate_id))
            time.sleep(hold)  # keep the transaction open while the other racer checks
            session.commit()
            outcome[key] = "booked"
        except scheduling.SchedulingRefused as refused:
            session.rollback()
            outcome[key] = str(refused)
        except Exception as exc:  # a deadlock, say: reported, not raised in the thread
            session.rollback()
            outcome[key] = f"error: {type(exc).__name__}: {exc}"


def _run_racers(engine, ids, requisition_id, racers) -> dict[str, str]:
    """``racers``: (key, candidate id, act, hold, delay), started together; their outcomes."""
    outcome: dict[str, str] = {}
    gate = threading.Barrier(len(racers))
    threads = [threading.Thread(target=_book, name=key, args=(engine, ids, requisition_id, cid, act),
                                kwargs={"hold": hold, "outcome": outcome, "key": key,
                                        "start_gate": gate, "delay": delay})
               for key, cid, act, hold, delay in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return outcome


def _one_stage(ids, stage_id, starts):
    def act(session, actor, requisition, candidate):
        scheduling.schedule_stage(session, actor, requisition, candidate, stage_id,
                                  scheduling.ScheduleInput(interviewer_ids=[ids["interviewer"]],
                                                           starts_at=starts, minutes=60))
    return act


_race_days = iter(range(30, 3000, 7))  # each race in a week of its own


def _race(engine, ids):
    requisition_id, ((cand_a, stage_a), (cand_b, stage_b)) = _setup(engine, ids)
    starts = (utcnow() + timedelta(days=next(_race_days))).replace(microsecond=0)
    # The first holds its transaction open; the second checks while it does.
    with _after_first_flush() as inside:
        outcome = _run_racers(engine, ids, requisition_id, [
            ("first", cand_a, _one_stage(ids, stage_a, starts), 0.6, 0),
            ("second", cand_b, _one_stage(ids, stage_b, starts + timedelta(minutes=30)), 0,
             inside)])
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
    monkeypatch.setattr(scheduling, "lock_people", lambda session, user_ids, candidate_id: {
        u.id: u for u in session.scalars(select(scheduling.User).where(
            scheduling.User.id.in_(user_ids)))})
    outcome, booked = _race(engine, ids)
    assert outcome == {"first": "booked", "second": "booked"}
    assert booked == 2


# --- booking whole options (interviewloop/scheduling/proposing.py) ----------------------------

def _two_loops(engine, ids, *, second_interviewer: bool = False):
    """Two candidates with loops on a new requisition; (requisition id, [(candidate id, first
    two stage ids)], the interviewers' ids)."""
    from interviewloop.auth.models import User
    from interviewloop.auth.service import create_user

    with Session(writing(engine), expire_on_commit=False) as session:
        manager, recruiter = (session.get(User, ids[k]) for k in ("hiring_manager", "recruiter"))
        people = [session.get(User, ids["interviewer"])]
        if second_interviewer:
            people.append(create_user(session, SYSTEM, TEST_HASHER, name="Second",
                                      email=f"second{time.monotonic_ns()}@race.test",
                                      password=PASSWORD, roles=["interviewer"]))
        requisition = make_requisition(session, manager, recruiter)
        for person in people:
            requisitions.add_member(session, Actor(recruiter), requisition, person.id)
        loops_ = []
        for n in range(2):
            candidate = make_candidate(session, requisition, recruiter, n,
                                       email=f"option{time.monotonic_ns()}-{n}@x.org")
            loop = loops.build_loop(session, Actor(recruiter), requisition, candidate, seed=n)
            loops_.append((candidate.id, [s.id for s in loop.stages[:2]]))
        session.commit()
        return requisition.id, loops_, [p.id for p in people]


@contextmanager
def _after_first_flush() -> Iterator[threading.Event]:
    """An event set once the racer named "first" has flushed its first interview (so it
    holds its locks and its transaction is open): the second starts then, whatever the
    machine's load."""
    from interviewloop.scheduling.signals import interview_changed

    inside = threading.Event()

    def first_inside(_session, **_kwargs):
        if threading.current_thread().name == "first":
            inside.set()

    interview_changed.connect(first_inside)
    try:
        yield inside
    finally:
        interview_changed.disconnect(first_inside)


def _race_options(engine, ids, options, *, holds=(0.6, 0.0)):
    """Book the two (requisition id, candidate id, picked) options at once, the second once
    the first is inside its transaction (open ``holds[0]`` seconds more)."""
    from interviewloop.scheduling import proposing
    from interviewloop.scheduling.proposals import SPREAD, Proposal, Slot
    from interviewloop.scheduling.proposed import store_proposal

    with Session(writing(engine), expire_on_commit=False) as session:  # each one proposed
        for _req, cid, picked in options:
            store_proposal(session, None, cid, starts=picked[0].starts_at - timedelta(days=1),
                           ends=picked[-1].ends_at + timedelta(days=1), options=[Proposal(
                               SPREAD, tuple(Slot(p.stage_id, p.starts_at, p.ends_at,
                                                  p.interviewer_ids) for p in picked))])
        session.commit()

    def option(picked):
        return lambda session, actor, requisition, candidate: proposing.book_option(
            session, actor, requisition, candidate, picked)

    with _after_first_flush() as inside:
        return _run_racers(engine, ids, options[0][0], [
            (key, cid, option(picked), hold, delay) for key, (_req, cid, picked), hold, delay
            in zip(("first", "second"), options, holds, (0.0, inside), strict=True)])


def _live_count(engine, candidate_id) -> int:
    from interviewloop.scheduling.models import Interview, InterviewStatus

    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(Interview).where(
            Interview.candidate_id == candidate_id, Interview.status == InterviewStatus.SCHEDULED))


def test_two_recruiters_booking_options_with_the_same_interviewer_exactly_one_wins(race_engine):
    """Both options need the interviewer from T+1h15; the second's first stage is free, so a
    half-booking would show. The second, started while the first's transaction is open, is
    refused whole. (Without the row locks, on PostgreSQL, it would book over the first.)"""
    from interviewloop.scheduling.proposing import Picked

    engine, ids = race_engine
    requisition_id, ((cand_a, stages_a), (cand_b, stages_b)), (person,) = _two_loops(engine, ids)
    t = (utcnow() + timedelta(days=next(_race_days))).replace(microsecond=0)
    first = [Picked(stages_a[0], t, 60, (person,)),
             Picked(stages_a[1], t + timedelta(minutes=75), 60, (person,))]
    second = [Picked(stages_b[0], t - timedelta(hours=3), 60, (person,)),
              Picked(stages_b[1], t + timedelta(minutes=105), 60, (person,))]
    outcome = _race_options(engine, ids, [(requisition_id, cand_a, first),
                                          (requisition_id, cand_b, second)])
    assert outcome["first"] == "booked"
    assert "Interviewer is already interviewing" in outcome["second"]
    assert (_live_count(engine, cand_a), _live_count(engine, cand_b)) == (2, 0)


def test_options_with_crossed_panels_both_book_without_a_deadlock(race_engine):
    """A books X then Y, B books Y then X (at other times): each waits for the other between
    its stages. Locking the whole option's people first, in id order, makes B wait for A
    instead of the two waiting for each other (PostgreSQL would kill one as a deadlock)."""
    from interviewloop.scheduling.proposing import Picked
    from interviewloop.scheduling.signals import interview_changed

    engine, ids = race_engine
    requisition_id, ((cand_a, stages_a), (cand_b, stages_b)), (x, y) = _two_loops(
        engine, ids, second_interviewer=True)
    t = (utcnow() + timedelta(days=next(_race_days))).replace(microsecond=0)
    hour = timedelta(hours=1)
    first = [Picked(stages_a[0], t, 60, (x,)), Picked(stages_a[1], t + 2 * hour, 60, (y,))]
    second = [Picked(stages_b[0], t + 4 * hour, 60, (y,)), Picked(stages_b[1], t + 6 * hour, 60, (x,))]

    def between_stages(_session, **_kwargs):
        time.sleep(0.2)  # after each stage is flushed: the other racer gets its turn

    interview_changed.connect(between_stages)
    try:
        outcome = _race_options(engine, ids, [(requisition_id, cand_a, first),
                                              (requisition_id, cand_b, second)],
                                holds=(0.0, 0.0))
    finally:
        interview_changed.disconnect(between_stages)
    assert outcome == {"first": "booked", "second": "booked"}
    assert (_live_count(engine, cand_a), _live_count(engine, cand_b)) == (2, 2)
