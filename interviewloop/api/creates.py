"""A create sent with an Idempotency-Key: a retry gets the first answer again, and nothing
is made twice (api/idempotency.py keeps the answers). Every create operation goes through
``idempotent_create``, so they all treat the header alike."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import request
from werkzeug.wrappers import Response

from interviewloop import limits
from interviewloop.api import auth, idempotency
from interviewloop.api.problems import ApiProblem
from interviewloop.db import db

_KEY = re.compile(r"[\x21-\x7e]+")  # visible ASCII, as the header draft recommends
IDEMPOTENCY_KEY = {"in": "header", "name": "Idempotency-Key", "required": False,
                   "description": "Send the same key to retry safely: the first answer is "
                                  "returned again, and nothing is created twice.",
                   "schema": {"type": "string", "minLength": limits.IDEMPOTENCY_KEY.low,
                              "maxLength": limits.IDEMPOTENCY_KEY.high}}


def idempotent_create(create: Callable[[], tuple[str, dict[str, str]]]) -> Response:
    """201 with what ``create`` made (its JSON body and headers), or the answer an earlier
    request with the same key got (422 if that request was a different one)."""
    owner = auth.caller()
    key = request.headers.get("Idempotency-Key")
    fingerprint = idempotency.fingerprint(request.method, request.path, request.get_data())
    if key is not None:
        if len(key) not in limits.IDEMPOTENCY_KEY or not _KEY.fullmatch(key):
            raise ApiProblem(422, "An Idempotency-Key is 1 to 255 visible ASCII characters.",
                             field="Idempotency-Key")
        earlier = idempotency.earlier_answer(db.session, owner, key)
        if earlier is not None:
            if earlier.request_hash != fingerprint:
                raise ApiProblem(422, "This Idempotency-Key was used for a different request; "
                                      "use a new key for a new request.",
                                 field="Idempotency-Key")
            replay = Response(earlier.response_body, status=earlier.status_code,
                              mimetype="application/json")
            replay.headers.update({**earlier.response_headers, "Idempotent-Replayed": "true"})
            return replay
    body, headers = create()
    if key is not None:
        idempotency.remember(db.session, owner, key, fingerprint, status_code=201, body=body,
                             headers=headers)
    response = Response(body, status=201, mimetype="application/json")
    response.headers.update(headers)
    return response
