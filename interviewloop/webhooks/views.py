"""The admin's webhook pages: endpoints (URL, events, active), the signing secret shown once
when made or rotated, and each endpoint's delivery log with a redeliver button."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from interviewloop import paging
from interviewloop.auth.login import current_actor, roles_required
from interviewloop.db import db
from interviewloop.forms import ActionForm, apply_domain_error, form_status, seen_version
from interviewloop.webhooks import service
from interviewloop.webhooks.addresses import RefusedAddress
from interviewloop.webhooks.delivery import SIGNATURE_HEADER
from interviewloop.webhooks.forms import EndpointForm

bp = Blueprint("webhooks", __name__, url_prefix="/admin/webhooks", template_folder="templates")


def _allow_private() -> bool:
    return bool(current_app.config["WEBHOOKS_ALLOW_PRIVATE"])


def _input(form: EndpointForm) -> service.EndpointInput:
    return service.EndpointInput(url=form.url.data or "", events=form.events.data or [],
                                 description=form.description.data or "",
                                 active=bool(form.active.data))


@bp.get("")
@roles_required()
def index() -> str:
    return render_template("webhooks/index.html", endpoints=service.endpoints(db.session))


@bp.route("/new", methods=["GET", "POST"])
@roles_required()
def new() -> ResponseReturnValue:
    """The secret is shown on the answer to the POST and never again."""
    form = EndpointForm()
    if form.validate_on_submit():
        try:
            made = service.create_endpoint(db.session, current_actor(), _input(form),
                                           allow_private=_allow_private())
        except (service.InvalidEndpoint, RefusedAddress) as exc:
            apply_domain_error(form, exc)
        else:
            return render_template("webhooks/secret.html", made=made, header=SIGNATURE_HEADER)
    return render_template("webhooks/new.html", form=form,
                           allow_private=_allow_private()), form_status(form)


@bp.route("/<int:endpoint_id>", methods=["GET", "POST"])
@roles_required()
def show(endpoint_id: int) -> ResponseReturnValue:
    endpoint = service.get_endpoint(db.session, endpoint_id)
    form = EndpointForm(obj=endpoint) if request.method == "GET" else EndpointForm()
    if request.method == "GET":
        form.events.data = [e.value for e in endpoint.events]
        form.version.data = str(endpoint.version)
    elif form.validate_on_submit():
        if seen_version(form) != endpoint.version:
            form.form_errors.append("Someone changed this endpoint since you opened the page; "
                                    "it is shown as it is now. Make your change again.")
        else:
            try:
                service.update_endpoint(db.session, current_actor(), endpoint, _input(form),
                                        allow_private=_allow_private())
            except (service.InvalidEndpoint, RefusedAddress) as exc:
                apply_domain_error(form, exc)
            else:
                flash("Endpoint saved.", "success")
                return redirect(url_for(".show", endpoint_id=endpoint.id))
    log = service.delivery_log(db.session, endpoint, paging.read_cursor(
        request.args, service.LOG_KEYSET))
    pager = paging.pager(".show", log, route={"endpoint_id": endpoint.id}, anchor="log")
    return render_template("webhooks/show.html", endpoint=endpoint, form=form, log=log,
                           pager=pager, counts=service.delivery_counts(db.session, endpoint),
                           action_form=ActionForm(), allow_private=_allow_private()
                           ), form_status(form)


@bp.post("/<int:endpoint_id>/rotate-secret")
@roles_required()
def rotate_secret(endpoint_id: int) -> ResponseReturnValue:
    endpoint = service.get_endpoint(db.session, endpoint_id)
    if not ActionForm().validate_on_submit():  # the CSRF check itself is app-wide
        abort(400, "The form was not complete; reload the page and try again.")
    made = service.rotate_secret(db.session, current_actor(), endpoint)
    return render_template("webhooks/secret.html", made=made, header=SIGNATURE_HEADER,
                           rotated=True)


@bp.post("/<int:endpoint_id>/deliveries/<int:delivery_id>/redeliver")
@roles_required()
def redeliver(endpoint_id: int, delivery_id: int) -> ResponseReturnValue:
    """Queue the delivery's event again: the same event id and body (receivers drop it if
    they processed it already); 409 with the reason while a worker is sending it."""
    endpoint = service.get_endpoint(db.session, endpoint_id)
    if not ActionForm().validate_on_submit():
        abort(400, "The form was not complete; reload the page and try again.")
    service.redeliver(db.session, current_actor(), endpoint, delivery_id)  # 409: in flight
    flash("The event is queued to be delivered again (with the same event id).", "success")
    return redirect(url_for(".show", endpoint_id=endpoint.id, _anchor="log"))
