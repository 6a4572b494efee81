"""The funnel (issue 12): per requisition and per level, how many candidates reached each
stage of their loop and an offer, the share who went on from each step to the next, the
median time between steps, and the time from the last interview to the decision.

Only candidates whose debrief the viewer may open count (scorecards/access.py
sees_panel_clause): a hiring manager who still owes a scorecard on a candidate sees no
figure that includes them, and an interviewer sees the candidates they interviewed.
A stage is *reached* when its interview was held (scheduled and over). Two statements,
whatever the amount of data."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from interviewloop import limits
from interviewloop.analytics import queries, stats
from interviewloop.analytics.queries import Filters
from interviewloop.analytics.service import Share, share
from interviewloop.analytics.stats import Estimate
from interviewloop.auth.models import User
from interviewloop.db import utcnow
from interviewloop.debrief.models import DecisionKind
from interviewloop.enums import Level
from interviewloop.loops.models import LoopStage
from interviewloop.requisitions.models import Candidate, Requisition
from interviewloop.scheduling.models import Interview, InterviewStatus
from interviewloop.scorecards.access import sees_panel_clause

DAY = 86_400.0  # seconds


@dataclass
class Flow:
    """One candidate's way through: when they entered, each stage reached, the decision."""

    candidate_id: int
    requisition_id: int
    added_at: datetime
    stages: dict[int, tuple[str, datetime, datetime]] = field(default_factory=dict)
    decision: DecisionKind | None = None
    decided_at: datetime | None = None


@dataclass(frozen=True)
class Step:
    label: str  # "Candidates", "Stage 1: Screen", ..., "Offer"
    count: int
    passed: Share | None  # of the previous step's candidates, how many reached this one
    to_next: Estimate  # median days from this step to the next (None below the minimum)
    timed: int  # candidates timed from this step to the next


@dataclass(frozen=True)
class FunnelRow:
    label: str  # the requisition's title, or the level's name for the level's total
    level: Level
    requisition_id: int | None  # None: every requisition at the level
    steps: list[Step]
    decided: int  # latest decision an offer or a rejection
    offers: int
    to_decision: Estimate  # median days from the last interview to the decision
    to_decision_timed: int

    @property
    def candidates(self) -> int:
        return self.steps[0].count


@dataclass(frozen=True)
class LevelFunnel:
    total: FunnelRow
    requisitions: list[FunnelRow]


def flows(session: Session, viewer: User, filters: Filters,
          now: datetime | None = None) -> tuple[dict[int, Flow], dict[int, tuple[str, Level]]]:
    """The viewer's candidates within the filters (the date range: when they were added),
    with the stages they reached; and each requisition's (title, level)."""
    now = now or utcnow()
    decided = queries.latest_decisions()
    stmt = (select(Candidate.id, Candidate.requisition_id, Candidate.created_at,
                   Requisition.title, Requisition.level, decided.c.kind, decided.c.decided_at)
            .join(Requisition, Requisition.id == Candidate.requisition_id)
            .outerjoin(decided, decided.c.candidate_id == Candidate.id)
            .where(sees_panel_clause(viewer, now),
                   queries.in_range(Candidate.created_at, Filters(since=filters.since,
                                                                  until=filters.until))))
    if filters.level is not None:
        stmt = stmt.where(Requisition.level == filters.level)
    if filters.requisition_id is not None:
        stmt = stmt.where(Requisition.id == filters.requisition_id)
    found: dict[int, Flow] = {}
    requisitions: dict[int, tuple[str, Level]] = {}
    for cid, rid, added, title, level, kind, decided_at in session.execute(stmt):
        found[cid] = Flow(cid, rid, added, decision=DecisionKind(kind) if kind else None,
                          decided_at=decided_at)
        requisitions[rid] = (title, Level(level))
    ids = stmt.with_only_columns(Candidate.id).scalar_subquery()
    for cid, position, name, starts, ends in session.execute(
            select(Interview.candidate_id, LoopStage.position, LoopStage.name,
                   Interview.starts_at, Interview.ends_at)
            .join(LoopStage, LoopStage.id == Interview.stage_id)
            .where(Interview.status == InterviewStatus.SCHEDULED, Interview.ends_at <= now,
                   Interview.candidate_id.in_(ids))):
        found[cid].stages[position] = (name, starts, ends)
    return found, requisitions


def _days(later: datetime, earlier: datetime) -> float:
    return (later - earlier).total_seconds() / DAY


def funnel_row(label: str, level: Level, requisition_id: int | None,
               group: list[Flow]) -> FunnelRow:
    positions = sorted({p for f in group for p in f.stages})
    names: dict[int, Counter[str]] = defaultdict(Counter)
    for f in group:
        for p, (name, _starts, _ends) in f.stages.items():
            names[p][name] += 1
    # Each step: its label and, per candidate in it, when they entered it.
    steps: list[tuple[str, dict[int, datetime]]] = [
        ("Candidates", {f.candidate_id: f.added_at for f in group})]
    for p in positions:
        name = min(names[p].items(), key=lambda kv: (-kv[1], kv[0]))[0]  # the commonest
        steps.append((f"Stage {p + 1}: {name}",
                      {f.candidate_id: f.stages[p][1] for f in group if p in f.stages}))
    steps.append(("Offer", {f.candidate_id: f.decided_at for f in group
                            if f.decision == DecisionKind.OFFER and f.decided_at}))
    result = []
    for n, (step_label, entered) in enumerate(steps):
        before = steps[n - 1][1] if n else None
        after = steps[n + 1][1] if n + 1 < len(steps) else None
        passed = (share(len(entered.keys() & before.keys()), len(before), limits.MIN_FUNNEL_STEP)
                  if before is not None else None)
        # A candidate who entered a step before the one before it (added after their
        # interviews, say, when imported) has no time there to count.
        gaps = ([gap for c in entered.keys() & after.keys()
                 if (gap := _days(after[c], entered[c])) >= 0] if after is not None else [])
        result.append(Step(step_label, len(entered), passed, _median(gaps), len(gaps)))
    decided = [f for f in group if f.decision in (DecisionKind.OFFER, DecisionKind.REJECT)]
    waits = [wait for f in decided if f.stages and f.decided_at
             if (wait := _days(f.decided_at, max(end for _n, _s, end in f.stages.values()))) >= 0]
    return FunnelRow(label, level, requisition_id, result, len(decided),
                     sum(f.decision == DecisionKind.OFFER for f in decided), _median(waits),
                     len(waits))


def _median(days: list[float]) -> Estimate:
    if len(days) < limits.MIN_FUNNEL_TIMES:
        return Estimate(None, None, None)
    return stats.median_estimate(days)


def report(session: Session, viewer: User, filters: Filters,
           now: datetime | None = None) -> list[LevelFunnel]:
    found, requisitions = flows(session, viewer, filters, now)
    by_requisition: dict[int, list[Flow]] = defaultdict(list)
    for f in found.values():
        by_requisition[f.requisition_id].append(f)
    result = []
    for level in Level:
        rids = sorted((rid for rid, (_t, lv) in requisitions.items() if lv == level),
                      key=lambda rid: (requisitions[rid][0].lower(), rid))
        if not rids:
            continue
        rows = [funnel_row(requisitions[rid][0], level, rid, by_requisition[rid])
                for rid in rids]
        total = funnel_row(level.label, level, None,
                           [f for rid in rids for f in by_requisition[rid]])
        result.append(LevelFunnel(total, rows))
    return result
