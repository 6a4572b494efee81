"""Finding times for a whole loop: pure functions over plain data (no database, no network),
so that they are fast and can be tested with any busy calendar one can think of.

Given the loop's unscheduled stages in stage order (each with its length, how many
interviewers it needs and who may interview for it), everyone's busy times, working hours
(in their own time zone), weekly caps and interviews already booked per week, and the
candidate's own busy times and (optionally) the windows they said they are free in, propose
a few complete options:

- **same day**: every stage on one day of the candidate's, in stage order, back to back
  with a short break (``break_minutes``, waiting up to ``max_wait_minutes`` for the next
  stage's panel);
- **spread**: one stage a day on successive days, in stage order.

Every slot of an option lies within each of its interviewers' working hours and free time
and the candidate's free time; someone sits on two stages of one option only when nobody
else eligible is free (a small team); nobody goes over
their weekly cap (in their own week, Monday to Sunday in their zone); an already scheduled
stage bounds the others (``not_before`` / ``not_after``), so stage order holds across the
loop. Among those free, the interviewers with the fewest interviews that week are chosen
(then the lowest id, so that the same input always gives the same options).

Start times are on the quarter hour; a stage whose length is not a whole number of quarter
hours is placed as if it were rounded up to one (never over a busy time, at worst a quarter
hour less choice).
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from interviewloop.timezones import WorkingHours, to_local, wall_clock

Interval = tuple[datetime, datetime]

SAME_DAY, SPREAD = "same_day", "spread"
STEP = timedelta(minutes=15)  # start times are on the quarter hour
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class StageNeed:
    """An unscheduled stage: its length, panel size and who may interview for it, and the
    bounds its scheduled neighbours set (it starts after the end of every scheduled stage
    before it, and ends before the start of every one after it)."""

    stage_id: int
    minutes: int
    panel_size: int
    eligible: tuple[int, ...]
    not_before: datetime | None = None
    not_after: datetime | None = None


@dataclass(frozen=True)
class Interviewer:
    id: int
    zone: str
    hours: WorkingHours
    busy: Sequence[Interval] = ()  # interviews and calendar events, in any order
    weekly_cap: int | None = None
    # Interviews already booked, per week of theirs (keyed by its Monday, in their zone).
    week_load: Mapping[date, int] = field(default_factory=dict)

    def week_of(self, moment: datetime) -> date:
        local = to_local(moment, self.zone).date()
        return local - timedelta(days=local.weekday())


@dataclass(frozen=True)
class Slot:
    stage_id: int
    starts_at: datetime
    ends_at: datetime
    interviewer_ids: tuple[int, ...]


@dataclass(frozen=True)
class Proposal:
    kind: str  # SAME_DAY or SPREAD
    slots: tuple[Slot, ...]

    @property
    def starts_at(self) -> datetime:
        return self.slots[0].starts_at

    @property
    def ends_at(self) -> datetime:
        return self.slots[-1].ends_at


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """The intervals sorted, overlapping and touching ones joined, empty ones dropped."""
    merged: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[0] < i[1]):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def subtract(free: Iterable[Interval], busy: Iterable[Interval]) -> list[Interval]:
    """``free`` less every ``busy`` interval (both merged first)."""
    taken = merge(busy)
    found: list[Interval] = []
    for start, end in merge(free):
        i = bisect.bisect_right(taken, (start, start)) - 1  # the first that may overlap
        i = max(i, 0)
        while start < end and i < len(taken) and taken[i][0] < end:
            b_start, b_end = taken[i]
            if b_end > start:
                if b_start > start:
                    found.append((start, b_start))
                start = max(start, b_end)
            i += 1
        if start < end:
            found.append((start, end))
    return found


class FreeTime:
    """Merged free intervals, asked whether they hold a whole span (a binary search)."""

    def __init__(self, intervals: Iterable[Interval]) -> None:
        self.intervals = merge(intervals)
        self.starts = [start for start, _ in self.intervals]

    def holds(self, start: datetime, end: datetime) -> bool:
        i = bisect.bisect_right(self.starts, start) - 1
        return i >= 0 and self.intervals[i][1] >= end


def _quarters(moment: datetime, *, up: bool = False) -> int:
    """Whole quarter hours since the epoch at ``moment`` (rounded down, or ``up``)."""
    since = moment - EPOCH
    return -(-since // STEP) if up else since // STEP


@dataclass
class _Search:
    stages: Sequence[StageNeed]
    people: Mapping[int, Interviewer]
    free: Mapping[int, FreeTime]
    candidate: FreeTime
    starts: datetime
    ends: datetime
    day_zone: str
    gap: timedelta
    max_wait: timedelta
    # Per stage: the start times at which the candidate and enough of its interviewers are
    # free (ignoring who else an option uses), sorted.
    feasible: list[list[datetime]] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Each person's free intervals as quarter hours [first, last], where they are under
        # their cap that week (once for all stages).
        self.open_quarters = {
            person.id: [(_quarters(start, up=True), _quarters(end))
                        for week, start, end in _by_week(person, self.free[person.id].intervals)
                        if _under_cap(person, week, 0)]
            for person in self.people.values()}
        self.feasible = [self._feasible(stage) for stage in self.stages]
        self.feasible_sets = [set(times) for times in self.feasible]

    def _bounds(self, stage: StageNeed) -> Interval:
        low = max(self.starts, stage.not_before) if stage.not_before else self.starts
        high = min(self.ends, stage.not_after) if stage.not_after else self.ends
        return low, high

    def _feasible(self, stage: StageNeed) -> list[datetime]:
        # Counted in whole quarter hours since the epoch (ints: this is the hot loop).
        length = timedelta(minutes=stage.minutes)
        low, high = (_quarters(t) for t in self._bounds(stage))
        need = -(-length // STEP)  # quarter hours from a start to at least its end
        counts: Counter[int] = Counter()
        for person_id in set(stage.eligible):
            for first, last in self.open_quarters.get(person_id, ()):
                # [first, last]: quarter hours within one of their free intervals
                counts.update(range(max(first, low), min(last, high) - need + 1))
        return [t for t in (EPOCH + n * STEP for n in sorted(counts)
                            if counts[n] >= stage.panel_size)
                if self.candidate.holds(t, t + length)]

    def panel(self, stage: StageNeed, start: datetime, used: Counter[int],
              added: Counter[tuple[int, date]]) -> tuple[int, ...] | None:
        """The stage's interviewers free then and under their cap (with what the option
        adds): first those not yet on another stage of the option, then the least loaded
        that week; None if too few are free."""
        end = start + timedelta(minutes=stage.minutes)
        ranked = []
        for person_id in stage.eligible:
            person = self.people.get(person_id)
            if person is None or not self.free[person_id].holds(start, end):
                continue
            week = person.week_of(start)
            extra = added[(person_id, week)]
            if _under_cap(person, week, extra):
                ranked.append((used[person_id], person.week_load.get(week, 0) + extra, person_id))
        if len(ranked) < stage.panel_size:
            return None
        return tuple(sorted(person_id for *_rank, person_id in sorted(ranked)[:stage.panel_size]))

    def _place(self, index: int, start: datetime, used: Counter[int],
               added: Counter[tuple[int, date]]) -> Slot | None:
        """Stage ``index`` at ``start``, if it can be (and then mark its panel used)."""
        stage = self.stages[index]
        if start not in self.feasible_sets[index]:
            return None
        panel = self.panel(stage, start, used, added)
        if panel is None:
            return None
        for person_id in panel:
            used[person_id] += 1
            added[(person_id, self.people[person_id].week_of(start))] += 1
        return Slot(stage.stage_id, start, start + timedelta(minutes=stage.minutes), panel)

    def local_day(self, moment: datetime) -> date:
        return to_local(moment, self.day_zone).date()

    def _option(self, kind: str, first: datetime) -> Proposal | None:
        """Stage one at ``first``, then each next stage where ``kind`` puts it (the first
        time that works): SAME_DAY after a break, SPREAD on a later day."""
        used: Counter[int] = Counter()
        added: Counter[tuple[int, date]] = Counter()
        slot = self._place(0, first, used, added)
        if slot is None:
            return None
        slots = [slot]
        for index in range(1, len(self.stages)):
            placed = None
            for start in self._next_starts(kind, index, slots[-1]):
                placed = self._place(index, start, used, added)
                if placed is not None:
                    break
            if placed is None:
                return None
            slots.append(placed)
        if kind == SAME_DAY and self.local_day(
                slots[-1].ends_at - timedelta(microseconds=1)) != self.local_day(first):
            return None
        return Proposal(kind, tuple(slots))

    def _next_starts(self, kind: str, index: int, previous: Slot) -> Iterable[datetime]:
        if kind == SAME_DAY:  # after the break, waiting up to max_wait for a panel
            wait = self.gap
            while wait <= self.max_wait:
                yield previous.ends_at + wait
                wait += STEP
            return
        day, times = self.local_day(previous.starts_at), self.feasible[index]
        for start in times[bisect.bisect_left(times, previous.ends_at):]:
            if self.local_day(start) > day:
                yield start

    def same_day(self, first: datetime) -> Proposal | None:
        """Every stage from ``first``, back to back with a break, on the candidate's day."""
        return self._option(SAME_DAY, first)

    def spread(self, first: datetime) -> Proposal | None:
        """Stage one at ``first``, then each next stage at the earliest time it can be on a
        later day of the candidate's."""
        return self._option(SPREAD, first)


def _by_week(person: Interviewer, intervals: Iterable[Interval]
             ) -> Iterable[tuple[date, datetime, datetime]]:
    """Each interval, cut where the person's weeks begin (Monday midnight in their zone), with
    the week (its Monday) each piece is in. (Only someone with a cap needs the cut.)"""
    for start, end in intervals:
        if person.weekly_cap is None:
            yield person.week_of(start), start, end
            continue
        while start < end:
            week = person.week_of(start)
            boundary = min(wall_clock(week + timedelta(days=7), 0, person.zone), end)
            yield week, start, boundary
            start = boundary


def _under_cap(person: Interviewer, week: date, extra: int) -> bool:
    if person.weekly_cap is None:
        return True
    return person.week_load.get(week, 0) + extra + 1 <= person.weekly_cap


def find_proposals(stages: Sequence[StageNeed], interviewers: Iterable[Interviewer], *,
                   starts: datetime, ends: datetime, now: datetime,
                   candidate_busy: Iterable[Interval] = (),
                   candidate_windows: list[tuple[datetime, datetime]] | None = None,
                   day_zone: str = "UTC", limit: int = 5, break_minutes: int = 15,
                   max_wait_minutes: int = 60, per_day: int = 2) -> list[Proposal]:
    """Up to ``limit`` complete options for ``stages`` within [starts, ends), none starting
    before ``now``: same-day ones first (at most ``per_day`` a day, the second after the
    first ends), then spread ones, then more of either if one kind ran short; in the order
    they start. ``candidate_windows``: when the candidate said they are free (None: any
    time); ``day_zone``: the candidate's zone, whose days "same day" means."""
    if not stages or limit <= 0:
        return []
    people = {p.id: p for p in interviewers}
    free = {p.id: FreeTime(subtract(p.hours.intervals(p.zone, starts, ends), p.busy))
            for p in people.values()}
    windows = [(starts, ends)] if candidate_windows is None else [
        (max(a, starts), min(b, ends)) for a, b in candidate_windows]
    search = _Search(stages, people, free, FreeTime(subtract(windows, candidate_busy)),
                     max(starts, now), ends, day_zone, timedelta(minutes=break_minutes),
                     timedelta(minutes=max_wait_minutes))

    same_day: list[Proposal] = []
    taken: dict[date, list[Proposal]] = {}
    for first in search.feasible[0]:
        day = search.local_day(first)
        chosen = taken.setdefault(day, [])
        if len(chosen) >= per_day or (chosen and first < chosen[-1].ends_at):
            continue
        found = search.same_day(first)
        if found is not None:
            chosen.append(found)
            same_day.append(found)
    spread: list[Proposal] = []
    if len(stages) > 1:
        days: set[date] = set()
        for first in search.feasible[0]:
            day = search.local_day(first)
            if day in days:
                continue
            found = search.spread(first)
            if found is not None:
                days.add(day)
                spread.append(found)
            if len(spread) >= limit:
                break
    # One per day before a second on any day: the first options span the range.
    same_day.sort(key=lambda p: (taken[search.local_day(p.starts_at)].index(p), p.starts_at))
    wanted_spread = min(len(spread), limit // 2) if same_day else limit
    chosen_options = same_day[:limit - wanted_spread]
    chosen_options += spread[:limit - len(chosen_options)]
    return sorted(chosen_options, key=lambda p: (p.starts_at, p.kind))
