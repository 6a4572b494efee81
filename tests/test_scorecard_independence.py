"""Independent scoring, as a matrix: every page that shows scorecard data by every kind of
viewer by whether the requisition hides scorecards until the debrief.

Alice's submitted scorecard carries unique markers in its evidence, notes, summary and
pre-offer signal; Zed's draft carries others. Until a viewer may see Alice's scorecard, no
marker and no link to it reaches any page they open; a draft reaches nobody but its
author, whoever they are."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from sqlalchemy import insert, select

from interviewloop.audit.service import SYSTEM
from interviewloop.auth import service as accounts
from interviewloop.db import utcnow
from interviewloop.debrief.models import ANSWERS, Decision, PreOfferCheck
from interviewloop.errors import NotFound
from interviewloop.scorecards.access import readable_requisition
from interviewloop.scorecards.models import Scorecard, ScorecardStatus
from tests.api_support import call, make_token
from tests.conftest import post
from tests.factories import (
    add_to_team,
    make_candidate_with_loop,
    make_interview,
    make_requisition,
    next_monday,
    past_interview,
    write_scorecard,
)

SUBMITTED = {"evidence": "MARKER-EVIDENCE-7f3a", "notes": "MARKER-NOTE-91bc",
             "summary": "MARKER-SUMMARY-c0de", "signal_evidence": "MARKER-SIGNAL-55e1"}
DRAFT = {"evidence": "DRAFTMARK-EVIDENCE-a1", "notes": "DRAFTMARK-NOTE-b2",
         "summary": "DRAFTMARK-SUMMARY-c3", "signal_evidence": "DRAFTMARK-SIGNAL-d4"}


def build(session, make_user, *, hide: bool, manager_interviews: bool):
    manager = make_user("hiring_manager", "interviewer", name="Hana Manager")
    recruiter = make_user("recruiter", name="Rui Recruiter")
    admin = make_user("admin", name="Ada Admin")
    alice, pat, dan, bea, zed, olga = (
        make_user("interviewer", name=name) for name in
        ("Alice Author", "Pat Panelist", "Dan Otherstage", "Bea Bystander", "Zed Drafter",
         "Olga Outsider"))
    req = make_requisition(session, manager, recruiter, hide_scorecards_until_debrief=hide)
    add_to_team(session, req, manager, alice, pat, dan, bea, zed)
    other_manager = make_user("hiring_manager", name="Otto Othermanager")
    other_req = make_requisition(session, other_manager, recruiter, title="Platform Engineer")
    add_to_team(session, other_req, other_manager, olga)
    cand, loop = make_candidate_with_loop(session, req, recruiter, 1)
    first = past_interview(session, req, recruiter, cand, loop.stages[0], [alice, pat],
                           ended_hours_ago=5)
    second = past_interview(session, req, recruiter, cand, loop.stages[1],
                            [dan, manager] if manager_interviews else [dan], ended_hours_ago=2)
    later = make_interview(session, req, recruiter, cand, loop.stages[2], [zed], next_monday())
    card = write_scorecard(session, alice, req, first, rating=4, recommendation="strong_hire",
                           **SUBMITTED)
    draft = write_scorecard(session, zed, req, later, submit=False, **DRAFT)
    write_scorecard(session, pat, req, first, submit=False, summary="Pat's notes so far.")
    session.flush()
    return SimpleNamespace(session=session, manager=manager, recruiter=recruiter, admin=admin,
                           alice=alice, pat=pat, dan=dan, bea=bea, zed=zed, olga=olga, req=req,
                           cand=cand, first=first, second=second, later=later, card=card,
                           draft=draft)


def own(w, user, interview) -> None:
    """``user`` submits their own scorecard (in words that are theirs)."""
    write_scorecard(w.session, user, w.req, interview, evidence=f"{user.name}'s own evidence.")


def routes(w, viewer) -> list[str]:
    token = accounts.new_calendar_token(w.session, SYSTEM, viewer)
    candidate = f"/requisitions/{w.req.id}/candidates/{w.cand.id}"
    interviews = [f"/interviews/{i.id}" for i in (w.first, w.second, w.later)]
    return [
        "/", "/scorecards/to-write", *interviews, *[f"{i}/scorecard" for i in interviews],
        *[f"{i}/kit" for i in interviews],
        f"/scorecards/{w.card.id}", f"/scorecards/{w.draft.id}", f"{candidate}/scorecards",
        candidate, f"/requisitions/{w.req.id}/board", f"/calendar/{token}.ics",
        # the debrief pages (later slice) show scorecard data too
        f"{candidate}/debrief", f"{candidate}/debrief?names=hidden", f"{candidate}/debrief.csv",
        f"{candidate}/debrief.csv?names=hidden", f"/requisitions/{w.req.id}/dashboard",
    ]


# Each viewer: who, whose own scorecards are submitted first, whether the manager is on the
# second interview's panel, and whether they see Alice's scorecard (requisition shows / hides).
VIEWERS = {
    "other panelist, before submitting": ("pat", [], False, (False, False)),
    "other panelist, after submitting": ("pat", ["pat"], False, (True, False)),
    "other panelist, once every scorecard is in": ("pat", ["pat", "dan"], False, (True, True)),
    "panelist on another interview, before submitting": ("dan", [], False, (False, False)),
    "panelist on another interview, after submitting": ("dan", ["dan"], False, (True, False)),
    "team interviewer not on this candidate": ("bea", [], False, (False, False)),
    "hiring manager": ("manager", [], False, (True, True)),
    "recruiter": ("recruiter", [], False, (True, True)),
    "admin": ("admin", [], False, (True, True)),
    "hiring manager interviewing, before their scorecard": ("manager", [], True, (False, False)),
    "hiring manager interviewing, after their scorecard": (
        "manager", ["manager"], True, (True, True)),
    "another requisition's team": ("olga", [], False, (False, False)),
}
PANEL_OF = {"pat": "first", "dan": "second", "manager": "second"}


@pytest.mark.parametrize("hide", [False, True], ids=["shown", "hidden until debrief"])
@pytest.mark.parametrize("case", VIEWERS)
def test_independence_matrix(db_session, bank, make_user, login, case, hide):
    name, submitters, manager_interviews, sees_when = VIEWERS[case]
    w = build(db_session, make_user, hide=hide, manager_interviews=manager_interviews)
    for person in submitters:
        own(w, getattr(w, person), getattr(w, PANEL_OF[person]))
    viewer, sees = getattr(w, name), sees_when[hide]
    on_candidate = name in PANEL_OF and (name != "manager" or manager_interviews)
    urls = routes(w, viewer)
    db_session.flush()
    client = login(viewer)
    pages = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 403, 404), (url, response.status_code)
        pages[url] = (response.status_code, response.get_data(as_text=True))

    for url, (_status, body) in pages.items():
        for marker in DRAFT.values():  # Zed's draft: never anyone else's to read
            assert marker not in body, (url, marker)
    show_status, show = pages[f"/scorecards/{w.card.id}"]
    panel_status, panel = pages[f"/requisitions/{w.req.id}/candidates/{w.cand.id}/scorecards"]
    assert pages[f"/scorecards/{w.draft.id}"][0] == 404
    if sees:
        assert show_status == 200
        assert all(marker in show for marker in SUBMITTED.values())
        assert panel_status == 200 and f'href="/scorecards/{w.card.id}"' in panel
        candidate = f"/requisitions/{w.req.id}/candidates/{w.cand.id}"
        for url in (f"{candidate}/debrief", f"{candidate}/debrief?names=hidden",
                    f"{candidate}/debrief.csv", f"{candidate}/debrief.csv?names=hidden"):
            # The debrief and its CSV carry the whole card: evidence, summary, notes, signal.
            assert all(marker in pages[url][1] for marker in SUBMITTED.values()), url
        return
    assert show_status == 404
    for url, (_status, body) in pages.items():
        for marker in SUBMITTED.values():
            assert marker not in body, (url, marker)
        assert f"/scorecards/{w.card.id}" not in body, url
        assert 'id="panel"' not in body, url
    if on_candidate:  # told why, without a hint of what the others said
        assert panel_status == 200 and 'id="hidden-reason"' in panel
    else:
        assert panel_status == 404


def test_a_draft_is_its_authors_alone(db_session, bank, make_user, login):
    w = build(db_session, make_user, hide=False, manager_interviews=False)
    own(w, w.pat, w.first)  # Pat has submitted: Pat sees submitted scorecards, not drafts
    dans_draft = write_scorecard(db_session, w.dan, w.req, w.second, submit=False,
                                   summary="DAN-DRAFT-SUMMARY-e5", evidence="DAN-DRAFT-EV-f6")
    db_session.flush()
    zeds_version = w.draft.version
    for viewer in (w.manager, w.recruiter, w.admin, w.pat, w.alice):
        client = login(viewer)
        for card in (w.draft, dans_draft):
            response = client.get(f"/scorecards/{card.id}")
            assert response.status_code == 404
        panel = client.get(f"/requisitions/{w.req.id}/candidates/{w.cand.id}/scorecards")
        body = panel.get_data(as_text=True)
        assert "DAN-DRAFT" not in body and DRAFT["summary"] not in body
        assert f"/scorecards/{dans_draft.id}" not in body
        # Nor does saving as one types on the drafter's interview show or touch the draft.
        typed = post(client, f"/interviews/{w.later.id}/scorecard/draft",
                     {"version": str(w.draft.version), "summary": "Typed by someone else."})
        assert typed.status_code == 404
        assert all(marker not in typed.get_data(as_text=True) for marker in DRAFT.values())
    db_session.expire_all()
    assert w.draft.summary == DRAFT["summary"] and w.draft.version == zeds_version
    author = login(w.zed)
    for url in (f"/scorecards/{w.draft.id}", f"/interviews/{w.later.id}/scorecard"):
        response = author.get(url)
        body = response.get_data(as_text=True)
        assert response.status_code == 200
        assert DRAFT["summary"] in body and DRAFT["evidence"] in body, url


# --- practice cards (a trainee's scorecard, interviewer pools) ------------------------------
# The trainee's card is read by the trainee and their coach (named coach, pool owner) only,
# and by the coach only once their own scorecards on the candidate are in; the hiring team
# never. The trainee is otherwise a panelist like any other: nothing before every card of
# theirs is in, then what other interviewers see; their missing card holds no debrief shut.

PRACTICE_VIEWERS = {
    "the trainee": ("tess", True),
    "the trainee's named coach": ("cora", True),
    "the pool's owner": ("ines", True),
    "the coach, her own scorecard on the candidate pending": ("cora", False),
    "the qualified panelist, after submitting": ("pat", False),
    "hiring manager": ("manager", False),
    "recruiter": ("recruiter", False),
    "admin": ("admin", False),
}


@pytest.mark.parametrize("case", PRACTICE_VIEWERS)
def test_practice_card_matrix(db_session, bank, make_user, login, case):
    from tests.test_pools import PRACTICE, book, shadowed
    from tests.test_pools import build as build_pool

    name, sees = PRACTICE_VIEWERS[case]
    w = build_pool(db_session, make_user)
    _interview, counted, practice = shadowed(w)
    if "pending" in case:  # Cora sits on another of the candidate's interviews, card owed
        book(w, w.loop.stages[1], [w.cora])
    db_session.flush()
    client = login(getattr(w, name))
    candidate = f"/requisitions/{w.req.id}/candidates/{w.cand.id}"
    show = client.get(f"/scorecards/{practice.id}")
    listed = client.get(f"/pools/{w.pool.id}/practice-cards").get_data(as_text=True)
    others = [client.get(url).get_data(as_text=True) for url in (
        f"{candidate}/debrief", f"{candidate}/scorecards", f"/scorecards/{counted.id}")]
    token = make_token(db_session, getattr(w, name))
    api_show = call(client, "GET", f"/api/v1/scorecards/{practice.id}", token)
    api_listed = call(client, "GET", "/api/v1/scorecards", token).get_json()
    assert api_show.status_code == (200 if sees else 404)
    assert (practice.id in {c["id"] for c in api_listed["items"]}) is sees
    if sees:
        assert api_show.get_json()["practice"] is True
        assert all(m in api_show.get_data(as_text=True) for m in PRACTICE.values())
    others += [call(client, "GET", url, token).get_data(as_text=True) for url in (
        f"/api/v1/candidates/{w.cand.id}/debrief", f"/api/v1/scorecards/{counted.id}")]
    if not sees:  # the API's list carries the card itself to those who read it, else nothing
        others.append(json.dumps(api_listed))
    if sees:
        body = show.get_data(as_text=True)
        assert show.status_code == 200 and 'id="practice-card"' in body
        assert all(marker in body for marker in PRACTICE.values())
        assert f'href="/scorecards/{practice.id}"' in listed
    else:
        assert show.status_code == 404
        assert f"/scorecards/{practice.id}" not in listed
    for body in [listed, *others]:  # no list, debrief or other card carries its content
        assert not any(marker in body for marker in PRACTICE.values())


@pytest.mark.parametrize("hide", [False, True], ids=["shown", "hidden until debrief"])
def test_a_trainee_follows_the_panel_rule_and_holds_no_debrief_shut(db_session, bank, make_user,
                                                                    hide):
    from interviewloop.scorecards.access import debrief_open, may_view
    from tests.test_pools import book, shadowed
    from tests.test_pools import build as build_pool

    w = build_pool(db_session, make_user, hide=hide)
    interview, counted, practice = shadowed(w, practice_submitted=False)
    other = book(w, w.loop.stages[2], [w.bob])  # no pool on this stage
    write_scorecard(db_session, w.bob, w.req, other)
    db_session.flush()
    assert debrief_open(db_session, w.cand)  # Tess's missing practice card holds nothing
    assert may_view(db_session, w.bob, w.req, counted)
    assert not may_view(db_session, w.tess, w.req, counted)  # her own card first
    assert not may_view(db_session, w.bob, w.req, practice)
    write_scorecard(db_session, w.tess, w.req, interview, rating=1)
    db_session.flush()
    assert may_view(db_session, w.tess, w.req, counted)  # then as any interviewer
    assert not may_view(db_session, w.pat, w.req, practice)


# --- the JSON API: every operation that carries scorecard data, by the same viewers ------

CHECK_MARK, DECISION_MARK = "MARKER-CHECK-3a9f", "MARKER-DECISION-8e21"


def checked_and_held(w) -> tuple[int, int]:
    """A pre-offer check and a hold on the candidate, inserted as they stand (the service
    would wait for every scorecard): what the debrief shows, hence behind its rule."""
    now = utcnow()
    check_id = w.session.scalar(insert(PreOfferCheck).returning(PreOfferCheck.id), {
        "candidate_id": w.cand.id, "manager_id": w.manager.id, "passed": False,
        "answered_at": now, "version": 1, **dict.fromkeys(ANSWERS, "weak"),
        **{f"{q}_evidence": CHECK_MARK for q in ANSWERS}})
    decision_id = w.session.scalar(insert(Decision).returning(Decision.id), {
        "candidate_id": w.cand.id, "kind": "hold", "rationale": DECISION_MARK,
        "decided_by_id": w.manager.id, "decided_at": now, "pre_offer_check_id": check_id})
    return check_id, decision_id


def api_urls(w, check_id: int, decision_id: int) -> tuple[dict[str, int], dict[str, int]]:
    """Every API operation with scorecard data: its lists (each with the object it may
    list) and its single objects."""
    on, by_req = f"?candidate_id={w.cand.id}", f"?requisition_id={w.req.id}"
    lists = {f"/api/v1/{kind}{query}": obj for kind, obj in (
        ("scorecards", w.card.id), ("pre-offer-checks", check_id), ("decisions", decision_id))
        for query in ("", on, by_req)}
    singles = {f"/api/v1/scorecards/{w.card.id}": w.card.id,
               f"/api/v1/candidates/{w.cand.id}/debrief": w.cand.id,
               f"/api/v1/pre-offer-checks/{check_id}": check_id,
               f"/api/v1/decisions/{decision_id}": decision_id}
    return lists, singles


@pytest.mark.parametrize("hide", [False, True], ids=["shown", "hidden until debrief"])
@pytest.mark.parametrize("case", VIEWERS)
def test_api_independence_matrix(db_session, bank, make_user, client, case, hide):
    """No API operation gives a viewer another's scorecard, or a statistic, check or
    decision built on one, before the page would; none ever gives a draft."""
    name, submitters, manager_interviews, sees_when = VIEWERS[case]
    w = build(db_session, make_user, hide=hide, manager_interviews=manager_interviews)
    for person in submitters:
        own(w, getattr(w, person), getattr(w, PANEL_OF[person]))
    check_id, decision_id = checked_and_held(w)
    viewer, sees = getattr(w, name), sees_when[hide]
    token = make_token(db_session, viewer)
    lists, singles = api_urls(w, check_id, decision_id)
    answers = {}
    for url in [*lists, *singles, f"/api/v1/scorecards/{w.draft.id}"]:
        response = call(client, "GET", url, token)
        answers[url] = response.get_data(as_text=True)
        assert not any(marker in answers[url] for marker in DRAFT.values()), url
        if url in lists:
            assert response.status_code == 200, url
            ids = {item["id"] for item in response.get_json()["items"]}
            assert (lists[url] in ids) is sees, url
            assert w.draft.id not in ids or "scorecards" not in url, url
        else:
            assert response.status_code == (200 if sees and url in singles else 404), url
    if sees:
        card, debrief = list(singles)[:2]
        assert all(marker in answers[card] for marker in SUBMITTED.values())
        assert f'"scorecard_ids": [{w.card.id}' in answers[debrief]
        return
    for url, text in answers.items():
        assert not any(m in text for m in (*SUBMITTED.values(), CHECK_MARK, DECISION_MARK)), url
        assert '"strong_hire"' not in text and '"mean"' not in text, url


def test_the_api_list_agrees_with_the_page_rule_for_everyone(db_session, bank, make_user):
    """may_view_submitted_clause (the list) and readable_requisition (one card, the page's
    rule) agree for every person and every submitted card, counted and practice, in each
    state of the two worlds."""
    from interviewloop.api import hiring_queries
    from interviewloop.api.queries import Window
    from tests.test_pools import book, shadowed
    from tests.test_pools import build as build_pool

    def agree(people):
        cards = db_session.scalars(select(Scorecard).where(
            Scorecard.status == ScorecardStatus.SUBMITTED)).all()
        assert cards
        for person in people:
            page = hiring_queries.scorecard_page(db_session, person, Window(limit=200),
                                                 now=utcnow())
            for card in cards:
                try:
                    readable_requisition(db_session, person, card)
                    may = True
                except NotFound:
                    may = False
                assert (card in page.items) is may, (person.name, card.id)

    w = build(db_session, make_user, hide=True, manager_interviews=True)
    people = [w.manager, w.recruiter, w.admin, w.alice, w.pat, w.dan, w.bea, w.zed, w.olga]
    agree(people)
    own(w, w.pat, w.first)
    agree(people)
    own(w, w.manager, w.second)
    own(w, w.dan, w.second)
    agree(people)
    p = build_pool(db_session, make_user)
    _interview, _counted, _practice = shadowed(p)
    pool_people = [p.manager, p.recruiter, p.admin, p.ines, p.pat, p.cora, p.tess, p.bob]
    agree(pool_people)
    book(p, p.loop.stages[1], [p.cora])  # the coach's own card on the candidate pending
    agree(pool_people)


def test_the_debrief_waits_for_each_panelists_card_on_this_candidate(db_session, bank,
                                                                      make_user):
    """Hidden until the debrief: Dan's card on another candidate is not his card on this
    one. (SQLAlchemy correlates a subquery to the one enclosing it only: the innermost of
    "a panelist without a submitted card" once took any interview, of any candidate.)"""
    from interviewloop.api import hiring_queries
    from interviewloop.api.queries import Window
    from interviewloop.scorecards.access import debrief_open

    w = build(db_session, make_user, hide=True, manager_interviews=False)
    own(w, w.pat, w.first)  # Pat's in; Dan's card for the second interview is not
    elsewhere, loop = make_candidate_with_loop(db_session, w.req, w.recruiter, 2)
    held = past_interview(db_session, w.req, w.recruiter, elsewhere, loop.stages[0], [w.dan],
                          ended_hours_ago=1)
    own(w, w.dan, held)
    db_session.flush()
    assert not debrief_open(db_session, w.cand)
    with pytest.raises(NotFound):
        readable_requisition(db_session, w.pat, w.card)
    page = hiring_queries.scorecard_page(db_session, w.pat, Window(limit=200), now=utcnow())
    assert w.card not in page.items
    own(w, w.dan, w.second)
    assert debrief_open(db_session, w.cand)
    readable_requisition(db_session, w.pat, w.card)


def test_a_coach_reads_the_practice_cards_of_their_own_trainee_only(db_session, bank,
                                                                     make_user, client):
    """Cora coaches Tess, not Tom, in the same pool: Tom's practice card is not hers. (The
    list's clause once took "a member Cora coaches" for "its author", any member.)"""
    from interviewloop.audit.service import Actor
    from interviewloop.pools import service as pools
    from tests.test_pools import PRACTICE, book
    from tests.test_pools import build as build_pool

    p = build_pool(db_session, make_user)
    tom = make_user("interviewer", name="Tom Trainee")
    add_to_team(db_session, p.req, p.manager, tom)
    pools.add_member(db_session, Actor(p.ines), p.pool, tom.id, "shadow", coach_id=p.pat.id)
    interview = book(p, p.loop.stages[0], [p.pat], [p.tess, tom])
    tess_card = write_scorecard(db_session, p.tess, p.req, interview, **PRACTICE)
    tom_card = write_scorecard(db_session, tom, p.req, interview, summary="Tom's practice.")
    db_session.flush()
    readable_requisition(db_session, p.cora, tess_card)
    with pytest.raises(NotFound):
        readable_requisition(db_session, p.cora, tom_card)
    listed = call(client, "GET", "/api/v1/scorecards",
                  make_token(db_session, p.cora)).get_json()["items"]
    assert {card["id"] for card in listed} == {tess_card.id}
