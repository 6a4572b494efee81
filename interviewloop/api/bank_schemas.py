"""Bank questions as the API reads and writes them. The schema checks types and sizes; what
makes a question valid (how many signals, known areas, ...) is the bank's own rule
(bank/schema.py validate_question), asked by its services, with the field at fault."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from interviewloop import limits
from interviewloop.api.loop_schemas import SlugSchema
from interviewloop.api.schemas import ListQuery, page_schema
from interviewloop.enums import Category, Level

_POINTS = validate.Length(max=50)
_POINT = validate.Length(max=limits.QUESTION_POINT.high)
_SLUGS = validate.Length(max=20)
_SLUG = validate.Length(max=limits.SLUG.high)


class QuestionSchema(ma.Schema):
    id = fields.Integer(required=True)
    slug = fields.String(required=True)
    category = fields.Enum(Category, by_value=True, required=True)
    title = fields.String(required=True)
    prompt = fields.String(required=True)
    signals = fields.List(fields.String(), required=True,
                          metadata={"description": "What a strong answer covers."})
    red_flags = fields.List(fields.String(), required=True)
    areas = fields.Pluck(SlugSchema, "slug", many=True, required=True, metadata={
        "description": "The capability areas it probes, by slug."})
    levels = fields.List(fields.Enum(Level, by_value=True), required=True)
    benchmarks = fields.Pluck(SlugSchema, "slug", many=True, required=True, metadata={
        "description": "The production benchmark questions it exercises, by slug."})
    minutes = fields.Integer(required=True, attribute="suggested_minutes")
    origin = fields.String(required=True, metadata={"description": "bank_file or web."})
    retired_at = fields.AwareDateTime(required=True, allow_none=True)
    created_at = fields.AwareDateTime(required=True)
    updated_at = fields.AwareDateTime(required=True)
    version = fields.Integer(required=True, metadata={"description": "Also the ETag."})


class QuestionListQuery(ListQuery):
    q = fields.String(validate=validate.Length(max=limits.SEARCH_TEXT), metadata={
        "description": "Words the title or prompt contains (each of them)."})
    category = fields.Enum(Category, by_value=True)
    level = fields.Enum(Level, by_value=True)
    area = fields.String(validate=_SLUG, metadata={"description": "A capability area's slug."})
    benchmark = fields.String(validate=_SLUG, metadata={
        "description": "A benchmark question's slug."})
    status = fields.String(load_default="active",
                           validate=validate.OneOf(["active", "retired", "all"]))


class QuestionUpdate(ma.Schema):
    """Fields left out keep their value."""

    title = fields.String(validate=validate.Length(max=limits.QUESTION_TITLE.high))
    category = fields.Enum(Category, by_value=True)
    prompt = fields.String(validate=validate.Length(max=limits.QUESTION_PROMPT.high))
    signals = fields.List(fields.String(validate=_POINT), validate=_POINTS, metadata={
        "description": "At least 3."})
    red_flags = fields.List(fields.String(validate=_POINT), validate=_POINTS, metadata={
        "description": "At least 2."})
    areas = fields.List(fields.String(validate=_SLUG), validate=_SLUGS, metadata={
        "description": "Capability area slugs; at least one."})
    levels = fields.List(fields.Enum(Level, by_value=True), validate=_SLUGS)
    benchmarks = fields.List(fields.String(validate=_SLUG), validate=_SLUGS)
    minutes = fields.Integer(validate=validate.Range(limits.QUESTION_MINUTES.low,
                                                     limits.QUESTION_MINUTES.high))


class QuestionCreate(QuestionUpdate):
    title = fields.String(required=True,
                          validate=validate.Length(max=limits.QUESTION_TITLE.high))
    category = fields.Enum(Category, by_value=True, required=True)
    prompt = fields.String(required=True,
                           validate=validate.Length(max=limits.QUESTION_PROMPT.high))
    signals = fields.List(fields.String(validate=_POINT), required=True, validate=_POINTS)
    red_flags = fields.List(fields.String(validate=_POINT), required=True, validate=_POINTS)
    areas = fields.List(fields.String(validate=_SLUG), required=True, validate=_SLUGS)
    levels = fields.List(fields.Enum(Level, by_value=True), required=True, validate=_SLUGS)


QuestionPage = page_schema(QuestionSchema, "QuestionPage")
