"""Scheduling a loop's stages through the service: refusals with their reasons, double
booking (back to back allowed), the weekly cap warning, reschedule / cancel history, and
loop edits refused once a stage is scheduled."""

from __future__ import annotations

from datetime import UTC, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, text

from interviewloop.audit.models import AuditEvent
from interviewloop.audit.service import SYSTEM, Actor
from interviewloop.auth import service as accounts
from interviewloop.db import utcnow
from interviewloop.errors import Conflict, Forbidden, NotFound
from interviewloop.loops import service as loops
from interviewloop.requisitions import candidates as candidate_service
from interviewloop.scheduling import service
from interviewloop.scheduling.models import Interview, InterviewStatus, Panelist
from tests.factories import (
    add_to_team,
    make_candidate_with_loop,
    make_interview,
    make_requisition,
    next_monday,
)

T = next_monday(hour=10)  # a Monday, 10:00 UTC, one to two weeks ahead
HOUR = timedelta(hours=1)


@pytest.fixture
def w(db_session, bank, make_user):
    manager = make_user("hiring_manager", name="Hana Manager")
    recruiter = make_user("recruiter", name="Rui Recruiter", time_zone="Europe/Berlin")
    alice = make_user("interviewer", name="Alice Interviewer")
    bob = make_user("interviewer", name="Bob Interviewer")
    requisition = make_requisition(db_session, manager, recruiter)
    add_to_team(db_session, requisition, manager, alice, bob)
    c1, loop1 = make_candidate_with_loop(db_session, requisition, recruiter, 1, seed=1)
    c2, loop2 = make_candidate_with_loop(db_session, requisition, recruiter, 2, seed=2)
    return SimpleNamespace(session=db_session, manager=manager, recruiter=recruiter,
                           alice=alice, bob=bob, req=requisition, c1=c1, loop1=loop1, c2=c2,
                           loop2=loop2, make_user=make_user)


def book(w, candidate, stage_index, people, start, minutes=60, **kwargs):
    loop = w.loop1 if candidate is w.c1 else w.loop2
    return make_interview(w.session, w.req, w.recruiter, candidate, loop.stages[stage_index],
                          people, start, minutes=minutes, **kwargs)


def data(people, start, minutes=60, **kwargs):
    return service.ScheduleInput(interviewer_ids=[p.id for p in people], starts_at=start,
                                 minutes=minutes, **kwargs)


def loaded(w, interview):
    """The interview as read back from the database."""
    w.session.flush()
    w.session.expire(interview)
    return service.get_interview(w.session, interview.id)


def interview_count(session) -> int:
    return session.scalar(select(func.count()).select_from(Interview))


def test_booking_stores_utc_times_panel_and_first_history_row(w):
    kolkata = T.astimezone(ZoneInfo("Asia/Kolkata"))  # the same instant, given in IST
    interview = book(w, w.c1, 0, [w.bob, w.alice], kolkata, location="  https://meet/x  ")
    interview = loaded(w, interview)
    assert interview.starts_at == T and interview.starts_at.utcoffset() == timedelta(0)
    assert interview.ends_at == T + HOUR
    raw = w.session.execute(text("SELECT starts_at FROM interviews WHERE id = :id"),
                            {"id": interview.id}).scalar()
    if isinstance(raw, str):  # SQLite keeps the UTC wall clock
        assert raw.startswith(T.strftime("%Y-%m-%d %H:%M:00"))
    else:
        assert raw == T
    assert interview.location == "https://meet/x"
    assert [p.user_id for p in interview.panel] == sorted([w.alice.id, w.bob.id])
    assert all(p.live and p.starts_at == T and p.ends_at == T + HOUR for p in interview.panel)
    assert interview.sequence == 0 and interview.ical_uid
    [change] = interview.changes
    assert (change.kind, change.actor_id) == ("scheduled", w.recruiter.id)
    assert change.after["panel"] == sorted([w.alice.id, w.bob.id])
    assert service.live_interview(w.session, w.loop1.stages[0]).id == interview.id


REFUSALS = {
    "no interviewer": (lambda w: data([], T), "Choose at least one interviewer."),
    "end before start": (lambda w: data([w.alice], T, minutes=-30),
                         "The interview would end before it starts."),
    "zero length": (lambda w: data([w.alice], T, minutes=0),
                    "The interview would end before it starts."),
    "start in the past": (lambda w: data([w.alice], utcnow() - HOUR),
                          "The start time is in the past."),
    "off the team": (lambda w: data([w.make_user("interviewer")], T),
                     "Every interviewer must be an interviewer on this requisition's hiring "
                     "team."),
    "on the team, not an interviewer": (
        lambda w: data([w.recruiter], T),
        "Every interviewer must be an interviewer on this requisition's hiring team."),
    "no such user": (lambda w: data([SimpleNamespace(id=987654)], T),
                     "Every interviewer must be an interviewer on this requisition's hiring "
                     "team."),
}


@pytest.mark.parametrize("case", REFUSALS)
def test_each_refusal_names_its_reason_and_books_nothing(w, case):
    make, reason = REFUSALS[case]
    with pytest.raises(service.SchedulingRefused) as refused:
        service.schedule_stage(w.session, Actor(w.recruiter), w.req, w.c1,
                               w.loop1.stages[0].id, make(w))
    assert refused.value.reasons == [reason]
    assert refused.value.status_code == 409
    assert interview_count(w.session) == 0


def test_a_deactivated_team_member_and_a_withdrawn_candidate_are_refused(w):
    gone = w.make_user("interviewer", name="Dee Parted")
    add_to_team(w.session, w.req, w.manager, gone)
    accounts.deactivate_user(w.session, SYSTEM, gone)
    with pytest.raises(service.SchedulingRefused) as refused:
        book(w, w.c1, 0, [w.alice, gone], T)
    assert refused.value.reasons == ["Dee Parted is deactivated."]
    candidate_service.withdraw_candidate(w.session, Actor(w.recruiter), w.req, w.c2)
    with pytest.raises(service.SchedulingRefused) as refused:
        book(w, w.c2, 0, [w.alice], T)
    assert refused.value.reasons == ["The candidate is withdrawn."]
    assert interview_count(w.session) == 0


@pytest.mark.parametrize(("offset_minutes", "minutes", "refused"), [
    (30, 60, True), (-30, 60, True), (-30, 120, True), (15, 30, True), (0, 60, True),
    (59, 60, True), (60, 60, False), (-60, 60, False), (120, 30, False)])
def test_an_interviewer_cannot_be_double_booked_back_to_back_is_fine(
        w, offset_minutes, minutes, refused):
    book(w, w.c1, 0, [w.alice], T)
    start = T + timedelta(minutes=offset_minutes)
    if not refused:
        assert book(w, w.c2, 0, [w.alice], start, minutes=minutes).id
        return
    with pytest.raises(service.SchedulingRefused) as exc:
        book(w, w.c2, 0, [w.alice], start, minutes=minutes)
    [reason] = exc.value.reasons
    berlin = T.astimezone(ZoneInfo("Europe/Berlin"))  # in the recruiter's zone, named
    assert reason.startswith("Alice Interviewer is already interviewing from ")
    assert f"{berlin:%H:%M}" in reason and "(Europe/Berlin)" in reason
    assert interview_count(w.session) == 1


def test_the_candidate_cannot_be_double_booked_back_to_back_is_fine(w):
    book(w, w.c1, 0, [w.alice], T)
    with pytest.raises(service.SchedulingRefused) as exc:
        book(w, w.c1, 1, [w.bob], T + timedelta(minutes=30))
    [reason] = exc.value.reasons
    assert reason.startswith("Candidate 1 already has an interview from ")
    assert book(w, w.c1, 1, [w.bob], T + HOUR).starts_at == T + HOUR
    assert book(w, w.c1, 2, [w.bob], T - HOUR).ends_at == T


def test_every_clash_is_listed_at_once(w):
    book(w, w.c1, 0, [w.alice], T)
    book(w, w.c2, 0, [w.bob], T)
    with pytest.raises(service.SchedulingRefused) as exc:
        book(w, w.c1, 1, [w.alice, w.bob], T)
    reasons = exc.value.reasons
    assert len(reasons) == 3
    assert any(r.startswith("Alice Interviewer is already") for r in reasons)
    assert any(r.startswith("Bob Interviewer is already") for r in reasons)
    assert any(r.startswith("Candidate 1 already has") for r in reasons)


def set_cap(w, user, cap, zone="UTC"):
    accounts.update_settings(w.session, Actor(user), user, time_zone=zone,
                             weekly_interview_cap=cap)


def test_over_the_weekly_cap_warns_then_books_once_confirmed(w):
    set_cap(w, w.alice, 2)
    first = book(w, w.c1, 0, [w.alice], T)
    book(w, w.c1, 1, [w.alice], T + timedelta(days=1))
    with pytest.raises(service.OverWeeklyCap) as warned:
        book(w, w.c1, 2, [w.alice], T + timedelta(days=2))
    assert warned.value.status_code == 409
    assert warned.value.warnings == [
        f"Alice Interviewer would have 3 interviews in the week of Mon {T.day} {T:%b}, "
        "over their cap of 2."]
    assert interview_count(w.session) == 2
    # A refusal wins over a warning, even with the confirmation.
    with pytest.raises(service.SchedulingRefused):
        book(w, w.c2, 0, [w.alice], T, confirm=True)
    third = book(w, w.c1, 2, [w.alice], T + timedelta(days=2), confirm=True)
    assert third.panel[0].user_id == w.alice.id
    assert book(w, w.c1, 3, [w.alice], T + timedelta(days=7)).id  # the next week is free
    # Cancelled interviews do not count: two cancelled, one left, so two is within the cap.
    for interview in (first, third):
        service.cancel(w.session, Actor(w.recruiter), w.req, loaded(w, interview))
    assert book(w, w.c2, 0, [w.alice], T + timedelta(days=3)).id


def test_the_weekly_cap_counts_the_interviewers_own_week(w):
    sunday_evening_utc = T - timedelta(hours=14)  # Sunday 20:00 UTC = Monday 05:00 in Tokyo
    set_cap(w, w.alice, 1, "Asia/Tokyo")
    book(w, w.c1, 0, [w.alice], sunday_evening_utc)
    with pytest.raises(service.OverWeeklyCap) as warned:  # Monday in Tokyo, both times
        book(w, w.c2, 0, [w.alice], T - timedelta(hours=8))
    assert f"the week of Mon {T.day} {T:%b}" in warned.value.warnings[0]
    # Los Angeles: Monday 05:00 UTC is still Sunday there, so a new week starts after it.
    set_cap(w, w.bob, 1, "America/Los_Angeles")
    book(w, w.c1, 1, [w.bob], T - timedelta(hours=5))
    assert book(w, w.c2, 1, [w.bob], T + timedelta(hours=8)).id


def test_reschedule_keeps_history_and_raises_the_sequence(w, db_session):
    interview = book(w, w.c1, 0, [w.alice], T, location="Room 1")
    uid = interview.ical_uid
    later = T + timedelta(days=1, hours=4)
    service.reschedule(db_session, Actor(w.recruiter), w.req, loaded(w, interview),
                       data([w.alice, w.bob], later, 45, location="Room 2",
                            reason=" Candidate asked "))
    interview = loaded(w, interview)
    assert (interview.starts_at, interview.ends_at) == (later, later + timedelta(minutes=45))
    assert interview.sequence == 1 and interview.ical_uid == uid
    change = interview.changes[-1]
    assert [c.kind for c in interview.changes] == ["scheduled", "rescheduled"]
    assert change.actor_id == w.recruiter.id and change.reason == "Candidate asked"
    assert change.before == {"starts_at": T.isoformat(), "ends_at": (T + HOUR).isoformat(),
                             "location": "Room 1", "panel": [w.alice.id]}
    assert change.after == {"starts_at": later.isoformat(),
                            "ends_at": (later + timedelta(minutes=45)).isoformat(),
                            "location": "Room 2", "panel": sorted([w.alice.id, w.bob.id])}
    assert {(p.user_id, p.starts_at) for p in interview.panel} == {(w.alice.id, later),
                                                                  (w.bob.id, later)}
    assert db_session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "interview_rescheduled", AuditEvent.object_id == interview.id)) == 1
    # The old slot is free again; the same booking twice changes nothing.
    assert book(w, w.c2, 0, [w.alice], T).id
    service.reschedule(db_session, Actor(w.recruiter), w.req, interview,
                       data([w.alice, w.bob], later, 45, location="Room 2"))
    assert loaded(w, interview).sequence == 1 and len(interview.changes) == 2


def test_reschedule_may_overlap_its_own_slot_and_drops_removed_panelists(w):
    interview = book(w, w.c1, 0, [w.alice, w.bob], T)
    service.reschedule(w.session, Actor(w.recruiter), w.req, loaded(w, interview),
                       data([w.alice], T + timedelta(minutes=30)))
    interview = loaded(w, interview)
    assert [p.user_id for p in interview.panel] == [w.alice.id]
    assert w.session.scalar(select(func.count()).select_from(Panelist).where(
        Panelist.user_id == w.bob.id)) == 0
    assert book(w, w.c2, 0, [w.bob], T).id  # Bob is free at the old time


def test_a_refused_reschedule_changes_nothing(w):
    interview = book(w, w.c1, 0, [w.alice], T)
    book(w, w.c2, 0, [w.bob], T + 2 * HOUR)
    with pytest.raises(service.SchedulingRefused):
        service.reschedule(w.session, Actor(w.recruiter), w.req, loaded(w, interview),
                           data([w.alice, w.bob], T + 2 * HOUR))
    interview = loaded(w, interview)
    assert (interview.starts_at, interview.sequence) == (T, 0)
    assert [p.user_id for p in interview.panel] == [w.alice.id]
    assert len(interview.changes) == 1


def test_rescheduling_within_the_week_does_not_count_itself_against_the_cap(w):
    set_cap(w, w.alice, 1)
    interview = book(w, w.c1, 0, [w.alice], T)
    service.reschedule(w.session, Actor(w.recruiter), w.req, loaded(w, interview),
                       data([w.alice], T + timedelta(days=2)))
    assert loaded(w, interview).sequence == 1


def test_cancel_keeps_history_frees_the_slot_and_the_stage_can_be_booked_again(w):
    interview = book(w, w.c1, 0, [w.alice], T)
    with pytest.raises(Conflict, match="already scheduled"):
        book(w, w.c1, 0, [w.bob], T + timedelta(days=1))
    service.cancel(w.session, Actor(w.recruiter), w.req, loaded(w, interview), " No show ")
    interview = loaded(w, interview)
    assert interview.status == InterviewStatus.CANCELLED and interview.cancelled_at
    assert interview.sequence == 1
    change = interview.changes[-1]
    assert (change.kind, change.actor_id, change.reason) == ("cancelled", w.recruiter.id,
                                                             "No show")
    assert change.before["starts_at"] == T.isoformat() and change.before["panel"] == [w.alice.id]
    assert not any(p.live for p in interview.panel)
    # The panel and the candidate are free at that time again ...
    assert book(w, w.c2, 0, [w.alice], T).id
    assert book(w, w.c1, 1, [w.bob], T).id
    # ... and the stage itself can be scheduled again, as a new event.
    again = book(w, w.c1, 0, [w.bob], T + timedelta(days=1))
    assert again.id != interview.id and again.ical_uid != interview.ical_uid
    assert again.sequence == 0
    assert service.live_interview(w.session, w.loop1.stages[0]).id == again.id
    with pytest.raises(Conflict, match="already cancelled"):
        service.cancel(w.session, Actor(w.recruiter), w.req, interview)
    with pytest.raises(Conflict, match="was cancelled"):
        service.reschedule(w.session, Actor(w.recruiter), w.req, interview, data([w.alice], T))


def test_only_the_requisitions_managers_schedule_and_only_its_stages(w):
    stage = w.loop1.stages[0]
    with pytest.raises(Forbidden):
        service.schedule_stage(w.session, Actor(w.alice), w.req, w.c1, stage.id,
                               data([w.alice], T))
    with pytest.raises(NotFound):  # a stage of another candidate's loop
        service.schedule_stage(w.session, Actor(w.recruiter), w.req, w.c1,
                               w.loop2.stages[0].id, data([w.alice], T))
    interview = book(w, w.c1, 0, [w.alice], T)
    with pytest.raises(Forbidden):
        service.cancel(w.session, Actor(w.bob), w.req, loaded(w, interview))
    assert book(w, w.c2, 0, [w.bob], T).id and interview_count(w.session) == 2


def test_loop_edits_are_refused_once_the_stage_is_scheduled(w):
    actor, loop = Actor(w.recruiter), w.loop1
    first, second = loop.stages[0], loop.stages[1]
    interview = book(w, w.c1, 1, [w.alice], T)
    names = [s.name for s in loop.stages]
    with pytest.raises(Conflict, match="is scheduled"):
        loops.swap_question(w.session, actor, w.req, loop, second.questions[0].id)
    with pytest.raises(Conflict, match="is scheduled"):
        loops.remove_stage(w.session, actor, w.req, loop, second.id)
    with pytest.raises(Conflict, match="is scheduled"):
        loops.move_stage(w.session, actor, w.req, loop, second.id, "down")
    with pytest.raises(Conflict, match="is scheduled"):  # a neighbour moving into its place
        loops.move_stage(w.session, actor, w.req, loop, first.id, "down")
    assert [s.name for s in loops.loop_for(w.session, w.c1).stages] == names
    loops.move_stage(w.session, actor, w.req, loop, loop.stages[3].id, "down")  # elsewhere
    service.cancel(w.session, actor, w.req, loaded(w, interview))
    before = second.questions[0].question_id
    swapped = loops.swap_question(w.session, actor, w.req, loop, second.questions[0].id)
    assert swapped.question_id != before
    loops.move_stage(w.session, actor, w.req, loop, second.id, "up")
    assert loop.stages[0].id == second.id


def test_start_times_are_compared_in_utc_whatever_zone_they_come_in(w):
    new_york = (T + HOUR).astimezone(ZoneInfo("America/New_York"))
    book(w, w.c1, 0, [w.alice], T)  # 10:00-11:00 UTC
    assert book(w, w.c2, 0, [w.alice], new_york).starts_at.astimezone(UTC) == T + HOUR
    with pytest.raises(service.SchedulingRefused):
        book(w, w.c2, 1, [w.alice], (T + timedelta(minutes=90)).astimezone(
            ZoneInfo("Asia/Kolkata")))
