from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from interviewloop import limits
from interviewloop.constraints import explain
from interviewloop.db import Base, str_enum, utcnow
from interviewloop.enums import Role
from interviewloop.timezones import WorkingHours

DEFAULT_HOURS = WorkingHours()  # 09:00 to 17:00, Monday to Friday


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        Index("ix_users_updated_at", "updated_at", "id"),  # the API's list order (page_of)
        # Emails are stored lower-cased so that the UNIQUE constraint is case-insensitive.
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        CheckConstraint(limits.EMAIL.length_check("email"), name="email_length"),
        CheckConstraint(limits.PERSON_NAME.length_check("name"), name="name_length"),
        CheckConstraint("failed_logins >= 0", name="failed_logins_nonnegative"),
        CheckConstraint(f"length(job_title) <= {limits.JOB_TITLE}", name="job_title_length"),
        CheckConstraint("weekly_interview_cap IS NULL OR "
                        + limits.WEEKLY_INTERVIEW_CAP.check("weekly_interview_cap"),
                        name="weekly_cap_range"),
        # Working hours (in the person's own time zone): a span within one day, on at least
        # one weekday.
        CheckConstraint(limits.WORK_MINUTE.check("work_starts"), name="work_starts_range"),
        CheckConstraint(limits.WORK_MINUTE.check("work_ends"), name="work_ends_range"),
        CheckConstraint("work_ends > work_starts", name="work_ends_after_start"),
        CheckConstraint(limits.WORK_DAYS.check("work_days"), name="work_days_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(Text)
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    # Shown, with the name, to the candidates this person interviews (their itinerary).
    job_title: Mapped[str] = mapped_column(String(120), default="", server_default="")
    is_active: Mapped[bool] = mapped_column(default=True, server_default=true())
    # Refused sign-ins on this account since its last successful one, and the latest of
    # them: shown to the owner when they next sign in (see LoginThrottle for the waits).
    failed_logins: Mapped[int] = mapped_column(default=0, server_default="0")
    last_failed_login_at: Mapped[datetime | None]
    last_failed_login_ip: Mapped[str | None] = mapped_column(String(45))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Any change to the row, and to its roles (auth.service.update_user touches it).
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    deactivated_at: Mapped[datetime | None]
    # Scheduling: more interviews than this in a week asks the recruiter to confirm.
    weekly_interview_cap: Mapped[int | None]
    # Working hours, in their own time zone: proposed interview times fall within them.
    # Minutes after local midnight; the weekdays as bits, Monday the lowest (31: Mon-Fri).
    work_starts: Mapped[int] = mapped_column(default=DEFAULT_HOURS.starts,
                                             server_default=str(DEFAULT_HOURS.starts))
    work_ends: Mapped[int] = mapped_column(default=DEFAULT_HOURS.ends,
                                           server_default=str(DEFAULT_HOURS.ends))
    work_days: Mapped[int] = mapped_column(default=DEFAULT_HOURS.days,
                                           server_default=str(DEFAULT_HOURS.days))
    # The private calendar feed's secret, as its SHA-256 (hex): the secret itself is shown
    # once, when it is made, and kept nowhere. Revoking it (None) makes the old URL a 404.
    calendar_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Break-glass: may still sign in with a password when PASSWORD_LOGIN=off (for when the
    # identity provider is down). Set by an admin; audited.
    break_glass: Mapped[bool] = mapped_column(default=False, server_default=false())

    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin",
        order_by="UserRole.role",
    )

    # Flask-Login: the id kept in the cookie is the login session's token, not the
    # user id, so that ending the LoginSession row ends the cookie (see auth.sessions).
    login_token = cast("str | None", None)  # not a column: no annotation, so not mapped
    # Set by a successful sign-in: the refused ones since the previous (not mapped either).
    missed_sign_ins = cast("MissedSignIns | None", None)

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(r.role for r in self.role_rows)

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def working_hours(self) -> WorkingHours:
        return WorkingHours(self.work_starts, self.work_ends, self.work_days)

    @property
    def has_calendar_feed(self) -> bool:
        return self.calendar_token_hash is not None

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str | None:
        return self.login_token

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class MissedSignIns:
    """Refused sign-ins on an account since its last successful one."""

    def __init__(self, count: int, latest_at: datetime | None, latest_ip: str | None) -> None:
        self.count, self.latest_at, self.latest_ip = count, latest_at, latest_ip


class UserRole(Base):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"), primary_key=True)

    user: Mapped[User] = relationship(back_populates="role_rows", lazy="raise")


class LoginSession(Base):
    """A server-side record of one login; the cookie only carries its random token."""

    __tablename__ = "login_sessions"
    __table_args__ = (CheckConstraint("length(token) = 43", name="token_length"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(43), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(200))

    user: Mapped[User] = relationship(lazy="raise")


class LoginThrottle(Base):
    """One account's failed sign-ins from one client address. After LOGIN_MAX_FAILURES of
    them that address waits, twice as long after each further failure; other addresses, the
    owner's among them, do not. The account itself is never locked."""

    __tablename__ = "login_throttles"
    __table_args__ = (
        UniqueConstraint("user_id", "ip"),
        CheckConstraint("failures >= 0", name="failures_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    ip: Mapped[str] = mapped_column(String(45))
    # Counted before the password is checked (a success sets it back to 0): see
    # auth.service.reserve_guess.
    failures: Mapped[int] = mapped_column(default=0, server_default="0")
    last_failure_at: Mapped[datetime | None]
    wait_until: Mapped[datetime | None]


class TwoFactor(Base):
    """A person's authenticator app (TOTP, RFC 6238): the shared secret, sealed at rest with a
    key derived from SECRET_KEY (auth.twofactor.SecretBox). It asks for codes at sign-in only
    once confirmed with a code (``confirmed_at``); until then it is an enrolment in progress.
    ``last_step`` is the time step of the last code accepted: a code of that step or an
    earlier one is refused, so a code is good once."""

    __tablename__ = "two_factor"
    __table_args__ = (CheckConstraint("last_step IS NULL OR last_step >= 0",
                                      name="last_step_nonnegative"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    secret_sealed: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    last_step: Mapped[int | None]


class RecoveryCode(Base):
    """One of a person's single-use recovery codes (for a lost phone), as its SHA-256: the
    codes are shown once, when made, and are 80 random bits each (auth.twofactor)."""

    __tablename__ = "two_factor_recovery_codes"
    __table_args__ = (
        UniqueConstraint("user_id", "code_hash"),
        CheckConstraint("length(code_hash) = 64", name="code_hash_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]


class TwoFactorChallenge(Base):
    """A sign-in whose password was right and whose code is still to come: the cookie holds
    only a random token for it, this row its hash. It lets its holder do one thing, give the
    code, for a few minutes (auth.twofactor.CHALLENGE_MINUTES), and is deleted when used."""

    __tablename__ = "two_factor_challenges"
    __table_args__ = (CheckConstraint("length(token_hash) = 64", name="token_hash_length"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    next_path: Mapped[str] = mapped_column(String(2000))

    user: Mapped[User] = relationship(lazy="raise")


# What each constraint means to a person when it fires (interviewloop/constraints.py).
AGAIN = "A one-off value clashed by chance; try again."
explain("uq_users_email", "An account with this email address already exists (it may have been "
        "created a moment ago).")
explain("ck_users_email_lowercase", "Email addresses are kept in lower case.", status=422)
explain("pk_user_roles", "That person already has this role.")
explain("uq_users_calendar_token_hash", AGAIN)
explain("uq_login_sessions_token", AGAIN)
explain("uq_login_throttles_user_id_ip", AGAIN)
explain("uq_two_factor_recovery_codes_user_id_code_hash", AGAIN)
explain("uq_two_factor_challenges_token_hash", AGAIN)
WORK_HOURS = "Working hours are a span within one day (00:00 to 24:00), ending after they start."
explain("ck_users_work_starts_range", WORK_HOURS, status=422)
explain("ck_users_work_ends_range", WORK_HOURS, status=422)
explain("ck_users_work_ends_after_start", WORK_HOURS, status=422)
explain("ck_users_work_days_range", "Choose at least one working day.", status=422)
