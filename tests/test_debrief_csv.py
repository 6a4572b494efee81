"""The debrief CSV carries the summaries, question notes, pre-offer signals, the hiring
manager's answers and the decision, section by section, and follows the names-hidden
reading (issue 11). Who may download it is the debrief's rule (the independence and
permission matrices)."""

from __future__ import annotations

import csv
import io

import pytest

from tests.test_debrief_reading import reading_world
from tests.test_decisions import answer, decide


@pytest.fixture
def w(db_session, bank, make_user, login):
    return reading_world(db_session, make_user, login)


def sections(w, query: str = "") -> dict[str, list[list[str]]]:
    """The CSV's sections by their header's first two cells, each as its rows (header
    first)."""
    response = w.login(w.manager).get(f"{w.base}/debrief.csv{query}")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    found, current = {}, None
    for row in rows:
        if not row:
            current = None
        elif current is None:
            current = found.setdefault(f"{row[0]}/{row[-1]}", [row])
        else:
            current.append(row)
    return found


def test_the_csv_carries_summaries_notes_signals_answers_and_the_decision(w):
    stage = w.loop.stages[0].name
    before = sections(w)
    assert not any(k.startswith(("pre-offer answer", "decision")) for k in before)  # none yet
    assert before["interviewer/summary"][1:] == [
        ["Alice Archer", stage, "hire", "Alice's summary: thin on operations."],
        ["Bob Baker", stage, "hire", "Bob's summary: strong on operations."]]
    answer(w)
    decide(w, "offer", rationale="=Strong on the day.", waiver="The panel covered it.")
    got = sections(w)
    notes = got["interviewer/notes"]
    assert notes[0] == ["interviewer", "stage", "question", "notes"]
    assert notes[1:] == [["Alice Archer", stage, title, "Alice's note on the question."]
                         for title in w.titles]  # Bob wrote none
    signals = got["pre-offer question/evidence"]
    assert signals[0] == ["pre-offer question", "interviewer", "signal", "evidence"]
    assert ["Has this person owned a real system after launch?", "Alice Archer", "yes",
            "Owned the pager."] in signals
    answers = got["pre-offer answer/passed"]
    assert [r[1:3] for r in answers[1:]] == [["strong", f"Evidence on {n}."] for n in
                                             ("owned_system", "failure_handling", "reduces_risk")]
    assert all(r[3] == "Hana Manager" and r[5] == "yes" for r in answers[1:])
    [header, decision] = got["decision/waiver"]
    assert header == ["decision", "decided_by", "decided_at", "rationale", "waived", "waiver"]
    assert decision[:2] == ["offer", "Hana Manager"] and decision[5] == "The panel covered it."
    assert decision[3] == "'=Strong on the day."  # typed text never runs as a formula
    assert f"{w.loop.stages[1].name}: not held" in decision[4]


def test_with_names_hidden_the_csv_shows_the_pages_letters(w):
    page = w.login(w.manager).get(f"{w.base}/debrief?names=hidden").get_data(as_text=True)
    assert f'href="{w.base}/debrief.csv?names=hidden">Download CSV' in page
    text = w.login(w.manager).get(f"{w.base}/debrief.csv?names=hidden").get_data(as_text=True)
    assert "Alice Archer" not in text and "Bob Baker" not in text
    got = sections(w, "?names=hidden")
    assert [r[1] for r in got["candidate/recommendation"][1:]][::5] == [
        "Interviewer A", "Interviewer B"]
    assert [r[0] for r in got["interviewer/summary"][1:]] == ["Interviewer A", "Interviewer B"]
    assert w.login(w.manager).get(f"{w.base}/debrief.csv?names=x").status_code == 400
