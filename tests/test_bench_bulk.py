"""The benchmark's bulk seeding (bench/bulk.py) writes what the services would: copied loops
equal the one build_loop made from the requisition's set, and the held interviews book no
one twice at a time. Small data, in the test's own transaction."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from bench import bulk
from interviewloop.audit.models import AuditEvent
from interviewloop.audit.service import Actor
from interviewloop.db import utcnow
from interviewloop.loops import service as loops
from interviewloop.requisitions import service as requisitions
from interviewloop.scheduling.models import Interview, Panelist
from tests.factories import make_candidate, make_requisition


def shape(loop):
    return [(s.position, s.name, s.category, s.minutes, [a.id for a in s.focus_areas],
             [(q.question_id, q.position, q.set_question_id, q.alternate_reason)
              for q in s.questions]) for s in loop.stages]


def overlaps(session, model, key):
    """Pairs of rows of ``model`` with the same ``key`` whose times overlap."""
    a, b = aliased(model), aliased(model)
    return session.scalar(select(func.count()).select_from(a).join(
        b, (getattr(a, key) == getattr(b, key)) & (a.interview_id < b.interview_id)
        if model is Panelist else
        (getattr(a, key) == getattr(b, key)) & (a.id < b.id))
        .where(a.starts_at < b.ends_at, b.starts_at < a.ends_at))


def test_copied_loops_and_held_interviews_are_what_the_services_make(
        bank, make_user, login, db_session):
    manager, recruiter = make_user("hiring_manager"), make_user("recruiter")
    panel = [make_user("interviewer") for _ in range(5)]  # odd: one sits each slot out
    requisition = make_requisition(db_session, manager, recruiter)
    for person in panel:
        requisitions.add_member(db_session, Actor(recruiter), requisition, person.id)
    first = make_candidate(db_session, requisition, recruiter, 1)
    others = [make_candidate(db_session, requisition, recruiter, n) for n in (2, 3, 4)]
    built = loops.build_loop(db_session, Actor(recruiter), requisition, first, seed=1)
    conn = db_session.connection()

    assert bulk.copy_loops(conn, first.id, [c.id for c in others], recruiter.id) == 3
    db_session.expire_all()
    built = loops.loop_for(db_session, first)
    for candidate in others:
        copy = loops.loop_for(db_session, candidate)
        assert shape(copy) == shape(built) and shape(copy)[0][4]  # focus areas copied too
        assert (copy.question_set_id, copy.coverage_gaps) == (built.question_set_id,
                                                              built.coverage_gaps)
    assert db_session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "loop_built")) == 4

    everyone = [first.id] + [c.id for c in others]
    held = bulk.hold_interviews(conn, everyone, [p.id for p in panel], recruiter.id)
    assert len(held) == 4 * len(built.stages)
    assert {h.candidate_id for h in held} == set(everyone)
    assert all(len(set(h.panel)) == 2 and h.ends_at < utcnow() for h in held)
    # No interviewer, and no candidate, is in two interviews at once.
    assert overlaps(db_session, Panelist, "user_id") == 0
    assert overlaps(db_session, Interview, "candidate_id") == 0
    # Four of the five interviewers share the panels (two lanes).
    seats = dict(db_session.execute(select(Panelist.user_id, func.count())
                                    .group_by(Panelist.user_id)).all())
    assert sorted(seats) == sorted(p.id for p in panel[:4])

    # The app's pages show them: the copied loop, and an interviewer's past interviews.
    page = login(recruiter).get(f"/requisitions/{requisition.id}/candidates/{others[0].id}")
    assert page.status_code == 200
    assert all(stage.name in page.text for stage in built.stages)
    home = login(panel[0]).get("/")
    assert home.status_code == 200 and any(c.name in home.text for c in [first, *others])
