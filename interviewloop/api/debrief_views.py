"""/api/v1: a candidate's debrief summary, the pre-offer checks and the decisions (read).

Each is for whoever may open the candidate's debrief page (debrief/views.py _load: the
team rule, then scorecards.access.panel_access), with the same numbers as that page
(debrief.summary.debrief_for)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from interviewloop.api import auth, hiring_queries
from interviewloop.api.hiring_schemas import (
    DebriefSchema,
    DecisionPage,
    DecisionSchema,
    HiringListQuery,
    PreOfferCheckPage,
    PreOfferCheckSchema,
)
from interviewloop.api.models import ApiScope
from interviewloop.api.queries import Window
from interviewloop.api.scorecard_views import FIRST_ITEM, links
from interviewloop.api.views import bp, json_response, operation, window
from interviewloop.db import db, utcnow
from interviewloop.debrief.summary import debrief_for
from interviewloop.errors import NotFound
from interviewloop.requisitions import service as requisitions
from interviewloop.requisitions.candidates import get_candidate
from interviewloop.requisitions.models import Candidate
from interviewloop.scorecards.access import panel_access


@bp.get("/candidates/<int:candidate_id>/debrief")
@operation(ApiScope.READ_DEBRIEFS)
@bp.response(200, DebriefSchema)
@bp.doc(operationId="get_debrief")
def get_debrief(candidate_id: int) -> ResponseReturnValue:
    """What the candidate's debrief page shows: per-area statistics and flags, the
    recommendations, each panelist's scorecard state, loop gaps, the pre-offer check's
    state and the latest decision (404 unless you may see the panel's scorecards)."""
    user = auth.caller()
    requisition_id = db.session.scalar(select(Candidate.requisition_id)
                                       .where(Candidate.id == candidate_id))
    if requisition_id is None:
        raise NotFound("No such candidate.")
    requisition = requisitions.get_requisition(db.session, user, requisition_id)
    candidate = get_candidate(db.session, requisition, candidate_id)
    if not panel_access(db.session, user, requisition, candidate).sees_panel:
        raise NotFound("No such candidate.")
    debrief = debrief_for(db.session, requisition, candidate, now=utcnow(),
                          due_hours=current_app.config["SCORECARD_DUE_HOURS"])
    body = {
        "candidate": candidate, "requisition": requisition, "stats": debrief.stats,
        "scorecard_ids": [card.id for card in debrief.cards],
        "recommendations": {r.value: n for r, n in debrief.tally.items()},
        "panel": debrief.states, "loop_gaps": debrief.loop_gaps,
        "set_differences": debrief.set_differences,
        "pre_offer_check_id": debrief.check.id if debrief.check else None,
        "pre_offer_passed": debrief.check.passed if debrief.check else None,
        "pre_offer_blocker": debrief.blocker, "decision": debrief.decision,
    }
    return json_response(DebriefSchema(), body)


@bp.get("/pre-offer-checks")
@operation(ApiScope.READ_DECISIONS)
@bp.arguments(HiringListQuery, location="query")
@bp.response(200, PreOfferCheckPage)
@bp.doc(**links("get_pre_offer_check", "check_id", FIRST_ITEM, "The page's first check."))
def list_pre_offer_checks(args: dict[str, Any]) -> ResponseReturnValue:
    """Pre-offer checks on candidates whose debrief you may open, in order of when each
    was last answered."""
    page = hiring_queries.pre_offer_page(
        db.session, auth.caller(), window(args), now=utcnow(),
        candidate_id=args.get("candidate_id"), requisition_id=args.get("requisition_id"))
    return json_response(PreOfferCheckPage(), page)


@bp.get("/pre-offer-checks/<int:check_id>")
@operation(ApiScope.READ_DECISIONS)
@bp.response(200, PreOfferCheckSchema)
@bp.doc(operationId="get_pre_offer_check")
def get_pre_offer_check(check_id: int) -> ResponseReturnValue:
    """One pre-offer check (404 unless you may open the candidate's debrief)."""
    page = hiring_queries.pre_offer_page(db.session, auth.caller(), Window(limit=1),
                                         now=utcnow(), check_id=check_id)
    if not page.items:
        raise NotFound("No such pre-offer check.")
    return json_response(PreOfferCheckSchema(), page.items[0])


@bp.get("/decisions")
@operation(ApiScope.READ_DECISIONS)
@bp.arguments(HiringListQuery, location="query")
@bp.response(200, DecisionPage)
@bp.doc(**links("get_decision", "decision_id", FIRST_ITEM, "The page's first decision."))
def list_decisions(args: dict[str, Any]) -> ResponseReturnValue:
    """Decisions (offer, reject, hold) on candidates whose debrief you may open, oldest
    first; ``updated_since`` picks up new ones."""
    page = hiring_queries.decision_page(
        db.session, auth.caller(), window(args), now=utcnow(),
        candidate_id=args.get("candidate_id"), requisition_id=args.get("requisition_id"))
    return json_response(DecisionPage(), page)


@bp.get("/decisions/<int:decision_id>")
@operation(ApiScope.READ_DECISIONS)
@bp.response(200, DecisionSchema)
@bp.doc(operationId="get_decision")
def get_decision(decision_id: int) -> ResponseReturnValue:
    """One decision (404 unless you may open the candidate's debrief)."""
    page = hiring_queries.decision_page(db.session, auth.caller(), Window(limit=1),
                                        now=utcnow(), decision_id=decision_id)
    if not page.items:
        raise NotFound("No such decision.")
    return json_response(DecisionSchema(), page.items[0])
