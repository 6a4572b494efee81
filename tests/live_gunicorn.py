"""A real gunicorn (several sync workers) on a loopback port, over a migrated database and
Redis, and a small browser-like client (cookies, CSRF token) for firing requests at it."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import redis

from tests.conftest import CSRF_META

REDIS_URI = "redis://127.0.0.1:6379/0"
PASSWORD_CHECKED = "password checked against an account's hash"
# gunicorn's own log as usual, and the hasher's DEBUG line (interviewloop.auth.passwords).
PASSWORD_CHECK_LOGGING = {
    "version": 1, "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr"}},
    "root": {"level": "WARNING", "handlers": ["stderr"]},
    "loggers": {"interviewloop.auth.passwords": {"level": "DEBUG"},
                "gunicorn.error": {"level": "INFO"}},
}
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: str


class Browser:
    """One visitor: its own cookie jar, so its own session and CSRF token."""

    def __init__(self, base_url: str, forwarded_for: str | None = None) -> None:
        self.base_url = base_url
        # As a trusted proxy in front would say (the server must have TRUSTED_PROXIES=1).
        self.headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
            _NoRedirect())

    def request(self, path: str, data: dict[str, str] | None = None) -> Answer:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        url = self.base_url + path  # http on loopback, always
        request = urllib.request.Request(url, data=body, headers=self.headers)  # noqa: S310
        try:
            with self.opener.open(request, timeout=30) as response:
                return Answer(response.status, dict(response.headers), response.read().decode())
        except urllib.error.HTTPError as error:  # 3xx (not followed), 4xx, 5xx
            return Answer(error.code, dict(error.headers), error.read().decode())

    def csrf_token(self) -> str:
        match = CSRF_META.search(self.request("/login").body)
        assert match, "no CSRF token on the sign-in page"
        return match.group(1)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a 302 is the answer we want to see
        return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str
    key_prefix: str
    access_log: Path
    errors: Path  # stderr: gunicorn's log and the app's
    warm_up_bytes: int = 0  # the access log's length once every worker had answered

    def password_checks(self) -> int:
        """How many passwords any worker checked against an account's hash (argon2)."""
        return self.errors.read_text().count(PASSWORD_CHECKED)

    def worker_pids(self) -> set[str]:
        """The pids of the workers that answered, from the access log (one pid a line)."""
        lines = self.access_log.read_bytes()[self.warm_up_bytes:].decode().splitlines()
        return {line.split()[0] for line in lines if line}


@contextmanager
def gunicorn(database_url: str, tmp_path: Path, *, workers: int = 3,
             **settings: str) -> Iterator[Server]:
    """gunicorn with ``workers`` sync workers on Redis limits (a key prefix of its own)."""
    port, prefix = _free_port(), f"test-{uuid.uuid4().hex}"
    access_log = tmp_path / "access.log"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "INTERVIEWLOOP_ENV": "test",
           "SECRET_KEY": "gunicorn-test-secret", "DATABASE_URL": database_url,
           "SESSION_COOKIE_SECURE": "false", "RATELIMIT_STORAGE_URI": REDIS_URI,
           "PASSWORD_HASH_MEMORY_KIB": "256", "PASSWORD_HASH_TIME_COST": "1",
           "PASSWORD_HASH_PARALLELISM": "1", **settings}
    factory = f"interviewloop:create_app({{'RATELIMIT_STORAGE_OPTIONS': {{'key_prefix': {prefix!r}}}}})"
    errors = tmp_path / "gunicorn.err"
    log_config = tmp_path / "logging.json"
    log_config.write_text(json.dumps(PASSWORD_CHECK_LOGGING))
    with errors.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--worker-class",
             "sync", "--bind", f"127.0.0.1:{port}", "--access-logfile", str(access_log),
             "--access-logformat", "%(p)s %(s)s %(r)s",
             "--log-config-json", str(log_config), factory],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(url, process, errors)
        _wait_for_every_worker(url, access_log, workers)
        yield Server(url=url, key_prefix=prefix, access_log=access_log, errors=errors,
                     warm_up_bytes=access_log.stat().st_size)
    finally:
        process.terminate()
        process.wait(timeout=30)
        store = redis.Redis.from_url(REDIS_URI)
        keys = list(store.scan_iter(f"{prefix}:*"))
        if keys:
            store.delete(*keys)


def _wait_until_serving(url: str, process: subprocess.Popen, errors: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn stopped: " + errors.read_text()[-2000:])
        try:
            if Browser(url).request("/login").status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not start: " + errors.read_text()[-2000:])


def _wait_for_every_worker(url: str, access_log: Path, workers: int) -> None:
    """Until each worker has answered a request: on a loaded machine the first one can be
    serving while the others still import the app, and would then take every request."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        threads = [threading.Thread(target=lambda: Browser(url).request("/healthz"))
                   for _ in range(2 * workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        pids = {line.split()[0] for line in access_log.read_text().splitlines() if line}
        if len(pids) >= workers:
            return
        time.sleep(0.2)
    raise RuntimeError(f"not every one of the {workers} gunicorn workers answered in 60 s")


def retry_after(answer: Answer) -> int:
    value = answer.headers.get("Retry-After", "")
    assert re.fullmatch(r"\d+", value), f"no Retry-After on a {answer.status}"
    return int(value)
