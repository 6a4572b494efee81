"""The pre-offer check and the decision it gates, through the service and the web: when
the check opens, who answers it, what passes, the offer gate, the status that follows a
decision, the audit log, the lock on scorecards, and the database's own refusals."""

from __future__ import annotations

import itertools
import re
from types import SimpleNamespace

import pytest
from markupsafe import escape
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from interviewloop.audit.models import AuditEvent
from interviewloop.audit.service import Actor
from interviewloop.bank.service import areas as bank_areas
from interviewloop.db import utcnow
from interviewloop.debrief import service
from interviewloop.debrief.models import ANSWERS, Decision, PreOfferCheck
from interviewloop.errors import Conflict, DomainError, Forbidden
from interviewloop.requisitions import candidates
from interviewloop.requisitions.models import Candidate
from interviewloop.scheduling import service as scheduling
from interviewloop.scorecards.models import PreOfferQuestion, Scorecard
from tests.conftest import post
from tests.factories import (
    add_to_team,
    make_candidate,
    make_candidate_with_loop,
    make_interview,
    make_requisition,
    next_monday,
    past_interview,
    write_scorecard,
)

STRONG = {q: ("strong", f"Evidence on {q}.") for q in ANSWERS}


@pytest.fixture
def w(db_session, bank, make_user, login):
    return world(db_session, make_user, login)


def world(db_session, make_user, login):
    """A requisition whose candidate had one interview (two panelists, ended 4 h ago)."""
    w = SimpleNamespace(session=db_session, login=login, **{key: make_user(*roles, name=name)
                        for key, roles, name in [
        ("manager", ("hiring_manager",), "Hana Manager"),
        ("recruiter", ("recruiter",), "Rui Recruiter"),
        ("admin", ("admin", "hiring_manager"), "Ada Admin"),
        ("other", ("hiring_manager",), "Otto Othermanager"),
        ("alice", ("interviewer",), "Alice Archer"), ("bob", ("interviewer",), "Bob Baker"),
        ("carol", ("interviewer",), "Carol Cole")]})
    w.req = make_requisition(db_session, w.manager, w.recruiter)
    add_to_team(db_session, w.req, w.manager, w.alice, w.bob, w.carol)
    w.cand, w.loop = make_candidate_with_loop(db_session, w.req, w.recruiter, 1)
    w.iv = past_interview(db_session, w.req, w.recruiter, w.cand, w.loop.stages[0],
                          [w.alice, w.bob], ended_hours_ago=4)
    db_session.flush()
    w.base = f"/requisitions/{w.req.id}/candidates/{w.cand.id}"
    return w


def ready(w) -> None:
    """Both panelists' scorecards in: the check opens."""
    write_scorecard(w.session, w.alice, w.req, w.iv, signal_evidence="Owned the pager.")
    write_scorecard(w.session, w.bob, w.req, w.iv)
    w.session.flush()


def answer(w, answers=None, user=None, candidate=None) -> PreOfferCheck:
    return service.answer_pre_offer(w.session, Actor(user or w.manager), w.req,
                                    candidate or w.cand, answers or STRONG)


WAIVER = "The panel's evidence covers the rest."


def decide(w, kind, rationale="Consistent evidence from the panel.", user=None, waiver=WAIVER):
    return service.record_decision(w.session, Actor(user or w.manager), w.req, w.cand, kind,
                                   rationale, waiver)


def refuse(w, error, action) -> str:
    """``action`` refused with ``error``; like a request, a refusal leaves nothing behind."""
    with pytest.raises(error) as raised, w.session.begin_nested():
        action()
    return str(raised.value)


def state(w):
    """(the check, the decisions' kinds, the candidate's status) as stored now."""
    w.session.flush()
    w.session.expire_all()
    check = w.session.scalar(select(PreOfferCheck).where(PreOfferCheck.candidate_id == w.cand.id))
    kinds = list(w.session.scalars(select(Decision.kind).where(Decision.candidate_id == w.cand.id)
                                   .order_by(Decision.id)))
    return check, [k.value for k in kinds], w.session.get(Candidate, w.cand.id).status.value


def audit(w, action) -> list[AuditEvent]:
    return list(w.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                  .order_by(AuditEvent.id)))


def form(answers) -> dict:
    """The pre-offer form's fields (an answer of None is left out, as a browser would)."""
    return {**{n: v for n, (v, _e) in answers.items() if v is not None},
            **{f"{n}_evidence": e for n, (_v, e) in answers.items()}}


def fieldset(page, name) -> str:
    return page.split(f'id="q-{name}"', 1)[1].split("</fieldset>", 1)[0]


# --- when the check opens -----------------------------------------------------------------------

def test_the_check_opens_only_once_every_scheduled_interviews_scorecards_are_in(w):
    nobody, _loop = make_candidate_with_loop(w.session, w.req, w.recruiter, 2)
    assert refuse(w, Conflict, lambda: answer(w, candidate=nobody)) == (
        "No interview has been scheduled for this candidate yet.")
    outstanding = "scorecard{} still outstanding; the check opens once every interview's"
    assert outstanding.format("s are") in refuse(w, Conflict, lambda: answer(w))
    write_scorecard(w.session, w.alice, w.req, w.iv)
    write_scorecard(w.session, w.bob, w.req, w.iv, submit=False)  # a draft is not in
    assert "1 " + outstanding.format(" is") in refuse(w, Conflict, lambda: answer(w))
    write_scorecard(w.session, w.bob, w.req, w.iv)
    later = make_interview(w.session, w.req, w.recruiter, w.cand, w.loop.stages[1], [w.carol],
                           next_monday())  # scheduled, not held: its scorecard is owed too
    assert "1 " + outstanding.format(" is") in refuse(w, Conflict, lambda: answer(w))
    assert state(w)[0] is None and audit(w, "pre_offer_answered") == []
    scheduling.cancel(w.session, Actor(w.recruiter), w.req,
                      scheduling.get_interview(w.session, later.id), "Not needed.")
    assert answer(w).passed is True


def test_the_blocker_from_the_debriefs_panel_states_is_the_one_the_gate_counts(w):
    """The debrief passes its panel states instead of counting again: at each step the
    blocker must be the gate's own, word for word."""
    def both(candidate):
        states = service.coverage_and_states(w.session, candidate, now=utcnow(),
                                                 due_hours=24)[1]
        return (service.pre_offer_blocker(w.session, candidate, states),
                service.pre_offer_blocker(w.session, candidate))
    nobody, _loop = make_candidate_with_loop(w.session, w.req, w.recruiter, 2)
    seen = [both(nobody), both(w.cand)]
    write_scorecard(w.session, w.alice, w.req, w.iv)
    write_scorecard(w.session, w.bob, w.req, w.iv, submit=False)  # a draft is not in
    seen.append(both(w.cand))
    write_scorecard(w.session, w.bob, w.req, w.iv)
    seen.append(both(w.cand))
    assert [from_states for from_states, _counted in seen] == [counted for _s, counted in seen]
    assert [s and s.split(" ", 1)[0] for s, _c in seen] == ["No", "2", "1", None]


@pytest.mark.parametrize("case", ["no interviews", "a scorecard outstanding"])
def test_through_the_web_a_closed_check_says_why_and_saves_nothing(w, case):
    if case == "no interviews":
        cand, _loop = make_candidate_with_loop(w.session, w.req, w.recruiter, 2)
        w.session.flush()
        w.base, reason = f"/requisitions/{w.req.id}/candidates/{cand.id}", "No interview has"
    else:
        write_scorecard(w.session, w.alice, w.req, w.iv)
        reason = "1 scorecard is still outstanding"
    client = w.login(w.manager)
    page = client.get(f"{w.base}/debrief").get_data(as_text=True)
    assert reason in page.split('id="pre-offer-blocked"')[1].split("</p>")[0]
    assert 'name="owned_system"' not in page  # no form to answer yet
    response = post(client, f"{w.base}/pre-offer", form(STRONG))
    assert response.status_code == 409 and reason in response.get_data(as_text=True)
    assert w.session.scalar(select(func.count()).select_from(PreOfferCheck)) == 0


# --- answering ----------------------------------------------------------------------------------

@pytest.mark.parametrize("weak", [None, *ANSWERS])
def test_it_passes_only_if_every_answer_is_strong(w, weak):
    ready(w)
    client = w.login(w.manager)
    page = client.get(f"{w.base}/debrief").get_data(as_text=True)
    for q in PreOfferQuestion:  # each question with the scorecards' signals beside it
        box = fieldset(page, q.value)
        assert escape(q.text) in box and "From the scorecards:" in box
        assert box.count(f'name="{q.value}"') == 2  # strong, weak
    assert "Alice Archer: yes: Owned the pager." in fieldset(page, "owned_system")
    answers = {q: ("weak" if q == weak else "strong", f"  Evidence on {q}.  ") for q in ANSWERS}
    response = post(client, f"{w.base}/pre-offer", form(answers))
    assert response.status_code == 302
    check, decisions, status = state(w)
    assert check.passed is (weak is None) and check.manager_id == w.manager.id
    assert {q: (getattr(check, q).value, getattr(check, f"{q}_evidence")) for q in ANSWERS} == {
        q: (v, e.strip()) for q, (v, e) in answers.items()}
    assert (decisions, status) == ([], "active")
    [event] = audit(w, "pre_offer_answered")
    assert (event.actor_id, event.object_id, event.detail) == (w.manager.id, check.id, {
        "candidate_id": w.cand.id, "passed": weak is None,
        "answers": {q: v for q, (v, _e) in answers.items()}})
    outcome = client.get(f"{w.base}/debrief").get_data(as_text=True)
    outcome = outcome.split('id="pre-offer-outcome">')[1].split("</p>")[0]
    assert outcome.startswith("Passed: every answer strong." if weak is None else
                              "Keep looking: at least one answer is weak.")


@pytest.mark.parametrize("who", ["recruiter", "admin", "alice", "other"])
def test_only_the_requisitions_hiring_manager_answers(w, who):
    ready(w)
    user = getattr(w, who)
    assert "Only the requisition's hiring manager" in refuse(w, Forbidden,
                                                            lambda: answer(w, user=user))
    client = w.login(user)
    response = post(client, f"{w.base}/pre-offer", form(STRONG))
    assert response.status_code == (404 if who == "other" else 403)
    if who != "other":
        assert 'name="owned_system"' not in client.get(f"{w.base}/debrief").get_data(as_text=True)
    assert state(w)[0] is None and audit(w, "pre_offer_answered") == []


def test_a_missing_answer_or_evidence_is_a_422_per_question_and_saves_nothing(w):
    ready(w)
    first = answer(w)  # a passed check already stands
    client = w.login(w.manager)
    typed = {"owned_system": ("strong", "   "), "failure_handling": (None, "Typed, unanswered."),
             "reduces_risk": ("weak", "Added features, skipped the rollback plan.")}
    response = post(client, f"{w.base}/pre-offer", form(typed))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    errors = {q: re.findall(r'<p class="error">(.*?)</p>', fieldset(page, q)) for q in ANSWERS}
    assert errors == {
        "owned_system": ["Write the evidence for: Has this person owned a real system after "
                         "launch?"],
        "failure_handling": ["Answer strong or weak: Can this person explain failure handling "
                             "in plain English?"],
        "reduces_risk": []}
    assert "Typed, unanswered." in fieldset(page, "failure_handling")  # what was typed stays
    assert re.search(r'value="weak" checked', fieldset(page, "reduces_risk"))
    check, _decisions, _status = state(w)
    assert (check.id, check.passed, check.reduces_risk.value) == (first.id, True, "strong")
    assert len(audit(w, "pre_offer_answered")) == 1
    # The service names each faulty question, and nothing else.
    bad = {**STRONG, "owned_system": ("maybe", "x"), "reduces_risk": ("weak", "y" * 4001)}
    del bad["failure_handling"]
    with pytest.raises(service.InvalidPreOffer) as raised, w.session.begin_nested():
        answer(w, bad)
    assert raised.value.problems == {
        "owned_system": "Answer strong or weak: Has this person owned a real system after launch?",
        "failure_handling": "Answer strong or weak: Can this person explain failure handling in "
                            "plain English?",
        "reduces_risk": "Keep the evidence under 4,000 characters."}
    assert raised.value.status_code == 422


# --- the decision -------------------------------------------------------------------------------

@pytest.mark.parametrize("check", ["no check", "a weak answer"])
def test_no_offer_without_a_passed_check_in_the_service_and_through_the_web(w, check):
    ready(w)
    if check == "a weak answer":
        answer(w, {**STRONG, "failure_handling": ("weak", "Could not name a fallback.")})
    reason = ("No offer without the pre-offer check" if check == "no check" else
              "The pre-offer check recorded a weak answer, which means keep looking")
    assert reason in refuse(w, Conflict, lambda: decide(w, "offer"))
    response = post(w.login(w.manager), f"{w.base}/decision",
                    {"kind": "offer", "rationale": "Let us make an offer."})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert escape(reason) in page.split('id="decision-error">')[1].split("</div>")[0]
    assert "Let us make an offer.</textarea>" in page and 'value="offer" checked' in page
    # The blocked offer is disabled, its reason beside it (issue 11).
    shown = w.login(w.manager).get(w.base + "/debrief").get_data(as_text=True)
    assert 'value="offer" disabled aria-describedby="offer-refused"' in shown
    assert escape(reason) in shown.split('id="offer-refused">')[1].split("</p>")[0]
    check_row, decisions, status = state(w)
    assert (decisions, status) == ([], "active") and audit(w, "decision_recorded") == []
    assert (check_row is None) is (check == "no check")


@pytest.mark.parametrize(("kind", "status"), [("offer", "offer"), ("reject", "rejected"),
                                              ("hold", "active")])
def test_the_candidates_status_follows_the_decision(w, kind, status):
    ready(w)
    check = answer(w)
    client = w.login(w.manager)
    response = post(client, f"{w.base}/decision", {"kind": kind, "rationale": "  Agreed.  ",
                                                   "waiver": WAIVER})
    assert response.status_code == 302
    _check, decisions, stored_status = state(w)
    assert (decisions, stored_status) == ([kind], status)
    decision = w.session.scalar(select(Decision).where(Decision.candidate_id == w.cand.id))
    assert (decision.rationale, decision.decided_by_id, decision.pre_offer_check_id,
            decision.pre_offer_passed) == ("Agreed.", w.manager.id, check.id,
                                           True if kind == "offer" else None)
    [event] = audit(w, "decision_recorded")
    waived = {"waived": decision.waived} if kind == "offer" else {}  # the loop's other stages
    assert (event.actor_id, event.object_id, event.detail) == (
        w.manager.id, decision.id, {"candidate_id": w.cand.id, "kind": kind, **waived})
    page = client.get(f"{w.base}/debrief").get_data(as_text=True)
    assert page.split('id="decision-recorded"><strong>')[1].startswith(kind.capitalize())
    assert ('name="kind"' in page) is (kind == "hold")  # only a hold leaves room for more
    if kind == "hold":
        decide(w, "offer")
        assert state(w)[1:] == (["hold", "offer"], "offer")


def test_a_reject_or_hold_needs_no_check(w):
    ready(w)
    decide(w, "hold")
    decide(w, "reject")
    assert state(w) == (None, ["hold", "reject"], "rejected")


@pytest.mark.parametrize("kind", ["offer", "reject", "hold"])
def test_no_decision_while_a_scorecard_is_outstanding(w, kind):
    ready(w)
    answer(w)
    make_interview(w.session, w.req, w.recruiter, w.cand, w.loop.stages[1], [w.carol],
                   next_monday())  # one more interview booked after the check passed
    reason = "1 scorecard(s) are outstanding: no decision until every interview's"
    assert reason in refuse(w, Conflict, lambda: decide(w, kind))
    response = post(w.login(w.manager), f"{w.base}/decision", {"kind": kind, "rationale": "Go."})
    assert response.status_code == 409 and escape(reason) in response.get_data(as_text=True)
    assert state(w)[1:] == ([], "active")


@pytest.mark.parametrize("before", ["rejected", "withdrawn"])
def test_no_offer_for_a_rejected_or_withdrawn_candidate(w, before):
    ready(w)
    answer(w)
    if before == "rejected":
        decide(w, "reject")
    else:
        candidates.withdraw_candidate(w.session, Actor(w.recruiter), w.req, w.cand)
    assert refuse(w, Conflict, lambda: decide(w, "offer")) == (
        f"The candidate is {before}: no offer.")
    assert state(w)[1:] == ((["reject"] if before == "rejected" else []), before)


@pytest.mark.parametrize(("first", "then"), [("offer", "offer"), ("offer", "reject"),
                                             ("reject", "hold"), ("offer", "hold")])
def test_a_final_decision_is_final(w, first, then):
    ready(w)
    answer(w)
    decide(w, first)
    status = {"offer": "offer", "reject": "rejected"}[first]
    assert refuse(w, Conflict, lambda: decide(w, then)).startswith("The candidate is")
    assert state(w)[1:] == ([first], status)
    assert len(audit(w, "decision_recorded")) == 1


@pytest.mark.parametrize("who", ["recruiter", "admin", "alice", "other"])
def test_only_the_requisitions_hiring_manager_decides(w, who):
    ready(w)
    answer(w)
    user = getattr(w, who)
    assert "Only the requisition's hiring manager" in refuse(
        w, Forbidden, lambda: decide(w, "offer", user=user))
    response = post(w.login(user), f"{w.base}/decision", {"kind": "reject", "rationale": "No."})
    assert response.status_code == (404 if who == "other" else 403)
    assert state(w)[1:] == ([], "active")


@pytest.mark.parametrize(("values", "message"), [
    ({"kind": "", "rationale": "Fine."}, "Choose offer, reject or hold."),
    ({"kind": "promote", "rationale": "Fine."}, "Choose offer, reject or hold."),
    ({"kind": "reject", "rationale": "   "}, "Write the rationale for the decision."),
    ({"kind": "reject", "rationale": "r" * 4001}, "Keep the rationale under 4,000 characters.")])
def test_a_decision_needs_a_kind_and_a_rationale(w, values, message):
    ready(w)
    assert refuse(w, DomainError, lambda: decide(w, values["kind"], values["rationale"])) == message
    response = post(w.login(w.manager), f"{w.base}/decision", values)
    assert response.status_code == 422  # a form error, like the pre-offer form's
    assert message in response.get_data(as_text=True).split('id="decision-error">')[1]
    assert state(w)[1:] == ([], "active")


def test_a_decision_locks_the_scorecards_and_closes_the_check(w):
    ready(w)
    decide(w, "hold")  # even a hold: the debrief happened on these scorecards
    answer(w)  # a hold keeps the check open: more evidence may come
    decide(w, "reject")
    assert refuse(w, Conflict, lambda: answer(w)) == (
        "A decision is recorded: the pre-offer check is closed.")
    assert "scorecards are locked" in refuse(w, Conflict, lambda: write_scorecard(
        w.session, w.alice, w.req, w.iv, summary="Changed my mind."))
    client = w.login(w.alice)
    url = f"/interviews/{w.iv.id}/scorecard"
    version = re.search(r'name="version" value="(\d+)"', client.get(url).get_data(as_text=True))
    fields = {"version": version.group(1), "action": "submit", "recommendation": "no_hire",
              "summary": "Changed my mind."}
    for area in bank_areas(w.session):
        fields.update({f"rating_{area.id}": "2", f"evidence_{area.id}": "On reflection."})
    assert post(client, url, fields).status_code == 409
    w.session.expire_all()
    assert w.session.scalar(select(Scorecard.summary).where(
        Scorecard.interviewer_id == w.alice.id)) == ""


def test_a_hold_locks_the_scorecards_before_it_and_not_those_of_later_interviews(w):
    ready(w)
    decide(w, "hold")  # the candidate stays active: the decision itself is the lock
    assert w.session.get(Candidate, w.cand.id).status.value == "active"
    assert "scorecards are locked" in refuse(w, Conflict, lambda: write_scorecard(
        w.session, w.alice, w.req, w.iv, summary="Changed my mind."))
    later = past_interview(w.session, w.req, w.recruiter, w.cand, w.loop.stages[1], [w.carol])
    assert write_scorecard(w.session, w.carol, w.req, later).interview_id == later.id


# --- the database's own rules -------------------------------------------------------------------

def accepted(w, table, **row) -> bool:
    """Whether the database takes the row (it is rolled back either way)."""
    nested = w.session.begin_nested()
    try:
        w.session.execute(insert(table).values(**row))
    except IntegrityError:
        return False
    finally:
        nested.rollback()
    return True


def check_row(w, candidate, passed, answers=("strong",) * 3, evidence="Seen.") -> dict:
    return {"candidate_id": candidate.id, "manager_id": w.manager.id, "passed": passed,
            "answered_at": utcnow(), "version": 1,
            **dict(zip(ANSWERS, answers, strict=True)),
            **{f"{q}_evidence": evidence for q in ANSWERS}}


def test_the_database_refuses_a_check_whose_passed_flag_contradicts_its_answers(w):
    table = PreOfferCheck.__table__
    got = {(answers, passed): accepted(w, table, **check_row(w, w.cand, passed, answers))
           for answers in itertools.product(("strong", "weak"), repeat=3)
           for passed in (True, False)}
    assert got == {(answers, passed): passed == (answers == ("strong",) * 3)
                   for answers, passed in got}
    assert accepted(w, table, **check_row(w, w.cand, True))
    assert not accepted(w, table, **check_row(w, w.cand, True, evidence=""))


def test_the_database_refuses_an_offer_without_a_passed_check(w):
    other = make_candidate(w.session, w.req, w.recruiter, 2)
    w.session.flush()
    ids = {}
    for candidate, passed in ((w.cand, True), (other, False)):
        answers = ("strong",) * 3 if passed else ("strong", "weak", "strong")
        ids[passed] = w.session.execute(insert(PreOfferCheck.__table__).values(
            **check_row(w, candidate, passed, answers))
        ).inserted_primary_key[0]
    table = Decision.__table__

    def offer(kind="offer", check=None, passed=None):
        return accepted(w, table, candidate_id=w.cand.id, kind=kind, rationale="Because.",
                        decided_by_id=w.manager.id, decided_at=utcnow(),
                        pre_offer_check_id=check, pre_offer_passed=passed)

    assert offer(check=ids[True], passed=True)  # the one way in
    assert not offer()  # no check at all
    assert not offer(check=ids[False], passed=False)  # a failed check
    assert not offer(check=ids[False], passed=True)  # a failed check claimed as passed
    assert not offer(check=ids[False])  # a failed check, its outcome left out
    assert not offer(check=ids[True], passed=False)  # a passed check misquoted
    assert not offer(check=ids[True])
    assert offer("reject") and offer("hold", ids[False])  # other kinds need no check ...
    assert not offer("hold", ids[False], False)  # ... and pin no outcome
    assert not offer("reject", 2**31 - 1)  # but a check they name exists
