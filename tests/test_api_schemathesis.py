"""Schemathesis fuzzes every operation of /api/v1/openapi.json through the real app, with a
real token (an admin's, every scope) and real rows behind it: no server error, and every
answer (status, content type, headers, body) as the document says. Half the examples are
aimed at rows that exist, so that creates and updates succeed too, not only 404 and 422.
Bounded: 40 examples per operation, 240 in all."""

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

from tests.api_support import make_token
from tests.factories import make_candidate, make_requisition

EXAMPLES_PER_OPERATION = 40
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

    @given(case=operation.as_strategy(), aim=st.booleans())
    @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True,
              database=None, suppress_health_check=list(HealthCheck))
    def conforms(case, aim):
        response = (aimed(case, ids) if aim else case).call_and_validate(
            headers=headers, checks=CHECKS)
        statuses[(name, response.status_code)] += 1

    conforms()


def test_api_conforms_to_its_document(app, db_session, make_user):
    """Each operation in turn, through Hypothesis directly: schemathesis' pytest plugin
    (from_fixture) does not run under pytest 9."""
    manager, recruiter = make_user("hiring_manager"), make_user("recruiter")
    requisition = make_requisition(db_session, manager, recruiter)
    candidate = make_candidate(db_session, requisition, recruiter, 1)
    ids = {"requisition_id": requisition.id, "candidate_id": candidate.id}
    headers = {"Authorization": f"Bearer {make_token(db_session, make_user('admin'))}"}

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 6
    statuses: Counter[tuple[str, int]] = Counter()
    for operation in operations:
        fuzz(operation, ids, headers, statuses)
    succeeded = {name for (name, status), _n in statuses.items() if status < 300}
    assert len(succeeded) == 6, sorted(statuses.items())  # every operation, not only refusals
