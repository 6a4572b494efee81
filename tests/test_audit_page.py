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
