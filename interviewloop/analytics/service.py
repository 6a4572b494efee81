"""The reliability and interviewer reports, from the visible scorecards only
(analytics/queries.py). Nothing below its named minimum sample (interviewloop/limits.py)
is computed: such a figure is None and the page says "too few"."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from interviewloop import limits
from interviewloop.analytics import queries, stats
from interviewloop.analytics.queries import CardRow, Filters, NudgeCounts, RatingRow
from interviewloop.analytics.stats import Estimate
from interviewloop.auth.models import User
from interviewloop.bank.models import CapabilityArea
from interviewloop.debrief.models import DecisionKind
from interviewloop.scorecards.models import Recommendation

POSITIVE = {Recommendation.HIRE, Recommendation.STRONG_HIRE}
Z95 = 1.959963984540054  # the standard normal's 97.5th percentile


# --- reliability ------------------------------------------------------------------------------

@dataclass(frozen=True)
class AreaReliability:
    area: CapabilityArea
    units: int  # candidates rated by two or more visible scorecards in this area
    pairable: int  # the ratings on those candidates (Krippendorff's n..)
    alpha: Estimate  # all None below the minimum, or where alpha is undefined
    enough: bool


def reliability(session: Session, viewer: User, areas: list[CapabilityArea], filters: Filters,
                now: datetime | None = None) -> list[AreaReliability]:
    visible = queries.visible_scorecards(viewer, filters, now)
    by_area = queries.area_value_counts(session, visible)
    result = []
    for area in areas:
        counts = stats.value_counts(by_area.get(area.id, {}))
        units, pairable = counts.shape[0], int(counts.sum())
        enough = units >= limits.MIN_RELIABILITY_UNITS
        estimate = stats.alpha_estimate(counts) if enough else Estimate(None, None, None)
        result.append(AreaReliability(area, units, pairable, estimate, enough))
    return result


# --- interviewers -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Share:
    """k of n, with a Wilson 95% interval (None below the row's minimum)."""

    k: int
    n: int
    low: float | None = None
    high: float | None = None

    @property
    def value(self) -> float | None:
        return self.k / self.n if self.n else None


def share(k: int, n: int, minimum: int) -> Share:
    if n < minimum or n == 0:
        return Share(k, n)
    p = k / n
    centre = (p + Z95 ** 2 / (2 * n)) / (1 + Z95 ** 2 / n)
    half = Z95 / (1 + Z95 ** 2 / n) * math.sqrt(p * (1 - p) / n + Z95 ** 2 / (4 * n * n))
    return Share(k, n, max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True)
class InterviewerRow:
    label: str  # the interviewer's name, "You", or "Pool"
    user_id: int | None
    scorecards: int
    enough: bool  # scorecards >= MIN_INTERVIEWER_SCORECARDS: figures below are shown
    median_hours: Estimate
    on_time: Share
    distribution: dict[int, list[int]]  # area -> counts of ratings 1..4
    leniency: Estimate  # mean(their rating - co-panelists' mean), same candidate and area
    leniency_candidates: int
    not_assessed_focus: Share
    matched: Share  # recommendation agreed with the offer/reject decision
    nudged: Share  # evidence nudged before submit, of the evidence the nudges looked at
    nudged_changed: Share  # ... changed after the nudge, of the nudged
    is_pool: bool = False


@dataclass
class InterviewerReport:
    rows: list[InterviewerRow]
    pool: InterviewerRow
    named: str  # whose rows are shown: "all", "managed" or "own"
    due_hours: int
    areas: list[CapabilityArea] = field(default_factory=list)


def offset_terms(ratings: list[RatingRow]) -> dict[int, dict[tuple[int, int], list[float]]]:
    """interviewer -> (candidate, area) -> [sum of their rating minus the co-panelists'
    mean there, how many such ratings]."""
    cells: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for r in ratings:
        if r.rating is not None:
            cells[(r.candidate_id, r.area_id)].append((r.interviewer_id, r.rating))
    per: dict[int, dict[tuple[int, int], list[float]]] = defaultdict(
        lambda: defaultdict(lambda: [0.0, 0]))
    for cell, given in cells.items():
        for who, value in given:
            others = [v for other, v in given if other != who]
            if others:
                slot = per[who][cell]
                slot[0] += value - sum(others) / len(others)
                slot[1] += 1
    return per


def leniency_offsets(ratings: list[RatingRow]) -> dict[int, list[tuple[float, int]]]:
    """interviewer -> per candidate (sum of their rating minus the co-panelists' mean on the
    same area, how many such ratings)."""
    result = {}
    for who, terms in offset_terms(ratings).items():
        by_candidate: dict[int, list[float]] = defaultdict(lambda: [0.0, 0])
        for (candidate_id, _area), (total, n) in terms.items():
            by_candidate[candidate_id][0] += total
            by_candidate[candidate_id][1] += n
        result[who] = [(total, int(n)) for total, n in by_candidate.values()]
    return result


def leniency_offsets_by_area(ratings: list[RatingRow]
                             ) -> dict[int, dict[int, list[tuple[float, int]]]]:
    """interviewer -> area -> per candidate (sum, how many), as leniency_offsets but one
    area at a time (the debrief's per-area reading aid, analytics/leniency.py)."""
    result: dict[int, dict[int, list[tuple[float, int]]]] = {}
    for who, terms in offset_terms(ratings).items():
        by_area: dict[int, list[tuple[float, int]]] = defaultdict(list)
        for (_candidate, area_id), (total, n) in terms.items():
            by_area[area_id].append((total, int(n)))
        result[who] = dict(by_area)
    return result


def _row(label: str, user_id: int | None, cards: list[CardRow], ratings: list[RatingRow],
         offsets: list[tuple[float, int]] | None, due_hours: int,
         nudges: NudgeCounts) -> InterviewerRow:
    count = len(cards)
    enough = count >= limits.MIN_INTERVIEWER_SCORECARDS
    hours = [c.hours_to_feedback for c in cards]
    minimum = limits.MIN_INTERVIEWER_SCORECARDS
    distribution: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    focus = [r for r in ratings if r.focus]
    for r in ratings:
        if r.rating is not None:
            distribution[r.area_id][r.rating - 1] += 1
    decided = [c for c in cards if c.decision in (DecisionKind.OFFER, DecisionKind.REJECT)]
    matched = sum((c.recommendation in POSITIVE) == (c.decision == DecisionKind.OFFER)
                  for c in decided)
    lenient = offsets or []
    lenient_enough = offsets is not None and len(lenient) >= limits.MIN_LENIENCY_CANDIDATES
    return InterviewerRow(
        label=label, user_id=user_id, scorecards=count, enough=enough,
        median_hours=stats.median_estimate(hours) if enough else Estimate(None, None, None),
        on_time=share(sum(h <= due_hours for h in hours), count, minimum),
        distribution=dict(distribution) if enough else {},
        leniency=stats.mean_offset(lenient) if lenient_enough else Estimate(None, None, None),
        leniency_candidates=len(lenient),
        not_assessed_focus=share(sum(r.rating is None for r in focus), len(focus), minimum),
        matched=share(matched, len(decided), limits.MIN_DECIDED),
        nudged=share(nudges.nudged, nudges.evidence, limits.MIN_NUDGE_EVIDENCE),
        nudged_changed=share(nudges.changed, nudges.nudged, limits.MIN_NUDGED),
        is_pool=user_id is None)


def interviewers(session: Session, viewer: User, areas: list[CapabilityArea], filters: Filters,
                 *, due_hours: int, now: datetime | None = None) -> InterviewerReport:
    """Admins see every interviewer; a hiring manager or recruiter, those who filed a
    visible scorecard on a requisition they manage; everyone, their own row. The pool is
    every visible scorecard, unnamed."""
    visible = queries.visible_scorecards(viewer, filters, now)
    cards = queries.card_rows(session, visible)
    ratings = queries.rating_rows(session, visible)
    if viewer.is_admin:
        named, scope = {c.interviewer_id for c in cards}, "all"
    else:
        named = {c.interviewer_id for c in cards if c.managed}
        scope = "managed" if named else "own"
    named.add(viewer.id)
    offsets = leniency_offsets(ratings)
    nudges = queries.nudge_counts(session, visible)
    none = NudgeCounts(0, 0, 0)
    users = queries.people(session, named)
    cards_of: dict[int, list[CardRow]] = defaultdict(list)
    ratings_of: dict[int, list[RatingRow]] = defaultdict(list)
    for c in cards:
        cards_of[c.interviewer_id].append(c)
    for r in ratings:
        ratings_of[r.interviewer_id].append(r)
    rows = [_row("You" if uid == viewer.id else users[uid].name, uid, cards_of[uid],
                 ratings_of[uid], offsets.get(uid, []), due_hours, nudges.get(uid, none))
            for uid in sorted(named, key=lambda u: (u != viewer.id, users[u].name.lower(), u))
            if cards_of[uid] or uid == viewer.id]
    pool = _row("Pool", None, cards, ratings, None, due_hours, NudgeCounts(
        *(sum(getattr(n, f) for n in nudges.values()) for f in ("evidence", "nudged", "changed"))))
    return InterviewerReport(rows, pool, scope, due_hours, areas)
