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
