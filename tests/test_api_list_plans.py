"""The API's lists are read in the order of an index on (changed, id) and stopped after a
page, never sorted: at 10,000 candidates (91,000 scorecards) sorting everything the
visibility clause let through cost the scorecard list ~300 ms on SQLite, and PostgreSQL
sorted each run of loops with one updated_at whole. So for the manager and for an
interviewer (whose scorecard visibility clause is the longest), on the first page, a page
after a cursor, and filtered by requisition (which must not lead the database to read the
requisition's every candidate and sort their rows)."""

from __future__ import annotations

import pytest

from tests.api_support import call, make_token
from tests.query_plans import assert_read_in_index_order, ordered_statements
from tests.test_query_counts_debrief import bulk_candidates
from tests.test_query_counts_debrief import w as w  # the fixture: a team of ten interviewers

LISTS = {"scorecards": ("scorecards", "ix_scorecards_updated_at_id"),
         "pre-offer-checks": ("pre_offer_checks", "ix_pre_offer_checks_answered_at_id"),
         "decisions": ("decisions", "ix_decisions_decided_at_id"),
         "loops": ("loops", "ix_loops_updated_at"),
         "interviews": ("interviews", "ix_interviews_updated_at"),
         "bank/questions": ("questions", "ix_questions_updated_at")}

# The debrief's lists (pre-offer checks, decisions) are the hiring team's.
CASES = [("scorecards", "manager"), ("scorecards", "interviewer"),
         ("pre-offer-checks", "manager"), ("decisions", "manager"), ("loops", "manager"),
         ("interviews", "manager"), ("interviews", "interviewer"), ("bank/questions", "manager")]


@pytest.mark.parametrize(("name", "who"), CASES)
def test_a_page_is_read_in_index_order(w, client, engine, name, who):
    table, index = LISTS[name]
    viewer = w.manager if who == "manager" else w.panel[0]  # the bulk cards' author
    token = make_token(w.session, viewer)
    bulk_candidates(w, 0, 24)  # 4 decisions (every sixth)
    first = call(client, "GET", f"/api/v1/{name}?limit=2", token).get_json()
    assert first["next_cursor"], first
    urls = [f"/api/v1/{name}?limit=2", f"/api/v1/{name}?limit=2&cursor={first['next_cursor']}"]
    if name != "bank/questions":  # the bank is no requisition's
        urls.append(f"/api/v1/{name}?limit=2&requisition_id={w.req.id}")
    with ordered_statements(engine, table) as seen:
        for url in urls:
            response = call(client, "GET", url, token)
            assert response.status_code == 200 and response.get_json()["items"], url
    assert len(seen) == len(urls)
    assert_read_in_index_order(w.session.connection(), seen, index)
