"""A person's own settings: time zone, weekly interview cap, the calendar feed's secret, their
password and their open sessions."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from interviewloop.auth import service
from interviewloop.auth.forms import AccountForm, PasswordChangeForm, WorkingHoursForm
from interviewloop.auth.login import current_actor, hasher, login_policy
from interviewloop.auth.models import User
from interviewloop.auth.views import bp
from interviewloop.db import db
from interviewloop.forms import ActionForm, apply_domain_error, form_status
from interviewloop.ratelimit import configured, limiter


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = AccountForm(obj=current_user)
    if form.validate_on_submit():
        try:
            service.update_settings(db.session, current_actor(), current_user,
                                    time_zone=form.time_zone.data.strip(),
                                    weekly_interview_cap=form.weekly_interview_cap.data,
                                    job_title=form.job_title.data or "")
        except service.InvalidUser as exc:
            apply_domain_error(form, exc)
        else:
            flash("Settings saved.", "success")
            return redirect(url_for(".account"))
    return render_template("auth/account.html", form=form, action_form=ActionForm(),
                           zones=sorted(service.time_zones())), form_status(form)


def working_hours_page(user: User, back: str) -> ResponseReturnValue:
    """Edit ``user``'s working hours (one's own, or an admin's for anyone); ``back`` is
    where a save returns to."""
    form = WorkingHoursForm()
    if not form.is_submitted():
        form.fill(user)
    if form.validate_on_submit():
        try:
            service.set_working_hours(db.session, current_actor(), user,
                                      starts=form.work_starts.data, ends=form.work_ends.data,
                                      days=form.work_days.data)
        except service.InvalidUser as exc:
            apply_domain_error(form, exc)
        else:
            flash(f"Working hours saved: {user.working_hours.describe()} ({user.time_zone}).",
                  "success")
            return redirect(back)
    return render_template("auth/working_hours.html", form=form, person=user,
                           own=user.id == current_user.id), form_status(form)


@bp.route("/account/working-hours", methods=["GET", "POST"])
@login_required
def working_hours() -> ResponseReturnValue:
    return working_hours_page(current_user, url_for(".account"))


@bp.post("/account/calendar")
@login_required
def new_calendar_token():
    """The new address is shown on this answer and never again: only its hash is kept (and
    a redirect would have to carry the secret in the session cookie)."""
    if not ActionForm().validate_on_submit():
        return redirect(url_for(".account"))
    token = service.new_calendar_token(db.session, current_actor(), current_user)
    feed_url = url_for("scheduling.feed", token=token, _external=True)
    return render_template("auth/calendar_link.html", feed_url=feed_url)


@bp.post("/account/calendar/revoke")
@login_required
def revoke_calendar_token():
    if ActionForm().validate_on_submit():
        service.revoke_calendar_token(db.session, current_actor(), current_user)
        flash("Calendar feed turned off.", "success")
    return redirect(url_for(".account"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limiter.limit(configured("RATELIMIT_LOGIN"), methods=["POST"],
               error_message="Too many password changes tried from your address.")
def change_password() -> ResponseReturnValue:
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            service.change_own_password(db.session, current_actor(), hasher(), current_user,
                                        current=form.current_password.data, new=form.password.data,
                                        keep_token=current_user.get_id())
        except service.InvalidUser as exc:
            apply_domain_error(form, exc)
        else:
            flash("Password changed; your other sessions are ended.", "success")
            return redirect(url_for(".account_sessions"))
    return render_template("auth/password.html", form=form), form_status(form)


@bp.get("/account/sessions")
@login_required
def account_sessions() -> ResponseReturnValue:
    sessions = service.open_sessions(db.session, current_user, login_policy())
    return render_template("auth/sessions.html", sessions=sessions, action_form=ActionForm(),
                           this_token=current_user.get_id())


@bp.post("/account/sessions/<int:session_id>/end")
@login_required
def end_session(session_id: int) -> ResponseReturnValue:
    """End one of one's own sessions; someone else's (or an ended one) is a 404."""
    if not ActionForm().validate_on_submit():
        return redirect(url_for(".account_sessions"))
    ended = service.end_own_session(db.session, current_actor(), current_user, session_id)
    if ended.token == current_user.get_id():  # this very session: signed out now
        return redirect(url_for(".login"))
    flash(f"Ended the session from {ended.ip or 'an unknown address'}.", "success")
    return redirect(url_for(".account_sessions"))
