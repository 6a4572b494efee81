"""The "send a reminder" button beside each owed scorecard, on the scorecards blueprint."""

from __future__ import annotations

from flask import abort, current_app, redirect, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from interviewloop.auth.login import current_actor
from interviewloop.db import db, utcnow
from interviewloop.errors import Conflict, Forbidden
from interviewloop.forms import ActionForm
from interviewloop.requisitions import service as requisitions
from interviewloop.requisitions.candidates import get_candidate
from interviewloop.scorecards import access, chase
from interviewloop.scorecards.views import REMINDED, bp, panel_page


@bp.post("/requisitions/<int:requisition_id>/candidates/<int:candidate_id>/scorecards/owed"
         "/<int:interview_id>/<int:interviewer_id>/remind")
@login_required
def remind(requisition_id: int, candidate_id: int, interview_id: int,
           interviewer_id: int) -> ResponseReturnValue:
    """Queue a reminder to the interviewer who owes this scorecard, confirmed beside its row
    on the page the sender returns to; a refusal (reminded inside the window, or no longer
    owed) is shown beside the button, with a 409."""
    requisition = requisitions.get_requisition(db.session, current_user, requisition_id)
    candidate = get_candidate(db.session, requisition, candidate_id)
    if not access.can_chase(current_user, requisition):
        raise Forbidden("Only the requisition's hiring manager, its recruiter or an admin "
                        "can send reminders.")
    if not ActionForm().validate_on_submit():  # the CSRF check itself is app-wide
        abort(400, "The form was not complete; reload the page and try again.")
    try:
        item = chase.send_reminder(db.session, current_actor(), requisition, candidate,
                                   interview_id, interviewer_id, now=utcnow(),
                                   due_hours=current_app.config["SCORECARD_DUE_HOURS"])
    except Conflict as exc:
        verdict = access.panel_access(db.session, current_user, requisition, candidate)
        return panel_page(requisition, candidate, verdict,
                          refused=(interview_id, interviewer_id, str(exc)), status=409)
    session[REMINDED] = [item.interview.id, item.interviewer.id]
    return redirect(url_for("scorecards.panel", requisition_id=requisition.id,
                            candidate_id=candidate.id, _anchor="remind-sent"))
