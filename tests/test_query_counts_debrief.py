"""The debrief pages make the same number of queries however much is on them (no N+1): a
candidate's debrief and its CSV with 2 and with 10 interviewers, and the requisition
dashboard with 10 and with 500 candidates."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import insert, select

from interviewloop import paging
from interviewloop.audit.service import Actor
from interviewloop.auth.models import User
from interviewloop.bank.service import areas as all_areas
from interviewloop.db import utcnow
from interviewloop.debrief import service as debrief
from interviewloop.debrief.models import ANSWERS, Decision, PreOfferCheck
from interviewloop.debrief.summary import debrief_for
from interviewloop.loops.models import Loop, LoopQuestion, LoopStage
from interviewloop.requisitions.models import Candidate, Requisition
from interviewloop.scheduling.models import Interview, Panelist
from interviewloop.scorecards import service as scorecards
from interviewloop.scorecards.models import PreOfferQuestion, QuestionNote, Rating, Scorecard
from tests.analytics_data import plant
from tests.factories import add_to_team, make_candidate_with_loop, make_interview, make_requisition
from tests.test_debrief import table
from tests.test_query_counts import queries_for

HOUR = timedelta(hours=1)
HELD = utcnow().replace(microsecond=0) - timedelta(days=7)  # interviews held a week ago,
BOOKED = HELD - timedelta(days=1)  # booked the day before (no booking in the past)


@pytest.fixture
def w(db_session, bank, make_user, login):
    manager = make_user("hiring_manager", name="Hana Manager")
    recruiter = make_user("recruiter", name="Rui Recruiter")
    panel = [make_user("interviewer", name=f"Interviewer {n:02}") for n in range(10)]
    req = make_requisition(db_session, manager, recruiter)
    add_to_team(db_session, req, manager, *panel)
    db_session.flush()
    return SimpleNamespace(session=db_session, manager=manager, recruiter=recruiter,
                           panel=panel, req=req, login=login, slots=iter(range(100)),
                           areas=all_areas(db_session))


def held_loop(w, n: int, panels: list[list]):
    """Candidate ``n`` with one held interview per panel, every scorecard submitted: every
    area rated with evidence, every question noted, every pre-offer signal given."""
    candidate, loop = make_candidate_with_loop(w.session, w.req, w.recruiter, n, seed=n)
    for stage, people in zip(loop.stages, panels, strict=False):
        questions = w.session.scalars(select(LoopQuestion.id).where(
            LoopQuestion.stage_id == stage.id)).all()
        interview = make_interview(w.session, w.req, w.recruiter, candidate, stage, people,
                                   HELD + 2 * HOUR * next(w.slots), minutes=60, now=BOOKED)
        for k, person in enumerate(people):
            data = scorecards.ScorecardInput(
                ratings={a.id: (1 + (k + a.position) % 4, f"{person.name} on {a.name}.")
                         for a in w.areas},
                notes={q: f"{person.name}'s note {q}." for q in questions},
                signals={q.value: ("yes", f"{person.name}: {q.value}.") for q in PreOfferQuestion},
                recommendation="hire", summary="Summary.", confirm_contradiction=True)
            scorecards.save(w.session, Actor(person), w.req, interview, None, data, submit=True,
                            seen_version=0, areas={a.id: a for a in w.areas},
                            stage=scorecards.stage_for(w.session, interview))
    w.session.flush()
    return candidate


@pytest.mark.parametrize("decided", [False, True], ids=["before the decision", "decided"])
def test_the_debrief_and_its_csv_with_2_and_10_interviewers(w, count_queries, decided):
    two = held_loop(w, 1, [w.panel[:2]])
    ten = held_loop(w, 2, [w.panel[2 * n:2 * n + 2] for n in range(5)])
    if decided:
        for candidate in (two, ten):
            debrief.answer_pre_offer(w.session, Actor(w.manager), w.req, candidate,
                                     dict.fromkeys(ANSWERS, ("strong", "Seen.")))
            debrief.record_decision(w.session, Actor(w.manager), w.req, candidate, "offer",
                                    "Agreed.", "Enough.")
        w.session.flush()
    client = w.login(w.manager)
    base = f"/requisitions/{w.req.id}/candidates/{{}}/debrief"
    page = client.get(base.format(ten.id)).get_data(as_text=True)
    _head, *rows = table(page, "matrix")
    assert len(rows) == 10 + 4  # a row per scorecard, then mean, lowest, highest, spread
    assert page.count('class="tag state-submitted"') == 10
    assert page.count('id="decision-recorded"') == decided
    for suffix in ("", ".csv"):
        few = queries_for(client, count_queries, base.format(two.id) + suffix)
        many = queries_for(client, count_queries, base.format(ten.id) + suffix)
        assert few == many, suffix
    csv_text = client.get(base.format(ten.id) + ".csv").get_data(as_text=True)
    assert csv_text.count("Interviewer 09 on ") == 5  # a row per area of the last scorecard


def bulk_candidates(w, start: int, count: int) -> None:
    """``count`` candidates inserted with Core, each with a one-stage loop held days ago by
    two interviewers, one scorecard submitted (five ratings) and one outstanding; some
    with a pre-offer check, some with a decision."""
    now = utcnow()
    numbers = range(start, start + count)
    statuses = {n: "rejected" if n % 6 == 0 else "active" for n in numbers}
    cids = list(w.session.scalars(insert(Candidate).returning(
        Candidate.id, sort_by_parameter_order=True), [
        {"requisition_id": w.req.id, "name": f"Bulk {n:04}", "email": f"bulk{n}@example.net",
         "source": "", "notes": "", "status": statuses[n], "version": 1} for n in numbers]))
    loop_ids = list(w.session.scalars(insert(Loop).returning(
        Loop.id, sort_by_parameter_order=True), [
        {"candidate_id": cid, "level": "senior", "template_id": None, "coverage_gaps": [],
         "created_at": now, "updated_at": now, "version": 1} for cid in cids]))
    stage_ids = list(w.session.scalars(insert(LoopStage).returning(
        LoopStage.id, sort_by_parameter_order=True), [
        {"loop_id": lid, "position": 0, "name": "Stage", "category": "system_design",
         "minutes": 60} for lid in loop_ids]))
    times = [now - timedelta(days=3, minutes=n) for n in numbers]
    iids = list(w.session.scalars(insert(Interview).returning(
        Interview.id, sort_by_parameter_order=True), [
        {"stage_id": sid, "candidate_id": cid, "starts_at": at, "ends_at": at + HOUR,
         "location": "", "status": "scheduled", "ical_uid": f"bulk-{sid}@test", "sequence": 0,
         "created_at": now, "version": 1}
        for sid, cid, at in zip(stage_ids, cids, times, strict=True)]))
    first, second = w.panel[0], w.panel[1]
    w.session.execute(insert(Panelist), [
        {"interview_id": iid, "user_id": person.id, "starts_at": at, "ends_at": at + HOUR,
         "live": True} for iid, at in zip(iids, times, strict=True) for person in (first, second)])
    card_ids = list(w.session.scalars(insert(Scorecard).returning(
        Scorecard.id, sort_by_parameter_order=True), [
        {"interview_id": iid, "interviewer_id": first.id, "candidate_id": cid,
         "status": "submitted", "recommendation": "hire", "summary": "", "created_at": now,
         "updated_at": now, "submitted_at": now, "version": 1}
        for iid, cid in zip(iids, cids, strict=True)]))
    w.session.execute(insert(Rating), [
        {"scorecard_id": card, "area_id": area.id, "rating": 1 + (n + area.position) % 4,
         "evidence": "Bulk evidence."}
        for n, card in zip(numbers, card_ids, strict=True) for area in w.areas])
    checked = [(n, cid) for n, cid in zip(numbers, cids, strict=True) if n % 3 == 0]
    check_ids = list(w.session.scalars(insert(PreOfferCheck).returning(
        PreOfferCheck.id, sort_by_parameter_order=True), [
        {"candidate_id": cid, "manager_id": w.manager.id, "passed": n % 2 == 0,
         "answered_at": now, "version": 1,
         **dict.fromkeys(ANSWERS, "strong" if n % 2 == 0 else "weak"),
         **{f"{q}_evidence": "Bulk." for q in ANSWERS}} for n, cid in checked]))
    w.session.execute(insert(Decision), [
        {"candidate_id": cid, "kind": "reject", "rationale": "Bulk.", "decided_by_id":
         w.manager.id, "decided_at": now, "pre_offer_check_id": check}
        for (n, cid), check in zip(checked, check_ids, strict=True) if statuses[n] == "rejected"])
    w.session.flush()


@pytest.mark.parametrize("query", ["", "?sort=mean&status=active", "?sort=decision"])
def test_the_requisition_dashboard_with_10_and_500_candidates(w, count_queries, query):
    client = w.login(w.manager)
    url = f"/requisitions/{w.req.id}/dashboard{query}"
    bulk_candidates(w, 0, 10)
    few = queries_for(client, count_queries, url)
    bulk_candidates(w, 10, 490)
    _head, *rows = table(client.get(url).get_data(as_text=True), "dashboard")
    assert len(rows) == paging.BOARD_PAGE  # a page of the 500 (or of the 416 active)
    assert queries_for(client, count_queries, url) == few
    if not query:  # the numbers made it onto the page: Bulk 0000 was checked and rejected
        mean = sum(1 + a.position % 4 for a in w.areas) / len(w.areas)
        assert [c.text for c in rows[0]] == ["Bulk 0000", "Rejected", "1 / 1", "1 1 overdue who owes them",
                                             f"{mean:.1f} (5)", "passed", "reject"]


def test_the_debrief_reading_aid_with_10_and_120_candidates_of_history(w, count_queries):
    """The leniency-adjusted ratings (analytics/leniency.py) come from the panel's whole
    history the viewer may see: the same queries for 150 rating rows as for 1,800."""
    panel = w.panel[:3]

    def history(start: int, count: int) -> None:
        plant(w.session, w.req, panel, w.areas, lambda n, i, p: 3 if i == 0 else 1 + n % 2,
              count=count, start=start, tag=f"hist{start}")

    history(0, 10)
    cid = plant(w.session, w.req, panel, w.areas, lambda n, i, p: 4 if i == 0 else 3, count=1,
                start=999, tag="open", days_ago=1)[0]
    client = w.login(w.manager)
    url = f"/requisitions/{w.req.id}/candidates/{cid}/debrief"
    few = queries_for(client, count_queries, url)
    history(10, 110)
    assert w.session.query(Rating).count() > 1800
    assert queries_for(client, count_queries, url) == few
    assert "Interviewer 00: +1.50 over 120 other candidates" in client.get(url).get_data(as_text=True)


def test_the_debrief_builds_no_scorecard_rating_interview_or_panelist_objects(w):
    """The debrief reads its cards and panel states as plain rows: building the ORM
    objects (~90 at ten interviewers) cost more than its SQL: after it, the session holds
    no scorecard, rating, note, interview, panelist, stage or user object."""
    candidate = held_loop(w, 2, [w.panel[2 * n:2 * n + 2] for n in range(5)])
    w.session.expunge_all()
    requisition = w.session.get(Requisition, w.req.id)
    candidate = w.session.get(Candidate, candidate.id)
    found = debrief_for(w.session, requisition, candidate, now=utcnow(), due_hours=24)
    assert len(found.cards) == 10 and len(found.states) == 10
    assert sum(len(c.ratings) for c in found.cards) == 10 * len(w.areas)
    built = {type(o) for o in w.session.identity_map.values()}
    assert not built & {Scorecard, Rating, QuestionNote, Interview, Panelist, LoopStage, User}


@pytest.mark.parametrize("decided", [False, True], ids=["before the decision", "decided"])
def test_the_debriefs_reads_are_six_statements(w, count_queries, decided):
    """Once its caches are warm (the loop's like-with-like comparison): the capability
    areas, the loop, the cards with their ratings, their question notes with the pre-offer
    signals (one statement), the stage coverage with the panel states (one), and the check
    with the latest decision and their people (one)."""
    candidate = held_loop(w, 2, [w.panel[2 * n:2 * n + 2] for n in range(5)])
    if decided:
        debrief.answer_pre_offer(w.session, Actor(w.manager), w.req, candidate,
                                 dict.fromkeys(ANSWERS, ("strong", "Seen.")))
        debrief.record_decision(w.session, Actor(w.manager), w.req, candidate, "hold",
                                "Wait.")
        debrief.record_decision(w.session, Actor(w.manager), w.req, candidate, "offer",
                                "Agreed.", "Enough.")
    w.session.flush()
    debrief_for(w.session, w.req, candidate, now=utcnow(), due_hours=24)
    with count_queries() as queries:
        found = debrief_for(w.session, w.req, candidate, now=utcnow(), due_hours=24)
    assert len(queries) == 6, "\n".join(q[:60] for q in queries)
    assert sum(len(c.notes) for c in found.cards) > 10
    assert all(len(found.signals[q]) == 10 for q in PreOfferQuestion)
    assert len(found.states) == 10 and found.coverage.held == 5
    assert (found.check is not None, found.decision is not None) == (decided, decided)
    if decided:
        assert found.check.passed and found.check.manager.name == "Hana Manager"
        assert found.decision.kind == "offer" and found.decision.decided_by.name == "Hana Manager"
