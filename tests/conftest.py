"""Test fixtures: a database migrated with `alembic upgrade head` once per run, and each
test inside an outer transaction that is rolled back (warehouse's pattern).

SQLite by default; PostgreSQL when TEST_DATABASE_URL is set (a database named after it
is dropped and created fresh for the run, one per xdist worker).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from interviewloop import create_app
from interviewloop.auth.passwords import Hasher
from interviewloop.db import make_engine
from interviewloop.tokens import SIGNER_INFO, LinkSigner

# Cheap argon2 parameters for speed; production cost is set in config.py. One lane: four
# start four threads per hash, which cost more than the hash itself at this memory.
TEST_HASH = {"PASSWORD_HASH_MEMORY_KIB": 256, "PASSWORD_HASH_TIME_COST": 1,
             "PASSWORD_HASH_PARALLELISM": 1}
TEST_HASHER = Hasher(memory_kib=256, time_cost=1, parallelism=1)
PASSWORD = "a-long-test-passphrase"


def _cache_url_builders() -> None:
    """werkzeug compiles two URL-builder functions per rule, from an AST, for every app: two
    thirds of create_app's cost, and the suite makes hundreds of apps with the same rules.
    A builder is a pure function of the rule's parsed parts (the rule is passed in as its
    first argument), so one compiled per distinct rule serves every app. Rules with
    defaults fold them in at compile time: those are compiled as usual."""
    from werkzeug.routing.rules import Rule

    compile_builder = Rule._compile_builder
    compiled: dict[tuple, object] = {}

    def cached(self, append_unknown=True):
        if self.defaults:
            return compile_builder(self, append_unknown)
        key = (append_unknown, self.rule, tuple(self._trace))
        if key not in compiled:
            compiled[key] = compile_builder(self, append_unknown)
        return compiled[key]

    Rule._compile_builder = cached


_cache_url_builders()


def _worker_suffix() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def fresh_postgres_database(base_url: str, name: str) -> str:
    """Drop and create database ``name`` on the server of ``base_url``; return its URL."""
    url = make_url(base_url)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


_created_databases: list[tuple[str, str]] = []


def new_database_url(tmp_path_factory: pytest.TempPathFactory, purpose: str) -> str:
    """A new, empty database for this run (SQLite file, or a fresh PostgreSQL database).

    PostgreSQL names carry the worker and process id, so that runs side by side on one
    server never drop each other's databases; they are dropped when the run ends."""
    base = os.environ.get("TEST_DATABASE_URL")
    if base:
        name = f"{make_url(base).database}_{purpose}_{_worker_suffix()}_{os.getpid()}"
        _created_databases.append((base, name))
        return fresh_postgres_database(base, name)
    return f"sqlite:///{tmp_path_factory.mktemp(purpose) / 'test.db'}"


@pytest.fixture(scope="session", autouse=True)
def _drop_postgres_databases():
    yield
    for base, name in _created_databases:
        admin = create_engine(make_url(base).set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def migrate(url: str, revision: str = "head") -> None:
    from alembic import command

    from interviewloop.cli import alembic_config

    config = alembic_config(url)
    config.attributes["configure_logger"] = False
    command.upgrade(config, revision)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = new_database_url(tmp_path_factory, "main")
    migrate(url)
    return url


@pytest.fixture(scope="session")
def empty_engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def bank_engine(tmp_path_factory, bank_data):
    """A second migrated database with the real bank imported and committed, once per run:
    importing it into every test's transaction cost ~0.1 s a test."""
    import copy

    from interviewloop.audit.service import SYSTEM
    from interviewloop.bank.importer import import_bank
    from interviewloop.db import writing

    url = new_database_url(tmp_path_factory, "bank")
    migrate(url)
    engine = make_engine(url)
    with Session(writing(engine)) as session:
        import_bank(session, SYSTEM, copy.deepcopy(bank_data))
        session.commit()
    yield engine
    engine.dispose()


@pytest.fixture
def engine(request):
    """This test's database: the one with the bank when the test asks for `bank`."""
    return request.getfixturevalue("bank_engine" if _names_bank(request) else "empty_engine")


def _names_bank(request: pytest.FixtureRequest) -> bool:
    # The fixtures the test names, directly or through its fixtures, as collected: a later
    # request.getfixturevalue("bank") is not among them.
    return "bank" in request.node.fixturenames


@pytest.fixture
def connection(engine):
    conn = engine.connect()
    outer = conn.begin()
    yield conn
    if outer.is_active:  # a long fuzz run commits its world (tests/fuzz/test_machine.py)
        outer.rollback()
    conn.close()


@pytest.fixture
def db_session(connection) -> Iterator[Session]:
    # The app's link signer, with the test app's SECRET_KEY (app_config), as an app session has.
    session = Session(bind=connection, join_transaction_mode="create_savepoint",
                      expire_on_commit=False, info={SIGNER_INFO: LinkSigner("test-secret")})
    yield session
    session.close()


_task_queue: dict[str, str] = {}


@pytest.fixture(scope="session", autouse=True)
def _task_queue_file(tmp_path_factory):
    """The run's own task queue (a SQLite file), so that no test queues into the instance
    folder's; tests of the queue itself give each test a queue of its own."""
    _task_queue["url"] = f"sqlite:///{tmp_path_factory.mktemp('queue') / 'tasks.db'}"


# Tests sign in far more often than people: the rate limits get room here, and a test of a
# limit sets the one it tests (tests/test_rate_limits.py). Each app counts in memory of its
# own, so no test's requests count against another's.
ROOMY_LIMITS = dict.fromkeys(("RATELIMIT_LOGIN", "RATELIMIT_LOGIN_ACCOUNT", "RATELIMIT_FEED",
                              "RATELIMIT_FEED_LINK", "RATELIMIT_SSO_CALLBACK",
                              "RATELIMIT_API", "RATELIMIT_RSVP", "RATELIMIT_TWO_FACTOR",
                              "RATELIMIT_TWO_FACTOR_ACCOUNT", "RATELIMIT_CANDIDATE_LINK"),
                             "10000 per minute")


def app_config(**overrides):
    return {"ENV": "test", "SECRET_KEY": "test-secret", "SESSION_COOKIE_SECURE": False,
            "TASK_QUEUE_URL": _task_queue.get("url"), "RATELIMIT_STORAGE_URI": "memory://",
            # The analytics cache off: module apps are shared by tests whose data is rolled
            # back (tests/test_analytics_cache.py turns it on).
            "ANALYTICS_CACHE_SECONDS": 0, **ROOMY_LIMITS, **TEST_HASH, **overrides}


@pytest.fixture(scope="module")
def module_app():
    """One app for a module of many small tests that leave its config alone (the permission
    matrices: building the app was most of such a test's cost); ``shared_app`` binds it to
    each test's own transaction."""
    return create_app(app_config(DATABASE_URL="sqlite://"))


@pytest.fixture
def shared_app(module_app, connection):
    from interviewloop.ratelimit import limiter

    state = module_app.extensions["interviewloop.db"]
    unbound = state["bind"]
    state["bind"] = connection
    limiter.reset()  # no test's requests count against another's
    yield module_app
    state["bind"] = unbound


@pytest.fixture
def app(shared_app):
    # No app context is pushed around the test: each request must get its own (its own
    # `g`, so its own database session and its own current_user), as in production.
    return shared_app


@pytest.fixture
def client(app):
    return app.test_client()


# --- data -----------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def bank_data():
    from interviewloop.bank.importer import load_bank
    from interviewloop.cli import DEFAULT_BANK

    return load_bank(DEFAULT_BANK)


@pytest.fixture(scope="session")
def bank_rows(bank_engine):
    from tests.bank_rows import read_bank_rows

    with bank_engine.connect() as conn:
        return read_bank_rows(conn)


@pytest.fixture
def bank(request, db_session, bank_data):
    """The real question bank in this test's database: committed there once (`bank_engine`)
    for a test that names `bank`; copied into the transaction for one that asks for it only
    once its connection is open (request.getfixturevalue), or imported if it wrote bank
    rows of its own first."""
    import copy

    from interviewloop.audit.service import SYSTEM
    from interviewloop.bank.importer import import_bank
    from tests.bank_rows import copy_bank_rows

    if not _names_bank(request) and not copy_bank_rows(db_session,
                                                       request.getfixturevalue("bank_rows")):
        import_bank(db_session, SYSTEM, copy.deepcopy(bank_data))
        db_session.flush()
    return bank_data


@pytest.fixture
def make_user(db_session):
    from interviewloop.audit.service import SYSTEM
    from interviewloop.auth import service

    counter = iter(range(1, 10_000))

    def make(*roles: str, email: str | None = None, name: str | None = None,
             time_zone: str = "UTC", active: bool = True):
        n = next(counter)
        user = service.create_user(
            db_session, SYSTEM, TEST_HASHER, email=email or f"user{n}@example.com",
            name=name or f"User {n}", password=PASSWORD, roles=roles or ("interviewer",),
            time_zone=time_zone,
        )
        if not active:
            service.deactivate_user(db_session, SYSTEM, user)
        db_session.flush()
        return user

    return make


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory):
    """A real OpenID provider (npm's oidc-provider on Node.js) on a free loopback port,
    started once for the run by the first test that asks (tests/oidc_provider.py)."""
    from tests.oidc_provider import OpenIDProvider

    provider = OpenIDProvider(tmp_path_factory.mktemp("oidc"))
    provider.start()
    yield provider
    provider.stop()


@pytest.fixture(scope="session")
def oidc_provider_userinfo_only(tmp_path_factory):
    """The same, keeping email and the other scope claims out of its ID tokens: only its
    userinfo endpoint tells them."""
    from tests.oidc_provider import OpenIDProvider

    provider = OpenIDProvider(tmp_path_factory.mktemp("oidc"), userinfo_only=True)
    provider.start()
    yield provider
    provider.stop()


# --- HTTP helpers ---------------------------------------------------------------------------

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def csrf_token(client) -> str:
    response = client.get("/login")
    if response.status_code == 302:  # already logged in
        response = client.get("/")
    match = CSRF_META.search(response.get_data(as_text=True))
    assert match, "no CSRF token on the page"
    return match.group(1)


def form_token(client) -> str:
    """The CSRF token a page would carry for this client's session, made as flask-wtf's
    generate_csrf makes it (the session's raw token, a new one kept there if it has none,
    signed with the app's key), without a request: fetching a page per POST was a sixth of
    a permission test's time, a logged-in client's being the home page. The app checks the
    token on every POST, so a token made wrongly fails loudly; csrf_token() still reads it
    off a real page."""
    import hashlib

    from itsdangerous import URLSafeTimedSerializer

    config = client.application.config
    field = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    with client.session_transaction() as session:
        raw = session.setdefault(field, hashlib.sha1(os.urandom(64)).hexdigest())  # noqa: S324
    key = config.get("WTF_CSRF_SECRET_KEY") or client.application.secret_key
    return URLSafeTimedSerializer(key, salt="wtf-csrf-token").dumps(raw)


def post(client, url: str, data: dict | None = None, **kwargs):
    """POST a form the way a browser would: with the CSRF token of the client's session."""
    return client.post(url, data={"csrf_token": form_token(client), **(data or {})}, **kwargs)


def log_in(client, email: str, password: str = PASSWORD):
    return post(client, "/login", {"email": email, "password": password})


@pytest.fixture
def login(app):
    """login(user) -> a test client with that user logged in through the real form."""

    def make_client(user):
        client = app.test_client()
        response = log_in(client, user.email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return make_client


# --- query counting -------------------------------------------------------------------------

@contextmanager
def counting_queries(engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
def count_queries(engine):
    """with count_queries() as queries: ...; len(queries) is the number of SQL statements."""
    return lambda: counting_queries(engine)


# --- the state machine's report ---------------------------------------------------------------
# (Here, not in tests/fuzz/conftest.py: pytest calls a terminal-summary hook only from an
# initial conftest. The figures are read from the test reports, so they survive xdist.)

def pytest_terminal_summary(terminalreporter) -> None:
    lines = []
    for outcome in ("passed", "failed"):
        for report in terminalreporter.stats.get(outcome, []):
            props = dict(getattr(report, "user_properties", []))
            if getattr(report, "when", "") == "call" and "fuzz_steps" in props:
                lines.append(f"{report.nodeid} [{outcome}]: {props['fuzz_summary']}")
    if lines:
        terminalreporter.write_sep("-", "state machine")
        for line in lines:
            terminalreporter.write_line(line)
