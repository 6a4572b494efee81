"""Who may do what through the JSON API: the same as in the browser, no more.

API_ROUTES is the API's permission table (test_permissions.test_every_route_is_in_the_table
counts its rows). The actors are test_permissions_hiring's, each with a token holding every
scope: access follows the hiring team exactly as the pages do (requisitions/service.py
get_requisition, can_manage). Team interviewers read the requisition; candidates are their
managers' (admin, manager, recruiter), 403 for the rest of the team, 404 off the team.
Loops are their candidate's managers' (the loop page), interviews their managers' and
panel's (the interview page: 404 for the rest), the bank everyone's to read and its
editors' (hiring managers, admins: the outsider holds that role) to change, users admins'.
test_same_answer_as_the_page puts each API operation beside the page that does the same."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import pytest
from sqlalchemy import select

from interviewloop.audit.service import Actor
from interviewloop.bank.models import CapabilityArea, Question
from interviewloop.debrief import service as debrief
from interviewloop.debrief.models import ANSWERS
from interviewloop.requisitions.models import Candidate
from interviewloop.scorecards.models import Scorecard
from tests.api_support import assert_problem, call, make_token
from tests.test_permissions import MISSING_ID, post, url_for_rule, world_value
from tests.test_permissions_hiring import (
    ACTORS,
    ADMIN,
    ANON,
    MANAGER,
    MANAGERS,
    MEMBER,
    OUTSIDER,
    PANEL,
    TEAM,
    TITLE,
    TeamWorld,
)

IDS = (("requisition_id", "requisition"), ("candidate_id", "candidate"), ("loop_id", "loop"),
       ("interview_id", "interview"), ("question_id", "bank_question"), ("user_id", "member"))
# The debrief's objects: a candidate the panelist interviewed, their scorecard submitted, the
# manager's pre-offer check answered and a hold recorded (ApiWorld below).
DEBRIEF_IDS = (("candidate_id", "debriefed"), ("scorecard_id", "debriefed_card"),
               ("check_id", "debriefed_check"), ("decision_id", "debriefed_decision"))
NEW_EMAIL = "pushed.by.api@example.net"
SIGNED_IN = frozenset(ACTORS) - {ANON}
EDITORS = frozenset({ADMIN, MANAGER, OUTSIDER})  # who holds hiring_manager (or admin)
NEW_TITLE = "Tracing a regression through the eval suite"


@dataclass(frozen=True)
class ApiRoute:
    rule: str  # exactly as in app.url_map
    method: str
    allowed: frozenset[str]
    ok: int = 200
    denied: int = 403  # for someone on the team who may not
    outside: int = 404  # for someone off the team
    data: Callable = lambda w: None
    headers: Callable = lambda w: {}
    # A list filters instead of refusing: it shows the world's `lists` object to `shown_to`.
    lists: str | None = None
    shown_to: frozenset[str] = frozenset()
    # The role is checked before the id is looked up (as the admin pages do): an unknown
    # id is refused like a known one to those without it.
    role_first: bool = False
    done: Callable | None = field(default=None, compare=False)
    ids: tuple = IDS

    def __str__(self) -> str:
        return f"{self.method} {self.rule}"


def _ids(body) -> set[int]:
    return {item["id"] for item in body["items"]}


def _fresh(world, obj):
    world.db.expire_all()
    return obj


API_ROUTES = [
    ApiRoute("/api/v1/requisitions", "GET", frozenset(ACTORS) - {ANON},
             lists="requisition", shown_to=TEAM),
    ApiRoute("/api/v1/requisitions/<int:requisition_id>", "GET", TEAM),
    ApiRoute("/api/v1/candidates", "GET", frozenset(ACTORS) - {ANON},
             lists="candidate", shown_to=MANAGERS),
    ApiRoute("/api/v1/candidates/<int:candidate_id>", "GET", MANAGERS),
    # A requisition off the caller's team is, to them, no requisition at all: a field error.
    ApiRoute("/api/v1/candidates", "POST", MANAGERS, ok=201, outside=422,
             data=lambda w: {"requisition_id": w.requisition.id, "name": "Pushed Person",
                             "email": NEW_EMAIL, "external_source": "greenhouse",
                             "external_id": "app-77"},
             done=lambda w: w.db.scalar(select(Candidate.id).where(
                 Candidate.email == NEW_EMAIL)) is not None),
    ApiRoute("/api/v1/candidates/<int:candidate_id>", "PATCH", MANAGERS,
             data=lambda w: {"name": "Renamed Through The API"},
             headers=lambda w: {"If-Match": f'"{w.candidate.version}"'},
             done=lambda w: _fresh(w, w.candidate).name == "Renamed Through The API"),
    ApiRoute("/api/v1/loops", "GET", SIGNED_IN, lists="loop", shown_to=MANAGERS),
    ApiRoute("/api/v1/loops/<int:loop_id>", "GET", MANAGERS),
    ApiRoute("/api/v1/interviews", "GET", SIGNED_IN, lists="interview", shown_to=PANEL),
    ApiRoute("/api/v1/interviews/<int:interview_id>", "GET", PANEL, denied=404),
    ApiRoute("/api/v1/bank/questions", "GET", SIGNED_IN, lists="bank_question",
             shown_to=SIGNED_IN),
    ApiRoute("/api/v1/bank/questions/<int:question_id>", "GET", SIGNED_IN),
    ApiRoute("/api/v1/bank/questions", "POST", EDITORS, ok=201,
             data=lambda w: w.new_question(),
             done=lambda w: w.db.scalar(select(Question.id).where(
                 Question.title == NEW_TITLE)) is not None),
    ApiRoute("/api/v1/bank/questions/<int:question_id>", "PATCH", EDITORS,
             data=lambda w: {"title": NEW_TITLE},
             headers=lambda w: {"If-Match": f'"{w.bank_question.version}"'},
             done=lambda w: _fresh(w, w.bank_question).title == NEW_TITLE),
    ApiRoute("/api/v1/users", "GET", frozenset({ADMIN}), outside=403, lists="member",
             shown_to=frozenset({ADMIN})),
    ApiRoute("/api/v1/users/<int:user_id>", "GET", frozenset({ADMIN}), outside=403,
             role_first=True),
    # Scorecards, the debrief, its check and decisions: whoever sees the panel's scorecards
    # (the panelist once theirs is in); a team interviewer off the candidate gets a 404, as
    # on the pages, and a list without them.
    ApiRoute("/api/v1/scorecards", "GET", SIGNED_IN,
             lists="debriefed_card", shown_to=PANEL, ids=DEBRIEF_IDS),
    ApiRoute("/api/v1/scorecards/<int:scorecard_id>", "GET", PANEL, denied=404,
             ids=DEBRIEF_IDS),
    ApiRoute("/api/v1/candidates/<int:candidate_id>/debrief", "GET", PANEL, denied=404,
             ids=DEBRIEF_IDS),
    ApiRoute("/api/v1/pre-offer-checks", "GET", SIGNED_IN,
             lists="debriefed_check", shown_to=PANEL, ids=DEBRIEF_IDS),
    ApiRoute("/api/v1/pre-offer-checks/<int:check_id>", "GET", PANEL, denied=404,
             ids=DEBRIEF_IDS),
    ApiRoute("/api/v1/decisions", "GET", SIGNED_IN,
             lists="debriefed_decision", shown_to=PANEL, ids=DEBRIEF_IDS),
    ApiRoute("/api/v1/decisions/<int:decision_id>", "GET", PANEL, denied=404,
             ids=DEBRIEF_IDS),
]


class ApiWorld(TeamWorld):
    """The hiring world, with a question of the real bank, and the debrief's objects: the
    debriefed candidate's scorecard, the manager's pre-offer check and a hold."""

    @cached_property
    def bank_question(self):
        self._request.getfixturevalue("bank")
        return self.db.scalars(select(Question).order_by(Question.id)).first()

    def new_question(self) -> dict:
        self._request.getfixturevalue("bank")
        area = self.db.scalar(select(CapabilityArea.slug).order_by(CapabilityArea.position))
        return {"title": NEW_TITLE, "category": "mlops_operations",
                "prompt": "A metric fell after the last release: find out why.",
                "signals": ["Bisects the release", "Reads the eval diff", "Checks the data"],
                "red_flags": ["Blames the model", "Rolls forward blind"],
                "areas": [area], "levels": ["senior"], "minutes": 30}

    @cached_property
    def debriefed_card(self):
        return self.db.scalar(select(Scorecard).where(Scorecard.candidate_id == self.debriefed.id))

    @cached_property
    def debriefed_check(self):
        return debrief.answer_pre_offer(self.db, Actor(self.manager), self.requisition,
                                        self.debriefed, dict.fromkeys(ANSWERS, ("weak", "Seen.")))

    @cached_property
    def debriefed_decision(self):
        self.debriefed_check  # noqa: B018 - answered first
        return debrief.record_decision(self.db, Actor(self.manager), self.requisition,
                                       self.debriefed, "hold", "Another look.")


def expected(route: ApiRoute, actor: str) -> int:
    if actor == ANON:
        return 401
    if actor in route.allowed:
        return route.ok
    return route.outside if actor == OUTSIDER else route.denied


@pytest.fixture
def world(request, db_session, make_user):
    world = ApiWorld(request, db_session, make_user)
    world.admin = make_user("admin", name="Ari Admin")
    world.outsider = make_user("recruiter", "hiring_manager", "interviewer", name="Olly Outsider")
    return world


@pytest.fixture
def token_of(world, db_session):
    def token(actor: str) -> str | None:
        return None if actor == ANON else make_token(db_session, getattr(world, actor))

    return token


def check(route: ApiRoute, actor: str, world, client, token: str | None, url: str,
          status: int) -> None:
    listed = getattr(world, route.lists) if route.lists else None
    response = call(client, route.method, url, token, json=route.data(world),
                    headers=route.headers(world))
    body = response.get_data(as_text=True)
    if status >= 400:
        assert_problem(response, status)
        assert TITLE not in body, "a refusal shows the requisition"
    else:
        assert response.status_code == status, body[:500]
    if listed is not None and status == 200:
        assert (listed.id in _ids(response.get_json())) is (actor in route.shown_to)
    if route.done is not None:
        assert route.done(world) is (status == route.ok), "data change does not match"


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("route", API_ROUTES, ids=str)
def test_api_permission_matrix(route, actor, world, client, token_of):
    if route.lists:
        getattr(world, route.lists)  # made before the call, whoever calls
    url = url_for_rule(route.rule, lambda name: world_value(world, route.ids, name))
    check(route, actor, world, client, token_of(actor), url, expected(route, actor))


@pytest.mark.parametrize("actor", [ADMIN, MEMBER, OUTSIDER])
@pytest.mark.parametrize("route", [r for r in API_ROUTES if "<int:" in r.rule], ids=str)
def test_unknown_id_is_404(route, actor, world, client, token_of):
    url = url_for_rule(route.rule, lambda _name: MISSING_ID)
    refused = route.role_first and actor not in route.allowed
    check(route, actor, world, client, token_of(actor), url,
          expected(route, actor) if refused else 404)


@pytest.mark.parametrize("route", API_ROUTES, ids=str)
def test_a_signed_in_browser_is_not_a_caller(route, world, login, client):
    """The manager's session cookie, sent without a token, authenticates nothing."""
    browser = login(world.manager)
    url = url_for_rule(route.rule, lambda name: world_value(world, route.ids, name))
    response = call(browser, route.method, url, json=route.data(world),
                    headers=route.headers(world))
    assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    if route.done is not None:
        assert route.done(world) is False


# Each API operation beside the page that does the same for the same person: the page's
# answer decides the API's (a page's 302 after a POST is the API's success).
def _candidate_body(w) -> dict:
    return {"requisition_id": w.requisition.id, "name": "Same As Page",
            "email": "same.as.page@example.net"}


PAGES = [
    ("/requisitions/{r}", "GET", "/api/v1/requisitions/{r}", 200, None),
    ("/requisitions/{r}/candidates/{c}/edit", "GET", "/api/v1/candidates/{c}", 200, None),
    ("/requisitions/{r}/candidates/new", "POST", "/api/v1/candidates", 201, _candidate_body),
    ("/requisitions/{r}/candidates/{c}/edit", "PATCH", "/api/v1/candidates/{c}", 200,
     lambda w: {"notes": "Same as the page"}),
    ("/requisitions/{r}/candidates/{c}", "GET", "/api/v1/loops/{l}", 200, None),
    ("/interviews/{i}", "GET", "/api/v1/interviews/{i}", 200, None),
    ("/bank/questions/{q}", "GET", "/api/v1/bank/questions/{q}", 200, None),
    ("/bank/questions/new", "POST", "/api/v1/bank/questions", 201, ApiWorld.new_question),
    ("/bank/questions/{q}/edit", "PATCH", "/api/v1/bank/questions/{q}", 200,
     lambda w: {"prompt": "Same as the page: find out why."}),
    ("/admin/users/{u}", "GET", "/api/v1/users/{u}", 200, None),
    ("/scorecards/{s}", "GET", "/api/v1/scorecards/{s}", 200, None),
    ("/requisitions/{r}/candidates/{d}/debrief", "GET", "/api/v1/candidates/{d}/debrief", 200,
     None),
    ("/requisitions/{r}/candidates/{d}/debrief", "GET", "/api/v1/pre-offer-checks/{k}", 200,
     None),
    ("/requisitions/{r}/candidates/{d}/debrief", "GET", "/api/v1/decisions/{x}", 200, None),
]
NAMES = {"r": "requisition", "c": "candidate", "l": "loop", "i": "interview",
         "q": "bank_question", "u": "member", "d": "debriefed", "s": "debriefed_card",
         "k": "debriefed_check", "x": "debriefed_decision"}


@pytest.mark.parametrize("actor", [a for a in ACTORS if a != ANON])
@pytest.mark.parametrize(("page", "method", "api", "success", "data"), PAGES,
                         ids=[f"{p[1]} {p[2]}" for p in PAGES])
def test_same_answer_as_the_page(page, method, api, success, data, actor, world, login, client,
                                 token_of):
    person = getattr(world, actor)
    names = {key: getattr(world, name).id for key, name in NAMES.items()
             if f"{{{key}}}" in page + api}
    version = world.bank_question.version if "bank" in api else world.candidate.version
    page_status = login(person).get(page.format(**names)).status_code
    response = call(client, method, api.format(**names), token_of(actor),
                    json=data(world) if data else None, headers={"If-Match": f'"{version}"'})
    api_status = response.status_code
    if page_status == 200:
        assert api_status == success, response.get_data(as_text=True)
    elif method == "POST" and page_status == 404:
        assert api_status == 422  # the requisition named in the body is unknown to them
    else:
        assert api_status == page_status, response.get_data(as_text=True)


def test_post_form_without_token_changes_nothing(world, login):
    """A form post carrying the manager's cookie and CSRF token is still not an API call."""
    browser = login(world.manager)
    response = post(browser, "/api/v1/candidates", {"requisition_id": str(world.requisition.id),
                                                    "name": "Forged", "email": NEW_EMAIL})
    assert_problem(response, 401)
