"""What every browser journey does the same way: log in, watch the console, read flashes,
check a page with axe-core and for reflow."""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import ConsoleMessage, Page, expect

from tests.browser.conftest import GUIDE, OVERFLOW_JS, PHONE, WIDTHS, Person

AXE = Path(__file__).resolve().parent.parent / "js" / "node_modules" / "axe-core" / "axe.min.js"


def watch_console(page: Page, errors: list[str], expected: dict[tuple[str, int], int]) -> Page:
    """Collect console errors and uncaught page errors. Let through only Chromium's "Failed
    to load resource" line for a response the journey provokes on purpose, matched by path
    and status, and count it in ``expected``."""

    def on_console(message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        path = urlsplit(message.location.get("url", "")).path
        status = re.search(r"status of (\d{3})", message.text)
        key = (path, int(status.group(1))) if status else None
        if message.text.startswith("Failed to load resource") and key in expected:
            expected[key] += 1
            return
        errors.append(f"{page.url}: {message.text} ({message.location.get('url')})")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(f"{page.url}: page error: {exc}"))
    return page


def make_people(session, people: dict[str, Person], roles: dict[str, str], password: str, *,
                zones: dict[str, str] | None = None) -> dict:
    """A journey's own users, through the service, by the keys of ``people``: each with the
    role ``roles`` gives it (an interviewer otherwise) and the time zone ``zones`` does."""
    from interviewloop.audit.service import SYSTEM
    from interviewloop.auth.login import hasher
    from interviewloop.auth.service import create_user

    return {key: create_user(session, SYSTEM, hasher(), email=p.email, name=p.name,
                             password=password, roles=(roles.get(key, "interviewer"),),
                             time_zone=(zones or {}).get(key, "UTC"))
            for key, p in people.items()}


def log_in(page: Page, person: Person, password: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(person.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".topbar .who")).to_have_text(person.name)


def flash(page: Page):
    return page.locator("main > p.flash[role=status]")


def guide_shots() -> bool:
    """Whether this run takes the guide's pictures (GUIDE_SCREENSHOTS=1)."""
    return os.environ.get("GUIDE_SCREENSHOTS") == "1"


def guide_shot(page: Page, name: str, *, full_page: bool = False, at: str = "desktop") -> None:
    """The guide's picture docs/guide/<name>, taken only when GUIDE_SCREENSHOTS=1 (so an
    ordinary run changes no file) and the page is at the width ``at`` (so that a run at
    both widths takes it once). tests/test_guide_images.py holds every image a guide
    shows to a call of this (a literal name) in the journeys."""
    if guide_shots() and page.viewport_size == WIDTHS[at]["viewport"]:
        GUIDE.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(GUIDE / name), full_page=full_page)


def axe_violations(page: Page) -> list[str]:
    """axe-core's violations on the page as it is now, of any impact, a line each. The
    page's context needs ``bypass_csp=True`` (axe is injected as a script of the page)."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => v.impact + ' ' + v.id + ': ' + v.help + ' -- ' +
            v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
    }""")
    return list(result)


def sideways_overflow(page: Page) -> str:
    """What sticks out past the viewport (WCAG 1.4.10 reflow, at 320 px), or "" if nothing
    does (conftest.OVERFLOW_JS)."""
    return str(page.evaluate(OVERFLOW_JS))


def at_phone_width(page: Page) -> None:
    """The page as it is now, at a phone's 375 px: it reflows (nothing scrolls sideways);
    then back to the width it had. At a journey's key steps: a desktop run checks its
    pages at the phone's width too, and a phone run (already 375 px) checks them as they
    are, at once (not only when the page changes, as REPORT_OVERFLOW does)."""
    before = page.viewport_size
    page.set_viewport_size(PHONE["viewport"])
    try:
        assert sideways_overflow(page) == "", page.url
    finally:
        if before:
            page.set_viewport_size(before)
