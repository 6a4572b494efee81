"""Accounts: login, login sessions, and the admin's user changes. No Flask here."""

from __future__ import annotations

import re
import secrets
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, contains_eager

from interviewloop import limits
from interviewloop.audit.service import Actor, record
from interviewloop.auth.models import LoginSession, User, UserRole
from interviewloop.auth.passwords import Hasher, password_problem
from interviewloop.db import utcnow
from interviewloop.enums import Role
from interviewloop.errors import Conflict, DomainError, NotFound

LOGIN_REFUSED = "The email or password is not right, or the account is locked for a while."


class LoginRefused(DomainError):
    status_code = 401

    def __init__(self) -> None:
        super().__init__(LOGIN_REFUSED)


class InvalidUser(DomainError):
    """A user change was refused; ``field`` names the input at fault (for forms)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class LoginPolicy:
    max_failures: int = 5
    lock_minutes: int = 15
    max_session_hours: int = 12


@cache
def time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.is_active.desc(), User.name)))


# --- login -------------------------------------------------------------------------------

def log_in(session: Session, hasher: Hasher, policy: LoginPolicy, email: str, password: str,
           *, ip: str | None, now: datetime | None = None) -> User:
    """Check the credentials and open a login session; raise LoginRefused otherwise.

    Failures are counted in the database, so the soft lock-out holds across workers."""
    now = now or utcnow()
    user = find_user_by_email(session, email)
    password_ok = hasher.verify(user.password_hash if user else None, password)
    actor = Actor(user=None, ip=ip)
    if user is None or not user.is_active:
        record(session, actor, "login_failed", user, email=normalise_email(email)[:254])
        raise LoginRefused
    if user.locked_until is not None and user.locked_until > now:
        record(session, actor, "login_failed", user, reason="locked")
        raise LoginRefused
    if not password_ok:
        _count_failure(session, user, policy, now)
        record(session, actor, "login_failed", user, reason="password")
        raise LoginRefused

    user.failed_logins = 0
    user.locked_until = None
    if hasher.needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    login = LoginSession(token=secrets.token_urlsafe(32), user_id=user.id, ip=ip, created_at=now)
    session.add(login)
    session.flush()
    user.login_token = login.token
    record(session, Actor(user=user, ip=ip), "login", user)
    return user


def _count_failure(session: Session, user: User, policy: LoginPolicy, now: datetime) -> None:
    # An SQL increment, so that concurrent failures in other workers are not lost.
    session.execute(
        update(User).where(User.id == user.id).values(failed_logins=User.failed_logins + 1)
    )
    session.refresh(user, ["failed_logins"])
    if user.failed_logins >= policy.max_failures:
        user.locked_until = now + timedelta(minutes=policy.lock_minutes)
        user.failed_logins = 0


def user_for_token(session: Session, token: str, policy: LoginPolicy,
                   now: datetime | None = None) -> User | None:
    """The active user behind a live login session, or None (ended, expired, deactivated)."""
    now = now or utcnow()
    oldest = now - timedelta(hours=policy.max_session_hours)
    login = session.scalar(
        select(LoginSession)
        .join(LoginSession.user)
        .options(contains_eager(LoginSession.user).selectinload(User.role_rows))
        .where(
            LoginSession.token == token,
            LoginSession.ended_at.is_(None),
            LoginSession.created_at > oldest,
            User.is_active.is_(True),
        )
    )
    if login is None:
        return None
    login.user.login_token = token
    return login.user


def log_out(session: Session, token: str, *, ip: str | None, reason: str = "logout") -> None:
    login = session.scalar(select(LoginSession).where(LoginSession.token == token))
    if login is None or login.ended_at is not None:
        return
    login.ended_at = utcnow()
    record(session, Actor(user=None, ip=ip), reason, login, user_id=login.user_id)


def end_all_sessions(session: Session, user: User) -> None:
    session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )


# --- calendar feed ---------------------------------------------------------------------------

_CALENDAR_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")


def user_for_calendar_token(session: Session, token: str) -> User | None:
    # Only what token_urlsafe makes: anything else (a NUL byte breaks PostgreSQL) is no token.
    if not _CALENDAR_TOKEN.fullmatch(token or ""):
        return None
    return session.scalar(select(User).where(User.calendar_token == token,
                                             User.is_active.is_(True)))


def new_calendar_token(session: Session, actor: Actor, user: User) -> str:
    """A fresh secret for the user's calendar feed; the old URL stops working."""
    user.calendar_token = secrets.token_urlsafe(32)
    record(session, actor, "calendar_token_created", user)
    return user.calendar_token


def revoke_calendar_token(session: Session, actor: Actor, user: User) -> None:
    user.calendar_token = None
    record(session, actor, "calendar_token_revoked", user)


def update_settings(session: Session, actor: Actor, user: User, *, time_zone: str,
                    weekly_interview_cap: int | None) -> User:
    """A user's own settings: their time zone and weekly interview cap."""
    time_zone = _check_time_zone(time_zone)
    cap = limits.WEEKLY_INTERVIEW_CAP
    if weekly_interview_cap is not None and weekly_interview_cap not in cap:
        raise InvalidUser(f"A weekly cap is from {cap.low} to {cap.high} interviews, or empty "
                          "for none.", "weekly_interview_cap")
    user.time_zone, user.weekly_interview_cap = time_zone, weekly_interview_cap
    record(session, actor, "settings_updated", user, time_zone=time_zone,
           weekly_interview_cap=weekly_interview_cap)
    return user


# --- the admin's changes -------------------------------------------------------------------

def _clean_roles(roles: Iterable[Role | str]) -> set[Role]:
    try:
        cleaned = {Role(r) for r in roles}
    except ValueError as exc:
        raise InvalidUser(f"Unknown role: {exc}", "roles") from exc
    if not cleaned:
        raise InvalidUser("Choose at least one role.", "roles")
    return cleaned


def _check_name(name: str) -> str:
    name = name.strip()
    if len(name) not in limits.PERSON_NAME:
        raise InvalidUser(f"A name is 1 to {limits.PERSON_NAME.high} characters.", "name")
    return name


def _check_time_zone(time_zone: str) -> str:
    if time_zone not in time_zones():
        raise InvalidUser(f"Unknown time zone {time_zone[:64]!r}; use a name like Europe/Paris.",
                          "time_zone")
    return time_zone


def _check_password(password: str, email: str) -> str:
    problem = password_problem(password, email=email)
    if problem:
        raise InvalidUser(problem, "password")
    return password


def create_user(session: Session, actor: Actor, hasher: Hasher, *, email: str, name: str,
                password: str, roles: Iterable[Role | str], time_zone: str = "UTC") -> User:
    email = normalise_email(email)
    if len(email) not in limits.EMAIL or "@" not in email:
        raise InvalidUser("Enter a valid email address.", "email")
    if find_user_by_email(session, email) is not None:
        raise InvalidUser("A user with this email already exists.", "email")
    user = User(
        email=email,
        name=_check_name(name),
        time_zone=_check_time_zone(time_zone),
        password_hash=hasher.hash(_check_password(password, email)),
        role_rows=[UserRole(role=r) for r in sorted(_clean_roles(roles))],
    )
    session.add(user)
    session.flush()
    record(session, actor, "user_created", user, email=email, roles=sorted(user.roles))
    return user


def _other_active_admins(session: Session, user: User) -> int:
    return session.scalar(
        select(func.count()).select_from(User).join(UserRole)
        .where(UserRole.role == Role.ADMIN, User.is_active.is_(True), User.id != user.id)
    ) or 0


def update_user(session: Session, actor: Actor, user: User, *, name: str,
                roles: Iterable[Role | str], time_zone: str) -> User:
    new_roles = _clean_roles(roles)
    name, time_zone = _check_name(name), _check_time_zone(time_zone)
    if user.is_admin and Role.ADMIN not in new_roles and not _other_active_admins(session, user):
        raise Conflict("This is the last active admin; make someone else admin first.")
    before = {"name": user.name, "roles": sorted(user.roles), "time_zone": user.time_zone}
    user.name, user.time_zone = name, time_zone
    current = {row.role: row for row in user.role_rows}
    for role, row in current.items():
        if role not in new_roles:
            user.role_rows.remove(row)
    for role in sorted(new_roles - current.keys()):
        user.role_rows.append(UserRole(role=role))
    session.flush()
    after = {"name": user.name, "roles": sorted(new_roles), "time_zone": user.time_zone}
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if changes:
        record(session, actor, "user_updated", user, changes=changes)
    return user


def deactivate_user(session: Session, actor: Actor, user: User) -> User:
    if not user.is_active:
        raise Conflict("This user is already deactivated.")
    if user.is_admin and not _other_active_admins(session, user):
        raise Conflict("This is the last active admin; make someone else admin first.")
    user.is_active = False
    user.deactivated_at = utcnow()
    end_all_sessions(session, user)
    record(session, actor, "user_deactivated", user)
    return user


def reactivate_user(session: Session, actor: Actor, user: User) -> User:
    if user.is_active:
        raise Conflict("This user is already active.")
    user.is_active = True
    user.deactivated_at = None
    user.failed_logins = 0
    user.locked_until = None
    record(session, actor, "user_reactivated", user)
    return user


def reset_password(session: Session, actor: Actor, hasher: Hasher, user: User,
                   password: str) -> User:
    user.password_hash = hasher.hash(_check_password(password, user.email))
    user.failed_logins = 0
    user.locked_until = None
    end_all_sessions(session, user)
    record(session, actor, "password_reset", user)
    return user
