"""Flask-Login wiring: the cookie carries a login-session token checked on the server,
so logout, deactivation and password resets end copied cookies too."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Flask, abort, current_app, redirect, request, session, url_for
from flask_login import LoginManager, current_user, logout_user

from interviewloop.audit.service import Actor
from interviewloop.auth import service
from interviewloop.auth.passwords import Hasher
from interviewloop.auth.twofactor import SecretBox
from interviewloop.db import db
from interviewloop.enums import Role

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please log in to see that page."
login_manager.login_message_category = "info"
login_manager.session_protection = None  # the server-side login session does this job


def init_app(app: Flask) -> None:
    from interviewloop.auth import jobs  # noqa: F401 - registers the background jobs

    login_manager.init_app(app)
    app.config.setdefault("REMEMBER_COOKIE_DURATION", 0)
    app.extensions["interviewloop.hasher"] = Hasher(
        memory_kib=app.config["PASSWORD_HASH_MEMORY_KIB"],
        time_cost=app.config["PASSWORD_HASH_TIME_COST"],
        parallelism=app.config["PASSWORD_HASH_PARALLELISM"],
    )
    app.extensions["interviewloop.two_factor_box"] = SecretBox(app.config["SECRET_KEY"])
    app.before_request(_enforce_idle_timeout)
    app.before_request(_enforce_two_factor_enrolment)


def hasher() -> Hasher:
    configured: Hasher = current_app.extensions["interviewloop.hasher"]
    return configured


def secret_box() -> SecretBox:
    box: SecretBox = current_app.extensions["interviewloop.two_factor_box"]
    return box


def login_policy() -> service.LoginPolicy:
    config = current_app.config
    return service.LoginPolicy(
        max_failures=config["LOGIN_MAX_FAILURES"],
        lock_minutes=config["LOGIN_LOCK_MINUTES"],
        max_session_hours=config["SESSION_MAX_HOURS"],
    )


def current_actor() -> Actor:
    user = current_user if current_user.is_authenticated else None
    return Actor(user=user, ip=request.remote_addr)


@login_manager.user_loader
def _load_user(token: str) -> Any:
    return service.user_for_token(db.session, token, login_policy())


def _enforce_idle_timeout() -> None:
    token = session.get("_user_id")
    if token is None:
        return
    now = time.time()
    idle_limit = current_app.config["SESSION_IDLE_MINUTES"] * 60
    last_seen = session.get("last_seen", 0)
    if now - last_seen > idle_limit:
        service.log_out(db.session, token, ip=request.remote_addr, reason="session_idle_expired")
        db.session.commit()
        logout_user()
        session.clear()
        return
    # Rewriting the cookie every request is cheap; a minute's resolution is plenty.
    if now - last_seen > 60:
        session["last_seen"] = now


# Set when an admin signs in with a password and has no two-factor while
# TWO_FACTOR_REQUIRED_FOR_ADMINS is on: every page but these leads to setting it up.
ENROL_FIRST = "two_factor_enrol_first"
ENROL_ENDPOINTS = frozenset({"auth.two_factor", "auth.two_factor_enrol", "auth.two_factor_confirm",
                             "auth.logout", "static", "home.healthz"})


def _enforce_two_factor_enrolment() -> Any:
    if not session.get(ENROL_FIRST) or request.endpoint in ENROL_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        session.pop(ENROL_FIRST, None)
        return None
    return redirect(url_for("auth.two_factor"))


def start_session(user: Any) -> None:
    """Fresh cookie session for a freshly authenticated user (no session fixation)."""
    from flask_login import login_user

    session.clear()
    session.permanent = True  # absolute lifetime: PERMANENT_SESSION_LIFETIME
    login_user(user)
    session["last_seen"] = time.time()


def end_session() -> None:
    token = session.get("_user_id")
    if token:
        service.log_out(db.session, token, ip=request.remote_addr)
    logout_user()
    session.clear()


def roles_required(*roles: Role) -> Callable:
    """Logged in and holding one of ``roles`` (admins hold every permission)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(Role.ADMIN, *roles):
                abort(403, "Your roles do not allow this page.")
            return view(*args, **kwargs)

        return wrapped

    return decorator


def safe_next(target: str | None) -> str:
    """Only redirect to our own paths: a relative path, no scheme, no host."""
    from urllib.parse import urlsplit

    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return url_for("home.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(c in target for c in "\r\n\t\\"):
        return url_for("home.index")
    return target


def redirect_after_login() -> Any:
    return redirect(safe_next(request.args.get("next")))
