"""Independence and who-sees-whom on the analytics pages.

The SQL rule (scorecards/access.py sees_panel_clause) is checked against panel_access,
the rule the debrief applies, for every viewer of the independence matrix
(tests/test_scorecard_independence.py) and every person in it; then every analytics page
and CSV is shown to be unchanged, byte for byte, when a scorecard its viewer may not read
changes; then each role's rows."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import select, update

from interviewloop.analytics import funnel, queries, questions, service
from interviewloop.analytics.queries import Filters
from interviewloop.analytics.questions import QuestionFilters
from interviewloop.bank.models import Question
from interviewloop.bank.service import areas as all_areas
from interviewloop.db import utcnow
from interviewloop.requisitions.models import Candidate, Requisition
from interviewloop.scorecards.access import panel_access, sees_panel_clause
from interviewloop.scorecards.models import Rating, Scorecard, ScorecardStatus
from tests.analytics_data import plant
from tests.factories import add_to_team, make_requisition, past_interview, write_scorecard
from tests.test_scorecard_independence import PANEL_OF, VIEWERS, build, own

URLS = ["/analytics/reliability", "/analytics/reliability.csv", "/analytics/interviewers",
        "/analytics/interviewers.csv", "/analytics/questions", "/analytics/questions.csv",
        "/analytics/funnel", "/analytics/funnel.csv"]
CSVS = [url for url in URLS if url.endswith(".csv")]
PEOPLE = ("manager", "recruiter", "admin", "alice", "pat", "dan", "bea", "zed", "olga")
# The page's CSRF token (signed with the time) is the one thing that may differ.
CSRF = re.compile(r'(<meta name="csrf-token" content="|name="csrf_token" value=")[^"]+"')


def arrange(db_session, make_user, case, hide):
    name, submitters, manager_interviews, sees_when = VIEWERS[case]
    w = build(db_session, make_user, hide=hide, manager_interviews=manager_interviews)
    for person in submitters:
        own(w, getattr(w, person), getattr(w, PANEL_OF[person]))
    db_session.flush()
    return w, getattr(w, name), sees_when[hide]


@pytest.mark.parametrize("hide", [False, True], ids=["shown", "hidden until debrief"])
@pytest.mark.parametrize("case", VIEWERS)
def test_the_sql_rule_is_panel_access(db_session, bank, make_user, case, hide):
    w, _viewer, _sees = arrange(db_session, make_user, case, hide)
    now = utcnow()
    candidates = list(db_session.scalars(select(Candidate)))
    requisitions = {r.id: r for r in db_session.scalars(select(Requisition))}
    for person in PEOPLE:
        viewer = getattr(w, person)
        in_sql = set(db_session.scalars(
            select(Candidate.id).join(Requisition, Requisition.id == Candidate.requisition_id)
            .where(sees_panel_clause(viewer, now))))
        on_debrief = {c.id for c in candidates if _debrief_opens(db_session, viewer,
                                                                  requisitions, c)}
        assert in_sql == on_debrief, person
        submitted = set(db_session.scalars(select(Scorecard.id).where(
            Scorecard.status == ScorecardStatus.SUBMITTED,
            Scorecard.candidate_id.in_(on_debrief))))
        visible = queries.visible_scorecards(viewer, Filters(), now)
        assert set(db_session.scalars(select(visible.c.scorecard_id))) == submitted, person


def _debrief_opens(session, viewer, requisitions, candidate) -> bool:
    """What the debrief page decides (debrief/views.py _load): get_requisition's team
    rule, then panel_access."""
    from interviewloop.requisitions.service import on_team

    requisition = requisitions[candidate.requisition_id]
    if not viewer.is_admin and not on_team(viewer, requisition, _member_ids(session, requisition)):
        return False
    return panel_access(session, viewer, requisition, candidate).sees_panel


def _member_ids(session, requisition) -> list[int]:
    from interviewloop.requisitions.models import RequisitionMember

    return list(session.scalars(select(RequisitionMember.user_id).where(
        RequisitionMember.requisition_id == requisition.id)))


def pages(client, urls=URLS) -> dict[str, str]:
    result = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        result[url] = CSRF.sub(r"\1", response.get_data(as_text=True))
    return result


@pytest.mark.parametrize("hide", [False, True], ids=["shown", "hidden until debrief"])
@pytest.mark.parametrize("case", VIEWERS)
def test_a_scorecard_the_viewer_may_not_read_changes_no_figure(db_session, bank, make_user,
                                                               login, case, hide):
    w, viewer, sees = arrange(db_session, make_user, case, hide)
    client = login(viewer)
    before = pages(client)
    # Alice's submitted scorecard turns from all 4s, strong hire, to all 1s, strong no hire.
    db_session.execute(update(Rating).where(Rating.scorecard_id == w.card.id,
                                            Rating.rating.is_not(None)).values(rating=1))
    db_session.execute(update(Scorecard).where(Scorecard.id == w.card.id).values(
        recommendation="strong_no_hire"))
    db_session.flush()
    after = pages(client)
    visible = queries.visible_scorecards(viewer, Filters())
    counted = set(db_session.scalars(select(visible.c.scorecard_id)))
    assert (w.card.id in counted) is sees
    if not sees:
        for url in URLS:
            assert after[url] == before[url], url
        assert "Alice Author" not in "".join(after.values())


def test_a_hiring_manager_who_owes_a_scorecard_sees_nothing_of_that_candidate(
        db_session, bank, make_user, login):
    manager = make_user("hiring_manager", "interviewer", name="Hana Manager")
    recruiter = make_user("recruiter")
    panel = [make_user("interviewer", name=f"Panel {n}") for n in range(2)]
    req = make_requisition(db_session, manager, recruiter)
    add_to_team(db_session, req, manager, *panel)
    areas = all_areas(db_session)
    qid = db_session.scalar(select(Question.id).order_by(Question.id))
    plant(db_session, req, panel, areas, lambda n, i, p: 1 + (n + p) % 4, count=12,
          asks=lambda n: [qid])
    owed = plant(db_session, req, [*panel, manager], areas, lambda n, i, p: 1 + (n * i) % 4,
                 count=1, start=100, tag="owed", asks=lambda n: [qid])
    # The manager's own scorecard on that candidate is a draft: not yet submitted.
    db_session.execute(update(Scorecard).where(Scorecard.candidate_id == owed[0],
                                               Scorecard.interviewer_id == manager.id)
                       .values(status="draft", submitted_at=None, recommendation=None))
    db_session.flush()
    def question():
        return questions.report(db_session, manager, QuestionFilters(), page=1,
                                exposure_limit=30, size=1).rows[0]

    rows = service.reliability(db_session, manager, areas, Filters())
    assert {r.units for r in rows} == {12}
    report = service.interviewers(db_session, manager, areas, Filters(), due_hours=24)
    assert report.pool.scorecards == 24
    assert (question().question_id, question().uses, question().rated_candidates) == (qid, 12, 12)
    assert funnel.report(db_session, manager, Filters())[0].total.candidates == 12
    db_session.execute(update(Scorecard).where(Scorecard.candidate_id == owed[0],
                                               Scorecard.interviewer_id == manager.id)
                       .values(status="submitted", submitted_at=utcnow(), recommendation="hire"))
    db_session.flush()
    assert {r.units for r in service.reliability(db_session, manager, areas, Filters())} == {13}
    assert (question().uses, question().rated_candidates) == (13, 13)
    assert funnel.report(db_session, manager, Filters())[0].total.candidates == 13


# --- whose rows each role sees ----------------------------------------------------------------

@pytest.fixture
def teams(db_session, bank, make_user):
    manager = make_user("hiring_manager", name="Hana Manager")
    recruiter = make_user("recruiter", name="Rui Recruiter")
    admin = make_user("admin", name="Ada Admin")
    lena, fred, hal = (make_user("interviewer", name=n) for n in ("Lena L", "Fred F", "Hal H"))
    other_manager = make_user("hiring_manager", "interviewer", name="Otto Other")
    other_recruiter = make_user("recruiter", name="Oona Recruiter")
    req = make_requisition(db_session, manager, recruiter)
    add_to_team(db_session, req, manager, lena, fred)
    other = make_requisition(db_session, other_manager, other_recruiter, title="Platform")
    add_to_team(db_session, other, other_manager, fred, hal)
    areas = all_areas(db_session)
    plant(db_session, req, [lena, fred], areas, lambda n, i, p: 1 + (n + i + p) % 4, count=6,
          tag="mine")
    plant(db_session, other, [fred, hal], areas, lambda n, i, p: 1 + (n + p) % 4, count=6,
          start=50, tag="theirs")
    # Otto also interviews on Hana's requisition (one candidate, his scorecard in).
    plant(db_session, req, [lena, other_manager], areas, lambda n, i, p: 2, count=1,
                 start=90, tag="otto")
    db_session.flush()
    return {"manager": manager, "recruiter": recruiter, "admin": admin, "lena": lena,
            "fred": fred, "hal": hal, "other_manager": other_manager, "areas": areas,
            "req": req, "session": db_session}


def labels(client) -> list[str]:
    text = client.get("/analytics/interviewers.csv").get_data(as_text=True)
    return [row[0] for row in list(csv.reader(io.StringIO(text)))[1:]]


@pytest.mark.parametrize(("who", "expected"), [
    ("admin", ["You", "Fred F", "Hal H", "Lena L", "Otto Other", "Pool"]),
    ("manager", ["You", "Fred F", "Lena L", "Otto Other", "Pool"]),
    ("recruiter", ["You", "Fred F", "Lena L", "Otto Other", "Pool"]),
    ("lena", ["You", "Pool"]),
    ("hal", ["You", "Pool"]),
    # Otto manages the other requisition and interviews on Hana's: his requisition's
    # interviewers, and himself; Lena (his co-panelist on Hana's) stays unnamed.
    ("other_manager", ["You", "Fred F", "Hal H", "Pool"]),
])
def test_whose_rows_each_role_sees(teams, login, who, expected):
    client = login(teams[who])
    assert labels(client) == expected
    page = client.get("/analytics/interviewers").get_data(as_text=True)
    everyone = {"Fred F", "Hal H", "Lena L", "Otto Other"}
    for name in everyone - set(expected):
        assert name not in page.split("<main")[1], name


def test_an_interviewers_pool_holds_only_what_they_could_read(teams, login):
    # Lena sees her co-panelists' scorecards on her own candidates (7), and her own (7).
    report = service.interviewers(teams["session"], teams["lena"], teams["areas"], Filters(),
                                  due_hours=24)
    assert report.pool.scorecards == 14 and report.rows[0].scorecards == 7
    hal = service.interviewers(teams["session"], teams["hal"], teams["areas"], Filters(),
                               due_hours=24)
    assert hal.pool.scorecards == 12


def test_a_page_for_each_role_with_no_data_at_all(db_session, bank, make_user, login):
    for roles in (("admin",), ("recruiter",), ("hiring_manager",), ("interviewer",)):
        client = login(make_user(*roles))
        for url in URLS:
            response = client.get(url)
            assert response.status_code == 200, (roles, url)
        assert "too few" in client.get("/analytics/reliability").get_data(as_text=True)
        assert labels(client) == ["You", "Pool"]


def test_past_interview_scorecards_through_the_services_count(db_session, bank, make_user):
    """The real write path (not Core inserts): a scorecard submitted through the service
    is counted, rated focus areas only, the rest not assessed."""
    manager, recruiter = make_user("hiring_manager"), make_user("recruiter")
    first, second = make_user("interviewer"), make_user("interviewer")
    req = make_requisition(db_session, manager, recruiter)
    add_to_team(db_session, req, manager, first, second)
    from tests.factories import make_candidate_with_loop

    cand, loop = make_candidate_with_loop(db_session, req, recruiter)
    interview = past_interview(db_session, req, recruiter, cand, loop.stages[0], [first, second])
    write_scorecard(db_session, first, req, interview, rating=3)
    write_scorecard(db_session, second, req, interview, rating=2)
    db_session.flush()
    areas = all_areas(db_session)
    focus = {a.id for a in loop.stages[0].focus_areas}
    rows = {r.area.id: r for r in service.reliability(db_session, manager, areas, Filters())}
    assert {a for a, r in rows.items() if r.units == 1} == focus
    assert all(rows[a].pairable == 2 for a in focus)


@pytest.mark.parametrize("case", VIEWERS)
def test_a_warm_cache_serves_each_viewer_only_what_they_may_see(db_session, bank, make_user,
                                                                login, app, case):
    """The reports' cache (analytics/cache.py) warmed by the hiring manager (who sees every
    card) and by the viewer: each CSV the viewer gets warm is the one they get with the cache
    off, byte for byte (the pages are drawn from the same cached reports)."""
    from interviewloop.analytics import cache

    w, viewer, _sees = arrange(db_session, make_user, case, True)
    cold = pages(login(viewer), CSVS)
    app.config["ANALYTICS_CACHE_SECONDS"] = 120
    cache.STORE.clear()
    try:
        client = login(viewer)
        pages(login(w.manager), CSVS)
        pages(client, CSVS)
        hits = cache.STORE.hits
        assert pages(client, CSVS) == cold
        assert cache.STORE.hits == hits + len(CSVS)  # all four served warm
    finally:
        cache.STORE.clear()
        app.config["ANALYTICS_CACHE_SECONDS"] = 0
