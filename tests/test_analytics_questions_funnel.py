"""The question and funnel reports on planted data: a question whose ratings are unrelated
to the outcome shows low discrimination, a strongly discriminating one shows strong, an
over-exposed one and a never-used one are flagged; the funnel's counts, rates and medians
on a small history equal those worked out by hand; bad filters are a 400; small samples
show nothing; and both pages' query counts stay the same from 60 to over 600 scorecards."""

from __future__ import annotations

import csv
import io
from types import SimpleNamespace

import numpy as np
import pytest
from scipy import stats as scipy_stats
from sqlalchemy import select

from interviewloop import limits
from interviewloop.analytics import funnel, questions, stats
from interviewloop.analytics.queries import Filters
from interviewloop.analytics.questions import Flag, Order, QuestionFilters
from interviewloop.bank.models import Question, QuestionArea
from interviewloop.bank.service import areas as all_areas
from tests.analytics_data import funnel_history, plant
from tests.factories import add_to_team, make_requisition
from tests.test_query_counts import queries_for

LIMIT = 30  # QUESTION_EXPOSURE_LIMIT's default


@pytest.fixture
def w(db_session, bank, make_user, login):
    manager = make_user("hiring_manager", name="Hana Manager")
    recruiter = make_user("recruiter", name="Rui Recruiter")
    admin = make_user("admin", name="Ada Admin")
    panel = [make_user("interviewer", name=f"Panel {n}") for n in range(2)]
    req = make_requisition(db_session, manager, recruiter)
    add_to_team(db_session, req, manager, *panel)
    qids = list(db_session.scalars(select(Question.id).order_by(Question.id)))
    db_session.flush()
    return SimpleNamespace(session=db_session, manager=manager, recruiter=recruiter,
                           admin=admin, panel=panel, req=req, qids=qids, login=login,
                           make_user=make_user, areas=all_areas(db_session))


def planted(w):
    """A: ratings unrelated to the outcome (offers and rejections get the same spread of
    ratings); B: offers rated 3-4, rejections 1-2 (both 100 days ago, not recently); C:
    asked LIMIT times this week, always
    rated 4, no decisions yet; E: asked 3 times 200 days ago; D: never asked."""
    qa, qb, qc, qd, qe = w.qids[:5]

    def outcome(n):
        return "offer" if n % 2 == 0 else "reject"

    plant(w.session, w.req, w.panel, w.areas, lambda n, i, p: 1 + (n // 2) % 4, count=40,
          tag="unrelated", decide=outcome, asks=lambda n: [qa], days_ago=100)
    plant(w.session, w.req, w.panel, w.areas,
          lambda n, i, p: (3 if n % 2 == 0 else 1) + (n // 2) % 2, count=40, start=100,
          tag="strong", decide=outcome, asks=lambda n: [qb], days_ago=100)
    plant(w.session, w.req, w.panel, w.areas, lambda n, i, p: 4, count=LIMIT, start=200,
          tag="exposed", asks=lambda n: [qc])
    plant(w.session, w.req, w.panel[:1], w.areas, lambda n, i, p: 2, count=3, start=300,
          tag="old", days_ago=200, asks=lambda n: [qe])
    return qa, qb, qc, qd, qe


def area_count(w, qid):
    return len(w.session.scalars(select(QuestionArea.area_id).where(
        QuestionArea.question_id == qid)).all())


def test_the_report_recovers_planted_structure(w):
    qa, qb, qc, qd, qe = planted(w)
    report = questions.report(w.session, w.manager, QuestionFilters(), page=1,
                              exposure_limit=LIMIT, size=200)
    rows = {r.question_id: r for r in report.rows}
    assert report.total == len(w.qids) == len(report.rows)
    a, b, c, d, e = (rows[q] for q in (qa, qb, qc, qd, qe))
    # Unrelated: Somers' D is exactly 0, the interval straddles it, flagged low.
    assert (a.offers, a.rejections, a.uses, a.rated_candidates) == (20, 20, 40, 40)
    assert a.discrimination.value == pytest.approx(0)
    assert a.discrimination.low < 0 < a.discrimination.high
    assert a.strength == "low" and a.flags == [Flag.LOW_DISCRIMINATION]
    assert a.rating_count == 40 * 2 * area_count(w, qa)
    assert a.ratings == [a.rating_count // 4] * 4
    # Strong: every offer scored above every rejection.
    assert b.discrimination.value == pytest.approx(1)
    assert b.discrimination.low == pytest.approx(1) and b.strength == "strong"
    assert b.flags == []
    # Over-exposed and at the ceiling; no decision yet, so no discrimination.
    assert (c.uses, c.recent_uses) == (LIMIT, LIMIT)
    assert c.flags == [Flag.OVER_EXPOSED, Flag.CEILING]
    assert c.discrimination.value is None and not c.enough_decided
    assert report.recent_loops == LIMIT
    assert c.recent_share.k == LIMIT and c.recent_share.n == report.recent_loops
    # Asked long ago: used, not recently, not over-exposed; too few ratings for a flag.
    assert (e.uses, e.recent_uses, e.flags) == (3, 0, [])
    assert e.rating_count == 3 * area_count(w, qe) < limits.MIN_QUESTION_RATINGS
    assert not e.enough_ratings
    assert d.uses == 0 and d.flags == [Flag.NEVER_USED]
    # One interview short of the limit is not over-exposed.
    assert Flag.OVER_EXPOSED not in questions.report(
        w.session, w.manager, QuestionFilters(), page=1, exposure_limit=LIMIT + 1,
        size=200).rows[2].flags


def test_ranked_and_paged_in_sql(w):
    qa, qb, qc, _qd, qe = planted(w)
    first = questions.report(w.session, w.manager, QuestionFilters(), page=1,
                             exposure_limit=LIMIT, size=2)
    by_title = sorted([qa, qb], key=lambda q: w.session.get(Question, q).title)  # 40 uses each
    assert [r.question_id for r in first.rows] == by_title and first.total == len(w.qids)
    second = questions.report(w.session, w.manager, QuestionFilters(), page=2,
                              exposure_limit=LIMIT, size=2)
    assert [r.question_id for r in second.rows] == [qc, qe]
    recent = questions.report(w.session, w.manager, QuestionFilters(order=Order.RECENTLY_USED),
                              page=1, exposure_limit=LIMIT, size=3)
    assert recent.rows[0].question_id == qc
    least = questions.report(w.session, w.manager, QuestionFilters(order=Order.LEAST_USED),
                             page=1, exposure_limit=LIMIT, size=3)
    assert all(r.uses == 0 and r.flags == [Flag.NEVER_USED] for r in least.rows)
    # Past the last page: the last page.
    assert questions.report(w.session, w.manager, QuestionFilters(), page=999,
                            exposure_limit=LIMIT, size=2).number == -(-len(w.qids) // 2)
    # The date range counts uses and ratings from those days only.
    old = questions.report(w.session, w.manager, QuestionFilters(until=_days_ago(150)),
                           page=1, exposure_limit=LIMIT, size=1)
    assert [(r.question_id, r.uses, r.recent_uses) for r in old.rows] == [(qe, 3, 0)]
    category = w.session.get(Question, qa).category
    filtered = questions.report(w.session, w.manager, QuestionFilters(category=category),
                                page=1, exposure_limit=LIMIT, size=200)
    assert {r.category for r in filtered.rows} == {category} and filtered.total < len(w.qids)


def _days_ago(days):
    from datetime import timedelta

    from interviewloop.db import utcnow

    return (utcnow() - timedelta(days=days)).date()


def test_only_what_the_viewer_may_read_counts(w):
    qa, *_ = planted(w)
    outsider = w.make_user("hiring_manager", name="Otto Outsider")
    rows = {r.question_id: r for r in questions.report(
        w.session, outsider, QuestionFilters(), page=1, exposure_limit=LIMIT, size=200).rows}
    assert rows[qa].uses == 0 and rows[qa].rating_count == 0
    panelist = {r.question_id: r for r in questions.report(
        w.session, w.panel[0], QuestionFilters(), page=1, exposure_limit=LIMIT, size=200).rows}
    assert panelist[qa].uses == 40 and panelist[qa].rating_count == 40 * 2 * area_count(w, qa)


def test_the_bootstrap_kernel_is_somers_d_of_each_resample():
    rng = np.random.default_rng(3)
    yes, no = np.array([1.0, 2.5, 3.0, 4.0]), np.array([1.0, 2.0, 3.0])
    yes_draws = rng.integers(0, 6, size=(20, 4)).astype(float) + 1
    no_draws = rng.integers(0, 6, size=(20, 3)).astype(float) + 1
    kernel = stats.somers_d_of_draws(yes, yes_draws, no, no_draws)
    for b in range(20):
        scores = np.concatenate([np.repeat(yes, yes_draws[b].astype(int)),
                                 np.repeat(no, no_draws[b].astype(int))])
        offered = np.concatenate([np.ones(int(yes_draws[b].sum())),
                                  np.zeros(int(no_draws[b].sum()))])
        assert kernel[b] == pytest.approx(scipy_stats.somersd(offered, scores).statistic,
                                          abs=1e-12)
    # The point estimate is 2 * AUC - 1 (Mann-Whitney U).
    scores = list(rng.integers(1, 5, size=50).astype(float))
    offered = [bool(x) for x in rng.integers(0, 2, size=50)]
    u = scipy_stats.mannwhitneyu([s for s, o in zip(scores, offered, strict=True) if o],
                                 [s for s, o in zip(scores, offered, strict=True) if not o])
    assert stats.somers_d(offered, scores) == pytest.approx(
        2 * u.statistic / (sum(offered) * (50 - sum(offered))) - 1)
    estimate = stats.discrimination(offered, scores)
    assert estimate.low <= estimate.value <= estimate.high


def test_the_question_page_and_csv(w):
    qa, qb, qc, qd, qe = planted(w)
    client = w.login(w.manager)
    page = client.get("/analytics/questions?order=least_used").get_data(as_text=True)
    assert f'href="/bank/questions/{qd}">never used</a>' in page
    page = client.get("/analytics/questions").get_data(as_text=True)
    main = page.split("<main")[1]
    assert f'href="/bank/questions/{qa}">low discrimination</a>' in main
    assert f'href="/bank/questions/{qc}">over-exposed</a>' in main
    assert "<svg" in main and 'role="img"' in main and "style=" not in main
    assert "too few decided (0 offers, 0 rejections)" in main  # C
    assert f"too few ({3 * area_count(w, qe)}; {limits.MIN_QUESTION_RATINGS} needed)" in main  # E
    rows = list(csv.reader(io.StringIO(client.get("/analytics/questions.csv").get_data(as_text=True))))
    head, by_id = rows[0], {int(r[0]): r for r in rows[1:]}
    assert float(by_id[qb][head.index("somers_d")]) == 1.0
    assert by_id[qa][head.index("flags")] == "low_discrimination"
    assert by_id[qc][head.index("flags")] == "over_exposed ceiling"
    assert by_id[qc][head.index("somers_d")] == "" and by_id[qc][head.index("uses")] == str(LIMIT)


def test_below_the_minimum_nothing_is_shown(w):
    qa = w.qids[0]
    # One decided candidate short of the minimum (and of each outcome).
    count = limits.MIN_QUESTION_DECIDED - 1
    plant(w.session, w.req, w.panel, w.areas, lambda n, i, p: 1 + n % 4, count=count,
          decide=lambda n: "offer" if n < limits.MIN_QUESTION_EACH_OUTCOME else "reject",
          asks=lambda n: [qa])
    row = questions.report(w.session, w.manager, QuestionFilters(), page=1,
                           exposure_limit=LIMIT, size=1).rows[0]
    assert row.question_id == qa and row.decided == count
    assert row.discrimination.value is None and row.strength == "" and row.flags == []
    plant(w.session, w.req, w.panel, w.areas, lambda n, i, p: 1, count=1, start=50,
          decide=lambda n: "offer", asks=lambda n: [qa])
    row = questions.report(w.session, w.manager, QuestionFilters(), page=1,
                           exposure_limit=LIMIT, size=1).rows[0]
    assert row.decided == limits.MIN_QUESTION_DECIDED and row.discrimination.value is not None
    # Enough decided candidates, but one offer short of the minimum of each outcome.
    qb = w.qids[1]
    plant(w.session, w.req, w.panel, w.areas, lambda n, i, p: 1 + n % 4, count=12, start=60,
          decide=lambda n: "offer" if n < 62 else "reject", asks=lambda n: [qb], tag="one")
    row = next(r for r in questions.report(w.session, w.manager, QuestionFilters(), page=1,
                                           exposure_limit=LIMIT, size=2).rows
               if r.question_id == qb)
    assert (row.offers, row.rejections) == (limits.MIN_QUESTION_EACH_OUTCOME - 1, 10)
    assert row.discrimination.value is None and not row.enough_decided


# --- the funnel ---------------------------------------------------------------------------------

PATHS = [  # added, stage interviews (days ago), decision, decided (days ago)
    (40, (30, 20, 10), "offer", 5),
    (40, (30, 20, 10), "reject", 8),
    (35, (28, 18, None), "reject", 15),
    (35, (28, None, None), "reject", 25),
    (30, (25, 15, 5), "offer", 2),
    (30, (None, None, None), None, None),
    (20, (15, 8, 3), None, None),
    (20, (14, None, None), "reject", 10),
    (20, (12, None, 6), None, None),  # stage 2 never held (cancelled, say)
]


def test_funnel_counts_equal_those_worked_by_hand(w):
    funnel_history(w.session, w.req, PATHS)
    other_manager = w.make_user("hiring_manager", name="Otto Other")
    other = make_requisition(w.session, other_manager, w.recruiter, title="Platform")
    funnel_history(w.session, other, PATHS[:3], tag="other")
    [level] = funnel.report(w.session, w.manager, Filters())
    [row] = level.requisitions
    assert level.total.steps == row.steps  # the manager sees one requisition only
    assert [s.label for s in row.steps] == ["Candidates", "Stage 1: Screen", "Stage 2: Design",
                                           "Stage 3: Values", "Offer"]
    assert [s.count for s in row.steps] == [9, 8, 5, 5, 2]
    # Who skipped stage 2 did not pass through it: 4 of stage 2's 5 reached stage 3.
    assert [(s.passed.k, s.passed.n) for s in row.steps[1:]] == [(8, 9), (5, 8), (4, 5), (2, 5)]
    assert row.steps[1].passed.low < 8 / 9 < row.steps[1].passed.high
    # Days to the next step: 5,5,6,7,7,8,10,10 -> 7; 10,10,10,10,7 -> 10; then 4 and 2 timed.
    assert [s.timed for s in row.steps] == [8, 5, 4, 2, 0]
    assert row.steps[0].to_next.value == pytest.approx(7)
    assert row.steps[1].to_next.value == pytest.approx(10)
    assert row.steps[2].to_next.value is None and row.steps[3].to_next.value is None
    # Last interview (its end, an hour after the start) to the decision: 5,2,3,3,3,4 days.
    assert (row.decided, row.offers, row.to_decision_timed) == (6, 2, 6)
    assert row.to_decision.value == pytest.approx(3 - 1 / 24)
    admin = funnel.report(w.session, w.admin, Filters())[0]
    assert [s.count for s in admin.total.steps] == [12, 11, 8, 7, 3]
    assert [r.label for r in admin.requisitions] == ["Platform", w.req.title]
    # The date range is when candidates were added.
    recent = funnel.report(w.session, w.manager, Filters(since=_days_ago(25)))[0]
    assert [s.count for s in recent.total.steps] == [3, 3, 1, 2, 0]


def test_the_funnel_page_and_csv(w):
    funnel_history(w.session, w.req, PATHS)
    client = w.login(w.manager)
    main = client.get("/analytics/funnel").get_data(as_text=True).split("<main")[1]
    assert "Funnel: Senior" in main or "<svg" in main
    assert "Stage 2: Design: 5 candidates, 5 of 8 from the step before" in main
    assert "style=" not in main and "too few (4; 5 needed)" in main
    rows = list(csv.reader(io.StringIO(client.get("/analytics/funnel.csv").get_data(as_text=True))))
    head = rows[0]
    mine = [r for r in rows[1:] if r[head.index("requisition_id")] == str(w.req.id)]
    assert [r[head.index("candidates")] for r in mine] == ["9", "8", "5", "5", "2"]
    assert mine[1][head.index("from_previous"):head.index("of_previous") + 1] == ["8", "9"]
    assert mine[0][head.index("median_days_to_next_step")] == "7.0"


BAD = ["?level=principal", "?since=2026-13-01", "?since=2026-05-02&until=2026-05-01",
       "?until=9999-12-31"]
BAD_QUESTIONS = ["?category=astrology", "?order=random", "?page=0", "?page=abc"]


@pytest.mark.parametrize(("page", "refused"), [("questions", BAD + BAD_QUESTIONS),
                                                ("funnel", BAD)])
def test_bad_filters_are_a_400_with_the_input_kept(db_session, make_user, login, page, refused):
    client = login(make_user("hiring_manager"))
    for query in refused:
        response = client.get(f"/analytics/{page}{query}")
        assert response.status_code == 400, query
        body = response.get_data(as_text=True)
        assert 'role="alert"' in body and 'class="error"' in body, query
        if "since" in query or "until" in query:  # a select keeps only its own choices
            assert query.split("=")[-1] in body, query
        assert client.get(f"/analytics/{page}.csv{query}").status_code == 400, query


URLS = ["/analytics/questions", "/analytics/questions.csv", "/analytics/funnel",
        "/analytics/funnel.csv"]


def test_query_counts_stay_the_same_from_60_to_over_600_scorecards(w, count_queries):
    client = w.login(w.manager)
    panel = [*w.panel, w.make_user("interviewer")]
    add_to_team(w.session, w.req, w.manager, panel[2])
    qids = w.qids

    def history(count, start):
        plant(w.session, w.req, panel, w.areas, lambda n, i, p: 1 + (n + i) % 4, count=count,
              start=start, tag=f"h{start}", decide=lambda n: "offer" if n % 3 else "reject",
              asks=lambda n: [qids[n % 7], qids[7 + n % 5]])

    history(20, 0)
    few = {url: queries_for(client, count_queries, url) for url in URLS}
    history(190, 20)
    assert 210 * len(panel) > 600
    assert {url: queries_for(client, count_queries, url) for url in URLS} == few
