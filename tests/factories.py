"""Builders for test data, through the real services (so their rules apply)."""

from __future__ import annotations

from interviewloop.audit.service import Actor
from interviewloop.requisitions import candidates, service
from interviewloop.requisitions.models import OPERATING_QUESTIONS

ANSWERS = {
    "ships": "A retrieval-backed assistant for support agents.",
    "owns_after_launch": "Evaluation, deployment, monitoring and the on-call rota.",
    "success_measures": "Resolution time down, answer quality up, cost per answer flat.",
    "fails_in_seat": "Someone who wants open-ended research and avoids production support.",
}


def requisition_input(manager, recruiter, **overrides) -> service.RequisitionInput:
    values = {
        "title": "Senior AI Engineer", "level": "senior", "team": "Support AI",
        "hiring_manager_id": manager.id, "recruiter_id": recruiter.id, "comp_currency": "USD",
        "comp_min": 180_000, "comp_max": 240_000, "answers": dict(ANSWERS),
        "surface": {"surface_system": "Support search", "surface_pager": "The support AI team"},
    }
    values.update(overrides)
    return service.RequisitionInput(**values)


def make_requisition(session, manager, recruiter, *, status="open", **overrides):
    """A requisition by ``recruiter``; confirmed and opened unless status="draft"."""
    requisition = service.create_requisition(
        session, Actor(recruiter), requisition_input(manager, recruiter, **overrides))
    if status != "draft":
        service.confirm_definition(session, Actor(manager), requisition)
        service.confirm_definition(session, Actor(recruiter), requisition)
        service.open_requisition(session, Actor(recruiter), requisition)
    return requisition


def make_candidate(session, requisition, recruiter, n: int = 1, email: str | None = None):
    return candidates.add_candidate(session, Actor(recruiter), requisition, candidates.CandidateInput(
        name=f"Candidate {n}", email=email or f"candidate{n}@example.net", source="Referral"))


assert set(ANSWERS) == set(OPERATING_QUESTIONS)


# --- scheduling ------------------------------------------------------------------------------

def next_monday(weeks_ahead: int = 2, hour: int = 10, minute: int = 0):
    """The Monday of the week ``weeks_ahead`` weeks after this one, at hour:minute UTC."""
    from datetime import UTC, datetime, timedelta

    today = datetime.now(UTC).replace(hour=hour, minute=minute, second=0, microsecond=0)
    return today + timedelta(days=7 * weeks_ahead - today.weekday())


def add_to_team(session, requisition, manager, *users) -> None:
    """Put interviewers on the requisition's hiring team (through the service)."""
    for user in users:
        service.add_member(session, Actor(manager), requisition, user.id)


def make_candidate_with_loop(session, requisition, recruiter, n: int = 1, *, seed: int = 1,
                             email: str | None = None):
    """(candidate, loop) with the loop built from the requisition level's template."""
    from interviewloop.loops import service as loops

    candidate = make_candidate(session, requisition, recruiter, n, email=email)
    loops.build_loop(session, Actor(recruiter), requisition, candidate, seed=seed)
    return candidate, loops.loop_for(session, candidate)


def make_interview(session, requisition, recruiter, candidate, stage, interviewers, starts_at,
                   *, minutes: int | None = None, location: str = "Room 4 / video link",
                   confirm: bool = False, now=None):
    """Schedule ``stage`` through the service; ``now`` (in the past) allows past interviews."""
    from interviewloop.scheduling import service as scheduling

    data = scheduling.ScheduleInput(
        interviewer_ids=[u.id for u in interviewers], starts_at=starts_at,
        minutes=minutes if minutes is not None else stage.minutes, location=location,
        confirm_over_cap=confirm)
    return scheduling.schedule_stage(session, Actor(recruiter), requisition, candidate,
                                     stage.id, data, now=now)


# --- scorecards ------------------------------------------------------------------------------

def past_interview(session, requisition, recruiter, candidate, stage, interviewers, *,
                   ended_hours_ago: float = 1, minutes: int | None = None):
    """An interview that ended ``ended_hours_ago`` hours ago (booked as if from before it)."""
    from datetime import timedelta

    from interviewloop.db import utcnow

    minutes = minutes or stage.minutes
    starts_at = utcnow() - timedelta(hours=ended_hours_ago, minutes=minutes)
    return make_interview(session, requisition, recruiter, candidate, stage, interviewers,
                          starts_at, minutes=minutes, now=starts_at - timedelta(minutes=5))


def write_scorecard(session, user, requisition, interview, *, submit: bool = True,
                    rating: int | None = 3, evidence: str = "Walked through a real incident.",
                    recommendation: str | None = "hire", summary: str = "",
                    notes: str = "", signal_evidence: str = "", seen_version: int | None = None,
                    confirm: bool = False):
    """``user``'s scorecard through the service: every focus area of the stage rated
    ``rating`` with ``evidence``; each question noted ``notes``; one pre-offer signal."""
    from interviewloop.bank.service import areas
    from interviewloop.scorecards import service as scorecards

    stage = scorecards.stage_for(session, interview)
    focus = {a.id for a in stage.focus_areas}
    by_id = {a.id: a for a in areas(session)}
    data = scorecards.ScorecardInput(
        ratings={a: (rating, evidence) if a in focus else (None, "") for a in by_id},
        notes={lq.id: notes for lq in stage.questions},
        signals={"owned_system": ("yes", signal_evidence) if signal_evidence else (None, "")},
        recommendation=recommendation, summary=summary, confirm_contradiction=confirm)
    current = scorecards.own_scorecard(session, interview, user.id)
    version = seen_version if seen_version is not None else current.version if current else 0
    return scorecards.save(session, Actor(user), requisition, interview, current, data,
                           submit=submit, seen_version=version, areas=by_id, stage=stage)


# --- bulk data for query-count tests ---------------------------------------------------------

def bulk_interviews(session, requisition_id: int, starts: list, panel, *, prefix: str = "bulk",
                    with_interviews: bool = True) -> tuple[list[int], list[int]]:
    """One candidate per start time, each with a one-stage loop and (unless told otherwise)
    an hour's interview at that time with ``panel``, inserted with Core for speed.
    Returns (candidate ids, interview ids)."""
    from datetime import timedelta

    from sqlalchemy import insert

    from interviewloop.db import utcnow
    from interviewloop.loops.models import Loop, LoopStage
    from interviewloop.requisitions.models import Candidate
    from interviewloop.scheduling.models import Interview, Panelist

    now, hour, tag = utcnow(), timedelta(hours=1), prefix
    candidate_ids = list(session.scalars(insert(Candidate).returning(
        Candidate.id, sort_by_parameter_order=True), [
        {"requisition_id": requisition_id, "name": f"{prefix.title()} {n}",
         "email": f"{tag}-{n}@example.net", "source": "", "notes": "", "status": "active",
         "version": 1} for n in range(len(starts))]))
    loop_ids = list(session.scalars(insert(Loop).returning(
        Loop.id, sort_by_parameter_order=True), [
        {"candidate_id": cid, "level": "senior", "template_id": None, "coverage_gaps": [],
         "created_at": now, "updated_at": now, "version": 1} for cid in candidate_ids]))
    stage_ids = list(session.scalars(insert(LoopStage).returning(
        LoopStage.id, sort_by_parameter_order=True), [
        {"loop_id": lid, "position": 0, "name": f"{prefix.title()} stage",
         "category": "system_design", "minutes": 60} for lid in loop_ids]))
    if not with_interviews:
        session.flush()
        return candidate_ids, []
    interview_ids = list(session.scalars(insert(Interview).returning(
        Interview.id, sort_by_parameter_order=True), [
        {"stage_id": sid, "candidate_id": cid, "starts_at": at, "ends_at": at + hour,
         "location": "", "status": "scheduled", "ical_uid": f"{tag}-{sid}@test", "sequence": 0,
         "created_at": now, "version": 1}
        for sid, cid, at in zip(stage_ids, candidate_ids, starts, strict=True)]))
    session.execute(insert(Panelist), [
        {"interview_id": iid, "user_id": person.id, "starts_at": at, "ends_at": at + hour,
         "live": True} for iid, at in zip(interview_ids, starts, strict=True) for person in panel])
    session.flush()
    return candidate_ids, interview_ids


def held_interview(session, make_user) -> dict:
    """A hiring team, a candidate with a loop, and an interview of its first stage that
    has just been held by two interviewers ("first" and "second")."""
    manager, recruiter = make_user("hiring_manager"), make_user("recruiter")
    first, second = make_user("interviewer"), make_user("interviewer")
    requisition = make_requisition(session, manager, recruiter)
    add_to_team(session, requisition, recruiter, first, second)
    candidate, loop = make_candidate_with_loop(session, requisition, recruiter)
    interview = past_interview(session, requisition, recruiter, candidate, loop.stages[0],
                               [first, second])
    return {"requisition": requisition, "candidate": candidate, "interview": interview,
            "loop": loop, "manager": manager, "recruiter": recruiter, "first": first,
            "second": second}
