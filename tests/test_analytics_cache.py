"""The analytics reports' cache (analytics/cache.py): a warm figure changes once a new
scorecard is submitted through the service, and a viewer whose scope changes without any
signal in this process (as when another worker wrote it) gets a fresh figure, never the
warm one: independence holds with the cache warm. The matrix of every viewer is in
tests/test_analytics_access.py."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import insert, select, update

from interviewloop.analytics import cache
from interviewloop.bank.service import areas as all_areas
from tests.analytics_data import plant
from tests.factories import (
    add_to_team,
    make_candidate_with_loop,
    make_requisition,
    past_interview,
    write_scorecard,
)


@pytest.fixture
def cached(app):
    app.config["ANALYTICS_CACHE_SECONDS"] = 120
    store = cache.STORE
    store.clear()
    yield store
    store.clear()
    app.config["ANALYTICS_CACHE_SECONDS"] = 0


@pytest.fixture
def team(db_session, bank, make_user):
    manager = make_user("hiring_manager", "interviewer", name="Hana Manager")
    recruiter = make_user("recruiter")
    panel = [make_user("interviewer", name=f"Panel {n}") for n in range(2)]
    req = make_requisition(db_session, manager, recruiter)
    add_to_team(db_session, req, manager, *panel)
    areas = all_areas(db_session)
    plant(db_session, req, panel, areas, lambda n, i, p: 1 + (n + p + i) % 4, count=12)
    db_session.flush()
    return manager, recruiter, panel, req, areas


def pool_scorecards(client) -> int:
    rows = list(csv.reader(io.StringIO(client.get("/analytics/interviewers.csv")
                                       .get_data(as_text=True))))
    return int(next(r for r in rows if r[0] == "Pool")[1])


def units(client) -> set[int]:
    rows = list(csv.DictReader(io.StringIO(client.get("/analytics/reliability.csv")
                                           .get_data(as_text=True))))
    return {int(r["units"]) for r in rows}


def test_a_cached_figure_changes_after_a_new_submitted_scorecard(db_session, login, cached,
                                                                 team):
    manager, recruiter, panel, req, areas = team
    client = login(manager)
    assert pool_scorecards(client) == 24
    misses = cached.misses
    assert pool_scorecards(client) == 24
    assert (cached.misses, cached.hits >= 1) == (misses, True)  # served warm
    # Written behind the services' back (Core, no signal): the warm figure stays.
    plant(db_session, req, panel, areas, lambda n, i, p: 2, count=1, start=500, tag="core")
    db_session.flush()
    assert pool_scorecards(client) == 24
    cand, loop = make_candidate_with_loop(db_session, req, recruiter)
    interview = past_interview(db_session, req, recruiter, cand, loop.stages[0], panel)
    db_session.flush()
    assert pool_scorecards(client) == 26  # the booking emptied it: the Core card counts now
    write_scorecard(db_session, panel[0], req, interview, rating=3)
    db_session.flush()
    assert pool_scorecards(client) == 27  # the submitted scorecard emptied it again


def test_a_viewer_who_comes_to_owe_a_scorecard_never_gets_the_warm_figure(
        db_session, login, cached, team, monkeypatch):
    manager, recruiter, panel, req, _areas = team
    cand, loop = make_candidate_with_loop(db_session, req, recruiter)
    first = past_interview(db_session, req, recruiter, cand, loop.stages[0], panel)
    for person in panel:
        write_scorecard(db_session, person, req, first, rating=3)
    db_session.flush()
    client = login(manager)
    assert units(client) == {12, 13}  # the new candidate's focus areas have a pair
    scorecards = pool_scorecards(client)
    # Another process books the manager onto the candidate's next stage: no signal here.
    monkeypatch.setattr(cache, "forget", lambda: None)
    second = past_interview(db_session, req, recruiter, cand, loop.stages[1],
                            [panel[0], manager], ended_hours_ago=4)
    db_session.flush()
    assert units(client) == {12}  # owes a scorecard: nothing of that candidate
    assert pool_scorecards(client) == scorecards - 2
    # Their scorecard goes in (still no signal): the candidate is back, with their card.
    write_scorecard(db_session, manager, req, second, rating=2)
    db_session.flush()
    assert units(client) == {12, 13}


def test_a_team_member_taken_off_the_requisition_gets_no_warm_figure(
        db_session, login, cached, team):
    _manager, _recruiter, panel, req, _areas = team
    db_session.execute(update(type(req)).where(type(req).id == req.id)
                       .values(hide_scorecards_until_debrief=False))
    client = login(panel[0])
    assert pool_scorecards(client) == 24
    from interviewloop.requisitions.models import RequisitionMember

    db_session.execute(RequisitionMember.__table__.delete().where(
        RequisitionMember.requisition_id == req.id, RequisitionMember.user_id == panel[0].id))
    db_session.flush()
    assert pool_scorecards(client) == 0


@pytest.fixture
def rendered(app):
    """The names of the templates rendered, in order, while the test runs."""
    from flask import template_rendered

    names: list[str] = []

    def record(_app, template, **_extra):
        names.append(template.name)

    template_rendered.connect(record, app)
    yield names
    template_rendered.disconnect(record, app)


def main_of(html: str) -> str:
    """The page's <main>: the layout around it carries a CSRF token that is signed
    with the time, so two servings of one warm report differ outside it."""
    return html[html.index('<main id="main"'):html.index("</main>")]


def test_the_rendered_calibration_report_is_kept_warm_and_renewed_with_its_figures(
        db_session, login, cached, team, make_user, rendered):
    manager, recruiter, panel, req, _areas = team

    def page(client) -> str:
        rendered.clear()
        response = client.get("/analytics/interviewers")
        assert response.status_code == 200
        return main_of(response.get_data(as_text=True))

    client = login(manager)
    first = page(client)
    assert "analytics/_interviewers_report.html" in rendered
    assert page(client) == first  # served warm: the report is not rendered again
    assert "analytics/_interviewers_report.html" not in rendered
    assert "analytics/interviewers.html" in rendered
    # Another viewer has another scope: their own rendering, their own rows.
    outsider = page(login(make_user("interviewer", name="Olive Outsider")))
    assert "analytics/_interviewers_report.html" in rendered
    assert "Panel 0" in first and "Panel 0" not in outsider
    # A new submitted scorecard empties the cache: the report is rendered afresh.
    cand, loop = make_candidate_with_loop(db_session, req, recruiter)
    interview = past_interview(db_session, req, recruiter, cand, loop.stages[0], panel)
    write_scorecard(db_session, panel[0], req, interview, rating=3)
    db_session.flush()
    page(client)
    assert "analytics/_interviewers_report.html" in rendered


def test_a_page_of_the_questions_report_is_rendered_once_per_page_while_warm(
        login, cached, team, rendered):
    client = login(team[0])
    pages: dict[str, str] = {}
    for path in ("/analytics/questions", "/analytics/questions?page=2",
                 "/analytics/questions", "/analytics/questions?page=2"):
        rendered.clear()
        response = client.get(path)
        assert response.status_code == 200, path
        fresh = "analytics/_questions_report.html" in rendered
        assert fresh == (path not in pages), path  # each page rendered once, then kept
        body = main_of(response.get_data(as_text=True))
        assert pages.setdefault(path, body) == body
    assert pages["/analytics/questions"] != pages["/analytics/questions?page=2"]


@pytest.mark.parametrize("path", ["/analytics/interviewers", "/analytics/questions"])
def test_a_miss_reads_the_viewer_scope_once_for_the_page_and_its_figures(
        login, cached, team, monkeypatch, path):
    reads: list[int] = []
    read_scope = cache.scope

    def counted(session, viewer):
        reads.append(viewer.id)
        return read_scope(session, viewer)

    monkeypatch.setattr(cache, "scope", counted)
    client = login(team[0])
    misses, hits = cached.misses, cached.hits
    assert client.get(path).status_code == 200
    assert cached.misses - misses == 2  # the rendered page and its figures
    assert reads == [team[0].id]
    assert client.get(path).status_code == 200
    assert reads == [team[0].id] * 2 and cached.hits - hits == 1


def test_the_scope_reads_the_seat_token_with_or_without_requisitions(db_session, team,
                                                                      make_user):
    """The token comes on the viewer's requisitions' rows, or alone for a viewer who sees
    none: both keys change with it."""
    from interviewloop.scheduling.models import SeatRevision

    _manager, _recruiter, panel, req, _areas = team
    outsider = make_user("interviewer")
    db_session.execute(insert(SeatRevision).values(user_id=outsider.id, token=4242))
    db_session.flush()
    seats = db_session.scalar(select(SeatRevision.token)
                              .where(SeatRevision.user_id == panel[0].id))
    assert seats is not None
    assert cache.scope(db_session, panel[0])[2:] == (((req.id, False, False),), seats)
    assert cache.scope(db_session, outsider)[2:] == ((), 4242)
