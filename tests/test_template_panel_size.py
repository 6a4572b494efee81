"""A stage's panel size comes from its level's template (question_bank/loop_templates.yaml's
optional `panel`), through the requisition's question set, into each candidate's loop: a
senior system-design stage whose template says 2 gets 2 panelists in every proposal and the
booking form asks for 2. The set keeps its own (a later template change is for requisitions
fixed after it), revisions keep it, the import checks it and the database keeps it in range."""

from __future__ import annotations

import copy

import pytest
from markupsafe import escape
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from interviewloop.audit.service import SYSTEM, Actor
from interviewloop.bank.importer import _stage_problems, import_bank
from interviewloop.enums import Level
from interviewloop.loops import sets
from interviewloop.loops.models import LoopTemplate, LoopTemplateStage, QuestionSetStage
from tests.conftest import post
from tests.factories import make_candidate_with_loop, next_monday
from tests.test_loop_times import ask, decoded, loop_world, options

MONDAY = next_monday(weeks_ahead=2, hour=0)


def senior_stages(session) -> list[LoopTemplateStage]:
    return list(session.scalars(select(LoopTemplateStage).join(LoopTemplate)
                                .where(LoopTemplate.level == Level.SENIOR)
                                .order_by(LoopTemplateStage.position)
                                .execution_options(populate_existing=True)))


def set_template_panel(session, position: int, size: int) -> None:
    stage = senior_stages(session)[position]
    session.execute(update(LoopTemplateStage).where(LoopTemplateStage.id == stage.id)
                    .values(panel_size=size))


@pytest.fixture
def w(db_session, bank, make_user, login):
    set_template_panel(db_session, 0, 2)  # the senior loop's first system-design stage
    return loop_world(db_session, make_user, login)


def test_the_templates_panel_size_is_each_loops_default_and_proposals_and_booking_honour_it(w):
    assert senior_stages(w.session)[0].category.value == "system_design"
    question_set = sets.current_set(w.session, w.req)
    assert [s.panel_size for s in question_set.stages] == [2, 1, 1, 1, 1]
    loop_page = w.client.get(f"/requisitions/{w.req.id}/candidates/{w.candidate.id}")
    assert loop_page.get_data(as_text=True).count("panel of 2") >= 1
    # Every option finds two interviewers for the first stage, one for each of the others.
    tokens = options(ask(w, first=MONDAY).get_data(as_text=True))
    assert tokens
    for option in decoded(w, tokens):
        assert [len(p.interviewer_ids) for p in option] == [2, 1, 1, 1, 1]
    # The booking form says so, and refuses one, keeping what was typed.
    def form_url(stage_id: int) -> str:
        return f"/requisitions/{w.req.id}/candidates/{w.candidate.id}/stages/{stage_id}/schedule"

    url = form_url(w.stage_ids[0])
    assert "needs 2 interviewers: choose at least 2" in w.client.get(url).get_data(as_text=True)
    refused = post(w.client, url, {"interviewers": [str(w.people[0].id)],
                                   "starts_at": f"{MONDAY:%Y-%m-%d}T10:00", "minutes": "60",
                                   "location": "Room 9"})
    assert refused.status_code == 409
    assert str(escape("needs 2 interviewers on its panel")) in refused.get_data(as_text=True)
    second = w.client.get(form_url(w.stage_ids[1]))
    assert "This stage's panel needs 1 interviewer." in second.get_data(as_text=True)


def test_the_requisitions_set_keeps_its_panel_sizes_when_the_template_changes(w):
    set_template_panel(w.session, 0, 1)
    set_template_panel(w.session, 2, 3)
    _candidate, loop = make_candidate_with_loop(w.session, w.req, w.recruiter, 2, seed=1)
    assert [s.panel_size for s in loop.stages] == [2, 1, 1, 1, 1]
    # A revision of the set keeps them too.
    current = sets.current_set(w.session, w.req)
    stage = current.stages[1]
    replacement = sets.alternatives(w.session, current, w.req.level)[stage.position][0]
    revised = sets.revise_set(w.session, Actor(w.recruiter), w.req, sets.Revision(
        stage.position, stage.questions[0].question_id, replacement.id, "Fresher question", 1))
    assert [s.panel_size for s in revised.stages] == [2, 1, 1, 1, 1]


def test_the_import_reads_panel_and_refuses_a_bad_one(db_session, bank, bank_data):
    data = copy.deepcopy(bank_data)
    [senior] = [t for t in data.loop_templates if t["level"] == "senior"]
    senior["stages"][1]["panel"] = 3
    import_bank(db_session, SYSTEM, data)
    assert [s.panel_size for s in senior_stages(db_session)] == [1, 3, 1, 1, 1]
    del senior["stages"][1]["panel"]  # back to the default
    import_bank(db_session, SYSTEM, data)
    assert [s.panel_size for s in senior_stages(db_session)] == [1, 1, 1, 1, 1]
    slugs = {a["slug"] for a in bank_data.areas}
    good = copy.deepcopy(bank_data.loop_templates[0]["stages"][0])
    assert _stage_problems({**good, "panel": 4}, slugs) == []
    for bad in (0, 5, "2", True, 1.5, None):
        assert _stage_problems({**good, "panel": bad}, slugs) == [
            "field 'panel' must be a whole number from 1 to 4"], bad


@pytest.mark.parametrize("model", [LoopTemplateStage, QuestionSetStage])
def test_the_database_keeps_template_and_set_panel_sizes_in_range(db_session, bank, make_user,
                                                                   login, model):
    loop_world(db_session, make_user, login)  # so that a set exists
    for bad in (0, 5):
        with pytest.raises(IntegrityError), db_session.begin_nested():
            db_session.execute(update(model).values(panel_size=bad))
