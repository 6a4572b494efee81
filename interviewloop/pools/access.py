"""Who may do what with interviewer pools (asked by views, templates and services alike).

- Everyone signed in sees the pools and who is in them (recruiters build panels from them).
- Admins create pools; admins and a pool's owner manage its members and sign off
  promotions.
- A trainee's practice cards are theirs, their coach's (the named coach, or else the
  pool's owner) and the pool owner's to read (scorecards/access.py applies it).
"""

from __future__ import annotations

from interviewloop.auth.models import User
from interviewloop.pools.models import Pool, PoolMember


def can_create_pool(user: User) -> bool:
    return user.is_admin


def can_manage_pool(user: User, pool: Pool) -> bool:
    return user.is_admin or pool.owner_id == user.id


def coaches_of(pool: Pool, member: PoolMember | None) -> set[int]:
    """Who coaches this member: the pool's owner, and their named coach if any."""
    named = {member.coach_id} if member is not None and member.coach_id is not None else set()
    return {pool.owner_id} | named


def can_read_practice(user: User, pool: Pool | None, member: PoolMember | None,
                      author_id: int) -> bool:
    """May ``user`` read a practice card by ``author_id`` (a trainee of ``pool``)? The
    independence rule (no card before one's own on that candidate) is checked besides."""
    if user.id == author_id:
        return True
    return pool is not None and user.id in coaches_of(pool, member)
