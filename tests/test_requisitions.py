"""Requisitions: definition, the team's agreement, opening, access and compensation notes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from interviewloop.audit.models import AuditEvent
from interviewloop.audit.service import Actor
from interviewloop.errors import Conflict, Forbidden, NotFound
from interviewloop.requisitions import service
from interviewloop.requisitions.models import RequisitionStatus
from tests.factories import ANSWERS, make_requisition, requisition_input


@pytest.fixture
def people(make_user):
    return {
        "manager": make_user("hiring_manager"),
        "recruiter": make_user("recruiter"),
        "interviewer": make_user("interviewer"),
        "outsider": make_user("interviewer", "hiring_manager", "recruiter"),
        "admin": make_user("admin"),
    }


def test_opening_is_refused_until_answered_and_confirmed_and_says_what_is_missing(db_session,
                                                                                  people):
    manager, recruiter = people["manager"], people["recruiter"]
    requisition = service.create_requisition(db_session, Actor(recruiter), requisition_input(
        manager, recruiter, answers={**ANSWERS, "fails_in_seat": "  "}))
    with pytest.raises(Conflict) as refused:
        service.open_requisition(db_session, Actor(recruiter), requisition)
    message = str(refused.value)
    assert "Which candidate would fail in this seat?" in message
    assert "hiring manager has not confirmed" in message
    assert "recruiter has not confirmed" in message
    assert requisition.status == RequisitionStatus.DRAFT

    service.update_requisition(db_session, Actor(recruiter), requisition,
                               requisition_input(manager, recruiter), seen_version=requisition.version)
    service.confirm_definition(db_session, Actor(manager), requisition)
    with pytest.raises(Conflict, match="recruiter has not confirmed") as refused:
        service.open_requisition(db_session, Actor(recruiter), requisition)
    assert "hiring manager" not in str(refused.value)
    service.confirm_definition(db_session, Actor(recruiter), requisition)
    service.open_requisition(db_session, Actor(recruiter), requisition)
    assert requisition.status == RequisitionStatus.OPEN
    assert requisition.opened_at is not None


def test_changing_the_definition_clears_both_confirmations(db_session, people):
    manager, recruiter = people["manager"], people["recruiter"]
    requisition = make_requisition(db_session, manager, recruiter)
    assert requisition.is_confirmed
    # A change that is not part of the definition keeps them.
    service.update_requisition(db_session, Actor(manager), requisition, requisition_input(
        manager, recruiter, hide_scorecards_until_debrief=True), seen_version=requisition.version)
    assert requisition.is_confirmed
    service.update_requisition(db_session, Actor(manager), requisition, requisition_input(
        manager, recruiter, hide_scorecards_until_debrief=True, comp_max=260_000),
        seen_version=requisition.version)
    assert requisition.manager_confirmed_at is None
    assert requisition.recruiter_confirmed_at is None
    event = db_session.scalars(select(AuditEvent).where(
        AuditEvent.action == "requisition_updated").order_by(AuditEvent.id.desc())).first()
    assert event.detail["fields"] == ["comp_max"]
    assert event.detail["confirmations_cleared"] is True


def test_a_stale_edit_is_refused(db_session, people):
    manager, recruiter = people["manager"], people["recruiter"]
    requisition = make_requisition(db_session, manager, recruiter, status="draft")
    seen = requisition.version
    service.update_requisition(db_session, Actor(manager), requisition, requisition_input(
        manager, recruiter, team="Search"), seen_version=seen)
    with pytest.raises(service.StaleRequisition):
        service.update_requisition(db_session, Actor(recruiter), requisition, requisition_input(
            manager, recruiter, team="Ranking"), seen_version=seen)
    assert requisition.team == "Search"


def test_an_open_requisition_keeps_its_answers(db_session, people):
    manager, recruiter = people["manager"], people["recruiter"]
    requisition = make_requisition(db_session, manager, recruiter)
    with pytest.raises(service.InvalidRequisition, match="keeps every operating question"):
        service.update_requisition(db_session, Actor(manager), requisition, requisition_input(
            manager, recruiter, answers={**ANSWERS, "ships": ""}),
            seen_version=requisition.version)


@pytest.mark.parametrize(("overrides", "field"), [
    ({"comp_min": 200_000, "comp_max": 100_000}, "comp_max"),
    ({"comp_min": -1}, "comp_min"),
    ({"comp_currency": "dollars"}, "comp_currency"),
    ({"level": "principal"}, "level"),
    ({"title": " "}, "title"),
])
def test_bad_definitions_are_refused(db_session, people, overrides, field):
    with pytest.raises(service.InvalidRequisition) as refused:
        service.create_requisition(db_session, Actor(people["recruiter"]), requisition_input(
            people["manager"], people["recruiter"], **overrides))
    assert refused.value.field == field


def test_manager_and_recruiter_must_hold_their_roles(db_session, people):
    with pytest.raises(service.InvalidRequisition, match="hiring manager"):
        service.create_requisition(db_session, Actor(people["recruiter"]), requisition_input(
            people["interviewer"], people["recruiter"]))
    with pytest.raises(Forbidden):
        service.create_requisition(db_session, Actor(people["interviewer"]), requisition_input(
            people["manager"], people["recruiter"]))


def test_only_the_hiring_team_and_admins_see_a_requisition(db_session, people):
    manager, recruiter = people["manager"], people["recruiter"]
    requisition = make_requisition(db_session, manager, recruiter)
    service.add_member(db_session, Actor(recruiter), requisition, people["interviewer"].id)
    for who in ("manager", "recruiter", "interviewer", "admin"):
        assert service.get_requisition(db_session, people[who], requisition.id).id == requisition.id
        assert [r.id for r, *_ in service.visible_requisitions(db_session, people[who])] == [
            requisition.id]
    # Holding every role is not enough: it is the hiring team that decides.
    with pytest.raises(NotFound):
        service.get_requisition(db_session, people["outsider"], requisition.id)
    assert service.visible_requisitions(db_session, people["outsider"]) == []
    assert not service.can_manage(people["interviewer"], requisition)
    with pytest.raises(Forbidden):
        service.close_requisition(db_session, Actor(people["interviewer"]), requisition)


def test_team_members_are_active_interviewers_once(db_session, people, make_user):
    manager, recruiter = people["manager"], people["recruiter"]
    requisition = make_requisition(db_session, manager, recruiter)
    service.add_member(db_session, Actor(recruiter), requisition, people["interviewer"].id)
    with pytest.raises(Conflict, match="already on the hiring team"):
        service.add_member(db_session, Actor(recruiter), requisition, people["interviewer"].id)
    with pytest.raises(service.InvalidRequisition):
        service.add_member(db_session, Actor(recruiter), requisition, recruiter.id)
    with pytest.raises(service.InvalidRequisition):
        service.add_member(db_session, Actor(recruiter), requisition,
                           make_user("interviewer", active=False).id)
    service.remove_member(db_session, Actor(recruiter), requisition, people["interviewer"].id)
    with pytest.raises(NotFound):
        service.get_requisition(db_session, people["interviewer"], requisition.id)


REFERENCES = service.parse_comp_references([
    {"label": "Median", "amount": 140_910}, {"label": "Average", "amount": 206_000}])


@pytest.mark.parametrize(("level", "comp_max", "currency", "expected"), [
    ("senior", 130_000, "USD", ["Median: 140,910 USD", "Average: 206,000 USD"]),
    ("staff", 180_000, "USD", ["Average: 206,000 USD"]),
    ("staff", 250_000, "USD", []),
    ("junior", 90_000, "USD", []),
    ("senior", 90_000, "EUR", ["compare this EUR band"]),
])
def test_compensation_notice_for_low_senior_and_staff_bands(db_session, people, level,
                                                            comp_max, currency, expected):
    requisition = make_requisition(db_session, people["manager"], people["recruiter"],
                                   status="draft", level=level, comp_min=50_000,
                                   comp_max=comp_max, comp_currency=currency)
    notices = " ".join(service.comp_notices(requisition, REFERENCES))
    for phrase in expected:
        assert phrase in notices
    assert bool(notices) == bool(expected)


def test_closing(db_session, people):
    requisition = make_requisition(db_session, people["manager"], people["recruiter"],
                                   status="draft")
    service.close_requisition(db_session, Actor(people["manager"]), requisition)
    assert requisition.status == RequisitionStatus.CLOSED
    with pytest.raises(Conflict):
        service.close_requisition(db_session, Actor(people["manager"]), requisition)
    with pytest.raises(Conflict, match="closed"):
        service.update_requisition(db_session, Actor(people["manager"]), requisition,
                                   requisition_input(people["manager"], people["recruiter"]),
                                   seen_version=requisition.version)
