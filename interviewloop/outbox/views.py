"""The admin's mail page: every message the app has queued, sent or kept, newest first.

Under `make run` (MAIL_DELIVERY=outbox) nothing is sent: this is where a newcomer reads the
invites and reminders the app would have emailed."""

from __future__ import annotations

from email import message_from_bytes, policy

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from interviewloop import paging
from interviewloop.auth.login import current_actor, roles_required
from interviewloop.db import db
from interviewloop.forms import ActionForm
from interviewloop.outbox import service
from interviewloop.outbox.delivery import email_message

bp = Blueprint("outbox", __name__, url_prefix="/admin/mail", template_folder="templates")


@bp.get("")
@roles_required()
def index() -> str:
    page, total = service.recent_mail(
        db.session, cursor=paging.read_cursor(request.args, service.MAIL_ORDER))
    return render_template("outbox/index.html", mails=page.items, total=total,
                           pager=paging.pager(".index", page),
                           delivery=current_app.config["MAIL_DELIVERY"])


@bp.get("/<int:mail_id>")
@roles_required()
def show(mail_id: int) -> str:
    mail = service.get_mail(db.session, mail_id)
    sender = current_app.config["SMTP_FROM"]
    # The headers exactly as the delivery job writes them.
    raw = email_message(mail, sender).as_bytes(policy=policy.SMTP)
    headers = message_from_bytes(raw, policy=policy.default).items()
    return render_template("outbox/show.html", mail=mail, headers=headers,
                           delivery=current_app.config["MAIL_DELIVERY"],
                           send_again_refusal=service.send_again_refusal(mail),
                           action_form=ActionForm())


@bp.post("/<int:mail_id>/send-again")
@roles_required()
def send_again(mail_id: int) -> ResponseReturnValue:
    """Send a message in doubt again (the admin judges it did not arrive); 409 with the
    reason for one that was sent, is not in doubt, or may be on the wire right now."""
    mail = service.get_mail(db.session, mail_id)
    if not ActionForm().validate_on_submit():  # the CSRF check itself is app-wide
        abort(400, "The form was not complete; reload the page and try again.")
    service.send_again(db.session, current_actor(), mail)
    flash("The message is queued to be sent again.", "success")
    return redirect(url_for("outbox.show", mail_id=mail_id))
