"""The analytics pages (issue 12), each with a CSV twin at the same path plus `.csv`.
Every logged-in person may open them: what they show is limited to the scorecards the
viewer could read on the debrief (analytics/queries.py), and the names to the rows they
may see (analytics/service.py)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from flask import Blueprint, Response, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from markupsafe import Markup

from interviewloop import limits, paging
from interviewloop.analytics import cache, charts, funnel, queries, questions, service, stats
from interviewloop.analytics.forms import AnalyticsFilterForm, FunnelFilterForm, QuestionFilterForm
from interviewloop.bank.service import areas as all_areas
from interviewloop.db import db
from interviewloop.debrief.export import csv_cell as cell
from interviewloop.scorecards.models import RATING_LABELS

bp = Blueprint("analytics", __name__, url_prefix="/analytics", template_folder="templates")


def _form(kind: type[AnalyticsFilterForm] = AnalyticsFilterForm
          ) -> tuple[AnalyticsFilterForm, bool]:
    form = kind(request.args)
    form.set_requisitions(queries.requisition_choices(db.session, current_user))
    return form, form.validate()


def _csv(name: str, rows: Iterable[Iterable[object]]) -> Response:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _refused(form: AnalyticsFilterForm | QuestionFilterForm) -> Response:
    problems = "; ".join(f"{f.label.text}: {' '.join(f.errors)}" for f in form if f.errors)
    return Response(f"Fix the filters: {problems}\n", status=400, mimetype="text/plain")


def _args(form: AnalyticsFilterForm | QuestionFilterForm) -> dict[str, str]:
    return {name: value for name in form.FILTERS if (value := request.args.get(name))}


def _number(value: float | None, places: int = 2) -> str:
    return "" if value is None else f"{value:.{places}f}"


def _reliability(form: AnalyticsFilterForm) -> list[service.AreaReliability]:
    filters = form.filters()
    return cache.cached(db.session, current_user, "reliability", filters, lambda: service.reliability(
        db.session, current_user, all_areas(db.session), filters))


@bp.get("/reliability")
@login_required
def reliability() -> ResponseReturnValue:
    form, valid = _form()
    if not valid:
        return render_template("analytics/reliability.html", form=form, rows=None,
                               args={}), 400
    rows = _reliability(form)
    return render_template("analytics/reliability.html", form=form, rows=rows,
                           args=_args(form), chart=charts.alpha_intervals(rows),
                           minimum=limits.MIN_RELIABILITY_UNITS, resamples=stats.RESAMPLES)


@bp.get("/reliability.csv")
@login_required
def reliability_csv() -> ResponseReturnValue:
    form, valid = _form()
    if not valid:
        return _refused(form)
    rows = _reliability(form)
    return _csv("reliability.csv", [
        ["area", "units", "pairable_ratings", "alpha_ordinal", "ci95_low", "ci95_high",
         "minimum_units", "note"],
        *([cell(r.area.name), r.units, r.pairable, _number(r.alpha.value, 4), _number(r.alpha.low, 4),
           _number(r.alpha.high, 4), limits.MIN_RELIABILITY_UNITS,
           "" if r.alpha.value is not None else "too few units" if not r.enough
           else "undefined: every rating the same"] for r in rows)])


def _interviewer_figures(form: AnalyticsFilterForm) -> service.InterviewerReport:
    filters, due = form.filters(), current_app.config["SCORECARD_DUE_HOURS"]
    return cache.cached(db.session, current_user, "interviewers", (filters, due),
                        lambda: service.interviewers(db.session, current_user,
                                                     all_areas(db.session), filters,
                                                     due_hours=due))


def _interviewers_body(form: AnalyticsFilterForm) -> Markup:
    report = _interviewer_figures(form)
    return Markup(render_template(  # noqa: S704 - a template of ours, autoescaped
        "analytics/_interviewers_report.html", report=report, labels=RATING_LABELS,
        bars=charts.distribution_bars(report), limits=limits))


@bp.get("/interviewers")
@login_required
def interviewers() -> ResponseReturnValue:
    due = current_app.config["SCORECARD_DUE_HOURS"]
    form, valid = _form()
    if not valid:
        return render_template("analytics/interviewers.html", form=form, body=None,
                               due_hours=due, args={}, limits=limits), 400
    # The report as rendered is kept with its figures (same key but the name): its charts
    # and tables take longer to render than the cached figures take to read.
    body = cache.cached(db.session, current_user, "interviewers page", (form.filters(), due),
                        lambda: _interviewers_body(form))
    return render_template("analytics/interviewers.html", form=form, body=body,
                           due_hours=due, args=_args(form), limits=limits)


def _share(s: service.Share) -> list[object]:
    return [s.k, s.n, _number(s.value if s.low is not None else None, 3), _number(s.low, 3),
            _number(s.high, 3)]


@bp.get("/interviewers.csv")
@login_required
def interviewers_csv() -> ResponseReturnValue:
    form, valid = _form()
    if not valid:
        return _refused(form)
    report = _interviewer_figures(form)
    head: list[object] = ["interviewer", "scorecards", "median_hours_to_feedback", "median_ci95_low",
            "median_ci95_high", "on_time", "of", "on_time_share", "ci95_low", "ci95_high",
            "leniency", "leniency_ci95_low", "leniency_ci95_high", "leniency_candidates",
            "not_assessed_focus", "focus_ratings", "not_assessed_share", "ci95_low",
            "ci95_high", "matched_decision", "decided", "matched_share", "ci95_low",
            "ci95_high", "evidence_nudged", "evidence_checked", "nudged_share", "ci95_low",
            "ci95_high", "changed_after_nudge", "nudged", "changed_share", "ci95_low",
            "ci95_high",
            *(f"{a.slug}_rated_{v}" for a in report.areas for v in stats.RATING_VALUES)]
    lines: list[list[object]] = [head]
    for row in [*report.rows, report.pool]:
        dist = [n for a in report.areas for n in row.distribution.get(a.id, ["", "", "", ""])]
        lines.append([
            cell(row.label), row.scorecards, _number(row.median_hours.value, 1),
            _number(row.median_hours.low, 1), _number(row.median_hours.high, 1),
            *_share(row.on_time), _number(row.leniency.value, 3), _number(row.leniency.low, 3),
            _number(row.leniency.high, 3), row.leniency_candidates,
            *_share(row.not_assessed_focus), *_share(row.matched), *_share(row.nudged),
            *_share(row.nudged_changed), *dist])
    return _csv("interviewers.csv", lines)


# --- questions --------------------------------------------------------------------------------

def _questions() -> tuple[QuestionFilterForm, questions.QuestionReport | None]:
    form = QuestionFilterForm(request.args)
    if not form.validate():
        return form, None
    return form, _question_figures(form)


def _question_figures(form: QuestionFilterForm) -> questions.QuestionReport:
    filters, page = form.filters(), form.page.data or 1
    limit = current_app.config["QUESTION_EXPOSURE_LIMIT"]
    return cache.cached(db.session, current_user, "questions", (filters, page, limit),
                        lambda: questions.report(db.session, current_user, filters, page=page,
                                                 exposure_limit=limit))


def _questions_body(report: questions.QuestionReport, args: dict[str, str]) -> Markup:
    pager = paging.pager(".questions_page", paging.numbered_page(
        report.rows, number=report.number, size=report.size, total=report.total), filters=args)
    return Markup(render_template(  # noqa: S704 - a template of ours, autoescaped
        "analytics/_questions_report.html", report=report, pager=pager,
        bars={r.question_id: charts.question_bar(r.ratings)
              for r in report.rows if r.enough_ratings},
        labels=RATING_LABELS, limits=limits))


@bp.get("/questions")
@login_required
def questions_page() -> ResponseReturnValue:
    form = QuestionFilterForm(request.args)
    if not form.validate():
        return render_template("analytics/questions.html", form=form, body=None, args={},
                               limits=limits), 400
    args = _args(form)
    # The page of the report as rendered is kept with its figures (the interviewers page's
    # reason); its links carry the filters as given, so those are in the key too.
    key = (form.filters(), form.page.data or 1, current_app.config["QUESTION_EXPOSURE_LIMIT"],
           tuple(sorted(args.items())))
    body = cache.cached(db.session, current_user, "questions page", key,
                        lambda: _questions_body(_question_figures(form), args))
    return render_template("analytics/questions.html", form=form, body=body, args=args,
                           limits=limits)


@bp.get("/questions.csv")
@login_required
def questions_page_csv() -> ResponseReturnValue:
    form, report = _questions()
    if report is None:
        return _refused(form)
    lines: list[list[object]] = [[
        "question_id", "title", "category", "uses", "uses_last_90_days", "loops_last_90_days",
        "share_of_loops_last_90_days", "rated_candidates", "ratings",
        *(f"rated_{v}" for v in stats.RATING_VALUES), "minimum_ratings", "offers", "rejections",
        "somers_d", "ci95_low", "ci95_high", "minimum_decided", "flags"]]
    for r in report.rows:
        shown = r.enough_ratings
        lines.append([
            r.question_id, cell(r.title), r.category.value, r.uses, r.recent_uses,
            report.recent_loops, _number(r.recent_share.value, 3), r.rated_candidates,
            r.rating_count, *(r.ratings if shown else ["", "", "", ""]),
            limits.MIN_QUESTION_RATINGS, r.offers, r.rejections,
            _number(r.discrimination.value, 3), _number(r.discrimination.low, 3),
            _number(r.discrimination.high, 3), limits.MIN_QUESTION_DECIDED,
            " ".join(f.value for f in r.flags)])
    return _csv(f"questions-page-{report.number}.csv", lines)


# --- funnel -----------------------------------------------------------------------------------

def _funnel(form: AnalyticsFilterForm) -> list[funnel.LevelFunnel]:
    filters = form.filters()
    return cache.cached(db.session, current_user, "funnel", filters,
                        lambda: funnel.report(db.session, current_user, filters))


@bp.get("/funnel")
@login_required
def funnel_page() -> ResponseReturnValue:
    form, valid = _form(FunnelFilterForm)
    if not valid:
        return render_template("analytics/funnel.html", form=form, levels=None, args={}), 400
    levels = _funnel(form)
    return render_template("analytics/funnel.html", form=form, levels=levels, args=_args(form),
                           charts={lf.total.level: charts.funnel(lf.total) for lf in levels},
                           limits=limits)


@bp.get("/funnel.csv")
@login_required
def funnel_page_csv() -> ResponseReturnValue:
    form, valid = _form(FunnelFilterForm)
    if not valid:
        return _refused(form)
    lines: list[list[object]] = [[
        "level", "requisition_id", "requisition", "step_number", "step", "candidates",
        "from_previous", "of_previous", "pass_through", "ci95_low", "ci95_high",
        "median_days_to_next_step", "ci95_low", "ci95_high", "timed_to_next_step",
        "decided", "offers", "median_days_last_interview_to_decision", "ci95_low", "ci95_high",
        "timed_to_decision"]]
    for lf in _funnel(form):
        for row in (lf.total, *lf.requisitions):
            for n, step in enumerate(row.steps):
                passed: list[object] = (["", "", "", "", ""] if step.passed is None
                                        else _share(step.passed))
                lines.append([
                    row.level.value, row.requisition_id or "", cell(row.label), n,
                    cell(step.label), step.count, *passed, _number(step.to_next.value, 1),
                    _number(step.to_next.low, 1), _number(step.to_next.high, 1), step.timed,
                    row.decided, row.offers, _number(row.to_decision.value, 1),
                    _number(row.to_decision.low, 1), _number(row.to_decision.high, 1),
                    row.to_decision_timed])
    return _csv("funnel.csv", lines)
