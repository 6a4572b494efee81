"""Errors on /api as application/problem+json (RFC 9457), never an HTML page.

The app's own handlers (interviewloop/errors.py, ratelimit.py) answer the web pages; here
each is wrapped so that a request under /api/ gets a problem document instead, with the
same status and reason. Validation problems name the field at fault in ``errors``."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from flask import Flask, current_app, g, request
from flask import json as flask_json
from flask_limiter import RateLimitExceeded
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.wrappers import Response

from interviewloop.errors import DomainError

PROBLEM = "application/problem+json"
API_PREFIX = "/api/"


class ApiProblem(Exception):
    """Raised by API views for a refusal that no service raised (a precondition, a scope)."""

    def __init__(self, status: int, detail: str, *, field: str | None = None,
                 headers: Mapping[str, str] | None = None,
                 errors: list[dict[str, str]] | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.field = status, detail, field
        self.headers = dict(headers or {})
        self.errors = errors  # several fields at fault, each {field, message}


def problem(status: int, detail: str, *, errors: list[dict[str, str]] | None = None,
            headers: Mapping[str, str] | None = None) -> Response:
    body: dict[str, Any] = {"type": "about:blank", "title": HTTP_STATUS_CODES.get(status, "Error"),
                            "status": status, "detail": detail, "instance": request.path}
    if errors:
        body["errors"] = errors
    response = Response(flask_json.dumps(body), status=status, mimetype=PROBLEM)
    response.headers.update(headers or {})
    return response


def field_problem(status: int, detail: str, field: str | None) -> Response:
    return problem(status, detail, errors=[{"field": field, "message": detail}] if field else None)


def _rollback() -> None:
    session = g.get("db_session")
    if session is not None:
        session.rollback()


def _flatten(messages: Any, prefix: str = "") -> Iterator[dict[str, str]]:
    """webargs' {"json": {"name": ["Missing data."]}} as [{"field": "name", ...}]."""
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            yield from _flatten(value, name)
    elif isinstance(messages, list | tuple) and all(isinstance(m, str) for m in messages):
        for message in messages:
            yield {"field": prefix, "message": message}
    else:
        for index, item in enumerate(messages or []):
            yield from _flatten(item, f"{prefix}.{index}")


def _http(exc: HTTPException) -> Response:
    status = exc.code or 500
    data = getattr(exc, "data", None) or {}
    if status == 422 and "messages" in data:  # webargs: the request's fields, by location
        errors = [{"field": e["field"].split(".", 1)[-1], "message": e["message"]}
                  for e in _flatten(data["messages"])]
        return problem(422, "The request has invalid fields.", errors=errors)
    headers = {"Allow": exc.response.headers["Allow"]} if (
        status == 405 and exc.response is not None and "Allow" in exc.response.headers) else None
    if status == 405 and headers is None:
        allowed = getattr(exc, "valid_methods", None)
        headers = {"Allow": ", ".join(allowed)} if allowed else None
    return problem(status, exc.description or HTTP_STATUS_CODES.get(status, ""), headers=headers)


def _domain(exc: DomainError) -> Response:
    _rollback()
    status = exc.status_code if exc.status_code != 400 else 422  # a rule refused the values
    return field_problem(status, str(exc), getattr(exc, "field", None))


def _api_problem(exc: ApiProblem) -> Response:
    _rollback()
    response = problem(exc.status, exc.detail, errors=exc.errors) if exc.errors else \
        field_problem(exc.status, exc.detail, exc.field)
    response.headers.update(exc.headers)
    return response


def _integrity(exc: IntegrityError) -> Response:
    from interviewloop.constraints import explanation_for, violated
    from interviewloop.db import Base

    _rollback()
    explanation = explanation_for(violated(exc, Base.metadata), Base.metadata)
    return problem(explanation.status, explanation.message)


def _stale(_exc: StaleDataError) -> Response:
    _rollback()
    return problem(412, "Someone changed this resource a moment ago; read it again and retry "
                        "with its new ETag.")


def _too_many(exc: RateLimitExceeded) -> Response:
    from interviewloop.ratelimit import retry_after_seconds

    wait = retry_after_seconds()
    return problem(429, f"Too many requests; try again in {wait} seconds.",
                   headers={"Retry-After": str(wait)})


def _unexpected(exc: Exception) -> Response:
    current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
    _rollback()
    return problem(500, "Something went wrong on our side; it has been logged.")


API_HANDLERS: dict[type[Exception], Callable[[Any], Response]] = {
    HTTPException: _http, DomainError: _domain, ApiProblem: _api_problem,
    IntegrityError: _integrity, StaleDataError: _stale, RateLimitExceeded: _too_many,
    Exception: _unexpected,
}


def init_app(app: Flask) -> None:
    """Wrap the app's handler for each kind of error: /api/ paths get a problem document."""
    handlers = app.error_handler_spec[None]
    unexpected = handlers.get(None, {}).get(Exception)
    for exc_class, api_handler in API_HANDLERS.items():
        # Flask files an HTTPException subclass's handler under its status (429 here).
        code = exc_class.code if issubclass(exc_class, HTTPException) else None
        existing = handlers.get(code, {}).get(exc_class) or unexpected
        app.register_error_handler(exc_class, _either(api_handler, existing))


def _either(api_handler: Callable[[Any], Response],
            web_handler: Callable[[Any], Any] | None) -> Callable[[Any], Any]:
    def handle(exc: Exception) -> Any:
        if request.path.startswith(API_PREFIX) or web_handler is None:
            return api_handler(exc)
        return web_handler(exc)

    return handle
