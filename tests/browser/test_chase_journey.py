"""A recruiter chases the scorecards a candidate's panel owes, through the real pages in
Chromium, at the run's width: a laptop's (by keyboard) or a phone's (tapping): the dashboard counts
what is owed and links to who owes it; there, overdue and not yet due are told apart, and
"Send a reminder" queues one email to the interviewer (through the background queue), says
so beside that row, and refuses a second one inside the window beside that row too (a page
loaded before the first, whose button was still enabled), never on a bare error page."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from interviewloop.audit.service import Actor
from interviewloop.loops import service as loops
from interviewloop.outbox.models import OutboxMail
from interviewloop.outbox.service import DELIVERY_JOB
from interviewloop.queue import task_queue
from interviewloop.requisitions import candidates
from interviewloop.scorecards.chase import CHASE_WINDOW
from interviewloop.scorecards.models import ScorecardChase
from interviewloop.timezones import format_local
from tests.browser.conftest import WIDTHS, Person
from tests.browser.helpers import log_in, make_people, sideways_overflow, watch_console
from tests.factories import add_to_team, make_requisition, past_interview, write_scorecard

pytestmark = pytest.mark.browser

TITLE = "Staff AI Engineer, Chasing"
CANDIDATE = "Eli Novak"
# Bo's evidence: his scorecard is in, and nothing of it reaches the reminder.
SECRET = "bo-marker-51d2: found the drift in the shadow index"
ZONE = "Europe/Berlin"  # the recruiter's: the page's times are on her clock


def people(run: str) -> dict[str, Person]:
    """This journey's own people, per width (each run has its own)."""
    return {"manager": Person(f"cleo.manager.{run}@example.com", "Cleo Manager"),
            "recruiter": Person(f"ravi.chaser.{run}@example.com", "Ravi Chaser"),
            "ada": Person(f"ada.late.{run}@example.com", "Ada Late"),
            "bo": Person(f"bo.done.{run}@example.com", "Bo Done"),
            "cy": Person(f"cy.soon.{run}@example.com", "Cy Soon")}


@dataclass(frozen=True)
class Seeded:
    who: dict[str, Person]
    ids: dict[str, int]  # users' ids, by the keys of ``who``
    requisition_id: int
    candidate_id: int
    late_id: int  # held 30 hours ago by Ada and Bo: Ada's scorecard is overdue, Bo's is in
    soon_id: int  # held 2 hours ago by Cy: due, not overdue
    title: str

    @property
    def panel_path(self) -> str:
        return f"/requisitions/{self.requisition_id}/candidates/{self.candidate_id}/scorecards"

    def remind_path(self, interview_id: int, person: str) -> str:
        return (f"{self.panel_path}/owed/{interview_id}/{self.ids[person]}/remind")


@pytest.fixture
def seeded(live_server, width) -> Seeded:
    """A requisition whose candidate had two interviews: committed, through the services."""
    who = people(width)
    with live_server.session() as session:
        users = make_people(session, who, {"manager": "hiring_manager", "recruiter": "recruiter"},
                            live_server.password, zones={"recruiter": ZONE})
        manager, recruiter = users["manager"], users["recruiter"]
        title = f"{TITLE} ({width})"
        requisition = make_requisition(session, manager, recruiter, title=title)
        add_to_team(session, requisition, manager, users["ada"], users["bo"], users["cy"])
        candidate = candidates.add_candidate(
            session, Actor(recruiter), requisition,
            candidates.CandidateInput(name=CANDIDATE, email=f"eli.novak.{width}@example.net"))
        loops.build_loop(session, Actor(recruiter), requisition, candidate, seed=1)
        loop = loops.loop_for(session, candidate)
        late = past_interview(session, requisition, recruiter, candidate, loop.stages[0],
                              [users["ada"], users["bo"]], ended_hours_ago=30)
        soon = past_interview(session, requisition, recruiter, candidate, loop.stages[1],
                              [users["cy"]], ended_hours_ago=2)
        write_scorecard(session, users["bo"], requisition, late, evidence=SECRET)
        return Seeded(who, {k: u.id for k, u in users.items()}, requisition.id, candidate.id,
                      late.id, soon.id, title)


def chase_mail(live_server, seeded: Seeded) -> list[OutboxMail]:
    with live_server.session() as session:
        return list(session.scalars(select(OutboxMail).where(
            OutboxMail.idempotency_key.like(f"scorecard-reminder:{seeded.late_id}:%:chase:%"))
            .order_by(OutboxMail.id)))


def again_at(live_server, seeded: Seeded) -> str:
    """When Ada can be reminded again (the window after the last one), on the recruiter's
    clock: she works in Berlin."""
    with live_server.session() as session:
        last = session.scalar(select(ScorecardChase.last_sent_at).where(
            ScorecardChase.interview_id == seeded.late_id,
            ScorecardChase.interviewer_id == seeded.ids["ada"]))
    return format_local(last + CHASE_WINDOW, ZONE, with_date=False)


def deliveries_queued(live_server) -> int:
    """Mail-delivery jobs waiting in the live server's task queue (the worker's to run)."""
    return sum(1 for task in task_queue(live_server.app).huey.pending()
               if task.name == DELIVERY_JOB)


def owed_row(page: Page, name: str) -> Locator:
    # By the first cell's text: stacked at a phone's width, a cell's accessible name also
    # holds its column's label ("Who owes it: Ada Late").
    return page.locator("#owed-list tbody tr").filter(
        has=page.locator("td:first-child", has_text=name))


def dashboard_row(page: Page, name: str) -> Locator:
    return page.locator("#dashboard tbody tr").filter(
        has=page.get_by_role("link", name=name, exact=True))


def keyboard_to(page: Page, target: Locator, *, presses: int = 80) -> None:
    """Tab from the top of the page until ``target`` has the focus: it is in the tab order."""
    page.evaluate("() => document.activeElement?.blur()")
    for _ in range(presses):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{target} not reached with Tab in {presses} presses")


def remind(page: Page, row: Locator, path: str, status: int, *, keyboard: bool) -> None:
    """Press the row's "Send a reminder" (Tab to it and Enter, or a tap) and check the
    POST's status."""
    button = row.get_by_role("button", name="Send a reminder")
    with page.expect_response(lambda r: urlsplit(r.url).path == path
                              and r.request.method == "POST") as response:
        if keyboard:
            keyboard_to(page, button)
            page.keyboard.press("Enter")
        else:
            button.tap()
    assert response.value.status == status


def test_a_recruiter_chases_an_overdue_scorecard(live_server, seeded, new_context, artifacts,
                                                 width):
    ada_path = seeded.remind_path(seeded.late_id, "ada")
    phone = width == "phone"
    errors: list[str] = []
    expected: dict[tuple[str, int], int] = {(ada_path, 409): 0}
    context = new_context(**WIDTHS[width])
    page = watch_console(context.new_page(), errors, expected)

    # 1. The recruiter finds the requisition's dashboard: two scorecards owed, one overdue,
    #    and a link to who owes them.
    log_in(page, seeded.who["recruiter"], live_server.password)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Requisitions").click()
    page.get_by_role("link", name=seeded.title).click()
    page.get_by_role("link", name="Dashboard").click()
    expect(page).to_have_url(re.compile(rf"/requisitions/{seeded.requisition_id}/dashboard$"))
    owed = dashboard_row(page, CANDIDATE).locator("td.owed")
    expect(owed).to_contain_text(re.compile(r"^2 "))
    expect(owed.locator(".tag")).to_have_text("1 overdue")
    if phone:
        assert sideways_overflow(page) == "", page.url

    # 2. Its link opens the candidate's owed scorecards: who owes each, overdue or due; Bo's
    #    is in, so he is not there.
    owed.get_by_role("link", name="who owes them").click()
    expect(page).to_have_url(re.compile(re.escape(seeded.panel_path) + "#owed$"))
    expect(page.get_by_role("heading", name="Scorecards owed")).to_be_visible()
    rows = page.locator("#owed-list tbody tr")
    expect(rows).to_have_count(2)
    ada, cy = owed_row(page, "Ada Late"), owed_row(page, "Cy Soon")
    expect(ada.locator(".tag")).to_have_text("Overdue")
    expect(ada).to_contain_text("was due")
    expect(cy.locator(".tag")).to_have_text("Due")
    expect(cy).not_to_contain_text("was due")
    expect(owed_row(page, "Bo Done")).to_have_count(0)
    if phone:  # the page reflows, and so does the list: a card per row, nothing hidden aside
        assert sideways_overflow(page) == "", page.url
        assert page.locator("#owed-list").evaluate("t => t.scrollWidth <= t.clientWidth")
    # A second tab, open on this page from before the reminder goes.
    stale = watch_console(context.new_page(), errors, expected)
    stale.goto(seeded.panel_path)
    page.bring_to_front()

    # 3. She sends Ada a reminder (by keyboard on the laptop, a tap on the phone): it is
    #    confirmed beside Ada's row, and Ada's button waits out the window, saying until when.
    queued = deliveries_queued(live_server)
    remind(page, ada, ada_path, 302, keyboard=not phone)
    expect(page).to_have_url(re.compile(re.escape(seeded.panel_path) + "#remind-sent$"))
    ada = owed_row(page, "Ada Late")
    expect(ada.get_by_role("status")).to_have_text("Reminder queued for Ada Late.")
    expect(ada.get_by_role("status")).to_be_in_viewport()
    expect(ada.get_by_role("status")).to_be_focused()  # the keyboard goes on from there
    button = ada.get_by_role("button", name="Send a reminder")
    expect(button).to_be_disabled()
    expect(button).to_have_accessible_description(re.compile(
        r"^last sent .+ \(Europe/Berlin\); again from .+ \(Europe/Berlin\)$"))
    expect(owed_row(page, "Cy Soon").get_by_role("button", name="Send a reminder")
           ).to_be_enabled()  # another scorecard: its own window
    page.screenshot(path=str(artifacts / f"chase-{width}.png"), full_page=True)

    # ... one email for Ada, about her interview, and a delivery job queued for the worker.
    [mail] = chase_mail(live_server, seeded)
    assert mail.recipient == seeded.who["ada"].email
    assert mail.subject == f"Reminder: your scorecard for {CANDIDATE}"
    assert f"/interviews/{seeded.late_id}/scorecard" in mail.body and "was due" in mail.body
    assert seeded.who["recruiter"].name in mail.body
    assert SECRET not in mail.body and "Bo Done" not in mail.body
    assert deliveries_queued(live_server) == queued + 1

    # 4. The older tab still offers the button; pressing it is refused beside Ada's row with
    #    when she can be reminded again, on the page itself, and nothing more is queued.
    stale.bring_to_front()
    remind(stale, owed_row(stale, "Ada Late"), ada_path, 409, keyboard=not phone)
    ada = owed_row(stale, "Ada Late")
    refusal = ada.get_by_role("alert")
    expect(refusal).to_have_text("Ada Late was reminded a moment ago; you can remind them "
                                 f"again at {again_at(live_server, seeded)}.")
    expect(refusal).to_be_in_viewport()
    expect(refusal).to_be_focused()
    expect(stale.get_by_role("heading", level=1)).to_have_text(f"Scorecards: {CANDIDATE}")
    expect(owed_row(stale, "Cy Soon")).to_have_count(1)  # the rest of the page is there
    assert len(chase_mail(live_server, seeded)) == 1
    assert deliveries_queued(live_server) == queued + 1
    if phone:
        assert sideways_overflow(stale) == "", stale.url

    # 5. Opened again, the page shows Ada's button disabled with its reason; Cy's works.
    stale.goto(seeded.panel_path)
    expect(owed_row(stale, "Ada Late").get_by_role("button", name="Send a reminder")
           ).to_be_disabled()
    remind(stale, owed_row(stale, "Cy Soon"), seeded.remind_path(seeded.soon_id, "cy"), 302,
           keyboard=not phone)
    expect(owed_row(stale, "Cy Soon").get_by_role("status")).to_have_text(
        "Reminder queued for Cy Soon.")
    expect(owed_row(stale, "Ada Late").get_by_role("status")).to_have_count(0)

    assert errors == [], "console errors during the journey"
    assert expected == {(ada_path, 409): 1}  # the refused reminder, logged exactly once
