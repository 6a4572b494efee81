"""Failed sign-ins: an address that keeps guessing one account's password waits longer and
longer; the account is never locked, so its owner still signs in from their own address.

A guess is counted *before* the password is checked, by a conditional UPDATE on the
(account, address) row: parallel attempts in other workers wait on that row and then see
the count, so no more than LOGIN_MAX_FAILURES passwords are checked before the wait starts,
however many arrive at once. A successful sign-in gives the guess back. No Flask here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from interviewloop.auth.models import LoginThrottle, MissedSignIns, User

# The longest wait; failures older than this after the last one are forgotten.
MAX_WAIT = timedelta(hours=24)


@dataclass(frozen=True)
class LoginPolicy:
    max_failures: int = 5  # failures from one address before that address waits
    lock_minutes: int = 15  # the first wait; it doubles with each further failure
    max_session_hours: int = 12

    def wait_after(self, failures: int) -> timedelta:
        """How long an address waits after its ``failures``-th failure in a row."""
        if failures < self.max_failures:
            return timedelta(0)
        doublings = min(failures - self.max_failures, 20)  # 2**20 first waits is past any cap
        return min(timedelta(minutes=self.lock_minutes) * (1 << doublings), MAX_WAIT)


def reserve_guess(session: Session, user: User, ip: str, policy: LoginPolicy,
                  now: datetime) -> bool:
    """Count this attempt as a failure before its password is checked; False if this
    address must wait first (then nothing is counted here)."""
    _ensure_row(session, user.id, ip)
    where = (LoginThrottle.user_id == user.id, LoginThrottle.ip == ip)
    for _attempt in range(5):
        row = session.execute(
            select(LoginThrottle.failures, LoginThrottle.wait_until, LoginThrottle.last_failure_at)
            .where(*where)).one_or_none()
        if row is None:  # forgotten by forget_stale since we made it: make it again
            _ensure_row(session, user.id, ip)
            continue
        if row.wait_until is not None and row.wait_until > now:
            return False
        forgotten = row.last_failure_at is None or row.last_failure_at <= now - MAX_WAIT
        failures = 1 if forgotten else row.failures + 1
        wait = policy.wait_after(failures)
        # Compare-and-set: if another worker counted a guess since our read (PostgreSQL
        # makes us wait for its commit, then re-checks), nothing changes and we read again.
        taken = session.execute(
            update(LoginThrottle).where(*where, LoginThrottle.failures == row.failures)
            .values(failures=failures, last_failure_at=now,
                    wait_until=now + wait if wait else None)
            .execution_options(synchronize_session=False))
        if taken.rowcount == 1:  # type: ignore[attr-defined]
            return True
    return False


def _ensure_row(session: Session, user_id: int, ip: str) -> None:
    """The (account, address) row, created if missing; a row another worker is creating at
    the same moment is waited for, not duplicated."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(LoginThrottle).values(user_id=user_id, ip=ip, failures=0)
                    .on_conflict_do_nothing(index_elements=["user_id", "ip"]))


def note_refused(session: Session, user: User, ip: str, now: datetime) -> None:
    """Remember a refused sign-in on the account, for its owner's next sign-in."""
    session.execute(
        update(User).where(User.id == user.id)
        .values(failed_logins=User.failed_logins + 1, last_failed_login_at=now,
                last_failed_login_ip=ip)
        .execution_options(synchronize_session=False))


def signed_in(session: Session, user: User, ip: str) -> MissedSignIns | None:
    """A successful sign-in from ``ip``: its address starts afresh (others keep their waits),
    and the refused sign-ins since the last one are handed back, once."""
    session.execute(update(LoginThrottle)
                    .where(LoginThrottle.user_id == user.id, LoginThrottle.ip == ip)
                    .values(failures=0, wait_until=None)
                    .execution_options(synchronize_session=False))
    session.refresh(user, ["failed_logins", "last_failed_login_at", "last_failed_login_ip"])
    missed = None
    if user.failed_logins:
        missed = MissedSignIns(user.failed_logins, user.last_failed_login_at,
                               user.last_failed_login_ip)
    user.failed_logins, user.last_failed_login_at, user.last_failed_login_ip = 0, None, None
    return missed


def forget(session: Session, user: User) -> None:
    """An admin reset the password or reactivated the account: every address starts afresh
    (the refused sign-ins are still shown to the owner at their next sign-in)."""
    session.execute(delete(LoginThrottle).where(LoginThrottle.user_id == user.id)
                    .execution_options(synchronize_session=False))


def forget_stale(session: Session, now: datetime) -> int:
    """Delete the rows that no longer hold anything: no wait in force and no failure within
    MAX_WAIT (reserve_guess would count such an address from one anyway). Without this, every
    address that ever mistyped a password keeps a row for ever. Returns how many went."""
    result = session.execute(
        delete(LoginThrottle)
        .where(or_(LoginThrottle.wait_until.is_(None), LoginThrottle.wait_until <= now),
               or_(LoginThrottle.failures == 0, LoginThrottle.last_failure_at.is_(None),
                   LoginThrottle.last_failure_at <= now - MAX_WAIT))
        .execution_options(synchronize_session=False))
    return int(result.rowcount)  # type: ignore[attr-defined]


def wait_in_force(session: Session, user: User, ip: str, now: datetime) -> datetime | None:
    """Until when ``ip`` must wait before guessing this account's password again, if it must."""
    until = session.scalar(select(LoginThrottle.wait_until)
                           .where(LoginThrottle.user_id == user.id, LoginThrottle.ip == ip))
    return until if until is not None and until > now else None


def waiting_addresses(session: Session, now: datetime, *, user_id: int | None = None
                      ) -> dict[int, int]:
    """For each account (or just ``user_id``'s) with addresses made to wait now: how many
    (one query, for the list)."""
    stmt = select(LoginThrottle.user_id, func.count()).where(LoginThrottle.wait_until > now)
    if user_id is not None:
        stmt = stmt.where(LoginThrottle.user_id == user_id)
    rows = session.execute(stmt.group_by(LoginThrottle.user_id))
    return {int(row[0]): int(row[1]) for row in rows}
