"""What the API reads and writes, as marshmallow schemas; the OpenAPI document is made
from these (apispec), so it cannot drift from what the code accepts."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from interviewloop import limits
from interviewloop.enums import Level
from interviewloop.requisitions.models import CandidateStatus, RequisitionStatus

_RANGE = validate.Range
_LENGTH = validate.Length


class Cursor(fields.Field[tuple[datetime, int]]):
    """An opaque position in a list: the last row's (updated_at, id), base64url. (A string
    in the OpenAPI document: spec.make_api registers it.)"""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        if value is None:
            return None
        moment, row_id = value
        raw = json.dumps([moment.isoformat(), row_id]).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def _deserialize(self, value: Any, attr: str | None, data: Any,
                     **kwargs: Any) -> tuple[datetime, int]:
        if not isinstance(value, str) or len(value) > 200:
            raise ma.ValidationError("Not a cursor this API gave out.")
        text = value
        try:
            moment, row_id = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
            position = datetime.fromisoformat(moment)
            if position.tzinfo is None or not isinstance(row_id, int) or \
                    not 0 < row_id < 2**31 or isinstance(row_id, bool):
                raise ValueError
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
            raise ma.ValidationError("Not a cursor this API gave out.") from None
        return position.astimezone(UTC), row_id


class ListQuery(ma.Schema):
    limit = fields.Integer(load_default=50, validate=_RANGE(limits.API_PAGE_SIZE.low,
                                                            limits.API_PAGE_SIZE.high),
                           metadata={"description": "Rows per page."})
    cursor = Cursor(metadata={"description": "next_cursor from the previous page."})
    updated_since = fields.AwareDateTime(
        default_timezone=UTC,
        metadata={"description": "Only rows changed at or after this time (ISO 8601; UTC if "
                                 "no offset). Rows come oldest change first."})


class CandidateListQuery(ListQuery):
    requisition_id = fields.Integer(validate=_RANGE(1, 2**31 - 1))
    external_source = fields.String(validate=_LENGTH(limits.EXTERNAL_SOURCE.low,
                                                     limits.EXTERNAL_SOURCE.high))
    external_id = fields.String(validate=_LENGTH(limits.EXTERNAL_ID.low, limits.EXTERNAL_ID.high))


class RequisitionSchema(ma.Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    level = fields.Enum(Level, by_value=True, required=True)
    team = fields.String(required=True)
    status = fields.Enum(RequisitionStatus, by_value=True, required=True)
    hiring_manager_id = fields.Integer(required=True)
    recruiter_id = fields.Integer(required=True)
    comp_currency = fields.String(required=True)
    comp_min = fields.Integer(required=True)
    comp_max = fields.Integer(required=True)
    created_at = fields.AwareDateTime(required=True)
    updated_at = fields.AwareDateTime(required=True)
    opened_at = fields.AwareDateTime(required=True, allow_none=True)
    closed_at = fields.AwareDateTime(required=True, allow_none=True)
    version = fields.Integer(required=True, metadata={"description": "Also the ETag."})


class CandidateSchema(ma.Schema):
    id = fields.Integer(required=True)
    requisition_id = fields.Integer(required=True)
    name = fields.String(required=True)
    email = fields.String(required=True)
    source = fields.String(required=True)
    status = fields.Enum(CandidateStatus, by_value=True, required=True)
    notes = fields.String(required=True)
    time_zone = fields.String(required=True)
    external_source = fields.String(required=True, allow_none=True)
    external_id = fields.String(required=True, allow_none=True)
    created_at = fields.AwareDateTime(required=True)
    updated_at = fields.AwareDateTime(required=True)
    version = fields.Integer(required=True, metadata={"description": "Also the ETag."})


def _page(item: type[ma.Schema], name: str) -> type[ma.Schema]:
    return ma.Schema.from_dict({
        "items": fields.List(fields.Nested(item), required=True),
        "next_cursor": Cursor(required=True, allow_none=True, metadata={
            "description": "Pass as ?cursor= for the next page; null on the last page."}),
    }, name=name)


page_schema = _page  # for the other schema modules (loop_schemas, bank_schemas, ...)
RequisitionPage = _page(RequisitionSchema, "RequisitionPage")
CandidatePage = _page(CandidateSchema, "CandidatePage")

_NAME = _LENGTH(limits.PERSON_NAME.low, limits.PERSON_NAME.high)
_EMAIL = _LENGTH(limits.EMAIL.low, limits.EMAIL.high)
_EXT_SOURCE = _LENGTH(max=limits.EXTERNAL_SOURCE.high)
_EXT_ID = _LENGTH(max=limits.EXTERNAL_ID.high)


class CandidateUpdate(ma.Schema):
    """Fields left out keep their value. An external id and its source go together; send
    both empty to clear them."""

    name = fields.String(validate=_NAME)
    email = fields.Email(validate=_EMAIL)
    source = fields.String(validate=_LENGTH(max=limits.CANDIDATE_SOURCE))
    notes = fields.String(validate=_LENGTH(max=limits.CANDIDATE_NOTES))
    external_source = fields.String(validate=_EXT_SOURCE, metadata={
        "description": "The system the candidate comes from, e.g. greenhouse."})
    external_id = fields.String(validate=_EXT_ID, metadata={
        "description": "The candidate's id in that system: unique per source."})


class CandidateCreate(CandidateUpdate):
    requisition_id = fields.Integer(required=True, validate=_RANGE(1, 2**31 - 1))
    name = fields.String(required=True, validate=_NAME)
    email = fields.Email(required=True, validate=_EMAIL)


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    instance = fields.String(required=True)
    errors = fields.List(fields.Dict(keys=fields.String(), values=fields.String()),
                         metadata={"description": "The fields at fault: {field, message}."})
