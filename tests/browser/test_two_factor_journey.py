"""Two-factor in Chromium, at the run's width: set it up from one's settings by reading the
key off the page (as a person who cannot scan would type it), confirm it, sign out, and sign
in with a code (pyotp stands in for the phone), with no console error (a CSP violation shows
there)."""

from __future__ import annotations

import time

import pyotp
import pytest
from playwright.sync_api import expect

from interviewloop.auth.twofactor import RECOVERY_CODES
from tests.browser.conftest import WIDTHS, Person
from tests.browser.helpers import at_phone_width, log_in, watch_console

pytestmark = pytest.mark.browser

TESS = Person("tess.twofactor@example.com", "Tess Twofactor")


def test_set_up_two_factor_then_sign_in_with_a_code(live_server, new_context, width):
    from interviewloop.audit.service import SYSTEM
    from interviewloop.auth.login import hasher
    from interviewloop.auth.service import create_user

    tess = TESS.at(width)
    with live_server.session() as session:
        create_user(session, SYSTEM, hasher(), email=tess.email, name=tess.name,
                    password=live_server.password, roles=["interviewer"])
    errors: list[str] = []
    page = watch_console(new_context(**WIDTHS[width]).new_page(), errors,
                         {("/favicon.ico", 404): 0})
    log_in(page, tess, live_server.password)

    page.goto("/account")
    page.get_by_role("link", name="Two-factor sign-in").click()
    page.get_by_role("button", name="Set up two-factor").click()
    expect(page.locator("svg.qr")).to_be_visible()
    at_phone_width(page)
    totp = pyotp.TOTP(page.locator("#totp-secret").inner_text().replace(" ", ""))
    page.get_by_label("Code").fill(totp.now())
    page.get_by_role("button", name="Turn on two-factor").click()
    expect(page.locator("ol.recovery-codes li")).to_have_count(RECOVERY_CODES)
    page.get_by_role("link", name="I have kept them: continue").click()
    expect(page.locator("#two-factor-on")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    page.get_by_label("Email").fill(tess.email)
    page.get_by_label("Password").fill(live_server.password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Two-factor code")).to_be_visible()
    at_phone_width(page)
    # The next step's code: the current one went on confirming (each is good once).
    page.get_by_label("Code").fill(totp.at(time.time(), counter_offset=1))
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".topbar .who")).to_have_text(tess.name)
    assert errors == []
