"""Comparable loops (issue 12): every candidate on a requisition is asked the requisition's
question set; an alternate only where they had a question elsewhere, stated on their loop
page; editors revise the set for future candidates, recorded; the debrief says where
candidates were asked different questions."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import func, select

from interviewloop.audit.models import AuditEvent
from interviewloop.audit.service import Actor
from interviewloop.bank.models import Question, QuestionArea, QuestionLevel
from interviewloop.bank.service import areas as all_areas
from interviewloop.db import utcnow
from interviewloop.enums import Level
from interviewloop.errors import Conflict, Forbidden
from interviewloop.loops import service, sets
from interviewloop.loops.chooser import options_for
from interviewloop.loops.models import AlternateReason, QuestionSet
from tests.conftest import post
from tests.factories import add_to_team, make_candidate, make_requisition


@pytest.fixture
def team(make_user):
    return {"manager": make_user("hiring_manager"), "recruiter": make_user("recruiter")}


@pytest.fixture
def senior_req(db_session, bank, team):
    return make_requisition(db_session, team["manager"], team["recruiter"], level="senior")


def build(db_session, requisition, recruiter, n, *, seed=None, email=None):
    candidate = make_candidate(db_session, requisition, recruiter, n, email=email)
    service.build_loop(db_session, Actor(recruiter), requisition, candidate, seed=seed)
    return candidate, service.loop_for(db_session, candidate)


def asked(loop) -> list[tuple[str, list[int]]]:
    return [(s.name, [lq.question_id for lq in s.questions]) for s in loop.stages]


def set_questions(question_set) -> list[tuple[str, list[int]]]:
    return [(s.name, [q.question_id for q in s.questions]) for s in question_set.stages]


def set_count(db_session, requisition) -> int:
    return db_session.scalar(select(func.count()).select_from(QuestionSet).where(
        QuestionSet.requisition_id == requisition.id))


@pytest.mark.parametrize("level", ["junior", "senior", "staff"])
def test_every_candidate_on_a_requisition_gets_the_same_questions_per_stage(
        db_session, bank, team, level):
    requisition = make_requisition(db_session, team["manager"], team["recruiter"], level=level)
    loops = [build(db_session, requisition, team["recruiter"], n, seed=n)[1] for n in range(4)]
    question_set = sets.current_set(db_session, requisition)
    assert set_count(db_session, requisition) == 1
    assert all(asked(loop) == set_questions(question_set) for loop in loops)
    assert {loop.question_set_id for loop in loops} == {question_set.id}
    assert not any(lq.is_alternate for loop in loops for s in loop.stages for lq in s.questions)
    assert all(loop.coverage_gaps == [] for loop in loops)  # the set keeps the coverage rules


def _had_elsewhere(db_session, team, senior_req):
    """A set question Q of ``senior_req`` that the bank has another question like (same
    category, areas and level); a person who had Q on another requisition's loop (an
    editor put it there); that person then applies to ``senior_req``."""
    recruiter = team["recruiter"]
    _first, first_loop = build(db_session, senior_req, recruiter, 1)
    question_set = sets.current_set(db_session, senior_req)
    in_set = {q for _name, ids in set_questions(question_set) for q in ids}
    chooser_pool = options_for(db_session, db_session.scalars(select(Question.id).where(
        Question.retired_at.is_(None))))
    senior = set(db_session.scalars(select(QuestionLevel.question_id).where(
        QuestionLevel.level == Level.SENIOR)))
    target = next(option for qid in sorted(in_set) for option in [chooser_pool[qid]]
                  if any(o.id not in in_set and o.id in senior and o.category == option.category
                         and o.areas == option.areas for o in chooser_pool.values()))
    other = make_requisition(db_session, team["manager"], recruiter, level="senior",
                             title="Senior AI Engineer, Search")
    _x, elsewhere = build(db_session, other, recruiter, 7, email="x@example.net")
    # The other requisition's set is drawn at random from the same senior pool, so it can
    # share more than the target with this one: swap every shared question but the target
    # for one outside this set, so the person had exactly one set question elsewhere.
    taken = {q for _n, ids in asked(elsewhere) for q in ids} | in_set
    for stage in elsewhere.stages:
        for slot in list(stage.questions):
            if slot.question_id in in_set and slot.question_id != target.id:
                spare = next(o.id for o in chooser_pool.values()
                             if o.id not in taken and o.category == stage.category)
                taken.add(spare)
                service.swap_question(db_session, Actor(recruiter), other, elsewhere, slot.id,
                                      spare)
    if target.id not in [q for _n, ids in asked(elsewhere) for q in ids]:
        slot = next(lq for s in elsewhere.stages for lq in s.questions
                    if s.category == target.category)
        service.swap_question(db_session, Actor(recruiter), other, elsewhere, slot.id, target.id)
    assert [q for _n, ids in asked(elsewhere) for q in ids if q in in_set] == [target.id]
    candidate, loop = build(db_session, senior_req, recruiter, 8, email="X@example.net")
    return target, first_loop, candidate, loop


def test_a_candidate_who_had_a_question_elsewhere_gets_an_alternate_like_it(
        db_session, senior_req, team, login):
    target, first_loop, candidate, loop = _had_elsewhere(db_session, team, senior_req)
    alternates = [lq for s in loop.stages for lq in s.questions if lq.is_alternate]
    assert len(alternates) == 1
    alternate = alternates[0]
    assert alternate.set_question_id == target.id
    assert alternate.alternate_reason == AlternateReason.HAD_ELSEWHERE
    assert alternate.question_id != target.id
    asked_instead = alternate.question
    assert asked_instead.category == target.category
    assert {a.id for a in asked_instead.areas} == target.areas
    assert Level.SENIOR in [row.level for row in asked_instead.level_rows]
    assert asked_instead.retired_at is None
    # Everything else is the set, in the same places.
    mine, theirs = asked(loop), asked(first_loop)
    swapped = [(name, a, b) for (name, a), (_n, b) in zip(mine, theirs, strict=True) if a != b]
    assert len(swapped) == 1
    _name, a, b = swapped[0]
    assert [x for x in a if x != asked_instead.id] == [x for x in b if x != target.id]

    page = html.unescape(login(team["recruiter"]).get(
        f"/requisitions/{senior_req.id}/candidates/{candidate.id}").get_data(as_text=True))
    assert (f"<strong>Alternate</strong> for the set's “{target.title}”: this candidate had it in their loop "
            "on another requisition. Same category and level, same areas.") in page
    assert "except 1 alternate below" in page
    other_page = login(team["recruiter"]).get(
        f"/requisitions/{senior_req.id}/candidates/{first_loop.candidate_id}").get_data(
        as_text=True)
    assert 'class="alternate"' not in other_page
    assert "every candidate on it is asked the same questions." in other_page


def test_an_alternate_without_the_same_areas_says_how_it_differs(db_session, senior_req, team,
                                                                  login):
    """Where the bank has no question with the same areas, the closest is asked, and the
    loop page names the areas of both."""
    _target, _first, candidate, loop = _had_elsewhere(db_session, team, senior_req)
    alternate = next(lq for s in loop.stages for lq in s.questions if lq.is_alternate)
    # Make the alternate's areas differ from the set question's, after the fact.
    extra = next(a.id for a in all_areas(db_session)
                 if a.id not in {b.id for b in alternate.question.areas})
    db_session.add(QuestionArea(question_id=alternate.question_id, area_id=extra))
    db_session.flush()
    page = html.unescape(login(team["recruiter"]).get(
        f"/requisitions/{senior_req.id}/candidates/{candidate.id}").get_data(as_text=True))
    assert "the bank has none with the same areas, so this is the closest" in page


def test_a_question_retired_since_the_set_was_fixed_gets_an_alternate(db_session, senior_req,
                                                                      team):
    _c, first = build(db_session, senior_req, team["recruiter"], 1)
    retired = first.stages[0].questions[0].question
    retired.retired_at = utcnow()
    db_session.flush()
    _c2, second = build(db_session, senior_req, team["recruiter"], 2)
    slot = second.stages[0].questions[0]
    assert slot.set_question_id == retired.id
    assert slot.alternate_reason == AlternateReason.RETIRED
    assert slot.question_id != retired.id
    assert slot.question.category == retired.category


def revise_first_question(db_session, actor, requisition, reason="It leaked on a forum."):
    current = sets.current_set(db_session, requisition)
    stage = current.stages[0]
    instead = sets.alternatives(db_session, current, requisition.level)[stage.position][0]
    revised = sets.revise_set(db_session, actor, requisition, sets.Revision(
        stage_position=stage.position, question_id=stage.questions[0].question_id,
        replacement_id=instead.id, reason=reason, seen_number=current.number))
    return stage.questions[0].question_id, instead.id, revised


def test_revising_the_set_changes_only_future_loops_and_is_recorded(db_session, senior_req,
                                                                    team, login):
    recruiter = team["recruiter"]
    first, before = build(db_session, senior_req, recruiter, 1)
    built_before = asked(before)
    client = login(team["manager"])
    page = client.get(f"/requisitions/{senior_req.id}/question-set").get_data(as_text=True)
    assert 'id="set-version">Version 1' in page
    current = sets.current_set(db_session, senior_req)
    stage = current.stages[0]
    old = stage.questions[0].question_id
    new = sets.alternatives(db_session, current, senior_req.level)[stage.position][0].id
    version_1 = set_questions(current)
    form = {"stage_position": stage.position, "question_id": old, "replacement_id": new,
            "reason": "It leaked on a forum.", "seen_number": 1}
    response = post(client, f"/requisitions/{senior_req.id}/question-set/revise", form)
    assert response.status_code == 302

    db_session.expire_all()
    revised = sets.current_set(db_session, senior_req)
    assert revised.number == 2 and revised.created_by_id == team["manager"].id
    assert revised.reason == "It leaked on a forum."
    assert revised.stages[0].questions[0].question_id == new
    version_2 = set_questions(revised)
    assert version_2[1:] == version_1[1:]
    # The loop built before keeps its questions; the next one is built from version 2.
    assert asked(service.loop_for(db_session, first)) == built_before
    _c2, after = build(db_session, senior_req, recruiter, 2)
    assert after.question_set_id == revised.id
    assert asked(after) == version_2
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "question_set_revised"))
    assert event.actor_id == team["manager"].id
    assert event.detail == {"requisition_id": senior_req.id, "number": 2, "stage": stage.name,
                            "from_question": old, "to_question": new,
                            "reason": "It leaked on a forum."}
    history = html.unescape(client.get(f"/requisitions/{senior_req.id}/question-set")
                            .get_data(as_text=True))
    titles = dict(db_session.execute(select(Question.id, Question.title).where(
        Question.id.in_([old, new]))).all())
    assert "Version 2" in history and "It leaked on a forum." in history
    assert f"{stage.name}: “{titles[old]}” replaced by “{titles[new]}”" in history
    assert "Version 1" in history and "the loop builder" in history


def test_a_stale_or_unexplained_revision_is_refused_with_the_input_kept(db_session, senior_req,
                                                                        team, login):
    build(db_session, senior_req, team["recruiter"], 1)
    current = sets.current_set(db_session, senior_req)
    stage = current.stages[0]
    new = sets.alternatives(db_session, current, senior_req.level)[stage.position][0].id
    form = {"stage_position": stage.position, "question_id": stage.questions[0].question_id,
            "replacement_id": new, "seen_number": 1}
    client = login(team["recruiter"])
    url = f"/requisitions/{senior_req.id}/question-set/revise"
    empty = post(client, url, {**form, "reason": "   "})
    assert empty.status_code == 422
    assert "Say why" in empty.get_data(as_text=True)
    revise_first_question(db_session, Actor(team["manager"]), senior_req)
    stale = post(client, url, {**form, "reason": "Kept for the editor"})
    assert stale.status_code == 409
    body = stale.get_data(as_text=True)
    assert "Someone else revised this question set" in body
    assert "Your reason, kept: <q>Kept for the editor</q>" in body
    not_in_stage = post(client, url, {**form, "question_id": 987_654, "seen_number": 2,
                                      "reason": "x"})
    assert not_in_stage.status_code == 404
    assert set_count(db_session, senior_req) == 2  # only the manager's revision


def test_the_loser_of_a_race_to_fix_the_set_takes_the_winners(db_session, senior_req, team,
                                                              monkeypatch):
    """As if a second build had looked before the first one's set was there: it tries
    version 1 too, the UNIQUE constraint refuses it, and it builds from the winner's."""
    _c1, first = build(db_session, senior_req, team["recruiter"], 1, seed=1)
    real, calls = sets.current_set, []

    def looks_too_early_once(session, requisition):
        calls.append(requisition.id)
        return None if len(calls) == 1 else real(session, requisition)

    monkeypatch.setattr(sets, "current_set", looks_too_early_once)
    _c2, second = build(db_session, senior_req, team["recruiter"], 2, seed=99)
    assert set_count(db_session, senior_req) == 1
    assert asked(second) == asked(first)
    assert second.question_set_id == first.question_set_id
    assert len(calls) >= 2  # it did look again


def test_fixing_the_set_ahead_of_the_first_loop(db_session, senior_req, team, login):
    client = login(team["recruiter"])
    page = client.get(f"/requisitions/{senior_req.id}/question-set").get_data(as_text=True)
    assert "No question set yet" in page
    assert post(client, f"/requisitions/{senior_req.id}/question-set").status_code == 302
    fixed = set_questions(sets.current_set(db_session, senior_req))
    _c, loop = build(db_session, senior_req, team["recruiter"], 1)
    assert asked(loop) == fixed
    assert set_count(db_session, senior_req) == 1


# --- who may revise -----------------------------------------------------------------------------

ROLES = ["admin", "hiring_manager", "recruiter", "interviewer"]


@pytest.mark.parametrize("role", ROLES)
def test_revising_someone_elses_requisitions_set_by_role(db_session, senior_req, team, make_user,
                                                         login, role):
    """Each role, on a requisition that is not theirs: only an admin may revise; everyone
    else is refused by the service, and over HTTP gets a 404 (off the team: the
    requisition is not revealed) or a 403 (an interviewer on its team)."""
    build(db_session, senior_req, team["recruiter"], 1)
    person = make_user(role)
    before = set_count(db_session, senior_req)
    if role == "admin":
        revise_first_question(db_session, Actor(person), senior_req)
        assert set_count(db_session, senior_req) == before + 1
        return
    with pytest.raises(Forbidden):
        revise_first_question(db_session, Actor(person), senior_req)
    current = sets.current_set(db_session, senior_req)
    stage = current.stages[0]
    form = {"stage_position": stage.position, "question_id": stage.questions[0].question_id,
            "replacement_id": sets.alternatives(db_session, current, senior_req.level)[0][0].id,
            "reason": "Not mine to change", "seen_number": current.number}
    url = f"/requisitions/{senior_req.id}/question-set"
    client = login(person)
    assert client.get(url).status_code == 404
    assert post(client, url + "/revise", form).status_code == 404
    assert post(client, url).status_code == 404
    if role == "interviewer":  # only interviewers join a hiring team
        add_to_team(db_session, senior_req, team["manager"], person)
        assert client.get(url).status_code == 403
        assert post(client, url + "/revise", form).status_code == 403
    assert set_count(db_session, senior_req) == before


def test_the_manager_and_recruiter_of_the_requisition_may_revise(db_session, senior_req, team):
    build(db_session, senior_req, team["recruiter"], 1)
    revise_first_question(db_session, Actor(team["manager"]), senior_req)
    revise_first_question(db_session, Actor(team["recruiter"]), senior_req, reason="Again.")
    assert set_count(db_session, senior_req) == 3


def test_a_revision_needs_a_set_and_a_question_of_the_stages_category(db_session, senior_req,
                                                                      team):
    actor = Actor(team["manager"])
    with pytest.raises(Conflict, match="no question set yet"):
        sets.revise_set(db_session, actor, senior_req, sets.Revision(0, 1, 2, "Why", 1))
    build(db_session, senior_req, team["recruiter"], 1)
    current = sets.current_set(db_session, senior_req)
    stage = current.stages[0]
    other_category = next(q for s in current.stages for q in s.questions
                          if s.category != stage.category)
    with pytest.raises(sets.InvalidSetRevision, match="another category"):
        sets.revise_set(db_session, actor, senior_req, sets.Revision(
            stage.position, stage.questions[0].question_id, other_category.question_id,
            "Why", 1))


# --- the debrief compares like with like --------------------------------------------------------

def comparability_note(client, requisition, candidate) -> str | None:
    page = html.unescape(client.get(f"/requisitions/{requisition.id}/candidates/"
                                    f"{candidate.id}/debrief").get_data(as_text=True))
    start = page.find('id="comparability"')
    return None if start < 0 else page[start:page.index("</section>", start)]


def test_the_debrief_says_nothing_when_everyone_was_asked_the_same(db_session, senior_req, team,
                                                                   login):
    first, _ = build(db_session, senior_req, team["recruiter"], 1)
    build(db_session, senior_req, team["recruiter"], 2)
    assert comparability_note(login(team["manager"]), senior_req, first) is None


def test_the_debrief_names_the_stage_where_an_alternate_was_asked(db_session, senior_req, team,
                                                                  login):
    _target, first_loop, candidate, loop = _had_elsewhere(db_session, team, senior_req)
    stage = next(s for s in loop.stages if any(lq.is_alternate for lq in s.questions))
    client = login(team["manager"])
    note = comparability_note(client, senior_req, candidate)
    assert note is not None
    assert "in 1 stage this candidate was asked other questions" in note
    assert (f"<li>{stage.name}: other questions than 1 of 1 other candidate (this candidate had "
            "a question of the set on another requisition and was asked an alternate).</li>"
            ) in note
    theirs = comparability_note(client, senior_req, first_loop.candidate)
    assert (f"<li>{stage.name}: other questions than 1 of 1 other candidate (1 other candidate "
            "was asked alternates or edited questions).</li>") in theirs


def test_the_debrief_names_the_stage_a_revision_changed(db_session, senior_req, team, login):
    first, _ = build(db_session, senior_req, team["recruiter"], 1)
    build(db_session, senior_req, team["recruiter"], 2)
    revise_first_question(db_session, Actor(team["manager"]), senior_req)
    third, loop = build(db_session, senior_req, team["recruiter"], 3)
    client = login(team["manager"])
    note = comparability_note(client, senior_req, third)
    assert (f"<li>{loop.stages[0].name}: other questions than 2 of 2 other candidates (the "
            "requisition's set was revised: these loops come from version 1, version 2).</li>"
            ) in note
    assert note.count("<li>") == 1  # only the revised stage differs
    assert "than 1 of 2 other candidates" in comparability_note(client, senior_req, first)


def test_the_debrief_csv_carries_the_note(db_session, senior_req, team, login):
    import csv
    import io

    _target, _first, candidate, loop = _had_elsewhere(db_session, team, senior_req)
    stage = next(s for s in loop.stages if any(lq.is_alternate for lq in s.questions))
    body = login(team["manager"]).get(f"/requisitions/{senior_req.id}/candidates/"
                                      f"{candidate.id}/debrief.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(body)))
    start = rows.index(["stage with other questions", "other candidates differing",
                        "other candidates", "why"])
    assert rows[start + 1] == [stage.name, "1", "1", sets.REASON_TEXT[
        AlternateReason.HAD_ELSEWHERE]]
