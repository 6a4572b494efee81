"""Schemathesis fuzzes every operation of /api/v1/openapi.json through the real app, with a
real token (an admin's, every scope) and real rows behind it: no server error, and every
answer (status, content type, headers, body) as the document says. Half the examples are
aimed at rows that exist, so that creates and updates succeed too, not only 404 and 422.
Bounded: 40 examples per operation (12 for a read by id). Then a stateful run follows the document's links (a
list's first item to its own operation), with the same checks: a few short scenarios."""

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

from interviewloop.audit.service import Actor
from interviewloop.debrief import service as debrief
from interviewloop.debrief.models import ANSWERS
from tests.api_support import make_token
from tests.factories import (
    add_to_team,
    make_candidate_with_loop,
    make_requisition,
    past_interview,
    write_scorecard,
)
from tests.test_api_permissions import API_ROUTES

EXAMPLES_PER_OPERATION = 40
# A read of one object by its id has little to vary (the id, the headers): fewer examples.
EXAMPLES_PER_READ = 12
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance, negative_data_rejection]


def aimed(case, ids: dict[str, int]):
    """The case with its ids (path, and a body's requisition_id) replaced by real ones, and
    If-Match "*" (any version: the fuzzer cannot know the current ETag)."""
    for name in case.path_parameters or {}:
        if name in ids:
            case.path_parameters[name] = ids[name]
    if case.headers and "If-Match" in case.headers:
        case.headers["If-Match"] = "*"
    if isinstance(case.body, dict) and "requisition_id" in case.body:
        case.body["requisition_id"] = ids["requisition_id"]
    return case


def fuzz(operation, ids: dict[str, int], headers: dict[str, str],
         statuses: Counter[tuple[str, int]]) -> None:
    name = f"{operation.method.upper()} {operation.path}"

    plain_read = operation.method.upper() == "GET" and not list(operation.query)
    examples = EXAMPLES_PER_READ if plain_read else EXAMPLES_PER_OPERATION

    @given(case=operation.as_strategy(), aim=st.booleans())
    @settings(max_examples=examples, deadline=None, derandomize=True,
              database=None, suppress_health_check=list(HealthCheck))
    def conforms(case, aim):
        response = (aimed(case, ids) if aim else case).call_and_validate(
            headers=headers, checks=CHECKS)
        statuses[(name, response.status_code)] += 1

    conforms()


def world(db_session, make_user) -> tuple[dict[str, int], dict[str, str]]:
    """A requisition whose candidate was interviewed, the scorecard in, the pre-offer check
    answered and a hold recorded; the ids of each, and an admin's token (every scope)."""
    manager, recruiter = make_user("hiring_manager"), make_user("recruiter")
    panelist = make_user("interviewer")
    requisition = make_requisition(db_session, manager, recruiter)
    add_to_team(db_session, requisition, manager, panelist)
    candidate, loop = make_candidate_with_loop(db_session, requisition, recruiter, 1)
    interview = past_interview(db_session, requisition, recruiter, candidate, loop.stages[0],
                               [panelist])
    card = write_scorecard(db_session, panelist, requisition, interview)
    check = debrief.answer_pre_offer(db_session, Actor(manager), requisition, candidate,
                                     dict.fromkeys(ANSWERS, ("strong", "Seen.")))
    decision = debrief.record_decision(db_session, Actor(manager), requisition, candidate,
                                       "hold", "One more conversation.")
    ids = {"requisition_id": requisition.id, "candidate_id": candidate.id,
           "scorecard_id": card.id, "check_id": check.id, "decision_id": decision.id}
    return ids, {"Authorization": f"Bearer {make_token(db_session, make_user('admin'))}"}


def test_api_conforms_to_its_document(app, db_session, make_user, bank):
    """Each operation in turn, through Hypothesis directly: schemathesis' pytest plugin
    (from_fixture) does not run under pytest 9."""
    ids, headers = world(db_session, make_user)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == len(API_ROUTES)  # every operation of the permission table
    statuses: Counter[tuple[str, int]] = Counter()
    for operation in operations:
        fuzz(operation, ids, headers, statuses)
    succeeded = {name for (name, status), _n in statuses.items() if status < 300}
    assert len(succeeded) == len(API_ROUTES), sorted(statuses.items())  # not only refusals


def test_stateful_runs_follow_the_links(app, db_session, make_user, bank):
    """Scenarios along the document's links: a list, then the first item it gave."""
    _ids, headers = world(db_session, make_user)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    followed: Counter[tuple[str, int]] = Counter()

    class Scenarios(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case):
            return {"headers": headers}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            followed[(f"{case.method} {case.operation.path}", response.status_code)] += 1
            case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs)

    Scenarios.run(settings=settings(max_examples=12, stateful_step_count=4, deadline=None,
                                    derandomize=True, database=None,
                                    suppress_health_check=list(HealthCheck)))
    reached = {name for (name, status), _n in followed.items() if status == 200}
    targets = {f"GET /api/v1{path}" for path in LINKED.values()}
    assert reached & targets, "\n".join(map(str, sorted(followed.items())))


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
