"""Interviewers answer their invite (accept or decline) from signed links in its email, with
no login; the recruiter sees who has not.

A link carries the interview, the panelist, the answer and the invite's SEQUENCE, signed for
the purpose "rsvp" (interviewloop/tokens.py). The SEQUENCE is what makes an old email
harmless: every change that raises it (a new time, place or panel) sends a new invite,
whose iTIP part asks everyone again (PARTSTAT=NEEDS-ACTION), so the answers are reset here
too, and a link from an earlier version is refused: it answered a different event. The
answer is in the signed link, so a link can answer only for its own panelist, only as it
says; the page a GET shows asks for a POST, so a mail scanner that opens links answers
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from interviewloop.audit.service import Actor, record
from interviewloop.auth.models import User
from interviewloop.db import utcnow
from interviewloop.errors import Conflict, NotFound
from interviewloop.scheduling.models import Interview, Panelist, RsvpState
from interviewloop.timezones import to_local, zone
from interviewloop.tokens import LinkSigner

PURPOSE = "rsvp"
# A backstop: a link also stops working once its interview starts or its invite changes.
LINK_MAX_AGE = timedelta(days=90)
ANSWERS = (RsvpState.ACCEPTED, RsvpState.DECLINED)
# Who has not answered this many business days (Mon-Fri) before the interview is chased.
ANSWER_BUSINESS_DAYS = 2


@dataclass(frozen=True)
class RsvpLink:
    interview_id: int
    user_id: int
    answer: RsvpState
    sequence: int


def sign_link(signer: LinkSigner, interview: Interview, user_id: int,
              answer: RsvpState) -> str:
    return signer.sign(PURPOSE, {"i": interview.id, "u": user_id, "a": answer.value,
                                 "s": interview.sequence})


def read_link(signer: LinkSigner, token: str) -> RsvpLink | None:
    """What a link says, or None for one that is forged, altered, expired, for another
    purpose or not shaped like ours."""
    data: Any = signer.load(PURPOSE, token, max_age_seconds=int(LINK_MAX_AGE.total_seconds()))
    if not isinstance(data, dict) or set(data) != {"i", "u", "a", "s"}:
        return None
    ids = (data["i"], data["u"], data["s"])
    if not all(isinstance(n, int) and not isinstance(n, bool) for n in ids):
        return None
    if data["a"] not in {a.value for a in ANSWERS}:
        return None
    return RsvpLink(data["i"], data["u"], RsvpState(data["a"]), data["s"])


@dataclass(frozen=True)
class OpenLink:
    interview: Interview
    panelist: Panelist
    answer: RsvpState


def open_link(session: Session, signer: LinkSigner, token: str,
              now: datetime | None = None) -> OpenLink:
    """The interview and panelist a link answers for. NotFound for a bad link or someone no
    longer on the panel (a stranger learns nothing); Conflict, with the reason, for a link
    that was good once: the invite changed, the interview was cancelled or has begun."""
    now = now or utcnow()
    link = read_link(signer, token)
    if link is None:
        raise NotFound("No such invitation.")
    interview = session.scalar(select(Interview).where(Interview.id == link.interview_id)
                               .options(selectinload(Interview.panel).selectinload(Panelist.user),
                                        selectinload(Interview.candidate),
                                        selectinload(Interview.stage)))
    panelist = next((p for p in interview.panel if p.user_id == link.user_id),
                    None) if interview else None
    if interview is None or panelist is None or not panelist.user.is_active:
        raise NotFound("No such invitation.")
    if interview.is_cancelled:
        raise Conflict("This interview was cancelled; there is nothing to answer.")
    if link.sequence != interview.sequence:
        raise Conflict("This interview has changed since this email was sent: answer from "
                       "the link in the newest invitation.")
    if interview.starts_at <= now:
        raise Conflict("This interview has already begun.")
    return OpenLink(interview, panelist, link.answer)


def answer(session: Session, signer: LinkSigner, token: str, *, ip: str | None = None,
           now: datetime | None = None) -> OpenLink:
    """Record the link's answer (again is harmless) and audit it, as the panelist: the
    signed link is their credential."""
    now = now or utcnow()
    opened = open_link(session, signer, token, now)
    panelist = opened.panelist
    if panelist.rsvp != opened.answer:
        before = panelist.rsvp
        panelist.rsvp, panelist.rsvp_at = opened.answer, now
        session.flush()
        # The panel's answers are the interview's too (the API's updated_since); its version
        # stays, so an answer never makes a recruiter's reschedule stale.
        session.execute(update(Interview).where(Interview.id == opened.interview.id)
                        .values(updated_at=now).execution_options(synchronize_session=False))
        set_committed_value(opened.interview, "updated_at", now)
        record(session, Actor(panelist.user, ip), f"interview_{opened.answer.value}",
               opened.interview, user_id=panelist.user_id, before=before.value,
               sequence=opened.interview.sequence)
    return opened


def reset_answers(interview: Interview) -> None:
    """The invite changed (its SEQUENCE rose): everyone is asked again."""
    for panelist in interview.panel:
        panelist.rsvp, panelist.rsvp_at = RsvpState.NEEDS_ACTION, None


def answer_deadline(starts_at: datetime, zone_name: str | None) -> datetime:
    """The same wall-clock time ANSWER_BUSINESS_DAYS business days (Mon-Fri, in the
    person's zone) before the interview: Monday 10:00 gives the Thursday before, 10:00."""
    local = to_local(starts_at, zone_name)
    day, left = local.date(), ANSWER_BUSINESS_DAYS
    while left:
        day -= timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    # A wall-clock time in the zone; a time skipped by DST lands an hour off, which is fine.
    return datetime.combine(day, local.time(), tzinfo=zone(zone_name))


def needs_chasing(panelist: Panelist, interview: Interview, user: User,
                  now: datetime) -> bool:
    """Whether the recruiter should chase this panelist: the one rule both the board and
    the candidate's page ask (``chases``, on the values it reads)."""
    return chases(panelist.rsvp, interview.starts_at, interview.ends_at, user.time_zone, now,
                  cancelled=interview.is_cancelled)


def chases(rsvp: RsvpState, starts_at: datetime, ends_at: datetime, zone_name: str | None,
           now: datetime, *, cancelled: bool = False) -> bool:
    """Declined, or no answer by the deadline (in the panelist's zone), before it ends."""
    if cancelled or ends_at <= now:
        return False
    if rsvp == RsvpState.DECLINED:
        return True
    return rsvp == RsvpState.NEEDS_ACTION and now >= answer_deadline(starts_at, zone_name)


class PanelAnswer(NamedTuple):
    """A panelist's answer as the pages show it (a NamedTuple: a board page builds
    hundreds)."""

    user_id: int
    name: str
    state: RsvpState
    at: datetime | None
    flagged: bool


def seat_answer(user_id: int, name: str, rsvp: RsvpState, rsvp_at: datetime | None,
                starts_at: datetime, ends_at: datetime, zone_name: str | None,
                now: datetime) -> PanelAnswer:
    """A panelist's answer from a live seat's plain values (the board's and the loop page's
    rows), flagged by ``chases``."""
    return PanelAnswer(user_id, name, rsvp, rsvp_at,
                       chases(rsvp, starts_at, ends_at, zone_name, now))


def panel_answers(interview: Interview, now: datetime | None = None) -> list[PanelAnswer]:
    """Each panelist's answer (the panel and its users loaded), flagged by needs_chasing."""
    now = now or utcnow()
    return [PanelAnswer(p.user_id, p.user.name, p.rsvp, p.rsvp_at,
                        needs_chasing(p, interview, p.user, now))
            for p in interview.panel]
