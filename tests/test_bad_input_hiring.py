"""Bad input on the hiring forms: requisitions, candidates, the hiring team, loops,
scheduling, account settings and the board's filters. Each gets a 4xx with its reason in
the page, never a 500, and every table a hiring page could change stays as it was (see
hiring_state). Also CSRF on the new POST routes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from interviewloop.audit.service import SYSTEM, Actor
from interviewloop.bank import service as bank_service
from interviewloop.bank.models import Question, QuestionLevel
from interviewloop.db import Base
from interviewloop.loops.models import LoopStage
from interviewloop.scheduling import service as scheduling
from tests.conftest import post
from tests.test_bad_input import BAD_CHOICE, CSRF_REFUSED, REQUIRED, assert_refused, page_text
from tests.test_permissions import MISSING_ID
from tests.test_permissions_hiring import (
    TeamWorld,
    hiring_state,
    local_form_time,
    requisition_form,
    schedule_form,
    stage_form,
)

TOO_LONG = "Field cannot be longer than {} characters."


@pytest.fixture
def world(request, db_session, make_user):
    world = TeamWorld(request, db_session, make_user)
    world.former_recruiter = make_user("recruiter", name="Former Recruiter", active=False)
    return world


@pytest.fixture
def recruiter(world, login):
    return login(world.recruiter)


def changes_for(world, changes) -> dict:
    return changes(world) if callable(changes) else changes


def refused(client, db, url: str, form: dict | None, status: int, message: str):
    """POST (GET when form is None) and expect a refusal that changes nothing."""
    before = hiring_state(db)
    response = client.get(url) if form is None else post(client, url, form)
    assert_refused(response, status, message)
    assert hiring_state(db) == before
    return response


# --- requisitions: create and edit ---------------------------------------------------------

REQUISITION_CASES = {
    "no-title": ({"title": ""}, REQUIRED),
    "blank-title": ({"title": "   "}, REQUIRED),
    "huge-title": ({"title": "T" * 5_000}, TOO_LONG.format(120)),
    "no-team": ({"team": ""}, REQUIRED),
    "huge-answer": ({"ships": "S" * 10_000}, TOO_LONG.format(4000)),
    "huge-surface": ({"surface_models": "M" * 10_000}, TOO_LONG.format(4000)),
    "band-reversed": ({"comp_min": "250000", "comp_max": "200000"},
                      "The band's maximum is below its minimum."),
    "negative-min": ({"comp_min": "-1"}, "Number must be between 0 and 100000000."),
    "negative-band": ({"comp_min": "-500", "comp_max": "-100"},
                      "Number must be between 0 and 100000000."),
    "huge-max": ({"comp_max": "9" * 30}, "Number must be between 0 and 100000000."),
    "band-in-words": ({"comp_min": "lots"}, "Not a valid integer value."),
    "no-max": ({"comp_max": ""}, "Enter the band's maximum."),
    "currency-dollars": ({"comp_currency": "dollars"}, "Field must be exactly 3 characters long."),
    "currency-digits": ({"comp_currency": "123"}, "Use a three-letter currency code such as USD."),
    "no-currency": ({"comp_currency": ""}, REQUIRED),
    "unknown-level": ({"level": "principal"}, BAD_CHOICE),
    "unknown-manager": ({"hiring_manager_id": str(MISSING_ID)}, BAD_CHOICE),
    "manager-is-an-interviewer": (lambda w: {"hiring_manager_id": str(w.spare.id)}, BAD_CHOICE),
    "manager-id-in-words": ({"hiring_manager_id": "boss"}, "Invalid Choice: could not coerce."),
    "unknown-recruiter": ({"recruiter_id": str(MISSING_ID)}, BAD_CHOICE),
    "recruiter-is-a-manager": (lambda w: {"recruiter_id": str(w.manager.id)}, BAD_CHOICE),
    "recruiter-deactivated": (lambda w: {"recruiter_id": str(w.former_recruiter.id)}, BAD_CHOICE),
}


@pytest.mark.parametrize(("changes", "message"), REQUISITION_CASES.values(),
                         ids=REQUISITION_CASES.keys())
def test_create_requisition_refuses(world, recruiter, db_session, changes, message):
    form = requisition_form(world.requisition, title="Applied Scientist, Ranking", version="")
    refused(recruiter, db_session, "/requisitions/new",
            {**form, **changes_for(world, changes)}, 422, message)


def test_create_requisition_accepts_the_good_form(world, recruiter, db_session):
    """The baseline the refusals above differ from by one field."""
    form = requisition_form(world.requisition, title="Applied Scientist, Ranking", version="")
    count = len(hiring_state(db_session)["requisitions"])
    assert post(recruiter, "/requisitions/new", form).status_code == 302
    assert len(hiring_state(db_session)["requisitions"]) == count + 1


EDIT_CASES = {**REQUISITION_CASES, "blank-answer-while-open": (
    {"fails_in_seat": " "}, "An open requisition keeps every operating question answered")}


@pytest.mark.parametrize(("changes", "message"), EDIT_CASES.values(), ids=EDIT_CASES.keys())
def test_edit_requisition_refuses(world, recruiter, db_session, changes, message):
    form = requisition_form(world.requisition, **changes_for(world, changes))
    refused(recruiter, db_session, f"/requisitions/{world.requisition.id}/edit", form, 422,
            message)


@pytest.mark.parametrize(("version", "status", "message"), [
    ("abc", 400, "The form's version field is malformed."),
    ("1.5", 400, "The form's version field is malformed."),
    ("0", 409, "Someone else changed this requisition"),
    ("", 409, "Someone else changed this requisition"),
    ("99", 409, "Someone else changed this requisition"),
])
def test_edit_requisition_with_a_bad_version(world, recruiter, db_session, version, status,
                                             message):
    form = requisition_form(world.requisition, title="Typed before the clash", version=version)
    response = refused(recruiter, db_session, f"/requisitions/{world.requisition.id}/edit", form,
                       status, message)
    if status == 409:
        assert 'value="Typed before the clash"' in page_text(response)  # the input is kept


def test_a_stale_edit_is_409_keeps_the_input_and_offers_the_new_version(world, recruiter, login,
                                                                       db_session):
    url = f"/requisitions/{world.requisition.id}/edit"
    seen = requisition_form(world.requisition)  # both opened the form at this version
    assert post(login(world.manager), url, {**seen, "title": "The manager's title"}
                ).status_code == 302
    response = refused(recruiter, db_session, url, {**seen, "title": "The recruiter's title"},
                       409, "Someone else changed this requisition")
    db_session.expire_all()
    assert world.requisition.title == "The manager's title"
    assert 'value="The recruiter\'s title"' in page_text(response)
    assert f'name="version" type="hidden" value="{world.requisition.version}"' in page_text(
        response)


# --- candidates -----------------------------------------------------------------------------

GOOD_CANDIDATE = {"name": "Grace Hopper", "email": "grace@example.org", "source": "Referral",
                  "notes": "Met at a meetup."}
CANDIDATE_CASES = {
    "no-name": ({"name": ""}, REQUIRED),
    "huge-name": ({"name": "N" * 5_000}, TOO_LONG.format(120)),
    "no-email": ({"email": ""}, REQUIRED),
    "bad-email": ({"email": "not-an-email"}, "Invalid email address."),
    "two-ats": ({"email": "grace@@example.org"}, "Invalid email address."),
    "huge-email": ({"email": "g" * 300 + "@example.org"}, TOO_LONG.format(254)),
    "duplicate-email-other-case": (lambda w: {"email": w.candidate.email.upper()},
                                   "A candidate with this email is already on this requisition."),
    "huge-source": ({"source": "S" * 500}, TOO_LONG.format(120)),
    "notes-over-10000": ({"notes": "N" * 10_001}, TOO_LONG.format(10000)),
    "huge-notes": ({"notes": "N" * 200_000}, TOO_LONG.format(10000)),
}


@pytest.mark.parametrize(("changes", "message"), CANDIDATE_CASES.values(),
                         ids=CANDIDATE_CASES.keys())
def test_add_candidate_refuses(world, recruiter, db_session, changes, message):
    world.candidate  # noqa: B018 - the one a duplicate clashes with
    form = {**GOOD_CANDIDATE, **changes_for(world, changes)}
    refused(recruiter, db_session, f"/requisitions/{world.requisition.id}/candidates/new", form,
            422, message)


@pytest.mark.parametrize(("changes", "message"), CANDIDATE_CASES.values(),
                         ids=CANDIDATE_CASES.keys())
def test_edit_candidate_refuses(world, recruiter, db_session, changes, message):
    world.candidate  # noqa: B018
    form = {**GOOD_CANDIDATE, "version": str(world.newcomer.version),
            **changes_for(world, changes)}
    url = f"/requisitions/{world.requisition.id}/candidates/{world.newcomer.id}/edit"
    refused(recruiter, db_session, url, form, 422, message)


@pytest.mark.parametrize(("version", "status", "message"), [
    ("abc", 400, "The form's version field is malformed."),
    ("0", 409, "Someone else changed this candidate"),
    ("", 409, "Someone else changed this candidate"),
    ("99", 409, "Someone else changed this candidate"),
])
def test_edit_candidate_with_a_bad_version(world, recruiter, db_session, version, status,
                                           message):
    url = f"/requisitions/{world.requisition.id}/candidates/{world.newcomer.id}/edit"
    form = {**GOOD_CANDIDATE, "name": "Typed before the clash", "version": version}
    response = refused(recruiter, db_session, url, form, status, message)
    if status == 409:
        assert 'value="Typed before the clash"' in page_text(response)  # the input is kept


def test_notes_of_exactly_10000_characters_are_accepted(world, recruiter, db_session):
    form = {**GOOD_CANDIDATE, "notes": "N" * 10_000}
    url = f"/requisitions/{world.requisition.id}/candidates/new"
    assert post(recruiter, url, form).status_code == 302


def test_no_candidates_on_a_draft_requisition(world, recruiter, db_session):
    refused(recruiter, db_session, f"/requisitions/{world.draft.id}/candidates/new",
            GOOD_CANDIDATE, 409, "Candidates are added to open requisitions only")


# --- the hiring team ------------------------------------------------------------------------

ADD_REFUSED = "Choose an active interviewer to add."
TEAM_CASES = {
    "unknown-user": (lambda w, make_user: str(MISSING_ID), 400, ADD_REFUSED),
    "not-an-interviewer": (lambda w, make_user: str(w.manager.id), 400, ADD_REFUSED),
    "deactivated": (lambda w, make_user: str(make_user("interviewer", active=False).id), 400,
                    ADD_REFUSED),
    "empty": (lambda w, make_user: "", 400, ADD_REFUSED),
    "words": (lambda w, make_user: "everyone", 400, ADD_REFUSED),
    "already-a-member": (lambda w, make_user: str(w.member.id), 409,
                         "Mo Member is already on the hiring team."),
}


@pytest.mark.parametrize(("user_id", "status", "message"), TEAM_CASES.values(),
                         ids=TEAM_CASES.keys())
def test_add_team_member_refuses(world, recruiter, db_session, make_user, user_id, status,
                                 message):
    form = {"user_id": user_id(world, make_user)}
    refused(recruiter, db_session, f"/requisitions/{world.requisition.id}/team", form, status,
            message)


def test_removing_someone_not_on_the_team_is_404(world, recruiter, db_session):
    refused(recruiter, db_session, f"/requisitions/{world.requisition.id}/team/{world.spare.id}"
            "/remove", {}, 404, "That person is not on the hiring team.")


# --- loops: add a stage, swap a question, move and remove stages ----------------------------

STAGE_CASES = {
    "no-name": ({"name": ""}, REQUIRED),
    "huge-name": ({"name": "N" * 200}, TOO_LONG.format(80)),
    "bad-category": ({"category": "trivia"}, BAD_CHOICE),
    "minutes-0": ({"minutes": "0"}, "Number must be between 5 and 240."),
    "minutes-999": ({"minutes": "999"}, "Number must be between 5 and 240."),
    "minutes-words": ({"minutes": "an hour"}, "Not a valid integer value."),
    "no-minutes": ({"minutes": ""}, "Enter the minutes."),
    "questions-0": ({"question_count": "0"}, "Number must be between 1 and 5."),
    "questions-9": ({"question_count": "9"}, "Number must be between 1 and 5."),
    "no-focus": ({"focus": []}, "Choose a focus area."),
    "unknown-focus": ({"focus": ["no-such-area"]}, "'no-such-area' is not a valid choice"),
}


def loop_url(world, tail: str = "") -> str:
    return f"/requisitions/{world.requisition.id}/candidates/{world.candidate.id}{tail}"


@pytest.mark.parametrize(("changes", "message"), STAGE_CASES.values(), ids=STAGE_CASES.keys())
def test_add_stage_refuses(world, recruiter, db_session, changes, message):
    refused(recruiter, db_session, loop_url(world, "/loop/stages"),
            stage_form(world, **changes), 422, message)


def test_a_focus_area_sent_twice_counts_once(world, recruiter, db_session):
    """Was a 500: the second copy broke loop_stage_areas' primary key."""
    form = stage_form(world, focus=[world.area_slug, world.area_slug])
    assert post(recruiter, loop_url(world, "/loop/stages"), form).status_code == 302
    stage_areas = Base.metadata.tables["loop_stage_areas"]
    stage_id = db_session.scalar(select(LoopStage.id).where(LoopStage.name == form["name"]))
    assert len(db_session.execute(select(stage_areas).where(
        stage_areas.c.stage_id == stage_id)).all()) == 1


def other_questions(world, *, same_category: bool):
    """Active questions that suit the loop's level, not in the loop, by category."""
    stage_category = world.stage.category
    return world.db.scalars(select(Question).where(
        Question.retired_at.is_(None),
        (Question.category == stage_category) if same_category
        else (Question.category != stage_category),
        Question.id.not_in(world.first_questions.values()),
        Question.id.in_(select(QuestionLevel.question_id).where(
            QuestionLevel.level == world.loop.level))).order_by(Question.id)).all()


def retired_fit(world) -> int:
    question = other_questions(world, same_category=True)[0]
    bank_service.retire_question(world.db, SYSTEM, question)
    world.db.flush()
    return question.id


def already_in_loop(world) -> int:
    same = [lq.question_id for s in world.loop.stages for lq in s.questions
            if s.category == world.stage.category and lq.id != world.loop_question.id]
    assert same, "the template has no second question of this category"
    return same[0]


NOT_FIT = "That question is retired, of another category or does not suit this level."
SWAP_CASES = {
    "other-category": (lambda w: other_questions(w, same_category=False)[0].id, 400, NOT_FIT),
    "retired": (retired_fit, 400, NOT_FIT),
    "already-in-the-loop": (already_in_loop, 400, "That question is already in this loop"),
    "unknown": (lambda w: MISSING_ID, 400, NOT_FIT),
    "huge": (lambda w: "9" * 30, 400, NOT_FIT),
    "past-32-bits": (lambda w: str(2**31), 400, NOT_FIT),
    "past-64-bits": (lambda w: str(2**63), 400, NOT_FIT),
    "words": (lambda w: "the hard one", 400, "Choose a question from the list"),
    "zero": (lambda w: "0", 400, "Choose a question from the list"),
}


@pytest.mark.parametrize(("question_id", "status", "message"), SWAP_CASES.values(),
                         ids=SWAP_CASES.keys())
def test_swap_refuses(world, recruiter, db_session, question_id, status, message):
    url = loop_url(world, f"/loop/questions/{world.loop_question.id}/swap")
    refused(recruiter, db_session, url, {"question_id": str(question_id(world))}, status, message)


@pytest.mark.parametrize(("action", "stage", "status", "message"), [
    ("move", "stage", 400, "Move a stage up or down."),
    ("move", "last", 409, "The stage is already at that end of the loop."),
    ("move", "scheduled", 409, "is scheduled; cancel its interview before changing it."),
    ("remove", "scheduled", 409, "is scheduled; cancel its interview before changing it."),
    ("swap", "scheduled", 409, "is scheduled; cancel its interview before changing it."),
], ids=["sideways", "last-down", "move-scheduled", "remove-scheduled", "swap-scheduled"])
def test_loop_edits_refused(world, recruiter, db_session, action, stage, status, message):
    stage_id = {"stage": world.stage.id, "last": world.last_stage_id,
                "scheduled": world.interview.stage_id}[stage]
    direction = "sideways" if stage == "stage" else "down"
    if action == "swap":
        loop_question = world.loop.stages[0].questions[0].id
        tail = f"/loop/questions/{loop_question}/swap"
    else:
        tail = f"/loop/stages/{stage_id}/{action}"
    refused(recruiter, db_session, loop_url(world, tail),
            {"direction": direction, "question_id": ""}, status, message)


# --- scheduling -----------------------------------------------------------------------------

SCHEDULE_CASES = {
    "no-interviewers": ({"interviewers": []}, 422, "Choose at least one interviewer."),
    "interviewer-off-the-team": (lambda w: {"interviewers": [str(w.spare.id)]}, 422,
                                 "is not a valid choice for this field."),
    "manager-as-interviewer": (lambda w: {"interviewers": [str(w.manager.id)]}, 422,
                               "is not a valid choice for this field."),
    "start-in-the-past": (lambda w: {"starts_at": local_form_time(-1)}, 409,
                          "The start time is in the past."),
    "malformed-start": ({"starts_at": "next tuesday"}, 422, "Not a valid datetime value."),
    "impossible-date": ({"starts_at": "2030-02-30T10:00"}, 422, "Not a valid datetime value."),
    "no-start": ({"starts_at": ""}, 422, "Enter a start date and time."),
    "minutes-0": ({"minutes": "0"}, 409, "The interview would end before it starts."),
    "minutes-minus-30": ({"minutes": "-30"}, 409, "The interview would end before it starts."),
    "minutes-481": ({"minutes": "481"}, 409, "An interview lasts 5 to 480 minutes."),
    "minutes-100000": ({"minutes": "100000"}, 422, "An interview lasts 5 to 480 minutes."),
    "minutes-words": ({"minutes": "an hour"}, 422, "Not a valid integer value."),
    "huge-location": ({"location": "L" * 600}, 422, TOO_LONG.format(500)),
}
RESCHEDULE_CASES = {**SCHEDULE_CASES,
                    "huge-reason": ({"reason": "R" * 600}, 422, TOO_LONG.format(500))}


@pytest.mark.parametrize(("changes", "status", "message"), SCHEDULE_CASES.values(),
                         ids=SCHEDULE_CASES.keys())
def test_schedule_refuses(world, recruiter, db_session, changes, status, message):
    form = schedule_form(world, 5, **changes_for(world, changes))
    refused(recruiter, db_session, loop_url(world, f"/stages/{world.stage.id}/schedule"), form,
            status, message)


@pytest.mark.parametrize(("changes", "status", "message"), RESCHEDULE_CASES.values(),
                         ids=RESCHEDULE_CASES.keys())
def test_reschedule_refuses(world, recruiter, db_session, changes, status, message):
    form = schedule_form(world, 6, **changes_for(world, changes))
    refused(recruiter, db_session, f"/interviews/{world.interview.id}/reschedule", form, status,
            message)


def test_a_wall_clock_time_skipped_by_daylight_saving_is_refused(world, login, db_session):
    world.manager.time_zone = "Europe/Paris"
    db_session.flush()
    form = schedule_form(world, 5, starts_at="2030-03-31T02:30")  # clocks jump 02:00 → 03:00
    refused(login(world.manager), db_session, loop_url(world, f"/stages/{world.stage.id}/schedule"),
            form, 422, "does not exist in Europe/Paris")


def test_a_scheduled_stage_is_not_scheduled_twice(world, recruiter, db_session):
    url = loop_url(world, f"/stages/{world.interview.stage_id}/schedule")
    refused(recruiter, db_session, url, schedule_form(world, 5), 409,
            "This stage is already scheduled; reschedule it instead.")


def test_cancel_with_a_600_character_reason(world, recruiter, db_session):
    refused(recruiter, db_session, f"/interviews/{world.interview.id}/cancel",
            {"reason": "R" * 600}, 400, "Keep the reason under 500 characters.")


def test_a_cancelled_interview_is_not_cancelled_or_rescheduled_again(world, recruiter,
                                                                     db_session):
    scheduling.cancel(db_session, Actor(world.recruiter), world.requisition, world.interview)
    db_session.flush()
    url = f"/interviews/{world.interview.id}"
    refused(recruiter, db_session, f"{url}/cancel", {}, 409, "already cancelled")
    refused(recruiter, db_session, f"{url}/reschedule", schedule_form(world, 6), 409,
            "This interview was cancelled")


# --- account settings and the board's filters -----------------------------------------------

ACCOUNT_CASES = {
    "unknown-zone": ({"time_zone": "Mars/Olympus_Mons"}, "Unknown time zone"),
    "no-zone": ({"time_zone": ""}, REQUIRED),
    "huge-zone": ({"time_zone": "Z" * 5_000}, TOO_LONG.format(64)),
    "cap-0": ({"weekly_interview_cap": "0"}, "Number must be between 1 and 50."),
    "cap-51": ({"weekly_interview_cap": "51"}, "Number must be between 1 and 50."),
    "cap-negative": ({"weekly_interview_cap": "-3"}, "Number must be between 1 and 50."),
    "cap-huge": ({"weekly_interview_cap": "9" * 30}, "Number must be between 1 and 50."),
    "cap-many": ({"weekly_interview_cap": "many"}, "Not a valid integer value."),
}


@pytest.mark.parametrize(("changes", "message"), ACCOUNT_CASES.values(), ids=ACCOUNT_CASES.keys())
def test_account_settings_refuse(world, login, db_session, changes, message):
    form = {"time_zone": "Europe/Paris", "weekly_interview_cap": "5", **changes}
    refused(login(world.member), db_session, "/account", form, 422, message)


def test_account_settings_accept_the_good_form(world, login, db_session):
    client = login(world.member)
    form = {"time_zone": "Europe/Paris", "weekly_interview_cap": ""}  # empty: no cap
    assert post(client, "/account", form).status_code == 302
    db_session.expire_all()
    assert (world.member.time_zone, world.member.weekly_interview_cap) == ("Europe/Paris", None)


@pytest.mark.parametrize(("page", "query", "message"), [
    ("board", "state=bogus", "Filter by unscheduled, scheduled or done."),
    ("board", "state=" + "s" * 5_000, "Filter by unscheduled, scheduled or done."),
    ("board", "status=bogus", "Unknown candidate status."),
    ("board", "status=" + "s" * 5_000, "Unknown candidate status."),
    ("dashboard", "sort=bogus", "Sort by one of:"),
    ("dashboard", "status=bogus", "Unknown candidate status."),
])
def test_board_and_dashboard_filters_refuse(world, recruiter, db_session, page, query, message):
    refused(recruiter, db_session, f"/requisitions/{world.requisition.id}/{page}?{query}", None,
            400, message)


# --- NUL characters: PostgreSQL text cannot hold them, so they must not reach it -------------

NUL = "The request contains a NUL character, which no field accepts."
NUL_CASES = {
    "requisition-title": lambda w: ("/requisitions/new",
                                    requisition_form(w.requisition, title="A\x00B", version="")),
    "requisition-answer": lambda w: (f"/requisitions/{w.requisition.id}/edit",
                                     requisition_form(w.requisition, ships="x\x00")),
    "candidate-name": lambda w: (f"/requisitions/{w.requisition.id}/candidates/new",
                                 {**GOOD_CANDIDATE, "name": "Grace\x00Hopper"}),
    "stage-name": lambda w: (loop_url(w, "/loop/stages"), stage_form(w, name="\x00")),
    "location": lambda w: (loop_url(w, f"/stages/{w.stage.id}/schedule"),
                           schedule_form(w, 5, location="Room\x004")),
    "cancel-reason": lambda w: (f"/interviews/{w.interview.id}/cancel", {"reason": "a\x00"}),
    "field-name": lambda w: ("/account", {"time_zone": "UTC", "x\x00": "1"}),
    "board-filter": lambda w: (f"/requisitions/{w.requisition.id}/board?state=%00", None),
    "bank-search": lambda w: ("/bank/?q=model%00", None),
    "feed-token": lambda w: ("/calendar/abc%00def.ics", None),
}


@pytest.mark.parametrize("case", NUL_CASES.keys())
def test_nul_characters_are_refused(world, recruiter, db_session, case):
    url, form = NUL_CASES[case](world)
    refused(recruiter, db_session, url, form, 400, NUL)


# --- CSRF -----------------------------------------------------------------------------------

CSRF_CASES = {
    "create-requisition": lambda w: ("/requisitions/new", requisition_form(w.requisition)),
    "edit-requisition": lambda w: (f"/requisitions/{w.requisition.id}/edit",
                                   requisition_form(w.requisition, title="Sneaky")),
    "close": lambda w: (f"/requisitions/{w.requisition.id}/close", {}),
    "add-member": lambda w: (f"/requisitions/{w.requisition.id}/team", {"user_id": w.spare.id}),
    "add-candidate": lambda w: (f"/requisitions/{w.requisition.id}/candidates/new",
                                GOOD_CANDIDATE),
    "build-loop": lambda w: (f"/requisitions/{w.requisition.id}/candidates/{w.newcomer.id}/loop",
                             {}),
    "add-stage": lambda w: (loop_url(w, "/loop/stages"), stage_form(w)),
    "swap": lambda w: (loop_url(w, f"/loop/questions/{w.loop_question.id}/swap"), {}),
    "schedule": lambda w: (loop_url(w, f"/stages/{w.stage.id}/schedule"), schedule_form(w, 5)),
    "cancel": lambda w: (f"/interviews/{w.interview.id}/cancel", {}),
    "account": lambda w: ("/account", {"time_zone": "Asia/Tokyo"}),
    "calendar-token": lambda w: ("/account/calendar", {}),
}


@pytest.mark.parametrize("token", [None, "forged-token"], ids=["absent", "forged"])
@pytest.mark.parametrize("case", CSRF_CASES.keys())
def test_post_without_valid_csrf_token_is_refused(world, recruiter, db_session, case, token):
    url, data = CSRF_CASES[case](world)
    before = hiring_state(db_session)
    form = dict(data) if token is None else {**data, "csrf_token": token}
    assert_refused(recruiter.post(url, data=form), 400, CSRF_REFUSED)
    assert hiring_state(db_session) == before
