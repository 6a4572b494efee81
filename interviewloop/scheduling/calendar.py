"""Calendar invites and feeds (RFC 5545) made with the icalendar library."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from icalendar import Calendar, Event, vCalAddress, vText

from interviewloop.scheduling.models import Interview

PRODID = "-//interviewloop//interview scheduling//EN"


@dataclass(frozen=True)
class EventText:
    """What an event may say: nothing beyond what its recipient is allowed to see."""

    summary: str
    description: str
    organizer_email: str | None = None
    attendee_emails: tuple[str, ...] = ()


def _calendar(method: str | None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    return calendar


def _event(interview: Interview, text: EventText, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", interview.ical_uid)
    event.add("sequence", interview.sequence)
    event.add("dtstamp", stamp.astimezone(UTC))
    event.add("dtstart", interview.starts_at.astimezone(UTC))
    event.add("dtend", interview.ends_at.astimezone(UTC))
    event.add("summary", text.summary)
    event.add("description", text.description)
    if interview.location:
        event.add("location", interview.location)
    event.add("status", "CANCELLED" if interview.is_cancelled else "CONFIRMED")
    if text.organizer_email:
        event.add("organizer", vCalAddress(f"mailto:{text.organizer_email}"))
    for email in text.attendee_emails:
        attendee = vCalAddress(f"mailto:{email}")
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        event.add("attendee", attendee, encode=False)
    return event


def invite(interview: Interview, text: EventText, *, now: datetime) -> bytes:
    """One interview as an invitation: METHOD:REQUEST, or METHOD:CANCEL once cancelled."""
    calendar = _calendar("CANCEL" if interview.is_cancelled else "REQUEST")
    calendar.add_component(_event(interview, text, now))
    body: bytes = calendar.to_ical()
    return body


def feed(events: list[tuple[Interview, EventText]], *, name: str, now: datetime) -> bytes:
    """A subscribable feed (METHOD:PUBLISH) of someone's interviews."""
    calendar = _calendar("PUBLISH")
    calendar.add("x-wr-calname", name)
    for interview, text in events:
        calendar.add_component(_event(interview, text, now))
    body: bytes = calendar.to_ical()
    return body
