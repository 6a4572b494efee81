"""Bad input on every form: missing, malformed and oversized values get a form error
(422; 400 for the bank's GET filters) with a message in the page, never a 500, and the
data stays exactly as it was. Also CSRF, request size, password policy, duplicate
emails, unknown ids and the last-admin rule."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import func, select

from interviewloop.auth.models import LoginSession, User
from interviewloop.auth.service import LOGIN_REFUSED
from interviewloop.bank import service as bank_service
from interviewloop.bank.models import Question, QuestionArea, QuestionLevel, QuestionPoint
from tests.conftest import PASSWORD, log_in, post

REQUIRED = "This field is required."
BAD_CHOICE = "Not a valid choice."
LAST_ADMIN = "This is the last active admin; make someone else admin first."
CSRF_REFUSED = "missing its security token"


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def assert_refused(response, status: int, message: str) -> None:
    assert response.status_code == status, page_text(response)[:800]
    assert message in page_text(response)


def users_state(db) -> list[tuple]:
    """Everything about every user and login session that a request could change."""
    db.expire_all()
    users = [(u.id, u.email, u.name, u.time_zone, u.is_active, u.password_hash,
              u.failed_logins, sorted(u.roles)) for u in db.scalars(select(User).order_by(User.id))]
    sessions = db.scalars(select(LoginSession.id).where(LoginSession.ended_at.is_(None))).all()
    return [*users, ("live sessions", sorted(sessions))]


def questions_state(db) -> list[tuple]:
    db.expire_all()
    rows = db.execute(select(
        Question.id, Question.slug, Question.title, Question.prompt, Question.category,
        Question.suggested_minutes, Question.version, Question.retired_at,
    ).order_by(Question.id)).all()
    counts = [db.scalar(select(func.count()).select_from(t))
              for t in (QuestionPoint, QuestionLevel, QuestionArea)]
    return [*map(tuple, rows), tuple(counts)]


@pytest.fixture
def admin(make_user):
    return make_user("admin", name="Ada Admin", email="ada@example.com")


@pytest.fixture
def admin_client(login, admin):
    return login(admin)


@pytest.fixture
def target(make_user):
    return make_user("interviewer", name="Tess Target", email="tess@example.com",
                     time_zone="Europe/Paris")


@pytest.fixture
def question(db_session, bank):
    first = db_session.scalar(select(Question.id).order_by(Question.slug).limit(1))
    return bank_service.get_question(db_session, first)


def question_form(question, **changes) -> dict:
    data = bank_service.question_input(question)
    form = {
        "title": data.title, "category": data.category, "prompt": data.prompt,
        "signals": "\n".join(data.signals), "red_flags": "\n".join(data.red_flags),
        "areas": data.areas, "levels": data.levels, "benchmarks": data.benchmarks,
        "minutes": str(data.minutes), "version": str(question.version),
    }
    return {**form, **changes}


# --- login ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("form", "message"), [
    ({}, REQUIRED),
    ({"password": PASSWORD}, REQUIRED),
    ({"email": "tess@example.com"}, REQUIRED),
    ({"email": "x" * 10_000 + "@example.com", "password": PASSWORD},
     "Field cannot be longer than 254 characters."),
    ({"email": "tess@example.com", "password": "p" * 10_000},
     "Field cannot be longer than 128 characters."),
], ids=["nothing", "no-email", "no-password", "huge-email", "huge-password"])
def test_login_form_errors(app, db_session, target, form, message):
    before = users_state(db_session)
    client = app.test_client()
    assert_refused(post(client, "/login", form), 422, message)
    assert client.get("/").status_code == 302
    assert users_state(db_session) == before


@pytest.mark.parametrize(("email", "status", "message"), [
    ("not-an-email", 200, LOGIN_REFUSED),
    ("tess@@example.com", 200, LOGIN_REFUSED),
    ("@", 200, LOGIN_REFUSED),
    ("   ", 422, REQUIRED),
])
def test_login_with_malformed_email(app, db_session, target, email, status, message):
    # By design the login form does not say whether an address is well formed or known:
    # a malformed one gets the same generic refusal as a wrong password.
    before = users_state(db_session)
    client = app.test_client()
    assert_refused(log_in(client, email), status, message)
    assert client.get("/").status_code == 302
    assert users_state(db_session) == before


# --- admin: create user --------------------------------------------------------------------

GOOD_USER = {"email": "new.person@example.com", "name": "New Person", "roles": ["recruiter"],
             "time_zone": "UTC", "password": "a-fresh-long-passphrase"}

CREATE_CASES = {
    "no-email": ({"email": ""}, REQUIRED),
    "invalid-email": ({"email": "not-an-email"}, "Invalid email address."),
    "huge-email": ({"email": "x" * 10_000 + "@example.com"},
                   "Field cannot be longer than 254 characters."),
    "no-name": ({"name": ""}, REQUIRED),
    "blank-name": ({"name": "   "}, REQUIRED),
    "huge-name": ({"name": "N" * 10_000}, "Field cannot be longer than 120 characters."),
    "no-role": ({"roles": []}, "Choose at least one role."),
    "unknown-role": ({"roles": ["superuser"]}, "'superuser' is not a valid choice for this field."),
    "unknown-and-known-role": ({"roles": ["admin", "owner"]}, "'owner' is not a valid choice"),
    "unknown-time-zone": ({"time_zone": "Mars/Olympus_Mons"}, BAD_CHOICE),
    "empty-time-zone": ({"time_zone": ""}, BAD_CHOICE),
    "huge-time-zone": ({"time_zone": "Z" * 5_000}, BAD_CHOICE),
    "no-password": ({"password": ""}, REQUIRED),
    "short-password": ({"password": "short"}, "Field must be between 8 and 128 characters long."),
    "huge-password": ({"password": "p" * 10_000}, "Field must be between 8 and 128 characters long."),
    "common-password": ({"password": "password123"}, "among the most common ones"),
    "common-password-upper": ({"password": "PASSWORD123"}, "among the most common ones"),
    "password-is-email": ({"email": "maxwell.smart@example.com", "password": "maxwell.smart"},
                          "Do not use your email address as your password."),
    "duplicate-email-other-case": ({"email": "TESS@Example.COM"},
                                   "A user with this email already exists."),
}


@pytest.mark.parametrize(("changes", "message"), CREATE_CASES.values(), ids=CREATE_CASES.keys())
def test_create_user_refuses(admin_client, db_session, target, changes, message):
    before = users_state(db_session)
    response = post(admin_client, "/admin/users/new", {**GOOD_USER, **changes})
    assert_refused(response, 422, message)
    assert users_state(db_session) == before


def test_create_user_accepts_the_good_form(admin_client, db_session, target):
    """The baseline the refusals above differ from by one field."""
    count = len(users_state(db_session))
    assert post(admin_client, "/admin/users/new", GOOD_USER).status_code == 302
    assert len(users_state(db_session)) == count + 1


# --- admin: edit user, reset password -------------------------------------------------------

EDIT_CASES = {
    "no-name": ({"name": ""}, REQUIRED),
    "huge-name": ({"name": "N" * 10_000}, "Field cannot be longer than 120 characters."),
    "no-role": ({"roles": []}, "Choose at least one role."),
    "unknown-role": ({"roles": ["root"]}, "'root' is not a valid choice for this field."),
    "unknown-time-zone": ({"time_zone": "Europe/Atlantis"}, BAD_CHOICE),
    "huge-time-zone": ({"time_zone": "Z" * 5_000}, BAD_CHOICE),
}


@pytest.mark.parametrize(("changes", "message"), EDIT_CASES.values(), ids=EDIT_CASES.keys())
def test_edit_user_refuses(admin_client, db_session, target, changes, message):
    before = users_state(db_session)
    form = {"name": "Tess Renamed", "roles": ["interviewer"], "time_zone": "UTC", **changes}
    assert_refused(post(admin_client, f"/admin/users/{target.id}", form), 422, message)
    assert users_state(db_session) == before


PASSWORD_CASES = {
    "missing": ("", REQUIRED),
    "short": ("seven77", "Field must be between 8 and 128 characters long."),
    "129-chars": ("p" * 129, "Field must be between 8 and 128 characters long."),
    "huge": ("p" * 10_000, "Field must be between 8 and 128 characters long."),
    "common": ("password123", "among the most common ones"),
    "common-2": ("iloveyou", "among the most common ones"),
    "email-local-part": ("tess@example.com", "Do not use your email address as your password."),
}


@pytest.mark.parametrize(("password", "message"), PASSWORD_CASES.values(), ids=PASSWORD_CASES.keys())
def test_reset_password_refuses(admin_client, db_session, target, password, message):
    before = users_state(db_session)
    response = post(admin_client, f"/admin/users/{target.id}/password", {"password": password})
    assert_refused(response, 422, message)
    assert users_state(db_session) == before


# --- the last active admin -------------------------------------------------------------------

def test_last_admin_cannot_be_deactivated(admin_client, admin, make_user, db_session):
    make_user("admin", name="Former Admin", active=False)  # a deactivated admin does not count
    before = users_state(db_session)
    assert_refused(post(admin_client, f"/admin/users/{admin.id}/deactivate"), 409, LAST_ADMIN)
    assert users_state(db_session) == before
    assert admin_client.get("/admin/users").status_code == 200  # still admin, still logged in


def test_last_admin_cannot_lose_the_admin_role(admin_client, admin, db_session):
    before = users_state(db_session)
    form = {"name": admin.name, "roles": ["hiring_manager"], "time_zone": "UTC"}
    assert_refused(post(admin_client, f"/admin/users/{admin.id}", form), 409, LAST_ADMIN)
    assert users_state(db_session) == before


def test_with_a_second_admin_the_role_can_go(admin_client, admin, make_user, db_session):
    make_user("admin", name="Backup Admin")
    form = {"name": admin.name, "roles": ["hiring_manager"], "time_zone": "UTC"}
    assert post(admin_client, f"/admin/users/{admin.id}", form).status_code == 302
    db_session.expire_all()
    assert db_session.get(User, admin.id).roles == {"hiring_manager"}


@pytest.mark.parametrize(("action", "message"), [
    ("deactivate", "This user is already deactivated."),
    ("reactivate", "This user is already active."),
], ids=["deactivate-twice", "reactivate-active"])
def test_repeated_account_actions_conflict(admin_client, db_session, make_user, action, message):
    user = make_user("recruiter", active=action == "reactivate")
    before = users_state(db_session)
    assert_refused(post(admin_client, f"/admin/users/{user.id}/{action}"), 409, message)
    assert users_state(db_session) == before


# --- bank: create and edit a question --------------------------------------------------------

QUESTION_CASES = {
    "no-title": ({"title": ""}, REQUIRED),
    "blank-title": ({"title": "   "}, REQUIRED),
    "huge-title": ({"title": "T" * 5_000}, "Field cannot be longer than 200 characters."),
    "no-category": ({"category": ""}, REQUIRED),
    "unknown-category": ({"category": "trivia"}, BAD_CHOICE),
    "no-prompt": ({"prompt": ""}, REQUIRED),
    "huge-prompt": ({"prompt": "P" * 10_000}, "Field cannot be longer than 4000 characters."),
    "two-signals": ({"signals": "one\ntwo"}, "Needs at least 3 items, has 2"),
    "long-signal": ({"signals": "one\ntwo\n" + "s" * 600}, "Has an item longer than 500 characters"),
    "one-red-flag": ({"red_flags": "only one"}, "Needs at least 2 items, has 1"),
    "no-area": ({"areas": []}, "Choose at least one area."),
    "unknown-area": ({"areas": ["no-such-area"]}, "'no-such-area' is not a valid choice"),
    "same-area-twice": ({"areas": ["ml-systems", "ml-systems"]}, "Lists the same item twice"),
    "no-level": ({"levels": []}, "Choose at least one level."),
    "unknown-level": ({"levels": ["principal"]}, "'principal' is not a valid choice"),
    "unknown-benchmark": ({"benchmarks": ["vibes"]}, "'vibes' is not a valid choice"),
    "no-minutes": ({"minutes": ""}, "Enter the suggested minutes."),
    "minutes-abc": ({"minutes": "abc"}, "Not a valid integer value."),
    "minutes-fraction": ({"minutes": "12.5"}, "Not a valid integer value."),
    "minutes-0": ({"minutes": "0"}, "Number must be between 5 and 120."),
    "minutes-negative": ({"minutes": "-5"}, "Number must be between 5 and 120."),
    "minutes-9999": ({"minutes": "9999"}, "Number must be between 5 and 120."),
    "minutes-huge": ({"minutes": "9" * 40}, "Number must be between 5 and 120."),
}


@pytest.mark.parametrize(("changes", "message"), QUESTION_CASES.values(), ids=QUESTION_CASES.keys())
def test_create_question_refuses(admin_client, db_session, question, changes, message):
    form = question_form(question, title="A new question on canary releases", version="")
    before = questions_state(db_session)
    response = post(admin_client, "/bank/questions/new", {**form, **changes})
    assert_refused(response, 422, message)
    assert questions_state(db_session) == before


@pytest.mark.parametrize(("changes", "message"), QUESTION_CASES.values(), ids=QUESTION_CASES.keys())
def test_edit_question_refuses(admin_client, db_session, question, changes, message):
    form = {**question_form(question, title="An edited title"), **changes}
    before = questions_state(db_session)
    response = post(admin_client, f"/bank/questions/{question.id}/edit", form)
    assert_refused(response, 422, message)
    assert questions_state(db_session) == before


@pytest.mark.parametrize(("version", "status", "message"), [
    ("abc", 400, "The form's version field is malformed."),
    ("0", 409, "Someone else changed this question"),
    ("999", 409, "Someone else changed this question"),
])
def test_edit_question_with_bad_version(admin_client, db_session, question, version, status, message):
    form = question_form(question, title="An edited title", version=version)
    before = questions_state(db_session)
    response = post(admin_client, f"/bank/questions/{question.id}/edit", form)
    assert_refused(response, status, message)
    assert questions_state(db_session) == before


def test_edit_question_accepts_the_good_form(admin_client, db_session, question):
    form = question_form(question, title="An edited title")
    assert post(admin_client, f"/bank/questions/{question.id}/edit", form).status_code == 302
    db_session.expire_all()
    assert db_session.get(Question, question.id).title == "An edited title"


# --- bank: list filters (GET) ----------------------------------------------------------------

FILTER_CASES = {
    "page-negative": ("page=-1", "Number must be between 1 and 100000."),
    "page-zero": ("page=0", "Number must be between 1 and 100000."),
    "page-abc": ("page=abc", "Not a valid integer value."),
    "page-huge": ("page=" + "9" * 30, "Number must be between 1 and 100000."),
    "category-bogus": ("category=bogus", BAD_CHOICE),
    "level-bogus": ("level=principal", BAD_CHOICE),
    "area-bogus": ("area=no-such-area", BAD_CHOICE),
    "benchmark-bogus": ("benchmark=vibes", BAD_CHOICE),
    "status-bogus": ("status=deleted", BAD_CHOICE),
    "q-huge": ("q=" + "w" * 10_000, "Field cannot be longer than 200 characters."),
}


@pytest.mark.parametrize(("query", "message"), FILTER_CASES.values(), ids=FILTER_CASES.keys())
def test_bank_filters_refuse(login, make_user, question, query, message):
    client = login(make_user("interviewer"))
    response = client.get(f"/bank/?{query}")
    assert_refused(response, 400, message)
    assert "Fix the filters above" in page_text(response)


def test_bank_filters_accept_good_values(login, make_user, question):
    client = login(make_user("interviewer"))
    response = client.get("/bank/?category=system_design&level=senior&status=all&page=1&q=model")
    assert response.status_code == 200
    assert "Fix the filters" not in page_text(response)


# --- unknown ids -----------------------------------------------------------------------------

NO_ROUTE = "requested URL was not found"  # the id does not even match <int:...>


@pytest.mark.parametrize(("path", "message"), [
    ("/admin/users/{missing}", "No such user."),
    ("/admin/users/abc", NO_ROUTE),
    ("/admin/users/-1", NO_ROUTE),
    ("/admin/users/1.5", NO_ROUTE),
    ("/admin/users/" + "9" * 30, NO_ROUTE),
    ("/bank/questions/{missing}", "No such question."),
    ("/bank/questions/0", "No such question."),
    ("/bank/questions/2147483648", NO_ROUTE),  # past INTEGER: a 404, not a database error
    ("/bank/questions/{missing}/edit", "No such question."),
    ("/bank/questions/x/edit", NO_ROUTE),
])
def test_unknown_ids_are_404(admin_client, question, path, message):
    response = admin_client.get(path.format(missing=question.id + 100_000))
    assert_refused(response, 404, message)


@pytest.mark.parametrize("path", [
    "/admin/users/{missing}", "/admin/users/{missing}/deactivate", "/admin/users/{missing}/reactivate",
    "/admin/users/{missing}/password", "/bank/questions/{missing}/edit",
    "/bank/questions/{missing}/retire", "/bank/questions/{missing}/unretire",
    "/admin/users/" + "9" * 30 + "/deactivate",
])
def test_unknown_ids_on_post_are_404_and_change_nothing(admin_client, db_session, question, path):
    before = users_state(db_session), questions_state(db_session)
    response = post(admin_client, path.format(missing=question.id + 100_000), {"password": PASSWORD})
    assert response.status_code == 404
    assert (users_state(db_session), questions_state(db_session)) == before


# --- CSRF and request size -------------------------------------------------------------------

def csrf_case(name: str, target, question) -> tuple[str, dict]:
    return {
        "create-user": ("/admin/users/new", GOOD_USER),
        "edit-user": (f"/admin/users/{target.id}",
                      {"name": "X", "roles": ["admin"], "time_zone": "UTC"}),
        "deactivate": (f"/admin/users/{target.id}/deactivate", {}),
        "password": (f"/admin/users/{target.id}/password", {"password": "a-fresh-long-passphrase"}),
        "create-question": ("/bank/questions/new",
                            question_form(question, title="Sneaky", version="")),
        "edit-question": (f"/bank/questions/{question.id}/edit",
                          question_form(question, title="Sneaky")),
        "retire": (f"/bank/questions/{question.id}/retire", {}),
        "logout": ("/logout", {}),
    }[name]


@pytest.mark.parametrize("token", [None, "", "forged-token"], ids=["absent", "empty", "forged"])
@pytest.mark.parametrize("case", ["create-user", "edit-user", "deactivate", "password",
                                  "create-question", "edit-question", "retire", "logout"])
def test_post_without_valid_csrf_token_is_refused(admin_client, db_session, target, question,
                                                  case, token):
    url, data = csrf_case(case, target, question)  # built before the snapshot expires `question`
    before = users_state(db_session), questions_state(db_session)
    form = dict(data) if token is None else {**data, "csrf_token": token}
    assert_refused(admin_client.post(url, data=form), 400, CSRF_REFUSED)
    assert (users_state(db_session), questions_state(db_session)) == before
    assert admin_client.get("/admin/users").status_code == 200  # not even logged out


def test_login_without_csrf_token_is_refused(app, db_session, target):
    client = app.test_client()
    response = client.post("/login", data={"email": target.email, "password": PASSWORD})
    assert_refused(response, 400, CSRF_REFUSED)
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(("url", "form"), [
    ("/login", {"email": "tess@example.com\x00", "password": PASSWORD}),
    ("/admin/users/new", {**GOOD_USER, "name": "New\x00Person"}),
    ("/bank/?q=canary%00", None),
], ids=["login", "create-user", "bank-search"])
def test_nul_characters_are_400_not_a_database_error(app, admin_client, db_session, question,
                                                     url, form):
    """PostgreSQL text cannot hold NUL: without the check these were 500s there."""
    client = app.test_client() if url == "/login" else admin_client
    before = users_state(db_session), questions_state(db_session)
    response = client.get(url) if form is None else post(client, url, form)
    assert_refused(response, 400, "The request contains a NUL character")
    assert (users_state(db_session), questions_state(db_session)) == before


@pytest.mark.parametrize("url", ["/login", "/admin/users/new"])
def test_body_over_max_content_length_is_413(app, admin_client, db_session, url):
    assert app.config["MAX_CONTENT_LENGTH"] == 1_000_000
    before = users_state(db_session)
    # Several fields under Werkzeug's per-field limit, together over the 1 MB request cap.
    padding = {f"pad{i}": "x" * 300_000 for i in range(4)}
    client = admin_client if url != "/login" else app.test_client()
    response = post(client, url, {**GOOD_USER, **padding})
    assert response.status_code == 413
    assert "Too Large" in page_text(response)
    assert users_state(db_session) == before
