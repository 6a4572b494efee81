"""Evidence nudges before submit (issue 12, scorecards/nudges.py): each rule on planted
evidence, the form's flow (nudged once, never blocked, the input kept, autosave still
working), and what is stored: the nudge, then whether the evidence changed."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from interviewloop.bank.service import expectations_by_area
from interviewloop.scorecards import nudges, service
from interviewloop.scorecards.models import EvidenceNudge, NudgeRule
from tests.conftest import post
from tests.test_scorecards import form, save, stored
from tests.test_scorecards import w as w  # the fixture

CONCRETE = {  # evidence a debrief can use: what the candidate said or did, with detail
    0: "Traced the p95 latency regression to the reranker's cold cache and sized the fix.",
    1: "Proposed an eval set of 200 logged queries, split by intent, before any retraining.",
    2: "Walked through a blue-green deploy on Kubernetes and where its health checks sit.",
    3: "Named drift alarms on the embedding distribution and who gets paged at 2am.",
    4: "Explained to a PM why the launch waits a week: the rollback path is untested.",
}


def rubric_copy(w, area) -> str:
    """The level's expectation for the area, as the form shows it beside the rating."""
    _competency, texts = expectations_by_area(w.session)[area.id][0]
    return texts[w.req.level]


def ratings(w, **overrides) -> dict[int, tuple[int, str]]:
    given = {a.id: (3, CONCRETE[k]) for k, a in enumerate(w.focus)}
    return {**given, **{w.focus[int(k[1:])].id: (3, text) for k, text in overrides.items()}}


def found(w, given, others=()) -> dict[int, NudgeRule]:
    rubric = nudges.rubric_texts(w.session, w.req.level, w.areas, nudges.question_points(w.stage))
    data = service.ScorecardInput(ratings=given, recommendation="hire")
    return {n.area_id: n.rule for n in nudges.find(data, w.by_id, rubric, list(others))}


def test_concrete_evidence_is_not_nudged(w):
    assert found(w, ratings(w)) == {}


def test_copied_rubric_text_is_nudged(w):
    first = w.focus[0]
    assert found(w, ratings(w, a0=rubric_copy(w, first))) == {first.id: NudgeRule.COPIES_RUBRIC}
    # Copied, then a few words of one's own: still mostly the rubric.
    assert found(w, ratings(w, a0="Good: " + rubric_copy(w, first))) == {
        first.id: NudgeRule.COPIES_RUBRIC}


def test_the_same_evidence_across_areas_is_nudged_on_each(w):
    same = "Strong answer overall, covered the main points we look for in this stage."
    assert found(w, ratings(w, a0=same, a1=same.lower() + "!")) == {
        w.focus[0].id: NudgeRule.SAME_ACROSS_AREAS, w.focus[1].id: NudgeRule.SAME_ACROSS_AREAS}


def test_a_short_detail_repeated_across_areas_is_nudged(w):
    assert found(w, ratings(w, a0="Chose Kafka.", a1="Chose Kafka!")) == {
        w.focus[0].id: NudgeRule.SAME_ACROSS_AREAS, w.focus[1].id: NudgeRule.SAME_ACROSS_AREAS}


def test_the_same_evidence_as_on_another_candidate_is_nudged(w):
    reused = "Strong answer overall, covered the main points we look for in this stage."
    assert found(w, ratings(w, a0=reused), others=[reused]) == {
        w.focus[0].id: NudgeRule.SAME_AS_OTHER_CANDIDATE}
    assert found(w, ratings(w), others=[reused]) == {}


@pytest.mark.parametrize("text", ["Good.", "Solid answer, no concerns.", "Seemed fine overall"])
def test_a_few_words_with_no_detail_are_thin(w, text):
    assert found(w, ratings(w, a0=text)) == {w.focus[0].id: NudgeRule.THIN}


@pytest.mark.parametrize("text", ["Chose Kafka.", "Cut p99 to 80ms.", 'Said "roll back first".'])
def test_a_few_words_with_a_concrete_detail_are_not(w, text):
    assert found(w, ratings(w, a0=text)) == {}


def test_not_assessed_areas_are_not_looked_at(w):
    given = {**ratings(w), w.others[0].id: (None, "Good.")}
    assert found(w, given) == {}


def test_the_form_nudges_once_keeps_the_input_and_records_the_change(w):
    client = w.login(w.alice)
    copied = rubric_copy(w, w.focus[0])
    response = post(client, w.url, form(w, ratings(w, a0=copied), version=0, action="submit"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200  # saved as a draft, not refused
    assert 'id="nudges"' in page and "reads like the rubric" in page
    assert f'id="nudge_{w.focus[0].id}" data-rule="copies_rubric"' in page
    assert "Submit anyway" in page and CONCRETE[1] in page  # the input is kept
    card = stored(w, w.alice)
    assert not card.is_submitted and card.ratings  # a draft, with what was typed
    nudge = w.session.scalar(select(EvidenceNudge))
    assert (nudge.area_id, nudge.rule, nudge.changed) == (w.focus[0].id, NudgeRule.COPIES_RUBRIC,
                                                          None)
    assert nudge.evidence_digest == nudges.digest(copied)
    # Autosave keeps working on the nudged draft.
    saved = post(client, w.url + "/draft", form(w, ratings(w, a0=copied + " Then more."),
                                                version=card.version))
    assert saved.status_code == 200, saved.get_json()
    # She rewrites the evidence and submits: it goes in, and the nudge says it changed.
    response = post(client, w.url, form(w, ratings(w, a0="Sketched the canary gates: 1% for "
                                                        "an hour, then 10%."),
                                        version=saved.get_json()["version"], action="submit"))
    assert response.status_code == 302 and stored(w, w.alice).is_submitted
    w.session.expire_all()
    nudge = w.session.scalar(select(EvidenceNudge))
    assert (nudge.changed, nudge.evidence_digest) == (True, None)


def test_submit_anyway_goes_in_unchanged_and_says_so(w):
    client = w.login(w.alice)
    given = ratings(w, a0="Good.")
    assert post(client, w.url, form(w, given, version=0, action="submit")).status_code == 200
    card = stored(w, w.alice)
    assert not card.evidence_checked
    response = post(client, w.url, form(w, given, version=card.version, action="submit"))
    card = stored(w, w.alice)
    assert response.status_code == 302 and card.is_submitted and card.evidence_checked
    w.session.expire_all()
    assert w.session.scalar(select(EvidenceNudge.changed)) is False


def test_concrete_evidence_submits_at_once_and_stores_no_nudge(w):
    response = post(w.login(w.alice), w.url, form(w, ratings(w), version=0, action="submit"))
    card = stored(w, w.alice)
    assert response.status_code == 302 and card.is_submitted and card.evidence_checked
    assert w.session.scalar(select(EvidenceNudge)) is None


def test_an_incomplete_card_is_refused_before_any_nudge(w):
    given = ratings(w, a0="Good.")
    response = post(w.login(w.alice), w.url, form(w, given, version=0, action="submit",
                                                  recommendation=""))
    assert response.status_code == 422 and 'id="nudges"' not in response.get_data(as_text=True)
    assert stored(w, w.alice) is None and w.session.scalar(select(EvidenceNudge)) is None


def test_the_database_holds_a_digest_until_the_change_is_known(w):
    card = save(w, w.alice, service.ScorecardInput(ratings=ratings(w)), submit=False)
    row = {"scorecard_id": card.id, "area_id": w.focus[0].id, "rule": "thin",
           "nudged_at": card.updated_at}
    for bad in ({"evidence_digest": None, "changed": None},
                {"evidence_digest": "ab" * 32, "changed": True}):
        with pytest.raises(IntegrityError), w.session.begin_nested():
            w.session.execute(insert(EvidenceNudge), [{**row, **bad}])
