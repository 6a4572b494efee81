"""A person's own settings: time zone, weekly interview cap, the calendar feed's secret."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from interviewloop.auth import service
from interviewloop.auth.forms import AccountForm
from interviewloop.auth.login import current_actor
from interviewloop.auth.views import bp
from interviewloop.db import db
from interviewloop.forms import ActionForm, apply_domain_error, form_status


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = AccountForm(obj=current_user)
    if form.validate_on_submit():
        try:
            service.update_settings(db.session, current_actor(), current_user,
                                    time_zone=form.time_zone.data.strip(),
                                    weekly_interview_cap=form.weekly_interview_cap.data)
        except service.InvalidUser as exc:
            apply_domain_error(form, exc)
        else:
            flash("Settings saved.", "success")
            return redirect(url_for(".account"))
    return render_template("auth/account.html", form=form, action_form=ActionForm(),
                           zones=sorted(service.time_zones())), form_status(form)


@bp.post("/account/calendar")
@login_required
def new_calendar_token():
    if ActionForm().validate_on_submit():
        service.new_calendar_token(db.session, current_actor(), current_user)
        flash("Your calendar feed has a new private address; the old one no longer works.",
              "success")
    return redirect(url_for(".account"))


@bp.post("/account/calendar/revoke")
@login_required
def revoke_calendar_token():
    if ActionForm().validate_on_submit():
        service.revoke_calendar_token(db.session, current_actor(), current_user)
        flash("Calendar feed turned off.", "success")
    return redirect(url_for(".account"))
