"""Busy times from people's own calendars: for a booking (a warning per person busy then) and
for proposing a loop's times (everyone's busy times over the whole range). Read in two steps
so that the network call happens outside any transaction (see signals.checking_calendars,
signals.reading_busy_times)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from interviewloop.auth.models import User
from interviewloop.calendars.accounts import collection_urls
from interviewloop.calendars.client import (
    Busy,
    CalDAVSettings,
    CalendarServer,
    CalendarUnreachable,
)
from interviewloop.calendars.service import settings
from interviewloop.scheduling.signals import BusyTimes, CalendarCheck
from interviewloop.timezones import format_local

OURS = "@interviewloop"  # interviews' own UIDs: those clashes are the database's to refuse


def read_calendars(config: CalDAVSettings, people: Sequence[tuple[str, str, str]],
                   starts_at: datetime, ends_at: datetime, *, interview_uid: str | None = None
                   ) -> tuple[list[list[Busy]], BusyTimes]:
    """``people``: (name, collection URL, time zone). Each one's busy events in the range (not
    interviewloop's own interviews), one calendar query each, and ``BusyTimes`` naming those
    whose calendar could not be read (after the first failure the rest are not tried: one
    server, and nobody must wait once per person)."""
    found: list[list[Busy]] = []
    result = BusyTimes()
    with CalendarServer(config) as server:
        for name, collection, zone in people:
            events: list[Busy] = []
            if not result.unread:
                try:
                    events = [b for b in server.busy(collection, starts_at, ends_at, zone=zone)
                              if b.uid != interview_uid and not b.uid.endswith(OURS)]
                except CalendarUnreachable:
                    result.unread.append(name)
            else:
                result.unread.append(name)
            found.append(events)
    return found, result


def busy_warnings(config: CalDAVSettings, people: list[tuple[str, str, str]],
                  starts_at: datetime, ends_at: datetime, *, interview_uid: str | None,
                  viewer_zone: str) -> CalendarCheck:
    """A warning per person busy then; a notice for those whose calendar could not be read."""
    found, read = read_calendars(config, people, starts_at, ends_at, interview_uid=interview_uid)
    check = CalendarCheck()
    for (name, _collection, _zone), events in zip(people, found, strict=True):
        for busy in events[:1]:
            check.warnings.append(
                f"{name}'s calendar shows them busy from "
                f"{format_local(busy.starts_at, viewer_zone)} to "
                f"{format_local(busy.ends_at, viewer_zone, with_date=False)}.")
    if read.unread:
        check.notices.append(
            f"Busy times could not be checked for {', '.join(read.unread)}: the calendar server "
            "did not answer. The booking does not wait for it; check their calendars yourself.")
    return check


def _people(session: Session, config: CalDAVSettings, user_ids: list[int]) -> list[tuple[User, str]]:
    users = list(session.scalars(
        select(User).where(User.id.in_(user_ids)).order_by(User.name, User.id)))
    urls = collection_urls(session, config, users)
    return [(u, urls[u.id]) for u in users]


def checking_calendars(session: Session, *, user_ids: list[int], starts_at: datetime,
                       ends_at: datetime, interview_uid: str | None, viewer_zone: str
                       ) -> Callable[[], CalendarCheck] | None:
    """On ``checking_calendars``: read who the people are now; return the network step."""
    config = settings(session)
    if not config.enabled or not user_ids:
        return None
    people = [(u.name, url, u.time_zone) for u, url in _people(session, config, user_ids)]
    return lambda: busy_warnings(config, people, starts_at, ends_at,
                                 interview_uid=interview_uid, viewer_zone=viewer_zone)


def reading_busy_times(session: Session, *, user_ids: list[int], starts_at: datetime,
                       ends_at: datetime) -> Callable[[], BusyTimes] | None:
    """On ``reading_busy_times``: read who the people are now; return the network step, which
    asks each calendar once for the whole range."""
    config = settings(session)
    if not config.enabled or not user_ids:
        return None
    found = _people(session, config, user_ids)
    people = [(u.name, url, u.time_zone) for u, url in found]

    def read() -> BusyTimes:
        events, result = read_calendars(config, people, starts_at, ends_at)
        result.busy = {u.id: [(b.starts_at, b.ends_at) for b in busy]
                       for (u, _url), busy in zip(found, events, strict=True) if busy}
        return result

    return read
