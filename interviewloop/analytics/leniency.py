"""The debrief's reading aid (issue 12): beside each rating, the rating with its
interviewer's leniency offset removed, the offset shrunk toward zero for interviewers with
little history. The raw ratings decide; this only helps read them.

The offset is the interviewers report's leniency (service.leniency_offsets: on the same
candidate and area, their rating minus the co-panelists' mean, averaged), computed here:

- only from scorecards the viewer could read on their candidates' debriefs
  (queries.visible_scorecards: drafts, practice cards and every candidate the viewer still
  owes a scorecard on are left out), and
- never from the candidate whose debrief is open: the offset comes from the interviewer's
  other candidates, so a rating does not adjust itself (and the aid on this debrief holds
  nothing the viewer would not see on the others).

Shrinkage (empirical Bayes, normal-normal): an interviewer's observed offset over n
candidates is their true offset plus noise; the posterior mean of the true offset is
``observed * n / (n + k)``, with ``k`` the ratio of the per-candidate variance of an
offset to the variance of true offsets between interviewers (limits.LENIENCY_PRIOR says
what it is and why). Below limits.MIN_LENIENCY_CANDIDATES candidates nothing is adjusted.

Per capability area: an interviewer may be generous on one area and strict on another, so
the offset removed from a rating is that area's where the interviewer has
MIN_LENIENCY_CANDIDATES candidates rated in it beside co-panelists: their overall shrunk
offset plus the area's departure from their overall offset, itself shrunk toward zero
(``departure * n_area / (n_area + k_area)``, k_area = limits.LENIENCY_AREA_PRIOR), so
that a few candidates in one area move it little from the overall. Below that minimum the
area falls back to the overall shrunk offset. A two-level normal model (interviewer, then
area within interviewer), estimated in these two steps.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from interviewloop import limits
from interviewloop.analytics import cache, queries, service
from interviewloop.analytics.queries import Filters, RatingRow
from interviewloop.auth.models import User
from interviewloop.scorecards.models import Rating


@dataclass(frozen=True)
class AreaOffset:
    observed: float  # mean(their rating - co-panelists' mean) in this area, other candidates
    candidates: int  # how many other candidates rated in this area it rests on
    removed: float  # the overall shrunk offset + the area's departure from it, shrunk


@dataclass(frozen=True)
class Offset:
    observed: float  # mean(their rating - co-panelists' mean) on other candidates
    candidates: int  # how many other candidates it rests on
    shrunk: float  # observed * n / (n + k): removed where an area has too little data
    areas: dict[int, AreaOffset] = field(default_factory=dict)  # areas with enough data
    PRIOR: ClassVar[float] = limits.LENIENCY_PRIOR  # k, for the page's note
    AREA_PRIOR: ClassVar[float] = limits.LENIENCY_AREA_PRIOR
    MINIMUM: ClassVar[int] = limits.MIN_LENIENCY_CANDIDATES

    def removed(self, area_id: int) -> float:
        """What is removed from their rating in this area."""
        area = self.areas.get(area_id)
        return area.removed if area is not None else self.shrunk


@dataclass(frozen=True)
class Adjusted:
    value: float  # the rating minus its interviewer's offset in the area
    offset: Offset
    area: AreaOffset | None  # None: too little data in the area, the overall offset used

    @property
    def removed(self) -> float:
        return self.area.removed if self.area is not None else self.offset.shrunk


def shrink(observed: float, candidates: int, prior: float = limits.LENIENCY_PRIOR) -> float:
    return observed * candidates / (candidates + prior)


@dataclass(frozen=True)
class Terms:
    """One interviewer's offset terms over every candidate the viewer may see, and their
    totals, so that an offset leaving one candidate out is a subtraction."""

    by_candidate: dict[int, dict[int, tuple[float, int]]]  # candidate -> area -> (sum, n)
    total: tuple[float, int, int]  # sum, n, candidates
    areas: dict[int, tuple[float, int, int]]  # area -> (sum, n, candidates rated in it)


def terms(session: Session, viewer: User, now: datetime | None = None) -> dict[int, Terms]:
    """interviewer -> their terms, from every rating the viewer may see (one statement)."""
    visible = queries.visible_scorecards(viewer, Filters(), now)
    rows = session.execute(
        select(visible.c.interviewer_id, visible.c.candidate_id, Rating.area_id, Rating.rating)
        .join(visible, visible.c.scorecard_id == Rating.scorecard_id)
        .where(Rating.rating.is_not(None)))
    result = {}
    for who, cells in service.offset_terms([RatingRow(who, cid, area, rating, False, False)
                                            for who, cid, area, rating in rows]).items():
        by_candidate: dict[int, dict[int, tuple[float, int]]] = {}
        areas: dict[int, list[float]] = {}
        for (candidate_id, area_id), (total, n) in cells.items():
            by_candidate.setdefault(candidate_id, {})[area_id] = (total, int(n))
            slot = areas.setdefault(area_id, [0.0, 0, 0])
            slot[0] += total
            slot[1] += n
            slot[2] += 1
        result[who] = Terms(
            by_candidate,
            (sum(a[0] for a in areas.values()), int(sum(a[1] for a in areas.values())),
             len(by_candidate)),
            {area: (a[0], int(a[1]), int(a[2])) for area, a in areas.items()})
    return result


def offsets(session: Session, viewer: User, candidate_id: int, interviewer_ids: Collection[int],
            now: datetime | None = None) -> dict[int, Offset]:
    """interviewer -> their offset, for those with enough history, leaving the open
    candidate out. The terms are the viewer's, cached per viewer scope with the reports
    (analytics/cache.py): one statement on a miss, none on a hit."""
    if not interviewer_ids:
        return {}
    found = cache.cached(session, viewer, "leniency terms", (),
                         lambda: terms(session, viewer, now))
    result = {}
    for who in interviewer_ids:
        t = found.get(who)
        if t is None:
            continue
        own = t.by_candidate.get(candidate_id, {})
        total = t.total[0] - sum(v[0] for v in own.values())
        count = t.total[1] - sum(v[1] for v in own.values())
        candidates = t.total[2] - (1 if own else 0)
        if candidates < limits.MIN_LENIENCY_CANDIDATES or count == 0:
            continue
        observed = total / count
        overall = shrink(observed, candidates)
        areas = {}
        for area_id, (area_total, area_count, area_candidates) in t.areas.items():
            if area_id in own:
                area_total -= own[area_id][0]
                area_count -= own[area_id][1]
                area_candidates -= 1
            if area_candidates >= limits.MIN_LENIENCY_CANDIDATES and area_count:
                mean = area_total / area_count
                departure = shrink(mean - observed, area_candidates, limits.LENIENCY_AREA_PRIOR)
                areas[area_id] = AreaOffset(mean, area_candidates, overall + departure)
        result[who] = Offset(observed, candidates, overall, areas)
    return result


def adjusted_ratings(session: Session, viewer: User, candidate_id: int,
                     ratings: Collection[tuple[int, int, int, int | None]],
                     now: datetime | None = None) -> dict[tuple[int, int], Adjusted]:
    """ratings: (scorecard, interviewer, area, rating) on the open debrief ->
    {(scorecard, area): adjusted}, for rated areas of interviewers with enough history."""
    found = offsets(session, viewer, candidate_id, {who for _c, who, _a, _r in ratings}, now)
    return {(card, area): Adjusted(rating - found[who].removed(area), found[who],
                                   found[who].areas.get(area))
            for card, who, area, rating in ratings if rating is not None and who in found}
