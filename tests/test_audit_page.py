"""The admins' audit log page."""

from __future__ import annotations

import pytest

from tests.conftest import log_in
from tests.test_query_counts import queries_for


@pytest.fixture
def admin_client(login, make_user):
    return login(make_user("admin", email="boss@example.com"))


def test_lists_logins_failures_and_user_changes_newest_first(app, admin_client, make_user):
    victim = make_user("interviewer", email="victim@example.com")
    log_in(app.test_client(), victim.email, "not-the-password")
    html = admin_client.get("/admin/audit").get_data(as_text=True)
    assert html.index("login_failed") < html.index("user_created")
    assert "boss@example.com" in html  # the admin's own login, by them
    assert "127.0.0.1" in html


def test_filters_by_action(admin_client, make_user):
    make_user("interviewer")
    html = admin_client.get("/admin/audit?action=user_created").get_data(as_text=True)
    assert "<td>user_created</td>" in html
    assert "<td>login</td>" not in html
    assert "<td>login</td>" in admin_client.get("/admin/audit").get_data(as_text=True)


@pytest.mark.parametrize("query", ["action=nonsense", "after=abc", "after=bm9wZQ",
                                   "after=WzFd&before=WzFd", "before=WyJ4Il0"])
def test_bad_filters_are_a_400(admin_client, query):
    response = admin_client.get(f"/admin/audit?{query}")
    assert response.status_code == 400


def test_queries_do_not_grow_with_events(admin_client, make_user, count_queries):
    make_user("interviewer")
    few = queries_for(admin_client, count_queries, "/admin/audit")
    for _ in range(30):
        make_user("recruiter")
    assert queries_for(admin_client, count_queries, "/admin/audit") == few


def add_events(session, count: int, action: str = "login") -> None:
    from sqlalchemy import insert

    from interviewloop.audit.models import AuditEvent
    from interviewloop.db import utcnow

    now = utcnow()
    session.execute(insert(AuditEvent), [
        {"at": now, "actor_id": None, "action": action, "object_type": None,
         "object_id": None, "ip": None, "detail": {"n": n}} for n in range(count)])
    session.flush()


def event_count(client, query: str = "") -> str:
    html = client.get(f"/admin/audit{query}").get_data(as_text=True)
    return html.split('id="event-count">', 1)[1].split(", newest", 1)[0]


def test_the_count_stops_at_a_thousand(db_session, admin_client, count_queries):
    from sqlalchemy import func, select

    from interviewloop.audit.models import AuditEvent
    from interviewloop.audit.service import COUNT_CAP

    add_events(db_session, COUNT_CAP - 1, "bulk_test")
    assert event_count(admin_client, "?action=bulk_test") == "999 events"
    add_events(db_session, 1, "bulk_test")
    assert event_count(admin_client, "?action=bulk_test") == "1000 events"
    add_events(db_session, 1, "bulk_test")
    assert event_count(admin_client, "?action=bulk_test") == "More than 1,000 events"
    assert db_session.scalar(select(func.count()).select_from(AuditEvent)) > COUNT_CAP
    assert event_count(admin_client) == "More than 1,000 events"
    with count_queries() as statements:
        admin_client.get("/admin/audit")
    counts = [s for s in statements if "count(" in s.lower() and "audit_events" in s]
    assert counts and all("LIMIT" in s.upper() for s in counts)  # no count of the whole log


def test_the_actions_listed_are_those_in_the_log(db_session, admin_client):
    from sqlalchemy import select

    from interviewloop.audit import service
    from interviewloop.audit.models import AuditEvent

    for n, action in enumerate(["zeta", "alpha", "m_middle", "alpha_2"]):
        add_events(db_session, 3 + n, action)
    assert service.actions(db_session) == list(db_session.scalars(
        select(AuditEvent.action).distinct().order_by(AuditEvent.action)))
    assert {"zeta", "alpha", "m_middle", "alpha_2"} <= set(service.actions(db_session))
    html = admin_client.get("/admin/audit").get_data(as_text=True)
    assert '<option value="m_middle" >m_middle</option>' in html


def test_a_filtered_page_makes_as_many_queries_with_5_and_605_events(
        db_session, admin_client, count_queries):
    add_events(db_session, 5, "filtered")
    add_events(db_session, 5, "other")
    few = queries_for(admin_client, count_queries, "/admin/audit?action=filtered")
    add_events(db_session, 600, "filtered")
    add_events(db_session, 600, "other")
    assert queries_for(admin_client, count_queries, "/admin/audit?action=filtered") == few
    assert event_count(admin_client, "?action=filtered") == "605 events"
