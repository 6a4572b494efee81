"""Requisition pages: list, create, edit, confirm, open, close, the hiring team, the
job description. Candidates' pages are in candidate_views.py (same blueprint)."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from sqlalchemy.orm import Session

from interviewloop import paging
from interviewloop.audit.service import Actor
from interviewloop.auth.login import current_actor
from interviewloop.db import db
from interviewloop.enums import Role
from interviewloop.errors import Conflict, Forbidden, InvalidInput
from interviewloop.forms import ActionForm, apply_domain_error, form_status, seen_version
from interviewloop.requisitions import job_description as jd
from interviewloop.requisitions import service
from interviewloop.requisitions.candidates import CANDIDATE_ORDER, candidate_rows
from interviewloop.requisitions.forms import MemberForm, RequisitionForm
from interviewloop.requisitions.models import (
    OPERATING_QUESTIONS,
    PRODUCTION_SURFACE,
    Requisition,
    RequisitionStatus,
)

bp = Blueprint("requisitions", __name__, url_prefix="/requisitions",
               template_folder="templates")


def load(requisition_id: int, *, team: bool = True, members: bool = True) -> Requisition:
    """The requisition, if the current user is on its hiring team (404 otherwise); ``team``:
    with the team loaded (service.get_requisition)."""
    return service.get_requisition(db.session, current_user, requisition_id, team=team,
                                   members=members)


def load_managed(requisition_id: int, *, team: bool = True) -> Requisition:
    """The requisition, if the current user manages it (403 for the rest of the team)."""
    requisition = load(requisition_id, team=team)
    service.require_manage(current_user, requisition)
    return requisition


def _form(requisition: Requisition | None = None) -> RequisitionForm:
    form = RequisitionForm(obj=requisition if requisition is not None else None)
    form.set_people(service.people_for(db.session, Role.HIRING_MANAGER),
                    service.people_for(db.session, Role.RECRUITER))
    return form


def _input(form: RequisitionForm) -> service.RequisitionInput:
    return service.RequisitionInput(
        title=form.title.data or "", level=form.level.data, team=form.team.data or "",
        hiring_manager_id=form.hiring_manager_id.data, recruiter_id=form.recruiter_id.data,
        comp_currency=form.comp_currency.data or "", comp_min=form.comp_min.data,
        comp_max=form.comp_max.data,
        answers={name: form[name].data or "" for name in OPERATING_QUESTIONS},
        surface={name: form[name].data or "" for name in PRODUCTION_SURFACE},
        hide_scorecards_until_debrief=form.hide_scorecards_until_debrief.data,
    )


def _render_form(form: RequisitionForm, requisition: Requisition | None = None,
                 status: int | None = None) -> tuple[str, int]:
    return render_template("requisitions/form.html", form=form, requisition=requisition,
                           questions=OPERATING_QUESTIONS, surface=PRODUCTION_SURFACE), (
        status or form_status(form))


@bp.get("/")
@login_required
def index():
    rows = service.visible_requisitions(db.session, current_user)
    return render_template("requisitions/index.html", rows=rows,
                           can_create=service.can_create(current_user))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    if not service.can_create(current_user):
        raise Forbidden("Only recruiters, hiring managers and admins open requisitions.")
    form = _form()
    if not form.is_submitted():
        if current_user.has_role(Role.HIRING_MANAGER):
            form.hiring_manager_id.data = current_user.id
        if current_user.has_role(Role.RECRUITER):
            form.recruiter_id.data = current_user.id
    if form.validate_on_submit():
        try:
            requisition = service.create_requisition(db.session, current_actor(), _input(form))
        except service.InvalidRequisition as exc:
            apply_domain_error(form, exc)
        else:
            flash("Requisition saved as a draft.", "success")
            return redirect(url_for(".detail", requisition_id=requisition.id))
    return _render_form(form)


@bp.get("/<int:requisition_id>")
@login_required
def detail(requisition_id: int) -> ResponseReturnValue:
    return _detail_page(load(requisition_id, members=False))  # the page reads its members


def _detail_page(requisition: Requisition, *, refusal: tuple[str, str] | None = None,
                 status: int = 200) -> ResponseReturnValue:
    """The requisition's page; ``refusal`` (the control, why) is shown beside that control,
    with the status of the refusal."""
    manages = service.can_manage(current_user, requisition)
    references = service.parse_comp_references(current_app.config["COMP_REFERENCE"])
    candidates = pager = None
    if manages:
        page = candidate_rows(db.session, requisition,
                              paging.read_cursor(request.args, CANDIDATE_ORDER))
        candidates = page.items
        pager = paging.pager(".detail", page, route={"requisition_id": requisition.id},
                             anchor="candidates")
    member_form = MemberForm()
    team = service.team_members(db.session, requisition)
    if manages:
        team_ids = {m.id for m in team}
        member_form.user_id.choices = [
            (u.id, f"{u.name} ({u.email})")
            for u in service.people_for(db.session, Role.INTERVIEWER) if u.id not in team_ids]
    return render_template(
        "requisitions/detail.html", requisition=requisition, manages=manages,
        questions=OPERATING_QUESTIONS, surface=PRODUCTION_SURFACE,
        blockers=service.opening_blockers(requisition),
        notices=service.comp_notices(requisition, references), references=references,
        candidates=candidates, pager=pager, refusal=refusal or ("", ""), team=team,
        action_form=ActionForm(), member_form=member_form,
    ), status


@bp.route("/<int:requisition_id>/edit", methods=["GET", "POST"])
@login_required
def edit(requisition_id: int) -> ResponseReturnValue:
    requisition = load_managed(requisition_id)
    form = _form(requisition)
    if not form.is_submitted():
        form.version.data = str(requisition.version)
    elif form.validate_on_submit():
        try:
            service.update_requisition(db.session, current_actor(), requisition, _input(form),
                                       seen_version=seen_version(form))
        except service.StaleRequisition as exc:
            form.form_errors.append(str(exc))
            form.version.data = str(requisition.version)
            return _render_form(form, requisition, 409)
        except service.InvalidRequisition as exc:
            apply_domain_error(form, exc)
        else:
            flash("Requisition saved.", "success")
            return redirect(url_for(".detail", requisition_id=requisition.id))
    return _render_form(form, requisition)


def _action(requisition_id: int, operation: Callable[[Session, Actor, Requisition], object],
            message: str, *, managed: bool = True, control: str = "") -> ResponseReturnValue:
    requisition = load_managed(requisition_id) if managed else load(requisition_id)
    if ActionForm().validate_on_submit():
        try:
            operation(db.session, current_actor(), requisition)
        except (Conflict, InvalidInput) as exc:  # refused: said beside the button used
            db.session.rollback()
            return _detail_page(requisition, refusal=(control, str(exc)),
                                status=exc.status_code)
        flash(message, "success")
    return redirect(url_for(".detail", requisition_id=requisition.id))


@bp.post("/<int:requisition_id>/confirm")
@login_required
def confirm(requisition_id: int) -> ResponseReturnValue:
    return _action(requisition_id, service.confirm_definition,
                   "You confirmed the role definition.", managed=False, control="confirm")


@bp.post("/<int:requisition_id>/open")
@login_required
def open_(requisition_id: int) -> ResponseReturnValue:
    return _action(requisition_id, service.open_requisition,
                   "The requisition is open: candidates can be added.", control="open")


@bp.get("/<int:requisition_id>/close")
@login_required
def confirm_close(requisition_id: int) -> ResponseReturnValue:
    """Closing asks first: what it ends, then the button that does it."""
    requisition = load_managed(requisition_id)
    if requisition.status == RequisitionStatus.CLOSED:
        raise Conflict("This requisition is already closed.")
    return render_template("requisitions/close.html", requisition=requisition,
                           action_form=ActionForm())


@bp.post("/<int:requisition_id>/close")
@login_required
def close(requisition_id: int) -> ResponseReturnValue:
    return _action(requisition_id, service.close_requisition, "The requisition is closed.",
                   control="close")


@bp.post("/<int:requisition_id>/team")
@login_required
def add_member(requisition_id: int) -> ResponseReturnValue:
    requisition = load_managed(requisition_id)
    form = MemberForm()
    form.user_id.choices = [(u.id, u.name)
                            for u in service.people_for(db.session, Role.INTERVIEWER)]
    if form.validate_on_submit():
        user = service.add_member(db.session, current_actor(), requisition, form.user_id.data)
        flash(f"{user.name} joined the hiring team.", "success")
        return redirect(url_for(".detail", requisition_id=requisition.id))
    abort(400, "Choose an active interviewer to add.")


@bp.post("/<int:requisition_id>/team/<int:user_id>/remove")
@login_required
def remove_member(requisition_id: int, user_id: int) -> ResponseReturnValue:
    requisition = load_managed(requisition_id)
    if ActionForm().validate_on_submit():
        service.remove_member(db.session, current_actor(), requisition, user_id)
        flash("Removed from the hiring team.", "success")
    return redirect(url_for(".detail", requisition_id=requisition.id))


def _job_description(requisition):
    templates = jd.load_templates(current_app.config["BANK_PATH"] / "job_descriptions.yaml")
    return jd.job_description(requisition, templates[requisition.level])


@bp.get("/<int:requisition_id>/job-description")
@login_required
def job_description(requisition_id: int) -> ResponseReturnValue:
    requisition = load(requisition_id)
    return render_template("requisitions/job_description.html", requisition=requisition,
                           jd=_job_description(requisition))


@bp.get("/<int:requisition_id>/job-description.<any(txt, md):fmt>")
@login_required
def job_description_download(requisition_id: int, fmt: str) -> ResponseReturnValue:
    requisition = load(requisition_id)
    document = _job_description(requisition)
    body = document.as_text() if fmt == "txt" else document.as_markdown()
    mimetype = "text/plain" if fmt == "txt" else "text/markdown"
    slug = re.sub(r"[^a-z0-9]+", "-", requisition.title.lower()).strip("-")
    # content_type is sent as given; mimetype= would get a second "; charset=utf-8"
    return Response(body, content_type=f"{mimetype}; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{slug or "job"}-{requisition.id}.{fmt}"'})


from interviewloop.requisitions import candidate_views  # noqa: E402,F401 - registers routes
