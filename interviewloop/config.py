"""Settings, read once from the environment and validated.

Every setting has a name, a type and a default here; nothing else in the code reads
``os.environ``. ``create_app(overrides)`` applies overrides on top (tests use them).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

ENVIRONMENTS = ("development", "production", "test")
PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Market reference points for AI engineer pay (US, 2025-2026), shown beside a requisition's
# band; set COMP_REFERENCE (JSON) to replace them.
DEFAULT_COMP_REFERENCE = [
    {"label": "US median, computer and information research scientists (BLS)",
     "amount": 140_910, "currency": "USD"},
    {"label": "US median total pay for AI engineers (Glassdoor, October 2025)",
     "amount": 138_000, "currency": "USD"},
    {"label": "US average for AI engineers (2026 salary review)",
     "amount": 206_000, "currency": "USD"},
]
MAIL_DELIVERIES = ("smtp", "outbox")
DEV_SECRET_KEY = "dev-only-not-secret"  # noqa: S105 - refused outside development


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the message names it."""


def _bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError("expected true or false")


def _comp_reference(raw: str) -> list[dict[str, Any]]:
    items = json.loads(raw)
    if not isinstance(items, list) or not all(
        isinstance(i, dict) and isinstance(i.get("label"), str) and isinstance(i.get("amount"), int)
        for i in items
    ):
        raise ValueError('expected a JSON list of {"label": ..., "amount": ..., "currency": ...}')
    return items


def _directory(raw: str) -> Path:
    path = Path(raw)
    if not path.is_dir():
        raise ValueError("no such folder")
    return path


def _task_queue_url(raw: str) -> str:
    if raw.startswith(("redis://", "rediss://")) or (raw.startswith("sqlite:///") and len(raw) > 10):
        return raw
    if "://" in raw:
        raise ValueError("expected redis://host:port/db, sqlite:///path or a file path")
    return raw


def _mail_delivery(raw: str) -> str:
    if raw not in MAIL_DELIVERIES:
        raise ValueError(f"expected one of {', '.join(MAIL_DELIVERIES)}")
    return raw


def _positive_int(raw: str) -> int:
    value = int(raw)
    if value <= 0:
        raise ValueError("expected a positive whole number")
    return value


def _link_days(raw: str) -> int:
    from interviewloop.limits import CANDIDATE_LINK_DAYS

    value = int(raw)
    if value not in CANDIDATE_LINK_DAYS:
        raise ValueError(f"expected {CANDIDATE_LINK_DAYS.low} to {CANDIDATE_LINK_DAYS.high} days")
    return value


def _count(raw: str) -> int:
    value = int(raw)
    if value < 0:
        raise ValueError("expected a whole number, 0 or more")
    return value


def _reminder_hours(raw: str) -> tuple[int, ...]:
    """E.g. "24,1": whole hours before an interview, each from 1 to 336 (two weeks)."""
    hours = {int(part) for part in raw.split(",") if part.strip()}
    if not hours or not all(1 <= h <= 336 for h in hours):
        raise ValueError("expected whole hours from 1 to 336, separated by commas, e.g. 24,1")
    return tuple(sorted(hours, reverse=True))


RATE_LIMIT_STORAGES = ("memory", "redis", "rediss", "redis+unix", "redis+sentinel", "redis+cluster")


def _rate_limit(raw: str) -> str:
    """A Flask-Limiter limit such as "10 per minute;50 per hour", kept as written."""
    from limits import parse_many

    parse_many(raw)  # ValueError names what it could not read
    return raw


def _rate_limit_storage(raw: str) -> str:
    scheme = raw.partition("://")[0]
    if scheme not in RATE_LIMIT_STORAGES:
        raise ValueError(f"expected a URI starting {', '.join(s + '://' for s in RATE_LIMIT_STORAGES)}")
    return raw


def _retry_hours(raw: str) -> int:
    value = int(raw)
    if not 24 <= value <= 24 * 14:
        raise ValueError("expected whole hours from 24 (a day) to 336 (two weeks)")
    return value


def _http_url(raw: str) -> str:
    if not raw.startswith(("http://", "https://")):
        raise ValueError("expected an http:// or https:// URL")
    return raw if raw.endswith("/") else raw + "/"


COLLECTION_FIELDS = ("email", "local")


def _collection_pattern(raw: str) -> str:
    import string

    names = {name for _text, name, _spec, _conv in string.Formatter().parse(raw) if name is not None}
    if not names or not names <= set(COLLECTION_FIELDS):
        raise ValueError("expected a path naming {email} or {local}, e.g. {email}/calendar/")
    return raw
def _role_map(raw: str) -> dict[str, list[str]]:
    """OIDC_ROLE_MAP: {"claim value": "role" or ["role", ...]}, every role one of ours."""
    from interviewloop.enums import Role

    mapping = json.loads(raw)
    if not isinstance(mapping, dict):
        raise ValueError('expected a JSON object such as {"hiring-admins": "admin"}')
    known = {r.value for r in Role}
    cleaned: dict[str, list[str]] = {}
    for value, roles in mapping.items():
        roles = [roles] if isinstance(roles, str) else roles
        if not isinstance(roles, list) or not all(isinstance(r, str) and r in known for r in roles):
            raise ValueError(f"{value!r} must map to roles among {', '.join(sorted(known))}")
        cleaned[value] = roles
    return cleaned


def _issuer(raw: str) -> str:
    """An https:// address; plain http only on this machine (a provider in tests)."""
    from urllib.parse import urlsplit

    parts = urlsplit(raw)
    loopback = parts.hostname in {"127.0.0.1", "localhost", "::1"}
    if not parts.hostname or parts.scheme not in ("https", "http") or (
            parts.scheme == "http" and not loopback):
        raise ValueError("expected the provider's https:// address")
    return raw.rstrip("/")


@dataclass(frozen=True)
class Setting:
    env: str
    key: str
    parse: Callable[[str], Any]
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("INTERVIEWLOOP_ENV", "ENV", str, "production",
            "development, production or test; development allows the built-in SECRET_KEY"),
    Setting("SECRET_KEY", "SECRET_KEY", str, None, "signs session cookies; required outside development"),
    Setting("DATABASE_URL", "DATABASE_URL", str, None,
            "SQLAlchemy URL; default: SQLite file interviewloop.db in the instance folder"),
    Setting("DEMO_PASSWORD", "DEMO_PASSWORD", str, "demo-loop-2026",
            "password given to the demo users by `interviewloop demo`"),
    Setting("SESSION_IDLE_MINUTES", "SESSION_IDLE_MINUTES", _positive_int, 30,
            "a login session ends after this many minutes without a request"),
    Setting("SESSION_MAX_HOURS", "SESSION_MAX_HOURS", _positive_int, 12,
            "a login session ends this many hours after login, whatever the activity"),
    Setting("LOGIN_MAX_FAILURES", "LOGIN_MAX_FAILURES", _positive_int, 5,
            "failed sign-ins on one account from one address before that address must wait"),
    Setting("LOGIN_LOCK_MINUTES", "LOGIN_LOCK_MINUTES", _positive_int, 15,
            "that address's first wait; each further failure doubles it, up to a day"),
    Setting("MAX_CONTENT_LENGTH", "MAX_CONTENT_LENGTH", _positive_int, 1_000_000,
            "largest request body accepted, in bytes"),
    Setting("SESSION_COOKIE_SECURE", "SESSION_COOKIE_SECURE", _bool, None,
            "send the session cookie over HTTPS only; default: true outside development"),
    Setting("PASSWORD_HASH_MEMORY_KIB", "PASSWORD_HASH_MEMORY_KIB", _positive_int, 65536,
            "argon2id memory cost (KiB)"),
    Setting("PASSWORD_HASH_TIME_COST", "PASSWORD_HASH_TIME_COST", _positive_int, 3,
            "argon2id iterations"),
    Setting("PASSWORD_HASH_PARALLELISM", "PASSWORD_HASH_PARALLELISM", _positive_int, 4,
            "argon2id lanes (threads per hash)"),
    Setting("COMP_REFERENCE", "COMP_REFERENCE", _comp_reference, DEFAULT_COMP_REFERENCE,
            "compensation reference figures shown beside a band (JSON list)"),
    Setting("QUESTION_BANK_PATH", "BANK_PATH", _directory, PROJECT_ROOT / "question_bank",
            "the question bank folder (questions, rubric, loop and job description templates)"),
    Setting("SCORECARD_DUE_HOURS", "SCORECARD_DUE_HOURS", _positive_int, 24,
            "a scorecard is due this many hours after its interview ends"),
    Setting("QUESTION_EXPOSURE_LIMIT", "QUESTION_EXPOSURE_LIMIT", _positive_int, 30,
            "a question asked in this many interviews or more in the last 90 days is flagged "
            "over-exposed (it may have leaked) on /analytics/questions"),
    Setting("ANALYTICS_CACHE_SECONDS", "ANALYTICS_CACHE_SECONDS", _count, 600,
            "the /analytics reports are kept this long at most per viewer scope in each "
            "process (emptied there on every scorecard, decision or booking; 0: off)"),
    Setting("SCORECARD_ESCALATE_HOURS", "SCORECARD_ESCALATE_HOURS", _positive_int, 48,
            "past this many hours after the interview, the hiring manager is told too"),
    Setting("POOL_SHADOWS_TO_PROMOTE", "POOL_SHADOWS_TO_PROMOTE", _positive_int, 2,
            "shadows a trainee holds (interview over, practice card in) before a promotion "
            "to reverse shadow can be signed off"),
    Setting("POOL_REVERSE_SHADOWS_TO_PROMOTE", "POOL_REVERSE_SHADOWS_TO_PROMOTE", _positive_int,
            2, "reverse shadows a trainee holds before a promotion to qualified can be "
            "signed off"),
    Setting("INTERVIEW_REMINDER_HOURS", "INTERVIEW_REMINDER_HOURS", _reminder_hours, (24, 1),
            "interviewers are emailed a reminder (with the kit link) this many hours before "
            "each interview, once each, e.g. 24,1; sent by the worker"),
    Setting("BASE_URL", "BASE_URL", str, "http://127.0.0.1:5000",
            "the app's address, for links in emails"),
    Setting("SMTP_HOST", "SMTP_HOST", str, "localhost", "mail server for reminders and invites"),
    Setting("SMTP_PORT", "SMTP_PORT", _positive_int, 25, "mail server port"),
    Setting("SMTP_FROM", "SMTP_FROM", str, "interviewloop@localhost",
            "the sender of every email, and the organizer of invites"),
    Setting("SMTP_USERNAME", "SMTP_USERNAME", str, None, "mail server login, if it needs one"),
    Setting("SMTP_PASSWORD", "SMTP_PASSWORD", str, None, "mail server password"),
    Setting("SMTP_STARTTLS", "SMTP_STARTTLS", _bool, False, "upgrade the SMTP connection to TLS"),
    Setting("RATELIMIT_STORAGE_URI", "RATELIMIT_STORAGE_URI", _rate_limit_storage, "memory://",
            "where rate limits are counted: memory:// (this process only) or redis://host:6379/0 "
            "(shared by every worker and host)"),
    Setting("RATELIMIT_LOGIN", "RATELIMIT_LOGIN", _rate_limit, "10 per minute;50 per hour",
            "sign-in attempts from one client address"),
    Setting("RATELIMIT_LOGIN_ACCOUNT", "RATELIMIT_LOGIN_ACCOUNT", _rate_limit, "20 per hour",
            "sign-in attempts on one account from addresses it has never signed in from"),
    Setting("RATELIMIT_FEED", "RATELIMIT_FEED", _rate_limit, "300 per hour",
            "calendar feed requests from one client address"),
    Setting("RATELIMIT_FEED_LINK", "RATELIMIT_FEED_LINK", _rate_limit, "60 per hour",
            "requests for one calendar feed link"),
    Setting("RATELIMIT_RSVP", "RATELIMIT_RSVP", _rate_limit, "60 per hour",
            "accept / decline link requests (opened or answered) from one client address"),
    Setting("RATELIMIT_CANDIDATE_LINK", "RATELIMIT_CANDIDATE_LINK", _rate_limit, "300 per hour",
            "requests to a candidate's private pages (availability, itinerary) from one client "
            "address"),
    Setting("CANDIDATE_LINK_DAYS", "CANDIDATE_LINK_DAYS", _link_days, 30,
            "how many days a candidate's private link works (1 to 90; revocable sooner)"),
    Setting("RATELIMIT_API", "RATELIMIT_API", _rate_limit, "600 per minute;10000 per hour",
            "JSON API calls with one token (or, without one, from one client address)"),
    Setting("TRUSTED_PROXIES", "TRUSTED_PROXIES", _count, 0,
            "how many reverse proxies (nginx, a load balancer) stand in front of the app; their "
            "X-Forwarded-For/-Proto are believed, no more. 0: the headers are ignored"),
    Setting("TASK_QUEUE_URL", "TASK_QUEUE_URL", _task_queue_url, None,
            "the background queue: redis://host:port/db, or a SQLite file (sqlite:///path or a "
            "path); default: redis://127.0.0.1:6379/0 in production, the file tasks.db in the "
            "instance folder otherwise"),
    Setting("MAIL_DELIVERY", "MAIL_DELIVERY", _mail_delivery, None,
            "smtp: send mail through SMTP_HOST; outbox: keep it in the database, readable at "
            "/admin/mail, and send nothing; default: outbox in development, smtp otherwise"),
    Setting("MAIL_RETRY_SECONDS", "MAIL_RETRY_SECONDS", _positive_int, 60,
            "a message the mail server refused is tried again after this long, then twice as "
            "long each time (at most an hour)"),
    Setting("MAIL_MAX_ATTEMPTS", "MAIL_MAX_ATTEMPTS", _positive_int, 8,
            "a refused message is given up after this many attempts"),
    Setting("CALDAV_URL", "CALDAV_URL", _http_url, None,
            "a CalDAV server (RFC 4791), e.g. https://dav.example.com/dav/: busy times are read "
            "from each interviewer's calendar there and each interview is written into it; "
            "unset: no calendar server"),
    Setting("CALDAV_USERNAME", "CALDAV_USERNAME", str, None,
            "the account interviewloop signs in to the CalDAV server as (it needs read and "
            "write access to every interviewer's calendar collection)"),
    Setting("CALDAV_PASSWORD", "CALDAV_PASSWORD", str, None, "that account's password"),
    Setting("CALDAV_COLLECTION", "CALDAV_COLLECTION", _collection_pattern, "{email}/calendar/",
            "each person's calendar collection, relative to CALDAV_URL: {email} and {local} (the "
            "part before the @) are filled in"),
    Setting("CALDAV_TIMEOUT_SECONDS", "CALDAV_TIMEOUT_SECONDS", _positive_int, 4,
            "how long to wait for the CalDAV server before giving up (booking goes on)"),
    Setting("CALDAV_RETRY_SECONDS", "CALDAV_RETRY_SECONDS", _positive_int, 60,
            "a calendar write that failed is tried again after this long, then twice as long "
            "each time (at most an hour)"),
    Setting("OIDC_ISSUER", "OIDC_ISSUER", _issuer, None,
            "single sign-on: the OpenID provider's issuer address (its discovery document is "
            "ISSUER/.well-known/openid-configuration); with OIDC_CLIENT_ID and "
            "OIDC_CLIENT_SECRET it turns on \"Sign in with ...\""),
    Setting("OIDC_CLIENT_ID", "OIDC_CLIENT_ID", str, None, "this app's client id at the provider"),
    Setting("OIDC_CLIENT_SECRET", "OIDC_CLIENT_SECRET", str, None,
            "this app's client secret at the provider"),
    Setting("OIDC_DISPLAY_NAME", "OIDC_DISPLAY_NAME", str, "single sign-on",
            "the provider's name on the login page: \"Sign in with <name>\""),
    Setting("OIDC_SCOPES", "OIDC_SCOPES", str, "openid email profile",
            "the scopes asked for; add the one that carries OIDC_ROLES_CLAIM if it needs one"),
    Setting("OIDC_CREATE_USERS", "OIDC_CREATE_USERS", _bool, False,
            "create an account on a person's first sign-in, with roles from OIDC_ROLES_CLAIM; "
            "off: an admin creates the account first"),
    Setting("OIDC_ROLES_CLAIM", "OIDC_ROLES_CLAIM", str, None,
            "the ID token claim (a string or a list) whose values OIDC_ROLE_MAP turns into roles"),
    Setting("OIDC_ROLE_MAP", "OIDC_ROLE_MAP", _role_map, {},
            'JSON: claim value -> role or roles, e.g. {"hiring-admins": "admin", '
            '"engineers": ["interviewer"]}'),
    Setting("PASSWORD_LOGIN", "PASSWORD_LOGIN", _bool, True,
            "off: only accounts an admin marked break-glass may sign in with a password; "
            "everyone else signs in through OIDC_ISSUER"),
    Setting("RATELIMIT_SSO_CALLBACK", "RATELIMIT_SSO_CALLBACK", _rate_limit,
            "20 per minute;100 per hour",
            "sign-ins started through the identity provider, and returns from it to the app, "
            "each from one client address"),
    Setting("TWO_FACTOR_REQUIRED_FOR_ADMINS", "TWO_FACTOR_REQUIRED_FOR_ADMINS", _bool, None,
            "an admin who signs in with a password and has no two-factor is sent to set it up "
            "before anything else; default: on in production, off in development and test"),
    Setting("RATELIMIT_TWO_FACTOR", "RATELIMIT_TWO_FACTOR", _rate_limit,
            "10 per minute;50 per hour",
            "two-factor codes tried (at sign-in, and setting it up or off) from one client "
            "address"),
    Setting("RATELIMIT_TWO_FACTOR_ACCOUNT", "RATELIMIT_TWO_FACTOR_ACCOUNT", _rate_limit,
            "20 per hour", "two-factor codes tried on one account, from any address"),
    Setting("WEBHOOKS_ALLOW_PRIVATE", "WEBHOOKS_ALLOW_PRIVATE", _bool, False,
            "let webhook endpoints be plain http:// and on loopback, private, link-local or "
            "other non-public addresses (an intranet receiver; tests). Off: https:// to public "
            "addresses only, checked at registration and at every delivery (SSRF)"),
    Setting("WEBHOOKS_TIMEOUT_SECONDS", "WEBHOOKS_TIMEOUT_SECONDS", _positive_int, 5,
            "how long a webhook delivery waits to connect, and for each read of the answer"),
    Setting("WEBHOOKS_RETRY_SECONDS", "WEBHOOKS_RETRY_SECONDS", _positive_int, 30,
            "a failed webhook delivery is tried again after about this long, then about twice "
            "as long each time (at most an hour; each wait varied by up to a quarter)"),
    Setting("WEBHOOKS_RETRY_HOURS", "WEBHOOKS_RETRY_HOURS", _retry_hours, 24,
            "a webhook delivery still failing this many hours after its event (or its last "
            "redeliver) is given up, 24 to 336"),
    Setting("BANK_PAGE_SIZE", "BANK_PAGE_SIZE", _positive_int, 20, "questions per page in the bank"),
)


OIDC_REQUIRED = ("OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET")


def _check_sso(config: Mapping[str, Any]) -> None:
    given = [name for name in OIDC_REQUIRED if config.get(name)]
    if given and len(given) < len(OIDC_REQUIRED):
        missing = ", ".join(n for n in OIDC_REQUIRED if n not in given)
        raise ConfigError(f"single sign-on needs {', '.join(OIDC_REQUIRED)}; {missing} not set")
    if not config["PASSWORD_LOGIN"] and not given:
        raise ConfigError("PASSWORD_LOGIN=off needs single sign-on (OIDC_ISSUER, ...): "
                          "otherwise only break-glass accounts could sign in")
    if config["OIDC_CREATE_USERS"] and not (config["OIDC_ROLES_CLAIM"] and config["OIDC_ROLE_MAP"]):
        raise ConfigError("OIDC_CREATE_USERS needs OIDC_ROLES_CLAIM and OIDC_ROLE_MAP: a new "
                          "account's roles come from the provider")


def database_url(environ: Mapping[str, str], instance_path: str) -> str:
    """DATABASE_URL, or the SQLite file in the instance folder."""
    return environ.get("DATABASE_URL") or "sqlite:///" + os.path.join(
        instance_path, "interviewloop.db")


def load_config(environ: Mapping[str, str], overrides: Mapping[str, Any] | None = None,
                *, instance_path: str) -> dict[str, Any]:
    """Build the Flask config from the environment and overrides; raise ConfigError if invalid."""
    config: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = environ.get(setting.env)
        if raw is None or raw == "":
            config[setting.key] = setting.default
            continue
        try:
            config[setting.key] = setting.parse(raw)
        except ValueError as exc:
            raise ConfigError(f"{setting.env}={raw!r} is not valid: {exc}") from exc
    config.update(overrides or {})

    env = config["ENV"]
    if env not in ENVIRONMENTS:
        raise ConfigError(f"INTERVIEWLOOP_ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}")
    if not config["SECRET_KEY"]:
        if env != "development":
            raise ConfigError("SECRET_KEY must be set outside development")
        config["SECRET_KEY"] = DEV_SECRET_KEY
    if not config["DATABASE_URL"]:
        config["DATABASE_URL"] = database_url({}, instance_path)
    if not config["TASK_QUEUE_URL"]:
        config["TASK_QUEUE_URL"] = ("redis://127.0.0.1:6379/0" if env == "production" else
                                    "sqlite:///" + os.path.join(instance_path, "tasks.db"))
    if not config["MAIL_DELIVERY"]:
        config["MAIL_DELIVERY"] = "outbox" if env == "development" else "smtp"
    _check_sso(config)
    if config["TWO_FACTOR_REQUIRED_FOR_ADMINS"] is None:
        config["TWO_FACTOR_REQUIRED_FOR_ADMINS"] = env == "production"
    if config["SESSION_COOKIE_SECURE"] is None:
        config["SESSION_COOKIE_SECURE"] = env == "production"

    config.update(
        DEBUG=False,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=config["SESSION_MAX_HOURS"]),
        # The cookie is written when the session changes (last_seen: once a minute), not
        # signed and compressed again on every response; the login's absolute lifetime
        # is the server's (auth.service.user_for_token).
        SESSION_REFRESH_EACH_REQUEST=False,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the login session
    )
    config.setdefault("WTF_CSRF_ENABLED", True)
    # Set on every app: Flask-Limiter would otherwise carry one app's choice to the next.
    config.setdefault("RATELIMIT_ENABLED", True)
    # Shared storage down (Redis gone): each process counts in memory until it is back, so
    # sign-in neither fails (a 500) nor goes unlimited; short timeouts so a hung Redis
    # cannot hold every request.
    config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    if config["RATELIMIT_STORAGE_URI"].startswith("redis"):
        config.setdefault("RATELIMIT_STORAGE_OPTIONS",
                          {"socket_connect_timeout": 0.5, "socket_timeout": 0.5})
    return config
