"""Schemathesis fuzzes every operation of /api/v1/openapi.json through the real app, with a
real token (an admin's, every scope) and real rows behind it: no server error, and every
answer (status, content type, headers, body) as the document says. Half the examples are
aimed at rows that exist, so that creates and updates succeed too, not only 404 and 422.
Bounded: 25 examples per operation (12 for a plain read by id). Then stateful runs follow
the document's links (a list's first item to its get, a created question to its get and
update, a scorecard to its candidate's debrief), with the same checks: 30 runs of up to 6
calls."""

from __future__ import annotations

from collections import Counter

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from interviewloop.audit.service import Actor
from interviewloop.bank.models import CapabilityArea
from interviewloop.debrief import service as debrief
from interviewloop.debrief.models import ANSWERS
from tests.api_support import interview_world, make_token
from tests.factories import make_candidate_with_loop, past_interview, write_scorecard
from tests.test_api_permissions import API_ROUTES

EXAMPLES_PER_OPERATION = 25
# A read of one object by its id has little to vary (the id, the headers): fewer examples.
EXAMPLES_PER_READ = 12
# Of the gets the stateful runs must reach through links, with ids from earlier answers: 3
# of the 4 of loops, interviews, users and the bank, and 3 of the 4 of scorecards, the
# debrief, checks and decisions (the run reaches 3 and 4 of them; which depends on the whole
# document, so one of each may drop out when the document grows).
GETS_REACHED = 4  # of the 8 gets the document's links lead to
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance, negative_data_rejection]
FILLERS = {"signals": ["Names the metric", "Bisects the change", "Reads the eval diff"],
           "red_flags": ["Blames the model", "Ships blind"]}


def aimed(case, ids: dict[str, int], area: str):
    """The case with its ids (path, and a body's requisition_id) replaced by real ones,
    If-Match "*" (any version: the fuzzer cannot know the current ETag), and a question's
    lists filled to what the bank asks (known areas, enough signals and red flags)."""
    for name in case.path_parameters or {}:
        if name in ids:
            case.path_parameters[name] = ids[name]
    if case.headers and "If-Match" in case.headers:
        case.headers["If-Match"] = "*"
    if isinstance(case.body, dict):
        if "requisition_id" in case.body:
            case.body["requisition_id"] = ids["requisition_id"]
        if "areas" in case.body:
            case.body["areas"] = [area]
        if "benchmarks" in case.body:
            case.body["benchmarks"] = []
        for name, filler in FILLERS.items():
            if isinstance(case.body.get(name), list):
                case.body[name] = [*filler, *case.body[name]][:10]
    return case


def fuzz(operation, ids: dict[str, int], area: str, headers: dict[str, str],
         statuses: Counter[tuple[str, int]]) -> None:
    name = f"{operation.method.upper()} {operation.path}"

    plain_read = operation.method.upper() == "GET" and not list(operation.query)
    examples = EXAMPLES_PER_READ if plain_read else EXAMPLES_PER_OPERATION

    @given(case=operation.as_strategy(), aim=st.booleans())
    @settings(max_examples=examples, deadline=None, derandomize=True,
              database=None, suppress_health_check=list(HealthCheck))
    def conforms(case, aim):
        response = (aimed(case, ids, area) if aim else case).call_and_validate(
            headers=headers, checks=CHECKS)
        statuses[(name, response.status_code)] += 1

    conforms()


def world(db_session, make_user) -> tuple[dict[str, int], str, dict[str, str]]:
    """A loop with an interview, in the real bank; a second candidate interviewed, the
    scorecard in, the pre-offer check answered and a hold recorded; the ids of each, an
    area's slug, and the headers of an admin's calls (every scope)."""
    w = interview_world(db_session, make_user)
    requisition, manager, panelist = w["requisition"], w["manager"], w["interviewer"]
    debriefed, loop = make_candidate_with_loop(db_session, requisition, w["recruiter"], 2)
    interview = past_interview(db_session, requisition, w["recruiter"], debriefed,
                               loop.stages[0], [panelist])
    card = write_scorecard(db_session, panelist, requisition, interview)
    check = debrief.answer_pre_offer(db_session, Actor(manager), requisition, debriefed,
                                     dict.fromkeys(ANSWERS, ("strong", "Seen.")))
    decision = debrief.record_decision(db_session, Actor(manager), requisition, debriefed,
                                       "hold", "One more conversation.")
    ids = {"requisition_id": requisition.id, "candidate_id": debriefed.id,
           "loop_id": w["loop"].id, "interview_id": w["interview"].id,
           "question_id": w["loop"].stages[0].questions[0].question_id,
           "user_id": panelist.id, "scorecard_id": card.id, "check_id": check.id,
           "decision_id": decision.id}
    area = db_session.scalar(select(CapabilityArea.slug).order_by(CapabilityArea.position))
    headers = {"Authorization": f"Bearer {make_token(db_session, make_user('admin'))}"}
    return ids, area, headers


def test_api_conforms_to_its_document(app, db_session, make_user, bank):
    """Each operation in turn, through Hypothesis directly: schemathesis' pytest plugin
    (from_fixture) does not run under pytest 9."""
    ids, area, headers = world(db_session, make_user)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == len(API_ROUTES)  # every operation of the permission table
    statuses: Counter[tuple[str, int]] = Counter()
    for operation in operations:
        fuzz(operation, ids, area, headers, statuses)
    succeeded = {name for (name, status), _n in statuses.items() if status < 300}
    assert len(succeeded) == len(API_ROUTES), sorted(statuses.items())  # not only refusals


def test_stateful_runs_follow_the_links(app, db_session, make_user, bank):
    _ids, _area, headers = world(db_session, make_user)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    # Unknown query parameters are ignored, as clients expect (webargs' EXCLUDE), not refused;
    # and the token is ours, not one the fuzzer made up.
    schema.config.generation.update(allow_extra_parameters=False, with_security_parameters=False)
    # Only the document's own links: none that Schemathesis would infer from names.
    schema.config.phases.stateful.inference.algorithms = []
    followed: Counter[str] = Counter()

    class Workflow(schema.as_state_machine()):  # type: ignore[misc]
        def before_call(self, case):
            """Lists unfiltered (a made-up filter finds nothing, and an empty page offers
            no link to follow): the fuzzing above covers the filters."""
            if case.query and not case.path_parameters:
                case.query = {k: v for k, v in case.query.items() if k == "limit"}

        def get_call_kwargs(self, case):
            return {"headers": headers}

        def step(self, input):
            output = super().step(input)
            # A get whose id a link took from an earlier answer, and found.
            if input.transition is not None and input.is_applied and \
                    output.response.status_code == 200:
                followed[f"{input.case.method} {input.case.operation.path}"] += 1
            return output

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs)

    Workflow.run(settings=settings(max_examples=30, stateful_step_count=6, deadline=None,
                                   derandomize=True, database=None,
                                   suppress_health_check=list(HealthCheck)))
    # Gets reached through the document's links, with ids from earlier answers: real rows,
    # read (most of them: which ones a run reaches depends on the whole document).
    gets = {"GET /api/v1/loops/{loop_id}", "GET /api/v1/interviews/{interview_id}",
            "GET /api/v1/users/{user_id}", "GET /api/v1/bank/questions/{question_id}"}
    hiring_gets = {f"GET /api/v1{path}" for path in LINKED.values()}
    # Which gets a derandomized run reaches also depends on what ran before it in the same
    # process (Schemathesis caches strategies), so the bar is on all linked gets together.
    assert len((gets | hiring_gets) & set(followed)) >= GETS_REACHED, sorted(followed.items())


# Each list links its first item to the operation that reads one (and a scorecard to its
# candidate's debrief): what the stateful runs follow.
LINKED = {"/scorecards": "/scorecards/{scorecard_id}",
          "/scorecards/{scorecard_id}": "/candidates/{candidate_id}/debrief",
          "/pre-offer-checks": "/pre-offer-checks/{check_id}",
          "/decisions": "/decisions/{decision_id}"}


def test_the_document_links_lists_to_their_items(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    ids = {path: op["operationId"] for path, item in paths.items() for method, op in item.items()
           if method == "get" and "operationId" in op}
    for source, target in LINKED.items():
        links = paths[f"/api/v1{source}"]["get"]["responses"]["200"]["links"]
        assert [link["operationId"] for link in links.values()] == [ids[f"/api/v1{target}"]]
