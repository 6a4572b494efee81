"""The hiring manager's debrief through the real pages in Chromium, at the run's width: two
candidates whose interviews are all held and all scorecards in. One has a disagreement on an
area (a 1 and a 4): the debrief flags it, one weak pre-offer answer means keep looking, and
the offer is refused. The other is strong throughout: three strong answers, and the offer is
recorded. The debrief's CSV has a row per scorecard and area."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from interviewloop.audit.service import SYSTEM, Actor
from interviewloop.auth.login import hasher
from interviewloop.auth.service import create_user
from interviewloop.bank.service import areas as all_areas
from interviewloop.db import utcnow
from interviewloop.debrief.models import Decision
from interviewloop.loops import service as loops
from interviewloop.requisitions import candidates
from interviewloop.requisitions.models import Candidate
from interviewloop.scorecards import service as scorecards
from tests.browser.conftest import WIDTHS, Person
from tests.browser.helpers import at_phone_width, flash, guide_shot, log_in, watch_console
from tests.factories import add_to_team, make_interview, make_requisition

pytestmark = pytest.mark.browser

# This journey's own people and requisition, shared with no other journey.
MANAGER = Person("dora.debrief@example.com", "Dora Debrief")
RECRUITER = Person("raul.debrief@example.com", "Raul Debrief")
PANEL = [Person(f"panel{n}.debrief@example.com", f"Panelist {name}")
         for n, name in enumerate(("Alder", "Birch", "Cedar", "Dogwood"), start=1)]
TITLE = "Senior AI Engineer, Debrief"
SPLIT = ("Sam Split", "sam.split@example.net")  # the disagreement
STEADY = ("Tara Steady", "tara.steady@example.net")  # consistent, strong
DISPUTED = 3  # position (0-based) of the area the panel disagrees on: MLOps discipline
EVIDENCE = "{area}: walked through a system they ran in production, with numbers."
# The evidence behind the 1: it starts like a spreadsheet formula, so the CSV quotes it.
LOW_NOTE = "-1 on rollback: could not say how a bad model version is taken out of service."
OFFER_REFUSED = ("The pre-offer check recorded a weak answer, which means keep looking: no "
                 "offer can be recorded.")


@dataclass(frozen=True)
class Seeded:
    requisition_id: int
    split_id: int
    steady_id: int
    areas: list[str]  # names, in the bank's order
    stages: int  # interviews per candidate (every stage of the loop)
    scorecards: int  # per candidate

    def debrief(self, candidate_id: int) -> str:
        return f"/requisitions/{self.requisition_id}/candidates/{candidate_id}/debrief"

    def decision(self, candidate_id: int) -> str:
        return f"/requisitions/{self.requisition_id}/candidates/{candidate_id}/decision"


def _hold_every_stage(session, requisition, recruiter, candidate, panel, ratings_of, *,
                      first_day: int) -> int:
    """Schedule every stage of the candidate's loop on a past day of its own (as if booked
    a week before), two panelists each, and submit both scorecards through the service.
    ``ratings_of(k, m)``: the five ratings of stage k's m-th panelist. Returns scorecards."""
    loops.build_loop(session, Actor(recruiter), requisition, candidate, seed=7)
    loop = loops.loop_for(session, candidate)
    area_list = all_areas(session)
    by_id = {a.id: a for a in area_list}
    written = 0
    for k, stage in enumerate(loop.stages):
        starts = (utcnow() - timedelta(days=first_day - k)).replace(
            hour=10, minute=0, second=0, microsecond=0)
        who = [panel[k % 4], panel[(k + 1) % 4]]
        interview = make_interview(session, requisition, recruiter, candidate, stage, who,
                                   starts, minutes=60, confirm=True,
                                   now=starts - timedelta(days=7))
        full_stage = scorecards.stage_for(session, interview)
        for m, author in enumerate(who):
            ratings = ratings_of(k, m)
            data = scorecards.ScorecardInput(
                ratings={a.id: (ratings[i], LOW_NOTE if ratings[i] == 1 else
                                EVIDENCE.format(area=a.name)) for i, a in enumerate(area_list)},
                recommendation="no_hire" if min(ratings) == 1 else
                "strong_hire" if min(ratings) == 4 else "hire",
                summary="Specific about the systems they ran and how they failed.",
                signals={"owned_system": ("yes", "Carried the pager for a ranking service."),
                         "failure_handling": ("yes", "Explained the fallback path plainly."),
                         "reduces_risk": ("not_observed", "")})
            scorecards.save(session, Actor(author), requisition, interview, None, data,
                            submit=True, seen_version=0, areas=by_id, stage=full_stage)
            written += 1
    return written


def _split_ratings(k: int, m: int) -> list[int]:
    """Threes everywhere, except the disputed area in the first interview: 1 and 4."""
    ratings = [3] * 5
    if k == 0:
        ratings[DISPUTED] = (1, 4)[m]
    return ratings


def _steady_ratings(k: int, m: int) -> list[int]:
    """Strong yes everywhere, but for one three (a spread of 1 is not a disagreement)."""
    ratings = [4] * 5
    if (k, m) == (1, 0):
        ratings[0] = 3
    return ratings


@pytest.fixture(scope="module")
def seeded(live_server, width) -> Seeded:
    """A senior requisition with two candidates, every stage of their loops held in the
    past days and every scorecard submitted: committed, through the services (for this
    width's run, by its own people)."""
    with live_server.session() as session:
        roles = {MANAGER: "hiring_manager", RECRUITER: "recruiter",
                 **dict.fromkeys(PANEL, "interviewer")}
        users = {person: create_user(session, SYSTEM, hasher(), email=person.at(width).email,
                                     name=person.name, password=live_server.password,
                                     roles=(role,)) for person, role in roles.items()}
        manager, recruiter = users[MANAGER], users[RECRUITER]
        panel = [users[p] for p in PANEL]
        requisition = make_requisition(session, manager, recruiter, title=TITLE)
        add_to_team(session, requisition, manager, *panel)
        made = {}
        for (name, email), ratings_of, first_day in ((SPLIT, _split_ratings, 30),
                                                     (STEADY, _steady_ratings, 20)):
            candidate = candidates.add_candidate(
                session, Actor(recruiter), requisition,
                candidates.CandidateInput(name=name, email=email, source="Referral"))
            made[name] = (candidate.id, _hold_every_stage(
                session, requisition, recruiter, candidate, panel, ratings_of,
                first_day=first_day))
        stages = len(loops.loop_for(session, session.get(Candidate, made[SPLIT[0]][0])).stages)
        assert made[SPLIT[0]][1] == made[STEADY[0]][1] == 2 * stages
        return Seeded(requisition.id, made[SPLIT[0]][0], made[STEADY[0]][0],
                      [a.name for a in all_areas(session)], stages, 2 * stages)


def dashboard_row(page: Page, name: str):
    return page.locator("#dashboard tbody tr").filter(
        has=page.get_by_role("link", name=name, exact=True))


def answer_pre_offer(page: Page, answers: dict[str, tuple[str, str]]) -> None:
    for question, (value, evidence) in answers.items():
        fieldset = page.locator(f"fieldset#q-{question}")
        fieldset.get_by_label(value, exact=True).check()
        fieldset.get_by_label("Evidence").fill(evidence)
    page.get_by_role("button", name="Record the answers").click()


def record_decision(page: Page, path: str, kind: str, rationale: str, status: int) -> None:
    form = page.locator("#decision")
    form.get_by_label(kind, exact=True).check()
    form.get_by_label("Rationale").fill(rationale)
    with page.expect_response(lambda r: urlsplit(r.url).path == path
                              and r.request.method == "POST") as response:
        form.get_by_role("button", name="Record the decision").click()
    assert response.value.status == status


def status_tag(page: Page):
    return page.locator("h1 .tag")


def candidate_state(live_server, candidate_id: int) -> tuple[str, int]:
    with live_server.session() as session:
        return (session.get(Candidate, candidate_id).status.value,
                session.scalar(select(func.count()).select_from(Decision)
                               .where(Decision.candidate_id == candidate_id)))


def test_debrief_flags_gate_and_offer(live_server, seeded, new_context, artifacts, width):
    disputed = seeded.areas[DISPUTED]
    errors: list[str] = []
    refused = (seeded.decision(seeded.split_id), 409)
    expected: dict[tuple[str, int], int] = {refused: 0}
    page = watch_console(new_context(**WIDTHS[width], accept_downloads=True).new_page(), errors,
                         expected)

    # 1. The hiring manager logs in and finds the requisition's dashboard.
    log_in(page, MANAGER.at(width), live_server.password)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Requisitions").click()
    page.get_by_role("link", name=TITLE).click()
    page.get_by_role("link", name="Dashboard").click()
    expect(page).to_have_url(re.compile(rf"/requisitions/{seeded.requisition_id}/dashboard$"))
    expect(page.locator("#dashboard tbody tr")).to_have_count(2)
    for name in (SPLIT[0], STEADY[0]):
        cells = dashboard_row(page, name).locator("td")
        expect(cells).to_have_count(7)
        expect(cells.nth(1)).to_have_text("Active")
        expect(cells.nth(2)).to_have_text(f"{seeded.stages} / {seeded.stages}")
        expect(cells.nth(3)).to_have_text("0")  # no scorecard outstanding
        expect(cells.nth(5)).to_have_text("not answered")

    # 2. The split candidate's debrief names the disagreement and flags the spread.
    dashboard_row(page, SPLIT[0]).get_by_role("link", name=SPLIT[0]).click()
    expect(page).to_have_url(re.compile(re.escape(seeded.debrief(seeded.split_id)) + "$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Debrief: {SPLIT[0]}")
    expect(page.locator("#matrix tbody tr")).to_have_count(seeded.scorecards)
    flag = page.locator("#flags .disagreement")
    expect(flag).to_contain_text(
        f"Disagreement on {disputed}: ratings from 1 (Strong no) to 4 (Strong yes).")
    # ... with each rating's evidence at the flag, the low one among them.
    expect(flag.locator(".flag-evidence li")).to_have_count(seeded.scorecards)
    expect(flag.locator(".flag-evidence")).to_contain_text(LOW_NOTE)
    expect(page.locator("#flags .coverage-gap")).to_have_count(0)
    headings = page.locator("#matrix thead th")
    expect(headings.nth(DISPUTED + 1)).to_have_text(disputed)
    spread = page.locator("#matrix tfoot tr").filter(
        has=page.get_by_role("rowheader", name="Spread")).locator("td")
    expect(spread.nth(DISPUTED)).to_have_text("3")
    expect(spread.nth(DISPUTED)).to_have_class("flag")
    expect(page.locator("#matrix tfoot td.flag")).to_have_count(1)
    expect(page.locator("#matrix td.rating-1 .evidence")).to_have_text(LOW_NOTE)

    # A first reading with the names hidden: each interviewer a letter, the same everywhere.
    page.get_by_role("link", name="Hide names").click()
    expect(page.locator("#names-hidden")).to_contain_text("each interviewer is a letter")
    expect(flag.locator(".flag-evidence li").first).to_have_text(re.compile(r"^Interviewer [A-D] \("))
    expect(page.locator("main")).not_to_contain_text(PANEL[0].name)
    guide_shot(page, "manager-names-hidden.png")
    page.get_by_role("link", name="Show names").click()
    expect(page.locator("#names-hidden")).to_have_count(0)

    # 3. One weak answer: keep looking.
    answer_pre_offer(page, {
        "owned_system": ("Strong", "Ran the feature store's on-call for two years."),
        "failure_handling": ("Weak", "Could not say what happens when the reranker times out."),
        "reduces_risk": ("Strong", "Pushed back on a launch without a rollback plan."),
    })
    expect(flash(page)).to_have_text("Pre-offer check recorded a weak answer: keep looking.")
    expect(page.locator("#pre-offer-outcome")).to_have_text(re.compile(r"^Keep looking: "))

    # 4. Offer is disabled with the gate's reason beside it; a page that was open before the
    # weak answer (here: the choice enabled again) is refused with the reason, and the
    # candidate stays active.
    offer = page.locator("#decision").get_by_label("Offer", exact=True)
    expect(offer).to_be_disabled()
    expect(page.locator("#offer-refused")).to_have_text(f"Offer is not available: {OFFER_REFUSED}")
    offer.evaluate("choice => { choice.disabled = false; }")
    record_decision(page, refused[0], "Offer", "The team liked them.", 409)
    expect(page.locator("#decision-error")).to_have_text(OFFER_REFUSED)
    expect(status_tag(page)).to_have_text("Active")
    expect(page.locator("#decision-recorded")).to_have_count(0)
    assert candidate_state(live_server, seeded.split_id) == ("active", 0)
    page.screenshot(path=str(artifacts / f"debrief-{width}.png"), full_page=True)
    guide_shot(page, "manager-debrief.png")
    at_phone_width(page)

    # 5. The CSV: a row per scorecard and area, then the per-area summary.
    page.goto(seeded.debrief(seeded.split_id))
    with page.expect_download() as info:
        page.get_by_role("link", name="Download CSV").click()
    download = info.value
    assert download.suggested_filename == (
        f"debrief-{seeded.requisition_id}-{seeded.split_id}.csv")
    text = download.path().read_text(encoding="utf-8")
    table = list(csv.reader(io.StringIO(text)))
    blank = table.index([])
    header, rows, rest = table[0], table[1:blank], table[blank + 1:]
    summary = rest[:rest.index([])]  # then the summaries, signals, answers ...
    assert header[:6] == ["candidate", "interviewer", "stage", "area", "rating", "rating_label"]
    assert len(rows) == seeded.scorecards * len(seeded.areas)
    cards = {(r[1], r[2]) for r in rows}
    assert len(cards) == seeded.scorecards
    assert {(r[1], r[2], r[3]) for r in rows} == {(*c, a) for c in cards for a in seeded.areas}
    assert {r[0] for r in rows} == {SPLIT[0]}
    on_disputed = sorted(r[4] for r in rows if r[3] == disputed)
    assert on_disputed == ["1", *["3"] * (seeded.scorecards - 2), "4"]
    # Typed text never reaches a spreadsheet as a formula: the leading "-" is quoted.
    assert [r[6] for r in rows if r[4] == "1"] == ["'" + LOW_NOTE]
    flags = {r[0]: r[6] for r in summary[1:]}
    assert summary[0][0] == "area" and flags == {
        a: "disagreement" if a == disputed else "" for a in seeded.areas}

    # 6. Back on the dashboard, the split candidate shows keep looking and no decision.
    page.get_by_role("link", name=f"← {TITLE}").click()
    cells = dashboard_row(page, SPLIT[0]).locator("td")
    expect(cells.nth(5)).to_have_text("keep looking")
    expect(cells.nth(6)).to_have_text("\u2013")

    # 7. The steady candidate: no disagreement, three strong answers, an offer.
    dashboard_row(page, STEADY[0]).get_by_role("link", name=STEADY[0]).click()
    expect(page).to_have_url(re.compile(re.escape(seeded.debrief(seeded.steady_id)) + "$"))
    expect(page.locator("#flags .disagreement")).to_have_count(0)
    expect(page.locator("#matrix tfoot td.flag")).to_have_count(0)
    answer_pre_offer(page, {
        "owned_system": ("Strong", "Owned the retrieval service a year past launch."),
        "failure_handling": ("Strong", "Walked through the timeout fallback in plain words."),
        "reduces_risk": ("Strong", "Added shadow traffic before every model swap."),
    })
    expect(flash(page)).to_have_text("Pre-offer check passed: an offer can be recorded.")
    expect(page.locator("#pre-offer-outcome")).to_have_text(re.compile(r"^Passed: "))
    rationale = "Consistent strong evidence of production ownership across the panel."
    record_decision(page, seeded.decision(seeded.steady_id), "Offer", rationale, 302)
    expect(flash(page)).to_have_text("Decision recorded: offer.")
    expect(page.locator("#decision-recorded strong")).to_have_text("Offer")
    expect(page.locator("#decision-recorded")).to_contain_text(rationale)
    expect(status_tag(page)).to_have_text("Offer")
    assert candidate_state(live_server, seeded.steady_id) == ("offer", 1)
    page.get_by_role("link", name=f"← {TITLE}").click()
    expect(dashboard_row(page, STEADY[0]).locator("td").nth(1)).to_have_text("Offer")
    expect(dashboard_row(page, STEADY[0]).locator("td").nth(6)).to_have_text("offer")
    expect(page.locator("#heatmap tbody tr")).to_have_count(2)
    guide_shot(page, "manager-dashboard.png")

    assert errors == [], "console errors during the journey"
    assert expected == {refused: 1}  # the refused offer, logged exactly once
