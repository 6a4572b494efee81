"""/api/v1/bank/questions: the question bank. Read by anyone signed in (as /bank is);
created and changed by its editors only (bank.service.can_edit_bank: hiring managers and
admins), through the bank's services and its validation, with each field at fault."""

from __future__ import annotations

from typing import Any

from flask import json, url_for
from flask.typing import ResponseReturnValue

from interviewloop.api import auth, resource_queries
from interviewloop.api.bank_schemas import (
    QuestionCreate,
    QuestionListQuery,
    QuestionPage,
    QuestionSchema,
    QuestionUpdate,
)
from interviewloop.api.creates import IDEMPOTENCY_KEY, idempotent_create
from interviewloop.api.links import BODY_ID, FIRST_ITEM, links
from interviewloop.api.models import ApiScope
from interviewloop.api.problems import ApiProblem
from interviewloop.api.spec import if_match
from interviewloop.api.views import (
    ETAG_HEADER,
    bp,
    etag,
    json_response,
    operation,
    required_version,
    window,
)
from interviewloop.bank import service
from interviewloop.bank.models import Question
from interviewloop.bank.schema import QuestionInput
from interviewloop.db import db

TO_QUESTION = {"getQuestion": {"question_id": BODY_ID},
               "updateQuestion": {"question_id": BODY_ID}}


def _headers(question: Question) -> dict[str, str]:
    return {"ETag": etag(question.version),
            "Location": url_for("api_v1.get_question", question_id=question.id)}


def _require_editor() -> None:
    if not service.can_edit_bank(auth.caller()):
        raise ApiProblem(403, "Only hiring managers and admins edit the question bank.")


def _input(data: dict[str, Any], current: QuestionInput | None = None) -> QuestionInput:
    """What was sent, over the question as it is (or a new one's defaults)."""
    base = current or QuestionInput(slug="", category="", title="", prompt="", signals=[],
                                    red_flags=[], areas=[], levels=[])
    values = {name: data.get(name, getattr(base, name)) for name in (
        "title", "prompt", "signals", "red_flags", "areas", "benchmarks", "minutes")}
    category = data.get("category")
    levels = data.get("levels")
    return QuestionInput(slug=base.slug, category=category.value if category else base.category,
                         levels=[lv.value for lv in levels] if levels is not None else base.levels,
                         **values)


def _refused(exc: service.InvalidQuestion) -> ApiProblem:
    return ApiProblem(422, str(exc), errors=[{"field": p.field, "message": p.message}
                                             for p in exc.problems])


@bp.get("/bank/questions")
@operation(ApiScope.READ_BANK)
@bp.arguments(QuestionListQuery, location="query")
@bp.response(200, QuestionPage)
@bp.doc(operationId="listQuestions", **links(200, getQuestion={"question_id": FIRST_ITEM}))
def list_questions(args: dict[str, Any]) -> ResponseReturnValue:
    """Bank questions (active ones unless status says otherwise), with their signals, red
    flags, areas and levels; filter by words, category, level, area or benchmark."""
    filters = service.BankFilters(category=args.get("category"), level=args.get("level"),
                                  area=args.get("area"), benchmark=args.get("benchmark"),
                                  text=args.get("q", ""), status=args["status"])
    page = resource_queries.question_page(db.session, window(args), filters)
    return json_response(QuestionPage(), page)


@bp.get("/bank/questions/<int:question_id>")
@operation(ApiScope.READ_BANK)
@bp.response(200, QuestionSchema, headers=ETAG_HEADER)
@bp.doc(operationId="getQuestion")
def get_question(question_id: int) -> ResponseReturnValue:
    """One question."""
    question = service.get_question(db.session, question_id)
    return json_response(QuestionSchema(), question, headers={"ETag": etag(question.version)})


@bp.post("/bank/questions")
@operation(ApiScope.WRITE_BANK, 422)
@bp.arguments(QuestionCreate)
@bp.doc(parameters=[IDEMPOTENCY_KEY], operationId="createQuestion", **links(201, **TO_QUESTION))
@bp.response(201, QuestionSchema, headers=ETAG_HEADER)
def create_question(data: dict[str, Any]) -> ResponseReturnValue:
    """Add a question to the bank (editors: hiring managers and admins)."""
    _require_editor()

    def create() -> tuple[str, dict[str, str]]:
        try:
            question = service.create_question(db.session, auth.api_actor(), _input(data))
        except service.InvalidQuestion as exc:
            raise _refused(exc) from None
        question = service.get_question(db.session, question.id)
        return json.dumps(QuestionSchema().dump(question)), _headers(question)

    return idempotent_create(create)


@bp.patch("/bank/questions/<int:question_id>")
@operation(ApiScope.WRITE_BANK, 412, 422, 428)
@bp.arguments(QuestionUpdate)
@bp.doc(parameters=[if_match("question")], operationId="updateQuestion")
@bp.response(200, QuestionSchema, headers=ETAG_HEADER)
def update_question(data: dict[str, Any], question_id: int) -> ResponseReturnValue:
    """Change some of a question's fields; send If-Match with its ETag (412 if it changed
    since). Editors only."""
    question = service.get_question(db.session, question_id)
    _require_editor()
    seen = required_version(question.version)
    try:
        service.update_question(db.session, auth.api_actor(), question,
                                _input(data, service.question_input(question)),
                                seen_version=seen)
    except service.InvalidQuestion as exc:
        raise _refused(exc) from None
    except service.StaleQuestion:
        raise ApiProblem(412, "This question changed a moment ago; read it again.") from None
    return json_response(QuestionSchema(), question, headers=_headers(question))
