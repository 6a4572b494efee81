"""The debrief's leniency-adjusted ratings (issue 12): planted structure (an interviewer
who rates a point above their co-panelists), the minimum history, and independence (the
offsets rest only on what the viewer may see, never on the open candidate)."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from sqlalchemy import update

from interviewloop import limits
from interviewloop.analytics import leniency, queries, service
from interviewloop.analytics.queries import Filters
from interviewloop.audit.service import Actor
from interviewloop.bank.service import areas as all_areas
from interviewloop.db import utcnow
from interviewloop.requisitions import service as requisitions
from interviewloop.scorecards.models import Rating, Scorecard
from tests.analytics_data import plant
from tests.factories import add_to_team, make_requisition

ADJUSTED = re.compile(r'<span class="adjusted"[^>]*>adj.&nbsp;([0-9.\-]+)</span>')


@pytest.fixture
def w(db_session, bank, make_user, login):
    manager = make_user("hiring_manager", "interviewer", name="Hana Manager")
    recruiter = make_user("recruiter", name="Rui Recruiter")
    lenient, ann, ben = (make_user("interviewer", name=n) for n in ("Lena Lenient", "Ann", "Ben"))
    req = make_requisition(db_session, manager, recruiter)
    add_to_team(db_session, req, manager, lenient, ann, ben)
    db_session.flush()
    return SimpleNamespace(session=db_session, manager=manager, panel=[lenient, ann, ben],
                           req=req, login=login, areas=all_areas(db_session))


def lenient_history(w, count: int, *, start: int = 0, panel=None) -> list[int]:
    """Lena rates every area 3 where Ann and Ben rate it 2: a point above the panel."""
    return plant(w.session, w.req, panel or w.panel, w.areas,
                 lambda n, i, p: 3 if i == 0 else 2, count=count, start=start, tag=f"h{start}")


def target(w) -> int:
    """The open candidate: Lena 4, Ann and Ben 3 on every area."""
    return plant(w.session, w.req, w.panel, w.areas, lambda n, i, p: 4 if i == 0 else 3,
                 count=1, start=900, tag="target", days_ago=1)[0]


def page(w, viewer, candidate_id: int) -> str:
    response = w.login(viewer).get(f"/requisitions/{w.req.id}/candidates/{candidate_id}/debrief")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_lenient_interviewers_adjusted_rating_moves_toward_the_panel(w):
    lenient_history(w, 8)
    body = page(w, w.manager, target(w))
    values = [float(v) for v in ADJUSTED.findall(body)]
    # Lena: offset +1 over 8 candidates, shrunk by 8 / (8 + 5): 4 - 0.62 = 3.4 (the panel
    # gave 3). Ann and Ben: -0.5 each, shrunk to -0.31: 3 + 0.31 = 3.3. Rows in name order.
    assert values[:5] == [3.4] * 5
    assert sorted(set(values)) == [3.3, 3.4]
    assert len(values) == 15
    assert 'id="reading-aid"' in body and "Reading aid, not a rating" in body
    assert "Lena Lenient: +1.00 over 8 other candidates; +0.62 removed." in body
    # The raw ratings stay: Lena's 4s are on the page, and the mean row is of raw ratings.
    assert body.count("<summary>4 ") == 5


def test_shrinkage_and_the_minimum_history():
    assert leniency.shrink(1.0, 5) == 0.5
    assert leniency.shrink(1.0, 20) == 0.8
    assert leniency.shrink(-0.5, 0) == 0.0


def test_below_the_minimum_nothing_is_adjusted(w):
    lenient_history(w, 4)
    body = page(w, w.manager, target(w))
    assert not ADJUSTED.findall(body)
    assert 'id="reading-aid"' not in body


def test_the_open_candidate_never_adjusts_itself(w):
    lenient_history(w, 6)
    cid = target(w)
    before = leniency.offsets(w.session, w.manager, cid, [u.id for u in w.panel])
    w.session.execute(update(Rating).where(Rating.scorecard_id.in_(
        Scorecard.__table__.select().with_only_columns(Scorecard.id)
        .where(Scorecard.candidate_id == cid).scalar_subquery())).values(rating=1))
    w.session.flush()
    assert leniency.offsets(w.session, w.manager, cid, [u.id for u in w.panel]) == before
    assert before[w.panel[0].id].candidates == 6


def test_a_manager_who_owes_a_scorecard_gets_no_offset_from_that_candidate(w):
    lenient_history(w, 6)
    owed = lenient_history(w, 1, start=100, panel=[*w.panel, w.manager])[0]
    w.session.execute(update(Scorecard).where(Scorecard.candidate_id == owed,
                                              Scorecard.interviewer_id == w.manager.id)
                      .values(status="draft", submitted_at=None, recommendation=None))
    w.session.flush()
    cid = target(w)
    assert "Lena Lenient: +1.00 over 6 other candidates" in page(w, w.manager, cid)
    w.session.execute(update(Scorecard).where(Scorecard.candidate_id == owed,
                                              Scorecard.interviewer_id == w.manager.id)
                      .values(status="submitted", submitted_at=utcnow(), recommendation="hire"))
    w.session.flush()
    assert "over 7 other candidates" in page(w, w.manager, cid)


def test_an_interviewers_aid_rests_only_on_candidates_they_interviewed(w, make_user):
    """Ann sat on every candidate; Cai, on the open one and three others: the manager and
    Ann see Lena's offset, Cai does not (Cai could read only four of her other debriefs)."""
    cai = make_user("interviewer", name="Cai")
    requisitions.add_member(w.session, Actor(w.manager), w.req, cai.id)
    lenient_history(w, 3, panel=[*w.panel, cai])
    lenient_history(w, 5, start=50)
    cid = plant(w.session, w.req, [*w.panel, cai], w.areas, lambda n, i, p: 4 if i == 0 else 3,
                count=1, start=900, tag="target", days_ago=1)[0]
    assert "Lena Lenient: +1.00 over 8" in page(w, w.panel[1], cid)
    assert 'id="reading-aid"' not in page(w, cai, cid)
    assert leniency.offsets(w.session, cai, cid, [w.panel[0].id]) == {}


def test_the_names_hidden_reading_hides_names_in_the_reading_aid_too(w):
    lenient_history(w, 8)
    cid = target(w)
    response = w.login(w.manager).get(
        f"/requisitions/{w.req.id}/candidates/{cid}/debrief?names=hidden")
    body = response.get_data(as_text=True)
    aid = body[body.index('id="reading-aid"'):]
    aid = aid[:aid.index("</section>")]
    assert "+1.00 over 8 other candidates" in aid
    for name in ("Lena Lenient", "Ann", "Ben"):
        assert name not in aid
    assert "Interviewer " in aid


def test_the_offset_is_per_area_where_there_is_enough_data_and_falls_back_otherwise(w):
    """Lena rates the first area two points above Ann and Ben and the others as they do; the
    last area she rated on only 3 candidates (below the minimum): it gets her overall offset."""
    first, last = w.areas[0].position, w.areas[-1].position

    def rate(n: int, i: int, p: int) -> int | None:
        if i == 0 and p == first:
            return 4
        if i == 0 and p == last and n >= 3:
            return None
        return 2

    plant(w.session, w.req, w.panel, w.areas, rate, count=10, tag="areas")
    cid = target(w)
    lena = leniency.offsets(w.session, w.manager, cid, [w.panel[0].id])[w.panel[0].id]
    # 20 points over 43 ratings on 10 candidates; shrunk by 10 / 15.
    assert (lena.candidates, round(lena.observed, 4), round(lena.shrunk, 4)) == (10, 0.4651,
                                                                                 0.3101)
    assert set(lena.areas) == {a.id for a in w.areas[:-1]}  # the last: too few
    # First area: 0.3101 + (2 - 0.4651) * 10 / 20; the middle ones: 0.3101 - 0.4651 / 2.
    assert round(lena.removed(w.areas[0].id), 4) == 1.0775
    assert round(lena.removed(w.areas[1].id), 4) == 0.0775
    assert lena.removed(w.areas[-1].id) == lena.shrunk
    body = page(w, w.manager, cid)
    assert f"By area: {w.areas[0].name} +1.08 (10); " in body
    assert "other areas, too few: +0.31." in body
    aids = leniency.adjusted_ratings(w.session, w.manager, cid, [
        (1, w.panel[0].id, a.id, 4) for a in w.areas])
    assert [round(aids[(1, a.id)].value, 1) for a in w.areas] == [2.9, 3.9, 3.9, 3.9, 3.7]
    assert aids[(1, w.areas[-1].id)].area is None


def test_the_debriefs_offsets_are_the_interviewers_reports_leniency(w, make_user):
    """leniency.offsets (from the viewer's terms, less the open candidate) gives what
    service.leniency_offsets computes over every rating: the same figures on uneven panels,
    unassessed areas and a lone rater."""
    dee = make_user("interviewer", name="Dee")
    requisitions.add_member(w.session, Actor(w.manager), w.req, dee.id)
    people = [*w.panel, dee]

    def uneven(n: int, i: int, p: int) -> int | None:
        return None if (n + i + p) % 7 == 0 else 1 + (3 * n + 5 * i + p) % 4

    for k in range(4):
        plant(w.session, w.req, people[k % 2:k % 2 + 3], w.areas, uneven, count=4 + k,
              start=100 * k, tag=f"mix{k}")
    plant(w.session, w.req, [dee], w.areas, uneven, count=2, start=500, tag="alone")
    cid = target(w)
    got = leniency.offsets(w.session, w.manager, cid, [u.id for u in people])
    visible = queries.visible_scorecards(w.manager, Filters())
    per = service.leniency_offsets([r for r in queries.rating_rows(w.session, visible)
                                    if r.candidate_id != cid])
    expected = {who: (sum(s for s, _n in entries) / sum(n for _s, n in entries), len(entries))
                for who, entries in per.items()
                if len(entries) >= limits.MIN_LENIENCY_CANDIDATES}
    assert len(expected) == 4
    assert {who: o.candidates for who, o in got.items()} == {
        who: n for who, (_o, n) in expected.items()}
    for who, (observed, _n) in expected.items():
        assert got[who].observed == pytest.approx(observed)
