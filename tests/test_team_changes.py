"""Hiring-team changes that would orphan someone's interviews are refused."""

from __future__ import annotations

import pytest

from interviewloop.audit.service import Actor
from interviewloop.errors import Conflict
from interviewloop.requisitions import service
from interviewloop.scheduling import service as scheduling
from tests.factories import (
    add_to_team,
    make_candidate_with_loop,
    make_interview,
    make_requisition,
    next_monday,
)


def test_a_panelist_stays_on_the_team_until_their_panels_change(db_session, bank, make_user):
    manager, recruiter = make_user("hiring_manager"), make_user("recruiter")
    interviewer = make_user("interviewer")
    requisition = make_requisition(db_session, manager, recruiter)
    add_to_team(db_session, requisition, recruiter, interviewer)
    candidate, loop = make_candidate_with_loop(db_session, requisition, recruiter)
    interview = make_interview(db_session, requisition, recruiter, candidate, loop.stages[0],
                               [interviewer], next_monday())
    with pytest.raises(Conflict, match="on the panel"):
        service.remove_member(db_session, Actor(recruiter), requisition, interviewer.id)
    scheduling.cancel(db_session, Actor(recruiter), requisition, interview)
    service.remove_member(db_session, Actor(recruiter), requisition, interviewer.id)
    assert all(m.user_id != interviewer.id for m in requisition.members)
