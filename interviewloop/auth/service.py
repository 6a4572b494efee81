"""Accounts: login, login sessions, and the admin's user changes. No Flask here."""

from __future__ import annotations

import secrets
import zoneinfo
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session, joinedload

from interviewloop import limits, tokens
from interviewloop.audit.service import Actor, record
from interviewloop.auth import throttle
from interviewloop.auth.models import LoginSession, TwoFactor, User, UserRole
from interviewloop.auth.passwords import Hasher, password_problem
from interviewloop.auth.throttle import LoginPolicy
from interviewloop.db import utcnow
from interviewloop.enums import Role
from interviewloop.errors import Conflict, DomainError, NotFound
from interviewloop.outbox import service as outbox

LOGIN_REFUSED = ("The email or password is not right, or there have been too many attempts "
                 "from here for a while.")


class LoginRefused(DomainError):
    status_code = 401

    def __init__(self) -> None:
        super().__init__(LOGIN_REFUSED)


class SecondFactorNeeded(Exception):
    """The password was right, and the account has two-factor on: no login session yet. The
    guess stays counted until the code comes (auth.twofactor.finish_sign_in)."""

    def __init__(self, user: User) -> None:
        super().__init__("a code from the authenticator app is needed")
        self.user = user


class InvalidUser(DomainError):
    """A user change was refused; ``field`` names the input at fault (for forms)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


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
    # Roles joined in: the default selectin load asks again for every 500 users.
    return list(session.scalars(select(User).options(joinedload(User.role_rows))
                                .order_by(User.is_active.desc(), User.name)).unique())


# --- login -------------------------------------------------------------------------------

def log_in(session: Session, hasher: Hasher, policy: LoginPolicy, email: str, password: str,
           *, ip: str | None, now: datetime | None = None, user_agent: str | None = None,
           password_login: bool = True) -> User:
    """Check the credentials and open a login session; raise LoginRefused otherwise.

    An address that keeps failing on an account waits (auth.throttle): the guess is counted
    in the database before the password is checked, so the limit holds across workers.
    The refused sign-ins since the last success are on ``user.missed_sign_ins``.
    With ``password_login`` off (PASSWORD_LOGIN=off) only break-glass accounts get in.
    An account with two-factor on raises SecondFactorNeeded instead of signing in."""
    now = now or utcnow()
    address = ip or "unknown"
    user = find_user_by_email(session, email)
    actor = Actor(user=None, ip=ip)
    if user is None or not user.is_active:
        hasher.verify(None, password)  # the same work as for an account
        record(session, actor, "login_failed", user, email=normalise_email(email)[:254])
        raise LoginRefused
    if not password_login and not user.break_glass:
        # The same refusal as a wrong password: the page does not tell who is break-glass.
        hasher.verify(None, password)
        record(session, actor, "login_failed", user, reason="password_login_off")
        raise LoginRefused
    if not throttle.reserve_guess(session, user, address, policy, now):
        hasher.verify(None, password)  # a waiting address looks like a wrong password
        throttle.note_refused(session, user, address, now)
        record(session, actor, "login_failed", user, reason="throttled")
        raise LoginRefused
    if not hasher.verify(user.password_hash, password):
        refuse_guess(session, user, address, now, actor, reason="password")
        raise LoginRefused

    if hasher.needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    if two_factor_on(session, user):
        raise SecondFactorNeeded(user)
    return open_login_session(session, user, ip=ip, now=now, user_agent=user_agent,
                              method="password")


def refuse_guess(session: Session, user: User, address: str, now: datetime, actor: Actor, *,
                 reason: str) -> None:
    """A wrong password (or two-factor code): counted for the owner's next sign-in and
    audited; the owner is mailed if the address must now wait."""
    throttle.note_refused(session, user, address, now)
    record(session, actor, "login_failed", user, reason=reason)
    until = throttle.wait_in_force(session, user, address, now)
    if until is not None:
        _tell_owner_of_wait(session, user, address, now, until)


def two_factor_on(session: Session, user: User) -> bool:
    """Whether the account's sign-in with a password needs a code too (auth.twofactor)."""
    return session.scalar(select(TwoFactor.user_id).where(
        TwoFactor.user_id == user.id, TwoFactor.confirmed_at.is_not(None))) is not None


def open_login_session(session: Session, user: User, *, ip: str | None, now: datetime,
                       user_agent: str | None, method: str, **details: object) -> User:
    """The login session of a person whose identity was just proven (a password, or an
    identity provider's ID token), audited as ``login``; every way in ends here."""
    missed = throttle.signed_in(session, user, ip or "unknown")
    login = LoginSession(token=secrets.token_urlsafe(32), user_id=user.id, ip=ip, created_at=now,
                         user_agent=(user_agent or None) and user_agent[:200])
    session.add(login)
    session.flush()
    user.login_token = login.token
    user.missed_sign_ins = missed
    record(session, Actor(user=user, ip=ip), "login", user, method=method,
           refused_since_last=missed.count if missed else 0, **details)
    return user


def _tell_owner_of_wait(session: Session, user: User, address: str, now: datetime,
                        until: datetime) -> None:
    """Mail the owner that an address was made to wait on their account: at most one such
    message per account per hour (the outbox keeps one per key), so an attacker cycling
    addresses cannot flood their inbox."""
    link = outbox.settings(session).base_url.rstrip("/") + "/login"
    outbox.queue_mail(
        session, key=f"sign-in-wait:{user.id}:{now:%Y-%m-%dT%H}", to=user.email,
        subject="Failed sign-ins to your interviewloop account",
        body=(f"Hello {user.name},\n\n"
              f"Wrong passwords or codes were tried for your account from {address}, the latest at "
              f"{now:%Y-%m-%d %H:%M} UTC. That address must now wait until "
              f"{until:%Y-%m-%d %H:%M} UTC before it may try again.\n\n"
              "Your account is not locked: you can still sign in from your own devices at "
              f"{link}\n\nIf this was not you, tell an admin. If it was you and you cannot "
              "wait, an admin can end the wait.\n"))


def sign_in_waits(session: Session, now: datetime | None = None) -> dict[int, int]:
    """Accounts with addresses made to wait now, and how many (for the admin's user list)."""
    return throttle.waiting_addresses(session, now or utcnow())


def end_sign_in_waits(session: Session, actor: Actor, user: User) -> None:
    """An admin ends every wait on this account (the person was locked out and cannot wait)."""
    if not throttle.waiting_addresses(session, utcnow(), user_id=user.id):
        raise Conflict("No address is waiting to sign in to this account.")
    throttle.forget(session, user)
    record(session, actor, "sign_in_waits_ended", user)


def has_signed_in_from(session: Session, email: str, ip: str) -> bool:
    """Whether the account with this email has ever signed in from ``ip``."""
    return session.scalar(
        select(LoginSession.id).join(LoginSession.user)
        .where(User.email == normalise_email(email), LoginSession.ip == ip).limit(1)
    ) is not None


# Read on every request: built once, so a request only binds the token and the cutoff
# (building the statement and its cache key cost more than running it).
_LIVE_LOGIN = (
    select(User)  # the user alone: the login row is only looked at, not loaded
    .join(LoginSession, LoginSession.user_id == User.id)
    .options(joinedload(User.role_rows))
    .where(
        LoginSession.token == bindparam("token"),
        LoginSession.ended_at.is_(None),
        LoginSession.created_at > bindparam("oldest"),
        User.is_active.is_(True),
    )
)


def user_for_token(session: Session, token: str, policy: LoginPolicy,
                   now: datetime | None = None) -> User | None:
    """The active user behind a live login session, or None (ended, expired, deactivated)."""
    now = now or utcnow()
    oldest = now - timedelta(hours=policy.max_session_hours)
    # One statement on every request: the roles are joined in (a user has a few).
    user = session.execute(_LIVE_LOGIN, {"token": token, "oldest": oldest}
                           ).unique().scalar_one_or_none()
    if user is not None:
        user.login_token = token
    return user


def log_out(session: Session, token: str, *, ip: str | None, reason: str = "logout") -> None:
    login = session.scalar(select(LoginSession).where(LoginSession.token == token))
    if login is None or login.ended_at is not None:
        return
    login.ended_at = utcnow()
    record(session, Actor(user=None, ip=ip), reason, login, user_id=login.user_id)


def end_all_sessions(session: Session, user: User, *, keep_token: str | None = None) -> None:
    """End every open session of the user's (but the one whose token is ``keep_token``)."""
    where = [LoginSession.user_id == user.id, LoginSession.ended_at.is_(None)]
    if keep_token is not None:
        where.append(LoginSession.token != keep_token)
    session.execute(update(LoginSession).where(*where).values(ended_at=utcnow())
                    .execution_options(synchronize_session=False))


# --- a person's own password and sessions -----------------------------------------------------

def change_own_password(session: Session, actor: Actor, hasher: Hasher, user: User, *,
                        current: str, new: str, keep_token: str | None) -> None:
    """The person changes their password: the current one is needed, and every other session
    they have open ends (a thief's among them), while this one goes on."""
    if not hasher.verify(user.password_hash, current):
        raise InvalidUser("That is not your current password.", "current_password")
    if hasher.verify(user.password_hash, new):
        raise InvalidUser("The new password is the one you have now.", "password")
    user.password_hash = hasher.hash(_check_password(new, user.email))
    end_all_sessions(session, user, keep_token=keep_token)
    record(session, actor, "password_changed", user)


def open_sessions(session: Session, user: User, policy: LoginPolicy,
                  now: datetime | None = None) -> list[LoginSession]:
    """The person's sessions still open (not ended, not past the absolute lifetime), newest
    first."""
    oldest = (now or utcnow()) - timedelta(hours=policy.max_session_hours)
    return list(session.scalars(
        select(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None),
               LoginSession.created_at > oldest)
        .order_by(LoginSession.created_at.desc(), LoginSession.id.desc())
        .limit(limits.OPEN_SESSIONS_SHOWN)))


def end_own_session(session: Session, actor: Actor, user: User, login_id: int) -> LoginSession:
    """The person ends one of their own sessions (another device); someone else's, or one
    already ended, is not found."""
    login = session.scalar(select(LoginSession).where(
        LoginSession.id == login_id, LoginSession.user_id == user.id,
        LoginSession.ended_at.is_(None)))
    if login is None:
        raise NotFound("No such open session of yours.")
    login.ended_at = utcnow()
    record(session, actor, "session_ended", login, user_id=user.id)
    return login


# --- calendar feed ---------------------------------------------------------------------------

def calendar_token_hash(token: str) -> str:
    """What is stored for a feed secret (interviewloop.tokens: only a digest is kept)."""
    return tokens.secret_hash(token)


def user_for_calendar_token(session: Session, token: str) -> User | None:
    if not tokens.looks_like_secret(token):
        return None
    return session.scalar(select(User).where(User.calendar_token_hash == calendar_token_hash(token),
                                             User.is_active.is_(True)))


def new_calendar_token(session: Session, actor: Actor, user: User) -> str:
    """A fresh secret for the user's calendar feed, returned once (only its hash is kept);
    the old URL stops working."""
    token, user.calendar_token_hash = tokens.new_secret()
    record(session, actor, "calendar_token_created", user)
    return token


def revoke_calendar_token(session: Session, actor: Actor, user: User) -> None:
    user.calendar_token_hash = None
    record(session, actor, "calendar_token_revoked", user)


def update_settings(session: Session, actor: Actor, user: User, *, time_zone: str,
                    weekly_interview_cap: int | None, job_title: str | None = None) -> User:
    """A user's own settings: their time zone, weekly interview cap and (given) job title."""
    time_zone = _check_time_zone(time_zone)
    if job_title is not None:
        user.job_title = _check_job_title(job_title)
    cap = limits.WEEKLY_INTERVIEW_CAP
    if weekly_interview_cap is not None and weekly_interview_cap not in cap:
        raise InvalidUser(f"A weekly cap is from {cap.low} to {cap.high} interviews, or empty "
                          "for none.", "weekly_interview_cap")
    user.time_zone, user.weekly_interview_cap = time_zone, weekly_interview_cap
    record(session, actor, "settings_updated", user, time_zone=time_zone,
           weekly_interview_cap=weekly_interview_cap)
    return user


def set_working_hours(session: Session, actor: Actor, user: User, *, starts: int, ends: int,
                      days: Iterable[int]) -> User:
    """When ``user`` works, in their own time zone (their own change, or an admin's):
    proposed interview times fall within these hours."""
    span = limits.WORK_MINUTE
    if starts not in span:
        raise InvalidUser("Start within the day (00:00 to 24:00).", "work_starts")
    if ends not in span or ends <= starts:
        raise InvalidUser("The working day ends after it starts, by 24:00.", "work_ends")
    weekdays = set(days)
    if not weekdays or not weekdays <= set(range(7)):
        raise InvalidUser("Choose at least one working day.", "work_days")
    before = user.working_hours
    user.work_starts, user.work_ends = starts, ends
    user.work_days = sum(1 << d for d in weekdays)
    if user.working_hours != before:
        record(session, actor, "working_hours_updated", user,
               before=before.describe(), after=user.working_hours.describe())
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


def _check_job_title(job_title: str) -> str:
    """What candidates see beside the person's name: spaces tidied, at most JOB_TITLE."""
    job_title = " ".join(job_title.split())
    if len(job_title) > limits.JOB_TITLE:
        raise InvalidUser(f"A job title is at most {limits.JOB_TITLE} characters.", "job_title")
    return job_title


def create_user(session: Session, actor: Actor, hasher: Hasher, *, email: str, name: str,
                password: str, roles: Iterable[Role | str], time_zone: str = "UTC",
                job_title: str = "") -> User:
    email = normalise_email(email)
    if len(email) not in limits.EMAIL or "@" not in email:
        raise InvalidUser("Enter a valid email address.", "email")
    if find_user_by_email(session, email) is not None:
        raise InvalidUser("A user with this email already exists.", "email")
    user = User(
        email=email,
        name=_check_name(name),
        time_zone=_check_time_zone(time_zone),
        job_title=_check_job_title(job_title),
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
                roles: Iterable[Role | str], time_zone: str, job_title: str | None = None
                ) -> User:
    new_roles = _clean_roles(roles)
    name, time_zone = _check_name(name), _check_time_zone(time_zone)
    job_title = user.job_title if job_title is None else _check_job_title(job_title)
    if user.is_admin and Role.ADMIN not in new_roles and not _other_active_admins(session, user):
        raise Conflict("This is the last active admin; make someone else admin first.")
    before = {"name": user.name, "roles": sorted(user.roles), "time_zone": user.time_zone,
              "job_title": user.job_title}
    user.name, user.time_zone, user.job_title = name, time_zone, job_title
    current = {row.role: row for row in user.role_rows}
    for role, row in current.items():
        if role not in new_roles:
            user.role_rows.remove(row)
    for role in sorted(new_roles - current.keys()):
        user.role_rows.append(UserRole(role=role))
    if new_roles != current.keys():
        user.updated_at = utcnow()  # the roles are the user's too (the API's updated_since)
    session.flush()
    after = {"name": user.name, "roles": sorted(new_roles), "time_zone": user.time_zone,
             "job_title": user.job_title}
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
    throttle.forget(session, user)
    record(session, actor, "user_reactivated", user)
    return user


def set_break_glass(session: Session, actor: Actor, user: User, on: bool) -> User:
    """Allow (or stop) password sign-in for this account while PASSWORD_LOGIN=off."""
    if user.break_glass == on:
        raise Conflict("This account is already break-glass." if on else
                       "This account is not break-glass.")
    user.break_glass = on
    record(session, actor, "break_glass_granted" if on else "break_glass_revoked", user)
    return user


def reset_password(session: Session, actor: Actor, hasher: Hasher, user: User,
                   password: str) -> User:
    user.password_hash = hasher.hash(_check_password(password, user.email))
    throttle.forget(session, user)
    end_all_sessions(session, user)
    record(session, actor, "password_reset", user)
    return user
