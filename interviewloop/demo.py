"""Demo data for `make run`: idempotent, so running it twice changes nothing."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from interviewloop.audit.service import SYSTEM, Actor
from interviewloop.auth import service
from interviewloop.auth.passwords import Hasher
from interviewloop.loops import service as loops
from interviewloop.requisitions import candidates
from interviewloop.requisitions import service as requisitions_service
from interviewloop.requisitions.models import Requisition

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


DEMO_REQUISITIONS = [
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
    return created


def _load_requisitions(session: Session) -> None:
    manager = service.find_user_by_email(session, "manager@example.com")
    recruiter = service.find_user_by_email(session, "recruiter@example.com")
    interviewers = [service.find_user_by_email(session, f"interviewer{n}@example.com")
                    for n in range(1, 5)]
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
        for n, (name, email, source) in enumerate(spec["candidates"]):
            candidate = candidates.add_candidate(session, as_recruiter, requisition,
                                                 candidates.CandidateInput(name, email, source))
            if n < 2:  # leave one candidate without a loop, to show the build step
                loop = loops.build_loop(session, as_recruiter, requisition, candidate, seed=n)
                _schedule(session, as_recruiter, requisition, candidate, loop, interviewers,
                          slot=2 * index + n)


def _schedule(session: Session, actor: Actor, requisition: Requisition, candidate, loop,
              interviewers, slot: int) -> None:
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


def _scorecards(session: Session, requisition: Requisition, interview, panel, slot: int) -> None:
    """On the past interview: one scorecard submitted, one left as an overdue draft."""
    from interviewloop.bank.service import areas
    from interviewloop.scorecards import service as scorecards

    stage = scorecards.stage_for(session, interview)
    by_id = {a.id: a for a in areas(session)}
    leaning = 3 + slot % 2  # some candidates stronger than others
    ratings = {a.id: (leaning if a in stage.focus_areas else None,
                      f"Walked through {a.name.lower()} choices with concrete examples."
                      if a in stage.focus_areas else "") for a in by_id.values()}
    submitted = scorecards.ScorecardInput(
        ratings=ratings, recommendation="strong_hire" if leaning == 4 else "hire",
        summary="Clear on failure modes; named the metrics they watched after launch.",
        signals={"owned_system": ("yes", "Ran the ranking service's on-call for a year."),
                 "failure_handling": ("yes", "Explained the fallback path plainly."),
                 "reduces_risk": (None, "")})
    scorecards.save(session, Actor(panel[0]), requisition, interview, None, submitted,
                    submit=True, seen_version=0, areas=by_id, stage=stage)
    draft = scorecards.ScorecardInput(ratings={a.id: (None, "") for a in by_id.values()},
                                      summary="Notes to tidy up.")
    scorecards.save(session, Actor(panel[1]), requisition, interview, None, draft,
                    submit=False, seen_version=0, areas=by_id, stage=stage)
