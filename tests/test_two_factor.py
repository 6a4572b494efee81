"""Two-factor sign-in (TOTP): enrolment from one's settings, the second step of a password
sign-in, single-use codes and recovery codes, the admins' requirement and reset, limits."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import func, select

from interviewloop import create_app
from interviewloop.audit.models import AuditEvent
from interviewloop.audit.service import SYSTEM, Actor
from interviewloop.auth import service, twofactor
from interviewloop.auth.models import LoginSession, LoginThrottle, TwoFactor, TwoFactorChallenge
from interviewloop.auth.throttle import LoginPolicy
from interviewloop.config import load_config
from interviewloop.db import utcnow
from tests.conftest import PASSWORD, TEST_HASHER, app_config, csrf_token, log_in

BOX = twofactor.SecretBox("test-secret")  # the test app's SECRET_KEY (app_config)
POLICY = LoginPolicy()
SECRET_ON_PAGE = re.compile(r'<code class="secret" id="totp-secret">([A-Z2-7 ]+)</code>')


def code_at(secret: str, at, steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(at, counter_offset=steps)


def enrol(db_session, user, at=None) -> tuple[str, list[str]]:
    """Two-factor on for ``user`` through the service: (its secret, its recovery codes)."""
    at = at or utcnow()
    twofactor.begin_enrolment(db_session, BOX, user, now=at)
    secret = twofactor.enrolment(db_session, BOX, user).secret
    codes = twofactor.confirm(db_session, Actor(user), BOX, user, code_at(secret, at), now=at)
    db_session.flush()
    return secret, codes


def actions(db_session, action: str) -> list[dict]:
    return [e.detail for e in db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))]


def challenge(db_session, user, at=None) -> str:
    return twofactor.start_challenge(db_session, user, next_path="/", now=at)


def password_then_challenge(db_session, user, at, ip="198.51.100.7") -> str:
    """The first step as the login page takes it: the right password, then a challenge."""
    with pytest.raises(service.SecondFactorNeeded):  # no session from a password alone
        service.log_in(db_session, TEST_HASHER, POLICY, user.email, PASSWORD, ip=ip, now=at)
    return challenge(db_session, user, at)


def finish(db_session, token, code, at=None, ip="198.51.100.7"):
    return twofactor.finish_sign_in(db_session, BOX, POLICY, token, code, ip=ip, now=at)


def give_code(client, code: str):
    return client.post("/login/two-factor", data={"csrf_token": csrf_token(client), "code": code})


def test_enrol_from_the_page_then_sign_in_with_a_code_once(app, db_session, make_user, login):
    user = make_user()
    client = login(user)
    assert client.post("/account/two-factor/enrol",
                       data={"csrf_token": csrf_token(client)}).status_code == 302
    page = client.get("/account/two-factor")
    html = page.get_data(as_text=True)
    # The QR code is inline SVG with no style or script (the strict CSP holds), beside the
    # secret and the otpauth:// address for those who cannot scan.
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert 'class="qr"' in svg and "style" not in svg and "script" not in svg
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    secret = SECRET_ON_PAGE.search(html).group(1).replace(" ", "")
    assert f"secret={secret}" in html and "otpauth://totp/" in html
    # Nothing changed at sign-in yet: the secret is not active until confirmed.
    assert log_in(app.test_client(), user.email).headers["Location"] == "/"

    confirmed = client.post("/account/two-factor/confirm", data={
        "csrf_token": csrf_token(client), "code": code_at(secret, utcnow())})
    assert confirmed.status_code == 200
    shown = re.findall(r"<li><code>([a-z2-7-]{19})</code></li>", confirmed.get_data(as_text=True))
    assert len(set(shown)) == twofactor.RECOVERY_CODES
    # Stored sealed: neither the secret nor the codes are in the database as given.
    row = db_session.get(TwoFactor, user.id)
    assert secret not in row.secret_sealed and BOX.open(row.secret_sealed) == secret
    assert twofactor.SecretBox("another-key").open(row.secret_sealed) is None
    assert len(actions(db_session, "two_factor_enabled")) == 1

    other = app.test_client()
    asked = log_in(other, user.email)
    assert asked.status_code == 302 and asked.headers["Location"] == "/login/two-factor"
    assert other.get("/").status_code == 302  # the half-signed-in state grants nothing else
    next_step = code_at(secret, utcnow(), steps=1)  # ±1 step; the current one was used above
    assert give_code(other, next_step).headers["Location"] == "/"
    assert other.get("/").status_code == 200
    assert actions(db_session, "login")[-1]["second_factor"] == "totp"

    # The same code again, on a new sign-in: refused, and the typed code is kept.
    third = app.test_client()
    log_in(third, user.email)
    replayed = give_code(third, next_step)
    assert replayed.status_code == 422
    assert f'value="{next_step}"' in replayed.get_data(as_text=True)
    assert "used already" in replayed.get_data(as_text=True)
    assert third.get("/").status_code == 302


def test_a_wrong_code_is_refused_and_counted_like_a_wrong_password(db_session, make_user):
    user = make_user()
    secret, _codes = enrol(db_session, user, utcnow() - timedelta(minutes=2))
    at = utcnow()
    token = password_then_challenge(db_session, user, at)
    wrong = f"{(int(code_at(secret, at)) + 1) % 1_000_000:06d}"
    with pytest.raises(twofactor.CodeRefused):
        finish(db_session, token, wrong, at)
    assert actions(db_session, "login_failed")[-1]["reason"] == "two_factor_code"
    # Each code is counted before it is checked; with the password's guess (a right password
    # gives its guess back only once the code comes) the address soon waits.
    for _ in range(POLICY.max_failures - 2):
        with pytest.raises(twofactor.CodeRefused):
            finish(db_session, token, wrong, at)
    with pytest.raises(twofactor.ChallengeExpired):  # waiting now: even a right code
        finish(db_session, token, code_at(secret, at, steps=1), at)
    assert db_session.scalar(select(func.count()).select_from(TwoFactorChallenge)) == 0
    assert actions(db_session, "login_failed")[-1]["reason"] == "throttled"
    db_session.refresh(user)  # shown to the owner at their next sign-in: 4 codes, 1 waited
    assert user.failed_logins == POLICY.max_failures


def test_a_right_code_gives_the_guesses_back_and_opens_the_session(db_session, make_user):
    user = make_user()
    secret, _codes = enrol(db_session, user)
    at = utcnow()
    token = password_then_challenge(db_session, user, at)
    assert db_session.scalar(select(LoginThrottle.failures)) == 1
    signed_in, next_path = finish(db_session, token, code_at(secret, at, steps=1), at)
    assert signed_in.login_token and next_path == "/"
    assert db_session.scalar(select(LoginThrottle.failures)) == 0


def test_a_recovery_code_signs_in_once(db_session, make_user):
    user = make_user()
    _secret, codes = enrol(db_session, user)
    at = utcnow()
    signed_in, _next = finish(db_session, challenge(db_session, user, at), codes[3].upper(), at)
    assert signed_in.login_token is not None
    assert actions(db_session, "two_factor_recovery_code_used") == [
        {"left": twofactor.RECOVERY_CODES - 1}]
    assert actions(db_session, "login")[-1]["second_factor"] == "recovery_code"
    with pytest.raises(twofactor.CodeRefused):
        finish(db_session, challenge(db_session, user, at), codes[3], at)


def test_an_expired_or_unknown_challenge_is_refused(db_session, make_user):
    user = make_user()
    secret, _codes = enrol(db_session, user)
    now = utcnow()
    old = challenge(db_session, user, now - timedelta(minutes=twofactor.CHALLENGE_MINUTES, seconds=1))
    for token in (old, None, "not-a-token", "x" * 43):
        with pytest.raises(twofactor.ChallengeExpired):
            finish(db_session, token, code_at(secret, now, steps=1), now)
    assert twofactor.forget_expired_challenges(db_session, now) == 1


def test_single_sign_on_is_not_asked_for_a_code(db_session, make_user):
    from interviewloop.sso import service as sso

    user = make_user()
    enrol(db_session, user)
    signed_in = sso.sign_in(db_session, TEST_HASHER, sso.SignInPolicy(),
                            {"sub": "s1", "email": user.email, "email_verified": True}, ip=None)
    assert signed_in.login_token is not None


def test_new_recovery_codes_and_turning_off(app, db_session, make_user, login):
    user = make_user()
    secret, old_codes = enrol(db_session, user, utcnow() - timedelta(minutes=2))
    client = login_with_code(app, user, secret)
    made = client.post("/account/two-factor/recovery-codes",
                       data={"csrf_token": csrf_token(client), "code": old_codes[0]})
    new_codes = re.findall(r"<li><code>([a-z2-7-]{19})</code></li>", made.get_data(as_text=True))
    assert made.status_code == 200 and len(new_codes) == twofactor.RECOVERY_CODES
    # Off needs the password and a code: a wrong password keeps what was typed.
    refused = client.post("/account/two-factor/disable", data={
        "csrf_token": csrf_token(client), "off-current_password": "not-my-password",
        "off-code": old_codes[1]})
    assert refused.status_code == 422
    assert "That is not your current password." in refused.get_data(as_text=True)
    assert refused.get_data(as_text=True).count(f'value="{old_codes[1]}"') == 1  # its own form
    off = client.post("/account/two-factor/disable", data={
        "csrf_token": csrf_token(client), "off-current_password": PASSWORD, "off-code": old_codes[1]})
    assert off.status_code == 422  # the old codes went with the new ones
    off = client.post("/account/two-factor/disable", data={
        "csrf_token": csrf_token(client), "off-current_password": PASSWORD, "off-code": new_codes[0]})
    assert off.status_code == 302
    assert not twofactor.is_on(db_session, user)
    assert len(actions(db_session, "two_factor_disabled")) == 1
    assert log_in(app.test_client(), user.email).headers["Location"] == "/"


def login_with_code(app, user, secret):
    client = app.test_client()
    log_in(client, user.email)
    assert give_code(client, code_at(secret, utcnow())).status_code == 302
    return client


def test_an_admin_without_two_factor_is_sent_to_set_it_up_first(connection, db_session, make_user):
    app = create_app(app_config(DB_BIND=connection, DATABASE_URL="sqlite://",
                                TWO_FACTOR_REQUIRED_FOR_ADMINS=True))
    admin, interviewer = make_user("admin"), make_user("interviewer")
    assert log_in(app.test_client(), interviewer.email).headers["Location"] == "/"
    client = app.test_client()
    assert log_in(client, admin.email).headers["Location"] == "/account/two-factor"
    for path in ("/", "/admin/users", "/account"):
        assert client.get(path).headers["Location"] == "/account/two-factor", path
    client.post("/account/two-factor/enrol", data={"csrf_token": setup_csrf(client)})
    secret = SECRET_ON_PAGE.search(client.get("/account/two-factor").get_data(as_text=True)).group(1)
    confirmed = client.post("/account/two-factor/confirm", data={
        "csrf_token": setup_csrf(client), "code": code_at(secret.replace(" ", ""), utcnow())})
    assert confirmed.status_code == 200
    assert client.get("/admin/users").status_code == 200


def setup_csrf(client) -> str:
    """The CSRF token from the one page an admin who must set up two-factor may see."""
    page = client.get("/account/two-factor").get_data(as_text=True)
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)


def test_the_admin_requirement_is_on_in_production_only_by_default(tmp_path):
    def required(env: str) -> bool:
        config = load_config({"INTERVIEWLOOP_ENV": env, "SECRET_KEY": "x"},
                             instance_path=str(tmp_path))
        return config["TWO_FACTOR_REQUIRED_FOR_ADMINS"]

    assert [required(env) for env in ("production", "development", "test")] == [True, False, False]


@pytest.mark.parametrize("limit", ["RATELIMIT_TWO_FACTOR", "RATELIMIT_TWO_FACTOR_ACCOUNT"])
def test_codes_are_rate_limited(connection, db_session, make_user, limit):
    app = create_app(app_config(DB_BIND=connection, DATABASE_URL="sqlite://", **{limit: "2 per minute"}))
    user = make_user()
    enrol(db_session, user)
    statuses = []
    for n in range(3):
        client = app.test_client()  # the account limit holds across addresses
        client.environ_base["REMOTE_ADDR"] = "10.0.0.1" if limit == "RATELIMIT_TWO_FACTOR" else f"10.0.1.{n}"
        log_in(client, user.email)
        statuses.append(give_code(client, "000000").status_code)
    assert statuses == [422, 422, 429]


def test_an_admin_resets_someones_two_factor(app, db_session, make_user, login):
    admin, user = make_user("admin"), make_user()
    secret, _codes = enrol(db_session, user, utcnow() - timedelta(minutes=2))
    phone = login_with_code(app, user, secret)
    client = login(admin)
    page = client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "Reset two-factor" in page
    reset = client.post(f"/admin/users/{user.id}/two-factor/reset",
                        data={"csrf_token": csrf_token(client)})
    assert reset.status_code == 302
    assert not twofactor.is_on(db_session, user) and phone.get("/").status_code == 302
    assert db_session.scalar(select(func.count()).select_from(LoginSession).where(
        LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))) == 0
    assert len(actions(db_session, "two_factor_reset")) == 1
    assert log_in(app.test_client(), user.email).headers["Location"] == "/"
    again = client.post(f"/admin/users/{user.id}/two-factor/reset",
                        data={"csrf_token": csrf_token(client)})
    assert again.status_code == 409


def test_a_confirmation_with_a_wrong_code_keeps_it_off(db_session, make_user):
    user = make_user()
    twofactor.begin_enrolment(db_session, BOX, user)
    with pytest.raises(twofactor.CodeRefused):
        twofactor.confirm(db_session, SYSTEM, BOX, user, "000000" if code_at(
            twofactor.enrolment(db_session, BOX, user).secret, utcnow()) != "000000" else "111111")
    assert not twofactor.is_on(db_session, user)
    assert twofactor.enrolment(db_session, BOX, user) is not None
