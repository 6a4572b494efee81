"""Webhooks' receivers for the signals of the features below (connected in
interviewloop/wiring.py): each writes its event in the transaction of the change.

An event carries ids and a minimal summary, never what a scorecard, a pre-offer answer or a
decision's rationale says: a receiver that wants more asks the API, under its token's
permissions (and the independence rules). Names and email addresses stay out too."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from interviewloop.debrief.models import Decision, PreOfferCheck
from interviewloop.requisitions.models import Candidate, Requisition
from interviewloop.scheduling.models import Interview
from interviewloop.scorecards.models import Scorecard
from interviewloop.webhooks.models import EventType
from interviewloop.webhooks.service import emit

INTERVIEW_CHANGES = {"scheduled": EventType.INTERVIEW_SCHEDULED,
                     "rescheduled": EventType.INTERVIEW_RESCHEDULED,
                     "cancelled": EventType.INTERVIEW_CANCELLED}


def _time(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def requisition_opened(session: Session, *, requisition: Requisition) -> None:
    emit(session, EventType.REQUISITION_OPENED, {
        "requisition_id": requisition.id, "title": requisition.title,
        "level": requisition.level.value, "team": requisition.team,
        "status": requisition.status.value})


def candidate_created(session: Session, *, candidate: Candidate) -> None:
    emit(session, EventType.CANDIDATE_CREATED, {
        "candidate_id": candidate.id, "requisition_id": candidate.requisition_id,
        "status": candidate.status.value, "external_source": candidate.external_source,
        "external_id": candidate.external_id})


def interview_changed(session: Session, *, interview: Interview, previous_panel: Iterable[int],
                      change: str = "") -> None:
    event_type = INTERVIEW_CHANGES.get(change)
    if event_type is None:
        return
    candidate = session.get_one(Candidate, interview.candidate_id)
    emit(session, event_type, {
        "interview_id": interview.id, "candidate_id": interview.candidate_id,
        "requisition_id": candidate.requisition_id, "stage_id": interview.stage_id,
        "status": interview.status.value, "starts_at": _time(interview.starts_at),
        "ends_at": _time(interview.ends_at), "sequence": interview.sequence,
        "interviewer_ids": sorted(p.user_id for p in interview.panel)})


def scorecard_submitted(session: Session, *, scorecard: Scorecard) -> None:
    """Ids only: no rating, evidence, note, recommendation or summary. A trainee's practice
    card counts nowhere (pools), so it is no event either."""
    if scorecard.is_practice:
        return
    candidate = session.get_one(Candidate, scorecard.candidate_id)
    emit(session, EventType.SCORECARD_SUBMITTED, {
        "scorecard_id": scorecard.id, "interview_id": scorecard.interview_id,
        "candidate_id": scorecard.candidate_id, "requisition_id": candidate.requisition_id,
        "interviewer_id": scorecard.interviewer_id})


def pre_offer_answered(session: Session, *, check: PreOfferCheck, candidate: Candidate) -> None:
    """Whether it passed (an offer may follow), never the answers or their evidence."""
    emit(session, EventType.PRE_OFFER_ANSWERED, {
        "pre_offer_check_id": check.id, "candidate_id": candidate.id,
        "requisition_id": candidate.requisition_id, "passed": check.passed})


def decision_recorded(session: Session, *, decision: Decision, candidate: Candidate) -> None:
    """The decision's kind and the candidate's status, never the rationale."""
    emit(session, EventType.DECISION_RECORDED, {
        "decision_id": decision.id, "candidate_id": candidate.id,
        "requisition_id": candidate.requisition_id, "kind": decision.kind.value,
        "candidate_status": candidate.status.value})
