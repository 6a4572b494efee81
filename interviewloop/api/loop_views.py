"""/api/v1/loops and /api/v1/interviews: read.

A loop is shown to whoever may open the candidate's loop page (load_managed: the hiring
manager, the recruiter, admins; 403 for the rest of the team, 404 off it). An interview is
shown to whoever may open its page (scheduling.views._load_interview: its managers and its
panel; 404 for the rest), with its stage's questions as the interview kit shows them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.typing import ResponseReturnValue
from marshmallow import Schema
from sqlalchemy import select

from interviewloop.api import auth, resource_queries
from interviewloop.api.links import CANDIDATE_OF_BODY, FIRST_ITEM, links
from interviewloop.api.loop_schemas import (
    InterviewListQuery,
    InterviewPage,
    InterviewSchema,
    LoopListQuery,
    LoopPage,
    LoopSchema,
)
from interviewloop.api.models import ApiScope
from interviewloop.api.views import ETAG_HEADER, bp, etag, json_response, operation, window
from interviewloop.db import db
from interviewloop.errors import NotFound
from interviewloop.loops import service as loops
from interviewloop.loops.models import Loop
from interviewloop.requisitions import service as requisitions
from interviewloop.requisitions.models import Candidate
from interviewloop.scheduling import service as scheduling


def _filtered_page(page_of: Callable[..., Any], schema: Schema,
                   args: dict[str, Any]) -> ResponseReturnValue:
    """A list answer: the caller's window of ``page_of``, filtered by requisition or candidate."""
    page = page_of(db.session, auth.caller(), window(args),
                   requisition_id=args.get("requisition_id"),
                   candidate_id=args.get("candidate_id"))
    return json_response(schema, page)


@bp.get("/loops")
@operation(ApiScope.READ_LOOPS)
@bp.arguments(LoopListQuery, location="query")
@bp.response(200, LoopPage)
@bp.doc(operationId="listLoops", **links(200, getLoop={"loop_id": FIRST_ITEM}))
def list_loops(args: dict[str, Any]) -> ResponseReturnValue:
    """Loops of the candidates you manage (all, for admins), with their stages and
    questions; filter by requisition or candidate."""
    return _filtered_page(resource_queries.loop_page, LoopPage(), args)


@bp.get("/loops/<int:loop_id>")
@operation(ApiScope.READ_LOOPS)
@bp.response(200, LoopSchema, headers=ETAG_HEADER)
@bp.doc(operationId="getLoop", **links(200, getCandidate={"candidate_id": CANDIDATE_OF_BODY}))
def get_loop(loop_id: int) -> ResponseReturnValue:
    """One loop, with its stages and each stage's questions."""
    user = auth.caller()
    found = db.session.execute(
        select(Candidate.id, Candidate.requisition_id).join(Loop, Loop.candidate_id == Candidate.id)
        .where(Loop.id == loop_id)).first()
    if found is None:
        raise NotFound("No such loop.")
    requisition = requisitions.get_requisition(db.session, user, found.requisition_id)
    requisitions.require_manage(user, requisition)
    loop = loops.loop_for(db.session, db.session.get_one(Candidate, found.id))
    assert loop is not None  # found above, in this transaction
    return json_response(LoopSchema(), loop, headers={"ETag": etag(loop.version)})


@bp.get("/interviews")
@operation(ApiScope.READ_INTERVIEWS)
@bp.arguments(InterviewListQuery, location="query")
@bp.response(200, InterviewPage)
@bp.doc(operationId="listInterviews", **links(200, getInterview={"interview_id": FIRST_ITEM}))
def list_interviews(args: dict[str, Any]) -> ResponseReturnValue:
    """Interviews you are on the panel of, and those of the candidates you manage (all, for
    admins), cancelled ones included; filter by requisition or candidate."""
    return _filtered_page(resource_queries.interview_page, InterviewPage(), args)


@bp.get("/interviews/<int:interview_id>")
@operation(ApiScope.READ_INTERVIEWS)
@bp.response(200, InterviewSchema)  # no ETag: read only, and an answer keeps its version
@bp.doc(operationId="getInterview")
def get_interview(interview_id: int) -> ResponseReturnValue:
    """One interview: its stage and questions, times, panel and their answers to the invite
    (404 unless you are on its panel or manage its candidate)."""
    user = auth.caller()
    interview = scheduling.get_interview(db.session, interview_id)
    requisition = requisitions.get_requisition(db.session, user,
                                               interview.candidate.requisition_id)
    on_panel = any(p.user_id == user.id for p in interview.panel)
    if not (on_panel or requisitions.can_manage(user, requisition)):
        raise NotFound("No such interview.")
    scheduling.kit_stage(db.session, interview)  # the stage's questions, as the kit has them
    return json_response(InterviewSchema(), interview)
