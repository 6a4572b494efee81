"""Who may do what: every route x every role, against real users and questions.

ROUTES is the permission table for the routes that roles alone decide; the routes under
a requisition or an interview, where the hiring team decides, are in TEAM_ROUTES
(tests/test_permissions_hiring.py). `test_every_route_is_in_the_table` compares both
with `app.url_map`, so a new route without a row breaks the suite.

Outcomes follow `roles_required` (interviewloop/auth/login.py): anonymous → 302 to the
login page with ?next=; logged in without the role → 403, decided *before* the view
looks the object up (so an unknown id is a 403 for them, a 404 only for permitted roles).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from interviewloop.api.models import ApiToken
from interviewloop.audit.models import AuditEvent
from interviewloop.audit.service import SYSTEM, Actor
from interviewloop.auth import service as auth_service
from interviewloop.auth import twofactor
from interviewloop.auth.models import User
from interviewloop.auth.service import LOGIN_REFUSED, find_user_by_email
from interviewloop.bank import service as bank_service
from interviewloop.bank.models import Question
from interviewloop.privacy.models import RetentionRule
from interviewloop.privacy.service import erasure_of
from interviewloop.requisitions.models import Requisition
from interviewloop.webhooks.models import WebhookEndpoint
from tests.conftest import PASSWORD, TEST_HASHER, log_in, post
from tests.factories import ANSWERS

ANON, ADMIN, RECRUITER, HM, INTERVIEWER = (
    "anonymous", "admin", "recruiter", "hiring_manager", "interviewer")
ROLES = (ANON, ADMIN, RECRUITER, HM, INTERVIEWER)
EVERYONE = frozenset(ROLES)
LOGGED_IN = EVERYONE - {ANON}
ADMINS = frozenset({ADMIN})
EDITORS = frozenset({ADMIN, HM})
CREATORS = frozenset({ADMIN, RECRUITER, HM})

NEW_EMAIL = "created.by.matrix@example.com"
NEW_TITLE = "How would you shadow-test a new embedding model"
NEW_PASSWORD = "another-long-passphrase"
NEW_REQUISITION = "Principal Evaluation Engineer (matrix)"


@dataclass(frozen=True)
class Outcome:
    status: int
    location: str | None = None  # path the redirect must point at (prefix)


LOGIN_REDIRECT = Outcome(302, "/login")  # checked further: ?next= is the requested path
FORBIDDEN = Outcome(403)


def question_form(question, **changes) -> dict:
    data = bank_service.question_input(question)
    form = {
        "title": data.title, "category": data.category, "prompt": data.prompt,
        "signals": "\n".join(data.signals), "red_flags": "\n".join(data.red_flags),
        "areas": data.areas, "levels": data.levels, "benchmarks": data.benchmarks,
        "minutes": str(data.minutes), "version": str(question.version),
    }
    return {**form, **changes}


def new_requisition_form(world) -> dict:
    return {"title": NEW_REQUISITION, "level": "senior", "team": "Search",
            "hiring_manager_id": str(world.manager.id), "recruiter_id": str(world.recruiter.id),
            "comp_currency": "USD", "comp_min": "150000", "comp_max": "210000", **ANSWERS}


def zone_count(world, zone: str) -> int:
    return world.db.scalar(select(func.count()).select_from(User).where(User.time_zone == zone))


@dataclass(frozen=True)
class Route:
    rule: str  # exactly as in app.url_map
    method: str
    allowed: frozenset[str]
    ok: Outcome = Outcome(200)
    denied: Outcome = FORBIDDEN  # for a logged-in user without the role
    # which of the world's attributes fills each <...> of the rule (an object's id, or a value)
    ids: tuple[tuple[str, str], ...] = (("user_id", "target"), ("question_id", "question"),
                                        ("token", "feed_token"))
    data: Callable = lambda w: {}
    # done(world, client) -> True once the request's change is really in the database
    done: Callable | None = field(default=None, compare=False)

    def __str__(self) -> str:
        return f"{self.method} {self.rule}"


def fresh(world, obj):
    world.db.expire_all()
    return obj


ROUTES = [
    Route("/healthz", "GET", EVERYONE),
    Route("/login", "GET", frozenset({ANON}), denied=Outcome(302, "/")),
    Route("/login", "POST", EVERYONE, ok=Outcome(302, "/"),
          data=lambda w: {"email": w.target.email, "password": PASSWORD},
          done=lambda w, c: c.get("/").status_code == 200),
    Route("/logout", "POST", EVERYONE, ok=Outcome(302, "/login"),
          done=lambda w, c: c.get("/").status_code == 302),
    Route("/", "GET", LOGGED_IN),
    Route("/admin/users", "GET", ADMINS),
    Route("/admin/audit", "GET", ADMINS),
    Route("/admin/mail", "GET", ADMINS),
    Route("/admin/mail/<int:mail_id>", "GET", ADMINS, ids=(("mail_id", "mail"),)),
    Route("/admin/users/new", "GET", ADMINS),
    Route("/admin/users/new", "POST", ADMINS, ok=Outcome(302, "/admin/users"),
          data=lambda w: {"email": NEW_EMAIL, "name": "New Person", "roles": ["recruiter"],
                          "time_zone": "UTC", "password": NEW_PASSWORD},
          done=lambda w, c: find_user_by_email(w.db, NEW_EMAIL) is not None),
    Route("/admin/users/<int:user_id>", "GET", ADMINS),
    Route("/admin/users/<int:user_id>", "POST", ADMINS, ok=Outcome(302, "/admin/users"),
          data=lambda w: {"name": "Renamed Person", "roles": ["interviewer"],
                          "time_zone": "Europe/Paris"},
          done=lambda w, c: fresh(w, w.target).name == "Renamed Person"),
    Route("/admin/users/<int:user_id>/deactivate", "POST", ADMINS, ok=Outcome(302, "/admin/users"),
          done=lambda w, c: not fresh(w, w.target).is_active),
    Route("/admin/users/<int:user_id>/reactivate", "POST", ADMINS, ok=Outcome(302, "/admin/users"),
          ids=(("user_id", "inactive"),),
          done=lambda w, c: fresh(w, w.inactive).is_active),
    Route("/admin/users/<int:user_id>/break-glass", "POST", ADMINS,
          ok=Outcome(302, "/admin/users/"), data=lambda w: {"on": "1"},
          done=lambda w, c: fresh(w, w.target).break_glass),
    # Single sign-on is not configured in this app: both are a 404 for everyone
    # (tests/test_sso.py signs in through a real provider).
    Route("/login/sso", "POST", EVERYONE, ok=Outcome(404)),
    Route("/login/sso/callback", "GET", EVERYONE, ok=Outcome(404)),
    Route("/admin/users/<int:user_id>/sign-in-waits/end", "POST", ADMINS,
          ok=Outcome(302, "/admin/users"), ids=(("user_id", "waiting"),),
          done=lambda w, c: not auth_service.sign_in_waits(w.db).get(w.waiting.id)),
    Route("/admin/users/<int:user_id>/password", "POST", ADMINS, ok=Outcome(302, "/admin/users"),
          data=lambda w: {"password": NEW_PASSWORD},
          done=lambda w, c: TEST_HASHER.verify(fresh(w, w.target).password_hash, NEW_PASSWORD)),
    Route("/bank/", "GET", LOGGED_IN),
    Route("/bank/rubric", "GET", LOGGED_IN),
    Route("/bank/questions/<int:question_id>", "GET", LOGGED_IN),
    Route("/bank/questions/new", "GET", EDITORS),
    Route("/bank/questions/new", "POST", EDITORS, ok=Outcome(302, "/bank/questions/"),
          data=lambda w: question_form(w.question, title=NEW_TITLE, version=""),
          done=lambda w, c: w.db.scalar(select(Question).where(Question.title == NEW_TITLE))
          is not None),
    Route("/bank/questions/<int:question_id>/edit", "GET", EDITORS),
    Route("/bank/questions/<int:question_id>/edit", "POST", EDITORS,
          ok=Outcome(302, "/bank/questions/"),
          data=lambda w: question_form(w.question, title="Edited by the matrix"),
          done=lambda w, c: fresh(w, w.question).title == "Edited by the matrix"),
    Route("/bank/questions/<int:question_id>/retire", "POST", EDITORS,
          ok=Outcome(302, "/bank/questions/"),
          done=lambda w, c: fresh(w, w.question).retired_at is not None),
    Route("/bank/questions/<int:question_id>/unretire", "POST", EDITORS,
          ok=Outcome(302, "/bank/questions/"), ids=(("question_id", "retired"),),
          done=lambda w, c: fresh(w, w.retired).retired_at is None),
    # Requisitions in general; everything under one of them is in TEAM_ROUTES.
    Route("/requisitions/", "GET", LOGGED_IN),
    Route("/requisitions/new", "GET", CREATORS),
    Route("/requisitions/new", "POST", CREATORS, ok=Outcome(302, "/requisitions/"),
          data=new_requisition_form,
          done=lambda w, c: w.db.scalar(select(Requisition.id).where(
              Requisition.title == NEW_REQUISITION)) is not None),
    Route("/loop-templates", "GET", LOGGED_IN),
    # One's own account; the calendar feed's secret token is its only credential.
    Route("/account", "GET", LOGGED_IN),
    # Every scorecard the person owes: their own (empty for someone on no panel).
    Route("/scorecards/to-write", "GET", LOGGED_IN),
    Route("/account", "POST", LOGGED_IN, ok=Outcome(302, "/account"),
          data=lambda w: {"time_zone": "Asia/Tokyo", "weekly_interview_cap": "7"},
          done=lambda w, c: zone_count(w, "Asia/Tokyo") == 1),
    Route("/account/calendar", "POST", LOGGED_IN, ok=Outcome(200),
          done=lambda w, c: c.user is not None
          and fresh(w, c.user).calendar_token_hash not in
          (None, auth_service.calendar_token_hash(c.token_before))),
    Route("/account/calendar/revoke", "POST", LOGGED_IN, ok=Outcome(302, "/account"),
          done=lambda w, c: c.user is not None and fresh(w, c.user).calendar_token_hash is None),
    Route("/calendar/<token>.ics", "GET", EVERYONE),
    # API tokens: one's own on the account page; admins' service tokens; someone else's
    # token is a 404 to anyone but an admin. The API itself is in test_api_permissions.
    Route("/account/api-tokens", "GET", LOGGED_IN),
    Route("/account/api-tokens", "POST", LOGGED_IN,
          data=lambda w: {"name": "Matrix token", "scopes": ["read:requisitions"], "days": "7"},
          done=lambda w, c: c.user is not None and w.db.scalar(select(ApiToken.id).where(
              ApiToken.user_id == c.user.id, ApiToken.name == "Matrix token")) is not None),
    Route("/account/api-tokens/<int:token_id>/revoke", "POST", ADMINS,
          ok=Outcome(302, "/account/api-tokens"), denied=Outcome(404),
          ids=(("token_id", "api_token_row"),),
          done=lambda w, c: fresh(w, w.api_token_row).revoked_at is not None),
    Route("/admin/api-tokens", "GET", ADMINS),
    Route("/admin/api-tokens", "POST", ADMINS,
          data=lambda w: {"user_id": str(w.target.id), "name": "ATS sync",
                          "scopes": ["write:candidates"], "days": "30"},
          done=lambda w, c: w.db.scalar(select(ApiToken.id).where(
              ApiToken.name == "ATS sync")) is not None),
    Route("/admin/api-tokens/<int:token_id>/revoke", "POST", ADMINS,
          ok=Outcome(302, "/admin/api-tokens"), ids=(("token_id", "api_token_row"),),
          done=lambda w, c: fresh(w, w.api_token_row).revoked_at is not None),
    Route("/api/v1/openapi.json", "GET", EVERYONE),
    Route("/api/v1/docs", "GET", EVERYONE),
    # An RSVP link is its own credential (no login): anything but a signed one is not found
    # for anyone (the real links: tests/test_rsvp.py).
    Route("/rsvp/<token>", "GET", EVERYONE, ok=Outcome(404)),
    Route("/rsvp/<token>", "POST", EVERYONE, ok=Outcome(404)),
    # A candidate's private link is its own credential (no login): the same for everyone,
    # signed in or not (broken, expired and revoked links: tests/test_availability.py).
    Route("/candidate/<token>", "GET", EVERYONE, ids=(("token", "candidate_token"),)),
    Route("/candidate/<token>/itinerary", "GET", EVERYONE, ids=(("token", "candidate_token"),)),
    Route("/candidate/<token>/time-zone", "POST", EVERYONE, ok=Outcome(302, "/candidate/"),
          ids=(("token", "candidate_token"),), data=lambda w: {"time_zone": "Asia/Tokyo"},
          done=lambda w, c: fresh(w, w.candidate_link.candidate).time_zone == "Asia/Tokyo"),
    Route("/candidate/<token>/windows", "POST", EVERYONE, ok=Outcome(302, "/candidate/"),
          ids=(("token", "candidate_token"),), data=lambda w: {
              "starts_at": f"{w.in_days(41)}T09:00", "ends_at": f"{w.in_days(41)}T12:00"},
          done=lambda w, c: len(w.windows_now()) == 2),
    Route("/candidate/<token>/windows/<int:window_id>/remove", "POST", EVERYONE,
          ok=Outcome(302, "/candidate/"),
          ids=(("token", "candidate_token"), ("window_id", "candidate_window")),
          done=lambda w, c: w.windows_now() == []),
    # Working hours: one's own, or anyone's for an admin (tests/test_working_hours.py).
    Route("/account/working-hours", "GET", LOGGED_IN),
    Route("/account/working-hours", "POST", LOGGED_IN, ok=Outcome(302, "/account"),
          data=lambda w: {"work_starts": "480", "work_ends": "960", "work_days": ["0", "1"]},
          done=lambda w, c: c.user is not None and fresh(w, c.user).work_starts == 480),
    Route("/admin/users/<int:user_id>/working-hours", "GET", ADMINS),
    Route("/admin/users/<int:user_id>/working-hours", "POST", ADMINS,
          ok=Outcome(302, "/admin/users/"),
          data=lambda w: {"work_starts": "600", "work_ends": "1080", "work_days": ["2"]},
          done=lambda w, c: fresh(w, w.target).working_hours.describe() == "10:00 to 18:00, Wed"),
    Route("/admin/users/<int:user_id>/calendar", "GET", ADMINS),
    Route("/admin/users/<int:user_id>/calendar", "POST", ADMINS,
          ok=Outcome(302, "/admin/users/"), data=lambda w: {"collection": ""}),
    # Mail that is not in doubt is never sent again: an admin gets the 409 and its reason
    # (the real resend: tests/test_mail_send_again.py).
    Route("/admin/mail/<int:mail_id>/send-again", "POST", ADMINS, ok=Outcome(409),
          ids=(("mail_id", "mail"),)),
    # Webhook endpoints: admins only (the deliveries themselves: tests/test_webhooks.py).
    Route("/admin/webhooks", "GET", ADMINS),
    Route("/admin/webhooks/new", "GET", ADMINS),
    Route("/admin/webhooks/new", "POST", ADMINS,
          data=lambda w: {"url": "https://hooks.example.com/matrix", "active": "y",
                          "events": ["candidate.created", "scorecard.submitted"]},
          done=lambda w, c: w.db.scalar(select(func.count()).select_from(WebhookEndpoint).where(
              WebhookEndpoint.url == "https://hooks.example.com/matrix")) == 1),
    Route("/admin/webhooks/<int:endpoint_id>", "GET", ADMINS, ids=(("endpoint_id", "webhook"),)),
    Route("/admin/webhooks/<int:endpoint_id>", "POST", ADMINS, ok=Outcome(302, "/admin/webhooks/"),
          ids=(("endpoint_id", "webhook"),),
          data=lambda w: {"url": w.webhook.url, "description": "Renamed by the matrix",
                          "events": ["decision.recorded"], "active": "y",
                          "version": str(w.webhook.version)},
          done=lambda w, c: fresh(w, w.webhook).description == "Renamed by the matrix"),
    Route("/admin/webhooks/<int:endpoint_id>/rotate-secret", "POST", ADMINS,
          ids=(("endpoint_id", "webhook"),),
          done=lambda w, c: fresh(w, w.webhook).secret_rotated_at is not None),
    Route("/admin/webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/redeliver", "POST",
          ADMINS, ok=Outcome(302, "/admin/webhooks/"),
          ids=(("endpoint_id", "webhook"), ("delivery_id", "webhook_delivery")),
          done=lambda w, c: fresh(w, w.webhook_delivery).state == "pending"),
    Route("/account/password", "GET", LOGGED_IN),
    Route("/account/password", "POST", LOGGED_IN, ok=Outcome(302, "/account/sessions"),
          data=lambda w: {"current_password": PASSWORD, "password": NEW_PASSWORD,
                          "confirm": NEW_PASSWORD},
          done=lambda w, c: c.user is not None
          and TEST_HASHER.verify(fresh(w, c.user).password_hash, NEW_PASSWORD)),
    Route("/account/sessions", "GET", LOGGED_IN),
    # Someone else's session: not found for everyone (and left open: tests/test_own_sessions.py).
    Route("/account/sessions/<int:session_id>/end", "POST", LOGGED_IN, ok=Outcome(404),
          ids=(("session_id", "target_session"),)),
    # Two-factor. The second step of a sign-in: without a password step first there is no
    # challenge, so back to the login page (the real one: tests/test_two_factor.py).
    Route("/login/two-factor", "GET", frozenset({ANON}), ok=Outcome(302, "/login"),
          denied=Outcome(302, "/")),
    Route("/login/two-factor", "POST", frozenset({ANON}), ok=Outcome(302, "/login"),
          denied=Outcome(302, "/"), data=lambda w: {"code": "123456"}),
    # One's own: nobody in the matrix has it on, so confirming, new codes and turning it off
    # are a 409 with the reason; setting it up starts an enrolment of one's own only.
    Route("/account/two-factor", "GET", LOGGED_IN),
    Route("/account/two-factor/enrol", "POST", LOGGED_IN, ok=Outcome(302, "/account/two-factor"),
          done=lambda w, c: c.user is not None and twofactor.factor_of(w.db, c.user) is not None),
    Route("/account/two-factor/confirm", "POST", LOGGED_IN, ok=Outcome(409),
          data=lambda w: {"code": "123456"}),
    Route("/account/two-factor/recovery-codes", "POST", LOGGED_IN, ok=Outcome(409),
          data=lambda w: {"code": "123456"}),
    Route("/account/two-factor/disable", "POST", LOGGED_IN, ok=Outcome(409),
          data=lambda w: {"off-current_password": PASSWORD, "off-code": "123456"}),
    Route("/admin/users/<int:user_id>/two-factor/reset", "POST", ADMINS,
          ok=Outcome(302, "/admin/users/"), ids=(("user_id", "enrolled"),),
          done=lambda w, c: not twofactor.factor_of(w.db, fresh(w, w.enrolled))),
    # Analytics: open to everyone logged in; what each sees is limited to the scorecards
    # they could read on the debrief, and the rows to theirs (tests/test_analytics_access.py).
    Route("/analytics/reliability", "GET", LOGGED_IN),
    Route("/analytics/reliability.csv", "GET", LOGGED_IN),
    Route("/analytics/interviewers", "GET", LOGGED_IN),
    Route("/analytics/interviewers.csv", "GET", LOGGED_IN),
    # Candidate data (issue 13): admins only; the real erasure, export and retention are in
    # tests/test_privacy.py and tests/test_privacy_pages.py.
    Route("/admin/privacy", "GET", ADMINS),
    Route("/admin/privacy/rules/new", "GET", ADMINS),
    Route("/admin/privacy/rules/new", "POST", ADMINS, ok=Outcome(302, "/admin/privacy/rules/"),
          data=lambda w: {"name": "Matrix rule", "outcomes": ["rejected"], "after_days": "30",
                          "enabled": "y"},
          done=lambda w, c: w.db.scalar(select(RetentionRule.id).where(
              RetentionRule.name == "Matrix rule")) is not None),
    Route("/admin/privacy/rules/<int:rule_id>", "GET", ADMINS, ids=(("rule_id", "rule"),)),
    Route("/admin/privacy/rules/<int:rule_id>", "POST", ADMINS,
          ok=Outcome(302, "/admin/privacy/rules/"), ids=(("rule_id", "rule"),),
          data=lambda w: {"name": "Renamed rule", "outcomes": ["withdrawn"], "after_days": "60",
                          "version": str(w.rule.version)},
          done=lambda w, c: fresh(w, w.rule).name == "Renamed rule"),
    Route("/admin/privacy/rules/<int:rule_id>/preview", "GET", ADMINS, ids=(("rule_id", "rule"),)),
    Route("/admin/privacy/candidates/<int:candidate_id>/erase", "GET", ADMINS,
          ids=(("candidate_id", "candidate"),)),
    Route("/admin/privacy/candidates/<int:candidate_id>/erase", "POST", ADMINS,
          ok=Outcome(302, "/admin/privacy"), ids=(("candidate_id", "candidate"),),
          data=lambda w: {"reason": "Asked by email.", "confirm": "y"},
          done=lambda w, c: erasure_of(w.db, w.candidate.id) is not None),
    Route("/admin/privacy/candidates/<int:candidate_id>/export", "POST", ADMINS,
          ids=(("candidate_id", "candidate"),),
          done=lambda w, c: w.db.scalar(select(func.count()).select_from(AuditEvent).where(
              AuditEvent.action == "candidate_exported")) == 1),
    Route("/analytics/questions", "GET", LOGGED_IN),
    Route("/analytics/questions.csv", "GET", LOGGED_IN),
    Route("/analytics/funnel", "GET", LOGGED_IN),
    Route("/analytics/funnel.csv", "GET", LOGGED_IN),
    # Interviewer pools: everyone sees them (recruiters build panels from them); admins
    # create them; admins and the pool's owner (here the target, someone else) manage
    # members and sign off promotions (owners: tests/test_pools.py). A promotion asked
    # before the trainee has held a seat is refused with the reason, even for an admin.
    Route("/pools", "GET", LOGGED_IN),
    Route("/pools", "POST", ADMINS, ok=Outcome(302, "/pools/"),
          data=lambda w: {"category": "coding_implementation", "level": "junior",
                          "owner": str(w.target.id)},
          done=lambda w, c: pool_count(w) == 2),
    Route("/pools/<int:pool_id>", "GET", LOGGED_IN, ids=(("pool_id", "pool"),)),
    Route("/pools/<int:pool_id>/practice-cards", "GET", LOGGED_IN, ids=(("pool_id", "pool"),)),
    Route("/pools/<int:pool_id>/members", "POST", ADMINS, ok=Outcome(302, "/pools/"),
          ids=(("pool_id", "pool"),),
          data=lambda w: {"user": str(w.addable.id), "state": "shadow", "coach": ""},
          done=lambda w, c: member_state(w, w.addable) == "shadow"),
    Route("/pools/<int:pool_id>/members/<int:user_id>/promote", "POST", ADMINS,
          ok=Outcome(409), ids=(("pool_id", "pool"), ("user_id", "trainee")),
          data=lambda w: {"expected": "shadow"}),
    Route("/pools/<int:pool_id>/members/<int:user_id>/coach", "POST", ADMINS,
          ok=Outcome(302, "/pools/"), ids=(("pool_id", "pool"), ("user_id", "trainee")),
          data=lambda w: {"coach": str(w.target.id)},
          done=lambda w, c: fresh_member(w, w.trainee).coach_id == w.target.id),
    Route("/pools/<int:pool_id>/members/<int:user_id>/remove", "POST", ADMINS,
          ok=Outcome(302, "/pools/"), ids=(("pool_id", "pool"), ("user_id", "trainee")),
          done=lambda w, c: member_state(w, w.trainee) is None),
]


def pool_count(world) -> int:
    from interviewloop.pools.models import Pool

    world.pool  # noqa: B018 - the world's own pool exists first
    return world.db.scalar(select(func.count()).select_from(Pool))


def fresh_member(world, user):
    from interviewloop.pools.models import PoolMember

    world.db.expire_all()
    return world.db.get(PoolMember, (world.pool.id, user.id))


def member_state(world, user) -> str | None:
    member = fresh_member(world, user)
    return member.state.value if member else None


def expected(route: Route, roles: tuple[str, ...]) -> Outcome:
    """What `roles` (a user's roles; () for anonymous) should get on `route`."""
    if not roles:
        return route.ok if ANON in route.allowed else LOGIN_REDIRECT
    if any(role in route.allowed for role in roles):
        return route.ok
    return route.denied


RULE_PART = re.compile(r"<(?:(\w+)(?:\(([^)]*)\))?:)?(\w+)>")


def url_for_rule(rule: str, value_of: Callable[[str], object]) -> str:
    """The rule with each <converter:name> filled: value_of(name), or for <any(a, b):name>
    its first choice."""

    def fill(match: re.Match) -> str:
        converter, args, name = match.groups()
        if converter == "any":
            return args.split(",")[0].strip()
        return str(value_of(name))

    return RULE_PART.sub(fill, rule)


def world_value(world, ids, name: str):
    value = getattr(world, dict(ids)[name])
    return getattr(value, "id", value)


def route_url(route: Route, world) -> str:
    return url_for_rule(route.rule, lambda name: world_value(world, route.ids, name))


def request(client, method: str, url: str, data: dict):
    return client.get(url) if method == "GET" else post(client, url, data)


def assert_outcome(response, outcome: Outcome, url: str) -> None:
    assert response.status_code == outcome.status, response.get_data(as_text=True)[:500]
    if outcome is LOGIN_REDIRECT:
        location = urlsplit(response.headers["Location"])
        assert location.path == "/login"
        assert parse_qs(location.query)["next"] == [url]
    elif outcome.location is not None:
        assert response.headers["Location"].startswith(outcome.location)


class World:
    """The objects the routes act on: a user, a deactivated user, an active and a retired
    question from the real bank (imported on first use: it is the slow part), a hiring
    manager and a recruiter for a new requisition, and a calendar feed's token."""

    def __init__(self, request, db_session, make_user) -> None:
        self._request = request
        self._make_user = make_user
        self.db = db_session
        self.target = make_user("interviewer", name="Target Person", email="target@example.com")
        self.inactive = make_user("recruiter", name="Gone Person", active=False)

    def _question_ids(self) -> list[int]:
        self._request.getfixturevalue("bank")
        return list(self.db.scalars(select(Question.id).order_by(Question.slug).limit(2)))

    @cached_property
    def question(self):
        return bank_service.get_question(self.db, self._question_ids()[0])

    @cached_property
    def retired(self):
        question = bank_service.get_question(self.db, self._question_ids()[1])
        bank_service.retire_question(self.db, SYSTEM, question)
        self.db.flush()
        return question

    @cached_property
    def mail(self):
        from interviewloop.outbox.service import queue_mail

        mail = queue_mail(self.db, key="permissions", to="someone@example.net",
                          subject="A message", body="Kept in the outbox.")
        self.db.flush()
        return mail

    @cached_property
    def webhook(self):
        from interviewloop.webhooks.service import EndpointInput, create_endpoint

        made = create_endpoint(self.db, SYSTEM, EndpointInput(
            url="https://hooks.example.com/in", events=["candidate.created"]),
            allow_private=False)
        self.db.flush()
        return made.endpoint

    @cached_property
    def webhook_delivery(self):
        """A delivery to ``webhook`` that was given up."""
        from interviewloop.db import utcnow
        from interviewloop.webhooks.models import DeliveryState, EventType, WebhookDelivery
        from interviewloop.webhooks.service import emit

        self.webhook  # noqa: B018 - it wants the event
        event = emit(self.db, EventType.CANDIDATE_CREATED, {"candidate_id": 1})
        delivery = self.db.scalar(select(WebhookDelivery).where(
            WebhookDelivery.event_id == event.id))
        delivery.state, delivery.given_up_at = DeliveryState.GIVEN_UP, utcnow()
        delivery.next_attempt_at = None
        self.db.flush()
        return delivery

    @cached_property
    def manager(self):
        return self._make_user("hiring_manager", name="Hana Manager")

    @cached_property
    def recruiter(self):
        return self._make_user("recruiter", name="Rafa Recruiter")

    @cached_property
    def api_token_row(self):
        """The target's own API token."""
        from interviewloop.api.service import create_token

        made = create_token(self.db, Actor(self.target), self.target, name="Target's",
                            scopes=["read:requisitions"])
        self.db.flush()
        return made.token

    @cached_property
    def target_session(self) -> int:
        """The id of an open login session of the target's."""
        from interviewloop.auth.models import LoginSession

        login = LoginSession(token="t" * 43, user_id=self.target.id, ip="198.51.100.4")
        self.db.add(login)
        self.db.flush()
        return login.id

    @cached_property
    def waiting(self):
        """A user one of whose sign-in addresses is made to wait."""
        from datetime import timedelta

        from interviewloop.auth.models import LoginThrottle
        from interviewloop.db import utcnow

        user = self._make_user("interviewer", name="Waiting Person")
        now = utcnow()
        self.db.add(LoginThrottle(user_id=user.id, ip="203.0.113.9", failures=5,
                                  last_failure_at=now, wait_until=now + timedelta(hours=1)))
        self.db.flush()
        return user

    @cached_property
    def candidate_link(self):
        """A candidate's private link in force, with one window."""
        from interviewloop.availability import service as availability
        from tests.factories import make_candidate, make_requisition

        requisition = make_requisition(self.db, self.manager, self.recruiter)
        candidate = make_candidate(self.db, requisition, self.recruiter)
        link = availability.create_link(self.db, Actor(self.recruiter), requisition, candidate,
                                        days=30)
        opened = availability.open_link(self.db, self._signer, availability.link_token(
            self._signer, link))
        self._window = availability.add_window(
            self.db, opened, *(datetime.fromisoformat(f"{self.in_days(40)}T{h:02}:00")
                               for h in (9, 12)))
        self.db.flush()
        return opened

    @staticmethod
    def in_days(days: int) -> str:
        from interviewloop.db import utcnow

        return f"{utcnow() + timedelta(days=days):%Y-%m-%d}"

    @property
    def _signer(self):
        from interviewloop.tokens import signer_of

        return signer_of(self.db.info)

    @property
    def candidate_token(self) -> str:
        from interviewloop.availability.service import link_token

        return link_token(self._signer, self.candidate_link.link)

    @property
    def candidate_window(self):
        return self.candidate_link and self._window

    def windows_now(self) -> list:
        from interviewloop.availability.service import candidate_windows

        return candidate_windows(self.db, self.candidate_link.candidate.id)

    @cached_property
    def enrolled(self):
        """A user with two-factor on."""
        from tests.test_two_factor import enrol

        user = self._make_user("interviewer", name="Enrolled Person")
        enrol(self.db, user)
        return user

    @cached_property
    def candidate(self):
        """A candidate (on a requisition of the manager's and recruiter's)."""
        from tests.factories import make_candidate, make_requisition

        requisition = make_requisition(self.db, self.manager, self.recruiter)
        return make_candidate(self.db, requisition, self.recruiter)

    @cached_property
    def rule(self):
        from interviewloop.privacy.retention import RuleInput, create_rule

        return create_rule(self.db, Actor(self._make_user("admin")), RuleInput(
            name="Rejected after a year", outcomes=["rejected"], after_days=365))

    @cached_property
    def pool(self):
        """A pool owned by the target (someone else), qualified in it, with a shadow."""
        from interviewloop.pools import service as pools

        admin = Actor(self._make_user("admin", name="Pool Admin"))
        pool = pools.create_pool(self.db, admin, "system_design", "senior", self.target.id)
        pools.add_member(self.db, admin, pool, self.target.id, "qualified")
        pools.add_member(self.db, admin, pool, self.trainee.id, "shadow")
        self.db.flush()
        return pool

    @cached_property
    def trainee(self):
        return self._make_user("interviewer", name="Tom Trainee")

    @cached_property
    def addable(self):
        return self._make_user("interviewer", name="Ann Addable")

    @cached_property
    def feed_token(self) -> str:
        token = auth_service.new_calendar_token(self.db, SYSTEM, self.target)
        self.db.flush()
        return token


@pytest.fixture
def world(request, db_session, make_user):
    return World(request, db_session, make_user)


@pytest.fixture
def client_for(app, db_session, make_user, login):
    """client_for(roles) -> a test client logged in as a new user holding `roles`
    (anonymous for ()); the user is `client.user`. Users start with a calendar feed
    token, `client.token_before`, so that replacing and revoking it are visible."""

    def make(roles: tuple[str, ...]):
        user = make_user(*roles) if roles else None
        client = login(user) if user else app.test_client()
        client.user = user
        client.token_before = None
        if user is not None:
            client.token_before = auth_service.new_calendar_token(db_session, SYSTEM, user)
            db_session.flush()
        return client

    return make


def role_tuple(role: str) -> tuple[str, ...]:
    return () if role == ANON else (role,)


def check(route: Route, roles: tuple[str, ...], world, client_for) -> None:
    client = client_for(roles)
    url = route_url(route, world)
    outcome = expected(route, roles)
    response = request(client, route.method, url, route.data(world))
    assert_outcome(response, outcome, url)
    if route.done is not None:
        assert route.done(world, client) is (outcome == route.ok), "data change does not match"


# --- the matrix ----------------------------------------------------------------------------

@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_permission_matrix(route, role, world, client_for):
    check(route, role_tuple(role), world, client_for)


@pytest.mark.parametrize("roles", [(INTERVIEWER, HM), (RECRUITER, INTERVIEWER)], ids="+".join)
@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_several_roles_get_the_union(route, roles, world, client_for):
    check(route, roles, world, client_for)


def test_union_sanity_interviewer_and_hiring_manager(world, client_for):
    """Spelled out for one case, so the union rule is not only derived from the table."""
    client = client_for((INTERVIEWER, HM))
    assert post(client, f"/bank/questions/{world.question.id}/retire").status_code == 302
    assert fresh(world, world.question).retired_at is not None
    assert client.get("/admin/users").status_code == 403


def test_every_route_is_in_the_table(app):
    in_app = {
        (rule.rule, method)
        for rule in app.url_map.iter_rules() if rule.endpoint != "static"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    from tests.test_api_permissions import API_ROUTES
    from tests.test_permissions_hiring import TEAM_ROUTES

    rows = [(route.rule, route.method) for route in [*ROUTES, *TEAM_ROUTES, *API_ROUTES]]
    in_table = set(rows)
    assert in_app - in_table == set(), "routes without a permission row"
    assert in_table - in_app == set(), "permission rows for routes that do not exist"
    assert len(in_table) == len(rows), "a route is listed twice"


def test_url_for_rule_fills_every_converter():
    values = {"requisition_id": 7, "token": "s3cret"}.__getitem__
    assert url_for_rule("/requisitions/<int:requisition_id>/job-description.<any(txt, md):fmt>",
                        values) == "/requisitions/7/job-description.txt"
    assert url_for_rule("/calendar/<token>.ics", values) == "/calendar/s3cret.ics"


# --- unknown ids ---------------------------------------------------------------------------

OBJECT_ROUTES = [route for route in ROUTES if "<int:" in route.rule]
MISSING_ID = 987_654


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", OBJECT_ROUTES, ids=str)
def test_unknown_id(route, role, world, client_for):
    roles = role_tuple(role)
    client = client_for(roles)
    url = url_for_rule(route.rule, lambda _name: MISSING_ID)
    response = request(client, route.method, url, route.data(world))
    outcome = expected(route, roles)
    if outcome == route.ok:
        outcome = Outcome(404)  # permitted: the lookup happens, and fails
    assert_outcome(response, outcome, url)


# --- spelled-out checks of the data behind a refusal ----------------------------------------

@pytest.mark.parametrize("role", [RECRUITER, INTERVIEWER])
def test_retire_refused_keeps_question_active(role, world, client_for):
    client = client_for((role,))
    response = post(client, f"/bank/questions/{world.question.id}/retire")
    assert response.status_code == 403
    assert fresh(world, world.question).retired_at is None
    assert client.get(f"/bank/questions/{world.question.id}").status_code == 200


@pytest.mark.parametrize("role", [RECRUITER, HM, INTERVIEWER])
def test_non_admin_cannot_grant_themselves_admin(role, world, client_for):
    client = client_for((role,))
    me = client.user
    response = post(client, f"/admin/users/{me.id}",
                    {"name": me.name, "roles": ["admin"], "time_zone": "UTC"})
    assert response.status_code == 403
    assert fresh(world, me).roles == {role}


# --- accounts that are switched off ---------------------------------------------------------

def test_deactivated_user_cannot_log_in(app, make_user):
    user = make_user("hiring_manager", "interviewer", active=False)
    client = app.test_client()
    response = log_in(client, user.email)
    assert response.status_code == 200
    assert LOGIN_REFUSED in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_deactivation_ends_a_live_session_and_reactivation_allows_login(app, make_user, login):
    admin_client = login(make_user("admin"))
    user = make_user("hiring_manager")
    user_client = login(user)
    assert user_client.get("/bank/questions/new").status_code == 200

    assert post(admin_client, f"/admin/users/{user.id}/deactivate").status_code == 302
    response = user_client.get("/bank/questions/new")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/login"
    assert log_in(app.test_client(), user.email).status_code == 200  # refused, form shown

    assert post(admin_client, f"/admin/users/{user.id}/reactivate").status_code == 302
    assert log_in(app.test_client(), user.email).status_code == 302


# --- the calendar feed: no login, the token is the credential ----------------------------------

def test_calendar_feed_with_a_valid_token_needs_no_login(app, world):
    response = app.test_client().get(f"/calendar/{world.feed_token}.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert response.get_data(as_text=True).startswith("BEGIN:VCALENDAR")
    assert "Target Person" in response.get_data(as_text=True)


@pytest.mark.parametrize("token", ["not-a-token", "x" * 43, "x" * 500, "None", "..%2Fadmin"])
def test_calendar_feed_with_an_unknown_token_is_404(app, world, token):
    world.feed_token  # noqa: B018 - someone has a feed; guessing it must not work
    response = app.test_client().get(f"/calendar/{token}.ics")
    assert response.status_code == 404
    assert "BEGIN:VCALENDAR" not in response.get_data(as_text=True)


def test_calendar_feed_is_404_once_revoked_replaced_or_deactivated(app, world, client_for):
    client = client_for((INTERVIEWER,))
    anonymous = app.test_client()
    old = client.token_before
    assert anonymous.get(f"/calendar/{old}.ics").status_code == 200
    made = post(client, "/account/calendar")
    assert made.status_code == 200
    new = re.search(r"/calendar/([A-Za-z0-9_-]+)\.ics", made.get_data(as_text=True)).group(1)
    assert anonymous.get(f"/calendar/{old}.ics").status_code == 404
    assert anonymous.get(f"/calendar/{new}.ics").status_code == 200
    assert post(client, "/account/calendar/revoke").status_code == 302
    assert anonymous.get(f"/calendar/{new}.ics").status_code == 404
    assert anonymous.get(f"/calendar/{world.feed_token}.ics").status_code == 200
    auth_service.deactivate_user(world.db, SYSTEM, world.target)
    world.db.flush()
    assert anonymous.get(f"/calendar/{world.feed_token}.ics").status_code == 404
