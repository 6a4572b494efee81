"""Who may do what under a requisition or an interview. Roles are not enough here: access
follows the hiring team (requisitions/service.py get_requisition, can_manage;
scheduling/views.py _load_interview).

TEAM_ROUTES is the permission table; `test_permissions.test_every_route_is_in_the_table`
counts its rows with the role table's. The actors, all against one requisition:

  anonymous  302 to the login page, with ?next= the requested path
  admin      allowed (except confirming the role definition: that is the manager's and
             the recruiter's own act, so 403)
  manager, recruiter  the requisition's own: allowed
  panelist   an interviewer on the hiring team and on the interview's panel
  member     an interviewer on the hiring team, not on that panel
  outsider   holds recruiter, hiring_manager and interviewer, but is not on the team:
             404 on everything, so that the requisition's existence is not revealed

Team interviewers see the requisition and its job description, and their own interview,
invite and kit (an interview they are not on is a 404); every change is a 403.
Scorecards are the panel's: only the panelist writes one (404 for everyone else, admins
included), and a draft is its author's alone. A candidate's debrief is for whoever sees
the panel's scorecards (a panelist once theirs is in); the pre-offer check and the
decision are the hiring manager's own (403 for the admin and the recruiter).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property

import pytest
from sqlalchemy import func, select

from interviewloop.audit.service import Actor
from interviewloop.bank.service import areas as all_areas
from interviewloop.db import Base, utcnow
from interviewloop.debrief.models import ANSWERS, Decision, PreOfferCheck
from interviewloop.loops import service as loops
from interviewloop.loops import sets as loop_sets
from interviewloop.loops.models import Loop, LoopStage, QuestionSet
from interviewloop.requisitions import service as requisitions
from interviewloop.requisitions.models import (
    OPERATING_QUESTIONS,
    PRODUCTION_SURFACE,
    Candidate,
    RequisitionMember,
)
from interviewloop.scheduling import service as scheduling
from interviewloop.scheduling.models import Interview, LoopProposal
from interviewloop.scorecards import service as scorecards
from interviewloop.scorecards.models import Scorecard
from tests.factories import (
    make_candidate,
    make_candidate_with_loop,
    make_requisition,
    past_interview,
    write_scorecard,
)
from tests.test_permissions import (
    FORBIDDEN,
    LOGIN_REDIRECT,
    MISSING_ID,
    Outcome,
    assert_outcome,
    fresh,
    request,
    url_for_rule,
    world_value,
)

ANON, ADMIN, MANAGER, RECRUITER, PANELIST, MEMBER, OUTSIDER = (
    "anonymous", "admin", "manager", "recruiter", "panelist", "member", "outsider")
ACTORS = (ANON, ADMIN, MANAGER, RECRUITER, PANELIST, MEMBER, OUTSIDER)
TEAM = frozenset({ADMIN, MANAGER, RECRUITER, PANELIST, MEMBER})
MANAGERS = frozenset({ADMIN, MANAGER, RECRUITER})
PANEL = MANAGERS | {PANELIST}
CONFIRMERS = frozenset({MANAGER, RECRUITER})
AUTHOR = frozenset({PANELIST})
HIRING_MANAGER = frozenset({MANAGER})
OK, NOT_FOUND = Outcome(200), Outcome(404)
TITLE = "Senior AI Engineer, Support Search"  # must never show on a refusal


def local_form_time(days: int) -> str:
    """A future start, as the form's <input type=datetime-local> sends it (users are UTC)."""
    return f"{(utcnow() + timedelta(days=days)):%Y-%m-%dT10:00}"


def requisition_form(requisition, **changes) -> dict:
    form = {"title": requisition.title, "level": requisition.level.value,
            "team": requisition.team, "hiring_manager_id": str(requisition.hiring_manager_id),
            "recruiter_id": str(requisition.recruiter_id),
            "comp_currency": requisition.comp_currency, "comp_min": str(requisition.comp_min),
            "comp_max": str(requisition.comp_max), "version": str(requisition.version)}
    for name in [*OPERATING_QUESTIONS, *PRODUCTION_SURFACE]:
        form[name] = getattr(requisition, name) or ""
    return {**form, **changes}


def schedule_form(world, days: int, **changes) -> dict:
    return {"interviewers": [str(world.panelist.id)], "starts_at": local_form_time(days),
            "minutes": "45", "location": "Room 4", **changes}


def option_form(world) -> dict:
    """A proposed option for the loop's second stage with the panelist, stored as the
    candidate's proposal and signed as the proposals page signs it (the test app's secret
    key)."""
    from interviewloop.scheduling.proposals import SAME_DAY, Proposal, Slot
    from interviewloop.scheduling.proposed import store_proposal
    from interviewloop.scheduling.proposing import sign_option
    from interviewloop.tokens import LinkSigner

    starts = (utcnow() + timedelta(days=10)).replace(hour=10, minute=0, second=0, microsecond=0)
    option = Proposal(SAME_DAY, (Slot(world.stage.id, starts, starts + timedelta(minutes=45),
                                      (world.panelist.id,)),))
    store_proposal(world.db, None, world.candidate.id, starts=starts,
                   ends=starts + timedelta(days=1), options=[option])
    return {"option": sign_option(LinkSigner("test-secret"), world.candidate, option),
            "location": "Room 5"}


def ask_form(world) -> dict:
    """Days to find times in for the loop's stages: two weeks from next week."""
    world.loop  # noqa: B018 - builds the loop
    first = utcnow() + timedelta(days=7)
    return {"starts_on": f"{first:%Y-%m-%d}", "ends_on": f"{first + timedelta(days=13):%Y-%m-%d}"}


def stage_form(world, **changes) -> dict:
    return {"name": "Extra pairing session", "category": "coding_implementation",
            "minutes": "45", "question_count": "1", "focus": [world.area_slug], **changes}


class TeamWorld:
    """One open requisition with its hiring team; candidates, a loop (built from the real
    bank, imported on first use) and a scheduled interview are made when first used."""

    def __init__(self, request, db_session, make_user) -> None:
        self._request, self.db = request, db_session
        self.manager = make_user("hiring_manager", name="Maya Manager")
        self.recruiter = make_user("recruiter", name="Remy Recruiter")
        self.panelist = make_user("interviewer", name="Pat Panelist")
        self.member = make_user("interviewer", name="Mo Member")
        self.spare = make_user("interviewer", name="Sam Spare")  # an interviewer, off the team
        self.requisition = self.new_requisition(title=TITLE)

    def new_requisition(self, status: str = "open", **overrides):
        requisition = make_requisition(self.db, self.manager, self.recruiter, status=status,
                                       **overrides)
        for user in (self.panelist, self.member):
            requisitions.add_member(self.db, Actor(self.recruiter), requisition, user.id)
        self.db.flush()
        return requisition

    @cached_property
    def draft(self):
        return self.new_requisition("draft", title="Draft AI Engineer")

    @cached_property
    def ready(self):
        """A draft both have confirmed: it can open."""
        requisition = self.new_requisition("draft", title="Ready AI Engineer")
        for person in (self.manager, self.recruiter):
            requisitions.confirm_definition(self.db, Actor(person), requisition)
        self.db.flush()
        return requisition

    @cached_property
    def candidate(self):
        return make_candidate(self.db, self.requisition, self.recruiter, 1)

    @cached_property
    def newcomer(self):
        """A second candidate, without a loop (the bank is there to build one)."""
        self._request.getfixturevalue("bank")
        return make_candidate(self.db, self.requisition, self.recruiter, 2)

    @cached_property
    def loop(self):
        self._request.getfixturevalue("bank")
        loops.build_loop(self.db, Actor(self.recruiter), self.requisition, self.candidate, seed=1)
        loop = loops.loop_for(self.db, self.candidate)
        self._stage_ids = [s.id for s in loop.stages]
        self._first_questions = {lq.id: lq.question_id for s in loop.stages for lq in s.questions}
        return loop

    @cached_property
    def fixable(self):
        """The requisition, with the bank there to fix its question set from."""
        self._request.getfixturevalue("bank")
        return self.requisition

    def set_numbers(self) -> list[int]:
        return list(self.db.scalars(select(QuestionSet.number).where(
            QuestionSet.requisition_id == self.requisition.id)))

    def revision_form(self) -> dict:
        """Replace the set's first question (the set is fixed with the loop)."""
        self.loop  # noqa: B018 - builds the loop, which fixes the set
        current = loop_sets.current_set(self.db, self.requisition)
        stage = current.stages[0]
        instead = loop_sets.alternatives(self.db, current, self.requisition.level)[stage.position]
        return {"stage_position": str(stage.position),
                "question_id": str(stage.questions[0].question_id),
                "replacement_id": str(instead[0].id), "reason": "Revised by the matrix",
                "seen_number": str(current.number)}

    @property
    def stage_ids(self) -> list[int]:
        """The loop's stages as built, in order."""
        return self.loop and self._stage_ids

    @property
    def first_questions(self) -> dict[int, int]:
        """Each loop question's question as built."""
        return self.loop and self._first_questions

    @cached_property
    def interview(self):
        """The loop's first stage, with the panelist alone on its panel."""
        return scheduling.schedule_stage(
            self.db, Actor(self.recruiter), self.requisition, self.candidate,
            self.loop.stages[0].id, scheduling.ScheduleInput(
                interviewer_ids=[self.panelist.id], starts_at=utcnow() + timedelta(days=3),
                minutes=45, location="Room 1"))

    @cached_property
    def interviewee(self):
        """The candidate, once on the panelist's interview."""
        return self.interview and self.candidate

    @cached_property
    def scorecard(self):
        """The panelist's draft scorecard on the interview: its author's alone."""
        interview = self.interview
        return scorecards.save(
            self.db, Actor(self.panelist), self.requisition, interview, None,
            scorecards.ScorecardInput(summary="A draft"), submit=False, seen_version=0,
            areas={a.id: a for a in all_areas(self.db)},
            stage=scorecards.stage_for(self.db, interview))

    @cached_property
    def debriefed(self):
        """A third candidate, interviewed (an hour ago) by the panelist, scorecard in."""
        self._request.getfixturevalue("bank")
        candidate, loop = make_candidate_with_loop(self.db, self.requisition, self.recruiter, 3,
                                                   seed=3)
        interview = past_interview(self.db, self.requisition, self.recruiter, candidate,
                                   loop.stages[0], [self.panelist])
        write_scorecard(self.db, self.panelist, self.requisition, interview)
        self.db.flush()
        return candidate

    @cached_property
    def owed_interview(self):
        """A fifth candidate's interview (an hour ago): the panelist owes its scorecard."""
        self._request.getfixturevalue("bank")
        candidate, loop = make_candidate_with_loop(self.db, self.requisition, self.recruiter, 5,
                                                   seed=5)
        interview = past_interview(self.db, self.requisition, self.recruiter, candidate,
                                   loop.stages[0], [self.panelist])
        self.db.flush()
        return interview

    @cached_property
    def owing(self):
        return self.db.get(Candidate, self.owed_interview.candidate_id)

    def chased(self) -> bool:
        from interviewloop.scorecards.models import ScorecardChase

        return self.db.scalar(select(ScorecardChase.last_sent_at).where(
            ScorecardChase.interview_id == self.owed_interview.id)) is not None

    @cached_property
    def linked(self):
        """A fourth candidate, with a private link in force."""
        from interviewloop.availability.service import create_link

        candidate = make_candidate(self.db, self.requisition, self.recruiter, 4)
        create_link(self.db, Actor(self.recruiter), self.requisition, candidate, days=30)
        self.db.flush()
        return candidate

    def candidate_link_of(self, candidate):
        from interviewloop.availability.service import current_link

        return current_link(self.db, candidate.id)

    def mail_to(self, candidate) -> int:
        from interviewloop.outbox.models import OutboxMail

        return self.db.scalar(select(func.count()).select_from(OutboxMail).where(
            OutboxMail.recipient == candidate.email))

    @cached_property
    def stage(self):  # the second stage: not scheduled
        return self.loop.stages[1]

    @cached_property
    def last_stage_id(self) -> int:
        return self.stage_ids[-1]

    @cached_property
    def loop_question(self):
        return self.stage.questions[0]

    @cached_property
    def area_slug(self) -> str:
        return self.loop.stages[0].focus_areas[0].slug

    def on_team(self, user) -> bool:
        return self.db.scalar(select(RequisitionMember.user_id).where(
            RequisitionMember.requisition_id == self.requisition.id,
            RequisitionMember.user_id == user.id)) is not None

    def stage_position(self, stage_id: int) -> int | None:
        return self.db.scalar(select(LoopStage.position).where(LoopStage.id == stage_id))


REQ, CAND, LOOPQ = "/requisitions/<int:requisition_id>", "/candidates/<int:candidate_id>", "/loop"
INTERVIEW = "/interviews/<int:interview_id>"
IDS = (("requisition_id", "requisition"), ("candidate_id", "candidate"), ("stage_id", "stage"),
       ("loop_question_id", "loop_question"), ("user_id", "member"),
       ("interview_id", "interview"), ("scorecard_id", "scorecard"))


@dataclass(frozen=True)
class TeamRoute:
    rule: str  # exactly as in app.url_map
    method: str
    allowed: frozenset[str]
    ok: Outcome = OK
    denied: Outcome = FORBIDDEN  # for someone on the team (or an admin) not allowed
    ids: tuple[tuple[str, str], ...] = IDS
    data: Callable = lambda w: {}
    overrides: tuple[tuple[str, Outcome], ...] = ()  # (actor, outcome) past the rules above
    # done(world) -> True once the request's change is really in the database
    done: Callable | None = field(default=None, compare=False)

    def __str__(self) -> str:
        return f"{self.method} {self.rule}"


def ids(**overrides: str) -> tuple[tuple[str, str], ...]:
    return tuple((name, overrides.get(name, attr)) for name, attr in IDS)


TO_REQ = TO_CAND = Outcome(302, "/requisitions/")  # the requisition's or the candidate's page
TO_INTERVIEW = Outcome(302, "/interviews/")

TEAM_ROUTES = [
    TeamRoute(REQ, "GET", TEAM),
    TeamRoute(REQ + "/edit", "GET", MANAGERS),
    TeamRoute(REQ + "/edit", "POST", MANAGERS, ok=TO_REQ,
              data=lambda w: requisition_form(w.requisition, title="Renamed by the matrix"),
              done=lambda w: fresh(w, w.requisition).title == "Renamed by the matrix"),
    TeamRoute(REQ + "/confirm", "POST", CONFIRMERS, ok=TO_REQ, ids=ids(requisition_id="draft"),
              done=lambda w: fresh(w, w.draft).manager_confirmed_at is not None
              or w.draft.recruiter_confirmed_at is not None),
    TeamRoute(REQ + "/open", "POST", MANAGERS, ok=TO_REQ, ids=ids(requisition_id="ready"),
              done=lambda w: fresh(w, w.ready).status.value == "open"),
    TeamRoute(REQ + "/close", "GET", MANAGERS),  # asks first
    TeamRoute(REQ + "/close", "POST", MANAGERS, ok=TO_REQ,
              done=lambda w: fresh(w, w.requisition).status.value == "closed"),
    TeamRoute(REQ + "/team", "POST", MANAGERS, ok=TO_REQ,
              data=lambda w: {"user_id": str(w.spare.id)},
              done=lambda w: w.on_team(w.spare)),
    TeamRoute(REQ + "/team/<int:user_id>/remove", "POST", MANAGERS, ok=TO_REQ,
              done=lambda w: not w.on_team(w.member)),
    TeamRoute(REQ + "/job-description", "GET", TEAM),
    TeamRoute(REQ + "/job-description.<any(txt, md):fmt>", "GET", TEAM),
    TeamRoute(REQ + "/candidates/new", "GET", MANAGERS),
    TeamRoute(REQ + "/candidates/new", "POST", MANAGERS, ok=TO_CAND,
              data=lambda w: {"name": "Ada Lovelace", "email": "ada@engine.example"},
              done=lambda w: w.db.scalar(select(Candidate.id).where(
                  Candidate.email == "ada@engine.example")) is not None),
    TeamRoute(REQ + CAND + "/edit", "GET", MANAGERS),
    TeamRoute(REQ + CAND + "/edit", "POST", MANAGERS, ok=TO_CAND,
              data=lambda w: {"name": "Renamed Candidate", "email": w.candidate.email,
                              "version": str(w.candidate.version)},
              done=lambda w: fresh(w, w.candidate).name == "Renamed Candidate"),
    TeamRoute(REQ + CAND + "/withdraw", "POST", MANAGERS, ok=TO_CAND,
              ids=ids(candidate_id="newcomer"),
              done=lambda w: fresh(w, w.newcomer).status.value == "withdrawn"),
    TeamRoute(REQ + CAND, "GET", MANAGERS),
    TeamRoute(REQ + CAND + LOOPQ, "POST", MANAGERS, ok=TO_CAND, ids=ids(candidate_id="newcomer"),
              done=lambda w: w.db.scalar(select(Loop.id).where(
                  Loop.candidate_id == w.newcomer.id)) is not None),
    TeamRoute(REQ + CAND + LOOPQ + "/questions/<int:loop_question_id>/alternatives", "GET",
              MANAGERS),
    TeamRoute(REQ + CAND + LOOPQ + "/questions/<int:loop_question_id>/swap", "POST", MANAGERS,
              ok=TO_CAND, data=lambda w: {"question_id": ""},
              done=lambda w: fresh(w, w.loop_question).question_id
              != w.first_questions[w.loop_question.id]),
    TeamRoute(REQ + CAND + LOOPQ + "/stages", "POST", MANAGERS, ok=TO_CAND, data=stage_form,
              done=lambda w: w.db.scalar(select(func.count()).select_from(LoopStage).where(
                  LoopStage.name == "Extra pairing session")) == 1),
    TeamRoute(REQ + CAND + LOOPQ + "/stages/<int:stage_id>/remove", "POST", MANAGERS, ok=TO_CAND,
              ids=ids(stage_id="last_stage_id"),
              done=lambda w: w.stage_position(w.stage_ids[-1]) is None),
    TeamRoute(REQ + CAND + LOOPQ + "/stages/<int:stage_id>/move", "POST", MANAGERS, ok=TO_CAND,
              data=lambda w: {"direction": "down"},
              done=lambda w: w.stage_position(w.stage_ids[1]) == 2),
    TeamRoute(REQ + CAND + LOOPQ + "/stages/<int:stage_id>/panel", "POST", MANAGERS, ok=TO_CAND,
              data=lambda w: {"panel_size": "2"},
              done=lambda w: w.db.scalar(select(LoopStage.panel_size).where(
                  LoopStage.id == w.stage_ids[1]).execution_options(
                  populate_existing=True)) == 2),
    # The requisition's question set: its editors are those who manage the requisition.
    TeamRoute(REQ + "/question-set", "GET", MANAGERS),
    TeamRoute(REQ + "/question-set", "POST", MANAGERS, ok=TO_REQ, ids=ids(requisition_id="fixable"),
              done=lambda w: w.set_numbers() == [1]),
    TeamRoute(REQ + "/question-set/revise", "POST", MANAGERS, ok=TO_REQ,
              data=lambda w: w.revision_form(), done=lambda w: 2 in w.set_numbers()),
    TeamRoute(REQ + "/board", "GET", MANAGERS),
    TeamRoute(REQ + CAND + "/stages/<int:stage_id>/schedule", "GET", MANAGERS),
    TeamRoute(REQ + CAND + "/stages/<int:stage_id>/schedule", "POST", MANAGERS, ok=TO_INTERVIEW,
              data=lambda w: schedule_form(w, 5),
              done=lambda w: w.db.scalar(select(Interview.id).where(
                  Interview.stage_id == w.stage_ids[1])) is not None),
    # Times for the whole loop: asked and booked by those who schedule.
    TeamRoute(REQ + CAND + "/proposals", "GET", MANAGERS),
    TeamRoute(REQ + CAND + "/proposals", "POST", MANAGERS, ok=TO_CAND, data=ask_form,
              done=lambda w: w.db.scalar(select(LoopProposal.id).where(
                  LoopProposal.candidate_id == w.candidate.id)) is not None),
    TeamRoute(REQ + CAND + "/proposals/book", "POST", MANAGERS, ok=TO_CAND, data=option_form,
              done=lambda w: w.db.scalar(select(Interview.id).where(
                  Interview.stage_id == w.stage_ids[1])) is not None),
    TeamRoute(INTERVIEW, "GET", PANEL, denied=NOT_FOUND),
    TeamRoute(INTERVIEW + "/invite.ics", "GET", PANEL, denied=NOT_FOUND),
    TeamRoute(INTERVIEW + "/kit", "GET", PANEL, denied=NOT_FOUND),
    TeamRoute(INTERVIEW + "/reschedule", "GET", MANAGERS),
    TeamRoute(INTERVIEW + "/reschedule", "POST", MANAGERS, ok=TO_INTERVIEW,
              data=lambda w: schedule_form(w, 6, reason="Moved by the matrix"),
              done=lambda w: fresh(w, w.interview).sequence == 1),
    TeamRoute(INTERVIEW + "/cancel", "GET", MANAGERS),  # asks first
    TeamRoute(INTERVIEW + "/cancel", "POST", MANAGERS, ok=TO_INTERVIEW,
              data=lambda w: {"reason": "Cancelled by the matrix"},
              done=lambda w: fresh(w, w.interview).status.value == "cancelled"),
    # The candidate's private link and itinerary email: whoever schedules the candidate.
    TeamRoute(REQ + CAND + "/link", "POST", MANAGERS, ok=TO_CAND,
              done=lambda w: w.candidate_link_of(w.candidate) is not None),
    TeamRoute(REQ + CAND + "/link/revoke", "POST", MANAGERS, ok=TO_CAND,
              ids=ids(candidate_id="linked"),
              done=lambda w: w.candidate_link_of(w.linked) is None),
    TeamRoute(REQ + CAND + "/link/email", "POST", MANAGERS, ok=TO_CAND,
              ids=ids(candidate_id="linked"), done=lambda w: w.mail_to(w.linked) == 1),
    TeamRoute(REQ + CAND + "/itinerary/email", "POST", MANAGERS, ok=TO_CAND,
              ids=ids(candidate_id="interviewee"),
              # the candidate's invite is in the outbox already: the itinerary is a second
              done=lambda w: w.mail_to(w.interviewee) == 2),
    # Scorecards: written by the panel only; a draft is its author's alone.
    TeamRoute(INTERVIEW + "/scorecard", "GET", AUTHOR, denied=NOT_FOUND),
    TeamRoute(INTERVIEW + "/scorecard", "POST", AUTHOR, denied=NOT_FOUND, ok=TO_INTERVIEW,
              data=lambda w: {"version": "0", "summary": "Drafted by the matrix"},
              done=lambda w: w.db.scalar(select(Scorecard.id).where(
                  Scorecard.interview_id == w.interview.id)) is not None),
    # The draft saved as its author types (JSON): the author's alone, like the form.
    TeamRoute(INTERVIEW + "/scorecard/draft", "POST", AUTHOR, denied=NOT_FOUND,
              data=lambda w: {"version": "0", "summary": "Autosaved by the matrix"},
              done=lambda w: w.db.scalar(select(Scorecard.summary).where(
                  Scorecard.interview_id == w.interview.id)) == "Autosaved by the matrix"),
    TeamRoute("/scorecards/<int:scorecard_id>", "GET", AUTHOR, denied=NOT_FOUND),
    TeamRoute(REQ + CAND + "/scorecards", "GET", PANEL, denied=NOT_FOUND,
              ids=ids(candidate_id="interviewee")),
    # Who owes a scorecard is reminded by those who manage the requisition (not its team).
    TeamRoute(REQ + CAND + "/scorecards/owed/<int:interview_id>/<int:interviewer_id>/remind",
              "POST", MANAGERS, ok=TO_CAND,
              ids=(*ids(candidate_id="owing", interview_id="owed_interview"),
                   ("interviewer_id", "panelist")),
              done=lambda w: w.chased()),
    # The debrief: whoever sees the panel's scorecards; the decision is the manager's.
    TeamRoute(REQ + "/dashboard", "GET", MANAGERS),
    TeamRoute(REQ + CAND + "/debrief", "GET", PANEL, denied=NOT_FOUND,
              ids=ids(candidate_id="debriefed")),
    TeamRoute(REQ + CAND + "/debrief.csv", "GET", PANEL, denied=NOT_FOUND,
              ids=ids(candidate_id="debriefed")),
    TeamRoute(REQ + CAND + "/pre-offer", "POST", HIRING_MANAGER, ok=TO_CAND,
              ids=ids(candidate_id="debriefed"), overrides=((MEMBER, NOT_FOUND),),
              data=lambda w: {n: v for name in ANSWERS for n, v in (
                  (name, "strong"), (f"{name}_evidence", "Ran the incident review."))},
              done=lambda w: w.db.scalar(select(PreOfferCheck.id).where(
                  PreOfferCheck.candidate_id == w.debriefed.id)) is not None),
    TeamRoute(REQ + CAND + "/decision", "POST", HIRING_MANAGER, ok=TO_CAND,
              ids=ids(candidate_id="debriefed"), overrides=((MEMBER, NOT_FOUND),),
              data=lambda w: {"kind": "hold", "rationale": "Held by the matrix."},
              done=lambda w: w.db.scalar(select(Decision.id).where(
                  Decision.candidate_id == w.debriefed.id)) is not None),
]


def expected(route: TeamRoute, actor: str) -> Outcome:
    if actor == ANON:
        return LOGIN_REDIRECT
    if actor in dict(route.overrides):
        return dict(route.overrides)[actor]
    if actor in route.allowed:
        return route.ok
    return NOT_FOUND if actor == OUTSIDER else route.denied


@pytest.fixture
def world(request, db_session, make_user):
    return TeamWorld(request, db_session, make_user)


@pytest.fixture
def client_as(app, make_user, login, world):
    """client_as(actor) -> a test client for that actor of the world (anonymous: none)."""
    made = {ADMIN: lambda: make_user("admin", name="Ari Admin"),
            OUTSIDER: lambda: make_user("recruiter", "hiring_manager", "interviewer",
                                        name="Olly Outsider")}

    def make(actor: str):
        if actor == ANON:
            return app.test_client()
        return login(made[actor]() if actor in made else getattr(world, actor))

    return make


def check(route: TeamRoute, actor: str, world, client_as, url: str,
          outcome: Outcome) -> None:
    client = client_as(actor)
    response = request(client, route.method, url, route.data(world))
    assert_outcome(response, outcome, url)
    body = response.get_data(as_text=True)
    if outcome.status in (403, 404):
        assert TITLE not in body, "a refusal shows the requisition"
    elif route.method == "GET" and outcome == route.ok:  # the real page, not an empty one
        assert TITLE in body or any(f"Candidate {n}" in body for n in (1, 2, 3))
    if route.done is not None:
        assert route.done(world) is (outcome == route.ok), "data change does not match"


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("route", TEAM_ROUTES, ids=str)
def test_team_permission_matrix(route, actor, world, client_as):
    url = url_for_rule(route.rule, lambda name: world_value(world, route.ids, name))
    check(route, actor, world, client_as, url, expected(route, actor))


ID_PARAMS = [(route, name) for route in TEAM_ROUTES
             for name in re.findall(r"<int:(\w+)>", route.rule)]


@pytest.mark.parametrize("actor", [ADMIN, MANAGER])
@pytest.mark.parametrize(("route", "missing"), ID_PARAMS,
                         ids=[f"{r}:{name}" for r, name in ID_PARAMS])
def test_one_unknown_id_is_404(route, missing, actor, world, client_as):
    """The others real: an unknown candidate under a real requisition is still a 404."""
    url = url_for_rule(route.rule, lambda name: MISSING_ID if name == missing
                       else world_value(world, route.ids, name))
    check(route, actor, world, client_as, url, NOT_FOUND)


@pytest.mark.parametrize("actor", [ANON, MEMBER, OUTSIDER])
@pytest.mark.parametrize("route", TEAM_ROUTES, ids=str)
def test_all_unknown_ids(route, actor, world, client_as):
    url = url_for_rule(route.rule, lambda _name: MISSING_ID)
    check(route, actor, world, client_as, url, LOGIN_REDIRECT if actor == ANON else NOT_FOUND)


# --- spelled out: the list, and ids that exist but belong elsewhere --------------------------

SNAPSHOT_TABLES = ("users", "user_roles", "requisitions", "requisition_members", "candidates",
                   "loops", "loop_stages", "loop_stage_areas", "loop_questions", "question_sets",
                   "question_set_stages", "question_set_questions", "interviews",
                   "interview_panelists", "interview_changes", "scorecards", "scorecard_chases",
                   "audit_events",
                   "questions", "candidate_links", "outbox_mail")


def hiring_state(db) -> dict[str, list[tuple]]:
    """Every row of every table a hiring page could change (login sessions aside)."""
    tables = Base.metadata.tables
    return {name: [tuple(row) for row in db.execute(
        select(tables[name]).order_by(*tables[name].primary_key.columns))]
        for name in SNAPSHOT_TABLES}


def test_the_requisition_list_shows_only_the_teams_requisitions(world, client_as):
    for actor in (ADMIN, MANAGER, RECRUITER, PANELIST, MEMBER):
        page = client_as(actor).get("/requisitions/")
        assert page.status_code == 200
        assert TITLE in page.get_data(as_text=True), actor
    page = client_as(OUTSIDER).get("/requisitions/")
    assert page.status_code == 200
    assert TITLE not in page.get_data(as_text=True)


def test_downloads_and_invites_have_their_types(world, client_as):
    client = client_as(PANELIST)
    url = f"/requisitions/{world.requisition.id}/job-description"
    assert client.get(f"{url}.md").mimetype == "text/markdown"
    assert client.get(f"{url}.txt").mimetype == "text/plain"
    assert client.get(f"{url}.pdf").status_code == 404
    invite = client.get(f"/interviews/{world.interview.id}/invite.ics")
    assert invite.mimetype == "text/calendar"
    assert "BEGIN:VEVENT" in invite.get_data(as_text=True)


@pytest.fixture
def elsewhere(world, db_session, make_user):
    """Another requisition, on which the world's manager and panelist are not, with a
    candidate, a loop and an interview of its own."""
    world.loop  # noqa: B018 - the bank, and our own candidate's loop
    manager, recruiter = make_user("hiring_manager"), make_user("recruiter")
    interviewer = make_user("interviewer")
    requisition = make_requisition(db_session, manager, recruiter, title="Hidden Platform Role")
    requisitions.add_member(db_session, Actor(recruiter), requisition, interviewer.id)
    candidate = make_candidate(db_session, requisition, recruiter, 9)
    loops.build_loop(db_session, Actor(recruiter), requisition, candidate, seed=2)
    loop = loops.loop_for(db_session, candidate)
    interview = scheduling.schedule_stage(
        db_session, Actor(recruiter), requisition, candidate, loop.stages[0].id,
        scheduling.ScheduleInput(interviewer_ids=[interviewer.id],
                                 starts_at=utcnow() + timedelta(days=4), minutes=45))
    return {"req": requisition.id, "cand": candidate.id, "interview": interview.id,
            "stage": loop.stages[1].id, "loop_question": loop.stages[1].questions[0].id}


OURS = "/requisitions/{req}/candidates/{cand}"
FOREIGN = [  # {req}, {cand}: the world's; {t_...}: `elsewhere`'s; {stranger}: off every team
    ("GET", "/requisitions/{t_req}"),
    ("GET", "/requisitions/{t_req}/job-description.txt"),
    ("GET", "/requisitions/{t_req}/board"),
    ("GET", "/requisitions/{t_req}/close"),
    ("GET", "/requisitions/{req}/candidates/{t_cand}"),
    ("GET", "/requisitions/{req}/candidates/{t_cand}/edit"),
    ("POST", "/requisitions/{req}/candidates/{t_cand}/withdraw"),
    ("POST", "/requisitions/{req}/candidates/{t_cand}/loop"),
    ("GET", OURS + "/stages/{t_stage}/schedule"),
    ("POST", OURS + "/stages/{t_stage}/schedule"),
    ("GET", "/requisitions/{req}/candidates/{t_cand}/proposals"),
    ("POST", "/requisitions/{req}/candidates/{t_cand}/proposals"),
    ("POST", "/requisitions/{req}/candidates/{t_cand}/proposals/book"),
    ("POST", OURS + "/loop/stages/{t_stage}/remove"),
    ("POST", OURS + "/loop/stages/{t_stage}/move"),
    ("POST", OURS + "/loop/stages/{t_stage}/panel"),
    ("GET", OURS + "/loop/questions/{t_loop_question}/alternatives"),
    ("POST", OURS + "/loop/questions/{t_loop_question}/swap"),
    ("POST", "/requisitions/{req}/team/{stranger}/remove"),
    ("GET", "/interviews/{t_interview}"),
    ("GET", "/interviews/{t_interview}/kit"),
    ("GET", "/interviews/{t_interview}/invite.ics"),
    ("GET", "/interviews/{t_interview}/reschedule"),
    ("GET", "/interviews/{t_interview}/cancel"),
    ("POST", "/interviews/{t_interview}/cancel"),
    ("POST", "/interviews/{t_interview}/scorecard"),
    ("POST", "/interviews/{t_interview}/scorecard/draft"),
    ("POST", "/requisitions/{req}/candidates/{t_cand}/link"),
    ("POST", "/requisitions/{req}/candidates/{t_cand}/link/revoke"),
    ("POST", "/requisitions/{req}/candidates/{t_cand}/link/email"),
    ("POST", "/requisitions/{req}/candidates/{t_cand}/itinerary/email"),
]


@pytest.mark.parametrize("actor", [MANAGER, PANELIST])
@pytest.mark.parametrize(("method", "path"), FOREIGN, ids=[f"{m} {p}" for m, p in FOREIGN])
def test_ids_of_another_requisition_are_404(world, elsewhere, client_as, db_session, make_user,
                                            actor, method, path):
    """Reaching by id into another team's requisition: the ids exist, but under the wrong
    parent or on a team the actor is not on. (A panelist is refused our own requisition's
    manage pages first: 403, before any lookup.)"""
    req = world.requisition.id
    url = path.format(req=req, cand=world.candidate.id, stranger=make_user("interviewer").id,
                      **{f"t_{name}": value for name, value in elsewhere.items()})
    data = schedule_form(world, 5) | {"direction": "down", "question_id": ""}
    client = client_as(actor)
    before = hiring_state(db_session)
    response = request(client, method, url, data)
    refused_first = actor == PANELIST and url.startswith(f"/requisitions/{req}/")
    assert response.status_code == (403 if refused_first else 404), url
    assert "Hidden Platform Role" not in response.get_data(as_text=True)
    assert hiring_state(db_session) == before
