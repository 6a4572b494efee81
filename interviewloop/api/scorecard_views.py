"""/api/v1/scorecards: submitted scorecards, under the same independence rule as the pages
(scorecards/access.py): nobody reads another interviewer's scorecard on a candidate before
their own is in, a draft is nobody's to read here (its author's alone, on the page), and a
trainee's practice card is theirs and their coach's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import marshmallow as ma
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from werkzeug.wrappers import Response

from interviewloop.api import auth, hiring_queries
from interviewloop.api.hiring_schemas import HiringListQuery, ScorecardPage, ScorecardSchema
from interviewloop.api.links import CANDIDATE_OF_BODY, FIRST_ITEM, links
from interviewloop.api.models import ApiScope
from interviewloop.api.queries import Page, Window
from interviewloop.api.views import ETAG_HEADER, bp, etag, json_response, operation, window
from interviewloop.db import db, utcnow
from interviewloop.errors import NotFound
from interviewloop.scorecards.access import readable_requisition
from interviewloop.scorecards.models import Scorecard, ScorecardStatus


def listed(query: Callable[..., Page[Any]], args: dict[str, Any]) -> Page[Any]:
    """A page of one of hiring_queries' lists, for the caller, with the query's filters."""
    return query(db.session, auth.caller(), window(args), now=utcnow(),
                 candidate_id=args.get("candidate_id"), requisition_id=args.get("requisition_id"))


def one(query: Callable[..., Page[Any]], schema: ma.Schema, what: str, **row_id: int
        ) -> Response:
    """The row of one of hiring_queries' lists with this id, if the caller may see it."""
    page = query(db.session, auth.caller(), Window(limit=1), now=utcnow(), **row_id)
    if not page.items:
        raise NotFound(f"No such {what}.")
    return json_response(schema, page.items[0])


@bp.get("/scorecards")
@operation(ApiScope.READ_SCORECARDS)
@bp.arguments(HiringListQuery, location="query")
@bp.response(200, ScorecardPage)
@bp.doc(operationId="listScorecards", **links(200, getScorecard={"scorecard_id": FIRST_ITEM}))
def list_scorecards(args: dict[str, Any]) -> ResponseReturnValue:
    """Submitted scorecards you may read: your own, and the panel's on candidates whose
    scorecards you see (as on the candidate's scorecards page: none on a candidate while
    one of yours is pending); a trainee's practice card to its author and coach. Filter by
    candidate or requisition; ``updated_since`` picks up edits."""
    return json_response(ScorecardPage(), listed(hiring_queries.scorecard_page, args))


@bp.get("/scorecards/<int:scorecard_id>")
@operation(ApiScope.READ_SCORECARDS)
@bp.response(200, ScorecardSchema, headers=ETAG_HEADER)
@bp.doc(operationId="getScorecard",
        **links(200, getDebrief={"candidate_id": CANDIDATE_OF_BODY}))
def get_scorecard(scorecard_id: int) -> ResponseReturnValue:
    """One submitted scorecard (404 for a draft, and for one you may not read yet)."""
    scorecard = db.session.scalar(select(Scorecard).where(
        Scorecard.id == scorecard_id, Scorecard.status == ScorecardStatus.SUBMITTED)
        .options(*hiring_queries.scorecard_options()))
    if scorecard is None:
        raise NotFound("No such scorecard.")
    readable_requisition(db.session, auth.caller(), scorecard)
    return json_response(ScorecardSchema(), scorecard, headers={"ETag": etag(scorecard.version)})
