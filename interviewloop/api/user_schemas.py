"""Users as the API shows them to admins: who they are and their roles. Never a password
hash, a two-factor secret, a calendar feed's digest or any token: the schema names each
field it shows, so nothing else leaves."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields

from interviewloop.api.schemas import page_schema
from interviewloop.enums import Role


class UserSchema(ma.Schema):
    id = fields.Integer(required=True)
    email = fields.String(required=True)
    name = fields.String(required=True)
    roles = fields.Method("sorted_roles", required=True,
                          metadata={"type": "array", "items": {
                              "type": "string", "enum": [r.value for r in Role]}})
    time_zone = fields.String(required=True)
    job_title = fields.String(required=True)
    is_active = fields.Boolean(required=True)
    weekly_interview_cap = fields.Integer(required=True, allow_none=True)
    created_at = fields.AwareDateTime(required=True)
    updated_at = fields.AwareDateTime(required=True)
    deactivated_at = fields.AwareDateTime(required=True, allow_none=True)

    def sorted_roles(self, user: object) -> list[str]:
        return sorted(role.value for role in getattr(user, "roles"))  # noqa: B009


UserPage = page_schema(UserSchema, "UserPage")
