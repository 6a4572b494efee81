"""Response headers and CSRF (the security baseline in DESIGN.md)."""

from __future__ import annotations

import io

from flask import Flask, Response, abort, current_app, request
from flask_wtf.csrf import CSRFProtect
from werkzeug.datastructures import MultiDict
from werkzeug.middleware.proxy_fix import ProxyFix

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



def policy_with_form_action(*origins: str) -> str:
    """The Content-Security-Policy, with forms also allowed to lead to ``origins``: browsers
    check form-action on the redirects after a submission too (the single sign-on button
    posts here, then is redirected to the identity provider)."""
    return CONTENT_SECURITY_POLICY.replace("form-action 'self'",
                                           " ".join(["form-action 'self'", *origins]))


# A year, with subdomains (ASVS 3.4.1): browsers then refuse plain HTTP to the app's host.
STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"


def init_app(app: Flask) -> None:
    trust_proxies(app)
    app.before_request(_bound_streamed_body)  # first: before CSRF reads the form
    csrf.init_app(app)
    app.before_request(_refuse_nul)
    app.after_request(_set_headers)


def trust_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXIES proxies, the client's address (audit log, rate limits) and
    scheme are the ones the nearest proxies say; each proxy appends to X-Forwarded-For, so
    only that many entries from the right are believed, and one a client forged on the left
    is not. With 0 the headers are ignored: anyone can send them."""
    hops = app.config["TRUSTED_PROXIES"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]


def _bound_streamed_body() -> None:
    """A body sent without Content-Length (chunked) is read here, up to MAX_CONTENT_LENGTH:
    one byte more is a 413. (Werkzeug would stop reading at the limit and hand the form
    parser a body cut short, which it would process as if whole.)"""
    environ = request.environ
    if request.content_length is not None or not environ.get("wsgi.input_terminated"):
        return
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    stream, body = environ["wsgi.input"], bytearray()
    while len(body) <= limit:
        chunk = stream.read(min(64 * 1024, limit + 1 - len(body)))
        if not chunk:
            break
        body.extend(chunk)
    if len(body) > limit:
        abort(413)
    environ["wsgi.input"] = io.BytesIO(bytes(body))
    environ["CONTENT_LENGTH"] = str(len(body))


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
    if current_app.config["ENV"] == "production":  # served over HTTPS (README, Production)
        headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
    if not request.path.startswith("/static/"):
        # Pages may show candidate data: never cache them anywhere.
        headers["Cache-Control"] = "no-store"
    return response
