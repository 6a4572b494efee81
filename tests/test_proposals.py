"""The slot finder (interviewloop/scheduling/proposals.py), as pure functions: no proposal
overlaps a busy time or leaves working hours (random busy calendars, Hypothesis), working
hours follow each person's clock across daylight-saving changes, stage order, weekly caps and
load balancing."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interviewloop.scheduling.proposals import (
    SAME_DAY,
    SPREAD,
    Interviewer,
    StageNeed,
    find_proposals,
    merge,
    subtract,
)
from interviewloop.timezones import WorkingHours, to_local, wall_clock

MONDAY = datetime(2027, 3, 22, tzinfo=UTC)  # London's clocks go forward on Sunday 28 March
WEEK = timedelta(days=7)
ZONES = ("Europe/London", "America/New_York", "Asia/Kolkata", "UTC", "Australia/Sydney")
H = timedelta(hours=1)


def at(day: int, hour: float) -> datetime:
    return MONDAY + timedelta(days=day, hours=hour)


def person(n: int, zone: str = "UTC", **kwargs) -> Interviewer:
    return Interviewer(n, zone, kwargs.pop("hours", WorkingHours()), **kwargs)


def find(stages, people, *, starts=MONDAY, ends=MONDAY + WEEK, **kwargs):
    return find_proposals(stages, people, starts=starts, ends=ends,
                          now=kwargs.pop("now", starts), **kwargs)


# --- properties over random calendars ---------------------------------------------------------

quarter = st.integers(0, 96 * 10 - 1)  # a quarter hour of the ten days searched
busy_interval = st.tuples(quarter, st.integers(5, 240)).map(
    lambda q: (MONDAY + timedelta(minutes=15 * q[0]), MONDAY + timedelta(minutes=15 * q[0] + q[1])))


@st.composite
def world(draw):
    people = []
    for n in range(1, draw(st.integers(2, 6)) + 1):
        starts = draw(st.integers(5 * 4, 22 * 4)) * 15  # no working day starts in a DST gap
        ends = draw(st.integers(starts // 15 + 1, 96)) * 15
        days = draw(st.sampled_from((0b11111, 0b1111111)) | st.integers(1, 127))
        cap = draw(st.none() | st.integers(1, 4))
        loads = draw(st.lists(st.integers(0, 4), min_size=3, max_size=3))
        weeks = [(MONDAY + timedelta(days=7 * w - 7)).date() for w in range(3)]
        people.append(Interviewer(
            n, draw(st.sampled_from(ZONES)), WorkingHours(starts, ends, days),
            busy=draw(st.lists(busy_interval, max_size=40)), weekly_cap=cap,
            week_load=dict(zip(weeks, loads, strict=True))))
    ids = [p.id for p in people]
    stages = [StageNeed(10 + s, draw(st.sampled_from((30, 45, 50, 60, 90))),
                        draw(st.sampled_from((1, 1, 2))),
                        tuple(draw(st.lists(st.sampled_from(ids), min_size=2, unique=True))))
              for s in range(draw(st.integers(1, 3)))]
    windows = draw(st.sampled_from((None, None, "drawn")))
    if windows:
        windows = draw(st.lists(busy_interval.map(lambda i: (i[0], i[1] + 30 * H)), max_size=4))
    return people, stages, windows, draw(st.lists(busy_interval, max_size=4))


def local_minutes(moment: datetime, zone: str, day) -> int:
    """Minutes after midnight on ``day``, by the wall clock in ``zone`` (24:00 = 1440)."""
    local = to_local(moment, zone)
    return (local.date() - day).days * 1440 + local.hour * 60 + local.minute


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(world())
def test_no_proposal_overlaps_a_busy_time_or_breaks_a_rule(drawn):
    people, stages, windows, candidate_busy = drawn
    now = MONDAY + timedelta(hours=30)
    ends = MONDAY + timedelta(days=10)
    found = find(stages, people, ends=ends, now=now, candidate_windows=windows,
                 candidate_busy=candidate_busy, day_zone="Europe/London")
    by_id = {p.id: p for p in people}
    assert len(found) <= 5
    for proposal in found:
        slots = proposal.slots
        assert [s.stage_id for s in slots] == [s.stage_id for s in stages]  # stage order
        assert all(a.ends_at <= b.starts_at for a, b in itertools.pairwise(slots))
        added: dict = {}
        for slot, stage in zip(slots, stages, strict=True):
            assert slot.ends_at - slot.starts_at == timedelta(minutes=stage.minutes)
            assert now <= slot.starts_at and slot.ends_at <= ends
            assert slot.starts_at.minute % 15 == 0
            assert len(slot.interviewer_ids) == stage.panel_size
            assert set(slot.interviewer_ids) <= set(stage.eligible)
            for busy_start, busy_end in candidate_busy:
                assert not (busy_start < slot.ends_at and busy_end > slot.starts_at)
            if windows is not None:
                assert any(a <= slot.starts_at and slot.ends_at <= b for a, b in windows)
            for person_id in slot.interviewer_ids:
                who = by_id[person_id]
                for busy_start, busy_end in who.busy:
                    assert not (busy_start < slot.ends_at and busy_end > slot.starts_at)
                day = to_local(slot.starts_at, who.zone).date()
                assert who.hours.works_on(day.weekday())
                assert local_minutes(slot.starts_at, who.zone, day) >= who.hours.starts
                assert local_minutes(slot.ends_at, who.zone, day) <= who.hours.ends
                week = who.week_of(slot.starts_at)
                added[(person_id, week)] = added.get((person_id, week), 0) + 1
                if who.weekly_cap is not None:
                    assert who.week_load.get(week, 0) + added[(person_id, week)] <= who.weekly_cap


@settings(max_examples=30)
@given(st.lists(busy_interval, max_size=20), st.lists(busy_interval, max_size=20))
def test_subtracting_busy_times_leaves_exactly_the_free_minutes(free, busy):
    left = subtract(free, busy)
    assert left == merge(left)  # sorted, apart
    probe = [MONDAY + timedelta(minutes=7 * n) for n in range(0, 96 * 10 * 15 // 7, 11)]
    for moment in probe:
        in_free = any(a <= moment < b for a, b in free)
        in_busy = any(a <= moment < b for a, b in busy)
        assert any(a <= moment < b for a, b in left) == (in_free and not in_busy)


# --- working hours across the clocks' changes --------------------------------------------------

def test_working_hours_follow_each_persons_clock_across_dst():
    """New York's clocks go forward on 14 March 2027 and London's on 28 March: 09:00 local is
    14:00 then 13:00 UTC in New York, 09:00 then 08:00 UTC in London."""
    for zone, changed, before, after in [("America/New_York", datetime(2027, 3, 14, tzinfo=UTC), 14, 13),
                                         ("Europe/London", datetime(2027, 3, 28, tzinfo=UTC), 9, 8),
                                         ("Europe/London", datetime(2027, 10, 31, tzinfo=UTC), 8, 9)]:
        start = changed - timedelta(days=3)
        everyone = person(1, zone, hours=WorkingHours(9 * 60, 17 * 60, 0b1111111))
        stage = StageNeed(1, 60, 1, (1,))
        found = find_proposals([stage], [everyone], starts=start, ends=start + timedelta(days=6),
                               now=start, limit=20, per_day=1)
        firsts = {p.starts_at.date(): p.starts_at.hour for p in found}
        assert firsts[(changed - timedelta(days=1)).date()] == before
        assert firsts[(changed + timedelta(days=1)).date()] == after
        assert all(to_local(p.starts_at, zone).time() == time(9) for p in found)


def test_a_working_day_ending_in_the_skipped_hour_ends_when_the_clocks_change():
    # London, 28 March 2027: 01:00 GMT is followed by 02:00 BST.
    change = datetime(2027, 3, 28, 1, tzinfo=UTC)
    assert wall_clock(change.date(), 90, "Europe/London") == change
    hours = WorkingHours(0, 90, 0b1111111)
    [(start, end)] = hours.intervals("Europe/London", change - 2 * H, change + 2 * H)
    assert (start, end) == (change - H, change)
    assert wall_clock(change.date(), 150, "Europe/London") == change + 30 * timedelta(minutes=1)
    # The day the clocks go back, 01:30 happens twice: the first one (BST).
    autumn = datetime(2027, 10, 31, tzinfo=UTC)
    assert wall_clock(autumn.date(), 90, "Europe/London") == autumn + 30 * timedelta(minutes=1)


# --- the rules, one by one --------------------------------------------------------------------

def test_same_day_back_to_back_with_breaks_and_spread_over_days():
    people = [person(n) for n in (1, 2, 3)]
    stages = [StageNeed(1, 60, 1, (1, 2, 3)), StageNeed(2, 45, 1, (1, 2, 3)),
              StageNeed(3, 60, 1, (1, 2, 3))]
    found = find(stages, people)
    assert len(found) == 5
    same_day = [p for p in found if p.kind == SAME_DAY]
    spread = [p for p in found if p.kind == SPREAD]
    assert len(same_day) == 3 and len(spread) == 2
    first = same_day[0]
    assert [(s.starts_at, s.ends_at) for s in first.slots] == [
        (at(0, 9), at(0, 10)), (at(0, 10.25), at(0, 11)), (at(0, 11.25), at(0, 12.25))]
    assert sorted(p for s in first.slots for p in s.interviewer_ids) == [1, 2, 3]
    assert [p.starts_at.date() for p in same_day] == [at(d, 0).date() for d in range(3)]
    assert [s.starts_at for s in spread[0].slots] == [at(0, 9), at(1, 9), at(2, 9)]


def test_the_break_waits_for_a_free_panel_but_not_for_ever():
    """Stage two's only interviewer is busy until 11:00: the option waits for them, within
    max_wait_minutes; with less patience, stage one moves later to close the gap."""
    alice, bob = person(1), person(2, busy=[(at(0, 9), at(0, 11))])
    stages = [StageNeed(1, 60, 1, (1,)), StageNeed(2, 60, 1, (2,))]
    found = find(stages, [alice, bob], ends=MONDAY + timedelta(days=2))
    assert [s.starts_at for s in found[0].slots] == [at(0, 9), at(0, 11)]
    assert found[0].kind == SAME_DAY  # 9-10, then 11-12 (a 60-minute wait)
    impatient = find(stages, [alice, bob], ends=MONDAY + timedelta(days=2), max_wait_minutes=30)
    monday = [p for p in impatient if p.kind == SAME_DAY and p.starts_at.date() == at(0, 0).date()]
    assert [s.starts_at for s in monday[0].slots] == [at(0, 9.5), at(0, 11)]


def test_stage_order_holds_around_stages_already_scheduled():
    """The second and third stages are open; the first is booked on Tuesday 10:00-11:00 and
    the fourth on Thursday 14:00: every option lies between them, in order."""
    people = [person(n) for n in (1, 2)]
    stages = [StageNeed(2, 60, 1, (1, 2), not_before=at(1, 11), not_after=at(3, 14)),
              StageNeed(3, 60, 1, (1, 2), not_before=at(1, 11), not_after=at(3, 14))]
    found = find(stages, people, limit=10)
    assert found
    for proposal in found:
        assert proposal.slots[0].starts_at >= at(1, 11)
        assert proposal.slots[-1].ends_at <= at(3, 14)
        assert proposal.slots[0].ends_at <= proposal.slots[1].starts_at
    assert find([StageNeed(2, 60, 1, (1, 2), not_before=at(1, 11), not_after=at(1, 11.5))],
                people) == []


def test_weekly_caps_and_the_least_loaded_interviewer():
    """Carol is at her cap this week: never proposed this week, only the next. Of Alice (3
    interviews this week) and Bob (1), Bob is proposed first."""
    week = MONDAY.date()
    alice = person(1, week_load={week: 3})
    bob = person(2, week_load={week: 1})
    carol = person(3, weekly_cap=2, week_load={week: 2})
    stage = StageNeed(1, 60, 1, (1, 2, 3))
    found = find([stage], [alice, bob, carol], ends=MONDAY + 2 * WEEK, limit=20)
    assert found[0].slots[0].interviewer_ids == (2,)
    assert all(3 not in p.slots[0].interviewer_ids for p in found if p.starts_at < at(7, 0))
    # Only Carol: nothing this week; next week, at most two options' worth... each option
    # alone stays under her cap (options are alternatives, not all booked).
    only_carol = find([stage], [carol], ends=MONDAY + 2 * WEEK, limit=20)
    assert only_carol and all(p.starts_at >= at(7, 0) for p in only_carol)
    # Within one option, the cap counts every stage: with a cap of 1 she takes one stage.
    capped = person(4, weekly_cap=1)
    two = [StageNeed(1, 60, 1, (4, 5)), StageNeed(2, 60, 1, (4, 5))]
    found = find(two, [capped, person(5)])
    assert all(sum(4 in s.interviewer_ids for s in p.slots) <= 1 for p in found)


def test_candidate_windows_and_their_time_zone_make_the_day():
    """The candidate (in Sydney) is free only on Wednesday 22:00-02:00 UTC, which is
    Thursday morning for them: the same-day option is theirs, not split by UTC midnight."""
    night = person(1, "UTC", hours=WorkingHours(0, 1440, 0b1111111))
    stages = [StageNeed(1, 60, 1, (1, 2)), StageNeed(2, 60, 1, (1, 2))]
    people = [night, person(2, "UTC", hours=WorkingHours(0, 1440, 0b1111111))]
    window = [(at(2, 22), at(3, 2))]
    found = find(stages, people, candidate_windows=window, day_zone="Australia/Sydney")
    same_day = [p for p in found if p.kind == SAME_DAY]
    assert same_day and same_day[0].slots[0].starts_at == at(2, 22)
    assert same_day[0].ends_at.date() != same_day[0].starts_at.date()  # across UTC midnight
    sydney = ZoneInfo("Australia/Sydney")
    assert len({s.starts_at.astimezone(sydney).date() for s in same_day[0].slots}) == 1
    assert find(stages, people, candidate_windows=[]) == []
