"""Calendar invites and feeds (RFC 5545) made with the icalendar library."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from icalendar import Calendar, Event, vCalAddress, vText

from interviewloop.scheduling.models import Interview

PRODID = "-//interviewloop//interview scheduling//EN"


@dataclass(frozen=True)
class Person:
    email: str
    name: str


@dataclass(frozen=True)
class EventText:
    """What an event may say: nothing beyond what its recipient is allowed to see."""

    summary: str
    description: str
    organizer_email: str | None = None
    attendee_emails: tuple[str, ...] = ()
    organizer_name: str | None = None
    # Invited people (iTIP): each asked to answer (PARTSTAT=NEEDS-ACTION, RSVP=TRUE).
    attendees: tuple[Person, ...] = ()
    uid: str | None = None  # default: the interview's


def _calendar(method: str | None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    return calendar


def _event(interview: Interview, text: EventText, stamp: datetime,
           cancelled: bool | None = None) -> Event:
    cancelled = interview.is_cancelled if cancelled is None else cancelled
    event = Event()
    event.add("uid", text.uid or interview.ical_uid)
    event.add("sequence", interview.sequence)
    event.add("dtstamp", stamp.astimezone(UTC))
    event.add("dtstart", interview.starts_at.astimezone(UTC))
    event.add("dtend", interview.ends_at.astimezone(UTC))
    event.add("summary", text.summary)
    event.add("description", text.description)
    if interview.location:
        event.add("location", interview.location)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if text.organizer_email:
        organizer = vCalAddress(f"mailto:{text.organizer_email}")
        if text.organizer_name:
            organizer.params["cn"] = vText(text.organizer_name)
        event.add("organizer", organizer, encode=False)
    for email in text.attendee_emails:
        attendee = vCalAddress(f"mailto:{email}")
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        event.add("attendee", attendee, encode=False)
    for person in text.attendees:
        attendee = vCalAddress(f"mailto:{person.email}")
        attendee.params.update({"cn": vText(person.name), "role": vText("REQ-PARTICIPANT"),
                                "partstat": vText("NEEDS-ACTION"), "rsvp": vText("TRUE")})
        event.add("attendee", attendee, encode=False)
    return event


def invite(interview: Interview, text: EventText, *, now: datetime,
           method: str | None = None) -> bytes:
    """One interview as an invitation: METHOD:REQUEST, or METHOD:CANCEL once cancelled (or,
    with ``method="CANCEL"``, for attendees taken off a live interview: RFC 5546 3.2.5)."""
    method = method or ("CANCEL" if interview.is_cancelled else "REQUEST")
    calendar = _calendar(method)
    calendar.add_component(_event(interview, text, now, cancelled=method == "CANCEL"))
    body: bytes = calendar.to_ical()
    return body


def resource(interview: Interview, text: EventText, *, now: datetime) -> bytes:
    """The interview as a calendar object resource (RFC 4791 4.1: one event, no METHOD), the
    form a CalDAV server stores: the event the emailed invite carries, same UID and SEQUENCE,
    so that a calendar holding both keeps one."""
    calendar = _calendar(None)
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
