"""The analytics reports on planted data: the lenient interviewer is found, agreement and
chance show as alpha 1 and 0, the filters hold and refuse bad values (400, never 500),
small samples show nothing, and the query count stays the same from 60 to 600 scorecards."""

from __future__ import annotations

import csv
import io
import re
from types import SimpleNamespace

import numpy as np
import pytest

from interviewloop import limits
from interviewloop.analytics import service
from interviewloop.analytics.queries import Filters
from interviewloop.analytics.stats import Estimate
from interviewloop.bank.service import areas as all_areas
from tests.analytics_data import plant
from tests.factories import add_to_team, make_requisition
from tests.test_query_counts import queries_for


@pytest.fixture
def w(db_session, bank, make_user, login):
    manager = make_user("hiring_manager", name="Hana Manager")
    recruiter = make_user("recruiter", name="Rui Recruiter")
    admin = make_user("admin", name="Ada Admin")
    panel = [make_user("interviewer", name=name) for name in
             ("Lena Lenient", "Fred Fair", "Gina Grounded", "Hal Honest")]
    req = make_requisition(db_session, manager, recruiter)
    add_to_team(db_session, req, manager, *panel)
    other_manager = make_user("hiring_manager", name="Otto Other")
    other_req = make_requisition(db_session, other_manager, recruiter, title="Platform Engineer",
                                 level="staff")
    add_to_team(db_session, other_req, other_manager, *panel)
    db_session.flush()
    return SimpleNamespace(session=db_session, manager=manager, recruiter=recruiter, admin=admin,
                           panel=panel, req=req, other_req=other_req, other_manager=other_manager,
                           login=login, areas=all_areas(db_session))


def lenient_history(w, count=40, start=0, req=None):
    """Each candidate has a true level (1-3) per area; three interviewers rate it, give or
    take one point now and then; Lena rates one point higher than the truth."""
    rng = np.random.default_rng(start + 1)
    truth = rng.integers(1, 4, size=(start + count, 5))
    noise = rng.choice([-1, 0, 0, 0, 0, 0, 1], size=(start + count, 4, 5))

    def rate(n, i, position):
        value = truth[n, position] + noise[n, i, position] + (1 if i == 0 else 0)
        return int(min(4, max(1, value)))

    return plant(w.session, req or w.req, w.panel[:3], w.areas, rate, count=count, start=start,
                 tag=f"len{start}", focus_positions=(0, 1),
                 decide=lambda n: "reject" if n % 2 else None,
                 recommend=lambda n, i: "no_hire" if i == 1 else "hire")


def row_of(report, label):
    return next(r for r in report.rows if r.label == label)


def test_the_report_recovers_an_interviewer_who_rates_one_point_high(w):
    lenient_history(w)
    report = service.interviewers(w.session, w.admin, w.areas, Filters(), due_hours=24)
    lena, fred, gina = (row_of(report, n) for n in ("Lena Lenient", "Fred Fair", "Gina Grounded"))
    # Lena sits about a point above her two co-panelists, whose own offsets are about -0.5
    # (each is compared with Lena and the other): her interval excludes 0 and theirs.
    assert 0.75 < lena.leniency.value < 1.05
    assert lena.leniency.low > 0.5 and lena.leniency.low <= lena.leniency.value <= lena.leniency.high
    for fair in (fred, gina):
        assert -0.65 < fair.leniency.value < -0.3
        assert fair.leniency.high < lena.leniency.low
    assert lena.leniency_candidates == 40
    assert lena.scorecards == 40 and report.pool.scorecards == 120
    # Fred recommends no hire throughout: he matches the 20 rejections; the others do not.
    assert (fred.matched.k, fred.matched.n) == (20, 20)
    assert (lena.matched.k, lena.matched.n) == (0, 20)
    assert lena.on_time.k == 40 and lena.median_hours.value == pytest.approx(3)
    assert lena.not_assessed_focus.n == 80 and lena.not_assessed_focus.k == 0


def test_agreement_gives_alpha_1_and_chance_gives_alpha_near_0(w):
    rng = np.random.default_rng(4)
    truth = rng.integers(1, 5, size=(30, 5))
    plant(w.session, w.req, w.panel[:3], w.areas, lambda n, i, p: int(truth[n, p]), count=30,
          tag="agree")
    noise = rng.integers(1, 5, size=(300, 3, 5))
    plant(w.session, w.other_req, w.panel[:3], w.areas,
          lambda n, i, p: int(noise[n - 30, i, p]), count=300, start=30, tag="chance")
    agree = service.reliability(w.session, w.admin, w.areas, Filters(requisition_id=w.req.id))
    chance = service.reliability(w.session, w.admin, w.areas, Filters(level=w.other_req.level))
    for row in agree:
        assert row.units == 30 and row.pairable == 90
        assert row.alpha.value == pytest.approx(1.0)
    for row in chance:
        assert row.units == 300 and abs(row.alpha.value) < 0.06
        assert row.alpha.low < 0 < row.alpha.high


def test_not_assessed_is_missing_and_small_samples_show_nothing(w):
    # Area 0 rated by one interviewer only (the others "not assessed"): no pairable unit.
    plant(w.session, w.req, w.panel[:2], w.areas,
          lambda n, i, p: None if p == 0 and i == 1 else 1 + (n + p) % 4, count=20,
          focus_positions=(0,))
    rows = {r.area.position: r for r in service.reliability(w.session, w.admin, w.areas, Filters())}
    assert rows[0].units == 0 and rows[0].alpha.value is None and not rows[0].enough
    assert rows[1].units == 20 and rows[1].alpha.value == pytest.approx(1.0)
    report = service.interviewers(w.session, w.admin, w.areas, Filters(), due_hours=24)
    fred = row_of(report, "Fred Fair")
    assert (fred.not_assessed_focus.k, fred.not_assessed_focus.n) == (20, 20)
    few = service.reliability(w.session, w.admin, w.areas, Filters(requisition_id=w.other_req.id))
    assert all(r.units == 0 and r.alpha.value is None for r in few)
    # One candidate short of the minimum: counted, and nothing else shown.
    plant(w.session, w.other_req, w.panel[:2], w.areas, lambda n, i, p: 1 + (n + i) % 4,
          count=limits.MIN_RELIABILITY_UNITS - 1, start=500, tag="few")
    few = service.reliability(w.session, w.admin, w.areas, Filters(requisition_id=w.other_req.id))
    assert all(r.units == limits.MIN_RELIABILITY_UNITS - 1 and not r.enough for r in few)
    assert all(r.alpha == Estimate(None, None, None) for r in few)
    page = w.login(w.admin).get(f"/analytics/reliability?requisition={w.other_req.id}")
    # in the table, the chart and its text alternative
    assert page.get_data(as_text=True).count("too few candidates") == 3 * len(w.areas)


def test_the_pages_and_csvs_show_the_figures_with_their_samples(w):
    lenient_history(w)
    client = w.login(w.manager)
    page = client.get("/analytics/interviewers").get_data(as_text=True)
    assert "Lena Lenient" in page and "Pool" in page and 'id="scope"' in page
    assert re.search(r"\+0\.\d\d <span class=\"meta\">\(\+0\.\d\d to \+\d\.\d\d; 40 candidates", page)
    assert "<svg" in page and "<desc" in page and "style=" not in page.split("<main")[1]
    rows = list(csv.reader(io.StringIO(client.get("/analytics/interviewers.csv").get_data(as_text=True))))
    head, lena = rows[0], next(r for r in rows if r[0] == "Lena Lenient")
    assert 0.75 < float(lena[head.index("leniency")]) < 1.05
    assert rows[-1][0] == "Pool" and rows[-1][1] == "120"
    page = client.get("/analytics/reliability").get_data(as_text=True)
    assert 'id="alpha-chart"' in page and "too few" not in page
    rows = list(csv.reader(io.StringIO(client.get("/analytics/reliability.csv").get_data(as_text=True))))
    assert rows[0][:4] == ["area", "units", "pairable_ratings", "alpha_ordinal"]
    assert all(r[1] == "40" and r[2] == "120" and 0 < float(r[3]) < 1 for r in rows[1:])


def test_the_filters(w):
    lenient_history(w, count=20)
    lenient_history(w, count=15, start=20, req=w.other_req)
    client = w.login(w.admin)

    def units(query):
        text = client.get(f"/analytics/reliability.csv{query}").get_data(as_text=True)
        return {int(r[1]) for r in list(csv.reader(io.StringIO(text)))[1:]}

    assert units("") == {35}
    assert units(f"?requisition={w.req.id}") == {20}
    assert units("?level=staff") == {15}
    assert units("?since=2000-01-01&until=2000-12-31") == {0}
    assert units("?since=2000-01-01") == {35}


@pytest.mark.parametrize("query", [
    "?level=principal", "?requisition=abc", "?requisition=999999", "?since=2026-13-01",
    "?since=yesterday", "?since=2026-05-02&until=2026-05-01", "?until=9999-12-31",
    "?since=0001-01-01"])
@pytest.mark.parametrize("page", ["reliability", "interviewers"])
def test_bad_filters_are_a_400_with_the_input_kept(w, query, page):
    client = w.login(w.manager)
    response = client.get(f"/analytics/{page}{query}")
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert 'role="alert"' in body and 'class="error"' in body
    value = query.split("=")[-1]
    assert value in body or "requisition" in query  # a select keeps only known choices
    assert client.get(f"/analytics/{page}.csv{query}").status_code == 400


@pytest.mark.parametrize("url", ["/analytics/reliability", "/analytics/reliability.csv",
                                 "/analytics/interviewers", "/analytics/interviewers.csv"])
def test_query_count_stays_the_same_from_60_to_over_600_scorecards(w, count_queries, url):
    client = w.login(w.manager)
    lenient_history(w, count=20)
    few = queries_for(client, count_queries, url)
    lenient_history(w, count=190, start=20)
    assert sum(1 for _ in range(210 * 3)) > 600
    many = queries_for(client, count_queries, url)
    assert many == few
    assert client.get(url).status_code == 200
