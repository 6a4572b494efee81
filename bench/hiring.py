"""The hiring side of the benchmark: a hiring team, one open senior requisition with many
candidates (some with loops built, their interviews held and scored), and the timing of
building a loop.

Everything a user would do goes through the real services (users, the requisition, its
confirmation and opening, the hiring team, every loop, every interview, the pre-offer
checks and decisions); only the candidates and the scorecards (with their ratings,
pre-offer signals and first revision) are bulk-inserted. The scorecards point at the
panels the scheduling service booked (their composite foreign key demands it).
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import Engine, event, insert, select
from sqlalchemy.orm import Session

from interviewloop.audit.service import SYSTEM, Actor
from interviewloop.auth import service as auth_service
from interviewloop.auth.models import User
from interviewloop.auth.passwords import Hasher
from interviewloop.bank.models import CapabilityArea
from interviewloop.db import utcnow, writing
from interviewloop.debrief import service as debrief
from interviewloop.loops import service as loops
from interviewloop.loops.models import Loop, LoopStage, LoopStageArea
from interviewloop.requisitions import service as requisitions
from interviewloop.requisitions.candidates import get_candidate
from interviewloop.requisitions.models import Candidate, CandidateStatus
from interviewloop.scheduling import service as scheduling
from interviewloop.scorecards.models import (
    PreOfferQuestion,
    PreOfferSignal,
    Rating,
    Recommendation,
    Scorecard,
    ScorecardRevision,
    ScorecardStatus,
    SignalValue,
)

RANDOM_SEED = 20261128
MANAGER_EMAIL = "bench-manager@example.com"
RECRUITER_EMAIL = "bench-recruiter@example.com"
INTERVIEWERS = 4
TRANSACTION_CONTROL = ("BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT")
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
FIRST = ("Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Radia",
         "Leslie", "Margaret", "Tony", "Shafi", "Niklaus", "Sophie", "Yukihiro", "Anita", "Guido")
LAST = ("Okafor", "Lindqvist", "Tanaka", "Moreau", "Haddad", "Kowalski", "Ferreira", "Nguyen",
        "Schmidt", "Osei", "Ivanova", "Rossi", "Patel", "Murphy", "Castillo", "Berg", "Kim")
SOURCES = ("Referral", "LinkedIn", "Careers page", "Agency", "Conference", "")
# Candidates not active any more, as on a requisition that has been open a while.
OTHER_STATUSES = ((CandidateStatus.WITHDRAWN, 0.06), (CandidateStatus.REJECTED, 0.10))
DEFINITION = {
    "answers": {
        "ships": "A retrieval-backed assistant for support agents, then its successors.",
        "owns_after_launch": "Evaluation, deployment, monitoring and the on-call rota.",
        "success_measures": "Resolution time down, answer quality up, cost per answer flat.",
        "fails_in_seat": "Someone who wants open-ended research and avoids production support.",
    },
    "surface": {"surface_system": "Support search and answer drafting",
                "surface_models": "A hosted LLM and an in-house reranker",
                "surface_pager": "The support AI team, weekly rota"},
}


class HiringError(RuntimeError):
    """The hiring data or an operation did not come out as the benchmark needs."""


@dataclass(frozen=True)
class HiringSeed:
    requisition_id: int
    candidates: int
    with_loop: list[int]  # candidate ids whose loop was built, ascending
    fresh: list[int]  # active candidates without a loop, ascending
    debrief_id: int | None = None  # every scorecard in, no pre-offer check yet
    interviews: int = 0  # held, one per loop stage of every candidate with a loop
    scorecards: int = 0  # submitted (a few more are drafts, i.e. outstanding)
    checks: int = 0  # pre-offer checks answered
    offers: int = 0


def create_users(bind: Engine, hasher: Hasher, password: str) -> None:
    """A hiring manager, a recruiter and a few interviewers."""
    people = [(MANAGER_EMAIL, "Hana Manager", "hiring_manager"),
              (RECRUITER_EMAIL, "Rui Recruiter", "recruiter"),
              *((f"bench-interviewer{n}@example.com", f"Interviewer {n}", "interviewer")
                for n in range(1, INTERVIEWERS + 1))]
    with Session(bind=writing(bind)) as session, session.begin():
        for email, name, role in people:
            auth_service.create_user(session, SYSTEM, hasher, email=email, name=name,
                                     password=password, roles=(role,))


def _user(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == email))
    if user is None:
        raise HiringError(f"no user {email}")
    return user


def open_requisition(bind: Engine) -> int:
    """An open senior requisition, defined, confirmed by both and staffed, as in the app."""
    with Session(bind=writing(bind)) as session, session.begin():
        manager, recruiter = _user(session, MANAGER_EMAIL), _user(session, RECRUITER_EMAIL)
        requisition = requisitions.create_requisition(
            session, Actor(recruiter), requisitions.RequisitionInput(
                title="Senior AI Engineer, Support AI", level="senior", team="Support AI",
                hiring_manager_id=manager.id, recruiter_id=recruiter.id, comp_currency="USD",
                comp_min=185_000, comp_max=245_000, **DEFINITION))
        requisitions.confirm_definition(session, Actor(manager), requisition)
        requisitions.confirm_definition(session, Actor(recruiter), requisition)
        requisitions.open_requisition(session, Actor(recruiter), requisition)
        interviewers = session.scalars(select(User).where(
            User.email.like("bench-interviewer%")).order_by(User.id))
        for interviewer in interviewers:
            requisitions.add_member(session, Actor(recruiter), requisition, interviewer.id)
        return requisition.id


def add_candidates(bind: Engine, requisition_id: int, count: int, rng: random.Random) -> list[int]:
    now = utcnow()
    rows = []
    for n in range(1, count + 1):
        draw, status = rng.random(), CandidateStatus.ACTIVE
        for other, share in OTHER_STATUSES:
            if draw < share:
                status = other
                break
            draw -= share
        rows.append({"requisition_id": requisition_id,
                     "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                     "email": f"candidate{n:05d}@example.net", "source": rng.choice(SOURCES),
                     "notes": "", "status": status.value, "created_at": now, "version": 1})
    table = Candidate.__table__
    with writing(bind).connect() as conn, conn.begin():
        return list(conn.scalars(
            insert(table).returning(table.c.id, sort_by_parameter_order=True), rows))


def build_loops(bind: Engine, requisition_id: int, candidate_ids: list[int]) -> None:
    """One loop per candidate, each built and committed on its own, as a request would."""
    for n, candidate_id in enumerate(candidate_ids):
        with Session(bind=writing(bind)) as session, session.begin():
            recruiter = _user(session, RECRUITER_EMAIL)
            requisition = requisitions.get_requisition(session, recruiter, requisition_id)
            candidate = get_candidate(session, requisition, candidate_id)
            loops.build_loop(session, Actor(recruiter), requisition, candidate, seed=n)


def seed_hiring(bind: Engine, hasher: Hasher, password: str, *, candidates: int,
                loops_built: int, log: Callable[[str], None] = lambda _line: None,
                ) -> HiringSeed:
    """The team, the requisition, ``candidates`` candidates and ``loops_built`` loops,
    spread evenly over the (active) candidates."""
    rng = random.Random(RANDOM_SEED)
    create_users(bind, hasher, password)
    requisition_id = open_requisition(bind)
    ids = add_candidates(bind, requisition_id, candidates, rng)
    with bind.connect() as conn:
        active = list(conn.scalars(select(Candidate.id).where(
            Candidate.requisition_id == requisition_id,
            Candidate.status == CandidateStatus.ACTIVE).order_by(Candidate.id)))
    if loops_built >= len(active):
        raise HiringError(f"{loops_built} loops need more than the {len(active)} active "
                          f"candidates of {len(ids)}; add candidates")
    step = len(active) / loops_built if loops_built else 1
    chosen = sorted({active[int(i * step)] for i in range(loops_built)})
    started = time.perf_counter()
    build_loops(bind, requisition_id, chosen)
    log(f"Built {len(chosen)} loops in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    held = hold_interviews(bind, requisition_id, chosen)
    scorecards, owing = score_interviews(bind, held, rng)
    complete = [c for c in chosen if c not in owing]
    checks, offers = decide_some(bind, requisition_id, complete)
    log(f"Held {len(held)} interviews, {scorecards} scorecards in, {len(owing)} candidates "
        f"owing one, {checks} pre-offer checks, {offers} offers in "
        f"{time.perf_counter() - started:.1f} s")
    taken = set(chosen)
    return HiringSeed(requisition_id=requisition_id, candidates=len(ids), with_loop=chosen,
                      fresh=[c for c in active if c not in taken],
                      debrief_id=complete[0] if complete else None, interviews=len(held),
                      scorecards=scorecards, checks=checks, offers=offers)


# --- interviews held, scorecards in, a few checks and decisions -----------------------------

INTERVIEW_GAP = timedelta(minutes=30)  # between one interview's end and the next's start
OUTSTANDING_EVERY = 5  # every 5th candidate with a loop still owes one scorecard (a draft)
SIGNAL_EVIDENCE = {
    "owned_system": "Carried the pager for a recommendation service for a year.",
    "failure_handling": "Explained the fallback path when the model times out.",
    "reduces_risk": "Asked for a rollback plan before the launch date.",
}


@dataclass(frozen=True)
class Held:
    interview_id: int
    candidate_id: int
    stage_id: int
    panel: tuple[int, int]
    ends_at: datetime


def hold_interviews(bind: Engine, requisition_id: int, candidate_ids: list[int]) -> list[Held]:
    """Every stage of each candidate's loop, booked through the scheduling service as if a
    week ahead, with two of the team's interviewers; the interviews follow one another
    with no overlap and the last ended a day ago. One transaction per candidate."""
    with bind.connect() as conn:
        stages = conn.execute(
            select(Loop.candidate_id, LoopStage.id, LoopStage.minutes).join(LoopStage)
            .where(Loop.candidate_id.in_(candidate_ids))
            .order_by(Loop.candidate_id, LoopStage.position)).all()
        interviewers = list(conn.scalars(select(User.id).where(
            User.email.like("bench-interviewer%")).order_by(User.id)))
    total = sum((timedelta(minutes=m) + INTERVIEW_GAP for _c, _s, m in stages), timedelta())
    starts = utcnow().replace(second=0, microsecond=0) - timedelta(days=1) - total
    by_candidate: dict[int, list[tuple[int, int]]] = {}
    for candidate_id, stage_id, minutes in stages:
        by_candidate.setdefault(candidate_id, []).append((stage_id, minutes))
    held, slot = [], 0
    for candidate_id, plan in by_candidate.items():
        with Session(bind=writing(bind)) as session, session.begin():
            recruiter = _user(session, RECRUITER_EMAIL)
            requisition = requisitions.get_requisition(session, recruiter, requisition_id)
            candidate = get_candidate(session, requisition, candidate_id)
            for stage_id, minutes in plan:
                panel = (interviewers[slot % len(interviewers)],
                         interviewers[(slot + 1) % len(interviewers)])
                interview = scheduling.schedule_stage(
                    session, Actor(recruiter), requisition, candidate, stage_id,
                    scheduling.ScheduleInput(interviewer_ids=list(panel), starts_at=starts,
                                             minutes=minutes, location="Video call",
                                             confirm_over_cap=True),
                    now=starts - timedelta(days=7))
                held.append(Held(interview.id, candidate_id, stage_id, tuple(sorted(panel)),
                                 interview.ends_at))
                starts += timedelta(minutes=minutes) + INTERVIEW_GAP
                slot += 1
    return held


def _recommendation(ratings: list[int]) -> Recommendation:
    mean = sum(ratings) / len(ratings)
    return (Recommendation.STRONG_HIRE if mean >= 3.5 else Recommendation.HIRE if mean >= 2.75
            else Recommendation.NO_HIRE if mean >= 2 else Recommendation.STRONG_NO_HIRE)


def score_interviews(bind: Engine, held: list[Held], rng: random.Random) -> tuple[int, set[int]]:
    """A submitted scorecard from each panelist of each held interview (bulk Core inserts):
    every focus area of the stage rated, other areas about half the time, around the
    candidate's own level; the three pre-offer signals; the "submitted" revision. Every
    OUTSTANDING_EVERY-th candidate's last interview has one draft instead. Returns the
    number of submitted scorecards and the candidates that still owe one."""
    candidates = sorted({h.candidate_id for h in held})
    owing = {c for n, c in enumerate(candidates) if n % OUTSTANDING_EVERY == OUTSTANDING_EVERY - 1}
    last = {h.candidate_id: h for h in held}  # each candidate's last interview
    level = {c: rng.choice((2, 3, 3, 3, 4, 4)) for c in candidates}
    with bind.connect() as conn:
        areas = list(conn.scalars(select(CapabilityArea.id).order_by(CapabilityArea.position)))
        focus: dict[int, set[int]] = {}
        for stage_id, area_id in conn.execute(select(LoopStageArea.stage_id, LoopStageArea.area_id)
                                              .where(LoopStageArea.stage_id.in_(
                                                  [h.stage_id for h in held]))):
            focus.setdefault(stage_id, set()).add(area_id)
    now = utcnow()
    cards, contents = [], []
    for h in held:
        # Filed within a day or so of the interview (never after now).
        submitted_at = min(h.ends_at + timedelta(minutes=rng.randint(20, 36 * 60)), now)
        for m, user_id in enumerate(h.panel):
            draft = h.candidate_id in owing and last[h.candidate_id] is h and m == 1
            ratings = {a: (max(1, min(4, level[h.candidate_id] + rng.choice((-1, 0, 0, 0, 1))))
                           if a in focus.get(h.stage_id, ()) or rng.random() < 0.5 else None)
                       for a in areas}
            given = [r for r in ratings.values() if r is not None]
            signals = {q: rng.choice(tuple(SignalValue)) for q in PreOfferQuestion}
            content = {
                "recommendation": None if draft else _recommendation(given).value,
                "summary": "" if draft else "Specific about what they ran and how it failed.",
                "ratings": {str(a): [r, "" if r is None else "Walked through a system they "
                                     "ran, with numbers."] for a, r in ratings.items()},
                "notes": {},
                "signals": {q.value: [v.value, SIGNAL_EVIDENCE[q.value]
                                      if v != SignalValue.NOT_OBSERVED else ""]
                            for q, v in signals.items()},
            }
            cards.append({
                "interview_id": h.interview_id, "interviewer_id": user_id,
                "candidate_id": h.candidate_id,
                "status": (ScorecardStatus.DRAFT if draft else ScorecardStatus.SUBMITTED).value,
                "recommendation": content["recommendation"], "summary": content["summary"],
                "created_at": submitted_at, "updated_at": submitted_at,
                "submitted_at": None if draft else submitted_at, "version": 1})
            contents.append((content, draft, submitted_at, user_id))
    with writing(bind).connect() as conn, conn.begin():
        table = Scorecard.__table__
        ids = list(conn.scalars(insert(table).returning(table.c.id, sort_by_parameter_order=True),
                                cards))
        ratings_rows, signal_rows, revisions = [], [], []
        for card_id, (content, draft, at, user_id) in zip(ids, contents, strict=True):
            if draft:
                continue
            ratings_rows += [{"scorecard_id": card_id, "area_id": int(a), "rating": r,
                              "evidence": e} for a, (r, e) in content["ratings"].items()]
            signal_rows += [{"scorecard_id": card_id, "question": q, "value": v, "evidence": e}
                            for q, (v, e) in content["signals"].items()]
            revisions.append({"scorecard_id": card_id, "at": at, "author_id": user_id,
                              "kind": "submitted", "content": content, "changes": [],
                              "after_seeing_others": False})
        conn.execute(insert(Rating.__table__), ratings_rows)
        conn.execute(insert(PreOfferSignal.__table__), signal_rows)
        conn.execute(insert(ScorecardRevision.__table__), revisions)
    return len(revisions), owing


def decide_some(bind: Engine, requisition_id: int, complete: list[int]) -> tuple[int, int]:
    """Through the debrief service, as the hiring manager, on the candidates whose
    scorecards are all in: every third (from the second) passes the pre-offer check and
    gets an offer; every third (from the third) has a weak answer (keep looking). The
    rest wait for their debrief. Returns (checks, offers)."""
    checks = offers = 0
    for n, candidate_id in enumerate(complete):
        if n % 3 == 0:
            continue
        with Session(bind=writing(bind)) as session, session.begin():
            manager = _user(session, MANAGER_EMAIL)
            requisition = requisitions.get_requisition(session, manager, requisition_id)
            candidate = get_candidate(session, requisition, candidate_id)
            strong = ("strong", "Specific, first-hand evidence from the panel.")
            weak = ("weak", "Could not say what happens when the model times out.")
            debrief.answer_pre_offer(session, Actor(manager), requisition, candidate, {
                "owned_system": strong, "failure_handling": strong if n % 3 == 1 else weak,
                "reduces_risk": strong})
            checks += 1
            if n % 3 == 1:
                debrief.record_decision(session, Actor(manager), requisition, candidate,
                                        "offer", "Consistent evidence of production ownership.")
                offers += 1
    return checks, offers


# --- timing the operation "build a loop" ----------------------------------------------------

@contextmanager
def counting(bind: Engine) -> Iterator[list[str]]:
    """The SQL statements run meanwhile (transaction control not counted)."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
            statements.append(statement)

    event.listen(bind, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(bind, "before_cursor_execute", record)


def build_rolled_back(bind: Engine, seed: HiringSeed, candidate_id: int, draw: int,
                      clock: Callable[[], int], *, count: bool = False) -> tuple[int, int]:
    """Build one loop with the service and roll it back; (nanoseconds, statements) for the
    build_loop call alone (loading the user, requisition and candidate is not timed)."""
    with Session(bind=writing(bind)) as session:
        session.begin()
        try:
            recruiter = _user(session, RECRUITER_EMAIL)
            requisition = requisitions.get_requisition(session, recruiter, seed.requisition_id)
            candidate = get_candidate(session, requisition, candidate_id)
            with (counting(bind) if count else _nothing()) as statements:
                start = clock()
                loop = loops.build_loop(session, Actor(recruiter), requisition, candidate,
                                        seed=draw)
                elapsed = clock() - start
            if not loop.stages or loop.id is None:
                raise HiringError("build_loop returned a loop without stages")
        finally:
            session.rollback()
    return elapsed, len(statements)


@contextmanager
def _nothing() -> Iterator[list[str]]:
    yield []


def time_service_build(bind: Engine, seed: HiringSeed, *, operations: int, repeat: int,
                       warm_up: int, clock: Callable[[], int] = time.perf_counter_ns,
                       ) -> tuple[list[float], float]:
    """build_loop on the same fresh candidate, every call rolled back so that the bank's
    usage counts do not drift; each call with its own random draw (0, 1, 2, ...)."""
    candidate_id, draws = seed.fresh[0], iter(range(1_000_000))
    for _ in range(warm_up):
        build_rolled_back(bind, seed, candidate_id, next(draws), clock)
    samples = []
    for _ in range(repeat):
        total = sum(build_rolled_back(bind, seed, candidate_id, next(draws), clock)[0]
                    for _ in range(operations))
        samples.append(total / operations / 1000)
    queries = [build_rolled_back(bind, seed, candidate_id, next(draws), clock, count=True)[1]
               for _ in range(operations)]
    return samples, sum(queries) / len(queries)


def loop_page(seed: HiringSeed, candidate_id: int) -> str:
    return f"/requisitions/{seed.requisition_id}/candidates/{candidate_id}"


def post_build(client: FlaskClient, bind: Engine, seed: HiringSeed, candidate_id: int,
               clock: Callable[[], int], *, count: bool = False) -> tuple[int, int]:
    """POST the build form for a candidate without a loop, with the CSRF token of the
    candidate's page, as a browser would; (nanoseconds, statements) of the POST alone."""
    page = loop_page(seed, candidate_id)
    response = client.get(page)
    match = CSRF_META.search(response.get_data(as_text=True))
    if response.status_code != 200 or not match:
        raise HiringError(f"GET {page} gave {response.status_code}, not 200 with a CSRF token")
    with (counting(bind) if count else _nothing()) as statements:
        start = clock()
        response = client.post(page + "/loop", data={"csrf_token": match.group(1)})
        elapsed = clock() - start
    if response.status_code != 302 or not response.headers["Location"].endswith(page):
        raise HiringError(f"POST {page}/loop gave {response.status_code}, not a redirect "
                          "to the loop page")
    with bind.connect() as conn:
        if conn.scalar(select(Loop.id).where(Loop.candidate_id == candidate_id)) is None:
            raise HiringError(f"POST {page}/loop built no loop")
    return elapsed, len(statements)


def time_web_build(client: FlaskClient, bind: Engine, seed: HiringSeed, *, operations: int,
                   repeat: int, warm_up: int, clock: Callable[[], int] = time.perf_counter_ns,
                   ) -> tuple[list[float], float]:
    """POST /requisitions/<id>/candidates/<cid>/loop, each time for a fresh candidate (the
    loops are committed; they are the last thing the run does to the database)."""
    needed = 1 + warm_up + (repeat + 1) * operations  # seed.fresh[0] is the service's
    if len(seed.fresh) < needed:
        raise HiringError(f"timing the web build needs {needed} fresh candidates, there are "
                          f"{len(seed.fresh)}; add candidates")
    fresh = iter(seed.fresh[1:])
    for _ in range(warm_up):
        post_build(client, bind, seed, next(fresh), clock)
    samples = []
    for _ in range(repeat):
        total = sum(post_build(client, bind, seed, next(fresh), clock)[0]
                    for _ in range(operations))
        samples.append(total / operations / 1000)
    queries = [post_build(client, bind, seed, next(fresh), clock, count=True)[1]
               for _ in range(operations)]
    return samples, sum(queries) / len(queries)
