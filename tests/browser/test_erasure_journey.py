"""An admin answers a candidate's erasure request through the real pages in Chromium (at the
run's width): finds them by email, gives a reason, confirms, and their name is gone from the
pages that showed it (the requisition, the candidate's page, the board, the debrief), which
now say "Erased candidate #id"."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from interviewloop.audit.service import SYSTEM, Actor
from interviewloop.auth.login import hasher
from interviewloop.auth.service import create_user
from interviewloop.loops import service as loops
from interviewloop.requisitions import candidates
from tests.browser.conftest import WIDTHS, Person, email_at
from tests.browser.helpers import at_phone_width, flash, guide_shot, log_in, watch_console
from tests.factories import make_requisition

pytestmark = pytest.mark.browser

ADMIN = Person("ada.erasure@example.com", "Ada Erasure")
MANAGER = Person("mo.erasure@example.com", "Mo Erasure")
RECRUITER = Person("rae.erasure@example.com", "Rae Erasure")
NAME, EMAIL = "Pia Forgetme", "pia.forgetme@example.net"


def test_an_admin_erases_a_candidate_and_their_name_is_gone(live_server, new_context, width):
    email = email_at(EMAIL, width)
    with live_server.session() as session:
        people = {p: create_user(session, SYSTEM, hasher(), email=p.at(width).email, name=p.name,
                                 password=live_server.password, roles=roles)
                  for p, roles in ((ADMIN, ("admin",)), (MANAGER, ("hiring_manager",)),
                                   (RECRUITER, ("recruiter",)))}
        requisition = make_requisition(session, people[MANAGER], people[RECRUITER],
                                       title="Staff AI Engineer, Erasure", level="staff")
        candidate = candidates.add_candidate(session, Actor(people[RECRUITER]), requisition,
                                             candidates.CandidateInput(name=NAME, email=email,
                                                                       notes="Prefers mornings."))
        loops.build_loop(session, Actor(people[RECRUITER]), requisition, candidate, seed=3)
        session.flush()
        r, c = requisition.id, candidate.id
    pages = [f"/requisitions/{r}", f"/requisitions/{r}/candidates/{c}",
             f"/requisitions/{r}/board", f"/requisitions/{r}/candidates/{c}/debrief"]
    errors: list[str] = []
    refused = {(f"/admin/privacy/candidates/{c}/erase", 422): 0}  # the form without a reason
    page = watch_console(new_context(**WIDTHS[width]).new_page(), errors, refused)
    log_in(page, ADMIN.at(width), live_server.password)
    for url in pages:
        page.goto(url)
        expect(page.locator("main")).to_contain_text(NAME)

    page.get_by_role("link", name="Candidate data").click()
    page.get_by_label("Candidate's email").fill(email)
    page.get_by_role("button", name="Find").click()
    page.get_by_role("link", name=f"Candidate #{c}: {NAME}").click()
    page.get_by_role("button", name="Erase this candidate's personal data").click()
    expect(page.locator("#error-summary")).to_contain_text("Give the reason")  # nothing erased
    guide_shot(page, "admin-erase.png")
    at_phone_width(page)
    page.get_by_label("Reason").fill("Asked by email to be forgotten.")
    page.get_by_label("I understand that this cannot be undone").check()
    page.get_by_role("button", name="Erase this candidate's personal data").click()
    expect(flash(page)).to_contain_text(f"Erased the personal data of candidate #{c}")

    for url in pages:
        page.goto(url)
        expect(page.locator("main")).not_to_contain_text(NAME)
        expect(page.locator("main")).to_contain_text(f"Erased candidate #{c}")

    # The audit log says it in a sentence, under "Changes" (not "Sign-ins").
    page.goto("/admin/audit")
    page.get_by_role("link", name="Changes").click()
    expect(page.locator("#audit tbody tr").first).to_contain_text(
        "Ada Erasure erased a candidate's data")
    guide_shot(page, "admin-audit.png")
    at_phone_width(page)
    page.get_by_role("link", name="Sign-ins").click()
    expect(page.locator("#audit")).not_to_contain_text("erased a candidate")
    assert errors == [] and list(refused.values()) == [1]
