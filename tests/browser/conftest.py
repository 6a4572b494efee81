"""Browser-test fixtures: a real server on loopback over committed data, and Debian's Chromium.

The outer-transaction ``app`` fixture cannot serve a browser (another thread, another
connection, uncommitted data), so these tests get a database of their own, migrated with
Alembic and seeded through the real services, then served by werkzeug in a thread.

Every journey runs in full at one of two widths (the ``width`` fixture): a laptop's
(1280 px) and a phone's (375 px, a mobile touch browser). ``make test`` runs the suite on
SQLite, then on PostgreSQL: the journeys run at the laptop's width on SQLite and at the
phone's on PostgreSQL, so that the two runs together cover both widths for the cost of one.
``BROWSER_WIDTHS=both`` runs each journey at both widths on whichever database (or
``BROWSER_WIDTHS=desktop`` / ``phone``: that one). Each page a journey opens says on the
console (which every journey watches) when it scrolls sideways or has a control past the
right edge (in a table that scrolls), once loaded or after a change.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from interviewloop import create_app
from tests.conftest import PASSWORD, app_config, migrate, new_database_url

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
# The two widths a journey runs at: a laptop's, and a phone's (as a phone: touch, mobile).
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True}
WIDTHS = {"desktop": {"viewport": DESKTOP}, "phone": PHONE}
# What sticks out past the viewport's width, as one line ("" if the page does not scroll
# sideways). A wide table may scroll inside its own box (.scroll-x; a two-dimensional table
# is exempt from reflow); the page itself must not.
OVERFLOW_JS = """() => {
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth <= width) return '';
    const out = [];
    for (const el of document.body.querySelectorAll('*')) {
        const r = el.getBoundingClientRect();
        if (r.right > width + 1 && !el.closest('.scroll-x')) {
            out.push(el.tagName.toLowerCase() + (el.className ? '.' + el.className : '') +
                     ' ' + Math.round(r.right) + 'px');
        }
        if (out.length >= 4) break;
    }
    return document.documentElement.scrollWidth + 'px wide: ' + out.join(', ');
}"""
# The page's controls (buttons, fields) past the viewport's right edge, as one line: reached
# only by scrolling a box (a wide table) sideways.
OUT_OF_REACH_JS = """() => {
    const width = document.documentElement.clientWidth, out = [];
    for (const el of document.querySelectorAll('main button, main a.button, main select, ' +
            'main textarea, main input:not([type=hidden])')) {
        const r = el.getBoundingClientRect();
        if (r.width && r.right > width + 1 && !el.closest('.visually-hidden')) {
            out.push(el.tagName.toLowerCase() + ' "' +
                     (el.innerText || el.name || '').trim().slice(0, 30) + '" ' +
                     Math.round(r.right) + 'px');
        }
        if (out.length >= 4) break;
    }
    return out.join(', ');
}"""
# In every journey's pages: a console error (which the journeys watch) when the page scrolls
# sideways, or a control is past the right edge, once loaded or after a change (a form shown,
# a result added) or a resize.
REPORT_OVERFLOW = """(() => {
    const overflow = OVERFLOW_JS, outOfReach = OUT_OF_REACH_JS;
    let reported = '', queued = false;
    const check = () => {
        queued = false;
        const width = document.documentElement.clientWidth;
        // A page being left or not yet laid out can measure a viewport of a pixel or two.
        if (width < 200) return;
        const wide = overflow(), far = outOfReach();
        const found = (wide ? 'Sideways scroll at ' + width + ' px: ' + wide : '') +
            (wide && far ? '; ' : '') +
            (far ? 'Past the right edge at ' + width + ' px: ' + far : '');
        if (found && found !== reported) console.error(found);
        reported = found;
    };
    const soon = () => { if (!queued) { queued = true; requestAnimationFrame(check); } };
    addEventListener('load', () => {
        check();
        new MutationObserver(soon).observe(document.body,
            {subtree: true, childList: true, attributes: true, characterData: true});
        addEventListener('resize', soon);
    });
})();""".replace("OUT_OF_REACH_JS", OUT_OF_REACH_JS).replace("OVERFLOW_JS", OVERFLOW_JS)
# The guide's screenshots (docs/guide/) are taken by the journeys when this is set, so that
# they stay current without an ordinary run changing files: GUIDE_SCREENSHOTS=1.
GUIDE = Path(__file__).resolve().parent.parent.parent / "docs" / "guide"


def email_at(email: str, width: str) -> str:
    """``email`` for a run at ``width`` (ann@x, ann.phone@x): a journey that makes its own
    people or candidates gives each width's run its own, so that both can run on one
    database (BROWSER_WIDTHS=both). The laptop's run keeps the address as written (the
    guide's pictures, taken at that width, show some)."""
    if width == "desktop":
        return email
    local, domain = email.split("@")
    return f"{local}.{width}@{domain}"


@dataclass(frozen=True)
class Person:
    email: str
    name: str

    def at(self, width: str) -> Person:
        """The same person for a run at ``width``, with an account of their own."""
        return Person(email_at(self.email, width), self.name)


# Seeded users (all with PASSWORD). Ivy is the interviewer of the login and bank journey;
# the recruiter and the hiring manager run the requisition journey (as RECRUITER.at(width)
# and HIRING_MANAGER.at(width), accounts of each width's run); Omar is a second interviewer,
# so that the hiring-team picker has more than one person in it.
INTERVIEWER = Person("ivy.interviewer@example.com", "Ivy Interviewer")
RECRUITER = Person("rita.recruiter@example.com", "Rita Recruiter")
HIRING_MANAGER = Person("hugo.manager@example.com", "Hugo Manager")
SECOND_INTERVIEWER = Person("omar.interviewer@example.com", "Omar Interviewer")
SEEDED_USERS = ((INTERVIEWER, ("interviewer",)), (RECRUITER, ("recruiter",)),
                (HIRING_MANAGER, ("hiring_manager",)),
                (SECOND_INTERVIEWER, ("interviewer",)))


@dataclass(frozen=True)
class LiveServer:
    url: str
    host: str
    port: int
    bank: object  # interviewloop.bank.importer.BankData, as imported
    app: object  # the served Flask app (see ``session``)
    interviewer_email: str = INTERVIEWER.email
    interviewer_name: str = INTERVIEWER.name
    recruiter: Person = RECRUITER
    hiring_manager: Person = HIRING_MANAGER
    password: str = PASSWORD

    @contextmanager
    def session(self):
        """A writing session on the served database, committed at the end: for seeding a
        test's own data through the real services while the server runs."""
        from interviewloop.db import db

        with self.app.app_context(), db.session_scope() as session:
            yield session


def _seed(app) -> object:
    from interviewloop.audit.service import SYSTEM
    from interviewloop.auth.login import hasher
    from interviewloop.auth.service import create_user
    from interviewloop.bank.importer import import_bank, load_bank
    from interviewloop.cli import DEFAULT_BANK
    from interviewloop.db import db

    bank = load_bank(DEFAULT_BANK)
    with app.app_context(), db.session_scope() as session:
        import_bank(session, SYSTEM, load_bank(DEFAULT_BANK))
        for person, roles in SEEDED_USERS:
            create_user(session, SYSTEM, hasher(), email=person.email, name=person.name,
                        password=PASSWORD, roles=roles)
    return bank


@contextmanager
def serving(app, port: int = 0) -> Iterator[int]:
    """``app`` served by werkzeug in a thread on 127.0.0.1 (a free port unless given): the
    port, while the block runs."""
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def browser_widths(environ=os.environ) -> list[str]:
    """The widths the journeys run at in this run (see the module's docstring)."""
    chosen = environ.get("BROWSER_WIDTHS", "")
    if chosen == "both":
        return list(WIDTHS)
    if chosen in WIDTHS:
        return [chosen]
    if chosen:
        raise pytest.UsageError(f"BROWSER_WIDTHS={chosen!r}: say both, desktop or phone")
    return ["phone" if environ.get("TEST_DATABASE_URL") else "desktop"]


@pytest.fixture(scope="session", params=browser_widths())
def width(request) -> str:
    """The width a journey runs at, "desktop" or "phone" (the test's id says which): its
    contexts open with ``new_context(**WIDTHS[width])``. Session-scoped, so that a module's
    seeded data (its own people, named per width) is made once per width."""
    return request.param


def open_context(browser, base_url: str, **options):
    """A browser context on ``base_url`` (a laptop's viewport unless ``options`` say other)
    whose pages report sideways scrolling on the console (REPORT_OVERFLOW)."""
    context = browser.new_context(base_url=base_url, **{"viewport": DESKTOP, **options})
    context.set_default_timeout(10_000)
    context.add_init_script(script=REPORT_OVERFLOW)
    return context


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    """The app on 127.0.0.1 (a free port), its database committed and seeded."""
    url = new_database_url(tmp_path_factory, "browser")
    migrate(url)
    app = create_app(app_config(DATABASE_URL=url))
    try:  # the engine is disposed however far this gets (no ResourceWarning on a failure)
        bank = _seed(app)
        with serving(app) as port:
            host = "127.0.0.1"
            yield LiveServer(url=f"http://{host}:{port}", host=host, port=port, bank=bank,
                             app=app)
    finally:
        app.extensions["interviewloop.db"]["bind"].dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Debian Chromium. Missing Chromium is a failure, never a skip."""
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package "
                    "(apt-get install chromium); the browser tests never download a browser.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def new_context(browser, live_server):
    """new_context(**options) -> a fresh browser context on the live server, closed after."""
    contexts = []

    def make(**options):
        context = open_context(browser, live_server.url, **options)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
