"""Rate limits (Flask-Limiter): one named limit per purpose, each set in config.

Counts live in RATELIMIT_STORAGE_URI: ``memory://`` for one process (``make run``),
``redis://...`` in production, so that every worker and host shares them. Flask-Limiter's
moving window hits before it checks (atomically in Redis), so N parallel requests across
workers never get more than the limit through. A new purpose (two-factor, the API) gets its
limit by decorating its view::

    @limiter.limit(configured("RATELIMIT_TWO_FACTOR"), methods=["POST"],
                   error_message="Too many codes tried from your address.")

A refusal is the app's error page with status 429 and a ``Retry-After`` header.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from flask import Flask, current_app, render_template, request
from flask_limiter import Limiter, RateLimitExceeded


def client_address() -> str:
    """The client's address as the app sees it (after ProxyFix, when proxies are trusted)."""
    return request.remote_addr or "unknown"


limiter = Limiter(key_func=client_address, strategy="moving-window")


def configured(name: str) -> Callable[[], str]:
    """The limit named ``name`` in the app's config, read at request time (so each app, and
    each test's app, applies its own)."""

    def limit() -> str:
        value: str = current_app.config[name]
        return value

    return limit


def init_app(app: Flask) -> None:
    # Flask-Limiter keeps its storage on the one Limiter object, and init_app replaces it
    # from this app's config: the newest app's storage is the one in use. Production has
    # one app per process; in tests each test's new app starts from empty counts.
    limiter.init_app(app)
    app.register_error_handler(RateLimitExceeded, _too_many_requests)


def retry_after_seconds() -> int:
    """Seconds until the limit this request broke lets another request through."""
    current = limiter.current_limit
    if current is None:
        return 60
    return max(1, math.ceil(current.window.reset_time - time.time()))


def _too_many_requests(exc: RateLimitExceeded) -> tuple[str, int, dict[str, str]]:
    wait = retry_after_seconds()
    when = f"{wait} seconds" if wait < 120 else f"{math.ceil(wait / 60)} minutes"
    reason = f"{exc.description or 'Too many requests.'} Try again in {when}."
    body = render_template("error.html", status=429, title="Too many requests", reason=reason)
    return body, 429, {"Retry-After": str(wait)}
