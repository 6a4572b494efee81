"""The candidate's debrief, the pre-offer check, the decision, the requisition dashboard
and the CSV export."""

from __future__ import annotations

import dataclasses
from typing import Any

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

from interviewloop import paging
from interviewloop.auth.login import current_actor
from interviewloop.bank.service import areas as all_areas
from interviewloop.db import db, utcnow
from interviewloop.debrief import cells, dashboard, service, summary
from interviewloop.debrief import export as csv_export
from interviewloop.debrief.models import ANSWERS, Answer, DecisionKind
from interviewloop.errors import DomainError, Forbidden, NotFound
from interviewloop.requisitions.models import Candidate, CandidateStatus, Requisition
from interviewloop.requisitions.views import load_managed
from interviewloop.scorecards.access import panel_of
from interviewloop.scorecards.models import RATING_LABELS, PreOfferQuestion

bp = Blueprint("debrief", __name__, template_folder="templates")
for _part in (cells.flag_evidence, cells.rating_rows, cells.stats_rows, cells.reading_aid_lines,
              cells.summaries, cells.panel_states, cells.question_signals, cells.heat_cells):
    bp.add_app_template_global(_part)
PREFIX = "/requisitions/<int:requisition_id>/candidates/<int:candidate_id>"


def _load(requisition_id: int, candidate_id: int) -> tuple[Requisition, Candidate]:
    """The candidate, if the viewer may see the panel's scorecards (404 otherwise). The
    debrief shows no team: the requisition is read without it."""
    requisition, candidate, verdict = panel_of(db.session, current_user, requisition_id,
                                               candidate_id)
    if not verdict.sees_panel:
        raise NotFound(verdict.reason or "No such candidate.")
    return requisition, candidate


def aliases(ids: list[int]) -> dict[int, str]:
    """Interviewer A, B, C ... in the order given (each person once), for the names-hidden
    reading: the same person is the same letter everywhere on the page."""
    order = list(dict.fromkeys(ids))
    return {uid: "Interviewer " + (chr(ord("A") + n) if n < 26 else str(n + 1))
            for n, uid in enumerate(order)}


def debrief_data(requisition: Requisition, candidate: Candidate) -> dict[str, Any]:
    debrief = summary.debrief_for(db.session, requisition, candidate, now=utcnow(),
                                  due_hours=current_app.config["SCORECARD_DUE_HOURS"])
    # Its fields, as they are: dataclasses.asdict would deep-copy the ORM objects in them.
    data = {field.name: getattr(debrief, field.name) for field in dataclasses.fields(debrief)}
    aliases_ = aliases([c.interviewer_id for c in debrief.cards]
                       + [st.interviewer.id for st in debrief.states])
    return {**data, "aliases": aliases_,
            "ratings": {(c.id, r.area_id): r for c in debrief.cards for r in c.ratings},
            "labels": RATING_LABELS, "questions": list(PreOfferQuestion)}


def _render(requisition: Requisition, candidate: Candidate, status: int = 200,
            **extra: Any) -> ResponseReturnValue:
    data = debrief_data(requisition, candidate)
    hidden = names_hidden()
    context = {"names_hidden": hidden,
               "who": lambda user_id, name: data["aliases"].get(user_id, name) if hidden else name,
               "form_values": {}, "problems": {}, "decision_error": None,
               "pre_offer_error": None, "decision_values": {}, **extra}
    deciding = (service.is_deciding_manager(current_user, requisition)
                and service.decision_open(data["decision"]))
    adjusted = service.reading_aids(db.session, current_user, candidate, data["cards"])
    return render_template("debrief/show.html", **data, **context, adjusted=adjusted,
                           flagged=cells.to_discuss(data["stats"]),
                           # A refused answer keeps its form, with what was typed.
                           can_answer=deciding and (not data["blocker"]
                                                    or bool(context["pre_offer_error"])),
                           can_decide=deciding, answers=ANSWERS, answer_values=list(Answer),
                           offer_refused=service.offer_refusal(db.session, candidate, data["check"])
                           if deciding else None,
                           kinds=list(DecisionKind)), status


def names_hidden() -> bool:
    """The names-hidden reading (?names=hidden), kept across the page's forms."""
    names = request.args.get("names", "")
    if names not in ("", "shown", "hidden"):
        abort(400, "names is hidden or shown.")
    return names == "hidden"


@bp.get(PREFIX + "/debrief")
@login_required
def show(requisition_id: int, candidate_id: int) -> ResponseReturnValue:
    requisition, candidate = _load(requisition_id, candidate_id)
    return _render(requisition, candidate)


@bp.get(PREFIX + "/debrief.csv")
@login_required
def export(requisition_id: int, candidate_id: int) -> ResponseReturnValue:
    requisition, candidate = _load(requisition_id, candidate_id)
    data = debrief_data(requisition, candidate)
    hidden = names_hidden()
    body = csv_export.debrief_csv(
        data, lambda user_id, name: data["aliases"].get(user_id, name) if hidden else name)
    name = f"debrief-{requisition.id}-{candidate.id}.csv"
    return Response(body, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.post(PREFIX + "/pre-offer")
@login_required
def pre_offer(requisition_id: int, candidate_id: int) -> ResponseReturnValue:
    requisition, candidate = _load(requisition_id, candidate_id)
    answers = {name: (request.form.get(name, ""), request.form.get(f"{name}_evidence", ""))
               for name in ANSWERS}
    try:
        check = service.answer_pre_offer(db.session, current_actor(), requisition, candidate,
                                         answers)
    except service.InvalidPreOffer as exc:
        db.session.rollback()
        return _render(requisition, candidate, 422, form_values=answers, problems=exc.problems)
    except Forbidden:
        raise
    except DomainError as exc:  # refused: say why on the page, keep what was typed
        db.session.rollback()
        return _render(requisition, candidate, exc.status_code, form_values=answers,
                       pre_offer_error=str(exc))
    flash("Pre-offer check passed: an offer can be recorded." if check.passed else
          "Pre-offer check recorded a weak answer: keep looking.", "success")
    return redirect(url_for(".show", requisition_id=requisition.id, candidate_id=candidate.id,
                            names="hidden" if names_hidden() else None))


@bp.post(PREFIX + "/decision")
@login_required
def decide(requisition_id: int, candidate_id: int) -> ResponseReturnValue:
    requisition, candidate = _load(requisition_id, candidate_id)
    values = {name: request.form.get(name, "") for name in ("kind", "rationale", "waiver")}
    try:
        decision = service.record_decision(db.session, current_actor(), requisition, candidate,
                                           values["kind"], values["rationale"], values["waiver"])
    except Forbidden:
        raise
    except DomainError as exc:  # refused: say why on the page, keep what was typed
        db.session.rollback()
        return _render(requisition, candidate, exc.status_code, decision_error=str(exc),
                       decision_values=values)
    flash(f"Decision recorded: {decision.kind.value}.", "success")
    return redirect(url_for(".show", requisition_id=requisition.id, candidate_id=candidate.id,
                            names="hidden" if names_hidden() else None))


@bp.get("/requisitions/<int:requisition_id>/dashboard")
@login_required
def requisition_dashboard(requisition_id: int) -> ResponseReturnValue:
    requisition = load_managed(requisition_id, team=False)  # the dashboard shows no team
    sort = request.args.get("sort", "name")
    status = request.args.get("status", "")
    if sort not in dashboard.SORTS:
        abort(400, f"Sort by one of: {', '.join(dashboard.SORTS)}.")
    if status and status not in set(CandidateStatus):
        abort(400, "Unknown candidate status.")
    number = paging.read_page_number(request.args)
    cursor = paging.read_cursor(request.args, dashboard.NAME_ORDER)
    page = dashboard.page(db.session, requisition, current_user, now=utcnow(),
                          due_hours=current_app.config["SCORECARD_DUE_HOURS"], sort=sort,
                          status=status or None, cursor=cursor, number=number)
    pager = paging.pager(".requisition_dashboard", page,
                         route={"requisition_id": requisition.id},
                         filters={"sort": sort, "status": status or None})
    return render_template("debrief/dashboard.html", requisition=requisition, rows=page.items,
                           areas=all_areas(db.session), labels=RATING_LABELS,
                           pager=pager, sort=sort, status=status, sorts=dashboard.SORTS,
                           status_choices=CandidateStatus.choices())
