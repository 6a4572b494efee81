"""A candidate whose every personal field holds a marker, reached through the real services
(tests/test_privacy*.py): erasure must leave the marker in no column of any table."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import JSON, String, inspect, select, update
from sqlalchemy.engine import Connection

from interviewloop.api import idempotency
from interviewloop.api.schemas import CandidateSchema
from interviewloop.audit.service import Actor
from interviewloop.calendars.models import CalendarPush, SyncState
from interviewloop.db import utcnow
from interviewloop.debrief import service as debrief
from interviewloop.debrief.models import ANSWERS, Decision
from interviewloop.loops import service as loops
from interviewloop.outbox.models import OutboxMail
from interviewloop.privacy.scrub import unfolded
from interviewloop.requisitions import candidates
from interviewloop.scheduling import service as scheduling
from interviewloop.scorecards.models import Rating, Scorecard
from interviewloop.webhooks import service as webhooks
from tests.factories import add_to_team, make_candidate, make_interview, make_requisition, write_scorecard

MARKER = "quokkafrost"
NAME = "Zed Quokkafrost"
EMAIL = "zed.quokkafrost@example.net"


@dataclass
class Marked:
    candidate: Any
    other: Any
    requisition: Any
    interview: Any
    manager: Any
    recruiter: Any
    interviewer: Any


def seed_marked(session, make_user) -> Marked:
    manager, recruiter = make_user("hiring_manager"), make_user("recruiter")
    interviewer = make_user("interviewer", name="Ivy Interviewer")
    requisition = make_requisition(session, manager, recruiter)
    add_to_team(session, requisition, recruiter, interviewer)
    # An endpoint that wants candidate.created: the event carries the ATS's external id.
    webhooks.create_endpoint(session, Actor(make_user("admin")), webhooks.EndpointInput(
        url="https://ats.example.com/hooks", events=["candidate.created"]), allow_private=True)
    candidate = candidates.add_candidate(session, Actor(recruiter), requisition,
                                         candidates.CandidateInput(
        name=NAME, email=EMAIL, source="Quokkafrost's referral",
        notes="Quokkafrost prefers mornings.", time_zone="Europe/Berlin",
        external_source="ats-quokkafrost", external_id="QUOKKAFROST-77"))
    other = make_candidate(session, requisition, recruiter, 2)
    loops.build_loop(session, Actor(recruiter), requisition, candidate, seed=1)
    stage = loops.loop_for(session, candidate).stages[0]
    starts = utcnow() - timedelta(hours=5)
    interview = make_interview(session, requisition, recruiter, candidate, stage, [interviewer],
                               starts, location="Call Quokkafrost on +44 7700 900123",
                               now=starts - timedelta(minutes=5))
    interview = scheduling.get_interview(session, interview.id)
    scheduling.reschedule(session, Actor(recruiter), requisition, interview,
                          scheduling.ScheduleInput(
                              [interviewer.id], starts + timedelta(hours=1), stage.minutes,
                              location="Quokkafrost's home office link",
                              reason="Quokkafrost asked to move it"),
                          now=starts - timedelta(minutes=4))
    card = write_scorecard(session, interviewer, requisition, interview,
                           evidence="Quokkafrost walked through an incident.",
                           summary="Quokkafrost: solid.", notes="Quokkafrost on the question.",
                           signal_evidence="Quokkafrost owned the pager.")
    write_scorecard(session, interviewer, requisition, interview, seen_version=card.version,
                    evidence="Quokkafrost walked through a real incident.",
                    summary="Quokkafrost: solid.", notes="Quokkafrost on the question.",
                    signal_evidence="Quokkafrost owned the pager.")
    check = debrief.answer_pre_offer(session, Actor(manager), requisition, candidate,
                                     {n: ("strong", f"Quokkafrost on {n}.") for n in ANSWERS})
    # An earlier offer with a waiver (written as a row: the service's offer would be final).
    session.add(Decision(candidate_id=candidate.id, kind="offer", rationale="Quokkafrost: go.",
                         decided_by_id=manager.id, pre_offer_check_id=check.id,
                         pre_offer_passed=True, waived="System design: not held",
                         waiver="Quokkafrost's take-home covered it."))
    session.flush()
    debrief.record_decision(session, Actor(manager), requisition, candidate, "reject",
                            "Quokkafrost lacked depth on rollbacks.")
    # What the calendar server and the mail server answered, quoting what they were sent.
    session.add(CalendarPush(interview_id=interview.id, user_id=interviewer.id,
                             collection_url="http://127.0.0.1:1/ivy/", present=True,
                             wanted_sequence=interview.sequence, state=SyncState.FAILED,
                             attempts=1, last_error="412: event 'Interview: Zed Quokkafrost'",
                             next_attempt_at=utcnow()))
    session.execute(update(OutboxMail).where(OutboxMail.recipient == interviewer.email)
                    .values(last_error=f"452 mailbox full (about {NAME})"))
    idempotency.remember(session, recruiter, "ats-push-1", "0" * 64, status_code=201,
                         body=json.dumps(CandidateSchema().dump(candidate)),
                         headers={"Location": f"/api/v1/candidates/{candidate.id}"})
    session.flush()
    return Marked(candidate, other, requisition, interview, manager, recruiter, interviewer)


def text_columns(conn: Connection) -> list[tuple[str, str]]:
    """Every text, string and JSON column of every table of the migrated database."""
    inspector = inspect(conn)
    return [(table, column["name"]) for table in sorted(inspector.get_table_names())
            if table != "alembic_version"
            for column in inspector.get_columns(table)
            if isinstance(column["type"], String | JSON)]


def as_text(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    return unfolded(text).lower()


def where_marker(session, marker: str = MARKER) -> set[tuple[str, str]]:
    """(table, column) of each column holding the marker in some row."""
    conn = session.connection()
    found = set()
    for table, column in text_columns(conn):
        from sqlalchemy import column as col
        from sqlalchemy import table as tbl

        values = conn.execute(select(col(column)).select_from(tbl(table))).scalars()
        if any(v is not None and marker in as_text(v) for v in values):
            found.add((table, column))
    return found


def ratings_of(session, candidate_id: int) -> list[tuple]:
    return list(session.execute(
        select(Scorecard.id, Scorecard.recommendation, Scorecard.status, Rating.area_id,
               Rating.rating).join(Rating, Rating.scorecard_id == Scorecard.id)
        .where(Scorecard.candidate_id == candidate_id).order_by(Scorecard.id, Rating.area_id)))
