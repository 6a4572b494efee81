"""The debrief says how many planned stages were held; an offer made with stages unheld or
a capability area rated by too few interviewers needs a waiver with a reason, recorded with
what it waived and shown with the decision (issue 11, hiring managers)."""

from __future__ import annotations

import pytest
from markupsafe import escape
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from interviewloop.bank.service import areas as bank_areas
from interviewloop.db import utcnow
from interviewloop.debrief import service
from interviewloop.debrief.models import Decision
from interviewloop.errors import DomainError
from tests.conftest import post
from tests.test_decisions import answer, decide, ready, refuse, state, world


@pytest.fixture
def w(db_session, bank, make_user, login):
    return world(db_session, make_user, login)


def between(page: str, start: str, end: str) -> str:
    return page.split(start, 1)[1].split(end, 1)[0]


def test_the_debrief_says_how_many_planned_stages_were_held(w):
    ready(w)
    stages = [s.name for s in w.loop.stages]
    coverage = service.stage_coverage(w.session, w.cand, now=utcnow())
    assert (coverage.planned, coverage.held, coverage.unheld) == (len(stages), 1, stages[1:])
    page = w.login(w.manager).get(f"{w.base}/debrief").get_data(as_text=True)
    assert between(page, 'id="stages-held">', "<") == f"1 of {len(stages)} planned stages held"
    assert escape(stages[1]) in between(page, "(not held: ", ")")


def test_gaps_are_the_unheld_stages_and_the_thinly_rated_areas():
    areas = [type("Area", (), {"name": n}) for n in ("ML systems", "MLOps discipline")]
    stats = [service.AreaStats(areas[0], 2, 3.0, 3, 3), service.AreaStats(areas[1], 1, 2.0, 2, 2)]
    assert service.offer_gaps(service.StageCoverage(2, 1, ["Design"]), stats) == [
        "Design: not held", "MLOps discipline: rated by 1 interviewer"]
    # Every stage held, every area rated by two: nothing to waive.
    assert service.offer_gaps(service.StageCoverage(2, 2, []), stats[:1]) == []


def test_an_offer_with_gaps_is_refused_next_to_the_form_with_what_was_typed(w):
    ready(w)
    answer(w)
    client = w.login(w.manager)
    page = client.get(f"{w.base}/debrief").get_data(as_text=True)
    gaps = service.offer_gaps(service.stage_coverage(w.session, w.cand, now=utcnow()),
                              service.area_stats(w.session, w.cand, bank_areas(w.session)))
    assert gaps and escape("; ".join(gaps)) in between(page, 'id="offer-gaps">', "</p>")
    typed = {"kind": "offer", "rationale": "Strong on the day.", "waiver": "   "}
    response = post(client, f"{w.base}/decision", typed)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    form = between(body, 'id="decision"', "</section>")
    assert "needs a waiver" in between(form, 'id="decision-error">', "</div>")
    assert ">Strong on the day.</textarea>" in form and 'value="offer" checked' in form
    assert state(w)[1:] == ([], "active")


def test_a_waived_offer_records_what_and_why_and_shows_them(w):
    ready(w)
    answer(w)
    response = post(w.login(w.manager), f"{w.base}/decision",
                    {"kind": "offer", "rationale": "Strong on the day.",
                     "waiver": "  The take-home covered system design.  "})
    assert response.status_code == 302
    decision = w.session.scalar(select(Decision).where(Decision.candidate_id == w.cand.id))
    assert decision.waiver == "The take-home covered system design."
    assert f"{w.loop.stages[1].name}: not held" in decision.waived
    page = w.login(w.manager).get(f"{w.base}/debrief").get_data(as_text=True)
    shown = between(page, 'id="decision-waiver"', "</p>")
    assert escape(decision.waived) in shown and "The take-home covered system design." in shown


@pytest.mark.parametrize("kind", ["reject", "hold"])
def test_only_an_offer_waives_and_a_waiver_given_otherwise_is_not_kept(w, kind):
    ready(w)
    decision = decide(w, kind, waiver="Not asked for.")
    assert (decision.waived, decision.waiver) == (None, None)


def test_a_long_waiver_is_a_form_error(w):
    ready(w)
    answer(w)
    assert "under 4,000" in refuse(w, DomainError, lambda: decide(w, "offer", waiver="x" * 4001))


@pytest.mark.parametrize(("waived", "waiver", "kind"), [
    ("Design: not held", None, "offer"),  # what, without why
    (None, "Because.", "offer"),  # why, without what
    ("Design: not held", "Because.", "reject"),  # only an offer waives
    ("", "Because.", "offer"),
])
def test_the_database_refuses_a_waiver_that_is_not_whole(w, waived, waiver, kind):
    ready(w)
    check = answer(w)
    with pytest.raises(IntegrityError), w.session.begin_nested():
        w.session.execute(text(
            "INSERT INTO decisions (candidate_id, kind, rationale, decided_by_id, decided_at, "
            "pre_offer_check_id, pre_offer_passed, waived, waiver) VALUES (:c, :k, 'Go.', :m, "
            ":at, :check, :passed, :waived, :waiver)"),
            {"c": w.cand.id, "k": kind, "m": w.manager.id, "at": utcnow(), "check": check.id,
             "passed": True if kind == "offer" else None, "waived": waived, "waiver": waiver})
    assert w.session.scalar(select(func.count()).select_from(Decision)) == 0
