"""The scorecard form as one-tap choices, and its draft saved as the author types: the
JSON draft endpoint keeps the lost-update rule (a stale tab overwrites nothing), refuses a
submitted scorecard, and is its author's alone."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from interviewloop.scorecards.models import Scorecard, ScorecardRevision
from tests.conftest import post
from tests.test_scorecards import (  # noqa: F401 - w is the fixture
    EVIDENCE,
    card_input,
    checked,
    form,
    save,
    stored,
    version_on,
    w,
)


def draft_url(world) -> str:
    return f"/interviews/{world.iv.id}/scorecard/draft"


def test_the_choices_round_trip_through_the_form(w):  # noqa: F811
    """Ratings, recommendation and pre-offer signals are radio buttons: what was chosen
    comes back chosen, each rating's point says what it means at the requisition's level,
    and the level's rubric text describes the rating's choices."""
    client = w.login(w.alice)
    first, extra = w.focus[0], w.others[0]
    data = form(w, {first.id: (4, EVIDENCE), extra.id: (None, "")}, version=0,
                recommendation="strong_hire", signal_owned_system="not_observed")
    data[f"rating_{extra.id}"] = "na"
    assert post(client, w.url, data).status_code == 302
    page = client.get(w.url).get_data(as_text=True)
    assert checked(page, f"rating_{first.id}") == ["4"]
    assert checked(page, f"rating_{extra.id}") == ["na"]
    assert checked(page, "recommendation") == ["strong_hire"]
    assert checked(page, "signal_owned_system") == ["not_observed"]
    assert checked(page, "signal_reduces_risk") == [""]  # no signal
    level = w.req.level.label.lower()
    assert f"<small>Meets the {level} bar</small>" in page
    four = re.search(rf'<input type="radio" name="rating_{first.id}" value="4"[^>]*>', page)[0]
    assert f'aria-describedby="bar-{first.id}"' in four
    assert f'<div class="expectation" id="bar-{first.id}">' in page
    assert '<legend>Pre-offer signals (optional)</legend>' in page


def test_a_draft_saves_as_its_author_types(w):  # noqa: F811
    client = w.login(w.alice)
    first = w.focus[0]
    reply = post(client, draft_url(w), form(w, {first.id: (2, "Typed so far")}, version=0,
                                           recommendation=""))
    assert reply.status_code == 200 and reply.is_json
    card = stored(w, w.alice)
    assert reply.json["version"] == card.version
    assert reply.json["saved_at"].startswith(f"{card.updated_at:%H:%M}")
    assert {r.area_id: (r.rating, r.evidence) for r in card.ratings if r.rating} == {
        first.id: (2, "Typed so far")}
    assert not card.is_submitted and card.revisions == []
    # The next keystroke's save carries the version the last one returned.
    again = post(client, draft_url(w), form(w, {first.id: (2, "Typed so far, and more")},
                                           version=reply.json["version"], recommendation=""))
    assert again.status_code == 200 and again.json["version"] > reply.json["version"]
    assert stored(w, w.alice).summary == "" and [r.evidence for r in stored(w, w.alice).ratings
                                                 if r.area_id == first.id] == [
        "Typed so far, and more"]
    page = client.get(w.url).get_data(as_text=True)
    assert version_on(page) == again.json["version"] and 'id="save-status"' in page
    assert "Saved at" in page.split('id="save-status"')[1].split("</p>")[0]


def test_a_stale_autosave_overwrites_nothing(w):  # noqa: F811
    """Two tabs: the first saves; the second, loaded before that, is refused (409) and the
    first tab's words stay."""
    client = w.login(w.alice)
    first = post(client, draft_url(w), form(w, version=0, summary="From tab one."))
    assert first.status_code == 200
    stale = post(client, draft_url(w), form(w, version=0, summary="From tab two."))
    assert stale.status_code == 409 and stale.is_json
    assert "Nothing was overwritten" in stale.json["error"]
    card = stored(w, w.alice)
    assert card.summary == "From tab one." and card.version == first.json["version"]


def test_a_submitted_scorecard_is_not_autosaved(w):  # noqa: F811
    card = save(w, w.alice, card_input(w, summary="As submitted."))
    before = (card.version, card.summary)
    reply = post(w.login(w.alice), draft_url(w),
                 form(w, version=card.version, summary="Typed after submitting."))
    assert reply.status_code == 409 and "Save changes" in reply.json["error"]
    card = stored(w, w.alice)
    assert (card.version, card.summary) == before
    assert w.session.scalar(select(func.count()).select_from(ScorecardRevision)) == 1
    # Its form does not save as one types: no autosave address on it.
    assert "data-autosave" not in w.login(w.alice).get(w.url).get_data(as_text=True)


@pytest.mark.parametrize(("field", "value", "status"), [
    ("rating", "9", 422), ("version", "abc", 400), ("recommendation", "maybe", 422)])
def test_bad_autosave_input_is_refused_with_a_reason(w, field, value, status):  # noqa: F811
    data = form(w, version=0)
    data[f"rating_{w.focus[0].id}" if field == "rating" else field] = value
    reply = post(w.login(w.alice), draft_url(w), data)
    assert reply.status_code == status and reply.json["error"]
    if field == "rating":
        assert reply.json["fields"] == [f"rating_{w.focus[0].id}"]
    assert stored(w, w.alice) is None


def test_the_draft_endpoint_is_the_authors_alone(w):  # noqa: F811
    """Another panelist's autosave on the same interview writes their own draft and shows
    nothing of the author's; someone off the panel gets a 404."""
    save(w, w.alice, card_input(w, summary="ALICE-ONLY-91"), submit=False)
    alices = stored(w, w.alice)
    reply = post(w.login(w.bob), draft_url(w), form(w, version=0, summary="Bob's own."))
    assert reply.status_code == 200 and "ALICE-ONLY-91" not in reply.get_data(as_text=True)
    assert set(reply.json) == {"version", "saved_at"}
    assert stored(w, w.bob).summary == "Bob's own."
    outsider = post(w.login(w.carol), draft_url(w), form(w, version=alices.version,
                                                         summary="Carol's."))
    assert outsider.status_code == 404 and "ALICE-ONLY-91" not in outsider.get_data(as_text=True)
    assert stored(w, w.carol) is None
    assert (stored(w, w.alice).summary, stored(w, w.alice).version) == (
        "ALICE-ONLY-91", alices.version)
    assert w.session.scalar(select(func.count()).select_from(Scorecard)) == 2
