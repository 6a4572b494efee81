"""Signing in through the identity provider in Chromium, at the run's width: the login
page's button, the provider's own login and consent pages (npm's oidc-provider on loopback),
and back into the app as the person, with no CSP violation on the app's pages (the button's
redirect to the provider passes the login page's form-action)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from interviewloop import create_app
from tests.browser.conftest import WIDTHS, open_context, serving
from tests.browser.helpers import at_phone_width, axe_violations
from tests.conftest import app_config, migrate, new_database_url
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET

pytestmark = pytest.mark.browser


@pytest.fixture
def sso_server(tmp_path_factory, oidc_provider):
    """The app with single sign-on, served on the port the provider knows, with Ada's
    account (the provider says Ada.Lovelace@Example.COM)."""
    from interviewloop.audit.service import SYSTEM
    from interviewloop.auth.login import hasher
    from interviewloop.auth.service import create_user
    from interviewloop.db import db
    from tests.conftest import PASSWORD

    url = new_database_url(tmp_path_factory, "sso_browser")
    migrate(url)
    app = create_app(app_config(
        DATABASE_URL=url, BASE_URL=oidc_provider.browser_app_url,
        OIDC_ISSUER=oidc_provider.issuer, OIDC_CLIENT_ID=CLIENT_ID,
        OIDC_CLIENT_SECRET=CLIENT_SECRET, OIDC_DISPLAY_NAME="Example ID"))
    try:
        with app.app_context(), db.session_scope() as session:
            create_user(session, SYSTEM, hasher(), email="ada.lovelace@example.com",
                        name="Ada Lovelace", password=PASSWORD, roles=["hiring_manager"])
        with serving(app, oidc_provider.browser_app_port):
            yield oidc_provider.browser_app_url
    finally:
        app.extensions["interviewloop.db"]["bind"].dispose()


def test_sign_in_through_the_provider(browser, sso_server, oidc_provider, width):
    context = open_context(browser, sso_server, **WIDTHS[width])
    context.set_default_timeout(15_000)
    # Nothing leaves the machine (the provider's page asks for a web font).
    context.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), lambda route: route.abort())
    errors: list[str] = []
    try:
        page = context.new_page()

        def on_console(message) -> None:
            location = message.location.get("url", "")
            if message.type == "error" and location.startswith(sso_server) and \
                    urlsplit(location).path != "/favicon.ico":
                errors.append(f"{page.url}: {message.text}")

        page.on("console", on_console)
        page.goto("/login")
        at_phone_width(page)
        page.get_by_role("button", name="Sign in with Example ID").click()

        page.wait_for_url(f"{oidc_provider.issuer}/interaction/**")
        page.fill("input[name=login]", "ada")
        page.fill("input[name=password]", "any")
        page.get_by_role("button", name="Sign-in").click()
        page.get_by_role("button", name="Continue").click()  # the provider's consent page

        page.wait_for_url(f"{sso_server}/")
        expect(page.get_by_text("Ada Lovelace").first).to_be_visible()
        at_phone_width(page)
        page.goto("/account")
        assert urlsplit(page.url).path == "/account"  # signed in: no bounce to /login
        assert errors == []
    finally:
        context.close()


def test_the_login_page_with_the_provider_has_no_axe_violation(browser, sso_server):
    # axe is injected as a script, so this context ignores the CSP (the journey keeps it).
    context = browser.new_context(base_url=sso_server, bypass_csp=True)
    try:
        page = context.new_page()
        page.goto("/login")
        assert axe_violations(page) == []
    finally:
        context.close()
