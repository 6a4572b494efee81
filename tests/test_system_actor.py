"""Every service that acts for a person refuses the system actor (no user: a CLI command or
a background job) with a clear Forbidden, never an AttributeError (issue 9, bug 13)."""

from __future__ import annotations

import pytest

from interviewloop.audit.service import SYSTEM
from interviewloop.bank.service import areas
from interviewloop.debrief import service as debrief
from interviewloop.errors import DomainError, Forbidden
from interviewloop.loops import service as loops
from interviewloop.requisitions import candidates
from interviewloop.requisitions import service as requisitions
from interviewloop.scheduling import service as scheduling
from interviewloop.scorecards import service as scorecards
from tests.factories import (
    add_to_team,
    make_candidate_with_loop,
    make_interview,
    make_requisition,
    next_monday,
    past_interview,
    requisition_input,
)


@pytest.fixture
def w(db_session, bank, make_user):
    manager, recruiter, interviewer = (make_user("hiring_manager"), make_user("recruiter"),
                                       make_user("interviewer"))
    req = make_requisition(db_session, manager, recruiter)
    add_to_team(db_session, req, manager, interviewer)
    candidate, loop = make_candidate_with_loop(db_session, req, recruiter)
    held = past_interview(db_session, req, recruiter, candidate, loop.stages[0], [interviewer])
    upcoming = make_interview(db_session, req, recruiter, candidate, loop.stages[1],
                              [interviewer], next_monday())
    when = scheduling.ScheduleInput(interviewer_ids=[interviewer.id], starts_at=next_monday(3),
                                    minutes=45)
    return {"s": db_session, "req": req, "cand": candidate, "loop": loop, "held": held,
            "upcoming": upcoming, "when": when, "interviewer": interviewer, "manager": manager}


def _save(w):
    stage = scorecards.stage_for(w["s"], w["held"])
    return scorecards.save(w["s"], SYSTEM, w["req"], w["held"], None, scorecards.ScorecardInput(),
                           submit=False, seen_version=0, stage=stage,
                           areas={a.id: a for a in areas(w["s"])})


OPERATIONS = {
    "create_requisition": lambda w: requisitions.create_requisition(
        w["s"], SYSTEM, requisition_input(w["manager"], w["manager"])),
    "update_requisition": lambda w: requisitions.update_requisition(
        w["s"], SYSTEM, w["req"], requisition_input(w["manager"], w["manager"]),
        seen_version=w["req"].version),
    "confirm_definition": lambda w: requisitions.confirm_definition(w["s"], SYSTEM, w["req"]),
    "open_requisition": lambda w: requisitions.open_requisition(w["s"], SYSTEM, w["req"]),
    "close_requisition": lambda w: requisitions.close_requisition(w["s"], SYSTEM, w["req"]),
    "add_member": lambda w: requisitions.add_member(w["s"], SYSTEM, w["req"], w["manager"].id),
    "remove_member": lambda w: requisitions.remove_member(w["s"], SYSTEM, w["req"],
                                                          w["interviewer"].id),
    "add_candidate": lambda w: candidates.add_candidate(
        w["s"], SYSTEM, w["req"], candidates.CandidateInput("New One", "new@example.net")),
    "update_candidate": lambda w: candidates.update_candidate(
        w["s"], SYSTEM, w["req"], w["cand"], candidates.CandidateInput("Renamed", "r@x.net"),
        seen_version=w["cand"].version),
    "withdraw_candidate": lambda w: candidates.withdraw_candidate(w["s"], SYSTEM, w["req"],
                                                                 w["cand"]),
    "build_loop": lambda w: loops.build_loop(w["s"], SYSTEM, w["req"], w["cand"]),
    "swap_question": lambda w: loops.swap_question(
        w["s"], SYSTEM, w["req"], w["loop"], w["loop"].stages[-1].questions[0].id),
    "add_stage": lambda w: loops.add_stage(w["s"], SYSTEM, w["req"], w["loop"], loops.StageInput(
        "Extra", "coding", 45, 1, [])),
    "remove_stage": lambda w: loops.remove_stage(w["s"], SYSTEM, w["req"], w["loop"],
                                                 w["loop"].stages[-1].id),
    "move_stage": lambda w: loops.move_stage(w["s"], SYSTEM, w["req"], w["loop"],
                                             w["loop"].stages[-1].id, "up"),
    "schedule_stage": lambda w: scheduling.schedule_stage(
        w["s"], SYSTEM, w["req"], w["cand"], w["loop"].stages[2].id, w["when"]),
    "reschedule": lambda w: scheduling.reschedule(w["s"], SYSTEM, w["req"], w["upcoming"],
                                                  w["when"]),
    "cancel": lambda w: scheduling.cancel(w["s"], SYSTEM, w["req"], w["upcoming"]),
    "save_scorecard": _save,
    "answer_pre_offer": lambda w: debrief.answer_pre_offer(
        w["s"], SYSTEM, w["req"], w["cand"],
        dict.fromkeys(debrief.ANSWERS, ("strong", "Seen."))),
    "record_decision": lambda w: debrief.record_decision(w["s"], SYSTEM, w["req"], w["cand"],
                                                         "reject", "No."),
}


@pytest.mark.parametrize("operation", OPERATIONS)
def test_the_system_actor_is_refused_clearly(w, operation):
    with pytest.raises(DomainError) as refused:
        OPERATIONS[operation](w)
    assert isinstance(refused.value, Forbidden), refused.value
    assert str(refused.value)


def test_checking_a_booking_only_reads_so_the_system_may(w):
    """(A job that proposes times checks bookings; times come out in UTC for nobody.)"""
    booking = scheduling.check_booking(w["s"], SYSTEM, w["req"], w["cand"], w["when"])
    assert booking.refusals == [] and booking.warnings == []
