from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from interviewloop.audit.models import AuditEvent
from interviewloop.auth.models import User
from interviewloop.errors import Forbidden
from interviewloop.paging import FIRST, LIST_PAGE, Cursor, Keyset, Page, keyset_page, row_id


@dataclass(frozen=True)
class Actor:
    """Who is acting, and from where: passed to every service that changes data."""

    user: User | None
    ip: str | None = None

    @property
    def user_id(self) -> int | None:
        return self.user.id if self.user is not None else None

    @property
    def person(self) -> User:
        """The acting user, where only a signed-in person may act (never the system)."""
        if self.user is None:
            raise Forbidden("Only a signed-in person can do this.")
        return self.user


SYSTEM = Actor(user=None, ip=None)


def record(session: Session, actor: Actor, action: str, obj: Any = None,
           **detail: Any) -> AuditEvent:
    """Add an audit event in the caller's transaction (it lands only if the change does)."""
    event = AuditEvent(
        actor_id=actor.user_id,
        action=action,
        object_type=obj.__tablename__ if obj is not None else None,
        object_id=obj.id if obj is not None else None,
        ip=actor.ip,
        detail=detail,
    )
    session.add(event)
    return event


EVENT_ORDER = Keyset((AuditEvent.id,), (row_id,), descending=True)
COUNT_CAP = 1000  # the page says "more than 1,000 events" past this: no count of them all


def recent_events(session: Session, *, action: str | None = None, cursor: Cursor = FIRST,
                  size: int = LIST_PAGE) -> tuple[Page[AuditEvent], int]:
    """A page of the audit log, newest first, with how many events there are, counted up
    to COUNT_CAP + 1 only (more means "more than COUNT_CAP"): the log only grows, and a
    filtered page walks the (action, id) index, so neither reads more than it shows."""
    stmt = select(AuditEvent)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    capped = stmt.with_only_columns(AuditEvent.id).limit(COUNT_CAP + 1).subquery()
    total = session.scalar(select(func.count()).select_from(capped)) or 0
    # The actor's email only: their roles are not read (nor loaded, whoever is on the page).
    shown = stmt.options(joinedload(AuditEvent.actor).raiseload(User.role_rows))
    page = keyset_page(session, shown, EVENT_ORDER, cursor, lambda e: (e.id,), size=size)
    return page, total


def actions(session: Session) -> list[str]:
    """The actions in the log, in order: one index step per action (a recursive query
    from one to the next), not a DISTINCT over every event."""
    step = select(func.min(AuditEvent.action).label("action")).cte("known", recursive=True)
    following = select(func.min(AuditEvent.action)).where(AuditEvent.action > step.c.action)
    known = step.union_all(select(following.scalar_subquery()).where(step.c.action.is_not(None)))
    return list(session.scalars(select(known.c.action).where(
        known.c.action.is_not(None)).order_by(known.c.action)))
