"""/api/v1: the blueprint, its conventions (ETag, pages), and the requisitions.

Each operation asks the same service and permission predicate as the page that does the
same thing (requisitions/views.py: load, load_managed), with the token's owner as the user."""

from __future__ import annotations

import http
from collections.abc import Callable, Mapping
from typing import Any

import marshmallow as ma
from flask import Flask, json, request
from flask.typing import ResponseReturnValue
from flask_smorest import Blueprint
from werkzeug.wrappers import Response

from interviewloop.api import auth, guards, queries
from interviewloop.api.models import ApiScope
from interviewloop.api.problems import ApiProblem
from interviewloop.api.schemas import ListQuery, RequisitionPage, RequisitionSchema
from interviewloop.api.spec import BEARER
from interviewloop.db import db
from interviewloop.ratelimit import configured, limiter
from interviewloop.requisitions import service as requisitions

bp = Blueprint("api_v1", __name__, url_prefix="/api/v1",
               description="Requisitions, candidates, loops, interviews, the question bank "
                           "and users.")
bp.before_request(auth.authenticate)
bp.before_request(guards.refuse_nul_in_json)
limiter.limit(configured("RATELIMIT_API"), key_func=auth.rate_limit_key,
              error_message="Too many API calls with this token.")(bp)

REFUSALS = (401, 403, 404, 429)


def operation(scope: ApiScope, *refusals: int) -> Callable[[Callable[..., Any]], Any]:
    """An operation that needs ``scope``: checked, and documented with its refusals."""

    def decorator(view: Callable[..., Any]) -> Any:
        wrapped: Any = auth.requires(scope)(view)
        for status in sorted({*REFUSALS, *refusals}):
            wrapped = bp.alt_response(status, response=http.HTTPStatus(status).name)(wrapped)
        return bp.doc(security=[{BEARER: [scope.value]}])(wrapped)

    return decorator


def etag(version: int) -> str:
    return f'"{version}"'


def required_version(current: int) -> int:
    """The version the client last read, from If-Match: 428 without one, 412 if stale."""
    header = request.headers.get("If-Match")
    if header is None:
        raise ApiProblem(428, "Send If-Match with the ETag you last read, so that an update "
                              "never overwrites a change you have not seen.")
    tags = [t.strip() for t in header.split(",")]
    if "*" in tags or etag(current) in tags:
        return current
    raise ApiProblem(412, "This resource changed since the ETag you sent; read it again.")


def json_response(schema: ma.Schema, obj: Any, status: int = 200,
                  headers: Mapping[str, str] | None = None) -> Response:
    response = Response(json.dumps(schema.dump(obj)), status=status, mimetype="application/json")
    response.headers.update(headers or {})
    return response


def window(args: Mapping[str, Any]) -> queries.Window:
    return queries.Window(limit=args["limit"], cursor=args.get("cursor"),
                          updated_since=args.get("updated_since"))


ETAG_HEADER = {"ETag": {"description": "The version; send it as If-Match to update.",
                        "schema": {"type": "string"}}}


@bp.get("/requisitions")
@operation(ApiScope.READ_REQUISITIONS)
@bp.arguments(ListQuery, location="query")
@bp.response(200, RequisitionPage)
def list_requisitions(args: dict[str, Any]) -> ResponseReturnValue:
    """Requisitions whose hiring team you are on (all, for admins)."""
    page = queries.requisition_page(db.session, auth.caller(), window(args))
    return json_response(RequisitionPage(), page)


@bp.get("/requisitions/<int:requisition_id>")
@operation(ApiScope.READ_REQUISITIONS)
@bp.response(200, RequisitionSchema, headers=ETAG_HEADER)
def get_requisition(requisition_id: int) -> ResponseReturnValue:
    """One requisition (404 unless you are on its hiring team, or admin)."""
    requisition = requisitions.get_requisition(db.session, auth.caller(), requisition_id)
    return json_response(RequisitionSchema(), requisition,
                         headers={"ETag": etag(requisition.version)})


def init_app(app: Flask) -> None:
    from interviewloop.api import (
        bank_views,
        candidate_views,
        debrief_views,
        docs_views,
        loop_views,
        problems,
        scorecard_views,
        spec,
        user_views,
    )
    from interviewloop.security import csrf

    problems.init_app(app)
    csrf.exempt(bp)  # bearer tokens only: no cookie authenticates, so nothing to forge
    api = spec.make_api(app)
    for module in (candidate_views, loop_views, bank_views, user_views, scorecard_views,
                   debrief_views):
        assert module.bp is bp  # their routes are on this blueprint
    api.register_blueprint(bp)
    app.register_blueprint(docs_views.docs_bp)
