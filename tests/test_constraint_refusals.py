"""A constraint that fires in the database (two people creating the same email, slug or
candidate at once) is a clear 409 or 422 with nothing saved, never a 500 (issue 9, bug 11).

The race is made deterministic: the service's own check is made blind, as it is when the
other person's row commits between the check and the insert; the database's constraint is
the real one."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from interviewloop.auth import service as users
from interviewloop.auth.models import User
from interviewloop.bank import service as bank_service
from interviewloop.bank.models import Question
from interviewloop.constraints import UNKNOWN, explanation_for, named_constraints
from interviewloop.models import Base
from interviewloop.requisitions import candidates
from interviewloop.requisitions.models import Candidate
from tests.conftest import post
from tests.factories import make_candidate, make_requisition


def test_every_named_constraint_says_what_it_means():
    names = named_constraints(Base.metadata)
    assert len(names) > 100
    unexplained = sorted(n for n in names if explanation_for(n, Base.metadata) is UNKNOWN)
    assert unexplained == []
    assert {explanation_for(n, Base.metadata).status for n in names} == {409, 422}


def count(db_session, model, **where) -> int:
    return db_session.scalar(select(func.count()).select_from(model).filter_by(**where))


def test_two_admins_creating_the_same_email_at_once(db_session, make_user, login,
                                                    monkeypatch):
    existing = make_user("interviewer", email="same@example.com")
    client = login(make_user("admin"))
    monkeypatch.setattr(users, "find_user_by_email", lambda _session, _email: None)
    response = post(client, "/admin/users/new", {
        "email": existing.email, "name": "Second", "password": "another-long-passphrase",
        "roles": "interviewer", "time_zone": "UTC"})
    assert response.status_code == 409
    assert "An account with this email address already exists" in response.get_data(
        as_text=True)
    assert count(db_session, User, email="same@example.com") == 1


def test_two_editors_adding_a_question_with_the_same_slug_at_once(db_session, bank, make_user,
                                                                  login, monkeypatch):
    taken = db_session.scalar(select(Question.slug).limit(1))
    client = login(make_user("hiring_manager"))
    monkeypatch.setattr(bank_service, "unique_slug", lambda _session, _title: taken)
    areas = [a.slug for a in bank_service.areas(db_session)][:1]
    before = count(db_session, Question)
    response = post(client, "/bank/questions/new", {
        "title": "Walk through a rollback", "category": "system_design",
        "prompt": "How would you roll back a bad model?", "signals": "a\nb\nc",
        "red_flags": "x\ny", "areas": areas, "levels": ["senior"], "minutes": "30"})
    assert response.status_code == 409, response.get_data(as_text=True)[:300]
    assert "A question with this title already exists" in response.get_data(as_text=True)
    assert count(db_session, Question) == before


def test_two_recruiters_adding_the_same_candidate_at_once(db_session, make_user, login,
                                                          monkeypatch):
    manager, recruiter = make_user("hiring_manager"), make_user("recruiter")
    requisition = make_requisition(db_session, manager, recruiter)
    first = make_candidate(db_session, requisition, recruiter, email="twice@example.net")
    monkeypatch.setattr(candidates, "candidate_with_email", lambda *_args: None)
    response = post(login(recruiter), f"/requisitions/{requisition.id}/candidates/new", {
        "name": "Same Person", "email": first.email, "source": "", "notes": ""})
    assert response.status_code == 409
    assert "already on this requisition" in response.get_data(as_text=True)
    assert count(db_session, Candidate, email="twice@example.net") == 1


@pytest.mark.parametrize(("name", "status", "words"), [
    ("ck_users_name_length", 422, "Name is empty or too long."),
    ("ck_candidates_status", 422, "Status is not one of the known values."),
    ("ck_interviews_sequence_nonnegative", 422, "Sequence cannot be negative."),
    ("fk_interviews_stage_id_loop_stages", 409, "changed or removed a moment ago"),
    ("uq_interviews_live_stage", 409, "already has a live interview"),
])
def test_explanations_are_specific_or_follow_the_constraint_name(name, status, words):
    explanation = explanation_for(name, Base.metadata)
    assert explanation.status == status and words in explanation.message
