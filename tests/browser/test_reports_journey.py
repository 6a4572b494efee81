"""A hiring manager reads the reports and acts on them, in Chromium at the run's width: on
the interviewers report they find the lenient interviewer (a point above their
co-panelists); on the questions report, the question whose ratings do not track the outcome,
flagged "low discrimination"; they follow the flag to the question and retire it (hiring
managers edit the bank: bank/service.py EDITORS). The history is planted as in the reports'
tests (tests/analytics_data.py): 40 decided candidates on a weak question, 40 on a strong
one."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from interviewloop.audit.service import SYSTEM
from interviewloop.bank import service as bank
from interviewloop.bank.models import Question
from interviewloop.bank.service import areas as all_areas
from tests.analytics_data import plant
from tests.browser.conftest import WIDTHS, Person
from tests.browser.helpers import flash, guide_shot, log_in, make_people, watch_console
from tests.factories import add_to_team, make_requisition

pytestmark = pytest.mark.browser


def outcome(n: int) -> str:
    return "offer" if n % 2 == 0 else "reject"


@pytest.fixture
def history(live_server, width):
    """Lena rates a point above Ann and Ben; the weak question's ratings are unrelated to
    the outcome, the strong one's follow it. Yields (manager, weak question id, its title);
    the question is put back in use afterwards (the bank journey counts every one)."""
    people = {key: Person(f"{key}.reports-{width}@example.com", name) for key, name in (
        ("hal", "Hal Reports"), ("rae", "Rae Reports"), ("lena", "Lena Lenient"),
        ("ann", "Ann Steady"), ("ben", "Ben Steady"))}
    with live_server.session() as session:
        made = make_people(session, people, {"hal": "hiring_manager", "rae": "recruiter"},
                           live_server.password)
        req = make_requisition(session, made["hal"], made["rae"], title=f"Reports ({width})")
        panel = [made["lena"], made["ann"], made["ben"]]
        add_to_team(session, req, made["hal"], *panel)
        areas = all_areas(session)
        ids = list(session.scalars(select(Question.id).order_by(Question.id)))
        weak, strong = ids[-1 - 2 * list(WIDTHS).index(width)], ids[-2 - 2 * list(WIDTHS).index(width)]
        plant(session, req, panel, areas, lambda n, i, p: min(4, 1 + (n // 2) % 3 + (i == 0)),
              count=40, tag=f"weak-{width}", decide=outcome, asks=lambda n: [weak],
              days_ago=100)
        plant(session, req, panel, areas,
              lambda n, i, p: (3 if n % 2 == 0 else 1) + (i == 0 and n % 2 == 1), count=40,
              start=100, tag=f"strong-{width}", decide=outcome, asks=lambda n: [strong],
              days_ago=100)
        title = session.get_one(Question, weak).title
    yield people["hal"], weak, title
    with live_server.session() as session:
        question = session.get_one(Question, weak)
        if question.is_retired:
            bank.unretire_question(session, SYSTEM, question)


def test_a_hiring_manager_finds_the_lenient_interviewer_and_retires_the_weak_question(
        live_server, new_context, width, history):
    manager, weak, title = history
    errors: list[str] = []
    page = watch_console(new_context(**WIDTHS[width]).new_page(), errors, {})
    log_in(page, manager, live_server.password)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Interviewers").click()
    rows = page.locator("#interviewers tbody tr")
    lena = rows.filter(has_text="Lena Lenient")
    # Lena: about +0.67 over the 80 candidates; Ann and Ben below zero.
    expect(lena.locator("td").nth(4)).to_contain_text("+0.")
    expect(lena.locator("td").nth(4)).to_contain_text("80 candidates")
    for steady in ("Ann Steady", "Ben Steady"):
        expect(rows.filter(has_text=steady).locator("td").nth(4)).to_contain_text("-0.")
    page.locator("#interviewers").evaluate("el => { el.scrollIntoView(); scrollBy(0, -56); }")
    guide_shot(page, "manager-interviewers.png")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Questions").click()
    row = page.locator(f"#question-{weak}")
    expect(row).to_contain_text(title)
    expect(row.locator(".strength")).to_have_text("low")
    row.get_by_role("link", name="low discrimination").click()
    expect(page).to_have_url(f"{live_server.url}/bank/questions/{weak}")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    page.get_by_role("button", name="Retire").click()
    expect(flash(page)).to_contain_text("Question retired: new loops will not use it.")
    expect(page.get_by_role("button", name="Put back in use")).to_be_visible()
    assert errors == []
