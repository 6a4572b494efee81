"""Invites that arrive: each change to an interview puts an email with an iTIP invite
(RFC 5546) in the outbox for every person it affects, in the same transaction.

Interviewers share one event (the interview's UID) listing the whole panel; someone taken
off the panel gets a CANCEL naming only them. The candidate gets an event of their own (UID
"candidate-" + the interview's, the same SEQUENCE) that lists only them as attendee, with
nothing a candidate may not see: the time in their zone, the place or link, the
interviewers' names and job titles. The organizer is the configured sender, on the recruiter's behalf.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from interviewloop.auth.models import User
from interviewloop.db import utcnow
from interviewloop.loops.models import LoopStage
from interviewloop.outbox.service import MailSettings, queue_mail, settings
from interviewloop.requisitions.models import Candidate, Requisition
from interviewloop.scheduling.calendar import EventText, Person, invite
from interviewloop.scheduling.models import Interview, RsvpState
from interviewloop.scheduling.rsvp import sign_link
from interviewloop.timezones import format_local, to_local
from interviewloop.tokens import LinkSigner, signer_of


def candidate_uid(interview: Interview) -> str:
    return f"candidate-{interview.ical_uid}"


def candidate_time(moment: datetime, zone: str) -> str:
    """E.g. 'Mon 14 Dec 2026, 10:00 CET (Europe/Berlin, UTC+01:00)': the zone and its
    offset spelled out, so that nobody has to guess what a bare time means."""
    local = to_local(moment, zone)
    offset = local.strftime("%z")
    offset = f"UTC{offset[:3]}:{offset[3:]}" if offset not in ("+0000", "") else "UTC"
    name = f"{zone}, {offset}" if zone != "UTC" else "UTC"
    return f"{local:%a} {local.day} {local:%b %Y}, {local:%H:%M} {local.tzname()} ({name})"


def meeting(panel: Iterable[User]) -> str:
    """Who the candidate meets, as a candidate may know them: names and job titles."""
    return ", ".join(f"{u.name} ({u.job_title})" if u.job_title else u.name for u in panel)


def _people(session: Session, ids: Iterable[int]) -> dict[int, User]:
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(set(ids))))}


def organizer(session: Session, requisition: Requisition, mail: MailSettings) -> Person:
    recruiter = session.get_one(User, requisition.recruiter_id)
    return Person(mail.sender, f"{recruiter.name} via interviewloop")


def organizers(session: Session, requisitions: Iterable[Requisition],
               mail: MailSettings | None = None) -> dict[int, Person]:
    """The organizer of each requisition's events (as ``organizer``), in one query: for a
    feed of many interviews."""
    mail = mail or settings(session)
    requisitions = list(requisitions)
    names = dict(session.execute(select(User.id, User.name).where(
        User.id.in_({r.recruiter_id for r in requisitions}))).all())
    return {r.id: Person(mail.sender, f"{names[r.recruiter_id]} via interviewloop")
            for r in requisitions}


def panel_event(session: Session, interview: Interview, requisition: Requisition,
                candidate: Candidate, stage: LoopStage, panel: list[User], *,
                mail: MailSettings | None = None) -> EventText:
    """The interviewers' event: the candidate, the role, the kit link, the whole panel."""
    mail = mail or settings(session)
    by = organizer(session, requisition, mail)
    return EventText(
        summary=f"Interview: {candidate.name}, {stage.name}",
        description=f"{requisition.title} ({requisition.level.label}).\n"
                    f"Interview kit: {mail.base_url}/interviews/{interview.id}/kit",
        organizer_email=by.email, organizer_name=by.name,
        attendees=tuple(Person(u.email, u.name) for u in panel))


def _answer_lines(signer: LinkSigner | None, interview: Interview, user: User,
                  base: str) -> list[str]:
    """Accept / decline links for this panelist and this version of the invite (a bare
    session, with no signer, writes none: see tokens.signer_of)."""
    if signer is None or interview.is_cancelled:
        return ["Accept or decline the attached invite in your calendar."]
    accept = sign_link(signer, interview, user.id, RsvpState.ACCEPTED)
    decline = sign_link(signer, interview, user.id, RsvpState.DECLINED)
    return ["Will you be there? Answer here (no sign-in needed):",
            f"Accept: {base}/rsvp/{accept}", f"Decline: {base}/rsvp/{decline}"]


def _interviewer_body(user: User, interview: Interview, requisition: Requisition,
                      candidate: Candidate, stage: LoopStage, panel: list[User], base: str,
                      opening: str, signer: LinkSigner | None) -> str:
    when = format_local(interview.starts_at, user.time_zone)
    until = format_local(interview.ends_at, user.time_zone, with_date=False)
    return "\n".join([
        f"Hello {user.name},", "", opening, "",
        f"Candidate: {candidate.name}, for {requisition.title}",
        f"Stage: {stage.name}",
        f"When: {when} to {until} ({interview.minutes} minutes)",
        f"Where: {interview.location or 'to be confirmed'}",
        f"Panel: {', '.join(u.name for u in panel)}",
        f"Interview kit: {base}/interviews/{interview.id}/kit",
        f"The interview: {base}/interviews/{interview.id}",
        "", *_answer_lines(signer, interview, user, base), "", "interviewloop"])


def _candidate_body(candidate: Candidate, interview: Interview, stage: LoopStage,
                    panel: list[User], by: Person, opening: str) -> str:
    lines = [f"Hello {candidate.name},", "", opening, ""]
    if not interview.is_cancelled:
        lines += [
            f"What: {stage.name}",
            f"When: {candidate_time(interview.starts_at, candidate.time_zone)}",
            f"Length: {interview.minutes} minutes",
            f"Where: {interview.location or 'to be confirmed'}",
            f"You will meet: {meeting(panel)}", ""]
    return "\n".join([*lines, by.name.removesuffix(" via interviewloop")
                      + ", through interviewloop"])


def queue_invites(session: Session, interview: Interview, requisition: Requisition, *,
                  previous_panel: Iterable[int] = (), now: datetime | None = None) -> None:
    """Queue the invites for the interview as it now is (after a flush): a REQUEST to each
    panelist and the candidate, or a CANCEL to each once cancelled; a CANCEL to each person
    in ``previous_panel`` no longer on it."""
    now = now or utcnow()
    mail, signer = settings(session), signer_of(session.info)
    candidate = session.get_one(Candidate, interview.candidate_id)
    stage = session.get_one(LoopStage, interview.stage_id)
    panel_ids = [p.user_id for p in sorted(interview.panel, key=lambda p: p.user_id)]
    removed_ids = sorted(set(previous_panel) - set(panel_ids))
    people = _people(session, [*panel_ids, *removed_ids])
    panel = sorted((people[i] for i in panel_ids), key=lambda u: (u.name, u.id))
    by = organizer(session, requisition, mail)
    event = panel_event(session, interview, requisition, candidate, stage, panel, mail=mail)
    cancelled, sequence = interview.is_cancelled, interview.sequence
    method = "CANCEL" if cancelled else "REQUEST"
    verb = ("Cancelled" if cancelled else "Invitation" if sequence == 0
            else "Updated invitation")
    subject_when = f"{candidate.name}, {stage.name}"

    def put(to: User | Candidate, uid: str, subject: str, body: str, ics: bytes,
            how: str) -> None:
        queue_mail(session, key=f"invite:{uid}:{sequence}:{to.email}", to=to.email,
                   subject=subject, body=body, calendar=ics, method=how)

    opening = {"Invitation": "You are on the panel for this interview.",
               "Updated invitation": "This interview has changed; here it is as it now is.",
               "Cancelled": "This interview is cancelled."}[verb]
    ics = invite(interview, event, now=now, method=method)
    for user in panel:
        when = format_local(interview.starts_at, user.time_zone)
        put(user, interview.ical_uid, f"{verb}: {subject_when}, {when}",
            _interviewer_body(user, interview, requisition, candidate, stage, panel,
                              mail.base_url, opening, signer), ics, method)
    for user_id in removed_ids:
        user = people[user_id]
        alone = EventText(summary=event.summary, description=event.description,
                          organizer_email=by.email, organizer_name=by.name,
                          attendees=(Person(user.email, user.name),))
        put(user, interview.ical_uid, f"Cancelled: {subject_when} (you are off the panel)",
            f"Hello {user.name},\n\nYou are no longer on the panel for {candidate.name}'s "
            f"{stage.name} interview ({format_local(interview.starts_at, user.time_zone)}); "
            f"it is taken off your calendar.\n\ninterviewloop",
            invite(interview, alone, now=now, method="CANCEL"), "CANCEL")

    candidate_event = EventText(
        summary=f"Interview: {requisition.title} ({stage.name})",
        description=f"You will meet: {meeting(panel)}.",
        organizer_email=by.email, organizer_name=by.name,
        attendees=(Person(candidate.email, candidate.name),), uid=candidate_uid(interview))
    candidate_opening = {
        "Invitation": f"Your interview for the {requisition.title} role is booked.",
        "Updated invitation": f"Your interview for the {requisition.title} role has changed; "
                              "here it is as it now is.",
        "Cancelled": f"Your {stage.name} interview for the {requisition.title} role on "
                     f"{candidate_time(interview.starts_at, candidate.time_zone)} is "
                     "cancelled. We will be in touch."}[verb]
    put(candidate, candidate_uid(interview),
        f"{verb}: your {stage.name} interview for {requisition.title}",
        _candidate_body(candidate, interview, stage, panel, by, candidate_opening),
        invite(interview, candidate_event, now=now, method=method), method)
