"""The RSVP journey in Chromium, at the run's width: an interviewer, not signed in, opens
the Decline link from their invite email (read from the outbox the invite went into),
confirms, and the recruiter finds them flagged on the scheduling board and on the
candidate's loop page, while the other panelist, with no answer yet and days to go, is not."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from interviewloop.audit.service import SYSTEM, Actor
from interviewloop.auth.login import hasher
from interviewloop.auth.service import create_user
from interviewloop.loops import service as loops
from interviewloop.outbox.models import OutboxMail
from interviewloop.requisitions import candidates
from tests.browser.conftest import WIDTHS, Person
from tests.browser.helpers import axe_violations, log_in, sideways_overflow, watch_console
from tests.factories import add_to_team, make_interview, make_requisition, next_monday

pytestmark = pytest.mark.browser

MANAGER = Person("rsvp.manager@example.com", "Rosa Manager")
RECRUITER = Person("rsvp.recruiter@example.com", "Remy Recruiter")
DECLINER = Person("dora.decline@example.com", "Dora Decline")
QUIET = Person("quinn.quiet@example.com", "Quinn Quiet")
CANDIDATE = ("Rhea Rsvp", "rhea.rsvp@example.net")
DECLINE = re.compile(r"^Decline: (\S+/rsvp/\S+)$", re.M)


@dataclass(frozen=True)
class Seeded:
    requisition_id: int
    candidate_id: int
    decline_path: str
    decliner_id: int
    quiet_id: int


@pytest.fixture(scope="module")
def seeded(live_server, width) -> Seeded:
    with live_server.session() as session:
        people = {person: create_user(session, SYSTEM, hasher(), email=person.at(width).email,
                                      name=person.name, password=live_server.password,
                                      roles=(role,))
                  for person, role in ((MANAGER, "hiring_manager"), (RECRUITER, "recruiter"),
                                       (DECLINER, "interviewer"), (QUIET, "interviewer"))}
        recruiter = people[RECRUITER]
        requisition = make_requisition(session, people[MANAGER], recruiter,
                                       title="Staff AI Engineer, RSVP")
        add_to_team(session, requisition, people[MANAGER], people[DECLINER], people[QUIET])
        candidate = candidates.add_candidate(session, Actor(recruiter), requisition,
                                             candidates.CandidateInput(*CANDIDATE))
        loops.build_loop(session, Actor(recruiter), requisition, candidate, seed=1)
        loop = loops.loop_for(session, candidate)
        make_interview(session, requisition, recruiter, candidate, loop.stages[0],
                       [people[DECLINER], people[QUIET]], next_monday(weeks_ahead=3))
        body = session.scalars(select(OutboxMail.body).where(
            OutboxMail.recipient == DECLINER.at(width).email)).one()
        [link] = DECLINE.findall(body)
        return Seeded(requisition.id, candidate.id, urlsplit(link).path,
                      people[DECLINER].id, people[QUIET].id)


def test_an_interviewer_declines_from_the_email_and_the_board_flags_it(
        seeded, new_context, live_server, width):
    errors: list[str] = []
    # The CSP is bypassed only so that axe-core can be injected (as tests/browser/
    # test_accessibility.py does): the answer page is reached only from an email.
    page = watch_console(new_context(**WIDTHS[width], bypass_csp=True).new_page(), errors, {})
    page.goto(seeded.decline_path)  # not signed in
    expect(page.locator("#rsvp-heading")).to_have_text("Decline this interview?")
    expect(page.locator("main")).to_contain_text(CANDIDATE[0])
    assert axe_violations(page) == []
    page.get_by_role("button", name="Decline").click()
    expect(page.locator("#rsvp-done")).to_contain_text("You have declined this interview")
    assert axe_violations(page) == []
    page.set_viewport_size({"width": 320, "height": 800})
    assert sideways_overflow(page) == ""

    recruiter = watch_console(new_context(**WIDTHS[width]).new_page(), errors, {})
    log_in(recruiter, RECRUITER.at(width), live_server.password)
    recruiter.goto(f"/requisitions/{seeded.requisition_id}/board")
    for where in ("board", "loop page"):
        declined = recruiter.locator(f'.rsvp-declined[data-user="{seeded.decliner_id}"]')
        expect(declined).to_have_class(re.compile(r"\bflagged\b"))
        expect(declined).to_contain_text("Dora Decline: declined")
        quiet = recruiter.locator(f'.rsvp-needs_action[data-user="{seeded.quiet_id}"]')
        expect(quiet).to_contain_text("Quinn Quiet: no answer")
        expect(quiet).not_to_have_class(re.compile(r"\bflagged\b"))
        if where == "board":
            recruiter.get_by_role("link", name=CANDIDATE[0]).click()
    assert errors == []
