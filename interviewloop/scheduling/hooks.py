"""Scheduling's guards on the features below it (connected in interviewloop/wiring.py):
what a scheduled interview holds in place."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from interviewloop.errors import Conflict
from interviewloop.loops.models import LoopStage
from interviewloop.requisitions.models import Candidate, Requisition
from interviewloop.scheduling.models import Interview, InterviewStatus, Panelist
from interviewloop.scheduling.proposed import drop_proposals_with_stages
from interviewloop.scheduling.queries import StageSchedule, stage_schedules


def refuse_changing_scheduled_stages(session: Session, *, stages: Sequence[LoopStage]) -> None:
    """On ``stages_changing``: a stage's questions and place are settled once it is
    scheduled."""
    ids = [s.id for s in stages]
    scheduled = session.scalar(select(Interview.stage_id).where(
        Interview.stage_id.in_(ids), Interview.status == InterviewStatus.SCHEDULED).limit(1))
    if scheduled is not None:
        name = next(s.name for s in stages if s.id == scheduled)
        raise Conflict(f"The stage {name!r} is scheduled; cancel its interview before "
                       "changing it.")


def drop_proposals_of_changing_stages(session: Session, *, stages: Sequence[LoopStage]) -> None:
    """On ``stages_changing``: times proposed for a stage that moves or goes no longer keep
    stage order; the recruiter asks again."""
    drop_proposals_with_stages(session, [s.id for s in stages])


def refuse_removing_stages_with_history(session: Session, *, stage: LoopStage) -> None:
    """On ``stage_removing``: a stage that was ever scheduled keeps its cancelled
    interviews' history (and any scorecards written for them), so it stays."""
    if session.scalar(select(Interview.id).where(Interview.stage_id == stage.id).limit(1)):
        raise Conflict(f"The stage {stage.name!r} has a cancelled interview in its history; "
                       "it stays in the loop (move it, or leave it unscheduled).")


def refuse_removing_panelists(session: Session, *, requisition: Requisition, user_id: int
                              ) -> None:
    """On ``team_member_removing``: someone on a scheduled interview's panel stays on the
    team; they would lose the interview, its kit and their scorecard with it."""
    on_panel = session.scalar(select(Interview.id).join(Panelist).join(
        Candidate, Candidate.id == Interview.candidate_id).where(
        Candidate.requisition_id == requisition.id, Panelist.user_id == user_id,
        Interview.status == InterviewStatus.SCHEDULED).limit(1))
    if on_panel is not None:
        raise Conflict("This person is on the panel of a scheduled interview for this "
                       "requisition; change those panels first.")


def describe_stages(session: Session, *, stage_ids: list[int]) -> dict[int, StageSchedule]:
    """On ``describing_stages``: each scheduled stage's interview and its panel's answers."""
    return stage_schedules(session, stage_ids)
