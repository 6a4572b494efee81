"""The interviewer's home is a task list, sorted around a fixed moment: what is on now,
later today (the person's own day, not UTC's), next, and the scorecards they owe from each
interview's start; each interview with its video link, kit and scorecard."""

from __future__ import annotations

from datetime import timedelta

import pytest

from interviewloop.audit.service import Actor
from interviewloop.bank.service import areas as bank_areas
from interviewloop.home import task_list
from interviewloop.scorecards import service
from tests.factories import (
    add_to_team,
    make_candidate_with_loop,
    make_interview,
    make_requisition,
    next_monday,
)
from tests.query_plans import assert_read_in_index_order, ordered_statements

HOUR = timedelta(hours=1)
VIDEO = "https://meet.example.net/ai-eng-loop"


@pytest.fixture
def day(db_session, bank, make_user):
    """Alice, in Kolkata (UTC+5:30), at 15:00 UTC (20:30 her time) on a fixed Monday, with
    interviews around that moment; each is a stage of one of two candidates' loops."""
    manager, recruiter = make_user("hiring_manager"), make_user("recruiter")
    alice = make_user("interviewer", name="Alice", time_zone="Asia/Kolkata")
    bob = make_user("interviewer", name="Bob")
    req = make_requisition(db_session, manager, recruiter)
    add_to_team(db_session, req, manager, alice, bob)
    loops = [make_candidate_with_loop(db_session, req, recruiter, n, seed=n) for n in (1, 2)]
    stages = [(candidate, stage) for candidate, loop in loops for stage in loop.stages[:3]]
    now = next_monday(hour=15)

    def book(candidate_stage, starts, people=(alice,), location="Room 2"):
        candidate, stage = candidate_stage
        return make_interview(db_session, req, recruiter, candidate, stage, list(people), starts,
                              minutes=60, location=location, confirm=True)

    held = book(stages[0], now - 5 * HOUR)  # over; Alice's scorecard in
    drafted = book(stages[1], now - 3 * HOUR)  # over; Alice has a draft
    on_now = book(stages[2], now - HOUR / 2, location=VIDEO)  # on now
    tonight = book(stages[3], now + 2 * HOUR)  # 22:30 in Kolkata: today
    after_midnight = book(stages[4], now + 4 * HOUR)  # 00:30 in Kolkata: tomorrow, same UTC day
    bobs = book(stages[5], now - 2 * HOUR, people=(bob,))  # not Alice's
    areas = {a.id: a for a in bank_areas(db_session)}

    def write(interview, submit, summary):
        stage = service.stage_for(db_session, interview)
        data = service.ScorecardInput(
            ratings={a.id: (3, "Showed it.") for a in stage.focus_areas},
            recommendation="hire", summary=summary)
        service.save(db_session, Actor(alice), req, interview, None, data, submit=submit,
                     seen_version=0, areas=areas, stage=stage, now=now)

    write(held, True, "In.")
    write(drafted, False, "Half.")
    db_session.flush()
    return {"session": db_session, "alice": alice, "now": now, "held": held,
            "drafted": drafted, "on_now": on_now, "tonight": tonight,
            "after_midnight": after_midnight, "bobs": bobs}


def ids(tasks) -> list[int]:
    return [t.interview.id for t in tasks]


def test_the_sections_around_a_fixed_moment(day):
    tasks = task_list(day["session"], day["alice"], now=day["now"], due_hours=24)
    assert ids(tasks.now) == [day["on_now"].id]
    assert ids(tasks.today) == [day["tonight"].id]
    assert ids(tasks.next) == [day["after_midnight"].id]
    # Owed from the start, oldest first: the draft, then the one on now; not the one in.
    assert ids(tasks.to_write) == [day["drafted"].id, day["on_now"].id]
    assert [t.scorecard is not None for t in tasks.to_write] == [True, False]
    assert not tasks.more_to_write and not tasks.more_next
    # Bounded: the oldest first, and a note that more are owed.
    bounded = task_list(day["session"], day["alice"], now=day["now"], due_hours=24, size=1)
    assert ids(bounded.to_write) == [day["drafted"].id] and bounded.more_to_write
    # An hour later the one on now is over, and the evening's is on.
    later = task_list(day["session"], day["alice"], now=day["now"] + 2 * HOUR, due_hours=24)
    assert ids(later.now) == [day["tonight"].id] and later.today == []
    assert ids(later.to_write) == [day["drafted"].id, day["on_now"].id, day["tonight"].id]


def test_each_task_links_its_video_kit_and_scorecard_and_they_link_each_other(day, login):
    client = login(day["alice"])
    page = client.get("/").get_data(as_text=True)  # today's real clock: all still to come
    on_now = day["on_now"].id
    item = page.split(f'href="/interviews/{on_now}/kit"')[0].rsplit('<li class="task', 1)[1]
    assert f'<a href="{VIDEO}" rel="noopener">Join the video call</a>' in item
    assert "Room 2" in page.split(f'href="/interviews/{day["tonight"].id}/kit"')[0].rsplit(
        '<li class="task', 1)[1]
    assert f'href="/interviews/{day["drafted"].id}/scorecard">Continue the scorecard' in page
    assert f'href="/interviews/{on_now}/scorecard">Write the scorecard' in page
    assert f'href="/interviews/{day["held"].id}/scorecard">Open the scorecard' in page
    assert f"/interviews/{day['bobs'].id}/" not in page
    kit = client.get(f"/interviews/{on_now}/kit").get_data(as_text=True)
    assert f'href="/interviews/{on_now}/scorecard" id="kit-scorecard"' in kit
    form = client.get(f"/interviews/{on_now}/scorecard").get_data(as_text=True)
    assert f'href="/interviews/{on_now}/kit"' in form


def test_the_homes_lists_are_read_in_index_order_not_sorted(day, engine):
    """The upcoming, past and scorecards-to-write lists are ordered on the seat's copy of the
    interview's time, which ix_interview_panelists_user_time holds in that order: the
    database reads a page from the index and stops, rather than sorting every interview of
    the person (at 10,000 candidates an interviewer has thousands). The scorecards to write
    come from the partial index of the seats whose card is not in (scorecards/owed.py), so
    the database does not walk the thousands whose card is."""
    from interviewloop.scheduling.queries import past_of

    session, alice, now = day["session"], day["alice"], day["now"]
    with ordered_statements(engine, "interview_panelists") as seen:
        task_list(session, alice, now=now, due_hours=24)
        past_of(session, alice, now=now)
    assert len(seen) == 3  # upcoming, to write, past
    upcoming, owed, past = seen
    assert_read_in_index_order(session.connection(), [upcoming, past],
                               "ix_interview_panelists_user_time")
    # Both indexes can serve the owed list; which one PostgreSQL picks on tables this small
    # follows its statistics (it picked the other after some test files ran). The partial
    # index must serve it on its own: the other is dropped inside this test's transaction,
    # which rolls back.
    session.connection().exec_driver_sql("DROP INDEX ix_interview_panelists_user_time")
    assert_read_in_index_order(session.connection(), [owed], "ix_interview_panelists_owed")
