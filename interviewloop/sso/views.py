"""Sign in with the identity provider: the login page's button starts here, the provider
sends the person back to the callback, which opens the same login session a password does."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session
from flask.typing import ResponseReturnValue

from interviewloop import tokens
from interviewloop.auth import login as auth_login
from interviewloop.auth.views import missed_sign_ins_notice
from interviewloop.db import db
from interviewloop.forms import ActionForm
from interviewloop.ratelimit import configured, limiter
from interviewloop.sso import provider, service

bp = Blueprint("sso", __name__, template_folder="templates")

SESSION_KEY = "sso_state"  # binds the sign-in to the browser that started it


def _policy() -> service.SignInPolicy:
    config = current_app.config
    return service.SignInPolicy(create_users=config["OIDC_CREATE_USERS"],
                                roles_claim=config["OIDC_ROLES_CLAIM"],
                                role_map=config["OIDC_ROLE_MAP"])


def _refused(reason: str, message: str, **detail: str) -> ResponseReturnValue:
    service.refuse(db.session, request.remote_addr, reason, **detail)
    db.session.commit()  # the audit row (and the used state) stay, though the page is a 403
    return render_template("sso/refused.html", reason=message,
                           name=current_app.config["OIDC_DISPLAY_NAME"]), 403


@bp.post("/login/sso")
@limiter.limit(configured("RATELIMIT_SSO_CALLBACK"),
               error_message="Too many sign-ins through the identity provider from your address.")
def start() -> ResponseReturnValue:
    """POST (with the CSRF token) from the login page: a link would let any site start it."""
    if not provider.enabled(current_app.config):
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400, "The form was missing its security token; reload the login page.")
    try:
        found = provider.authorization()
    except provider.ProviderRefused as refused:
        return _refused(refused.reason, service.FAILED.format(why="the provider did not answer"))
    service.begin(db.session, state=found.state, nonce=found.nonce,
                  code_verifier=found.code_verifier,
                  next_path=auth_login.safe_next(request.args.get("next")))
    db.session.commit()
    session[SESSION_KEY] = found.state
    return redirect(found.url)


@bp.get("/login/sso/callback")
@limiter.limit(configured("RATELIMIT_SSO_CALLBACK"),
               error_message="Too many sign-ins through the identity provider from your address.")
def callback() -> ResponseReturnValue:
    if not provider.enabled(current_app.config):
        abort(404)
    state = request.args.get("state", "")
    expected = session.pop(SESSION_KEY, None)
    if not tokens.looks_like_secret(state) or not expected or not tokens.same_secret(state, expected):
        return _refused("state", service.FAILED.format(why="it was not started in this browser"))
    try:
        pending = service.take(db.session, state)
    except service.SignInRefused as refused:
        return _refused(refused.reason, str(refused))
    # The state is spent before anyone talks to the provider (no network I/O in a write
    # transaction, and a replay during the exchange finds nothing).
    db.session.commit()
    if request.args.get("error"):
        return _refused("provider_error", service.FAILED.format(
            why=f"the provider said {request.args.get('error', '')[:100]}"))
    try:
        claims = provider.verified_claims(request.args.get("code", ""),
                                          code_verifier=pending.code_verifier, nonce=pending.nonce)
    except provider.ProviderRefused as refused:
        return _refused(refused.reason, service.FAILED.format(why=str(refused)))
    try:
        user = service.sign_in(db.session, auth_login.hasher(), _policy(), claims,
                               ip=request.remote_addr, user_agent=request.user_agent.string)
    except service.SignInRefused as refused:
        db.session.rollback()  # nothing half-made (an account without its login)
        return _refused(refused.reason, str(refused), subject=str(claims.get("sub", ""))[:255])
    db.session.commit()
    auth_login.start_session(user)
    if user.missed_sign_ins is not None:
        flash(missed_sign_ins_notice(user.missed_sign_ins, user.time_zone), "warning")
    return redirect(pending.next_path)
