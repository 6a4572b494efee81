from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from interviewloop.auth import login as auth_login
from interviewloop.auth import service, twofactor
from interviewloop.auth.forms import LoginForm
from interviewloop.auth.models import MissedSignIns
from interviewloop.db import db
from interviewloop.forms import ActionForm
from interviewloop.ratelimit import client_address, configured, limiter
from interviewloop.security import policy_with_form_action
from interviewloop.timezones import format_local

bp = Blueprint("auth", __name__, template_folder="templates")


def _account_key() -> str:
    # The email as typed (normalised), not the account: an address nobody holds is limited
    # the same way, so the limit does not tell who has an account.
    return "account:" + service.normalise_email(request.form.get("email", ""))[:254]


def _from_known_address() -> bool:
    """The account has signed in from this address before: its owner is not slowed by
    strangers trying its password elsewhere."""
    return service.has_signed_in_from(db.session, request.form.get("email", ""), client_address())


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(configured("RATELIMIT_LOGIN"), methods=["POST"],
               error_message="Too many sign-in attempts from your address.")
@limiter.limit(configured("RATELIMIT_LOGIN_ACCOUNT"), methods=["POST"], key_func=_account_key,
               exempt_when=_from_known_address,
               error_message="Too many sign-in attempts on this account from new addresses.")
def login():
    if current_user.is_authenticated:
        return auth_login.redirect_after_login()
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = service.log_in(
                db.session, auth_login.hasher(), auth_login.login_policy(),
                form.email.data, form.password.data, ip=request.remote_addr,
                password_login=current_app.config["PASSWORD_LOGIN"],
                user_agent=request.user_agent.string,
            )
        except service.LoginRefused as refused:
            # The failure count and the audit row must land even though login failed.
            db.session.commit()
            form.form_errors.append(str(refused))
            return _login_page(form), 200
        except service.SecondFactorNeeded as needed:
            return _ask_for_code(needed.user)
        auth_login.start_session(user)
        if user.missed_sign_ins is not None:
            flash(missed_sign_ins_notice(user.missed_sign_ins, user.time_zone), "warning")
        if twofactor.must_enrol(db.session, user, required_for_admins=current_app.config[
                "TWO_FACTOR_REQUIRED_FOR_ADMINS"]):
            session[auth_login.ENROL_FIRST] = True
            flash("Admins here must sign in with two-factor: set it up now, before anything "
                  "else.", "warning")
            return redirect(url_for(".two_factor"))
        return auth_login.redirect_after_login()
    status = 422 if form.is_submitted() else 200
    return _login_page(form), status


# The cookie session's keys for a sign-in waiting for its code: the challenge's token (its
# row is on the server, auth.twofactor) and the account's id (for the per-account limit).
CHALLENGE = "two_factor_challenge"
CHALLENGE_USER = "two_factor_user"


def _ask_for_code(user: Any) -> Any:
    """The password was right; the code is next. Nothing else is granted meanwhile: no
    login session exists until the code is given."""
    token = twofactor.start_challenge(db.session, user,
                                      next_path=auth_login.safe_next(request.args.get("next")))
    session.clear()
    session[CHALLENGE], session[CHALLENGE_USER] = token, user.id
    return redirect(url_for(".two_factor_sign_in"))


def _login_page(form: LoginForm) -> Any:
    config = current_app.config
    # "Sign in with ..." when single sign-on is configured (interviewloop.sso).
    sso_name = config["OIDC_DISPLAY_NAME"] if config["OIDC_ISSUER"] else None
    page = make_response(render_template("auth/login.html", form=form, sso_name=sso_name,
                                         sso_form=ActionForm(),
                                         password_login=config["PASSWORD_LOGIN"]))
    if sso_name:
        page.headers["Content-Security-Policy"] = policy_with_form_action(
            _origin(config["OIDC_ISSUER"]))
    return page


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def missed_sign_ins_notice(missed: MissedSignIns, time_zone: str) -> str:
    attempts = "1 failed sign-in attempt" if missed.count == 1 else \
        f"{missed.count} failed sign-in attempts"
    latest = ""
    if missed.latest_at is not None:
        latest = (f", the latest from {missed.latest_ip or 'an unknown address'} at "
                  f"{format_local(missed.latest_at, time_zone)}")
    return (f"{attempts} on your account since your last sign-in{latest}. If that was not "
            "you, tell an admin; the address that tried is slowed down, not you.")


@bp.post("/logout")
def logout():
    auth_login.end_session()
    flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))
from interviewloop.auth import account_views, twofactor_views  # noqa: E402,F401 - registers routes
