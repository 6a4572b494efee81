"""A candidate's private pages (no sign-in: the link is the credential) and the
recruiter's actions on the link from the candidate's loop page."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from interviewloop import tokens
from interviewloop.auth.login import current_actor
from interviewloop.auth.service import time_zones
from interviewloop.availability import service
from interviewloop.availability.forms import TimeZoneForm, WindowForm
from interviewloop.db import db
from interviewloop.errors import Conflict
from interviewloop.forms import ActionForm, apply_domain_error
from interviewloop.ratelimit import configured, limiter
from interviewloop.requisitions.candidates import get_candidate
from interviewloop.requisitions.models import Candidate
from interviewloop.requisitions.views import load_managed
from interviewloop.timezones import format_local

bp = Blueprint("availability", __name__, template_folder="templates")

# Every candidate page counts against one limit per client address.
candidate_limit = limiter.shared_limit(
    configured("RATELIMIT_CANDIDATE_LINK"), scope="candidate-link",
    error_message="Too many requests for candidate pages from your address.")

PUBLIC = "/candidate/<token>"
PREFIX = "/requisitions/<int:requisition_id>/candidates/<int:candidate_id>"


# --- the recruiter's side ---------------------------------------------------------------------

def loop_page_part(candidate: Candidate) -> dict:
    """For the candidate's loop page (``_candidate_availability.html``)."""
    part = service.loop_page_part(db.session, candidate)
    url = url_for("availability.candidate_page", token=part.token, _external=True) if part.token else None
    return {"part": part, "url": url, "viewer_zone": current_user.time_zone}


def _act(requisition_id: int, candidate_id: int, action: Callable[..., object],
         done: str) -> ResponseReturnValue:
    """A recruiter's button on the loop page: whoever may schedule the candidate (403 for
    the rest of the team), the service's action, then back to the loop page."""
    requisition = load_managed(requisition_id)
    candidate = get_candidate(db.session, requisition, candidate_id)
    if not ActionForm().validate_on_submit():
        abort(400, "The form expired; reload the page and try again.")
    if action(db.session, current_actor(), requisition, candidate) is False:
        raise Conflict("This candidate has no link to revoke.")
    flash(done.format(email=candidate.email), "success")
    return redirect(url_for("loops.show", requisition_id=requisition.id,
                            candidate_id=candidate.id, _anchor="candidate-availability"))


@bp.post(PREFIX + "/link")
@login_required
def create_link(requisition_id: int, candidate_id: int) -> ResponseReturnValue:
    days = current_app.config["CANDIDATE_LINK_DAYS"]
    return _act(requisition_id, candidate_id,
                lambda *args: service.create_link(*args, days=days),
                "A new private link is ready (any earlier one no longer works).")


@bp.post(PREFIX + "/link/revoke")
@login_required
def revoke_link(requisition_id: int, candidate_id: int) -> ResponseReturnValue:
    return _act(requisition_id, candidate_id,
                lambda *args: service.revoke_link(*args) is not None,
                "The candidate's link is revoked: it no longer opens anything.")


@bp.post(PREFIX + "/link/email")
@login_required
def email_link(requisition_id: int, candidate_id: int) -> ResponseReturnValue:
    return _act(requisition_id, candidate_id, service.email_link,
                "The link is in the outbox for {email}.")


@bp.post(PREFIX + "/itinerary/email")
@login_required
def email_itinerary(requisition_id: int, candidate_id: int) -> ResponseReturnValue:
    return _act(requisition_id, candidate_id, service.email_itinerary,
                "The itinerary is in the outbox for {email}.")


# --- the candidate's side ---------------------------------------------------------------------

def _open(token: str) -> service.Opened:
    return service.open_link(db.session, tokens.app_signer(db.session.info), token)


def _page(token: str, opened: service.Opened, *, zone_form: TimeZoneForm | None = None,
          window_form: WindowForm | None = None, status: int = 200) -> ResponseReturnValue:
    candidate = opened.candidate
    zone_form = zone_form or TimeZoneForm(data={"time_zone": candidate.time_zone})
    return render_template(
        "availability/candidate.html", token=token, candidate=candidate,
        requisition=opened.requisition, link=opened.link,
        expires=format_local(opened.link.expires_at, candidate.time_zone),
        windows=service.windows_of(db.session, candidate.id), zone_form=zone_form,
        window_form=window_form or WindowForm(), action_form=ActionForm(),
        zones=sorted(time_zones())), status


@bp.get(PUBLIC)
@candidate_limit
def candidate_page(token: str) -> ResponseReturnValue:
    return _page(token, _open(token))


@bp.post(PUBLIC + "/time-zone")
@candidate_limit
def set_time_zone(token: str) -> ResponseReturnValue:
    opened = _open(token)
    form = TimeZoneForm()
    if form.validate_on_submit():
        try:
            service.set_time_zone(db.session, opened, form.time_zone.data,
                                  ip=request.remote_addr)
        except service.WindowRefused as exc:
            apply_domain_error(form, exc)
        else:
            flash(f"Times are now shown in {opened.candidate.time_zone}.", "success")
            return redirect(url_for(".candidate_page", token=token))
    return _page(token, opened, zone_form=form, status=422)


@bp.post(PUBLIC + "/windows")
@candidate_limit
def add_window(token: str) -> ResponseReturnValue:
    opened = _open(token)
    form = WindowForm()
    if form.validate_on_submit():
        try:
            service.add_window(db.session, opened, form.starts_at.data, form.ends_at.data,
                               ip=request.remote_addr)
        except service.WindowRefused as exc:
            apply_domain_error(form, exc)
        else:
            flash("Window added.", "success")
            return redirect(url_for(".candidate_page", token=token, _anchor="windows"))
    return _page(token, opened, window_form=form, status=422)


@bp.post(PUBLIC + "/windows/<int:window_id>/remove")
@candidate_limit
def remove_window(token: str, window_id: int) -> ResponseReturnValue:
    opened = _open(token)
    if not ActionForm().validate_on_submit():
        abort(400, "The form expired; reload the page and try again.")
    service.remove_window(db.session, opened, window_id, ip=request.remote_addr)
    flash("Window removed.", "success")
    return redirect(url_for(".candidate_page", token=token, _anchor="windows"))


@bp.get(PUBLIC + "/itinerary")
@candidate_limit
def itinerary(token: str) -> ResponseReturnValue:
    opened = _open(token)
    return render_template("availability/itinerary.html", token=token,
                           candidate=opened.candidate, requisition=opened.requisition,
                           items=service.itinerary(db.session, opened.candidate.id))
