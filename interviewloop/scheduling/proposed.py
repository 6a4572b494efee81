"""Proposed times, stored: the options last proposed for a candidate's unscheduled stages
(one live set per candidate; asking again replaces it). Their stages show as "proposed" on
the loop page and the board until an option is booked, the options expire, or a stage is
booked or changed otherwise; booking takes only an option that is still proposed."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, delete, select
from sqlalchemy.orm import Session

from interviewloop.db import among, plain_rows, utcnow
from interviewloop.scheduling.models import LoopProposal, ProposedStage
from interviewloop.scheduling.proposals import Proposal, Slot

#: How long proposed options stay open (and a booking form's signed option with them).
PROPOSAL_LIFETIME = timedelta(hours=12)

Row = list[Any]  # [stage id, start (epoch seconds), minutes, [interviewer ids]]


def option_rows(proposal: Proposal) -> list[Row]:
    """An option as stored (and as a booking form's signed option carries it)."""
    return [[s.stage_id, int(s.starts_at.timestamp()),
             int((s.ends_at - s.starts_at).total_seconds()) // 60, list(s.interviewer_ids)]
            for s in proposal.slots]


def _option(kind: str, rows: Sequence[Sequence[Any]]) -> Proposal:
    slots = []
    for stage_id, start, minutes, ids in rows:
        starts_at = datetime.fromtimestamp(start, UTC)
        slots.append(Slot(stage_id, starts_at, starts_at + timedelta(minutes=minutes),
                          tuple(ids)))
    return Proposal(kind, tuple(slots))


def stored_options(proposal: LoopProposal) -> list[Proposal]:
    return [_option(o["kind"], o["slots"]) for o in proposal.options]


def live_proposal(session: Session, candidate_id: int, now: datetime | None = None
                  ) -> LoopProposal | None:
    """The candidate's proposal, if its options are still open."""
    return session.scalar(select(LoopProposal).where(
        LoopProposal.candidate_id == candidate_id, LoopProposal.expires_at > (now or utcnow())))


def drop_proposal(session: Session, candidate_id: int) -> None:
    """The candidate's proposal is gone (booked, replaced, or no longer whole)."""
    mine = select(LoopProposal.id).where(LoopProposal.candidate_id == candidate_id)
    session.execute(delete(ProposedStage).where(ProposedStage.proposal_id.in_(mine)))
    session.execute(delete(LoopProposal).where(LoopProposal.candidate_id == candidate_id))


def drop_proposals_with_stages(session: Session, stage_ids: Collection[int]) -> None:
    """Every proposal offering times for one of these stages is gone (a stage changed)."""
    proposals = select(ProposedStage.proposal_id).where(ProposedStage.stage_id.in_(stage_ids))
    ids = list(session.scalars(proposals))
    if ids:
        session.execute(delete(ProposedStage).where(ProposedStage.proposal_id.in_(ids)))
        session.execute(delete(LoopProposal).where(LoopProposal.id.in_(ids)))


def store_proposal(session: Session, user_id: int | None, candidate_id: int, *,
                   starts: datetime, ends: datetime, options: Sequence[Proposal],
                   now: datetime | None = None) -> LoopProposal | None:
    """Replace the candidate's proposal with these options (none: no proposal). The
    database keeps one per candidate and each stage in one at most, so two recruiters
    asking at once cannot both store theirs (the second is refused, to reload)."""
    now = now or utcnow()
    drop_proposal(session, candidate_id)
    if not options:
        return None
    stage_ids = sorted({s.stage_id for option in options for s in option.slots})
    proposal = LoopProposal(
        candidate_id=candidate_id, starts_at=starts, ends_at=ends, created_by_id=user_id,
        created_at=now, expires_at=now + PROPOSAL_LIFETIME,
        options=[{"kind": o.kind, "slots": option_rows(o)} for o in options],
        stages=[ProposedStage(stage_id=i) for i in stage_ids])
    session.add(proposal)
    session.flush()
    return proposal


@cache
def _proposed_stages(dialect: str) -> Select[int]:
    """Built once, its values bound when it runs (the board asks on every page); the ids
    as one array on PostgreSQL (``among``)."""
    return (select(ProposedStage.stage_id).join(LoopProposal)
            .where(among(LoopProposal.candidate_id, "ids", dialect),
                   LoopProposal.expires_at > bindparam("now", type_=LoopProposal.expires_at.type)))


def proposed_stage_ids(session: Session, candidate_ids: Collection[int],
                       now: datetime | None = None) -> set[int]:
    """The stages of these candidates that live proposals offer times for (one query,
    none or many), as plain rows: the board shows the ids only."""
    statement = _proposed_stages(session.get_bind().dialect.name)
    rows = plain_rows(session, statement, {"ids": list(candidate_ids), "now": now or utcnow()})
    return {stage_id for (stage_id,) in rows}
