"""A real webhook receiver for the tests: an HTTP server on a free loopback port, in a
thread, that checks each delivery's signature with the verification code of docs/api.md
(run as written there), answers with the statuses it is told (500, 500, then 200, ...),
and processes each event id once, as the docs tell a receiver to."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

DOCS = Path(__file__).resolve().parent.parent / "docs" / "api.md"


def docs_verify():
    """The ``verify`` function of the docs' webhook section, defined from the docs' text."""
    blocks = re.findall(r"```python\n(.*?)```", DOCS.read_text(), flags=re.S)
    source = next(b for b in blocks if "def verify(" in b)
    namespace: dict[str, Any] = {}
    exec(compile(source, str(DOCS), "exec"), namespace)  # noqa: S102 - our own docs
    return namespace["verify"]


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    signed: bool  # the signature checked out

    @property
    def event(self) -> dict[str, Any]:
        return json.loads(self.body)


@dataclass
class Receiver:
    secret: str = ""
    statuses: list[int] = field(default_factory=list)  # answers in turn; then 200s
    received: list[Received] = field(default_factory=list)
    processed: list[str] = field(default_factory=list)  # event ids, each once
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/in?source=tests"


@contextmanager
def webhook_receiver() -> Iterator[Receiver]:
    verify = docs_verify()
    receiver = Receiver()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            signed = verify(receiver.secret, self.headers.get("Interviewloop-Signature", ""),
                            body)
            with lock:
                receiver.received.append(Received(dict(self.headers), body, signed))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                if not signed:
                    status = 400
                elif status == 200:
                    event_id = json.loads(body)["id"]
                    if event_id not in receiver.processed:  # duplicates are dropped
                        receiver.processed.append(event_id)
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
