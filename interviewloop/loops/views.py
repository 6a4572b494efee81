"""A candidate's loop: build it, swap questions, add, remove and reorder stages, and see
the coverage matrix. Also the loop templates page."""

from __future__ import annotations

import functools
import itertools
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_required
from markupsafe import Markup

from interviewloop.auth.login import current_actor
from interviewloop.availability.views import loop_page_part
from interviewloop.bank.models import CapabilityArea
from interviewloop.bank.service import areas as all_areas
from interviewloop.db import db
from interviewloop.errors import DomainError, NotFound
from interviewloop.forms import ActionForm, choices
from interviewloop.loops import service, sets
from interviewloop.loops.forms import MoveForm, PanelSizeForm, SetRevisionForm, StageForm, SwapForm
from interviewloop.loops.models import AlternateReason, Loop
from interviewloop.loops.page import loop_page
from interviewloop.loops.signals import describing_stages
from interviewloop.requisitions.candidates import get_candidate
from interviewloop.requisitions.models import Candidate, Requisition
from interviewloop.requisitions.views import load_managed

bp = Blueprint("loops", __name__, template_folder="templates")

PREFIX = "/requisitions/<int:requisition_id>/candidates/<int:candidate_id>"

ALTERNATE_REASONS = {
    AlternateReason.HAD_ELSEWHERE: "this candidate had it in their loop on another requisition",
    AlternateReason.RETIRED: "it was retired, or no longer suits this level, after the set "
                             "was fixed",
    AlternateReason.EDITED: "changed on this loop by an editor",
}


def _load(requisition_id: int, candidate_id: int) -> tuple[Requisition, Candidate]:
    # The loop's pages and forms show and use no one of the hiring team.
    requisition = load_managed(requisition_id, team=False)
    candidate = get_candidate(db.session, requisition, candidate_id)
    return requisition, candidate


def _loop(requisition_id: int, candidate_id: int) -> tuple[Requisition, Candidate, Loop]:
    requisition, candidate = _load(requisition_id, candidate_id)
    loop = service.loop_for(db.session, candidate)
    if loop is None:
        abort(404, "This candidate has no loop yet.")
    return requisition, candidate, loop


@functools.lru_cache(maxsize=16)
def _blank_stage_fields(areas: tuple[tuple[str, str], ...]) -> Markup:
    """The add-stage form's fields as a fresh form renders them: the same HTML on every
    page for the same areas (slug, name), rendered once (WTForms took a sixth of the page)."""
    form = StageForm(formdata=None)
    form.focus.choices = choices(areas)
    return _render_fields(form)


def _render_fields(form: StageForm) -> Markup:
    # The output of an autoescaped template, as render_template gives it.
    return Markup(render_template("loops/_stage_fields.html", stage_form=form))  # noqa: S704


def _stage_fields(form: StageForm, areas: list[CapabilityArea], blank: bool) -> Markup:
    """Blank (a page, not a form sent back with errors): the fields rendered once."""
    if blank:
        return _blank_stage_fields(tuple((a.slug, a.name) for a in areas))
    return _render_fields(form)


def _back(requisition_id: int, candidate_id: int) -> ResponseReturnValue:
    return redirect(url_for(".show", requisition_id=requisition_id, candidate_id=candidate_id))


@bp.get(PREFIX)
@login_required
def show(requisition_id: int, candidate_id: int, stage_form: StageForm | None = None,
         status: int = 200) -> ResponseReturnValue:
    requisition, candidate = _load(requisition_id, candidate_id)
    blank, stage_form = stage_form is None, stage_form or StageForm()
    areas = all_areas(db.session)
    stage_form.set_areas(areas)
    loop = loop_page(db.session, candidate, areas)
    schedules: dict[int, Any] = {}
    if loop is not None:
        for _receiver, found in describing_stages.send(
                db.session, stage_ids=[s.id for s in loop.stages]):
            schedules.update(found)
    return render_template(
        "loops/show.html", requisition=requisition, candidate=candidate, interview_loop=loop,
        coverage=service.coverage_of(db.session, loop, areas) if loop else None,
        action_form=ActionForm(), stage_form=stage_form, swap_form=SwapForm(),
        stage_fields=_stage_fields(stage_form, areas, blank) if loop else None,
        move_form=MoveForm(), panel_form=PanelSizeForm(), alternate_reasons=ALTERNATE_REASONS,
        schedules=schedules, candidate_availability=loop_page_part(candidate),
    ), status


@bp.get(PREFIX + "/loop/questions/<int:loop_question_id>/alternatives")
@login_required
def swap_picker(requisition_id: int, candidate_id: int, loop_question_id: int
                ) -> ResponseReturnValue:
    """The swap picker for one question, read when it is opened: the form alone for the
    page's script to put in place (?fragment=1), else a page of its own (no script)."""
    requisition, candidate, loop = _loop(requisition_id, candidate_id)
    found = next(((s, lq) for s in loop.stages for lq in s.questions
                  if lq.id == loop_question_id), None)
    if found is None:
        abort(404, "No such question in this loop.")
    stage, question = found
    template = "loops/_swap_picker.html" if request.args.get("fragment") == "1" \
        else "loops/swap_picker.html"
    return render_template(template, requisition=requisition, candidate=candidate,
                           stage=stage, lq=question, swap_form=SwapForm(),
                           alternatives=service.alternatives(db.session, loop, stage))


@bp.post(PREFIX + "/loop")
@login_required
def build(requisition_id: int, candidate_id: int) -> ResponseReturnValue:
    requisition, candidate = _load(requisition_id, candidate_id)
    if ActionForm().validate_on_submit():
        loop = service.build_loop(db.session, current_actor(), requisition, candidate)
        flash("Loop built." if not loop.coverage_gaps else
              "Loop built, with coverage gaps: see below.", "success")
    return _back(requisition_id, candidate_id)


@bp.post(PREFIX + "/loop/questions/<int:loop_question_id>/swap")
@login_required
def swap(requisition_id: int, candidate_id: int, loop_question_id: int) -> ResponseReturnValue:
    requisition, _candidate, loop = _loop(requisition_id, candidate_id)
    form = SwapForm()
    if not form.validate_on_submit():
        abort(400, "Choose a question from the list, or none for the next best fit.")
    service.swap_question(db.session, current_actor(), requisition, loop, loop_question_id,
                          form.question_id.data)
    flash("Question swapped.", "success")
    return _back(requisition_id, candidate_id)


@bp.post(PREFIX + "/loop/stages")
@login_required
def add_stage(requisition_id: int, candidate_id: int) -> ResponseReturnValue:
    requisition, _candidate, loop = _loop(requisition_id, candidate_id)
    form = StageForm()
    form.set_areas(all_areas(db.session))
    if form.validate_on_submit():
        service.add_stage(db.session, current_actor(), requisition, loop, service.StageInput(
            name=form.name.data, category=form.category.data, minutes=form.minutes.data,
            question_count=form.question_count.data, focus=form.focus.data))
        flash("Stage added.", "success")
        return _back(requisition_id, candidate_id)
    page: ResponseReturnValue = show(requisition_id, candidate_id, stage_form=form, status=422)
    return page


@bp.post(PREFIX + "/loop/stages/<int:stage_id>/remove")
@login_required
def remove_stage(requisition_id: int, candidate_id: int, stage_id: int) -> ResponseReturnValue:
    requisition, _candidate, loop = _loop(requisition_id, candidate_id)
    if ActionForm().validate_on_submit():
        service.remove_stage(db.session, current_actor(), requisition, loop, stage_id)
        flash("Stage removed.", "success")
    return _back(requisition_id, candidate_id)


@bp.post(PREFIX + "/loop/stages/<int:stage_id>/panel")
@login_required
def set_panel_size(requisition_id: int, candidate_id: int, stage_id: int) -> ResponseReturnValue:
    requisition, _candidate, loop = _loop(requisition_id, candidate_id)
    form = PanelSizeForm()
    stage = service.set_panel_size(db.session, current_actor(), requisition, loop, stage_id,
                                   form.panel_size.data if form.validate_on_submit() else None)
    flash(f"{stage.name}: a panel of {stage.panel_size}.", "success")
    return _back(requisition_id, candidate_id)


@bp.post(PREFIX + "/loop/stages/<int:stage_id>/move")
@login_required
def move_stage(requisition_id: int, candidate_id: int, stage_id: int) -> ResponseReturnValue:
    requisition, _candidate, loop = _loop(requisition_id, candidate_id)
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400, "Move a stage up or down.")
    service.move_stage(db.session, current_actor(), requisition, loop, stage_id,
                       form.direction.data)
    return _back(requisition_id, candidate_id)


# --- the requisition's question set ------------------------------------------------------------

SET = "/requisitions/<int:requisition_id>/question-set"


def _changes(versions: list[Any]) -> dict[int, list[tuple[str, str, str]]]:
    """Per version, what it changed from the one before: (stage, from title, to title)."""
    found: dict[int, list[tuple[str, str, str]]] = {}
    for newer, older in itertools.pairwise(versions):
        found[newer.number] = [
            (stage.name, old.question.title, new.question.title)
            for stage, was in zip(newer.stages, older.stages, strict=True)
            for new, old in zip(stage.questions, was.questions, strict=True)
            if new.question_id != old.question_id]
    return found


@bp.get(SET)
@login_required
def question_set(requisition_id: int, error: str | None = None,
                 values: dict[str, Any] | None = None, status: int = 200) -> ResponseReturnValue:
    requisition = load_managed(requisition_id)
    versions = sets.set_versions(db.session, requisition)
    current = versions[0] if versions else None
    return render_template(
        "loops/question_set.html", requisition=requisition, current=current,
        versions=versions, changes=_changes(versions), action_form=ActionForm(),
        revision_form=SetRevisionForm(), error=error, values=values or {},
        alternatives=sets.alternatives(db.session, current, requisition.level)
        if current else {}), status


@bp.post(SET)
@login_required
def fix_question_set(requisition_id: int) -> ResponseReturnValue:
    requisition = load_managed(requisition_id)
    if ActionForm().validate_on_submit():
        sets.fix_set(db.session, current_actor(), requisition,
                     service.require_template(db.session, requisition.level))
        flash("Question set fixed: every candidate's loop is built from it.", "success")
    return redirect(url_for(".question_set", requisition_id=requisition_id))


@bp.post(SET + "/revise")
@login_required
def revise_question_set(requisition_id: int) -> ResponseReturnValue:
    requisition = load_managed(requisition_id)
    form = SetRevisionForm()
    if not form.validate_on_submit():
        abort(400, "Revise a question of the set from its form on the set's page.")
    values = {"stage_position": form.stage_position.data, "question_id": form.question_id.data,
              "replacement_id": form.replacement_id.data, "reason": form.reason.data or ""}
    try:
        revised = sets.revise_set(db.session, current_actor(), requisition, sets.Revision(
            stage_position=form.stage_position.data, question_id=form.question_id.data,
            replacement_id=form.replacement_id.data, reason=form.reason.data or "",
            seen_number=form.seen_number.data))
    except NotFound:
        raise
    except DomainError as exc:  # refused: say why on the page, keep what was typed
        db.session.rollback()
        page: ResponseReturnValue = question_set(requisition_id, error=str(exc), values=values,
                                                 status=exc.status_code)
        return page
    flash(f"Question set revised: version {revised.number}, for candidates whose loops are "
          "built from now on.", "success")
    return redirect(url_for(".question_set", requisition_id=requisition_id))


@bp.get("/loop-templates")
@login_required
def templates():
    return render_template("loops/templates.html", templates=service.templates(db.session))
