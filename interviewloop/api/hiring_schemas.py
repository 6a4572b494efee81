"""What the API shows of scorecards, debriefs, pre-offer checks and decisions (read only),
as marshmallow schemas; the OpenAPI document is made from these."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from interviewloop.api.schemas import ListQuery, _page
from interviewloop.debrief.models import Answer, DecisionKind
from interviewloop.debrief.service import CardState
from interviewloop.enums import PanelRole
from interviewloop.scorecards.models import PreOfferQuestion, Recommendation, SignalValue

_ID = validate.Range(1, 2**31 - 1)


class HiringListQuery(ListQuery):
    candidate_id = fields.Integer(validate=_ID)
    requisition_id = fields.Integer(validate=_ID)


class PersonSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class AreaRatingSchema(ma.Schema):
    area = fields.String(required=True, attribute="area.slug",
                         metadata={"description": "The capability area's slug."})
    area_name = fields.String(required=True, attribute="area.name")
    rating = fields.Integer(required=True, allow_none=True, validate=validate.Range(1, 4),
                            metadata={"description": "1 strong no to 4 strong yes; null: not "
                                                     "assessed."})
    evidence = fields.String(required=True)


class QuestionNoteSchema(ma.Schema):
    loop_question_id = fields.Integer(required=True)
    notes = fields.String(required=True)


class SignalSchema(ma.Schema):
    question = fields.Enum(PreOfferQuestion, by_value=True, required=True)
    value = fields.Enum(SignalValue, by_value=True, required=True)
    evidence = fields.String(required=True)


class InterviewRefSchema(ma.Schema):
    id = fields.Integer(required=True)
    stage_id = fields.Integer(required=True)
    stage_name = fields.String(required=True, attribute="stage.name")
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)


class ScorecardSchema(ma.Schema):
    """A submitted scorecard."""

    id = fields.Integer(required=True)
    candidate_id = fields.Integer(required=True)
    requisition_id = fields.Integer(required=True, attribute="interview.candidate.requisition_id")
    interview = fields.Nested(InterviewRefSchema, required=True)
    interviewer = fields.Nested(PersonSchema, required=True)
    practice = fields.Boolean(required=True, attribute="is_practice", metadata={
        "description": "A trainee's practice card: read by them and their coach, counted "
                       "nowhere."})
    seat = fields.Enum(PanelRole, by_value=True, required=True, attribute="panel_role")
    recommendation = fields.Enum(Recommendation, by_value=True, required=True)
    summary = fields.String(required=True)
    ratings = fields.List(fields.Nested(AreaRatingSchema), required=True)
    question_notes = fields.List(fields.Nested(QuestionNoteSchema), required=True,
                                 attribute="notes")
    signals = fields.List(fields.Nested(SignalSchema), required=True)
    submitted_at = fields.AwareDateTime(required=True)
    updated_at = fields.AwareDateTime(required=True)
    version = fields.Integer(required=True, metadata={"description": "Also the ETag."})

    @ma.post_dump(pass_original=True)
    def in_order(self, data: dict[str, Any], card: Any, **_kwargs: Any) -> dict[str, Any]:
        data["ratings"].sort(key=lambda r: r["area"])
        data["question_notes"].sort(key=lambda n: n["loop_question_id"])
        data["signals"].sort(key=lambda s: s["question"])
        return data


ScorecardPage = _page(ScorecardSchema, "ScorecardPage")


class PreOfferCheckSchema(ma.Schema):
    """The hiring manager's three answers, each strong or weak with evidence."""

    id = fields.Integer(required=True)
    candidate_id = fields.Integer(required=True)
    requisition_id = fields.Integer(required=True, attribute="candidate.requisition_id")
    manager = fields.Nested(PersonSchema, required=True)
    passed = fields.Boolean(required=True)
    owned_system = fields.Enum(Answer, by_value=True, required=True)
    owned_system_evidence = fields.String(required=True)
    failure_handling = fields.Enum(Answer, by_value=True, required=True)
    failure_handling_evidence = fields.String(required=True)
    reduces_risk = fields.Enum(Answer, by_value=True, required=True)
    reduces_risk_evidence = fields.String(required=True)
    answered_at = fields.AwareDateTime(required=True)
    version = fields.Integer(required=True)


PreOfferCheckPage = _page(PreOfferCheckSchema, "PreOfferCheckPage")


class DecisionSummarySchema(ma.Schema):
    id = fields.Integer(required=True)
    kind = fields.Enum(DecisionKind, by_value=True, required=True)
    rationale = fields.String(required=True)
    decided_by = fields.Nested(PersonSchema, required=True)
    decided_at = fields.AwareDateTime(required=True)


class DecisionSchema(DecisionSummarySchema):
    """Offer, reject or hold, with its rationale (an offer only after a passed check)."""

    candidate_id = fields.Integer(required=True)
    requisition_id = fields.Integer(required=True, attribute="candidate.requisition_id")
    pre_offer_check_id = fields.Integer(required=True, allow_none=True)


DecisionPage = _page(DecisionSchema, "DecisionPage")


class AreaStatsSchema(ma.Schema):
    area = fields.String(required=True, attribute="area.slug")
    area_name = fields.String(required=True, attribute="area.name")
    raters = fields.Integer(required=True, attribute="count")
    mean = fields.Float(required=True, allow_none=True)
    lowest = fields.Integer(required=True, allow_none=True, attribute="low")
    highest = fields.Integer(required=True, allow_none=True, attribute="high")
    spread = fields.Integer(required=True, allow_none=True)
    disagreement = fields.Boolean(required=True, metadata={
        "description": "Ratings two or more points apart: to discuss."})
    coverage_gap = fields.Boolean(required=True, metadata={
        "description": "Fewer than two interviewers rated this area."})


class PanelStateSchema(ma.Schema):
    interview_id = fields.Integer(required=True)
    stage_name = fields.String(required=True)
    starts_at = fields.AwareDateTime(required=True)
    interviewer = fields.Nested(PersonSchema, required=True)
    state = fields.Enum(CardState, by_value=True, required=True)
    scorecard_id = fields.Integer(required=True, allow_none=True, metadata={
        "description": "Set once the scorecard is submitted."})


class StageDifferenceSchema(ma.Schema):
    stage = fields.String(required=True)
    differing = fields.Integer(required=True)
    others = fields.Integer(required=True)
    why = fields.List(fields.String(), required=True)


class DebriefSchema(ma.Schema):
    """What the candidate's debrief page shows."""

    candidate_id = fields.Integer(required=True, attribute="candidate.id")
    requisition_id = fields.Integer(required=True, attribute="requisition.id")
    scorecard_ids = fields.List(fields.Integer(), required=True)
    areas = fields.List(fields.Nested(AreaStatsSchema), required=True, attribute="stats")
    recommendations = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    panel = fields.List(fields.Nested(PanelStateSchema), required=True)
    loop_gaps = fields.List(fields.String(), required=True)
    set_differences = fields.List(fields.Nested(StageDifferenceSchema), required=True)
    pre_offer_check_id = fields.Integer(required=True, allow_none=True)
    pre_offer_passed = fields.Boolean(required=True, allow_none=True)
    pre_offer_blocker = fields.String(required=True, allow_none=True, metadata={
        "description": "Why the pre-offer check cannot be answered yet; null when it can."})
    decision = fields.Nested(DecisionSummarySchema, required=True, allow_none=True,
                             metadata={"description": "The latest decision."})
