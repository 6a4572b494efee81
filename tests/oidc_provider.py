"""A real OpenID provider on loopback for the single sign-on tests: the certified
`oidc-provider` package from npm (tests/js/oidc-provider.mjs) on the machine's Node.js.

``sign_in`` plays the person at the provider with `requests`: it follows the authorization
request, fills in the provider's own login form and consent page, and hands back the
callback URL the provider redirects the browser to (the app side runs in Flask's client).
"""

from __future__ import annotations

import html
import json
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urljoin

import requests

JS = Path(__file__).parent / "js"
CLIENT_ID = "interviewloop-tests"
CLIENT_SECRET = "a-test-client-secret-that-is-long-enough"
APP_BASE_URL = "http://127.0.0.1:5000"  # the app's BASE_URL in these tests
REDIRECT_URI = APP_BASE_URL + "/login/sso/callback"

# The people the provider knows, by login; the claims are what its ID tokens say.
ACCOUNTS = {
    "ada": {"email": "Ada.Lovelace@Example.COM", "email_verified": True, "name": "Ada Lovelace",
            "groups": ["hiring-admins"]},
    "ben": {"email": "ben@example.com", "email_verified": True, "name": "Ben",
            "groups": ["engineers"]},
    "una": {"email": "una@example.com", "email_verified": False, "name": "Una Verified-Not"},
    "dee": {"email": "dee@example.com", "email_verified": True, "name": "Dee Activated"},
    "newcomer": {"email": "newcomer@example.com", "email_verified": True, "name": "New Comer",
                 "groups": ["engineers", "recruiting", "choir"]},
    "outsider": {"email": "outsider@example.com", "email_verified": True, "name": "Out Sider",
                 "groups": ["marketing"]},
}

_INPUT = re.compile(r"<input\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r'(\w+)="([^"]*)"')
_FORM_ACTION = re.compile(r'<form\b[^>]*action="([^"]+)"', re.IGNORECASE)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OpenIDProvider:
    def __init__(self, workdir: Path, *, userinfo_only: bool = False) -> None:
        self.port = _free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        # The browser journey serves the app on this port (the redirect URI must be known).
        self.browser_app_port = _free_port()
        self._config = workdir / "oidc-provider.json"
        self._config.write_text(json.dumps({
            "port": self.port,
            "client": {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                       "redirect_uris": [REDIRECT_URI, self.browser_app_url + "/login/sso/callback"]},
            "accounts": ACCOUNTS,
            "userinfo_only": userinfo_only,
        }))
        self._process: subprocess.Popen | None = None

    @property
    def browser_app_url(self) -> str:
        return f"http://127.0.0.1:{self.browser_app_port}"

    def start(self) -> None:
        if not (JS / "node_modules" / "oidc-provider").is_dir():
            subprocess.run([shutil.which("npm") or "npm", "ci", "--no-audit", "--no-fund",
                            "--prefix", str(JS)], check=True, capture_output=True, timeout=300)
        self._process = subprocess.Popen(
            ["node", str(JS / "oidc-provider.mjs"), str(self._config)],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        assert self._process.stdout is not None
        line = self._process.stdout.readline()  # "listening <issuer>", or EOF if it died
        assert line.strip() == f"listening {self.issuer}", f"the provider did not start: {line!r}"

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            if self._process.stdout is not None:
                self._process.stdout.close()
            self._process = None

    def spoil_next_token(self, mode: str) -> None:
        """Have the provider change the next ID token it issues (see oidc-provider.mjs)."""
        response = requests.post(f"{self.issuer}/__test/next-token", json={"mode": mode}, timeout=10)
        response.raise_for_status()

    def sign_in(self, authorization_url: str, login: str) -> str:
        """Go through the provider's login and consent as ``login``; return the URL it sends
        the browser back to (the app's callback with code and state)."""
        with requests.Session() as browser:
            url, deadline = authorization_url, time.monotonic() + 30
            while time.monotonic() < deadline:
                if url.startswith(REDIRECT_URI):
                    return url
                response = browser.get(url, allow_redirects=False, timeout=10)
                while response.is_redirect:
                    location = urljoin(url, response.headers["Location"])
                    if location.startswith(REDIRECT_URI):
                        return location
                    url = location
                    response = browser.get(url, allow_redirects=False, timeout=10)
                assert response.status_code == 200, response.text[:500]
                url = self._submit(browser, url, response.text, login)
        raise AssertionError("the provider never sent the browser back")

    @staticmethod
    def _submit(browser: requests.Session, url: str, page: str, login: str) -> str:
        """Fill in the provider's form on ``page`` (login or consent); return where it
        redirects."""
        action = _FORM_ACTION.search(page)
        assert action, f"no form on the provider's page: {page[:500]}"
        fields = {}
        for tag in _INPUT.findall(page):
            attrs = dict(_ATTR.findall(tag))
            if attrs.get("type") == "hidden" and "name" in attrs:
                fields[attrs["name"]] = html.unescape(attrs.get("value", ""))
        if fields.get("prompt") == "login":
            fields.update(login=login, password="any")  # its dev login form takes any password
        target = urljoin(url, html.unescape(action.group(1)))
        response = browser.post(target, data=fields, allow_redirects=False, timeout=10)
        assert response.is_redirect, response.text[:500]
        return urljoin(target, response.headers["Location"])
