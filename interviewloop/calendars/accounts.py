"""Where each person's calendar is: CALDAV_COLLECTION's pattern, or their own path set by an
admin (a CalendarAccount row)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from interviewloop.audit.service import Actor, record
from interviewloop.auth.models import User
from interviewloop.calendars.client import CalDAVSettings
from interviewloop.calendars.models import COLLECTION_LENGTH, CalendarAccount
from interviewloop.errors import DomainError, Forbidden


class BadCollection(DomainError):
    status_code = 422


def own_collections(session: Session, user_ids: Iterable[int]) -> dict[int, str]:
    return dict(session.execute(select(CalendarAccount.user_id, CalendarAccount.collection)
                                .where(CalendarAccount.user_id.in_(set(user_ids)))).all())


def collection_urls(session: Session, config: CalDAVSettings, users: Iterable[User]
                    ) -> dict[int, str]:
    """Each person's collection URL (one query)."""
    users = list(users)
    own = own_collections(session, (u.id for u in users))
    return {u.id: config.collection_url(u.email, own.get(u.id)) for u in users}


def clean_collection(raw: str) -> str:
    path = raw.strip()
    if len(path) > COLLECTION_LENGTH:
        raise BadCollection(f"Keep the calendar's path under {COLLECTION_LENGTH} characters.")
    if "://" in path or ".." in path or any(c.isspace() or ord(c) < 32 for c in path):
        raise BadCollection("Give a path under the calendar server's address (such as "
                            "team/alice/calendar/), not another address.")
    return path


def set_collection(session: Session, actor: Actor, user: User, raw: str) -> str | None:
    """Set (or, blank, clear) the person's own collection; admins only."""
    if actor.user is None or not actor.user.is_admin:
        raise Forbidden("Only an admin says where someone's calendar is.")
    path = clean_collection(raw)
    row = session.get(CalendarAccount, user.id)
    if not path:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(CalendarAccount(user_id=user.id, collection=path))
    else:
        row.collection = path
    session.flush()
    record(session, actor, "calendar_collection_set", user, collection=path or None)
    return path or None
