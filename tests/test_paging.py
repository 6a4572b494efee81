"""Walking the long lists page by page: every row once, in the list's order, the filters
kept in the links (and nothing else from the query string), back with Previous to where
one started; bad page numbers and cursors are a 400, never a 500."""

from __future__ import annotations

import base64
import json
import re

import pytest
from sqlalchemy import select

from interviewloop import paging
from interviewloop.db import utcnow
from interviewloop.requisitions.models import Candidate
from interviewloop.scheduling.models import Interview
from tests.test_query_counts_pages import add_events, link, seed, world


@pytest.fixture
def w(db_session, make_user, login):
    return world(db_session, make_user, login)


NAME = re.compile(r">((?:Seed|Zopen)\d+ \d+|Bare \d+)</a>")


def walk(client, url: str, part) -> tuple[list[list[str]], list[str]]:
    """Follow Next from ``url`` to the end, then Previous back: (the pages' items going
    forward, the links followed)."""
    pages, links, page = [], [url], client.get(url)
    while True:
        assert page.status_code == 200, links[-1]
        html = page.get_data(as_text=True)
        pages.append(part(html))
        following = link(html, "next")
        if following is None:
            break
        links.append(following)
        page = client.get(following)
    back = []
    while (previous := link(html, "prev")) is not None:
        links.append(previous)
        html = client.get(previous).get_data(as_text=True)
        back.append(part(html))
    assert back[::-1] == pages[:-1]  # Previous retraces the same pages
    return pages, links


def names_in(table_id: str):
    def part(html: str) -> list[str]:
        return NAME.findall(html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0])
    return part


def flat(pages: list[list[str]]) -> list[str]:
    return [item for page in pages for item in page]


def board_names(w, status: str | None = "active") -> list[str]:
    stmt = select(Candidate.name).where(Candidate.requisition_id == w.req.id)
    if status:
        stmt = stmt.where(Candidate.status == status)
    return sorted(w.session.scalars(stmt))


def test_the_board_walks_every_candidate_once_keeping_its_filters(w):
    seed(w, 70, 0)
    client = w.login(w.recruiter)
    url = f"/requisitions/{w.req.id}/board"
    pages, _links = walk(client, url, names_in("board"))
    assert [len(p) for p in pages[:-1]] == [paging.BOARD_PAGE] * (len(pages) - 1)
    assert flat(pages) == board_names(w)  # by name, each once, the active only
    seed(w, 80, 70)
    pages, links = walk(client, f"{url}?status=&state=done&_method=POST", names_in("board"))
    held = sorted(w.session.scalars(select(Candidate.name).join(
        Interview, Interview.candidate_id == Candidate.id).where(
        Candidate.requisition_id == w.req.id, Interview.ends_at <= utcnow())))
    assert flat(pages) == held and len(held) > paging.BOARD_PAGE
    for followed in links[1:]:
        assert "state=done" in followed and "status=&" in followed + "&"
        assert "_method" not in followed


@pytest.mark.parametrize("sort", ["name", "mean", "outstanding", "decision"])
def test_the_dashboard_walks_every_candidate_once_in_its_order(w, sort):
    seed(w, 70, 0)
    client = w.login(w.manager)
    url = f"/requisitions/{w.req.id}/dashboard?sort={sort}&status=active"
    pages, links = walk(client, url, names_in("dashboard"))
    assert sorted(flat(pages)) == board_names(w)
    assert len(pages) == 3
    if sort == "name":
        assert flat(pages) == board_names(w)
        assert "after=" in links[1]
    else:
        assert links[1].endswith("page=2") or "page=2" in links[1]
        assert "Page 1 of 3" in client.get(url).get_data(as_text=True)
    for followed in links[1:]:
        assert f"sort={sort}" in followed and "status=active" in followed


def test_the_requisitions_candidates_walk_by_status_then_name(w):
    seed(w, 120, 0)
    client = w.login(w.recruiter)

    def part(html: str) -> list[str]:
        return NAME.findall(html.split('id="candidates"', 1)[1].split("</table>", 1)[0])

    pages, links = walk(client, f"/requisitions/{w.req.id}", part)
    assert [len(p) for p in pages] == [50, 50, 20]
    active, withdrawn = board_names(w), board_names(w, "withdrawn")
    assert flat(pages) == active + withdrawn
    assert all(followed.endswith("#candidates") for followed in links[1:])


def test_the_interviewers_past_interviews_walk_latest_first(w):
    seed(w, 240, 0)
    client = w.login(w.alice)

    def part(html: str) -> list[str]:
        listed = html.split('id="past"', 1)[1].split("</ul>", 1)[0]
        return re.findall(r"/interviews/(\d+)/kit", listed)

    pages, _links = walk(client, "/", part)
    held = list(w.session.scalars(select(Interview.id).where(Interview.ends_at <= utcnow())
                                  .order_by(Interview.starts_at.desc(), Interview.id.desc())))
    assert flat(pages) == [str(i) for i in held]
    assert len(pages) == -(-len(held) // paging.LIST_PAGE) > 2


def events_in(html: str) -> list[str]:
    return re.findall(r'<td class="meta detail">([^<]*)</td>', html.split('id="audit"', 1)[1])


def test_the_audit_log_pages_stay_put_while_events_are_added(w, make_user, login):
    """Keyset pages: events added after the first page was read do not push the first
    page's last rows onto the second (an offset would show them twice)."""
    add_events(w, 120, 0)
    client = login(make_user("admin"))
    first = client.get("/admin/audit?action=login").get_data(as_text=True)
    add_events(w, 30, 1000)
    second = client.get(link(first, "next")).get_data(as_text=True)
    assert not set(events_in(first)) & set(events_in(second))
    assert len(events_in(second)) == paging.LIST_PAGE
    assert "action=login" in link(second, "next")


def cursor(*values) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(values)).encode()).decode().rstrip("=")


BAD = ["after=abc", "after=%25%25", "before=" + "A" * 600, "after=" + cursor(1),
       "after=" + cursor("x", 2**31), "after=" + cursor("x", 0), "after=" + cursor("x\x00", 1),
       "after=" + cursor(True, 1), "after=" + cursor(None, 1), "after=" + cursor(["x"], 1),
       f"after={cursor('a', 1)}&before={cursor('a', 1)}"]


@pytest.mark.parametrize("query", BAD)
@pytest.mark.parametrize("page", ["board", "dashboard", "requisition"])
def test_bad_cursors_on_name_ordered_pages_are_a_400(w, page, query):
    client = w.login(w.manager)
    path = "" if page == "requisition" else f"/{page}"
    response = client.get(f"/requisitions/{w.req.id}{path}?{query}")
    assert response.status_code == 400, response.get_data(as_text=True)
    assert "page link" in response.get_data(as_text=True)


@pytest.mark.parametrize("query", [
    "after=" + cursor("2026-01-01T00:00:00", 1),  # a time without its zone
    "after=" + cursor("9999-12-31T23:59:59-14:00", 1),  # past the calendar's end in UTC
    "after=" + cursor("yesterday", 1), "after=" + cursor(5, 1), "before=" + cursor("x"),
])
def test_bad_cursors_on_the_home_are_a_400(w, query):
    assert w.login(w.alice).get(f"/?{query}").status_code == 400


@pytest.mark.parametrize("query", ["page=0", "page=abc", "page=-1", "page=201", "page=1e3",
                                   "page=%C2%B2", "page=%D9%A1", "page=" + "9" * 40])
def test_bad_page_numbers_on_the_dashboard_are_a_400(w, query):
    response = w.login(w.manager).get(f"/requisitions/{w.req.id}/dashboard?sort=mean&{query}")
    assert response.status_code == 400


def test_a_page_past_the_last_shows_the_last(w):
    seed(w, 30, 0)
    response = w.login(w.manager).get(f"/requisitions/{w.req.id}/dashboard?sort=mean&page=9")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Page 2 of 2" in html and len(names_in("dashboard")(html)) == 30 - 25
