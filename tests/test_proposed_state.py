"""Proposed times are stored (scheduling/proposed.py): asking for times proposes options for
the candidate's unscheduled stages, which then show as "proposed" on the loop page and the
board until an option is booked, the options expire, asking again replaces them, or a stage
is booked or moved otherwise. Only an option still proposed is booked. The database keeps
one proposal per candidate and each stage in one at most. The board shows proposed stages
in the same number of queries with 5 and 600 of them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from interviewloop import paging
from interviewloop.db import utcnow
from interviewloop.loops.models import LoopStage
from interviewloop.scheduling.models import LoopProposal, ProposedStage
from interviewloop.scheduling.proposed import live_proposal
from tests.conftest import post
from tests.factories import bulk_interviews, make_interview
from tests.test_loop_times import MONDAY, ask, book, decoded, live, loop_world, options, page_of, url
from tests.test_query_counts import queries_for
from tests.test_query_counts_pages import propose_for, rows_of


@pytest.fixture
def w(db_session, bank, make_user, login):
    return loop_world(db_session, make_user, login)


def loop_page(w) -> str:
    return w.client.get(f"/requisitions/{w.req.id}/candidates/{w.candidate.id}").get_data(
        as_text=True)


def board(w, query: str = "") -> str:
    return w.client.get(f"/requisitions/{w.req.id}/board{query}").get_data(as_text=True)


def proposals(w) -> int:
    return w.session.scalar(select(func.count()).select_from(LoopProposal))


def test_asking_proposes_the_stages_until_one_option_is_booked(w):
    assert 'class="tag state-unscheduled"' in loop_page(w) and "No times are proposed" in (
        w.client.get(url(w)).get_data(as_text=True))
    tokens = options(page_of(w))
    page = loop_page(w)
    assert page.count('class="tag state-proposed"') == len(w.stage_ids) == 5
    assert "state-unscheduled" not in page and "Times proposed" in page
    assert board(w).count("times proposed") == 5
    assert w.candidate.name in board(w, "?state=proposed")
    assert w.candidate.name not in board(w, "?state=unscheduled")
    # The stored options are what the page shows again, without asking.
    assert decoded(w, options(w.client.get(url(w)).get_data(as_text=True))) == decoded(w, tokens)
    # Asking again (other days) replaces them: the old options are no longer proposed.
    fresh = options(page_of(w, first=MONDAY + timedelta(days=7)))
    assert proposals(w) == 1 and fresh
    assert all(option not in decoded(w, tokens) for option in decoded(w, fresh))
    response = book(w, tokens[0], location="Room 5")
    assert response.status_code == 409 and "no longer proposed" in response.get_data(as_text=True)
    assert 'value="Room 5"' in response.get_data(as_text=True) and live(w) == []
    assert book(w, options(w.client.get(url(w)).get_data(as_text=True))[0]).status_code == 302
    assert proposals(w) == 0 and len(live(w)) == 5
    assert "state-proposed" not in loop_page(w) and "times proposed" not in board(w)


def test_expired_options_show_as_unscheduled_and_are_not_booked(w):
    tokens = options(page_of(w))
    w.session.execute(update(LoopProposal).values(
        created_at=utcnow() - timedelta(hours=13), expires_at=utcnow() - timedelta(minutes=1)))
    w.session.flush()
    assert "state-proposed" not in loop_page(w) and "times proposed" not in board(w)
    assert live_proposal(w.session, w.candidate.id) is None
    assert "No times are proposed" in w.client.get(url(w)).get_data(as_text=True)
    assert book(w, tokens[0]).status_code == 409 and live(w) == []


def test_booking_or_moving_a_stage_otherwise_ends_the_proposal(w):
    options(page_of(w))
    first = w.session.get(LoopStage, w.stage_ids[0])
    make_interview(w.session, w.req, w.recruiter, w.candidate, first, [w.people[0]],
                   MONDAY + timedelta(days=3, hours=10))
    assert proposals(w) == 0 and "state-proposed" not in loop_page(w)
    options(page_of(w))
    assert proposals(w) == 1
    response = post(w.client, f"/requisitions/{w.req.id}/candidates/{w.candidate.id}/loop/"
                    f"stages/{w.stage_ids[3]}/move", {"direction": "up"})
    assert response.status_code == 302 and proposals(w) == 0


def test_a_request_the_form_refuses_keeps_what_was_typed_and_proposes_nothing(w):
    response = ask(w, days=40)
    assert response.status_code == 422 and proposals(w) == 0
    assert f'value="{MONDAY:%Y-%m-%d}"' in response.get_data(as_text=True)
    assert post(w.client, url(w), {"starts_on": "soon"}).status_code == 422
    no_token = w.client.post(url(w), data={"starts_on": f"{MONDAY:%Y-%m-%d}"})
    assert no_token.status_code in (400, 422) and proposals(w) == 0


def test_the_database_keeps_one_proposal_per_candidate_and_a_stage_in_one(w):
    options(page_of(w))
    now = utcnow()
    row = {"candidate_id": w.candidate.id, "starts_at": now, "ends_at": now + timedelta(days=1),
           "options": [], "created_at": now, "expires_at": now + timedelta(hours=1)}
    with pytest.raises(IntegrityError), w.session.begin_nested():  # a second for them
        w.session.execute(insert(LoopProposal), [row])
    other = LoopProposal(**{**row, "candidate_id": bulk_interviews(
        w.session, w.req.id, [now], (), prefix="other", with_interviews=False)[0][0]})
    w.session.add(other)
    w.session.flush()
    with pytest.raises(IntegrityError), w.session.begin_nested():  # a stage in two
        w.session.execute(insert(ProposedStage), [{"proposal_id": other.id,
                                                   "stage_id": w.stage_ids[0]}])
    with pytest.raises(IntegrityError), w.session.begin_nested():  # expires as it is made
        w.session.execute(update(LoopProposal).where(LoopProposal.id == other.id)
                          .values(expires_at=now))


def test_the_board_shows_proposed_stages_in_the_same_queries_with_5_and_600(w, count_queries):
    query = f"/requisitions/{w.req.id}/board?state=proposed"

    def fill(count: int, prefix: str) -> None:
        ids, _none = bulk_interviews(w.session, w.req.id, [utcnow()] * count, (), prefix=prefix,
                                     with_interviews=False)
        propose_for(w, ids, utcnow())
        w.session.flush()

    fill(5, "few")
    few = queries_for(w.client, count_queries, query)
    fill(595, "many")
    assert queries_for(w.client, count_queries, query) == few
    page = w.client.get(query).get_data(as_text=True)
    assert rows_of(page, "board") == paging.BOARD_PAGE
    assert page.count("times proposed") == paging.BOARD_PAGE


def test_a_proposal_needs_someone_who_manages_the_requisition(w, make_user, login):
    outsider = login(make_user("recruiter", name="Other Recruiter"))
    response = post(outsider, url(w), {"starts_on": f"{MONDAY:%Y-%m-%d}",
                                       "ends_on": f"{MONDAY:%Y-%m-%d}"})
    assert response.status_code in (403, 404) and proposals(w) == 0
