"""Scorecard pages: the author's form (draft, submit, edit), a scorecard, and a
candidate's panel of scorecards, each behind the independence rule."""

from __future__ import annotations

from collections.abc import Iterable

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from interviewloop import paging
from interviewloop.auth.login import current_actor
from interviewloop.bank.models import CapabilityArea
from interviewloop.bank.service import areas as all_areas
from interviewloop.bank.service import bars
from interviewloop.db import db, utcnow
from interviewloop.errors import DomainError, NotFound
from interviewloop.forms import ActionForm
from interviewloop.loops.models import LoopStage
from interviewloop.pools import service as pools
from interviewloop.requisitions import service as requisitions
from interviewloop.requisitions.candidates import get_candidate
from interviewloop.requisitions.models import Candidate, Requisition
from interviewloop.scheduling import service as scheduling
from interviewloop.scheduling.models import Interview
from interviewloop.scorecards import access, chase, nudges, queries, service
from interviewloop.scorecards.models import (
    RATING_LABELS,
    PreOfferQuestion,
    Recommendation,
    Scorecard,
    SignalValue,
    rating_meanings,
)
from interviewloop.timezones import format_local

bp = Blueprint("scorecards", __name__, template_folder="templates")


Problem = tuple[str | None, str]  # (the form field it is about, if one; in words)


def _input(form: MultiDict[str, str], areas: Iterable[CapabilityArea], stage: LoopStage
           ) -> tuple[service.ScorecardInput, list[Problem]]:
    """Read the form's fields, and what is malformed in them (shown back on the form)."""
    data, problems = service.ScorecardInput(), list[Problem]()
    for area in areas:
        raw = form.get(f"rating_{area.id}", "")
        if raw not in ("", "na", *map(str, RATING_LABELS)):
            problems.append((f"rating_{area.id}",
                             f"{area.name}: choose one of the ratings shown."))
        rating = int(raw) if raw in map(str, RATING_LABELS) else None
        data.ratings[area.id] = (rating, form.get(f"evidence_{area.id}", ""))
    for loop_question in stage.questions:
        data.notes[loop_question.id] = form.get(f"note_{loop_question.id}", "")
    for question in PreOfferQuestion:
        value = form.get(f"signal_{question.value}", "") or None
        data.signals[question.value] = (value, form.get(f"signal_evidence_{question.value}", ""))
    data.recommendation = form.get("recommendation") or None
    data.summary = form.get("summary", "")
    data.confirm_contradiction = form.get("confirm_contradiction") == "yes"
    return data, problems


def _context(interview_id: int) -> tuple[Interview, Requisition, LoopStage, Scorecard | None]:
    """The form's interview, its requisition and stage, and the user's scorecard on it:
    only what the form and its saves read (service.form_context)."""
    interview, requisition, scorecard = service.form_context(db.session, current_user,
                                                             interview_id)
    return interview, requisition, interview.stage, scorecard


def _seen_version(form: MultiDict[str, str]) -> int:
    try:
        return int(form.get("version", ""))
    except ValueError:
        raise DomainError("The form's version field is malformed.") from None


def _save(interview: Interview, requisition: Requisition, stage: LoopStage,
          areas: list[CapabilityArea], scorecard: Scorecard | None, *, submit: bool,
          draft_only: bool = False) -> Scorecard:
    """The posted form, read and saved (a DomainError if refused: nothing is saved)."""
    data, malformed = _input(request.form, areas, stage)
    if malformed:
        raise MalformedScorecard(malformed)
    return service.save(
        db.session, current_actor(), requisition, interview, scorecard, data, submit=submit,
        seen_version=_seen_version(request.form), areas={a.id: a for a in areas}, stage=stage,
        draft_only=draft_only)


def _submit(interview: Interview, requisition: Requisition, stage: LoopStage,
            areas: list[CapabilityArea], scorecard: Scorecard | None
            ) -> tuple[Scorecard, list[nudges.Nudge]]:
    """The form's submit, through the evidence nudges (saved as a draft if it has some)."""
    data, malformed = _input(request.form, areas, stage)
    if malformed:
        raise MalformedScorecard(malformed)
    return nudges.submit(
        db.session, current_actor(), requisition, interview, scorecard, data,
        seen_version=_seen_version(request.form), areas={a.id: a for a in areas}, stage=stage)


class MalformedScorecard(service.InvalidScorecard):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(" ".join(text for _field, text in problems))
        self.problems = problems


@bp.route("/interviews/<int:interview_id>/scorecard", methods=["GET", "POST"])
@login_required
def fill(interview_id: int) -> ResponseReturnValue:
    interview, requisition, stage, scorecard = _context(interview_id)
    areas = all_areas(db.session)
    status, warning, heading = 200, None, "Not saved:"
    problems: list[Problem] = []
    data = service.input_of(scorecard) if scorecard else service.ScorecardInput()
    version = scorecard.version if scorecard else 0
    if request.method == "POST":
        seen = _seen_version(request.form)
        data, _malformed = _input(request.form, areas, stage)
        submit = request.form.get("action") == "submit"
        nudged: list[nudges.Nudge] = []
        try:
            if submit:
                scorecard, nudged = _submit(interview, requisition, stage, areas, scorecard)
            else:
                scorecard = _save(interview, requisition, stage, areas, scorecard, submit=False)
        except DomainError as exc:  # refused: the form again, with the input and the reason
            status = exc.status_code
            if isinstance(exc, service.ContradictoryRecommendation):
                warning = str(exc)
            elif isinstance(exc, service.IncompleteScorecard):
                problems = [*zip(exc.fields, exc.missing, strict=True)]
                heading = "Not submitted yet:"
            elif isinstance(exc, MalformedScorecard):
                problems = exc.problems
            else:
                problems = [(None, str(exc))]
            db.session.rollback()
            # The rollback expired what this request had loaded: load the page's data again.
            interview, requisition, stage, scorecard = _context(interview_id)
            areas = all_areas(db.session)
            if isinstance(exc, service.StaleScorecard):
                # Saving again now is a deliberate overwrite of what the other tab saved.
                seen = scorecard.version if scorecard else 0
        else:
            if nudged:  # saved as a draft: the nudges are shown once, with the input
                return _form(interview, requisition, stage, areas, scorecard, data,
                             scorecard.version, nudged=nudged)
            flash("Scorecard submitted." if scorecard.is_submitted and submit else
                  "Changes saved." if scorecard.is_submitted else
                  "Draft saved: only you can see it.", "success")
            return redirect(url_for(".fill", interview_id=interview.id))
        version = seen
    return _form(interview, requisition, stage, areas, scorecard, data, version, status=status,
                 problems=problems, warning=warning, heading=heading)


def _form(interview: Interview, requisition: Requisition, stage: LoopStage,
          areas: list[CapabilityArea], scorecard: Scorecard | None,
          data: service.ScorecardInput, version: int, *, status: int = 200,
          problems: list[Problem] | None = None, warning: str | None = None,
          heading: str = "Not saved:", nudged: list[nudges.Nudge] | None = None
          ) -> ResponseReturnValue:
    focus = {a.id for a in stage.focus_areas}
    problems = problems or []
    return render_template(
        "scorecards/fill.html", interview=interview, requisition=requisition, stage=stage,
        scorecard=scorecard, data=data, version=version, areas=areas, focus=focus,
        nudges={n.area_id: n for n in nudged or []},
        bars=bars(db.session, requisition.level), level=requisition.level,
        ratings=RATING_LABELS, meanings=rating_meanings(requisition.level.label),
        recommendations=list(Recommendation), questions=list(PreOfferQuestion),
        signal_values=list(SignalValue), problems=problems,
        invalid={field for field, _text in problems if field}, warning=warning,
        heading=heading, not_started=service.not_started(interview, utcnow()),
        due=service.due_at(interview, current_app.config["SCORECARD_DUE_HOURS"]),
    ), status


@bp.post("/interviews/<int:interview_id>/scorecard/draft")
@login_required
def autosave(interview_id: int) -> ResponseReturnValue:
    """The scorecard form's draft, saved as its author types (static/app.js): JSON in reply,
    the new version (the form's next save must carry it) and when it was saved. A stale
    version (another tab saved since) or a submitted scorecard is a 409: nothing saved."""
    try:
        interview, requisition, stage, scorecard = _context(interview_id)
        scorecard = _save(interview, requisition, stage, all_areas(db.session), scorecard,
                          submit=False, draft_only=True)
    except DomainError as exc:
        fields = exc.problems if isinstance(exc, MalformedScorecard) else []
        return jsonify(error=str(exc), fields=[f for f, _t in fields if f]), exc.status_code
    return jsonify(version=scorecard.version,
                   saved_at=format_local(scorecard.updated_at, current_user.time_zone,
                                         with_date=False))


@bp.get("/scorecards/to-write")
@login_required
def to_write() -> ResponseReturnValue:
    """Every scorecard the person owes, a page at a time (the home page shows the first)."""
    now = utcnow()
    page = queries.to_write(db.session, current_user, now=now,
                            due_hours=current_app.config["SCORECARD_DUE_HOURS"],
                            cursor=paging.read_cursor(request.args, queries.TO_WRITE_ORDER))
    return render_template("scorecards/to_write.html", tasks=page.items, now=now,
                           pager=paging.pager(".to_write", page))


@bp.get("/scorecards/<int:scorecard_id>")
@login_required
def show(scorecard_id: int) -> ResponseReturnValue:
    scorecard = service.get_scorecard(db.session, scorecard_id)
    interview = scheduling.get_interview(db.session, scorecard.interview_id)
    requisition = access.readable_requisition(db.session, current_user, scorecard)
    return render_template("scorecards/show.html", scorecard=scorecard, interview=interview,
                           requisition=requisition, areas=all_areas(db.session),
                           ratings=RATING_LABELS, stage=service.stage_for(db.session, interview),
                           questions=list(PreOfferQuestion))


@bp.get("/requisitions/<int:requisition_id>/candidates/<int:candidate_id>/scorecards")
@login_required
def panel(requisition_id: int, candidate_id: int) -> ResponseReturnValue:
    requisition = requisitions.get_requisition(db.session, current_user, requisition_id)
    candidate = get_candidate(db.session, requisition, candidate_id)
    verdict = access.panel_access(db.session, current_user, requisition, candidate)
    if not verdict.sees_panel and not access.interviews_candidate(db.session, current_user,
                                                                  candidate):
        raise NotFound("No such candidate.")
    sent = session.pop(REMINDED, None)  # once: a reload does not say it again
    return panel_page(requisition, candidate, verdict,
                      sent=(sent[0], sent[1]) if isinstance(sent, list) and len(sent) == 2
                      else None)


# The (interview, interviewer) whose reminder was just queued: confirmed beside its row on
# the page the sender is sent back to (chase_views.remind).
REMINDED = "scorecards.reminded"


def panel_page(requisition: Requisition, candidate: Candidate, verdict: access.PanelAccess,
               *, refused: tuple[int, int, str] | None = None,
               sent: tuple[int, int] | None = None, status: int = 200) -> ResponseReturnValue:
    """The panel, and for those who may chase, who owes which scorecard (``refused``: a
    reminder refused, shown beside its button; ``sent``: one just queued, confirmed there)."""
    now = utcnow()
    cards = queries.submitted_for(db.session, candidate) if verdict.sees_panel else []
    owed = chase.owed_for(db.session, candidate, now=now,
                          due_hours=current_app.config["SCORECARD_DUE_HOURS"]
                          ) if access.can_chase(current_user, requisition) else []
    return render_template("scorecards/panel.html", requisition=requisition,
                           candidate=candidate, verdict=verdict, cards=cards, owed=owed,
                           now=now, refused=refused, sent=sent, areas=all_areas(db.session),
                           ratings=RATING_LABELS, action_form=ActionForm()), status


@bp.get("/pools/<int:pool_id>/practice-cards")
@login_required
def practice_cards(pool_id: int) -> ResponseReturnValue:
    """A pool's practice cards that the viewer may read (the trainee their own, a coach
    their trainees', the owner all); for anyone else, none."""
    pool = pools.get_pool(db.session, pool_id)
    return render_template("scorecards/practice.html", pool=pool,
                           cards=queries.practice_cards(db.session, current_user, pool))


from interviewloop.scorecards import chase_views  # noqa: E402,F401 - registers routes
