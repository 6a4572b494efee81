"""Admin pages for candidate data: retention rules and their preview, erasing one
candidate (with a reason and a confirmation), and the export for a subject access request."""

from __future__ import annotations

import json

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from interviewloop import paging
from interviewloop.auth.login import current_actor, roles_required
from interviewloop.db import db
from interviewloop.errors import Conflict
from interviewloop.forms import ActionForm, apply_domain_error, form_status, seen_version
from interviewloop.privacy import retention, service
from interviewloop.privacy.forms import ErasureForm, RuleForm
from interviewloop.privacy.models import CandidateErasure
from interviewloop.requisitions.models import Candidate

bp = Blueprint("privacy", __name__, url_prefix="/admin/privacy", template_folder="templates")
RECENT_ERASURES = 20


@bp.get("")
@roles_required()
def index() -> str:
    email = request.args.get("email", "")[:254]
    erasures = db.session.scalars(select(CandidateErasure).order_by(
        CandidateErasure.id.desc()).limit(RECENT_ERASURES)).all()
    return render_template("privacy/index.html", rules=retention.rules(db.session),
                           email=email, found=service.find_candidates(db.session, email),
                           erasures=erasures)


def _rule_input(form: RuleForm) -> retention.RuleInput:
    return retention.RuleInput(name=form.name.data or "", outcomes=form.outcomes.data or [],
                               after_days=form.after_days.data, enabled=bool(form.enabled.data))


@bp.route("/rules/new", methods=["GET", "POST"])
@roles_required()
def new_rule() -> ResponseReturnValue:
    form = RuleForm()
    if form.validate_on_submit():
        try:
            rule = retention.create_rule(db.session, current_actor(), _rule_input(form))
        except retention.InvalidRule as exc:
            apply_domain_error(form, exc)
        else:
            flash(f"Created the rule {rule.name!r}: see whom it would erase below.", "success")
            return redirect(url_for(".preview", rule_id=rule.id))
    return render_template("privacy/rule_form.html", form=form, rule=None), form_status(form)


@bp.route("/rules/<int:rule_id>", methods=["GET", "POST"])
@roles_required()
def edit_rule(rule_id: int) -> ResponseReturnValue:
    rule = retention.get_rule(db.session, rule_id)
    form = RuleForm(obj=rule)
    if not form.is_submitted():
        form.outcomes.data, form.version.data = rule.outcomes, str(rule.version)
    if form.validate_on_submit():
        try:
            retention.update_rule(db.session, current_actor(), rule, _rule_input(form),
                                  seen_version=seen_version(form))
        except retention.InvalidRule as exc:
            apply_domain_error(form, exc)
        except retention.StaleRule as exc:
            form.form_errors.append(str(exc))
            return render_template("privacy/rule_form.html", form=form, rule=rule), 409
        else:
            flash(f"Saved the rule {rule.name!r}.", "success")
            return redirect(url_for(".preview", rule_id=rule.id))
    return render_template("privacy/rule_form.html", form=form, rule=rule), form_status(form)


@bp.get("/rules/<int:rule_id>/preview")
@roles_required()
def preview(rule_id: int) -> str:
    """Whom applying the rule now would erase: how many, and a page of them."""
    rule = retention.get_rule(db.session, rule_id)
    shown = retention.preview(db.session, rule,
                              cursor=paging.read_cursor(request.args, retention.MATCH_ORDER))
    return render_template("privacy/preview.html", rule=rule, preview=shown,
                           pager=paging.pager(".preview", shown.page, route={"rule_id": rule.id}))


@bp.route("/candidates/<int:candidate_id>/erase", methods=["GET", "POST"])
@roles_required()
def erase(candidate_id: int) -> ResponseReturnValue:
    candidate = service.get_candidate(db.session, candidate_id)
    erasure = service.erasure_of(db.session, candidate.id)
    form = ErasureForm()
    if erasure is None and form.validate_on_submit():
        try:
            done = service.erase_candidate(db.session, current_actor(), candidate,
                                           form.reason.data or "")
        except service.InvalidErasure as exc:
            apply_domain_error(form, exc)
        except Conflict as exc:
            form.form_errors.append(str(exc))
            return _erase_page(candidate, form, None), 409
        else:
            flash(f"Erased the personal data of candidate #{candidate.id}: "
                  f"{sum(done.rows.values())} row(s) changed, {done.mail_withdrawn} message(s) "
                  "withdrawn. Their ratings stay, unattributed.", "success")
            return redirect(url_for(".index"))
    return _erase_page(candidate, form, erasure), form_status(form) if erasure is None else 200


def _erase_page(candidate: Candidate, form: ErasureForm, erasure: CandidateErasure | None) -> str:
    held = service.held_rows(db.session, candidate) if erasure is None else {}
    return render_template("privacy/erase.html", candidate=candidate, form=form,
                           erasure=erasure, held={k: v for k, v in held.items() if v},
                           export_form=ActionForm())


@bp.post("/candidates/<int:candidate_id>/export")
@roles_required()
def export(candidate_id: int) -> ResponseReturnValue:
    """Everything held on the candidate as JSON, for a subject access request (a POST:
    it is audited)."""
    candidate = service.get_candidate(db.session, candidate_id)
    if not ActionForm().validate_on_submit():  # the CSRF check itself is app-wide
        return redirect(url_for(".erase", candidate_id=candidate.id))
    data = service.export_candidate(db.session, current_actor(), candidate)
    response = Response(json.dumps(data, indent=2, sort_keys=True, default=str),
                        mimetype="application/json")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="candidate-{candidate.id}.json"')
    return response
