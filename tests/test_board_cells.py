"""The board's stage cells (scheduling/board_cells.py, built in Python for the board's sake):
every value from the database is escaped, and each state writes what it did."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from jinja2 import Environment

from interviewloop.scheduling.board_cells import board_cells
from interviewloop.scheduling.queries import BoardInterview, BoardStage, StageCell, StageState
from interviewloop.timezones import format_local

STARTS = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
HOSTILE = '<img src=x onerror="alert(1)">'


def env() -> Environment:
    environment = Environment(autoescape=True)
    environment.filters["local"] = lambda moment: format_local(moment, "UTC")
    return environment


def cells(*cells: StageCell) -> str:
    return str(board_cells(env(), cells, 5, lambda i: f"/interviews/{i}?a=1&b=2",
                           lambda s: f"/schedule/{s}", lambda c: f"/proposals/{c}"))


def test_names_and_urls_are_escaped():
    interview = BoardInterview(9, STARTS, STARTS + timedelta(hours=1), 2)
    html = cells(StageCell(BoardStage(1, HOSTILE), interview, StageState.DONE, submitted=1,
                           overdue=1, calendar_behind=(HOSTILE, "Bo")))
    assert HOSTILE not in html
    assert html.count("&lt;img src=x onerror=&#34;alert(1)&#34;&gt;") == 2
    assert 'href="/interviews/9?a=1&amp;b=2"' in html
    assert "calendar behind: &lt;img" in html and ", Bo</span>" in html
    assert "scorecards 1/2 in · " in html and "1 overdue" in html


def test_each_state_writes_its_own_cell():
    assert "No loop yet." in cells()
    proposed = cells(StageCell(BoardStage(3, "Coding"), None, StageState.PROPOSED))
    assert 'href="/proposals/5">times proposed</a>' in proposed
    assert 'href="/schedule/3">Schedule</a>' in proposed
    assert "times proposed" not in cells(StageCell(BoardStage(3, "Coding"), None,
                                                   StageState.UNSCHEDULED))
    booked = cells(StageCell(BoardStage(4, "Design"), BoardInterview(
        9, STARTS, STARTS + timedelta(hours=1), 2), StageState.SCHEDULED))
    assert '<div class="cell state-scheduled">' in booked and "scorecards" not in booked
