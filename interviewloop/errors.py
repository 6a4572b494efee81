"""Generic error pages: a short reason, never a stack trace."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException, InternalServerError


class DomainError(Exception):
    """A rule of the domain refused the request; the message says why, for the user."""

    status_code = 400


class NotFound(DomainError):
    status_code = 404


class Forbidden(DomainError):
    status_code = 403


class Conflict(DomainError):
    status_code = 409


class InvalidInput(DomainError):
    """Input a service refuses (422); ``field`` names the input at fault, for forms and the
    API's problem details."""

    status_code = 422

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(IntegrityError, constraint_refused)
    app.register_error_handler(Exception, _unexpected_error)


def _render(status: int, title: str, reason: str) -> tuple[str, int]:
    return render_template("error.html", status=status, title=title, reason=reason), status


def _csrf_error(exc: CSRFError) -> tuple[str, int]:
    return _render(400, "Form expired", "The form was missing its security token or it had "
                   "expired. Go back, reload the page and try again.")


def _http_error(exc: HTTPException) -> tuple[str, int]:
    return _render(exc.code or 500, exc.name, exc.description or "")


def _domain_error(exc: DomainError) -> tuple[str, int]:
    titles = {400: "Bad request", 403: "Forbidden", 404: "Not found", 409: "Conflict"}
    return _render(exc.status_code, titles.get(exc.status_code, "Error"), str(exc))


def constraint_refused(exc: IntegrityError) -> tuple[str, int]:
    """A constraint fired in the database (a race the service's checks could not see, or a
    path that skipped them): nothing is saved, and the person is told what clashed."""
    from flask import current_app, g

    from interviewloop.constraints import explanation_for, violated
    from interviewloop.db import Base

    session = g.get("db_session")
    if session is not None:
        session.rollback()
    name = violated(exc, Base.metadata)
    explanation = explanation_for(name, Base.metadata)
    current_app.logger.warning("constraint %s refused %s %s", name, request.method, request.path)
    title = "Conflict" if explanation.status == 409 else "Not saved"
    return _render(explanation.status, title, explanation.message)


def _unexpected_error(exc: Exception) -> tuple[str, int]:
    from flask import current_app, g

    current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
    session = g.get("db_session")
    if session is not None:  # a failed transaction must not break the error page too
        session.rollback()
    return _render(500, "Server error", InternalServerError.description)
