"""axe-core over every page each demo role can reach: no violation of any impact.

A server with the demo data (the same as `make run`) is crawled as each demo role, from home,
following every link on the app's own pages. Each distinct page (ids read as one) is checked
once, by the first role that reaches it (home once per role: each role's home differs), with
axe-core from npm injected into Debian's Chromium; then the same page at 320 px wide must not
scroll sideways (WCAG 1.4.10).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from interviewloop import create_app
from tests.browser.conftest import LiveServer, serving
from tests.browser.helpers import sideways_overflow
from tests.conftest import app_config, migrate, new_database_url

AXE = Path(__file__).resolve().parent.parent / "js" / "node_modules" / "axe-core" / "axe.min.js"
DEMO_PASSWORD = "demo-password-for-axe"
# The demo's roles, in the order the crawl runs: the admin first (it reaches the most).
ROLES = ("admin@example.com", "recruiter@example.com", "manager@example.com",
         "interviewer1@example.com", "interviewer4@example.com")
SKIP = re.compile(r"^/(logout|calendar/)|\.(csv|ics|txt|md|json)$")  # json: the API document, no page
MAX_PAGES_PER_ROLE = 120


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory) -> Iterator[LiveServer]:
    from interviewloop.audit.service import SYSTEM
    from interviewloop.auth.login import hasher
    from interviewloop.bank.importer import import_bank, load_bank
    from interviewloop.cli import DEFAULT_BANK
    from interviewloop.db import db
    from interviewloop.demo import load_demo

    url = new_database_url(tmp_path_factory, "axe")
    migrate(url)
    app = create_app(app_config(DATABASE_URL=url))
    try:
        with app.app_context(), db.session_scope() as session:
            bank = load_bank(DEFAULT_BANK)
            import_bank(session, SYSTEM, bank)
            load_demo(session, hasher(), DEMO_PASSWORD)
        with serving(app) as port:
            yield LiveServer(url=f"http://127.0.0.1:{port}", host="127.0.0.1", port=port,
                             bank=bank, app=app)
    finally:
        app.extensions["interviewloop.db"]["bind"].dispose()


def page_kind(path: str) -> str:
    """Pages that differ only by ids are one kind of page."""
    return re.sub(r"/\d+(?=/|$)", "/N", path)


def axe_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => v.impact + ' ' + v.id + ': ' + v.help + ' -- ' +
            v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
    }""")
    return list(result)


def test_every_reachable_page_has_no_axe_violation(browser, demo_server) -> None:
    assert AXE.is_file(), "axe-core is missing: npm ci --prefix tests/js"
    seen: set[str] = set()
    problems: list[str] = []
    checked = 0
    for email in ROLES:
        context = browser.new_context(base_url=demo_server.url, bypass_csp=True,
                                      viewport={"width": 1280, "height": 900})
        context.set_default_timeout(10_000)
        page = context.new_page()
        page.goto("/login")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(re.compile(r".*/$"))
        queue, queued = ["/"], {"/"}
        visited = 0
        while queue and visited < MAX_PAGES_PER_ROLE:
            path = queue.pop(0)
            page.goto(path)
            visited += 1
            for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
                parts = urlsplit(urljoin(demo_server.url + path, href))
                if parts.netloc != f"127.0.0.1:{demo_server.port}" or SKIP.search(parts.path):
                    continue
                target = parts.path + (f"?{parts.query}" if parts.query else "")
                if target not in queued and page_kind(parts.path) not in seen | {
                        page_kind(urlsplit(q).path) for q in queue}:
                    queue.append(target)
                    queued.add(target)
            kind = page_kind(urlsplit(path).path)
            if kind in seen and path != "/":  # home is each role's own page: checked for each
                continue
            seen.add(kind)
            checked += 1
            problems += [f"{email} {path}: {v}" for v in axe_violations(page)]
            page.set_viewport_size({"width": 320, "height": 800})
            wide = sideways_overflow(page)
            if wide:
                problems.append(f"{email} {path}: at 320 px the page scrolls sideways: {wide}")
            page.set_viewport_size({"width": 1280, "height": 900})
        context.close()
    assert checked >= 25, f"only {checked} pages reached: {sorted(seen)}"
    assert not problems, "\n".join(problems)
