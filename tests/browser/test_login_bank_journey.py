"""An interviewer's journey through the real pages in Chromium, at the run's width: log in,
filter the question bank, read a question's signals and red flags, log out, and find the old
cookie dead."""

from __future__ import annotations

import http.client
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from interviewloop.enums import Category, Level
from tests.browser.conftest import WIDTHS
from tests.browser.helpers import at_phone_width

pytestmark = pytest.mark.browser

CATEGORY, LEVEL, WORD = Category.MLOPS_OPERATIONS, Level.SENIOR, "latency"


def watch_console(page: Page, errors: list[str]) -> Page:
    """Collect console errors (CSP violations show up here) and uncaught page errors.

    The one error let through is Chromium's own probe for /favicon.ico (the app has none);
    it is matched by the failing resource's path, so no other 404 or error hides behind it.
    """

    def on_console(message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        if urlsplit(message.location.get("url", "")).path == "/favicon.ico":
            return
        errors.append(f"{page.url}: {message.text} ({message.location.get('url')})")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(f"{page.url}: page error: {exc}"))
    return page


def count_text(n: int) -> str:
    return f"{n} question{'' if n == 1 else 's'}"


def get(live_server, path: str, cookie: str | None = None) -> tuple[int, dict[str, str]]:
    """A bare HTTP GET (no browser, no redirects followed): status and headers."""
    conn = http.client.HTTPConnection(live_server.host, live_server.port, timeout=10)
    try:
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}
    finally:
        conn.close()


def cookie_header(cookies: list[dict]) -> str:
    return "; ".join(f"{c['name']}={c['value']}" for c in cookies)


def assert_security_headers(headers: dict[str, str]) -> None:
    policy = headers.get("content-security-policy", "")
    for directive in ("object-src 'none'", "frame-ancestors 'none'", "base-uri 'none'"):
        assert directive in policy, f"CSP lacks {directive!r}: {policy!r}"
    assert "unsafe-inline" not in policy
    assert headers.get("x-content-type-options") == "nosniff"


def test_interviewer_logs_in_filters_bank_reads_question_and_logs_out(
        live_server, new_context, artifacts, width):
    bank = live_server.bank
    active = bank.questions  # a fresh import: every question is in use
    expected = sorted(
        (q for q in active if q.category == CATEGORY.value and LEVEL.value in q.levels
         and (WORD in q.title.lower() or WORD in q.prompt.lower())),
        key=lambda q: q.title,
    )
    assert 0 < len(expected) < len(active), "the chosen filter must narrow the bank"
    console_errors: list[str] = []
    context = new_context(**WIDTHS[width])
    page = watch_console(context.new_page(), console_errors)

    # Anonymous: the home page sends us to the login form.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next=%2F$"))
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()

    # Log in through the real form.
    page.get_by_label("Email").fill(live_server.interviewer_email)
    page.get_by_label("Password").fill(live_server.password)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator(".topbar .who")).to_have_text(live_server.interviewer_name)
    session_cookies = context.cookies()
    session_cookie = next(c for c in session_cookies if c["name"] == "session")
    assert session_cookie["httpOnly"] is True
    assert session_cookie["sameSite"] == "Lax"

    # The question bank, unfiltered: every question counted, one page listed.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Question bank").click()
    expect(page).to_have_url(f"{live_server.url}/bank/")
    expect(page.locator("#result-count")).to_have_text(count_text(len(active)))
    items = page.locator("ol.questions > li")
    assert items.count() == min(len(active), 20)
    assert len(set(items.locator(".category").all_inner_texts())) > 1
    response = page.reload()
    assert response is not None and response.status == 200
    assert_security_headers(response.headers)
    page.screenshot(path=str(artifacts / f"bank-{width}.png"), full_page=True)

    # Filter by category, level and a search word, as a person would.
    page.get_by_label("Category").select_option(label=CATEGORY.label)
    page.get_by_label("Level").select_option(label=LEVEL.label)
    page.get_by_label("Search").fill(WORD)
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#result-count")).to_have_text(count_text(len(expected)))
    query = parse_qs(urlsplit(page.url).query)
    assert query["category"] == [CATEGORY.value]
    assert query["level"] == [LEVEL.value]
    assert query["q"] == [WORD]
    expect(items).to_have_count(len(expected))
    assert items.locator("a").all_inner_texts() == [q.title for q in expected]
    assert items.locator(".category").all_inner_texts() == [CATEGORY.label] * len(expected)
    for i in range(len(expected)):
        expect(items.nth(i).locator(f".tag.level-{LEVEL.value}")).to_have_text(LEVEL.label)
    expect(page.get_by_label("Category")).to_have_value(CATEGORY.value)
    page.screenshot(path=str(artifacts / f"bank-filtered-{width}.png"), full_page=True)
    at_phone_width(page)

    # Open a question: its signals and red flags, as the bank files give them.
    chosen = expected[0]
    page.get_by_role("link", name=chosen.title).click()
    expect(page).to_have_url(re.compile(r"/bank/questions/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(chosen.title)
    expect(page.get_by_role("heading", name="Signals of a strong answer")).to_be_visible()
    expect(page.locator("ul.signals > li")).to_have_text(chosen.signals)
    expect(page.get_by_role("heading", name="Red flags")).to_be_visible()
    expect(page.locator("ul.red-flags > li")).to_have_text(chosen.red_flags)
    expect(page.get_by_role("button", name="Retire")).to_have_count(0)  # interviewers only read

    # The cookie alone is a working login right now (so its death below means something).
    old_cookie = cookie_header(session_cookies)
    status, headers = get(live_server, "/", cookie=old_cookie)
    assert status == 200
    assert_security_headers(headers)

    # Log out with the top bar's button (a POST form).
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(f"{live_server.url}/login")
    expect(page.get_by_role("status")).to_have_text("You are logged out.")
    page.goto("/bank/")
    expect(page).to_have_url(re.compile(r"/login\?next="))

    # The cookie copied before logout no longer works: not over bare HTTP...
    status, headers = get(live_server, "/", cookie=old_cookie)
    assert status == 302
    assert urlsplit(headers["location"]).path == "/login"
    # ...nor in a fresh browser that carries it.
    replay = new_context(**WIDTHS[width])
    replay.add_cookies(session_cookies)
    replay_page = watch_console(replay.new_page(), console_errors)
    replay_page.goto("/")
    expect(replay_page).to_have_url(re.compile(r"/login\?next=%2F$"))
    expect(replay_page.get_by_role("button", name="Log in")).to_be_visible()
    expect(replay_page.get_by_role("button", name="Log out")).to_have_count(0)

    assert console_errors == [], "console errors (CSP violations?) during the journey"
