"""/api/v1: a candidate's debrief summary, the pre-offer checks and the decisions (read).

Each is for whoever may open the candidate's debrief page (debrief/views.py _load: the
team rule, then scorecards.access.panel_access), with the same numbers as that page
(debrief.summary.debrief_for)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.typing import ResponseReturnValue

from interviewloop.api import auth, hiring_queries
from interviewloop.api.candidate_views import visible_candidate
from interviewloop.api.hiring_schemas import (
    DebriefSchema,
    DecisionPage,
    DecisionSchema,
    HiringListQuery,
    PreOfferCheckPage,
    PreOfferCheckSchema,
)
from interviewloop.api.links import FIRST_ITEM, links
from interviewloop.api.models import ApiScope
from interviewloop.api.scorecard_views import listed, one
from interviewloop.api.views import bp, json_response, operation
from interviewloop.db import db, utcnow
from interviewloop.debrief.summary import debrief_for
from interviewloop.errors import NotFound
from interviewloop.scorecards.access import panel_access


@bp.get("/candidates/<int:candidate_id>/debrief")
@operation(ApiScope.READ_DEBRIEFS)
@bp.response(200, DebriefSchema)
@bp.doc(operationId="getDebrief")
def get_debrief(candidate_id: int) -> ResponseReturnValue:
    """What the candidate's debrief page shows: per-area statistics and flags, the
    recommendations, each panelist's scorecard state, loop gaps, the pre-offer check's
    state and the latest decision (404 unless you may see the panel's scorecards)."""
    user = auth.caller()
    requisition, candidate = visible_candidate(candidate_id)
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
@bp.doc(operationId="listPreOfferChecks",
        **links(200, getPreOfferCheck={"check_id": FIRST_ITEM}))
def list_pre_offer_checks(args: dict[str, Any]) -> ResponseReturnValue:
    """Pre-offer checks on candidates whose debrief you may open, in order of when each
    was last answered."""
    return json_response(PreOfferCheckPage(), listed(hiring_queries.pre_offer_page, args))


@bp.get("/pre-offer-checks/<int:check_id>")
@operation(ApiScope.READ_DECISIONS)
@bp.response(200, PreOfferCheckSchema)
@bp.doc(operationId="getPreOfferCheck")
def get_pre_offer_check(check_id: int) -> ResponseReturnValue:
    """One pre-offer check (404 unless you may open the candidate's debrief)."""
    return one(hiring_queries.pre_offer_page, PreOfferCheckSchema(), "pre-offer check",
               check_id=check_id)


@bp.get("/decisions")
@operation(ApiScope.READ_DECISIONS)
@bp.arguments(HiringListQuery, location="query")
@bp.response(200, DecisionPage)
@bp.doc(operationId="listDecisions", **links(200, getDecision={"decision_id": FIRST_ITEM}))
def list_decisions(args: dict[str, Any]) -> ResponseReturnValue:
    """Decisions (offer, reject, hold) on candidates whose debrief you may open, oldest
    first; ``updated_since`` picks up new ones."""
    return json_response(DecisionPage(), listed(hiring_queries.decision_page, args))


@bp.get("/decisions/<int:decision_id>")
@operation(ApiScope.READ_DECISIONS)
@bp.response(200, DecisionSchema)
@bp.doc(operationId="getDecision")
def get_decision(decision_id: int) -> ResponseReturnValue:
    """One decision (404 unless you may open the candidate's debrief)."""
    return one(hiring_queries.decision_page, DecisionSchema(), "decision",
               decision_id=decision_id)
