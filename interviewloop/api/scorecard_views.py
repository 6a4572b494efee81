"""/api/v1/scorecards: submitted scorecards, under the same independence rule as the pages
(scorecards/access.py): nobody reads another interviewer's scorecard on a candidate before
their own is in, a draft is nobody's to read here (its author's alone, on the page), and a
trainee's practice card is theirs and their coach's."""

from __future__ import annotations

from typing import Any

from flask.typing import ResponseReturnValue
from sqlalchemy import select

from interviewloop.api import auth, hiring_queries
from interviewloop.api.hiring_schemas import HiringListQuery, ScorecardPage, ScorecardSchema
from interviewloop.api.models import ApiScope
from interviewloop.api.views import ETAG_HEADER, bp, etag, json_response, operation, window
from interviewloop.db import db, utcnow
from interviewloop.errors import NotFound
from interviewloop.scorecards.access import readable_requisition
from interviewloop.scorecards.models import Scorecard, ScorecardStatus

FIRST_ITEM = "$response.body#/items/0/id"


def links(operation_id: str, parameter: str, value: str, description: str) -> dict[str, Any]:
    """OpenAPI links from an operation's 200 answer to another operation (by its id): what
    a client, and schemathesis' stateful runs, follow."""
    return {"responses": {"200": {"links": {operation_id: {
        "operationId": operation_id, "description": description,
        "parameters": {parameter: value}}}}}}


@bp.get("/scorecards")
@operation(ApiScope.READ_SCORECARDS)
@bp.arguments(HiringListQuery, location="query")
@bp.response(200, ScorecardPage)
@bp.doc(**links("get_scorecard", "scorecard_id", FIRST_ITEM, "The page's first scorecard."))
def list_scorecards(args: dict[str, Any]) -> ResponseReturnValue:
    """Submitted scorecards you may read: your own, and the panel's on candidates whose
    scorecards you see (as on the candidate's scorecards page: none on a candidate while
    one of yours is pending); a trainee's practice card to its author and coach. Filter by
    candidate or requisition; ``updated_since`` picks up edits."""
    page = hiring_queries.scorecard_page(
        db.session, auth.caller(), window(args), now=utcnow(),
        candidate_id=args.get("candidate_id"), requisition_id=args.get("requisition_id"))
    return json_response(ScorecardPage(), page)


@bp.get("/scorecards/<int:scorecard_id>")
@operation(ApiScope.READ_SCORECARDS)
@bp.response(200, ScorecardSchema, headers=ETAG_HEADER)
@bp.doc(operationId="get_scorecard", **links(
    "get_debrief", "candidate_id", "$response.body#/candidate_id", "The candidate's debrief."))
def get_scorecard(scorecard_id: int) -> ResponseReturnValue:
    """One submitted scorecard (404 for a draft, and for one you may not read yet)."""
    scorecard = db.session.scalar(select(Scorecard).where(
        Scorecard.id == scorecard_id, Scorecard.status == ScorecardStatus.SUBMITTED)
        .options(*hiring_queries.scorecard_options()))
    if scorecard is None:
        raise NotFound("No such scorecard.")
    readable_requisition(db.session, auth.caller(), scorecard)
    return json_response(ScorecardSchema(), scorecard, headers={"ETag": etag(scorecard.version)})
