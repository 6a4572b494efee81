"""API token pages: a person's own (on their account), and admins' service tokens."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from interviewloop.api import service
from interviewloop.api.forms import ServiceTokenForm, TokenForm
from interviewloop.api.models import TokenKind
from interviewloop.auth import service as users
from interviewloop.auth.login import current_actor, roles_required
from interviewloop.db import db
from interviewloop.forms import ActionForm, apply_domain_error, choices, form_status

bp = Blueprint("api_tokens", __name__, template_folder="templates")


@bp.route("/account/api-tokens", methods=["GET", "POST"])
@login_required
def index() -> ResponseReturnValue:
    """The secret is shown on the answer to the POST and never again (only its hash is kept;
    a redirect would have to carry it in the session cookie)."""
    form = TokenForm()
    if form.validate_on_submit():
        try:
            made = service.create_token(db.session, current_actor(), current_user,
                                        name=form.name.data or "", scopes=form.scopes.data or [],
                                        days=form.days.data or 0)
        except service.InvalidToken as exc:
            apply_domain_error(form, exc)
        else:
            return render_template("api/token_made.html", made=made,
                                   back=url_for(".index"))
    return render_template("api/tokens.html", form=form, action_form=ActionForm(),
                           tokens=service.tokens_of(db.session, current_user),
                           ), form_status(form)


@bp.post("/account/api-tokens/<int:token_id>/revoke")
@login_required
def revoke(token_id: int) -> ResponseReturnValue:
    return _revoke(token_id, url_for(".index"))


def _revoke(token_id: int, back: str) -> ResponseReturnValue:
    token = service.get_token(db.session, current_actor(), token_id)
    if ActionForm().validate_on_submit():
        service.revoke_token(db.session, current_actor(), token)
        flash(f"Token “{token.name}” revoked: it no longer works.", "success")
    return redirect(back)


@bp.route("/admin/api-tokens", methods=["GET", "POST"])
@roles_required()
def service_tokens() -> ResponseReturnValue:
    form = ServiceTokenForm()
    form.user_id.choices = choices((u.id, f"{u.name} <{u.email}>")
                                   for u in users.list_users(db.session) if u.is_active)
    if form.validate_on_submit():
        try:
            owner = users.get_user(db.session, form.user_id.data)
            made = service.create_token(db.session, current_actor(), owner,
                                        name=form.name.data or "", scopes=form.scopes.data or [],
                                        days=form.days.data or 0, kind=TokenKind.SERVICE)
        except service.InvalidToken as exc:
            apply_domain_error(form, exc)
        else:
            return render_template("api/token_made.html", made=made,
                                   back=url_for(".service_tokens"))
    return render_template("api/service_tokens.html", form=form, action_form=ActionForm(),
                           tokens=service.service_tokens(db.session)), form_status(form)


@bp.post("/admin/api-tokens/<int:token_id>/revoke")
@roles_required()
def revoke_service_token(token_id: int) -> ResponseReturnValue:
    return _revoke(token_id, url_for(".service_tokens"))
