"""Two interviewers of one interview file their scorecards through the real pages in
Chromium, each in a browser context of their own, at the run's width (at a phone's,
tapping): from the home page's task list to the scorecard, ratings chosen with one tap, a
draft that saves itself as she types and survives a reload, a second tab whose stale save
overwrites nothing, a submit that names what is missing, and the independence rule (no other
scorecard on the candidate until your own is in)."""

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
from tests.browser.conftest import WIDTHS, Person
from tests.browser.helpers import flash, guide_shot, guide_shots, log_in, watch_console
from tests.factories import add_to_team, make_interview, make_requisition

pytestmark = pytest.mark.browser

# This journey's own people (per width: each run has its own), so that it shares nothing with
# the other journeys' users.
def people(run: str) -> tuple[Person, Person, Person, Person]:
    return (Person(f"mira.manager.{run}@example.com", "Mira Manager"),
            Person(f"reza.recruiter.{run}@example.com", "Reza Recruiter"),
            Person(f"ana.panelist.{run}@example.com", "Ana Panelist"),
            Person(f"ben.panelist.{run}@example.com", "Ben Panelist"))


CANDIDATE = ("Priya Raman", "priya.raman@example.net")
TITLE = "Senior AI Engineer, Scorecards"
# Only Ana's scorecard says this: it must not reach Ben before his own is in.
MARKER = "ana-marker-7f3c: she traced the p95 regression to the reranker's cold cache"


@dataclass(frozen=True)
class Seeded:
    ana: Person
    ben: Person
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


@pytest.fixture
def seeded(live_server, width) -> Seeded:
    """A senior requisition with a candidate, a loop, and one interview of a stage with two
    focus areas, held three hours ago by Ana and Ben: committed, through the services."""
    manager_p, recruiter_p, ana, ben = people(width)
    with live_server.session() as session:
        made = {person: create_user(session, SYSTEM, hasher(), email=person.email,
                                    name=person.name, password=live_server.password,
                                    roles=(role,))
                for person, role in ((manager_p, "hiring_manager"), (recruiter_p, "recruiter"),
                                     (ana, "interviewer"), (ben, "interviewer"))}
        manager, recruiter = made[manager_p], made[recruiter_p]
        requisition = make_requisition(session, manager, recruiter, title=f"{TITLE} ({width})")
        add_to_team(session, requisition, manager, made[ana], made[ben])
        candidate = candidates.add_candidate(
            session, Actor(recruiter), requisition,
            candidates.CandidateInput(name=CANDIDATE[0], email=CANDIDATE[1], source="Referral"))
        loops.build_loop(session, Actor(recruiter), requisition, candidate, seed=1)
        loop = loops.loop_for(session, candidate)
        stage = next(s for s in loop.stages if len(s.focus_areas) == 2)
        held = utcnow().replace(second=0, microsecond=0) - timedelta(hours=3)
        interview = make_interview(session, requisition, recruiter, candidate, stage,
                                   [made[ana], made[ben]], held, minutes=45,
                                   now=held - timedelta(days=1))
        return Seeded(ana, ben, requisition.id, candidate.id, interview.id, stage.name,
                      [(a.slug, a.name) for a in stage.focus_areas])


def area(page: Page, slug: str):
    return page.locator(f"fieldset#area-{slug}")


def press(locator) -> None:
    """A tap on a phone (a touch context), a click elsewhere."""
    if locator.page.evaluate("'ontouchstart' in window"):
        locator.tap()
    else:
        locator.click()


def rating(page: Page, slug: str, label: str):
    """A rating's choice, by its label ("3 Yes", "Not assessed")."""
    return area(page, slug).get_by_role("radio", name=re.compile("^" + re.escape(label)))


def rate(page: Page, slug: str, label: str, evidence: str) -> None:
    press(area(page, slug).locator("label.choice", has_text=label))
    area(page, slug).get_by_label("Evidence").fill(evidence)


def recommend(page: Page, label: str) -> None:
    press(page.get_by_role("group", name="Recommendation").get_by_label(label, exact=True))


def open_from_home(page: Page, seeded: Seeded) -> None:
    """The interviewer's home lists the scorecard they owe; its button opens the form."""
    page.goto("/")
    due = page.locator("#scorecards-due li", has_text=CANDIDATE[0])
    expect(due.locator(".when .tag")).to_have_text("Due")  # held three hours ago: not overdue
    expect(due.locator(".what")).to_contain_text(f"{CANDIDATE[0]}, {seeded.stage}")
    press(due.get_by_role("link", name=re.compile("^(Write|Continue) the scorecard")))
    expect(page).to_have_url(re.compile(re.escape(seeded.form_path) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Scorecard: {CANDIDATE[0]}")


def scorecard_id(live_server, seeded: Seeded, person: Person) -> int:
    with live_server.session() as session:
        return session.scalar(select(Scorecard.id).join(User, User.id == Scorecard.interviewer_id)
                              .where(Scorecard.interview_id == seeded.interview_id,
                                     User.email == person.email))


def submit(page: Page, path: str, status: int):
    """Press Submit and check the status of the POST's response."""
    with page.expect_response(lambda r: urlsplit(r.url).path == path
                              and r.request.method == "POST") as response:
        press(page.get_by_role("button", name="Submit", exact=True))
    assert response.value.status == status
    return response.value


def saved(page: Page):
    return page.locator("#save-status")


def test_two_interviewers_score_independently(live_server, seeded, new_context, artifacts,
                                              width):
    (first_slug, first_name), (second_slug, second_name) = seeded.focus
    ana_p, ben_p = seeded.ana, seeded.ben
    draft_path = seeded.form_path + "/draft"
    errors: list[str] = []
    expected: dict[tuple[str, int], int] = {(seeded.form_path, 422): 0,
                                            (seeded.form_path, 409): 0, (draft_path, 409): 0}
    ana_context = new_context(**WIDTHS[width])
    ana = watch_console(ana_context.new_page(), errors, expected)
    ben = watch_console(new_context(**WIDTHS[width]).new_page(), errors, expected)

    # 1. Ana opens the scorecard she owes from her home page; she taps a rating and types:
    #    the draft saves itself, and the page says when.
    log_in(ana, ana_p, live_server.password)
    open_from_home(ana, seeded)
    expect(ana.locator("#scorecard-status")).to_have_text("Draft")
    expect(area(ana, first_slug).locator("legend")).to_contain_text("focus of this stage")
    expect(rating(ana, first_slug, "3 Yes")).to_have_attribute(
        "aria-describedby", re.compile(r"^bar-\d+$"))
    expect(saved(ana)).to_have_text("")
    rate(ana, first_slug, "3 Yes", MARKER[:20])
    expect(saved(ana)).to_have_text(re.compile(r"^Saved at \d\d:\d\d UTC$"))
    # She types on: the next save carries the version the last one returned, so it is no
    # stale save of her own.
    with ana.expect_response(lambda r: urlsplit(r.url).path == draft_path) as autosaved:
        area(ana, first_slug).get_by_label("Evidence").fill(MARKER)
    assert autosaved.value.status == 200
    expect(ana.locator("#scorecard-status")).to_have_text("Draft")

    # 2. A reload finds the draft as she left it (with when it was saved).
    ana.reload()
    expect(rating(ana, first_slug, "3 Yes")).to_be_checked()
    expect(area(ana, first_slug).get_by_label("Evidence")).to_have_value(MARKER)
    expect(area(ana, second_slug).get_by_role("radio", checked=True)).to_have_count(0)
    expect(ana.get_by_role("group", name="Recommendation").get_by_role(
        "radio", checked=True)).to_have_count(0)
    expect(saved(ana)).to_contain_text("Saved at")

    # 3. A second tab saves; this tab, loaded before that, is refused and overwrites nothing:
    #    the page says so and keeps what she typed.
    other = watch_console(ana_context.new_page(), errors, expected)
    other.goto(seeded.form_path)
    with other.expect_response(lambda r: urlsplit(r.url).path == draft_path) as autosaved:
        other.get_by_label("Summary").fill("From the second tab.")
    assert autosaved.value.status == 200
    expect(saved(other)).to_have_text(re.compile(r"^Saved at \d\d:\d\d UTC$"))
    other.close()
    ana.bring_to_front()
    ana.get_by_label("Summary").fill("From the first tab.")
    expect(saved(ana)).to_contain_text("Not saved: This scorecard was saved from somewhere else")
    expect(ana.get_by_label("Summary")).to_have_value("From the first tab.")
    # Save draft shows both sides' story; saving again is then a deliberate overwrite.
    press(ana.get_by_role("button", name="Save draft"))
    expect(ana.locator("#problems")).to_contain_text("Nothing was overwritten")
    expect(ana.get_by_label("Summary")).to_have_value("From the first tab.")
    press(ana.get_by_role("button", name="Save draft"))
    expect(flash(ana)).to_have_text("Draft saved: only you can see it.")

    # 4. Submitting it now is refused with every missing piece named, each a link to its
    #    field; nothing is lost.
    submit(ana, seeded.form_path, 422)
    problems = ana.locator("#problems")
    expect(problems).to_contain_text("Not submitted yet:")
    expect(problems).to_be_focused()
    expect(problems.locator("li")).to_have_text([
        f"rate {second_name} (a focus area of this stage)",
        "choose an overall recommendation"])
    press(problems.get_by_role("link", name="choose an overall recommendation"))
    expect(ana.get_by_role("group", name="Recommendation").get_by_role("radio").first
           ).to_be_focused()
    expect(ana.locator("#scorecard-status")).to_have_text("Draft")
    expect(area(ana, first_slug).get_by_label("Evidence")).to_have_value(MARKER)

    # 5. She completes it and submits.
    rate(ana, second_slug, "4 Strong yes",
         "Priced two serving options per thousand requests unprompted.")
    recommend(ana, "Hire")
    ana.get_by_label("Summary").fill("Clear trade-offs; would own the serving path.")
    ana.locator("textarea[name^=note_]").first.fill("Chose shadow traffic before a canary.")
    submit(ana, seeded.form_path, 302)
    expect(flash(ana)).to_have_text("Scorecard submitted.")
    expect(ana.locator("#scorecard-status")).to_have_text("Submitted")
    expect(ana.locator("#problems")).to_have_count(0)
    expect(area(ana, first_slug).get_by_label("Evidence")).to_have_value(MARKER)
    expect(rating(ana, second_slug, "4 Strong yes")).to_be_checked()
    expect(ana.get_by_role("button", name="Save changes")).to_be_visible()
    expect(ana.get_by_role("button", name="Save draft")).to_have_count(0)
    ana.screenshot(path=str(artifacts / f"scorecard-{width}.png"), full_page=True)
    ana.goto("/")
    expect(ana.locator("#to-write li.task")).to_have_count(0)  # nothing owed any more
    expect(ana.locator("#past li", has_text=CANDIDATE[0])).to_have_count(1)

    # 6. Ben has not submitted: the candidate's scorecards page tells him why he sees none.
    log_in(ben, ben_p, live_server.password)
    ben.goto(seeded.panel_path)
    expect(ben.get_by_role("heading", level=1)).to_have_text(f"Scorecards: {CANDIDATE[0]}")
    expect(ben.locator("#hidden-reason")).to_have_text(re.compile(
        r"^Submit your own scorecard for this candidate first"))
    expect(ben.locator("#panel")).to_have_count(0)
    hidden = ben.content()
    for secret in ("ana-marker-7f3c", ana_p.name, "Clear trade-offs", "Priced two serving"):
        assert secret not in hidden, f"{secret!r} shown to Ben before he submitted"
    # Nor does Ana's scorecard open for him at its own address: it does not exist for him.
    ana_card = f"/scorecards/{scorecard_id(live_server, seeded, ana_p)}"
    expected[ana_card, 404] = 0
    assert ben.goto(ana_card).status == 404
    assert "ana-marker-7f3c" not in ben.content()

    # 7. Ben files his own scorecard, from his home page too.
    open_from_home(ben, seeded)
    expect(area(ben, first_slug).get_by_label("Evidence")).to_have_value("")  # not Ana's
    rate(ben, first_slug, "3 Yes", "Sized the cache and named its failure mode.")
    if width == "phone" and guide_shots():
        # The guide's picture: an area's one-tap choices and the draft saved, on a phone.
        expect(saved(ben)).to_have_text(re.compile(r"^Saved at "))
        area(ben, first_slug).evaluate("el => { el.scrollIntoView(); scrollBy(0, -24); }")
        guide_shot(ben, "interviewer-scorecard.png", at="phone")
    rate(ben, second_slug, "3 Yes", "Explained the latency budget to a product manager.")
    recommend(ben, "Hire")
    submit(ben, seeded.form_path, 302)
    expect(ben.locator("#scorecard-status")).to_have_text("Submitted")

    # 8. Now the panel shows both scorecards, and Ana's opens with her evidence.
    ben.goto(seeded.panel_path)
    expect(ben.locator("#hidden-reason")).to_have_count(0)
    rows = ben.locator("#panel tbody tr")
    expect(rows).to_have_count(2)
    ana_row = rows.filter(has=ben.get_by_role("link", name=ana_p.name, exact=True))
    expect(ana_row.locator("td").nth(1)).to_have_text(seeded.stage)
    expect(ana_row.locator("td").last).to_have_text("Hire")
    assert ana_row.locator("td.rating-3").count() == 1
    assert ana_row.locator("td.rating-4").count() == 1
    expect(rows.filter(has=ben.get_by_role("link", name=ben_p.name, exact=True))).to_have_count(1)
    press(ana_row.get_by_role("link", name=ana_p.name))
    expect(ben).to_have_url(re.compile(r"/scorecards/\d+$"))
    expect(ben.get_by_role("heading", level=1)).to_have_text(f"{ana_p.name} on {CANDIDATE[0]}")
    evidence = ben.locator("table.list tbody tr", has_text=first_name).locator("td").nth(2)
    expect(evidence).to_have_text(MARKER)
    expect(ben.locator("#revisions li")).to_have_count(1)
    expect(ben.locator("dl.answers dd")).to_have_text(["Chose shadow traffic before a canary."])

    assert errors == [], "console errors during the journey"
    # The let-through lines (the refused submit, the stale saves, the hidden scorecard) were
    # really logged.
    assert expected == {(seeded.form_path, 422): 1, (seeded.form_path, 409): 1,
                        (draft_path, 409): 1, (ana_card, 404): 1}
