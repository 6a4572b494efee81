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
from interviewloop.scheduling import proposing, service
from interviewloop.scheduling.forms import BookOptionForm, ProposalRequestForm
from interviewloop.scheduling.proposals import SAME_DAY
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
    if any(formdata.get(name) for name in ("starts_on", "ends_on")):
        return ProposalRequestForm(formdata=formdata)
    today = to_local(utcnow(), current_user.time_zone).date()
    return ProposalRequestForm(formdata=None, data={
        "starts_on": today, "ends_on": today + timedelta(days=DEFAULT_DAYS - 1),
        "panel_size": 1})


def _page(requisition: Requisition, candidate: Candidate, form: ProposalRequestForm, *,
          refusals: Sequence[str] = (), status: int = 200, location: str = ""
          ) -> ResponseReturnValue:
    plan, options, notices = None, [], []
    windows = candidate_windows_for(candidate)
    if form.validate():
        starts, ends = _days(form)
        plan = proposing.plan_loop(db.session, requisition, candidate, starts=starts, ends=ends,
                                   panel_size=form.panel_size.data)
        if plan.needs and not plan.problems:
            plan = plan.with_calendars(read_calendars(list(plan.people), starts, ends))
        notices = plan.calendar_notices
        signer = tokens.app_signer(db.session.info)
        options = [(p, proposing.sign_option(signer, candidate, p)) for p in proposing.propose(
            plan, candidate, candidate_windows=windows)]
    elif status == 200:
        status = 422
    return render_template(
        "scheduling/proposals.html", requisition=requisition, candidate=candidate, form=form,
        plan=plan, options=options, notices=notices, refusals=refusals, same_day=SAME_DAY,
        location=location, windows=windows), status


@bp.get(PROPOSALS)
@login_required
def proposals(requisition_id: int, candidate_id: int) -> ResponseReturnValue:
    requisition, candidate = _load(requisition_id, candidate_id)
    return _page(requisition, candidate, _request_form(request.args))


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
        return _page(*_load(requisition_id, candidate_id), _request_form(request.form),
                     refusals=["Not booked: nothing was changed.", *reasons], status=409,
                     location=location)

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
