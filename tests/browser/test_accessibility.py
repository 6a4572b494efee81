"""axe-core over every page each demo role can reach, and over the states of pages that no
crawl reaches: no violation of any impact.

A server with the demo data (the same as `make run`) is crawled as each demo role, from home,
following every link on the app's own pages. Each distinct page (ids read as one) is checked
once, by the first role that reaches it (home once per role: each role's home differs), with
axe-core from npm injected into Debian's Chromium; then the same page at 320 px wide must not
scroll sideways (WCAG 1.4.10).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import pytest
from playwright.sync_api import Page, expect

from interviewloop import create_app
from tests.browser.conftest import DESKTOP, PHONE, LiveServer, Person, serving
from tests.browser.helpers import AXE, axe_violations, log_in, make_people, sideways_overflow
from tests.conftest import app_config, migrate, new_database_url

DEMO_PASSWORD = "demo-password-for-axe"
# The demo's roles, in the order the crawl runs: the admin first (it reaches the most).
ROLES = ("admin@example.com", "recruiter@example.com", "manager@example.com",
         "interviewer1@example.com", "interviewer4@example.com")
SKIP = re.compile(r"^/(logout|calendar/)|\.(csv|ics|txt|md|json)$")  # json: the API document, no page
MAX_PAGES_PER_ROLE = 120


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory) -> Iterator[LiveServer]:
    from interviewloop.audit.service import SYSTEM
    from interviewloop.auth.login import hasher
    from interviewloop.bank.importer import import_bank, load_bank
    from interviewloop.cli import DEFAULT_BANK
    from interviewloop.db import db
    from interviewloop.demo import load_demo

    url = new_database_url(tmp_path_factory, "axe")
    migrate(url)
    app = create_app(app_config(DATABASE_URL=url))
    try:
        with app.app_context(), db.session_scope() as session:
            bank = load_bank(DEFAULT_BANK)
            import_bank(session, SYSTEM, bank)
            load_demo(session, hasher(), DEMO_PASSWORD)
        with serving(app) as port:
            yield LiveServer(url=f"http://127.0.0.1:{port}", host="127.0.0.1", port=port,
                             bank=bank, app=app)
    finally:
        app.extensions["interviewloop.db"]["bind"].dispose()


def page_kind(path: str) -> str:
    """Pages that differ only by ids are one kind of page."""
    return re.sub(r"/\d+(?=/|$)", "/N", path)


def test_every_reachable_page_has_no_axe_violation(browser, demo_server) -> None:
    assert AXE.is_file(), "axe-core is missing: npm ci --prefix tests/js"
    seen: set[str] = set()
    problems: list[str] = []
    checked = 0
    for email in ROLES:
        context = browser.new_context(base_url=demo_server.url, bypass_csp=True,
                                      viewport={"width": 1280, "height": 900})
        context.set_default_timeout(10_000)
        page = context.new_page()
        page.goto("/login")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(re.compile(r".*/$"))
        queue, queued = ["/"], {"/"}
        visited = 0
        while queue and visited < MAX_PAGES_PER_ROLE:
            path = queue.pop(0)
            page.goto(path)
            visited += 1
            for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
                parts = urlsplit(urljoin(demo_server.url + path, href))
                if parts.netloc != f"127.0.0.1:{demo_server.port}" or SKIP.search(parts.path):
                    continue
                target = parts.path + (f"?{parts.query}" if parts.query else "")
                if target not in queued and page_kind(parts.path) not in seen | {
                        page_kind(urlsplit(q).path) for q in queue}:
                    queue.append(target)
                    queued.add(target)
            kind = page_kind(urlsplit(path).path)
            if kind in seen and path != "/":  # home is each role's own page: checked for each
                continue
            seen.add(kind)
            checked += 1
            problems += [f"{email} {path}: {v}" for v in axe_violations(page)]
            page.set_viewport_size({"width": 320, "height": 800})
            wide = sideways_overflow(page)
            if wide:
                problems.append(f"{email} {path}: at 320 px the page scrolls sideways: {wide}")
            page.set_viewport_size({"width": 1280, "height": 900})
        context.close()
    assert checked >= 25, f"only {checked} pages reached: {sorted(seen)}"
    assert not problems, "\n".join(problems)


# --- states no crawl reaches: they follow a click, or need data the demo does not have ------

AXE_PEOPLE = {key: Person(f"{key}.axe@example.com", name) for key, name in (
    ("manager", "Mona Axe"), ("recruiter", "Remy Axe"), ("ada", "Ada Owes"),
    ("bo", "Bo Filed"), ("cy", "Cy Later"))}


@dataclass(frozen=True)
class States:
    requisition_id: int
    owing_id: int  # scorecards owed (one overdue): no pre-offer check yet, so no offer
    weak_id: int  # every scorecard in, a weak pre-offer answer: keep looking, no offer
    late_id: int  # Ada's overdue scorecard's interview
    future_id: int  # Cy's interview next week: his scorecard cannot be submitted yet

    def candidate(self, candidate_id: int, page: str) -> str:
        return f"/requisitions/{self.requisition_id}/candidates/{candidate_id}/{page}"


@pytest.fixture(scope="module")
def states(live_server) -> States:
    """Committed through the services on the journeys' server, people of their own."""
    from interviewloop.audit.service import Actor
    from interviewloop.debrief import service as debrief
    from tests import factories as f

    with live_server.session() as session:
        users = make_people(session, AXE_PEOPLE, {"manager": "hiring_manager",
                                                  "recruiter": "recruiter"},
                            live_server.password)
        manager, recruiter = users["manager"], users["recruiter"]
        requisition = f.make_requisition(session, manager, recruiter, title="AI Engineer, axe")
        f.add_to_team(session, requisition, manager, users["ada"], users["bo"], users["cy"])
        owing, loop = f.make_candidate_with_loop(session, requisition, recruiter, 1,
                                                 email="owing.axe@example.net")
        late = f.past_interview(session, requisition, recruiter, owing, loop.stages[0],
                                [users["ada"], users["bo"]], ended_hours_ago=30)
        f.past_interview(session, requisition, recruiter, owing, loop.stages[1], [users["cy"]],
                         ended_hours_ago=2)
        future = f.make_interview(session, requisition, recruiter, owing, loop.stages[2],
                                  [users["cy"]], f.next_monday())
        f.write_scorecard(session, users["bo"], requisition, late)
        weak, weak_loop = f.make_candidate_with_loop(session, requisition, recruiter, 2,
                                                     email="weak.axe@example.net")
        held = f.past_interview(session, requisition, recruiter, weak, weak_loop.stages[0],
                                [users["bo"]], ended_hours_ago=5)
        f.write_scorecard(session, users["bo"], requisition, held)
        debrief.answer_pre_offer(session, Actor(manager), requisition, weak, {
            "owned_system": ("strong", "Ran the ranking service's pager for a year."),
            "failure_handling": ("weak", "Could not say what happens when the model times out."),
            "reduces_risk": ("strong", "Asked for a rollback plan before launch.")})
        return States(requisition.id, owing.id, weak.id, late.id, future.id)


def test_states_the_crawl_misses_have_no_axe_violation(live_server, states, new_context):
    """The owed scorecards (fresh, a reminder just queued, one refused), a scorecard whose
    Submit waits for its interview, and debriefs whose Offer is disabled with the gate's
    reason: axe-core at a laptop's width and at a phone's, and no sideways scrolling."""
    problems: list[str] = []

    def check(page: Page, state: str) -> None:
        problems.extend(f"{state}: {v}" for v in axe_violations(page))
        page.set_viewport_size(PHONE["viewport"])
        try:
            problems.extend(f"{state}, at 375 px: {v}" for v in axe_violations(page))
            if wide := sideways_overflow(page):
                problems.append(f"{state}: at 375 px the page scrolls sideways: {wide}")
        finally:
            page.set_viewport_size(DESKTOP)

    def as_(key: str) -> Page:
        page = new_context(bypass_csp=True).new_page()
        log_in(page, AXE_PEOPLE[key], live_server.password)
        return page

    recruiter = as_("recruiter")
    recruiter.goto(f"/requisitions/{states.requisition_id}/dashboard")
    expect(recruiter.locator("td.owed .tag")).to_have_text("1 overdue")
    check(recruiter, "the dashboard's scorecards owed")
    recruiter.get_by_role("link", name="who owes them").click()
    expect(recruiter.locator("#owed-list tbody tr")).to_have_count(2)
    check(recruiter, "the owed scorecards")
    stale = recruiter.context.new_page()
    stale.goto(states.candidate(states.owing_id, "scorecards"))
    ada = recruiter.locator("#owed-list tbody tr", has_text="Ada Owes")
    ada.get_by_role("button", name="Send a reminder").click()
    expect(recruiter.locator("#remind-sent")).to_be_focused()
    expect(ada.get_by_role("button", name="Send a reminder")).to_be_disabled()
    check(recruiter, "the owed scorecards, a reminder just queued")
    stale.locator("#owed-list tbody tr", has_text="Ada Owes").get_by_role(
        "button", name="Send a reminder").click()
    expect(stale.locator("#remind-refused")).to_be_focused()
    check(stale, "the owed scorecards, a reminder refused (409)")

    cy = as_("cy")
    cy.goto(f"/interviews/{states.future_id}/scorecard")
    expect(cy.get_by_role("button", name="Submit", exact=True)).to_be_disabled()
    expect(cy.get_by_role("button", name="Submit", exact=True)).to_have_accessible_description(
        re.compile(r"^Submit opens when the interview starts"))
    check(cy, "a scorecard before its interview (Submit disabled)")

    manager = as_("manager")
    for candidate_id, reason in ((states.owing_id, "No offer without the pre-offer check"),
                                 (states.weak_id, "The pre-offer check recorded a weak answer")):
        manager.goto(states.candidate(candidate_id, "debrief"))
        offer = manager.locator("#decision").get_by_label("Offer", exact=True)
        expect(offer).to_be_disabled()
        expect(offer).to_have_accessible_description(re.compile(
            r"^Offer is not available: " + re.escape(reason)))
        check(manager, f"a debrief, Offer disabled ({reason})")

    assert not problems, "\n".join(problems)
