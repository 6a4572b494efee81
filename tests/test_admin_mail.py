"""The admin's mail page (/admin/mail), and invites end to end through the pages: a
recruiter books and reschedules in the browser's forms, the job is queued when the request
commits, `interviewloop worker --burst` sends through a real SMTP server, or, under
MAIL_DELIVERY=outbox, the admin reads the kept mail on the page."""

from __future__ import annotations

import re

import pytest
from markupsafe import escape

from interviewloop import create_app
from interviewloop.outbox.service import queue_mail
from interviewloop.queue import task_queue
from tests.conftest import app_config, log_in, post
from tests.factories import add_to_team, make_candidate_with_loop, make_requisition, next_monday
from tests.mailserver import smtp_server
from tests.test_query_counts_pages import link

SENDER = "loops@hiring.example.test"


@pytest.fixture
def smtp():
    with smtp_server(SENDER) as server:
        yield server


@pytest.fixture
def make_app(connection, tmp_path, smtp):
    def make(**overrides):
        return create_app(app_config(
            DB_BIND=connection, DATABASE_URL="sqlite://", SMTP_FROM=SENDER,
            SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port,
            TASK_QUEUE_URL=f"sqlite:///{tmp_path / 'tasks.db'}", **overrides))

    return make


def client_for(app, user):
    client = app.test_client()
    assert log_in(client, user.email).status_code == 302
    return client


@pytest.mark.parametrize(("role", "status"), [
    ("admin", 200), ("recruiter", 403), ("hiring_manager", 403), ("interviewer", 403)])
def test_only_admins_read_the_mail(make_app, make_user, db_session, role, status):
    mail = queue_mail(db_session, key="k", to="ann@example.net", subject="Hello", body="Hi.")
    db_session.flush()
    client = client_for(make_app(), make_user(role))
    for url in ("/admin/mail", f"/admin/mail/{mail.id}"):
        response = client.get(url)
        assert response.status_code == status, url
        assert ("ann@example.net" in response.get_data(as_text=True)) == (status == 200)


def test_someone_logged_out_is_sent_to_the_login_page(make_app, db_session):
    mail = queue_mail(db_session, key="k", to="ann@example.net", subject="Hello", body="Hi.")
    db_session.flush()
    client = make_app().test_client()
    for url in ("/admin/mail", f"/admin/mail/{mail.id}"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_mail_list_is_newest_first_and_paginated(make_app, make_user, db_session):
    for n in range(51):
        queue_mail(db_session, key=f"k{n}", to=f"p{n}@example.net", subject=f"Message {n}",
                   body=".")
    db_session.flush()
    client = client_for(make_app(), make_user("admin"))
    first = client.get("/admin/mail").get_data(as_text=True)
    subjects = re.findall(r">(Message \d+)</a>", first)
    assert len(subjects) == 50 and subjects[0] == "Message 50" and subjects[-1] == "Message 1"
    assert "51 messages" in first
    older = link(first, "next")
    assert older is not None and link(first, "prev") is None
    second = client.get(older).get_data(as_text=True)
    assert re.findall(r">(Message \d+)</a>", second) == ["Message 0"]
    assert link(second, "next") is None
    newer = link(second, "prev")
    assert newer is not None
    assert re.findall(r">(Message \d+)</a>", client.get(newer).get_data(as_text=True)) == subjects
    for bad in ("after=0", "after=x", "before=-1", "after=" + "A" * 600):
        assert client.get(f"/admin/mail?{bad}").status_code == 400, bad
    assert client.get("/admin/mail/999999").status_code == 404


@pytest.fixture
def booking(db_session, bank, make_user):
    manager = make_user("hiring_manager", name="Hana Manager")
    recruiter = make_user("recruiter", name="Rui Recruiter")
    alice = make_user("interviewer", name="Alice Interviewer")
    bob = make_user("interviewer", name="Bob Interviewer")
    req = make_requisition(db_session, manager, recruiter)
    add_to_team(db_session, req, manager, alice, bob)
    candidate, loop = make_candidate_with_loop(db_session, req, recruiter)
    db_session.flush()
    stage = loop.stages[0]
    url = f"/requisitions/{req.id}/candidates/{candidate.id}/stages/{stage.id}/schedule"
    return {"recruiter": recruiter, "alice": alice, "bob": bob, "candidate": candidate,
            "url": url, "admin": make_user("admin")}


def form(people, starts_at) -> dict:
    return {"interviewers": [str(p.id) for p in people],
            "starts_at": starts_at.strftime("%Y-%m-%dT%H:%M"), "minutes": "45",
            "location": "https://video.example/room"}


def test_under_make_run_the_admin_reads_the_invites_that_were_not_sent(make_app, booking,
                                                                       smtp):
    app = make_app(MAIL_DELIVERY="outbox")
    recruiter = client_for(app, booking["recruiter"])
    done = post(recruiter, booking["url"], form([booking["alice"]], next_monday(hour=10)))
    assert done.status_code == 302
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 0 and smtp.inbox.take() == []  # kept, not sent
    admin = client_for(app, booking["admin"])
    page = admin.get("/admin/mail").get_data(as_text=True)
    assert "MAIL_DELIVERY=outbox" in page
    links = {subject: href for href, subject in re.findall(
        r'<a href="(/admin/mail/\d+)">([^<]+)</a>', page)}
    assert len(links) == 2  # Alice's and the candidate's
    [mine] = [href for subject, href in links.items() if "your" in subject]
    shown = admin.get(mine).get_data(as_text=True)
    assert str(escape(booking["candidate"].email)) in shown
    assert "text/calendar; method=REQUEST" in shown and "METHOD:REQUEST" in shown
    assert "kept, not sent" in shown and "You will meet: Alice Interviewer" in shown


def test_a_reschedule_in_the_pages_reaches_every_inbox_after_the_request_commits(
        make_app, booking, smtp):
    app = make_app(MAIL_DELIVERY="smtp")
    recruiter = client_for(app, booking["recruiter"])
    booked = post(recruiter, booking["url"], form([booking["alice"]], next_monday(hour=10)))
    interview_url = booked.headers["Location"]
    app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert sorted(to for to, _s, _b in smtp.inbox.take()) == sorted(
        [booking["alice"].email, booking["candidate"].email])
    # A refused reschedule (the form's input is bad) queues nothing.
    bad = post(recruiter, f"{interview_url}/reschedule", {**form([booking["bob"]],
                                                                  next_monday(hour=11)),
                                                           "minutes": "0"})
    assert bad.status_code in (409, 422)
    assert task_queue(app).huey.pending_count() == 0
    moved = post(recruiter, f"{interview_url}/reschedule",
                 form([booking["bob"]], next_monday(hour=11)))
    assert moved.status_code == 302
    assert task_queue(app).huey.pending_count() == 1
    app.test_cli_runner().invoke(args=["worker", "--burst"])
    got = {str(m["To"]): m for m in smtp.inbox.messages}
    assert sorted(got) == sorted([booking["alice"].email, booking["bob"].email,
                                  booking["candidate"].email])
    method = {to: m.get_body(preferencelist=("calendar",)).get_param("method")
              for to, m in got.items()}
    assert method == {booking["alice"].email: "CANCEL", booking["bob"].email: "REQUEST",
                      booking["candidate"].email: "REQUEST"}


def test_the_mail_list_makes_the_same_queries_at_5_and_600_messages(make_app, make_user,
                                                                    db_session, count_queries):
    from sqlalchemy import insert

    from interviewloop.db import utcnow
    from interviewloop.outbox.models import OutboxMail

    client = client_for(make_app(), make_user("admin"))

    def add(start: int, n: int) -> None:
        db_session.execute(insert(OutboxMail), [
            {"idempotency_key": f"bulk{i}", "recipient": f"p{i}@example.net",
             "subject": f"Message {i}", "body": ".", "created_at": utcnow()}
            for i in range(start, start + n)])
        db_session.flush()

    def queries(url: str) -> int:
        with count_queries() as statements:
            assert client.get(url).status_code == 200
        return len(statements)

    add(0, 5)
    few = queries("/admin/mail")
    add(5, 595)
    last = "/admin/mail"
    for _ in range(11):  # to the twelfth page, the oldest messages
        last = link(client.get(last).get_data(as_text=True), "next") or ""
    assert queries("/admin/mail") == queries(last) == few
    assert "600 messages" in client.get("/admin/mail").get_data(as_text=True)
