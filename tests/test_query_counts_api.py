"""The API's lists of scorecards, pre-offer checks and decisions, and a candidate's debrief
summary, make the same number of queries however much there is (no N+1): each list with
10 candidates' worth of rows and with 510, as the manager and as an interviewer (whose
visibility is the longest clause)."""

from __future__ import annotations

import pytest

from tests.api_support import call, make_token
from tests.test_query_counts_debrief import bulk_candidates, held_loop
from tests.test_query_counts_debrief import w as w  # the fixture: a team of ten interviewers

LISTS = ["/api/v1/scorecards", "/api/v1/scorecards?limit=100&updated_since=2000-01-01T00:00:00Z",
         "/api/v1/pre-offer-checks", "/api/v1/decisions?limit=100"]


def api_queries(client, count_queries, token: str, url: str) -> tuple[int, int]:
    """(queries, items) for one call, after a warming call (which also records the
    token's use: that is written at most once a minute)."""
    call(client, "GET", url, token)
    with count_queries() as queries:
        response = call(client, "GET", url, token)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return len(queries), len(response.get_json().get("items", []))


@pytest.mark.parametrize("who", ["manager", "interviewer"])
def test_api_lists_with_10_and_510_candidates(w, client, count_queries, who):
    viewer = w.manager if who == "manager" else w.panel[0]  # the bulk cards' author
    token = make_token(w.session, viewer)
    urls = [u for u in LISTS if who == "manager" or "scorecards" in u]
    bulk_candidates(w, 0, 10)
    few = {url: api_queries(client, count_queries, token, url) for url in urls}
    bulk_candidates(w, 10, 500)
    for url in urls:
        queries, items = api_queries(client, count_queries, token, url)
        assert queries == few[url][0], url
        assert 0 < few[url][1] < items, url  # a fuller page of the many


def test_the_debrief_summary_with_2_and_10_interviewers(w, client, count_queries):
    token = make_token(w.session, w.manager)
    two = held_loop(w, 1, [w.panel[:2]])
    ten = held_loop(w, 2, [w.panel[2 * n:2 * n + 2] for n in range(5)])
    counts = {}
    for candidate, cards in ((two, 2), (ten, 10)):
        url = f"/api/v1/candidates/{candidate.id}/debrief"
        call(client, "GET", url, token)
        with count_queries() as queries:
            body = call(client, "GET", url, token).get_json()
        assert len(body["scorecard_ids"]) == cards
        counts[cards] = len(queries)
    assert counts[2] == counts[10]
