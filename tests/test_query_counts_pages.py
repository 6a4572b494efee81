"""The long lists (the scheduling board, the dashboard, a requisition's candidates, the
interviewer's home, the audit log) show a page at a time: the same number of queries with
5 rows and with 600 (past 500, where ``selectinload`` sends a second query), on the first
page and on a later one, and never more rows than a page holds. Rows are seeded with Core
inserts so that the tests stay fast."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from types import SimpleNamespace

import pytest
from sqlalchemy import insert, select

from interviewloop import paging
from interviewloop.audit.models import AuditEvent
from interviewloop.db import utcnow
from interviewloop.home import HOME_TO_WRITE
from interviewloop.loops.models import Loop, LoopStage
from interviewloop.requisitions.models import Candidate
from interviewloop.scheduling.models import LoopProposal, ProposedStage
from interviewloop.scorecards.models import Scorecard
from tests.factories import add_to_team, bulk_interviews, make_requisition
from tests.query_plans import assert_read_in_index_order, ordered_statements
from tests.test_query_counts import queries_for

HOUR = timedelta(hours=1)


def world(db_session, make_user, login) -> SimpleNamespace:
    """A requisition's hiring team: a manager, a recruiter, two interviewers."""
    manager = make_user("hiring_manager", name="Hana Manager")
    recruiter = make_user("recruiter", name="Rui Recruiter", time_zone="America/New_York")
    alice = make_user("interviewer", name="Alice Interviewer", time_zone="Asia/Kolkata")
    bob = make_user("interviewer", name="Bob Interviewer")
    req = make_requisition(db_session, manager, recruiter)
    add_to_team(db_session, req, manager, alice, bob)
    db_session.flush()
    return SimpleNamespace(session=db_session, manager=manager, recruiter=recruiter,
                           alice=alice, bob=bob, req=req, login=login)


@pytest.fixture
def w(db_session, make_user, login):
    return world(db_session, make_user, login)


def seed(w, count: int, start: int) -> None:
    """``count`` candidates: most with a one-stage loop booked with Alice and Bob, half of
    those held (Alice's scorecard in on every other one), half to come; every tenth with a
    loop not yet booked, every fifteenth with no loop and withdrawn. Names sort the booked
    ones first, so that every first page has interviews on it."""
    now = utcnow().replace(microsecond=0)
    numbers = range(start, start + count)
    booked = [n for n in numbers if n % 10 and n % 15]
    starts = [now + timedelta(days=-2 if n % 2 else 2, minutes=n) for n in booked]
    cids, iids = bulk_interviews(w.session, w.req.id, starts, (w.alice, w.bob),
                                 prefix=f"seed{start}")
    w.session.execute(insert(Scorecard), [
        {"interview_id": iid, "interviewer_id": w.alice.id, "candidate_id": cid,
         "status": "submitted", "recommendation": "hire", "summary": "", "created_at": now,
         "updated_at": now, "submitted_at": now, "version": 1}
        for n, cid, iid in zip(booked, cids, iids, strict=True) if n % 4 == 1])
    unbooked = [n for n in numbers if not n % 10 and n % 15]
    if unbooked:
        open_ids, _none = bulk_interviews(w.session, w.req.id, [now] * len(unbooked), (),
                                          prefix=f"zopen{start}", with_interviews=False)
        propose_for(w, open_ids[::4], now)  # times proposed for every fourth one
    bare = [n for n in numbers if not n % 15]
    if bare:
        w.session.execute(insert(Candidate), [
            {"requisition_id": w.req.id, "name": f"Bare {n}", "email": f"bare{n}@example.net",
             "source": "", "notes": "", "status": "withdrawn", "version": 1} for n in bare])
    w.session.flush()


def propose_for(w, candidate_ids: list[int], now) -> None:
    """A live proposal for each of these candidates' stages (Core inserts)."""
    rows = w.session.execute(select(Loop.candidate_id, LoopStage.id).join(LoopStage).where(
        Loop.candidate_id.in_(candidate_ids))).all()
    ids = list(w.session.scalars(insert(LoopProposal).returning(
        LoopProposal.id, sort_by_parameter_order=True), [
        {"candidate_id": cid, "starts_at": now, "ends_at": now + 24 * HOUR, "options": [],
         "created_at": now, "expires_at": now + 12 * HOUR} for cid, _stage in rows]))
    w.session.execute(insert(ProposedStage), [
        {"proposal_id": pid, "stage_id": stage} for pid, (_cid, stage) in zip(ids, rows,
                                                                              strict=True)])


def link(page: str, rel: str) -> str | None:
    found = re.search(rf'<a rel="{rel}" href="([^"]+)"', page)
    return unescape(found.group(1)) if found else None


def rows_of(page: str, table_id: str) -> int:
    body = page.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    return len(re.findall(r"<tr[ >]", body)) - 1  # the heading's row


def flat(client, count_queries, url: str, fill, table_id: str | None, size: int) -> int:
    """The first page's queries with 5 rows, then with 600 (at most ``size`` rows shown),
    and the next page's with 600."""
    fill(5, 0)
    few = queries_for(client, count_queries, url)
    fill(595, 5)
    many = queries_for(client, count_queries, url)
    assert many == few, url  # first: this is what grew on the old code
    page = client.get(url).get_data(as_text=True)
    if table_id:
        assert rows_of(page, table_id) == size
    later = link(page, "next")
    assert later is not None
    assert queries_for(client, count_queries, later) == few
    return few


@pytest.mark.parametrize("query", ["", "?state=done", "?status=&state=unscheduled",
                                   "?state=scheduled&status=active"])
def test_the_board_with_5_and_600_candidates(w, count_queries, query):
    client = w.login(w.recruiter)
    flat(client, count_queries, f"/requisitions/{w.req.id}/board{query}",
         lambda count, start: seed(w, count, start), "board", paging.BOARD_PAGE)


@pytest.mark.parametrize("query", ["", "?sort=mean&status=active", "?sort=decision",
                                   "?sort=outstanding", "?sort=progress&status=",
                                   "?sort=pre_offer", "?sort=status"])
def test_the_dashboard_with_5_and_600_candidates(w, count_queries, query):
    client = w.login(w.manager)
    flat(client, count_queries, f"/requisitions/{w.req.id}/dashboard{query}",
         lambda count, start: seed(w, count, start), "dashboard", paging.BOARD_PAGE)


def test_the_requisitions_candidates_with_5_and_600(w, count_queries):
    client = w.login(w.recruiter)
    url = f"/requisitions/{w.req.id}"
    flat(client, count_queries, url, lambda count, start: seed(w, count, start), None, 0)
    page = client.get(url).get_data(as_text=True)
    listed = page.split('id="candidates"', 1)[1].split("</table>", 1)[0]
    assert listed.count("<tr>") - 1 == paging.LIST_PAGE


@pytest.mark.parametrize(("who", "page", "order"), [
    ("recruiter", "/board", "ORDER BY candidates.name"),
    ("manager", "/dashboard", "ORDER BY candidates.name"),
    ("recruiter", "", "ORDER BY candidates.status ASC, candidates.name ASC")])
def test_a_page_of_candidates_is_read_in_index_order(w, engine, who, page, order):
    """The board's and the dashboard's candidates by name (the board's filtered by status
    too), the requisition page's by status then name: each a page read from an index on
    (requisition_id, [status,] name, id), not every candidate of the requisition sorted."""
    seed(w, 5, 0)
    client = w.login(getattr(w, who))
    with ordered_statements(engine, "candidates", order) as seen:
        assert client.get(f"/requisitions/{w.req.id}{page}").status_code == 200
    assert seen, order
    assert_read_in_index_order(w.session.connection(), seen, "ix_candidates_requisition_name",
                               "ix_candidates_requisition_status_name")


def test_the_interviewers_home_with_5_and_600_interviews(w, count_queries):
    """Half of Alice's interviews are over (a page of them shows), half to come."""
    client = w.login(w.alice)
    flat(client, count_queries, "/", lambda count, start: seed(w, count, start), None, 0)
    page = client.get("/").get_data(as_text=True)
    past = page.split('id="past"', 1)[1].split("</ul>", 1)[0]
    upcoming = page.split('id="today"', 1)[1].split('id="scorecards-due"', 1)[0]
    owed = page.split('id="to-write"', 1)[1].split("</ul>", 1)[0]
    assert past.count("/kit") == paging.LIST_PAGE
    assert upcoming.count("/kit") == paging.LIST_PAGE
    assert 'id="more-upcoming"' in page
    # Scorecards to write are bounded too (every held one of Alice's without hers in), and
    # the rest a link away, a page at a time.
    assert owed.count("/kit") == HOME_TO_WRITE
    assert 'href="/scorecards/to-write"' in page


def test_every_scorecard_to_write_with_5_and_600_interviews(w, count_queries):
    client = w.login(w.alice)
    flat(client, count_queries, "/scorecards/to-write", lambda count, start: seed(w, count, start),
         None, 0)
    page = client.get("/scorecards/to-write").get_data(as_text=True)
    listed = page.split('id="to-write"', 1)[1].split("</ul>", 1)[0]
    assert listed.count("/kit") == paging.LIST_PAGE


def add_events(w, count: int, start: int) -> None:
    now = utcnow()
    w.session.execute(insert(AuditEvent), [
        {"at": now, "actor_id": w.manager.id if n % 2 else None, "action": "login",
         "object_type": "users", "object_id": w.manager.id, "ip": "127.0.0.1",
         "detail": {"n": n}, "version": 1} for n in range(start, start + count)])
    w.session.flush()


def test_the_audit_log_with_5_and_600_events(w, make_user, login, count_queries):
    client = login(make_user("admin"))
    flat(client, count_queries, "/admin/audit", lambda count, start: add_events(w, count, start),
         "audit", paging.LIST_PAGE)


def test_the_board_reads_the_viewer_once_however_many_times_it_shows(w, monkeypatch):
    """The viewer's time zone is looked up once per request, not per cell (each lookup
    went through ``current_user``)."""
    import flask_login.utils

    reads = []
    real = flask_login.utils._get_user
    monkeypatch.setattr(flask_login.utils, "_get_user", lambda: reads.append(1) or real())
    client = w.login(w.recruiter)
    url = f"/requisitions/{w.req.id}/board"

    def count() -> int:
        reads.clear()
        page = client.get(url).get_data(as_text=True)
        return len(reads), page.count("(America/New_York)")

    seed(w, 4, 0)
    few, shown = count()
    assert shown == 3
    seed(w, 60, 4)
    many, shown = count()
    assert shown == paging.BOARD_PAGE
    assert many == few


def test_the_calendar_feed_with_5_and_600_interviews(w, count_queries):
    """The feed lists every interview of its owner, in the same queries however many."""
    from tests.test_calendar import turn_on_feed

    client = w.login(w.alice)
    path = turn_on_feed(client)
    seed(w, 5, 0)
    few = queries_for(client, count_queries, path)
    seed(w, 595, 5)
    many = queries_for(client, count_queries, path)
    assert many == few
    booked = sum(1 for n in range(600) if n % 10 and n % 15)
    assert client.get(path).get_data(as_text=True).count("BEGIN:VEVENT") == booked
