"""Demo data for `make run`: idempotent, so running it twice changes nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from interviewloop.audit.service import SYSTEM, Actor
from interviewloop.auth import service
from interviewloop.auth.models import User
from interviewloop.auth.passwords import Hasher
from interviewloop.loops import service as loops
from interviewloop.loops.models import Loop
from interviewloop.requisitions import candidates
from interviewloop.requisitions import service as requisitions_service
from interviewloop.requisitions.models import Candidate, Requisition
from interviewloop.scheduling.models import Interview

DEMO_USERS: list[tuple[str, str, tuple[str, ...]]] = [
    ("admin@example.com", "Ada Admin", ("admin",)),
    ("recruiter@example.com", "Rita Recruiter", ("recruiter",)),
    ("manager@example.com", "Manny Manager", ("hiring_manager",)),
    ("interviewer1@example.com", "Ines Interviewer", ("interviewer",)),
    ("interviewer2@example.com", "Ivan Interviewer", ("interviewer",)),
    ("interviewer3@example.com", "Iris Interviewer", ("interviewer",)),
    ("interviewer4@example.com", "Igor Interviewer", ("interviewer", "hiring_manager")),
]

DEMO_TIME_ZONES = ["UTC", "America/New_York", "Europe/London", "Europe/Berlin",
                   "Asia/Kolkata", "America/Los_Angeles", "Australia/Sydney"]


DEMO_REQUISITIONS: list[dict[str, Any]] = [
    {"title": "Junior AI Engineer", "level": "junior", "team": "Support Automation",
     "comp": (110_000, 140_000),
     "ships": "Model-backed triage for incoming support tickets, inside the helpdesk.",
     "owns_after_launch": "The triage service's tests, alerts and weekly quality review.",
     "success_measures": "Tickets routed right first time; no rise in p95 latency.",
     "fails_in_seat": "Someone who wants to work only in notebooks.",
     "candidates": [("Ana Ortiz", "ana.ortiz@example.net", "Referral"),
                    ("Ben Okafor", "ben.okafor@example.net", "Inbound")]},
    {"title": "Senior AI Engineer", "level": "senior", "team": "Search",
     "comp": (185_000, 235_000),
     "ships": "A retrieval-backed answer service for the customer help centre.",
     "owns_after_launch": "Evaluation, deployment, drift monitoring and rollback.",
     "success_measures": "Deflection up, bad-answer reports down, cost per answer flat.",
     "fails_in_seat": "Someone who measures success by demo quality, not production quality.",
     "candidates": [("Chen Wei", "chen.wei@example.net", "Sourced"),
                    ("Dana Smith", "dana.smith@example.net", "Referral"),
                    ("Eli Novak", "eli.novak@example.net", "Inbound")]},
    {"title": "Lead AI Engineer", "level": "staff", "team": "AI Platform",
     "comp": (180_000, 200_000),  # deliberately under the market figures: the page says so
     "ships": "The shared model gateway and evaluation platform product teams build on.",
     "owns_after_launch": "Platform reliability, the rollout policy and the on-call standard.",
     "success_measures": "Teams ship model changes weekly with fewer incidents.",
     "fails_in_seat": "Someone who adds features to the platform but not guard rails.",
     "candidates": [("Farah Haddad", "farah.haddad@example.net", "Referral")]},
]


def load_demo(session: Session, hasher: Hasher, password: str) -> int:
    """Create the demo users and data that do not exist yet; return how many users."""
    created = 0
    for (email, name, roles), zone in zip(DEMO_USERS, DEMO_TIME_ZONES, strict=True):
        if service.find_user_by_email(session, email) is None:
            service.create_user(session, SYSTEM, hasher, email=email, name=name,
                                password=password, roles=roles, time_zone=zone)
            created += 1
    _load_requisitions(session)
    _load_pool(session)
    _load_history(session)  # last: its bulk inserts leave the session's objects expired
    return created


def _demo_user(session: Session, email: str) -> User:
    user = service.find_user_by_email(session, email)
    if user is None:  # load_demo creates them all first
        raise LookupError(f"The demo user {email} is missing.")
    return user


def _load_requisitions(session: Session) -> None:
    manager = _demo_user(session, "manager@example.com")
    recruiter = _demo_user(session, "recruiter@example.com")
    interviewers = [_demo_user(session, f"interviewer{n}@example.com") for n in range(1, 5)]
    as_manager, as_recruiter = Actor(manager), Actor(recruiter)
    for index, spec in enumerate(DEMO_REQUISITIONS):
        if session.scalar(select(Requisition.id).where(Requisition.title == spec["title"])):
            continue
        requisition = requisitions_service.create_requisition(
            session, as_recruiter, requisitions_service.RequisitionInput(
                title=spec["title"], level=spec["level"], team=spec["team"],
                hiring_manager_id=manager.id, recruiter_id=recruiter.id, comp_currency="USD",
                comp_min=spec["comp"][0], comp_max=spec["comp"][1],
                answers={k: spec[k] for k in
                         ("ships", "owns_after_launch", "success_measures", "fails_in_seat")},
                surface={"surface_system": spec["ships"],
                         "surface_pager": f"The {spec['team']} team's weekly rota"}))
        for interviewer in interviewers:
            requisitions_service.add_member(session, as_recruiter, requisition, interviewer.id)
        requisitions_service.confirm_definition(session, as_manager, requisition)
        requisitions_service.confirm_definition(session, as_recruiter, requisition)
        requisitions_service.open_requisition(session, as_recruiter, requisition)
        # Every candidate on a requisition is asked its question set, fixed by the first
        # loop built (loops/sets.py): the senior requisition's five candidates with loops
        # share their questions stage by stage, so the debriefs compare like with like.
        if spec["level"] == "senior":
            _debrief_candidates(session, as_manager, as_recruiter, requisition, interviewers)
        for n, (name, email, source) in enumerate(spec["candidates"]):
            candidate = candidates.add_candidate(session, as_recruiter, requisition,
                                                 candidates.CandidateInput(name, email, source))
            if n < 2:  # leave one candidate without a loop, to show the build step
                loop = loops.build_loop(session, as_recruiter, requisition, candidate, seed=n)
                _schedule(session, as_recruiter, requisition, candidate, loop, interviewers,
                          slot=2 * index + n)


def _load_history(session: Session) -> None:
    """Past candidates with decisions, for the analytics reports (demo_history.py)."""
    from interviewloop.demo_history import load_history

    load_history(session, _demo_user(session, "manager@example.com"),
                 _demo_user(session, "recruiter@example.com"),
                 [_demo_user(session, f"interviewer{n}@example.com") for n in range(1, 5)],
                 {spec["level"]: spec for spec in DEMO_REQUISITIONS})


def _schedule(session: Session, actor: Actor, requisition: Requisition, candidate: Candidate,
              loop: Loop, interviewers: list[User], slot: int) -> None:
    """A past interview, an upcoming one and a cancelled one per candidate."""
    from datetime import timedelta

    from interviewloop.db import utcnow
    from interviewloop.scheduling import service as scheduling

    # One hour of the day per candidate, so that the shared panel is never double-booked.
    today = utcnow().replace(hour=12 + slot, minute=0, second=0, microsecond=0)
    plan = [(loop.stages[0], today - timedelta(days=3), interviewers[:2]),
            (loop.stages[1], today + timedelta(days=2), interviewers[1:3]),
            (loop.stages[2], today + timedelta(days=4), interviewers[2:4])]
    booked = []
    for stage, starts, panel in plan:
        booked.append(scheduling.schedule_stage(
            session, actor, requisition, candidate, stage.id, scheduling.ScheduleInput(
                interviewer_ids=[u.id for u in panel], starts_at=starts, minutes=stage.minutes,
                location="Video call (link in the invite)", confirm_over_cap=True),
            now=starts - timedelta(days=7)))
    scheduling.cancel(session, actor, requisition, booked[2], "The candidate asked to move it.")
    _scorecards(session, requisition, booked[0], interviewers[:2], slot)
    _availability(session, actor, requisition, candidate)


def _availability(session: Session, actor: Actor, requisition: Requisition,
                  candidate: Candidate) -> None:
    """A private link in force, and two windows the candidate gave next week."""
    from datetime import timedelta

    from interviewloop.availability import service as availability
    from interviewloop.db import utcnow

    link = availability.create_link(session, actor, requisition, candidate, days=30)
    opened = availability.Opened(link, candidate, requisition)
    # Wall-clock times in the candidate's zone (naive), the Monday after next and its Wednesday.
    now = utcnow()
    monday = now.replace(minute=0, second=0, microsecond=0, tzinfo=None) + timedelta(
        days=14 - now.weekday())
    for day, (start, end) in ((0, (9, 12)), (2, (13, 17))):
        availability.add_window(session, opened, monday.replace(hour=start) + timedelta(days=day),
                                monday.replace(hour=end) + timedelta(days=day))


def _scorecards(session: Session, requisition: Requisition, interview: Interview,
                panel: list[User], slot: int) -> None:
    """On the past interview: one scorecard submitted, one left as an overdue draft."""
    from interviewloop.bank.service import areas
    from interviewloop.scorecards import service as scorecards

    stage = scorecards.stage_for(session, interview)
    by_id = {a.id: a for a in areas(session)}
    _submit(session, requisition, interview, panel[0], 3 + slot % 2)  # some stronger
    draft = scorecards.ScorecardInput(ratings={a.id: (None, "") for a in by_id.values()},
                                      summary="Notes to tidy up.")
    scorecards.save(session, Actor(panel[1]), requisition, interview, None, draft,
                    submit=False, seen_version=0, areas=by_id, stage=stage)


def _submit(session: Session, requisition: Requisition, interview: Interview, author: User,
            leaning: int) -> None:
    """``author`` submits a scorecard rating the stage's focus areas ``leaning``."""
    from interviewloop.bank.service import areas
    from interviewloop.scorecards import service as scorecards

    stage = scorecards.stage_for(session, interview)
    by_id = {a.id: a for a in areas(session)}
    ratings = {a.id: (leaning if a in stage.focus_areas else None,
                      f"Walked through {a.name.lower()} choices with concrete examples."
                      if a in stage.focus_areas else "") for a in by_id.values()}
    submitted = scorecards.ScorecardInput(
        ratings=ratings, recommendation="strong_hire" if leaning == 4 else "hire",
        summary="Clear on failure modes; named the metrics they watched after launch.",
        signals={"owned_system": ("yes", "Ran the ranking service's on-call for a year."),
                 "failure_handling": ("yes", "Explained the fallback path plainly."),
                 "reduces_risk": (None, "")})
    scorecards.save(session, Actor(author), requisition, interview, None, submitted,
                    submit=True, seen_version=0, areas=by_id, stage=stage)


def _load_pool(session: Session) -> None:
    """The senior system design pool: Ines owns it, Ivan and Iris are qualified with her,
    and Igor is a shadow with one practice card (shadowing Ines), so the pool page shows
    a trainee on the way to promotion."""
    from datetime import timedelta

    from interviewloop.db import utcnow
    from interviewloop.enums import Category, Level
    from interviewloop.pools import service as pools
    from interviewloop.scheduling import service as scheduling

    if pools.pool_for(session, Category.SYSTEM_DESIGN, Level.SENIOR) is not None:
        return
    admin = Actor(_demo_user(session, "admin@example.com"))
    ines, ivan, iris, igor = (_demo_user(session, f"interviewer{n}@example.com")
                              for n in range(1, 5))
    pool = pools.create_pool(session, admin, Category.SYSTEM_DESIGN, Level.SENIOR, ines.id)
    for person in (ines, ivan, iris):
        pools.add_member(session, admin, pool, person.id, "qualified")
    pools.add_member(session, admin, pool, igor.id, "shadow",
                     note="Shadowing before joining the system design panels.")
    requisition = session.scalars(select(Requisition).where(
        Requisition.title == "Senior AI Engineer").options(selectinload(Requisition.members))
        .execution_options(populate_existing=True)).first()
    if requisition is None:
        return
    recruiter = Actor(_demo_user(session, "recruiter@example.com"))
    candidate = candidates.add_candidate(session, recruiter, requisition, candidates.CandidateInput(
        "Jo Lindqvist", "jo.lindqvist@example.net", "Sourced"))
    loop = loops.build_loop(session, recruiter, requisition, candidate, seed=20)
    stage = next(s for s in loop.stages if s.category == Category.SYSTEM_DESIGN)
    starts = (utcnow() - timedelta(days=6)).replace(hour=7, minute=0, second=0, microsecond=0)
    interview = scheduling.schedule_stage(
        session, recruiter, requisition, candidate, stage.id, scheduling.ScheduleInput(
            interviewer_ids=[ines.id], trainee_ids=[igor.id], starts_at=starts,
            minutes=stage.minutes, location="Video call", confirm_over_cap=True),
        now=starts - timedelta(days=3))
    _submit(session, requisition, interview, ines, 3)
    _submit(session, requisition, interview, igor, 4)  # the practice card: counted nowhere


DEBRIEF_CANDIDATES = [
    # name, email, what the panel thought of each area (by area position), then outcome
    ("Gabriel Ruiz", "gabriel.ruiz@example.net", (3, 3, 3, 3, 3), "ready"),
    ("Hana Sato", "hana.sato@example.net", (4, 3, 1, 3, 3), "disagreement"),
    ("Ivo Petrov", "ivo.petrov@example.net", (4, 4, 3, 4, 3), "offer"),
]


def _debrief_candidates(session: Session, as_manager: Actor, as_recruiter: Actor,
                        requisition: Requisition, interviewers: list[User]) -> None:
    """Candidates whose interviews are all behind them and all scorecards in: one ready
    for the debrief, one with a disagreement to discuss, one with an offer."""
    from datetime import timedelta

    from interviewloop.bank.service import areas
    from interviewloop.db import utcnow
    from interviewloop.debrief import service as debrief
    from interviewloop.scheduling import service as scheduling
    from interviewloop.scorecards import service as scorecards

    area_list = areas(session)
    by_id = {a.id: a for a in area_list}
    for n, (name, email, profile, outcome) in enumerate(DEBRIEF_CANDIDATES):
        candidate = candidates.add_candidate(session, as_recruiter, requisition,
                                             candidates.CandidateInput(name, email, "Referral"))
        loop = loops.build_loop(session, as_recruiter, requisition, candidate, seed=10 + n)
        for k, stage in enumerate(loop.stages[:2]):
            starts = (utcnow() - timedelta(days=8 + k)).replace(
                hour=9 + 2 * n, minute=0, second=0, microsecond=0)
            panel = interviewers[k * 2:k * 2 + 2]
            interview = scheduling.schedule_stage(
                session, as_recruiter, requisition, candidate, stage.id, scheduling.ScheduleInput(
                    interviewer_ids=[u.id for u in panel], starts_at=starts, minutes=60,
                    location="Video call", confirm_over_cap=True), now=starts - timedelta(days=3))
            stage_full = scorecards.stage_for(session, interview)
            for m, author in enumerate(panel):
                # The disagreement: the second interviewer sees one area very differently.
                scores = {a.id: profile[i] if not (outcome == "disagreement" and m == 1 and
                                                   i == 2) else 4
                          for i, a in enumerate(area_list)}
                ratings: dict[int, tuple[int | None, str]] = {
                    a.id: (scores[a.id], f"{a.name}: specific, first-hand examples from their "
                                         "own systems.") for a in area_list}
                overall = sum(scores.values()) / len(scores)
                data = scorecards.ScorecardInput(
                    ratings=ratings, summary="Evidence-based summary of the session.",
                    recommendation="strong_hire" if overall >= 3.6 else "hire",
                    signals={"owned_system": ("yes", "Owned the service's on-call after launch."),
                             "failure_handling": ("yes", "Explained fallbacks plainly."),
                             "reduces_risk": ("not_observed", "")})
                scorecards.save(session, Actor(author), requisition, interview, None, data,
                                submit=True, seen_version=0, areas=by_id, stage=stage_full)
        if outcome == "offer":
            strong = ("strong", "Clear, specific evidence across the panel.")
            debrief.answer_pre_offer(session, as_manager, requisition, candidate, {
                "owned_system": strong, "failure_handling": strong, "reduces_risk": strong})
            debrief.record_decision(session, as_manager, requisition, candidate, "offer",
                                    "Strong, consistent evidence of production ownership.",
                                    "The panel's evidence covers what the unheld stages would.")
