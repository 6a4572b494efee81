"""Busy times from people's own calendars, for a booking: read in two steps so that the
network call happens outside any write transaction (see signals.checking_calendars)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from interviewloop.auth.models import User
from interviewloop.calendars.accounts import collection_urls
from interviewloop.calendars.client import CalDAVSettings, CalendarServer, CalendarUnreachable
from interviewloop.calendars.service import settings
from interviewloop.scheduling.signals import CalendarCheck
from interviewloop.timezones import format_local

OURS = "@interviewloop"  # interviews' own UIDs: those clashes are the database's to refuse


def busy_warnings(config: CalDAVSettings, people: list[tuple[str, str, str]],
                  starts_at: datetime, ends_at: datetime, *, interview_uid: str | None,
                  viewer_zone: str) -> CalendarCheck:
    """``people``: (name, collection URL, time zone). A warning per person busy then; a notice for
    those whose calendar could not be read (after the first failure the rest are not tried:
    one server, and booking must not wait once per person)."""
    check = CalendarCheck()
    unread: list[str] = []
    with CalendarServer(config) as server:
        for name, collection, zone in people:
            if unread:
                unread.append(name)
                continue
            try:
                found = server.busy(collection, starts_at, ends_at, zone=zone)
            except CalendarUnreachable:
                unread.append(name)
                continue
            for busy in found:
                if busy.uid == interview_uid or busy.uid.endswith(OURS):
                    continue
                check.warnings.append(
                    f"{name}'s calendar shows them busy from "
                    f"{format_local(busy.starts_at, viewer_zone)} to "
                    f"{format_local(busy.ends_at, viewer_zone, with_date=False)}.")
                break
    if unread:
        check.notices.append(
            f"Busy times could not be checked for {', '.join(unread)}: the calendar server did "
            "not answer. The booking does not wait for it; check their calendars yourself.")
    return check


def checking_calendars(session: Session, *, user_ids: list[int], starts_at: datetime,
                       ends_at: datetime, interview_uid: str | None, viewer_zone: str
                       ) -> Callable[[], CalendarCheck] | None:
    """On ``checking_calendars``: read who the people are now; return the network step."""
    config = settings(session)
    if not config.enabled or not user_ids:
        return None
    users = list(session.scalars(
        select(User).where(User.id.in_(user_ids)).order_by(User.name, User.id)))
    urls = collection_urls(session, config, users)
    people = [(u.name, urls[u.id], u.time_zone) for u in users]
    return lambda: busy_warnings(config, people, starts_at, ends_at,
                                 interview_uid=interview_uid, viewer_zone=viewer_zone)
