"""The audit log as sentences: "Rita Recruiter rescheduled Eli Novak's system design interview".

The names come in the page's one query (correlated lookups per object type, read only for
the rows shown), so the page makes as many queries with 5 events as with 5,000. This reads
across the features, which is why it lives in admin and not in audit (below them all)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup
from sqlalchemy import ColumnElement, Integer, and_, case, cast, exists, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from interviewloop.audit.models import AuditEvent
from interviewloop.auth.models import LoginSession, User
from interviewloop.bank.models import Question
from interviewloop.debrief.models import Decision, PreOfferCheck
from interviewloop.loops.models import Loop, LoopStage
from interviewloop.outbox.models import OutboxMail
from interviewloop.requisitions.models import Candidate, Requisition
from interviewloop.scheduling.models import Interview
from interviewloop.scorecards.models import Scorecard

# The object types a person can filter by, with what the page calls them.
OBJECT_TYPES = {
    "candidates": "Candidate", "interviews": "Interview", "scorecards": "Scorecard",
    "loops": "Loop", "requisitions": "Requisition", "decisions": "Decision",
    "pre_offer_checks": "Pre-offer check", "questions": "Question", "users": "User",
    "login_sessions": "Sign-in session", "question_sets": "Question set", "pools": "Pool",
    "api_tokens": "API token", "webhook_endpoints": "Webhook", "retention_rules":
    "Retention rule", "outbox_mail": "Email",
}

# One template per action: {actor} who did it, {object} the object's name, {whose} its
# owner's name with "'s", {stage} the interview's stage, {person} a user named in the detail
# (the first of PERSON_KEYS it has); any detail key by name. A template whose value is missing
# gives way to the next one of a tuple, then to the plain form.
SENTENCES: dict[str, str | tuple[str, ...]] = {
    "login": "{actor} signed in ({method})",
    "logout": "{object} signed out",
    "session_idle_expired": "{object}'s session ended after a time idle",
    "session_ended": "{actor} ended a session of {object}'s",
    "login_failed": ("A failed sign-in as {object} ({reason})", "A failed sign-in as {email}",
                     "A failed sign-in as {object}"),
    "sso_login_refused": "A single sign-on was refused ({reason})",
    "api_token_used": "{actor} used the API token {name}",
    "sign_in_waits_ended": "{actor} ended {object}'s sign-in waits",
    "two_factor_enabled": "{actor} turned on two-factor for {object}",
    "two_factor_disabled": "{actor} turned off two-factor for {object}",
    "two_factor_reset": "{actor} reset two-factor for {object}",
    "two_factor_recovery_code_used": "{actor} signed in with a recovery code",
    "two_factor_recovery_codes_regenerated": "{actor} made new recovery codes for {object}",
    "password_changed": "{actor} changed {object}'s password",
    "password_reset": "{actor} reset {object}'s password",
    "user_created": "{actor} created the user {object}",
    "user_updated": "{actor} updated the user {object}",
    "user_deactivated": "{actor} deactivated {object}",
    "user_reactivated": "{actor} reactivated {object}",
    "break_glass_granted": "{actor} gave {object} break-glass access",
    "break_glass_revoked": "{actor} took break-glass access from {object}",
    "settings_updated": "{actor} changed {object}'s settings",
    "working_hours_updated": "{actor} changed {object}'s working hours",
    "requisition_created": "{actor} created the requisition {object}",
    "requisition_updated": "{actor} updated the requisition {object}",
    "requisition_confirmed": "{actor} confirmed the requisition {object}",
    "requisition_opened": "{actor} opened the requisition {object}",
    "requisition_closed": "{actor} closed the requisition {object}",
    "team_member_added": "{actor} added {person} to the hiring team of {object}",
    "team_member_removed": "{actor} took {person} off the hiring team of {object}",
    "candidate_added": "{actor} added the candidate {object}",
    "candidate_updated": "{actor} updated the candidate {object}",
    "candidate_withdrawn": "{actor} withdrew {object}",
    "candidate_erased": "{actor} erased a candidate's data",
    "candidate_exported": "{actor} exported {object}'s data",
    "candidate_link_created": "{actor} made a private link for {object}",
    "candidate_link_emailed": "{actor} emailed {object} their private link",
    "candidate_link_revoked": "{actor} revoked {object}'s private link",
    "itinerary_emailed": "{actor} emailed {object} their itinerary",
    "loop_built": "{actor} built {whose} loop",
    "loop_stage_added": "{actor} added a {stage} stage to {whose} loop",
    "loop_stage_removed": "{actor} removed the {stage} stage from {whose} loop",
    "loop_stage_moved": "{actor} moved the {stage} stage of {whose} loop {direction}",
    "loop_question_swapped": "{actor} swapped a question in {whose} loop",
    "interview_scheduled": "{actor} scheduled {whose} {stage} interview",
    "interview_rescheduled": "{actor} rescheduled {whose} {stage} interview",
    "interview_cancelled": "{actor} cancelled {whose} {stage} interview",
    "interview_accepted": "{actor} accepted {whose} {stage} interview",
    "interview_declined": "{actor} declined {whose} {stage} interview",
    "interview_tentative": "{actor} said maybe to {whose} {stage} interview",
    "scorecard_submitted": "{actor} submitted a scorecard for {whose} {stage} interview",
    "scorecard_edited": "{actor} edited a scorecard for {whose} {stage} interview",
    "scorecard_reminder_sent": ("{actor} reminded {person} of their scorecard for {whose} {stage} "
                                "interview", "{actor} reminded {person} of a scorecard"),
    "pre_offer_answered": "{actor} answered the pre-offer check for {object}",
    "decision_recorded": "{actor} recorded a decision on {object}",
    "question_set_fixed": "{actor} fixed a requisition's question set",
    "question_set_revised": "{actor} revised a requisition's question set",
    "question_created": "{actor} added the question {object}",
    "question_updated": "{actor} edited the question {object}",
    "question_retired": "{actor} retired the question {object}",
    "question_unretired": "{actor} brought back the question {object}",
}


# Detail keys that name a user an event is about, beside its object: the member added to or
# taken off a hiring team or pool (and their coach), the interviewer reminded, the owner of
# an API token or a pool, the user whose session ended, the panelist who answered an invite.
PERSON_KEYS = ("user_id", "interviewer_id", "owner_id", "coach_id")


WORDS = ("reason", "method", "direction")  # detail values that are codes: read as words


def _scalar(stmt: Any) -> Any:
    return stmt.correlate(AuditEvent).scalar_subquery()


@cache
def name_columns() -> tuple[Any, ...]:
    """The object's name, its candidate's name and its stage, and the user named in the
    detail: looked up beside each event of the page, in its query. Built once: the
    expressions hold no values of a request, and building them (three aliases, fourteen
    subqueries) cost more than the page's whole SQL."""
    user, person, signed = aliased(User), aliased(User), aliased(User)
    oid = AuditEvent.object_id
    by_candidate = {
        "candidates": select(Candidate.name).where(Candidate.id == oid),
        "loops": select(Candidate.name).join(Loop, Loop.candidate_id == Candidate.id)
        .where(Loop.id == oid),
        "interviews": select(Candidate.name).join(Interview, Interview.candidate_id == Candidate.id)
        .where(Interview.id == oid),
        "scorecards": select(Candidate.name)
        .join(Interview, Interview.candidate_id == Candidate.id)
        .join(Scorecard, Scorecard.interview_id == Interview.id).where(Scorecard.id == oid),
        "decisions": select(Candidate.name).join(Decision, Decision.candidate_id == Candidate.id)
        .where(Decision.id == oid),
        "pre_offer_checks": select(Candidate.name)
        .join(PreOfferCheck, PreOfferCheck.candidate_id == Candidate.id)
        .where(PreOfferCheck.id == oid),
    }
    others = {
        "users": select(user.name).where(user.id == oid),
        "login_sessions": select(signed.name).join(LoginSession, LoginSession.user_id == signed.id)
        .where(LoginSession.id == oid),
        "requisitions": select(Requisition.title).where(Requisition.id == oid),
        "questions": select(Question.title).where(Question.id == oid),
    }
    whens = [(AuditEvent.object_type == kind, _scalar(q))
             for kind, q in {**by_candidate, **others}.items()]
    stage = case(
        (AuditEvent.object_type == "interviews", _scalar(
            select(LoopStage.name).join(Interview, Interview.stage_id == LoopStage.id)
            .where(Interview.id == oid))),
        (AuditEvent.object_type == "scorecards", _scalar(
            select(LoopStage.name).join(Interview, Interview.stage_id == LoopStage.id)
            .join(Scorecard, Scorecard.interview_id == Interview.id).where(Scorecard.id == oid))),
        else_=literal(None))
    person_id = func.coalesce(*(detail_id(key) for key in PERSON_KEYS))
    # Looked up only for events that name someone: PostgreSQL scans a small users table and
    # would read the JSON detail again for each of its rows, on every event of the page.
    # And the id is read once per event, not once per user row the scan passes: compared
    # with a sub-select of the event's own values (an InitPlan), not with the expression.
    named = case((person_id.is_not(None), _scalar(select(person.name).where(
        person.id == _scalar(select(person_id))))), else_=literal(None))
    return (case(*whens, else_=literal(None)).label("object_name"), stage.label("stage_name"),
            named.label("person_name"))


def about(email: str, user_id: int | None) -> ColumnElement[bool]:
    """Events about the person with this email, as a condition on the event (for the log's
    "who" filter, beside the events they did): about them as a user (their account, their
    sessions, or a user named in the detail) and about them as a candidate, on any
    requisition (the candidate, their loop, interviews, scorecards, pre-offer check and
    decision, or a candidate named in the detail), and mail sent to them. Subqueries, not
    lookups: the page makes as many queries as without it."""
    oid = AuditEvent.object_id
    candidates = select(Candidate.id).where(Candidate.email == email)
    objects: dict[str, ColumnElement[bool]] = {
        "candidates": oid.in_(candidates),
        "loops": oid.in_(select(Loop.id).where(Loop.candidate_id.in_(candidates))),
        "interviews": oid.in_(select(Interview.id).where(Interview.candidate_id.in_(candidates))),
        "scorecards": oid.in_(select(Scorecard.id).where(Scorecard.candidate_id.in_(candidates))),
        "decisions": oid.in_(select(Decision.id).where(Decision.candidate_id.in_(candidates))),
        "pre_offer_checks": oid.in_(select(PreOfferCheck.id).where(
            PreOfferCheck.candidate_id.in_(candidates))),
        "outbox_mail": oid.in_(select(OutboxMail.id).where(
            func.lower(OutboxMail.recipient) == email)),
    }
    named: list[ColumnElement[bool]] = [detail_id("candidate_id").in_(candidates)]
    if user_id is not None:
        objects["users"] = oid == user_id
        objects["login_sessions"] = oid.in_(select(LoginSession.id).where(
            LoginSession.user_id == user_id))
        named += [detail_id(key) == user_id for key in PERSON_KEYS]
    return or_(*(and_(AuditEvent.object_type == kind, on) for kind, on in objects.items()),
               *named)


def detail_id(key: str) -> ColumnElement[int]:
    """The id the event's detail gives under ``key`` (None where it gives none)."""
    return cast(AuditEvent.detail[key].as_string(), Integer)


def known_person(session: Session, email: str) -> bool:
    """Whether any candidate has this email (the "who" filter also takes a candidate's)."""
    return bool(session.scalar(select(exists().where(Candidate.email == email))))


@dataclass(frozen=True)
class Person:
    name: str
    email: str


@dataclass(frozen=True)
class Event:
    """An event as the log shows it, from recent_events' plain rows (not a loaded event)."""

    id: int
    at: datetime
    action: str
    object_type: str | None
    object_id: int | None
    ip: str | None
    detail: dict[str, Any] | None
    actor: Person | None


@dataclass(frozen=True)
class Entry:
    event: Event
    sentence: str
    detail: Markup | str  # the event's detail as the page shows it (detail_json)


# As the template's ``tojson`` filter writes it (Flask's sort_keys and ensure_ascii, then
# jinja's own escapes for HTML), with one encoder for every row: the filter, per row, cost
# a tenth of the page. A detail is read from JSON, so it holds nothing the encoder refuses.
_ENCODE = json.JSONEncoder(sort_keys=True, ensure_ascii=True).encode


def detail_json(detail: dict[str, Any] | None) -> Markup | str:
    """The detail as JSON, safe in HTML ("" for none or an empty one)."""
    return htmlsafe_json_dumps(detail, dumps=lambda value: _ENCODE(value)) if detail else ""


def _stage(name: str | None) -> str | None:
    # "System design" reads "system design interview"; "ML systems" keeps its capitals.
    if not name:
        return None
    return name[0].lower() + name[1:] if name[1:2].islower() else name


def sentence(event: Event, object_name: str | None = None, stage_name: str | None = None,
             person_name: str | None = None) -> str:
    """The event as a sentence; an action without a template (or whose names are gone)
    reads "Who: action words (object #id)"."""
    actor = (event.actor.name or event.actor.email) if event.actor else "The system"
    where = f"{event.object_type} #{event.object_id}" if event.object_type else ""
    values: dict[str, Any] = {key: str(value) for key, value in (event.detail or {}).items()
                              if isinstance(value, str | int)}
    values.update({key: values[key].replace("_", " ") for key in WORDS if key in values})
    values.update(actor=actor, object=object_name, stage=_stage(stage_name), person=person_name,
                  whose=f"{object_name}'s" if object_name else None)
    # A template needs all its names: one without a value (None or "") fails, as a missing
    # one does, and the next template is tried (str.format_map: no Formatter in Python).
    present = {key: value for key, value in values.items() if value is not None and value != ""}
    templates = SENTENCES.get(event.action, ())
    for template in (templates,) if isinstance(templates, str) else templates:
        try:
            return template.format_map(present)
        except (KeyError, IndexError, ValueError):
            continue
    words = event.action.replace("_", " ")
    return f"{actor}: {words}" + (f" ({object_name or where})" if where else "")


def entries(rows: list[Any]) -> list[Entry]:
    """The page's rows (recent_events with ``name_columns()``) as events and sentences."""
    found = []
    for (id_, at, action, object_type, object_id, ip, detail, actor_name, actor_email,
         object_name, stage_name, person_name) in rows:
        actor = Person(actor_name, actor_email) if actor_email is not None else None
        event = Event(id_, at, action, object_type, object_id, ip, detail, actor)
        found.append(Entry(event, sentence(event, object_name, stage_name, person_name),
                           detail_json(detail)))
    return found
