"""Scorecard pages make the same number of queries however much there is on them (no N+1):
the form, one scorecard, a candidate's panel of scorecards and the interviewer's home."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, insert, select

from interviewloop.audit.service import Actor
from interviewloop.bank.service import areas as all_areas
from interviewloop.db import utcnow
from interviewloop.home import HOME_TO_WRITE
from interviewloop.loops import service as loops
from interviewloop.loops.models import LoopStage
from interviewloop.scorecards import service
from interviewloop.scorecards.models import PreOfferQuestion, Scorecard, ScorecardRevision
from tests.conftest import post
from tests.factories import (
    add_to_team,
    bulk_interviews,
    make_candidate_with_loop,
    make_interview,
    make_requisition,
)
from tests.test_query_counts import queries_for
from tests.test_scorecards import version_on

HOUR = timedelta(hours=1)
# Interviews held a week ago, booked "the day before" (schedule_stage refuses past times).
HELD = utcnow().replace(microsecond=0) - timedelta(days=7)
BOOKED = HELD - timedelta(days=1)


@pytest.fixture
def w(db_session, bank, make_user, login):
    manager = make_user("hiring_manager", name="Hana Manager")
    recruiter = make_user("recruiter", name="Rui Recruiter")
    panel = [make_user("interviewer", name=f"Interviewer {n:02}") for n in range(1, 11)]
    requisition = make_requisition(db_session, manager, recruiter)
    add_to_team(db_session, requisition, manager, *panel)
    candidate, loop = make_candidate_with_loop(db_session, requisition, recruiter, 1, seed=3)
    db_session.flush()
    return SimpleNamespace(session=db_session, manager=manager, recruiter=recruiter,
                           panel=panel, req=requisition, candidate=candidate, loop=loop,
                           login=login, areas={a.id: a for a in all_areas(db_session)},
                           slots=iter(range(100)))


def book(w, stage, people):
    """An interview of ``stage`` held in the past (each in its own two-hour slot)."""
    starts = HELD + 2 * HOUR * next(w.slots)
    return make_interview(w.session, w.req, w.recruiter, w.candidate, stage, people, starts,
                          minutes=60, now=BOOKED)


def add_stage(w, questions: int) -> LoopStage:
    stage = loops.add_stage(w.session, Actor(w.recruiter), w.req, w.loop, loops.StageInput(
        name=f"Extra stage, {questions} questions", category="system_design", minutes=60,
        question_count=questions, focus=["infrastructure-cloud", "technical-leadership"]))
    w.session.flush()
    assert len(stage.questions) == questions
    return stage


def full_input(w, stage, *, tag: str = "", rating: int = 3, notes: bool = True,
               every_area: bool = True) -> service.ScorecardInput:
    """Every area rated with evidence (or only the stage's focus), every question noted,
    every pre-offer signal given, a recommendation and a summary."""
    rated = w.areas if every_area else {a.id: a for a in stage.focus_areas}
    return service.ScorecardInput(
        ratings={a: (rating, f"Evidence {tag} for area {a}.") for a in rated},
        notes={lq.id: f"Notes {tag} on {lq.id}." for lq in stage.questions} if notes else {},
        signals={q.value: ("yes", f"Signal {tag}: {q.value}.") for q in PreOfferQuestion},
        recommendation="hire", summary=f"Summary {tag}.")


def save(w, author, interview, data, *, submit: bool) -> Scorecard:
    stage = service.stage_for(w.session, interview)
    scorecard = service.own_scorecard(w.session, interview, author.id)
    saved = service.save(w.session, Actor(author), w.req, interview, scorecard, data,
                         submit=submit, seen_version=scorecard.version if scorecard else 0,
                         areas=w.areas, stage=stage)
    w.session.flush()
    return saved


def test_the_form_with_a_1_and_a_5_question_stage(w, count_queries):
    author = w.panel[0]
    client = w.login(author)
    one, five = add_stage(w, 1), add_stage(w, 5)
    small, large = book(w, one, [author, w.panel[1]]), book(w, five, [author])
    url = "/interviews/{}/scorecard"
    page = client.get(url.format(large.id)).get_data(as_text=True)
    assert page.count('name="note_') == 5
    assert queries_for(client, count_queries, url.format(small.id)) == queries_for(
        client, count_queries, url.format(large.id))


def test_the_form_with_an_empty_and_a_fully_filled_scorecard(w, count_queries):
    author, other = w.panel[0], w.panel[1]
    client = w.login(author)
    stage = add_stage(w, 5)
    interview = book(w, stage, [author, other])
    url = f"/interviews/{interview.id}/scorecard"
    # Nothing saved yet: the form loads no scorecard, so it cannot make more queries.
    nothing = queries_for(client, count_queries, url)
    save(w, author, interview, service.ScorecardInput(), submit=False)  # an empty draft
    empty = queries_for(client, count_queries, url)
    assert nothing <= empty
    save(w, author, interview, full_input(w, stage, tag="draft"), submit=False)
    page = client.get(url).get_data(as_text=True)
    assert page.count("Evidence draft for area") == 5 and page.count("Notes draft on") == 5
    assert queries_for(client, count_queries, url) == empty
    # Submitted, then edited twice (each edit keeps a revision): still the same.
    save(w, author, interview, full_input(w, stage, tag="first"), submit=True)
    submitted = queries_for(client, count_queries, url)
    for n in range(2):
        save(w, author, interview, full_input(w, stage, tag=f"edit {n}"), submit=True)
    assert 'id="scorecard-status">Submitted' in client.get(url).get_data(as_text=True)
    assert queries_for(client, count_queries, url) == submitted


def form_fields(data: service.ScorecardInput, version: int) -> dict[str, str]:
    """``data`` as the scorecard form posts it, submitted (or saved, once submitted)."""
    fields = {"version": str(version), "action": "submit",
              "recommendation": data.recommendation or "", "summary": data.summary}
    for area_id, (rating, evidence) in data.ratings.items():
        fields |= {f"rating_{area_id}": str(rating), f"evidence_{area_id}": evidence}
    fields |= {f"note_{question_id}": text for question_id, text in data.notes.items()}
    for question, (value, evidence) in data.signals.items():
        fields |= {f"signal_{question}": value or "", f"signal_evidence_{question}": evidence}
    return fields


def test_saving_an_edit_after_1_and_after_6_revisions(w, count_queries):
    """The form's save of an edit keeps a revision without reading the earlier ones: the
    same statements after six edits as after one, and none reads the revisions."""
    author = w.panel[0]
    client = w.login(author)
    stage = add_stage(w, 5)
    interview = book(w, stage, [author])
    scorecard = save(w, author, interview, full_input(w, stage, tag="first"), submit=True)
    url = f"/interviews/{interview.id}/scorecard"

    def edit(n: int) -> list[str]:
        version = version_on(client.get(url).get_data(as_text=True))
        fields = form_fields(full_input(w, stage, tag=f"edit {n}"), version)
        with count_queries() as statements:
            assert post(client, url, fields).status_code == 302
        return statements

    first = edit(0)
    for n in range(1, 5):
        edit(n)
    last = edit(5)
    assert len(last) == len(first)
    assert [s.split()[0] for s in last if "scorecard_revisions" in s] == ["INSERT"]
    assert w.session.scalar(select(func.count()).where(
        ScorecardRevision.scorecard_id == scorecard.id)) == 7  # submitted, six edits


@pytest.mark.parametrize("viewer", ["manager", "interviewer"])
def test_the_panel_with_2_and_10_interviewers_scorecards(w, count_queries, viewer):
    """Five interviews of two interviewers each: first 2 scorecards in, then all 10."""
    interviews = [book(w, stage, w.panel[2 * n:2 * n + 2])
                  for n, stage in enumerate(w.loop.stages[:5])]
    assert len(interviews) == 5
    stages = [service.stage_for(w.session, interview) for interview in interviews]
    for person in w.panel[:2]:
        save(w, person, interviews[0], full_input(w, stages[0], tag=person.name), submit=True)
    client = w.login(w.manager if viewer == "manager" else w.panel[0])
    url = f"/requisitions/{w.req.id}/candidates/{w.candidate.id}/scorecards"
    few = queries_for(client, count_queries, url)
    for n, interview in enumerate(interviews[1:], start=1):
        for person in w.panel[2 * n:2 * n + 2]:
            save(w, person, interview, full_input(w, stages[n], tag=person.name,
                                                  rating=3 + n % 2, every_area=n % 2 == 0),
                 submit=True)
    page = client.get(url).get_data(as_text=True)
    assert 'id="hidden-reason"' not in page
    for person in w.panel:
        assert f">{person.name}</a>" in page
    assert queries_for(client, count_queries, url) == few


@pytest.mark.parametrize("viewer", ["author", "manager"])
def test_a_scorecard_as_its_notes_ratings_and_revisions_grow(w, count_queries, viewer):
    author = w.panel[0]
    stage = add_stage(w, 5)
    interview = book(w, stage, [author])
    # Submitted with the two focus areas rated, one question noted, no pre-offer signal.
    sparse = service.ScorecardInput(
        ratings={a.id: (3, "Sparse evidence.") for a in stage.focus_areas},
        notes={stage.questions[0].id: "One note."}, recommendation="hire")
    scorecard = save(w, author, interview, sparse, submit=True)
    client = w.login(author if viewer == "author" else w.manager)
    url = f"/scorecards/{scorecard.id}"
    few = queries_for(client, count_queries, url)
    for n in range(6):  # every area, every question, every signal; six edits kept
        save(w, author, interview, full_input(w, stage, tag=f"edit {n}", rating=3 + n % 2),
             submit=True)
    page = client.get(url).get_data(as_text=True)
    assert page.count("Evidence edit 5 for area") == 5
    assert page.count("Notes edit 5 on") == 5
    assert page.count("Signal edit 5:") == 3
    revisions = page.split('id="revisions"')[1].split("</ol>")[0]
    assert revisions.count("<li>") == 7  # submitted, then six edits
    assert queries_for(client, count_queries, url) == few


def overdue_interviews(w, interviewer, count: int, start: int) -> None:
    """``count`` interviews held days ago on ``interviewer``'s panel, one candidate (and
    one-stage loop) each; every other one has a draft scorecard."""
    now = utcnow()
    starts = [now - timedelta(days=3, minutes=n) for n in range(start, start + count)]
    candidate_ids, interview_ids = bulk_interviews(
        w.session, w.req.id, starts, (interviewer, w.panel[1]), prefix=f"owed{start}")
    w.session.execute(insert(Scorecard), [
        {"interview_id": iid, "interviewer_id": interviewer.id, "candidate_id": cid,
         "status": "draft", "summary": "", "created_at": now, "updated_at": now, "version": 1}
        for n, (iid, cid) in enumerate(zip(interview_ids, candidate_ids, strict=True))
        if n % 2 == 0])
    w.session.flush()


def test_the_interviewers_home_with_2_and_50_overdue_scorecards(w, count_queries):
    interviewer = w.panel[0]
    client = w.login(interviewer)
    book(w, w.loop.stages[0], [interviewer])  # held a week ago: overdue too
    overdue_interviews(w, interviewer, 1, 0)
    few = queries_for(client, count_queries, "/")
    overdue_interviews(w, interviewer, 48, 1)
    page = client.get("/").get_data(as_text=True)
    owed = page.split('id="scorecards-due"')[1].split("</section>")[0]
    assert owed.count('<li class="task overdue">') == HOME_TO_WRITE  # bounded: the oldest
    assert 'href="/scorecards/to-write"' in owed  # and the rest a link away
    assert queries_for(client, count_queries, "/") == few
