"""Admin pages for users: list, create, edit roles, deactivate, reactivate, reset password."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from interviewloop.admin.forms import PasswordResetForm, UserCreateForm, UserEditForm
from interviewloop.audit import service as audit_service
from interviewloop.auth import service
from interviewloop.auth.login import current_actor, hasher, roles_required
from interviewloop.db import db
from interviewloop.errors import Conflict
from interviewloop.forms import ActionForm, apply_domain_error, form_status

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")


@bp.get("/users")
@roles_required()
def users():
    return render_template("admin/users.html", users=service.list_users(db.session),
                           waits=service.sign_in_waits(db.session), action_form=ActionForm())


@bp.get("/audit")
@roles_required()
def audit():
    """The audit log: who did what, to which object, when (UTC) and from where."""
    known = audit_service.actions(db.session)
    action = request.args.get("action", "")
    if action and action not in known:
        abort(400, "Unknown action.")
    try:
        page = int(request.args.get("page", "1"))
    except ValueError:
        abort(400, "The page is a whole number.")
    if not 1 <= page <= 100_000:
        abort(400, "The page is a whole number from 1.")
    events, total = audit_service.recent_events(db.session, action=action or None, page=page)
    return render_template("admin/audit.html", events=events, total=total, page=page,
                           pages=max(1, -(-total // 50)), action=action, actions=known)


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required()
def create_user():
    form = UserCreateForm()
    if form.validate_on_submit():
        try:
            user = service.create_user(
                db.session, current_actor(), hasher(), email=form.email.data,
                name=form.name.data, password=form.password.data, roles=form.roles.data,
                time_zone=form.time_zone.data,
            )
        except service.InvalidUser as exc:
            apply_domain_error(form, exc)
        else:
            flash(f"Created {user.email}.", "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None), form_status(form)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required()
def edit_user(user_id: int) -> ResponseReturnValue:
    user = service.get_user(db.session, user_id)
    form = UserEditForm(obj=user, data=None)
    if not form.is_submitted():
        form.roles.data = sorted(user.roles)
    if form.validate_on_submit():
        try:
            service.update_user(db.session, current_actor(), user, name=form.name.data,
                                roles=form.roles.data, time_zone=form.time_zone.data)
        except service.InvalidUser as exc:
            apply_domain_error(form, exc)
        except Conflict as exc:  # the last admin: keep the typed input on the page
            form.form_errors.append(str(exc))
            return render_template("admin/user_form.html", form=form, user=user,
                                   reset_form=PasswordResetForm(),
                                   action_form=ActionForm()), 409
        else:
            flash(f"Saved {user.email}.", "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user,
                           reset_form=PasswordResetForm(), action_form=ActionForm()), form_status(form)


@bp.post("/users/<int:user_id>/deactivate")
@roles_required()
def deactivate_user(user_id: int) -> ResponseReturnValue:
    user = service.get_user(db.session, user_id)
    if ActionForm().validate_on_submit():
        service.deactivate_user(db.session, current_actor(), user)
        flash(f"Deactivated {user.email}; their sessions are ended.", "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/reactivate")
@roles_required()
def reactivate_user(user_id: int) -> ResponseReturnValue:
    user = service.get_user(db.session, user_id)
    if ActionForm().validate_on_submit():
        service.reactivate_user(db.session, current_actor(), user)
        flash(f"Reactivated {user.email}.", "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/sign-in-waits/end")
@roles_required()
def end_sign_in_waits(user_id: int) -> ResponseReturnValue:
    user = service.get_user(db.session, user_id)
    if ActionForm().validate_on_submit():
        service.end_sign_in_waits(db.session, current_actor(), user)
        flash(f"Ended the sign-in waits on {user.email}; every address may try again.", "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/password")
@roles_required()
def reset_password(user_id: int) -> ResponseReturnValue:
    user = service.get_user(db.session, user_id)
    form = PasswordResetForm()
    if form.validate_on_submit():
        try:
            service.reset_password(db.session, current_actor(), hasher(), user,
                                   form.password.data)
        except service.InvalidUser as exc:
            apply_domain_error(form, exc)
        else:
            flash(f"Password reset for {user.email}; their sessions are ended.", "success")
            return redirect(url_for("admin.users"))
    edit_form = UserEditForm(obj=user)
    edit_form.roles.data = sorted(user.roles)
    return render_template("admin/user_form.html", form=edit_form, user=user, reset_form=form,
                           action_form=ActionForm()), 422
