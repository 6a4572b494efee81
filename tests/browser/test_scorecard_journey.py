"""Two interviewers of one interview file their scorecards through the real pages in
Chromium, each in a browser context of their own: a draft that survives a reload, a submit
that names what is missing, and the independence rule (no other scorecard on the candidate
until your own is in)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from interviewloop.audit.service import SYSTEM, Actor
from interviewloop.auth.login import hasher
from interviewloop.auth.models import User
from interviewloop.auth.service import create_user
from interviewloop.db import utcnow
from interviewloop.loops import service as loops
from interviewloop.requisitions import candidates
from interviewloop.scorecards.models import Scorecard
from tests.browser.conftest import Person
from tests.browser.helpers import flash, log_in, watch_console
from tests.factories import add_to_team, make_interview, make_requisition

pytestmark = pytest.mark.browser

# This journey's own people, so that it shares nothing with the other journeys' users.
MANAGER = Person("mira.manager@example.com", "Mira Manager")
RECRUITER = Person("reza.recruiter@example.com", "Reza Recruiter")
ANA = Person("ana.panelist@example.com", "Ana Panelist")
BEN = Person("ben.panelist@example.com", "Ben Panelist")
CANDIDATE = ("Priya Raman", "priya.raman@example.net")
TITLE = "Senior AI Engineer, Scorecards"
# Only Ana's scorecard says this: it must not reach Ben before his own is in.
MARKER = "ana-marker-7f3c: she traced the p95 regression to the reranker's cold cache"


@dataclass(frozen=True)
class Seeded:
    requisition_id: int
    candidate_id: int
    interview_id: int
    stage: str
    focus: list[tuple[str, str]]  # (slug, name) of the stage's focus areas, in order

    @property
    def panel_path(self) -> str:
        return f"/requisitions/{self.requisition_id}/candidates/{self.candidate_id}/scorecards"

    @property
    def form_path(self) -> str:
        return f"/interviews/{self.interview_id}/scorecard"


@pytest.fixture(scope="module")
def seeded(live_server) -> Seeded:
    """A senior requisition with a candidate, a loop, and one interview of a stage with two
    focus areas, held three hours ago by Ana and Ben: committed, through the services."""
    with live_server.session() as session:
        people = {person: create_user(session, SYSTEM, hasher(), email=person.email,
                                      name=person.name, password=live_server.password,
                                      roles=(role,))
                  for person, role in ((MANAGER, "hiring_manager"), (RECRUITER, "recruiter"),
                                       (ANA, "interviewer"), (BEN, "interviewer"))}
        manager, recruiter = people[MANAGER], people[RECRUITER]
        requisition = make_requisition(session, manager, recruiter, title=TITLE)
        add_to_team(session, requisition, manager, people[ANA], people[BEN])
        candidate = candidates.add_candidate(
            session, Actor(recruiter), requisition,
            candidates.CandidateInput(name=CANDIDATE[0], email=CANDIDATE[1], source="Referral"))
        loops.build_loop(session, Actor(recruiter), requisition, candidate, seed=1)
        loop = loops.loop_for(session, candidate)
        stage = next(s for s in loop.stages if len(s.focus_areas) == 2)
        held = utcnow().replace(second=0, microsecond=0) - timedelta(hours=3)
        interview = make_interview(session, requisition, recruiter, candidate, stage,
                                   [people[ANA], people[BEN]], held, minutes=45,
                                   now=held - timedelta(days=1))
        return Seeded(requisition.id, candidate.id, interview.id, stage.name,
                      [(a.slug, a.name) for a in stage.focus_areas])





def area(page: Page, slug: str):
    return page.locator(f"fieldset#area-{slug}")


def rate(page: Page, slug: str, value: str, evidence: str) -> None:
    area(page, slug).get_by_label("Rating").select_option(value)
    area(page, slug).get_by_label("Evidence").fill(evidence)


def open_from_home(page: Page, seeded: Seeded) -> None:
    """The interviewer's home lists the scorecard they owe; its link opens the form."""
    page.goto("/")
    due = page.locator("#scorecards-due li", has_text=CANDIDATE[0])
    expect(due.locator(".tag")).to_have_text("Due")  # held three hours ago: not overdue
    due.get_by_role("link", name=f"{CANDIDATE[0]}, {seeded.stage}").click()
    expect(page).to_have_url(re.compile(re.escape(seeded.form_path) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Scorecard: {CANDIDATE[0]}")


def scorecard_id(live_server, seeded: Seeded, person: Person) -> int:
    with live_server.session() as session:
        return session.scalar(select(Scorecard.id).join(User, User.id == Scorecard.interviewer_id)
                              .where(Scorecard.interview_id == seeded.interview_id,
                                     User.email == person.email))


def submit(page: Page, path: str, status: int):
    """Click Submit and check the status of the POST's response."""
    with page.expect_response(lambda r: urlsplit(r.url).path == path
                              and r.request.method == "POST") as response:
        page.get_by_role("button", name="Submit", exact=True).click()
    assert response.value.status == status
    return response.value


def test_two_interviewers_score_independently(live_server, seeded, new_context, artifacts):
    (first_slug, first_name), (second_slug, second_name) = seeded.focus
    errors: list[str] = []
    expected: dict[tuple[str, int], int] = {(seeded.form_path, 422): 0}
    ana = watch_console(new_context().new_page(), errors, expected)
    ben = watch_console(new_context().new_page(), errors, expected)

    # 1. Ana opens the scorecard she owes from her home page and saves part of it.
    log_in(ana, ANA, live_server.password)
    open_from_home(ana, seeded)
    expect(ana.locator("#scorecard-status")).to_have_text("Draft")
    expect(area(ana, first_slug).locator("legend")).to_contain_text("focus of this stage")
    rate(ana, first_slug, "3", MARKER)
    ana.get_by_role("button", name="Save draft").click()
    expect(flash(ana)).to_have_text("Draft saved: only you can see it.")
    expect(ana.locator("#scorecard-status")).to_have_text("Draft")

    # 2. A reload finds the draft as she left it.
    ana.reload()
    expect(flash(ana)).to_have_count(0)
    expect(area(ana, first_slug).get_by_label("Rating")).to_have_value("3")
    expect(area(ana, first_slug).get_by_label("Evidence")).to_have_value(MARKER)
    expect(area(ana, second_slug).get_by_label("Rating")).to_have_value("")
    expect(ana.get_by_label("Recommendation")).to_have_value("")

    # 3. Submitting it now is refused with every missing piece named; nothing is lost.
    submit(ana, seeded.form_path, 422)
    problems = ana.locator("#problems")
    expect(problems).to_contain_text("Not submitted yet:")
    expect(problems.locator("li")).to_have_text([
        f"rate {second_name} (a focus area of this stage)",
        "choose an overall recommendation"])
    expect(ana.locator("#scorecard-status")).to_have_text("Draft")
    expect(area(ana, first_slug).get_by_label("Evidence")).to_have_value(MARKER)

    # 4. She completes it and submits.
    rate(ana, second_slug, "4", "Priced two serving options per thousand requests unprompted.")
    ana.get_by_label("Recommendation").select_option(label="Hire")
    ana.get_by_label("Summary").fill("Clear trade-offs; would own the serving path.")
    ana.locator("textarea[name^=note_]").first.fill("Chose shadow traffic before a canary.")
    submit(ana, seeded.form_path, 302)
    expect(flash(ana)).to_have_text("Scorecard submitted.")
    expect(ana.locator("#scorecard-status")).to_have_text("Submitted")
    expect(ana.locator("#problems")).to_have_count(0)
    expect(area(ana, first_slug).get_by_label("Evidence")).to_have_value(MARKER)
    expect(area(ana, second_slug).get_by_label("Rating")).to_have_value("4")
    expect(ana.get_by_role("button", name="Save changes")).to_be_visible()
    expect(ana.get_by_role("button", name="Save draft")).to_have_count(0)
    ana.screenshot(path=str(artifacts / "scorecard.png"), full_page=True)
    ana.goto("/")
    expect(ana.locator("#scorecards-due")).to_have_count(0)  # nothing owed any more

    # 5. Ben has not submitted: the candidate's scorecards page tells him why he sees none.
    log_in(ben, BEN, live_server.password)
    ben.goto(seeded.panel_path)
    expect(ben.get_by_role("heading", level=1)).to_have_text(f"Scorecards: {CANDIDATE[0]}")
    expect(ben.locator("#hidden-reason")).to_have_text(re.compile(
        r"^Submit your own scorecard for this candidate first"))
    expect(ben.locator("#panel")).to_have_count(0)
    hidden = ben.content()
    for secret in ("ana-marker-7f3c", ANA.name, "Clear trade-offs", "Priced two serving"):
        assert secret not in hidden, f"{secret!r} shown to Ben before he submitted"
    # Nor does Ana's scorecard open for him at its own address: it does not exist for him.
    ana_card = f"/scorecards/{scorecard_id(live_server, seeded, ANA)}"
    expected[ana_card, 404] = 0
    assert ben.goto(ana_card).status == 404
    assert "ana-marker-7f3c" not in ben.content()

    # 6. Ben files his own scorecard, from his home page too.
    open_from_home(ben, seeded)
    expect(area(ben, first_slug).get_by_label("Evidence")).to_have_value("")  # not Ana's
    rate(ben, first_slug, "3", "Sized the cache and named its failure mode.")
    rate(ben, second_slug, "3", "Explained the latency budget to a product manager.")
    ben.get_by_label("Recommendation").select_option(label="Hire")
    submit(ben, seeded.form_path, 302)
    expect(ben.locator("#scorecard-status")).to_have_text("Submitted")

    # 7. Now the panel shows both scorecards, and Ana's opens with her evidence.
    ben.goto(seeded.panel_path)
    expect(ben.locator("#hidden-reason")).to_have_count(0)
    rows = ben.locator("#panel tbody tr")
    expect(rows).to_have_count(2)
    ana_row = rows.filter(has=ben.get_by_role("link", name=ANA.name, exact=True))
    expect(ana_row.locator("td").nth(1)).to_have_text(seeded.stage)
    expect(ana_row.locator("td").last).to_have_text("Hire")
    assert ana_row.locator("td.rating-3").count() == 1
    assert ana_row.locator("td.rating-4").count() == 1
    expect(rows.filter(has=ben.get_by_role("link", name=BEN.name, exact=True))).to_have_count(1)
    ana_row.get_by_role("link", name=ANA.name).click()
    expect(ben).to_have_url(re.compile(r"/scorecards/\d+$"))
    expect(ben.get_by_role("heading", level=1)).to_have_text(f"{ANA.name} on {CANDIDATE[0]}")
    evidence = ben.locator("table.list tbody tr", has_text=first_name).locator("td").nth(2)
    expect(evidence).to_have_text(MARKER)
    expect(ben.locator("#revisions li")).to_have_count(1)
    expect(ben.locator("dl.answers dd")).to_have_text(["Chose shadow traffic before a canary."])

    assert errors == [], "console errors during the journey"
    # The let-through lines (the refused submit, the hidden scorecard) were really logged.
    assert expected == {(seeded.form_path, 422): 1, (ana_card, 404): 1}
