"""Finding times for a whole loop: from the candidate's loop page the recruiter asks for
options for every unscheduled stage in a date range, sees them in their own time zone and
books one (every stage, or none)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from interviewloop import tokens
from interviewloop.auth.login import current_actor
from interviewloop.availability import service as availability
from interviewloop.db import db, utcnow
from interviewloop.errors import Conflict
from interviewloop.requisitions.candidates import get_candidate
from interviewloop.requisitions.models import Candidate, Requisition
from interviewloop.requisitions.views import load_managed
from interviewloop.scheduling import proposed, proposing, service
from interviewloop.scheduling.forms import BookOptionForm, ProposalRequestForm
from interviewloop.scheduling.proposals import SAME_DAY, Proposal
from interviewloop.scheduling.signals import BusyTimes, reading_busy_times
from interviewloop.scheduling.views import bp, outside_transaction
from interviewloop.timezones import to_local, wall_clock

PROPOSALS = "/requisitions/<int:requisition_id>/candidates/<int:candidate_id>/proposals"
DEFAULT_DAYS = 14


def candidate_windows_for(candidate: Candidate) -> list[tuple[datetime, datetime]] | None:
    """When the candidate said they are free (their private link's page), or None for "any
    time" while they have given no window."""
    return availability.candidate_windows(db.session, candidate.id) or None


def read_calendars(user_ids: Sequence[int], starts_at: datetime, ends_at: datetime) -> BusyTimes:
    """People's own calendars (CalDAV) over the whole range, once, outside any transaction."""
    found = BusyTimes()
    for read in outside_transaction(reading_busy_times, user_ids=sorted(user_ids),
                                    starts_at=starts_at, ends_at=ends_at):
        found.busy.update(read.busy)
        found.unread.extend(read.unread)
    return found


def _load(requisition_id: int, candidate_id: int) -> tuple[Requisition, Candidate]:
    requisition = load_managed(requisition_id)
    return requisition, get_candidate(db.session, requisition, candidate_id)


def _days(form: ProposalRequestForm) -> tuple[datetime, datetime]:
    """The form's days, from the first's midnight to the day after the last's, in the
    recruiter's own zone."""
    zone = current_user.time_zone
    return (wall_clock(form.starts_on.data, 0, zone),
            wall_clock(form.ends_on.data + timedelta(days=1), 0, zone))


def _request_form(formdata: MultiDict[str, str]) -> ProposalRequestForm:
    """The request as sent; with no days in it, the next two weeks from today (the
    recruiter's today)."""
    if not any(formdata.get(name) for name in ("starts_on", "ends_on")):
        today = to_local(utcnow(), current_user.time_zone).date()
        formdata = MultiDict(formdata)
        formdata["starts_on"] = f"{today:%Y-%m-%d}"
        formdata["ends_on"] = f"{today + timedelta(days=DEFAULT_DAYS - 1):%Y-%m-%d}"
    return ProposalRequestForm(formdata=formdata)


def _render(requisition: Requisition, candidate: Candidate, form: ProposalRequestForm, *,
            options: Sequence[Proposal] = (), problems: Sequence[str] = (),
            notices: Sequence[str] = (), refusals: Sequence[str] = (), asked: bool = False,
            status: int = 200, location: str = "") -> ResponseReturnValue:
    """The page: the request form, and the options (signed into their booking forms) with
    the names of their stages and people."""
    stages = proposing.loop_stages(db.session, candidate)
    picked = [slot for option in options for slot in option.slots]
    signer = tokens.app_signer(db.session.info)
    return render_template(
        "scheduling/proposals.html", requisition=requisition, candidate=candidate, form=form,
        open_stages=[s.stage for s in stages if s.interview is None],
        stage_names={s.stage.id: s.stage.name for s in stages},
        people=proposing.option_people(db.session, picked) if picked else {},
        options=[(p, proposing.sign_option(signer, candidate, p)) for p in options],
        proposal=proposed.live_proposal(db.session, candidate.id) if options else None,
        problems=problems, notices=notices, refusals=refusals, asked=asked, same_day=SAME_DAY,
        location=location, windows=candidate_windows_for(candidate)), status


def _ask(requisition: Requisition, candidate: Candidate, form: ProposalRequestForm, *,
         refusals: Sequence[str] = (), status: int = 200, location: str = ""
         ) -> ResponseReturnValue | None:
    """Find options for the form's days and store them as the candidate's proposal (in
    place of any before); None once options are proposed, else the page to show (none
    found, or the request refused)."""
    if not form.validate():
        return _render(requisition, candidate, form, refusals=refusals,
                           status=422 if status == 200 else status, location=location)
    starts, ends = _days(form)
    plan = proposing.plan_loop(db.session, requisition, candidate, starts=starts, ends=ends)
    if plan.needs and not plan.problems:
        plan = plan.with_calendars(read_calendars(list(plan.people), starts, ends))
    options = proposing.propose(plan, candidate, candidate_windows=candidate_windows_for(candidate))
    proposing.store_proposal(db.session, current_actor(), requisition, candidate, plan, options)
    if options and not refusals:
        for notice in plan.calendar_notices:
            flash(notice, "warning")
        return None
    return _render(requisition, candidate, form, options=options,
                            problems=plan.problems, notices=plan.calendar_notices,
                            refusals=refusals, asked=True, status=status, location=location)


@bp.get(PROPOSALS)
@login_required
def proposals(requisition_id: int, candidate_id: int) -> ResponseReturnValue:
    """The times proposed for the candidate's unscheduled stages, if still open, and the
    form to ask for (other) times."""
    requisition, candidate = _load(requisition_id, candidate_id)
    live = proposed.live_proposal(db.session, candidate.id)
    asked = request.args
    if live is not None and not any(asked.get(name) for name in ("starts_on", "ends_on")):
        zone = current_user.time_zone  # the days the options were found in
        asked = MultiDict({"starts_on": f"{to_local(live.starts_at, zone):%Y-%m-%d}",
                           "ends_on": f"{to_local(live.ends_at, zone) - timedelta(days=1):%Y-%m-%d}"})
    return _render(requisition, candidate, _request_form(asked),
                   options=proposed.stored_options(live) if live else [])


@bp.post(PROPOSALS)
@login_required
def ask_for_times(requisition_id: int, candidate_id: int) -> ResponseReturnValue:
    """Find options for the days asked and propose them: their stages show as proposed
    until one is booked or they expire."""
    requisition, candidate = _load(requisition_id, candidate_id)
    page = _ask(requisition, candidate, _request_form(request.form))
    if page is not None:
        return page
    return redirect(url_for(".proposals", requisition_id=requisition.id,
                            candidate_id=candidate.id))


@bp.post(PROPOSALS + "/book")
@login_required
def book_proposal(requisition_id: int, candidate_id: int) -> ResponseReturnValue:
    """Book every stage of the chosen option in one transaction, or none of them: a clash
    that appeared since it was proposed (an interview, a calendar event, a cap reached)
    refuses it with the reason (409) and shows fresh options."""
    requisition, candidate = _load(requisition_id, candidate_id)
    form = BookOptionForm()
    if not form.validate_on_submit():
        abort(400, "Choose an option from the list of proposed times.")
    picked = proposing.read_option(tokens.app_signer(db.session.info), candidate, form.option.data)
    if picked is None:
        abort(400, "This option has expired or is not for this candidate: ask for times again.")
    location = form.location.data or ""

    def refused(reasons: Sequence[str]) -> ResponseReturnValue:
        db.session.rollback()  # nothing of the option stays; read afresh for the page
        page = _ask(*_load(requisition_id, candidate_id), _request_form(request.form),
                             refusals=["Not booked: nothing was changed.", *reasons],
                             status=409, location=location)
        db.session.commit()  # the fresh options stay proposed, though the page is a 409
        return page if page is not None else redirect(url_for(
            ".proposals", requisition_id=requisition_id, candidate_id=candidate_id))

    people = proposing.option_people(db.session, picked)
    found = read_calendars(list(people), min(p.starts_at for p in picked),
                           max(p.ends_at for p in picked))
    clashes = proposing.calendar_clashes(picked, found, people, current_user.time_zone)
    if clashes:
        return refused(clashes)
    try:
        booked = proposing.book_option(db.session, current_actor(), requisition, candidate,
                                       picked, location=location)
    except service.SchedulingRefused as exc:
        return refused(exc.reasons)
    except service.OverWeeklyCap as exc:
        return refused(exc.warnings)
    except Conflict as exc:
        return refused([str(exc)])
    for notice in found.notices:
        flash(notice, "warning")
    flash(f"Booked {len(booked)} stage{'s' if len(booked) != 1 else ''}; every panelist and "
          "the candidate get their invites.", "success")
    return redirect(url_for("loops.show", requisition_id=requisition.id,
                            candidate_id=candidate.id))
