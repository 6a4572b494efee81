"""OpenAPI links between operations (a list's first item to its get, a create to its get
and update), so that clients, and Schemathesis' stateful runs, can follow one answer into
the next call. Operations are named by operationId."""

from __future__ import annotations

from typing import Any


def links(status: int, **targets: dict[str, str]) -> dict[str, Any]:
    """bp.doc(**links(200, getLoop={"loop_id": "$response.body#/items/0/id"})): a link from
    this operation's ``status`` answer to each target operation, with its parameters."""
    return {"responses": {status: {"links": {  # int, as flask-smorest keys its responses
        name[0].upper() + name[1:]: {"operationId": name, "parameters": parameters}
        for name, parameters in targets.items()}}}}


FIRST_ITEM = "$response.body#/items/0/id"
BODY_ID = "$response.body#/id"
CANDIDATE_OF_BODY = "$response.body#/candidate_id"  # a loop's, a scorecard's
