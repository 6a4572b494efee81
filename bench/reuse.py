"""What a kept benchmark database holds, read back so that a later run can time it again
without seeding it anew (``--reuse`` of bench/pages.py and bench/serve.py).

Seeding 11,000 candidates takes minutes on SQLite and a quarter of an hour on PostgreSQL;
comparing two versions of the code on the same data needs the same database twice. The
seed is read as the seeding left it: the timed web builds of earlier runs add loops to
fresh candidates, which are then no longer fresh, and their loops have no interview held,
so the pages timed are the same seeded candidates' each time.
"""

from __future__ import annotations

from sqlalchemy import Engine, Select, distinct, func, select

from bench.hiring import HiringSeed
from bench.seed import SeedReport
from interviewloop.bank.models import Question
from interviewloop.debrief.models import Decision, DecisionKind, PreOfferCheck
from interviewloop.loops.models import Loop
from interviewloop.requisitions.models import Candidate, CandidateStatus
from interviewloop.scorecards.models import Scorecard, ScorecardStatus

SYNTHETIC_SLUG = "bench-%"  # bench/seed.py's synthetic questions


def read_bank(bind: Engine) -> SeedReport:
    with bind.connect() as conn:
        total = conn.scalar(select(func.count()).select_from(Question)) or 0
        synthetic = conn.scalar(select(func.count()).select_from(Question)
                                .where(Question.slug.like(SYNTHETIC_SLUG))) or 0
    return SeedReport(questions=total, real=total - synthetic)


def read_hiring(bind: Engine) -> HiringSeed | None:
    """The seeded requisition's ids and counts; None if the database has no candidates
    (seeded with ``--candidates 0``)."""
    with bind.connect() as conn:
        requisition_id = conn.scalar(select(func.min(Candidate.requisition_id)))
        if requisition_id is None:
            return None
        ids = select(Candidate.id).where(Candidate.requisition_id == requisition_id)
        scored = set(conn.scalars(select(Scorecard.candidate_id).distinct()
                                  .where(Scorecard.candidate_id.in_(ids))))
        status = dict(conn.execute(select(Candidate.id, Candidate.status)
                                   .where(Candidate.requisition_id == requisition_id)).all())
        looped = set(conn.scalars(select(Loop.candidate_id).where(Loop.candidate_id.in_(ids))))
        owing = set(conn.scalars(select(Scorecard.candidate_id).where(
            Scorecard.candidate_id.in_(ids), Scorecard.status == ScorecardStatus.DRAFT)))
        checked = set(conn.scalars(select(PreOfferCheck.candidate_id)
                                   .where(PreOfferCheck.candidate_id.in_(ids))))
        # Held and scored, never rejected: the seeding's active candidates with a loop.
        with_loop = sorted(c for c in scored if status[c] != CandidateStatus.REJECTED)
        complete = [c for c in with_loop if c not in owing and c not in checked]

        def count(stmt: Select[tuple[int]]) -> int:
            return conn.scalar(stmt) or 0

        return HiringSeed(
            requisition_id=requisition_id, candidates=len(status), with_loop=with_loop,
            fresh=sorted(c for c, s in status.items()
                         if s == CandidateStatus.ACTIVE and c not in looped),
            debrief_id=complete[-1] if complete else None,
            interviews=count(select(func.count(distinct(Scorecard.interview_id)))
                             .where(Scorecard.candidate_id.in_(ids))),
            scorecards=count(select(func.count()).select_from(Scorecard).where(
                Scorecard.candidate_id.in_(ids), Scorecard.status == ScorecardStatus.SUBMITTED)),
            checks=len(checked),
            offers=count(select(func.count()).select_from(Decision)
                         .where(Decision.kind == DecisionKind.OFFER)),
            loops=len(looped), drafts=len(owing))

