"""Scheduling pages: the recruiter board, schedule / reschedule / cancel, the interview
page with its history, invites, the interview kit, and the private calendar feed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from blinker import NamedSignal
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
from sqlalchemy import select

from interviewloop import paging, tokens
from interviewloop.auth.login import current_actor
from interviewloop.auth.service import user_for_calendar_token
from interviewloop.bank.service import expectations_by_area
from interviewloop.db import db, utcnow
from interviewloop.errors import Conflict, NotFound
from interviewloop.forms import ActionForm
from interviewloop.loops.models import Loop, LoopStage
from interviewloop.pools import service as pools
from interviewloop.pools.models import Pool
from interviewloop.ratelimit import configured, limiter
from interviewloop.requisitions import service as requisitions
from interviewloop.requisitions.candidates import get_candidate
from interviewloop.requisitions.models import CandidateStatus, Requisition
from interviewloop.requisitions.views import load_managed
from interviewloop.scheduling import badges, board_cells, calendar, invites, queries, rsvp, service
from interviewloop.scheduling.forms import CancelForm, ScheduleForm
from interviewloop.scheduling.models import Interview
from interviewloop.scheduling.signals import CalendarCheck, checking_calendars, describing_interview
from interviewloop.timezones import (
    AmbiguousLocalTime,
    NonexistentLocalTime,
    describe_reading,
    format_local,
    from_local,
    readings,
    to_local,
)

bp = Blueprint("scheduling", __name__, template_folder="templates")
bp.add_app_template_global(badges.rsvp_badges, "rsvp_badges")
bp.add_app_template_global(board_cells.board_cells, "board_cells")


@bp.get("/requisitions/<int:requisition_id>/board")
@login_required
def board(requisition_id: int) -> ResponseReturnValue:
    requisition = load_managed(requisition_id, team=False)  # the board shows no team
    state = request.args.get("state", "")
    status = request.args.get("status", "active")
    if state and state not in set(queries.StageState):
        abort(400, "Filter by unscheduled, scheduled or done.")
    if status and status not in set(CandidateStatus):
        abort(400, "Unknown candidate status.")
    page = queries.board_page(db.session, requisition, status=status or None,
                              state=state or None,
                              cursor=paging.read_cursor(request.args, queries.BOARD_ORDER),
                              due_hours=current_app.config["SCORECARD_DUE_HOURS"])
    # status="" (every status) stays in the links: without it the board shows the active.
    pager = paging.pager(".board", page, route={"requisition_id": requisition.id},
                         filters={"state": state or None, "status": status})
    return render_template("scheduling/board.html", requisition=requisition, rows=page.items,
                           pager=pager, state=state, status=status,
                           status_choices=CandidateStatus.choices(),
                           state_choices=queries.StageState.choices())


def _offer_people(form: ScheduleForm, requisition: Requisition, stage: LoopStage
                  ) -> Pool | None:
    """The form's choices: the hiring team's interviewers, and where the stage's kind has a
    pool, only its qualified ones for the panel and its trainees (each in their seat) on
    top. The pool, if any."""
    team = service.team_interviewers(db.session, requisition)
    pool = pools.pool_for_stage(db.session, stage)
    form.set_interviewers(service.panel_choices(db.session, team, stage, pool))
    if pool is None:
        form.set_trainees([])
        return None
    on_team = {u.id for u in team}
    form.set_trainees((m.user_id, f"{m.user.name} ({m.state.seat.label})")
                      for m in pools.trainees(db.session, stage) if m.user_id in on_team)
    return pool


def _offer_readings(form: ScheduleForm) -> bool:
    """When the form's start time happens twice in the recruiter's zone, show which is
    which (and say so); whether it does."""
    found = readings(form.starts_at.data, current_user.time_zone) if form.starts_at.data else []
    if len(found) > 1:
        form.set_readings([describe_reading(f) for f in found])
    return len(found) > 1


def _schedule_input(form: ScheduleForm) -> service.ScheduleInput:
    _offer_readings(form)
    try:
        starts_at = from_local(form.starts_at.data, current_user.time_zone,
                               fold=form.chosen_fold())
    except NonexistentLocalTime as exc:
        form.starts_at.errors = [*form.starts_at.errors, str(exc)]
        raise
    except AmbiguousLocalTime as exc:
        form.fold.errors = [*form.fold.errors, str(exc)]
        raise
    return service.ScheduleInput(
        interviewer_ids=list(form.interviewers.data), trainee_ids=list(form.trainees.data or []),
        starts_at=starts_at,
        minutes=form.minutes.data, location=form.location.data or "",
        confirm_over_cap=form.confirm_over_cap.data, reason=form.reason.data or "")


def outside_transaction(signal: NamedSignal, **kwargs: Any) -> list[Any]:
    """Ask ``signal``'s receivers (calendars): each reads what it needs in this request's
    transaction and returns its network step, or None. The transaction then ends (it wrote
    nothing), so that no network call waits inside one, and each step runs; their results.
    A booking after this starts a new transaction, which checks everything again under its
    locks."""
    steps = [step for _receiver, step in signal.send(db.session, **kwargs) if step is not None]
    if steps:
        db.session.commit()
    return [step() for step in steps]


def _check_calendars(data: service.ScheduleInput, interview: Interview | None) -> CalendarCheck:
    """What the panel's own calendars say (CalDAV) of this booking."""
    try:
        ends_at = data.starts_at + timedelta(minutes=max(data.minutes, 1))
    except OverflowError:  # past year 9999: the booking refuses it
        return CalendarCheck()
    check = CalendarCheck()
    for found in outside_transaction(
            checking_calendars, user_ids=data.everyone, starts_at=data.starts_at,
            ends_at=ends_at, interview_uid=interview.ical_uid if interview else None,
            viewer_zone=current_user.time_zone):
        check.warnings.extend(found.warnings)
        check.notices.extend(found.notices)
    return check


def _book(form: ScheduleForm, operation: Callable[[service.ScheduleInput], Interview],
          interview: Interview | None = None) -> tuple[Interview | None, int]:
    """Run a booking; on refusal or warning, put the reasons on the form (status to show).
    A calendar that could not be read is said (flashed), and does not stop the booking."""
    try:
        data = _schedule_input(form)
    except (NonexistentLocalTime, AmbiguousLocalTime):
        return None, 422
    check = _check_calendars(data, interview)
    data.calendar_warnings = tuple(check.warnings)
    try:
        done = operation(data)
    except service.SchedulingRefused as exc:
        form.form_errors.extend(exc.reasons)
        return None, 409
    except service.OverWeeklyCap as exc:
        form.form_errors.extend(exc.warnings + check.notices)
        form.confirm_over_cap.render = True
        return None, 409
    for notice in check.notices:
        flash(notice, "warning")
    return done, 200


@bp.route("/requisitions/<int:requisition_id>/candidates/<int:candidate_id>/stages/"
          "<int:stage_id>/schedule", methods=["GET", "POST"])
@login_required
def schedule(requisition_id: int, candidate_id: int, stage_id: int) -> ResponseReturnValue:
    requisition = load_managed(requisition_id)
    candidate = get_candidate(db.session, requisition, candidate_id)
    # Only a stage of this candidate's loop (not any stage id: that would show another
    # requisition's stage).
    stage = db.session.scalar(select(LoopStage).join(Loop).where(
        LoopStage.id == stage_id, Loop.candidate_id == candidate.id))
    if stage is None:
        raise NotFound("No such stage in this candidate's loop.")
    form = ScheduleForm()
    pool = _offer_people(form, requisition, stage)
    if not form.is_submitted():
        form.minutes.data = stage.minutes
    status = 200
    if form.validate_on_submit():
        interview, status = _book(form, lambda data: service.schedule_stage(
            db.session, current_actor(), requisition, candidate, stage_id, data))
        if interview is not None:
            flash(f"Scheduled {stage.name}.", "success")
            return redirect(url_for(".interview", interview_id=interview.id))
    elif form.is_submitted():
        status = 422
    return render_template("scheduling/schedule.html", form=form, requisition=requisition,
                           candidate=candidate, stage=stage, interview=None, pool=pool), status


def _load_interview(interview_id: int, *, manage: bool) -> tuple[Interview, Requisition, bool]:
    """The interview, for its panel (read) or the requisition's managers; 404 for others."""
    interview = service.get_interview(db.session, interview_id)
    requisition = requisitions.get_requisition(db.session, current_user,
                                               interview.candidate.requisition_id)
    on_panel = any(p.user_id == current_user.id for p in interview.panel)
    manages = requisitions.can_manage(current_user, requisition)
    if manage and not manages:
        abort(403, "Only the requisition's hiring manager, its recruiter or an admin "
                   "change interviews.")
    if not (manages or on_panel):
        raise NotFound("No such interview.")
    return interview, requisition, manages


@bp.get("/interviews/<int:interview_id>")
@login_required
def interview(interview_id: int) -> ResponseReturnValue:
    interview, requisition, manages = _load_interview(interview_id, manage=False)
    on_panel = any(p.user_id == current_user.id for p in interview.panel)
    notes = [note for _receiver, found in describing_interview.send(
        db.session, interview=interview, viewer_zone=current_user.time_zone)
        for note in found] if manages else []
    return render_template("scheduling/interview.html", interview=interview,
                           requisition=requisition, manages=manages, on_panel=on_panel,
                           cancel_form=CancelForm(), notes=notes,
                           answers=rsvp.panel_answers(interview))


@bp.route("/interviews/<int:interview_id>/reschedule", methods=["GET", "POST"])
@login_required
def reschedule(interview_id: int) -> ResponseReturnValue:
    interview, requisition, _manages = _load_interview(interview_id, manage=True)
    form = ScheduleForm()
    pool = _offer_people(form, requisition, interview.stage)
    if not form.is_submitted():
        form.interviewers.data = [p.user_id for p in interview.panel if p.counts]
        form.trainees.data = [p.user_id for p in interview.panel if not p.counts]
        local = to_local(interview.starts_at, current_user.time_zone)
        form.starts_at.data, form.fold.data = local.replace(tzinfo=None), str(local.fold)
        _offer_readings(form)
        form.minutes.data = interview.minutes
        form.location.data = interview.location
    status = 200
    if form.validate_on_submit():
        done, status = _book(form, lambda data: service.reschedule(
            db.session, current_actor(), requisition, interview, data), interview)
        if done is not None:
            flash("Interview rescheduled; the invite's sequence went up.", "success")
            return redirect(url_for(".interview", interview_id=interview.id))
    elif form.is_submitted():
        status = 422
    return render_template("scheduling/schedule.html", form=form, requisition=requisition,
                           candidate=interview.candidate, stage=interview.stage,
                           interview=interview, pool=pool), status


@bp.get("/interviews/<int:interview_id>/cancel")
@login_required
def confirm_cancel(interview_id: int) -> ResponseReturnValue:
    """Cancelling asks first: the interview, who is told, the reason, then the button."""
    interview, _requisition, _manages = _load_interview(interview_id, manage=True)
    if interview.is_cancelled:
        raise Conflict("This interview is already cancelled.")
    return render_template("scheduling/cancel.html", interview=interview,
                           cancel_form=CancelForm())


@bp.post("/interviews/<int:interview_id>/cancel")
@login_required
def cancel(interview_id: int) -> ResponseReturnValue:
    interview, requisition, _manages = _load_interview(interview_id, manage=True)
    form = CancelForm()
    if not form.validate_on_submit():
        abort(400, "Keep the reason under 500 characters.")
    service.cancel(db.session, current_actor(), requisition, interview, form.reason.data or "")
    flash("Interview cancelled; its invite now cancels the event.", "success")
    return redirect(url_for(".interview", interview_id=interview.id))


def event_text(interview: Interview, requisition: Requisition,
               by: calendar.Person) -> calendar.EventText:
    kit = url_for("scheduling.kit", interview_id=interview.id, _external=True)
    return calendar.EventText(
        summary=f"Interview: {interview.candidate.name}, {interview.stage.name}",
        description=f"{requisition.title} ({requisition.level.label}).\nInterview kit: {kit}",
        attendee_emails=tuple(p.user.email for p in interview.panel),
        organizer_email=by.email, organizer_name=by.name,  # as the emailed invites have
    )


@bp.get("/interviews/<int:interview_id>/invite.ics")
@login_required
def invite(interview_id: int) -> ResponseReturnValue:
    interview, requisition, _manages = _load_interview(interview_id, manage=False)
    # The same event the emailed invite carries, organizer included.
    text = invites.panel_event(db.session, interview, requisition, interview.candidate,
                               interview.stage, [p.user for p in interview.panel])
    body = calendar.invite(interview, text, now=utcnow())
    return Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": f'attachment; filename="interview-{interview.id}.ics"'})


@bp.get("/interviews/<int:interview_id>/kit")
@login_required
def kit(interview_id: int) -> ResponseReturnValue:
    interview, requisition, _manages = _load_interview(interview_id, manage=False)
    stage = service.kit_stage(db.session, interview)
    focus_ids = {a.id for a in stage.focus_areas}
    expectations = {area_id: rows for area_id, rows in expectations_by_area(db.session).items()
                    if area_id in focus_ids}
    return render_template("scheduling/kit.html", interview=interview, requisition=requisition,
                           stage=stage, expectations=expectations, level=requisition.level,
                           on_panel=any(p.user_id == current_user.id for p in interview.panel))


def _feed_link_key() -> str:
    # A digest, so that the limiter's storage never holds a usable feed secret.
    token = str((request.view_args or {}).get("token", ""))
    return "feed:" + tokens.secret_hash(token)


@bp.get("/calendar/<token>.ics")
@limiter.limit(configured("RATELIMIT_FEED"),
               error_message="Too many calendar feed requests from your address.")
@limiter.limit(configured("RATELIMIT_FEED_LINK"), key_func=_feed_link_key,
               error_message="Too many requests for this calendar feed.")
def feed(token: str) -> ResponseReturnValue:
    """An interviewer's private feed: the secret token is the only credential."""
    user = user_for_calendar_token(db.session, token)
    if user is None:
        raise NotFound("No such calendar.")
    rows = queries.interviews_of(db.session, user, include_cancelled=True)
    by = invites.organizers(db.session, {r.requisition.id: r.requisition for r in rows}.values())
    events = [(r.interview, event_text(r.interview, r.requisition, by[r.requisition.id]))
              for r in rows]
    body = calendar.feed(events, name=f"Interviews: {user.name}", now=utcnow())
    return Response(body, mimetype="text/calendar")


@bp.route("/rsvp/<token>", methods=["GET", "POST"])
@limiter.limit(configured("RATELIMIT_RSVP"),
               error_message="Too many invite answers from your address.")
def answer_invite(token: str) -> ResponseReturnValue:
    """An interviewer's accept / decline link, no sign-in: GET asks, POST answers (a mail
    scanner fetching the link answers nothing)."""
    form = ActionForm()
    done = False
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400, "The form expired; open the link from the email again.")
        opened = rsvp.answer(db.session, tokens.app_signer(db.session.info), token, ip=request.remote_addr)
        done = True
    else:
        opened = rsvp.open_link(db.session, tokens.app_signer(db.session.info), token)
    zone = opened.panelist.user.time_zone
    return render_template("scheduling/rsvp.html", opened=opened, form=form, done=done,
                           when=format_local(opened.interview.starts_at, zone))


from interviewloop.scheduling import proposal_views  # noqa: E402,F401 - registers routes
