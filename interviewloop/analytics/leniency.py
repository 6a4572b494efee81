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
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from sqlalchemy import Float, Select, and_, cast, func, select
from sqlalchemy.orm import Session

from interviewloop import limits
from interviewloop.analytics import queries
from interviewloop.analytics.queries import Filters
from interviewloop.auth.models import User
from interviewloop.scorecards.access import counted_clause
from interviewloop.scorecards.models import Rating, Scorecard, ScorecardStatus


@dataclass(frozen=True)
class Offset:
    observed: float  # mean(their rating - co-panelists' mean) on other candidates
    candidates: int  # how many other candidates it rests on
    shrunk: float  # observed * n / (n + k): what is removed from their ratings
    PRIOR: ClassVar[float] = limits.LENIENCY_PRIOR  # k, for the page's note
    MINIMUM: ClassVar[int] = limits.MIN_LENIENCY_CANDIDATES


@dataclass(frozen=True)
class Adjusted:
    value: float  # the rating minus its interviewer's shrunk offset
    offset: Offset


def shrink(observed: float, candidates: int, prior: float = limits.LENIENCY_PRIOR) -> float:
    return observed * candidates / (candidates + prior)


def offsets(session: Session, viewer: User, candidate_id: int, interviewer_ids: Collection[int],
            now: datetime | None = None) -> dict[int, Offset]:
    """interviewer -> their offset, for those with enough history (one statement whatever
    the amount of data: the sums are made in SQL, one row per interviewer comes back)."""
    if not interviewer_ids:
        return {}
    result = {}
    for who, total, ratings, candidates in session.execute(_offset_sums(viewer, candidate_id,
                                                                        interviewer_ids, now)):
        if candidates < limits.MIN_LENIENCY_CANDIDATES:
            continue
        observed = float(total) / int(ratings)
        result[who] = Offset(observed, int(candidates), shrink(observed, int(candidates)))
    return result


def _offset_sums(viewer: User, candidate_id: int, interviewer_ids: Collection[int],
                 now: datetime | None) -> Select[int, float, int, int]:
    """(interviewer, sum of their rating minus the co-panelists' mean on the same candidate
    and area, how many such ratings, over how many candidates): service.leniency_offsets'
    figures, added up in the database instead of over every rating in Python."""
    visible = queries.visible_scorecards(viewer, Filters(), now)
    # Narrowing to candidates these interviewers filed on changes no result: an offset uses
    # a candidate only where the interviewer's own (visible) rating is on it.
    theirs = select(Scorecard.candidate_id).where(
        Scorecard.interviewer_id.in_(interviewer_ids), counted_clause(),
        Scorecard.status == ScorecardStatus.SUBMITTED)
    rated = (select(visible.c.interviewer_id.label("who"), visible.c.candidate_id.label("cid"),
                    Rating.area_id.label("area"), Rating.rating.label("rating"))
             .join(visible, visible.c.scorecard_id == Rating.scorecard_id)
             .where(Rating.rating.is_not(None), visible.c.candidate_id != candidate_id,
                    visible.c.candidate_id.in_(theirs))
             .cte("rated"))
    cell = (select(rated.c.cid, rated.c.area, func.sum(rated.c.rating).label("total"),
                   func.count().label("n"))
            .group_by(rated.c.cid, rated.c.area).subquery("cell"))
    mine = (select(rated.c.who, rated.c.cid, rated.c.area,
                   func.sum(rated.c.rating).label("total"), func.count().label("n"))
            .where(rated.c.who.in_(interviewer_ids))
            .group_by(rated.c.who, rated.c.cid, rated.c.area).subquery("mine"))
    # Each of their ratings minus the mean of the others' in the cell, summed over theirs:
    # their sum - their count * (cell sum - their sum) / (cell count - their count).
    others_mean = (cast(cell.c.total - mine.c.total, Float)
                   / cast(cell.c.n - mine.c.n, Float))
    per_candidate = (select(mine.c.who, mine.c.cid,
                            func.sum(mine.c.total - mine.c.n * others_mean).label("total"),
                            func.sum(mine.c.n).label("n"))
                     .join(cell, and_(cell.c.cid == mine.c.cid, cell.c.area == mine.c.area))
                     .where(cell.c.n > mine.c.n)
                     .group_by(mine.c.who, mine.c.cid).subquery("per_candidate"))
    return (select(per_candidate.c.who, func.sum(per_candidate.c.total),
                   func.sum(per_candidate.c.n), func.count())
            .group_by(per_candidate.c.who))


def adjusted_ratings(session: Session, viewer: User, candidate_id: int,
                     ratings: Collection[tuple[int, int, int, int | None]],
                     now: datetime | None = None) -> dict[tuple[int, int], Adjusted]:
    """ratings: (scorecard, interviewer, area, rating) on the open debrief ->
    {(scorecard, area): adjusted}, for rated areas of interviewers with enough history."""
    found = offsets(session, viewer, candidate_id, {who for _c, who, _a, _r in ratings}, now)
    return {(card, area): Adjusted(rating - found[who].shrunk, found[who])
            for card, who, area, rating in ratings if rating is not None and who in found}
