"""Loops (stages and their questions) and interviews, as the API shows them."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from interviewloop.api.schemas import ListQuery, page_schema
from interviewloop.enums import Category, Level, PanelRole
from interviewloop.loops.models import AlternateReason
from interviewloop.scheduling.models import InterviewStatus, RsvpState

_ID = validate.Range(1, 2**31 - 1)


class SlugSchema(ma.Schema):
    slug = fields.String(required=True)


class LoopQuestionSchema(ma.Schema):
    id = fields.Integer(required=True, metadata={"description": "This place in the stage."})
    question_id = fields.Integer(required=True, metadata={
        "description": "The bank question asked: GET /api/v1/bank/questions/{question_id}."})
    title = fields.String(required=True, attribute="question.title")
    position = fields.Integer(required=True)
    set_question_id = fields.Integer(required=True, allow_none=True, metadata={
        "description": "What the requisition's question set asks here (null: a stage of "
                       "this loop only)."})
    alternate_reason = fields.Enum(AlternateReason, by_value=True, required=True,
                                   allow_none=True, metadata={
        "description": "Why this loop asks another question than the set does here."})


class LoopStageSchema(ma.Schema):
    id = fields.Integer(required=True)
    position = fields.Integer(required=True)
    name = fields.String(required=True)
    category = fields.Enum(Category, by_value=True, required=True)
    minutes = fields.Integer(required=True)
    focus_areas = fields.Pluck(SlugSchema, "slug", many=True, required=True, metadata={
        "description": "The capability areas the stage probes, by slug."})
    questions = fields.List(fields.Nested(LoopQuestionSchema), required=True)


class LoopSchema(ma.Schema):
    id = fields.Integer(required=True)
    candidate_id = fields.Integer(required=True)
    requisition_id = fields.Integer(required=True, attribute="candidate.requisition_id")
    level = fields.Enum(Level, by_value=True, required=True)
    question_set_id = fields.Integer(required=True, allow_none=True)
    coverage_gaps = fields.List(fields.String(), required=True, metadata={
        "description": "What the loop fails to cover (empty: nothing)."})
    stages = fields.List(fields.Nested(LoopStageSchema), required=True)
    created_at = fields.AwareDateTime(required=True)
    updated_at = fields.AwareDateTime(required=True)
    version = fields.Integer(required=True, metadata={"description": "Also the ETag."})


class KitQuestionSchema(ma.Schema):
    question_id = fields.Integer(required=True)
    title = fields.String(required=True, attribute="question.title")
    position = fields.Integer(required=True)


class InterviewStageSchema(ma.Schema):
    id = fields.Integer(required=True)
    loop_id = fields.Integer(required=True)
    position = fields.Integer(required=True)
    name = fields.String(required=True)
    category = fields.Enum(Category, by_value=True, required=True)
    minutes = fields.Integer(required=True)
    questions = fields.List(fields.Nested(KitQuestionSchema), required=True, metadata={
        "description": "The stage's questions, as in the interview kit."})


class PanelistSchema(ma.Schema):
    user_id = fields.Integer(required=True)
    name = fields.String(required=True, attribute="user.name")
    role = fields.Enum(PanelRole, by_value=True, required=True)
    rsvp = fields.Enum(RsvpState, by_value=True, required=True)
    rsvp_at = fields.AwareDateTime(required=True, allow_none=True)
    live = fields.Boolean(required=True, metadata={"description": "False once cancelled."})


class InterviewSchema(ma.Schema):
    id = fields.Integer(required=True)
    candidate_id = fields.Integer(required=True)
    requisition_id = fields.Integer(required=True, attribute="candidate.requisition_id")
    stage = fields.Nested(InterviewStageSchema, required=True)
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)
    time_zone = fields.String(required=True, attribute="candidate.time_zone", metadata={
        "description": "The candidate's time zone (IANA); the times themselves are UTC."})
    location = fields.String(required=True)
    status = fields.Enum(InterviewStatus, by_value=True, required=True)
    sequence = fields.Integer(required=True, metadata={
        "description": "The invite's SEQUENCE (RFC 5545): raised by every change."})
    cancelled_at = fields.AwareDateTime(required=True, allow_none=True)
    panel = fields.List(fields.Nested(PanelistSchema), required=True)
    created_at = fields.AwareDateTime(required=True)
    updated_at = fields.AwareDateTime(required=True, metadata={
        "description": "Any change, a panelist's answer to the invite included."})
    version = fields.Integer(required=True, metadata={
        "description": "Raised by a reschedule or a cancellation (not by an answer)."})


class LoopListQuery(ListQuery):
    requisition_id = fields.Integer(validate=_ID)
    candidate_id = fields.Integer(validate=_ID)


InterviewListQuery = LoopListQuery
LoopPage = page_schema(LoopSchema, "LoopPage")
InterviewPage = page_schema(InterviewSchema, "InterviewPage")
