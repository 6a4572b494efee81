"""Response headers and CSRF (the security baseline in DESIGN.md)."""

from __future__ import annotations

from flask import Flask, Response, abort, request
from flask_wtf.csrf import CSRFProtect
from werkzeug.datastructures import MultiDict

csrf = CSRFProtect()

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
])


def init_app(app: Flask) -> None:
    csrf.init_app(app)
    app.before_request(_refuse_nul)
    app.after_request(_set_headers)


def _refuse_nul() -> None:
    """No page of ours sends a NUL character, and PostgreSQL text cannot hold one: refuse it
    here (400) rather than fail in the database (500)."""

    def has_nul(values: MultiDict[str, str]) -> bool:
        return any("\x00" in key or any("\x00" in v for v in vals) for key, vals in values.lists())

    if "\x00" in request.path or has_nul(request.args) or has_nul(request.form):
        abort(400, "The request contains a NUL character, which no field accepts.")


def _set_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    if not request.path.startswith("/static/"):
        # Pages may show candidate data: never cache them anywhere.
        headers["Cache-Control"] = "no-store"
    return response
