"""Telling the hiring team of a decision, by email through the outbox (sent once the
decision commits). Each person reads what their own debrief page would show them: the
rationale and any waiver only if they may see the panel's scorecards (panel_access, the
independence rule); no rating, evidence, note or signal goes in any message."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from interviewloop.auth.models import User
from interviewloop.debrief.models import Decision, DecisionKind
from interviewloop.outbox.service import NewMail, queue_many, settings
from interviewloop.requisitions.models import Candidate, Requisition, RequisitionMember
from interviewloop.scorecards.access import panel_access

KEY_PREFIX = "decision:"  # then the decision's id, ":" and the recipient's (privacy finds them)
WHAT = {DecisionKind.OFFER: "an offer", DecisionKind.REJECT: "a rejection",
        DecisionKind.HOLD: "a hold"}


def hiring_team(session: Session, requisition: Requisition) -> list[User]:
    """The requisition's hiring manager, recruiter and members with active accounts."""
    member = select(RequisitionMember.user_id).where(
        RequisitionMember.requisition_id == requisition.id)
    return list(session.scalars(select(User).where(
        or_(User.id.in_([requisition.hiring_manager_id, requisition.recruiter_id]),
            User.id.in_(member)), User.is_active).order_by(User.id)))


def tell_hiring_team(session: Session, requisition: Requisition, candidate: Candidate,
                     decision: Decision, decided_by: User) -> list[NewMail]:
    """Queue one message per team member (the person who decided aside), once per decision."""
    base = settings(session).base_url
    link = f"{base}/requisitions/{requisition.id}/candidates/{candidate.id}/debrief"
    what = WHAT[decision.kind]
    mails = []
    for person in hiring_team(session, requisition):
        if person.id == decided_by.id:
            continue
        lines = [f"{decided_by.name} recorded {what} for {candidate.name} "
                 f"({requisition.title})."]
        if panel_access(session, person, requisition, candidate).sees_panel:
            lines.append(f"Rationale: {decision.rationale}")
            if decision.waiver:
                lines.append(f"Offered without: {decision.waived}. Why: {decision.waiver}")
            lines.append(f"The debrief: {link}")
        mails.append(NewMail(key=f"{KEY_PREFIX}{decision.id}:{person.id}", to=person.email,
                             subject=f"Decision: {what} for {candidate.name}",
                             body="\n\n".join(lines) + "\n"))
    queue_many(session, mails)
    return mails
