"""Reading the debrief (issue 11, hiring managers): a flagged area's evidence is shown at
the flag and open in its cells; each interviewer's summary and question notes are on the
page; and a names-hidden reading shows the interviewers as Interviewer A, B ... the same
letter everywhere on the page."""

from __future__ import annotations

import re

import pytest
from markupsafe import escape

from tests.conftest import post
from tests.factories import write_scorecard
from tests.test_decisions import STRONG, world


@pytest.fixture
def w(db_session, bank, make_user, login):
    return reading_world(db_session, make_user, login)


def reading_world(db_session, make_user, login):
    """test_decisions' world, Alice and Bob split on the stage's areas, with summaries."""
    w = world(db_session, make_user, login)
    w.cards = {
        "alice": write_scorecard(db_session, w.alice, w.req, w.iv, rating=1,
                                 evidence="Could not say how the model is rolled back.",
                                 summary="Alice's summary: thin on operations.",
                                 notes="Alice's note on the question.",
                                 signal_evidence="Owned the pager.", confirm=True),
        "bob": write_scorecard(db_session, w.bob, w.req, w.iv, rating=4,
                               evidence="Ran a blue-green rollback in production.",
                               summary="Bob's summary: strong on operations.", confirm=True)}
    db_session.flush()
    w.titles = [lq.question.title for lq in w.loop.stages[0].questions]
    return w


def between(page: str, start: str, end: str) -> str:
    assert start in page, start
    return page.split(start, 1)[1].split(end, 1)[0]


def test_a_disagreements_evidence_is_at_the_flag_and_open_in_its_cells(w):
    page = w.login(w.manager).get(f"{w.base}/debrief").get_data(as_text=True)
    flags = between(page, 'id="flags"', "</section>")
    disagreement, *_others = re.findall(r'<li class="disagreement".*?</ul>', flags, re.S)
    stage = escape(w.loop.stages[0].name)
    assert f"Alice Archer ({stage}): 1 Strong no: Could not say how the model is rolled back." \
        in disagreement
    assert f"Bob Baker ({stage}): 4 Strong yes: Ran a blue-green rollback in production." \
        in disagreement
    matrix = between(page, 'id="matrix"', "</table>")
    assert matrix.count("<details open>") == matrix.count("flagged-cell") > 0
    assert "<details>" not in matrix  # every rated area here is flagged (a gap or a split)


def test_each_interviewers_summary_and_notes_are_on_the_debrief(w):
    page = w.login(w.manager).get(f"{w.base}/debrief").get_data(as_text=True)
    alice = between(page, f'id="summary-{w.cards["alice"].id}"', "</article>")
    assert "Alice Archer" in alice and escape("Alice's summary: thin on operations.") in alice
    assert all(escape(title) in alice for title in w.titles)
    assert alice.count(escape("Alice's note on the question.")) == len(w.titles)
    bob = between(page, f'id="summary-{w.cards["bob"].id}"', "</article>")
    assert escape("Bob's summary: strong on operations.") in bob and "<dl" not in bob


def test_an_interviewer_still_owing_reads_no_summary(w):
    from tests.factories import make_interview, next_monday

    make_interview(w.session, w.req, w.recruiter, w.cand, w.loop.stages[1], [w.carol],
                   next_monday())
    w.session.flush()
    for url in (f"{w.base}/debrief", f"{w.base}/debrief?names=hidden"):
        response = w.login(w.carol).get(url)
        assert response.status_code == 404
        assert "summary:" not in response.get_data(as_text=True)


def test_names_hidden_shows_letters_the_same_everywhere_on_the_page(w):
    client = w.login(w.manager)
    shown = client.get(f"{w.base}/debrief").get_data(as_text=True)
    assert "Alice Archer" in shown and 'href="' in between(shown, 'id="names-toggle"', ">")
    page = client.get(f"{w.base}/debrief?names=hidden").get_data(as_text=True)
    assert "Alice Archer" not in page and "Bob Baker" not in page
    assert 'id="names-hidden"' in page and ">Show names<" in page
    letter = {"alice": "Interviewer A", "bob": "Interviewer B"}  # in the scorecards' order
    for who, card in w.cards.items():
        row = between(page, f'href="/scorecards/{card.id}">', "</a>")
        assert row == letter[who]
        assert letter[who] in between(page, f'id="summary-{card.id}"', "</h3>")
    flags = between(page, 'id="flags"', "</section>")
    assert "Interviewer A (" in flags and "Interviewer B (" in flags
    assert "Interviewer A: yes: Owned the pager." in between(page, 'id="q-owned_system"',
                                                              "</fieldset>")
    states = between(page, 'id="states"', "</section>")
    assert states.count("Interviewer A, ") == 1 and states.count("Interviewer B, ") == 1
    # The forms keep the reading: a refusal and a redirect come back with names hidden.
    assert f'action="{w.base}/decision?names=hidden"' in page
    response = post(client, f"{w.base}/pre-offer?names=hidden",
                    {**{n: v for n, (v, _e) in STRONG.items()},
                     **{f"{n}_evidence": e for n, (_v, e) in STRONG.items()}})
    assert response.status_code == 302 and response.location.endswith("/debrief?names=hidden")


@pytest.mark.parametrize("value", ["bogus", "Hidden", "1"])
def test_an_unknown_reading_is_a_400(w, value):
    response = w.login(w.manager).get(f"{w.base}/debrief?names={value}")
    assert response.status_code == 400
    assert "names is hidden or shown." in response.get_data(as_text=True)
