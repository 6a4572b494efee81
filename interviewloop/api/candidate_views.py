"""/api/v1/candidates: list, read, create (idempotent with Idempotency-Key), update.

The pages show a requisition's candidates to whoever manages it (load_managed: the hiring
manager, the recruiter, admins; 403 for the rest of the team, 404 off it), and so does this."""

from __future__ import annotations

from typing import Any

from flask import json, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from interviewloop.api import auth, queries
from interviewloop.api.creates import IDEMPOTENCY_KEY, idempotent_create
from interviewloop.api.models import ApiScope
from interviewloop.api.problems import ApiProblem
from interviewloop.api.schemas import (
    CandidateCreate,
    CandidateListQuery,
    CandidatePage,
    CandidateSchema,
    CandidateUpdate,
)
from interviewloop.api.spec import if_match
from interviewloop.api.views import (
    ETAG_HEADER,
    bp,
    etag,
    json_response,
    operation,
    required_version,
    window,
)
from interviewloop.db import db
from interviewloop.errors import NotFound
from interviewloop.requisitions import candidates as service
from interviewloop.requisitions import service as requisitions
from interviewloop.requisitions.models import Candidate, Requisition


def visible_candidate(candidate_id: int) -> tuple[Requisition, Candidate]:
    """The candidate and its requisition, if the caller is on its hiring team (404 if not)."""
    requisition_id = db.session.scalar(select(Candidate.requisition_id)
                                       .where(Candidate.id == candidate_id))
    if requisition_id is None:
        raise NotFound("No such candidate.")
    requisition = requisitions.get_requisition(db.session, auth.caller(), requisition_id)
    return requisition, service.get_candidate(db.session, requisition, candidate_id)


def _load(candidate_id: int) -> tuple[Requisition, Candidate]:
    """The candidate and its requisition, if the caller manages that requisition."""
    requisition, candidate = visible_candidate(candidate_id)
    requisitions.require_manage(auth.caller(), requisition)
    return requisition, candidate


def _headers(candidate: Candidate) -> dict[str, str]:
    return {"ETag": etag(candidate.version),
            "Location": url_for("api_v1.get_candidate", candidate_id=candidate.id)}


@bp.get("/candidates")
@operation(ApiScope.READ_CANDIDATES)
@bp.arguments(CandidateListQuery, location="query")
@bp.response(200, CandidatePage)
def list_candidates(args: dict[str, Any]) -> ResponseReturnValue:
    """Candidates on the requisitions you manage (all, for admins); filter by requisition or
    by external id to find one you imported."""
    page = queries.candidate_page(
        db.session, auth.caller(), window(args), requisition_id=args.get("requisition_id"),
        external_source=args.get("external_source"), external_id=args.get("external_id"))
    return json_response(CandidatePage(), page)


@bp.get("/candidates/<int:candidate_id>")
@operation(ApiScope.READ_CANDIDATES)
@bp.response(200, CandidateSchema, headers=ETAG_HEADER)
@bp.doc(operationId="getCandidate")  # a link's target (api/links.py)
def get_candidate(candidate_id: int) -> ResponseReturnValue:
    """One candidate."""
    _requisition, candidate = _load(candidate_id)
    return json_response(CandidateSchema(), candidate, headers={"ETag": etag(candidate.version)})


@bp.post("/candidates")
@operation(ApiScope.WRITE_CANDIDATES, 409, 422)
@bp.arguments(CandidateCreate)
@bp.doc(parameters=[IDEMPOTENCY_KEY])
@bp.response(201, CandidateSchema, headers=ETAG_HEADER)
def create_candidate(data: dict[str, Any]) -> ResponseReturnValue:
    """Add a candidate to an open requisition you manage, e.g. pushed from an ATS with its
    external id (409 if that id from that source was imported already)."""

    def create() -> tuple[str, dict[str, str]]:
        try:
            requisition = requisitions.get_requisition(db.session, auth.caller(),
                                                       data["requisition_id"])
        except NotFound:
            raise ApiProblem(422, "No such requisition.", field="requisition_id") from None
        candidate = service.add_candidate(db.session, auth.api_actor(), requisition,
                                          _input(data))
        return json.dumps(CandidateSchema().dump(candidate)), _headers(candidate)

    return idempotent_create(create)


@bp.patch("/candidates/<int:candidate_id>")
@operation(ApiScope.WRITE_CANDIDATES, 409, 412, 422, 428)
@bp.arguments(CandidateUpdate)
@bp.doc(parameters=[if_match("candidate")])
@bp.response(200, CandidateSchema, headers=ETAG_HEADER)
def update_candidate(data: dict[str, Any], candidate_id: int) -> ResponseReturnValue:
    """Change some of a candidate's details; send If-Match with its ETag (412 if it changed
    since)."""
    requisition, candidate = _load(candidate_id)
    seen = required_version(candidate.version)
    try:
        service.update_candidate(db.session, auth.api_actor(), requisition, candidate,
                                 _input(data, candidate), seen_version=seen)
    except service.StaleCandidate:
        raise ApiProblem(412, "This candidate changed a moment ago; read it again.") from None
    return json_response(CandidateSchema(), candidate, headers=_headers(candidate))


def _input(data: dict[str, Any], current: Candidate | None = None) -> service.CandidateInput:
    def value(name: str, default: str = "") -> str:
        return str(data.get(name, getattr(current, name) if current is not None else default))

    external = {}
    if "external_source" in data or "external_id" in data:
        external = {name: data.get(name, getattr(current, name, None) or "")
                    for name in ("external_source", "external_id")}
    return service.CandidateInput(name=value("name"), email=value("email"),
                                  source=value("source"), notes=value("notes"), **external)
