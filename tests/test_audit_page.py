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
    assert 'data-action="user_created"' in html
    assert 'data-action="login"' not in html
    assert 'data-action="login"' in admin_client.get("/admin/audit").get_data(as_text=True)


@pytest.mark.parametrize("query", [
    "action=nonsense", "after=abc", "after=bm9wZQ", "after=WzFd&before=WzFd", "before=WyJ4Il0",
    "kind=nope", "object_type=nope", "object_id=x", "object_id=0", "object_id=99999999999",
    "since=2026-13-01", "since=1066-10-14", "since=2026-02-02&until=2026-02-01",
    "who=nobody@example.com", "who=not-an-email"])
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
    assert '<option value="m_middle">m_middle</option>' in html


def test_a_filtered_page_makes_as_many_queries_with_5_and_605_events(
        db_session, admin_client, count_queries):
    add_events(db_session, 5, "filtered")
    add_events(db_session, 5, "other")
    few = queries_for(admin_client, count_queries, "/admin/audit?action=filtered")
    add_events(db_session, 600, "filtered")
    add_events(db_session, 600, "other")
    assert queries_for(admin_client, count_queries, "/admin/audit?action=filtered") == few
    assert event_count(admin_client, "?action=filtered") == "605 events"


def test_a_bad_filter_is_a_form_error_beside_its_field_with_the_input_kept(admin_client):
    response = admin_client.get("/admin/audit?since=2026-02-02&until=2026-02-01&who=x@example.com")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="error-summary"' in html and 'aria-invalid="true"' in html
    assert "The end comes before the start." in html
    assert 'value="2026-02-02"' in html and 'value="x@example.com"' in html


def test_entries_read_as_sentences_with_names_from_the_same_query(
        app, db_session, bank, admin_client, make_user, count_queries):
    """Rita rescheduled Eli's system design interview: names of the actor, the candidate and
    the stage; the sentence of an unknown action falls back to its words."""
    from interviewloop.audit.service import Actor, record
    from tests.factories import held_interview

    rita = make_user("recruiter", email="rita@example.com", name="Rita Recruiter")
    made = held_interview(db_session, make_user)
    interview = made["interview"]
    made["candidate"].name = "Eli Novak"
    made["loop"].stages[0].name = "System design"

    record(db_session, Actor(rita), "interview_rescheduled", interview)
    record(db_session, Actor(rita), "some_new_thing", interview)
    db_session.flush()
    few = queries_for(admin_client, count_queries, "/admin/audit")
    html = admin_client.get("/admin/audit").get_data(as_text=True)
    assert "Rita Recruiter rescheduled Eli Novak&#39;s system design interview" in html
    assert "Rita Recruiter: some new thing (Eli Novak)" in html
    for _ in range(20):
        record(db_session, Actor(rita), "interview_rescheduled", interview)
        make_user("interviewer")
    db_session.flush()
    assert queries_for(admin_client, count_queries, "/admin/audit") == few


def test_sign_ins_and_changes_are_apart_and_filters_stay_on_the_page_links(
        app, db_session, admin_client, make_user):
    victim = make_user("interviewer", email="victim@example.com", name="Vic Tim")
    log_in(app.test_client(), victim.email, "not-the-password")
    add_events(db_session, 60, "login")
    sign_ins = admin_client.get("/admin/audit?kind=sign_ins").get_data(as_text=True)
    changes = admin_client.get("/admin/audit?kind=changes").get_data(as_text=True)
    assert 'data-action="user_created"' in changes and 'data-action="login' not in changes
    assert 'data-action="login"' in sign_ins and 'data-action="user_created"' not in sign_ins
    older = sign_ins.split('rel="next" href="', 1)[1].split('"', 1)[0]
    assert "kind=sign_ins" in older.replace("&amp;", "&")
    second = admin_client.get(older.replace("&amp;", "&")).get_data(as_text=True)
    assert "A failed sign-in as Vic Tim (password)" in second  # the oldest, on page two
    assert 'data-action="user_created"' not in second


def test_filters_by_who_object_and_day(app, db_session, admin_client, make_user):
    from datetime import timedelta

    from interviewloop.audit.models import AuditEvent
    from interviewloop.db import utcnow

    victim = make_user("interviewer", email="victim@example.com", name="Vic Tim")
    other = make_user("interviewer", email="other@example.com")
    by_boss = admin_client.get("/admin/audit?who=BOSS@example.com").get_data(as_text=True)
    assert 'data-action="login"' in by_boss  # the boss's sign-in
    assert 'data-action="user_created"' not in by_boss  # made by the system (make_user)
    one = admin_client.get(f"/admin/audit?object_type=users&object_id={victim.id}")
    html = one.get_data(as_text=True)
    assert "created the user Vic Tim" in html and f"users #{other.id}<" not in html
    old = db_session.get(AuditEvent, db_session.query(AuditEvent.id).filter_by(
        object_id=other.id, action="user_created").scalar())
    old.at = utcnow() - timedelta(days=40)
    db_session.flush()
    day = (utcnow() - timedelta(days=40)).date().isoformat()
    that_day = admin_client.get(f"/admin/audit?since={day}&until={day}").get_data(as_text=True)
    assert f"users #{other.id}<" in that_day and 'data-action="login"' not in that_day
    since = admin_client.get(f"/admin/audit?since={utcnow().date()}").get_data(as_text=True)
    assert f"users #{other.id}<" not in since and f"users #{victim.id}<" in since
