"""A requisition's confirmation belongs to the person who gave it (issue 9, bug 7).

Changing the hiring manager or the recruiter after both confirmed used to keep the
confirmations, so the requisition opened without the new person ever agreeing.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from interviewloop.audit.models import AuditEvent
from interviewloop.audit.service import Actor
from interviewloop.cli import alembic_config
from interviewloop.errors import Conflict, Forbidden
from interviewloop.requisitions import service
from interviewloop.requisitions.models import Requisition, RequisitionStatus
from tests.conftest import migrate, new_database_url, post
from tests.factories import ANSWERS, make_requisition, requisition_input

REVISION = "3c2d5a5d1b5d"


@pytest.fixture
def people(make_user):
    return {"manager": make_user("hiring_manager"), "recruiter": make_user("recruiter"),
            "new_manager": make_user("hiring_manager"), "new_recruiter": make_user("recruiter")}


def _confirmed_draft(db_session, people):
    requisition = make_requisition(db_session, people["manager"], people["recruiter"],
                                   status="draft")
    service.confirm_definition(db_session, Actor(people["manager"]), requisition)
    service.confirm_definition(db_session, Actor(people["recruiter"]), requisition)
    assert service.opening_blockers(requisition) == []
    return requisition


@pytest.mark.parametrize(("role", "kept"), [("manager", "recruiter"), ("recruiter", "manager")])
def test_a_new_holder_of_a_role_confirms_before_it_opens(db_session, people, role, kept):
    requisition = _confirmed_draft(db_session, people)
    manager = people["new_manager"] if role == "manager" else people["manager"]
    recruiter = people["new_recruiter"] if role == "recruiter" else people["recruiter"]
    service.update_requisition(db_session, Actor(people["recruiter"]), requisition,
                               requisition_input(manager, recruiter),
                               seen_version=requisition.version)
    who = "hiring manager" if role == "manager" else "recruiter"
    assert service.opening_blockers(requisition) == [
        f"The {who} has not confirmed the role definition."]  # the other one's still stands
    with pytest.raises(Conflict, match=f"The {who} has not confirmed"):
        service.open_requisition(db_session, Actor(recruiter), requisition)
    assert requisition.status == RequisitionStatus.DRAFT

    replaced = people[role]
    with pytest.raises(Forbidden):  # the person replaced can no longer confirm
        service.confirm_definition(db_session, Actor(replaced), requisition)
    newcomer = people[f"new_{role}"]
    service.confirm_definition(db_session, Actor(newcomer), requisition)
    service.open_requisition(db_session, Actor(recruiter), requisition)
    assert requisition.status == RequisitionStatus.OPEN


@pytest.mark.parametrize(("role", "kept"), [("manager", "recruiter"), ("recruiter", "manager")])
def test_the_confirmation_records_who_gave_it_and_the_change_clears_it(db_session, people,
                                                                      role, kept):
    requisition = _confirmed_draft(db_session, people)
    assert requisition.manager_confirmed_by_id == people["manager"].id
    assert requisition.recruiter_confirmed_by_id == people["recruiter"].id
    manager = people["new_manager"] if role == "manager" else people["manager"]
    recruiter = people["new_recruiter"] if role == "recruiter" else people["recruiter"]
    service.update_requisition(db_session, Actor(people["manager"]), requisition,
                               requisition_input(manager, recruiter),
                               seen_version=requisition.version)
    assert getattr(requisition, f"{role}_confirmed_by_id") is None
    assert getattr(requisition, f"{role}_confirmed_at") is None
    assert getattr(requisition, f"{kept}_confirmed_by_id") == people[kept].id
    assert not requisition.is_confirmed
    event = db_session.scalars(select(AuditEvent).where(
        AuditEvent.action == "requisition_updated").order_by(AuditEvent.id.desc())).first()
    assert event.detail["fields"] == [("hiring_manager_id" if role == "manager" else "recruiter_id")]
    assert event.detail["cleared_confirmations"] == [role]
    assert event.detail["confirmations_cleared"] is True


def test_the_same_person_in_both_roles_confirms_both_and_keeps_one_when_replaced(db_session,
                                                                                  make_user):
    both = make_user("hiring_manager", "recruiter")
    other = make_user("recruiter")
    requisition = make_requisition(db_session, both, both, status="draft")
    service.confirm_definition(db_session, Actor(both), requisition)
    assert requisition.is_confirmed
    service.update_requisition(db_session, Actor(both), requisition,
                               requisition_input(both, other), seen_version=requisition.version)
    assert requisition.manager_confirmed_by_id == both.id
    assert requisition.recruiter_confirmed_by_id is None


@pytest.mark.parametrize("statement", [
    # the role changes hands behind the service's back: the old confirmation is refused
    "UPDATE requisitions SET hiring_manager_id = :other WHERE id = :id",
    "UPDATE requisitions SET recruiter_id = :other_recruiter WHERE id = :id",
    # a confirmation in someone else's name
    "UPDATE requisitions SET manager_confirmed_by_id = :other WHERE id = :id",
    "UPDATE requisitions SET recruiter_confirmed_by_id = :other_recruiter WHERE id = :id",
    # who without when, and when without who
    "UPDATE requisitions SET manager_confirmed_at = NULL WHERE id = :id",
    "UPDATE requisitions SET recruiter_confirmed_by_id = NULL WHERE id = :id",
])
def test_the_database_holds_the_rule(db_session, people, statement):
    requisition = _confirmed_draft(db_session, people)
    params = {"id": requisition.id, "other": people["new_manager"].id,
              "other_recruiter": people["new_recruiter"].id}
    with pytest.raises(IntegrityError), db_session.begin_nested():
        db_session.execute(text(statement), params)
    # clearing both at once, and the role with it, is allowed
    db_session.execute(text("UPDATE requisitions SET hiring_manager_id = :other, "
                            "manager_confirmed_by_id = NULL, manager_confirmed_at = NULL "
                            "WHERE id = :id"), params)


# --- through the web ----------------------------------------------------------------------

def _form(manager, recruiter, version=None):
    values = {"title": "Staff AI Engineer", "level": "staff", "team": "Platform",
              "hiring_manager_id": str(manager.id), "recruiter_id": str(recruiter.id),
              "comp_currency": "USD", "comp_min": "150000", "comp_max": "190000", **ANSWERS}
    return {**values, "version": str(version)} if version is not None else values


def _checklist(client, url) -> list[str]:
    page = client.get(url).get_data(as_text=True)
    section = page[page.index('id="agreement"'):page.index("</ul>", page.index('id="agreement"'))]
    return [re.sub(r"\s+", " ", item).strip()
            for item in re.findall(r"<li[^>]*>(.*?)</li>", section, re.S)]


def test_changing_the_hiring_manager_on_the_page_needs_the_new_one_to_confirm(db_session,
                                                                               people, login):
    clients = {name: login(user) for name, user in people.items()}
    manager, recruiter, newcomer = people["manager"], people["recruiter"], people["new_manager"]
    assert post(clients["recruiter"], "/requisitions/new",
                _form(manager, recruiter)).status_code == 302
    requisition = db_session.scalar(select(Requisition))
    url = f"/requisitions/{requisition.id}"
    assert post(clients["manager"], f"{url}/confirm").status_code == 302
    assert post(clients["recruiter"], f"{url}/confirm").status_code == 302
    assert _checklist(clients["recruiter"], url) == ["Hiring manager confirmed",
                                                     "Recruiter confirmed"]
    db_session.refresh(requisition)
    edited = post(clients["recruiter"], f"{url}/edit",
                  _form(newcomer, recruiter, version=requisition.version))
    assert edited.status_code == 302

    assert _checklist(clients["recruiter"], url) == ["Hiring manager has not confirmed",
                                                     "Recruiter confirmed"]
    refused = post(clients["recruiter"], f"{url}/open")
    assert refused.status_code == 409
    assert "The hiring manager has not confirmed the role definition." in refused.get_data(
        as_text=True)
    # the former manager is off the team now; the new one is asked to confirm
    assert clients["manager"].get(url).status_code == 404
    assert post(clients["manager"], f"{url}/confirm").status_code == 404
    page = clients["new_manager"].get(url).get_data(as_text=True)
    assert "Confirm the role definition" in page
    assert post(clients["new_manager"], f"{url}/confirm").status_code == 302
    assert _checklist(clients["new_manager"], url) == ["Hiring manager confirmed",
                                                       "Recruiter confirmed"]
    assert post(clients["recruiter"], f"{url}/open").status_code == 302
    db_session.refresh(requisition)
    assert requisition.status == RequisitionStatus.OPEN
    assert requisition.manager_confirmed_by_id == newcomer.id


# --- the migration ----------------------------------------------------------------------------

def test_the_migration_keeps_only_confirmations_their_holder_gave(tmp_path_factory):
    """Existing confirmations are attributed from the audit log; one given by someone who
    no longer holds the role, or with no record of who gave it, is cleared."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    url = new_database_url(tmp_path_factory, "confirmations")
    migrate(url, script.get_revision(REVISION).down_revision)
    engine = sa.create_engine(url)
    now = datetime(2026, 11, 30, 12, tzinfo=UTC).replace(tzinfo=None)
    meta = sa.MetaData()
    users = sa.Table("users", meta, autoload_with=engine)
    requisitions = sa.Table("requisitions", meta, autoload_with=engine)
    events = sa.Table("audit_events", meta, autoload_with=engine)
    with engine.begin() as conn:
        ids = [conn.execute(users.insert().values(
            email=f"u{n}@example.com", name=f"U{n}", password_hash="x", created_at=now))
            .inserted_primary_key[0] for n in range(4)]
        a, b, r, r2 = ids

        def requisition(manager, recruiter):
            return conn.execute(requisitions.insert().values(
                title="T", level="senior", team="X", hiring_manager_id=manager,
                recruiter_id=recruiter, status="draft", comp_currency="USD", comp_min=1,
                comp_max=2, created_at=now, version=1, manager_confirmed_at=now,
                recruiter_confirmed_at=now)).inserted_primary_key[0]

        def event(req, actor, action, **detail):
            conn.execute(events.insert().values(at=now, actor_id=actor, action=action,
                                                object_type="requisitions", object_id=req,
                                                detail=detail))

        handed_over = requisition(b, r)      # A and R confirmed, then B became the manager
        event(handed_over, a, "requisition_confirmed", **{"as": ["hiring_manager"]})
        event(handed_over, r, "requisition_confirmed", **{"as": ["recruiter"]})
        event(handed_over, r, "requisition_updated", fields=["hiring_manager_id"])
        agreed = requisition(a, r2)          # both confirmed by who holds the role now
        event(agreed, a, "requisition_confirmed", **{"as": ["hiring_manager"]})
        event(agreed, r2, "requisition_confirmed", **{"as": ["recruiter"]})
        unknown = requisition(a, r)          # no record of who confirmed
        back_again = requisition(a, r)       # A confirmed, B took over, A came back
        event(back_again, a, "requisition_confirmed", **{"as": ["hiring_manager", "recruiter"]})
        event(back_again, r, "requisition_updated", fields=["hiring_manager_id"])
        event(back_again, r, "requisition_updated", fields=["hiring_manager_id"])
        event(back_again, r, "requisition_confirmed", **{"as": ["recruiter"]})
    migrate(url, REVISION)
    meta = sa.MetaData()
    requisitions = sa.Table("requisitions", meta, autoload_with=engine)
    with engine.connect() as conn:
        rows = {row.id: row for row in conn.execute(sa.select(requisitions))}
    try:
        def confirmed(req):
            row = rows[req]
            assert (row.manager_confirmed_by_id is None) == (row.manager_confirmed_at is None)
            assert (row.recruiter_confirmed_by_id is None) == (row.recruiter_confirmed_at is None)
            return row.manager_confirmed_by_id, row.recruiter_confirmed_by_id

        assert confirmed(handed_over) == (None, r)
        assert confirmed(agreed) == (a, r2)
        assert confirmed(unknown) == (None, None)
        assert confirmed(back_again) == (None, r)
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(requisitions.update().where(requisitions.c.id == agreed)
                         .values(hiring_manager_id=b))
    finally:
        engine.dispose()
