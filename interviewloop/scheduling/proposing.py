"""Times for a whole loop: what the slot finder (proposals.py) needs, read from the database in
a fixed number of queries however many interviewers and interviews there are, and booking a
chosen option: every stage in one transaction, all or nothing, through ``schedule_stage``
(its checks, locks, invites, reminders and calendar pushes) after locking every person of the
option at once.

People's own calendars (CalDAV) are read by the page between the two steps (signals.
``reading_busy_times``), outside any transaction, once for the whole range.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from interviewloop import limits
from interviewloop.audit.service import Actor
from interviewloop.auth.models import User
from interviewloop.db import utcnow
from interviewloop.errors import Conflict
from interviewloop.loops.models import Loop, LoopStage
from interviewloop.requisitions.models import Candidate, Requisition
from interviewloop.requisitions.service import require_manage
from interviewloop.scheduling import proposed, service
from interviewloop.scheduling.models import Interview, InterviewStatus, Panelist
from interviewloop.scheduling.proposals import (
    Interval,
    Interviewer,
    Proposal,
    Slot,
    StageNeed,
    find_proposals,
)
from interviewloop.scheduling.proposed import PROPOSAL_LIFETIME, live_proposal, option_rows
from interviewloop.scheduling.signals import BusyTimes
from interviewloop.timezones import format_local
from interviewloop.tokens import LinkSigner

OPTION_PURPOSE = "loop-option"  # the signed option a booking form carries
OPTION_MAX_AGE = PROPOSAL_LIFETIME


@dataclass(frozen=True)
class LoopStageState:
    """A stage of the loop and its live interview (None: unscheduled)."""

    stage: LoopStage
    interview: Interview | None


@dataclass
class LoopPlan:
    """What the slot finder is asked, as read from the database (plus, once read, what
    people's own calendars show)."""

    starts: datetime
    ends: datetime
    stages: list[LoopStageState]
    needs: list[StageNeed]
    people: dict[int, User]
    interviewers: list[Interviewer]
    candidate_busy: list[Interval]
    problems: list[str] = field(default_factory=list)  # why no option can be found
    calendar_notices: list[str] = field(default_factory=list)

    @property
    def open_stages(self) -> list[LoopStage]:
        return [s.stage for s in self.stages if s.interview is None]

    def with_calendars(self, found: BusyTimes) -> LoopPlan:
        """The plan with what people's own calendars showed busy added to their busy times."""
        if not found.busy and not found.unread:
            return self
        interviewers = [replace(p, busy=[*p.busy, *found.busy.get(p.id, ())])
                        for p in self.interviewers]
        return replace(self, interviewers=interviewers,
                       calendar_notices=[*self.calendar_notices, *found.notices])


def loop_stages(session: Session, candidate: Candidate) -> list[LoopStageState]:
    """The candidate's loop stages in order, each with its live interview (two queries)."""
    stages = list(session.scalars(select(LoopStage).join(Loop).where(
        Loop.candidate_id == candidate.id).order_by(LoopStage.position)))
    live = {i.stage_id: i for i in session.scalars(select(Interview).where(
        Interview.candidate_id == candidate.id, Interview.status == InterviewStatus.SCHEDULED))}
    return [LoopStageState(stage, live.get(stage.id)) for stage in stages]


def _bounds(states: Sequence[LoopStageState], index: int) -> tuple[datetime | None, datetime | None]:
    """After every scheduled stage before ``index``, before every one after it."""
    before = [s.interview.ends_at for s in states[:index] if s.interview is not None]
    after = [s.interview.starts_at for s in states[index + 1:] if s.interview is not None]
    return max(before, default=None), min(after, default=None)


def plan_loop(session: Session, requisition: Requisition, candidate: Candidate, *,
              starts: datetime, ends: datetime) -> LoopPlan:
    """Everything the slot finder needs for the candidate's unscheduled stages between
    ``starts`` and ``ends``, from the database (a fixed number of queries)."""
    states = loop_stages(session, candidate)
    open_states = [(i, s) for i, s in enumerate(states) if s.interview is None]
    eligible = service.eligible_interviewers(session, requisition,
                                             [s.stage for _i, s in open_states])
    people = {u.id: u for users in eligible.values() for u in users}
    problems = [] if candidate.in_process else [f"The candidate is {candidate.status.value}."]
    needs = []
    for index, state in open_states:
        not_before, not_after = _bounds(states, index)
        stage = state.stage
        panel_size = stage.panel_size
        if len(eligible[stage.id]) < panel_size:
            problems.append(f"{stage.name} needs {panel_size} interviewer"
                            f"{'s' if panel_size != 1 else ''}; "
                            f"{len(eligible[stage.id])} may interview for it.")
        if not_before and not_after and not_after - not_before < timedelta(minutes=stage.minutes):
            problems.append(f"{stage.name} must come between the stages scheduled around it, "
                            "and they leave it no room: reschedule those first.")
        needs.append(StageNeed(stage.id, stage.minutes, panel_size,
                               tuple(u.id for u in eligible[stage.id]), not_before, not_after))
    # Interviews a week either side too: weekly caps count the whole of each week.
    margin = timedelta(days=8)
    rows = session.execute(
        select(Panelist.user_id, Panelist.starts_at, Panelist.ends_at)
        .where(Panelist.user_id.in_(people), Panelist.live.is_(True),
               Panelist.ends_at > starts - margin, Panelist.starts_at < ends + margin)).all()
    busy: dict[int, list[Interval]] = {user_id: [] for user_id in people}
    loads: dict[int, Counter[date]] = {user_id: Counter() for user_id in people}
    interviewers = {u.id: Interviewer(u.id, u.time_zone, u.working_hours,
                                      weekly_cap=u.weekly_interview_cap) for u in people.values()}
    for user_id, busy_from, busy_until in rows:
        if busy_until > starts and busy_from < ends:
            busy[user_id].append((busy_from, busy_until))
        loads[user_id][interviewers[user_id].week_of(busy_from)] += 1
    candidate_busy = [(s.interview.starts_at, s.interview.ends_at) for s in states
                      if s.interview is not None]
    return LoopPlan(
        starts, ends, states, needs, people,
        [replace(p, busy=busy[p.id], week_load=dict(loads[p.id])) for p in interviewers.values()],
        candidate_busy, problems)


def propose(plan: LoopPlan, candidate: Candidate, *, now: datetime | None = None,
            candidate_windows: list[tuple[datetime, datetime]] | None = None,
            limit: int = 5) -> list[Proposal]:
    """A few complete options for the plan's unscheduled stages (none if it has problems)."""
    if plan.problems or not plan.needs:
        return []
    return find_proposals(plan.needs, plan.interviewers, starts=plan.starts, ends=plan.ends,
                          now=now or utcnow(), candidate_busy=plan.candidate_busy,
                          candidate_windows=candidate_windows, day_zone=candidate.time_zone,
                          limit=limit)


def store_proposal(session: Session, actor: Actor, requisition: Requisition,
                   candidate: Candidate, plan: LoopPlan, options: Sequence[Proposal], *,
                   now: datetime | None = None) -> None:
    """Propose these options for the plan's days, in place of the candidate's proposal
    before (none: the candidate has no proposal now)."""
    require_manage(actor.user, requisition)
    proposed.store_proposal(session, actor.user_id, candidate.id, starts=plan.starts,
                            ends=plan.ends, options=options, now=now)


# --- a chosen option, signed into its booking form ----------------------------------------------

@dataclass(frozen=True)
class Picked:
    """One stage of a chosen option."""

    stage_id: int
    starts_at: datetime
    minutes: int
    interviewer_ids: tuple[int, ...]

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.minutes)


def sign_option(signer: LinkSigner, candidate: Candidate, proposal: Proposal) -> str:
    return signer.sign(OPTION_PURPOSE, {"c": candidate.id, "s": option_rows(proposal)})


def read_option(signer: LinkSigner, candidate: Candidate, token: str) -> list[Picked] | None:
    """The option a booking form carries, or None if it is forged, expired, shaped wrongly
    or for another candidate."""
    from datetime import UTC

    data = signer.load(OPTION_PURPOSE, token, max_age_seconds=int(OPTION_MAX_AGE.total_seconds()))
    if not isinstance(data, dict) or data.get("c") != candidate.id:
        return None
    picked = []
    for row in data.get("s") or []:
        if not (isinstance(row, list) and len(row) == 4 and all(isinstance(n, int) for n in row[:3])
                and isinstance(row[3], list) and all(isinstance(n, int) for n in row[3])):
            return None
        picked.append(Picked(row[0], datetime.fromtimestamp(row[1], UTC), row[2], tuple(row[3])))
    return picked or None


def calendar_clashes(picked: Sequence[Picked], found: BusyTimes, people: Mapping[int, User],
                     viewer_zone: str) -> list[str]:
    """What people's own calendars now show busy during the option's stages, in words."""
    clashes = []
    for slot in picked:
        for user_id in slot.interviewer_ids:
            for busy_from, busy_until in found.busy.get(user_id, ()):
                if busy_from < slot.ends_at and busy_until > slot.starts_at:
                    name = people[user_id].name if user_id in people else "An interviewer"
                    clashes.append(f"{name}'s calendar now shows them busy from "
                                   f"{format_local(busy_from, viewer_zone)} to "
                                   f"{format_local(busy_until, viewer_zone, with_date=False)}.")
                    break
    return clashes


def option_people(session: Session, picked: Iterable[Picked | Slot]) -> dict[int, User]:
    ids = {user_id for p in picked for user_id in p.interviewer_ids}
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))}


def book_option(session: Session, actor: Actor, requisition: Requisition, candidate: Candidate,
                picked: Sequence[Picked], *, location: str = "",
                now: datetime | None = None) -> list[Interview]:
    """Book every stage of a chosen option, or none: each through ``schedule_stage`` (its
    refusals, weekly caps, invites and calendar hooks), in a savepoint that is rolled back
    whole if one stage is refused. Every person of the option is locked first, in id order
    (with the candidate), so that two recruiters booking options that share people wait for
    each other in the same order (no deadlock) and the second sees the first's interviews."""
    require_manage(actor.user, requisition)
    if not picked:
        raise service.SchedulingRefused(["Choose an option to book."])
    if len(location) > limits.LOCATION:
        raise service.SchedulingRefused([f"Keep the location or link under {limits.LOCATION} "
                                         "characters."])
    with session.begin_nested():
        service.lock_people(session, sorted({i for p in picked for i in p.interviewer_ids}),
                            candidate.id)
        _check_proposed(session, candidate, picked, now)
        _check_order(loop_stages(session, candidate), picked)
        return [service.schedule_stage(
            session, actor, requisition, candidate, p.stage_id, service.ScheduleInput(
                interviewer_ids=list(p.interviewer_ids), starts_at=p.starts_at,
                minutes=p.minutes, location=location), now=now) for p in picked]


def _rows(picked: Sequence[Picked]) -> list[list[object]]:
    return [[p.stage_id, int(p.starts_at.timestamp()), p.minutes, list(p.interviewer_ids)]
            for p in picked]


def _check_proposed(session: Session, candidate: Candidate, picked: Sequence[Picked],
                    now: datetime | None) -> None:
    """The option is one of the candidate's live proposal (not replaced, not expired)."""
    proposal = live_proposal(session, candidate.id, now)
    if proposal is None or _rows(picked) not in [o["slots"] for o in proposal.options]:
        raise Conflict("This option is no longer proposed (the times were asked for again, "
                       "or they expired): choose from the times proposed now.")


def _check_order(states: Sequence[LoopStageState], picked: Sequence[Picked]) -> None:
    """The option keeps stage order with itself and with the stages scheduled meanwhile."""
    where = {s.stage.id: i for i, s in enumerate(states)}
    if any(p.stage_id not in where for p in picked):
        raise Conflict("A stage of this option is no longer in the candidate's loop; ask for "
                       "times again.")
    times: dict[int, tuple[datetime, datetime]] = {
        i: (s.interview.starts_at, s.interview.ends_at) for i, s in enumerate(states)
        if s.interview is not None}
    for p in picked:
        if where[p.stage_id] in times:
            name = states[where[p.stage_id]].stage.name
            raise Conflict(f"{name} was scheduled meanwhile; ask for times again.")
        times[where[p.stage_id]] = (p.starts_at, p.ends_at)
    ordered = [times[i] for i in sorted(times)]
    if any(a[1] > b[0] for a, b in itertools.pairwise(ordered)):
        raise service.SchedulingRefused([
            "This option no longer keeps the stages in order (another stage was scheduled "
            "meanwhile); ask for times again."])
