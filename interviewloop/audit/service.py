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


def recent_events(session: Session, *, action: str | None = None, cursor: Cursor = FIRST,
                  size: int = LIST_PAGE) -> tuple[Page[AuditEvent], int]:
    """A page of the audit log, newest first, with the total count (for the admin page)."""
    stmt = select(AuditEvent)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    # The actor's email only: their roles are not read (nor loaded, whoever is on the page).
    shown = stmt.options(joinedload(AuditEvent.actor).raiseload(User.role_rows))
    page = keyset_page(session, shown, EVENT_ORDER, cursor, lambda e: (e.id,), size=size)
    return page, total


def actions(session: Session) -> list[str]:
    return list(session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))
