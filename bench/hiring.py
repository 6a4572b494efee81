"""The hiring side of the benchmark: a hiring team, one open senior requisition with many
candidates (some with loops built, their interviews held and scored), and the timing of
building a loop.

The users, the requisition (its confirmation, opening and hiring team), its first loop
(which fixes the question set) and the pre-offer checks and decisions go through the real
services; the candidates, the other loops (copies of the first, as the set makes them),
the interviews and the scorecards (with their ratings, pre-offer signals, first revision
and audit rows) are bulk-inserted with Core (bench/bulk.py), many rows per statement, as
the services would have written them. The scorecards point at the panels (their
composite foreign key demands it).
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session

from bench import bulk, seed
from interviewloop.audit.models import AuditEvent
from interviewloop.audit.service import SYSTEM, Actor
from interviewloop.auth import service as auth_service
from interviewloop.auth.models import User
from interviewloop.auth.passwords import Hasher
from interviewloop.bank.models import CapabilityArea
from interviewloop.db import utcnow, writing
from interviewloop.debrief import service as debrief
from interviewloop.loops import service as loops
from interviewloop.loops.models import Loop, LoopStageArea
from interviewloop.requisitions import service as requisitions
from interviewloop.requisitions.candidates import get_candidate
from interviewloop.requisitions.models import Candidate, CandidateStatus
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
INTERVIEWERS = 40
FRESH_RESERVE = 50  # active candidates left without a loop (the timed builds take them)
DECISIONS_AT_MOST = 150  # candidates whose pre-offer check goes through the service
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
    loops: int = 0  # all loops: with_loop's, and those of candidates rejected since
    drafts: int = 0  # scorecards still owed (a draft each)


def create_users(bind: Engine, hasher: Hasher, password: str,
                 interviewers: int = INTERVIEWERS) -> None:
    """A hiring manager, a recruiter and ``interviewers`` interviewers."""
    people = [(MANAGER_EMAIL, "Hana Manager", "hiring_manager"),
              (RECRUITER_EMAIL, "Rui Recruiter", "recruiter"),
              *((f"bench-interviewer{n}@example.com", f"Interviewer {n}", "interviewer")
                for n in range(1, interviewers + 1))]
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
    with writing(bind).connect() as conn, conn.begin():
        return bulk.insert_ids(conn, Candidate, rows)


def build_first_loop(bind: Engine, requisition_id: int, candidate_id: int) -> None:
    """The requisition's first loop, through build_loop: it fixes the question set."""
    with Session(bind=writing(bind)) as session, session.begin():
        recruiter = _user(session, RECRUITER_EMAIL)
        requisition = requisitions.get_requisition(session, recruiter, requisition_id)
        candidate = get_candidate(session, requisition, candidate_id)
        loops.build_loop(session, Actor(recruiter), requisition, candidate, seed=0)


def _statuses(bind: Engine, requisition_id: int) -> dict[CandidateStatus, list[int]]:
    found: dict[CandidateStatus, list[int]] = {s: [] for s in CandidateStatus}
    with bind.connect() as conn:
        for candidate_id, status in conn.execute(
                select(Candidate.id, Candidate.status)
                .where(Candidate.requisition_id == requisition_id).order_by(Candidate.id)):
            found[CandidateStatus(status)].append(candidate_id)
    return found


def choose_loops(by_status: dict[CandidateStatus, list[int]], loops_built: int | None,
                 ) -> tuple[list[int], list[int]]:
    """(active candidates with a loop, others with a loop). ``loops_built`` active ones,
    spread evenly; None: every active candidate but FRESH_RESERVE, and every rejected one
    (rejected after their loop), as on a requisition that has been running a while."""
    active = by_status[CandidateStatus.ACTIVE]
    if loops_built is None:  # (half the active ones, on a toy requisition)
        loops_built = max(1, len(active) - min(FRESH_RESERVE, len(active) // 2))
        others = by_status[CandidateStatus.REJECTED]
    else:
        others = []
    if loops_built >= len(active):
        raise HiringError(f"{loops_built} loops need more than the {len(active)} active "
                          "candidates; add candidates")
    step = len(active) / loops_built
    return sorted({active[int(i * step)] for i in range(loops_built)}), others


def seed_hiring(bind: Engine, hasher: Hasher, password: str, *, candidates: int,
                loops_built: int | None, interviewers: int = INTERVIEWERS,
                log: Callable[[str], None] = lambda _line: None) -> HiringSeed:
    """The team, the requisition, ``candidates`` candidates and their loops (see
    choose_loops), every stage of those held and scored, a few checks and decisions."""
    rng = random.Random(RANDOM_SEED)
    create_users(bind, hasher, password, interviewers)
    requisition_id = open_requisition(bind)
    ids = add_candidates(bind, requisition_id, candidates, rng)
    by_status = _statuses(bind, requisition_id)
    chosen, others = choose_loops(by_status, loops_built)
    started = time.perf_counter()
    build_first_loop(bind, requisition_id, chosen[0])
    with bind.connect() as conn:
        recruiter_id = conn.scalar(select(User.id).where(User.email == RECRUITER_EMAIL))
        panel = list(conn.scalars(select(User.id).where(
            User.email.like("bench-interviewer%")).order_by(User.id)))
    assert recruiter_id is not None
    with_loop = sorted(chosen + others)
    with writing(bind).connect() as conn, conn.begin():
        bulk.copy_loops(conn, chosen[0], [c for c in with_loop if c != chosen[0]],
                        recruiter_id)
    log(f"Built {len(with_loop)} loops in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    with writing(bind).connect() as conn, conn.begin():
        held = bulk.hold_interviews(conn, with_loop, panel, recruiter_id)
    scorecards, owing = score_interviews(bind, held, rng)
    complete = [c for c in chosen if c not in owing]
    # The debrief timed is a copied loop's where there are copies; its check is left open.
    debrief_id = complete[-1] if complete else None
    checks, offers = decide_some(bind, requisition_id, complete[:-1][:DECISIONS_AT_MOST])
    seed.analyze(bind)  # after the bulk load, as after the bank's
    log(f"Held {len(held)} interviews, {scorecards} scorecards in, {len(owing)} candidates "
        f"owing one, {checks} pre-offer checks, {offers} offers in "
        f"{time.perf_counter() - started:.1f} s")
    taken = set(chosen)
    return HiringSeed(requisition_id=requisition_id, candidates=len(ids), with_loop=chosen,
                      fresh=[c for c in by_status[CandidateStatus.ACTIVE] if c not in taken],
                      debrief_id=debrief_id, interviews=len(held),
                      scorecards=scorecards, checks=checks, offers=offers,
                      loops=len(with_loop), drafts=len(owing))


# --- interviews held, scorecards in, a few checks and decisions -----------------------------

OUTSTANDING_EVERY = 5  # every 5th candidate with a loop still owes one scorecard (a draft)
SIGNAL_EVIDENCE = {
    "owned_system": "Carried the pager for a recommendation service for a year.",
    "failure_handling": "Explained the fallback path when the model times out.",
    "reduces_risk": "Asked for a rollback plan before the launch date.",
}


def _recommendation(ratings: list[int]) -> Recommendation:
    mean = sum(ratings) / len(ratings)
    return (Recommendation.STRONG_HIRE if mean >= 3.5 else Recommendation.HIRE if mean >= 2.75
            else Recommendation.NO_HIRE if mean >= 2 else Recommendation.STRONG_NO_HIRE)


def score_interviews(bind: Engine, held: list[bulk.Held], rng: random.Random) -> tuple[int, set[int]]:
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
        ids = bulk.insert_ids(conn, Scorecard, cards)
        ratings_rows, signal_rows, revisions, audit = [], [], [], []
        for card_id, card, (content, draft, at, user_id) in zip(ids, cards, contents,
                                                                 strict=True):
            if draft:
                continue
            ratings_rows += [{"scorecard_id": card_id, "area_id": int(a), "rating": r,
                              "evidence": e} for a, (r, e) in content["ratings"].items()]
            signal_rows += [{"scorecard_id": card_id, "question": q, "value": v, "evidence": e}
                            for q, (v, e) in content["signals"].items()]
            revisions.append({"scorecard_id": card_id, "at": at, "author_id": user_id,
                              "kind": "submitted", "content": content, "changes": [],
                              "after_seeing_others": False})
            # What submit_scorecard records (interviewloop/scorecards/service.py).
            audit.append(bulk.audit_row(at, user_id, "scorecard_submitted", "scorecards",
                                        card_id, interview_id=card["interview_id"]))
        for model, rows in ((Rating, ratings_rows), (PreOfferSignal, signal_rows),
                            (ScorecardRevision, revisions), (AuditEvent, audit)):
            bulk.insert_all(conn, model, rows)
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


# --- timing the operation "build a loop" (bench/pages.py interleaves it with /healthz) ---

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
            with (counting(bind) if count else nothing()) as statements:
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
def nothing() -> Iterator[list[str]]:
    yield []


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
    with (counting(bind) if count else nothing()) as statements:
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
