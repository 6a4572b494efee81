"""Scorecards through the service and the form: the database's own rules, draft then
submit (every missing piece named), the contradiction check, lost updates from two tabs,
edits after submit with their history, and the lock once a decision is recorded."""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from markupsafe import escape
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from interviewloop.audit.models import AuditEvent
from interviewloop.audit.service import Actor
from interviewloop.bank.service import areas as bank_areas
from interviewloop.errors import Conflict, Forbidden
from interviewloop.requisitions.models import Candidate, CandidateStatus
from interviewloop.scheduling import service as scheduling
from interviewloop.scorecards import service
from interviewloop.scorecards.models import (
    Rating,
    Recommendation,
    Scorecard,
    ScorecardStatus,
    SignalValue,
)
from tests.conftest import post
from tests.factories import (
    add_to_team,
    make_candidate_with_loop,
    make_interview,
    make_requisition,
    next_monday,
    past_interview,
)

EVIDENCE = "Traced a latency regression to a cold cache and showed the fix."


@pytest.fixture
def w(db_session, bank, make_user, login):
    manager = make_user("hiring_manager", name="Hana Manager")
    recruiter = make_user("recruiter", name="Rui Recruiter")
    alice = make_user("interviewer", name="Alice Interviewer")
    bob = make_user("interviewer", name="Bob Interviewer")
    carol = make_user("interviewer", name="Carol Bystander")
    req = make_requisition(db_session, manager, recruiter)
    add_to_team(db_session, req, manager, alice, bob, carol)
    cand, loop = make_candidate_with_loop(db_session, req, recruiter, 1)
    iv = past_interview(db_session, req, recruiter, cand, loop.stages[0], [alice, bob])
    db_session.flush()
    areas = bank_areas(db_session)
    stage = service.stage_for(db_session, iv)
    return SimpleNamespace(
        session=db_session, manager=manager, recruiter=recruiter, alice=alice, bob=bob,
        carol=carol, req=req, cand=cand, loop=loop, iv=iv, areas=areas, stage=stage,
        by_id={a.id: a for a in areas}, focus=[a for a in areas if a in stage.focus_areas],
        others=[a for a in areas if a not in stage.focus_areas], login=login,
        url=f"/interviews/{iv.id}/scorecard", make_user=make_user)


def card_input(w, levels=None, **kwargs) -> service.ScorecardInput:
    """The focus areas rated ``levels`` (default 3 each) with evidence; recommendation hire."""
    levels = levels or [3] * len(w.focus)
    ratings = {a.id: (v, EVIDENCE) for a, v in zip(w.focus + w.others, levels, strict=False)}
    return service.ScorecardInput(ratings=ratings, **{"recommendation": "hire", **kwargs})


def save(w, user, data, *, submit=True, interview=None, scorecard=None, version=None, now=None):
    interview = scheduling.get_interview(w.session, (interview or w.iv).id)
    scorecard = scorecard or service.own_scorecard(w.session, interview, user.id)
    seen = version if version is not None else scorecard.version if scorecard else 0
    return service.save(w.session, Actor(user), w.req, interview, scorecard, data, submit=submit,
                        seen_version=seen, areas=w.by_id,
                        stage=service.stage_for(w.session, interview), now=now)


def refuse(w, error, user, data, **kwargs):
    """``save`` refused with ``error``; like a request, the refused save leaves nothing."""
    with pytest.raises(error) as raised, w.session.begin_nested():
        save(w, user, data, **kwargs)
    return raised.value


def stored(w, user, interview=None) -> Scorecard | None:
    """The user's scorecard as the database has it now."""
    w.session.flush()
    w.session.expire_all()
    return service.own_scorecard(w.session, interview or w.iv, user.id)


def form(w, ratings=None, *, version, action="save", recommendation="hire", summary="",
         confirm=False, **fields):
    ratings = ratings if ratings is not None else {a.id: (3, EVIDENCE) for a in w.focus}
    data = {"version": str(version), "action": action, "recommendation": recommendation,
            "summary": summary, **fields}
    for area in w.areas:
        rating, evidence = ratings.get(area.id, (None, ""))
        data[f"rating_{area.id}"] = "" if rating is None else str(rating)
        data[f"evidence_{area.id}"] = evidence
    if confirm:
        data["confirm_contradiction"] = "yes"
    return data


def checked(page: str, name: str) -> list[str]:
    """The values of the radio buttons named ``name`` that the page shows chosen."""
    return re.findall(rf'<input type="radio" name="{name}" value="([^"]*)"[^>]*\bchecked\b', page)


def version_on(page: str) -> int:
    return int(re.search(r'name="version" value="(\d+)"', page).group(1))


def audit(w, scorecard) -> list[AuditEvent]:
    return list(w.session.scalars(select(AuditEvent).where(
        AuditEvent.object_type == "scorecards", AuditEvent.object_id == scorecard.id)
        .order_by(AuditEvent.id)))


# --- the database's own rules ------------------------------------------------------------------

def add_card(w, user, **values) -> int:
    row = {"interview_id": w.iv.id, "interviewer_id": user.id, "candidate_id": w.cand.id,
           "status": "draft", **values}
    return w.session.connection().execute(insert(Scorecard.__table__).values(**row)) \
        .inserted_primary_key[0]


def add_rating(w, card_id, area, value) -> None:
    w.session.connection().execute(insert(Rating.__table__).values(
        scorecard_id=card_id, area_id=area.id, rating=value, evidence=EVIDENCE))


def refused(w, action) -> None:
    with pytest.raises(IntegrityError), w.session.begin_nested():
        action()


def test_db_one_scorecard_per_interviewer_and_only_for_the_panel(w):
    add_card(w, w.alice)
    refused(w, lambda: add_card(w, w.alice))
    add_card(w, w.bob)  # the other panelist has one of their own
    refused(w, lambda: add_card(w, w.carol))  # on the team, not on this panel


@pytest.mark.parametrize("value", [0, 5, -1])
def test_db_a_rating_is_1_to_4_or_not_assessed(w, value):
    card = add_card(w, w.alice)
    for area, accepted in zip(w.areas, [1, 4, None], strict=False):
        add_rating(w, card, area, accepted)
    refused(w, lambda: add_rating(w, card, w.areas[3], value))


def test_db_one_rating_per_scorecard_and_area_and_complete_submissions(w):
    card = add_card(w, w.alice)
    add_rating(w, card, w.areas[0], 3)
    refused(w, lambda: add_rating(w, card, w.areas[0], 2))
    refused(w, lambda: add_card(w, w.bob, status="submitted", submitted_at=w.iv.ends_at))


# --- content, draft and submit -----------------------------------------------------------------

def test_a_submitted_scorecard_keeps_ratings_evidence_notes_signals_and_recommendation(w):
    [question] = w.stage.questions
    data = card_input(w, [4, 3, 2, None], recommendation="strong_hire", summary="  Clear.  ",
                      notes={question.id: "Asked about rollback first."},
                      signals={"owned_system": ("yes", "Ran the ranking service on call."),
                               "failure_handling": ("no", "Could not name a fallback."),
                               "reduces_risk": ("not_observed", "")})
    save(w, w.alice, data)
    card = stored(w, w.alice)
    assert card.status == ScorecardStatus.SUBMITTED and card.submitted_at is not None
    assert card.recommendation == Recommendation.STRONG_HIRE and card.summary == "Clear."
    assert {r.area_id: (r.rating, r.evidence) for r in card.ratings} == {
        w.focus[0].id: (4, EVIDENCE), w.focus[1].id: (3, EVIDENCE), w.focus[2].id: (2, EVIDENCE),
        w.others[0].id: (None, EVIDENCE)}  # not assessed, still with its note
    assert [(n.loop_question_id, n.notes) for n in card.notes] == [
        (question.id, "Asked about rollback first.")]
    assert {s.question.value: (s.value, s.evidence) for s in card.signals} == {
        "owned_system": (SignalValue.YES, "Ran the ranking service on call."),
        "failure_handling": (SignalValue.NO, "Could not name a fallback."),
        "reduces_risk": (SignalValue.NOT_OBSERVED, "")}
    [event] = audit(w, card)
    assert (event.action, event.actor_id, event.detail) == (
        "scorecard_submitted", w.alice.id, {"interview_id": w.iv.id})


def test_a_draft_keeps_partial_input_and_shows_it_back(w):
    client, first = w.login(w.alice), w.focus[0]
    response = post(client, w.url, form(w, {first.id: (2, "Half an answer on caching.")},
                                         version=0, recommendation="", summary="To tidy up."))
    assert response.status_code == 302
    card = stored(w, w.alice)
    assert (card.status, card.recommendation, card.submitted_at) == (ScorecardStatus.DRAFT,
                                                                     None, None)
    assert {r.area_id: r.rating for r in card.ratings if r.rating} == {first.id: 2}
    assert audit(w, card) == []  # a draft is nobody's business yet
    page = client.get(w.url).get_data(as_text=True)
    assert 'id="scorecard-status">Draft' in page and version_on(page) == card.version
    assert checked(page, f"rating_{first.id}") == ["2"]
    assert checked(page, f"rating_{w.focus[1].id}") == []  # a focus area not yet rated
    assert checked(page, f"rating_{w.others[0].id}") == ["na"]  # not assessed
    assert "Half an answer on caching." in page and "To tidy up." in page


def test_submit_names_every_missing_piece(w):
    (f0, f1, f2), extra = w.focus, w.others[0]
    ratings = {f0.id: (None, "Words but no rating."), f1.id: (2, "   "), f2.id: (4, EVIDENCE),
               extra.id: (3, "")}
    signals = {"owned_system": ("yes", ""), "failure_handling": ("not_observed", ""),
               "reduces_risk": ("no", "Rollback was always someone else's job.")}
    expected = [f"rate {f0.name} (a focus area of this stage)",
                *[f"write the evidence behind your {a.name} rating"
                  for a in sorted([f1, extra], key=lambda a: a.id)],
                "choose an overall recommendation",
                "add a line of evidence for “Has this person owned a real system after launch?”"]
    incomplete = refuse(w, service.IncompleteScorecard, w.alice,
                        service.ScorecardInput(ratings=ratings, signals=signals))
    assert incomplete.missing == expected

    fields = {f"signal_{q}": v for q, (v, _e) in signals.items()}
    fields |= {f"signal_evidence_{q}": e for q, (_v, e) in signals.items()}
    response = post(w.login(w.alice), w.url, form(w, ratings, version=0, action="submit",
                                                  recommendation="", **fields))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    # Each piece links to its field, which says it is invalid.
    summary = page.split('id="problems"')[1].split("</ul>")[0]
    fields = [f"rating_{f0.id}", *[f"evidence_{a.id}" for a in sorted([f1, extra],
                                                                       key=lambda a: a.id)],
              "recommendation", "signal_evidence_owned_system"]
    assert re.findall(r'<li><a href="#([^"]+)">(.*?)</a></li>', summary) == \
        [(field, str(escape(piece))) for field, piece in zip(fields, expected, strict=True)]
    for field in fields:
        assert re.search(rf'<[^>]* id="{field}"[^>]*aria-invalid="true"', page), field
    assert "Words but no rating." in page  # the input comes back
    assert stored(w, w.alice) is None


def test_nothing_is_submitted_before_the_interview_starts(w):
    later = make_interview(w.session, w.req, w.recruiter, w.cand, w.loop.stages[1], [w.alice],
                           next_monday())
    everything = {a.id: (3, EVIDENCE) for a in w.areas}
    data = service.ScorecardInput(ratings=everything, recommendation="hire")
    refused_early = refuse(w, Conflict, w.alice, data, interview=later,
                           now=later.starts_at - timedelta(seconds=1))
    assert "has not started yet" in str(refused_early)
    client = w.login(w.alice)
    response = post(client, f"/interviews/{later.id}/scorecard",
                    form(w, everything, version=0, action="submit"))
    assert response.status_code == 409 and stored(w, w.alice, later) is None
    # The page says so before anyone tries: Submit is disabled, with the reason beside it.
    early = client.get(f"/interviews/{later.id}/scorecard").get_data(as_text=True)
    assert re.search(r'value="submit" disabled aria-describedby="submit-reason"', early)
    assert 'id="submit-reason"' in early and "Submit opens when the interview starts" in early
    held = client.get(w.url).get_data(as_text=True)
    assert 'value="submit">Submit</button>' in held and 'id="submit-reason"' not in held
    save(w, w.alice, data, interview=later, now=later.starts_at)  # from its start on
    assert stored(w, w.alice, later).is_submitted


def test_only_the_assigned_interviewer_writes_a_scorecard(w):
    save(w, w.alice, card_input(w, summary="Alice's own words."), submit=False)
    alices = stored(w, w.alice)
    for intruder in (w.bob, w.carol, w.manager):  # another panelist, the team, the manager
        refuse(w, Forbidden, intruder, card_input(w, summary="Overwritten."), scorecard=alices)
    other_manager, outsider = w.make_user("hiring_manager"), w.make_user("interviewer")
    other = make_requisition(w.session, other_manager, w.recruiter, title="Other role")
    add_to_team(w.session, other, other_manager, outsider)
    for person in (w.carol, outsider):  # on this team but not the panel; on another team
        client = w.login(person)
        assert client.get(w.url).status_code == 404
        assert post(client, w.url, form(w, version=0, summary="Overwritten.")).status_code == 404
    # Bob's form writes Bob's scorecard, never Alice's.
    assert post(w.login(w.bob), w.url, form(w, version=0, summary="Bob's words.")).status_code == 302
    assert stored(w, w.alice).summary == "Alice's own words."
    assert stored(w, w.bob).summary == "Bob's words."
    scheduling.cancel(w.session, Actor(w.recruiter), w.req,
                      scheduling.get_interview(w.session, w.iv.id))
    assert "cancelled" in str(refuse(w, Conflict, w.alice, card_input(w)))


# --- contradictions --------------------------------------------------------------------------

CONTRADICTIONS = {
    "strong hire, most areas no": ("strong_hire", [1, 2, 4],
                                   "You recommend a strong hire, but rated 2 of 3 areas no or "
                                   "strong no. Confirm to submit as it is."),
    "strong no hire, most areas yes": ("strong_no_hire", [3, 4, 1],
                                       "You recommend a strong no hire, but rated 2 of 3 areas "
                                       "yes or strong yes. Confirm to submit as it is."),
}


@pytest.mark.parametrize("case", CONTRADICTIONS)
def test_a_contradictory_recommendation_asks_for_confirmation(w, case):
    recommendation, levels, warning = CONTRADICTIONS[case]
    # Evidence of its own in each area (the same in all would be nudged before submit).
    ratings = {a.id: (v, f"{a.name}, round {a.position}: {EVIDENCE}")
               for a, v in zip(w.focus, levels, strict=True)}
    client = w.login(w.alice)
    response = post(client, w.url, form(w, ratings, version=0, action="submit",
                                         recommendation=recommendation))
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and str(escape(warning)) in page
    assert 'name="confirm_contradiction"' in page and stored(w, w.alice) is None
    response = post(client, w.url, form(w, ratings, version=0, action="submit",
                                        recommendation=recommendation, confirm=True))
    card = stored(w, w.alice)
    assert response.status_code == 302 and card.is_submitted
    assert card.recommendation == recommendation


@pytest.mark.parametrize(("recommendation", "levels"), [
    ("strong_hire", [1, 2, 3, 4]),  # half, not most
    ("strong_no_hire", [1, 2, 3, 4]),
    ("no_hire", [4, 4, 4]), ("hire", [1, 1, 1]),  # only the strong ones are checked
])
def test_consistent_or_milder_recommendations_submit_without_asking(w, recommendation, levels):
    save(w, w.alice, card_input(w, levels, recommendation=recommendation))
    assert stored(w, w.alice).is_submitted


# --- lost updates ------------------------------------------------------------------------------

@pytest.mark.parametrize("existing", [True, False], ids=["saved draft", "new scorecard"])
def test_two_tabs_the_second_save_gets_409_with_its_input_and_overwrites_nothing(w, existing):
    if existing:
        save(w, w.alice, card_input(w, summary="Yesterday's draft."), submit=False)
    client = w.login(w.alice)
    tab1, tab2 = client.get(w.url).get_data(as_text=True), client.get(w.url).get_data(as_text=True)
    seen = version_on(tab1)
    assert seen == version_on(tab2) == (stored(w, w.alice).version if existing else 0)
    assert post(client, w.url, form(w, version=seen, summary="From tab one.")).status_code == 302
    response = post(client, w.url, form(w, version=seen, summary="From tab two."))
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "Nothing was overwritten" in page
    assert "From tab two." in page
    card = stored(w, w.alice)
    assert card.summary == "From tab one."
    # The page now carries the saved version: saving again is a deliberate overwrite.
    assert version_on(page) == card.version
    again = post(client, w.url, form(w, version=version_on(page), summary="From tab two."))
    assert again.status_code == 302 and stored(w, w.alice).summary == "From tab two."


def test_a_save_racing_another_is_refused_not_lost(w):
    card = save(w, w.alice, card_input(w, summary="Mine."), submit=False)
    seen = card.version
    # Another tab's save commits between this one's read and its write.
    w.session.connection().execute(update(Scorecard.__table__).where(
        Scorecard.__table__.c.id == card.id).values(summary="Theirs.", version=seen + 1))
    refuse(w, service.StaleScorecard, w.alice, card_input(w, summary="Mine again."),
           scorecard=card, version=seen)
    assert stored(w, w.alice).summary == "Theirs."
    # Two tabs that both opened a new scorecard: the second one's insert is refused.
    save(w, w.bob, card_input(w, summary="Bob, tab one."), submit=False)
    with pytest.raises(service.StaleScorecard), w.session.begin_nested():
        service.save(w.session, Actor(w.bob), w.req, w.iv, None,
                     card_input(w, summary="Bob, tab two."), submit=False, seen_version=0,
                     areas=w.by_id, stage=w.stage)
    assert stored(w, w.bob).summary == "Bob, tab one."
    assert w.session.scalar(select(func.count()).select_from(Scorecard)) == 2


# --- after submit ----------------------------------------------------------------------------

def test_edits_keep_every_earlier_version_and_go_into_the_audit_log(w):
    card = save(w, w.alice, card_input(w, summary="First take."))
    submitted = service.content_of(stored(w, w.alice))
    save(w, w.alice, card_input(w, [4, 3, 3], summary="Second take."))
    save(w, w.alice, card_input(w, [4, 3, 3], summary="Second take.",
                                recommendation="strong_hire"))
    save(w, w.alice, card_input(w, [4, 3, 3], summary="Second take.",
                                recommendation="strong_hire"))  # no change: no revision
    card = stored(w, w.alice)
    assert (card.summary, card.recommendation) == ("Second take.", Recommendation.STRONG_HIRE)
    revisions = card.revisions
    assert [(r.kind, r.author_id) for r in revisions] == [
        ("submitted", w.alice.id), ("edited", w.alice.id), ("edited", w.alice.id)]
    assert all(r.at is not None for r in revisions)
    assert revisions[0].content == revisions[1].content == submitted
    assert revisions[1].changes == ["ratings", "summary"]
    assert revisions[2].content["summary"] == "Second take."
    assert revisions[2].content["ratings"][str(w.focus[0].id)] == [4, EVIDENCE]
    assert revisions[2].content["recommendation"] == "hire"
    assert revisions[2].changes == ["recommendation"]
    assert [(e.action, e.actor_id, e.detail.get("changes")) for e in audit(w, card)] == [
        ("scorecard_submitted", w.alice.id, None),
        ("scorecard_edited", w.alice.id, ["ratings", "summary"]),
        ("scorecard_edited", w.alice.id, ["recommendation"])]
    page = w.login(w.alice).get(f"/scorecards/{card.id}").get_data(as_text=True)
    assert page.count("edited by Alice Interviewer") == 2


def test_only_the_author_edits_a_submitted_scorecard(w):
    save(w, w.alice, card_input(w, summary="Alice's."))
    alices = stored(w, w.alice)
    save(w, w.bob, card_input(w))
    for someone in (w.bob, w.manager, w.recruiter):
        refuse(w, Forbidden, someone, card_input(w, summary="Rewritten."), scorecard=alices)
    assert stored(w, w.alice).summary == "Alice's." and len(stored(w, w.alice).revisions) == 1


@pytest.mark.parametrize("decision", [CandidateStatus.OFFER, CandidateStatus.REJECTED,
                                      CandidateStatus.HIRED])
def test_a_recorded_decision_locks_the_scorecards(w, decision):
    save(w, w.alice, card_input(w, summary="Before."))
    save(w, w.alice, card_input(w, summary="Still editable."))  # no decision yet
    w.session.execute(update(Candidate).where(Candidate.id == w.cand.id)
                      .values(status=decision))
    assert "decision is recorded" in str(refuse(w, Conflict, w.alice,
                                                card_input(w, summary="After.")))
    client = w.login(w.alice)
    version = version_on(client.get(w.url).get_data(as_text=True))
    response = post(client, w.url, form(w, version=version, action="submit", summary="After."))
    assert response.status_code == 409
    assert stored(w, w.alice).summary == "Still editable."


EDIT_CASES = {
    # others submitted, requisition hides them until the debrief, a held interview pending
    "nobody else submitted": (False, False, False, False),
    "another panelist submitted, scorecards shown": (True, False, False, True),
    "another submitted, hidden until the debrief, which is not open": (True, True, True, False),
    "another submitted, hidden until the debrief, which is open": (True, True, False, True),
}


@pytest.mark.parametrize("case", EDIT_CASES)
def test_an_edit_made_after_seeing_others_is_marked(w, case):
    others, hide, pending, expected = EDIT_CASES[case]
    w.req.hide_scorecards_until_debrief = hide
    if pending:  # Carol's interview of the same candidate is held; her scorecard is not in
        past_interview(w.session, w.req, w.recruiter, w.cand, w.loop.stages[1], [w.carol],
                       ended_hours_ago=3)
    save(w, w.alice, card_input(w, summary="Before."))
    if others:
        save(w, w.bob, card_input(w))
    save(w, w.alice, card_input(w, summary="After."))
    card = stored(w, w.alice)
    assert [r.after_seeing_others for r in card.revisions] == [False, expected]
    assert audit(w, card)[-1].detail["after_seeing_others"] is expected
    page = w.login(w.alice).get(f"/scorecards/{card.id}").get_data(as_text=True)
    assert ("edited after seeing other scorecards" in page) is expected
