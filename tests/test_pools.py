"""Interviewer pools: booking from a pool's qualified interviewers with trainees on top,
practice cards that count nowhere, promotions signed off by an admin or the owner, and
the pool page's query count."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import insert, select

from interviewloop.analytics import queries as analytics
from interviewloop.audit.models import AuditEvent
from interviewloop.audit.service import Actor
from interviewloop.auth.models import User, UserRole
from interviewloop.bank.service import areas
from interviewloop.db import utcnow
from interviewloop.debrief import dashboard
from interviewloop.debrief import service as debrief
from interviewloop.enums import Category, Level, PanelRole, Role
from interviewloop.errors import Conflict, Forbidden
from interviewloop.pools import service as pools
from interviewloop.pools.models import PoolChange, PoolMember, PoolState
from interviewloop.scheduling import queries as board
from interviewloop.scheduling import service as scheduling
from interviewloop.scorecards.models import Recommendation
from tests.conftest import post
from tests.factories import (
    add_to_team,
    make_candidate_with_loop,
    make_requisition,
    next_monday,
    write_scorecard,
)

PRACTICE = {"evidence": "PRACTICE-EVIDENCE-9d1", "summary": "PRACTICE-SUMMARY-4e2",
            "signal_evidence": "PRACTICE-SIGNAL-7a3", "notes": "PRACTICE-NOTE-2b8"}
TWO_AND_TWO = pools.Thresholds(2, 2)


def build(session, make_user, *, hide: bool = False):
    """A senior requisition whose system design stages have a pool: Ines owns it, Pat and
    Cora are qualified with her, Tess is a shadow coached by Cora. Stage 0 of the loop is
    system design (pooled), stage 3 is MLOps (no pool)."""
    manager = make_user("hiring_manager", name="Hana Manager")
    recruiter = make_user("recruiter", name="Rui Recruiter")
    admin = make_user("admin", name="Ada Admin")
    ines, pat, cora, tess, bob = (make_user("interviewer", name=n) for n in (
        "Ines Owner", "Pat Qualified", "Cora Coach", "Tess Trainee", "Bob Unpooled"))
    req = make_requisition(session, manager, recruiter, hide_scorecards_until_debrief=hide)
    add_to_team(session, req, manager, ines, pat, cora, tess, bob)
    pool = pools.create_pool(session, Actor(admin), "system_design", "senior", ines.id)
    for person in (ines, pat, cora):
        pools.add_member(session, Actor(admin), pool, person.id, "qualified")
    pools.add_member(session, Actor(ines), pool, tess.id, "shadow", coach_id=cora.id)
    cand, loop = make_candidate_with_loop(session, req, recruiter, 1)
    assert loop.stages[0].category == Category.SYSTEM_DESIGN
    assert loop.stages[2].category == Category.MLOPS_OPERATIONS
    session.flush()
    return SimpleNamespace(session=session, manager=manager, recruiter=recruiter, admin=admin,
                           ines=ines, pat=pat, cora=cora, tess=tess, bob=bob, req=req,
                           pool=pool, cand=cand, loop=loop)


def book(w, stage, panel, trainees=(), *, past=True, cand=None):
    data = scheduling.ScheduleInput(
        interviewer_ids=[u.id for u in panel], trainee_ids=[u.id for u in trainees],
        starts_at=next_monday(), minutes=stage.minutes)
    if past:
        start = utcnow().replace(microsecond=0) - timedelta(hours=3 + stage.position * 2)
        data.starts_at = start
        return scheduling.schedule_stage(w.session, Actor(w.recruiter), w.req, cand or w.cand,
                                         stage.id, data, now=start.replace(year=start.year - 1))
    return scheduling.schedule_stage(w.session, Actor(w.recruiter), w.req, cand or w.cand,
                                     stage.id, data)


@pytest.fixture
def w(db_session, bank, make_user):
    return build(db_session, make_user)


# --- booking ---------------------------------------------------------------------------

def test_qualified_interviewers_of_a_pooled_stage_and_of_one_without_a_pool(w):
    pooled, unpooled = w.loop.stages[0], w.loop.stages[2]
    assert [u.name for u in pools.qualified_interviewers(w.session, pooled)] == [
        "Cora Coach", "Ines Owner", "Pat Qualified"]
    everyone = {u.id for u in pools.qualified_interviewers(w.session, unpooled)}
    assert {w.tess.id, w.bob.id, w.pat.id} <= everyone  # no pool: every active interviewer
    assert w.manager.id not in everyone  # not an interviewer


def test_a_pooled_stage_takes_qualified_panelists_and_trainees_on_top(w):
    stage = w.loop.stages[0]
    for panel, trainees, reason in [
        ([w.tess], [], "Tess Trainee is not qualified in the System design, senior pool"),
        ([w.bob], [], "Bob Unpooled is not qualified"),
        ([w.pat], [w.bob], "Bob Unpooled is not training in the"),
        ([w.pat], [w.cora], "Cora Coach is qualified: put them on the panel"),
        ([w.pat], [w.pat], "Pat Qualified is both on the panel and a trainee"),
        ([], [w.tess], "Choose at least one interviewer"),
    ]:
        with pytest.raises(scheduling.SchedulingRefused) as refused:
            book(w, stage, panel, trainees, past=False)
        assert any(reason in r for r in refused.value.reasons), (reason, refused.value.reasons)
    interview = book(w, stage, [w.pat], [w.tess], past=False)
    assert {p.user_id: p.role for p in interview.panel} == {
        w.pat.id: PanelRole.PANEL, w.tess.id: PanelRole.SHADOW}
    assert interview.changes[0].after["trainees"] == {str(w.tess.id): "shadow"}


def test_a_stage_without_a_pool_books_as_before_and_takes_no_trainees(w):
    stage = w.loop.stages[2]
    with pytest.raises(scheduling.SchedulingRefused) as refused:
        book(w, stage, [w.pat], [w.tess], past=False)
    assert "no interviewer pool" in refused.value.reasons[0]
    interview = book(w, stage, [w.tess, w.bob], past=False)  # anyone on the team, as before
    assert {p.role for p in interview.panel} == {PanelRole.PANEL}


def test_the_booking_form_offers_the_qualified_and_refuses_the_rest(w, login):
    url = (f"/requisitions/{w.req.id}/candidates/{w.cand.id}/stages/{w.loop.stages[0].id}"
           "/schedule")
    client = login(w.recruiter)
    page = client.get(url).get_data(as_text=True)
    panel_part, _, trainee_part = page.partition('id="trainees"')
    assert "Pat Qualified" in panel_part and "Bob Unpooled" not in page
    assert "Tess Trainee (shadow)" in trainee_part and 'id="pool-note"' in page
    form = {"interviewers": [str(w.bob.id)], "starts_at": next_monday().strftime(
        "%Y-%m-%dT%H:%M"), "minutes": "60", "location": "Room 1"}
    assert post(client, url, form).status_code == 422  # not a choice: nothing booked
    assert scheduling.live_interview(w.session, w.loop.stages[0]) is None
    form.update(interviewers=[str(w.pat.id)], trainees=[str(w.tess.id)])
    done = post(client, url, form)
    assert done.status_code == 302, done.get_data(as_text=True)[:400]
    interview = scheduling.live_interview(w.session, w.loop.stages[0])
    shown = client.get(f"/interviews/{interview.id}").get_data(as_text=True)
    assert 'id="trainees">Tess Trainee (shadow)' in shown


def test_a_writer_keeps_their_seat(w):
    interview = book(w, w.loop.stages[0], [w.pat], [w.tess])
    write_scorecard(w.session, w.tess, w.req, interview, submit=False)
    member = w.session.get(PoolMember, (w.pool.id, w.tess.id))
    member.state = PoolState.QUALIFIED  # as if promoted since
    w.session.flush()
    data = scheduling.ScheduleInput(interviewer_ids=[w.pat.id, w.tess.id],
                                    starts_at=interview.starts_at, minutes=interview.minutes,
                                    location=interview.location)
    with pytest.raises(scheduling.SchedulingRefused) as refused:
        scheduling.reschedule(w.session, Actor(w.recruiter), w.req, interview, data,
                              now=interview.starts_at.replace(year=2000))
    assert "has started a scorecard as shadow and keeps that seat" in str(refused.value)


# --- practice cards --------------------------------------------------------------------

def shadowed(w, *, practice_submitted=True):
    """Stage 0 held with Pat on the panel and Tess shadowing; Pat's card counts (3, hire),
    Tess's practice card says otherwise (1, strong no hire) with markers."""
    interview = book(w, w.loop.stages[0], [w.pat], [w.tess])
    counted = write_scorecard(w.session, w.pat, w.req, interview, rating=3,
                              signal_evidence="Counted signal evidence.")
    practice = write_scorecard(w.session, w.tess, w.req, interview, rating=1,
                               recommendation="strong_no_hire", submit=practice_submitted,
                               **PRACTICE)
    w.session.flush()
    return interview, counted, practice


def test_a_practice_card_never_reaches_the_debrief_tally_gate_board_or_analytics(w, login):
    interview, counted, practice = shadowed(w)
    assert practice.is_practice and practice.panel_role == PanelRole.SHADOW
    assert not counted.is_practice
    s, cand = w.session, w.cand
    assert [c.id for c in debrief.cards_and_signals(s, cand)[0]] == [counted.id]
    tally = debrief.tally_of(c.recommendation for c in debrief.cards_and_signals(s, cand)[0])
    assert tally[Recommendation.STRONG_NO_HIRE] == 0 and tally[Recommendation.HIRE] == 1
    rated = [a for a in debrief.area_stats(s, cand, areas(s)) if a.count]
    assert rated and all(a.count == 1 and a.mean == 3 for a in rated)
    signals = debrief.cards_and_signals(s, cand)[1]
    assert all(row.name == "Pat Qualified" for rows in signals.values() for row in rows)
    cell = board.board(s, w.req)[0].cells[0]
    assert (cell.submitted, cell.overdue) == (1, 0)
    row = dashboard.page(s, w.req, w.manager, now=utcnow(), due_hours=24).items[0]
    assert (row.mean, row.ratings) == (3.0, len(rated))
    visible = analytics.visible_scorecards(w.manager, analytics.Filters())
    assert set(s.scalars(select(visible.c.scorecard_id))) == {counted.id}
    # The gate: the check answered, then the trainee edits their practice card: the offer
    # is not held back as it would be by a counted card changed since.
    strong = ("strong", "Clear, specific evidence.")
    debrief.answer_pre_offer(s, Actor(w.manager), w.req, cand, dict.fromkeys(
        ("owned_system", "failure_handling", "reduces_risk"), strong))
    write_scorecard(s, w.tess, w.req, interview, rating=2, recommendation="no_hire",
                    confirm=True, **PRACTICE)
    client = login(w.manager)
    base = f"/requisitions/{w.req.id}/candidates/{cand.id}"
    pages = [f"{base}/debrief", f"{base}/debrief.csv", f"{base}/scorecards",
             f"/requisitions/{w.req.id}/dashboard", f"/requisitions/{w.req.id}/board",
             "/analytics/interviewers", "/analytics/interviewers.csv",
             "/analytics/reliability", "/analytics/reliability.csv"]
    for url in pages:
        response = client.get(url)
        body = response.get_data(as_text=True)
        assert response.status_code == 200, url
        assert not any(marker in body for marker in PRACTICE.values()), url
        assert f"/scorecards/{practice.id}" not in body, url
    assert f"/scorecards/{counted.id}" in client.get(f"{base}/scorecards").get_data(as_text=True)
    assert client.get(f"/scorecards/{practice.id}").status_code == 404
    debrief.record_decision(s, Actor(w.manager), w.req, cand, "offer", "Strong evidence.",
                            "Enough.")


def test_a_missing_practice_card_holds_nothing_back(w):
    shadowed(w, practice_submitted=False)
    assert debrief.outstanding_count(w.session, w.cand) == 0
    assert debrief.pre_offer_blocker(w.session, w.cand) is None
    states = debrief.coverage_and_states(w.session, w.cand, now=utcnow(), due_hours=24)[1]
    assert [s.interviewer.name for s in states] == ["Pat Qualified"]


def test_no_hiring_manager_is_chased_for_a_practice_card(w):
    from interviewloop.scorecards.reminders import queue_reminders

    book(w, w.loop.stages[0], [w.pat], [w.tess])
    mails = queue_reminders(w.session, now=utcnow() + timedelta(days=5), due_hours=24,
                            escalate_hours=48)
    to_manager = [m for m in mails if m.to == w.manager.email]
    assert len(to_manager) == 1 and "Pat Qualified" in to_manager[0].body
    assert any(m.to == w.tess.email for m in mails)  # her own reminder, to her


# --- promotion -------------------------------------------------------------------------

def hold_shadow(w, stage, cand=None, *, submit=True):
    interview = book(w, stage, [w.pat], [w.tess], cand=cand)
    write_scorecard(w.session, w.pat, w.req, interview)
    write_scorecard(w.session, w.tess, w.req, interview, submit=submit)
    return interview


def test_promotion_counts_held_seats_and_is_refused_too_early_with_a_reason(w):
    with pytest.raises(Conflict, match="has held 0 of the 2 shadows"):
        pools.promote(w.session, Actor(w.ines), w.pool, w.tess.id, TWO_AND_TWO)
    hold_shadow(w, w.loop.stages[0])
    hold_shadow(w, w.loop.stages[1], submit=False)  # held, but no practice card yet
    book(w, w.loop.stages[3], [w.pat])  # another kind of stage: not this pool's
    members = pools.members(w.session, w.pool)
    progress = pools.progress(w.session, w.pool, members, TWO_AND_TWO)[w.tess.id]
    assert (progress.shadows, progress.done, progress.ready) == (1, 1, False)
    with pytest.raises(Conflict, match="has held 1 of the 2 shadows"):
        pools.promote(w.session, Actor(w.admin), w.pool, w.tess.id, TWO_AND_TWO)
    with pytest.raises(Forbidden):
        pools.promote(w.session, Actor(w.cora), w.pool, w.tess.id, pools.Thresholds(1, 1))
    member = pools.promote(w.session, Actor(w.ines), w.pool, w.tess.id, pools.Thresholds(1, 1),
                           expected="shadow", note="Watched closely; ready to lead.")
    assert member.state == PoolState.REVERSE_SHADOW
    with pytest.raises(Conflict, match="promoted a moment ago"):
        pools.promote(w.session, Actor(w.admin), w.pool, w.tess.id, pools.Thresholds(1, 0),
                      expected="shadow")
    with pytest.raises(Conflict, match="has held 0 of the 1 reverse shadows"):
        pools.promote(w.session, Actor(w.admin), w.pool, w.tess.id, pools.Thresholds(1, 1))
    change = w.session.scalars(select(PoolChange).where(PoolChange.kind == "promoted")).one()
    assert (change.before, change.after, change.shadows, change.actor_id, change.note) == (
        PoolState.SHADOW, PoolState.REVERSE_SHADOW, 1, w.ines.id,
        "Watched closely; ready to lead.")
    audited = w.session.scalars(select(AuditEvent.detail).where(
        AuditEvent.action == "pool_member_promoted")).one()
    assert audited["after"] == "reverse_shadow" and audited["user_id"] == w.tess.id
    # Now a reverse shadow: her next seat is one, and the pool is otherwise unchanged.
    other, loop = make_candidate_with_loop(w.session, w.req, w.recruiter, 2)
    interview = book(w, loop.stages[1], [w.pat], [w.tess], past=False, cand=other)
    assert {p.user_id: p.role for p in interview.panel}[w.tess.id] == PanelRole.REVERSE_SHADOW


def test_the_pool_page_signs_off_for_the_owner_and_refuses_others(w, login):
    hold_shadow(w, w.loop.stages[0])
    hold_shadow(w, w.loop.stages[1])
    url = f"/pools/{w.pool.id}/members/{w.tess.id}/promote"
    for someone in (w.pat, w.tess, w.bob):  # a qualified member, the trainee, an outsider
        response = post(login(someone), url, {"expected": "shadow"})
        assert response.status_code == 403
    assert w.session.get(PoolMember, (w.pool.id, w.tess.id)).state == PoolState.SHADOW
    owner = login(w.ines)
    page = owner.get(f"/pools/{w.pool.id}").get_data(as_text=True)
    assert "ready for reverse shadow" in page and "Sign off: reverse shadow" in page
    assert post(owner, url, {"expected": "shadow"}).status_code == 302
    w.session.expire_all()
    assert w.session.get(PoolMember, (w.pool.id, w.tess.id)).state == PoolState.REVERSE_SHADOW
    page = owner.get(f"/pools/{w.pool.id}").get_data(as_text=True)
    assert "promoted: shadow → reverse shadow" in page
    too_early = post(owner, url, {"expected": "reverse_shadow"})
    assert too_early.status_code == 409
    assert "has held 0 of the 2 reverse shadows" in too_early.get_data(as_text=True)


def test_adding_a_member_refused_keeps_the_input(w, login):
    client = login(w.ines)
    response = post(client, f"/pools/{w.pool.id}/members",
                    {"user": str(w.bob.id), "state": "shadow", "coach": str(w.bob.id),
                     "note": "Kept note"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "Not a valid choice" in body  # Bob coaches no one
    assert "Kept note</textarea>" in body and f'selected value="{w.bob.id}"' in body
    assert w.session.get(PoolMember, (w.pool.id, w.bob.id)) is None


# --- the pool page's query count ---------------------------------------------------------

def test_the_pool_page_query_count_stays_the_same_past_500_members(w, login, count_queries):
    client = login(w.ines)
    url = f"/pools/{w.pool.id}"

    def queries() -> int:
        with count_queries() as statements:
            assert client.get(url).status_code == 200
        return len(statements)

    small = queries()
    rows = [{"email": f"bulk{n}@example.com", "name": f"Bulk {n:04}", "password_hash": "x",
             "time_zone": "UTC"} for n in range(520)]
    ids = list(w.session.scalars(insert(User).returning(User.id), rows))
    w.session.execute(insert(UserRole), [{"user_id": i, "role": Role.INTERVIEWER} for i in ids])
    w.session.execute(insert(PoolMember), [
        {"pool_id": w.pool.id, "user_id": i, "since": utcnow(),
         "state": PoolState.SHADOW if n % 2 else PoolState.QUALIFIED}
        for n, i in enumerate(ids)])
    w.session.execute(insert(PoolChange), [
        {"pool_id": w.pool.id, "user_id": i, "kind": "added", "after": PoolState.SHADOW,
         "at": utcnow(), "shadows": 0, "reverse_shadows": 0, "note": ""} for i in ids])
    w.session.flush()
    large = queries()
    assert large == small, (small, large)
    assert "Bulk 0519" in client.get(url).get_data(as_text=True)


def test_pool_kinds_are_one_per_category_and_level(w):
    with pytest.raises(Conflict):
        pools.create_pool(w.session, Actor(w.admin), "system_design", "senior", w.pat.id)
    with pytest.raises(Forbidden):
        pools.create_pool(w.session, Actor(w.ines), "coding_implementation", "senior", w.pat.id)
    assert pools.pool_for(w.session, Category.SYSTEM_DESIGN, Level.JUNIOR) is None
