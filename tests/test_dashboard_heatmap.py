"""The requisition dashboard's heatmap (issue 11): per candidate and capability area, the
mean of the submitted ratings and how many, coloured by the nearest point, in text too;
hidden from a viewer who still owes a scorecard on that candidate."""

from __future__ import annotations

import re

import pytest

from interviewloop.auth.models import UserRole
from interviewloop.bank.service import areas as bank_areas
from interviewloop.db import utcnow
from interviewloop.debrief import dashboard
from interviewloop.enums import Role
from tests.factories import make_interview, next_monday
from tests.test_debrief_reading import reading_world


@pytest.fixture
def w(db_session, bank, make_user, login):
    return reading_world(db_session, make_user, login)  # Alice rates 1, Bob 4: mean 2.5


def heatmap_row(page: str, name: str) -> list[tuple[str, str]]:
    table = page.split('id="heatmap"', 1)[1].split("</table>", 1)[0]
    row = table.split(f'<th scope="row">{name}</th>', 1)[1].split("</tr>", 1)[0]
    return [(cls, re.sub(r"<[^>]+>", "", text).strip())
            for cls, text in re.findall(r'<td class="([^"]*)">(.*?)</td>', row, re.S)]


def test_each_area_shows_its_mean_count_and_colour(w):
    focus = {a.id for a in w.loop.stages[0].focus_areas}
    page = w.login(w.manager).get(f"/requisitions/{w.req.id}/dashboard").get_data(as_text=True)
    cells = heatmap_row(page, w.cand.name)
    areas = bank_areas(w.session)
    assert cells == [("rating-3", "2.5 (2), Yes") if a.id in focus else ("rating-na", "none")
                     for a in areas]
    assert 'aria-describedby="heatmap-key"' in page and "style=" not in page.split(
        'id="heatmap-title"', 1)[1]  # colours from classes: the strict CSP holds


def test_a_viewer_who_owes_a_scorecard_sees_no_heat(w):
    w.manager.role_rows.append(UserRole(role=Role.INTERVIEWER))  # the manager interviews too
    w.session.flush()
    make_interview(w.session, w.req, w.recruiter, w.cand, w.loop.stages[1], [w.manager],
                   next_monday())
    w.session.flush()
    [row] = dashboard.rows(w.session, w.req, w.manager, now=utcnow(), due_hours=24)
    assert row.hidden and row.areas == {}
    [seen] = dashboard.rows(w.session, w.req, w.recruiter, now=utcnow(), due_hours=24)
    assert {n for _mean, n in seen.areas.values()} == {2}
    page = w.login(w.manager).get(f"/requisitions/{w.req.id}/dashboard").get_data(as_text=True)
    assert {text for _cls, text in heatmap_row(page, w.cand.name)} == {"hidden"}
