"""Two-factor sign-in with an authenticator app (TOTP, RFC 6238). No Flask here.

* **Enrolment**: a fresh secret is kept, sealed, as an enrolment in progress; the person
  scans it (QR code, or the secret typed in) and confirms with a current code. Only then is
  two-factor on, and ten recovery codes are made, shown once and kept as their SHA-256.
* **Sign-in**: a right password on an account with two-factor on opens no login session
  (auth.service.SecondFactorNeeded); :func:`start_challenge` keeps a short-lived challenge
  on the server instead, and :func:`finish_sign_in` opens the session once a code is given.
* **Codes** are six digits, accepted one 30-second step either side of now, and each time
  step once: the last step used is stored and an equal or earlier one is refused. A
  recovery code is good once. Both checks are a conditional UPDATE, so two workers given
  the same code at the same moment accept it once.
* **Guesses**: a code is counted by the same (account, address) throttle as a password,
  before it is checked (auth.throttle); wrong codes make that address wait like wrong
  passwords, and are shown to the owner at their next sign-in.

The secret at rest is sealed with Fernet (AES-128-CBC and HMAC-SHA256) under a key derived
from SECRET_KEY by HKDF: a copy of the database alone mints no codes. Recovery codes do
not depend on SECRET_KEY, so they still work after it changes.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from interviewloop import tokens
from interviewloop.audit.service import Actor, record
from interviewloop.auth import service, throttle
from interviewloop.auth.models import RecoveryCode, TwoFactor, TwoFactorChallenge, User
from interviewloop.auth.passwords import Hasher
from interviewloop.auth.throttle import LoginPolicy
from interviewloop.db import utcnow
from interviewloop.errors import Conflict, DomainError

ISSUER = "interviewloop"  # what the authenticator app lists the account under
CHALLENGE_MINUTES = 5  # the second step of a sign-in must come within this long
RECOVERY_CODES = 10
RECOVERY_CODE_BYTES = 10  # 80 random bits: 16 base32 characters, shown as 4 groups of 4
WINDOW = 1  # time steps either side of now that a code may come from


class CodeRefused(DomainError):
    status_code = 422

    def __init__(self, message: str = "That code is not right, or it was used already. "
                 "Enter the code your app shows now.") -> None:
        super().__init__(message)
        self.field = "code"


class ChallengeExpired(DomainError):
    status_code = 401

    def __init__(self) -> None:
        super().__init__("Your sign-in expired or there were too many attempts from here; "
                         "sign in with your password again.")


class SecretBox:
    """Seals TOTP secrets at rest: Fernet under a key derived from SECRET_KEY (HKDF-SHA256,
    its own ``info``, so the key is used for nothing else)."""

    def __init__(self, secret_key: str | bytes) -> None:
        material = secret_key.encode() if isinstance(secret_key, str) else secret_key
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                   info=b"interviewloop.two-factor-secret").derive(material)
        self._fernet = Fernet(base64.urlsafe_b64encode(key))

    def seal(self, text: str) -> str:
        return self._fernet.encrypt(text.encode()).decode()

    def open(self, sealed: str) -> str | None:
        """The secret, or None if it was sealed under another SECRET_KEY (or altered)."""
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken:
            return None


@dataclass(frozen=True)
class Enrolment:
    """What the person needs to add the account to their app: a QR code (inline SVG), the
    otpauth:// address it encodes, and the secret to type in by hand."""

    secret: str
    uri: str
    qr_svg: str

    @property
    def secret_groups(self) -> str:
        return " ".join(self.secret[i:i + 4] for i in range(0, len(self.secret), 4))


# --- state ------------------------------------------------------------------------------

def factor_of(session: Session, user: User) -> TwoFactor | None:
    return session.get(TwoFactor, user.id)


def is_on(session: Session, user: User) -> bool:
    return service.two_factor_on(session, user)


def recovery_codes_left(session: Session, user: User) -> int:
    return session.scalar(select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) or 0


def must_enrol(session: Session, user: User, *, required_for_admins: bool) -> bool:
    """An admin without two-factor, where TWO_FACTOR_REQUIRED_FOR_ADMINS is on."""
    return required_for_admins and user.is_admin and not is_on(session, user)


# --- enrolment ----------------------------------------------------------------------------

def begin_enrolment(session: Session, box: SecretBox, user: User,
                    now: datetime | None = None) -> None:
    """A fresh secret for the person to scan (replacing an enrolment not yet confirmed);
    nothing changes at sign-in until it is confirmed."""
    factor = factor_of(session, user)
    if factor is not None and factor.confirmed_at is not None:
        raise Conflict("Two-factor is already on. To move it to a new phone, turn it off, "
                       "then set it up again.")
    sealed = box.seal(pyotp.random_base32())  # 160 bits, as RFC 4226 recommends
    if factor is None:
        session.add(TwoFactor(user_id=user.id, secret_sealed=sealed, created_at=now or utcnow()))
    else:
        factor.secret_sealed, factor.created_at, factor.last_step = sealed, now or utcnow(), None
    session.flush()


def enrolment(session: Session, box: SecretBox, user: User) -> Enrolment | None:
    """The enrolment in progress, to show; None if there is none (or it is confirmed)."""
    factor = factor_of(session, user)
    if factor is None or factor.confirmed_at is not None:
        return None
    secret = box.open(factor.secret_sealed)
    if secret is None:
        return None
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    # Inline SVG: attributes only (no style, no script), so it passes the strict CSP.
    svg = segno.make(uri, error="m").svg_inline(
        scale=4, border=4, dark="#000", light="#fff", svgclass="qr",
        title="QR code for your authenticator app")
    return Enrolment(secret=secret, uri=uri, qr_svg=svg)


def confirm(session: Session, actor: Actor, box: SecretBox, user: User, code: str,
            now: datetime | None = None) -> list[str]:
    """Turn two-factor on with a current code from the newly set-up app; returns the
    recovery codes, to be shown this once."""
    now = now or utcnow()
    factor = factor_of(session, user)
    if factor is None:
        raise Conflict("Start setting up two-factor first.")
    if factor.confirmed_at is not None:
        raise Conflict("Two-factor is already on.")
    if not _take_totp(session, box, factor, code, now):
        raise CodeRefused("That code is not right. Check that your phone's clock is right and "
                          "enter the code the app shows now.")
    factor.confirmed_at = now
    codes = _new_recovery_codes(session, user, now)
    record(session, actor, "two_factor_enabled", user)
    return codes


def regenerate_recovery_codes(session: Session, actor: Actor, box: SecretBox, user: User,
                              code: str, now: datetime | None = None) -> list[str]:
    """New recovery codes for old ones (a current code needed); the old ones stop working."""
    now = now or utcnow()
    _check_code(session, box, _confirmed(session, user), code, now, actor)
    codes = _new_recovery_codes(session, user, now)
    record(session, actor, "two_factor_recovery_codes_regenerated", user)
    return codes


def disable(session: Session, actor: Actor, hasher: Hasher, box: SecretBox, user: User, *,
            password: str, code: str, now: datetime | None = None) -> None:
    """The person turns two-factor off: their password and a code (or a recovery code)."""
    now = now or utcnow()
    factor = _confirmed(session, user)
    if not hasher.verify(user.password_hash, password):
        raise service.InvalidUser("That is not your current password.", "current_password")
    _check_code(session, box, factor, code, now, actor)
    _remove(session, user)
    record(session, actor, "two_factor_disabled", user)


def reset(session: Session, actor: Actor, user: User) -> None:
    """An admin turns someone's two-factor off (a lost phone): their sessions end too, and
    they sign in with their password alone and may set it up again."""
    if factor_of(session, user) is None:
        raise Conflict("This person has no two-factor to reset.")
    _remove(session, user)
    service.end_all_sessions(session, user)
    record(session, actor, "two_factor_reset", user)


def _confirmed(session: Session, user: User) -> TwoFactor:
    factor = factor_of(session, user)
    if factor is None or factor.confirmed_at is None:
        raise Conflict("Two-factor is not on.")
    return factor


def _remove(session: Session, user: User) -> None:
    for model in (RecoveryCode, TwoFactorChallenge, TwoFactor):
        session.execute(delete(model).where(model.user_id == user.id)
                        .execution_options(synchronize_session=False))
    session.expire_all()


def _new_recovery_codes(session: Session, user: User, now: datetime) -> list[str]:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id)
                    .execution_options(synchronize_session=False))
    codes = [base64.b32encode(secrets.token_bytes(RECOVERY_CODE_BYTES)).decode().lower()
             for _ in range(RECOVERY_CODES)]
    session.add_all(RecoveryCode(user_id=user.id, code_hash=tokens.secret_hash(c), created_at=now)
                    for c in codes)
    session.flush()
    return ["-".join(c[i:i + 4] for i in range(0, len(c), 4)) for c in codes]


# --- codes --------------------------------------------------------------------------------

def _clean(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch not in " -\t")[:64]


def _take_totp(session: Session, box: SecretBox, factor: TwoFactor, code: str,
               now: datetime) -> bool:
    """Whether ``code`` is the app's code for a step within WINDOW of now not used before;
    that step is then marked used (atomically: only one of two parallel uses wins)."""
    code = _clean(code)
    secret = box.open(factor.secret_sealed)
    if secret is None or len(code) != 6 or not code.isdigit():
        return False
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in (current, current - WINDOW, current + WINDOW):
        if pyotp.utils.strings_equal(totp.generate_otp(step), code):
            taken = session.execute(
                update(TwoFactor)
                .where(TwoFactor.user_id == factor.user_id,
                       or_(TwoFactor.last_step.is_(None), TwoFactor.last_step < step))
                .values(last_step=step).execution_options(synchronize_session=False))
            return int(taken.rowcount) == 1  # type: ignore[attr-defined]
    return False


def _take_recovery_code(session: Session, user_id: int, code: str, now: datetime) -> bool:
    code = _clean(code)
    if len(code) != RECOVERY_CODE_BYTES * 8 // 5:
        return False
    taken = session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.user_id == user_id, RecoveryCode.code_hash == tokens.secret_hash(code),
               RecoveryCode.used_at.is_(None))
        .values(used_at=now).execution_options(synchronize_session=False))
    return int(taken.rowcount) == 1  # type: ignore[attr-defined]


def _check_code(session: Session, box: SecretBox, factor: TwoFactor, code: str,
                now: datetime, actor: Actor) -> str:
    """Which kind of code was given (``totp`` or ``recovery_code``), each good once; a
    used recovery code is audited. CodeRefused otherwise."""
    if _take_totp(session, box, factor, code, now):
        return "totp"
    if _take_recovery_code(session, factor.user_id, code, now):
        user = session.get(User, factor.user_id)
        record(session, actor, "two_factor_recovery_code_used", user,
               left=recovery_codes_left(session, user) if user else 0)
        return "recovery_code"
    raise CodeRefused


# --- the second step of a sign-in ------------------------------------------------------------

def start_challenge(session: Session, user: User, *, next_path: str,
                    now: datetime | None = None) -> str:
    """After a right password: a challenge for the code, valid CHALLENGE_MINUTES. Returns
    its token (for the cookie session; only its hash is stored)."""
    token, digest = tokens.new_secret()
    session.add(TwoFactorChallenge(token_hash=digest, user_id=user.id,
                                   created_at=now or utcnow(), next_path=next_path[:2000]))
    session.flush()
    return token


def challenge_for(session: Session, token: str | None,
                  now: datetime | None = None) -> TwoFactorChallenge | None:
    """The live challenge behind ``token`` (not expired, its account active), or None."""
    if not token or not tokens.looks_like_secret(token):
        return None
    oldest = (now or utcnow()) - timedelta(minutes=CHALLENGE_MINUTES)
    return session.scalar(
        select(TwoFactorChallenge).join(TwoFactorChallenge.user)
        .where(TwoFactorChallenge.token_hash == tokens.secret_hash(token),
               TwoFactorChallenge.created_at > oldest, User.is_active.is_(True)))


def finish_sign_in(session: Session, box: SecretBox, policy: LoginPolicy, token: str | None,
                   code: str, *, ip: str | None, user_agent: str | None = None,
                   now: datetime | None = None) -> tuple[User, str]:
    """The code for a challenge: opens the login session (returns the user, as
    auth.service.log_in does, and where to go next). ChallengeExpired if the challenge is
    gone, expired, or its address must wait; CodeRefused for a wrong or used code (counted
    as a failed sign-in)."""
    now = now or utcnow()
    challenge = challenge_for(session, token, now)
    if challenge is None:
        raise ChallengeExpired
    user = session.get(User, challenge.user_id)
    assert user is not None  # the FK cascades: a challenge has its user
    address, actor = ip or "unknown", Actor(user=None, ip=ip)
    if not throttle.reserve_guess(session, user, address, policy, now):
        session.delete(challenge)
        throttle.note_refused(session, user, address, now)
        record(session, actor, "login_failed", user, reason="throttled", step="two_factor")
        raise ChallengeExpired
    factor = factor_of(session, user)
    try:
        if factor is None or factor.confirmed_at is None:  # reset since the password step
            raise CodeRefused
        method = _check_code(session, box, factor, code, now, actor)
    except CodeRefused:
        service.refuse_guess(session, user, address, now, actor, reason="two_factor_code")
        raise
    next_path = challenge.next_path
    session.delete(challenge)
    service.open_login_session(session, user, ip=ip, now=now, user_agent=user_agent,
                               method="password", second_factor=method)
    return user, next_path


def forget_expired_challenges(session: Session, now: datetime) -> int:
    """Delete challenges past their time (the worker, hourly)."""
    result = session.execute(
        delete(TwoFactorChallenge)
        .where(TwoFactorChallenge.created_at <= now - timedelta(minutes=CHALLENGE_MINUTES))
        .execution_options(synchronize_session=False))
    return int(result.rowcount)  # type: ignore[attr-defined]
