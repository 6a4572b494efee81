"""Issue 11, recruiters: who owes each of a candidate's scorecards, due or overdue, and a
"send a reminder" button: a queued email to the interviewer who owes it (nothing from any
other scorecard), at most one per scorecard per few hours, which the database decides (two
clicks at once send one)."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from interviewloop.audit.models import AuditEvent
from interviewloop.audit.service import Actor
from interviewloop.db import utcnow, writing
from interviewloop.errors import Conflict
from interviewloop.outbox.models import OutboxMail
from interviewloop.scorecards import chase
from tests.conftest import post
from tests.factories import (
    add_to_team,
    make_candidate_with_loop,
    make_interview,
    make_requisition,
    next_monday,
    past_interview,
    write_scorecard,
)
from tests.test_scheduling_race import race_engine  # noqa: F401 - the fixture

SECRET = "Debugged the retrieval drift with a shadow index."  # b's evidence: never mailed


@pytest.fixture
def w(db_session, bank, make_user):
    manager, recruiter = make_user("hiring_manager"), make_user("recruiter")
    a, b, c = (make_user("interviewer", name=n) for n in ("Ada Late", "Bo Done", "Cy Later"))
    req = make_requisition(db_session, manager, recruiter)
    add_to_team(db_session, req, manager, a, b, c)
    candidate, loop = make_candidate_with_loop(db_session, req, recruiter)
    late = past_interview(db_session, req, recruiter, candidate, loop.stages[0], [a, b],
                          ended_hours_ago=30)
    soon = past_interview(db_session, req, recruiter, candidate, loop.stages[1], [c],
                          ended_hours_ago=2)
    make_interview(db_session, req, recruiter, candidate, loop.stages[2], [a, b, c],
                   next_monday())  # still to come: owes nothing
    write_scorecard(db_session, b, req, late, evidence=SECRET)
    return SimpleNamespace(db=db_session, manager=manager, recruiter=recruiter, a=a, b=b, c=c,
                           req=req, candidate=candidate, late=late, soon=soon)


def url(w, interview, person) -> str:
    return (f"/requisitions/{w.req.id}/candidates/{w.candidate.id}/scorecards/owed/"
            f"{interview.id}/{person.id}/remind")


def chase_mail(db) -> list[OutboxMail]:
    return list(db.scalars(select(OutboxMail).where(
        OutboxMail.idempotency_key.like("scorecard-reminder:%:chase:%"))
        .order_by(OutboxMail.id)))


def test_the_owed_list_tells_overdue_from_due_and_names_who_owes(w):
    owed = chase.owed_for(w.db, w.candidate, now=utcnow(), due_hours=24)
    assert [(o.interviewer.name, o.overdue(utcnow())) for o in owed] == [
        ("Ada Late", True), ("Cy Later", False)]


def test_a_reminder_is_mailed_once_and_a_second_click_is_refused_beside_it(w, login):
    client = login(w.recruiter)
    panel = f"/requisitions/{w.req.id}/candidates/{w.candidate.id}/scorecards"
    page = client.get(panel).get_data(as_text=True)
    owed = page.split('id="owed-list"')[1]
    assert "Ada Late" in owed and "Cy Later" in owed and "Bo Done" not in owed
    assert "Overdue" in owed and "Due</span>" in owed
    response = post(client, url(w, w.late, w.a))
    assert response.status_code == 302 and response.location.endswith(f"{panel}#remind-sent")
    # The confirmation is beside Ada's row (the redirect's fragment), once: not on a reload.
    confirmed = client.get(panel).get_data(as_text=True)
    ada_row = confirmed.split("Ada Late</td>")[1].split("</tr>")[0]
    assert 'id="remind-sent"' in ada_row and "Reminder queued for Ada Late." in ada_row
    assert confirmed.count('id="remind-sent"') == 1
    assert 'id="remind-sent"' not in client.get(panel).get_data(as_text=True)
    [mail] = chase_mail(w.db)
    assert mail.recipient == w.a.email
    assert f"/interviews/{w.late.id}/scorecard" in mail.body and "was due" in mail.body
    assert SECRET not in mail.body and "Bo Done" not in mail.body
    assert w.db.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "scorecard_reminder_sent")) == 1
    again = post(client, url(w, w.late, w.a))
    assert again.status_code == 409
    text = again.get_data(as_text=True)
    refusal = text.split('id="remind-refused"')[1].split("</p>")[0]
    assert "Ada Late was reminded a moment ago; you can remind them again at" in refusal
    assert text.index('id="remind-refused"') > text.index("Ada Late</td>")  # beside its row
    assert len(chase_mail(w.db)) == 1
    page = client.get(panel).get_data(as_text=True)
    assert "last sent" in page and "disabled" in page.split("Ada Late</td>")[1].split("</tr>")[0]
    # Cy's card is a different scorecard: its button still works.
    assert post(client, url(w, w.soon, w.c)).status_code == 302
    assert len(chase_mail(w.db)) == 2


def test_the_window_passes_and_cards_not_owed_are_refused(w):
    actor, now = Actor(w.manager), utcnow()

    def send(interview, person, at):
        return chase.send_reminder(w.db, actor, w.req, w.candidate, interview.id, person.id,
                                   now=at, due_hours=24)

    send(w.late, w.a, now)
    with pytest.raises(Conflict, match="was reminded 30 minutes ago"):
        send(w.late, w.a, now + timedelta(minutes=30))
    send(w.late, w.a, now + chase.CHASE_WINDOW)  # the window has passed: a second one
    with pytest.raises(Conflict, match="not owed"):
        send(w.late, w.b, now)  # submitted
    assert len(chase_mail(w.db)) == 2


def test_the_dashboard_links_its_owed_count_to_who_owes_them(w, login):
    html = login(w.manager).get(f"/requisitions/{w.req.id}/dashboard").get_data(as_text=True)
    cell = html.split('<td class="owed">')[1].split("</td>")[0]
    assert f"/candidates/{w.candidate.id}/scorecards#owed" in cell


# --- two clicks at once (two real connections) -----------------------------------------------

def _owed_on(engine, ids) -> tuple[int, int, int]:
    from interviewloop.auth.models import User

    with Session(writing(engine), expire_on_commit=False) as session:
        manager, recruiter, interviewer = (session.get(User, ids[k]) for k in (
            "hiring_manager", "recruiter", "interviewer"))
        req = make_requisition(session, manager, recruiter)
        add_to_team(session, req, manager, interviewer)
        candidate, loop = make_candidate_with_loop(session, req, recruiter,
                                                   email=f"chase{time.monotonic_ns()}@x.org")
        interview = past_interview(session, req, recruiter, candidate, loop.stages[0],
                                   [interviewer], ended_hours_ago=30)
        session.commit()
        return req.id, candidate.id, interview.id


def test_two_reminders_at_once_send_one(race_engine):  # noqa: F811
    from interviewloop.auth.models import User
    from interviewloop.requisitions import service as requisitions
    from interviewloop.requisitions.models import Candidate

    engine, ids = race_engine
    req_id, candidate_id, interview_id = _owed_on(engine, ids)
    gate, outcome = threading.Barrier(2), {}

    def click(key: str, delay: float, hold: float) -> None:
        gate.wait()
        time.sleep(delay)
        with Session(writing(engine)) as session:
            try:
                recruiter = session.get(User, ids["recruiter"])
                req = requisitions.get_requisition(session, recruiter, req_id)
                chase.send_reminder(session, Actor(recruiter), req,
                                    session.get(Candidate, candidate_id), interview_id,
                                    ids["interviewer"], now=utcnow(), due_hours=24)
                time.sleep(hold)  # the other click arrives while this one is uncommitted
                session.commit()
                outcome[key] = "sent"
            except Exception as exc:  # reported, not raised in the thread
                session.rollback()
                outcome[key] = repr(exc)

    # Whichever claims first holds its transaction open while the other arrives.
    threads = [threading.Thread(target=click, args=(key, delay, 0.5))
               for key, delay in (("first", 0), ("second", 0.1))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    won, lost = sorted(outcome.values(), key=lambda o: o != "sent")
    assert won == "sent" and "was reminded a moment ago" in lost, outcome
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(OutboxMail).where(
            OutboxMail.idempotency_key.like(f"scorecard-reminder:{interview_id}:%:chase:%"))) == 1
