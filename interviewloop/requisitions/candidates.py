"""Candidates on a requisition: add, edit, withdraw. No Flask here; callers commit."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from interviewloop import limits
from interviewloop.audit.service import Actor, record
from interviewloop.auth.service import time_zones
from interviewloop.errors import Conflict, DomainError, NotFound
from interviewloop.paging import (
    FIRST,
    LIST_PAGE,
    Cursor,
    Keyset,
    Page,
    keyset_page,
    row_id,
    text,
)
from interviewloop.requisitions.models import (
    Candidate,
    CandidateStatus,
    Requisition,
)
from interviewloop.requisitions.service import require_manage
from interviewloop.requisitions.signals import (
    candidate_changing,
    candidate_created,
    listing_loops,
)


class InvalidCandidate(DomainError):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class StaleCandidate(Conflict):
    def __init__(self) -> None:
        super().__init__("Someone else changed this candidate while you were editing. Your "
                         "input is shown below; check the current details and save again.")


class ExternalIdTaken(Conflict):
    def __init__(self) -> None:
        super().__init__("A candidate with this external id from this source was already "
                         "imported.")
        self.field = "external_id"


@dataclass
class CandidateInput:
    name: str
    email: str
    source: str = ""
    notes: str = ""
    # Their invites and emails give times in it; None keeps the current one (UTC for a new
    # candidate).
    time_zone: str | None = None
    # The candidate's id in another system (an ATS) and that system's name; None keeps
    # what is stored (the pages never show them, so their edits leave them alone).
    external_source: str | None = None
    external_id: str | None = None


def _clean(session: Session, requisition: Requisition, data: CandidateInput,
           candidate: Candidate | None = None) -> dict[str, str | None]:
    name, email = data.name.strip(), data.email.strip().lower()
    if len(name) not in limits.PERSON_NAME:
        raise InvalidCandidate("A name is 1 to 120 characters.", "name")
    if len(email) not in limits.EMAIL or "@" not in email:
        raise InvalidCandidate("Enter a valid email address.", "email")
    if len(data.source) > limits.CANDIDATE_SOURCE:
        raise InvalidCandidate("Keep the source under 120 characters.", "source")
    if len(data.notes) > limits.CANDIDATE_NOTES:
        raise InvalidCandidate("Keep the notes under 10,000 characters.", "notes")
    zone = (data.time_zone or "").strip() or (candidate.time_zone if candidate else "UTC")
    if zone not in time_zones():
        raise InvalidCandidate(f"Unknown time zone {zone[:64]!r}; use a name like "
                               "Europe/Paris.", "time_zone")
    clash = candidate_with_email(session, requisition, email)
    if clash is not None and (candidate is None or clash != candidate.id):
        raise InvalidCandidate("A candidate with this email is already on this requisition.",
                               "email")
    values: dict[str, str | None] = {"name": name, "email": email, "source": data.source.strip(),
                                     "notes": data.notes.strip(), "time_zone": zone}
    if data.external_source is not None or data.external_id is not None:
        values.update(_clean_external(session, data, candidate))
    return values


def _clean_external(session: Session, data: CandidateInput,
                    candidate: Candidate | None) -> dict[str, str | None]:
    source, external_id = (data.external_source or "").strip(), (data.external_id or "").strip()
    if not source and not external_id:
        return {"external_source": None, "external_id": None}
    if len(source) not in limits.EXTERNAL_SOURCE:
        raise InvalidCandidate(f"An external id comes with its source, 1 to "
                               f"{limits.EXTERNAL_SOURCE.high} characters.", "external_source")
    if len(external_id) not in limits.EXTERNAL_ID:
        raise InvalidCandidate(f"An external id is 1 to {limits.EXTERNAL_ID.high} characters.",
                               "external_id")
    clash = session.scalar(select(Candidate.id).where(
        Candidate.external_source == source, Candidate.external_id == external_id))
    if clash is not None and (candidate is None or clash != candidate.id):
        raise ExternalIdTaken
    return {"external_source": source, "external_id": external_id}


def candidates_of(session: Session, requisition: Requisition) -> list[Candidate]:
    return list(session.scalars(select(Candidate).where(
        Candidate.requisition_id == requisition.id).order_by(Candidate.name, Candidate.id)))


def get_candidate(session: Session, requisition: Requisition, candidate_id: int) -> Candidate:
    candidate = session.scalar(select(Candidate).where(
        Candidate.id == candidate_id, Candidate.requisition_id == requisition.id))
    if candidate is None:
        raise NotFound("No such candidate on this requisition.")
    return candidate


def candidate_with_email(session: Session, requisition: Requisition, email: str) -> int | None:
    return session.scalar(select(Candidate.id).where(
        Candidate.requisition_id == requisition.id, Candidate.email == email))


def add_candidate(session: Session, actor: Actor, requisition: Requisition,
                  data: CandidateInput) -> Candidate:
    require_manage(actor.user, requisition)
    if not requisition.accepts_candidates:
        raise Conflict("Candidates are added to open requisitions only; open this one first.")
    candidate = Candidate(requisition_id=requisition.id, **_clean(session, requisition, data))
    session.add(candidate)
    session.flush()
    record(session, actor, "candidate_added", candidate, requisition_id=requisition.id)
    candidate_created.send(session, candidate=candidate)
    return candidate


def update_candidate(session: Session, actor: Actor, requisition: Requisition,
                     candidate: Candidate, data: CandidateInput, *,
                     seen_version: int) -> Candidate:
    require_manage(actor.user, requisition)
    if seen_version != candidate.version:
        raise StaleCandidate
    candidate_changing.send(session, candidate=candidate)
    values = _clean(session, requisition, data, candidate)
    changed = sorted(k for k, v in values.items() if getattr(candidate, k) != v)
    for name, value in values.items():
        setattr(candidate, name, value)
    session.flush()
    if changed:
        record(session, actor, "candidate_updated", candidate, fields=changed)
    return candidate


def withdraw_candidate(session: Session, actor: Actor, requisition: Requisition,
                       candidate: Candidate) -> Candidate:
    require_manage(actor.user, requisition)
    if not candidate.in_process:
        raise Conflict(f"Only an active candidate can withdraw; this one is "
                       f"{candidate.status.value}.")
    candidate.status = CandidateStatus.WITHDRAWN
    session.flush()
    record(session, actor, "candidate_withdrawn", candidate)
    return candidate


class CandidateRow(NamedTuple):
    """A candidate as the requisition's list shows them: plain values (fifty a page), with
    their loop's state."""

    id: int
    name: str
    email: str
    source: str
    status: CandidateStatus
    has_loop: bool
    gaps: int


CANDIDATE_ORDER = Keyset((Candidate.status, Candidate.name, Candidate.id), (CandidateStatus, text, row_id))


def candidate_rows(session: Session, requisition: Requisition, cursor: Cursor = FIRST,
                   size: int = LIST_PAGE) -> Page[CandidateRow]:
    """A page of the requisition's candidates (by status, then name) with their loop's
    state (loops say), in two queries."""
    page = keyset_page(session, select(
        Candidate.id, Candidate.name, Candidate.email, Candidate.source, Candidate.status)
        .where(Candidate.requisition_id == requisition.id), CANDIDATE_ORDER, cursor,
        lambda c: (c.status.value, c.name, c.id), size=size, scalars=False)
    gaps: dict[int, int] = {}
    for _receiver, found in listing_loops.send(session, candidate_ids=[
            c.id for c in page.items]):
        gaps.update(found)
    return replace(page, items=[
        CandidateRow(c.id, c.name, c.email, c.source, c.status, c.id in gaps, gaps.get(c.id, 0))
        for c in page.items])
