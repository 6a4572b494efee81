"""The API's lists: what the caller may see, oldest change first, a page at a time.

Keyset pagination on (updated_at, id): a page costs one query however deep it is, and a row
changed while a client pages moves to the end, where the client meets it again (what a sync
wants). The visibility rules are the requisitions feature's own (visible_clause for
requisitions, managed_clause for candidates: the pages show candidates to whoever manages
the requisition)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from interviewloop import db
from interviewloop.auth.models import User
from interviewloop.requisitions.models import Candidate, Requisition
from interviewloop.requisitions.service import managed_clause, visible_clause

Row = TypeVar("Row")


@dataclass(frozen=True)
class Page(Generic[Row]):
    items: Sequence[Row]
    next_cursor: tuple[datetime, int] | None


@dataclass(frozen=True)
class Window:
    limit: int
    cursor: tuple[datetime, int] | None = None
    updated_since: datetime | None = None


def page_of(session: Session, stmt: Select[Any], model: Any, window: Window,
            changed: str = "updated_at") -> Page[Any]:
    """A page of ``model`` rows in order of their ``changed`` column (when each row last
    changed), then id. Every API list pages through here; each table has an index that
    leads with ``changed`` (then id), which a page reads in order and stops, never sorting."""
    column = getattr(model, changed)
    if window.updated_since is not None:
        stmt = stmt.where(column >= window.updated_since)
    if window.cursor is not None:
        moment, row_id = window.cursor
        # (column, id) > (moment, row_id), said so that the index on (column, id) is entered
        # at the cursor instead of read from its start.
        stmt = stmt.where(column >= moment, or_(column > moment, model.id > row_id))
    rows = list(session.scalars(db.limited(stmt.order_by(column, model.id), window.limit + 1)))
    more = len(rows) > window.limit
    rows = rows[:window.limit]
    return Page(rows, (getattr(rows[-1], changed), rows[-1].id) if more else None)


def requisition_page(session: Session, user: User, window: Window) -> Page[Requisition]:
    return page_of(session, select(Requisition).where(visible_clause(user)), Requisition, window)


def candidate_page(session: Session, user: User, window: Window, *,
                   requisition_id: int | None = None, external_source: str | None = None,
                   external_id: str | None = None) -> Page[Candidate]:
    stmt = select(Candidate).join(Requisition, Candidate.requisition_id == Requisition.id) \
        .where(managed_clause(user))
    if requisition_id is not None:
        stmt = stmt.where(Candidate.requisition_id == requisition_id)
    if external_source is not None:
        stmt = stmt.where(Candidate.external_source == external_source)
    if external_id is not None:
        stmt = stmt.where(Candidate.external_id == external_id)
    return page_of(session, stmt, Candidate, window)
