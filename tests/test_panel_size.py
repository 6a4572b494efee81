"""Each loop stage says how many interviewers its panel needs (loop_stages.panel_size, one
by default): set on the loop page, shown there, kept in range by the database; a booking
or reschedule with fewer is refused with the reason and the input kept, trainees do not
count toward it, and proposals find that many for each stage (tests/test_loop_times.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from markupsafe import escape
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from interviewloop.audit.service import Actor
from interviewloop.loops import service as loops
from interviewloop.loops.models import LoopStage
from interviewloop.scheduling import service as scheduling
from tests import test_scheduling_pages as pages
from tests.conftest import post
from tests.test_scheduling_pages import NEW_YORK, T, form, input_value, interviews, schedule_url

w = pages.w  # the same hiring team and two candidates with loops


def set_size(w, stage, size) -> object:
    return post(w.rc, f"/requisitions/{w.req.id}/candidates/{w.c1.id}/loop/stages/{stage.id}/panel",
                {"panel_size": str(size)})


def test_a_booking_with_fewer_than_the_stages_panel_is_refused_with_the_input_kept(w):
    stage = w.loop1.stages[0]
    assert set_size(w, stage, 2).status_code == 302
    w.session.refresh(stage)
    assert stage.panel_size == 2
    page = w.rc.get(f"/requisitions/{w.req.id}/candidates/{w.c1.id}").get_data(as_text=True)
    assert "panel of 2" in page
    local = T.astimezone(NEW_YORK).replace(tzinfo=None)
    response = post(w.rc, schedule_url(w, w.c1, stage), form([w.alice], local))
    body = response.get_data(as_text=True)
    assert response.status_code == 409 and interviews(w) == []
    assert str(escape(f"{stage.name} needs 2 interviewers on its panel")) in body
    assert input_value(body, "location") == "https://video.example/room"
    booked = post(w.rc, schedule_url(w, w.c1, stage), form([w.alice, w.bob], local))
    assert booked.status_code == 302 and len(interviews(w)) == 1
    # A reschedule down to one is refused too (the service, as the API would call it).
    interview = scheduling.get_interview(w.session, interviews(w)[0].id)
    with pytest.raises(scheduling.SchedulingRefused, match="needs 2 interviewers"):
        scheduling.reschedule(w.session, Actor(w.recruiter), w.req, interview,
                              scheduling.ScheduleInput(interviewer_ids=[w.bob.id],
                                                       starts_at=T + timedelta(days=1),
                                                       minutes=60))


def test_the_panel_size_is_kept_in_range_by_the_form_the_service_and_the_database(w):
    stage = w.loop1.stages[1]
    for bad in ("0", "5", "two", ""):
        refused = set_size(w, stage, bad)
        assert refused.status_code == 400 and "needs 1 to 4 interviewers" in (
            refused.get_data(as_text=True))
    with pytest.raises(loops.InvalidLoopChange, match="1 to 4"):
        loops.set_panel_size(w.session, Actor(w.recruiter), w.req, w.loop1, stage.id, 9)
    with pytest.raises(IntegrityError), w.session.begin_nested():
        w.session.execute(update(LoopStage).where(LoopStage.id == stage.id).values(panel_size=0))
    w.session.refresh(stage)
    assert stage.panel_size == 1  # the default: what booking asked before
