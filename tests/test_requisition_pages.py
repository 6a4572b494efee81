"""Requisitions, candidates, loops and job descriptions through the web."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from interviewloop.audit.service import Actor
from interviewloop.loops import service as loops
from interviewloop.requisitions.models import Candidate, Requisition, RequisitionStatus
from tests.conftest import post
from tests.factories import ANSWERS, make_candidate, make_requisition


@pytest.fixture
def team(make_user, login):
    people = {"manager": make_user("hiring_manager"), "recruiter": make_user("recruiter"),
              "interviewer": make_user("interviewer")}
    return people, {name: login(user) for name, user in people.items()}


def requisition_form(people, **overrides):
    return {"title": "Staff AI Engineer", "level": "staff", "team": "Platform",
            "hiring_manager_id": str(people["manager"].id),
            "recruiter_id": str(people["recruiter"].id), "comp_currency": "usd",
            "comp_min": "150000", "comp_max": "190000", **ANSWERS, **overrides}


def test_the_recruiter_and_manager_define_confirm_and_open(db_session, bank, team):
    people, clients = team
    response = post(clients["recruiter"], "/requisitions/new",
                    requisition_form(people, fails_in_seat=""))
    assert response.status_code == 302
    requisition = db_session.scalar(select(Requisition))
    url = f"/requisitions/{requisition.id}"

    refused = post(clients["recruiter"], f"{url}/open")
    assert refused.status_code == 409
    body = refused.get_data(as_text=True)
    assert "Which candidate would fail in this seat?" in body
    assert "hiring manager has not confirmed" in body
    # Refused beside the button used (issue 11), which is disabled with the reason.
    button = body.split('id="open-requisition"')[1].split(">")[0]
    assert 'disabled aria-describedby="open-blockers"' in button
    refusal = body.split('id="refused-open">')[1].split("</p>")[0]
    assert refusal.startswith("Not done: Cannot open yet.")
    assert body.index('id="refused-open"') < body.index("<h2>Operating questions</h2>")

    page = clients["recruiter"].get(f"{url}/edit").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    assert post(clients["recruiter"], f"{url}/edit",
                {**requisition_form(people), "version": version}).status_code == 302
    assert post(clients["manager"], f"{url}/confirm").status_code == 302
    assert post(clients["recruiter"], f"{url}/confirm").status_code == 302
    assert post(clients["recruiter"], f"{url}/open").status_code == 302
    db_session.refresh(requisition)
    assert requisition.status == RequisitionStatus.OPEN
    assert requisition.comp_currency == "USD"
    detail = clients["manager"].get(url).get_data(as_text=True)
    # A staff band under the market's reference figures gets a notice.
    assert "below" in detail
    assert "206,000 USD" in detail


def test_candidate_loop_swap_and_coverage(db_session, bank, team):
    people, clients = team
    requisition = make_requisition(db_session, people["manager"], people["recruiter"])
    url = f"/requisitions/{requisition.id}"
    response = post(clients["recruiter"], f"{url}/candidates/new",
                    {"name": "Grace Hopper", "email": "Grace@Example.org", "source": "Referral"})
    assert response.status_code == 302
    candidate = db_session.scalar(select(Candidate))
    assert candidate.email == "grace@example.org"
    duplicate = post(clients["recruiter"], f"{url}/candidates/new",
                     {"name": "Grace again", "email": "GRACE@example.org"})
    assert duplicate.status_code == 422
    assert "already on this requisition" in duplicate.get_data(as_text=True)

    loop_url = f"{url}/candidates/{candidate.id}"
    assert post(clients["recruiter"], f"{loop_url}/loop").status_code == 302
    page = clients["recruiter"].get(loop_url).get_data(as_text=True)
    assert 'id="coverage"' in page
    assert 'id="covered"' in page
    loop = loops.loop_for(db_session, candidate)
    target = loop.stages[0].questions[0]
    before = target.question_id
    assert post(clients["recruiter"], f"{loop_url}/loop/questions/{target.id}/swap",
                {"question_id": ""}).status_code == 302
    db_session.refresh(target)
    assert target.question_id != before

    # The requisition page shows the loop's state after the swap.
    db_session.refresh(loop)
    listing = clients["manager"].get(url).get_data(as_text=True)
    assert "Grace Hopper" in listing
    gaps = len(loop.coverage_gaps)
    assert (f"{gaps} coverage gap" in listing) if gaps else ("covered" in listing)


def test_interviewers_on_the_team_see_the_role_but_not_the_candidates(db_session, bank, team):
    people, clients = team
    requisition = make_requisition(db_session, people["manager"], people["recruiter"])
    candidate = make_candidate(db_session, requisition, people["recruiter"])
    url = f"/requisitions/{requisition.id}"
    assert clients["interviewer"].get(url).status_code == 404  # not on the team yet
    from interviewloop.requisitions import service

    service.add_member(db_session, Actor(people["recruiter"]), requisition,
                       people["interviewer"].id)
    page = clients["interviewer"].get(url)
    assert page.status_code == 200
    assert candidate.name not in page.get_data(as_text=True)
    assert clients["interviewer"].get(f"{url}/candidates/{candidate.id}").status_code == 403
    assert post(clients["interviewer"], f"{url}/close").status_code == 403


def test_job_description_preview_and_ats_friendly_downloads(db_session, bank, team):
    people, clients = team
    requisition = make_requisition(db_session, people["manager"], people["recruiter"],
                                   level="staff", title="Lead AI Engineer", team="Platform")
    url = f"/requisitions/{requisition.id}/job-description"
    preview = clients["recruiter"].get(url).get_data(as_text=True)
    assert "What we are looking for" in preview
    text = clients["recruiter"].get(f"{url}.txt")
    assert text.mimetype == "text/plain"
    assert "attachment" in text.headers["Content-Disposition"]
    body = text.get_data(as_text=True)
    assert body.startswith("Lead AI Engineer\n")
    for heading in ("ROLE SUMMARY", "WHAT YOU WILL SHIP", "WHAT YOU WILL DO",
                    "WHAT WE ARE LOOKING FOR", "COMPENSATION"):
        assert f"\n{heading}\n" in body
    assert ANSWERS["ships"] in body
    assert "Platform team" in body
    assert ANSWERS["fails_in_seat"] not in body  # the team's own yardstick stays internal
    assert "|" not in body and "<" not in body and "![" not in body
    markdown = clients["recruiter"].get(f"{url}.md").get_data(as_text=True)
    assert markdown.startswith("# Lead AI Engineer\n")
    assert "## What you will do" in markdown
    assert "|" not in markdown and "<" not in markdown


def test_loop_templates_page(bank, team):
    _people, clients = team
    page = clients["interviewer"].get("/loop-templates").get_data(as_text=True)
    for level in ("junior", "senior", "staff"):
        assert f'id="template-{level}"' in page


def test_the_candidates_come_first_and_the_role_definition_after(db_session, bank, team):
    people, clients = team
    req = make_requisition(db_session, people["manager"], people["recruiter"])
    make_candidate(db_session, req, people["recruiter"])
    db_session.flush()
    page = clients["recruiter"].get(f"/requisitions/{req.id}").get_data(as_text=True)
    order = [page.index(f'id="{section}"')
             for section in ("candidates", "agreement", "compensation", "team")]
    assert order == sorted(order) and "Candidate 1" in page[order[0]:order[1]]


def test_closing_asks_for_confirmation_first(db_session, bank, team):
    people, clients = team
    req = make_requisition(db_session, people["manager"], people["recruiter"])
    db_session.flush()
    client = clients["recruiter"]
    page = client.get(f"/requisitions/{req.id}").get_data(as_text=True)
    assert f'href="/requisitions/{req.id}/close">Close' in page
    assert f'action="/requisitions/{req.id}/close"' not in page  # no one-click close
    asked = client.get(f"/requisitions/{req.id}/close")
    body = asked.get_data(as_text=True)
    assert asked.status_code == 200 and 'id="close-means"' in body
    assert f'action="/requisitions/{req.id}/close"' in body and ">Keep it open<" in body
    assert db_session.get(Requisition, req.id).status == RequisitionStatus.OPEN
    assert post(client, f"/requisitions/{req.id}/close").status_code == 302
    db_session.expire_all()
    assert db_session.get(Requisition, req.id).status == RequisitionStatus.CLOSED
    again = client.get(f"/requisitions/{req.id}/close")
    assert again.status_code == 409 and "already closed" in again.get_data(as_text=True)
