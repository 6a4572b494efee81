"""/api/v1/users: read, for admins only (as Admin -> Users is: roles_required())."""

from __future__ import annotations

from typing import Any

from flask.typing import ResponseReturnValue

from interviewloop.api import auth, resource_queries
from interviewloop.api.links import FIRST_ITEM, links
from interviewloop.api.models import ApiScope
from interviewloop.api.problems import ApiProblem
from interviewloop.api.schemas import ListQuery
from interviewloop.api.user_schemas import UserPage, UserSchema
from interviewloop.api.views import bp, json_response, operation, window
from interviewloop.auth import service
from interviewloop.db import db


def _require_admin() -> None:
    if not auth.caller().is_admin:
        raise ApiProblem(403, "Only admins read the list of users.")


@bp.get("/users")
@operation(ApiScope.READ_USERS)
@bp.arguments(ListQuery, location="query")
@bp.response(200, UserPage)
@bp.doc(operationId="listUsers", **links(200, getUser={"user_id": FIRST_ITEM}))
def list_users(args: dict[str, Any]) -> ResponseReturnValue:
    """Every user, deactivated ones included, with their roles (admins only)."""
    _require_admin()
    return json_response(UserPage(), resource_queries.user_page(db.session, window(args)))


@bp.get("/users/<int:user_id>")
@operation(ApiScope.READ_USERS)
@bp.response(200, UserSchema)
@bp.doc(operationId="getUser")
def get_user(user_id: int) -> ResponseReturnValue:
    """One user (admins only)."""
    _require_admin()
    return json_response(UserSchema(), service.get_user(db.session, user_id))
