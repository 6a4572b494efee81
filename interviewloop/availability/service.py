"""A candidate's private link, their available windows and their itinerary.

The link is signed (tokens.LinkSigner, purpose "candidate-link") and carries the id of its
row and that row's random nonce; it opens only while the row is in force: not revoked, not
past its expiry, and the candidate still in process. Anything else is "not found": a
forged, altered, expired or revoked link all look the same to whoever holds it. Making a
new link revokes the one before, so the recruiter can always cut off an old email.

Windows are entered as wall-clock times in the candidate's zone and kept in UTC. At most
``limits.AVAILABILITY_WINDOWS`` that are not over yet, none overlapping another; those
that are over are dropped as new ones come. ``candidate_windows`` is what the slot finder
reads.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from interviewloop import limits
from interviewloop.audit.service import Actor, record
from interviewloop.auth.service import time_zones
from interviewloop.availability.models import CandidateLink, CandidateWindow
from interviewloop.availability.signals import ItineraryItem, listing_itinerary
from interviewloop.db import utcnow
from interviewloop.errors import Conflict, DomainError, NotFound
from interviewloop.outbox.service import queue_mail, settings
from interviewloop.requisitions.models import Candidate, Requisition
from interviewloop.requisitions.service import require_manage
from interviewloop.timezones import NonexistentLocalTime, format_local, format_span, from_local
from interviewloop.tokens import LinkSigner, same_secret, signer_of

PURPOSE = "candidate-link"
# A backstop only: the row's expires_at (at most this far ahead) is the rule.
LINK_MAX_AGE = timedelta(days=limits.CANDIDATE_LINK_DAYS.high + 1)
PATH = "/candidate/"
NOT_FOUND = "No such page. The link may have expired or been replaced: ask your recruiter."


class WindowRefused(DomainError):
    """A window that breaks a rule; ``field`` names the form field it belongs beside."""

    status_code = 422

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


# --- the link ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Opened:
    """What a link in force opens."""

    link: CandidateLink
    candidate: Candidate
    requisition: Requisition


def link_token(signer: LinkSigner, link: CandidateLink) -> str:
    return signer.sign(PURPOSE, {"l": link.id, "n": link.nonce})


def link_url(session: Session, link: CandidateLink, page: str = "") -> str | None:
    """The link's address (``page``: "" for availability, "/itinerary"), or None from a
    bare session with no signer (see tokens.signer_of)."""
    signer = signer_of(session.info)
    if signer is None:
        return None
    return f"{settings(session).base_url}{PATH}{link_token(signer, link)}{page}"


def _read_token(signer: LinkSigner, token: str) -> tuple[int, str] | None:
    data: Any = signer.load(PURPOSE, token, max_age_seconds=int(LINK_MAX_AGE.total_seconds()))
    if not isinstance(data, dict) or set(data) != {"l", "n"}:
        return None
    link_id, nonce = data["l"], data["n"]
    if not isinstance(link_id, int) or isinstance(link_id, bool) or not isinstance(nonce, str):
        return None
    return link_id, nonce


def open_link(session: Session, signer: LinkSigner, token: str,
              now: datetime | None = None) -> Opened:
    """The candidate a link in force belongs to, in one query; NotFound for anything else."""
    now = now or utcnow()
    read = _read_token(signer, token)
    if read is None:
        raise NotFound(NOT_FOUND)
    row = session.execute(
        select(CandidateLink, Candidate, Requisition)
        .join(Candidate, Candidate.id == CandidateLink.candidate_id)
        .join(Requisition, Requisition.id == Candidate.requisition_id)
        .where(CandidateLink.id == read[0])).one_or_none()
    if row is None:
        raise NotFound(NOT_FOUND)
    link, candidate, requisition = row
    if not same_secret(link.nonce, read[1]) or not link.in_force(now) \
            or not candidate.in_process:
        raise NotFound(NOT_FOUND)
    return Opened(link, candidate, requisition)


def current_link(session: Session, candidate_id: int) -> CandidateLink | None:
    """The candidate's unrevoked link (in force, or expired), if any."""
    return session.scalar(select(CandidateLink).where(
        CandidateLink.candidate_id == candidate_id, CandidateLink.revoked_at.is_(None)))


def _lock_candidate(session: Session, candidate_id: int) -> None:
    """Serialise changes to one candidate's link and windows (PostgreSQL: a row lock;
    SQLite's writing transactions are serial already)."""
    session.scalars(select(Candidate.id).where(Candidate.id == candidate_id)
                    .with_for_update()).all()


def _require_in_process(candidate: Candidate) -> None:
    if not candidate.in_process:
        raise Conflict("This candidate is no longer in process: they get no private link.")


def create_link(session: Session, actor: Actor, requisition: Requisition, candidate: Candidate,
                *, days: int, now: datetime | None = None) -> CandidateLink:
    """A new link for the candidate, in force for ``days``; the one before stops working."""
    now = now or utcnow()
    require_manage(actor.user, requisition)
    if candidate.requisition_id != requisition.id:
        raise NotFound("No such candidate on this requisition.")
    _require_in_process(candidate)
    if days not in limits.CANDIDATE_LINK_DAYS:
        raise DomainError(f"A link lasts {limits.CANDIDATE_LINK_DAYS.low} to "
                          f"{limits.CANDIDATE_LINK_DAYS.high} days.")
    _lock_candidate(session, candidate.id)
    before = current_link(session, candidate.id)
    if before is not None:
        before.revoked_at = now
        session.flush()  # frees the one-unrevoked-link index before the new row
    link = CandidateLink(candidate_id=candidate.id, nonce=secrets.token_urlsafe(24),
                         created_at=now, created_by_id=actor.user_id,
                         expires_at=now + timedelta(days=days))
    session.add(link)
    session.flush()
    record(session, actor, "candidate_link_created", candidate, link_id=link.id,
           expires_at=link.expires_at.isoformat(),
           replaced=before.id if before is not None else None)
    return link


def revoke_link(session: Session, actor: Actor, requisition: Requisition, candidate: Candidate,
                now: datetime | None = None) -> CandidateLink | None:
    """Stop the candidate's link working (None if there was none)."""
    now = now or utcnow()
    require_manage(actor.user, requisition)
    _lock_candidate(session, candidate.id)
    link = current_link(session, candidate.id)
    if link is None:
        return None
    link.revoked_at = now
    session.flush()
    record(session, actor, "candidate_link_revoked", candidate, link_id=link.id)
    return link


def _mail_key(kind: str, candidate: Candidate, content: str) -> str:
    """The same content to the same address is queued once (a double click sends one).
    ``content`` leaves the link out: each signing of it differs."""
    digest = hashlib.sha256(f"{candidate.email}\n{content}".encode()).hexdigest()[:32]
    return f"{kind}:{candidate.id}:{digest}"


def _signature(requisition: Requisition, recruiter_name: str) -> list[str]:
    return ["", f"{recruiter_name}, for the {requisition.title} role, through interviewloop"]


def email_link(session: Session, actor: Actor, requisition: Requisition, candidate: Candidate,
               now: datetime | None = None) -> None:
    """Email the candidate their link in force, through the outbox."""
    now = now or utcnow()
    require_manage(actor.user, requisition)
    _require_in_process(candidate)
    link = current_link(session, candidate.id)
    if link is None or not link.in_force(now):
        raise Conflict("There is no link in force to email: make one first.")
    url = link_url(session, link)
    if url is None:
        raise RuntimeError("This session carries no link signer.")
    expires = format_local(link.expires_at, candidate.time_zone)
    body = "\n".join([
        f"Hello {candidate.name},", "",
        f"Please tell us when you are available to interview for the {requisition.title} "
        "role. This private link lets you add the times that suit you, in your own time "
        "zone, and later shows your interview itinerary. No account is needed:", "",
        url, "",
        f"The link works until {expires}. Please do not share it.",
        *_signature(requisition, actor.person.name)])
    queue_mail(session, key=_mail_key("candidate-link", candidate, str(link.id)),
               to=candidate.email,
               subject=f"Your availability for the {requisition.title} interviews", body=body)
    link.emailed_at = now
    record(session, actor, "candidate_link_emailed", candidate, link_id=link.id)


# --- the candidate's own changes --------------------------------------------------------------

def _as_candidate(ip: str | None) -> Actor:
    """Audit events by the candidate: no user, the address they came from."""
    return Actor(None, ip)


def set_time_zone(session: Session, opened: Opened, zone_name: str, *,
                  ip: str | None = None) -> None:
    zone_name = zone_name.strip()
    if zone_name not in time_zones():
        raise WindowRefused("Choose a time zone from the list, e.g. Europe/Paris or "
                            "America/New_York.", "time_zone")
    candidate = opened.candidate
    if candidate.time_zone != zone_name:
        before = candidate.time_zone
        candidate.time_zone = zone_name
        session.flush()
        record(session, _as_candidate(ip), "candidate_time_zone_set", candidate,
               before=before, after=zone_name, link_id=opened.link.id)


def windows_of(session: Session, candidate_id: int, now: datetime | None = None
               ) -> list[CandidateWindow]:
    """The candidate's windows that are not over yet, in time order (at most the cap)."""
    now = now or utcnow()
    return list(session.scalars(
        select(CandidateWindow).where(CandidateWindow.candidate_id == candidate_id,
                                      CandidateWindow.ends_at > now)
        .order_by(CandidateWindow.starts_at, CandidateWindow.id)
        .limit(limits.AVAILABILITY_WINDOWS)))


def _to_utc(naive: datetime, zone_name: str, field: str) -> datetime:
    try:
        return from_local(naive, zone_name)  # the first, when the clocks go back
    except NonexistentLocalTime as exc:
        raise WindowRefused(str(exc), field) from None


def add_window(session: Session, opened: Opened, starts_local: datetime, ends_local: datetime,
               *, ip: str | None = None, now: datetime | None = None) -> CandidateWindow:
    """A window from the wall-clock times the candidate typed, in their zone."""
    now = now or utcnow()
    candidate = opened.candidate
    zone_name = candidate.time_zone
    starts_at = _to_utc(starts_local, zone_name, "starts_at")
    ends_at = _to_utc(ends_local, zone_name, "ends_at")
    span = limits.AVAILABILITY_WINDOW_MINUTES
    if ends_at <= starts_at:
        raise WindowRefused("The end must be after the start.", "ends_at")
    if starts_at < now:
        raise WindowRefused("That start is in the past: choose a time from now on.", "starts_at")
    if starts_at > now + timedelta(days=limits.AVAILABILITY_HORIZON_DAYS):
        raise WindowRefused(f"Choose a start within the next {limits.AVAILABILITY_HORIZON_DAYS} "
                            "days.", "starts_at")
    minutes = (ends_at - starts_at).total_seconds() / 60
    if minutes < span.low:
        raise WindowRefused(f"A window is at least {span.low} minutes long.", "ends_at")
    if minutes > span.high:
        raise WindowRefused(f"A window is at most {span.high // 60} hours long: add each day "
                            "(or part of a day) as a window of its own.", "ends_at")
    _lock_candidate(session, candidate.id)
    session.execute(delete(CandidateWindow).where(CandidateWindow.candidate_id == candidate.id,
                                                  CandidateWindow.ends_at <= now))
    existing = windows_of(session, candidate.id, now)
    if len(existing) >= limits.AVAILABILITY_WINDOWS:
        raise WindowRefused(f"You already have {limits.AVAILABILITY_WINDOWS} windows, the "
                            "most there can be: remove some before adding more.")
    clash = next((w for w in existing if w.starts_at < ends_at and starts_at < w.ends_at), None)
    if clash is not None:
        raise WindowRefused(
            "This overlaps a window you already have ("
            f"{format_span(clash.starts_at, clash.ends_at, zone_name)}): remove that one "
            "first, or choose other times.", "starts_at")
    window = CandidateWindow(candidate_id=candidate.id, starts_at=starts_at, ends_at=ends_at,
                             created_at=now)
    session.add(window)
    session.flush()
    record(session, _as_candidate(ip), "candidate_window_added", candidate,
           window_id=window.id, starts_at=starts_at.isoformat(), ends_at=ends_at.isoformat())
    return window


def remove_window(session: Session, opened: Opened, window_id: int, *,
                  ip: str | None = None) -> None:
    """Remove one of the candidate's own windows (another's id is not found)."""
    window = session.scalar(select(CandidateWindow).where(
        CandidateWindow.id == window_id, CandidateWindow.candidate_id == opened.candidate.id))
    if window is None:
        raise NotFound("No such window.")
    session.delete(window)
    session.flush()
    record(session, _as_candidate(ip), "candidate_window_removed", opened.candidate,
           window_id=window_id)


# --- what other features read -----------------------------------------------------------------

def candidate_windows(session: Session, candidate_id: int) -> list[tuple[datetime, datetime]]:
    """The candidate's available windows as UTC-aware (start, end) pairs, sorted, with
    windows that overlap or touch merged into one. For the slot finder."""
    rows = session.execute(select(CandidateWindow.starts_at, CandidateWindow.ends_at).where(
        CandidateWindow.candidate_id == candidate_id).order_by(CandidateWindow.starts_at,
                                                               CandidateWindow.ends_at)).all()
    merged: list[tuple[datetime, datetime]] = []
    for starts_at, ends_at in rows:
        if merged and starts_at <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], ends_at))
        else:
            merged.append((starts_at, ends_at))
    return merged


def itinerary(session: Session, candidate_id: int) -> list[ItineraryItem]:
    """The candidate's scheduled stages, as a candidate may see them, in time order."""
    items = [item for _receiver, found in listing_itinerary.send(session,
                                                                 candidate_id=candidate_id)
             for item in found]
    return sorted(items, key=lambda i: (i.starts_at, i.stage))


def _meeting(item: ItineraryItem) -> str:
    return ", ".join(f"{p.name} ({p.title})" if p.title else p.name for p in item.people)


def itinerary_text(items: list[ItineraryItem], zone_name: str) -> list[str]:
    """The itinerary as lines of plain text, times in ``zone_name``."""
    lines: list[str] = []
    for n, item in enumerate(items, 1):
        lines += [f"{n}. {item.stage}",
                  f"   When: {format_span(item.starts_at, item.ends_at, zone_name)}",
                  f"   Where: {item.location or 'to be confirmed'}",
                  f"   You will meet: {_meeting(item) or 'to be confirmed'}", ""]
    return lines


def email_itinerary(session: Session, actor: Actor, requisition: Requisition,
                    candidate: Candidate, now: datetime | None = None) -> None:
    """Email the candidate every scheduled stage, through the outbox."""
    now = now or utcnow()
    require_manage(actor.user, requisition)
    _require_in_process(candidate)
    items = itinerary(session, candidate.id)
    if not items:
        raise Conflict("Nothing is scheduled for this candidate yet: there is no itinerary "
                       "to send.")
    link = current_link(session, candidate.id)
    url = link_url(session, link, "/itinerary") if link and link.in_force(now) else None
    content = [f"Hello {candidate.name},", "",
               f"Here are your interviews for the {requisition.title} role. Times are in "
               f"{candidate.time_zone}.", "", *itinerary_text(items, candidate.time_zone)]
    body = "\n".join([
        *content,
        *([f"Your itinerary is kept up to date here (a private link): {url}"] if url else []),
        *_signature(requisition, actor.person.name)])
    queue_mail(session, key=_mail_key("itinerary", candidate, "\n".join(content)),
               to=candidate.email,
               subject=f"Your interview itinerary for the {requisition.title} role", body=body)
    record(session, actor, "itinerary_emailed", candidate, stages=len(items))


@dataclass(frozen=True)
class LoopPagePart:
    """What the recruiter's part of the candidate's loop page shows."""

    link: CandidateLink | None  # the unrevoked one, in force or expired
    token: str | None  # its token, while in force
    windows: list[CandidateWindow]

    @property
    def in_force(self) -> bool:
        return self.token is not None


def loop_page_part(session: Session, candidate: Candidate,
                   now: datetime | None = None) -> LoopPagePart:
    """The link and windows for the loop page, in two queries."""
    now = now or utcnow()
    link = current_link(session, candidate.id)
    signer = signer_of(session.info)
    token = link_token(signer, link) if signer and link and link.in_force(now) \
        and candidate.in_process else None
    return LoopPagePart(link=link, token=token, windows=windows_of(session, candidate.id, now))
