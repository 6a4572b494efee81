"""Scheduling a loop's stages: panels, times, conflict checks, reschedule and cancel.

The double-booking rule holds under concurrency: a booking first locks the rows of the
people involved (the panel and the candidate, in id order), so two recruiters booking the
same person serialise, and the second sees the first's interview when it checks. On
SQLite, writing transactions start with BEGIN IMMEDIATE, which serialises them anyway.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from interviewloop import limits
from interviewloop.audit.service import Actor, record
from interviewloop.auth.models import User
from interviewloop.bank.models import Question
from interviewloop.db import utcnow
from interviewloop.enums import Category, PanelRole, Role
from interviewloop.errors import Conflict, DomainError, NotFound
from interviewloop.loops.models import Loop, LoopQuestion, LoopStage
from interviewloop.pools import service as pools
from interviewloop.pools.models import Pool
from interviewloop.pools.service import seat_panel
from interviewloop.requisitions.models import Candidate, Requisition
from interviewloop.requisitions.service import require_manage
from interviewloop.scheduling.invites import queue_invites
from interviewloop.scheduling.models import (
    Interview,
    InterviewChange,
    InterviewStatus,
    Panelist,
)
from interviewloop.scheduling.proposed import drop_proposals_with_stages
from interviewloop.scheduling.reminders import withdraw_reminders
from interviewloop.scheduling.rsvp import reset_answers
from interviewloop.scheduling.signals import checking_candidate, interview_changed, panel_changing
from interviewloop.timezones import format_local, to_local

LAST_YEAR = 9999  # datetime's last year


class SchedulingRefused(Conflict):
    """The booking breaks a rule; ``reasons`` names each one."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__(" ".join(reasons))
        self.reasons = reasons


class OverWeeklyCap(DomainError):
    """Allowed, but only once the recruiter confirms (``warnings`` says why: over someone's
    weekly cap, or over a busy time in their calendar)."""

    status_code = 409

    def __init__(self, warnings: list[str]) -> None:
        super().__init__(" ".join(warnings))
        self.warnings = warnings


@dataclass
class ScheduleInput:
    interviewer_ids: list[int]
    starts_at: datetime  # aware
    minutes: int
    location: str = ""
    confirm_over_cap: bool = False  # confirms every warning: the weekly cap, busy calendars
    reason: str = ""
    # What the panel's own calendars showed busy (asked by the page before it books, see
    # signals.checking_calendars): warnings like the cap's, confirmed the same way.
    calendar_warnings: tuple[str, ...] = ()
    # Trainees of the stage's pool on top of the panel, each in the seat of their state
    # (shadow or reverse shadow); their scorecards are practice cards.
    trainee_ids: list[int] = field(default_factory=list)

    @property
    def everyone(self) -> list[int]:
        """The panel and its trainees: everyone in the room, by id."""
        return sorted(set(self.interviewer_ids) | set(self.trainee_ids))


@dataclass
class Booking:
    """What a check found: refusals stop it, warnings need a confirmation."""

    refusals: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _snapshot(interview: Interview, panel_ids: list[int],
              trainees: dict[str, str] | None = None) -> dict:
    snap: dict[str, object] = {"starts_at": interview.starts_at.isoformat(),
            "ends_at": interview.ends_at.isoformat(),
            "location": interview.location, "panel": sorted(panel_ids)}
    if trainees:  # only where there are some: older history reads as it did
        snap["trainees"] = trainees
    return snap


def _trainees_of(interview: Interview) -> dict[str, str]:
    """{user id: seat} for the trainees on the panel (history keeps who trained where)."""
    return {str(p.user_id): p.role.value for p in interview.panel if not p.counts}


def live_interview(session: Session, stage: LoopStage) -> Interview | None:
    return session.scalar(select(Interview).where(
        Interview.stage_id == stage.id, Interview.status == InterviewStatus.SCHEDULED))


def get_interview(session: Session, interview_id: int) -> Interview:
    interview = session.scalar(
        select(Interview).where(Interview.id == interview_id).options(
            selectinload(Interview.panel).selectinload(Panelist.user),
            selectinload(Interview.stage), selectinload(Interview.candidate),
            selectinload(Interview.changes).selectinload(InterviewChange.actor),
        ))
    if interview is None:
        raise NotFound("No such interview.")
    return interview


def requisition_of(session: Session, interview: Interview) -> Requisition:
    return session.get_one(Requisition, interview.candidate.requisition_id)


def team_interviewers(session: Session, requisition: Requisition) -> list[User]:
    """Active people on the hiring team who hold the interviewer role."""
    users = session.scalars(select(User).where(
        User.id.in_(_team_ids(requisition)), User.is_active.is_(True)).order_by(User.name))
    return [u for u in users if u.has_role(Role.INTERVIEWER)]


def panel_choices(session: Session, team: Sequence[User], stage: LoopStage,
                  pool: Pool | None) -> list[User]:
    """Who of the hiring team's interviewers (``team``) may sit on ``stage``'s panel: all of
    them, or where the stage's kind has an interviewer ``pool`` only its qualified ones."""
    if pool is None:
        return list(team)
    qualified = {u.id for u in pools.qualified_interviewers(session, stage)}
    return [u for u in team if u.id in qualified]


def eligible_interviewers(session: Session, requisition: Requisition,
                          stages: Sequence[LoopStage]) -> dict[int, list[User]]:
    """Who may interview for each stage (by stage id), by name: what the booking form offers
    (``panel_choices``), asked once per kind of stage. The one place whole-loop proposals
    ask."""
    team = team_interviewers(session, requisition)
    by_kind: dict[Category, list[User]] = {}
    for stage in stages:
        if stage.category not in by_kind:
            by_kind[stage.category] = panel_choices(session, team, stage,
                                                    pools.pool_for_stage(session, stage))
    return {stage.id: by_kind[stage.category] for stage in stages}


def kit_stage(session: Session, interview: Interview) -> LoopStage:
    """The interview's stage with its questions, their signals, red flags and areas."""
    question = selectinload(LoopStage.questions).selectinload(LoopQuestion.question)
    return session.scalars(select(LoopStage).where(LoopStage.id == interview.stage_id).options(
        selectinload(LoopStage.focus_areas), question.selectinload(Question.points),
        question.selectinload(Question.areas))).one()


def _team_ids(requisition: Requisition) -> set[int]:
    return {m.user_id for m in requisition.members} | {requisition.hiring_manager_id,
                                                        requisition.recruiter_id}


def lock_people(session: Session, user_ids: list[int], candidate_id: int) -> dict[int, User]:
    """Lock the people involved, in a fixed order, for the rest of the transaction."""
    users = session.scalars(select(User).where(User.id.in_(user_ids)).order_by(User.id)
                            .with_for_update()).all()
    session.scalars(select(Candidate.id).where(Candidate.id == candidate_id)
                    .with_for_update()).all()
    return {u.id: u for u in users}


def check_booking(session: Session, actor: Actor, requisition: Requisition,
                  candidate: Candidate, data: ScheduleInput, *, exclude: Interview | None = None,
                  now: datetime | None = None, stage: LoopStage | None = None) -> Booking:
    """Every reason to refuse this booking, and every warning, in the actor's words. With
    ``stage``, also who may sit where on its panel (pools.service.seat_panel): a stage of
    a kind with an interviewer pool takes qualified interviewers, and trainees on top."""
    now = now or utcnow()
    booking = Booking()
    viewer_zone = actor.user.time_zone if actor.user else "UTC"
    ids = data.everyone
    if not data.interviewer_ids:
        booking.refusals.append("Choose at least one interviewer.")
    if data.minutes <= 0:
        booking.refusals.append("The interview would end before it starts.")
    elif data.minutes not in limits.INTERVIEW_MINUTES:
        span = limits.INTERVIEW_MINUTES
        booking.refusals.append(f"An interview lasts {span.low} to {span.high} minutes.")
    if data.starts_at <= now:
        booking.refusals.append("The start time is in the past.")
    elif data.starts_at.year >= LAST_YEAR:  # its end could not be computed (past year 9999)
        booking.refusals.append(f"The start time is too far ahead: book before {LAST_YEAR}.")
    if len(data.location) > limits.LOCATION:
        booking.refusals.append(f"Keep the location or link under {limits.LOCATION} characters.")
    if not candidate.in_process:
        booking.refusals.append(f"The candidate is {candidate.status.value}.")
    booking.refusals.extend(refusal for _receiver, refusal in
                            checking_candidate.send(session, candidate=candidate) if refusal)
    if booking.refusals:
        return booking

    starts, ends = data.starts_at, data.starts_at + timedelta(minutes=data.minutes)
    people = lock_people(session, ids, candidate.id)
    team = _team_ids(requisition)
    for user_id in ids:
        user = people.get(user_id)
        if user is None or user_id not in team or not user.has_role(Role.INTERVIEWER):
            booking.refusals.append("Every interviewer must be an interviewer on this "
                                    "requisition's hiring team.")
        elif not user.is_active:
            booking.refusals.append(f"{user.name} is deactivated.")
    if stage is not None:
        booking.refusals.extend(seat_panel(session, stage, data.interviewer_ids,
                                           data.trainee_ids).refusals)
        if len(set(data.interviewer_ids)) < stage.panel_size:
            booking.refusals.append(
                f"{stage.name} needs {stage.panel_size} interviewers on its panel "
                f"(trainees on top); {len(set(data.interviewer_ids))} chosen.")
    elif data.trainee_ids:
        booking.refusals.append("Trainees sit on a stage's panel: name the stage.")
    if booking.refusals:
        return booking

    excluded_id = exclude.id if exclude is not None else -1
    clashes = session.execute(
        select(Panelist.user_id, Panelist.starts_at, Panelist.ends_at)
        .where(Panelist.user_id.in_(ids), Panelist.live.is_(True),
               Panelist.starts_at < ends, Panelist.ends_at > starts,
               Panelist.interview_id != excluded_id)
        .order_by(Panelist.starts_at)).all()
    for user_id, other_start, other_end in clashes:
        booking.refusals.append(
            f"{people[user_id].name} is already interviewing from "
            f"{format_local(other_start, viewer_zone)} to "
            f"{format_local(other_end, viewer_zone, with_date=False)}.")
    candidate_clash = session.execute(
        select(Interview.starts_at, Interview.ends_at)
        .where(Interview.candidate_id == candidate.id,
               Interview.status == InterviewStatus.SCHEDULED,
               Interview.starts_at < ends, Interview.ends_at > starts,
               Interview.id != excluded_id)).first()
    if candidate_clash is not None:
        booking.refusals.append(
            f"{candidate.name} already has an interview from "
            f"{format_local(candidate_clash[0], viewer_zone)} to "
            f"{format_local(candidate_clash[1], viewer_zone, with_date=False)}.")

    for user_id in ids:
        user = people[user_id]
        if user.weekly_interview_cap is None:
            continue
        local = to_local(starts, user.time_zone)
        week_start_local = (local - timedelta(days=local.weekday())).replace(
            hour=0, minute=0, second=0, microsecond=0)
        week_start = week_start_local.astimezone(starts.tzinfo)
        week_end = (week_start_local + timedelta(days=7)).astimezone(starts.tzinfo)
        booked = session.scalar(
            select(func.count()).select_from(Panelist)
            .where(Panelist.user_id == user_id, Panelist.live.is_(True),
                   Panelist.starts_at >= week_start, Panelist.starts_at < week_end,
                   Panelist.interview_id != excluded_id)) or 0
        if booked + 1 > user.weekly_interview_cap:
            booking.warnings.append(
                f"{user.name} would have {booked + 1} interviews in the week of "
                f"{week_start_local:%a} {week_start_local.day} {week_start_local:%b}, over "
                f"their cap of {user.weekly_interview_cap}.")
    booking.warnings.extend(data.calendar_warnings)
    return booking


def _enforce(booking: Booking, data: ScheduleInput) -> None:
    if booking.refusals:
        raise SchedulingRefused(booking.refusals)
    if booking.warnings and not data.confirm_over_cap:
        raise OverWeeklyCap(booking.warnings)


def _seats(session: Session, stage: LoopStage, data: ScheduleInput) -> dict[int, PanelRole]:
    """Each person's seat (check_booking has refused what does not fit)."""
    return seat_panel(session, stage, data.interviewer_ids, data.trainee_ids).roles


def _set_panel(interview: Interview, seats: dict[int, PanelRole]) -> None:
    current = {p.user_id: p for p in interview.panel}
    for user_id, leaving in current.items():
        if user_id not in seats:
            interview.panel.remove(leaving)
    for user_id, role in sorted(seats.items()):
        panelist = current.get(user_id)
        if panelist is None:
            panelist = Panelist(user_id=user_id, role=role)
            interview.panel.append(panelist)
        panelist.role = role
        panelist.starts_at, panelist.ends_at = interview.starts_at, interview.ends_at
        panelist.live = interview.status == InterviewStatus.SCHEDULED


def _stage_and_candidate(session: Session, requisition: Requisition, stage_id: int,
                         candidate: Candidate) -> LoopStage:
    stage = session.scalar(select(LoopStage).join(Loop).where(
        LoopStage.id == stage_id, Loop.candidate_id == candidate.id))
    if stage is None or candidate.requisition_id != requisition.id:
        raise NotFound("No such stage in this candidate's loop.")
    return stage


def schedule_stage(session: Session, actor: Actor, requisition: Requisition,
                   candidate: Candidate, stage_id: int, data: ScheduleInput,
                   *, now: datetime | None = None) -> Interview:
    require_manage(actor.user, requisition)
    stage = _stage_and_candidate(session, requisition, stage_id, candidate)
    if live_interview(session, stage) is not None:
        raise Conflict("This stage is already scheduled; reschedule it instead.")
    _enforce(check_booking(session, actor, requisition, candidate, data, now=now, stage=stage),
             data)
    seats = _seats(session, stage, data)
    ids = sorted(seats)
    interview = Interview(
        stage_id=stage.id, candidate_id=candidate.id, starts_at=data.starts_at,
        ends_at=data.starts_at + timedelta(minutes=data.minutes), location=data.location.strip(),
        ical_uid=f"{uuid.uuid4()}@interviewloop", created_by_id=actor.user_id, panel=[],
        status=InterviewStatus.SCHEDULED, sequence=0,
        changes=[])
    _set_panel(interview, seats)
    interview.changes.append(InterviewChange(actor_id=actor.user_id, kind="scheduled",
                                             after=_snapshot(interview, ids,
                                                             _trainees_of(interview))))
    session.add(interview)
    session.flush()
    # Booked (from an option, or otherwise): the proposed options for it are no longer whole.
    drop_proposals_with_stages(session, [stage.id])
    record(session, actor, "interview_scheduled", interview, stage_id=stage.id,
           candidate_id=candidate.id, panel=ids)
    queue_invites(session, interview, requisition)
    interview_changed.send(session, interview=interview, previous_panel=[], change="scheduled")
    return interview


def reschedule(session: Session, actor: Actor, requisition: Requisition, interview: Interview,
               data: ScheduleInput, *, now: datetime | None = None) -> Interview:
    require_manage(actor.user, requisition)
    if interview.is_cancelled:
        raise Conflict("This interview was cancelled; schedule the stage again instead.")
    stage = session.get_one(LoopStage, interview.stage_id)
    seats = _seats(session, stage, data)
    panel_changing.send(session, interview=interview, keeping=data.everyone, seats=seats)
    _enforce(check_booking(session, actor, requisition, interview.candidate, data,
                           exclude=interview, now=now, stage=stage), data)
    ids = sorted(seats)
    before = _snapshot(interview, [p.user_id for p in interview.panel],
                       _trainees_of(interview))
    interview.starts_at = data.starts_at
    interview.ends_at = data.starts_at + timedelta(minutes=data.minutes)
    interview.location = data.location.strip()
    _set_panel(interview, seats)
    after = _snapshot(interview, ids, _trainees_of(interview))
    if after == before:
        return interview
    interview.sequence += 1
    reset_answers(interview)  # the new invite asks everyone again; old links stop working
    interview.changes.append(InterviewChange(actor_id=actor.user_id, kind="rescheduled",
                                             before=before, after=after,
                                             reason=data.reason.strip()[:500]))
    session.flush()
    record(session, actor, "interview_rescheduled", interview, before=before, after=after)
    queue_invites(session, interview, requisition, previous_panel=before["panel"])
    withdraw_reminders(session, interview)
    interview_changed.send(session, interview=interview, previous_panel=before["panel"],
                           change="rescheduled")
    return interview


def cancel(session: Session, actor: Actor, requisition: Requisition, interview: Interview,
           reason: str = "") -> Interview:
    require_manage(actor.user, requisition)
    if interview.is_cancelled:
        raise Conflict("This interview is already cancelled.")
    before = _snapshot(interview, [p.user_id for p in interview.panel])
    interview.status = InterviewStatus.CANCELLED
    interview.cancelled_at = utcnow()
    interview.sequence += 1
    for panelist in interview.panel:
        panelist.live = False
    interview.changes.append(InterviewChange(actor_id=actor.user_id, kind="cancelled",
                                             before=before, reason=reason.strip()[:500]))
    session.flush()
    record(session, actor, "interview_cancelled", interview, reason=reason.strip()[:500])
    queue_invites(session, interview, requisition)
    withdraw_reminders(session, interview)
    interview_changed.send(session, interview=interview, previous_panel=before["panel"],
                           change="cancelled")
    return interview
