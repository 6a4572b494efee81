"""What every browser journey does the same way: log in, watch the console, read flashes."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from playwright.sync_api import ConsoleMessage, Page, expect

from tests.browser.conftest import Person


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
