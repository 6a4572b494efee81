"""The admin's page for where one person's calendar is (CalDAV collection)."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from interviewloop.auth import service as users
from interviewloop.auth.login import current_actor, roles_required
from interviewloop.calendars import accounts
from interviewloop.calendars.forms import CollectionForm
from interviewloop.calendars.service import settings
from interviewloop.db import db
from interviewloop.forms import form_status

bp = Blueprint("calendars", __name__, template_folder="templates")


@bp.route("/admin/users/<int:user_id>/calendar", methods=["GET", "POST"])
@roles_required()
def collection(user_id: int) -> ResponseReturnValue:
    user = users.get_user(db.session, user_id)
    config = settings(db.session)
    own = accounts.own_collections(db.session, [user.id]).get(user.id)
    form = CollectionForm()
    if not form.is_submitted():
        form.collection.data = own or ""
    if form.validate_on_submit():
        try:
            accounts.set_collection(db.session, current_actor(), user, form.collection.data or "")
        except accounts.BadCollection as exc:
            form.collection.errors = [*form.collection.errors, str(exc)]
            return render_template("calendars/collection.html", form=form, user=user,
                                   default=config.collection_url(user.email),
                                   enabled=config.enabled), 422
        flash(f"Saved where {user.name}'s calendar is.", "success")
        return redirect(url_for(".collection", user_id=user.id))
    return render_template("calendars/collection.html", form=form, user=user,
                           default=config.collection_url(user.email), enabled=config.enabled,
                           current=config.collection_url(user.email, own),
                           base=current_app.config["CALDAV_URL"]), form_status(form)
