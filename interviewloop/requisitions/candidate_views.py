"""Candidate pages, on the requisitions blueprint: add, edit, withdraw."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_required

from interviewloop.auth.login import current_actor
from interviewloop.auth.service import time_zones
from interviewloop.db import db
from interviewloop.forms import ActionForm, apply_domain_error, form_status, seen_version
from interviewloop.requisitions import candidates as service
from interviewloop.requisitions.forms import CandidateForm
from interviewloop.requisitions.models import Candidate, Requisition
from interviewloop.requisitions.views import bp, load_managed


def _input(form: CandidateForm) -> service.CandidateInput:
    return service.CandidateInput(name=form.name.data or "", email=form.email.data or "",
                                  source=form.source.data or "", notes=form.notes.data or "",
                                  time_zone=form.time_zone.data or "")


def _page(form: CandidateForm, requisition: Requisition, candidate: Candidate | None) -> str:
    return render_template("requisitions/candidate_form.html", form=form,
                           requisition=requisition, candidate=candidate,
                           zones=sorted(time_zones()))


@bp.route("/<int:requisition_id>/candidates/new", methods=["GET", "POST"])
@login_required
def add_candidate(requisition_id: int) -> ResponseReturnValue:
    requisition = load_managed(requisition_id)
    form = CandidateForm()
    if form.validate_on_submit():
        try:
            candidate = service.add_candidate(db.session, current_actor(), requisition,
                                              _input(form))
        except service.InvalidCandidate as exc:
            apply_domain_error(form, exc)
        else:
            flash(f"Added {candidate.name}.", "success")
            return redirect(url_for("loops.show", requisition_id=requisition.id,
                                    candidate_id=candidate.id))
    return _page(form, requisition, None), form_status(form)


@bp.route("/<int:requisition_id>/candidates/<int:candidate_id>/edit", methods=["GET", "POST"])
@login_required
def edit_candidate(requisition_id: int, candidate_id: int) -> ResponseReturnValue:
    requisition = load_managed(requisition_id)
    candidate = service.get_candidate(db.session, requisition, candidate_id)
    form = CandidateForm(obj=candidate)
    status = None
    if not form.is_submitted():
        form.version.data = str(candidate.version)
    elif form.validate_on_submit():
        try:
            service.update_candidate(db.session, current_actor(), requisition, candidate,
                                     _input(form), seen_version=seen_version(form))
        except service.StaleCandidate as exc:
            form.form_errors.append(str(exc))
            form.version.data = str(candidate.version)
            status = 409
        except service.InvalidCandidate as exc:
            apply_domain_error(form, exc)
        else:
            flash("Candidate saved.", "success")
            return redirect(url_for("loops.show", requisition_id=requisition.id,
                                    candidate_id=candidate.id))
    return _page(form, requisition, candidate), status or form_status(form)


@bp.post("/<int:requisition_id>/candidates/<int:candidate_id>/withdraw")
@login_required
def withdraw_candidate(requisition_id: int, candidate_id: int) -> ResponseReturnValue:
    requisition = load_managed(requisition_id)
    candidate = service.get_candidate(db.session, requisition, candidate_id)
    if ActionForm().validate_on_submit():
        service.withdraw_candidate(db.session, current_actor(), requisition, candidate)
        flash(f"{candidate.name} is withdrawn.", "success")
    return redirect(url_for("loops.show", requisition_id=requisition.id,
                            candidate_id=candidate.id))
