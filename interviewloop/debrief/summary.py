"""What a candidate's debrief shows, gathered once for the page, its CSV and the API (each
caller has checked that the viewer sees the panel: scorecards.access.panel_access)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from interviewloop.bank.models import CapabilityArea
from interviewloop.bank.service import areas as all_areas
from interviewloop.debrief import service
from interviewloop.loops import sets
from interviewloop.requisitions.models import Candidate, Requisition
from interviewloop.scorecards.models import PreOfferQuestion, Recommendation


@dataclass(frozen=True)
class Debrief:
    requisition: Requisition
    candidate: Candidate
    areas: list[CapabilityArea]
    cards: list[service.Card]  # the submitted counted scorecards, with ratings and notes
    stats: list[service.AreaStats]
    coverage: service.StageCoverage  # planned stages and which were held
    offer_gaps: list[str]  # what an offer would be made without (it needs a waiver)
    tally: dict[Recommendation, int]
    states: list[service.PanelState]
    signals: dict[PreOfferQuestion, list[service.Signal]]
    loop_gaps: list[str]
    set_differences: list[sets.StageDifference]
    check: service.CheckRead | None
    blocker: str | None
    decision: service.DecisionRead | None
    question_titles: dict[int, str]  # loop question id -> title, for the question notes


def debrief_for(session: Session, requisition: Requisition, candidate: Candidate, *,
                now: datetime, due_hours: int) -> Debrief:
    areas = all_areas(session)
    loop = sets.debrief_loop(session, requisition, candidate)
    cards, signals = service.cards_and_signals(session, candidate)
    # The statistics and the tally are of the cards just read, not read again.
    stats = service.stats_of(((r.area_id, r.rating) for c in cards for r in c.ratings), areas)
    coverage, states = service.coverage_and_states(session, candidate, now=now,
                                                   due_hours=due_hours)
    check, decision = service.check_and_decision(session, candidate)
    return Debrief(
        requisition=requisition, candidate=candidate, areas=areas, cards=cards,
        stats=stats, coverage=coverage, offer_gaps=service.offer_gaps(coverage, stats),
        tally=service.tally_of(c.recommendation for c in cards),
        states=states,
        signals=signals,
        loop_gaps=loop.gaps if loop else [],
        set_differences=loop.differences if loop else [],
        check=check,
        blocker=service.pre_offer_blocker(session, candidate, states),
        decision=decision,
        question_titles=loop.titles if loop else {})
