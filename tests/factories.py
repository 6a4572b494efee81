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
