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


def add_events(session, count: int, action: str = "login", *, actor_id: int | None = None,
               object_type: str | None = None, object_id: int | None = None,
               **detail) -> None:
    """``count`` events in one statement, each with ``detail`` and its number."""
    from sqlalchemy import insert

    from interviewloop.audit.models import AuditEvent
    from interviewloop.db import utcnow

    now = utcnow()
    session.execute(insert(AuditEvent), [
        {"at": now, "actor_id": actor_id, "action": action, "object_type": object_type,
         "object_id": object_id, "ip": None, "detail": {**detail, "n": n}}
        for n in range(count)])
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


def _filtered_world(db_session, make_user, by: str) -> tuple[str, list[dict], list[dict]]:
    """(the query, events it matches, events it does not), for a filter ``by``: the action,
    a user (by them, their account, named in the detail) or a candidate (theirs, or named)."""
    if by == "action":
        return "action=filtered", [{"action": "filtered"}], [{"action": "other"}]
    vic, other = make_user(email="vic@example.com"), make_user()
    if by == "user":
        return "who=vic@example.com", [
            {"actor_id": vic.id}, {"object_type": "users", "object_id": vic.id},
            {"user_id": vic.id}, {"interviewer_id": vic.id}], [
            {"actor_id": other.id}, {"object_type": "users", "object_id": other.id},
            {"user_id": other.id}, {"object_type": "candidates", "object_id": vic.id}]
    from tests.factories import make_candidate, make_requisition

    recruiter = make_user("recruiter")
    req = make_requisition(db_session, make_user("hiring_manager"), recruiter)
    eli = make_candidate(db_session, req, recruiter, 1, email="eli@example.net")
    zoe = make_candidate(db_session, req, recruiter, 2, email="zoe@example.net")
    return "who=eli@example.net", [
        {"object_type": "candidates", "object_id": eli.id}, {"candidate_id": eli.id}], [
        {"object_type": "candidates", "object_id": zoe.id}, {"candidate_id": zoe.id},
        {"object_type": "users", "object_id": eli.id}]


def _add_mixed(session, count: int, kinds: list[dict]) -> None:
    for k, fields in enumerate(kinds):
        fields = dict(fields)
        add_events(session, count // len(kinds) + (k < count % len(kinds)),
                   fields.pop("action", "something_done"), **fields)


@pytest.mark.parametrize("by", ["action", "user", "candidate"])
def test_a_filtered_page_makes_as_many_queries_with_5_and_605_events(
        db_session, admin_client, make_user, count_queries, by):
    query, matching, other = _filtered_world(db_session, make_user, by)
    before = int(event_count(admin_client, f"?{query}").split()[0])  # the setup's own
    _add_mixed(db_session, 5, matching)
    _add_mixed(db_session, 5, other)
    few = queries_for(admin_client, count_queries, f"/admin/audit?{query}")
    assert event_count(admin_client, f"?{query}") == f"{before + 5} events"
    _add_mixed(db_session, 600, matching)
    _add_mixed(db_session, 600, other)
    with count_queries() as statements:
        assert event_count(admin_client, f"?{query}") == f"{before + 605} events"
    assert queries_for(admin_client, count_queries, f"/admin/audit?{query}") == few
    # In SQL: every read of the log is a page or a capped count, never the whole log.
    reads = [s for s in statements if "FROM audit_events" in s and "known" not in s]
    assert reads and all("LIMIT" in s.upper() for s in reads), reads


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
    # Made by the system (make_user), but about the boss: theirs; the others' are not.
    assert "created the user User 1<" in by_boss and "Vic Tim" not in by_boss
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


# --- "who": what a person did, and what was done about them -----------------------------------

def sentences(client, query: str) -> list[str]:
    response = client.get(f"/admin/audit?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    html = response.get_data(as_text=True)
    return [row.split("<br>", 1)[0].replace("&#39;", "'")
            for row in html.split('<td class="sentence">')[1:]]


def test_who_finds_what_was_done_about_a_user_as_well_as_what_they_did(
        app, db_session, admin_client, make_user):
    from interviewloop.audit.service import Actor, record
    from interviewloop.auth.models import LoginSession
    from interviewloop.requisitions import service as requisitions
    from tests.factories import make_requisition

    boss = make_user("admin", email="chief@example.com", name="Cat Chief")
    vic = make_user("interviewer", email="vic@example.com", name="Vic Tim")
    other = make_user("interviewer", email="other@example.com", name="Oda Other")
    manager, recruiter = make_user("hiring_manager"), make_user("recruiter", name="Rae Cruiter")
    req = make_requisition(db_session, manager, recruiter, title="Platform AI Engineer")
    for person in (vic, other):
        requisitions.add_member(db_session, Actor(recruiter), req, person.id)
    record(db_session, Actor(boss), "user_deactivated", vic)
    record(db_session, Actor(boss), "user_updated", other, changes={"name": "x"})
    record(db_session, Actor(recruiter), "scorecard_reminder_sent", None, interviewer_id=vic.id)
    db_session.flush()
    log_in(app.test_client(), vic.email)  # by Vic: a sign-in (its session is Vic's too)
    log_in(app.test_client(), other.email)
    [session_id] = db_session.scalars(select_sessions(LoginSession, vic.id))
    add_events(db_session, 1, "session_idle_expired", object_type="login_sessions",
               object_id=session_id)  # no user named in the detail: the session is Vic's
    shown = sentences(admin_client, "who=VIC@example.com")
    assert shown == [
        "Vic Tim's session ended after a time idle",
        "Vic Tim signed in (password)",
        "Rae Cruiter reminded Vic Tim of a scorecard",
        "Cat Chief deactivated Vic Tim",
        "Rae Cruiter added Vic Tim to the hiring team of Platform AI Engineer",
        "The system created the user Vic Tim",
    ]
    assert event_count(admin_client, "?who=vic@example.com") == "6 events"
    # The actor's own events still match by actor: Rae's, none of them about Vic alone.
    by_rae = sentences(admin_client, f"who={recruiter.email}")
    assert "Rae Cruiter added Oda Other to the hiring team of Platform AI Engineer" in by_rae
    assert "The system created the user Vic Tim" not in by_rae
    # With the other filters: Vic's sign-ins only.
    assert sentences(admin_client, "who=vic@example.com&kind=sign_ins") == [
        "Vic Tim's session ended after a time idle",
        "Vic Tim signed in (password)"]


def select_sessions(model, user_id: int):
    from sqlalchemy import select

    return select(model.id).where(model.user_id == user_id)


def test_who_finds_a_candidates_entries_on_every_requisition(
        db_session, bank, admin_client, make_user):
    """Rita rescheduled Eli's interview: filtered by Eli's email, the entry is there, with
    everything else about Eli as a candidate (on both requisitions he applied to), the mail
    sent to him, and nothing about another candidate."""
    from interviewloop.audit.service import Actor, record
    from interviewloop.outbox.service import queue_mail
    from tests.factories import held_interview, make_candidate, make_requisition, write_scorecard

    rita = make_user("recruiter", email="rita@example.com", name="Rita Recruiter")
    made = held_interview(db_session, make_user)
    made["candidate"].name = "Eli Novak"
    made["candidate"].email = "eli@example.net"
    made["loop"].stages[0].name = "System design"
    record(db_session, Actor(rita), "interview_rescheduled", made["interview"])
    made["second"].name = "Sam Second"
    record(db_session, Actor(rita), "scorecard_reminder_sent", made["interview"],
           interviewer_id=made["second"].id, candidate_id=made["candidate"].id)
    write_scorecard(db_session, made["first"], made["requisition"], made["interview"])
    other = make_candidate(db_session, made["requisition"], made["recruiter"], 2,
                           email="zoe@example.net")
    record(db_session, Actor(rita), "candidate_updated", other, fields=["notes"])
    again = make_requisition(db_session, made["manager"], rita, title="Second requisition")
    make_candidate(db_session, again, rita, 3, email="eli@example.net").name = "Eli Novak"
    mail = queue_mail(db_session, key="test:eli", to="Eli@example.net", subject="Hi",
                      body="Hello")
    add_events(db_session, 1, "mail_sent_again", object_type="outbox_mail", object_id=mail.id)
    db_session.flush()
    shown = sentences(admin_client, "who=eli@example.net")
    assert "Rita Recruiter rescheduled Eli Novak's system design interview" in shown
    assert sum("added the candidate Eli Novak" in s for s in shown) == 2  # both requisitions
    assert any("built Eli Novak's loop" in s for s in shown)
    assert any("scheduled Eli Novak's system design interview" in s for s in shown)
    assert any("submitted a scorecard for Eli Novak's system design interview" in s
               for s in shown)
    assert f"The system: mail sent again (outbox_mail #{mail.id})" in shown
    reminded = ("Rita Recruiter reminded Sam Second of their scorecard for Eli Novak's system "
                "design interview")
    assert reminded in shown  # about Eli, and about Sam:
    assert reminded in sentences(admin_client, f"who={made['second'].email}")
    assert not any("Candidate 2" in s for s in shown)
    assert event_count(admin_client, "?who=eli@example.net") == f"{len(shown)} events"
    # Rita's own: by her (the reschedule, the other candidate's update), not the scorecard.
    by_rita = sentences(admin_client, "who=rita@example.com")
    assert "Rita Recruiter rescheduled Eli Novak's system design interview" in by_rita
    assert "Rita Recruiter updated the candidate Candidate 2" in by_rita
    assert not any("submitted a scorecard" in s for s in by_rita)
    # The object filter names the mail's table (it said "outbox", which no event has).
    by_object = sentences(admin_client, f"object_type=outbox_mail&object_id={mail.id}")
    assert by_object == [f"The system: mail sent again (outbox_mail #{mail.id})"]


def test_who_with_an_email_nobody_has_is_a_form_error(admin_client):
    response = admin_client.get("/admin/audit?who=nobody@example.com")
    assert response.status_code == 400
    assert "No user or candidate has that email." in response.get_data(as_text=True)


@pytest.mark.parametrize("detail", [
    None, {}, {"b": 1, "a": "<script>'x' & \"y\"</script>"}, {"name": "Zoë Ł 日本"},
    {"list": [1, None, True, 2.5], "nested": {"z": "é", "a": ["<>"]}}])
def test_a_detail_reads_as_the_tojson_filter_writes_it(app, detail):
    # The page writes each row's detail once in Python (audit_log.detail_json), not with
    # the template's filter: it must stay the same bytes.
    from interviewloop.admin.audit_log import detail_json

    with app.app_context():
        expected = app.jinja_env.from_string('{{ d|tojson if d else "" }}').render(d=detail)
        assert app.jinja_env.from_string("{{ j }}").render(j=detail_json(detail)) == expected
