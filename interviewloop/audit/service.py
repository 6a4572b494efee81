from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session, joinedload

from interviewloop.audit.models import AuditEvent
from interviewloop.auth.models import User
from interviewloop.db import plain_rows
from interviewloop.errors import Forbidden
from interviewloop.paging import (
    FIRST,
    LIST_PAGE,
    Cursor,
    Keyset,
    Page,
    direction,
    keyset_page,
    keyset_rows,
    keyset_select,
    row_id,
)


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


# An event's own columns, in the order recent_events' plain rows give them.
EVENT_COLUMNS = (AuditEvent.id, AuditEvent.at, AuditEvent.action, AuditEvent.object_type,
                 AuditEvent.object_id, AuditEvent.ip, AuditEvent.detail)
EVENT_ORDER = Keyset((AuditEvent.id,), (row_id,), descending=True)
COUNT_CAP = 1000  # the page says "more than 1,000 events" past this: no count of them all

# Signing in and out, failed attempts, two-factor and single sign-on: the log's "Sign-ins" tab;
# everything else is a change.
SIGN_INS = frozenset({
    "login", "logout", "login_failed", "session_idle_expired", "session_ended",
    "sso_login_refused", "api_token_used", "sign_in_waits_ended", "two_factor_enabled",
    "two_factor_disabled", "two_factor_reset", "two_factor_recovery_code_used",
    "two_factor_recovery_codes_regenerated"})


class Kind(enum.StrEnum):
    ALL = "all"
    CHANGES = "changes"
    SIGN_INS = "sign_ins"


@dataclass(frozen=True)
class Filters:
    """The log's filters, each applied in SQL; None means any. Days are UTC, both included.
    ``actor_id`` and ``about`` filter by a person: an event by them (its actor) or about them
    (``about``: a condition on the event, built by the caller, who knows which tables say
    whom an object concerns: admin/audit_log.py); given both, an event matches either."""

    kind: Kind = Kind.ALL
    action: str | None = None
    actor_id: int | None = None
    about: ColumnElement[bool] | None = field(default=None, compare=False)
    object_type: str | None = None
    object_id: int | None = None
    since: date | None = None
    until: date | None = None


def filtered(stmt: Select[Any], filters: Filters) -> Select[Any]:
    if filters.kind is Kind.SIGN_INS:
        stmt = stmt.where(AuditEvent.action.in_(sorted(SIGN_INS)))
    elif filters.kind is Kind.CHANGES:
        stmt = stmt.where(AuditEvent.action.not_in(sorted(SIGN_INS)))
    if filters.action:
        stmt = stmt.where(AuditEvent.action == filters.action)
    by_or_about = []
    if filters.actor_id is not None:
        by_or_about.append(AuditEvent.actor_id == filters.actor_id)
    if filters.about is not None:
        by_or_about.append(filters.about)
    if by_or_about:
        stmt = stmt.where(or_(*by_or_about))
    if filters.object_type:
        stmt = stmt.where(AuditEvent.object_type == filters.object_type)
    if filters.object_id is not None:
        stmt = stmt.where(AuditEvent.object_id == filters.object_id)
    if filters.since:
        stmt = stmt.where(AuditEvent.at >= datetime.combine(filters.since, time.min, UTC))
    if filters.until:
        stmt = stmt.where(AuditEvent.at < datetime.combine(filters.until + timedelta(days=1), time.min,
                                                           UTC))
    return stmt


def recent_events(session: Session, *, action: str | None = None, cursor: Cursor = FIRST,
                  size: int = LIST_PAGE, filters: Filters | None = None,
                  columns: Sequence[Any] = ()) -> tuple[Page[Any], int]:
    """A page of the audit log, newest first, with how many events there are, counted up
    to COUNT_CAP + 1 only (more means "more than COUNT_CAP"): the log only grows, and a
    filtered page walks the (action, id) index, so neither reads more than it shows.
    Events with their actors loaded; or, given ``columns`` to read beside each event in the
    same query, plain rows: the event's own columns (``EVENT_COLUMNS``), its actor's name
    and email (None without one), then ``columns``."""
    filters = filters or Filters(action=action)
    if columns:
        # Built once for the same filters, unless they hold a person's (``about``: the
        # request's values, and not part of the filters' equality).
        count, listed = (_count, _shown) if filters.about is None else (_counted, _listed)
        total = plain_rows(session, count(filters))[0][0]
        rows = listed(filters, tuple(columns), direction(cursor), size)
        return keyset_rows(session, rows, cursor, lambda r: (r.id,), size=size), total
    stmt = filtered(select(AuditEvent), filters)
    capped = stmt.with_only_columns(AuditEvent.id).limit(COUNT_CAP + 1).subquery()
    total = session.scalar(select(func.count()).select_from(capped)) or 0
    # The actor's name and email only: their roles are not read (nor loaded, whoever is on
    # the page).
    shown = stmt.options(joinedload(AuditEvent.actor).raiseload(User.role_rows))
    return keyset_page(session, shown, EVENT_ORDER, cursor, lambda e: (e.id,), size=size), total


def _counted(filters: Filters) -> Select[int]:
    capped = filtered(select(AuditEvent.id), filters).limit(COUNT_CAP + 1).subquery()
    return select(func.count()).select_from(capped)


def _listed(filters: Filters, columns: tuple[Any, ...], way: str | None, size: int
            ) -> Select[Any]:
    stmt = filtered(select(*EVENT_COLUMNS, User.name, User.email, *columns)
                    .outerjoin(User, User.id == AuditEvent.actor_id), filters)
    return keyset_select(stmt, EVENT_ORDER, way, size=size)


# The page's two statements kept for the last filters and directions asked for (the
# cursor's values are bound when they run): made anew, a statement's cache key (a walk
# of all its subqueries) cost more than the statement's run.
_count = lru_cache(maxsize=64)(_counted)
_shown = lru_cache(maxsize=64)(_listed)


def actions(session: Session) -> list[str]:
    """The actions in the log, in order: one index step per action (a recursive query
    from one to the next), not a DISTINCT over every event."""
    return [action for (action,) in plain_rows(session, _ACTIONS)]


def _known_actions() -> Select[str]:
    step = select(func.min(AuditEvent.action).label("action")).cte("known", recursive=True)
    following = select(func.min(AuditEvent.action)).where(AuditEvent.action > step.c.action)
    known = step.union_all(select(following.scalar_subquery()).where(step.c.action.is_not(None)))
    return select(known.c.action).where(known.c.action.is_not(None)).order_by(known.c.action)


_ACTIONS = _known_actions()  # built once: the same statement on every audit page
