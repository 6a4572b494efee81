"""Two-factor pages: the second step of a password sign-in, and setting it up, renewing the
recovery codes and turning it off from one's settings (auth.twofactor does the work)."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from interviewloop.auth import login as auth_login
from interviewloop.auth import service, twofactor
from interviewloop.auth.forms import CodeForm, TwoFactorOffForm
from interviewloop.auth.views import CHALLENGE, CHALLENGE_USER, bp, missed_sign_ins_notice
from interviewloop.db import db
from interviewloop.forms import ActionForm, apply_domain_error, form_status
from interviewloop.ratelimit import configured, limiter

OFF = "off"  # the turning-off form's prefix: its fields are not the other form's on the page


def _account_key() -> str:
    """The account the code is for: the signed-in person's, or the one whose password was
    just given (the cookie session is signed, so this id is ours)."""
    if current_user.is_authenticated:
        return f"two-factor:{current_user.id}"
    return f"two-factor:{session.get(CHALLENGE_USER, 'none')}"


def limited(view: Callable[..., ResponseReturnValue]) -> Callable[..., ResponseReturnValue]:
    """Codes tried from one address, and on one account from any address (POST only)."""
    view = limiter.limit(configured("RATELIMIT_TWO_FACTOR_ACCOUNT"), methods=["POST"],
                         key_func=_account_key,
                         error_message="Too many codes tried on this account.")(view)
    return limiter.limit(configured("RATELIMIT_TWO_FACTOR"), methods=["POST"],
                         error_message="Too many codes tried from your address.")(view)


# --- sign-in --------------------------------------------------------------------------------

@bp.route("/login/two-factor", methods=["GET", "POST"])
@limited
def two_factor_sign_in() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(auth_login.safe_next(None))
    if twofactor.challenge_for(db.session, session.get(CHALLENGE)) is None:
        return _start_again(twofactor.ChallengeExpired() if CHALLENGE in session else None)
    form = CodeForm()
    if form.validate_on_submit():
        try:
            user, next_path = twofactor.finish_sign_in(
                db.session, auth_login.secret_box(), auth_login.login_policy(),
                session.get(CHALLENGE), form.code.data, ip=request.remote_addr,
                user_agent=request.user_agent.string)
        except twofactor.ChallengeExpired as expired:
            db.session.commit()  # the refusal is counted and audited
            return _start_again(expired)
        except twofactor.CodeRefused as refused:
            db.session.commit()
            apply_domain_error(form, refused)
            return render_template("auth/two_factor_login.html", form=form), 422
        auth_login.start_session(user)  # a fresh cookie session: the challenge is gone
        if user.missed_sign_ins is not None:
            flash(missed_sign_ins_notice(user.missed_sign_ins, user.time_zone), "warning")
        return redirect(next_path)
    return render_template("auth/two_factor_login.html", form=form), form_status(form)


def _start_again(why: Exception | None) -> ResponseReturnValue:
    session.pop(CHALLENGE, None)
    session.pop(CHALLENGE_USER, None)
    if why is not None:
        flash(str(why), "warning")
    return redirect(url_for(".login"))


# --- one's settings ---------------------------------------------------------------------------

def _settings_page(code_form: CodeForm | None = None, off_form: TwoFactorOffForm | None = None,
                   status: int = 200) -> ResponseReturnValue:
    if session.get(auth_login.ENROL_FIRST) and twofactor.is_on(db.session, current_user):
        session.pop(auth_login.ENROL_FIRST)  # set up from another session meanwhile
    return render_template(
        "auth/two_factor.html", factor=twofactor.factor_of(db.session, current_user),
        enrolment=twofactor.enrolment(db.session, auth_login.secret_box(), current_user),
        codes_left=twofactor.recovery_codes_left(db.session, current_user),
        # Each form filled only from its own submission (both have a code field).
        code_form=code_form or CodeForm(formdata=None),
        off_form=off_form or TwoFactorOffForm(formdata=None, prefix=OFF),
        action_form=ActionForm(), required=session.get(auth_login.ENROL_FIRST, False),
    ), status


def _recovery_codes_for(make: Callable[[str], list[str]]) -> ResponseReturnValue:
    """A code in, recovery codes out: shown on this answer and never again (only their
    hashes are kept); a wrong code is the settings page again, with the code kept."""
    form = CodeForm()
    if form.validate_on_submit():
        try:
            codes = make(form.code.data)
        except twofactor.CodeRefused as exc:
            apply_domain_error(form, exc)
        else:
            return render_template("auth/recovery_codes.html", codes=codes)
    return _settings_page(code_form=form, status=form_status(form))


@bp.get("/account/two-factor")
@login_required
def two_factor() -> ResponseReturnValue:
    return _settings_page()


@bp.post("/account/two-factor/enrol")
@login_required
def two_factor_enrol() -> ResponseReturnValue:
    if ActionForm().validate_on_submit():
        twofactor.begin_enrolment(db.session, auth_login.secret_box(), current_user)
    return redirect(url_for(".two_factor"))


@bp.post("/account/two-factor/confirm")
@login_required
@limited
def two_factor_confirm() -> ResponseReturnValue:
    def turn_on(code: str) -> list[str]:
        codes = twofactor.confirm(db.session, auth_login.current_actor(),
                                  auth_login.secret_box(), current_user, code)
        session.pop(auth_login.ENROL_FIRST, None)
        return codes

    return _recovery_codes_for(turn_on)


@bp.post("/account/two-factor/recovery-codes")
@login_required
@limited
def two_factor_recovery_codes() -> ResponseReturnValue:
    return _recovery_codes_for(lambda code: twofactor.regenerate_recovery_codes(
        db.session, auth_login.current_actor(), auth_login.secret_box(), current_user, code))


@bp.post("/account/two-factor/disable")
@login_required
@limited
def two_factor_disable() -> ResponseReturnValue:
    form = TwoFactorOffForm(prefix=OFF)
    if form.validate_on_submit():
        try:
            twofactor.disable(db.session, auth_login.current_actor(), auth_login.hasher(),
                              auth_login.secret_box(), current_user,
                              password=form.current_password.data, code=form.code.data)
        except (twofactor.CodeRefused, service.InvalidUser) as exc:
            apply_domain_error(form, exc)
        else:
            if twofactor.must_enrol(db.session, current_user, required_for_admins=current_app
                                    .config["TWO_FACTOR_REQUIRED_FOR_ADMINS"]):
                session[auth_login.ENROL_FIRST] = True
            flash("Two-factor is off: you sign in with your password alone.", "success")
            return redirect(url_for(".two_factor"))
    return _settings_page(off_form=form, status=form_status(form))
