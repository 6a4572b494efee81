"""Pages of a long list: keyset pages where the order is on plain columns (``after`` /
``before`` cursors), numbered pages with a capped offset where it is computed, and one
pager that builds the links from the page's own filters only.

A page loads at most ``size + 1`` rows (the extra one says whether there is a next page).
Bad paging parameters are a 400 with a reason, never a 500. The links carry only the names
a page lists as its filters: ``url_for`` reads keys such as ``_method`` or ``_external`` as
its own arguments (a past 500 on the bank list)."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import Any, Generic, TypeVar

from flask import url_for
from sqlalchemy import Select, bindparam, tuple_
from sqlalchemy.orm import QueryableAttribute, Session

from interviewloop.db import limited, plain_rows
from interviewloop.errors import DomainError

T = TypeVar("T")

LIST_PAGE = 50  # rows of a plain list (candidates, past interviews, the audit log)
BOARD_PAGE = 25  # candidates on the board or the dashboard (a row carries a loop's stages)
MAX_PAGE = 200  # numbered pages stop here: the offset stays bounded
CURSOR_CHARS = 500  # a cursor longer than this was not made by us


class BadPage(DomainError):
    """A page number or cursor this app did not make (400)."""


# --- keyset pages ------------------------------------------------------------------------------

def row_id(value: int | str) -> int:
    number = int(value)
    if not 1 <= number <= 2**31 - 1:  # an INTEGER key (PostgreSQL's int4)
        raise ValueError
    return number


def text(value: int | str) -> str:
    if not isinstance(value, str) or "\x00" in value:  # PostgreSQL text holds no NUL
        raise ValueError
    return value


def moment(value: int | str) -> datetime:
    """An aware time, in UTC (a zone near year 1 or 9999 could leave the calendar)."""
    if not isinstance(value, str):
        raise ValueError
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        raise ValueError from None


@dataclass(frozen=True)
class Keyset:
    """The columns a list is ordered by, all in one direction, the last one unique; and how
    to read each back from a cursor (``row_id``, ``text``, ``moment``, an enum class)."""

    columns: tuple[QueryableAttribute[Any], ...]  # mapped columns
    readers: tuple[Callable[[Any], Any], ...]
    descending: bool = False


@dataclass(frozen=True)
class Cursor:
    after: tuple[Any, ...] | None = None
    before: tuple[Any, ...] | None = None


FIRST = Cursor()

def _encode(values: Sequence[Any]) -> str:
    plain = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode().rstrip("=")


def _decode(token: str, keyset: Keyset) -> tuple[Any, ...]:
    try:
        if len(token) > CURSOR_CHARS:
            raise ValueError
        raw = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if not isinstance(raw, list) or len(raw) != len(keyset.readers):
            raise ValueError
        values = []
        for reader, value in zip(keyset.readers, raw, strict=True):
            if not isinstance(value, int | str) or isinstance(value, bool):
                raise ValueError
            values.append(reader(value))
        return tuple(values)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise BadPage("That page link is broken; start again from the first page.") from None


def read_cursor(args: Mapping[str, str], keyset: Keyset) -> Cursor:
    after, before = args.get("after"), args.get("before")
    if after and before:
        raise BadPage("A page link has either 'after' or 'before', not both.")
    return Cursor(after=_decode(after, keyset) if after else None,
                  before=_decode(before, keyset) if before else None)


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    previous: dict[str, Any] | None  # the query arguments of the previous page, if any
    next: dict[str, Any] | None
    number: int | None = None  # numbered pages only
    pages: int | None = None
    total: int | None = None


def keyset_page(session: Session, stmt: Select[*tuple[Any, ...]], keyset: Keyset,
                cursor: Cursor, key: Callable[[Any], tuple[Any, ...]], *, size: int,
                scalars: bool = True, unique: bool = True) -> Page[Any]:
    """``stmt`` (unordered) ordered by the keyset, the page after or before the cursor.
    ``key`` gives a row's keyset values (to make the neighbours' cursors). ``unique``
    (for joined eager loads) False: plain rows, as read (a JSON value cannot be hashed)."""
    cols = tuple_(*keyset.columns)
    backwards = cursor.before is not None
    if cursor.after is not None:
        stmt = stmt.where(cols < cursor.after if keyset.descending else cols > cursor.after)
    if cursor.before is not None:
        stmt = stmt.where(cols > cursor.before if keyset.descending else cols < cursor.before)
    # Walking back, read the list in reverse from the cursor, then turn the page round.
    ascending = keyset.descending == backwards
    order = [c.asc() if ascending else c.desc() for c in keyset.columns]
    result = session.execute(limited(stmt.order_by(*order), size + 1))
    if scalars:
        rows = list(result.scalars().unique() if unique else result.scalars())
    else:
        rows = list(result.unique() if unique else result)
    return _page(rows, cursor, key, size)


def direction(cursor: Cursor) -> str | None:
    """Which way a cursor reads: "after", "before", or None (the first page)."""
    return "after" if cursor.after is not None else "before" if cursor.before is not None \
        else None


def keyset_select(stmt: Select[*tuple[Any, ...]], keyset: Keyset, way: str | None, *,
                  size: int) -> Select[*tuple[Any, ...]]:
    """``stmt`` (unordered) ordered and limited as keyset_page does, for a page read ``way``
    (``direction``), the cursor's values bound by name: the same statement for every page
    read that way, which a caller can build once. Its cache key (a walk of the whole
    statement, made on each run of a new statement object) is then made once too. Run it
    with ``keyset_rows``."""
    backwards = way == "before"
    if way is not None:
        cols = tuple_(*keyset.columns)
        bound = tuple_(*(bindparam(f"keyset_{i}", type_=c.type)
                         for i, c in enumerate(keyset.columns)))
        stmt = stmt.where(cols < bound if keyset.descending != backwards else cols > bound)
    ascending = keyset.descending == backwards
    order = [c.asc() if ascending else c.desc() for c in keyset.columns]
    return limited(stmt.order_by(*order), size + 1)


def keyset_rows(session: Session, ordered: Select[*tuple[Any, ...]], cursor: Cursor,
                key: Callable[[Any], tuple[Any, ...]], *, size: int) -> Page[Any]:
    """The page of plain rows (a select of columns) that ``ordered`` (``keyset_select`` for
    the cursor's direction and ``size``) reads at the cursor."""
    values = cursor.after if cursor.after is not None else cursor.before
    params = {f"keyset_{i}": v for i, v in enumerate(values or ())}
    return _page(list(plain_rows(session, ordered, params)), cursor, key, size)


def _page(rows: list[Any], cursor: Cursor, key: Callable[[Any], tuple[Any, ...]],
          size: int) -> Page[Any]:
    """The page of ``rows`` (read in the cursor's direction, one past ``size`` if more)."""
    backwards = cursor.before is not None
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
    has_prev = more if backwards else cursor.after is not None
    has_next = True if backwards else more
    return Page(
        items=rows,
        previous={"before": _encode(key(rows[0]))} if has_prev and rows else None,
        next={"after": _encode(key(rows[-1]))} if has_next and rows else None)


# --- numbered pages ----------------------------------------------------------------------------

def read_page_number(args: Mapping[str, str]) -> int:
    raw = args.get("page", "1") or "1"
    # ASCII digits only: str.isdigit() also passes "²", which int() refuses.
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 4 or not 1 <= int(raw) <= MAX_PAGE:
        raise BadPage(f"The page is a whole number from 1 to {MAX_PAGE}.")
    return int(raw)


def numbered_page(items: list[T], *, number: int, size: int, total: int,
                  cap: int = MAX_PAGE) -> Page[T]:
    pages = min(max(1, -(-total // size)), cap)
    return Page(items=items, number=number, pages=pages, total=total,
                previous={"page": number - 1} if number > 1 else None,
                next={"page": number + 1} if number < pages else None)


# --- links -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Pager:
    """What the pager macro (templates/_pager.html) links to: the endpoint with its route
    values and the page's filters, plus the neighbour page's arguments."""

    endpoint: str
    page: Page[Any]
    values: dict[str, Any] = field(default_factory=dict)

    def url(self, neighbour: dict[str, Any] | None) -> str | None:
        if neighbour is None:
            return None
        return url_for(self.endpoint, **self.values, **neighbour)

    # Built once each: the macro asks for each link up to three times.
    @cached_property
    def previous_url(self) -> str | None:
        return self.url(self.page.previous)

    @cached_property
    def next_url(self) -> str | None:
        return self.url(self.page.next)


def pager(endpoint: str, page: Page[Any], *, route: Mapping[str, Any] | None = None,
          filters: Mapping[str, Any] | None = None, anchor: str | None = None) -> Pager:
    """Filters whose value is None are left out; a filter name never starts with ``_``."""
    kept = {name: value for name, value in (filters or {}).items() if value is not None}
    assert not any(name.startswith("_") for name in kept), "url_for would read it"
    return Pager(endpoint, page, {**(route or {}), **kept,
                                  **({"_anchor": anchor} if anchor else {})})
