from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_required

from interviewloop import paging
from interviewloop.auth.login import current_actor, roles_required
from interviewloop.bank import service
from interviewloop.bank.forms import BankFilterForm, QuestionForm
from interviewloop.bank.models import Question
from interviewloop.bank.schema import QuestionInput, clean_lines
from interviewloop.db import db
from interviewloop.enums import Category, Level
from interviewloop.forms import ActionForm, form_status, seen_version

bp = Blueprint("bank", __name__, url_prefix="/bank", template_folder="templates")
bp.add_app_template_global(service.can_edit_bank, "can_edit_bank")

EDITORS = service.EDITORS


@bp.get("/")
@login_required
def index():
    areas, benchmarks = service.areas(db.session), service.benchmarks(db.session)
    form = BankFilterForm(request.args)
    form.set_choices(areas, benchmarks)
    if not form.validate():
        return render_template("bank/index.html", form=form, page=None), 400
    filters = service.BankFilters(
        category=Category(form.category.data) if form.category.data else None,
        level=Level(form.level.data) if form.level.data else None,
        area=form.area.data or None,
        benchmark=form.benchmark.data or None,
        text=form.q.data or "",
        status=form.status.data,
    )
    page = service.search_questions(db.session, filters, page=form.page.data or 1,
                                    size=current_app.config["BANK_PAGE_SIZE"], bank_areas=areas)
    # Only the filter's own fields go back into the pager's links (paging.pager).
    args = {name: value for name in form.FILTERS if (value := request.args.get(name))}
    pager = paging.pager(".index", paging.numbered_page(
        page.items, number=page.number, size=page.size, total=page.total,
        cap=form.PAGES), filters=args)
    return render_template("bank/index.html", form=form, page=page, pager=pager)


@bp.get("/questions/<int:question_id>")
@login_required
def detail(question_id: int) -> ResponseReturnValue:
    question = service.get_question(db.session, question_id)
    return render_template("bank/detail.html", question=question, action_form=ActionForm())


@bp.get("/rubric")
@login_required
def rubric():
    return render_template(
        "bank/rubric.html", areas=service.areas(db.session),
        benchmarks=service.benchmarks(db.session),
        by_area=service.expectations_by_area(db.session), levels=list(Level),
    )


def _question_input(form: QuestionForm) -> QuestionInput:
    return QuestionInput(
        slug="", category=form.category.data, title=form.title.data, prompt=form.prompt.data,
        signals=clean_lines(form.signals.data), red_flags=clean_lines(form.red_flags.data),
        areas=form.areas.data, levels=form.levels.data, benchmarks=form.benchmarks.data or [],
        minutes=form.minutes.data,
    )


def _show_problems(form: QuestionForm, exc: service.InvalidQuestion) -> None:
    for problem in exc.problems:
        target = getattr(form, problem.field, None)
        if target is not None and problem.field != "slug":
            target.errors = [*target.errors, problem.message.capitalize()]
        else:
            form.form_errors.append(f"{problem.field}: {problem.message}")


@bp.route("/questions/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def create():
    form = QuestionForm()
    form.set_choices(service.areas(db.session), service.benchmarks(db.session))
    if form.validate_on_submit():
        try:
            question = service.create_question(db.session, current_actor(), _question_input(form))
        except service.InvalidQuestion as exc:
            _show_problems(form, exc)
        else:
            flash("Question added to the bank.", "success")
            return redirect(url_for("bank.detail", question_id=question.id))
    return render_template("bank/form.html", form=form, question=None), form_status(form)


@bp.route("/questions/<int:question_id>/edit", methods=["GET", "POST"])
@roles_required(*EDITORS)
def edit(question_id: int) -> ResponseReturnValue:
    question = service.get_question(db.session, question_id)
    form = QuestionForm()
    form.set_choices(service.areas(db.session), service.benchmarks(db.session))
    if not form.is_submitted():
        _fill(form, question)
    elif form.validate_on_submit():
        try:
            service.update_question(db.session, current_actor(), question,
                                    _question_input(form), seen_version=seen_version(form))
        except service.StaleQuestion as exc:
            form.form_errors.append(str(exc))
            form.version.data = str(question.version)
            return render_template("bank/form.html", form=form, question=question,
                                   stale=True), 409
        except service.InvalidQuestion as exc:
            _show_problems(form, exc)
        else:
            flash("Question saved.", "success")
            return redirect(url_for("bank.detail", question_id=question.id))
    return render_template("bank/form.html", form=form, question=question), form_status(form)


def _fill(form: QuestionForm, question: Question) -> None:
    data = service.question_input(question)
    form.title.data, form.category.data, form.prompt.data = data.title, data.category, data.prompt
    form.signals.data = "\n".join(data.signals)
    form.red_flags.data = "\n".join(data.red_flags)
    form.areas.data, form.levels.data = data.areas, data.levels
    form.benchmarks.data, form.minutes.data = data.benchmarks, data.minutes
    form.version.data = str(question.version)


@bp.post("/questions/<int:question_id>/retire")
@roles_required(*EDITORS)
def retire(question_id: int) -> ResponseReturnValue:
    question = service.get_question(db.session, question_id)
    if ActionForm().validate_on_submit():
        service.retire_question(db.session, current_actor(), question)
        flash("Question retired: new loops will not use it.", "success")
    return redirect(url_for("bank.detail", question_id=question.id))


@bp.post("/questions/<int:question_id>/unretire")
@roles_required(*EDITORS)
def unretire(question_id: int) -> ResponseReturnValue:
    question = service.get_question(db.session, question_id)
    if ActionForm().validate_on_submit():
        service.unretire_question(db.session, current_actor(), question)
        flash("Question back in use.", "success")
    return redirect(url_for("bank.detail", question_id=question.id))
