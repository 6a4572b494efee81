"""What every browser journey does the same way: log in, watch the console, read flashes."""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

from playwright.sync_api import ConsoleMessage, Page, expect

from tests.browser.conftest import GUIDE, OVERFLOW_JS, PHONE, WIDTHS, Person


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
