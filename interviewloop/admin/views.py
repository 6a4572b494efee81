"""Admin pages for users: list, create, edit roles, deactivate, reactivate, reset password."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from interviewloop import paging
from interviewloop.admin import audit_log
from interviewloop.admin.forms import (
    AuditFilterForm,
    PasswordResetForm,
    UserCreateForm,
    UserEditForm,
)
from interviewloop.audit import service as audit_service
from interviewloop.auth import service, twofactor
from interviewloop.auth.account_views import working_hours_page
from interviewloop.auth.login import current_actor, hasher, roles_required
from interviewloop.auth.models import User
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
def audit() -> ResponseReturnValue:
    """The audit log as sentences, newest first, filtered in SQL; the filters ride along on
    the page links."""
    form = AuditFilterForm(request.args)
    form.set_actions(audit_service.actions(db.session))
    valid = form.validate()
    # "Who": what a person did and what was done about them, as a user or as a candidate.
    email = service.normalise_email(form.who.data or "") if valid else ""
    who = service.find_user_by_email(db.session, email) if email else None
    if email and who is None and not audit_log.known_person(db.session, email):
        form.who.errors = ["No user or candidate has that email."]
        valid = False
    if not valid:
        return render_template("admin/audit.html", form=form, entries=[], total=0,
                               count_cap=audit_service.COUNT_CAP, pager=None, args={}), 400
    user_id = who.id if who else None
    page, total = audit_service.recent_events(
        db.session, filters=form.filters(user_id, audit_log.about(email, user_id) if email
                                         else None),
        cursor=paging.read_cursor(request.args, audit_service.EVENT_ORDER),
        columns=audit_log.name_columns())
    args = {name: value for name in form.FILTERS if (value := request.args.get(name))}
    return render_template("admin/audit.html", form=form, entries=audit_log.entries(page.items),
                           total=total, count_cap=audit_service.COUNT_CAP, args=args,
                           pager=paging.pager(".audit", page, filters=args))


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required()
def create_user():
    form = UserCreateForm()
    if form.validate_on_submit():
        try:
            user = service.create_user(
                db.session, current_actor(), hasher(), email=form.email.data,
                name=form.name.data, password=form.password.data, roles=form.roles.data,
                time_zone=form.time_zone.data, job_title=form.job_title.data or "",
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
                                roles=form.roles.data, time_zone=form.time_zone.data,
                                job_title=form.job_title.data or "")
        except service.InvalidUser as exc:
            apply_domain_error(form, exc)
        except Conflict as exc:  # the last admin: keep the typed input on the page
            form.form_errors.append(str(exc))
            return _user_page(form, user, PasswordResetForm()), 409
        else:
            flash(f"Saved {user.email}.", "success")
            return redirect(url_for("admin.users"))
    return _user_page(form, user, PasswordResetForm()), form_status(form)


def _user_page(form: UserEditForm, user: User, reset_form: PasswordResetForm) -> str:
    return render_template("admin/user_form.html", form=form, user=user, reset_form=reset_form,
                           action_form=ActionForm(),
                           two_factor=twofactor.factor_of(db.session, user))


@bp.route("/users/<int:user_id>/working-hours", methods=["GET", "POST"])
@roles_required()
def working_hours(user_id: int) -> ResponseReturnValue:
    user = service.get_user(db.session, user_id)
    return working_hours_page(user, url_for("admin.edit_user", user_id=user.id))


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


@bp.post("/users/<int:user_id>/break-glass")
@roles_required()
def set_break_glass(user_id: int) -> ResponseReturnValue:
    """Mark (or unmark) an account as break-glass: it keeps password sign-in when
    PASSWORD_LOGIN=off, for when the identity provider is down."""
    user = service.get_user(db.session, user_id)
    on = request.form.get("on") == "1"
    if ActionForm().validate_on_submit():
        service.set_break_glass(db.session, current_actor(), user, on)
        flash(f"{user.email} is {'now' if on else 'no longer'} a break-glass account.", "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


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
    return _user_page(edit_form, user, form), 422


@bp.post("/users/<int:user_id>/two-factor/reset")
@roles_required()
def reset_two_factor(user_id: int) -> ResponseReturnValue:
    """Turn someone's two-factor off (a lost phone, no recovery code left); audited."""
    user = service.get_user(db.session, user_id)
    if ActionForm().validate_on_submit():
        twofactor.reset(db.session, current_actor(), user)
        flash(f"Two-factor is off for {user.email}; their sessions are ended. They sign in with "
              "their password and can set it up again.", "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))
