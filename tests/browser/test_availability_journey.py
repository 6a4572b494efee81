"""The candidate's availability in Chromium, at the run's width: the recruiter makes the
private link and emails it from the loop page; the candidate, not signed in, on a 320 px
phone (narrower still than the phone width), opens it from the email (read from the outbox),
types a window that ends before it starts (the error summary takes the focus, what they
typed stays), then a good one; the recruiter, in another zone, sees it on the loop page in
theirs."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from interviewloop.audit.service import SYSTEM, Actor
from interviewloop.auth.login import hasher
from interviewloop.auth.service import create_user
from interviewloop.db import utcnow
from interviewloop.outbox.models import OutboxMail
from interviewloop.requisitions import candidates
from tests.browser.conftest import WIDTHS, Person, email_at
from tests.browser.helpers import axe_violations, log_in, sideways_overflow, watch_console
from tests.factories import make_requisition

pytestmark = pytest.mark.browser

MANAGER = Person("avail.manager@example.com", "Ava Manager")
RECRUITER = Person("avail.recruiter@example.com", "Rui Recruiter")
CANDIDATE = ("Cleo Candidate", "cleo.candidate@example.net")


@pytest.fixture(scope="module")
def seeded(live_server, width) -> tuple[int, int, str]:
    """The requisition, the candidate (in Tokyo) and their email, for this width's run."""
    manager_p, recruiter_p = MANAGER.at(width), RECRUITER.at(width)
    email = email_at(CANDIDATE[1], width)
    with live_server.session() as session:
        manager = create_user(session, SYSTEM, hasher(), email=manager_p.email,
                              name=manager_p.name, password=live_server.password,
                              roles=("hiring_manager",))
        recruiter = create_user(session, SYSTEM, hasher(), email=recruiter_p.email,
                                name=recruiter_p.name, password=live_server.password,
                                roles=("recruiter",), time_zone="Europe/Berlin")
        requisition = make_requisition(session, manager, recruiter, title="ML Platform Engineer")
        candidate = candidates.add_candidate(session, Actor(recruiter), requisition,
                                             candidates.CandidateInput(CANDIDATE[0], email))
        candidate.time_zone = "Asia/Tokyo"  # 8 hours ahead of Berlin's CET, 7 of its CEST
        return requisition.id, candidate.id, email


def test_the_candidate_gives_a_window_and_the_recruiter_sees_it(seeded, new_context,
                                                                live_server, width):
    requisition_id, candidate_id, email = seeded
    loop_page = f"/requisitions/{requisition_id}/candidates/{candidate_id}"
    errors: list[str] = []
    recruiter = watch_console(new_context(**WIDTHS[width]).new_page(), errors, {})
    log_in(recruiter, RECRUITER.at(width), live_server.password)
    recruiter.goto(loop_page)
    recruiter.get_by_role("button", name="Make a private link").click()
    recruiter.get_by_role("button", name="Email it to the candidate").click()
    expect(recruiter.locator("main")).to_contain_text(f"in the outbox for {email}")
    with live_server.session() as session:
        body = session.scalars(select(OutboxMail.body).where(
            OutboxMail.recipient == email)).one()
    link = urlsplit(re.search(r"http://\S+/candidate/\S+", body).group(0)).path

    # The CSP is bypassed only so that axe-core can be injected (test_accessibility does so).
    expected = {(link + "/windows", 422): 0}
    phone = watch_console(new_context(**WIDTHS[width], bypass_csp=True).new_page(), errors,
                          expected)
    phone.set_viewport_size({"width": 320, "height": 800})
    phone.goto(link)
    expect(phone.locator("h1")).to_contain_text(CANDIDATE[0])
    day = f"{utcnow() + timedelta(days=10):%Y-%m-%d}"
    phone.get_by_label("From").fill(f"{day}T15:00")
    phone.get_by_label("Until").fill(f"{day}T10:00")
    phone.get_by_role("button", name="Add the window").click()
    summary = phone.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("The end must be after the start")
    expect(phone.get_by_label("From")).to_have_value(f"{day}T15:00")
    assert axe_violations(phone) == [] and sideways_overflow(phone) == ""
    phone.get_by_label("Until").fill(f"{day}T18:00")
    phone.get_by_role("button", name="Add the window").click()
    expect(phone.locator("#windows li")).to_have_count(1)
    expect(phone.locator("#windows li")).to_contain_text("15:00 JST to 18:00 JST")
    assert sideways_overflow(phone) == ""

    recruiter.goto(loop_page)
    tokyo = datetime.fromisoformat(f"{day}T15:00").replace(tzinfo=ZoneInfo("Asia/Tokyo"))
    berlin = [(tokyo + timedelta(hours=h)).astimezone(ZoneInfo("Europe/Berlin")) for h in (0, 3)]
    expect(recruiter.locator("#candidate-windows")).to_contain_text(
        " to ".join(f"{t:%H:%M} {t.tzname()}" for t in berlin))
    assert errors == [] and expected[(link + "/windows", 422)] <= 1
